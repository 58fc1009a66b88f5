from django.urls import path

from . import views

app_name = "maps"
urlpatterns = [
    path("", views.index, name="index"),
    path("pays.geojson", views.countries, name="countries"),
    path("france.geojson", views.france, name="france"),
    path("points.geojson", views.points, name="points"),
]
