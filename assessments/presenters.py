"""Turn a stored result and answers into what the pages show (no logic in templates)."""

from dataclasses import dataclass

from assessments import questionnaire as qn
from assessments.answers import describe_answers
from assessments.scoring import EMERGENCY, ROUTINE, SELF_CARE, URGENT

BANNERS = {
    EMERGENCY: {
        "css": "danger",
        "icon": "!",
        "heading": "Seek emergency care now",
        "lead": (
            "One or more of your answers can be a sign of a serious problem that needs a doctor "
            "straight away. Go to an emergency department now, or call your local emergency number. Do "
            "not start any exercises."
        ),
    },
    URGENT: {
        "css": "warning",
        "icon": "!",
        "heading": "See a doctor within a day or two",
        "lead": (
            "Some of your answers need a doctor's check soon. Until then, keep to gentle "
            "movement such as easy walking; hold off on running and the exercise plan."
        ),
    },
    ROUTINE: {
        "css": "info",
        "icon": "i",
        "heading": "Book an appointment with a professional",
        "lead": (
            "Some of your answers are best checked by a physiotherapist or doctor. You can "
            "carry on gently with the advice below while you wait for the appointment."
        ),
    },
    SELF_CARE: {
        "css": "success",
        "icon": "✓",
        "heading": "Self-care looks right for now",
        "lead": (
            "None of your answers is a warning sign that needs a professional now. The "
            "contributors below show where to start."
        ),
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
# The strongest contributors are shown in full; the rest are folded away to keep the page short.
SHOWN_IN_FULL = 3

SOURCE_WORDS = {True: "Based on your movement checks", False: "Based on your answers only (no movement check)"}


@dataclass
class AnswerRow:
    question: str
    answer: str


def present_result(assessment) -> dict:
    result = assessment.result
    tier = result["tier"]
    imbalances = [
        {
            **imb,
            "evidence": SOURCE_WORDS[imb["from_self_test"]],
            "tight_text": ", ".join(imb["tight"]),
            "weak_text": ", ".join(imb["weak"]),
            "rank": rank,
        }
        for rank, imb in enumerate(result["imbalances"], start=1)
    ]
    likely = [i for i in imbalances if i["likelihood"] != "unlikely"]
    advice_codes = {item["code"] for item in result["advice"]}
    return {
        "tier": tier,
        "is_emergency": tier == EMERGENCY,
        # Said in the banner itself, so that "self-care" and "see a physio" never seem to disagree.
        "banner_note": PHYSIO_NOTE if tier == SELF_CARE and "physio_check" in advice_codes else "",
        # Until a doctor has checked the urgent signs, the contributors wait, folded away.
        "contributors_on_hold": tier == URGENT,
        "banner": BANNERS[tier],
        "when_to_act": result["when_to_act"],
        "triage_reasons": result["triage_reasons"],
        # An urgent result already says: no running until a doctor has checked.
        "rest_day": result["rest_day"] and tier != URGENT,
        "rest_day_reasons": result["rest_day_reasons"],
        "top": likely[:SHOWN_IN_FULL],
        "more": likely[SHOWN_IN_FULL:],
        "unlikely": [i for i in imbalances if i["likelihood"] == "unlikely"],
        "advice": result["advice"],
        "plan_text": PLAN_TEXT[tier == SELF_CARE],
    }


def present_answers(answers: dict) -> list[dict]:
    """The answers as question -> answer in plain words, grouped by section."""
    words = describe_answers(answers)
    sections = []
    for section in qn.SECTIONS:
        rows = [
            AnswerRow(q.label, words.get(q.code, "Not answered"))
            for q in section.questions
            if q.code in answers or q.type != qn.BOOL
        ]
        if section.code == qn.SELF_TESTS.code and not any(q.code in answers for q in section.questions):
            continue
        sections.append({"title": section.title, "rows": rows})
    return sections
