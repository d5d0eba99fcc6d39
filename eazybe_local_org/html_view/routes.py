"""The /view routes: the login page and stylesheet are open, every other page needs a signed-in
session and sends a stranger to the login page instead."""
from __future__ import annotations

from functools import wraps
from importlib import resources
from typing import Awaitable, Callable
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from eazybe_local_org.html_view import auth, pages, reads
from eazybe_local_org.html_view.file_types import content_type, is_inline_image
from eazybe_local_org.html_view.render import page, secured
from eazybe_local_org.ids import normalize
from eazybe_local_org.org import LocalOrg

LOGIN_PATH = "/view/login"
HOME_PATH = "/view/"
STYLESHEET = resources.files(__package__).joinpath("view.css").read_text(encoding="utf-8")

Handler = Callable[[Request], Awaitable[Response]]


def _see_other(path: str) -> Response:
    return secured(RedirectResponse(path, status_code=303))


def view_routes(org: LocalOrg) -> list[Route]:
    def signed_in(handler: Handler) -> Handler:
        @wraps(handler)
        async def guarded(request: Request) -> Response:
            if auth.signed_in_user(org, request) is None:
                return _see_other(LOGIN_PATH)
            return await handler(request)
        return guarded

    async def login(request: Request) -> Response:
        if request.method == "GET":
            return page("login.html", title="Sign in", signed_in=False, failed=False, username="")
        form = await auth.login_form(request)
        username = form.get("username", "")
        token = auth.sign_in(org, username, form.get("password", ""))
        if token is None:
            return page("login.html", title="Sign in", status=401, signed_in=False, failed=True, username=username)
        response = _see_other(HOME_PATH)
        auth.set_session_cookie(response, token)
        return response

    async def logout(request: Request) -> Response:
        auth.sign_out(org, request)
        response = _see_other(LOGIN_PATH)
        auth.clear_session_cookie(response)
        return response

    async def stylesheet(request: Request) -> Response:
        return secured(Response(STYLESHEET, media_type="text/css"))

    @signed_in
    async def home(request: Request) -> Response:
        return pages.home(org)

    @signed_in
    async def object_list(request: Request) -> Response:
        obj = org.registry.object(request.path_params["object_name"])
        if obj is None or not obj.queryable:
            return pages.not_found("There is no such object.")
        number = request.query_params.get("page", "1")
        return pages.object_list(org, obj, int(number) if number.isdigit() and int(number) > 0 else 1)

    @signed_in
    async def record(request: Request) -> Response:
        record_id = normalize(request.path_params["record_id"])
        obj = reads.object_for_id(org, record_id) if record_id else None
        found = reads.record(org, obj, record_id) if obj and record_id else None
        if obj is None or found is None:
            return pages.not_found("There is no record with that id.")
        return pages.record_page(org, obj, found)

    @signed_in
    async def file(request: Request) -> Response:
        """A file's bytes: raster images inline, anything else as a download, never run as a page."""
        found = reads.file_bytes(org, request.path_params["version_id"])
        if found is None:
            return pages.not_found("There is no such file.")
        stored, data = found
        inline = is_inline_image(stored.extension)
        response = Response(data, media_type=content_type(stored.extension) if inline else "application/octet-stream")
        filename = f"{stored.title}.{stored.extension}" if stored.extension else stored.title
        response.headers["Content-Disposition"] = "inline" if inline else _attachment(filename)
        response = secured(response)
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response

    @signed_in
    async def unknown(request: Request) -> Response:
        return pages.not_found("There is no such page.")

    return [
        Route("/view", home, methods=["GET"]),
        Route(HOME_PATH, home, methods=["GET"]),
        Route(LOGIN_PATH, login, methods=["GET", "POST"]),
        Route("/view/logout", logout, methods=["POST"]),
        Route("/view/static/view.css", stylesheet, methods=["GET"]),
        Route("/view/o/{object_name}", object_list, methods=["GET"]),
        Route("/view/r/{record_id}", record, methods=["GET"]),
        Route("/view/file/{version_id}", file, methods=["GET"]),
        Route("/view/{rest:path}", unknown, methods=["GET"]),
    ]


def _attachment(filename: str) -> str:
    """RFC 6266 with the UTF-8 form, so any file name survives without breaking the header."""
    return f"attachment; filename*=UTF-8''{quote(filename, safe='')}"
