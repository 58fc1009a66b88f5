"""``/api/`` (the documentation page) and ``/api/openapi.json``, beside the versioned ``/api/v1/``."""

from django.urls import path

from . import views

app_name = "api_doc"
urlpatterns = [
    path("", views.documentation, name="documentation"),
    path("openapi.json", views.openapi_document, name="openapi"),
]
