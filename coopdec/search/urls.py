from django.urls import path

from . import views

app_name = "search"
urlpatterns = [
    path("", views.index, name="index"),
    path("tableau/", views.crosstab_view, name="crosstab"),
]
