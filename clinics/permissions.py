"""The Clinicians group and which clinics a user may see.

Permissions say what a clinician may do with a kind of record; the clinic scope says which
records. Both are checked on every admin page (see review.scoping.ClinicScopedAdmin).
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

CLINICIANS = "Clinicians"

# What a clinician needs, and nothing more: read assessments and check-ins, write the review
# fields (the admin form offers no other field), curate the exercise library, see their clinic
# (its invite link). No deleting runners' data, no users, no access records.
CLINICIAN_PERMISSIONS = (
    ("assessments", "view_assessment"),
    ("assessments", "change_assessment"),
    ("programs", "view_checkin"),
    ("programs", "view_exercise"),
    ("programs", "add_exercise"),
    ("programs", "change_exercise"),
    ("programs", "delete_exercise"),
    ("clinics", "view_clinic"),
)


def ensure_clinicians_group(using: str = "default") -> Group | None:
    """Create the group or reset it to exactly CLINICIAN_PERMISSIONS (idempotent).

    Returns None while the permissions do not exist yet (early in the first migrate).
    """
    wanted = Q()
    for app_label, codename in CLINICIAN_PERMISSIONS:
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    permissions = list(Permission.objects.using(using).filter(wanted))
    if len(permissions) != len(CLINICIAN_PERMISSIONS):
        return None
    group, _ = Group.objects.using(using).get_or_create(name=CLINICIANS)
    group.permissions.set(permissions)
    return group


def clinic_ids_of(user) -> frozenset[int] | None:
    """The ids of the clinics the user works for now; None for a superuser (who sees all).

    A user who is no longer active or staff works for none. Background work (an export written
    by the worker) asks this at run time, with no request.
    """
    if user.is_active and user.is_superuser:
        return None
    if not (user.is_active and user.is_staff):
        return frozenset()
    return frozenset(user.clinics.values_list("pk", flat=True))


def clinic_ids(request) -> frozenset[int] | None:
    """The ids of the clinics the user works for; None for a superuser (who sees all).

    Computed once per request: every admin check of the request uses the same answer.
    """
    user = request.user
    if user.is_superuser:
        return None
    cached = getattr(request, "_clinic_ids", None)
    if cached is None:
        cached = clinic_ids_of(user)
        request._clinic_ids = cached
    return cached
