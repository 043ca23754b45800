"""What a clinician reads: the triage in words, and one assessment with its plan and check-ins."""

from datetime import timedelta

from django.db.models import prefetch_related_objects

from assessments import questionnaire as qn
from assessments.presenters import present_result
from assessments.scoring import EMERGENCY, ROUTINE, SELF_CARE, URGENT
from programs import builder
from programs.models import library_specs, library_version, plan_inputs, program_for
from programs.presenters import CAUTION_TEXT, DAY_WORDS, DONE_WORDS, pain_chart, present_tailoring
from review.tailoring import change_log

# The badge says the tier in words; the colour (and a symbol) only repeat it.
BADGES = {
    EMERGENCY: ("badge-emergency", "!!", "Emergency"),
    URGENT: ("badge-urgent", "!", "Urgent"),
    ROUTINE: ("badge-routine", "i", "See a professional"),
    SELF_CARE: ("badge-self-care", "✓", "Self-care"),
}


def queue_tier(assessment) -> str:
    """The tier the queue shows: the result's, unless a check-in raised it since (a new warning
    sign: emergency; a self-care plan turned gentle by the check-ins: see a professional)."""
    if assessment.warning_sign_day:
        return EMERGENCY
    if assessment.tier == SELF_CARE and assessment.plan_status == builder.GENTLE:
        return ROUTINE
    return assessment.tier


def triage_words(assessment) -> str:
    """The triage as the queue and the front page say it; a check-in's alert comes first."""
    if assessment.warning_sign_day:
        return f"Emergency: warning sign at check-in of {assessment.warning_sign_day:%d %b}"
    if queue_tier(assessment) != assessment.tier:
        return "See a professional: raised by the check-ins"
    return BADGES[assessment.tier][2]


# The plan today in a few words, for the queue's column (from the state each check-in keeps).
PLAN_TODAY_WORDS = {
    "stopped": "Stopped",
    "rest": "Rest day",
    "rest_gentle": "Rest day (gentle plan)",
    "paused": "Paused by the clinic",
    builder.GENTLE: "Gentle only",
    builder.FULL: "Full plan",
}
CHANGE_WORDS = {builder.BETTER: "better", builder.WORSE: "worse"}


def plan_today(assessment, today) -> str:
    """ "stopped", "paused", "rest", "gentle" or "full": the plan on `today` as the assessment keeps it
    (a warning sign stops it whatever the clinic did)."""
    if assessment.plan_status == builder.STOPPED:
        return "stopped"
    if assessment.plan_paused:
        return "paused"
    if assessment.rest_until is not None and assessment.rest_until >= today:
        return "rest_gentle" if assessment.plan_status == builder.GENTLE else "rest"
    return assessment.plan_status


def pain_words(assessment) -> str:
    """Pain at the start and at the latest check-in, and the change: "4 → 2, better" when it is a
    meaningful improvement (2 points or 30%), "3 → 5, worse" from 2 points up, else just how much."""
    start, latest = assessment.pain_now, assessment.latest_pain
    if start is None:
        return "not asked"
    if latest is None:
        return f"{start} at the start"
    change = builder.pain_change(start, latest)
    if change != builder.SAME:
        return f"{start} → {latest}, {CHANGE_WORDS[change]}"
    moved = latest - start
    return f"{start} → {latest}, " + ("the same" if moved == 0 else f"{'up' if moved > 0 else 'down'} {abs(moved)}")


def pain_sentence(start: int | None, latest) -> str:
    """The same for the review page, with the numbers spelled out and the rule behind the word."""
    if start is None:
        return "Not asked: the questionnaire ended at an emergency warning sign."
    if latest is None:
        return f"{start}/10 at the start; no check-in yet."
    change = latest.pain_now - start
    moved = (
        "no change"
        if change == 0
        else f"{'down' if change < 0 else 'up'} {abs(change)} point{'s' * (abs(change) != 1)}"
    )
    verdict = {
        builder.BETTER: "a meaningful improvement (2 points or 30% down)",
        builder.SAME: "no meaningful change yet",
        builder.WORSE: "worse than at the start",
    }[builder.pain_change(start, latest.pain_now)]
    return (
        f"{start}/10 at the start, {latest.pain_now}/10 at the latest check-in ({builder.day_month(latest.day)}): "
        f"{moved}, {verdict}."
    )


def rest_days(assessment, check_ins: list, first, last) -> int:
    """How many days from `first` to `last` were rest days, each as the plan said on the day (the
    builder's own rules, also after the 4 weeks; a day before the start is none)."""
    inputs = plan_inputs(assessment, check_ins)
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return sum(
        1 for day in days if day >= inputs["start"] and builder.plan_now(today=day, **inputs).rest_until is not None
    )


def present_now(assessment, program: builder.Program, check_ins: list, alerts: list[dict]) -> dict:
    """The runner's state today, first on the review page: the plan and why, pain then and now,
    how much of the routine was done, and the last 7 days' rest days and new warning signs."""
    today = program.as_of
    week_ago = today - timedelta(days=6)
    so_far = [c for c in check_ins if program.start <= c.day <= today]
    days_so_far = max(0, (today - program.start).days + 1)
    plan_day = program.today
    if program.status == builder.STOPPED:
        headline, why = "Stopped", program.reasons
    elif plan_day is not None:
        headline = DAY_WORDS.get(plan_day.kind, plan_day.kind)
        why = list(dict.fromkeys(plan_day.reasons + program.reasons))
    else:
        headline, why = "Not started", []
    return {
        "css": "stopped" if program.status == builder.STOPPED else program.status.value,
        "headline": headline,
        "status": PROGRAM_STATUS_WORDS[program.status],
        "why": why,
        "day_number": min(days_so_far, builder.PROGRAM_WEEKS * builder.DAYS_PER_WEEK),
        "finished": program.finished,
        "pain": pain_sentence(assessment.pain_now, so_far[-1] if so_far else None),
        "days_so_far": days_so_far,
        "check_in_days": len(so_far),
        "done_all": sum(c.routine_done == builder.DONE_ALL for c in so_far),
        "done_some": sum(c.routine_done == builder.DONE_SOME for c in so_far),
        "rest_days": rest_days(assessment, check_ins, week_ago, today),
        "new_signs": [alert for alert in alerts if alert["day"] >= week_ago],
    }


PROGRAM_STATUS_WORDS = {
    builder.FULL: "Full plan: stretches and exercises for the contributors below",
    builder.GENTLE: "Gentle movement only, until a professional has seen the runner",
    builder.STOPPED: "Stopped: no exercises (a warning sign needs medical care)",
}
REASON_SOURCE_WORDS = {"self_test": "movement check", "answer": "answer"}


def present_review(assessment) -> dict:
    """What a clinician reads on an assessment's page, beside the answers: the engine's result
    with its reasons, the plan as of today, and the check-ins with the pain chart."""
    result = assessment.scoring_result
    check_ins = list(assessment.check_ins.all())
    prefetch_related_objects([assessment], "adjustments")  # read once: for the plan and for the page
    library = library_specs(library_version(), assessment.clinic_id)
    program = program_for(assessment, check_ins, library)
    today = program.today
    plan_days = builder.PROGRAM_WEEKS * builder.DAYS_PER_WEEK
    signs = {code: qn.label_of(code) for check_in in check_ins for code in check_in.warning_signs}
    known = builder.known_signs(result)
    unit = "miles" if assessment.answers.get("distance_unit") == "mi" else "km"
    alerts = [
        {"day": c.day, "signs": [signs.get(code, code) for code in c.warning_signs if code not in known]}
        for c in reversed(check_ins)
        if set(c.warning_signs) - known
    ]
    return {
        "now": present_now(assessment, program, check_ins, alerts),
        "tailoring": {
            "in_force": present_tailoring(program, library),
            "may_tailor": assessment.clinic_id is not None and result.tier != EMERGENCY,
            "history": change_log(assessment),
        },
        # New warning signs at check-ins: each one stopped the runner's plan.
        "check_in_alerts": alerts,
        "result": present_result(assessment),
        "scores": [
            {
                "label": imbalance.label,
                "score": imbalance.score,
                "likelihood": imbalance.likelihood,
                "reasons": [f"{r.text} ({REASON_SOURCE_WORDS[r.source]})" for r in imbalance.reasons],
            }
            for imbalance in result.imbalances
        ],
        "flags": [
            {"label": CAUTION_TEXT.get(flag.code, flag.code), "reasons": [r.text for r in flag.reasons]}
            for flag in result.flags
        ],
        "program": {
            "status": PROGRAM_STATUS_WORDS[program.status],
            "stopped": program.status == builder.STOPPED,
            "reasons": program.reasons,
            "start": program.start,
            "end": program.start + timedelta(days=plan_days - 1),
            "day_number": (program.as_of - program.start).days + 1,
            "plan_days": plan_days,
            "finished": program.finished,
            "focus": program.focus,
            "today": present_day_summary(today) if today and program.status != builder.STOPPED else None,
            "notices": sorted(program.notices, key=lambda n: n.day, reverse=True),
        },
        "check_ins": [
            {
                "day": c.day,
                "pain": c.pain_now,
                "done": DONE_WORDS[c.routine_done],
                "run": c.get_run_display(),
                "distance": f"{c.distance:g} {unit}" if c.distance is not None else "",
                "warning_signs": [
                    signs.get(code, code) + ("" if code in known else " (new)") for code in c.warning_signs
                ],
                "note": c.note,
            }
            for c in reversed(check_ins)
        ],
        # The page lists every check-in in full below the chart, so the chart's own table is left out.
        "chart": {
            **pain_chart(program.start, assessment.pain_now, check_ins, plan_days, reader="clinician"),
            "rows": [],
        },
    }


def present_day_summary(day: builder.Day) -> dict:
    """A day of the plan in a few lines, for the clinician."""
    return {
        "title": day.title,
        "kind": DAY_WORDS.get(day.kind, day.kind),
        "minutes": day.minutes,
        "reasons": day.reasons,
        "exercises": [f"{e.name}: {e.dosage_text}" for e in day.warm_up + day.exercises],
    }
