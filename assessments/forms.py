"""Web forms generated from the questionnaire definition, one form per section."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Fieldset, Layout
from django import forms

from assessments import questionnaire as qn
from assessments.answers import cross_check, excused

REQUIRED_MESSAGES = {
    qn.BOOL: "Please tick this box to go on.",
    qn.CHOICE: "Please choose one answer.",
    qn.MULTI: "Please tick at least one.",
    qn.INT: "Please enter a number.",
    qn.NUMBER: "Please enter a number.",
    qn.TEXT: "Please fill this in.",
}


def _field_for(q: qn.Question) -> forms.Field:
    messages = {"required": REQUIRED_MESSAGES[q.type]}
    if q.min is not None:
        between = f"Please enter a number from {q.min:g} to {q.max:g}."
        messages.update(min_value=between, max_value=between, invalid="Please enter a number.")
        if q.type == qn.INT:
            messages["invalid"] = "Please enter a whole number."
    common = {"label": q.label, "required": q.required, "help_text": q.help, "error_messages": messages}
    if q.type == qn.BOOL:
        return forms.BooleanField(**common)
    if q.type == qn.CHOICE:
        return forms.ChoiceField(choices=q.choices, widget=forms.RadioSelect, **common)
    if q.type == qn.MULTI:
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


class SectionForm(forms.Form):
    """One step of the questionnaire. Subclasses are made by `form_for()`."""

    section: qn.Section

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the wizard template has the one form tag and token
        if self.section.group_legend:
            grouped = [q.code for q in self.section.questions if q.type == qn.BOOL]
            rest = [q.code for q in self.section.questions if q.type != qn.BOOL]
            self.helper.layout = Layout(Fieldset(self.section.group_legend, *grouped), *[Field(c) for c in rest])

    def clean(self):
        cleaned = super().clean()
        answers = self.answers()
        # An emergency sign must reach the result even if another answer here was missed.
        for code in excused(answers):
            if code in self.fields and code not in cleaned:
                self._errors.pop(code, None)
        for code, message in cross_check(answers, section=self.section.code).items():
            if code in self.fields:
                self.add_error(code, message[:1].upper() + message[1:] + ".")
        return cleaned

    def answers(self) -> dict:
        """The answers of this step, as the scoring engine expects them (empty ones left out)."""
        return answers_from(self.section, getattr(self, "cleaned_data", {}))


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


def form_for(section: qn.Section) -> type[SectionForm]:
    fields = {q.code: _field_for(q) for q in section.questions}
    return type(f"{section.code.title()}Form", (SectionForm,), {"section": section, **fields})


SECTION_FORMS = [(section.code, form_for(section)) for section in qn.SECTIONS]
