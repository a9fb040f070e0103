"""WSGI entry point (gunicorn casework.config.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casework.config.settings")
application = get_wsgi_application()
