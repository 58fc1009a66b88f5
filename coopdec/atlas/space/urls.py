"""The professional space's pages for organisations, partnerships and project sheets (namespace ``space``).

Mounted at /espace/atlas/; paths in French, names in English.
"""

from django.urls import path

from . import organisation_views, record_views, views

app_name = "space"

urlpatterns = [
    path("", views.home, name="home"),
    # My organisation
    path("organisations/", organisation_views.organisation_list, name="organisations"),
    path("organisations/<slug:slug>/", organisation_views.organisation_detail, name="organisation"),
    path(
        "organisations/<slug:slug>/modifier/", organisation_views.organisation_edit, name="organisation_edit"
    ),
    path("organisations/<slug:slug>/contacts/ajouter/", organisation_views.contact_add, name="contact_add"),
    path(
        "organisations/<slug:slug>/contacts/<int:pk>/modifier/",
        organisation_views.contact_edit,
        name="contact_edit",
    ),
    path(
        "organisations/<slug:slug>/contacts/<int:pk>/supprimer/",
        organisation_views.contact_delete,
        name="contact_delete",
    ),
    # Partnerships
    path("partenariats/", views.partnership_list, name="partnerships"),
    path("partenariats/nouveau/", views.partnership_create, name="partnership_create"),
    path("partenariats/<slug:slug>/", views.partnership_detail, name="partnership"),
    path("partenariats/<slug:slug>/modifier/", views.partnership_edit, name="partnership_edit"),
    path("partenariats/<slug:slug>/publier/", record_views.partnership_publish, name="partnership_publish"),
    path(
        "partenariats/<slug:slug>/depublier/",
        record_views.partnership_publish,
        {"withdraw": True},
        name="partnership_unpublish",
    ),
    path(
        "partenariats/<slug:slug>/historique/", record_views.partnership_history, name="partnership_history"
    ),
    path("partenariats/<slug:slug>/nouvelle-fiche/", views.project_create, name="project_create"),
    # Project sheets
    path("projets/", views.project_list, name="projects"),
    path("projets/<slug:slug>/", views.project_detail, name="project"),
    path("projets/<slug:slug>/modifier/", views.project_edit, name="project_edit"),
    path("projets/<slug:slug>/apercu/", views.project_preview, name="project_preview"),
    path("projets/<slug:slug>/publier/", record_views.project_publish, name="project_publish"),
    path(
        "projets/<slug:slug>/depublier/",
        record_views.project_publish,
        {"withdraw": True},
        name="project_unpublish",
    ),
    path("projets/<slug:slug>/historique/", record_views.project_history, name="project_history"),
    # Type-ahead of authorities (htmx fragment)
    path("autorites/<str:kind>/", views.lookup, name="lookup"),
]
