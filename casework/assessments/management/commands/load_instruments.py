"""Install shipped instrument definitions that are not in the database yet."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from casework.assessments.definitions.loader import install_definitions
from casework.assessments.models import Instrument, InstrumentVersion


class Command(BaseCommand):
    help = "Install the shipped instrument definitions (published versions are never changed)."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            for line in install_definitions(Instrument, InstrumentVersion):
                self.stdout.write(line)
