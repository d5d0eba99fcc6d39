"""A request-level failure in Salesforce's REST error shape: an HTTP status and a JSON array of
{message, errorCode[, fields]}. Raised by the REST and Bulk API 2.0 handlers alike; the web layer
turns it into the response."""
from __future__ import annotations


class ApiError(Exception):
    """Raised anywhere in a REST handler; the app turns it into Salesforce's error response."""

    def __init__(self, status: int, code: str, message: str, fields: list[str] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields

    def body(self) -> list[dict]:
        entry: dict = {"message": self.message, "errorCode": self.code}
        if self.fields is not None:
            entry["fields"] = self.fields
        return [entry]


def not_found() -> ApiError:
    return ApiError(404, "NOT_FOUND", "The requested resource does not exist")


def invalid_session() -> ApiError:
    return ApiError(401, "INVALID_SESSION_ID", "Session expired or invalid")


def limit_exceeded() -> ApiError:
    return ApiError(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")


def malformed_json(detail: str) -> ApiError:
    return ApiError(400, "JSON_PARSER_ERROR", detail)
