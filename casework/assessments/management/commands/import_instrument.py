"""Import one instrument from a JSON file (see README, "Adding an instrument")."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from casework.accounts.models import User
from casework.assessments import services
from casework.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Import an instrument from a JSON file {code, name, kind, loinc_panel, loinc_total, sensitivity, "
        "definition, scoring} as a draft version (published with --publish). Published versions are never changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="The instrument file (JSON).")
        parser.add_argument("--publish", action="store_true", help="Publish the version (new assessments use it).")
        parser.add_argument(
            "--actor", required=True, help="E-mail address of the administrator doing this (named in the audit log)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = User.objects.filter(email=options["actor"].strip().lower(), is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user with the e-mail address {options['actor']}.")
        try:
            with open(options["path"], encoding="utf-8") as handle:
                data = json.load(handle)
        except OSError as exc:
            raise CommandError(f"Cannot read {options['path']}: {exc.strerror}.") from exc
        except json.JSONDecodeError as exc:
            raise CommandError(f"{options['path']} is not valid JSON: {exc}.") from exc
        try:
            report = services.instrument_import(actor=actor, data=data, publish=options["publish"])
        except DomainError as exc:
            messages = [message for messages in exc.errors.values() for message in messages] or [exc.message]
            for message in messages:
                self.stderr.write(f"- {message}")
            raise CommandError(f"Nothing imported: {len(messages)} problem(s) in {options['path']}.") from exc
        for line in report:
            self.stdout.write(line)
