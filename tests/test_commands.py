"""The `questionnaire` and `score` management commands."""

import io
import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from assessments import questionnaire as qn
from assessments.models import Assessment
from assessments.scoring import CATALOGUE
from tests.personas import PREVENTION_ANSWERS, RUNNER_ANSWERS
from tests.processes import run_manage

VERSION = qn.QUESTIONNAIRE_VERSION
RESULT_KEYS = {"triage", "triage_reasons", "rest_day", "rest_day_reasons", "imbalances", "advice"}

# A runner with a few findings, so the result has several imbalances, advice and a rest day.
BUSY_RUNNER = {
    **RUNNER_ANSWERS,
    "sitting_hours": 9,
    "strength_training": "none",
    "pain_areas": ["lower_back_one_side", "buttock"],
    "run_pain_change": "much_worse",
    "worry": "very",
    "hip_flexor_test": "one_side",
    "hamstring_test": "shins",
    "plank_seconds": 25,
    "knee_to_wall_cm": 8,
}


def document(answers=None, version=VERSION) -> dict:
    return {"version": version, "answers": dict(RUNNER_ANSWERS if answers is None else answers)}


def run_score(text: str, tmp_path, monkeypatch, source: str = "file") -> str:
    """Run `score` on `text` read from a file or from stdin; return what it printed."""
    out, err = io.StringIO(), io.StringIO()
    if source == "stdin":
        monkeypatch.setattr("sys.stdin", io.StringIO(text))
        call_command("score", "-", stdout=out, stderr=err)
    else:
        path = tmp_path / "answers.json"
        path.write_text(text, encoding="utf-8")
        call_command("score", str(path), stdout=out, stderr=err)
    assert err.getvalue() == ""
    return out.getvalue()


def manage(*args: str, stdin: str = ""):
    return run_manage(*args, env={"SECRET_KEY": "x"}, stdin=stdin)


# --- questionnaire --------------------------------------------------------------


@pytest.fixture(scope="module")
def questionnaire_json() -> dict:
    out = io.StringIO()
    call_command("questionnaire", "--json", stdout=out)
    return json.loads(out.getvalue())


def test_questionnaire_json_carries_the_version(questionnaire_json):
    assert questionnaire_json["version"] == VERSION


def test_questionnaire_json_lists_every_section_in_order(questionnaire_json):
    codes = [s["code"] for s in questionnaire_json["sections"]]
    assert codes == [s.code for s in qn.SECTIONS]
    # Warning signs first (an emergency sign ends the questionnaire there), the checks last.
    assert codes == ["start", "warning", "week", "pain", "more_pain", "outlook", "checks"]
    assert all(s["title"] and s["intro"] for s in questionnaire_json["sections"])
    warning = next(s for s in questionnaire_json["sections"] if s["code"] == "warning")
    assert warning["group_legend"] == qn.WARNING.group_legend


def test_questionnaire_json_lists_every_question_with_its_type_and_choices_or_range(questionnaire_json):
    questions = {q["code"]: q for s in questionnaire_json["sections"] for q in s["questions"]}
    assert set(questions) == set(qn.QUESTIONS)
    for code, q in questions.items():
        assert q["type"] == qn.QUESTIONS[code].type
        assert q["required"] is qn.QUESTIONS[code].required
    assert [c["code"] for c in questions["reason"]["choices"]] == ["pain", "prevention"]
    assert [c["code"] for c in questions["shoes"]["choices"]] == ["fitted", "off_the_shelf", "worn", "unknown"]
    assert [c["code"] for c in questions["night_position"]["choices"]] == ["eases", "constant"]
    assert "none" in {c["code"] for c in questions["feelings"]["choices"]}
    assert (questions["pain_now"]["min"], questions["pain_now"]["max"]) == (0, 10)
    assert questions["knee_to_wall_cm"]["unit"] == "cm"
    assert questions["distance_unit"]["initial"] == "km"
    # Questions of the earlier version are gone, and the renamed ones have their new codes.
    assert not {"runs_per_week", "pain_worst_week", "recent_fall", "surface", "shoe_type", "warm_up"} & set(questions)
    assert not {"both_legs", "thoracic_pain", "bother", "coping"} & set(questions)
    assert {"both_legs_nerve", "thoracic_constant", "pregnancy", "pain_began_age"} <= set(questions)


def test_questionnaire_json_shows_the_pain_scale_as_a_scale(questionnaire_json):
    questions = {q["code"]: q for s in questionnaire_json["sections"] for q in s["questions"]}
    assert questions["pain_now"]["widget"] == "scale"
    assert {code for code, q in questions.items() if "widget" in q} == {"pain_now"}


def test_questionnaire_json_says_why_a_question_no_rule_reads_is_asked(questionnaire_json):
    questions = {q["code"]: q for s in questionnaire_json["sections"] for q in s["questions"]}
    for code in ("nickname", "distance_unit", "consent"):
        assert questions[code]["purpose"] == qn.QUESTIONS[code].purpose != "", code
    assert "purpose" not in questions["pain_now"]  # a scoring rule reads it


def test_questionnaire_json_names_a_drawing_for_the_movement_checks(questionnaire_json):
    sections = {s["code"]: s for s in questionnaire_json["sections"]}
    drawn = {q["code"]: q["illustration"] for s in sections.values() for q in s["questions"] if "illustration" in q}
    assert drawn["hip_flexor_test"] == "hip-front-check"
    assert drawn["hamstring_test"] == "toe-reach-check"
    assert drawn["plank_seconds"] == "front-plank-check"
    assert set(drawn) <= {q["code"] for q in sections["checks"]["questions"]}
    assert drawn == {q.code: q.illustration for q in qn.SELF_TESTS.questions if q.illustration}
    for name in drawn.values():
        assert (settings.BASE_DIR / "static" / "img" / "checks" / f"{name}.svg").is_file(), name


def test_questionnaire_json_includes_the_imbalance_catalogue(questionnaire_json):
    imbalances = questionnaire_json["imbalances"]
    assert len(imbalances) >= 8
    assert [i["code"] for i in imbalances] == [i.code for i in CATALOGUE]
    for entry in imbalances:
        assert {"code", "label", "summary", "tight", "weak"} <= set(entry)
        assert entry["label"] and entry["summary"]
        assert entry["tight"] or entry["weak"]


def test_questionnaire_without_json_prints_a_readable_listing():
    out = io.StringIO()
    call_command("questionnaire", stdout=out)
    text = out.getvalue()
    assert f"Questionnaire version {VERSION}" in text
    assert all(code in text for code in qn.QUESTIONS)
    assert "tight_hip_flexors" in text
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)


# --- score: success -----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("source", ["file", "stdin"])
def test_score_prints_the_result_as_json_and_stores_nothing(source, tmp_path, monkeypatch):
    printed = run_score(json.dumps(document(BUSY_RUNNER)), tmp_path, monkeypatch, source)
    result = json.loads(printed)

    assert RESULT_KEYS <= set(result)
    assert result["version"] == VERSION
    assert (result["triage"], result["tier"]) == ("see_professional", "routine")
    assert [r["answers"] for r in result["triage_reasons"]] == [["worry"]]
    assert result["rest_day"] is True
    assert [r["answers"] for r in result["rest_day_reasons"]] == [["run_pain_change"]]
    assert len(result["imbalances"]) >= 3
    for found in result["imbalances"]:
        assert {"code", "label", "score", "reasons", "tight", "weak"} <= set(found)
        assert all(r["text"] and r["answers"] for r in found["reasons"])
    scores = [i["score"] for i in result["imbalances"]]
    assert scores == sorted(scores, reverse=True)
    assert result["advice"][0]["code"] == "keep_moving"
    assert {"strength", "sitting_support", "rest_after_run", "massage"} <= {a["code"] for a in result["advice"]}
    assert Assessment.objects.count() == 0


@pytest.mark.django_db
def test_score_of_an_emergency_prints_no_advice_and_no_rest_day(tmp_path, monkeypatch):
    answers = {k: v for k, v in BUSY_RUNNER.items() if k not in {q.code for q in qn.SELF_TESTS.questions}}
    answers["bladder_bowel"] = True
    answers.pop("no_warning_signs")
    for code in (q.code for q in qn.OUTLOOK.questions):
        answers.pop(code)  # not asked after an emergency sign
    result = json.loads(run_score(json.dumps(document(answers)), tmp_path, monkeypatch))
    assert result["triage"] == "emergency"
    assert result["triage_reasons"][0]["answers"] == ["bladder_bowel"]
    assert result["advice"] == []
    assert result["rest_day"] is False
    assert Assessment.objects.count() == 0


@pytest.mark.django_db
def test_score_of_a_prevention_runner_gives_prevention_advice_and_no_rest_day(tmp_path, monkeypatch):
    result = json.loads(run_score(json.dumps(document(PREVENTION_ANSWERS)), tmp_path, monkeypatch))
    assert result["version"] == VERSION
    assert (result["triage"], result["tier"]) == ("self_care", "self_care")
    assert result["triage_reasons"] == [] and result["rest_day"] is False
    # Worded for prevention: staying strong, not "keep moving" through pain.
    advice = {a["code"]: a for a in result["advice"]}
    assert advice["stay_strong"]["reasons"] == ["you want to prevent back pain"]
    assert "keep_moving" not in advice
    # `score` prints a subset of the result: neither `prevention` nor the caution `flags` (see score.py).
    assert RESULT_KEYS <= set(result)
    assert Assessment.objects.count() == 0


@pytest.mark.django_db
def test_score_ignores_answers_to_questions_the_runner_is_not_asked(tmp_path, monkeypatch):
    # A prevention runner is asked no pain questions: pain answers sent anyway change nothing.
    with_pain_answers = {**RUNNER_ANSWERS, "reason": "prevention", "pain_now": 9, "run_pain_change": "much_worse"}
    assert set(PREVENTION_ANSWERS) < set(with_pain_answers)
    printed = run_score(json.dumps(document(with_pain_answers)), tmp_path, monkeypatch)
    assert printed == run_score(json.dumps(document(PREVENTION_ANSWERS)), tmp_path, monkeypatch)


def test_score_gives_the_same_output_from_a_file_and_from_stdin(tmp_path, monkeypatch):
    text = json.dumps(document(BUSY_RUNNER))
    assert run_score(text, tmp_path, monkeypatch, "file") == run_score(text, tmp_path, monkeypatch, "stdin")


def test_score_reads_non_ascii_text_and_prints_it_unescaped(tmp_path, monkeypatch):
    printed = run_score(json.dumps(document({**RUNNER_ANSWERS, "nickname": "Zoë"})), tmp_path, monkeypatch)
    assert json.loads(printed)["triage"] == "self_care"
    assert "\\u" not in printed  # ensure_ascii off: the runner's words stay readable


# --- score: errors ---------------------------------------------------------------------

ERROR_CASES = [
    pytest.param('{"version": "2026.11.1", "answers": {', "malformed JSON", id="malformed_json"),
    pytest.param("", "malformed JSON", id="empty_input"),
    pytest.param(json.dumps([document()]), "expected an object", id="not_an_object"),
    pytest.param(json.dumps({"version": VERSION}), "expected an object", id="no_answers"),
    pytest.param(json.dumps(document(version="2025.1.1")), "version '2025.1.1' is not supported", id="wrong_version"),
    pytest.param(json.dumps({"answers": RUNNER_ANSWERS}), "version None is not supported", id="no_version"),
    pytest.param(json.dumps({"version": VERSION, "answers": []}), "answers: must be an object", id="answers_a_list"),
    pytest.param(
        json.dumps(document({**RUNNER_ANSWERS, "colour": "red"})), "colour: unknown question code", id="unknown_code"
    ),
    pytest.param(
        json.dumps(document(version="2026.11.1")), "version '2026.11.1' is not supported", id="archived_version"
    ),
    pytest.param(
        json.dumps(document({**RUNNER_ANSWERS, "runs_per_week": 3})),
        "runs_per_week: unknown question code",
        id="code_of_an_earlier_version",
    ),
    pytest.param(
        json.dumps(document({**RUNNER_ANSWERS, "pain_now": 11})),
        "pain_now: must be between 0 and 10",
        id="out_of_range",
    ),
    pytest.param(
        json.dumps(document({**RUNNER_ANSWERS, "shoes": "sand"})), "shoes: must be one of", id="unknown_choice"
    ),
    pytest.param(
        json.dumps(document({**RUNNER_ANSWERS, "age_band": "under_18"})),
        "not scored: this check is made for adults (18 and over)",
        id="under_18",
    ),
    pytest.param(json.dumps(document({**RUNNER_ANSWERS, "pain_now": float("nan")})), "pain_now", id="nan_literal"),
    pytest.param(
        json.dumps(document({**RUNNER_ANSWERS, "consent": False})), "consent: consent is needed", id="no_consent"
    ),
    pytest.param(
        json.dumps(document({k: v for k, v in RUNNER_ANSWERS.items() if k != "hip_flexor_test"})),
        "hip_flexor_test: an answer is required",
        id="missing_answer",
    ),
    pytest.param(
        json.dumps(document()).replace('"pain_now": 3', '"pain_now": 1' + "0" * 400),
        "pain_now",
        id="whole_number_too_large_for_a_float",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize("source", ["file", "stdin"])
@pytest.mark.parametrize(("text", "message"), ERROR_CASES)
def test_score_rejects_bad_input_with_a_clear_message_exit_status_2_and_nothing_printed_or_stored(
    text, message, source, tmp_path, monkeypatch
):
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        if source == "stdin":
            monkeypatch.setattr("sys.stdin", io.StringIO(text))
            call_command("score", "-", stdout=out)
        else:
            path = tmp_path / "answers.json"
            path.write_text(text, encoding="utf-8")
            call_command("score", str(path), stdout=out)
    assert caught.value.returncode == 2
    assert message in str(caught.value)
    assert out.getvalue() == ""
    assert Assessment.objects.count() == 0


@pytest.mark.django_db
def test_score_reports_every_problem_in_the_answers_one_per_line(tmp_path, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(document({**RUNNER_ANSWERS, "colour": 1, "pain_now": -1}))))
    with pytest.raises(CommandError) as caught:
        call_command("score", "-", stdout=io.StringIO())
    lines = str(caught.value).splitlines()
    assert lines[0] == "the answers do not fit the questionnaire:"
    assert "  colour: unknown question code" in lines
    assert "  pain_now: must be between 0 and 10" in lines


@pytest.mark.django_db
def test_score_of_a_missing_file_names_the_file(tmp_path):
    missing = tmp_path / "nowhere.json"
    with pytest.raises(CommandError) as caught:
        call_command("score", str(missing), stdout=io.StringIO())
    assert caught.value.returncode == 2
    assert f"cannot read {missing}" in str(caught.value)
    assert Assessment.objects.count() == 0


@pytest.mark.django_db
def test_score_of_a_file_that_is_not_utf8_says_so(tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes(json.dumps(document({**RUNNER_ANSWERS, "nickname": "Zoë"}), ensure_ascii=False).encode("latin-1"))
    with pytest.raises(CommandError) as caught:
        call_command("score", str(path), stdout=io.StringIO())
    assert caught.value.returncode == 2
    assert "is not UTF-8 text" in str(caught.value)


# --- score: a few real processes, for the exit status ---------------------------------


def test_score_in_a_real_process_prints_json_and_exits_0():
    done = manage("score", "-", stdin=json.dumps(document(BUSY_RUNNER)))
    assert done.returncode == 0, done.stderr
    assert RESULT_KEYS <= set(json.loads(done.stdout))


def test_score_in_a_real_process_exits_2_on_malformed_json_from_stdin():
    done = manage("score", "-", stdin='{"version": ')
    assert done.returncode == 2
    assert done.stdout == ""
    assert "malformed JSON" in done.stderr
    assert "Traceback" not in done.stderr


def test_score_in_a_real_process_exits_2_on_a_wrong_version_in_a_file(tmp_path):
    path = tmp_path / "old.json"
    path.write_text(json.dumps(document(version="1.0")), encoding="utf-8")
    done = manage("score", str(path))
    assert done.returncode == 2
    assert done.stdout == ""
    assert "version '1.0' is not supported" in done.stderr
    assert "Traceback" not in done.stderr


def test_score_in_a_real_process_exits_2_on_answers_out_of_range(tmp_path):
    done = manage("score", "-", stdin=json.dumps(document({**RUNNER_ANSWERS, "weekly_distance": 999})))
    assert done.returncode == 2
    assert done.stdout == ""
    assert "weekly_distance: must be between 0 and 300" in done.stderr


def test_score_in_a_real_process_refuses_an_under_18_with_exit_status_2():
    done = manage("score", "-", stdin=json.dumps(document({**RUNNER_ANSWERS, "age_band": "under_18"})))
    assert done.returncode == 2
    assert done.stdout == ""
    assert "not scored: this check is made for adults (18 and over)" in done.stderr
    assert "Traceback" not in done.stderr


def test_score_in_a_real_process_exits_2_on_a_whole_number_too_large_for_a_float():
    text = json.dumps(document()).replace('"pain_now": 3', '"pain_now": 1' + "0" * 400)
    done = manage("score", "-", stdin=text)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
