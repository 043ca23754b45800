"""The server-error handler: a database that is down or too slow gets a 503 page, not a 500."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.views import defaults

# How long a browser (or a monitoring check) is asked to wait before trying again, in seconds.
RETRY_AFTER = 30


def server_error(request):
    """Django's handler500, called inside the `except` of the failed request.

    A database that refuses connections, does not answer within DB_CONNECT_TIMEOUT, or cancels
    a statement after DB_STATEMENT_TIMEOUT raises OperationalError (InterfaceError for a
    connection that died): that is an outage, not a bug, so the runner is told to come back
    soon, with the emergency advice. The page needs no database.
    """
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response.headers["Retry-After"] = str(RETRY_AFTER)
        response.headers["Cache-Control"] = "no-store"
        return response
    return defaults.server_error(request)
