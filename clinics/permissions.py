"""The Clinicians group and which clinics a user may see.

Permissions say what a clinician may do with a kind of record; the clinic scope says which
records. Both are checked on every admin page (see review.scoping.ClinicScopedAdmin).
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

CLINICIANS = "Clinicians"
LIBRARY_EDITORS = "Library editors"

# What a clinician needs, and nothing more: read assessments and check-ins, write the review
# fields (the admin form offers no other field), read the shared exercise library and keep their
# clinic's own exercises, see their clinic (its invite link). No deleting runners' data, no users,
# no access records. The shared library takes edit_library too (the Library editors): its
# cautions keep unsafe exercises out of every clinic's plans.
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
LIBRARY_EDITOR_PERMISSIONS = (
    ("programs", "view_exercise"),
    ("programs", "add_exercise"),
    ("programs", "change_exercise"),
    ("programs", "delete_exercise"),
    ("programs", "edit_library"),
)
GROUPS = {CLINICIANS: CLINICIAN_PERMISSIONS, LIBRARY_EDITORS: LIBRARY_EDITOR_PERMISSIONS}


def ensure_group(name: str, using: str = "default") -> Group | None:
    """Create the group or reset it to exactly its permissions in GROUPS (idempotent).

    Returns None while the permissions do not exist yet (early in the first migrate).
    """
    wanted = Q()
    for app_label, codename in GROUPS[name]:
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    permissions = list(Permission.objects.using(using).filter(wanted))
    if len(permissions) != len(GROUPS[name]):
        return None
    group, _ = Group.objects.using(using).get_or_create(name=name)
    group.permissions.set(permissions)
    return group


def ensure_clinicians_group(using: str = "default") -> Group | None:
    return ensure_group(CLINICIANS, using)


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
