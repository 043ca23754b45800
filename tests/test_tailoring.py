"""A clinician tailors a runner's plan from the review page, and the runner sees it: leave out,
add (a cautioned exercise only with a reason), dosage within the library's limits, pause, a note.
Every change is on record; the builder's safety rules still hold; other clinics cannot."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from fhir.resources.bundle import Bundle

from assessments.models import Assessment
from clinics.models import Clinic
from programs import builder
from programs.models import Exercise, PlanAdjustment, library_specs, program_for
from tests.personas import check_in_data, clinician_of, runner_with, stored_assessment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def library(db):
    call_command("load_exercises", stdout=io.StringIO())


@pytest.fixture
def clinic():
    return Clinic.objects.create(name="Riverside Physio")


@pytest.fixture
def dana(client, clinic):
    user = clinician_of("dana", clinic)
    client.force_login(user)
    return user


def runner(clinic, **answers):
    return stored_assessment(runner_with(**answers), clinic=clinic)


def tailor_url(assessment):
    return reverse("admin:assessments_assessment_tailor", args=[assessment.pk])


def plan_of(assessment):
    assessment = Assessment.objects.get(pk=assessment.pk)
    return program_for(assessment, list(assessment.check_ins.all()), library_specs(None, assessment.clinic_id))


def slugs_today(program) -> list[str]:
    return [e.slug for e in program.today.warm_up + program.today.exercises]


def routine_slugs(program) -> set[str]:
    """The exercises of every day of the plan."""
    return {e.slug for d in program.days for e in d.warm_up + d.exercises}


def tailor(client, assessment, **data):
    return client.post(tailor_url(assessment), data)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- who may -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, status", [("clinician", 200), ("superuser", 200), ("other clinic", 404), ("runner", 302)]
)
def test_only_the_runners_clinic_and_superusers_open_the_tailoring_page(client, clinic, who, status):
    sam = runner(clinic)
    if who == "clinician":
        client.force_login(clinician_of("dana", clinic))
    elif who == "superuser":
        client.force_login(User.objects.create_superuser("root", password="a-long-passphrase-x"))
    elif who == "other clinic":
        client.force_login(clinician_of("eli", Clinic.objects.create(name="Hilltop")))
    response = client.get(tailor_url(sam))
    assert response.status_code == status
    if who == "other clinic":  # nor change anything by posting
        assert tailor(client, sam, action="pause").status_code == 404
        assert not PlanAdjustment.objects.exists()


def test_a_runner_without_a_clinic_or_with_an_emergency_has_no_plan_to_tailor(client):
    client.force_login(User.objects.create_superuser("root", password="a-long-passphrase-x"))
    for assessment, words in (
        (stored_assessment(runner_with(nickname="Solo")), "home page"),
        (runner(Clinic.objects.create(name="C"), saddle_numbness=True, nickname="Em"), "emergency"),
    ):
        page = client.get(tailor_url(assessment)).content.decode()
        assert words in page and "Add to the plan" not in page
        response = tailor(client, assessment, action="pause")
        assert response.status_code == 400 and words in response.content.decode()
    assert not PlanAdjustment.objects.exists()


# --- each change -----------------------------------------------------------------------------------


def test_leaving_an_exercise_out_takes_it_off_every_day_and_the_plan_chooses_another(client, dana, clinic):
    sam = runner(clinic)
    before = plan_of(sam)
    gone = before.today.exercises[0]
    response = tailor(client, sam, action="leave_out", exercise=gone.slug)
    assert response.status_code == 302
    after = plan_of(sam)
    assert gone.slug not in routine_slugs(after)
    assert len(after.today.exercises) >= builder.MIN_EXERCISES
    adjustment = PlanAdjustment.objects.get()
    assert (adjustment.username, adjustment.action, adjustment.exercise) == ("dana", "leave_out", gone.slug)
    # ...and back again: the builder's own choice.
    tailor(client, sam, action="put_back", exercise=gone.slug)
    assert slugs_today(plan_of(sam)) == slugs_today(before)


def test_an_exercise_is_added_to_the_routine_and_says_who_added_it(client, dana, clinic):
    sam = runner(clinic)
    assert "doorway-chest-stretch" not in routine_slugs(plan_of(sam))
    tailor(client, sam, action="add", exercise="doorway-chest-stretch")
    today = plan_of(sam).today
    added = next(e for e in today.exercises if e.slug == "doorway-chest-stretch")
    assert added.why == ["added by Riverside Physio"]
    # Taking out an added exercise removes it.
    tailor(client, sam, action="leave_out", exercise="doorway-chest-stretch")
    assert "doorway-chest-stretch" not in routine_slugs(plan_of(sam))


def test_an_exercise_whose_caution_matches_the_runner_is_refused_without_a_reason(client, dana, clinic):
    kim = runner(clinic, pain_areas=["lower_back_centre", "knee"], nickname="Kim")
    assert "knee_pain" in plan_of(kim).flags
    response = tailor(client, kim, action="add", exercise="bird-dog", reason="  ")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was changed" in page and "has a caution that matches this runner" in page
    assert not PlanAdjustment.objects.exists()
    assert "bird-dog" not in routine_slugs(plan_of(kim))


def test_with_a_recorded_reason_the_cautioned_exercise_goes_in_and_the_override_is_on_record(client, dana, clinic):
    kim = runner(clinic, pain_areas=["lower_back_centre", "knee"], nickname="Kim")
    reason = "Kneels on a cushion; knee pain is patellofemoral and kneeling does not provoke it."
    assert tailor(client, kim, action="add", exercise="bird-dog", reason=reason).status_code == 302
    assert "bird-dog" in slugs_today(plan_of(kim))
    adjustment = PlanAdjustment.objects.get()
    assert adjustment.overrides == ["knee_pain"] and adjustment.reason == reason
    review = client.get(reverse("admin:assessments_assessment_change", args=[kim.pk])).content.decode()
    assert "added “Bird-dog” despite its caution" in review and "dana" in review


def test_a_flare_up_after_the_override_still_keeps_an_uncovered_caution_out(client, dana, clinic):
    sam = runner(clinic)
    tailor(client, sam, action="add", exercise="side-plank")  # cautioned for a flare-up only
    assert "side-plank" in slugs_today(plan_of(sam))
    client.logout()
    client.post(reverse("programs:check_in", args=[sam.token]), check_in_data(pain_now="8"))
    assert "side-plank" not in slugs_today(plan_of(sam))


def test_a_new_warning_sign_stops_a_tailored_plan(client, dana, clinic):
    sam = runner(clinic)
    tailor(client, sam, action="add", exercise="doorway-chest-stretch")
    tailor(client, sam, action="note", note="Keep going, see you Friday.")
    client.logout()
    client.post(
        reverse("programs:check_in", args=[sam.token]),
        check_in_data(warning_signs=["bladder_bowel"], no_warning_signs=None),
    )
    program = plan_of(sam)
    assert program.status == builder.STOPPED and program.today.exercises == []
    page = client.get(reverse("programs:program", args=[sam.token])).content.decode()
    assert "Adjusted by" not in page and "get medical help" in page


@pytest.mark.parametrize(
    "exercise, data, error",
    [
        ("glute-bridge", {"sets": "9", "reps": "10"}, "must be from 1 to 5"),
        ("glute-bridge", {"sets": "2", "reps": "60"}, "must be from 5 to 20"),
        ("glute-bridge", {"sets": "2"}, "Give the repetitions"),
        ("glute-bridge", {"sets": "2", "reps": "10", "hold_seconds": "20"}, "has no hold time"),
        ("easy-walk", {"minutes": "90"}, "must be from 5 to 60"),
        ("glute-bridge", {"sets": "two", "reps": "10"}, "Enter a whole number"),
    ],
)
def test_a_dosage_outside_the_librarys_limits_is_refused_and_kept_in_the_form(
    client, dana, clinic, exercise, data, error
):
    sam = runner(clinic)
    tailor(client, sam, action="add", exercise=exercise) if exercise not in routine_slugs(plan_of(sam)) else None
    count = PlanAdjustment.objects.count()
    response = tailor(client, sam, action="dosage", exercise=exercise, **data)
    assert response.status_code == 400
    page = response.content.decode()
    assert error in page
    assert f'value="{next(iter(data.values()))}"' in page  # what was typed is still there
    assert PlanAdjustment.objects.count() == count


def test_a_dosage_of_the_clinic_holds_every_week_and_can_be_undone(client, dana, clinic):
    sam = runner(clinic)
    if "glute-bridge" not in routine_slugs(plan_of(sam)):
        tailor(client, sam, action="add", exercise="glute-bridge")
    assert tailor(client, sam, action="dosage", exercise="glute-bridge", sets="3", reps="12").status_code == 302
    program = plan_of(sam)
    training = [d for d in program.days if d.kind == builder.TRAINING]
    dosages = {e.dosage_text for d in training for e in d.exercises if e.slug == "glute-bridge"}
    assert len(training) == 20 and dosages == {"3 sets: 12 repetitions, rest 30 s between sets"}
    # An easy day's gentle options keep the plan's own dosage where the clinic's is more.
    easy = {e.dosage_text for d in program.days if d.kind == builder.EASY for e in d.exercises}
    assert "3 sets: 12 repetitions, rest 30 s between sets" not in easy
    tailor(client, sam, action="reset_dosage", exercise="glute-bridge")
    assert not plan_of(sam).tailoring.dosages


def test_pausing_shows_the_runner_a_paused_day_and_the_queue_says_so(client, dana, clinic):
    sam = runner(clinic)
    tailor(client, sam, action="pause", reason="Awaiting the scan")
    assert plan_of(sam).today.kind == builder.PAUSED_DAY
    queue = client.get(reverse("admin:assessments_assessment_changelist")).content.decode()
    assert "Paused by the clinic" in queue
    assert tailor(client, sam, action="pause").status_code == 400  # paused already
    client.logout()
    page = client.get(reverse("programs:program", args=[sam.token])).content.decode()
    assert "Plan paused by Riverside Physio" in page and "Save my ticks" not in page
    assert "How to do each exercise" not in page  # there is none to do
    client.force_login(dana)
    tailor(client, sam, action="resume")
    assert plan_of(sam).today.kind != builder.PAUSED_DAY
    assert not Assessment.objects.get(pk=sam.pk).plan_paused


def test_the_runner_sees_adjusted_by_the_clinic_with_its_note_and_the_changes(client, dana, clinic):
    sam = runner(clinic)
    gone = plan_of(sam).today.exercises[0]
    tailor(client, sam, action="leave_out", exercise=gone.slug)
    tailor(client, sam, action="add", exercise="doorway-chest-stretch")
    tailor(client, sam, action="note", note="Open the chest after long desk days.")
    client.logout()
    for name in ("programs:program", "programs:plan", "programs:print"):
        page = client.get(reverse(name, args=[sam.token])).content.decode()
        assert "Adjusted by Riverside Physio" in page, name
        assert "Open the chest after long desk days." in page
        assert f"Left out: {gone.name}." in page and "Added: Doorway chest stretch." in page


def test_a_note_is_changed_or_removed_and_the_same_note_twice_is_refused(client, dana, clinic):
    sam = runner(clinic)
    tailor(client, sam, action="note", note="First note")
    assert tailor(client, sam, action="note", note="First note").status_code == 400
    tailor(client, sam, action="note", note="")
    assert plan_of(sam).tailoring.note == ""
    assert tailor(client, sam, action="note", note="x" * 501).status_code == 400


@pytest.mark.parametrize(
    "data",
    [
        {"action": "explode"},
        {"action": "leave_out", "exercise": "no-such-exercise"},
        {"action": "put_back", "exercise": "bird-dog"},
        {"action": "resume"},
        {"action": "reset_dosage", "exercise": "easy-walk"},
        {},
    ],
)
def test_bad_requests_get_a_message_and_change_nothing(client, dana, clinic, data):
    sam = runner(clinic)
    response = tailor(client, sam, **data)
    assert response.status_code == 400 and "Nothing was changed" in response.content.decode()
    assert not PlanAdjustment.objects.exists()


def test_a_clinics_own_exercise_can_be_added_for_its_runners_only(client, dana, clinic):
    spec = Exercise.objects.get(slug="doorway-chest-stretch")
    own = Exercise.objects.create(
        slug="riverside-wall-slide", name="Riverside wall slide", kind="mobility", region="upper_back",
        steps="Stand with your back to a wall.\nSlide your arms up.", sets=2, reps=8, minutes=3, clinic=clinic,
        equipment=["wall"], targets=spec.targets,
    )  # fmt: skip
    sam = runner(clinic)
    assert "Riverside wall slide" in client.get(tailor_url(sam)).content.decode()
    tailor(client, sam, action="add", exercise=own.slug)
    assert own.slug in slugs_today(plan_of(sam))
    other = runner(Clinic.objects.create(name="Hilltop"), nickname="Other")
    client.force_login(User.objects.create_superuser("root", password="a-long-passphrase-x"))
    response = tailor(client, other, action="add", exercise=own.slug)
    assert response.status_code == 400 and not other.adjustments.exists()


def test_every_change_is_listed_on_the_review_page_with_who_and_when(client, dana, clinic):
    sam = runner(clinic)
    tailor(client, sam, action="pause")
    tailor(client, sam, action="resume")
    tailor(client, sam, action="note", note="Hello")
    page = client.get(reverse("admin:assessments_assessment_change", args=[sam.pk])).content.decode()
    assert "Every change to the plan (3)" in page
    log = page[page.index("Every change to the plan") :]
    assert log.index("note to the runner: “Hello”") < log.index("resumed the plan") < log.index("paused the plan")
    assert f"{timezone.localtime():%-d %b %Y}" in page


def test_adjustments_survive_check_ins(client, dana, clinic):
    sam = runner(clinic)
    tailor(client, sam, action="add", exercise="doorway-chest-stretch")
    client.logout()
    client.post(reverse("programs:check_in", args=[sam.token]), check_in_data(pain_now="2"))
    assert "doorway-chest-stretch" in slugs_today(plan_of(sam))


def test_the_tailoring_page_and_the_runners_plan_keep_to_a_query_budget(
    client, dana, clinic, django_assert_max_num_queries
):
    sam = runner(clinic)
    for slug in ("doorway-chest-stretch", "standing-side-stretch"):
        tailor(client, sam, action="add", exercise=slug)
    tailor(client, sam, action="note", note="Hello")
    with django_assert_max_num_queries(14):
        assert client.get(tailor_url(sam)).status_code == 200
    with django_assert_max_num_queries(16):
        assert tailor(client, sam, action="pause").status_code == 302
    client.logout()
    with django_assert_max_num_queries(6):
        assert client.get(reverse("programs:program", args=[sam.token])).status_code == 200


# --- the exports show the clinic's adjustments ------------------------------------------------------


def export(client, action, *assessments):
    return client.post(
        reverse("admin:assessments_assessment_changelist"),
        {"action": action, "_selected_action": [a.pk for a in assessments]},
    )


def test_the_fhir_export_holds_each_plan_as_a_valid_care_plan_with_the_clinics_adjustments(client, dana, clinic):
    kim = runner(clinic, pain_areas=["lower_back_centre", "knee"], nickname="Kim")
    gone = plan_of(kim).today.exercises[0]
    tailor(client, kim, action="leave_out", exercise=gone.slug)
    tailor(client, kim, action="add", exercise="bird-dog", reason="Kneels on a cushion.")
    assert tailor(client, kim, action="dosage", exercise="bird-dog", sets="2", hold_seconds="15").status_code == 302
    tailor(client, kim, action="note", note="Little and often.")
    tailor(client, kim, action="pause")
    plain = runner(clinic, nickname="Plain")
    emergency = runner(clinic, nickname="Em", saddle_numbness=True)
    response = export(client, "export_fhir", kim, plain, emergency)
    text = b"".join(response.streaming_content).decode()
    bundle = Bundle.parse_raw(text)  # valid FHIR R4
    plans = {e.resource.identifier[0].value: e.resource for e in bundle.entry if e.resource.resource_type == "CarePlan"}
    assert set(plans) == {kim.reference, plain.reference}  # no plan after an emergency result
    plan = plans[kim.reference]
    assert plan.status == "on-hold" and plan.intent == "plan"
    assert plan.note[0].text == "Note to the runner from Riverside Physio: Little and often."
    activities = [a.detail for a in plan.activity]
    assert [(d.code.text, d.status, bool(d.doNotPerform)) for d in activities] == [
        (gone.name, "on-hold", True),  # the plan is paused
        ("Bird-dog", "on-hold", False),
        ("Bird-dog", "on-hold", False),
    ]
    assert "despite its caution (not with knee pain" in activities[1].description
    assert "2 sets: hold 15 s" in activities[2].description
    responses = {e.fullUrl for e in bundle.entry if e.resource.resource_type == "QuestionnaireResponse"}
    assert plan.supportingInfo[0].reference in responses
    assert plans[plain.reference].status == "active" and not plans[plain.reference].activity


def test_the_csv_says_whether_the_clinic_paused_and_how_often_it_changed_the_plan(client, dana, clinic):
    sam = runner(clinic)
    tailor(client, sam, action="note", note="Hi")
    tailor(client, sam, action="pause")
    rows = list(
        csv.DictReader(io.StringIO(b"".join(export(client, "export_csv", sam).streaming_content).decode("utf-8-sig")))
    )
    assert rows[0]["Plan paused by the clinic"] == "yes"
    assert rows[0]["Changes to the plan by the clinic"] == "2"


def test_the_runners_download_lists_the_clinics_changes_without_its_reasons(client, dana, clinic):
    kim = runner(clinic, pain_areas=["lower_back_centre", "knee"], nickname="Kim")
    tailor(client, kim, action="add", exercise="bird-dog", reason="Private clinical reasoning.")
    client.logout()
    data = client.get(reverse("programs:my_data", kwargs={"token": kim.token})).json()
    assert data["plan_changes_by_your_clinic"] == [
        {"day": timezone.localdate().isoformat(), "change": "added “Bird-dog”"}
    ]
    assert "Private clinical reasoning" not in str(data)


def test_an_exercise_given_a_dosage_then_left_out_is_exported_as_left_out_only(client, dana, clinic):
    sam = runner(clinic)
    tailor(client, sam, action="add", exercise="doorway-chest-stretch")
    tailor(client, sam, action="dosage", exercise="doorway-chest-stretch", sets="3", hold_seconds="30")
    tailor(client, sam, action="leave_out", exercise="doorway-chest-stretch")
    text = b"".join(export(client, "export_fhir", sam).streaming_content).decode()
    plan = next(e.resource for e in Bundle.parse_raw(text).entry if e.resource.resource_type == "CarePlan")
    assert [(d.detail.code.text, d.detail.status, d.detail.doNotPerform) for d in plan.activity] == [
        ("Doorway chest stretch", "in-progress", True)
    ]
    assert "doorway-chest-stretch" not in routine_slugs(plan_of(sam))


# --- what a second look found ----------------------------------------------------------------------


def test_a_flare_up_is_never_overridden_the_exercise_waits_for_it_to_pass(client, dana, clinic):
    sam = runner(clinic)
    client.logout()
    client.post(reverse("programs:check_in", args=[sam.token]), check_in_data(pain_now="8"))  # a flare-up today
    client.force_login(dana)
    assert "acute_flare" in plan_of(sam).flags
    response = tailor(client, sam, action="add", exercise="side-plank", reason="Strong core, I checked it.")
    assert response.status_code == 302
    assert PlanAdjustment.objects.get().overrides == []  # the reason covers no flare-up
    assert "side-plank" not in slugs_today(plan_of(sam))
    assert "waits until the runner's flare-up passes" in " ".join(messages_of(client.get(tailor_url(sam))))


def test_leaving_an_exercise_out_does_not_bring_its_harder_version_in_on_day_1(client, dana, clinic):
    sam = runner(clinic)
    before = plan_of(sam)
    chained = [e.slug for e in before.today.exercises if e.slug in ("glute-bridge", "standing-hip-flexor-stretch")]
    assert chained  # exercises with a harder version, in day 1's routine
    for slug in chained:
        tailor(client, sam, action="leave_out", exercise=slug)
    today = slugs_today(plan_of(sam))
    assert "single-leg-glute-bridge" not in today and "half-kneeling-hip-flexor-stretch" not in today


def test_an_exercise_left_out_then_added_then_taken_out_stays_out(client, dana, clinic):
    sam = runner(clinic)
    slug = plan_of(sam).today.exercises[0].slug
    tailor(client, sam, action="leave_out", exercise=slug)
    assert tailor(client, sam, action="add", exercise=slug).status_code == 400  # put it back instead
    tailor(client, sam, action="put_back", exercise=slug)
    tailor(client, sam, action="leave_out", exercise=slug)
    assert slug not in routine_slugs(plan_of(sam))


def test_a_paused_plans_exercises_can_still_be_left_out_or_dosed(client, dana, clinic):
    sam = runner(clinic)
    slug = plan_of(sam).today.exercises[0].slug
    tailor(client, sam, action="pause")
    assert tailor(client, sam, action="leave_out", exercise=slug).status_code == 302
    tailor(client, sam, action="resume")
    assert slug not in routine_slugs(plan_of(sam))


def test_a_clinician_who_may_only_view_sees_no_tailoring_link_and_cannot_tailor(client, clinic):
    viewer = User.objects.create_user("vic", password="a-long-passphrase-x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_assessment"))
    clinic.clinicians.add(viewer)
    client.force_login(viewer)
    sam = runner(clinic)
    page = client.get(reverse("admin:assessments_assessment_change", args=[sam.pk])).content.decode()
    assert "Tailor the plan" not in page
    assert tailor(client, sam, action="pause").status_code == 403
    assert not PlanAdjustment.objects.exists()


def test_an_exercises_slug_cannot_be_changed_once_made_so_plan_changes_keep_naming_it(client, dana, clinic):
    own = Exercise.objects.create(
        slug="riverside-wall-slide", name="Riverside wall slide", kind="mobility", region="upper_back",
        steps="Stand with your back to a wall.", sets=2, reps=8, minutes=3, clinic=clinic, equipment=["wall"],
    )  # fmt: skip
    page = client.get(reverse("admin:programs_exercise_change", args=[own.pk])).content.decode()
    assert 'name="slug"' not in page and "riverside-wall-slide" in page
    assert 'name="slug"' in client.get(reverse("admin:programs_exercise_add")).content.decode()
