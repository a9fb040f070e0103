"""`manage.py load_demo [--if-empty]`: the demo agency, for trying Casework out (demo mode only)."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from casework.clients.models import Client
from casework.core import demo


class Command(BaseCommand):
    help = (
        "Load the demo agency (staff, ~60 clients, cases and notes) and print the logins. "
        "Only in demo mode: CASEWORK_DEBUG=1 (demo logins are refused otherwise)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if the database already holds any client."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.DEBUG and getattr(settings, "DEMO_MODE", False)):
            raise CommandError(
                "The demo data has published passwords, so it is only loaded in demo mode: "
                "set CASEWORK_DEBUG=1 (and leave CASEWORK_DEMO on). Never load it into a production database."
            )
        if options["if_empty"] and Client.objects.exists():
            self.stdout.write("The database already has clients; demo data not loaded.")
            self._print_logins(show_logins=demo.demo_exists())
            return
        if demo.demo_exists():
            raise CommandError(
                f"The demo agency “{demo.AGENCY_NAME}” already exists. Use --if-empty, or start from an empty database."
            )
        started = time.monotonic()
        result = demo.load_demo()
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {result.agency}: {len(result.users)} staff, {result.clients} clients, "
                f"{result.cases} cases, {result.notes} progress notes ({time.monotonic() - started:.1f} s)."
            )
        )
        self._print_logins(show_logins=True)

    def _print_logins(self, *, show_logins: bool) -> None:
        self.stdout.write("")
        self.stdout.write(f"Casework: {demo.DEMO_URL}")
        if not show_logins:
            return
        self.stdout.write(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
        rows = demo.demo_logins()
        width_email = max(len(email) for email, _role, _seen in rows)
        width_role = max(len(role) for _email, role, _seen in rows)
        for email, role, seen in rows:
            self.stdout.write(f"  {email:<{width_email}}  {role:<{width_role}}  {seen}")
        self.stdout.write("Demo logins work only while CASEWORK_DEBUG is on.")
