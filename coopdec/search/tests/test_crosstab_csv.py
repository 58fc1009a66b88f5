"""The crossed table's CSV quotes names that a spreadsheet would run as formulas (coopdec/spreadsheet.py)."""

import csv
import io

import pytest
from django.urls import reverse

from coopdec.atlas.tests import factories as f
from coopdec.search import index

pytestmark = pytest.mark.django_db


def test_a_funder_named_like_a_formula_is_written_as_text(client):
    funder = f.MinistryFactory(name='=HYPERLINK("http://exemple.invalid","Cliquez")')
    f.FinancingFactory(funder=funder)
    index.rebuild()
    response = client.get(reverse("search:crosstab"), {"rows": "funder", "cols": "status", "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    labels = [row[1] for row in rows[2:-1]]
    assert labels == ["'" + funder.name]
    assert rows[-1][-1] == "1"
