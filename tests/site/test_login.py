"""Logging in to the admin: throttled per user and address (django-axes), every attempt logged,
a new session key at login."""

import ipaddress
from datetime import timedelta
from importlib import import_module

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.test import Client, RequestFactory
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from ketnghia import settings as project_settings

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
PASSWORD = "mat-khau-thu-nghiem-9"
WRONG = "sai-mat-khau"
X = "203.0.113.7"  # the address the attacks come from
Y = "198.51.100.20"  # another address

# Messages are compared with their translation, whatever state the catalogs are in.
LOCKED = (
    "After %(failure_limit)s failed attempts, this account cannot log in from your address for "
    "%(minutes)s minute.",
    "After %(failure_limit)s failed attempts, this account cannot log in from your address for "
    "%(minutes)s minutes.",
)


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    """Dozens of logins here: a cheap hasher keeps the file fast (the behaviour is the same)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def staff(django_user_model):
    def make(username):
        return django_user_model.objects.create_user(username, password=PASSWORD, is_staff=True)

    return make("canbo-a"), make("canbo-b")


def log_in(username, password, address, client=None, path=LOGIN):
    """One attempt through the admin's login form, from a browser of its own at ``address``."""
    client = client or Client()
    response = client.post(
        path, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=address
    )
    response.logged_in = "_auth_user_id" in client.session
    return response


def lockout_message(settings, minutes=30):
    return ngettext(*LOCKED, minutes) % {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": minutes,
    }


def fail_until_locked(username, address):
    """The failure limit (5) of wrong passwords: the last one already answers with the lock."""
    for attempt in range(1, 6):
        response = log_in(username, WRONG, address)
        if attempt < 5:
            assert response.status_code == 200, attempt
            assert response.context["form"].errors, attempt
    return response


def test_the_settings_lock_five_failures_of_one_user_at_one_address_for_30_minutes(settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 30 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AXES_RESET_ON_SUCCESS is True
    assert settings.AXES_CLIENT_IP_CALLABLE is None  # REMOTE_ADDR, without BEHIND_PROXY


def test_five_wrong_passwords_lock_the_user_at_that_address_even_with_the_right_one(
    staff, settings
):
    user_a, _ = staff
    fifth = fail_until_locked(user_a.username, X)
    assert fifth.status_code == 429
    assert not fifth.logged_in

    sixth = log_in(user_a.username, PASSWORD, X)
    assert sixth.status_code == 429
    assert not sixth.logged_in
    content = sixth.content.decode()
    assert '<html lang="vi"' in content
    assert sixth["Content-Language"] == "vi"
    assert gettext("Too many failed logins") in content
    assert lockout_message(settings) in content
    assert 'id="login-form"' not in content
    assert "<script>" not in content  # no inline script (the Content-Security-Policy)
    assert "no-cache" in sixth["Cache-Control"]  # and private: no shared cache keeps it


def test_the_lockout_page_speaks_the_language_of_its_address(staff):
    user_a, _ = staff
    fail_until_locked(user_a.username, X)
    locked = log_in(user_a.username, PASSWORD, X, path="/en/admin/login/")
    assert locked.status_code == 429
    content = locked.content.decode()
    assert '<html lang="en"' in content
    assert "this account cannot log in from your address for 30 minutes." in content


def test_the_lock_holds_only_for_that_user_at_that_address(staff):
    user_a, user_b = staff
    fail_until_locked(user_a.username, X)

    elsewhere = log_in(user_a.username, PASSWORD, Y)
    assert elsewhere.status_code == 302
    assert elsewhere.logged_in

    colleague = log_in(user_b.username, PASSWORD, X)
    assert colleague.status_code == 302
    assert colleague.logged_in

    assert log_in(user_a.username, PASSWORD, X).status_code == 429


def test_the_lock_ends_after_the_cool_off_and_a_try_during_it_starts_it_again(staff):
    user_a, _ = staff
    fail_until_locked(user_a.username, X)

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=29))
    assert log_in(user_a.username, PASSWORD, X).status_code == 429
    restarted = AccessAttempt.objects.get().attempt_time
    assert restarted > timezone.now() - timedelta(minutes=1)  # the wait starts again

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))
    response = log_in(user_a.username, PASSWORD, X)
    assert response.status_code == 302
    assert response.logged_in
    assert not AccessAttempt.objects.exists()  # expired, and a success clears the pair


def test_a_success_clears_the_earlier_failures_of_the_pair(staff):
    user_a, _ = staff
    for _ in range(4):
        log_in(user_a.username, WRONG, X)
    assert log_in(user_a.username, PASSWORD, X).logged_in
    for _ in range(4):
        log_in(user_a.username, WRONG, X)
    assert log_in(user_a.username, PASSWORD, X).logged_in


def test_every_attempt_is_recorded(staff):
    user_a, _ = staff
    fail_until_locked(user_a.username, X)  # 5 failures, the 5th locks
    log_in(user_a.username, PASSWORD, X)  # refused: a 6th failure
    log_in(user_a.username, PASSWORD, Y)  # a success

    failures = AccessFailureLog.objects.order_by("attempt_time", "pk")
    assert [(f.username, f.ip_address) for f in failures] == [(user_a.username, X)] * 6
    assert [f.locked_out for f in failures] == [False] * 4 + [True] * 2
    assert all(f.path_info == LOGIN for f in failures)

    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address, attempt.failures_since_start) == (
        user_a.username,
        X,
        6,
    )
    assert PASSWORD not in attempt.post_data and WRONG not in attempt.post_data

    success = AccessLog.objects.get()
    assert (success.username, success.ip_address, success.path_info) == (user_a.username, Y, LOGIN)


def test_the_attempts_are_shown_in_the_admin(staff, admin_client):
    user_a, _ = staff
    fail_until_locked(user_a.username, X)
    log_in(user_a.username, PASSWORD, Y)
    for page in ("accessattempt", "accessfailurelog", "accesslog"):
        response = admin_client.get(f"/admin/axes/{page}/")
        assert response.status_code == 200, page
        assert user_a.username in response.content.decode(), page


def test_the_session_key_changes_at_login(staff, settings):
    user_a, _ = staff
    client = Client()
    session = client.session  # an anonymous session, as one planted by an attacker would be
    session["planted"] = True
    session.save()
    before = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get(LOGIN).status_code == 200

    response = log_in(user_a.username, PASSWORD, X, client=client)
    assert response.status_code == 302
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert client.session["_auth_user_id"] == str(user_a.pk)
    store = import_module(settings.SESSION_ENGINE).SessionStore
    assert not store().exists(before)


# --- Behind a proxy (BEHIND_PROXY): the address comes from X-Forwarded-For -----------------


def client_ip(forwarded, remote="10.0.0.2"):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return project_settings._client_ip_behind_proxy(RequestFactory().get("/", **meta))


@pytest.fixture
def proxies(monkeypatch):
    """A load balancer (10.0.0.1) and nginx (10.0.0.2) in front of gunicorn."""

    def trust(*networks):
        found = [ipaddress.ip_network(n) for n in networks]
        monkeypatch.setattr(project_settings, "TRUSTED_PROXIES", found)

    trust("10.0.0.2")
    return trust


def test_behind_one_proxy_the_address_it_appended_counts(proxies):
    assert client_ip(X) == X
    assert client_ip(f"1.2.3.4, {X}") == X  # a forged entry on the left is ignored
    assert client_ip(f"{Y},{X}") == X
    assert client_ip(None) == "10.0.0.2"
    assert client_ip("not-an-address") == "10.0.0.2"


def test_behind_two_proxies_the_outer_ones_entry_counts(proxies):
    proxies("10.0.0.1", "10.0.0.2")
    assert client_ip(f"1.2.3.4, {X}, 10.0.0.1") == X
    assert client_ip(X) == X  # reached the inner proxy directly
    proxies("10.0.0.0/24")
    assert client_ip(f"1.2.3.4, {X}, 10.0.0.1") == X


def test_a_client_that_is_no_trusted_proxy_is_known_by_its_own_address(proxies):
    """Gunicorn reached directly: X-Forwarded-For is the client's own text."""
    assert client_ip(f"{X}", remote="203.0.113.9") == "203.0.113.9"
    assert client_ip(f"{X}, 10.0.0.2", remote="203.0.113.9") == "203.0.113.9"


def test_by_default_only_this_machine_is_a_trusted_proxy():
    assert [str(n) for n in project_settings.TRUSTED_PROXIES] == ["127.0.0.1/32", "::1/128"]


def test_a_forged_header_sent_directly_does_not_escape_the_lock(staff, settings, proxies):
    settings.AXES_CLIENT_IP_CALLABLE = project_settings._client_ip_behind_proxy
    user_a, _ = staff
    attacker = "203.0.113.9"

    def direct(password, forged):
        client = Client(HTTP_X_FORWARDED_FOR=forged)
        return log_in(user_a.username, password, attacker, client=client)

    responses = [direct(WRONG, f"192.0.2.{i}") for i in range(5)]
    assert responses[-1].status_code == 429
    assert AccessAttempt.objects.get().ip_address == attacker
    assert direct(PASSWORD, "192.0.2.99").status_code == 429


def test_behind_a_proxy_forged_addresses_do_not_escape_the_lock(staff, settings, proxies):
    settings.AXES_CLIENT_IP_CALLABLE = project_settings._client_ip_behind_proxy
    user_a, _ = staff
    proxy = "10.0.0.2"

    def through_proxy(password, forged, client_address):
        client = Client(HTTP_X_FORWARDED_FOR=f"{forged}, {client_address}")
        return log_in(user_a.username, password, proxy, client=client)

    responses = [through_proxy(WRONG, f"192.0.2.{i}", X) for i in range(5)]
    assert responses[-1].status_code == 429
    assert AccessAttempt.objects.get().ip_address == X
    assert through_proxy(PASSWORD, "192.0.2.99", X).status_code == 429
    assert through_proxy(PASSWORD, X, Y).logged_in  # another client behind the same proxy
