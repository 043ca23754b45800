"""The `seed_demo` command: made-up assessments and check-ins for measuring the admin at scale."""

import io
import json
from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from assessments import questionnaire as qn
from assessments.answers import PAIN_ONLY_SIGNS, asked_answers, has_emergency_sign, validate_answers
from assessments.models import Assessment
from assessments.scoring import EMERGENCY, ROUTINE, SELF_CARE, URGENT, score_answers
from clinics.models import Clinic
from programs.models import CheckIn
from review.management.commands.seed_demo import DemoRunners
from tests.processes import run_manage

pytestmark = pytest.mark.django_db

DEMO_CLINICS = {"Demo clinic 1", "Demo clinic 2", "Demo clinic 3"}
# The sections a runner who comes to prevent back pain is not asked.
PAIN_SECTIONS = {qn.PAIN_SECTION.code, qn.MORE_PAIN.code, qn.OUTLOOK.code}
AFTER_WARNING = {qn.WEEK.code, *PAIN_SECTIONS, qn.SELF_TESTS.code}


@pytest.fixture(autouse=True)
def _debug_on(settings):
    settings.DEBUG = True  # the command refuses to run without it (tested below)


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def as_json(data):
    """What a JSONField gives back for `data`."""
    return json.loads(json.dumps(data))


# --- what it creates ------------------------------------------------------------------


def test_it_creates_as_many_assessments_as_asked():
    output = seed(assessments=40, seed=1)

    assert Assessment.objects.count() == 40
    assert "Created 40 assessments" in output


def test_every_stored_result_is_what_the_engine_says_for_the_stored_answers():
    seed(assessments=300, seed=1)

    for assessment in Assessment.objects.all():
        clean = validate_answers(assessment.answers)
        assert clean == assessment.answers  # stored as validated
        assert assessment.result == as_json(score_answers(clean).as_dict())
        # Pain at the start: none on the prevention path, unknown after an emergency sign.
        pain_now = clean.get("pain_now", 0 if clean["reason"] == qn.PREVENTION else None)
        assert (assessment.tier, assessment.pain_now) == (assessment.result["tier"], pain_now)
        assert assessment.nickname == clean.get("nickname", "")
        assert assessment.submission_key is None


def test_a_fixed_seed_gives_a_mix_of_tiers_mostly_self_care_and_some_rest_days():
    seed(assessments=300, seed=1)

    tiers = Counter(Assessment.objects.values_list("tier", flat=True))
    assert {URGENT, ROUTINE, SELF_CARE} <= set(tiers)
    assert tiers[SELF_CARE] > 0.6 * 300
    assert 0.05 * 300 < tiers[ROUTINE] < 0.3 * 300
    assert tiers[EMERGENCY] < 0.03 * 300  # rare
    assert 0 < Assessment.objects.filter(rest_day=True).count() < 300


def test_prevention_runners_appear_and_have_no_pain_answers():
    seed(assessments=300, seed=1)

    prevention = list(Assessment.objects.filter(answers__reason=qn.PREVENTION))
    assert 0.04 * 300 < len(prevention) < 0.2 * 300
    for assessment in prevention:
        answered = set(assessment.answers)
        assert not {qn.SECTION_OF[code] for code in answered} & PAIN_SECTIONS
        assert not answered & set(PAIN_ONLY_SIGNS)
        assert assessment.pain_now == 0
        assert assessment.result["prevention"] is True
    pain = Assessment.objects.filter(answers__reason=qn.PAIN).exclude(tier=EMERGENCY)
    assert all("pain_now" in a.answers for a in pain)


def test_the_generator_answers_pass_validation_without_redraws_in_every_profile():
    runners = DemoRunners(seed=5)
    profiles = Counter()
    for _ in range(1500):
        answers, profile = runners.answers()
        assert validate_answers(answers) == answers  # raises AnswerError if not valid
        profiles[profile] += 1

    assert set(profiles) == {EMERGENCY, URGENT, ROUTINE, "usual"}


def test_the_generator_answers_only_the_questions_asked_with_realistic_shares():
    runners = DemoRunners(seed=6)
    count = 4000
    sets = [runners.answers()[0] for _ in range(count)]
    shares = Counter()
    for answers in sets:
        assert asked_answers(answers) == answers  # no answer to a question the web form would not ask
        assert answers["age_band"] != qn.UNDER_18
        shares["prevention"] += answers["reason"] == qn.PREVENTION
        shares["pregnancy"] += answers.get("pregnancy") in (qn.PREGNANT, qn.AFTER_BIRTH)
        shares["pregnancy answered"] += "pregnancy" in answers
        shares["over_12w"] += answers.get("pain_duration") == "over_12w"
        shares["began early"] += answers.get("pain_began_age") == "under_35"
        if "pain_began_age" in answers:
            assert answers["pain_duration"] == "over_12w"
        if has_emergency_sign(answers):
            shares["emergency"] += 1
            # An emergency sign ends the questionnaire: nothing after the warning signs.
            assert not {qn.SECTION_OF[code] for code in answers} & AFTER_WARNING
    share = {name: n / count for name, n in shares.items()}

    assert 0.07 < share["prevention"] < 0.13
    assert 0.015 < share["pregnancy"] < 0.05
    assert share["pregnancy answered"] == 1  # asked of everyone
    assert 0.1 < share["over_12w"] < 0.2
    assert 0 < share["began early"] < share["over_12w"]
    assert 0 < share["emergency"] < 0.02


def test_some_runners_have_no_clinic_and_the_rest_belong_to_the_demo_clinics():
    seed(assessments=300, seed=2)

    without = Assessment.objects.filter(clinic=None).count()
    assert 0.05 * 300 < without < 0.3 * 300
    used = set(Assessment.objects.exclude(clinic=None).values_list("clinic__name", flat=True))
    assert used == DEMO_CLINICS
    assert set(Clinic.objects.values_list("name", flat=True)) == DEMO_CLINICS


def test_the_share_without_a_clinic_and_the_number_of_clinics_can_be_chosen():
    seed(assessments=30, seed=3, clinics=1, no_clinic_share=0)

    assert not Assessment.objects.filter(clinic=None).exists()
    assert set(Assessment.objects.values_list("clinic__name", flat=True)) == {"Demo clinic 1"}


def test_created_dates_spread_over_the_last_180_days():
    before = timezone.now()
    seed(assessments=300, seed=3)

    dates = list(Assessment.objects.values_list("created", flat=True))
    assert all(before - timedelta(days=180) <= created <= timezone.now() for created in dates)
    assert min(dates) < before - timedelta(days=120)
    assert max(dates) > before - timedelta(days=3)
    # Oldest first: primary keys grow with the creation time, as in real life.
    by_pk = list(Assessment.objects.order_by("pk").values_list("created", flat=True))
    assert by_pk == sorted(by_pk)


def test_check_ins_stay_between_the_assessment_day_and_today_one_a_day():
    seed(assessments=300, seed=4)
    today = timezone.localdate()

    check_ins = list(CheckIn.objects.select_related("assessment"))
    assert check_ins
    for check_in in check_ins:
        assert timezone.localdate(check_in.assessment.created) <= check_in.day <= today
        assert 0 <= check_in.pain_now <= 10
        assert (check_in.distance is None) == (check_in.run == CheckIn.RunPain.NO_RUN)
        assert check_in.routine_done in CheckIn.Done.values
    days = Counter((c.assessment_id, c.day) for c in check_ins)
    assert max(days.values()) == 1
    per_assessment = Counter(c.assessment_id for c in check_ins)
    assert max(per_assessment.values()) <= 35
    assert not CheckIn.objects.filter(assessment__tier=EMERGENCY).exists()
    non_emergency = Assessment.objects.exclude(tier=EMERGENCY).count()
    assert 0.4 < len(per_assessment) / non_emergency < 0.8


def test_check_in_pain_mostly_drifts_down_from_the_assessment():
    seed(assessments=300, seed=4)

    lower = higher = 0
    with_pain = Assessment.objects.filter(answers__reason=qn.PAIN, check_ins__day__isnull=False).distinct()
    for assessment in with_pain:
        series = list(assessment.check_ins.order_by("day").values_list("pain_now", flat=True))
        if len(series) >= 10:
            lower += series[-1] < assessment.pain_now
            higher += series[-1] > assessment.pain_now
    assert lower > 2 * higher > 0


# --- reruns, progress, safety ---------------------------------------------------------


def test_a_rerun_with_the_same_seed_reuses_the_clinics_and_repeats_the_data():
    seed(assessments=20, seed=7)
    first = list(Assessment.objects.order_by("pk"))
    seed(assessments=20, seed=7)
    second = list(Assessment.objects.order_by("pk"))[20:]

    assert Clinic.objects.count() == 3
    assert [a.answers for a in first] == [a.answers for a in second]
    assert [a.clinic_id for a in first] == [a.clinic_id for a in second]

    def pains(assessment):
        return list(assessment.check_ins.order_by("day").values_list("pain_now", flat=True))

    assert [pains(a) for a in first] == [pains(a) for a in second]


def test_it_reports_progress_every_batch_and_a_summary():
    output = seed(assessments=25, seed=8, batch=10)

    for done in ("10/25", "20/25", "25/25"):
        assert f"  {done} assessments" in output
    for tier in (EMERGENCY, URGENT, ROUTINE, SELF_CARE):
        assert f"  {tier} " in output
    assert "check-ins" in output
    assert "assessments/s" in output
    assert "(seed 8)" in output


def test_with_debug_off_it_refuses_and_adds_nothing(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG is off"):
        seed(assessments=5, seed=1)
    assert not Assessment.objects.exists()
    assert not Clinic.objects.exists()


def test_with_debug_off_it_runs_when_told_it_is_meant(settings):
    settings.DEBUG = False

    seed(assessments=5, seed=1, yes_on_production=True)

    assert Assessment.objects.count() == 5


def test_from_the_shell_with_debug_off_it_exits_non_zero(tmp_path):
    database = f"sqlite:///{tmp_path / 'never-created.sqlite3'}"
    process = run_manage("seed_demo", "--assessments", "5", env={"SECRET_KEY": "x", "DATABASE_URL": database})

    assert process.returncode != 0
    assert "DEBUG is off" in process.stderr
    assert not (tmp_path / "never-created.sqlite3").exists()


@pytest.mark.parametrize(
    "options", [{"no_clinic_share": 1.5}, {"batch": 0}, {"assessments": -1}, {"clinics": -2}], ids=str
)
def test_impossible_options_are_refused(options):
    with pytest.raises(CommandError):
        seed(seed=1, **options)
    assert not Assessment.objects.exists()
