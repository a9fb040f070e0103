"""Assessment pages. Mounted at the site root: administering sits under its case, the trend under its client."""

from django.urls import path

from casework.assessments import views

app_name = "assessments"
urlpatterns = [
    path("cases/<int:case_id>/assessments/new/", views.start, name="start"),
    path("assessments/<int:assessment_id>/", views.detail, name="detail"),
    path("assessments/<int:assessment_id>/answers/", views.answer, name="answer"),
    path("assessments/<int:assessment_id>/amend/", views.amend, name="amend"),
    path("clients/<int:client_id>/scores/<slug:instrument_code>/", views.trend, name="trend"),
]
