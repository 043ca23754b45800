from django.urls import path

from assessments import views

app_name = "assessments"

urlpatterns = [
    path("", views.LandingView.as_view(), name="landing"),
    path("check/", views.QuestionnaireView.as_view(), name="questionnaire"),
    path("r/<str:token>/", views.ResultView.as_view(), name="result"),
    path("r/<str:token>/delete/", views.DeleteAssessmentView.as_view(), name="delete"),
]
