import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coopdec.settings")
application = get_wsgi_application()
# Everything loaded at start-up (Django, the URL conf, templates, reference tables) lives as long as the
# process: moving it out of the collector's reach removes most of the full collections that cost a search
# about 45 ms every few dozen requests (bench/RESULTS.md).
gc.freeze()
