"""The runner's pages through the Django test client: the journey, bad input, privacy."""

import re

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.models import Assessment
from assessments.questionnaire import QUESTIONNAIRE_VERSION
from tests.personas import runner_with, step_posts

pytestmark = pytest.mark.django_db

WIZARD = reverse("assessments:questionnaire")


def answer_all(client, answers):
    """Post every step; return the last response (a redirect to the result)."""
    posts = step_posts(answers)
    for code, data in posts[:-1]:
        response = client.post(WIZARD, data)
        assert response.status_code == 200, code
        assert not response.context["form"].errors, (code, response.context["form"].errors)
    return client.post(WIZARD, posts[-1][1])


def post_steps_until(client, answers, stop_before):
    for code, data in step_posts(answers):
        if code == stop_before:
            return data
        response = client.post(WIZARD, data)
        assert response.status_code == 200, code
    raise AssertionError(f"no step {stop_before}")


def test_the_landing_page_explains_the_check_and_links_to_it(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        response = client.get(reverse("assessments:landing"))
    assert response.status_code == 200
    assert WIZARD in response.content.decode()
    assert b"not a diagnosis" in response.content


def test_the_first_step_asks_for_consent_and_shows_progress(client):
    response = client.get(WIZARD)
    html = response.content.decode()
    assert "Step 1 of 8" in html
    assert 'name="consent-consent"' in html
    assert 'name="csrfmiddlewaretoken"' in html


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
    assert "Bookmark this private link" in html
    assert f"/r/{assessment.token}/" in html
    assert "Not a diagnosis" in html


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
    assert "<meter" in html


def test_a_rest_day_is_flagged_with_its_reason(client, runner_answers):
    runner_answers.update(run_pain_change="much_worse")
    response = answer_all(client, runner_answers)
    html = client.get(response.url).content.decode()
    assert "Make today a rest day" in html
    assert "your pain rose by 2 points or more after your last run" in html
    assert Assessment.objects.get().rest_day is True


def test_an_emergency_sign_goes_straight_to_what_to_do_now(client, runner_answers):
    runner_answers.update(saddle_numbness=True, sitting_hours=10, run_pain_change="much_worse")
    del runner_answers["no_warning_signs"]
    data = post_steps_until(client, runner_answers, "warning")
    assert "Step 6 of 8" in client.get(WIZARD).content.decode()
    response = client.post(WIZARD, data)
    assert response.status_code == 302, "no outlook or movement checks after an emergency sign"
    assessment = Assessment.objects.get()
    assert assessment.triage == "emergency"
    html = client.get(response.url).content.decode()
    assert html.index("Seek emergency care now") < html.index("What you told us")
    assert 'role="alert"' in html
    assert "What may be adding to your pain" not in html
    assert "Make today a rest day" not in html
    assert "numbness or tingling in the saddle area" in html


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"fever_unwell": True}, "movement checks wait until a doctor has seen you"),
        ({"pain_now": 7, "pain_worst_week": 8}, "movement checks wait for a calmer day"),
    ],
)
def test_an_urgent_sign_or_high_pain_drops_the_movement_checks_and_says_why(client, runner_answers, change, why):
    runner_answers.update(change)
    if "fever_unwell" in change:
        del runner_answers["no_warning_signs"]
    data = post_steps_until(client, runner_answers, "warning")
    html = client.post(WIZARD, data).content.decode()
    assert "Step 7 of 7" in html
    assert "See my result" in html
    assert why in html


def test_an_urgent_result_keeps_only_gentle_advice_and_folds_the_contributors_away(client, runner_answers):
    runner_answers.update(fever_unwell=True, sitting_hours=9, strength_training="none", warm_up="never")
    del runner_answers["no_warning_signs"]
    for code in [c for c in runner_answers if c.endswith("_test") or c.startswith("wall_")]:
        del runner_answers[code]
    html = client.get(answer_all(client, runner_answers).url).content.decode()
    assert "See a doctor within a day or two" in html
    assert "What may be adding to your pain, for after your doctor" in html
    assert "Support your back when you sit" in html
    assert "Add strength training" not in html
    assert "Warm up before you run" not in html


def test_the_toe_reach_check_is_not_offered_with_pain_into_the_leg(client, runner_answers):
    runner_answers["pain_areas"] = ["lower_back_centre", "below_knee"]
    data = post_steps_until(client, runner_answers, "selftests")
    html = client.get(WIZARD).content.decode()
    assert "Quick movement checks" in html
    assert "selftests-hamstring_test" not in html
    assert "we left out the toe-reach check" in html
    assert "selftests-hamstring_test" not in data
    assert client.post(WIZARD, data).status_code == 302
    assert "hamstring_test" not in Assessment.objects.get().answers


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
    post_steps_until(client, runner_answers, "running")
    assert Session.objects.count() == 1
    assert Assessment.objects.count() == 0


# --- bad input: a clear message beside the field, nothing stored, never a 500 -------------


def test_nothing_is_stored_without_consent(client):
    response = client.post(WIZARD, {"questionnaire_view-current_step": "consent"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Step 1 of 8" in html
    assert "Please tick this box to go on." in html
    assert 'role="alert"' in html
    assert Assessment.objects.count() == 0


@pytest.mark.parametrize(
    ("step", "field", "value", "message"),
    [
        ("pain", "pain_now", "11", "Please enter a number from 0 to 10."),
        ("pain", "pain_now", "-1", "Please enter a number from 0 to 10."),
        ("pain", "pain_now", "three", "Please enter a whole number."),
        ("pain", "pain_areas", "spleen", "Select a valid choice"),
        ("pain", "pain_worst_week", "1", "cannot be lower than your pain right now"),
        ("running", "surface", "moon", "Select a valid choice"),
        ("running", "weekly_distance", "nan", "Please enter a number."),
        ("running", "weekly_distance", "1e400", "Please enter a number."),
        ("running", "runs_per_week", "", "Please enter a number."),
        ("running", "surface", "", "Please choose one answer."),
        ("pain", "pain_areas", None, "Please tick at least one."),
        ("sitting", "sitting_hours", "25", "Please enter a number from 0 to 24."),
        ("sitting", "driving_hours", "20", "cannot be more than 24 hours"),
        ("about", "nickname", "x" * 10_000, "at most 40 characters"),
        ("selftests", "plank_seconds", "601", "Please enter a number from 0 to 600."),
    ],
)
def test_a_bad_answer_is_shown_beside_its_field_and_keeps_the_rest(client, runner_answers, step, field, value, message):
    runner_answers["sitting_hours"] = 10
    data = post_steps_until(client, runner_answers, step)
    data[f"{step}-{field}"] = value
    if value is None:  # not sent at all, as when nothing is ticked
        del data[f"{step}-{field}"]
    response = client.post(WIZARD, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert 'aria-invalid="true"' in html
    assert f"{step}-{field}" in html
    # The other answers typed on this step are still there.
    for key, kept in data.items():
        if key.startswith(f"{step}-") and key != f"{step}-{field}" and isinstance(kept, str) and kept:
            assert f'value="{kept}"' in html, key
    assert Assessment.objects.count() == 0


def test_back_keeps_what_was_typed_on_the_current_step(client, runner_answers):
    data = post_steps_until(client, runner_answers, "sitting")
    data["sitting-sitting_hours"] = "7.5"
    del data["sitting-breaks"]  # not complete yet: going back must still keep the rest
    back = dict(data, wizard_goto_step="running")
    response = client.post(WIZARD, back)
    assert "Your running" in response.content.decode()
    assert 'value="25' in response.content.decode(), "the previous step's answers are shown again"
    response = client.post(WIZARD, step_posts(runner_answers)[2][1])
    html = response.content.decode()
    assert "Sitting and driving" in html
    assert 'value="7.5"' in html


def test_skipping_ahead_to_a_later_step_is_refused(client, runner_answers):
    posts = dict(step_posts(runner_answers))
    client.get(WIZARD)
    response = client.post(WIZARD, posts["selftests"])
    assert response.status_code == 200
    assert "Step 1 of 8" in response.content.decode()
    assert Assessment.objects.count() == 0


def test_a_broken_management_form_gives_400_not_500(client):
    response = client.post(WIZARD, {"consent-consent": "on"})
    assert response.status_code == 400
    assert Assessment.objects.count() == 0


def test_a_huge_request_body_is_refused(client):
    response = client.post(WIZARD, {"questionnaire_view-current_step": "about", "about-nickname": "x" * 3_000_000})
    assert response.status_code == 400
    assert Assessment.objects.count() == 0


def test_the_questionnaire_needs_the_csrf_token(runner_answers):
    strict = Client(enforce_csrf_checks=True)
    strict.get(WIZARD)
    response = strict.post(WIZARD, step_posts(runner_answers)[0][1])
    assert response.status_code == 403
    assert b"Nothing was changed" in response.content
    assert Assessment.objects.count() == 0


def test_pages_carry_a_strict_content_security_policy(client):
    policy = client.get(reverse("assessments:landing")).headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


# --- leaving, coming back, stale pages: answers are never lost, never a 500 ----------------


@pytest.mark.parametrize("step", ["bogus", "';d=new Date();//", "selftests-but-not-really", ""])
def test_a_made_up_step_shows_the_runners_real_step(client, runner_answers, step):
    data = post_steps_until(client, runner_answers, "sitting")
    data["questionnaire_view-current_step"] = step
    response = client.post(WIZARD, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Step 4 of 8" in html
    assert "no longer applies" in html
    assert Assessment.objects.count() == 0


def test_a_stale_movement_checks_page_is_refused_once_an_emergency_sign_removed_it(client, runner_answers):
    posts = dict(step_posts(runner_answers))
    post_steps_until(client, runner_answers, "warning")
    # Store an emergency sign on the warning step by going back to it from a later page.
    emergency = dict(posts["warning"], **{"warning-saddle_numbness": "on", "wizard_goto_step": "pain"})
    del emergency["warning-no_warning_signs"]
    client.post(WIZARD, emergency)
    response = client.post(WIZARD, posts["selftests"])
    html = response.content.decode()
    assert response.status_code == 200
    assert "That page no longer applies to your answers" in html
    assert "Your pain" in html
    assert Assessment.objects.count() == 0


def test_opening_the_questionnaire_again_resumes_instead_of_wiping(client, runner_answers):
    post_steps_until(client, runner_answers, "pain")
    html = client.get(WIZARD).content.decode()
    assert "Step 5 of 8" in html
    assert "Clear my answers and start again" in html
    posts = step_posts(runner_answers)
    for _code, data in posts[4:-1]:
        assert client.post(WIZARD, data).status_code == 200
    assert client.post(WIZARD, posts[-1][1]).status_code == 302
    assert Assessment.objects.get().answers["runs_per_week"] == 3


def test_start_again_asks_first_then_clears_the_answers_in_progress(client, runner_answers):
    post_steps_until(client, runner_answers, "pain")
    ask = client.post(WIZARD, {"restart": "ask"})
    assert "Clear your answers and start again?" in ask.content.decode()
    assert "Step 5 of 8" in client.get(WIZARD).content.decode(), "asking clears nothing"
    response = client.post(WIZARD, {"restart": "confirmed"}, follow=True)
    html = response.content.decode()
    assert "Step 1 of 8" in html
    assert "You are starting again" in html
    assert "Clear my answers" not in html


def test_back_from_an_old_page_in_the_history_keeps_the_later_answers(client, runner_answers):
    posts = dict(step_posts(runner_answers))
    post_steps_until(client, runner_answers, "warning")
    client.post(WIZARD, dict(posts["warning"], wizard_goto_step="pain"))  # the runner is on pain again
    # Browser history shows the running page; its Back button is pressed.
    client.post(WIZARD, dict(posts["running"], wizard_goto_step="about"))
    for code in ("about", "running", "sitting"):
        response = client.post(WIZARD, posts[code])
    html = response.content.decode()
    assert "Your pain" in html
    assert 'value="3"' in html, "the pain answers given earlier are still there"


def test_sending_the_last_step_twice_shows_the_saved_result(client, runner_answers):
    posts = step_posts(runner_answers)
    first = answer_all(client, runner_answers)
    again = client.post(WIZARD, posts[-1][1], follow=True)
    assert again.redirect_chain[-1][0] == first.url
    assert "already saved" in again.content.decode()
    assert Assessment.objects.count() == 1


def test_an_expired_session_says_so_and_starts_again(runner_answers):
    fresh = Client()  # no session: as after a day away, or with cookies cleared
    response = fresh.post(WIZARD, dict(step_posts(runner_answers))["pain"], follow=True)
    html = response.content.decode()
    assert "Your answers in progress were cleared" in html
    assert "Step 1 of 8" in html
    assert Assessment.objects.count() == 0


# --- privacy of the runner's pages ------------------------------------------------------------


def test_private_pages_are_never_cached_or_indexed(client, runner_answers):
    url = answer_all(client, runner_answers).url
    token = Assessment.objects.get().token
    for path in (url, reverse("assessments:delete", args=[token])):
        response = client.get(path)
        assert "no-store" in response.headers["Cache-Control"]
        assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in client.get(WIZARD).headers["Cache-Control"]


def test_deleting_also_forgets_the_cached_rendering(client, runner_answers):
    from django.core.cache import cache

    from assessments.views import result_fragment_key

    url = answer_all(client, runner_answers).url
    assessment = Assessment.objects.get()
    client.get(url)
    assert cache.get(result_fragment_key(assessment)) is not None
    client.post(reverse("assessments:delete", args=[assessment.token]))
    assert cache.get(result_fragment_key(assessment)) is None


@pytest.mark.parametrize("step_index", range(6))
def test_each_questionnaire_step_stays_within_its_query_budget(
    client, runner_answers, django_assert_max_num_queries, step_index
):
    posts = step_posts(runner_answers)
    for _code, data in posts[:step_index]:
        client.post(WIZARD, data)
    with django_assert_max_num_queries(4):
        assert client.get(WIZARD).status_code == 200
    with django_assert_max_num_queries(4):
        assert client.post(WIZARD, posts[step_index][1]).status_code == 200


def test_going_to_a_step_that_the_new_answers_remove_never_breaks_the_questionnaire(client, runner_answers):
    data = post_steps_until(client, runner_answers, "warning")
    del data["warning-no_warning_signs"]
    data["warning-saddle_numbness"] = "on"
    # A forged "go to" the outlook step, which the emergency sign being saved removes.
    response = client.post(WIZARD, dict(data, wizard_goto_step="outlook"))
    assert response.status_code == 200
    assert "Warning signs" in response.content.decode()
    assert client.get(WIZARD).status_code == 200
    assert client.post(WIZARD, data).status_code == 302
    assert Assessment.objects.get().triage == "emergency"


STEP_CODES = [code for code, _ in step_posts(runner_with())] + ["bogus"]


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(STEP_CODES),  # the page the request claims to come from
            st.sampled_from([None, *STEP_CODES]),  # a Back (go to) target, if any
            st.booleans(),  # with an emergency sign ticked on the warning page
            st.sampled_from(["post", "get", "restart"]),
        ),
        max_size=14,
    )
)
def test_any_sequence_of_requests_never_gives_a_server_error(db, actions):
    client = Client()  # the test client raises on any server error
    posts = dict(step_posts(runner_with()))
    for step, goto, emergency, kind in actions:
        if kind == "get":
            assert client.get(WIZARD).status_code == 200
            continue
        if kind == "restart":
            assert client.post(WIZARD, {"restart": "confirmed"}).status_code == 302
            continue
        data = dict(posts.get(step, {"questionnaire_view-current_step": step}))
        if emergency and step == "warning":
            data.pop("warning-no_warning_signs")
            data["warning-saddle_numbness"] = "on"
        if goto:
            data["wizard_goto_step"] = goto
        assert client.post(WIZARD, data).status_code in (200, 302)


def test_an_emergency_sign_reaches_the_result_even_with_another_warning_answer_missed(client, runner_answers):
    data = post_steps_until(client, runner_answers, "warning")
    del data["warning-no_warning_signs"]
    del data["warning-recent_fall"]
    data["warning-bladder_bowel"] = "on"
    response = client.post(WIZARD, data)
    assert response.status_code == 302
    assert Assessment.objects.get().triage == "emergency"


def test_without_an_emergency_sign_the_fall_question_still_needs_an_answer(client, runner_answers):
    data = post_steps_until(client, runner_answers, "warning")
    del data["warning-recent_fall"]
    response = client.post(WIZARD, data)
    assert response.status_code == 200
    assert "Please choose one answer." in response.content.decode()


def test_if_the_final_check_ever_disagrees_with_the_forms_the_answers_are_kept(client, runner_answers, monkeypatch):
    from assessments.answers import AnswerError

    def refuse(answers, clinic=None):
        raise AnswerError({"pain_now": "an answer is required"})

    monkeypatch.setattr(Assessment.objects, "create_from_answers", refuse)
    posts = step_posts(runner_answers)
    for _code, data in posts[:-1]:
        client.post(WIZARD, data)
    response = client.post(WIZARD, posts[-1][1])
    html = response.content.decode()
    assert response.status_code == 200
    assert "Your pain" in html
    assert "An answer is required." in html
    assert 'value="4"' in html, "the stored pain answers are shown again, not lost"
    monkeypatch.undo()
    for _code, data in posts[4:-1]:
        client.post(WIZARD, data)
    assert client.post(WIZARD, posts[-1][1]).status_code == 302
    assert Assessment.objects.get().answers["runs_per_week"] == 3
