"""A strict Content-Security-Policy: every page uses only its own CSS, JS and images."""

from django.conf import settings

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'"
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # The admin ships inline scripts of its own; the policy covers the runner's pages.
        if not request.path.startswith(f"/{settings.ADMIN_URL}"):
            response.headers.setdefault("Content-Security-Policy", CSP)
        return response


def client_ip_behind_proxy(request) -> str | None:
    """The client's address as our one reverse proxy saw it (BEHIND_PROXY=1).

    The proxy appends the address it received the request from to X-Forwarded-For; anything
    before that entry came from the client and can be forged, so only the last one counts.
    """
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    last = forwarded.split(",")[-1].strip()
    return last or request.META.get("REMOTE_ADDR")
