"""The error answers of the Graph API, shaped as Meta shapes them
(`{"error": {"message", "type", "code", ..., "fbtrace_id"}}`), so clients' error handling is
exercised on what they will really get."""
from __future__ import annotations

from typing import Any

from eazybe_local_graph.ids import fbtrace_id

INVALID_PARAMETER = 100
INVALID_TOKEN = 190
UNKNOWN_PATH = 2500


class GraphError(Exception):
    """A request the Graph API refuses: `status` is the HTTP status, `body` the JSON answer."""

    def __init__(self, status: int, code: int, message: str, error_type: str = "OAuthException",
                 subcode: int | None = None, details: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        error: dict[str, Any] = {"message": message, "type": error_type, "code": code}
        if subcode is not None:
            error["error_subcode"] = subcode
        if details is not None:
            error["error_data"] = {"messaging_product": "whatsapp", "details": details}
        error["fbtrace_id"] = fbtrace_id()
        self.body: dict[str, Any] = {"error": error}


def invalid_token() -> GraphError:
    return GraphError(401, INVALID_TOKEN, "Invalid OAuth access token - Cannot parse access token")


def invalid_parameter(field: str, problem: str) -> GraphError:
    """Code 100, its details naming `field` and what is wrong with it."""
    return GraphError(400, INVALID_PARAMETER, "(#100) Invalid parameter", details=f"Param {field} {problem}")


def unknown_object(object_id: str) -> GraphError:
    return GraphError(
        400, INVALID_PARAMETER,
        f"Unsupported post request. Object with ID '{object_id}' does not exist, cannot be loaded due to "
        "missing permissions, or does not support this operation. Please read the Graph API documentation "
        "at https://developers.facebook.com/docs/graph-api",
        error_type="GraphMethodException", subcode=33,
    )


def already_requested(sync_type: str) -> GraphError:
    what = "contacts" if sync_type == "smb_app_state_sync" else "chat history"
    return GraphError(
        400, INVALID_PARAMETER,
        f"(#100) The {sync_type} synchronization ({what}) was already requested for this phone number: "
        "it can be requested once, after onboarding.",
        details=f"Param sync_type {sync_type!r} was already requested for this phone number",
    )


def unknown_path(path: str) -> GraphError:
    return GraphError(400, UNKNOWN_PATH, f"Unknown path components: {path}")
