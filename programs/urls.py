from django.urls import path

from assessments import converters  # noqa: F401 (registers the token converter)
from programs import views

app_name = "programs"

urlpatterns = [
    path("r/<token:token>/program/", views.ProgramView.as_view(), name="program"),
    path("r/<token:token>/program/done/", views.TicksView.as_view(), name="ticks"),
    path("r/<token:token>/program/plan/", views.PlanView.as_view(), name="plan"),
    path("r/<token:token>/manifest.webmanifest", views.ManifestView.as_view(), name="manifest"),
    path("r/<token:token>/program/calendar.ics", views.CalendarView.as_view(), name="calendar"),
    path("r/<token:token>/program/print/", views.ProgramPrintView.as_view(), name="print"),
    path("r/<token:token>/check-in/", views.CheckInView.as_view(), name="check_in"),
    path("r/<token:token>/my-data.json", views.MyDataView.as_view(), name="my_data"),
    path("r/<token:token>/my-answers.fhir.json", views.MyDataView.as_view(fhir=True), name="my_data_fhir"),
]
