"""Top-level URLs: pages per app, the JSON API under /api/v1/."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from casework.appointments.feed import calendar_feed
from casework.config.api import api
from casework.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("accounts/", include("casework.accounts.urls")),
    path("clients/", include("casework.clients.urls")),
    path("cases/", include("casework.cases.urls")),
    path("", include("casework.notes.urls")),  # /notes/<id>/ and /cases/<id>/notes/new/
    path("", include("casework.assessments.urls")),  # /assessments/<id>/, under cases/ and clients/
    path("", include("casework.tasks.urls")),  # /tasks/ and /notifications/
    path("safety/", include("casework.safety.urls")),
    path("needs/", include("casework.needs.urls")),
    path("today/", include("casework.today.urls")),
    path("audit/", include("casework.audit.urls")),
    path("", include("casework.appointments.urls")),  # /appointments/, /calendar/, under clients/
    path("", include("casework.careplans.urls")),  # /plans/, /goals/, /steps/, under cases/
    path("", include("casework.directory.urls")),  # /directory/, under cases/ find-services and benefits
    path("", include("casework.referrals.urls")),  # /referrals/<id>/, consents, under cases/ and clients/
    path("partner/", include("casework.referrals.partner_urls")),  # the partner inbox
    # A plain view (text/calendar) at the API's path, before the API's own URLs.
    path("api/v1/calendar.ics", calendar_feed, name="calendar_feed"),
    path("api/v1/", api.urls),
    path("api/docs", RedirectView.as_view(url="/api/v1/docs", permanent=False)),
    path("django-admin/", admin.site.urls),
]

handler404 = "casework.core.views.not_found"
