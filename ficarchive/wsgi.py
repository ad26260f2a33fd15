from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ficarchive.settings")
application = get_wsgi_application()

# Whatever server loads the app: `ficarchive serve` loads it in gunicorn's parent before forking
# (preload_app), another WSGI server in each of its workers.
from ficarchive.server.warm import settle  # noqa: E402 - needs the settings above

settle()
