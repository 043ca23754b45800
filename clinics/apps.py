from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ClinicsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "clinics"
    verbose_name = "Clinics and clinicians"

    def ready(self):
        # After every migrate the Clinicians and Library editors groups have exactly their
        # permissions, no more.
        post_migrate.connect(_ensure_groups, dispatch_uid="clinics-ensure-group")


def _ensure_groups(sender, using="default", **kwargs):
    from clinics.permissions import GROUPS, ensure_group

    for name in GROUPS:
        ensure_group(name, using=using)
