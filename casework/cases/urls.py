from django.urls import path

from casework.cases import views

app_name = "cases"
urlpatterns = [
    path("caseload/", views.caseload, name="caseload"),
    path("team/", views.team, name="team"),
    path("<int:case_id>/", views.detail, name="detail"),
]
