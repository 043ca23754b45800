"""Template words for the clinicians' admin pages."""

from django import template

from review.presenters import triage_words

register = template.Library()
register.filter("triage_words", triage_words)
