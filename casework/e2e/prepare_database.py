"""`python -m casework.e2e.prepare_database`: migrate and load the demo data in one process.

Run by the browser tests' server fixture; one process instead of two `manage.py` calls saves
a Django start-up. The database comes from the environment (SQLITE_PATH or DATABASE_URL).
"""

from __future__ import annotations

import os

import django
from django.conf import settings
from django.core.management import call_command

from casework.e2e.hashers import PASSWORD_HASHERS


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casework.config.settings")
    django.setup()
    # The demo passwords are hashed as the test server checks them (see hashers.py).
    settings.PASSWORD_HASHERS = PASSWORD_HASHERS
    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_demo")


if __name__ == "__main__":
    main()
