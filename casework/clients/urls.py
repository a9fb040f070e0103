from django.urls import path

from casework.clients import views

app_name = "clients"
urlpatterns = [
    path("", views.search, name="search"),
    path("new/", views.create, name="create"),
    path("emergency-access/", views.break_glass, name="break_glass"),
    path("<int:client_id>/", views.detail, name="detail"),
    path("<int:client_id>/edit/", views.edit, name="edit"),
]
