"""The shared exercise library is safe: clinicians read it, library editors change it, every change
is on record with who, when and what, and a caution never goes without a reason."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse

from clinics.models import Clinic
from clinics.permissions import LIBRARY_EDITORS, ensure_clinicians_group, ensure_group
from programs.library import file_specs
from programs.models import Exercise, ExerciseChange, library_specs

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(db):

    call_command("load_exercises", stdout=io.StringIO())


def signed_in(client, name, *groups, superuser=False):
    user = User.objects.create_user(name, password="a-long-passphrase-x", is_staff=True, is_superuser=superuser)
    for group in groups:
        user.groups.add(group)
    client.force_login(user)
    return user


def change_url(exercise):
    return reverse("admin:programs_exercise_change", args=[exercise.pk])


def form_data(client, exercise) -> dict:
    """What the change form posts when saved as it is."""
    form = client.get(change_url(exercise)).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        value = field.prepare_value(value) if hasattr(field, "prepare_value") else value
        if value is None or value is False:
            continue
        data[name] = value if not isinstance(value, bool) else "on"
    return data


def cautioned():
    """A library exercise kept out of flare-up plans by its caution."""
    return next(e for e in Exercise.objects.order_by("slug") if "acute_flare" in e.cautions)


def delete_url(exercise):
    return reverse("admin:programs_exercise_delete", args=[exercise.pk])


def test_a_clinician_reads_the_shared_library_but_cannot_change_or_delete_it(client, library):
    signed_in(client, "dana", ensure_clinicians_group())
    exercise = cautioned()
    before = list(Exercise.objects.filter(pk=exercise.pk).values())
    page = client.get(change_url(exercise))
    assert page.status_code == 200 and "Save" not in page.content.decode()
    assert client.post(change_url(exercise), {"name": "Mine", "cautions": []}).status_code == 403
    assert client.post(delete_url(exercise), {"post": "yes"}).status_code == 403
    assert list(Exercise.objects.filter(pk=exercise.pk).values()) == before
    assert not ExerciseChange.objects.exists()


def new_exercise(**fields) -> dict:
    return {
        "name": "Our wall sit", "slug": "our-wall-sit", "kind": "strength", "region": "thighs",
        "targets": ["weak_glutes"], "equipment": ["wall"], "steps": "Back to the wall.\nSlide down a little.",
        "sets": "2", "hold_seconds": "20", "rest_seconds": "30", "minutes": "3", **fields,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("who", "clinic", "added"),
    [
        ("clinician", "own", True),
        ("clinician", "none", False),  # the shared library is not theirs to add to
        ("clinician", "other", False),  # nor another clinic's
        ("editor", "none", True),
        ("superuser", "none", True),
    ],
)
def test_who_may_add_an_exercise_where(client, library, who, clinic, added):
    own, other = Clinic.objects.create(name="Own"), Clinic.objects.create(name="Other")
    if who == "clinician":
        user = signed_in(client, "dana", ensure_clinicians_group())
        own.clinicians.add(user)
    elif who == "editor":
        signed_in(client, "lee", ensure_group(LIBRARY_EDITORS))
    else:
        signed_in(client, "root", superuser=True)
    data = new_exercise(clinic={"own": own.pk, "other": other.pk, "none": ""}[clinic])
    client.post(reverse("admin:programs_exercise_add"), data)
    assert Exercise.objects.filter(slug="our-wall-sit").exists() == added


def test_a_clinics_own_exercise_is_for_its_clinicians_and_its_runners_plans_only(client, library):
    own, other = Clinic.objects.create(name="Own"), Clinic.objects.create(name="Other")
    dana = signed_in(client, "dana", ensure_clinicians_group())
    own.clinicians.add(dana)
    assert client.post(reverse("admin:programs_exercise_add"), new_exercise(clinic=own.pk)).status_code == 302
    ours = Exercise.objects.get(slug="our-wall-sit")
    assert (ours.clinic, ExerciseChange.objects.get().action) == (own, "added")
    # Its clinic's runners' plans may use it; no one else's.
    assert "our-wall-sit" in {s.slug for s in library_specs(clinic_id=own.pk)}
    assert "our-wall-sit" not in {s.slug for s in library_specs(clinic_id=other.pk)}
    assert "our-wall-sit" not in {s.slug for s in library_specs()}
    # Its clinician changes it; a clinician of another clinic neither sees nor changes it.
    data = form_data(client, ours)
    data["sets"] = "3"
    assert client.post(change_url(ours), data).status_code == 302
    client.logout()
    olly = signed_in(client, "olly", ensure_clinicians_group())
    other.clinicians.add(olly)
    assert "Our wall sit" not in client.get(reverse("admin:programs_exercise_changelist")).content.decode()
    assert client.get(change_url(ours)).status_code == 302  # "does not exist", back to the index
    assert client.post(delete_url(ours), {"post": "yes"}).status_code in (302, 403)
    assert Exercise.objects.filter(pk=ours.pk, sets=3).exists()


def test_removing_a_caution_without_a_reason_is_refused_and_changes_nothing(client, library):
    signed_in(client, "lee", ensure_group(LIBRARY_EDITORS))
    exercise = cautioned()
    data = form_data(client, exercise)
    data["cautions"] = [c for c in exercise.cautions if c != "acute_flare"]
    response = client.post(change_url(exercise), data)
    assert response.status_code == 200
    assert "You are removing a caution" in response.content.decode()
    exercise.refresh_from_db()
    assert "acute_flare" in exercise.cautions
    assert not ExerciseChange.objects.exists()


def test_a_library_editor_removes_a_caution_with_a_reason_and_it_is_on_record(client, library):
    lee = signed_in(client, "lee", ensure_group(LIBRARY_EDITORS))
    exercise = cautioned()
    data = form_data(client, exercise)
    data["cautions"] = [c for c in exercise.cautions if c != "acute_flare"]
    data["reason"] = "Checked with the team: gentle enough in a flare-up."
    response = client.post(change_url(exercise), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    exercise.refresh_from_db()
    assert "acute_flare" not in exercise.cautions
    change = ExerciseChange.objects.get()
    assert (change.user, change.username, change.action, change.slug) == (lee, "lee", "changed", exercise.slug)
    assert change.reason == "Checked with the team: gentle enough in a flare-up."
    before, after = change.changes["cautions"]
    assert "acute_flare" in before and "acute_flare" not in after
    # The change is shown on the exercise's page.
    assert "Checked with the team" in client.get(change_url(exercise)).content.decode()


def test_every_change_add_and_delete_is_recorded_with_who_and_what(client, library):
    signed_in(client, "root", superuser=True)
    exercise = next(e for e in Exercise.objects.order_by("slug") if "acute_flare" not in e.cautions)
    data = form_data(client, exercise)
    data["sets"] = "3" if str(data.get("sets")) != "3" else "2"
    assert client.post(change_url(exercise), data).status_code == 302
    change = ExerciseChange.objects.get()
    assert change.action == "changed" and list(change.changes) == ["sets"]
    assert client.post(delete_url(exercise), {"post": "yes"}).status_code == 302
    deleted = ExerciseChange.objects.filter(action="deleted").get()
    assert deleted.slug == exercise.slug and deleted.username == "root"
    # Saving without a change records nothing.
    other = Exercise.objects.order_by("slug").first()
    assert client.post(change_url(other), form_data(client, other)).status_code == 302
    assert ExerciseChange.objects.count() == 2


def test_the_groups_hold_exactly_their_permissions():
    clinicians = {p.codename for p in ensure_clinicians_group().permissions.all()}
    editors = {p.codename for p in ensure_group(LIBRARY_EDITORS).permissions.all()}
    assert "edit_library" not in clinicians  # their clinic's own exercises only
    assert editors == {"view_exercise", "add_exercise", "change_exercise", "delete_exercise", "edit_library"}
    assert file_specs()  # the library file is there to load
