"""What a clinician reads: the triage in words, and one assessment with its plan and check-ins."""

from datetime import timedelta

from assessments import questionnaire as qn
from assessments.presenters import present_result
from assessments.scoring import EMERGENCY, ROUTINE, SELF_CARE, URGENT
from programs import builder
from programs.models import library_specs, library_version, program_for
from programs.presenters import CAUTION_TEXT, DAY_WORDS, DONE_WORDS, pain_chart

# The badge says the tier in words; the colour (and a symbol) only repeat it.
BADGES = {
    EMERGENCY: ("badge-emergency", "!!", "Emergency"),
    URGENT: ("badge-urgent", "!", "Urgent"),
    ROUTINE: ("badge-routine", "i", "See a professional"),
    SELF_CARE: ("badge-self-care", "✓", "Self-care"),
}


def triage_words(assessment) -> str:
    """The triage as the queue and the front page say it; a check-in's warning sign comes first."""
    if assessment.warning_sign_day:
        return f"Emergency: warning sign at check-in of {assessment.warning_sign_day:%d %b}"
    return BADGES[assessment.tier][2]


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
    library = library_specs(library_version())
    program = program_for(assessment, check_ins, library)
    today = program.today
    plan_days = builder.PROGRAM_WEEKS * builder.DAYS_PER_WEEK
    signs = {code: qn.label_of(code) for check_in in check_ins for code in check_in.warning_signs}
    known = builder.known_signs(result)
    unit = "miles" if assessment.answers.get("distance_unit") == "mi" else "km"
    return {
        # New warning signs at check-ins come first: each one stopped the runner's plan.
        "check_in_alerts": [
            {"day": c.day, "signs": [signs.get(code, code) for code in c.warning_signs if code not in known]}
            for c in reversed(check_ins)
            if set(c.warning_signs) - known
        ],
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
