"""Meta's error objects (on failed statuses, unsupported messages and whole changes).

They are kept as received for the audit, and summarized into one line so that a message WhatsApp
could not deliver still says why when it is logged.
"""
from __future__ import annotations

from typing import Any

from eazybe_tasks.sources.cloud_api.fields import (
    as_list,
    as_number,
    as_object,
    child,
    optional_object,
    optional_str,
)

ErrorList = tuple[dict[str, Any], ...]


def read_errors(value: Any, where: str) -> ErrorList:
    """A list of error objects, their summarized fields checked; None means no errors."""
    if value is None:
        return ()
    errors = []
    for index, item in enumerate(as_list(value, where)):
        item_where = child(where, index)
        error = as_object(item, item_where)
        for key in ("title", "message"):
            optional_str(error, key, item_where)
        if error.get("code") is not None:
            as_number(error["code"], child(item_where, "code"))
        optional_str(optional_object(error, "error_data", item_where), "details",
                     child(item_where, "error_data"))
        errors.append(error)
    return tuple(errors)


def summarize(errors: ErrorList) -> str:
    """One line for errors checked by read_errors: "Title (code): details; ..."."""
    return "; ".join(_summarize_one(error) for error in errors)


def _summarize_one(error: dict[str, Any]) -> str:
    title = error.get("title") or error.get("message") or "error"
    code = error.get("code")
    details = (error.get("error_data") or {}).get("details")
    line = title if code is None else f"{title} ({code})"
    return f"{line}: {details}" if details else line
