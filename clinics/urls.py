from django.urls import path

from clinics import views

app_name = "clinics"

urlpatterns = [
    path("c/<slug:code>/", views.invite, name="invite"),
    path("c/", views.leave_clinic, name="leave"),
]
