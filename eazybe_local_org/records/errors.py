"""A record-level failure, as Salesforce reports it: a status code, a message in Salesforce's
words, and the fields concerned. REST answers it as `errorCode`; sObject Collections and Bulk
rows as `statusCode`."""
from __future__ import annotations


class RecordError(Exception):
    def __init__(self, code: str, message: str, fields: list[str] | None = None, http_status: int = 400):
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = fields or []
        self.http_status = http_status

    def rest_body(self) -> list[dict]:
        return [{"message": self.message, "errorCode": self.code, "fields": self.fields}]

    def collection_error(self) -> dict:
        return {"statusCode": self.code, "message": self.message, "fields": self.fields}


def required_missing(names: list[str]) -> RecordError:
    return RecordError("REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(names)}]", names)


def unknown_field(name: str, object_name: str) -> RecordError:
    return RecordError("INVALID_FIELD", f"No such column '{name}' on sobject of type {object_name}", [])


def not_writable(names: list[str]) -> RecordError:
    return RecordError(
        "INVALID_FIELD_FOR_INSERT_UPDATE",
        f"Unable to create/update fields: {', '.join(names)}. Please check the security settings of "
        "this field and verify that it is read/write for your profile or permission set.",
        names,
    )


def entity_deleted() -> RecordError:
    return RecordError("ENTITY_IS_DELETED", "entity is deleted", [], http_status=404)


def not_found() -> RecordError:
    return RecordError("NOT_FOUND", "The requested resource does not exist", [], http_status=404)
