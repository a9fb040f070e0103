"""The partner inbox: the only pages a partner user (receiving organization) can open."""

from django.urls import path

from casework.referrals import views

app_name = "partner"
urlpatterns = [
    path("", views.partner_inbox, name="inbox"),
    path("referrals/<int:referral_id>/", views.partner_detail, name="detail"),
    path("referrals/<int:referral_id>/status/", views.partner_status, name="status"),
]
