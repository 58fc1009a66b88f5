"""Settings for bench/pages.py only: the portal's own settings, with the URLconf that adds the minimal view.

Everything else (middleware, templates, database, DEBUG from the environment) is the portal's, so that the
minimal view and the pages go through exactly the same stack.
"""

from coopdec.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bench_urls"
