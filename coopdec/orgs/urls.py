"""DAECT's pages of the orgs app, mounted at /espace/donnees-personnelles/."""

from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("", views.personal_data, name="personal_data"),
    path("export/", views.personal_data_export, name="personal_data_export"),
    path("effacer/", views.personal_data_erase, name="personal_data_erase"),
]
