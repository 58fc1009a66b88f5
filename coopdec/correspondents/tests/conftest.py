import datetime

import pytest

from coopdec.correspondents import corrections

from .inventoried import podor_twinning

BASE = "http://testserver"


@pytest.fixture
def correction_x(world):
    """Correspondent A proposes a new title and end date for X's published sheet."""
    return corrections.propose(
        world.project_x,
        {"title": "Patrimoine de Saint-Louis (phase 2)", "end_date": datetime.date(2027, 12, 31)},
        "Vu avec la mairie de Saint-Louis en mars.",
        by=world.user("correspondent_a"),
        base_url=BASE,
    )


@pytest.fixture
def entry_x(world):
    """Correspondent A inventoried a twinning between X and a Senegalese commune, new to the Atlas."""
    return podor_twinning(world, base_url=BASE)


def reload(obj):
    """A fresh copy from the database, drafts included (the default manager of sheets is all_objects)."""
    return type(obj)._default_manager.get(pk=obj.pk)
