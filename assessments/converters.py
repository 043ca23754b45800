from django.urls import register_converter


class TokenConverter:
    """A private-link token: 43 URL-safe characters (32 random bytes). Anything else is a 404."""

    regex = "[A-Za-z0-9_-]{43}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TokenConverter, "token")
