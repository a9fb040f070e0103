from django.urls import path

from casework.needs import views

app_name = "needs"
urlpatterns = [
    path("<int:need_id>/dismiss/", views.dismiss, name="dismiss"),
]
