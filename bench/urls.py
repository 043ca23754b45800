"""The project's URLs plus bare Django views, the yardsticks for throughput figures."""

from django import forms
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path

from backpain.urls import urlpatterns as project_urlpatterns


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


class BareForm(forms.Form):
    name = forms.CharField(max_length=40)
    number = forms.IntegerField(min_value=0, max_value=10)


def bare_form(request):
    """A bare Django form POST that saves a session and redirects: the yardstick for a step POST."""
    form = BareForm(request.POST)
    if not form.is_valid():
        return HttpResponse("invalid", status=400, content_type="text/plain")
    request.session["bare"] = form.cleaned_data
    return redirect("/__bare__/")


urlpatterns = [path("__bare__/", bare), path("__bare_form__/", bare_form), *project_urlpatterns]
