from django.http import JsonResponse
from django.views.decorators.http import require_GET

from coopdec.atlas.figures import key_figures


@require_GET
def stats(request):
    """Key figures of the Atlas, computed live."""
    return JsonResponse(key_figures())
