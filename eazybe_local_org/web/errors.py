"""An ApiError as the HTTP response Salesforce sends for it: its status, its JSON error array."""
from __future__ import annotations

from starlette.responses import JSONResponse

from eazybe_local_org.api_errors import ApiError


def error_response(error: ApiError) -> JSONResponse:
    return JSONResponse(error.body(), status_code=error.status)
