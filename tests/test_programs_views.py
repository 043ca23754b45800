"""The runner's programme pages through the Django test client: the plan, the print view, the check-in."""

import re
from datetime import timedelta
from html import unescape
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from assessments import questionnaire as qn
from assessments.answers import validate_answers
from assessments.models import Assessment
from assessments.scoring import WHEN_TO_ACT, score_answers
from programs.forms import CHECK_IN_SIGNS
from programs.library import load_library
from programs.models import CheckIn, Exercise, Tick, library_specs, program_for
from tests.personas import PREVENTION_ANSWERS, check_in_data, runner_with

FORGED_TOKEN = "A" * 43  # the right shape, but no such result
PAGES = ("programs:program", "programs:plan", "programs:print")


@pytest.fixture
def library(db):
    """The exercise library in the database, as `load_exercises` puts it there."""
    load_library()


def assessment_with(overrides=None, days_ago=0, **more) -> Assessment:
    """A stored assessment from the typical runner's answers with some changed, made `days_ago` days back."""
    assessment = Assessment.objects.create_from_answers(runner_with(overrides, **more))
    if days_ago:
        Assessment.objects.filter(pk=assessment.pk).update(created=timezone.now() - timedelta(days=days_ago))
        assessment.refresh_from_db()
    return assessment


OLD_VERSION = "2026.11.1"
# The typical runner's answers as questionnaire version 2026.11.1 stored them.
OLD_ANSWERS = {
    "consent": True,
    "age_band": "30_39",
    "nickname": "Old",
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
OLD_CODE = {new: old for old, new in qn.REPLACED_BY.items()}


def old_assessment(days_ago=5, **signs) -> Assessment:
    """An assessment stored under version 2026.11.1, before some warning signs were asked under
    new codes: `signs` are ticked under their old codes (thoracic_pain=True), and its result
    (scored like the same signs today) names them by their old codes too."""
    assert set(OLD_ANSWERS) | set(signs) <= set(qn.definition(OLD_VERSION).questions)
    answers = {**OLD_ANSWERS, **signs}
    if signs:
        answers.pop("no_warning_signs")
    result = score_answers(validate_answers(runner_with({qn.REPLACED_BY.get(c, c): v for c, v in signs.items()})))
    result = result.as_dict()
    result.pop("prevention")  # results of that version have none
    result["version"] = OLD_VERSION
    for reason in result["triage_reasons"]:
        reason["answers"] = [OLD_CODE.get(code, code) for code in reason["answers"]]
    assessment = Assessment.objects.create(
        questionnaire_version=OLD_VERSION, answers=answers, result=result, triage=result["triage"],
        tier=result["tier"], rest_day=result["rest_day"], see_professional=result["triage"] == "see_professional",
        pain_now=answers["pain_now"], nickname=answers["nickname"],
    )  # fmt: skip
    Assessment.objects.filter(pk=assessment.pk).update(created=timezone.now() - timedelta(days=days_ago))
    assessment.refresh_from_db()
    return assessment


class Controls(HTMLParser):
    """The form controls of a page: every <input>'s attributes, and each <label>'s text by its `for`."""

    def __init__(self, html: str):
        super().__init__()
        self.inputs: list[dict] = []
        self.labels: dict[str, str] = {}
        self._label: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input":
            self.inputs.append(attrs)
        elif tag == "label" and attrs.get("for"):
            self._label = attrs["for"]
            self.labels[self._label] = ""

    def handle_endtag(self, tag):
        if tag == "label":
            self._label = None

    def handle_data(self, data):
        if self._label:
            self.labels[self._label] += data

    def named(self, name: str) -> list[dict]:
        return [i for i in self.inputs if i.get("name") == name]

    def label(self, control: dict) -> str:
        return " ".join(self.labels.get(control.get("id"), "").split())


def url(name: str, assessment_or_token) -> str:
    token = getattr(assessment_or_token, "token", assessment_or_token)
    return reverse(name, kwargs={"token": token})


def plan(assessment):
    """The programme the pages should show today, built the same way the views build it."""
    return program_for(assessment, list(assessment.check_ins.all()), library_specs())


def today_section(html: str) -> str:
    start = html.index('<section id="today"')
    return html[start : html.index("</section>", start)]


def exercise_cards(html: str) -> list[str]:
    """The slugs of every exercise on the page: today's entries and the how-to cards (screen and print)."""
    today_or_card = r'<(?:li class="entry"|article class="(?:card exercise|howto-card)[^"]*")'
    return re.findall(today_or_card + r' id="(?:today|ex)-([a-z0-9-]+)"', html)


def exercise_names(html: str) -> set[str]:
    """The names of the exercises on the page: today's entries and the how-to cards."""
    today = re.findall(r'<span class="visually-hidden">Done: </span>([^<]+)</label>', html)
    cards = re.findall(r'(?:class="h5 card-title"|class="howto-name") id="[^"]+">([^<]+)<', html)
    return {unescape(name) for name in today + cards}


def all_pages(client, assessment) -> dict[str, str]:
    """The programme's pages as the runner can open them: today, the whole plan, the print."""
    return {name: client.get(url(name, assessment)).content.decode() for name in PAGES}


def linked_exercises(html: str) -> set[str]:
    return set(re.findall(r'href="#ex-([a-z0-9-]+)"', html))


def error_summary(html: str) -> str:
    match = re.search(r'<div class="alert alert-danger" role="alert" id="error-summary">(.*?)</div>', html, re.S)
    assert match, "no error summary on the page"
    return match.group(1)


def stored(check_in: CheckIn) -> tuple:
    check_in.refresh_from_db()
    return (
        check_in.day,
        check_in.pain_now,
        check_in.routine_done,
        check_in.run,
        check_in.distance,
        check_in.warning_signs,
        check_in.note,
    )


# --- the daily plan ---------------------------------------------------------------------------


def test_a_self_care_runner_sees_todays_routine_with_dosage_and_why(client, library):
    assessment = assessment_with()
    today = plan(assessment).today
    response = client.get(url("programs:program", assessment))
    assert response.status_code == 200
    section = today_section(response.content.decode())

    entries = today.warm_up + today.exercises
    assert today.kind == "training" and len(today.exercises) >= 4
    for entry in entries:
        assert f'id="today-{entry.slug}"' in section, entry.slug
        assert escape(entry.name) in section
        assert escape(entry.dosage_text) in section
    assert section.count("Why this one:") == len(entries)
    assert section.count("How to do it</summary>") == len(entries)
    assert "Day 1 of 28, week 1" in section
    assert "Check in for today" in section
    # Each exercise can be ticked done, in a form of its own with the CSRF token.
    controls = Controls(section)
    assert [c["value"] for c in controls.named("done")] == [e.slug for e in entries]
    assert [controls.label(c) for c in controls.named("done")] == [f"Done: {e.name}" for e in entries]


def test_the_daily_page_shows_today_then_the_week_and_progress_with_the_rest_one_tap_away(client, library):
    assessment = assessment_with(sitting_hours=9, lumbar_support="no", breaks="rarely")
    html = client.get(url("programs:program", assessment)).content.decode()

    # Today first, then the week as a strip of 7 days, then the progress.
    assert html.index('id="today"') < html.index('id="week-heading"') < html.index('id="progress-heading"')
    assert "This week (week 1 of 4)" in html
    assert html.count('<li class="week-day ') == 7
    assert html.count(" (today): ") == 1
    progress = html[html.index('id="progress-heading"') :]
    assert re.search(r'<svg [^>]*role="img"', progress)
    assert '<p class="chart-summary">Your pain was 3 out of 10 at the start.' in progress

    # Nothing repeated: the whole plan and the how-to cards are on their own page, one tap away.
    assert '<li class="day day-' not in html
    assert "card exercise" not in html
    for name in ("programs:plan", "programs:print"):
        assert f'href="{url(name, assessment)}"' in html
    assert f'href="{url("programs:plan", assessment)}#howto-heading"' in html
    advice = assessment.result["advice"]
    assert advice, "this runner's answers give advice"
    assert f"<summary>Advice for you ({len(advice)})</summary>" in html
    for item in advice:
        assert escape(item["title"]) in html
    assert "not a diagnosis" in html


def test_the_whole_plan_page_has_four_weeks_this_week_open_and_each_exercise_explained_once(client, library):
    assessment = assessment_with(days_ago=8)
    program = plan(assessment)
    html = client.get(url("programs:plan", assessment)).content.decode()
    assert re.search(r'<details class="week mb-2" open>\s*<summary>Week 2 \(this week\)</summary>', html)
    for week in (1, 3, 4):
        assert f"<summary>Week {week}</summary>" in html
    assert html.count('<li class="day day-') == 28
    assert sorted(exercise_cards(html)) == sorted(e.slug for e in program.exercises)
    assert linked_exercises(html) <= set(exercise_cards(html))
    assert f'href="{url("programs:program", assessment)}"' in html


def test_the_programme_pages_are_never_cached_or_indexed(client, library):
    assessment = assessment_with()
    for name in ("programs:program", "programs:print", "programs:check_in"):
        response = client.get(url(name, assessment))
        assert response.status_code == 200, name
        assert "no-store" in response.headers["Cache-Control"], name
        assert response.headers["X-Robots-Tag"] == "noindex, nofollow", name
        assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode(), name


def test_a_later_day_shows_where_the_runner_is_in_the_plan(client, library):
    assessment = assessment_with(days_ago=8)
    html = client.get(url("programs:program", assessment)).content.decode()
    assert "Day 9 of 28, week 2" in today_section(html)
    assert "This week (week 2 of 4)" in html
    # The strip marks today, and the 8 days gone by as past.
    assert html.count('class="week-day ') == 7
    assert html.count(" is-past") == 1  # day 8, in week 2
    assert re.search(r'<li class="week-day [a-z_-]+ is-today">', html)


def test_after_four_weeks_the_plan_says_it_is_complete(client, library):
    assessment = assessment_with(days_ago=30)
    CheckIn.objects.create(
        assessment=assessment, day=timezone.localdate(), pain_now=1, routine_done="all", run="no_pain", distance=5
    )
    html = client.get(url("programs:program", assessment)).content.decode()
    assert "Your 4-week plan is over" in html
    assert "After your 4-week plan" in html
    assert "This week (week" not in html
    assert "Update today&#x27;s check-in" in html or "Update today's check-in" in html


def test_after_four_weeks_the_check_in_rules_still_decide_today(client, library):
    assessment = assessment_with(days_ago=40)
    CheckIn.objects.create(assessment=assessment, day=timezone.localdate(), pain_now=9, routine_done="none")
    html = client.get(url("programs:program", assessment)).content.decode()
    assert "Your 4-week plan is over" in html
    assert "Rest day: easy walking and gentle movement" in html
    assert "your pain was 9/10 at your check-in" in html
    # No exercise the flare rules out is shown, today or in the instructions.
    cautioned = {e.name for e in Exercise.objects.all() if "acute_flare" in e.cautions}
    for name, page in all_pages(client, assessment).items():
        shown = exercise_names(page)
        assert shown and not shown & cautioned, name


def test_once_a_professional_is_advised_the_instructions_show_only_gentle_exercises(client, library):
    assessment = assessment_with(days_ago=14)
    for days_ago in (3, 2):  # pain above the start (3) at two check-ins in a row
        CheckIn.objects.create(
            assessment=assessment, day=timezone.localdate() - timedelta(days=days_ago), pain_now=4, routine_done="all"
        )
    gentle = set(Exercise.objects.filter(gentle=True).values_list("name", flat=True))
    for name, html in all_pages(client, assessment).items():
        assert "Book an appointment with a professional" in html, name
        shown = exercise_names(html)
        assert shown and shown <= gentle, name


def test_a_sign_the_assessment_already_knew_does_not_stop_the_plan(client, library):
    assessment = assessment_with(night_pain=True)  # urgent: gentle movement only
    client.post(
        url("programs:check_in", assessment), check_in_data(warning_signs=["night_pain"], no_warning_signs=None)
    )
    html = client.get(url("programs:program", assessment)).content.decode()
    assert "Stop the exercises and get medical help now" not in html
    assert "See a doctor within a day or two" in html

    client.post(
        url("programs:check_in", assessment), check_in_data(warning_signs=["bladder_bowel"], no_warning_signs=None)
    )
    html = client.get(url("programs:program", assessment)).content.decode()
    assert "Stop the exercises and get medical help now" in html
    form_page = client.get(url("programs:check_in", assessment)).content.decode()
    assert "You reported a warning sign on" in form_page


def test_after_four_weeks_the_whole_plan_can_still_be_printed(client, library):
    assessment = assessment_with(days_ago=30)
    html = client.get(url("programs:print", assessment)).content.decode()
    for week in range(1, 5):
        assert f'id="print-week-{week}">Week {week}:' in html


def test_after_four_weeks_the_runner_can_still_check_in(client, library):
    assessment = assessment_with(days_ago=30)
    response = client.post(url("programs:check_in", assessment), check_in_data(pain_now="1"))
    assert response.status_code == 302
    assert CheckIn.objects.get().pain_now == 1


def test_an_emergency_result_has_no_exercises_only_what_to_do_now(client, library):
    assessment = assessment_with(saddle_numbness=True)
    assert assessment.triage == "emergency"
    assert assessment.pain_now is None  # the questionnaire ended at the warning signs
    html = client.get(url("programs:program", assessment)).content.decode()
    assert "Seek emergency care now" in html
    assert 'role="alert"' in html
    assert WHEN_TO_ACT["emergency"] in html
    assert "numbness or tingling in the saddle area" in html
    assert exercise_cards(html) == []
    assert not linked_exercises(html)
    assert 'id="today"' not in html
    assert "The whole 4-week plan" not in html
    assert "Check in for today" not in html
    assert 'href="tel:999"' in html and 'href="tel:112"' in html

    printed = client.get(url("programs:print", assessment)).content.decode()
    assert "There is no exercise plan to print" in printed
    assert exercise_cards(printed) == []
    assert exercise_cards(client.get(url("programs:plan", assessment)).content.decode()) == []


def test_an_emergency_result_has_no_check_in_form_and_a_posted_check_in_stores_nothing(client, library):
    assessment = assessment_with(bladder_bowel=True)
    check_in_url = url("programs:check_in", assessment)
    page = client.get(check_in_url).content.decode()
    assert "No check-ins: please see a doctor first" in page
    assert "<form" not in page

    response = client.post(check_in_url, check_in_data())
    assert response.status_code == 200
    assert "No check-ins: please see a doctor first" in response.content.decode()
    assert CheckIn.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "tier", "heading"),
    [
        ({"night_pain": True}, "urgent", "See a doctor within a day or two: gentle movement only"),
        (
            {"pain_areas": ["lower_back_centre", "below_knee"]},
            "routine",
            "Book an appointment with a professional: gentle movement until then",
        ),
    ],
)
def test_a_see_a_professional_result_says_how_soon_and_keeps_to_gentle_exercises(
    client, library, overrides, tier, heading
):
    assessment = assessment_with(overrides)
    assert assessment.tier == tier
    html = client.get(url("programs:program", assessment)).content.decode()

    banner = html[html.index('class="alert alert-warning') : html.index("</section>")]
    assert heading in banner
    assert WHEN_TO_ACT[tier] in banner
    assert "Gentle movement only" in today_section(html)

    gentle = set(Exercise.objects.filter(gentle=True).values_list("slug", flat=True))
    for name, page in all_pages(client, assessment).items():
        assert heading in page, name
        shown = set(exercise_cards(page)) | linked_exercises(page)
        assert shown, f"{name}: a gentle plan still has exercises"
        assert shown <= gentle, f"{name}, not gentle: {sorted(shown - gentle)}"
    # The banner gives the reasons; today's status does not repeat them.
    reasons = assessment.result["triage_reasons"]
    for reason in reasons:
        assert html.count(escape(reason["text"])) == 1


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"pain_now": 7}, "your pain is high today (7/10)"),
        ({"run_pain_change": "much_worse"}, "your pain rose by 2 points or more after your last run"),
    ],
)
def test_a_rest_day_result_makes_day_one_a_rest_day_with_its_reason(client, library, overrides, reason):
    assessment = assessment_with(overrides)
    assert assessment.rest_day
    section = today_section(client.get(url("programs:program", assessment)).content.decode())
    rest = section[section.index('class="day-status day-status-rest"') :]
    assert "Rest day: easy walking and gentle movement" in rest
    assert escape(reason) in rest
    assert section.count(escape(reason)) == 1
    assert "Easy options for today" in section
    assert "Today's exercises" not in section


@pytest.mark.parametrize("days_ago", [0, 22])  # day 1, and week 4 with its harder versions
@pytest.mark.parametrize(
    "overrides",
    [
        {"pain_when": ["bending", "arching"]},
        {"pain_areas": ["lower_back_centre", "knee"], "run_pain_change": "much_worse"},
        {"pain_areas": ["lower_back_centre", "below_knee"]},
    ],
)
def test_no_exercise_shown_has_a_caution_that_matches_the_runners_flags(client, library, overrides, days_ago):
    assessment = assessment_with(overrides, days_ago=days_ago)
    flags = {flag["code"] for flag in assessment.result["flags"]}
    assert flags, "these answers raise caution flags"
    cautions = dict(Exercise.objects.values_list("slug", "cautions"))
    for name in PAGES:
        html = client.get(url(name, assessment)).content.decode()
        shown = set(exercise_cards(html)) | linked_exercises(html)
        assert shown, name
        clashes = {slug: cautions[slug] for slug in shown if flags & set(cautions[slug])}
        assert not clashes, f"{name} shows exercises with a caution for {sorted(flags)}: {clashes}"


def suggested_variants(html: str) -> set[str]:
    """The exercises the instruction cards point to: "Too hard? Try …", "Later, the harder version is …"."""
    return {unescape(name) for name in re.findall(r"(?:Too hard\? Try|the harder version is) “([^”]+)”", html)}


@pytest.mark.parametrize(
    "overrides",
    [
        {"pain_areas": ["lower_back_centre", "knee"]},  # knee pain: "Try the half-kneeling hip-flexor stretch"
        {"pain_when": ["bending", "arching"]},  # bending hurts: "the harder version is the single-leg deadlift"
    ],
)
def test_the_instructions_never_suggest_a_variant_whose_caution_matches_the_runners_flags(client, library, overrides):
    assessment = assessment_with(overrides)
    flags = {flag["code"] for flag in assessment.result["flags"]}
    cautions = dict(Exercise.objects.values_list("name", "cautions"))
    html = client.get(url("programs:plan", assessment)).content.decode()
    assert suggested_variants(html), "the instructions suggest variants"
    clashes = {name: cautions[name] for name in suggested_variants(html) if flags & set(cautions[name])}
    assert not clashes, f"suggested to a runner flagged {sorted(flags)}: {clashes}"


def test_a_gentle_only_plan_never_points_to_a_harder_exercise(client, library):
    assessment = assessment_with(night_pain=True)
    gentle = set(Exercise.objects.filter(gentle=True).values_list("name", flat=True))
    for name, html in all_pages(client, assessment).items():
        assert "hold off on running and harder exercises" in html, name
        assert suggested_variants(html) <= gentle, sorted(suggested_variants(html) - gentle)


@pytest.mark.parametrize(
    ("overrides", "days_ago"),
    [({}, 0), ({}, 22), ({"night_pain": True}, 8), ({"pain_now": 7}, 0)],
)
def test_every_link_within_a_programme_page_leads_somewhere(client, library, overrides, days_ago):
    assessment = assessment_with(overrides, days_ago=days_ago)
    for name in (*PAGES, "programs:check_in"):
        html = client.get(url(name, assessment)).content.decode()
        ids = re.findall(r'\sid="([^"]+)"', html)
        assert len(ids) == len(set(ids)), f"{name}: repeated ids {sorted({i for i in ids if ids.count(i) > 1})}"
        broken = set(re.findall(r'href="#([^"]+)"', html)) - set(ids)
        assert not broken, f"{name}: links to missing ids {sorted(broken)}"


def test_a_prevention_runner_gets_a_full_plan_from_pain_0(client, library):
    assessment = Assessment.objects.create_from_answers(dict(PREVENTION_ANSWERS))
    assert assessment.pain_now == 0 and assessment.result["prevention"]
    today = plan(assessment).today
    assert today.kind == "training" and len(today.exercises) >= 4

    html = client.get(url("programs:program", assessment)).content.decode()
    section = today_section(html)
    assert escape("Today's exercises") in section
    for entry in today.warm_up + today.exercises:
        assert f'id="today-{entry.slug}"' in section, entry.slug
    assert 'id="status-heading"' not in html  # neither stopped nor gentle
    assert '<p class="chart-summary">Your pain was 0 out of 10 at the start.' in html

    response = client.post(url("programs:check_in", assessment), check_in_data(pain_now="0"), follow=True)
    assert CheckIn.objects.get().pain_now == 0
    assert "It did not change today&#x27;s plan." in response.content.decode()


# --- the check-in ---------------------------------------------------------------------------


def test_the_check_in_asks_pain_as_eleven_labelled_buttons_from_0_to_10(client, library):
    assessment = assessment_with()
    html = client.get(url("programs:check_in", assessment)).content.decode()
    controls = Controls(html)

    buttons = controls.named("pain_now")
    assert [b.get("type") for b in buttons] == ["radio"] * 11
    assert [b.get("value") for b in buttons] == [str(n) for n in range(11)]
    assert [b.get("id") for b in buttons] == [f"id_pain_now_{n}" for n in range(11)]
    assert [controls.label(b) for b in buttons] == [str(n) for n in range(11)]
    assert not [b for b in buttons if "checked" in b]  # no answer is chosen for the runner
    # One question, under one legend.
    assert re.search(r"<fieldset[^>]*>\s*<legend>How much does your back hurt right now\?", html)


@pytest.mark.parametrize("pain", [0, 10])
def test_any_button_of_the_pain_scale_is_saved_and_shown_chosen_again(client, library, pain):
    assessment = assessment_with()
    check_in_url = url("programs:check_in", assessment)
    response = client.post(check_in_url, check_in_data(pain_now=str(pain)))
    assert response.status_code == 302
    assert CheckIn.objects.get().pain_now == pain

    buttons = Controls(client.get(check_in_url).content.decode()).named("pain_now")
    assert [b["value"] for b in buttons if "checked" in b] == [str(pain)]


def test_the_check_in_asks_the_warning_signs_under_their_current_codes(client, library):
    controls = Controls(client.get(url("programs:check_in", assessment_with())).content.decode())
    boxes = controls.named("warning_signs")
    assert [b["value"] for b in boxes] == list(CHECK_IN_SIGNS)
    assert {"both_legs_nerve", "thoracic_constant"} <= set(CHECK_IN_SIGNS)
    assert not set(qn.REPLACED_BY) & set(CHECK_IN_SIGNS)
    assert [controls.label(b) for b in boxes] == [qn.QUESTIONS[code].label for code in CHECK_IN_SIGNS]


def test_a_check_in_is_stored_and_the_plan_shows_how_it_changed_today(client, library):
    assessment = assessment_with()  # pain 3 at the start
    response = client.post(url("programs:check_in", assessment), check_in_data(pain_now="5", routine_done="some"))

    assert response.status_code == 302
    # The page opens at its top, where the message is: not scrolled past it to #today.
    assert response.url == url("programs:program", assessment)
    check_in = CheckIn.objects.get()
    assert (check_in.assessment, check_in.day, check_in.pain_now) == (assessment, timezone.localdate(), 5)
    assert (check_in.routine_done, check_in.run, check_in.warning_signs) == ("some", "no_run", [])

    html = client.get(response.url).content.decode()
    # Said once, at the top: saved, and what changed; the reason once, in today's status.
    message = re.search(r'<div class="alert alert-success" role="status">(.*?)</div>', html, re.S).group(1)
    assert "Your check-in for today is saved. It changed today&#x27;s plan: today is a rest day." in message
    assert html.index(message) < html.index('id="today"')
    section = today_section(html)
    today = timezone.localdate()
    reason = f"your pain rose from 3/10 at the start to 5/10 on {today.day} {today:%B}"
    assert html.count(reason) == 1 and reason in section
    assert 'class="day-status day-status-rest"' in section
    assert "Update today's check-in" in section
    assert "Checked in today: pain 5/10" in section


def test_a_check_in_that_changes_nothing_says_so(client, library):
    assessment = assessment_with()
    response = client.post(url("programs:check_in", assessment), check_in_data(pain_now="2"), follow=True)
    html = response.content.decode()
    assert "Your check-in for today is saved. It did not change today&#x27;s plan." in html
    assert "It changed" not in html
    # The message is shown once: not again on the next visit.
    assert "It did not change" not in client.get(url("programs:program", assessment)).content.decode()


def test_a_second_check_in_on_the_same_day_updates_the_first(client, library):
    assessment = assessment_with()
    check_in_url = url("programs:check_in", assessment)
    client.post(check_in_url, check_in_data(pain_now="2"))
    response = client.post(
        check_in_url,
        check_in_data(pain_now="4", routine_done="none", run="no_pain", distance="7.5", note="easy jog"),
        follow=True,
    )
    assert "Your check-in for today is updated." in response.content.decode()
    check_in = CheckIn.objects.get()
    assert (check_in.pain_now, check_in.routine_done, check_in.run) == (4, "none", "no_pain")
    assert str(check_in.distance) == "7.5"
    assert check_in.note == "easy jog"


def test_the_check_in_form_shows_todays_answers_when_checking_in_again(client, library):
    assessment = assessment_with()
    CheckIn.objects.create(
        assessment=assessment, day=timezone.localdate(), pain_now=6, routine_done="some", run="after", distance=5
    )
    html = client.get(url("programs:check_in", assessment)).content.decode()
    assert "You have already checked in today" in html
    assert re.search(r'name="pain_now" value="6"[^>]*checked', html)
    assert re.search(r'name="run" value="after"[^>]*checked', html)
    assert re.search(r'name="no_warning_signs"[^>]*checked', html)


def test_a_missed_earlier_day_can_be_checked_in_later(client, library):
    assessment = assessment_with(days_ago=3)
    day = timezone.localdate() - timedelta(days=2)
    response = client.post(url("programs:check_in", assessment), check_in_data(day=day.isoformat()), follow=True)
    assert f"Your check-in for {day.day} {day:%B} is saved." in response.content.decode()
    assert CheckIn.objects.get().day == day


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"pain_now": "11"}, "pain_now", "Please choose a number from 0 to 10."),
        ({"pain_now": "-1"}, "pain_now", "Please choose a number from 0 to 10."),
        ({"pain_now": "abc"}, "pain_now", "Please choose a number from 0 to 10."),
        ({"pain_now": None}, "pain_now", "Please choose a number from 0 to 10."),
        ({"routine_done": None}, "routine_done", "Please choose one answer."),
        ({"run": None}, "run", "Please choose one answer."),
        ({"run": "sprinted"}, "run", "Please choose one of the answers shown."),
        ({"day": None}, "day", "Please give the day."),
        ({"day": "2026-02-30"}, "day", "Please give a date such as 2026-11-27."),
        ({"day": "yesterday"}, "day", "Please give a date such as 2026-11-27."),
        ({"day": "tomorrow"}, "day", "That day has not come yet. Check in for today or an earlier day."),
        ({"day": "before the start"}, "day", "Your plan started on"),
        ({"distance": "5"}, "distance", "You said you did not run today: leave the distance empty"),
        ({"run": "no_pain", "distance": "-2"}, "distance", "Please enter a distance from 0 to 200."),
        ({"run": "no_pain", "distance": "far"}, "distance", "Please enter a number, such as 5 or 7.5."),
        (
            {"warning_signs": "night_pain"},
            "no_warning_signs",
            "You ticked a warning sign and also &#x27;None of these&#x27;: please check.",
        ),
        (
            {"no_warning_signs": None},
            "warning_signs",
            "Tick any warning sign you have noticed, or tick &#x27;None of these&#x27;.",
        ),
        ({"note": "x" * 501}, "note", "Please keep the note to 500 characters."),
    ],
)
def test_a_bad_check_in_is_explained_in_an_error_summary_and_changes_nothing(client, library, changes, field, message):
    assessment = assessment_with(days_ago=2)
    earlier = CheckIn.objects.create(
        assessment=assessment, day=timezone.localdate(), pain_now=2, routine_done="all", run="no_run"
    )
    before = stored(earlier)
    days = {
        "tomorrow": timezone.localdate() + timedelta(days=1),
        "before the start": timezone.localdate(assessment.created) - timedelta(days=1),
    }
    if changes.get("day") in days:
        changes = {"day": days[changes["day"]].isoformat()}

    response = client.post(url("programs:check_in", assessment), check_in_data(**{"pain_now": "8", **changes}))

    assert response.status_code == 200
    html = response.content.decode()
    summary = error_summary(html)
    assert message in summary
    # The summary links to the question, and the link leads somewhere.
    target = re.search(rf'href="#(id_{field}(?:_0)?)"', summary)
    assert target, summary
    assert f'id="{target.group(1)}"' in html
    assert CheckIn.objects.count() == 1
    assert stored(earlier) == before


def test_the_start_date_in_the_message_is_the_plans_first_day(client, library):
    assessment = assessment_with(days_ago=2)
    start = timezone.localdate(assessment.created)
    day = (start - timedelta(days=1)).isoformat()
    html = client.post(url("programs:check_in", assessment), check_in_data(day=day)).content.decode()
    assert f"Your plan started on {start.day} {start:%B %Y}. Choose that day or a later one." in error_summary(html)
    assert CheckIn.objects.count() == 0


@pytest.mark.parametrize("name", ["programs:program", "programs:print", "programs:check_in"])
def test_a_forged_token_gives_404(client, library, name):
    assessment_with()
    assert client.get(url(name, FORGED_TOKEN)).status_code == 404
    if name == "programs:check_in":
        assert client.post(url(name, FORGED_TOKEN), check_in_data()).status_code == 404
        assert CheckIn.objects.count() == 0


def test_a_check_in_for_one_runner_never_touches_another_runners_check_ins(client, library):
    runner_a, runner_b = assessment_with(), assessment_with(nickname="Bea")
    a_check_in = CheckIn.objects.create(
        assessment=runner_a, day=timezone.localdate(), pain_now=2, routine_done="all", run="no_run"
    )
    before = stored(a_check_in)

    # Even naming runner A's assessment in the form does not reach it.
    data = check_in_data(pain_now="8", routine_done="none", assessment=str(runner_a.pk))
    response = client.post(url("programs:check_in", runner_b), data)

    assert response.status_code == 302
    assert stored(a_check_in) == before
    assert runner_a.check_ins.count() == 1
    assert runner_b.check_ins.get().pain_now == 8
    a_page = client.get(url("programs:program", runner_a)).content.decode()
    assert "pain 2/10" in a_page
    assert "8 out of 10" not in a_page


def test_a_new_warning_sign_at_a_check_in_stops_the_plan(client, library):
    assessment = assessment_with(days_ago=3)
    response = client.post(
        url("programs:check_in", assessment),
        check_in_data(warning_signs=["saddle_numbness", "leg_weakness"], no_warning_signs=None),
        follow=True,
    )
    assert CheckIn.objects.get().warning_signs == ["saddle_numbness", "leg_weakness"]
    html = response.content.decode()
    assert "Stop the exercises and get medical help now" in html
    assert re.search(r'<section class="alert alert-danger triage triage-emergency" role="alert"', html)
    assert WHEN_TO_ACT["emergency"] in html
    today = timezone.localdate()
    assert f"at your check-in on {today.day} {today:%B} you reported: numbness or tingling around the genitals" in html
    assert exercise_cards(html) == []
    assert not linked_exercises(html)
    assert 'id="today"' not in html
    assert "Correct today's check-in" in html

    printed = client.get(url("programs:print", assessment)).content.decode()
    assert "There is no exercise plan to print" in printed
    assert exercise_cards(printed) == []


def test_a_check_in_reporting_pain_or_numbness_in_both_legs_stops_the_plan(client, library):
    assessment = assessment_with(days_ago=3)
    check_in_url = url("programs:check_in", assessment)
    response = client.post(
        check_in_url, check_in_data(warning_signs=["both_legs_nerve"], no_warning_signs=None), follow=True
    )
    assert CheckIn.objects.get().warning_signs == ["both_legs_nerve"]
    html = response.content.decode()
    assert "Stop the exercises and get medical help now" in html
    words = qn.QUESTIONS["both_legs_nerve"].label.lower()
    today = timezone.localdate()
    assert escape(f"at your check-in on {today.day} {today:%B} you reported: {words}") in html
    assert exercise_cards(html) == []
    assert 'id="today"' not in html
    assert "You reported a warning sign on" in client.get(check_in_url).content.decode()


def test_a_check_in_cannot_send_a_sign_under_its_old_code(client, library):
    assessment = assessment_with()
    response = client.post(
        url("programs:check_in", assessment), check_in_data(warning_signs=["both_legs"], no_warning_signs=None)
    )
    assert response.status_code == 200
    assert "both_legs is not one of the available choices" in error_summary(response.content.decode())
    assert CheckIn.objects.count() == 0


def test_a_check_in_stored_under_an_old_sign_code_still_shows_the_sign_in_words(client, library):
    assessment = old_assessment(days_ago=5)
    day = timezone.localdate() - timedelta(days=2)
    CheckIn.objects.create(
        assessment=assessment, day=day, pain_now=3, routine_done="all", run="no_run", warning_signs=["thoracic_pain"]
    )
    words = qn.label_of("thoracic_pain").lower()
    assert "thoracic_pain" not in qn.QUESTIONS and words == "pain mainly between the shoulder blades"

    for name in ("programs:program", "programs:print"):
        response = client.get(url(name, assessment))
        assert response.status_code == 200, name
        html = response.content.decode()
        assert "Stop the exercises and get medical help now" in html, name
        assert escape(f"at your check-in on {day.day} {day:%B} you reported: {words}") in html, name
        assert "thoracic_pain" not in html, name
    check_in_url = url("programs:check_in", assessment)
    response = client.get(check_in_url)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"You reported a warning sign on {day.day} {day:%B}" in html
    assert "thoracic_pain" not in html

    # Corrected with today's form (no sign by mistake), the plan comes back.
    response = client.post(check_in_url, check_in_data(day=day.isoformat()))
    assert response.status_code == 302
    assert CheckIn.objects.get().warning_signs == []
    assert "Stop the exercises" not in client.get(url("programs:program", assessment)).content.decode()


def test_a_sign_an_old_assessment_triaged_under_its_old_code_is_not_new_at_a_check_in(client, library):
    assessment = old_assessment(thoracic_pain=True)  # urgent: gentle movement only
    assert assessment.tier == "urgent"
    assert assessment.result["triage_reasons"][0]["answers"] == ["thoracic_pain"]
    client.post(
        url("programs:check_in", assessment), check_in_data(warning_signs=["thoracic_constant"], no_warning_signs=None)
    )
    assert CheckIn.objects.get().warning_signs == ["thoracic_constant"]
    html = client.get(url("programs:program", assessment)).content.decode()
    assert "Stop the exercises and get medical help now" not in html
    assert "See a doctor within a day or two" in html
    assert "You reported a warning sign" not in client.get(url("programs:check_in", assessment)).content.decode()


def test_correcting_a_warning_sign_ticked_by_mistake_brings_the_plan_back(client, library):
    assessment = assessment_with()
    check_in_url = url("programs:check_in", assessment)
    client.post(check_in_url, check_in_data(warning_signs="fever_unwell", no_warning_signs=None))
    assert exercise_cards(client.get(url("programs:program", assessment)).content.decode()) == []

    client.post(check_in_url, check_in_data())
    html = client.get(url("programs:program", assessment)).content.decode()
    assert CheckIn.objects.get().warning_signs == []
    assert "Stop the exercises" not in html
    assert exercise_cards(html)


def test_a_check_in_needs_the_csrf_token(library):
    assessment = assessment_with()
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(url("programs:check_in", assessment), check_in_data())
    assert response.status_code == 403
    assert CheckIn.objects.count() == 0


def test_the_check_in_form_carries_the_csrf_token(client, library):
    html = client.get(url("programs:check_in", assessment_with())).content.decode()
    assert 'name="csrfmiddlewaretoken"' in html
    assert html.count('name="csrfmiddlewaretoken"') == 1


def test_deleting_the_assessment_deletes_its_check_ins(client, library):
    assessment = assessment_with(days_ago=2)
    other = assessment_with()
    for offset in range(3):
        CheckIn.objects.create(
            assessment=assessment,
            day=timezone.localdate() - timedelta(days=offset),
            pain_now=3,
            routine_done="all",
            run="no_run",
        )
    CheckIn.objects.create(assessment=other, day=timezone.localdate(), pain_now=3, routine_done="all", run="no_run")

    response = client.post(url("assessments:delete", assessment), follow=True)

    assert "Your answers, result and check-ins have been deleted." in response.content.decode()
    assert not Assessment.objects.filter(pk=assessment.pk).exists()
    assert list(CheckIn.objects.values_list("assessment", flat=True)) == [other.pk]
    assert client.get(url("programs:program", assessment)).status_code == 404
    assert client.get(url("programs:check_in", assessment)).status_code == 404


# --- query budgets --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "check_ins"),
    [
        *[(name, n) for name in ("programs:program", "programs:print", "programs:check_in") for n in (0, 27)],
        # 40 daily check-ins reach past the 28 days of the plan.
        pytest.param("programs:program", 40),
        pytest.param("programs:print", 40),
        ("programs:check_in", 40),
    ],
)
def test_the_programme_pages_stay_within_six_queries(client, library, django_assert_max_num_queries, name, check_ins):
    assessment = assessment_with(days_ago=max(check_ins - 1, 0))
    CheckIn.objects.bulk_create(
        CheckIn(
            assessment=assessment,
            day=timezone.localdate() - timedelta(days=offset),
            pain_now=offset % 6,
            routine_done=("all", "some", "none")[offset % 3],
            run=("no_run", "no_pain")[offset % 2],
        )
        for offset in range(check_ins)
    )
    with django_assert_max_num_queries(6):
        response = client.get(url(name, assessment))
    assert response.status_code == 200
    if check_ins and name == "programs:program":
        assert f"Over {check_ins} check-ins" in response.content.decode()


def test_a_cached_plan_page_is_served_in_one_query_and_follows_a_new_check_in(
    client, library, django_assert_max_num_queries
):
    assessment = assessment_with()
    first = client.get(url("programs:program", assessment)).content.decode()
    with django_assert_max_num_queries(1):  # the one query that names what the page shows
        again = client.get(url("programs:program", assessment)).content.decode()
    without_token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert without_token.sub("", again) == without_token.sub("", first)

    client.post(url("programs:check_in", assessment), check_in_data(pain_now="6"))
    after = client.get(url("programs:program", assessment)).content.decode()
    assert "It changed today&#x27;s plan: today is a rest day." in after
    assert "from 3/10 at the start to 6/10" in after


def test_a_cached_plan_page_follows_an_edit_of_the_exercise_library(client, library):
    assessment = assessment_with()
    today = plan(assessment).today
    slug = today.exercises[0].slug
    assert Exercise.objects.get(slug=slug).name in client.get(url("programs:program", assessment)).content.decode()

    Exercise.objects.filter(slug=slug).update(name="Renamed by a clinician", updated=timezone.now())
    assert "Renamed by a clinician" in client.get(url("programs:program", assessment)).content.decode()


# --- the result page and the print page -----------------------------------------------------


def test_the_result_page_links_to_the_plan_unless_it_is_an_emergency(client, library):
    runner = assessment_with()
    urgent = assessment_with(night_pain=True)
    emergency = assessment_with(saddle_numbness=True)
    for assessment in (runner, urgent):
        html = client.get(assessment.get_absolute_url()).content.decode()
        assert f'href="{url("programs:program", assessment)}">See today\'s plan</a>' in html
    html = client.get(emergency.get_absolute_url()).content.decode()
    assert url("programs:program", emergency) not in html
    assert "See today's plan" not in html


def test_the_print_page_has_every_week_and_every_exercise_spelled_out(client, library):
    assessment = assessment_with()
    program = plan(assessment)
    response = client.get(url("programs:print", assessment))
    assert response.status_code == 200
    html = response.content.decode()

    assert "<details" not in html
    for week in program.weeks:
        assert f'<h2 class="h6" id="print-week-{week.number}">Week {week.number}:' in html
        # A row of tick boxes per exercise of the week, a box on each day that holds it.
        boxes = sum(len(day.warm_up + day.exercises) for day in week.days)
        section = html[html.index(f'id="print-week-{week.number}"') :]
        assert section[: section.index("</table>")].count('class="tick-box"') == boxes
    assert program.exercises
    assert sorted(exercise_cards(html)) == sorted(e.slug for e in program.exercises)
    for exercise in program.exercises:
        for step in exercise.steps:
            assert escape(step) in html, (exercise.slug, step)
    # Every exercise a day names has its instructions on the page.
    assert linked_exercises(html) <= set(exercise_cards(html))


def test_a_pregnant_runners_check_in_asks_the_pregnancy_signs_too_and_one_stops_the_plan(client, library):
    assessment = assessment_with(pregnancy="pregnant")
    url = reverse("programs:check_in", args=[assessment.token])
    html = client.get(url).content.decode()
    assert 'value="pregnancy_signs"' in html
    assert (
        'value="pregnancy_signs"'
        not in client.get(reverse("programs:check_in", args=[assessment_with().token])).content.decode()
    )
    response = client.post(url, check_in_data(warning_signs="pregnancy_signs", no_warning_signs=None))
    assert response.status_code == 302
    assert CheckIn.objects.get(assessment=assessment).warning_signs == ["pregnancy_signs"]
    program = client.get(reverse("programs:program", args=[assessment.token])).content.decode()
    assert "Stop the exercises and get medical help now" in program
    assert "you reported: bleeding, leaking fluid, cramps or tightenings" in program
    assert exercise_cards(program) == []


def test_the_check_in_marks_only_its_optional_question_and_names_errors_in_its_title(client, library):
    assessment = assessment_with()
    check_in = reverse("programs:check_in", args=[assessment.token])
    html = client.get(check_in).content.decode()
    assert "(optional)" in html and "<title>Daily check-in" in html
    errors = client.post(check_in, {}).content.decode()
    assert "<title>Error: Daily check-in" in errors


# --- done ticks -----------------------------------------------------------------------------


def tick(client, assessment, slugs, *, day=None, json=False):
    data = {"day": (day or timezone.localdate()).isoformat(), "done": list(slugs)}
    headers = {"Accept": "application/json"} if json else {}
    return client.post(url("programs:ticks", assessment), data, headers=headers)


def ticked_boxes(html: str) -> list[str]:
    return [c["value"] for c in Controls(html).named("done") if "checked" in c]


def test_a_tick_makes_todays_page_anew_and_leaves_the_whole_plan_and_the_print_cached(
    client, library, django_assert_max_num_queries
):
    assessment = assessment_with()
    for name in ("programs:program", "programs:plan", "programs:print"):
        client.get(url(name, assessment))
    first = plan(assessment).today.exercises[0].slug
    tick(client, assessment, [first], json=True)

    for name in ("programs:plan", "programs:print"):
        with django_assert_max_num_queries(1):  # still the kept page: it shows no ticks
            assert client.get(url(name, assessment)).status_code == 200
    assert ticked_boxes(client.get(url("programs:program", assessment)).content.decode()) == [first]


def test_ticking_exercises_done_saves_them_and_the_page_shows_them_ticked(client, library):
    assessment = assessment_with()
    entries = [e.slug for e in plan(assessment).today.warm_up + plan(assessment).today.exercises]
    response = tick(client, assessment, entries[:2])

    assert response.status_code == 302
    assert response.url == url("programs:program", assessment) + "#today"
    assert sorted(assessment.ticks.values_list("exercise", flat=True)) == sorted(entries[:2])
    html = client.get(response.url).content.decode()
    assert f"Saved: 2 of {len(entries)} done today." in html
    assert ticked_boxes(html) == entries[:2]
    assert f"2 of {len(entries)} done</p>" in html

    # Unticking one keeps the other.
    tick(client, assessment, entries[1:2])
    assert list(assessment.ticks.values_list("exercise", flat=True)) == [entries[1]]
    assert ticked_boxes(client.get(response.url).content.decode()) == entries[1:2]


def test_the_pages_script_saves_ticks_and_gets_the_count_back_as_json(client, library):
    assessment = assessment_with()
    today = plan(assessment).today
    entries = [e.slug for e in today.warm_up + today.exercises]
    response = tick(client, assessment, entries, json=True)
    assert response.status_code == 200
    assert response.json() == {
        "message": f"Saved: {len(entries)} of {len(entries)} done today.",
        "ticked": len(entries),
        "planned": len(entries),
    }
    assert assessment.ticks.count() == len(entries)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"done": ["not-an-exercise"]}, "That exercise is not in today&#x27;s plan any more."),
        ({"day": "yesterday"}, "Those ticks were for"),
        ({"day": "tomorrow"}, "Those ticks were for"),
        ({"day": "2026-02-30"}, "Those ticks came without their day"),
        ({"day": ""}, "Those ticks came without their day"),
    ],
)
def test_a_bad_tick_is_explained_and_changes_nothing(client, library, data, message):
    assessment = assessment_with(days_ago=2)
    first = plan(assessment).today.exercises[0].slug
    tick(client, assessment, [first])
    days = {"yesterday": timezone.localdate() - timedelta(days=1), "tomorrow": timezone.localdate() + timedelta(days=1)}
    body = {"day": timezone.localdate().isoformat(), "done": [first], **data}
    if body["day"] in days:
        body["day"] = days[body["day"]].isoformat()

    response = client.post(url("programs:ticks", assessment), body, follow=True)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert list(assessment.ticks.values_list("exercise", flat=True)) == [first]

    as_json = client.post(url("programs:ticks", assessment), body, headers={"Accept": "application/json"})
    assert as_json.status_code == 400
    assert unescape(message) in as_json.json()["error"]
    assert list(assessment.ticks.values_list("exercise", flat=True)) == [first]


def test_a_stopped_plan_has_nothing_to_tick(client, library):
    assessment = assessment_with(saddle_numbness=True)
    response = tick(client, assessment, ["easy-walk"], json=True)
    assert response.status_code == 400
    assert "There is nothing to tick today" in response.json()["error"]
    assert not Tick.objects.exists()


def test_ticks_need_the_csrf_token_and_the_right_private_link(library):
    assessment = assessment_with()
    first = plan(assessment).today.exercises[0].slug
    strict = Client(enforce_csrf_checks=True)
    assert tick(strict, assessment, [first]).status_code == 403
    client = Client()
    forged = client.post(url("programs:ticks", FORGED_TOKEN), {"day": timezone.localdate(), "done": [first]})
    assert forged.status_code == 404
    assert client.get(url("programs:ticks", assessment)).status_code == 405
    assert not Tick.objects.exists()


def test_the_check_in_takes_how_much_was_done_from_the_ticks(client, library):
    assessment = assessment_with()
    today = plan(assessment).today
    entries = [e.slug for e in today.warm_up + today.exercises]
    tick(client, assessment, entries)

    form = client.get(url("programs:check_in", assessment)).content.decode()
    assert f"From your ticks on today&#x27;s plan: {len(entries)} of {len(entries)} done." in form
    assert re.search(r'name="routine_done" value="all"[^>]*checked', form)

    client.post(url("programs:check_in", assessment), check_in_data(routine_done="all"))
    assert CheckIn.objects.get().routine_done == "all"
    # Unticking some after the check-in corrects how much was done.
    tick(client, assessment, entries[:1])
    assert CheckIn.objects.get().routine_done == "some"


def test_the_ticks_of_one_runner_never_show_on_anothers_plan(client, library):
    runner_a, runner_b = assessment_with(), assessment_with(nickname="Bea")
    first = plan(runner_a).today.exercises[0].slug
    tick(client, runner_a, [first])
    assert ticked_boxes(client.get(url("programs:program", runner_a)).content.decode()) == [first]
    assert ticked_boxes(client.get(url("programs:program", runner_b)).content.decode()) == []


# --- calendar reminders ---------------------------------------------------------------------


def test_the_plan_downloads_as_a_valid_calendar_of_reminders_from_today(client, library):
    from icalendar import Calendar

    assessment = assessment_with(days_ago=2)
    program = plan(assessment)
    response = client.get(url("programs:calendar", assessment), {"at": "18:45"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="back-routine.ics"'
    assert "no-store" in response["Cache-Control"]

    calendar = Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    events = calendar.walk("VEVENT")
    days = [d for d in program.days if d.date >= timezone.localdate()]
    assert len(events) == len(days) == 26
    page = "http://testserver" + url("programs:program", assessment)
    for event, day in zip(events, days, strict=True):
        start = event.decoded("DTSTART")
        assert (start.date(), start.hour, start.minute, start.tzinfo) == (day.date, 18, 45, None)  # floating
        assert event.decoded("DTEND") > start
        assert str(event["URL"]) == page and page in str(event["DESCRIPTION"])
        assert assessment.token not in str(event["UID"])
        alarm = event.walk("VALARM")[0]
        assert (str(alarm["ACTION"]), alarm.decoded("TRIGGER")) == ("DISPLAY", timedelta(0))
    summaries = {str(e["SUMMARY"]) for e in events}
    assert "Easy day: walk and gentle movement" in summaries
    assert any(s.startswith("Back routine: about ") for s in summaries)
    assert len({str(e["UID"]) for e in events}) == len(events)


@pytest.mark.parametrize("at", ["", "25:00", "soon"])
def test_a_bad_reminder_time_is_explained_and_gives_no_file(client, library, at):
    assessment = assessment_with()
    response = client.get(url("programs:calendar", assessment), {"at": at}, follow=True)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Please give a time for the reminders, such as 07:30." in response.content.decode()


def test_a_stopped_plan_has_no_calendar_and_a_forged_link_none_either(client, library):
    emergency = assessment_with(saddle_numbness=True)
    response = client.get(url("programs:calendar", emergency), {"at": "07:30"}, follow=True)
    assert "There is no plan to put in a calendar" in response.content.decode()
    assert client.get(url("programs:calendar", FORGED_TOKEN), {"at": "07:30"}).status_code == 404


# --- installable and readable offline -------------------------------------------------------


def test_the_plan_has_a_manifest_that_opens_today_from_the_home_screen(client, library):
    assessment = assessment_with()
    html = client.get(url("programs:program", assessment)).content.decode()
    manifest_url = url("programs:manifest", assessment)
    assert f'<link rel="manifest" href="{manifest_url}">' in html
    response = client.get(manifest_url)
    assert response["Content-Type"] == "application/manifest+json"
    assert "no-store" in response["Cache-Control"]
    manifest = response.json()
    assert manifest["start_url"] == url("programs:program", assessment)
    assert manifest["scope"] == assessment.get_absolute_url()
    assert manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].split(settings.STATIC_URL, 1)[1]), icon["src"]
    assert client.get(url("programs:manifest", FORGED_TOKEN)).status_code == 404
    # An emergency result has no plan to install.
    emergency = assessment_with(saddle_numbness=True)
    assert 'rel="manifest"' not in client.get(emergency.get_absolute_url()).content.decode()


def test_the_service_worker_is_served_from_the_root_and_keeps_only_the_runners_pages(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript; charset=utf-8"
    assert response["Cache-Control"] == "no-cache"
    script = response.content.decode()
    assert re.search(r'var CACHE = "backpain-[0-9a-f]{12}";', script)
    assert 'var OFFLINE = "/offline/";' in script
    kept = re.search(r"var KEPT = /(.+)/;", script).group(1).replace("\\/", "/")
    token = "a" * 43
    for path, keep in [
        (f"/r/{token}/", True),
        (f"/r/{token}/program/", True),
        (f"/r/{token}/program/plan/", True),
        (f"/r/{token}/check-in/", False),
        (f"/r/{token}/delete/", False),
        ("/check/", False),
    ]:
        assert bool(re.fullmatch(kept.lstrip("^").rstrip("$"), path)) is keep, path
    offline = client.get("/offline/")
    assert offline.status_code == 200 and "You are offline" in offline.content.decode()


def test_deleting_the_result_also_clears_the_copies_kept_on_the_device(client, library):
    assessment = assessment_with()
    response = client.post(url("assessments:delete", assessment))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'


# --- compressed pages -------------------------------------------------------------------------


def test_pages_are_sent_compressed_to_browsers_that_ask_with_a_random_length_header(client, library):
    import gzip

    assessment = assessment_with()
    page = url("programs:program", assessment)
    plain = client.get(page)
    assert "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in plain.headers["Vary"]

    names = set()
    for _ in range(8):
        response = client.get(page, headers={"Accept-Encoding": "gzip, deflate, br"})
        assert response.headers["Content-Encoding"] == "gzip"
        assert int(response.headers["Content-Length"]) == len(response.content)
        without_token = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
        assert without_token.sub(b"", gzip.decompress(response.content)) == without_token.sub(b"", plain.content)
        # The gzip header names a file of random length (Django's mitigation of BREACH).
        assert response.content[3] & 0x08
        names.add(response.content[10:].index(b"\x00"))
        assert len(response.content) < len(plain.content) / 3
    assert len(names) > 1


def test_a_page_from_the_cache_carries_each_browsers_own_csrf_token(library, django_assert_max_num_queries):
    assessment = assessment_with()
    first = plan(assessment).today.exercises[0].slug
    phone, laptop = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    phone.get(url("programs:program", assessment))
    with django_assert_max_num_queries(1):  # from the cache: the one query that names the page's state
        page = laptop.get(url("programs:program", assessment)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = laptop.post(
        url("programs:ticks", assessment), {"day": timezone.localdate(), "done": [first], "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert list(assessment.ticks.values_list("exercise", flat=True)) == [first]


def test_an_answer_the_runner_gave_at_the_check_in_stands_when_ticks_change_later(client, library):
    assessment = assessment_with()
    today = plan(assessment).today
    entries = [e.slug for e in today.warm_up + today.exercises]
    tick(client, assessment, entries[:3])
    client.post(url("programs:check_in", assessment), check_in_data(routine_done="all"))  # "some" was suggested
    tick(client, assessment, entries[:4])
    assert CheckIn.objects.get().routine_done == "all"


def test_unticking_everything_after_a_check_in_that_followed_the_ticks_says_none_was_done(client, library):
    assessment = assessment_with()
    today = plan(assessment).today
    entries = [e.slug for e in today.warm_up + today.exercises]
    tick(client, assessment, entries)
    client.post(url("programs:check_in", assessment), check_in_data(routine_done="all"))
    tick(client, assessment, [])
    assert CheckIn.objects.get().routine_done == "none"
    assert not assessment.ticks.exists()


def test_once_a_check_in_makes_today_a_rest_day_the_routines_ticks_and_answer_stay(client, library):
    assessment = assessment_with()
    routine = [e.slug for e in plan(assessment).today.warm_up + plan(assessment).today.exercises]
    tick(client, assessment, routine)
    client.post(url("programs:check_in", assessment), check_in_data(pain_now="6", routine_done="all"))
    rest_day = plan(assessment).today
    assert rest_day.kind == "rest"
    options = [e.slug for e in rest_day.exercises]
    shown_ticked = [slug for slug in options if slug in routine]  # an option the routine had too
    assert ticked_boxes(client.get(url("programs:program", assessment)).content.decode()) == shown_ticked
    walk = options[0]
    assert walk not in routine

    response = tick(client, assessment, [walk, *shown_ticked], json=True)
    ticked = 1 + len(shown_ticked)
    assert response.json()["message"] == f"Saved: {ticked} of {len(options)} done today."
    # The routine done before the rest day still counts, and so does the answer given for it.
    assert set(assessment.ticks.values_list("exercise", flat=True)) == set(routine) | {walk}
    assert CheckIn.objects.get().routine_done == "all"
    form = client.get(url("programs:check_in", assessment)).content.decode()
    assert f"From your ticks on today&#x27;s plan: {ticked} of {len(options)} done." in form
    assert ticked_boxes(client.get(url("programs:program", assessment)).content.decode()) == [walk, *shown_ticked]


def test_after_the_plan_there_is_no_empty_calendar_to_download(client, library):
    assessment = assessment_with(days_ago=30)
    html = client.get(url("programs:program", assessment)).content.decode()
    assert "Reminders in your calendar" not in html
    response = client.get(url("programs:calendar", assessment), {"at": "07:30"}, follow=True)
    assert response["Content-Type"].startswith("text/html")
    assert "Your 4-week plan is over: there are no days left to put in a calendar." in response.content.decode()
