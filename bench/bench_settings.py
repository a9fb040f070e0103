"""Settings for benchmark runs: production settings (DEBUG off) on a throwaway database.

`bench/run.py` sets DATABASE_URL or SQLITE_PATH, SECRET_KEY and FIELD_ENCRYPTION_KEYS for
each run; nothing here is used by the application itself.
"""

import os

os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from casework.config.settings import *  # noqa: F403

DEBUG = False
DEMO_MODE = False
# Plain static storage: the pages render without a collectstatic manifest.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
