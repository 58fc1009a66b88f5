"""Property-based tests of bad input: query strings, forms and the API against its OpenAPI document.

Each test is marked ``fuzz``; the suite runs hypothesis's "ci" profile (a fixed set of examples),
``make stress`` the "stress" profile (many more, drawn afresh). See conftest.py for what "the database is
unchanged" means.
"""
