"""Runner journeys in a real Chromium (Playwright), with axe-core on every page.

The system Chromium from Debian is driven; Playwright never downloads a browser.
Each test answers the questionnaire the way a person does: by visible labels and
roles, on a phone-sized screen.
"""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from assessments.models import Assessment
from programs.library import load_library
from programs.models import CheckIn
from tests.chromium import BLOCKING_IMPACTS, PHONE
from tests.personas import runner_with

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# --- The answers, step by step, as a runner gives them on screen -------------------------
# ("tick", label) ticks a box; ("choose", group legend, option) picks a radio or a box in a
# group; ("fill", label, text) types into a field. Labels are matched as people read them.
# Each action is one tap (a typed number counts as one), and so is each button.


def _steps(warning_signs=(), with_self_tests=True, outlook=True):
    steps = [
        (
            "Before you start",
            [
                ("choose", "Your age", "30 to 39"),
                ("choose", "Are you pregnant", "No, or this does not apply to me"),
                ("tick", "I understand this is self-care guidance"),
            ],
        ),
        ("Warning signs", [("tick", sign) for sign in warning_signs or ["None of these apply to me"]]),
        (
            "Your running and your sitting",
            [
                ("fill", "About how far do you run in a week?", "25"),
                ("choose", "how has your weekly distance changed?", "About the same, or less"),
                ("choose", "Your running shoes", "Bought off the shelf, and not worn out"),
                ("choose", "How often do you do strength or core training?", "Never"),
                ("fill", "Hours a day you sit at work", "9"),
                ("fill", "Hours a day you spend driving", "1"),
                ("choose", "How often do you get up from sitting?", "Rarely; I can sit for hours"),
                ("choose", "Does your chair or car seat support", "No"),
                ("choose", "Where is your screen when you work?", "On a laptop without a stand"),
            ],
        ),
        (
            "Your pain",
            [
                ("choose", "Where do you feel pain?", "Lower back, in the middle"),
                ("choose", "Your pain right now", "3"),
                ("choose", "How long has this pain lasted?", "1 to 6 weeks"),
                ("choose", "Overall, how is the pain changing?", "About the same"),
                ("fill", "For how many weeks have you tried home care", "0"),
                ("choose", "Does the pain stop you doing everyday things", "No"),
                ("choose", "After your most recent run", "The same or better"),
                ("choose", "When does it hurt?", "When sitting for a while"),
                ("choose", "What eases it?", "Walking or moving about"),
            ],
        ),
    ]
    if outlook:
        steps.append(
            (
                "How you feel about it",
                [
                    ("choose", "How much does the pain worry you?", "A little"),
                    ("choose", "Tick any that are true for you.", "None of these"),
                ],
            )
        )
    if with_self_tests:
        steps.append(
            (
                "Quick movement checks",
                [
                    ("choose", "Hip-front check", "Yes, on both sides"),
                    ("choose", "Back-of-thigh check", "Only to my shins"),
                    ("choose", "Hip control check", "Skip this check"),
                    ("fill", "Front plank", "20"),
                    ("fill", "Side plank on your left forearm", "30"),
                    ("fill", "Side plank on your right forearm", "25"),
                    ("choose", "Can the back of your head touch the wall", "Yes, easily"),
                    ("choose", "slide a hand into the gap behind your lower back", "My flat hand just fits"),
                    ("fill", "Ankle check", "12"),
                ],
            )
        )
    return steps


SADDLE_NUMBNESS = "Numbness or tingling around the genitals, buttocks or back passage"
PAIN_NOW = ("choose", "What brings you here?", "I have back pain now (it may spread to my hips or legs)")


class Taps:
    """Counts what a runner does: each tick, choice, typed answer and button press is one tap."""

    def __init__(self):
        self.count = 0

    def add(self, n=1):
        self.count += n


def _answer(page, actions, taps=None):
    for action in actions:
        kind, label, *value = action
        if kind == "tick":
            page.get_by_label(label).check()
        elif kind == "choose":
            page.get_by_role("group", name=label).get_by_label(value[0], exact=True).check()
        elif kind == "fill":
            page.get_by_label(label).fill(value[0])
        else:  # pragma: no cover
            raise AssertionError(kind)
        if taps:
            taps.add()


def _heading(page):
    return page.get_by_role("heading", level=1)


def _next(page, taps=None):
    page.get_by_role("button", name=re.compile(r"^(Next|See my result)$")).click()
    if taps:
        taps.add()


def _answer_steps(page, steps, on_each_page=None, taps=None):
    """Answer each step in turn; `on_each_page(page)` runs once every step has loaded."""
    for title, actions in steps:
        expect(_heading(page)).to_have_text(title)
        if on_each_page:
            on_each_page(page)
        _answer(page, actions, taps)
        _next(page, taps)


def _start(page, live_server, taps=None, button="Start the check"):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name=button).click()
    if taps:
        taps.add()
    expect(page.get_by_text(re.compile(r"^Step 1 of \d$"))).to_be_visible()


# --- The browser: one Chromium for the module, one fresh context per test -------------------


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


class AxeChecker:
    """Runs axe-core on each page it is given and remembers the serious problems."""

    def __init__(self, axe):
        self.axe = axe
        self.pages = []
        self.problems = []
        self.minor = set()  # reported for a human to review (shown with `pytest -s`)

    def __call__(self, page):
        violations = self.axe.run(page).response["violations"]
        where = f"{page.url} ({_heading(page).first.inner_text()})"
        self.pages.append(where)
        for v in violations:
            if v["impact"] in BLOCKING_IMPACTS:
                targets = [" ".join(map(str, node["target"])) for node in v["nodes"][:3]]
                self.problems.append(f"{where}: {v['id']} [{v['impact']}] {v['help']} at {targets}")
            else:
                self.minor.add(f"{v['id']} [{v['impact']}]")


# --- (a) the whole questionnaire, like a person ---------------------------------------------


def test_a_runner_completes_the_check_with_movement_checks_in_at_most_40_taps(page, live_server):
    taps = Taps()
    _start(page, live_server, taps)
    _answer_steps(page, _steps(), taps=taps)

    expect(page).to_have_url(re.compile(r"/r/[A-Za-z0-9_-]{16,}/$"))
    print(f"self-care runner with every movement check: {taps.count} taps from the start page")
    assert taps.count <= 40
    expect(_heading(page)).to_contain_text("Your result")
    banner = page.locator("section.triage")
    expect(banner.get_by_role("heading")).to_have_text(
        re.compile(r"Self-care looks right for now|Book an appointment with a professional")
    )

    contributors = page.get_by_role("region", name="What may be adding to your pain")
    expect(contributors).to_be_visible()
    first = contributors.locator("article.imbalance").first
    expect(first.get_by_role("heading")).to_have_text(re.compile(r"^1\. \S"))
    expect(first).to_contain_text(re.compile(r"\b\d{1,3} out of 100\b"))
    expect(first.get_by_role("listitem").first).to_be_visible()  # at least one reason
    # The hip-front self-test answer shows up as a reason for some ranked imbalance.
    expect(contributors.get_by_text("(movement check)").first).to_be_visible()

    link_section = page.get_by_role("region", name="Keep your private link")
    expect(link_section).to_contain_text(page.url)
    expect(page.get_by_text("Not a diagnosis.").first).to_be_visible()
    expect(page.locator("main")).to_contain_text("This result comes from your own answers")


def test_a_runner_with_no_pain_is_asked_no_pain_question(page, live_server):
    _start(page, live_server, button="No pain? Check how to prevent it")
    expect(page.get_by_text("Step 1 of 4")).to_be_visible()
    expect(page.get_by_label("I have no back pain now: I want to prevent it")).to_be_checked()
    steps = [s for s in _steps(outlook=False) if s[0] != "Your pain"]
    _answer_steps(page, steps)
    expect(page).to_have_url(re.compile(r"/r/[A-Za-z0-9_-]{16,}/$"))
    expect(page.get_by_role("heading", name="Where to focus to prevent back pain")).to_be_visible()


def _navigations(page) -> list[tuple[str, str]]:
    """(method, path) of every top-level document request of the page, in order."""
    seen = []
    page.on(
        "request",
        lambda request: (
            seen.append((request.method, request.url.split("//", 1)[1].split("/", 1)[1]))
            if request.is_navigation_request() and request.frame == page.main_frame
            else None
        ),
    )
    return seen


def test_history_back_and_reload_just_work_without_resending_a_form(page, live_server):
    navigations = _navigations(page)
    _start(page, live_server)
    steps = _steps()
    _answer_steps(page, steps[:3])
    expect(_heading(page)).to_have_text("Your pain")

    navigations.clear()
    page.reload()  # a reload after a step was sent: the page is fetched again, nothing resent
    expect(_heading(page)).to_have_text("Your pain")
    page.go_back()  # the browser's Back: the step before, with its answers
    expect(_heading(page)).to_have_text("Your running and your sitting")
    expect(page.get_by_label("About how far do you run in a week?")).to_have_value("25")
    page.reload()
    expect(_heading(page)).to_have_text("Your running and your sitting")
    page.go_forward()
    expect(_heading(page)).to_have_text("Your pain")
    assert navigations and all(method == "GET" for method, _ in navigations), navigations

    # A step sent with a missing answer comes back through a redirect too: a reload resends nothing.
    _next(page)
    expect(page.get_by_role("alert")).to_contain_text("Please check")
    navigations.clear()
    page.reload()
    expect(page.get_by_role("alert")).to_contain_text("Please check")
    assert navigations == [("GET", "check/pain/")], navigations


def test_back_keeps_the_answers_already_given_on_a_step(page, live_server):
    _start(page, live_server)
    steps = _steps()
    _answer_steps(page, steps[:3])  # start, warning signs, running and sitting
    expect(_heading(page)).to_have_text("Your pain")
    page.get_by_label("For how many weeks have you tried home care").fill("7")

    page.get_by_role("button", name="Back").click()
    expect(_heading(page)).to_have_text("Your running and your sitting")
    expect(page.get_by_label("About how far do you run in a week?")).to_have_value("25")
    strength = page.get_by_role("group", name="How often do you do strength or core training?")
    expect(strength.get_by_label("Never", exact=True)).to_be_checked()

    _next(page)
    expect(_heading(page)).to_have_text("Your pain")
    # What was typed on the step left with "Back" is still there too.
    expect(page.get_by_label("For how many weeks have you tried home care")).to_have_value("7")


def test_a_step_with_a_missing_answer_shows_the_error_beside_it_and_keeps_the_rest(page, live_server):
    _start(page, live_server)
    steps = _steps()
    _answer_steps(page, steps[:2])
    expect(_heading(page)).to_have_text("Your running and your sitting")
    week = [a for a in dict(steps)["Your running and your sitting"] if "get up" not in a[1] and "chair" not in a[1]]
    _answer(page, week)  # "How often do you get up" and the lumbar support question are left empty.
    _next(page)

    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Please check 2 answers")
    expect(summary.get_by_role("link", name="How often do you get up from sitting?")).to_be_visible()
    # The message beside the question is visible and is the one the summary gives.
    breaks = page.get_by_role("group", name="How often do you get up from sitting?")
    beside = breaks.locator(".error-message")
    expect(beside).to_be_visible()
    message = beside.inner_text().strip().removeprefix("Error: ")
    assert message, "the error beside the question is empty"
    expect(summary).to_contain_text(message)
    screen = page.get_by_role("group", name="Where is your screen when you work?")
    expect(screen.locator(".error-message")).to_have_count(0)

    expect(page.get_by_label("Hours a day you sit at work")).to_have_value("9")
    expect(page.get_by_label("Hours a day you spend driving")).to_have_value("1")
    expect(screen.get_by_label("On a laptop without a stand", exact=True)).to_be_checked()

    # The summary link takes keyboard and screen-reader users to the question.
    summary.get_by_role("link", name="How often do you get up from sitting?").click()
    expect(breaks.get_by_role("radio").first).to_be_focused()

    _answer(page, dict(steps)["Your running and your sitting"])
    _next(page)
    expect(_heading(page)).to_have_text("Your pain")


def test_options_and_buttons_are_big_enough_for_a_thumb_and_controls_easy_to_see(page, live_server):
    _start(page, live_server)
    _answer_steps(page, _steps()[:3])
    expect(_heading(page)).to_have_text("Your pain")
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('main .option, main .scale-button, main .btn')]
            .map(el => ({h: el.getBoundingClientRect().height, w: el.getBoundingClientRect().width,
                         text: el.innerText.trim().slice(0, 30)}))"""
    )
    assert len(sizes) > 20
    small = [s for s in sizes if s["h"] < 44 or s["w"] < 24]
    assert not small, f"targets under 44 px tall or 24 px wide: {small}"
    scale = page.get_by_role("group", name=re.compile("Your pain right now"))
    expect(scale.get_by_role("radio")).to_have_count(11)
    border = page.evaluate(
        "() => getComputedStyle(document.querySelector('main .form-check-input[type=checkbox]')).borderTopColor"
    )
    assert border == "rgb(73, 80, 87)", border  # #495057: 7.5:1 on white (3:1 needed)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the step is {width} px wide on a {PHONE['width']} px screen"


# --- (b) an emergency sign --------------------------------------------------------------------


def test_an_emergency_sign_reaches_emergency_care_in_at_most_12_taps(page, live_server):
    taps = Taps()
    _start(page, live_server, taps)
    _answer_steps(page, _steps(warning_signs=[SADDLE_NUMBNESS])[:2], taps=taps)

    # Straight to the result after the warning signs: nothing about running, sitting or pain.
    expect(page).to_have_url(re.compile(r"/r/[A-Za-z0-9_-]{16,}/$"))
    print(f"emergency runner: {taps.count} taps from the start page to the emergency advice")
    assert taps.count <= 12
    alert = page.get_by_role("alert")
    expect(alert).to_have_count(1)
    expect(alert.get_by_role("heading")).to_contain_text("Seek emergency care now")
    # The emergency banner is the first thing after the page title, and names only that sign.
    expect(page.locator("main h2").first).to_contain_text("Seek emergency care now")
    expect(alert.get_by_role("listitem")).to_have_text(["numbness or tingling in the saddle area"])
    expect(page.get_by_role("heading", name="What may be adding to your pain")).to_have_count(0)
    expect(page.get_by_role("heading", name="What to do now")).to_be_visible()


def test_a_runner_under_18_is_pointed_to_a_clinician(page, live_server):
    _start(page, live_server)
    _answer(page, [("choose", "Your age", "Under 18")])
    _next(page)
    expect(_heading(page)).to_have_text("This check is made for adults")
    expect(page.get_by_text("We have not stored any of your answers.")).to_be_visible()


# --- (c) axe-core on every page ---------------------------------------------------------------


def test_every_page_of_both_journeys_has_no_serious_accessibility_problems(page, live_server, axe):
    check = AxeChecker(axe)
    page.goto(live_server.url + "/")
    check(page)  # landing
    page.get_by_role("link", name="Start the check").click()

    steps = _steps(outlook=True)
    check(page)  # start
    _next(page)  # the first step sent without an age, the pregnancy question or consent
    expect(page.get_by_role("alert")).to_contain_text("Please check 3 answers")
    check(page)
    _answer(page, dict(steps)["Before you start"])
    _next(page)
    _answer_steps(page, steps[1:2], on_each_page=check)  # warning signs
    _next(page)  # a step with errors after consent: shown again through a redirect
    expect(page.get_by_role("alert")).to_contain_text("Please check")
    check(page)
    _answer_steps(page, steps[2:], on_each_page=check)

    expect(page).to_have_url(re.compile(r"/r/[^/]+/$"))
    check(page)  # result
    page.get_by_role("link", name="Delete my answers and result").click()
    expect(_heading(page)).to_have_text("Delete your answers and result?")
    check(page)  # delete confirmation
    page.get_by_role("button", name="Yes, delete everything").click()
    expect(page.get_by_role("status")).to_contain_text("deleted")
    check(page)  # landing with the confirmation message

    page.goto(live_server.url + "/check/")  # not from the start page's button: the reason is asked
    _answer(page, [PAIN_NOW])
    _answer_steps(page, _steps(warning_signs=[SADDLE_NUMBNESS])[:2])
    expect(page.get_by_role("alert")).to_contain_text("Seek emergency care now")
    check(page)  # emergency result

    page.goto(live_server.url + "/check/")
    _answer(page, [("choose", "Your age", "Under 18")])
    _next(page)
    check(page)  # made for adults

    print(f"axe-core checked {len(check.pages)} pages; minor or moderate: {sorted(check.minor) or 'none'}")
    assert len(check.pages) == 14, check.pages
    assert not check.problems, "axe-core found serious or critical problems:\n" + "\n".join(check.problems)


# --- (d) keyboard only ----------------------------------------------------------------------


def _focused_outline(page):
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            return {
                tag: el.tagName.toLowerCase(), type: el.type || '', text: (el.innerText || el.value || '').trim(),
                name: el.name || '', style: style.outlineStyle, width: parseFloat(style.outlineWidth),
            };
        }"""
    )


def _tab_to(page, predicate, limit=12):
    """Press Tab until `predicate(focused)` holds; every element passed shows a focus outline."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = _focused_outline(page)
        assert focused["style"] != "none" and focused["width"] >= 2, f"no visible focus outline on {focused}"
        if predicate(focused):
            return focused
    raise AssertionError(f"could not reach the element with {limit} presses of Tab")


def test_the_first_steps_can_be_answered_with_the_keyboard_alone(page, live_server):
    page.goto(live_server.url + "/check/?reason=pain")
    _tab_to(page, lambda f: f["type"] == "radio" and f["name"] == "age_band")
    page.keyboard.press("Space")  # the first age band...
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # ...then two down
    expect(page.get_by_label("30 to 39", exact=True)).to_be_checked()
    _tab_to(page, lambda f: f["type"] == "radio" and f["name"] == "pregnancy")
    page.keyboard.press("ArrowUp")  # from the first choice up to the last: "No, or this does not apply to me"
    expect(page.get_by_label("No, or this does not apply to me")).to_be_checked()
    _tab_to(page, lambda f: f["type"] == "checkbox")
    page.keyboard.press("Space")
    expect(page.get_by_label("I understand this is self-care guidance")).to_be_checked()
    _tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Next")
    page.keyboard.press("Enter")

    expect(_heading(page)).to_have_text("Warning signs")
    _tab_to(page, lambda f: f["type"] == "checkbox", limit=4)
    for _ in range(30):  # down the list to "None of these apply to me"
        if page.get_by_label("None of these apply to me").evaluate("el => el === document.activeElement"):
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Space")
    page.keyboard.press("Enter")  # Enter in a form goes forward (Next), never Back

    expect(_heading(page)).to_have_text("Your running and your sitting")
    expect(page.get_by_text("Step 3 of 6")).to_be_visible()


# --- (e) the daily plan and the check-in --------------------------------------------------------


def _assessment_with_a_plan(**overrides):
    """A stored result from the typical runner (pain 3 at the start), with the exercise library loaded."""
    load_library()
    return Assessment.objects.create_from_answers(runner_with(overrides))


def _program_url(live_server, assessment, name="programs:program"):
    return live_server.url + reverse(name, kwargs={"token": assessment.token})


def _today(page):
    return page.get_by_role("region", name=re.compile(r"^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) "))


# A runner whose answers and movement checks give the longest routine day there is (2 + 6 exercises).
FULL_ROUTINE = {
    "hip_flexor_test": "flat",
    "hamstring_test": "shins",
    "hip_control_test": "one_side",
    "wall_head": "not_touching",
    "wall_low_back": "hand_fits",
    "plank_seconds": 10,
    "sitting_hours": 10,
    "strength_training": "weekly_3_plus",
    "pain_when": ["sitting"],
}
A4_PRINTABLE = {"width": 703, "height": 1032}  # 210 x 297 mm less 12 mm margins, at 96 px an inch


def test_a_runner_checks_in_with_more_pain_and_gets_a_rest_day_with_the_reason(page, live_server):
    assessment = _assessment_with_a_plan()
    page.goto(live_server.url + assessment.get_absolute_url())
    page.get_by_role("link", name="See today's plan").click()

    expect(_heading(page)).to_contain_text("Today's plan")
    today = _today(page)
    expect(today).to_contain_text("Day 1 of 28, week 1")
    expect(today.get_by_role("heading", name="Today's exercises")).to_be_visible()
    expect(today.locator(".day-status-rest")).to_have_count(0)
    today.get_by_role("link", name="Check in for today").click()

    expect(_heading(page)).to_have_text("Daily check-in")
    page.get_by_role("group", name="How much does your back hurt right now?").get_by_label("6", exact=True).check()
    routine = page.get_by_role("group", name="Did you do today's routine?")
    routine.get_by_label("All of it", exact=True).focus()
    page.keyboard.press("ArrowDown")  # the keyboard moves the choice down a radio group
    expect(routine.get_by_label("Some of it", exact=True)).to_be_checked()
    page.get_by_label("I ran, and it hurt after the run").click()
    page.get_by_label("If you ran: how far, in kilometres?").press_sequentially("6.5")
    page.get_by_label("None of these").check()
    page.get_by_label("Anything else you want to note").fill("Sore after the hills")
    page.get_by_role("button", name="Save my check-in").click()

    # Back on the plan, at its top: saved, and what changed, said once and seen first.
    expect(page).to_have_url(re.compile(r"/program/$"))
    message = page.get_by_role("status").filter(has_text="Your check-in for today is saved.")
    expect(message).to_have_text("Your check-in for today is saved. It changed today's plan: today is a rest day.")
    expect(message).to_be_in_viewport()
    day = timezone.localdate()
    rest = today.locator(".day-status-rest")
    expect(rest).to_contain_text("Rest day")
    expect(rest).to_contain_text(f"your pain rose from 3/10 at the start to 6/10 on {day.day} {day:%B}")
    expect(page.get_by_text(f"your pain rose from 3/10 at the start to 6/10 on {day.day} {day:%B}")).to_have_count(1)
    expect(today.get_by_role("heading", name="Easy options for today")).to_be_visible()
    expect(today.get_by_role("link", name="Update today's check-in")).to_be_visible()

    check_in = CheckIn.objects.get(assessment=assessment)
    assert (check_in.day, check_in.pain_now, check_in.routine_done, check_in.run) == (day, 6, "some", "after")
    assert (str(check_in.distance), check_in.warning_signs, check_in.note) == ("6.5", [], "Sore after the hills")


def test_todays_routine_fits_in_about_three_phone_screens(page, live_server):
    assessment = _assessment_with_a_plan(**FULL_ROUTINE)
    page.goto(_program_url(live_server, assessment))
    today = _today(page)
    entries = today.locator("li.entry")
    count = entries.count()
    assert count == 8, f"the fullest routine day has {count} exercises"
    height = today.bounding_box()["height"]
    print(f"today's section: {height:.0f} px for {count} exercises at {PHONE['width']} px wide")
    assert height <= 2500, f"today's section is {height:.0f} px tall ({height / PHONE['height']:.1f} screens)"
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the plan is {width} px wide on a {PHONE['width']} px screen"
    # The how-to is folded, one tap away.
    first = entries.first
    steps = first.locator("details.howto ol")
    expect(steps).to_be_hidden()
    first.get_by_text("How to do it").click()
    expect(steps).to_be_visible()


def test_ticks_save_without_a_reload_and_stay_ticked(page, live_server):
    assessment = _assessment_with_a_plan()
    page.goto(_program_url(live_server, assessment))
    today = _today(page)
    boxes = today.get_by_role("checkbox")
    total = boxes.count()
    expect(today.get_by_role("button", name="Save my ticks")).to_be_hidden()  # the script saves each tick
    page.evaluate("() => { window.notReloaded = true; }")

    today.get_by_label(re.compile("^Done: ")).first.check()
    expect(today.get_by_role("status")).to_have_text(f"Saved: 1 of {total} done today.")
    boxes.nth(1).check()
    expect(today.get_by_role("status")).to_have_text(f"Saved: 2 of {total} done today.")
    assert page.evaluate("() => window.notReloaded") is True
    assert assessment.ticks.count() == 2

    page.reload()
    expect(_today(page).get_by_role("checkbox").nth(0)).to_be_checked()
    expect(_today(page).get_by_role("checkbox").nth(1)).to_be_checked()
    expect(_today(page).get_by_role("checkbox").nth(2)).not_to_be_checked()


def test_ticks_work_as_a_plain_form_without_javascript(browser, live_server):
    assessment = _assessment_with_a_plan()
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(_program_url(live_server, assessment))
    today = _today(page)
    total = today.get_by_role("checkbox").count()
    assert today.locator(".timer").count() > 0, "this routine has timed holds"
    expect(today.locator(".timer:visible")).to_have_count(0)  # no timer without the script
    today.get_by_role("checkbox").first.check()
    today.get_by_role("button", name="Save my ticks").click()

    expect(page).to_have_url(re.compile(r"/program/#today$"))
    expect(page.get_by_role("status").first).to_have_text(f"Saved: 1 of {total} done today.")
    expect(_today(page).get_by_role("checkbox").first).to_be_checked()
    assert assessment.ticks.count() == 1
    context.close()


def test_the_hold_timer_counts_each_hold_and_rest(page, live_server):
    assessment = _assessment_with_a_plan(**FULL_ROUTINE)
    page.clock.install()
    page.goto(_program_url(live_server, assessment))
    timer = _today(page).locator(".timer").first
    hold, rest, rounds = (int(timer.get_attribute(f"data-{name}")) for name in ("hold", "rest", "rounds"))
    button = timer.get_by_role("button", name="Start the timer")
    expect(button).to_be_visible()
    button.click()
    display = timer.get_by_role("timer")
    expect(display).to_have_text(f"Hold 1 of {rounds}: {hold} s")
    page.clock.run_for((hold - 1) * 1000)
    expect(display).to_have_text(f"Hold 1 of {rounds}: 1 s")
    page.clock.run_for(1000)
    expect(display).to_have_text(f"Rest: {rest} s" if rest else f"Hold 2 of {rounds}: {hold} s")
    page.clock.run_for(rounds * (hold + rest) * 1000)
    expect(display).to_have_text(f"All {rounds} holds done.")
    expect(timer.get_by_role("button", name="Start the timer")).to_be_visible()


def test_the_programme_pages_have_no_accessibility_problems(page, live_server, axe):
    check = AxeChecker(axe)
    assessment = _assessment_with_a_plan()
    page.goto(live_server.url + assessment.get_absolute_url())
    check(page)  # the result, with its plan
    page.goto(_program_url(live_server, assessment))
    expect(_heading(page)).to_contain_text("Today's plan")
    _today(page).get_by_role("checkbox").first.check()
    expect(_today(page).get_by_role("status")).to_contain_text("Saved: 1 of")
    _today(page).get_by_text("How to do it").first.click()
    check(page)  # today, a box ticked and a how-to open

    page.get_by_role("link", name="Check in for today").click()
    expect(_heading(page)).to_have_text("Daily check-in")
    check(page)  # the check-in form
    page.get_by_role("button", name="Save my check-in").click()  # nothing answered but the ticks
    expect(page.get_by_role("alert")).to_contain_text("Please check 3 answers")
    check(page)  # the check-in form with its errors

    page.goto(_program_url(live_server, assessment, "programs:plan"))
    expect(_heading(page)).to_contain_text("Your 4-week plan")
    check(page)  # the whole plan and the how-to
    page.goto(_program_url(live_server, assessment, "programs:print"))
    check(page)  # the printable plan

    gentle = _assessment_with_a_plan(night_pain=True)
    page.goto(_program_url(live_server, gentle))
    check(page)  # gentle movement only, in amber

    emergency = _assessment_with_a_plan(saddle_numbness=True)
    page.goto(live_server.url + emergency.get_absolute_url())
    expect(page.get_by_role("alert")).to_contain_text("Seek emergency care now")
    expect(page.get_by_role("link", name="Call 999 (UK)")).to_have_attribute("href", "tel:999")
    check(page)  # the emergency result: what to do now
    page.goto(_program_url(live_server, emergency))
    check(page)  # no plan

    print(f"axe-core checked {len(check.pages)} pages")
    assert len(check.pages) == 9, check.pages
    assert not check.problems, "axe-core found problems:\n" + "\n".join(check.problems)
    assert not check.minor, f"axe-core found minor or moderate problems: {sorted(check.minor)}"


def _pdf_pages(page, paper) -> int:
    pdf = page.pdf(format=paper, margin={side: "12mm" for side in ("top", "right", "bottom", "left")})
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


@pytest.mark.parametrize(
    ("who", "overrides", "days_ago"),
    [
        ("full routine", FULL_ROUTINE, 0),
        ("week 4, harder versions", FULL_ROUTINE, 22),
        ("gentle only", {"night_pain": True}, 0),
    ],
)
def test_the_whole_plan_prints_on_at_most_four_pages_starting_with_week_one(
    page, live_server, who, overrides, days_ago
):
    assessment = _assessment_with_a_plan(**overrides)
    if days_ago:
        Assessment.objects.filter(pk=assessment.pk).update(created=timezone.now() - timedelta(days=days_ago))
    page.set_viewport_size(A4_PRINTABLE)
    page.goto(_program_url(live_server, assessment, "programs:print"))
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator("#main .btn:visible")).to_have_count(0)
    # The first page holds the title, any banner and all of week 1: no near-empty first page.
    week_one = page.locator(".print-week").first.bounding_box()
    main_top = page.locator("#main").bounding_box()["y"]
    assert week_one["y"] + week_one["height"] - main_top <= A4_PRINTABLE["height"], f"{who}: week 1 is pushed to page 2"
    for paper in ("A4", "Letter"):
        pages = _pdf_pages(page, paper)
        print(f"{who}: {pages} {paper} pages")
        assert pages <= 4, f"{who}: the plan prints on {pages} {paper} pages"


def _seen_under_the_service_worker(browser, live_server, assessment):
    """A fresh browser that opened today's plan twice: the second time under the service
    worker, which kept a copy. Returns its context and page."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(_program_url(live_server, assessment))
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    return context, page


def test_todays_plan_opens_offline_once_it_has_been_seen(browser, live_server):
    assessment = _assessment_with_a_plan()
    context, page = _seen_under_the_service_worker(browser, live_server, assessment)
    expect(page.locator("#offline-note")).to_be_hidden()

    context.set_offline(True)
    page.reload()
    expect(_heading(page)).to_contain_text("Today's plan")
    expect(page.locator("#offline-note")).to_be_visible()
    expect(_today(page).locator("li.entry").first).to_be_visible()
    page.goto(_program_url(live_server, assessment, "programs:check_in"))
    expect(_heading(page)).to_have_text("You are offline")
    context.close()


def test_a_result_deleted_elsewhere_is_no_longer_readable_offline_on_this_device(browser, live_server):
    assessment = _assessment_with_a_plan()
    context, page = _seen_under_the_service_worker(browser, live_server, assessment)

    assessment.delete()  # from another device
    page.reload()
    expect(page.get_by_role("heading", level=1)).not_to_contain_text("Today's plan")
    context.set_offline(True)
    page.reload()
    expect(_heading(page)).to_have_text("You are offline")
    context.close()


def test_a_tick_refused_by_the_server_falls_back_to_the_plain_form_and_says_why(page, live_server):
    assessment = _assessment_with_a_plan()
    page.goto(_program_url(live_server, assessment))
    # The page was loaded yesterday: its ticks name a day that is over.
    page.locator("input[name=day]").evaluate("(day) => { day.value = '2020-01-01'; }")
    _today(page).get_by_role("checkbox").first.check()
    expect(page.get_by_role("status").first).to_contain_text("Those ticks were for 1 January")
    expect(_today(page).get_by_role("checkbox").first).not_to_be_checked()
    assert not assessment.ticks.exists()
