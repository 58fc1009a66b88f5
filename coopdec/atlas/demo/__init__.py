"""The national-scale demonstration dataset built by ``manage.py generate_demo``.

``vocabulary`` holds the French building blocks (titles, texts, names) and the shape of the real Atlas
(country and theme weights); ``generator`` turns them, with the reference data, into organisations,
partnerships and project sheets.
"""
