"""Signing in to the view with the org's own username and password: the session is an ordinary
org session, kept in an HttpOnly, Secure, SameSite=Strict cookie so scripts cannot read it,
it never travels over plain HTTP, and other sites cannot make the browser send it."""
from __future__ import annotations

import hmac
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import Response

from eazybe_local_org.org import LocalOrg
from eazybe_local_org.sessions import DEFAULT_LIFETIME_S

SESSION_COOKIE = "eazybe_view_session"
COOKIE_PATH = "/view"
MAX_FORM_BYTES = 8 * 1024  # a username and a password; anything bigger is not a login


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


async def login_form(request: Request) -> dict[str, str]:
    """The posted form's fields (first value of each); empty when the body is not a small form."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return {}
    return {key: values[0] for key, values in parse_qs(body.decode("utf-8", "replace")).items()}


def sign_in(org: LocalOrg, username: str, password: str) -> str | None:
    """A new session for the org's user when the credentials match and the user is not locked
    out, else None."""
    return org.log_in(username, _same(password, org.credentials.password))


def sign_out(org: LocalOrg, request: Request) -> None:
    """Ends the cookie's session on the server, not just in the browser: the same id is also a
    REST Bearer token, which would otherwise keep working until it expires."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with org.lock:
            org.sessions.revoke(token)


def signed_in_user(org: LocalOrg, request: Request) -> str | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    with org.lock:
        return org.sessions.user_for(token)


def set_session_cookie(response: Response, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE, token, max_age=DEFAULT_LIFETIME_S, path=COOKIE_PATH,
        secure=True, httponly=True, samesite="strict",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH, secure=True, httponly=True, samesite="strict")
