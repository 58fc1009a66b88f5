from django.urls import path

from . import views

app_name = "workspace"

urlpatterns = [
    path("", views.home, name="home"),
    path("recherches/", views.saved_list, name="saved_list"),
    path("recherches/sauvegarder/", views.save, name="save"),
    path("recherches/<uuid:uuid>/", views.saved_detail, name="saved"),
    path("recherches/<uuid:uuid>/ouvrir/", views.saved_open, name="saved_open"),
    path("recherches/<uuid:uuid>/supprimer/", views.saved_delete, name="saved_delete"),
    path("recherches/<uuid:uuid>/extraire/", views.extract, name="extract"),
    path("extractions/", views.extraction_list, name="extraction_list"),
    path("extractions/<uuid:uuid>/telecharger/", views.extraction_download, name="extraction_download"),
    path("extractions/<uuid:uuid>/supprimer/", views.extraction_delete, name="extraction_delete"),
]
