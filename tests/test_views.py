"""The runner's pages through the Django test client: the journey, bad input, privacy."""

import re

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments import questionnaire as qn
from assessments.models import Assessment
from assessments.questionnaire import QUESTIONNAIRE_VERSION
from tests.personas import PREVENTION_ANSWERS, runner_with, step_posts, step_url

pytestmark = pytest.mark.django_db

START = reverse("assessments:questionnaire")


def answer_all(client, answers):
    """Post every step, each answered by a redirect to the next; return the last response (a
    redirect to the result)."""
    posts = step_posts(answers)
    for code, data in posts[:-1]:
        response = client.post(step_url(code), data)
        assert response.status_code == 302, code
        form = client.get(response.url).context["form"]  # None: a step with nothing typed yet
        assert form is None or not form.errors, (code, form.errors)
    return client.post(step_url(posts[-1][0]), posts[-1][1])


def post_steps_until(client, answers, stop_before):
    """Answer the steps before `stop_before`; return the body that step would be sent with."""
    for code, data in step_posts(answers):
        if code == stop_before:
            return data
        response = client.post(step_url(code), data)
        assert response.status_code == 302, code
    raise AssertionError(f"no step {stop_before}")


def test_the_landing_page_explains_the_check_and_links_to_it(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        response = client.get(reverse("assessments:landing"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{START}?reason=pain" in html and f"{START}?reason=prevention" in html
    assert "not a diagnosis" in html
    assert "About 4 minutes of questions" in html


def test_the_first_step_asks_for_age_reason_and_consent_and_shows_progress(client):
    response = client.get(START + "?reason=prevention")
    html = response.content.decode()
    assert "Step 1 of 4" in html  # start, warning signs, running and sitting, movement checks
    for name in ("age_band", "reason", "pregnancy", "consent"):
        assert f'name="{name}"' in html
    assert 'value="prevention" id="id_reason_1" checked' in html, "the start page's button answered it"
    assert 'name="csrfmiddlewaretoken"' in html
    assert "*" not in html.split('<form method="post"', 1)[1].split("</form>")[0], "only optional ones are marked"


def test_a_runner_completes_the_questionnaire_and_gets_a_stored_result(client, runner_answers):
    response = answer_all(client, runner_answers)
    assert response.status_code == 302
    assessment = Assessment.objects.get()
    assert response.url == f"/r/{assessment.token}/"
    assert assessment.questionnaire_version == QUESTIONNAIRE_VERSION
    assert assessment.answers["pain_now"] == 3
    assert assessment.answers["pain_areas"] == ["lower_back_centre"]
    assert assessment.triage == "self_care"
    assert assessment.pain_now == 3
    assert assessment.nickname == "Sam"
    assert assessment.result["triage"] == "self_care"

    page = client.get(response.url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Self-care looks right for now" in html
    # In order of need: the banner, the private link, the plan, then the contributors.
    order = ["Self-care looks right for now", "Keep your private link", "See today's plan", "What may be adding"]
    assert [html.index(words) for words in order] == sorted(html.index(words) for words in order)
    assert f'<code id="private-link">http://testserver/r/{assessment.token}/</code>' in html
    assert 'data-copy="private-link" hidden>' in html  # the copy button only shows with JavaScript
    assert "Not a diagnosis" in html


def test_a_runner_with_no_pain_answers_no_pain_question_and_gets_a_prevention_result(client):
    response = answer_all(client, dict(PREVENTION_ANSWERS, hamstring_test="knees"))
    assessment = Assessment.objects.get()
    assert not {"pain_now", "pain_areas", "worry", "fever_unwell"} & set(assessment.answers)
    assert (assessment.tier, assessment.pain_now) == ("self_care", 0)
    html = client.get(response.url).content.decode()
    assert "No warning signs: here is where to start" in html
    assert "Where to focus to prevent back pain" in html
    assert "Tight hamstrings" in html
    assert "Keep your back and hips strong" in html
    assert "What may be adding to your pain" not in html


def test_the_private_link_token_is_long_and_unguessable(client, runner_answers):
    answer_all(client, runner_answers)
    answer_all(Client(), runner_answers)
    first, second = Assessment.objects.values_list("token", flat=True)
    assert first != second
    assert len(first) >= 43  # 32 random bytes, base64url: 256 bits
    assert re.fullmatch(r"[A-Za-z0-9_-]+", first)


def test_the_result_page_explains_imbalances_with_their_reasons(client, runner_answers):
    runner_answers.update(
        sitting_hours=9, hip_flexor_test="both_sides", pain_areas=["lower_back_centre", "front_of_hip"]
    )
    response = answer_all(client, runner_answers)
    html = client.get(response.url).content.decode()
    assert "Tight hip flexors" in html
    assert "in the hip-front check your other thigh lifted on both sides" in html
    assert "you sit or drive about 9 h a day" in html
    assert "Based on your movement checks" in html
    assert "iliopsoas" in html
    # Each score is drawn as a bar coloured by its likelihood (never red), and said in words.
    bars = re.findall(r'<svg class="score-bar likelihood-(\w+)"', html)
    assert bars and set(bars) <= {"likely", "possible"}
    assert "50 out of 100</span> – possible" in html or "out of 100</span> – likely" in html


def test_a_rest_day_is_flagged_with_its_reason(client, runner_answers):
    runner_answers.update(run_pain_change="much_worse")
    response = answer_all(client, runner_answers)
    html = client.get(response.url).content.decode()
    assert "Make today a rest day" in html
    assert "your pain rose by 2 points or more after your last run" in html
    assert Assessment.objects.get().rest_day is True


def test_an_emergency_sign_goes_straight_to_what_to_do_now_after_two_steps(client, runner_answers):
    runner_answers.update(saddle_numbness=True, sitting_hours=10, run_pain_change="much_worse")
    del runner_answers["no_warning_signs"]
    data = post_steps_until(client, runner_answers, "warning")
    assert "Step 2 of 6" in client.get(step_url("warning")).content.decode()
    response = client.post(step_url("warning"), data)
    assert response.status_code == 302 and response.url.startswith("/r/"), "nothing else is asked"
    assessment = Assessment.objects.get()
    assert (assessment.triage, assessment.pain_now) == ("emergency", None)
    assert set(assessment.answers) <= {q.code for s in qn.SECTIONS[:2] for q in s.questions}
    html = client.get(response.url).content.decode()
    assert html.index("Seek emergency care now") < html.index("What you told us")
    assert 'role="alert"' in html
    assert "What may be adding to your pain" not in html
    assert "Make today a rest day" not in html
    assert "numbness or tingling in the saddle area" in html


def test_a_pregnancy_sign_alone_sends_the_runner_to_maternity_care_first(client, runner_answers):
    runner_answers.update(pregnancy="pregnant", pregnancy_signs=True)
    del runner_answers["no_warning_signs"]
    post_steps_until(client, runner_answers, "warning")
    response = client.post(step_url("warning"), dict(step_posts(runner_answers))["warning"])
    html = client.get(response.url).content.decode()
    assert "Call your maternity unit or midwife now" in html
    assert "the number is in your pregnancy notes" in html
    assert html.index("Call your maternity unit") < html.index("What you told us")


def test_a_runner_under_18_is_told_the_check_is_for_adults_and_nothing_is_stored(client):
    response = client.post(step_url("start"), {"age_band": "under_18", "reason": "pain"})
    assert response.status_code == 302 and response.url == reverse("assessments:adults_only")
    html = client.get(response.url).content.decode()
    assert "This check is made for adults" in html
    assert "arch backwards" in html.replace("lean or arch", "arch")  # the adolescent's warning sign
    assert "doctor or a physiotherapist" in html
    assert Assessment.objects.count() == 0 and Session.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"fever_unwell": True}, "movement checks wait until a doctor has seen you"),
        ({"pain_now": 7}, "movement checks wait for a calmer day"),
    ],
)
def test_an_urgent_sign_or_high_pain_drops_the_movement_checks_and_says_why(client, runner_answers, change, why):
    runner_answers.update(change)
    if "fever_unwell" in change:
        del runner_answers["no_warning_signs"]
    post_steps_until(client, runner_answers, "outlook")
    html = client.get(step_url("outlook")).content.decode()
    assert "Step 5 of 5" in html
    assert "See my result" in html
    assert why in html


def test_an_urgent_result_keeps_only_gentle_advice_and_folds_the_contributors_away(client, runner_answers):
    runner_answers.update(fever_unwell=True, sitting_hours=9, strength_training="none")
    del runner_answers["no_warning_signs"]
    html = client.get(answer_all(client, runner_answers).url).content.decode()
    assert "See a doctor within a day or two" in html
    assert "What may be adding to your pain, for after your doctor" in html
    assert "Support your back when you sit" in html
    assert "Add strength training" not in html


def test_the_toe_reach_check_is_not_offered_with_pain_into_the_leg(client, runner_answers):
    runner_answers["pain_areas"] = ["lower_back_centre", "below_knee"]
    data = post_steps_until(client, runner_answers, "checks")
    html = client.get(step_url("checks")).content.decode()
    assert "Quick movement checks" in html
    assert 'name="hamstring_test"' not in html
    assert "we left out the toe-reach check" in html
    assert "hamstring_test" not in data
    assert client.post(step_url("checks"), data).status_code == 302
    assert "hamstring_test" not in Assessment.objects.get().answers


def test_each_movement_check_shows_its_drawing(client, runner_answers):
    post_steps_until(client, runner_answers, "checks")
    html = client.get(step_url("checks")).content.decode()
    drawings = re.findall(r'<img class="check-drawing" src="/static/img/checks/([a-z-]+)\.svg" alt=""', html)
    assert len(drawings) == 7 == len(set(drawings))


def test_the_result_page_uses_at_most_three_queries(client, runner_answers, django_assert_max_num_queries):
    url = answer_all(client, runner_answers).url
    with django_assert_max_num_queries(3):
        assert Client().get(url).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/r/" + "A" * 43 + "/",  # the right shape, but no such result
        "/r/" + "A" * 43 + "/delete/",
        "/r/not-a-real-token/",
        "/r/abc%00def/",  # a NUL byte would make PostgreSQL raise if it reached a query
        "/r/abc%00def/delete/",
        "/r/" + "A" * 42 + "%00/",
    ],
)
def test_an_unknown_or_malformed_token_gives_404_without_a_query(client, path, django_assert_max_num_queries):
    with django_assert_max_num_queries(0 if "%00" in path or "not-a" in path else 1):
        assert client.get(path).status_code == 404


def test_a_runner_can_delete_their_assessment_after_confirming(client, runner_answers, django_assert_max_num_queries):
    url = answer_all(client, runner_answers).url
    assessment = Assessment.objects.get()
    delete_url = reverse("assessments:delete", args=[assessment.token])
    assert delete_url in client.get(url).content.decode()

    with django_assert_max_num_queries(2):
        confirm = client.get(delete_url)
    assert b"cannot be undone" in confirm.content
    assert Assessment.objects.count() == 1, "showing the confirmation deletes nothing"

    response = client.post(delete_url, follow=True)
    assert Assessment.objects.count() == 0
    assert b"have been deleted" in response.content
    assert client.get(url).status_code == 404


def test_deleting_needs_the_csrf_token(runner_answers):
    answer_all(Client(), runner_answers)
    token = Assessment.objects.get().token
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("assessments:delete", args=[token]))
    assert response.status_code == 403
    assert Assessment.objects.count() == 1


def test_answers_wait_in_the_database_session_between_steps(client, runner_answers):
    post_steps_until(client, runner_answers, "week")
    assert Session.objects.count() == 1
    assert Assessment.objects.count() == 0


# --- bad input: a clear message beside the field, nothing stored, never a 500 -------------


def test_nothing_is_stored_without_consent_not_even_a_session(client):
    assert client.get(START).status_code == 200
    assert Session.objects.count() == 0, "opening the questionnaire writes nothing"
    response = client.post(step_url("start"), {"age_band": "30_39", "reason": "pain"})
    html = response.content.decode()
    assert response.status_code == 200  # shown on this response: there is nowhere to keep it yet
    assert "Step 1 of 6" in html
    assert "Please tick this box to go on." in html
    assert "<title>Error: Before you start" in html
    assert 'role="alert"' in html
    assert Assessment.objects.count() == 0 and Session.objects.count() == 0


@pytest.mark.parametrize("action", ["back", "next", "restart", ""])
def test_nothing_sent_to_the_first_step_without_consent_writes_a_session(client, action):
    body = {"age_band": "30_39", "reason": "pain", "nickname": "x" * 50, "action": action}
    assert client.post(step_url("start"), body).status_code in (200, 302)
    assert Session.objects.count() == 0


@pytest.mark.parametrize(
    ("step", "field", "value", "message"),
    [
        ("pain", "pain_now", "11", "Please choose a number from 0 to 10."),
        ("pain", "pain_now", "-1", "Please choose a number from 0 to 10."),
        ("pain", "pain_now", "three", "Please choose a number from 0 to 10."),
        ("pain", "pain_areas", "spleen", "Please tick at least one."),  # a made-up choice is not kept
        ("pain", "pain_eases", ["nothing", "moving"], "You ticked &#x27;Nothing seems to help&#x27; and something"),
        ("week", "shoes", "moon", "Please choose one of the answers shown."),
        ("week", "weekly_distance", "nan", "Please enter a number."),
        ("week", "weekly_distance", "1e400", "Please enter a number."),
        ("week", "weekly_distance", "", "Please enter a number."),
        ("week", "shoes", "", "Please choose one answer."),
        ("pain", "pain_areas", None, "Please tick at least one."),
        ("week", "sitting_hours", "25", "Please enter a number from 0 to 24."),
        ("week", "driving_hours", "20", "cannot be more than 24 hours"),
        ("week", "nickname", "x" * 10_000, "at most 40 characters"),
        ("checks", "plank_seconds", "601", "Please enter a number from 0 to 600."),
        ("outlook", "feelings", ["none", "low_mood"], "You ticked &#x27;None of these&#x27; and something else"),
    ],
)
def test_a_bad_answer_is_shown_beside_its_field_and_keeps_the_rest(client, runner_answers, step, field, value, message):
    runner_answers["sitting_hours"] = 10
    data = post_steps_until(client, runner_answers, step)
    data[field] = value
    if value is None:  # not sent at all, as when nothing is ticked
        del data[field]
    response = client.post(step_url(step), data)
    assert response.status_code == 302 and response.url == step_url(step), "Post/Redirect/Get, errors too"
    page = client.get(response.url)
    html = page.content.decode()
    assert message in html
    assert html.startswith("<!doctype html>") and "<title>Error: " in html
    assert 'aria-invalid="true"' in html
    assert f'name="{field}"' in html
    # The other answers typed on this step are still there.
    for key, kept in data.items():
        if key not in (field, "action") and isinstance(kept, str) and kept:
            assert f'value="{kept}"' in html, key
    assert Assessment.objects.count() == 0
    reload = client.get(response.url).content.decode()
    without_token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert without_token.sub("", reload) == without_token.sub("", html), "a reload shows the same page"


def test_back_keeps_what_was_typed_on_the_current_step(client, runner_answers):
    data = post_steps_until(client, runner_answers, "pain")
    data["home_care_weeks"] = "5"
    del data["trend"]  # not complete yet: going back must still keep the rest
    response = client.post(step_url("pain"), dict(data, action="back"))
    assert response.status_code == 302 and response.url == step_url("week")
    html = client.get(response.url).content.decode()
    assert "Your running and your sitting" in html
    assert 'value="25' in html, "the previous step's answers are shown again"
    assert 'class="error-message"' not in html, "no errors shown for a step left with Back"
    response = client.post(step_url("week"), step_posts(runner_answers)[2][1])
    html = client.get(response.url).content.decode()
    assert "Your pain" in html
    assert 'value="5"' in html
    assert "Please choose one answer" not in html


def test_skipping_ahead_to_a_later_step_is_refused(client, runner_answers):
    posts = dict(step_posts(runner_answers))
    post_steps_until(client, runner_answers, "warning")
    response = client.post(step_url("checks"), posts["checks"])
    assert response.status_code == 302 and response.url == step_url("warning")
    assert client.get(step_url("pain")).url == step_url("warning")
    assert Assessment.objects.count() == 0


def test_a_file_sent_to_any_step_is_a_clear_400(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    for step in ("start", "warning", "checks"):
        upload = SimpleUploadedFile("x.txt", b"hello")
        response = client.post(step_url(step), {"age_band": "30_39", "file": upload})
        assert response.status_code == 400
        assert b"Nothing was changed" in response.content
    assert Assessment.objects.count() == 0 and Session.objects.count() == 0


def test_a_huge_request_body_is_refused(client):
    response = client.post(step_url("start"), {"nickname": "x" * 3_000_000})
    assert response.status_code == 400
    assert Assessment.objects.count() == 0


def test_the_questionnaire_needs_the_csrf_token(runner_answers):
    strict = Client(enforce_csrf_checks=True)
    strict.get(START)
    response = strict.post(step_url("start"), step_posts(runner_answers)[0][1])
    assert response.status_code == 403
    assert b"Nothing was changed" in response.content
    assert Assessment.objects.count() == 0


def test_pages_carry_a_strict_content_security_policy(client):
    policy = client.get(reverse("assessments:landing")).headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


# --- the session holds only what it must ----------------------------------------------------


def session_size(client) -> int:
    key = client.cookies["sessionid"].value
    return len(Session.objects.get(session_key=key).session_data)


def test_the_session_keeps_only_validated_answers_of_known_questions(client, runner_answers):
    post_steps_until(client, runner_answers, "pain")
    junk = {f"junk{n}": "x" * 2000 for n in range(200)}
    data = dict(step_posts(runner_answers)[3][1], **junk, nickname="y" * 5000, pain_areas=["knee"] * 500)
    client.post(step_url("pain"), data)
    client.post(step_url("week"), dict(step_posts(runner_answers)[2][1], **junk, weekly_distance="1" * 9000))
    stored = client.session["questionnaire"]
    assert not any(code.startswith("junk") for code in stored["answers"])
    assert set(stored["answers"]) <= set(qn.QUESTIONS)
    assert session_size(client) < 16_000


# --- leaving, coming back, stale pages: answers are never lost, never a 500 ----------------


@pytest.mark.parametrize("step", ["bogus", "selftests", "consent", "adults"])
def test_a_made_up_step_is_not_found(client, runner_answers, step):
    post_steps_until(client, runner_answers, "week")
    assert client.get(f"{START}{step}/").status_code == 404
    assert client.post(f"{START}{step}/", {"action": "next"}).status_code == 404
    assert client.get(START).url == step_url("week"), "the runner's place is kept"


def test_a_stale_movement_checks_page_is_refused_once_an_emergency_sign_removed_it(client, runner_answers):
    posts = dict(step_posts(runner_answers))
    post_steps_until(client, runner_answers, "checks")
    # Go back to the warning page and tick an emergency sign there: the result comes at once.
    emergency = dict(posts["warning"], saddle_numbness="on")
    del emergency["no_warning_signs"]
    result = client.post(step_url("warning"), emergency)
    assert result.url.startswith("/r/")
    # The old movement checks page, sent from the browser's history, finds the answers saved.
    response = client.post(step_url("checks"), posts["checks"], follow=True)
    assert "Your answers were already saved" in response.content.decode()
    assert Assessment.objects.get().triage == "emergency"


def test_a_page_that_no_longer_applies_shows_where_the_runner_is(client, runner_answers):
    posts = dict(step_posts(runner_answers))
    post_steps_until(client, runner_answers, "checks")
    # Back on the first page, the runner now says they have no pain: the pain pages go.
    client.post(step_url("start"), dict(posts["start"], reason="prevention"))
    response = client.post(step_url("pain"), posts["pain"], follow=True)
    html = response.content.decode()
    assert "That page no longer applies to your answers" in html
    assert "Quick movement checks" in html and "Step 4 of 4" in html
    assert Assessment.objects.count() == 0


def test_opening_the_questionnaire_again_resumes_instead_of_wiping(client, runner_answers):
    post_steps_until(client, runner_answers, "pain")
    response = client.get(START, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == step_url("pain")
    assert "Step 4 of 6" in html
    assert "Clear my answers and start again" in html
    posts = step_posts(runner_answers)
    for code, data in posts[3:]:
        response = client.post(step_url(code), data)
    assert response.url.startswith("/r/")
    assert Assessment.objects.get().answers["weekly_distance"] == 25


def test_start_again_asks_first_then_clears_the_answers_in_progress(client, runner_answers):
    post_steps_until(client, runner_answers, "pain")
    ask = client.get(reverse("assessments:restart"))
    assert "Clear your answers and start again?" in ask.content.decode()
    assert client.get(START).url == step_url("pain"), "asking clears nothing"
    response = client.post(reverse("assessments:restart"), follow=True)
    html = response.content.decode()
    assert "Step 1 of" in html
    assert "You are starting again" in html
    assert "Clear my answers" not in html


def test_back_from_an_old_page_in_the_history_keeps_the_later_answers(client, runner_answers):
    posts = dict(step_posts(runner_answers))
    post_steps_until(client, runner_answers, "outlook")
    # The browser's Back button shows the week page again (a GET); it is sent again unchanged.
    assert client.get(step_url("week")).status_code == 200
    response = client.post(step_url("week"), posts["week"])
    assert response.url == step_url("outlook"), "the next step not yet answered, not the one after week"
    html = client.get(step_url("pain")).content.decode()
    assert 'value="3" id="id_pain_now_3" checked' in html, "the pain answers given earlier are still there"


def test_sending_the_last_step_twice_shows_the_saved_result(client, runner_answers):
    posts = step_posts(runner_answers)
    first = answer_all(client, runner_answers)
    again = client.post(step_url(posts[-1][0]), posts[-1][1], follow=True)
    assert again.redirect_chain[-1][0] == first.url
    assert "already saved" in again.content.decode()
    assert Assessment.objects.count() == 1


def test_the_same_questionnaire_is_stored_once_however_often_it_is_finished(client, runner_answers):
    """Two requests finishing the same questionnaire (a double click reaching two app processes)
    carry the same submission key: the second finds the first's assessment."""
    posts = step_posts(runner_answers)
    for code, data in posts[:-1]:
        client.post(step_url(code), data)
    in_progress = dict(client.session["questionnaire"])
    first = client.post(step_url(posts[-1][0]), posts[-1][1])
    session = client.session
    session["questionnaire"] = in_progress  # as the second request read it, before the first ended
    session.save()
    second = client.post(step_url(posts[-1][0]), posts[-1][1])
    assert first.url == second.url
    assert Assessment.objects.count() == 1


def test_an_expired_session_says_so_and_starts_again(runner_answers):
    fresh = Client()  # no session: as after a day away, or with cookies cleared
    response = fresh.post(step_url("pain"), dict(step_posts(runner_answers))["pain"], follow=True)
    html = response.content.decode()
    assert "Your answers in progress were cleared" in html
    assert "Step 1 of" in html
    assert Assessment.objects.count() == 0


# --- privacy of the runner's pages ------------------------------------------------------------


def test_private_pages_are_never_cached_or_indexed(client, runner_answers):
    url = answer_all(client, runner_answers).url
    token = Assessment.objects.get().token
    for path in (url, reverse("assessments:delete", args=[token])):
        response = client.get(path)
        assert "no-store" in response.headers["Cache-Control"]
        assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in client.get(START).headers["Cache-Control"]


def test_deleting_also_forgets_the_cached_rendering(client, runner_answers):
    from django.core.cache import cache

    from assessments.views import ResultView, page_cache_key, result_page_key

    url = answer_all(client, runner_answers).url
    assessment = Assessment.objects.get()
    client.get(url)
    key = page_cache_key(ResultView.template_name, result_page_key(assessment, "testserver"))
    assert cache.get(key) is not None
    client.post(reverse("assessments:delete", args=[assessment.token]))
    assert cache.get(key) is None


@pytest.mark.parametrize("step_index", range(6))
def test_each_questionnaire_step_stays_within_its_query_budget(
    client, runner_answers, django_assert_max_num_queries, step_index
):
    posts = step_posts(runner_answers)
    for code, data in posts[:step_index]:
        client.post(step_url(code), data)
    code, data = posts[step_index]
    with django_assert_max_num_queries(1):  # the session
        assert client.get(step_url(code)).status_code == 200
    # The session, and its update (in a savepoint); the last step stores the assessment too.
    with django_assert_max_num_queries(7 if step_index == len(posts) - 1 else 4):
        assert client.post(step_url(code), data).status_code == 302


def test_the_first_step_needs_no_query_at_all(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        assert client.get(START).status_code == 200


STEP_CODES = [s.code for s in qn.SECTIONS]


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(STEP_CODES),  # the page the request goes to
            st.sampled_from(["next", "back"]),
            st.booleans(),  # with an emergency sign ticked on the warning page
            st.sampled_from(["post", "get", "restart", "start"]),
        ),
        max_size=14,
    )
)
def test_any_sequence_of_requests_never_gives_a_server_error(db, actions):
    client = Client()  # the test client raises on any server error
    posts = dict(step_posts(runner_with()))
    for step, action, emergency, kind in actions:
        if kind == "get":
            assert client.get(step_url(step)).status_code in (200, 302)
            continue
        if kind == "start":
            assert client.get(START).status_code in (200, 302)
            continue
        if kind == "restart":
            assert client.post(reverse("assessments:restart")).status_code == 302
            continue
        data = dict(posts.get(step, {}), action=action)
        if emergency and step == "warning":
            data.pop("no_warning_signs")
            data["saddle_numbness"] = "on"
        assert client.post(step_url(step), data).status_code in (200, 302)


# Whatever a client sends to a step: bodies of any shape, size and characters.
FIELD_NAMES = st.sampled_from([*qn.QUESTIONS, "action", "x" * 300, "", "\x00", "pain_now[]"])
FIELD_VALUES = st.one_of(
    st.text(max_size=50),
    st.text(alphabet=st.sampled_from(["\x00", "é", "9", "-", "e", "."]), max_size=20),
    st.sampled_from(["on", "next", "back", "1e400", "nan", "-0", "10", "under_18", "none"]),
    st.just("z" * 70_000),
    st.lists(st.text(max_size=10), max_size=30),
)


@settings(max_examples=120, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(st.sampled_from(STEP_CODES), st.dictionaries(FIELD_NAMES, FIELD_VALUES, max_size=12), st.booleans()),
        min_size=1,
        max_size=6,
    )
)
def test_random_bodies_to_every_step_never_give_a_server_error_and_keep_the_session_small(db, bodies):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = Client()
    posts = step_posts(runner_with())
    for code, data in posts[:3]:  # a runner part-way through, with a session
        client.post(step_url(code), data)
    for step, body, with_file in bodies:
        if with_file:
            body = dict(body, upload=SimpleUploadedFile("a.bin", b"\x00" * 10))
        response = client.post(step_url(step), body)
        assert response.status_code in (200, 302, 400)
        assert client.get(step_url(step)).status_code in (200, 302)
    if "sessionid" in client.cookies and Session.objects.filter(session_key=client.cookies["sessionid"].value):
        assert session_size(client) < 16_000


def test_an_emergency_sign_reaches_the_result_even_with_nothing_else_on_the_page(client, runner_answers):
    post_steps_until(client, runner_answers, "warning")
    response = client.post(step_url("warning"), {"bladder_bowel": "on", "action": "next"})
    assert response.status_code == 302 and response.url.startswith("/r/")
    assert Assessment.objects.get().triage == "emergency"


def test_if_the_final_check_ever_disagrees_with_the_forms_the_answers_are_kept(client, runner_answers, monkeypatch):
    from assessments.answers import AnswerError

    def refuse(answers, clinic=None, submission_key=None):
        raise AnswerError({"pain_now": "an answer is required"})

    monkeypatch.setattr(Assessment.objects, "create_from_answers", refuse)
    posts = step_posts(runner_answers)
    for code, data in posts[:-1]:
        client.post(step_url(code), data)
    response = client.post(step_url(posts[-1][0]), posts[-1][1], follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == step_url("pain")
    assert "Your pain" in html
    assert "an answer is required" in html
    assert 'value="3" id="id_pain_now_3" checked' in html, "the stored pain answers are shown again, not lost"
    monkeypatch.undo()
    for code, data in posts[3:]:
        response = client.post(step_url(code), data)
    assert response.url.startswith("/r/")
    assert Assessment.objects.get().answers["weekly_distance"] == 25
