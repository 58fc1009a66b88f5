from .models import DataLoad


def demo_banner(request):
    """Whether the database holds generated demonstration data, so every page can say so."""
    return {"DEMO_DATA": DataLoad.objects.filter(kind=DataLoad.Kind.DEMO).exists()}
