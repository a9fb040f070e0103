from django.urls import path

from casework.today import views

app_name = "today"
urlpatterns = [
    path("", views.index, name="index"),
    path("items/<str:kind>/<int:object_id>/snooze/", views.snooze, name="snooze"),
    path("items/<str:kind>/<int:object_id>/wake/", views.wake, name="wake"),
    path("items/<str:kind>/<int:object_id>/actions/", views.item_actions, name="actions"),
    path("tasks/new/", views.task_new, name="task_new"),
    path("tasks/<int:task_id>/done/", views.task_done, name="task_done"),
    path("tasks/<int:task_id>/reassign/", views.task_reassign, name="task_reassign"),
    path("team/", views.team_overview, name="overview"),
    path("team/workers/<int:worker_id>/", views.worker_today, name="worker"),
]
