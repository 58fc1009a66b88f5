from django.urls import path

from . import views

app_name = "pages"
urlpatterns = [
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("mentions-legales/", views.legal, name="legal"),
]
