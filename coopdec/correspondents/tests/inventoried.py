"""The inventoried twinning the tests of several apps share: correspondent A records one between authority X
of the personas' world (``coopdec.orgs.tests.personas``) and a Senegalese commune new to the Atlas."""

import datetime

from coopdec.correspondents import inventory


def podor_twinning(world, *, title="Jumelage Strasbourg – Podor", by=None, base_url="http://testserver"):
    from coopdec.atlas.tests import factories as f

    return inventory.record(
        by=by or world.user("correspondent_a"),
        french=world.authority_x,
        new_foreign={
            "name": "Commune de Podor",
            "country": f.country("SN"),
            "subdivision": None,
            "level": "municipal",
        },
        kind="jumelage",
        title=title,
        start_date=datetime.date(2019, 6, 1),
        base_url=base_url,
    )
