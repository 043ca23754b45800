from django.urls import path

from assessments import (
    converters,  # noqa: F401 (registers the token converter)
    views,
)

app_name = "assessments"

urlpatterns = [
    path("", views.LandingView.as_view(), name="landing"),
    path("check/", views.QuestionnaireView.as_view(), name="questionnaire"),
    path("r/<token:token>/", views.ResultView.as_view(), name="result"),
    path("r/<token:token>/delete/", views.DeleteAssessmentView.as_view(), name="delete"),
]
