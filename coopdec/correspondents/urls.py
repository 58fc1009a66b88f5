from django.urls import path

from .views import coordination, corrections, directory, inventory

app_name = "correspondents"

urlpatterns = [
    # Public directory
    path("", directory.directory, name="directory"),
    path("export/<str:fmt>/", directory.export, name="export"),
    path("mes-coordonnees/", directory.profile, name="profile"),
    # Corrections
    path("corrections/", corrections.correction_list, name="corrections"),
    path("corrections/proposer/<str:kind>/<slug:slug>/", corrections.propose, name="propose_correction"),
    path("corrections/<uuid:uuid>/", corrections.correction_detail, name="correction"),
    path("corrections/<uuid:uuid>/accepter/", corrections.correction_accept, name="correction_accept"),
    path("corrections/<uuid:uuid>/refuser/", corrections.correction_refuse, name="correction_refuse"),
    # Inventory
    path("inventaire/", inventory.inventory_list, name="inventory"),
    path("inventaire/nouveau/", inventory.record, name="record"),
    path("inventaire/autorites/<str:kind>/", inventory.lookup, name="lookup"),
    path("inventaire/<uuid:uuid>/", inventory.inventoried, name="inventoried"),
    path("inventaire/<uuid:uuid>/confirmer/", inventory.inventoried_confirm, name="inventoried_confirm"),
    path("inventaire/<uuid:uuid>/decliner/", inventory.inventoried_decline, name="inventoried_decline"),
    # Coordination
    path("coordination/", coordination.coordination_index, name="coordination_index"),
    path("coordination/<str:code>/", coordination.coordination, name="coordination"),
]
