from django.urls import path

from assessments import (
    converters,  # noqa: F401 (registers the token converter)
    views,
)

app_name = "assessments"

urlpatterns = [
    path("", views.LandingView.as_view(), name="landing"),
    path("check/", views.QuestionnaireView.as_view(), name="questionnaire"),
    path("check/restart/", views.RestartView.as_view(), name="restart"),
    path("check/adults-only/", views.AdultsOnlyView.as_view(), name="adults_only"),
    path("check/<slug:step>/", views.QuestionnaireView.as_view(), name="step"),
    path("offline/", views.OfflineView.as_view(), name="offline"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("r/<token:token>/", views.ResultView.as_view(), name="result"),
    path("r/<token:token>/delete/", views.DeleteAssessmentView.as_view(), name="delete"),
]
