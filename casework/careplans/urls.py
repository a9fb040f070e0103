from django.urls import path

from casework.careplans import views

app_name = "careplans"
urlpatterns = [
    path("cases/<int:case_id>/plans/new/", views.create, name="create"),
    path("programs/<int:program_id>/plan-rules/", views.program_settings, name="program_settings"),
    path("plans/<int:plan_id>/", views.detail, name="detail"),
    path("plans/<int:plan_id>/summary/", views.summary_update, name="summary"),
    path("plans/<int:plan_id>/needs/", views.need_add, name="need_add"),
    path("plans/<int:plan_id>/suggested-needs/<int:need_id>/accept/", views.suggestion_accept, name="accept"),
    path("plans/<int:plan_id>/statements/<str:kind>/", views.statement_add, name="statement_add"),
    path("plans/<int:plan_id>/goals/", views.goal_add, name="goal_add"),
    path("plans/<int:plan_id>/new-version/", views.revision_start, name="revision_start"),
    path("plans/<int:plan_id>/submit/", views.submit, name="submit"),
    path("plans/<int:plan_id>/decide/", views.decide, name="decide"),
    path("plans/<int:plan_id>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("plans/<int:plan_id>/versions/", views.versions, name="versions"),
    path("plans/<int:plan_id>/versions/<int:number>/", views.revision_detail, name="revision"),
    path("plans/<int:plan_id>/compare/", views.compare, name="compare"),
    path("plans/<int:plan_id>/print/", views.print_copy, name="print"),
    path("plans/<int:plan_id>/copy.pdf", views.pdf_copy, name="pdf"),
    path("plan-needs/<int:need_id>/edit/", views.need_update, name="need_update"),
    path("plan-needs/<int:need_id>/remove/", views.need_remove, name="need_remove"),
    path("plan-statements/<int:statement_id>/edit/", views.statement_update, name="statement_update"),
    path("plan-statements/<int:statement_id>/remove/", views.statement_remove, name="statement_remove"),
    path("goals/<int:goal_id>/", views.goal_detail, name="goal"),
    path("goals/<int:goal_id>/edit/", views.goal_update, name="goal_update"),
    path("goals/<int:goal_id>/remove/", views.goal_remove, name="goal_remove"),
    path("goals/<int:goal_id>/steps/", views.intervention_add, name="intervention_add"),
    path("steps/<int:intervention_id>/edit/", views.intervention_update, name="intervention_update"),
    path("steps/<int:intervention_id>/remove/", views.intervention_remove, name="intervention_remove"),
    path("steps/<int:intervention_id>/status/", views.intervention_status, name="intervention_status"),
]
