from django.urls import path

from . import views

app_name = "campaigns"

urlpatterns = [
    path("", views.index, name="index"),
    path("ouvrir/", views.open_view, name="open"),
    path("<int:year>/", views.detail, name="detail"),
    path("<int:year>/cloturer/", views.close, name="close"),
    path("<int:year>/collectivites/<slug:slug>/", views.checklist_view, name="checklist"),
    path("<int:year>/collectivites/<slug:slug>/confirmer/", views.confirm, name="confirm"),
]
