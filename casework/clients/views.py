"""Client pages (to be built)."""

from django.http import HttpRequest, HttpResponse


def search(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


create = edit = detail = break_glass = search  # type: ignore[assignment]
