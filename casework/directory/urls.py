"""Directory pages: /directory/... and, under a case, find services and the benefits screener."""

from django.urls import path

from casework.directory import views

app_name = "directory"
urlpatterns = [
    path("directory/", views.search, name="search"),
    path("directory/services/<str:service_id>/", views.service_detail, name="service"),
    path("cases/<int:case_id>/find-services/", views.match, name="match"),
    path("cases/<int:case_id>/benefits/", views.screener, name="screener"),
    path("cases/<int:case_id>/benefits/<slug:program_code>/", views.screener_act, name="screener_act"),
]
