"""gunicorn's settings for this app, read from the directory gunicorn starts in (README, Production).

- No `Server: gunicorn` header: it tells a scanner what to try, and nobody else needs it.
  gunicorn has no setting for it, so its HTTP/1 response drops the line here.
- gunicorn's own error and access logs shorten private tokens, as Django's do (backpain.logs).

Everything else (bind, workers, timeouts) stays on the command line.
"""

from gunicorn import glogging
from gunicorn.http import wsgi

from backpain.logs import RedactTokens

_default_headers = wsgi.Response.default_headers


def _default_headers_without_server(response):
    return [line for line in _default_headers(response) if not line.lower().startswith("server:")]


wsgi.Response.default_headers = _default_headers_without_server


class Logger(glogging.Logger):
    """gunicorn's logger, with private tokens shortened on each of its handlers."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if not any(isinstance(f, RedactTokens) for f in handler.filters):
                    handler.addFilter(RedactTokens())


logger_class = Logger
