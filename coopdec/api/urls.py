from django.urls import path

from . import views

app_name = "api"
urlpatterns = [
    path("stats", views.stats, name="stats"),
    path("projects", views.projects, name="projects"),
    path("projects/<slug:slug>", views.project, name="project"),
    path("authorities", views.authorities, name="authorities"),
    path("countries", views.countries, name="countries"),
]
