from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ClinicsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "clinics"
    verbose_name = "Clinics and clinicians"

    def ready(self):
        # After every migrate the Clinicians group has exactly its permissions, no more.
        post_migrate.connect(_ensure_group, dispatch_uid="clinics-ensure-group")


def _ensure_group(sender, using="default", **kwargs):
    from clinics.permissions import ensure_clinicians_group

    ensure_clinicians_group(using=using)
