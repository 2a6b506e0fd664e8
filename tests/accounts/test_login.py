"""Login: Argon2 hashes, throttling per (username, IP), sessions that expire."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from siaga.accounts.choices import Role
from siaga.accounts.services import user_upsert
from siaga.core.audit import AuditContext

PASSWORD = "kuda-lumping-sangatta-77"
LOGIN_URL = "/akun/masuk/"
IP_A, IP_B = "203.0.113.10", "198.51.100.20"


@pytest.fixture
def make_user(world):
    def make(username: str, role: Role = Role.LIAISON, **extra):
        return user_upsert(
            context=AuditContext(channel="test"),
            username=username,
            role=role,
            agency=world.agency,
            scope=[world.kec_a],
            password=PASSWORD,
            **extra,
        )

    return make


def post_login(client, username: str, password: str, ip: str = IP_A):
    return client.post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=ip)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_login_page_is_at_akun_masuk():
    assert reverse("login") == LOGIN_URL


def test_passwords_are_stored_with_argon2(make_user):
    user = make_user("rina")
    assert user.password.startswith("argon2$")
    assert user.check_password(PASSWORD)


def test_login_with_the_right_password_opens_the_situation_room(make_user, client):
    make_user("rina")
    response = post_login(client, "rina", PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("dashboard:situation-room")
    assert logged_in(client)


def test_a_wrong_password_does_not_log_in(make_user, client):
    make_user("rina")
    response = post_login(client, "rina", "salah-sandi-123")
    assert response.status_code == 200
    assert not logged_in(client)


def test_machine_users_cannot_log_in_with_a_password(make_user, client):
    make_user("bot", role=Role.MACHINE)  # a password passed for a machine user is ignored
    response = post_login(client, "bot", PASSWORD)
    assert response.status_code == 200 and not logged_in(client)


def test_a_username_and_ip_pair_is_locked_after_too_many_failures_but_no_one_else(
    make_user, client
):
    make_user("rina")
    make_user("budi")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, "rina", "salah-sandi-123", ip=IP_A)

    locked = post_login(client, "rina", PASSWORD, ip=IP_A)
    assert locked.status_code == settings.AXES_HTTP_RESPONSE_CODE  # 429, even with the password
    assert not logged_in(client)

    # Many monitors share one carrier IP: another user from the same IP still logs in ...
    assert post_login(client, "budi", PASSWORD, ip=IP_A).status_code == 302
    assert logged_in(client)
    client.logout()
    # ... and the same user from another IP too.
    assert post_login(client, "rina", PASSWORD, ip=IP_B).status_code == 302
    assert logged_in(client)
    client.logout()
    # The locked pair stays locked.
    assert post_login(client, "rina", PASSWORD, ip=IP_A).status_code == 429
    assert not logged_in(client)


def test_failures_below_the_limit_do_not_lock(make_user, client):
    make_user("rina")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        post_login(client, "rina", "salah-sandi-123")
    assert post_login(client, "rina", PASSWORD).status_code == 302


def test_sessions_end_with_the_browser_and_after_the_session_age(make_user, client):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert 0 < settings.SESSION_COOKIE_AGE <= 24 * 3600
    make_user("rina")
    response = post_login(client, "rina", PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["expires"] == ""  # a browser-session cookie
    assert cookie["httponly"]
    session = Session.objects.get(session_key=cookie.value)
    expected = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert abs((session.expire_date - expected).total_seconds()) < 60

    assert client.get(reverse("dashboard:situation-room")).status_code == 200
    Session.objects.filter(pk=session.pk).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    response = client.get(reverse("dashboard:situation-room"))
    assert response.status_code == 302 and response.url.startswith(LOGIN_URL)


def test_logout_ends_the_session(make_user, client):
    make_user("rina")
    post_login(client, "rina", PASSWORD)
    client.post(reverse("logout"))
    response = client.get(reverse("dashboard:situation-room"))
    assert response.status_code == 302 and response.url.startswith(LOGIN_URL)


def test_a_machine_account_never_logs_in_with_a_password_even_if_one_was_set(client, db):
    from siaga.accounts.choices import Role
    from tests.factories import UserFactory, region

    region("64", "Kalimantan Timur")
    region("64.08", "Kabupaten Kutai Timur")
    bot = UserFactory(username="bot", role=Role.MACHINE)
    bot.set_password("a-long-password-123")
    bot.save()
    response = client.post("/akun/masuk/", {"username": "bot", "password": "a-long-password-123"})
    assert response.status_code == 200  # the form again, with an error
    assert "_auth_user_id" not in client.session
