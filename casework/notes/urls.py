"""Note pages. Mounted at the site root so writing a note sits under its case: /cases/<id>/notes/new/."""

from django.urls import path

from casework.notes import views

app_name = "notes"
urlpatterns = [
    path("cases/<int:case_id>/notes/new/", views.create, name="create"),
    path("notes/<int:note_id>/", views.detail, name="detail"),
    path("notes/<int:note_id>/edit/", views.edit, name="edit"),
    path("notes/<int:note_id>/sign/", views.sign, name="sign"),
    path("notes/<int:note_id>/addenda/", views.addendum, name="addendum"),
    path("notes/<int:note_id>/void/", views.void, name="void"),
]
