"""Answers of typical runners, built in code (no fixtures), shared by the tests."""

from django.utils import timezone

from assessments import questionnaire as qn
from assessments.answers import WARNING_SIGNS, skipped

# A desk-bound runner with central low-back pain: self-care, no warning signs.
RUNNER_ANSWERS = {
    "consent": True,
    "age_band": "30_39",
    "nickname": "Sam",
    "runs_per_week": 3,
    "distance_unit": "km",
    "weekly_distance": 25,
    "longest_run": 10,
    "surface": "trail",
    "shoe_type": "fitted",
    "shoe_wear": "new",
    "distance_change": "same_or_less",
    "warm_up": "sometimes",
    "strength_training": "weekly_1_2",
    "sitting_hours": 4,
    "driving_hours": 0,
    "breaks": "hourly",
    "lumbar_support": "yes",
    "screen_height": "eye_level",
    "pain_areas": ["lower_back_centre"],
    "pain_now": 3,
    "pain_worst_week": 4,
    "pain_duration": "1_6w",
    "pain_when": [],
    "pain_eases": ["moving"],
    "run_pain_change": "same_or_better",
    "daily_impact": "no",
    "home_care_weeks": 0,
    "trend": "same",
    "recent_fall": "none",
    "no_warning_signs": True,
    "worry": "some",
    "fear_activity": "disagree",
    "never_better": "disagree",
    "low_mood": "rarely",
    "bother": "hardly",
    "coping": "well",
    "hip_flexor_test": "skip",
    "hamstring_test": "skip",
    "hip_control_test": "skip",
    "wall_head": "skip",
    "wall_low_back": "skip",
}


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


def step_posts(answers: dict, prefix: str = "questionnaire_view") -> list[tuple[str, dict]]:
    """The POST bodies a browser sends, step by step, to answer the questionnaire."""
    not_asked = skipped(answers)
    posts = []
    for section in qn.SECTIONS:
        if section.code in not_asked:
            continue
        data = {f"{prefix}-current_step": section.code}
        for q in section.questions:
            if q.code in not_asked:
                continue
            value = answers.get(q.code)
            if value is None or value is False:
                continue
            key = f"{section.code}-{q.code}"
            data[key] = "on" if value is True else value
        posts.append((section.code, data))
    return posts


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
