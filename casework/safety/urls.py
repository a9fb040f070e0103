from django.urls import path

from casework.safety import views

app_name = "safety"
urlpatterns = [
    path("flags/<int:flag_id>/resolve/", views.resolve, name="resolve"),
]
