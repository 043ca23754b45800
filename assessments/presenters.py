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
            "today. Go to an emergency department now, or call your local emergency number. Do "
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
            "Nothing in your answers suggests you need to see a professional now. The likely "
            "contributors below show where to start."
        ),
    },
}

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
        }
        for imb in result["imbalances"]
    ]
    return {
        "tier": tier,
        "is_emergency": tier == EMERGENCY,
        # Until a doctor has checked the urgent signs, the contributors wait, folded away.
        "contributors_on_hold": tier == URGENT,
        "banner": BANNERS[tier],
        "when_to_act": result["when_to_act"],
        "triage_reasons": result["triage_reasons"],
        "rest_day": result["rest_day"],
        "rest_day_reasons": result["rest_day_reasons"],
        "likely": [i for i in imbalances if i["likelihood"] != "unlikely"],
        "unlikely": [i for i in imbalances if i["likelihood"] == "unlikely"],
        "advice": result["advice"],
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
        signs = [q.code for q in section.questions if q.type == qn.BOOL]
        if section.code == qn.WARNING.code and not any(code in answers for code in signs):
            rows.insert(0, AnswerRow(section.group_legend, "None of the warning signs"))
        sections.append({"title": section.title, "rows": rows})
    return sections
