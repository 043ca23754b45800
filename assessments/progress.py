"""The answers in progress: what the session keeps between the questionnaire's steps.

Pure Python (the session is used as a mapping). Only validated answers of the questions
asked are kept, with, for each step sent, the questions it showed, and at most one short
draft per step (what was typed on a page left with errors or with Back before it was
complete). Whatever is posted, that stays a few kilobytes.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import MutableMapping

from assessments import questionnaire as qn
from assessments.answers import Flow

SESSION_KEY = "questionnaire"
FIRST = qn.SECTIONS[0]


class Progress:
    """A runner's way through the questionnaire.

    A step is complete once it was sent without errors, every question it asks now was on the
    page then (an earlier answer may add a question, such as more warning signs after "I have
    back pain now": the runner is sent back to see it), and no draft of it is waiting.

    `key` identifies this questionnaire's one submission: sending the last step twice, even
    at the same instant to two app processes, stores one assessment (Assessment.submission_key).
    """

    def __init__(self, answers=None, shown=None, key=None, drafts=None):
        self.answers: dict = dict(answers or {})
        self.shown: dict[str, list[str]] = dict(shown or {})  # step sent -> the questions it showed
        self.key: str = key or secrets.token_hex(16)
        self.drafts: dict[str, dict] = dict(drafts or {})  # step -> {"data": ..., "errors": bool}
        self._flow: Flow | None = None

    @classmethod
    def new(cls, reason: str | None = None) -> Progress:
        """A new runner's, not stored: "What brings you here?" answered by the start page's button
        (no pain: fewer steps). The same for every new runner, so what is asked is worked out once."""
        reason = reason if reason in (qn.PAIN, qn.PREVENTION) else None
        progress = cls(answers={"reason": reason} if reason else {})
        progress._flow = _new_runners_flow(reason)
        return progress

    # --- the session ---

    @classmethod
    def load(cls, session: MutableMapping) -> Progress | None:
        """The progress kept in the session; None when there is none (or it was kept for another version)."""
        data = session.get(SESSION_KEY)
        if not isinstance(data, dict) or data.get("version") != qn.QUESTIONNAIRE_VERSION:
            return None
        return cls(data.get("answers"), data.get("shown"), data.get("key"), data.get("drafts"))

    @staticmethod
    def is_outdated(session: MutableMapping) -> bool:
        """Answers in progress kept for an earlier version of the questionnaire."""
        data = session.get(SESSION_KEY)
        return isinstance(data, dict) and data.get("version") != qn.QUESTIONNAIRE_VERSION

    def save(self, session: MutableMapping) -> None:
        session[SESSION_KEY] = {
            "version": qn.QUESTIONNAIRE_VERSION,
            "answers": self.answers,
            "shown": self.shown,
            "key": self.key,
            "drafts": self.drafts,
        }

    @staticmethod
    def forget(session: MutableMapping) -> None:
        session.pop(SESSION_KEY, None)

    # --- what is asked ---

    @property
    def flow(self) -> Flow:
        """What is asked, given these answers (worked out once, until an answer changes)."""
        if self._flow is None:
            self._flow = Flow(self.answers)
        return self._flow

    def is_complete(self, section: qn.Section) -> bool:
        shown = self.shown.get(section.code)
        if shown is None or section.code in self.drafts:
            return False
        asked = self.flow.questions(section)
        return {q.code for q in asked} <= set(shown) and all(
            not q.required or q.code in self.flow.answers for q in asked
        )

    def current(self) -> qn.Section | None:
        """The first step still to answer; None when every step asked is complete."""
        return next((s for s in self.flow.steps if not self.is_complete(s)), None)

    def reachable(self, section: qn.Section) -> bool:
        """Asked, and not after the step the runner is on (no skipping ahead)."""
        steps, current = self.flow.steps, self.current()
        return section in steps and (current is None or steps.index(section) <= steps.index(current))

    def following(self, section: qn.Section) -> qn.Section | None:
        """The step after this one (Next shows the next page, even when it was answered already)."""
        steps = self.flow.steps
        return steps[steps.index(section) + 1] if section in steps and section is not steps[-1] else None

    def previous(self, section: qn.Section) -> qn.Section:
        steps = self.flow.steps
        return steps[steps.index(section) - 1] if section in steps and steps.index(section) > 0 else FIRST

    # --- what the runner sent ---

    def store(self, section: qn.Section, answers: dict, shown: list[str]) -> None:
        """A step sent without errors: its answers replace the step's earlier ones."""
        for q in section.questions:
            self.answers.pop(q.code, None)
        self.answers.update(answers)
        self.shown[section.code] = list(shown)
        self.drafts.pop(section.code, None)
        self._flow = None

    def keep_draft(self, section: qn.Section, data: dict, with_errors: bool) -> None:
        """What was typed on a step that could not be stored yet, to show it again."""
        self.drafts[section.code] = {"data": data, "errors": with_errors}

    def draft_of(self, section: qn.Section) -> dict | None:
        return self.drafts.get(section.code)


@functools.cache
def _new_runners_flow(reason: str | None) -> Flow:
    return Flow({"reason": reason} if reason else {})
