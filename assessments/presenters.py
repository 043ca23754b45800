"""Turn a stored result and answers into what the pages show (no logic in templates)."""

from dataclasses import asdict, dataclass

from assessments import questionnaire as qn
from assessments.answers import describe_answers
from assessments.scoring import EMERGENCY, ROUTINE, SELF_CARE, URGENT, Likelihood, maternity_first

BANNERS = {
    EMERGENCY: {
        "css": "danger",
        "icon": "emergency",
        "heading": "Seek emergency care now",
        "lead": (
            "One or more of your answers can be a sign of a serious problem that needs a doctor "
            "straight away. Go to an emergency department now, or call your local emergency number. Do "
            "not start any exercises."
        ),
    },
    URGENT: {
        "css": "warning",
        "icon": "warning",
        "heading": "See a doctor within a day or two",
        "lead": (
            "Some of your answers need a doctor's check soon. Until then, keep to gentle "
            "movement such as easy walking; hold off on running and the exercise plan."
        ),
    },
    ROUTINE: {
        "css": "warning",
        "icon": "warning",
        "heading": "Book an appointment with a professional",
        "lead": (
            "Some of your answers are best checked by a physiotherapist or doctor. You can "
            "carry on gently with the advice below while you wait for the appointment."
        ),
    },
    SELF_CARE: {
        "css": "success",
        "icon": "done",
        "heading": "Self-care looks right for now",
        "lead": (
            "None of your answers is a warning sign that needs a professional now. The "
            "contributors below show where to start."
        ),
    },
}

# A pregnancy sign alone: the maternity unit first (scoring.when_to_act).
MATERNITY_BANNER = {
    **BANNERS[EMERGENCY],
    "heading": "Call your maternity unit or midwife now",
    "lead": (
        "Your answers include a sign in your pregnancy that needs checking straight away. Call your "
        "maternity unit or midwife now. Do not start any exercises."
    ),
}

# A runner with no pain who wants to prevent it: the same result, in words for prevention.
PREVENTION_BANNER = {
    **BANNERS[SELF_CARE],
    "heading": "No warning signs: here is where to start",
    "lead": (
        "None of your answers is a warning sign. The areas below are where a few minutes a day "
        "are most likely to keep back pain away."
    ),
}
CONTRIBUTORS_WORDS = {
    False: {
        "heading": "What may be adding to your pain",
        "intro": (
            "Muscle imbalances are a useful way to choose exercises. They are likely contributors to "
            "your pain, not a certain cause. Scores run from 0 to 100; the strongest come first."
        ),
        "none": (
            "Your answers do not point clearly at any muscle imbalance. Keep active and consider the "
            "movement checks another time: they find imbalances better than questions can."
        ),
        "on_hold": "What may be adding to your pain, for after your doctor's check",
    },
    True: {
        "heading": "Where to focus to prevent back pain",
        "intro": (
            "Muscle imbalances are common in runners and are linked with back pain. These are the "
            "ones your answers and checks point at, likely rather than certain. Scores run from 0 to "
            "100; the strongest come first."
        ),
        "none": (
            "Your answers do not point clearly at any muscle imbalance: a general routine for runners "
            "keeps your back and hips strong. The movement checks find imbalances better than questions can."
        ),
        "on_hold": "Where to focus, for after your doctor's check",
    },
}

PHYSIO_NOTE = (
    "Your pain has not clearly improved after a couple of weeks of home care, so a check with a "
    "physiotherapist is worth considering (see the advice below)."
)
PLAN_TEXT = {
    True: "A 4-week routine of stretches and exercises for the contributors below, with a short check-in each day.",
    False: "Gentle movement until you have seen a professional, with a short check-in each day.",
}
PREVENTION_PLAN_TEXT = (
    "A 4-week routine of stretches and exercises for the areas below, with a short check-in each day."
)
# The strongest contributors are shown in full; the rest are folded away to keep the page short.
SHOWN_IN_FULL = 3

SOURCE_WORDS = {True: "Based on your movement checks", False: "Based on your answers only (no movement check)"}


@dataclass
class AnswerRow:
    question: str
    answer: str


def present_result(assessment) -> dict:
    result = assessment.scoring_result
    tier = result.tier
    imbalances = [
        {
            **asdict(imb),
            "evidence": SOURCE_WORDS[imb.from_self_test],
            "tight_text": ", ".join(imb.tight),
            "weak_text": ", ".join(imb.weak),
            "rank": rank,
        }
        for rank, imb in enumerate(result.imbalances, start=1)
    ]
    likely = [i for i in imbalances if i["likelihood"] != Likelihood.UNLIKELY]
    advice_codes = {item.code for item in result.advice}
    maternity = tier == EMERGENCY and maternity_first([r.answers for r in result.triage_reasons])
    prevention = result.prevention
    if maternity:
        banner = MATERNITY_BANNER
    elif prevention and tier == SELF_CARE:
        banner = PREVENTION_BANNER
    else:
        banner = BANNERS[tier]
    return {
        "prevention": prevention,
        "contributors": CONTRIBUTORS_WORDS[prevention],
        "tier": tier,
        "is_emergency": tier == EMERGENCY,
        # Said in the banner itself, so that "self-care" and "see a physio" never seem to disagree.
        "banner_note": PHYSIO_NOTE if tier == SELF_CARE and "physio_check" in advice_codes else "",
        # Until a doctor has checked the urgent signs, the contributors wait, folded away.
        "contributors_on_hold": tier == URGENT,
        "banner": banner,
        "maternity": maternity,
        "when_to_act": result.when_to_act,
        "triage_reasons": result.triage_reasons,
        # An urgent result already says: no running until a doctor has checked.
        "rest_day": result.rest_day and tier != URGENT,
        "rest_day_reasons": result.rest_day_reasons,
        "top": likely[:SHOWN_IN_FULL],
        "more": likely[SHOWN_IN_FULL:],
        "unlikely": [i for i in imbalances if i["likelihood"] == Likelihood.UNLIKELY],
        "advice": result.advice,
        "plan_text": PREVENTION_PLAN_TEXT if prevention and tier == SELF_CARE else PLAN_TEXT[tier == SELF_CARE],
    }


def present_answers(answers: dict, version: str = qn.QUESTIONNAIRE_VERSION) -> list[dict]:
    """The answers as question -> answer in plain words, grouped by section, in the words of
    the questionnaire version they were given to."""
    definition = qn.definition(version) or qn.definition(qn.QUESTIONNAIRE_VERSION)
    questions = definition.questions
    words = describe_answers(answers, questions)
    sections = []
    for section in definition.sections:
        rows = [
            AnswerRow(q.label, words[q.code])
            for q in section.questions
            # Only what was asked: a tick box left unticked, or a question skipped, is not shown.
            if q.code in answers
        ]
        if rows:
            sections.append({"title": section.title, "rows": rows})
    return sections
