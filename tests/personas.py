"""Answers of typical runners, built in code (no fixtures), shared by the tests."""

from django.urls import reverse
from django.utils import timezone

from assessments import questionnaire as qn
from assessments.answers import WARNING_SIGNS, Flow

# A desk-bound runner with central low-back pain: self-care, no warning signs.
RUNNER_ANSWERS = {
    "consent": True,
    "age_band": "30_39",
    "reason": "pain",
    "pregnancy": "no",
    "nickname": "Sam",
    "distance_unit": "km",
    "weekly_distance": 25,
    "distance_change": "same_or_less",
    "shoes": "fitted",
    "strength_training": "weekly_1_2",
    "sitting_hours": 4,
    "driving_hours": 0,
    "breaks": "hourly",
    "lumbar_support": "yes",
    "screen_height": "eye_level",
    "pain_areas": ["lower_back_centre"],
    "pain_now": 3,
    "pain_duration": "1_6w",
    "pain_when": [],
    "pain_eases": ["moving"],
    "run_pain_change": "same_or_better",
    "daily_impact": "no",
    "home_care_weeks": 0,
    "trend": "same",
    "no_warning_signs": True,
    "worry": "some",
    "feelings": ["none"],
    "hip_flexor_test": "skip",
    "hamstring_test": "skip",
    "hip_control_test": "skip",
    "wall_head": "skip",
    "wall_low_back": "skip",
}

# The same runner with no pain, who wants to prevent it: no pain questions.
PREVENTION_ANSWERS = {
    code: value
    for code, value in RUNNER_ANSWERS.items()
    if qn.SECTION_OF[code] not in (qn.PAIN_SECTION.code, qn.OUTLOOK.code)
} | {"reason": "prevention"}


DROP = object()  # an override that removes the answer altogether


def runner_with(overrides: dict | None = None, **more) -> dict:
    """A fresh copy of RUNNER_ANSWERS with some answers changed (DROP removes one), not validated."""
    raw = {k: (list(v) if isinstance(v, list) else v) for k, v in RUNNER_ANSWERS.items()}
    changes = {**(overrides or {}), **more}
    for code, value in changes.items():
        if value is DROP:
            raw.pop(code, None)
        else:
            raw[code] = value
    if "no_warning_signs" not in changes and any(raw.get(code) for code in WARNING_SIGNS):
        raw.pop("no_warning_signs", None)  # a runner who ticks a sign does not tick "none of these"
    return raw


def step_posts(answers: dict) -> list[tuple[str, dict]]:
    """The POST bodies a browser sends, step by step, to answer the questionnaire."""
    flow = Flow(answers)
    posts = []
    for section in flow.steps:
        data = {"action": "next"}
        for q in flow.questions(section):
            value = flow.answers.get(q.code)
            if value is None or value is False:
                continue
            data[q.code] = "on" if value is True else value
        posts.append((section.code, data))
    return posts


def clinician_of(username: str, *clinics):
    """A clinician (a staff user in the Clinicians group) of these clinics."""
    from django.contrib.auth.models import User

    from clinics.permissions import ensure_clinicians_group

    user = User.objects.create_user(username, password="a-long-passphrase-" + username, is_staff=True)
    user.groups.add(ensure_clinicians_group())
    for clinic in clinics:
        clinic.clinicians.add(user)
    return user


def stored_assessment(answers: dict, clinic=None):
    """An assessment made from these answers as the questionnaire stores it, named by their nickname.

    The questionnaire asks nothing after an emergency sign, a nickname included; tests still
    name every runner, to find its row, so the nickname is set on the stored row.
    """
    from assessments.models import Assessment

    assessment = Assessment.objects.create_from_answers(answers, clinic=clinic)
    if answers.get("nickname") and not assessment.nickname:
        assessment.nickname = answers["nickname"]
        Assessment.objects.filter(pk=assessment.pk).update(nickname=assessment.nickname)
    return assessment


def step_url(code: str) -> str:
    return reverse("assessments:step", kwargs={"step": code})


def submit_answers(client, answers: dict):
    """Answer the whole questionnaire as a browser does, one step after another; returns the
    last response (a redirect to the result when all went well)."""
    response = None
    for code, data in step_posts(answers):
        response = client.post(step_url(code), data)
    return response


def check_in_data(**changes) -> dict:
    """A complete, valid check-in for today: pain 3, whole routine done, no run, no warning signs."""
    data = {
        "day": timezone.localdate().isoformat(),
        "pain_now": "3",
        "routine_done": "all",
        "run": "no_run",
        "distance": "",
        "no_warning_signs": "on",
        "note": "",
    }
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data
