"""The answers in progress (assessments.progress): which step comes next, and nothing typed is lost."""

import pytest

from assessments import questionnaire as qn
from assessments.models import Assessment
from assessments.progress import Progress
from tests.personas import PREVENTION_ANSWERS, runner_with, step_posts, step_url

S = qn.SECTIONS_BY_CODE


def sent(progress: Progress, answers: dict, *codes: str) -> Progress:
    """Send these steps of `answers` as a browser would: each with the questions it shows."""
    for code in codes:
        section = S[code]
        asked = [q.code for q in progress.flow.questions(section)]
        progress.store(section, {c: answers[c] for c in asked if c in answers}, shown=asked)
    return progress


# --- which step comes next --------------------------------------------------------------------


def test_a_new_runner_starts_at_the_first_step_and_goes_through_the_steps_in_order():
    progress = Progress.new("pain")
    assert progress.current() is S["start"]
    sent(progress, runner_with(), "start", "warning")
    assert progress.current() is S["week"]
    assert progress.reachable(S["warning"]) and progress.reachable(S["week"])
    assert not progress.reachable(S["pain"]), "no skipping ahead"


def test_warning_signs_added_by_a_changed_answer_send_the_runner_back_to_see_them():
    prevention = dict(PREVENTION_ANSWERS)
    progress = sent(Progress.new("prevention"), prevention, "start", "warning", "week")
    assert progress.current() is S["checks"]
    # Back on the first page, the runner now has back pain: the warning page shows more signs.
    sent(progress, {**prevention, "reason": "pain"}, "start")
    assert progress.current() is S["warning"], "the new warning signs must be seen, not skipped"


def test_a_question_added_to_a_step_already_sent_brings_the_runner_back_to_it():
    progress = sent(Progress.new("pain"), runner_with(), "start", "warning", "week", "pain", "outlook")
    assert progress.current() is S["checks"]
    sent(progress, runner_with(age_band="50_59"), "start")  # a first episode is asked from 50
    assert progress.current() is S["pain"]
    sent(progress, runner_with(age_band="50_59"), "pain")
    assert progress.current() is S["checks"]


def test_becoming_pregnant_in_the_answers_asks_the_pregnancy_signs():
    progress = sent(Progress.new("pain"), runner_with(), "start", "warning", "week")
    sent(progress, runner_with(pregnancy="pregnant"), "start")
    assert progress.current() is S["warning"]
    assert "pregnancy_signs" in [q.code for q in progress.flow.questions(S["warning"])]


def test_a_step_no_longer_asked_is_passed_over():
    progress = sent(Progress.new("pain"), runner_with(), "start", "warning", "week", "pain", "outlook")
    sent(progress, {**runner_with(), "reason": "prevention"}, "start")
    assert [s.code for s in progress.flow.steps] == ["start", "warning", "week", "checks"]
    # Fewer warning signs than the runner saw: "None of these" still holds, nothing to ask again.
    assert progress.current() is S["checks"]
    assert not progress.reachable(S["pain"])


def test_a_step_with_a_draft_waiting_is_not_complete():
    progress = sent(Progress.new("pain"), runner_with(), "start", "warning", "week")
    progress.keep_draft(S["warning"], {"fever_unwell": "on"}, with_errors=False)
    assert progress.current() is S["warning"]


def test_the_session_keeps_the_progress_of_this_version_only():
    session = {}
    progress = sent(Progress.new("pain"), runner_with(), "start")
    progress.keep_draft(S["warning"], {"fever_unwell": "on"}, with_errors=True)
    progress.save(session)
    again = Progress.load(session)
    assert (again.answers, again.shown, again.key, again.drafts) == (
        progress.answers,
        progress.shown,
        progress.key,
        progress.drafts,
    )
    session["questionnaire"]["version"] = "2026.11.1"
    assert Progress.load(session) is None and Progress.is_outdated(session)


# --- nothing typed is lost, through the web ------------------------------------------------


@pytest.mark.django_db
def test_warning_signs_ticked_before_going_back_are_kept(client):
    posts = dict(step_posts(runner_with()))
    for code in ("start", "warning", "week"):
        client.post(step_url(code), posts[code])
    # From the pain page, back to the warning signs; the runner ticks fever and goes back again.
    client.post(step_url("pain"), {"action": "back"})
    response = client.post(step_url("warning"), {"fever_unwell": "on", "weight_loss": "on", "action": "back"})
    assert response.url == step_url("start")
    assert {"fever_unwell", "weight_loss"} <= set(client.session["questionnaire"]["answers"])
    # Next from the first page goes on from there, with the signs stored: an urgent result.
    response = client.post(step_url("start"), posts["start"])
    assert response.url == step_url("pain")
    for code in ("pain", "outlook"):
        response = client.post(step_url(code), posts[code])
    assert Assessment.objects.get().tier == "urgent"


@pytest.mark.django_db
def test_a_changed_pain_answer_sent_with_back_is_stored(client):
    posts = step_posts(runner_with())
    for code, data in posts[:4]:  # up to and including the pain step
        client.post(step_url(code), data)
    worse = dict(dict(posts)["pain"], pain_now="9", trend="worse", action="back")
    assert client.post(step_url("pain"), worse).url == step_url("week")
    response = client.post(step_url("week"), dict(posts)["week"])
    assert response.url == step_url("outlook"), "the pain step was stored with its new answers"
    client.post(step_url("outlook"), dict(posts)["outlook"])
    stored = Assessment.objects.get()
    assert (stored.pain_now, stored.answers["trend"], stored.tier) == (9, "worse", "routine")


@pytest.mark.django_db
def test_an_incomplete_step_left_with_back_is_shown_again_before_going_further(client):
    posts = dict(step_posts(runner_with()))
    for code in ("start", "warning", "week"):
        client.post(step_url(code), posts[code])
    partial = {"pain_now": "5", "action": "back"}  # not complete: kept as typed, not stored
    assert client.post(step_url("pain"), partial).url == step_url("week")
    response = client.post(step_url("week"), posts["week"])
    assert response.url == step_url("pain")
    html = client.get(response.url).content.decode()
    assert 'value="5" id="id_pain_now_5" checked' in html
    assert 'class="error-message"' not in html


@pytest.mark.django_db
def test_the_browser_back_from_the_result_to_a_step_shows_the_result_again(client):
    posts = step_posts(runner_with())
    for code, data in posts:
        response = client.post(step_url(code), data)
    result = response.url
    again = client.get(step_url("checks"), follow=True)
    assert again.redirect_chain[-1][0] == result
    assert "already saved" in again.content.decode()


@pytest.mark.django_db
def test_next_after_going_back_from_the_last_step_shows_the_last_step_again(client):
    posts = step_posts(runner_with())
    for code, data in posts[:-1]:
        client.post(step_url(code), data)
    last_code, last_data = posts[-1]
    assert client.post(step_url(last_code), dict(last_data, action="back")).url == step_url("outlook")
    response = client.post(step_url("outlook"), dict(posts)["outlook"])
    assert response.url == step_url(last_code), "Next goes to the next page, not straight to the result"
    assert Assessment.objects.count() == 0
    assert client.post(step_url(last_code), last_data).url.startswith("/r/")
