"""The project's URLs plus a bare Django view, the yardstick for throughput figures."""

from django.http import HttpResponse
from django.urls import path

from backpain.urls import urlpatterns as project_urlpatterns


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("__bare__/", bare), *project_urlpatterns]
