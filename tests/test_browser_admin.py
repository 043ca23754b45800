"""The clinician's side in a real Chromium (Playwright): invite link, sign-in, review queue, review, export.

The system Chromium from Debian is driven; Playwright never downloads a browser. Clinicians
sign in through the admin's own login form (django-axes is on), read an assessment, review it
and export their clinic's runners; axe-core checks the admin pages, with findings inside our
own markup failing the test and those in Django's own admin markup printed for review.
"""

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from assessments.models import Assessment
from backpain.middleware import CSP
from clinics.models import Clinic
from programs.models import CheckIn, Exercise, record_check_in
from tests.chromium import BLOCKING_IMPACTS, PHONE
from tests.personas import runner_with, step_posts, stored_assessment

DESK = {"width": 1280, "height": 900}  # clinicians review at a desk
# Fixed invite codes of the generated shape (16 letters and digits), so that runs are repeatable.
INVITE_CODES = ("rvsd7Qk2mW9xTb4L", "hlsd3Pz8nV6yRc1K")
PASSWORD = "kestrel-ridge-ascent-29"  # passes every password validator; never a real one

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# --- The browser: one Chromium for the module, fresh contexts per test ------------------------


class Watched:
    """A page, with the console errors, page errors and failed requests seen while it was open."""

    def __init__(self, page):
        self.page = page
        self.problems = []
        self.static_loaded = {}  # path -> status, for our own and Django's static files
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e} ({page.url})"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _console(self, message):
        if message.type != "error":
            return
        where = message.location.get("url") or self.page.url
        # Chromium asks for /favicon.ico once per browser, on the first page without an icon of its
        # own: which test sees it depends on the order, so the icon is checked on each page instead.
        if not where.endswith("/favicon.ico"):
            self.problems.append(f"console: {message.text} ({where})")

    def _failed(self, request):
        # ERR_ABORTED is the browser cancelling a load because the page moved on (the icon of a
        # page left at once, say): not a missing file. Missing files show as 4xx in _response.
        if "ERR_ABORTED" not in (request.failure or ""):
            self.problems.append(f"request failed: {request.url} {request.failure}")

    def _response(self, response):
        path = response.url.split("://", 1)[-1].split("/", 1)[-1]
        if path.startswith("static/"):
            self.static_loaded["/" + path] = response.status
        if response.status >= 400 and not path.startswith("favicon.ico"):
            self.problems.append(f"HTTP {response.status}: {response.url}")


@pytest.fixture
def open_page(browser, live_server):
    """open_page(viewport) -> Watched: a new page in a context of its own (its own cookies)."""
    contexts = []

    def open_(viewport=DESK):
        context = browser.new_context(viewport=viewport, locale="en-GB", accept_downloads=True)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return Watched(context.new_page())

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def clinician_password(monkeypatch):
    monkeypatch.setenv("CLINICIAN_PASSWORD", PASSWORD)
    return PASSWORD


# --- Steps ----------------------------------------------------------------------------------


def admin_url(live_server, name="admin:index", *args):
    return live_server.url + reverse(name, args=args)


def sign_in(watched, live_server, username, password=PASSWORD):
    page = watched.page
    page.goto(admin_url(live_server))
    expect(page).to_have_url(re.compile(r"/login/\?next="))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Clinician review")


def answer_in_browser(page, answers):
    """Send each questionnaire step through the real form, field by field (fast, by field name)."""
    for _, data in step_posts(answers):
        expect(page.get_by_role("button", name=re.compile(r"^(Next|See my result)$"))).to_be_visible()
        for name, value in data.items():
            if name == "action":
                continue
            fields = page.locator(f'[name="{name}"]')
            kind = fields.first.evaluate("el => el.type || el.tagName.toLowerCase()")
            if kind in ("radio", "checkbox"):
                for v in value if isinstance(value, list) else [value]:
                    box = fields if v == "on" and fields.count() == 1 else fields.and_(page.locator(f'[value="{v}"]'))
                    box.check()
            elif kind.startswith("select"):
                fields.select_option(str(value))
            else:
                fields.fill(str(value))
        page.get_by_role("button", name=re.compile(r"^(Next|See my result)$")).click()
    expect(page).to_have_url(re.compile(r"/r/[A-Za-z0-9_-]{16,}/$"))


def rows(page):
    return page.locator("#result_list tbody tr")


def axe_findings(axe, page):
    """(blocking, others): serious or critical findings anywhere on the page (Django's own markup
    included: the project's admin CSS and template overrides fix those), and every other finding."""
    blocking, others = [], []
    for v in axe.run(page).response["violations"]:
        for node in v["nodes"]:
            target = node["target"]
            selector = target[-1] if isinstance(target[-1], str) else " ".join(map(str, target[-1]))
            where = f"{page.url.split('://', 1)[-1].split('/', 1)[-1]}: {v['id']} [{v['impact']}] at {selector}"
            (blocking if v["impact"] in BLOCKING_IMPACTS else others).append(f"{where}: {v['help']}")
    return blocking, others


def focused(page):
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            return {
                tag: el.tagName.toLowerCase(), type: el.type || '', name: el.name || '', id: el.id || '',
                text: (el.innerText || el.value || '').trim().slice(0, 40),
                style: style.outlineStyle, width: parseFloat(style.outlineWidth),
            };
        }"""
    )


# --- 1. The clinician's whole journey ---------------------------------------------------------


def test_a_clinician_reviews_and_exports_their_clinics_runners_and_sees_no_other_clinics(
    open_page, live_server, clinician_password
):
    # Fixed invite codes: a random one starting with "-" (1 in 64) breaks `--clinic CODE` (see INVITE_CODES).
    riverside = Clinic.objects.create(name="Riverside Physio", code=INVITE_CODES[0])
    hillside = Clinic.objects.create(name="Hillside Sports Clinic", code=INVITE_CODES[1])
    call_command("createclinician", "dana", "--clinic", riverside.code, "--no-input", stdout=io.StringIO())
    call_command("createclinician", "eli", "--clinic", hillside.code, "--no-input", stdout=io.StringIO())

    # A runner really starts from the clinic's invite link, is told who sees the answers, and answers.
    runner = open_page(PHONE)
    runner.page.goto(live_server.url + riverside.invite_path())
    expect(runner.page.locator("#clinic-invite")).to_contain_text("Riverside Physio invited you to this check")
    runner.page.get_by_role("link", name="Start the check").click()
    expect(runner.page.locator("#clinic-sharing")).to_contain_text("Shared with Riverside Physio.")
    answer_in_browser(runner.page, runner_with(nickname="Kim"))
    kim = Assessment.objects.get(nickname="Kim")
    assert kim.clinic == riverside, "the check started from the invite link belongs to the clinic"

    emergency = stored_assessment(runner_with(nickname="Ema", saddle_numbness=True), clinic=riverside)
    Assessment.objects.create_from_answers(runner_with(nickname="Sol"), clinic=riverside)
    Assessment.objects.create_from_answers(runner_with(nickname="Bruno-B", night_pain=True), clinic=hillside)
    assert emergency.tier == "emergency"

    # Dana signs in through the login form and sees the emergency first on the front page.
    dana = open_page()
    page = dana.page
    sign_in(dana, live_server, "dana", clinician_password)
    attention = page.get_by_role("region", name=re.compile("^Needs attention"))
    expect(attention.get_by_role("listitem").first).to_contain_text("Ema")
    expect(attention.get_by_role("listitem").first).to_contain_text("Emergency")
    expect(attention).not_to_contain_text("Bruno-B")

    # The review queue: the emergency first, the other clinic's runner nowhere.
    page.goto(admin_url(live_server, "admin:assessments_assessment_changelist"))
    expect(rows(page)).to_have_count(3)
    expect(rows(page).first).to_contain_text("Ema")
    expect(rows(page).first.locator(".triage-badge")).to_have_text(re.compile(r"Emergency"))
    expect(page.locator("#content")).not_to_contain_text("Bruno-B")
    expect(page.get_by_text("Hillside", exact=False)).to_have_count(0)

    # One assessment: questions and answers in words; then the review.
    page.get_by_role("link", name=re.compile(r"^Kim · ")).click()
    answers = page.get_by_role("region", name="What the runner answered")
    answers.get_by_text("Show the answers, section by section").click()  # folded below the state now
    distance = answers.get_by_role("row", name=re.compile(r"About how far do you run in a week\?"))
    expect(distance.get_by_role("cell")).to_have_text("25 km")
    page.get_by_label("Clinician notes").fill("Desk hours matter more than mileage; call in two weeks.")
    page.get_by_label("Follow up").select_option(label="Contact the runner")
    page.get_by_label("Reviewed").check()
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    kim_row = rows(page).filter(has_text="Kim")
    expect(kim_row.locator("td.field-review")).to_have_text("Reviewed: yes")
    expect(rows(page).last).to_contain_text("Kim")  # reviewed ones go to the end of the queue
    kim.refresh_from_db()
    assert (kim.reviewed, kim.reviewed_by.username, kim.follow_up) == (True, "dana", "contact")

    assert not dana.problems, dana.problems

    # Export every row of the page as CSV (the form's navigation ends in a download, not a page).
    page.get_by_label("Select all objects on this page for an action").check()
    page.get_by_role("combobox", name=re.compile(r"^Action")).select_option(
        label="Export the selected assessments as CSV"
    )
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Go").click()
    download = download_info.value
    assert re.fullmatch(r"assessments-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    exported = list(csv.DictReader(io.StringIO(text)))
    assert sorted(r["Nickname"] for r in exported) == ["Ema", "Kim", "Sol"]
    assert "Bruno-B" not in text and "Hillside" not in text
    kim_csv = next(r for r in exported if r["Nickname"] == "Kim")
    assert (kim_csv["Reviewed"], kim_csv["Reviewed by"], kim_csv["Clinic"]) == ("yes", "dana", "Riverside Physio")
    assert kim_csv["Clinician notes"].startswith("Desk hours matter")

    # Eli, of the other clinic, sees only Bruno-B: none of Riverside's runners, even by address.
    eli = open_page()
    sign_in(eli, live_server, "eli")
    attention = eli.page.get_by_role("region", name=re.compile("^Needs attention"))
    expect(attention).to_contain_text("Bruno-B")
    expect(attention).not_to_contain_text("Ema")
    eli.page.goto(admin_url(live_server, "admin:assessments_assessment_changelist"))
    expect(rows(eli.page)).to_have_count(1)
    expect(rows(eli.page).first).to_contain_text("Bruno-B")
    for nickname in ("Kim", "Ema", "Sol", "Riverside"):
        expect(eli.page.locator("#content")).not_to_contain_text(nickname)
    eli.page.goto(admin_url(live_server, "admin:assessments_assessment_change", emergency.pk))
    expect(eli.page.locator("#content")).not_to_contain_text("Ema")
    expect(eli.page.locator(".review")).to_have_count(0)


# --- 2. and 3. The admin pages: accessibility, keyboard, no console errors --------------------


@pytest.fixture
def reviewing(open_page, live_server, clinician_password):
    """Dana, signed in, with an emergency, an urgent and a self-care runner (with check-ins)."""
    clinic = Clinic.objects.create(name="Riverside Physio", code=INVITE_CODES[0])
    call_command("createclinician", "dana", "--clinic", clinic.code, "--no-input", stdout=io.StringIO())
    call_command("load_exercises", stdout=io.StringIO())  # the library's pages are clinicians' pages too
    stored_assessment(runner_with(nickname="Ema", saddle_numbness=True), clinic=clinic)
    Assessment.objects.create_from_answers(runner_with(nickname="Uma", night_pain=True), clinic=clinic)
    sam = Assessment.objects.create_from_answers(runner_with(nickname="Sam"), clinic=clinic)
    today = timezone.localdate()
    for days_ago, pain in ((2, 4), (1, 3), (0, 2)):
        check_in = CheckIn.objects.create(
            assessment=sam, day=today - timedelta(days=days_ago), pain_now=pain, routine_done="all"
        )
    record_check_in(check_in)  # the runner's state now, as the check-in page keeps it
    watched = open_page()
    sign_in(watched, live_server, "dana")
    return watched, sam


def clinician_pages(live_server, sam) -> dict[str, str]:
    """Every admin page a clinician uses, by name."""
    check_in = sam.check_ins.order_by("day").last()
    clinic = sam.clinic
    exercise = Exercise.objects.order_by("slug").first()
    changelist = admin_url(live_server, "admin:assessments_assessment_changelist")
    return {
        "front page": admin_url(live_server),
        "review queue": changelist,
        "review queue, filtered and searched": f"{changelist}?flag=see_professional&reviewed__exact=0&q=Uma",
        "one assessment": admin_url(live_server, "admin:assessments_assessment_change", sam.pk),
        "tailor the plan": admin_url(live_server, "admin:assessments_assessment_tailor", sam.pk),
        "check-ins": admin_url(live_server, "admin:programs_checkin_changelist"),
        "one check-in": admin_url(live_server, "admin:programs_checkin_change", check_in.pk),
        "clinics": admin_url(live_server, "admin:clinics_clinic_changelist"),
        "one clinic": admin_url(live_server, "admin:clinics_clinic_change", clinic.pk),
        "exercises": admin_url(live_server, "admin:programs_exercise_changelist"),
        "one exercise": admin_url(live_server, "admin:programs_exercise_change", exercise.pk),
        "password change": admin_url(live_server, "admin:password_change"),
        "outcomes": admin_url(live_server, "admin:outcomes"),
    }


def test_the_admin_pages_have_no_serious_accessibility_problems(reviewing, live_server, axe):
    watched, sam = reviewing
    page = watched.page
    blocking, others = [], []

    expect(page.locator(".attention li")).to_have_count(2)
    for name, url in clinician_pages(live_server, sam).items():
        page.goto(url)
        if name == "review queue":
            expect(page.locator(".triage-badge")).to_have_count(3)
        if name == "one assessment":
            expect(page.get_by_role("region", name=re.compile("^Now:"))).to_contain_text("3/10 at the start")
            page.get_by_text("Every check-in (3), newest first").click()  # the folded table, opened
            expect(page.locator("table.check-ins tbody tr")).to_have_count(3)
        for found, bucket in zip(axe_findings(axe, page), (blocking, others), strict=True):
            bucket += found

    print("\naxe-core findings that are not serious (not failing):")
    print("\n".join(f"  {line}" for line in sorted(set(others))) or "  none")
    assert not blocking, "axe-core found serious or critical problems on the admin pages:\n" + "\n".join(blocking)


def test_no_admin_page_scrolls_sideways_on_a_phone_and_the_queue_fits_a_desk(reviewing, live_server, open_page):
    _, sam = reviewing
    phone = open_page(PHONE)
    sign_in(phone, live_server, "dana")
    too_wide = {}
    for name, url in clinician_pages(live_server, sam).items():
        phone.page.goto(url)
        width = phone.page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[name] = width
    assert not too_wide, f"pages wider than the {PHONE['width']} px phone: {too_wide}"
    # On the phone the queue's rows are cards: each cell says what it is.
    phone.page.goto(admin_url(live_server, "admin:assessments_assessment_changelist"))
    sam_card = rows(phone.page).filter(has_text="Sam")
    expect(sam_card).to_contain_text("Pain: 3 → 2, better")
    box = sam_card.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]

    watched, _ = reviewing
    desk = watched.page
    desk.goto(admin_url(live_server, "admin:assessments_assessment_changelist"))
    assert desk.viewport_size["width"] == DESK["width"]
    table = desk.locator("#result_list")
    fits = table.evaluate("t => t.scrollWidth <= t.closest('.results').clientWidth")
    headings = desk.locator("#result_list thead th").all_inner_texts()
    lefts_rights = desk.locator("#result_list thead th").evaluate_all(
        "ths => ths.map(th => [th.getBoundingClientRect().left, th.getBoundingClientRect().right])"
    )
    assert fits, "the queue's table scrolls inside its box at 1280 px"
    off_screen = [
        h for h, (left, right) in zip(headings, lefts_rights, strict=True) if left < 0 or right > DESK["width"]
    ]
    assert not off_screen, f"columns outside the 1280 px window: {off_screen}"
    for key in ("RUNNER", "TRIAGE", "PAIN: START → LATEST", "PLAN TODAY", "CHECKED IN", "REVIEWED"):
        assert any(key in h.upper() for h in headings), (key, headings)


def test_the_review_form_can_be_reached_and_saved_with_the_keyboard(reviewing, live_server):
    watched, sam = reviewing
    page = watched.page
    page.goto(admin_url(live_server, "admin:assessments_assessment_change", sam.pk))
    expect(page.get_by_role("heading", name="Your review")).to_be_visible()

    # From the top of the page, Tab alone reaches the notes, then the save button; focus always shows.
    reached, no_outline = [], []
    for _ in range(120):
        page.keyboard.press("Tab")
        f = focused(page)
        reached.append(f)
        if f["style"] == "none" or f["width"] < 2:
            no_outline.append(f)
        if f["tag"] == "input" and f["type"] == "submit" and f["name"] == "_save":
            break
    names = [f["name"] for f in reached]
    assert "clinician_notes" in names, f"Tab never reached the notes field: {reached}"
    assert names[-1] == "_save", f"Tab never reached the save button: {reached}"
    assert not no_outline, f"focus is not visible on: {no_outline}"

    # The "go to the review" link takes a keyboard user straight to the form: the next Tab is the notes.
    page.get_by_role("link", name="go to the review").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#review-form$"))
    page.keyboard.press("Tab")
    expect(page.get_by_label("Clinician notes")).to_be_focused()
    page.keyboard.type("Seen; routine is going well.")
    page.get_by_label("Reviewed").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Save", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    sam.refresh_from_db()
    assert (sam.reviewed, sam.clinician_notes) == (True, "Seen; routine is going well.")


def test_the_admin_pages_load_without_console_errors_or_missing_static_files(reviewing, live_server):
    watched, sam = reviewing
    page = watched.page
    without_icon = []
    # Each page, and a rule of static/css/admin.css that only applies if the stylesheet loaded.
    for url, styled, prop, value in (
        (admin_url(live_server), ".attention", "margin-bottom", "24px"),
        (admin_url(live_server, "admin:assessments_assessment_changelist"), ".triage-badge", "font-weight", "600"),
        (admin_url(live_server, "admin:assessments_assessment_change", sam.pk), ".review", "max-width", "1120px"),
    ):
        page.goto(url)
        page.wait_for_load_state("networkidle")
        expect(page.locator(styled).first).to_have_css(prop, value)
        if page.locator('link[rel~="icon"]').count() == 0:
            without_icon.append(url.split("://", 1)[-1].split("/", 1)[-1])
    assert watched.static_loaded.get("/static/css/admin.css") == 200, watched.static_loaded
    assert not watched.problems, "console errors or failed requests:\n" + "\n".join(watched.problems)
    # Without an icon of its own, a browser's first admin page asks for /favicon.ico: a 404 in the
    # console, and a "Not Found: /favicon.ico" warning in the server log.
    assert not without_icon, f"admin pages without <link rel=icon> (a /favicon.ico 404 in the console): {without_icon}"


# --- 4. The Content-Security-Policy on the admin ------------------------------------------------

# Every violation the browser reports on a page, kept where the test can read it (an init script
# runs before the page's own and is not subject to the page's policy).
WATCH_CSP = """
window.cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(
    `${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`));
"""


def csp_violations(page, name):
    return [f"{name}: {v}" for v in page.evaluate("window.cspViolations || []")]


def test_every_admin_page_has_the_content_security_policy_and_the_admin_still_works_under_it(reviewing, live_server):
    watched, sam = reviewing
    page = watched.page
    page.add_init_script(WATCH_CSP)
    violations = []

    for name, url in clinician_pages(live_server, sam).items():
        response = page.goto(url)
        assert response.headers.get("content-security-policy") == CSP, f"{name}: no Content-Security-Policy"
        page.wait_for_load_state("networkidle")
        violations += csp_violations(page, name)

    # The review queue's filters, the date filter and the select-all box (the admin's scripts).
    changelist = admin_url(live_server, "admin:assessments_assessment_changelist")
    page.goto(changelist)
    filters = page.locator("#changelist-filter")
    filters.get_by_role("link", name=re.compile(r"^Emergency")).click()
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text("Ema")
    violations += csp_violations(page, "queue, triage filter")
    page.goto(changelist)
    by_date = filters.locator("summary").filter(has_text="created")
    by_date.click()  # the filter folds away, and opens again (its state kept by filters.js)
    expect(filters.get_by_role("link", name="Past 7 days")).to_be_hidden()
    by_date.click()
    filters.get_by_role("link", name="Past 7 days").click()
    expect(page).to_have_url(re.compile(r"created__gte="))
    expect(rows(page)).to_have_count(3)
    violations += csp_violations(page, "queue, date filter")
    page.goto(admin_url(live_server, "admin:programs_checkin_changelist"))
    page.locator("#changelist-filter").get_by_role("link", name="Today", exact=True).click()
    expect(rows(page)).to_have_count(1)  # Sam's check-in of today, not those of the two days before
    violations += csp_violations(page, "check-ins, date filter")

    # The review form, saved.
    page.goto(admin_url(live_server, "admin:assessments_assessment_change", sam.pk))
    page.get_by_label("Clinician notes").fill("Going well; check again in a week.")
    page.get_by_label("Reviewed").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    violations += csp_violations(page, "review form, saved")
    sam.refresh_from_db()
    assert (sam.reviewed, sam.clinician_notes) == (True, "Going well; check again in a week.")

    # An action on every row: the select-all box ticks them and counts them (actions.js).
    page.goto(changelist)
    page.get_by_label("Select all objects on this page for an action").check()
    expect(page.locator(".action-counter")).to_have_text("3 of 3 selected")
    page.get_by_role("combobox", name=re.compile(r"^Action")).select_option(
        label="Mark the selected assessments reviewed"
    )
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_be_visible()
    violations += csp_violations(page, "queue, action")
    assert not Assessment.objects.filter(clinic=sam.clinic, reviewed=False).exists()

    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)
    assert not watched.problems, "console errors or failed requests:\n" + "\n".join(watched.problems)


# --- 4. Tailoring a plan: the clinician changes it, the runner sees it -----------------------------


def test_a_clinician_tailors_a_plan_and_the_runner_sees_it(reviewing, live_server, open_page, axe):
    watched, sam = reviewing
    page = watched.page
    page.goto(admin_url(live_server, "admin:assessments_assessment_change", sam.pk))
    page.get_by_role("link", name="Tailor the plan").click()
    expect(page.get_by_role("heading", name="The plan's exercises")).to_be_visible()
    first = page.locator(".tailor-row").first
    left_out = first.locator(".tailor-name strong").inner_text()
    first.get_by_role("button", name="Leave out").click()
    expect(page.locator(".messagelist")).to_contain_text(f"left out “{left_out}”")
    page.get_by_label("Exercise", exact=True).select_option("doorway-chest-stretch")
    page.get_by_role("button", name="Add to the plan").click()
    expect(page.locator(".messagelist")).to_contain_text("added “Doorway chest stretch”")
    row = page.locator(".tailor-row", has_text="Doorway chest stretch")
    row.get_by_text("Change the dosage").click()
    row.get_by_label("Sets (1 to 4)").fill("3")
    row.get_by_role("button", name="Set this dosage").click()
    expect(page.locator(".messagelist")).to_contain_text("set to 3 sets")
    page.get_by_label(re.compile("^Shown at the top of their plan")).fill("Open the chest after long desk days.")
    page.get_by_role("button", name="Save the note").click()
    expect(page.locator(".tailor-section", has_text="Changes made (4)")).to_be_visible()
    blocking, _ = axe_findings(axe, page)

    runner = open_page(PHONE).page
    runner.goto(live_server.url + reverse("programs:program", args=[sam.token]))
    banner = runner.get_by_role("region", name=re.compile("^Adjusted by Riverside Physio"))
    expect(banner).to_contain_text("Open the chest after long desk days.")
    expect(banner).to_contain_text(f"Left out: {left_out}.")
    expect(runner.get_by_text("added by Riverside Physio").first).to_be_attached()  # why, in today's list
    runner.goto(live_server.url + reverse("programs:plan", args=[sam.token]))
    expect(runner.locator("li", has_text=re.compile(r"^Doorway chest stretch: 3 sets: hold")).first).to_be_visible()
    blocking += axe_findings(axe, runner)[0]
    assert not blocking, "axe-core found serious or critical problems:\n" + "\n".join(blocking)
