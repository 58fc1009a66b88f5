"""Site pages: the accessibility statement and the legal notice."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _


def site_page(request, template: str, title: str):
    breadcrumb = {"root_dir": reverse("atlas:home"), "links": [], "current": title}
    return render(request, template, {"title": title, "breadcrumb_data": breadcrumb})


def accessibility(request):
    return site_page(request, "pages/accessibility.html", _("Déclaration d'accessibilité"))


def legal(request):
    return site_page(request, "pages/legal.html", _("Mentions légales"))
