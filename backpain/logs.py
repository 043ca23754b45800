"""Private links kept out of the logs: every log record's text with its tokens shortened.

A runner's private link (/r/<token>/) is the only key to their answers, and Django's warnings
for a 404, a 405, a CSRF failure or a 500, tracebacks, and gunicorn's error and access logs all
write the request's path. `RedactTokens` sits on every handler (settings.LOGGING for Django's,
gunicorn.conf.py for gunicorn's) and shortens each token to its first few characters, enough
to tell one runner's lines from another's, before anything is written.
"""

import logging
import re

KEEP = 4  # characters of a token left in the log: 24 of its 256 bits
# What is shortened: whatever follows /r/ in a path (a private link, or a mistyped one that may
# be all but one character of a real token), also URL-encoded (?next=%2Fr%2F...); and anywhere,
# any run of 43 or more URL-safe characters, the length of assessments.models.new_token()
# (CSRF tokens, 64, go too), starting after a separator or a whole %XX escape.
_URL_SAFE = "A-Za-z0-9_-"
PRIVATE = re.compile(
    rf"(?:(?<=/r/)|(?<=%2[Ff]r%2[Ff]))[{_URL_SAFE}]{{{KEEP + 1},}}"
    rf"|(?:(?<![%{_URL_SAFE}])|(?<=%[0-9A-Fa-f]{{2}}))[{_URL_SAFE}]{{43,}}"
)


def shorten_tokens(text: str) -> str:
    """`text` with every private token cut to its first KEEP characters and "..."."""
    return PRIVATE.sub(lambda m: m.group()[:KEEP] + "...", text)


class RedactTokens(logging.Filter):
    """Shortens the tokens in a record's message (with its arguments), traceback and stack.

    The message is rendered here, once, so that no handler or formatter after this one sees
    the arguments; the traceback is rendered to text and the exception itself dropped.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: logging would print msg and args as they are
            message = f"{record.msg!s} {record.args!r}"
        record.msg, record.args = shorten_tokens(message), None
        if record.exc_info:
            record.exc_text = record.exc_text or logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = shorten_tokens(record.exc_text)
        if record.stack_info:
            record.stack_info = shorten_tokens(record.stack_info)
        return True
