"""The sign-in throttle behind proxies: which address is the client's, and the two limits.

The throttle (django-axes) locks a user name at an address after ADMIN_LOGIN_ATTEMPTS failures,
and a whole address after ADMIN_LOGIN_ATTEMPTS_PER_ADDRESS. The address is REMOTE_ADDR unless
the proxies in front are named (TRUSTED_PROXY_COUNT or TRUSTED_PROXIES): then it is the entry of
X-Forwarded-For that our own proxies added, never one the client wrote.
"""

import ipaddress

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from backpain.middleware import pick_client_address
from tests.processes import run_manage

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-passphrase-for-{}"
NGINX = "127.0.0.1"
CDN_EDGE = "192.0.2.10"  # an edge server of the CDN, in its published range 192.0.2.0/24
ATTACKER = "203.0.113.9"


@pytest.fixture
def staff():
    """Three clinicians of one clinic: dana, eli and fay."""
    return {
        name: User.objects.create_user(name, password=PASSWORD.format(name), is_staff=True)
        for name in "dana eli fay".split()
    }


def sign_in(client, username, password=None, remote=NGINX, forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    client.cookies.clear()
    return client.post(
        reverse("admin:login"), {"username": username, "password": password or PASSWORD.format(username)}, **headers
    )


def locked(response) -> bool:
    return response.status_code == 429 and "Signing in is paused" in response.content.decode()


def signed_in(response) -> bool:
    return response.status_code == 302


# --- which address ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("remote", "forwarded", "count", "trusted", "client"),
    [
        # direct: the header is the client's own words
        (ATTACKER, "198.51.100.1", 0, "", ATTACKER),
        # one nginx: it appended the address it saw; anything left of that is the client's
        (NGINX, "6.6.6.6, 198.51.100.7", 1, "", "198.51.100.7"),
        (NGINX, "198.51.100.7", 0, "127.0.0.1", "198.51.100.7"),
        # CDN, then nginx: nginx appended the CDN's edge, the CDN the client
        (NGINX, "6.6.6.6, 198.51.100.7, 192.0.2.10", 2, "", "198.51.100.7"),
        (NGINX, "6.6.6.6, 198.51.100.7, 192.0.2.10", 0, "127.0.0.1,192.0.2.0/24", "198.51.100.7"),
        # the app reached directly, past the proxies: the trusted addresses do not match it
        (ATTACKER, "198.51.100.1, 192.0.2.10", 0, "127.0.0.1,192.0.2.0/24", ATTACKER),
        # fewer entries than proxies (one was skipped): the leftmost known
        (NGINX, "", 1, "", NGINX),
        # junk where an address should be: the proxy that received it stands for the client
        (NGINX, "not-an-address", 1, "", NGINX),
        (NGINX, "2001:db8::5", 1, "", "2001:db8::5"),
    ],
)
def test_the_client_address_is_the_entry_our_own_proxies_added(remote, forwarded, count, trusted, client):
    networks = tuple(ipaddress.ip_network(n) for n in trusted.split(",") if n)
    assert pick_client_address(remote, forwarded, count, networks) == client


def test_a_client_reaching_the_app_directly_cannot_dodge_the_lock_by_rotating_x_forwarded_for(client, staff, settings):
    settings.TRUSTED_PROXIES = (ipaddress.ip_network(NGINX),)
    for n in range(5):
        sign_in(client, "dana", "wrong", remote=ATTACKER, forwarded=f"10.0.0.{n}")
    assert locked(sign_in(client, "dana", remote=ATTACKER, forwarded="10.0.0.99"))


def test_by_default_the_header_is_ignored_and_rotating_it_changes_nothing(client, staff):
    for n in range(5):
        sign_in(client, "dana", "wrong", remote=ATTACKER, forwarded=f"10.0.0.{n}")
    assert locked(sign_in(client, "dana", remote=ATTACKER, forwarded="10.0.0.99"))


def test_behind_one_nginx_a_forged_entry_left_of_the_real_one_does_not_dodge_the_lock(client, staff, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(5):
        sign_in(client, "dana", "wrong", forwarded=f"10.0.0.{n}, 198.51.100.7")
    assert locked(sign_in(client, "dana", forwarded="10.0.0.99, 198.51.100.7"))
    # the same user name from another client address is not locked
    assert signed_in(sign_in(client, "dana", forwarded="198.51.100.8"))


@pytest.mark.parametrize(
    "proxies",
    [
        {"TRUSTED_PROXY_COUNT": 2},
        {"TRUSTED_PROXIES": (ipaddress.ip_network(NGINX), ipaddress.ip_network("192.0.2.0/24"))},
    ],
)
def test_behind_a_cdn_and_nginx_clients_are_told_apart(client, staff, settings, proxies):
    for name, value in proxies.items():
        setattr(settings, name, value)
    for _ in range(5):
        sign_in(client, "dana", "wrong", forwarded=f"198.51.100.7, {CDN_EDGE}")
    assert locked(sign_in(client, "dana", forwarded=f"198.51.100.7, {CDN_EDGE}"))
    # through the same CDN edge and the same nginx, another client signs in as the same user
    assert signed_in(sign_in(client, "dana", forwarded=f"198.51.100.8, {CDN_EDGE}"))


# --- the two limits --------------------------------------------------------------------------


def test_one_persons_typos_do_not_lock_out_a_colleague_at_the_same_address(client, staff):
    for _ in range(5):
        sign_in(client, "dana", "wrong", remote="198.51.100.20")
    assert locked(sign_in(client, "dana", remote="198.51.100.20"))
    assert signed_in(sign_in(client, "eli", remote="198.51.100.20"))


def test_one_address_trying_many_user_names_is_locked_for_all_of_them(client, staff, settings):
    assert settings.AXES_FAILURE_LIMIT_PER_ADDRESS == 30
    for n in range(30):
        sign_in(client, f"guess{n}", "wrong", remote=ATTACKER)  # never 5 for one name
    for name in ("dana", "eli"):
        assert locked(sign_in(client, name, remote=ATTACKER))
    # other addresses are not affected
    assert signed_in(sign_in(client, "dana", remote="198.51.100.20"))


def test_a_successful_sign_in_does_not_wipe_the_failures_of_its_address(client, staff, settings):
    settings.AXES_FAILURE_LIMIT_PER_ADDRESS = 8
    for n in range(4):
        sign_in(client, f"guess{n}", "wrong", remote=ATTACKER)
    # the attacker's own account signs in: only its own name's failures are cleared
    assert signed_in(sign_in(client, "fay", remote=ATTACKER))
    for n in range(4, 8):
        sign_in(client, f"guess{n}", "wrong", remote=ATTACKER)
    assert locked(sign_in(client, "eli", remote=ATTACKER))


def test_a_successful_sign_in_clears_its_own_failures(client, staff):
    for _ in range(4):
        sign_in(client, "dana", "wrong", remote="198.51.100.20")
    assert signed_in(sign_in(client, "dana", remote="198.51.100.20"))
    for _ in range(4):
        sign_in(client, "dana", "wrong", remote="198.51.100.20")
    assert signed_in(sign_in(client, "dana", remote="198.51.100.20"))


# --- settings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TRUSTED_PROXIES": "127.0.0.1,nginx"}, "'nginx' is not an IP address"),
        ({"TRUSTED_PROXY_COUNT": "-1"}, "TRUSTED_PROXY_COUNT must be 0 or more"),
        ({"TRUSTED_PROXY_COUNT": "1", "TRUSTED_PROXIES": "127.0.0.1"}, "use one of them"),
        ({"ADMIN_LOGIN_ATTEMPTS_PER_ADDRESS": "3"}, "at least as high"),
    ],
)
def test_bad_proxy_and_limit_settings_fail_loudly(env, message):
    result = run_manage("check", env={"DEBUG": "1", **env})
    assert result.returncode != 0
    assert message in result.stderr
