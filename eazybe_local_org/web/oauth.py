"""OAuth endpoints as Salesforce answers them: token (refresh_token and password grants) and
userinfo. CumulusCI refreshes its token and reads userinfo before every task."""
from __future__ import annotations

import hmac
import time
from urllib.parse import parse_qs
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from eazybe_local_org.api_errors import invalid_session
from eazybe_local_org.web.errors import error_response

if TYPE_CHECKING:
    from eazybe_local_org.org import LocalOrg


def _same(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def _oauth_error(error: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


def base_url(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


def identity_url(org: "LocalOrg", request: Request) -> str:
    return f"{base_url(request)}/id/{org.identity.org_id}/{org.identity.user_id}"


async def token(org: "LocalOrg", request: Request) -> Response:
    form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
    grant = form.get("grant_type")
    credentials = org.credentials
    if not _same(str(form.get("client_id") or ""), credentials.client_id):
        return _oauth_error("invalid_client_id", "client identifier invalid")
    secret = form.get("client_secret")
    if secret is not None and not _same(str(secret), credentials.client_secret):
        return _oauth_error("invalid_client", "invalid client credentials")
    if grant == "refresh_token":
        if not _same(str(form.get("refresh_token") or ""), credentials.refresh_token):
            return _oauth_error("invalid_grant", "expired access/refresh token")
        access_token: str | None = org.sessions.issue(org.identity.user_id)
    elif grant == "password":
        password_ok = _same(str(form.get("password") or ""), credentials.password)
        access_token = org.log_in(str(form.get("username") or ""), password_ok)
        if access_token is None:
            return _oauth_error("invalid_grant", "authentication failure")
    else:
        return _oauth_error("unsupported_grant_type", "grant type not supported")
    body = {
        "access_token": access_token,
        "instance_url": base_url(request),
        "id": identity_url(org, request),
        "token_type": "Bearer",
        "issued_at": str(int(time.time() * 1000)),
        "scope": "web api full refresh_token",
        "signature": org.sign_identity(access_token),
    }
    return JSONResponse(body)


async def userinfo(org: "LocalOrg", request: Request) -> Response:
    user_id = org.authenticated_user(request)
    if user_id is None:
        return error_response(invalid_session())
    base = base_url(request)
    version = org.api_version
    urls = {
        name: f"{base}/services/data/v{version}/{path}"
        for name, path in {
            "sobjects": "sobjects/", "query": "query/", "rest": "", "limits": "limits/",
            "metadata": "", "recent": "recent/",
        }.items()
    }
    urls["metadata"] = f"{base}/services/Soap/m/{version}/{org.identity.org_id[:15]}"
    urls["partner"] = f"{base}/services/Soap/u/{version}/{org.identity.org_id[:15]}"
    user = org.user_record()
    return JSONResponse({
        "sub": identity_url(org, request),
        "user_id": user_id,
        "organization_id": org.identity.org_id,
        "preferred_username": org.credentials.username,
        "nickname": user.get("Alias") or "admin",
        "name": " ".join(p for p in (user.get("FirstName"), user.get("LastName")) if p),
        "email": user.get("Email"),
        "email_verified": True,
        "given_name": user.get("FirstName"),
        "family_name": user.get("LastName"),
        "zoneinfo": user.get("TimeZoneSidKey") or "GMT",
        "locale": "en_US",
        "language": "en_US",
        "user_type": "STANDARD",
        "active": True,
        "is_app_installed": True,
        "updated_at": "2026-01-01T00:00:00Z",
        "utcOffset": 0,
        "urls": urls,
    })
