"""The REST API under /services/data: versions, limits, describe, records, upsert, query and
sObject Collections, with simple-salesforce's trailing slashes served like the bare paths."""
from __future__ import annotations

import base64
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from eazybe_local_org import storage
from eazybe_local_org.api_errors import ApiError, not_found
from eazybe_local_org.ids import normalize
from eazybe_local_org.record_batches import run_each
from eazybe_local_org.records.errors import RecordError
from eazybe_local_org.records.output import record_json
from eazybe_local_org.schema.describe import describe_global, describe_sobject
from eazybe_local_org.schema.model import ObjectDef
from eazybe_local_org.web.collections import records_of
from eazybe_local_org.web.multipart_insert import is_multipart, read_multipart_record
from eazybe_local_org.web.oauth import base_url
from eazybe_local_org.web.query import QueryCursors
from eazybe_local_org.web.requests_json import read_json

FIRST_VERSION = 31


def release_label(version: int) -> str:
    """Salesforce's release names: v64.0 is Summer '25, then Winter, Spring, Summer each year."""
    offset = version - 64
    season = ("Summer", "Winter", "Spring")[offset % 3]
    year = 25 + (offset + 2) // 3
    return f"{season} '{year:02d}"


def versions(latest: str) -> list[dict[str, str]]:
    last = int(float(latest))
    return [
        {"label": release_label(v), "url": f"/services/data/v{v}.0", "version": f"{v}.0"}
        for v in range(FIRST_VERSION, last + 1)
    ]


class RestApi:
    def __init__(self, org: Any) -> None:
        self.org = org
        self.cursors = QueryCursors()

    # -- helpers -----------------------------------------------------------------------------
    def _object(self, name: str) -> ObjectDef:
        obj = self.org.registry.object(name)
        if obj is None:
            raise not_found()
        return obj

    def _record(self, obj: ObjectDef, record_id: str, fields: list[str] | None, version: str) -> dict:
        canonical = normalize(record_id)
        names = None
        if fields:
            names = []
            for name in fields:
                field = obj.field(name)
                if field is None:
                    raise ApiError(400, "INVALID_FIELD", f"No such column '{name}' on entity '{obj.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.")
                names.append(field.name)
        found = storage.select_by_id(self.org.connection, obj, [canonical], names) if canonical else {}
        if not found:
            raise not_found()
        return record_json(obj, canonical, found[canonical], version)

    # -- endpoints ---------------------------------------------------------------------------
    def resources(self, version: str) -> dict[str, str]:
        base = f"/services/data/v{version}"
        return {name: f"{base}/{name}" for name in
                ("sobjects", "query", "queryAll", "limits", "composite", "jobs")}

    def limits(self) -> dict[str, Any]:
        remaining = max(self.org.usage.daily_max - self.org.usage.used(), 0)
        return {
            "DailyApiRequests": {"Max": self.org.usage.daily_max, "Remaining": remaining},
            "DailyBulkV2QueryJobs": {"Max": 10000, "Remaining": 10000},
            "DataStorageMB": {"Max": 5, "Remaining": 5},
            "FileStorageMB": {"Max": 20, "Remaining": 20},
        }

    async def dispatch(self, request: Request, version: str, parts: list[str]) -> Response:
        method = request.method
        org = self.org
        if not parts:
            return JSONResponse(self.resources(version))
        head, rest = parts[0], parts[1:]
        if head == "limits" and not rest and method == "GET":
            return JSONResponse(self.limits())
        if head in ("query", "queryAll") and method == "GET":
            with org.transaction():
                if rest:
                    return JSONResponse(self.cursors.more(rest[0], version))
                soql = request.query_params.get("q")
                if not soql:
                    raise ApiError(400, "MALFORMED_QUERY", "A query string has to be specified")
                return JSONResponse(self.cursors.start(
                    org, soql, head == "queryAll", version, request.headers.get("sforce-query-options")
                ))
        if head == "sobjects":
            return await self._sobjects(request, version, rest)
        if head == "composite" and rest[:1] == ["sobjects"]:
            return await self._collections(request, version, rest[1:])
        raise not_found()

    async def _sobjects(self, request: Request, version: str, rest: list[str]) -> Response:
        method, org = request.method, self.org
        if not rest:
            if method != "GET":
                raise not_found()
            return JSONResponse(describe_global(org.registry.objects(), version))
        obj = self._object(rest[0])
        if len(rest) == 1:
            if method == "GET":
                summary = describe_global([obj], version)["sobjects"][0]
                return JSONResponse({"objectDescribe": summary, "recentItems": []})
            if method == "POST":
                body = await (read_multipart_record(request) if is_multipart(request) else read_json(request))
                if not isinstance(body, dict):
                    raise ApiError(400, "JSON_PARSER_ERROR", "The request body must be a JSON object")
                with org.transaction():
                    record_id = org.writer().create(obj, body)
                return JSONResponse({"id": record_id, "success": True, "errors": []}, status_code=201)
            raise not_found()
        if len(rest) == 2 and rest[1] == "describe" and method == "GET":
            return JSONResponse(describe_sobject(
                obj, version, org.registry.child_relationships(obj.name), base_url(request)
            ))
        if len(rest) == 2:
            return await self._record_endpoint(request, version, obj, rest[1])
        if len(rest) == 3:
            blob_field = obj.field(rest[2])
            if method == "GET" and blob_field is not None and blob_field.type == "base64" and normalize(rest[1]):
                return self._blob(obj, rest[1], blob_field.name)
            return await self._by_external_id(request, version, obj, rest[1], rest[2])
        raise not_found()

    def _blob(self, obj: ObjectDef, record_id: str, field_name: str) -> Response:
        """A file's bytes (ContentVersion.VersionData), as Salesforce streams them."""
        canonical = normalize(record_id)
        found = storage.select_by_id(self.org.connection, obj, [canonical], [field_name]) if canonical else {}
        if not found or found[canonical][field_name] is None:
            raise not_found()
        return Response(base64.b64decode(found[canonical][field_name]), media_type="application/octetstream")

    async def _record_endpoint(self, request: Request, version: str, obj: ObjectDef, record_id: str) -> Response:
        method, org = request.method, self.org
        if method == "GET":
            fields = request.query_params.get("fields")
            return JSONResponse(self._record(obj, record_id, fields.split(",") if fields else None, version))
        canonical = normalize(record_id)
        if canonical is None:
            raise not_found()
        if method == "PATCH":
            body = await read_json(request)
            if not isinstance(body, dict):
                raise ApiError(400, "JSON_PARSER_ERROR", "The request body must be a JSON object")
            with org.transaction():
                org.writer().update(obj, canonical, body)
            return Response(status_code=204)
        if method == "DELETE":
            with org.transaction():
                org.writer().delete(obj, canonical)
            return Response(status_code=204)
        raise not_found()

    async def _by_external_id(self, request: Request, version: str, obj: ObjectDef, field_name: str, value: str) -> Response:
        method, org = request.method, self.org
        field = obj.field(field_name)
        if field is None or not (field.external_id or field.id_lookup):
            raise ApiError(404, "NOT_FOUND", f"Provided external ID field does not exist or is not accessible: {field_name}")
        if method == "GET":
            with org.transaction():
                matches = storage.find_by_field(org.connection, obj, field, value)
            if not matches:
                raise not_found()
            if len(matches) > 1:
                return JSONResponse([f"/services/data/v{version}/sobjects/{obj.name}/{m}" for m in matches], status_code=300)
            return JSONResponse(self._record(obj, matches[0], None, version))
        if method == "PATCH":
            body = await read_json(request)
            if not isinstance(body, dict):
                raise ApiError(400, "JSON_PARSER_ERROR", "The request body must be a JSON object")
            with org.transaction():
                record_id, created = org.writer().upsert(obj, field, value, body)
            result = {"id": record_id, "success": True, "errors": [], "created": created}
            if created:
                return JSONResponse(result, status_code=201)
            if float(version) < 46:
                return Response(status_code=204)
            return JSONResponse(result, status_code=200)
        raise not_found()

    async def _collections(self, request: Request, version: str, rest: list[str]) -> Response:
        method, org = request.method, self.org
        if method == "DELETE" and not rest:
            ids = [i for i in request.query_params.get("ids", "").split(",") if i]
            if len(ids) > 200:
                raise ApiError(400, "EXCEEDED_ID_LIMIT", "record limit reached. cannot submit more than 200 records into this call")
            all_or_none = request.query_params.get("allOrNone", "false").lower() == "true"
            with org.transaction():
                writer = org.writer()
                return JSONResponse(run_each(org, ids, all_or_none, lambda i: self._delete_one(writer, i)))
        if method == "GET" and len(rest) == 1:
            obj = self._object(rest[0])
            ids = [i for i in request.query_params.get("ids", "").split(",") if i]
            fields = [f for f in request.query_params.get("fields", "").split(",") if f]
            out: list[Any] = []
            for record_id in ids:
                try:
                    out.append(self._record(obj, record_id, fields or None, version))
                except ApiError:
                    out.append(None)
            return JSONResponse(out)
        body = await read_json(request)
        records, all_or_none = records_of(body)
        with org.transaction():
            writer = org.writer()
            if method == "POST" and not rest:
                results = run_each(org, records, all_or_none, lambda r: self._create_one(writer, r))
            elif method == "PATCH" and not rest:
                results = run_each(org, records, all_or_none, lambda r: self._update_one(writer, r))
            elif method == "PATCH" and len(rest) == 2:
                obj = self._object(rest[0])
                field = obj.field(rest[1])
                if field is None or not (field.external_id or field.id_lookup):
                    raise ApiError(404, "NOT_FOUND", f"Provided external ID field does not exist or is not accessible: {rest[1]}")
                results = run_each(org, records, all_or_none, lambda r: self._upsert_one(writer, obj, field, r))
            else:
                raise not_found()
        return JSONResponse(results)

    def _typed(self, record: dict) -> ObjectDef:
        name = (record.get("attributes") or {}).get("type") if isinstance(record.get("attributes"), dict) else None
        if not name:
            raise RecordError("INVALID_TYPE", "Must send a concrete entity type.", [])
        obj = self.org.registry.object(name)
        if obj is None:
            raise RecordError("INVALID_TYPE", f"sObject type '{name}' is not supported.", [])
        return obj

    def _create_one(self, writer: Any, record: dict) -> dict:
        if record.get("Id") or record.get("id"):
            raise RecordError("INVALID_FIELD", "cannot specify Id in an insert call", ["Id"])
        return {"id": writer.create(self._typed(record), record), "success": True, "errors": []}

    def _update_one(self, writer: Any, record: dict) -> dict:
        raw_id = record.get("Id") or record.get("id")
        record_id = normalize(raw_id) if isinstance(raw_id, str) else None
        if record_id is None:
            raise RecordError("MISSING_ARGUMENT", "Id not specified in an update call", ["Id"])
        body = {k: v for k, v in record.items() if k not in ("Id", "id")}
        writer.update(self._typed(record), record_id, body)
        return {"id": record_id, "success": True, "errors": []}

    def _upsert_one(self, writer: Any, obj: ObjectDef, field: Any, record: dict) -> dict:
        key = next((k for k in record if k.lower() == field.name.lower()), None)
        if record.get("attributes", {}).get("type", obj.name).lower() != obj.name.lower():
            raise RecordError("INVALID_TYPE", f"record type does not match {obj.name}", [])
        body = {k: v for k, v in record.items() if k != key}
        if field.name == "Id" and (key is None or record[key] in (None, "")):
            # Upserting on Id, a record without one is new: Salesforce creates it (CumulusCI relies on this).
            return {"id": writer.create(obj, body), "success": True, "errors": [], "created": True}
        if key is None or record[key] in (None, ""):
            raise RecordError("MISSING_ARGUMENT", f"{field.name} not specified", [field.name])
        record_id, created = writer.upsert(obj, field, record[key], body)
        return {"id": record_id, "success": True, "errors": [], "created": created}

    def _delete_one(self, writer: Any, raw_id: str) -> dict:
        record_id = normalize(raw_id)
        obj = writer.object_for(record_id) if record_id else None
        if obj is None or record_id is None:
            raise RecordError("MALFORMED_ID", f"malformed id {raw_id}", [])
        writer.delete(obj, record_id)
        return {"id": record_id, "success": True, "errors": []}
