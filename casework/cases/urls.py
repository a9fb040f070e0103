from django.urls import path

from casework.cases import views

app_name = "cases"
urlpatterns = [
    path("caseload/", views.caseload, name="caseload"),
    path("open/", views.open_case, name="open"),
    path("team/", views.team, name="team"),
    path("team/reassign/", views.reassign, name="reassign"),
    path("team/reassign-caseload/", views.reassign_caseload, name="reassign_caseload"),
    path("team/emergency-access/<int:access_id>/reviewed/", views.break_glass_reviewed, name="break_glass_reviewed"),
    path("<int:case_id>/", views.detail, name="detail"),
    path("<int:case_id>/status/", views.transition, name="transition"),
    path("<int:case_id>/edit/", views.edit, name="edit"),
    path("<int:case_id>/team/", views.team_member_add, name="team_member_add"),
    path("<int:case_id>/team/<int:member_id>/remove/", views.team_member_remove, name="team_member_remove"),
]
