"""The synthetic directory generator makes searchable, matchable services."""

import pytest
from django.core.management import call_command

from casework.directory import models as m
from casework.directory.selectors import ClientProfile, match_for_client, origin_for_zip

pytestmark = pytest.mark.django_db


def test_generate_directory_makes_complete_services(settings):
    settings.DEBUG = True
    call_command("generate_directory", services=300, batch_size=100, no_progress=True)
    assert m.Service.objects.count() == 300
    assert m.ServiceAtLocation.objects.count() == 300
    assert m.Service.need_categories.through.objects.count() >= 300
    service = m.Service.objects.exclude(language_keys="").first()
    assert service is not None and " en " in service.language_keys


def test_generate_directory_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(Exception, match="benchmarks"):
        call_command("generate_directory", services=1, no_progress=True)


def test_match_finds_synthetic_services_near_a_zip(settings):
    settings.DEBUG = True
    assert m.NeedCategory.objects.exists()  # shipped as data by a migration
    call_command("generate_directory", services=2000, batch_size=1000, no_progress=True)
    # Services come with random eligibility limits: of the first places, some must match an
    # ordinary adult client near them on the needs their services meet, and explain why.
    found = []
    for place in m.Address.objects.order_by("pk")[:20]:
        profile = ClientProfile(
            age=40,
            origin=origin_for_zip(place.postal_code),
            language="Spanish",
            interpreter_needed=False,
            insurance="medicaid",
            income_percent=120,
        )
        domains = list(
            m.Service.objects.filter(service_at_locations__location=place.location)
            .exclude(need_categories__domain=None)
            .values_list("need_categories__domain", flat=True)
        )
        found += match_for_client(profile=profile, domains=domains, radius_miles=25)
    assert found and all(result.reasons for result in found)
