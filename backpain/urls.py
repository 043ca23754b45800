from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    # The admin's path is a setting (ADMIN_URL): a production site can move it out of sight.
    path(settings.ADMIN_URL, admin.site.urls),
    path("", include("clinics.urls")),
    path("", include("assessments.urls")),
    path("", include("programs.urls")),
]

# A database outage gets a 503 page that needs no database; anything else the plain 500 page.
handler500 = "backpain.views.server_error"
