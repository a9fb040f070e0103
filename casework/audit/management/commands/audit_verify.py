"""manage.py audit_verify: check that no audit event was removed, inserted or edited."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from casework.audit.models import AuditEvent
from casework.audit.verify import verify_chain


class Command(BaseCommand):
    help = "Verify the hash chain of the audit log; exits 1 and lists problems if it is broken."

    def handle(self, *args: Any, **options: Any) -> None:
        total = AuditEvent.objects.count()
        show_progress = sys.stdout.isatty() and total > 0

        def progress(done: int) -> None:
            if show_progress:
                width = 40
                filled = int(width * done / total) if total else width
                self.stdout.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending="")
                self.stdout.flush()

        result = verify_chain(progress=progress)
        if show_progress:
            self.stdout.write("")
        if result.ok:
            self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {result.checked} events verified."))
            return
        for problem in result.problems[:100]:
            self.stderr.write(problem)
        raise CommandError(
            f"Audit chain broken: {len(result.problems)} problem(s) in {result.checked} events; "
            f"first: {result.problems[0]}"
        )
