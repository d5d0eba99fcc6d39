"""Login throttling as Salesforce does it: after 10 wrong passwords in a row the user is locked
out for 15 minutes, and even the right password gets the same refusal as a wrong one, on every
way in (SOAP login, OAuth password flow, the view's sign-in). The org is served over HTTP with
its clock injected, so the tests move time instead of waiting; one test starts the real
background server to see the limits it is configured with take effect."""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
import requests
from simple_salesforce.exceptions import SalesforceAuthenticationFailed
from simple_salesforce.login import SalesforceLogin

from asgi_server import _free_port, serving
from eazybe_local_org.login_throttle import LockoutPolicy
from eazybe_local_org.org import LocalOrg
from eazybe_local_org.org_home import Credentials, org_home
from eazybe_local_org.server import start_background, stop
from eazybe_local_org.tls import ensure_tls
from eazybe_local_org.web.app import create_app

VERSION = "67.0"
WRONG = "not-the-password"
LOCKOUT_S = 15 * 60
AUTHENTICATION_FAILURE = {"error": "invalid_grant", "error_description": "authentication failure"}


@dataclass
class Clock:
    now: float = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass(frozen=True)
class Served:
    url: str
    credentials: Credentials
    verify: str | bool = True


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def served(tmp_path: Path, clock: Clock) -> Iterator[Served]:
    """A fresh org per test, so each starts with no failed logins."""
    org = LocalOrg(org_home("local", tmp_path), clock=clock)
    try:
        with serving(create_app(org)) as url:
            yield Served(url, org.credentials)
    finally:
        org.connection.close()


def soap_login(org: Served, password: str) -> str:
    """simple-salesforce's username/password login; raises SalesforceAuthenticationFailed."""
    session_id, _ = SalesforceLogin(
        username=org.credentials.username, password=password, security_token="",
        sf_version=VERSION, scratch_url=org.url,
    )
    return session_id


def soap_refused(org: Served, password: str) -> None:
    with pytest.raises(SalesforceAuthenticationFailed) as failed:
        soap_login(org, password)
    assert failed.value.code == "INVALID_LOGIN"
    assert failed.value.auth_message == "Invalid username, password, security token; or user locked out."


def oauth_login(org: Served, password: str, username: str | None = None) -> requests.Response:
    return requests.post(f"{org.url}/services/oauth2/token", verify=org.verify, timeout=30, data={
        "grant_type": "password", "client_id": org.credentials.client_id, "client_secret": org.credentials.client_secret,
        "username": username or org.credentials.username, "password": password,
    })


def oauth_refused(org: Served, password: str) -> None:
    answer = oauth_login(org, password)
    assert (answer.status_code, answer.json()) == (400, AUTHENTICATION_FAILURE)


def view_login(org: Served, password: str) -> requests.Response:
    return requests.post(f"{org.url}/view/login", allow_redirects=False, timeout=30,
                         data={"username": org.credentials.username, "password": password})


def test_ten_wrong_passwords_lock_the_soap_login_even_for_the_right_one(served: Served) -> None:
    for _ in range(10):
        soap_refused(served, WRONG)
    soap_refused(served, served.credentials.password)


def test_ten_wrong_passwords_lock_the_oauth_password_flow_even_for_the_right_one(served: Served) -> None:
    for _ in range(10):
        oauth_refused(served, WRONG)
    oauth_refused(served, served.credentials.password)


def test_failures_count_across_entry_points_and_lock_them_all(served: Served) -> None:
    for _ in range(4):
        soap_refused(served, WRONG)
    for _ in range(3):
        oauth_refused(served, WRONG)
    wrong = [view_login(served, WRONG) for _ in range(3)]
    soap_refused(served, served.credentials.password)
    oauth_refused(served, served.credentials.password)
    right = view_login(served, served.credentials.password)
    assert (right.status_code, right.text) == (wrong[-1].status_code, wrong[-1].text)
    assert right.status_code == 401 and "set-cookie" not in right.headers


def test_the_right_password_works_once_the_lockout_period_has_passed(served: Served, clock: Clock) -> None:
    for _ in range(10):
        oauth_refused(served, WRONG)
    clock.now += LOCKOUT_S - 1
    soap_refused(served, served.credentials.password)  # a try while locked out does not extend it
    clock.now += 1
    assert soap_login(served, served.credentials.password)
    assert oauth_login(served, served.credentials.password).status_code == 200


def test_a_successful_login_resets_the_count(served: Served) -> None:
    for _ in range(2):
        for _ in range(9):
            soap_refused(served, WRONG)
        assert soap_login(served, served.credentials.password)


def test_unknown_usernames_do_not_lock_out_the_user(served: Served) -> None:
    for _ in range(12):
        answer = oauth_login(served, WRONG, username="nobody@example.com")
        assert (answer.status_code, answer.json()) == (400, AUTHENTICATION_FAILURE)
    assert oauth_login(served, served.credentials.password).status_code == 200


def test_the_server_applies_the_limits_it_is_started_with(tmp_path: Path) -> None:
    home = org_home("local", tmp_path)
    server = start_background(home, _free_port(), lockout=LockoutPolicy(max_failures=3, period_s=3.0))
    try:
        org = Served(server.url, home.credentials(), str(ensure_tls(home.tls_folder).ca_bundle))
        for _ in range(3):
            oauth_refused(org, WRONG)
        locked_at = time.monotonic()
        oauth_refused(org, org.credentials.password)
        time.sleep(max(0.0, locked_at + 3 - time.monotonic()))
        assert oauth_login(org, org.credentials.password).status_code == 200
    finally:
        stop(home)
