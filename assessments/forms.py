"""Web forms generated from the questionnaire definition, one form per section (a step).

The forms check what one step can check (types, ranges, required answers, contradictions
within the step); `answers.validate_answers()` checks the whole set once more at the end.
They are rendered by our own templates (templates/assessments/_question.html), not by
Django's widget templates: one row per option, thumb-sized, with the pain scale as buttons.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from django import forms
from django.forms.boundfield import BoundField
from django.templatetags.static import static

from assessments import questionnaire as qn
from assessments.answers import cross_check, is_under_18

REQUIRED_MESSAGES = {
    qn.BOOL: "Please tick this box to go on.",
    qn.CHOICE: "Please choose one answer.",
    qn.MULTI: "Please tick at least one.",
    qn.INT: "Please enter a number.",
    qn.NUMBER: "Please enter a number.",
    qn.TEXT: "Please fill this in.",
}
SCALE_CHOICES = [(str(n), str(n)) for n in range(11)]
# A draft (what was typed on a page left with Back, or sent with errors) keeps at most this
# much of each value, so that whatever is posted, the session stays small.
DRAFT_VALUE_LENGTH = 100


def _field_for(q: qn.Question) -> forms.Field:
    messages = {"required": REQUIRED_MESSAGES[q.type], "invalid_choice": "Please choose one of the answers shown."}
    if q.min is not None:
        between = f"Please enter a number from {q.min:g} to {q.max:g}."
        messages.update(min_value=between, max_value=between, invalid="Please enter a number.")
        if q.type == qn.INT:
            messages["invalid"] = "Please enter a whole number."
    common = {
        "label": q.label,
        "required": q.required,
        "help_text": q.help,
        "error_messages": messages,
        "initial": q.initial,
    }
    if q.widget == qn.SCALE:
        messages["required"] = messages["invalid_choice"] = f"Please choose a number from {q.min:g} to {q.max:g}."
        return forms.TypedChoiceField(choices=SCALE_CHOICES, coerce=int, widget=forms.RadioSelect, **common)
    if q.type == qn.BOOL:
        return forms.BooleanField(**common)
    if q.type == qn.CHOICE:
        return forms.ChoiceField(choices=q.choices, widget=forms.RadioSelect, **common)
    if q.type == qn.MULTI:
        messages["invalid_choice"] = "Please tick only the answers shown."
        return forms.MultipleChoiceField(choices=q.choices, widget=forms.CheckboxSelectMultiple, **common)
    if q.type == qn.INT:
        return forms.IntegerField(
            min_value=int(q.min),
            max_value=int(q.max),
            widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            **common,
        )
    if q.type == qn.NUMBER:
        return forms.FloatField(
            min_value=q.min,
            max_value=q.max,
            widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
            **common,
        )
    if q.type == qn.TEXT:
        return forms.CharField(max_length=q.max_length, widget=forms.TextInput(attrs={"autocomplete": "off"}), **common)
    raise AssertionError(q.type)  # pragma: no cover


KINDS = {qn.BOOL: "checkbox", qn.CHOICE: "radios", qn.MULTI: "checkboxes", qn.INT: "number", qn.NUMBER: "number"}


class Option(NamedTuple):
    value: str
    label: str
    id: str
    checked: bool


def choice_options(field: BoundField) -> list[Option]:
    """A choice field's options as rows, ticked as answered (plain values: quicker to draw than
    Django's subwidgets, and the same ids: `<auto_id>_<n>`). The questionnaire and the check-in."""
    value = field.value()
    chosen = {str(v) for v in (value if isinstance(value, (list, tuple)) else [value]) if v is not None}
    return [
        Option(str(code), label, f"{field.auto_id}_{n}", str(code) in chosen)
        for n, (code, label) in enumerate(field.field.choices)
    ]


@dataclass
class Item:
    """One question of a step, as its template shows it."""

    field: BoundField
    question: qn.Question

    @cached_property
    def options(self) -> list[Option]:
        return choice_options(self.field)

    @property
    def input_type(self) -> str:
        return "checkbox" if self.question.type == qn.MULTI else "radio"

    @property
    def kind(self) -> str:
        return qn.SCALE if self.question.widget == qn.SCALE else KINDS.get(self.question.type, "text")

    @property
    def optional(self) -> bool:
        # Only optional questions are marked; a tick box or a list of boxes is optional by nature.
        return not self.question.required and self.question.type not in (qn.BOOL, qn.MULTI)

    @property
    def illustration(self) -> str:
        return static(f"img/checks/{self.question.illustration}.svg") if self.question.illustration else ""

    @property
    def help_id(self) -> str:
        return f"{self.field.auto_id}_help" if self.question.help else ""

    @property
    def error_id(self) -> str:
        return f"{self.field.auto_id}_error" if self.field.errors else ""

    @property
    def described_by(self) -> str:
        return " ".join(filter(None, (self.help_id, self.error_id)))


@dataclass
class Block:
    """Questions shown together: a group of tick boxes under one legend, or one question."""

    items: list[Item]
    legend: str = ""

    @property
    def described_by(self) -> str:
        """The errors of the group's boxes, read with the group (the group's own error sits by its last box)."""
        return " ".join(item.error_id for item in self.items if item.error_id)


class SectionForm(forms.Form):
    """One step of the questionnaire, holding the questions asked (`asked`). Made by `form_for()`."""

    section: qn.Section

    def __init__(self, *args, asked: Iterable[str], **kwargs):
        super().__init__(*args, **kwargs)
        asked = set(asked)
        for code in [code for code in self.fields if code not in asked]:
            del self.fields[code]

    def clean(self):
        cleaned = super().clean()
        answers = self.answers()
        # The check is for adults: an under-18 runner is told so, and needs to answer nothing else.
        if is_under_18(answers):
            for code in [code for code in self._errors if code != "age_band"]:
                del self._errors[code]
        for code, message in cross_check(answers, section=self.section.code).items():
            if code in self.fields:
                self.add_error(code, message[:1].upper() + message[1:] + ".")
        return cleaned

    def blocks(self) -> list[Block]:
        """The step's questions in order; with a group legend, its tick boxes go together first."""
        items = [Item(self[code], qn.QUESTIONS[code]) for code in self.fields]
        if not self.section.group_legend:
            return [Block([item]) for item in items]
        grouped = [item for item in items if item.question.type == qn.BOOL]
        return [Block(grouped, self.section.group_legend), *(Block([i]) for i in items if i not in grouped)]

    def answers(self) -> dict:
        """The answers of this step, as the scoring engine expects them (empty ones left out)."""
        return answers_from(self.section, getattr(self, "cleaned_data", {}))

    def draft(self) -> dict:
        """What was posted for this step's questions, kept short: for showing the page again."""
        draft = {}
        for name, field in self.fields.items():
            if isinstance(field, forms.MultipleChoiceField):
                values = self.data.getlist(name) if hasattr(self.data, "getlist") else self.data.get(name, [])
                known = {str(code) for code, _ in field.choices}
                kept = [v for v in values if isinstance(v, str) and v in known][: len(known)]
                if kept:
                    draft[name] = kept
            else:
                value = self.data.get(name)
                if isinstance(value, str) and value:
                    draft[name] = value.replace("\x00", "")[:DRAFT_VALUE_LENGTH]
        return draft


def answers_from(section: qn.Section, cleaned_data: dict) -> dict:
    """A step's cleaned form data as answers: empty answers and unticked boxes left out."""
    out = {}
    for q in section.questions:
        value = cleaned_data.get(q.code)
        if qn.is_blank(value):
            continue
        if q.type == qn.BOOL and not value and q.code != "consent":
            continue  # an unticked warning sign is simply not there
        out[q.code] = value
    return out


def initial_from(section: qn.Section, answers: dict) -> dict:
    """Stored answers of a step as a form's initial values (25, not 25.0, for a distance)."""
    return {
        q.code: f"{answers[q.code]:g}" if q.type == qn.NUMBER else answers[q.code]
        for q in section.questions
        if q.code in answers
    }


def form_for(section: qn.Section) -> type[SectionForm]:
    fields = {q.code: _field_for(q) for q in section.questions}
    return type(f"{section.code.title().replace('_', '')}Form", (SectionForm,), {"section": section, **fields})


SECTION_FORMS = {section.code: form_for(section) for section in qn.SECTIONS}
