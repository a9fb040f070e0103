"""Case pages (to be built)."""

from django.http import HttpRequest, HttpResponse


def caseload(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


team = detail = caseload  # type: ignore[assignment]
