from django.urls import path

from . import views

app_name = "atlas"
urlpatterns = [
    path("", views.home, name="home"),
    path("atlas/", views.browse, name="browse"),
    path("atlas/continents/<str:code>/", views.continent, name="continent"),
    path("atlas/pays/<str:iso2>/", views.country, name="country"),
    path("atlas/autorites/<slug:slug>/", views.foreign_authority, name="foreign_authority"),
    path("atlas/regions/<str:code>/", views.region, name="region"),
    path("atlas/departements/<str:code>/", views.department, name="department"),
    path("atlas/collectivites/<slug:slug>/", views.french_authority, name="french_authority"),
    path("atlas/projets/<slug:slug>/", views.project, name="project"),
]
