"""The exercise library: the file itself, `load_exercises`, and editing it in the admin."""

import io
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from assessments.scoring import CATALOGUE, CAUTION_WORDS, PREGNANCY
from programs import builder
from programs.library import LIBRARY_FILE, file_specs, load_library, read_library
from programs.models import Exercise
from tests.processes import run_manage

SPECS = file_specs()
BY_SLUG = {s.slug: s for s in SPECS}
CODES = [i.code for i in CATALOGUE]
PER_IMBALANCE = Counter(code for s in SPECS for code in s.targets)
LOOSENING = (builder.STRETCH, builder.MOBILITY)


def snapshot() -> dict[str, dict]:
    """Every stored exercise, with every column including the `updated` timestamp."""
    return {row["slug"]: row for row in Exercise.objects.values()}


def load(path=None) -> str:
    """Run `load_exercises` (on the library file or on `path`); return what it printed."""
    out, err = io.StringIO(), io.StringIO()
    args = ["--file", str(path)] if path else []
    call_command("load_exercises", *args, stdout=out, stderr=err)
    assert err.getvalue() == ""
    return out.getvalue()


def report_line(created=0, updated=0, unchanged=0, kept=0) -> str:
    """The first line of the report (a second line names the exercises kept)."""
    return (
        f"Exercise library: {created} created, {updated} updated, {unchanged} unchanged, "
        f"{kept} kept as a clinician changed them."
    )


def first_line(printed: str) -> str:
    return printed.strip().splitlines()[0]


# --- The library file, without the database ----------------------------------------------


def test_the_library_file_parses_into_exercises_with_unique_slugs():
    rows = read_library()
    assert len(rows) == len(SPECS)
    assert len({row["slug"] for row in rows}) == len(rows)
    assert all(s.name and s.steps for s in SPECS)


def test_the_library_holds_at_least_30_exercises():
    assert len(SPECS) >= 30


@pytest.mark.parametrize("code", [pytest.param(c, id=f"{c}-{PER_IMBALANCE[c]}-exercises") for c in CODES])
def test_every_imbalance_is_targeted_by_at_least_three_exercises(code):
    assert PER_IMBALANCE[code] >= 3


@pytest.mark.parametrize("code", CODES)
def test_every_imbalance_has_a_strength_exercise_and_a_stretch_or_mobility_exercise(code):
    kinds = {s.kind for s in SPECS if code in s.targets}
    assert builder.STRENGTH in kinds
    assert kinds & set(LOOSENING)


def test_exercises_target_only_imbalances_of_the_catalogue():
    assert {code for s in SPECS for code in s.targets} <= set(CODES)


def test_an_easy_walk_is_a_gentle_activity_for_rest_days_and_flares():
    walks = [s for s in SPECS if s.name.lower() == "easy walk"]
    assert len(walks) == 1
    walk = walks[0]
    assert walk.kind == builder.ACTIVITY
    assert walk.gentle
    assert walk.cautions == ()


def test_there_are_at_least_three_warm_up_exercises():
    assert len([s for s in SPECS if s.warm_up]) >= 3


def test_there_are_gentle_exercises_beyond_walking_for_a_runner_waiting_to_see_a_professional():
    gentle = [s for s in SPECS if s.gentle]
    assert len(gentle) >= 5
    assert {s.kind for s in gentle} >= {builder.ACTIVITY, builder.STRENGTH, builder.MOBILITY}
    assert not [s.slug for s in gentle if "acute_flare" in s.cautions]


@pytest.mark.parametrize("spec", SPECS, ids=[s.slug for s in SPECS])
def test_every_exercise_has_a_dosage_within_the_limits(spec):
    assert builder.dosage_errors(spec) == {}


def test_cautions_are_only_the_flags_the_builder_knows():
    assert {c for s in SPECS for c in s.cautions} <= set(CAUTION_WORDS)


# A first step that puts the runner on their back or front ("Lie on your back with...").
LIES_ON_BACK_OR_FRONT = re.compile(
    r"\b(?:lie|lying)(?: down| flat)* on your (?:back|front|stomach|tummy)\b|\blie face (?:up|down)\b", re.I
)
LYING = [s for s in SPECS if LIES_ON_BACK_OR_FRONT.search(s.steps[0])]


@pytest.mark.parametrize(
    ("first_step", "lying"),
    [
        ("Lie on your back with your knees bent and your feet flat.", True),
        ("Lie on your front, elbows under your shoulders and toes tucked under.", True),
        ("Lie flat on your back, arms by your sides.", True),
        ("Lie face down on a mat.", True),
        ("Lie on your side with your hips and knees bent.", False),
        ("Sit tall on a firm chair with both feet flat.", False),
        ("Stand with your back to a wall, heels about a foot away from it.", False),
    ],
)
def test_a_first_step_is_read_as_lying_on_the_back_or_front_only_when_it_says_so(first_step, lying):
    assert bool(LIES_ON_BACK_OR_FRONT.search(first_step)) is lying


def test_the_library_has_exercises_done_lying_on_the_back_or_front():
    assert {"glute-bridge", "dead-bug", "front-plank", "prone-back-extension"} <= {s.slug for s in LYING}
    assert "clamshell" not in {s.slug for s in LYING}  # on the side: fine in pregnancy


@pytest.mark.parametrize("spec", LYING, ids=[s.slug for s in LYING])
def test_every_exercise_done_lying_on_the_back_or_front_carries_the_pregnancy_caution(spec):
    # A plan leaves these out in pregnancy and the 6 months after a birth (the "pregnancy" flag).
    assert PREGNANCY in spec.cautions, spec.steps[0]


def test_easier_and_harder_variants_exist_and_point_back_at_each_other():
    for spec in SPECS:
        for link, back in (("easier", "harder"), ("harder", "easier")):
            other = getattr(spec, link)
            if other is None:
                continue
            assert other != spec.slug, spec.slug
            assert other in BY_SLUG, (spec.slug, link, other)
            assert getattr(BY_SLUG[other], back) == spec.slug, (spec.slug, link, other)


# --- load_exercises ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_first_load_creates_every_exercise_of_the_file_as_library_exercises():
    printed = load()
    assert printed.strip() == report_line(created=len(SPECS))
    assert Exercise.objects.count() == len(SPECS)
    assert not Exercise.objects.filter(from_library=False).exists()
    assert not Exercise.objects.filter(customised=True).exists()
    walk = Exercise.objects.get(slug="easy-walk")
    assert walk.as_spec() == BY_SLUG["easy-walk"]


@pytest.mark.django_db
def test_every_stored_exercise_matches_the_file_including_its_variants():
    load()
    stored = {e.slug: e.as_spec() for e in Exercise.objects.select_related("easier", "harder")}
    assert stored == BY_SLUG


@pytest.mark.django_db
def test_a_second_load_changes_nothing():
    load()
    before = snapshot()
    assert load().strip() == report_line(unchanged=len(SPECS))
    assert snapshot() == before  # the `updated` timestamps too


@pytest.mark.django_db
def test_a_second_load_reports_every_exercise_as_unchanged():
    load_library()
    report = load_library()
    assert (report.created, report.updated, report.kept) == ([], [], [])
    assert sorted(report.unchanged) == sorted(BY_SLUG)


def clinician_exercise(**fields) -> Exercise:
    values = {
        "slug": "towel-scrunches",
        "name": "Towel scrunches",
        "kind": builder.STRENGTH,
        "region": Exercise.Region.CALVES,
        "targets": ["tight_calves"],
        "steps": "Sit with a towel under your foot.\nScrunch it towards you with your toes.",
        "sets": 2,
        "reps": 10,
        "rest_seconds": 20,
        "minutes": 3,
        "equipment": ["chair"],
        **fields,
    }
    exercise = Exercise(**values)
    exercise.full_clean()
    exercise.save()
    return exercise


@pytest.mark.django_db
def test_an_exercise_a_clinician_added_is_kept_untouched_and_never_deleted():
    mine = clinician_exercise()
    before = Exercise.objects.filter(pk=mine.pk).values().get()
    load()
    load()
    assert Exercise.objects.filter(pk=mine.pk).values().get() == before
    assert Exercise.objects.count() == len(SPECS) + 1


@pytest.mark.django_db
def test_an_exercise_a_clinician_added_under_a_library_slug_is_kept_not_overwritten():
    mine = clinician_exercise(slug="heel-raises", name="Heel raises, our way")
    before = Exercise.objects.filter(pk=mine.pk).values().get()
    printed = load()
    assert first_line(printed) == report_line(created=len(SPECS) - 1, kept=1)
    assert "Kept: heel-raises" in printed
    assert Exercise.objects.filter(pk=mine.pk).values().get() == before


@pytest.mark.django_db
def test_a_library_exercise_a_clinician_customised_is_kept_and_reported_as_kept():
    load_library()
    Exercise.objects.filter(slug="wall-calf-stretch").update(name="Calf stretch at the wall", hold_seconds=40)
    Exercise.objects.filter(slug="wall-calf-stretch").update(customised=True)
    before = snapshot()

    report = load_library()
    assert report.kept == ["wall-calf-stretch"]
    assert (report.created, report.updated) == ([], [])
    assert snapshot() == before
    assert first_line(load()) == report_line(unchanged=len(SPECS) - 1, kept=1)


DRIFT = [
    pytest.param({"name": "Bridge"}, id="name"),
    pytest.param({"sets": 4, "reps": 15}, id="dosage"),
    pytest.param({"targets": ["weak_glutes"]}, id="targets"),
    pytest.param({"cautions": ["knee_pain"], "gentle": False}, id="safety"),
    pytest.param({"steps": "Lift your hips."}, id="steps"),
    pytest.param({"harder": None}, id="harder_variant"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("drift", DRIFT)
def test_a_library_exercise_changed_in_the_database_without_being_customised_is_restored(drift):
    load_library()
    before = snapshot()["glute-bridge"]
    Exercise.objects.filter(slug="glute-bridge").update(**drift)

    report = load_library()
    assert report.updated == ["glute-bridge"]
    assert len(report.unchanged) == len(SPECS) - 1
    restored = Exercise.objects.select_related("easier", "harder").get(slug="glute-bridge")
    assert restored.as_spec() == BY_SLUG["glute-bridge"]
    assert {k: v for k, v in snapshot()["glute-bridge"].items() if k != "updated"} == {
        k: v for k, v in before.items() if k != "updated"
    }


@pytest.mark.django_db
def test_variants_are_linked_by_slug():
    load()
    linked = Exercise.objects.select_related("easier", "harder")
    links = {(e.slug, e.easier.slug if e.easier else None, e.harder.slug if e.harder else None) for e in linked}
    assert links == {(s.slug, s.easier, s.harder) for s in SPECS}
    bridge = Exercise.objects.get(slug="glute-bridge")
    assert bridge.harder.slug == "single-leg-glute-bridge"
    assert bridge.harder.easier == bridge


# --- load_exercises: a broken file -----------------------------------------------------------


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(value)  # strings and whole numbers are written alike


def toml(exercises: list[dict]) -> str:
    """The exercises as a library file; a None value leaves its key out."""
    return "\n".join(
        "[[exercise]]\n"
        + "".join(f"{key} = {toml_value(value)}\n" for key, value in entry.items() if value is not None)
        for entry in exercises
    )


STRETCH = {
    "slug": "test-calf-stretch",
    "name": "Test calf stretch",
    "kind": "stretch",
    "region": "calves",
    "targets": ["tight_calves"],
    "equipment": ["wall"],
    "sets": 2,
    "hold_seconds": 25,
    "per_side": True,
    "rest_seconds": 15,
    "minutes": 3,
    "steps": ["Face a wall.", "Lean in with the back heel down."],
    "cues": ["A stretch in the calf."],
    "harder": "test-heel-raises",
}
STRENGTH = {
    "slug": "test-heel-raises",
    "name": "Test heel raises",
    "kind": "strength",
    "region": "calves",
    "targets": ["tight_calves"],
    "equipment": ["wall"],
    "sets": 2,
    "reps": 12,
    "minutes": 3,
    "steps": ["Rise onto your toes.", "Lower slowly."],
    "easier": "test-calf-stretch",
}
VALID = [STRETCH, STRENGTH]
NEW = {**STRENGTH, "slug": "test-toe-raises", "name": "Test toe raises", "easier": None}

BROKEN = [
    pytest.param(
        {**STRETCH, "slug": "broken", "targets": ["tight_everything"], "harder": None},
        "broken: targets: Unknown imbalance codes: tight_everything.",
        id="unknown_imbalance_code",
    ),
    pytest.param(
        {**STRETCH, "slug": "broken", "hold_seconds": 200, "harder": None},
        "broken: hold_seconds: For a stretch exercise this must be from 15 to 60.",
        id="stretch_hold_200_s",
    ),
    pytest.param(
        {**STRENGTH, "slug": "broken", "sets": 9, "easier": None},
        "broken: sets: For a strength exercise this must be from 1 to 5.",
        id="nine_sets",
    ),
    pytest.param(
        {**STRENGTH, "slug": "broken", "hold_seconds": 20, "easier": None},
        "broken: hold_seconds: Give either repetitions or a hold time, not both.",
        id="reps_and_hold",
    ),
    pytest.param(
        {**STRENGTH, "slug": "broken", "cautions": ["handstand"], "easier": None},
        "broken: cautions: Unknown caution tags: handstand.",
        id="unknown_caution",
    ),
    pytest.param(
        {**STRENGTH, "name": "Heel raises again", "easier": None},
        "(test-heel-raises): the slug is used twice",
        id="duplicate_slug",
    ),
    pytest.param(
        {**STRENGTH, "slug": "broken", "easier": "nowhere"},
        "broken: its easier variant 'nowhere' is not in the file",
        id="link_to_a_missing_slug",
    ),
    pytest.param(
        {**STRENGTH, "slug": "broken", "colour": "red", "easier": None},
        "(broken): unknown keys colour",
        id="unknown_key",
    ),
]


@pytest.fixture
def small_library(tmp_path):
    """A valid two-exercise file, loaded."""
    path = tmp_path / "valid.toml"
    path.write_text(toml(VALID), encoding="utf-8")
    assert load(path).strip() == report_line(created=2)
    return path


@pytest.mark.django_db
@pytest.mark.parametrize(("broken", "message"), BROKEN)
def test_a_broken_file_fails_with_status_2_names_the_problem_and_changes_nothing(
    broken, message, small_library, tmp_path
):
    before = snapshot()
    # A valid change and a valid new exercise come before the broken one: neither is stored.
    path = tmp_path / "broken.toml"
    path.write_text(toml([{**STRETCH, "name": "Renamed", "hold_seconds": 30}, STRENGTH, NEW, broken]), "utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("load_exercises", "--file", str(path), stdout=out)
    assert caught.value.returncode == 2
    assert "the exercise library was not loaded (nothing changed)" in str(caught.value)
    assert message in str(caught.value)
    assert out.getvalue() == ""
    assert snapshot() == before


@pytest.mark.django_db
def test_a_broken_file_into_an_empty_database_creates_nothing(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text(toml([*VALID, {**STRETCH, "slug": "broken", "hold_seconds": 200, "harder": None}]), "utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("load_exercises", "--file", str(path), stdout=io.StringIO())
    assert caught.value.returncode == 2
    assert "broken: hold_seconds" in str(caught.value)
    assert Exercise.objects.count() == 0


@pytest.mark.django_db
def test_a_file_that_is_not_toml_fails_with_status_2_naming_the_file(small_library, tmp_path):
    before = snapshot()
    path = tmp_path / "garbled.toml"
    path.write_text(toml(VALID) + '\n[[exercise]]\nslug = "unterminated\n', encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("load_exercises", "--file", str(path), stdout=io.StringIO())
    assert caught.value.returncode == 2
    assert f"{path} is not valid TOML" in str(caught.value)
    assert snapshot() == before


@pytest.mark.django_db
def test_every_problem_of_a_broken_file_is_listed_one_per_line(tmp_path):
    path = tmp_path / "broken.toml"
    entries = [*VALID, {**NEW, "colour": "red"}, {**NEW, "slug": "other", "harder": "nowhere"}]
    path.write_text(toml(entries), encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("load_exercises", "--file", str(path), stdout=io.StringIO())
    lines = str(caught.value).splitlines()
    assert lines[0] == "the exercise library was not loaded (nothing changed):"
    assert "  exercise 3 (test-toe-raises): unknown keys colour" in lines
    assert "  other: its harder variant 'nowhere' is not in the file" in lines


# --- load_exercises in real processes --------------------------------------------------------


@pytest.fixture(scope="module")
def process_env(tmp_path_factory):
    """Settings for manage.py on a migrated SQLite file of its own."""
    database = tmp_path_factory.mktemp("db") / "db.sqlite3"
    env = {"SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{database}"}
    done = run_manage("migrate", "--noinput", env=env)
    assert done.returncode == 0, done.stderr
    return env


def test_load_exercises_in_a_real_process_exits_0_and_prints_the_report_twice_over(process_env):
    first = run_manage("load_exercises", env=process_env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == report_line(created=len(SPECS))
    again = run_manage("load_exercises", "--file", str(LIBRARY_FILE), env=process_env)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == report_line(unchanged=len(SPECS))


def test_load_exercises_in_a_real_process_exits_2_on_a_broken_file(process_env, tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text(toml([{**STRETCH, "hold_seconds": 200, "harder": None}]), encoding="utf-8")
    done = run_manage("load_exercises", "--file", str(path), env=process_env)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "test-calf-stretch: hold_seconds: For a stretch exercise this must be from 15 to 60." in done.stderr
    assert "Traceback" not in done.stderr


# --- The admin ------------------------------------------------------------------------------

CHANGELIST = reverse("admin:programs_exercise_changelist")
ADD = reverse("admin:programs_exercise_add")


def change_url(exercise: Exercise) -> str:
    return reverse("admin:programs_exercise_change", args=[exercise.pk])


@pytest.fixture
def library(db):
    load_library()


@pytest.fixture
def clinician(client, django_user_model):
    # No password: hashing one is slow, and the test client logs in without it.
    user = django_user_model.objects.create_superuser("clinician", "clinician@example.com", None)
    client.force_login(user)
    return client


def form_data(exercise: Exercise, **changes) -> dict:
    """The change form as the admin shows it for `exercise`, with `changes` made (False unticks)."""
    data = {
        "name": exercise.name,
        "slug": exercise.slug,
        "kind": exercise.kind,
        "region": exercise.region,
        "targets": list(exercise.targets),
        "equipment": list(exercise.equipment),
        "steps": exercise.steps,
        "cues": exercise.cues,
        "mistakes": exercise.mistakes,
        "sets": exercise.sets,
        "reps": exercise.reps,
        "hold_seconds": exercise.hold_seconds,
        "per_side": exercise.per_side,
        "rest_seconds": exercise.rest_seconds,
        "minutes": exercise.minutes,
        "easier": exercise.easier_id,
        "harder": exercise.harder_id,
        "cautions": list(exercise.cautions),
        "gentle": exercise.gentle,
        "warm_up": exercise.warm_up,
        "customised": exercise.customised,
        **changes,
    }
    posted = {}
    for key, value in data.items():
        if value is False:
            continue  # an unticked box is not sent
        posted[key] = "on" if value is True else ("" if value is None else value)
    return {**posted, "_save": "Save"}


def test_the_exercise_changelist_lists_the_library_and_where_each_exercise_came_from(clinician, library):
    response = clinician.get(CHANGELIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Easy walk" in html
    assert "Library file" in html
    assert f"{len(SPECS)} exercises" in html


@pytest.mark.parametrize("added", [0, 120])
def test_the_exercise_changelist_uses_a_bounded_number_of_queries(
    clinician, library, added, django_assert_max_num_queries
):
    Exercise.objects.bulk_create(
        Exercise(
            slug=f"extra-{n}", name=f"Extra {n}", kind="stretch", region="hips", targets=["tight_hip_flexors"],
            steps="Stretch.", sets=2, hold_seconds=20, minutes=2,
            easier=Exercise.objects.get(slug="standing-hip-flexor-stretch"),
        )
        for n in range(added)
    )  # fmt: skip
    with django_assert_max_num_queries(12):
        response = clinician.get(CHANGELIST)
    assert response.status_code == 200
    with django_assert_max_num_queries(12):
        response = clinician.get(CHANGELIST, {"kind__exact": "stretch", "q": "stretch"})
    assert response.status_code == 200


@pytest.mark.parametrize("slug", ["easy-walk", "glute-bridge", "half-kneeling-hip-flexor-stretch", "front-plank"])
def test_the_change_page_of_a_library_exercise_loads(clinician, library, slug):
    exercise = Exercise.objects.get(slug=slug)
    response = clinician.get(change_url(exercise))
    assert response.status_code == 200
    assert exercise.name in response.content.decode()


def test_the_add_page_loads(clinician, library):
    assert clinician.get(ADD).status_code == 200


def test_the_change_form_shows_the_stored_values_that_form_data_posts(clinician, library):
    exercise = Exercise.objects.get(slug="front-plank")
    form = clinician.get(change_url(exercise)).context["adminform"].form
    posted = form_data(exercise)
    for name in ("name", "kind", "targets", "equipment", "cautions", "sets", "hold_seconds", "easier", "harder"):
        initial = form.initial[name]
        if isinstance(initial, list):
            assert initial == posted[name], name
        else:
            assert str(initial) == str(posted[name]), name


BAD_DOSAGE = [
    pytest.param("wall-calf-stretch", {"hold_seconds": 200}, "hold_seconds", id="stretch_hold_200_s"),
    pytest.param("wall-calf-stretch", {"sets": 9}, "sets", id="nine_sets"),
    pytest.param("wall-calf-stretch", {"hold_seconds": None}, "hold_seconds", id="stretch_without_hold"),
    pytest.param("wall-calf-stretch", {"reps": 10}, "reps", id="stretch_with_reps"),
    pytest.param("glute-bridge", {"hold_seconds": 20}, "hold_seconds", id="reps_and_hold"),
    pytest.param("glute-bridge", {"reps": None}, "reps", id="neither_reps_nor_hold"),
    pytest.param("easy-walk", {"minutes": 120}, "minutes", id="walk_of_two_hours"),
    pytest.param("glute-bridge", {"rest_seconds": 600}, "rest_seconds", id="ten_minutes_rest"),
]


@pytest.mark.parametrize(("slug", "changes", "field"), BAD_DOSAGE)
def test_saving_a_dosage_out_of_range_shows_the_error_and_changes_nothing(clinician, library, slug, changes, field):
    exercise = Exercise.objects.get(slug=slug)
    before = snapshot()
    response = clinician.post(change_url(exercise), form_data(exercise, name="Edited", **changes))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert field in errors, errors
    assert "Please correct the error" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("field", "value"), [("targets", "tight_everything"), ("cautions", "handstand"), ("equipment", "kettlebell")]
)
def test_unknown_codes_cannot_be_submitted_in_the_admin(clinician, library, field, value):
    exercise = Exercise.objects.get(slug="glute-bridge")
    before = snapshot()
    data = form_data(exercise)
    data[field] = [*data[field], value]
    response = clinician.post(change_url(exercise), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert f"Select a valid choice. {value} is not one of the available choices." in errors[field]
    assert snapshot() == before


def test_the_admin_offers_exactly_the_catalogue_imbalances_and_caution_flags(clinician, library):
    form = clinician.get(ADD).context["adminform"].form
    assert [code for code, _ in form.fields["targets"].choices] == CODES
    assert [code for code, _ in form.fields["cautions"].choices] == list(CAUTION_WORDS)


def test_a_valid_edit_of_a_library_exercise_is_saved_marked_customised_and_kept_by_the_loader(clinician, library):
    exercise = Exercise.objects.get(slug="wall-calf-stretch")
    data = form_data(exercise, hold_seconds=30, cues=exercise.cues + "\nBreathe out as you lean in.")
    response = clinician.post(change_url(exercise), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    saved = Exercise.objects.get(pk=exercise.pk)
    assert (saved.hold_seconds, saved.customised, saved.from_library) == (30, True, True)
    assert saved.cues.endswith("Breathe out as you lean in.")

    assert first_line(load()) == report_line(unchanged=len(SPECS) - 1, kept=1)
    assert Exercise.objects.get(pk=exercise.pk).hold_seconds == 30


def test_saving_a_library_exercise_unchanged_does_not_mark_it_customised(clinician, library):
    exercise = Exercise.objects.get(slug="glute-bridge")
    response = clinician.post(change_url(exercise), form_data(exercise))
    assert response.status_code == 302
    assert Exercise.objects.get(pk=exercise.pk).customised is False


def test_saving_a_library_exercise_unchanged_from_a_browser_does_not_mark_it_customised(clinician, library):
    exercise = Exercise.objects.get(slug="glute-bridge")
    crlf = {name: getattr(exercise, name).replace("\n", "\r\n") for name in ("steps", "cues", "mistakes")}
    response = clinician.post(change_url(exercise), form_data(exercise, **crlf))
    assert response.status_code == 302
    saved = Exercise.objects.get(pk=exercise.pk)
    assert saved.customised is False
    assert "\r" not in saved.steps


def test_unticking_customised_hands_the_exercise_back_to_the_library(clinician, library):
    exercise = Exercise.objects.get(slug="wall-calf-stretch")
    clinician.post(change_url(exercise), form_data(exercise, hold_seconds=40))
    exercise.refresh_from_db()
    assert (exercise.hold_seconds, exercise.customised) == (40, True)

    response = clinician.post(change_url(exercise), form_data(exercise, customised=False))
    assert response.status_code == 302
    assert Exercise.objects.get(pk=exercise.pk).customised is False
    assert load().strip() == report_line(updated=1, unchanged=len(SPECS) - 1)
    assert Exercise.objects.get(pk=exercise.pk).hold_seconds == BY_SLUG["wall-calf-stretch"].hold_seconds


def test_a_clinician_adds_an_exercise_in_the_admin_and_the_loader_keeps_it(clinician, library):
    bridge = Exercise.objects.get(slug="glute-bridge")
    new = Exercise(
        slug="towel-scrunches", name="Towel scrunches", kind="strength", region="calves", targets=["tight_calves"],
        equipment=["chair"], steps="Sit with a towel under your foot.\nScrunch it towards you with your toes.",
        sets=2, reps=10, rest_seconds=20, minutes=3, easier=bridge,
    )  # fmt: skip
    response = clinician.post(ADD, form_data(new))
    assert response.status_code == 302, response.context["adminform"].form.errors
    added = Exercise.objects.get(slug="towel-scrunches")
    assert (added.from_library, added.customised) == (False, False)
    assert added.easier == bridge
    before = Exercise.objects.filter(pk=added.pk).values().get()

    assert load().strip() == report_line(unchanged=len(SPECS))
    assert Exercise.objects.filter(pk=added.pk).values().get() == before
    assert "Added in the admin" in clinician.get(CHANGELIST).content.decode()


def test_an_exercise_added_without_equipment_is_stored_as_needing_none(clinician, library):
    new = Exercise(slug="standing-reach", name="Standing reach", kind="mobility", region="upper_back",
                   steps="Reach up.", sets=2, reps=8, rest_seconds=0, minutes=2)  # fmt: skip
    response = clinician.post(ADD, form_data(new))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Exercise.objects.get(slug="standing-reach").equipment == ["none"]


def test_an_exercise_added_in_the_admin_with_a_bad_dosage_is_not_stored(clinician, library):
    new = Exercise(slug="long-hold", name="Long hold", kind="stretch", region="hips", steps="Hold.",
                   sets=2, hold_seconds=200, minutes=3)  # fmt: skip
    response = clinician.post(ADD, form_data(new))
    assert response.status_code == 200
    assert "hold_seconds" in response.context["adminform"].form.errors
    assert not Exercise.objects.filter(slug="long-hold").exists()


# --- Illustrations ---------------------------------------------------------------------------

ILLUSTRATIONS = Path(__file__).resolve().parent.parent / "static" / "img" / "exercises"


@pytest.mark.parametrize("slug", [row["slug"] for row in read_library()])
def test_every_library_exercise_has_a_plain_decorative_drawing(slug):
    import xml.etree.ElementTree as ET

    path = ILLUSTRATIONS / f"{slug}.svg"
    text = path.read_text(encoding="utf-8")
    root = ET.fromstring(text)  # noqa: S314 - our own files in the repo
    assert root.tag.endswith("svg") and root.get("aria-hidden") == "true"
    # Nothing that could run, fetch or style from outside: a plain drawing under the CSP.
    for forbidden in ("<script", "<style", "style=", "href", "<text", "<image"):
        assert forbidden not in text, forbidden
    assert len(text.encode()) < 4096
