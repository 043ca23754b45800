"""The daily check-in form: short enough for a phone, in under a minute."""

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.functional import cached_property

from assessments.forms import choice_options
from assessments.questionnaire import QUESTIONS
from programs import builder
from programs.builder import day_month
from programs.models import CheckIn

# Signs that can appear during the plan (history items such as a past cancer cannot be "new").
CHECK_IN_SIGNS = (
    "saddle_numbness",
    "bladder_bowel",
    "both_legs_nerve",
    "leg_weakness",
    "fever_unwell",
    "weight_loss",
    "night_pain",
    "thoracic_constant",
)
# In pregnancy, the pregnancy signs too (bleeding, fluid, cramps, fever, the baby's movements).
PREGNANCY_CHECK_IN_SIGNS = ("pregnancy_signs",)
PAIN_CHOICES = [(n, str(n)) for n in range(11)]


def _one_of(label: str, choices) -> forms.ChoiceField:
    messages = {"required": "Please choose one answer.", "invalid_choice": "Please choose one of the answers shown."}
    return forms.ChoiceField(label=label, choices=choices, widget=forms.RadioSelect, error_messages=messages)


class CheckInForm(forms.ModelForm):
    day = forms.DateField(
        label="Which day is this check-in for?",
        help_text="Today, or an earlier day you missed: then answer for that day. Sending a day again replaces it.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Please give the day.", "invalid": "Please give a date such as 2026-11-27."},
    )
    pain_now = forms.TypedChoiceField(
        label="How much does your back hurt right now? (0 = no pain, 10 = the worst you can imagine)",
        choices=PAIN_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Please choose a number from 0 to 10.",
            "invalid_choice": "Please choose a number from 0 to 10.",
        },
    )
    routine_done = _one_of("Did you do today's routine?", CheckIn.Done.choices)
    run = _one_of("Did you run today?", CheckIn.RunPain.choices)
    distance = forms.DecimalField(
        label="How far did you run?",
        required=False,
        min_value=0,
        max_value=200,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.1"}),
        error_messages={
            "invalid": "Please enter a number, such as 5 or 7.5.",
            "min_value": "Please enter a distance from 0 to 200.",
            "max_value": "Please enter a distance from 0 to 200.",
            "max_decimal_places": "Please give at most one decimal place, such as 7.5.",
        },
    )
    warning_signs = forms.MultipleChoiceField(
        label="Tick any you have noticed",
        required=False,
        choices=[(code, QUESTIONS[code].label) for code in CHECK_IN_SIGNS],
        widget=forms.CheckboxSelectMultiple,
    )
    no_warning_signs = forms.BooleanField(label="None of these", required=False)
    note = forms.CharField(
        label="Anything else you want to note (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": "Please keep the note to 500 characters."},
    )

    class Meta:
        model = CheckIn
        fields = ["day", "pain_now", "routine_done", "run", "distance", "warning_signs", "note"]

    def __init__(self, *args, start: date, unit: str, pregnant: bool = False, ticks_note: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.start = start
        # Answered for the runner from today's done ticks (they can still correct it).
        self.fields["routine_done"].help_text = ticks_note
        if pregnant:
            signs = CHECK_IN_SIGNS + PREGNANCY_CHECK_IN_SIGNS
            self.fields["warning_signs"].choices = [(code, QUESTIONS[code].label) for code in signs]
        self.fields["distance"].label = f"If you ran: how far, in {'miles' if unit == 'mi' else 'kilometres'}?"

    @cached_property
    def rows(self) -> dict[str, list[dict]]:
        # Drawn by hand: the widgets' own templates made this page the slowest one (26 inputs).
        return {name: choice_options(self[name]) for name in ("routine_done", "run", "warning_signs")}

    @property
    def day_value(self) -> str:
        value = self["day"].value()
        return value.isoformat() if isinstance(value, date) else value or ""

    def clean_day(self):
        day = self.cleaned_data["day"]
        today = timezone.localdate()
        if day > today:
            raise forms.ValidationError("That day has not come yet. Check in for today or an earlier day.")
        if day < self.start:
            raise forms.ValidationError(
                f"Your plan started on {day_month(self.start)} {self.start:%Y}. Choose that day or a later one."
            )
        return day

    def clean(self):
        cleaned = super().clean()
        signs, none = cleaned.get("warning_signs") or [], cleaned.get("no_warning_signs")
        if not signs and not none:
            self.add_error("warning_signs", "Tick any warning sign you have noticed, or tick 'None of these'.")
        elif signs and none:
            self.add_error("no_warning_signs", "You ticked a warning sign and also 'None of these': please check.")
        if cleaned.get("run") == CheckIn.RunPain.NO_RUN and cleaned.get("distance"):
            self.add_error(
                "distance", "You said you did not run today: leave the distance empty, or say how the run went."
            )
        return cleaned


class TicksForm(forms.Form):
    """Which of today's exercises are done (the Today page's tick boxes)."""

    day = forms.DateField(
        widget=forms.HiddenInput,
        error_messages={
            "required": "Those ticks came without their day: please tick them again.",
            "invalid": "Those ticks came without their day: please tick them again.",
        },
    )
    done = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, program: builder.Program, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        day = program.today if program.status != builder.STOPPED else None
        self.fields["done"].choices = [(e.slug, e.name) for e in (day.warm_up + day.exercises if day else [])]
        self.has_plan = bool(self.fields["done"].choices)

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day != self.today:
            raise forms.ValidationError(
                f"Those ticks were for {day_month(day)}; it is now {day_month(self.today)}. "
                "Here is today's plan: tick today's exercises again."
            )
        return day

    def clean(self):
        if not self.has_plan:
            raise forms.ValidationError("There is nothing to tick today: your plan has no exercises for today.")
        return super().clean()

    def problem(self) -> str:
        """One plain sentence for the runner, whatever was wrong."""
        if self.non_field_errors():
            return self.non_field_errors()[0]
        if "day" in self.errors:
            return self.errors["day"][0]
        return "That exercise is not in today's plan any more. Here is today's plan as it is now."


class ReminderForm(forms.Form):
    """When the calendar's reminders go off, on the runner's own clock."""

    at = forms.TimeField(
        label="Remind me at",
        initial="07:30",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": "Please give a time for the reminders, such as 07:30.",
            "invalid": "Please give a time for the reminders, such as 07:30.",
        },
    )
