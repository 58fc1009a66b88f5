from django.shortcuts import render

from .figures import key_figures


def home(request):
    return render(request, "atlas/home.html", {"figures": key_figures()})
