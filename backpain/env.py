"""Tiny typed readers for environment variables that fail loudly on bad values."""

import ipaddress
import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use 1/0, true/false, yes/no or on/off.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_time_zone(name: str, default: str) -> str:
    import zoneinfo

    value = os.environ.get(name, default)
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ImproperlyConfigured(f"{name}={value!r} is not a time zone name such as Europe/London.") from exc
    return value


def env_url_prefix(name: str, default: str, reserved: tuple[str, ...] = ()) -> str:
    """A URL path prefix such as "clinic-admin/": letters, digits, '-', '_' and inner '/'."""
    import re

    raw = os.environ.get(name, default)
    value = raw.strip().strip("/")
    if not re.fullmatch(r"[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*", value):
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a URL path: use letters, digits, '-' and '_', such as clinic-admin."
        )
    if value.split("/")[0] in reserved:
        raise ImproperlyConfigured(f"{name}={raw!r} clashes with the runners' pages: choose another path.")
    return value + "/"


def env_networks(name: str) -> tuple:
    """Comma-separated IP addresses or networks (10.0.0.0/8, 2001:db8::/32), as ip_network objects."""
    networks = []
    for item in env_list(name, default=[]):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not an IP address or network such as 10.0.0.1 or 10.0.0.0/8."
            ) from None
    return tuple(networks)


def env_redis_url(name: str) -> str:
    """A Redis address such as redis://127.0.0.1:6379/3 (rediss:// with TLS, unix:// a socket), or ""."""
    raw = os.environ.get(name, "").strip()
    scheme, _, rest = raw.partition("://")
    if raw and (scheme not in ("redis", "rediss", "unix") or not rest):
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a Redis address: use redis://HOST:PORT/DB, such as redis://127.0.0.1:6379/0."
        )
    return raw
