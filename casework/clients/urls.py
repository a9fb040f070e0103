from django.urls import path

from casework.clients import duplicate_views, views

app_name = "clients"
urlpatterns = [
    path("", views.search, name="search"),
    path("new/", views.create, name="create"),
    path("new/matches/", views.create_matches, name="create_matches"),
    path("emergency-access/", views.break_glass, name="break_glass"),
    path("<int:client_id>/", views.detail, name="detail"),
    path("<int:client_id>/edit/", views.edit, name="edit"),
    path("<int:client_id>/ssn/", views.reveal_ssn, name="reveal_ssn"),
    path("<int:client_id>/identifiers/", views.identifier_add, name="identifier_add"),
    path("<int:client_id>/identifiers/<int:identifier_id>/remove/", views.identifier_remove, name="identifier_remove"),
    path("<int:client_id>/contacts/", views.contact_add, name="contact_add"),
    path("<int:client_id>/contacts/<int:contact_id>/", views.contact_edit, name="contact_edit"),
    path("<int:client_id>/access/", views.grant_access, name="grant_access"),
    path("duplicates/", duplicate_views.queue, name="duplicates"),
    path("duplicates/scan/", duplicate_views.scan, name="duplicates_scan"),
    path("duplicates/<int:pair_id>/", duplicate_views.pair_detail, name="duplicate_pair"),
    path("duplicates/<int:pair_id>/dismiss/", duplicate_views.pair_dismiss, name="duplicate_dismiss"),
    path("duplicates/<int:pair_id>/merge/", duplicate_views.pair_merge, name="duplicate_merge"),
    path("merges/<int:merge_id>/", duplicate_views.merge_detail, name="merge_detail"),
    path("merges/<int:merge_id>/undo/", duplicate_views.merge_undo, name="merge_undo"),
]
