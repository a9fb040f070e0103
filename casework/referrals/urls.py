from django.urls import path

from casework.referrals import views

app_name = "referrals"
urlpatterns = [
    path("clients/<int:client_id>/consents/new/", views.consent_new, name="consent_new"),
    path("consents/<int:consent_id>/revoke/", views.consent_revoke, name="consent_revoke"),
    path("cases/<int:case_id>/referrals/new/", views.referral_new, name="new"),
    path("referrals/<int:referral_id>/", views.referral_detail, name="detail"),
    path("referrals/<int:referral_id>/edit/", views.referral_edit, name="edit"),
    path("referrals/<int:referral_id>/send/", views.referral_send, name="send"),
    path("referrals/<int:referral_id>/status/", views.referral_status, name="status"),
]
