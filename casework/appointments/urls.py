"""Appointment and calendar pages. Mounted at the site root."""

from django.urls import path

from casework.appointments import views

app_name = "appointments"
urlpatterns = [
    path("clients/<int:client_id>/appointments/new/", views.schedule, name="schedule"),
    path("appointments/<int:appointment_id>/", views.detail, name="detail"),
    path("appointments/<int:appointment_id>/outcome/", views.outcome, name="outcome"),
    path("appointments/<int:appointment_id>/cancel/", views.cancel, name="cancel"),
    path("appointments/<int:appointment_id>/reschedule/", views.reschedule, name="reschedule"),
    path("appointments/<int:appointment_id>/transport/new/", views.transport_create, name="transport_create"),
    path("transport/<int:transport_id>/status/", views.transport_status, name="transport_status"),
    path("calendar/", views.week, name="week"),
    path("calendar/day/", views.day, name="day"),
    path("calendar/feed/", views.feed_settings, name="feed_settings"),
]
