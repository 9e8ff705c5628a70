"""WSGI entry point for gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

from infusion_rcm.settings import default_module

os.environ.setdefault("DJANGO_SETTINGS_MODULE", default_module())
application = get_wsgi_application()
