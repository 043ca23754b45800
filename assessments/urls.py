from django.urls import path, register_converter

from assessments import views
from assessments.converters import TokenConverter

register_converter(TokenConverter, "token")

app_name = "assessments"

urlpatterns = [
    path("", views.LandingView.as_view(), name="landing"),
    path("check/", views.QuestionnaireView.as_view(), name="questionnaire"),
    path("r/<token:token>/", views.ResultView.as_view(), name="result"),
    path("r/<token:token>/delete/", views.DeleteAssessmentView.as_view(), name="delete"),
]
