"""Rendering a page, with the headers every view response carries: a strict Content Security
Policy (no script at all, styles and images only from the org itself), no sniffing, no caching
of record data, no referrer leaking record ids to other sites."""
from __future__ import annotations

from typing import Any

from jinja2 import DictLoader, Environment, StrictUndefined
from starlette.responses import HTMLResponse, Response

from eazybe_local_org.html_view.templates import TEMPLATES

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

_environment = Environment(loader=DictLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined)


def secured(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    return response


def page(template: str, *, title: str, status: int = 200, signed_in: bool = True, **context: Any) -> Response:
    html = _environment.get_template(template).render(title=title, signed_in=signed_in, **context)
    return secured(HTMLResponse(html, status_code=status))
