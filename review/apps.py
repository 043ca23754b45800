from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ReviewConfig(AppConfig):
    """Everything a clinician sees, on top of the runner's apps: clinics <- assessments <- programs <- review."""

    default = True
    default_auto_field = "django.db.models.BigAutoField"
    name = "review"
    verbose_name = "Clinician review"


class ReviewAdminConfig(admin_apps.AdminConfig):
    # Django's admin with our site: the clinicians' front page, and no "view on site" shortcut
    # (see review.site). Listed in INSTALLED_APPS by its path, in place of django.contrib.admin.
    default = False
    default_site = "review.site.AdminSite"
