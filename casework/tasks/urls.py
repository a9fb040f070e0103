from django.urls import path

from casework.tasks import views

app_name = "tasks"
urlpatterns = [
    path("tasks/", views.my_tasks, name="mine"),
    path("tasks/<int:task_id>/complete/", views.complete, name="complete"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:notification_id>/read/", views.notification_read, name="notification_read"),
    path("notifications/<int:notification_id>/open/", views.notification_open, name="notification_open"),
]
