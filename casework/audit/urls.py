from django.urls import path

from casework.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.index, name="index"),
    path("verify/", views.verify, name="verify"),
]
