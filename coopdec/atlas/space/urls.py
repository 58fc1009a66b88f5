"""The professional space's pages for partnerships and project sheets (namespace ``space``)."""

from django.urls import path  # noqa: F401

app_name = "space"

urlpatterns: list = []
