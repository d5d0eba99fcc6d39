"""Bulk API 2.0 over HTTP: /services/data/vXX.X/jobs/ingest and /jobs/query, each call
authenticated and counted like every other REST call, errors in Salesforce's JSON shape.

Ingest jobs are processed when the client closes them (UploadComplete), within that request,
as one unit of work with a savepoint per row; polls then report InProgress before JobComplete."""
from __future__ import annotations

from typing import Any, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from eazybe_local_org.api_errors import ApiError, not_found
from eazybe_local_org.bulk2 import ingest
from eazybe_local_org.bulk2.csv_data import DELIMITERS, LINE_ENDINGS, CsvDialect
from eazybe_local_org.bulk2.jobs import (
    ABORTED, FAILED, INGEST_OPERATIONS, JOB_COMPLETE, JOB_PREFIX, OPEN, QUERY_OPERATIONS,
    UPLOAD_COMPLETE, AnyJob, IngestJob, Job, JobStore, QueryJob,
)
from eazybe_local_org.bulk2.query import result_page, run_query
from eazybe_local_org.bulk2.result_files import ResultFiles
from eazybe_local_org.schema.model import ObjectDef
from eazybe_local_org.web.admin import apply_request_fault
from eazybe_local_org.web.errors import error_response
from eazybe_local_org.web.requests_json import read_json

CSV_MEDIA_TYPE = "text/csv"


def invalid_state(job: Job, wanted: str) -> ApiError:
    return ApiError(400, "INVALIDJOBSTATE", f"Job {job.id} is in state {job.state} and cannot move to {wanted}")


class Bulk2Api:
    def __init__(self, org: Any) -> None:
        self.org = org
        self.jobs = JobStore()
        self.result_files = ResultFiles(org.home.bulk_results)

    # -- helpers -----------------------------------------------------------------------------
    async def _body(self, request: Request) -> dict[str, Any]:
        body = await read_json(request)
        if not isinstance(body, dict):
            raise ApiError(400, "JSON_PARSER_ERROR", "The request body must be a JSON object")
        return body

    def _dialect(self, body: dict[str, Any]) -> CsvDialect:
        dialect = CsvDialect(body.get("columnDelimiter") or "COMMA", body.get("lineEnding") or "LF")
        if dialect.column_delimiter not in DELIMITERS:
            raise ApiError(400, "INVALIDJOB", f"Invalid column delimiter: {dialect.column_delimiter}")
        if dialect.line_ending not in LINE_ENDINGS:
            raise ApiError(400, "INVALIDJOB", f"Invalid line ending: {dialect.line_ending}")
        return dialect

    def _new_id(self) -> str:
        with self.org.transaction():
            return self.org.new_ids(JOB_PREFIX, 1)[0]

    def _object(self, name: Any) -> ObjectDef:
        obj = self.org.registry.object(name) if isinstance(name, str) else None
        if obj is None:
            raise ApiError(400, "INVALIDENTITY", f"Entity '{name}' is not supported by the Bulk API.")
        return obj

    def _job(self, job_id: str, kind: type[AnyJob]) -> AnyJob:
        job = self.jobs.get(job_id, kind)
        if job is None:
            raise not_found()
        return job

    def _job_fields(self, body: dict[str, Any], operation: str, object_name: str, version: str) -> dict[str, Any]:
        return {"id": self._new_id(), "operation": operation, "object": object_name,
                "created_by_id": self.org.identity.user_id, "api_version": version,
                "dialect": self._dialect(body)}

    # -- dispatch ----------------------------------------------------------------------------
    async def dispatch(self, request: Request) -> Response:
        version = request.path_params["version"]
        kind = request.path_params["kind"]
        parts = [p for p in request.path_params.get("rest", "").split("/") if p]
        if kind == "ingest":
            return await self._ingest(request, version, parts)
        if kind == "query":
            return await self._query(request, version, parts)
        raise not_found()

    async def _ingest(self, request: Request, version: str, parts: list[str]) -> Response:
        method = request.method
        if not parts and method == "POST":
            return JSONResponse(self._create_ingest(await self._body(request), version).summary())
        if not parts and method == "GET":
            return self._listing(IngestJob)
        job = self._job(parts[0], IngestJob)
        rest = parts[1:]
        if not rest:
            return await self._job_endpoint(request, job)
        if rest == ["batches"] and method == "PUT":
            return await self._upload(request, job)
        if len(rest) == 1 and rest[0].lower() in ingest.RESULT_FILES and method == "GET":
            kind = rest[0].lower()
            written = self.result_files.read(job.id, kind)
            if written is None:  # not ended: what it has so far
                written = job.dialect.write(*ingest.RESULT_FILES[kind](job)).encode()
            return Response(written, media_type=CSV_MEDIA_TYPE)
        raise not_found()

    async def _query(self, request: Request, version: str, parts: list[str]) -> Response:
        method = request.method
        if not parts and method == "POST":
            job = self._create_query(await self._body(request), version)
            return JSONResponse(job.summary(UPLOAD_COMPLETE))  # as created; polls show it run
        if not parts and method == "GET":
            return self._listing(QueryJob)
        query_job = self._job(parts[0], QueryJob)
        rest = parts[1:]
        if not rest:
            return await self._job_endpoint(request, query_job)
        if rest == ["results"] and method == "GET":
            return self._results(request, query_job)
        raise not_found()

    # -- jobs --------------------------------------------------------------------------------
    def _create_ingest(self, body: dict[str, Any], version: str) -> IngestJob:
        operation = body.get("operation")
        if operation not in INGEST_OPERATIONS:
            raise ApiError(400, "INVALIDJOB", f"Invalid operation: {operation}")
        obj = self._object(body.get("object"))
        external_id = body.get("externalIdFieldName")
        if operation == "upsert":
            key_field = obj.field(external_id or "")
            if key_field is None or not (key_field.external_id or key_field.id_lookup):
                raise ApiError(400, "INVALIDJOB", f"InvalidJob : External ID was blank or invalid for {obj.name}: {external_id}")
            external_id = key_field.name
        if body.get("contentType", "CSV") != "CSV":
            raise ApiError(400, "INVALIDJOB", f"Invalid contentType: {body.get('contentType')}")
        job = IngestJob(**self._job_fields(body, operation, obj.name, version), state=OPEN,
                        external_id_field=external_id if operation == "upsert" else None)
        self.jobs.add(job)
        return job

    def _create_query(self, body: dict[str, Any], version: str) -> QueryJob:
        operation = body.get("operation")
        if operation not in QUERY_OPERATIONS:
            raise ApiError(400, "INVALIDJOB", f"Invalid operation: {operation}")
        soql = body.get("query")
        if not isinstance(soql, str) or not soql.strip():
            raise ApiError(400, "INVALIDJOB", "A query is required for a query job")
        compiled, records = run_query(self.org, soql, operation == "queryAll")
        job = QueryJob(**self._job_fields(body, operation, compiled.object_name, version),
                       state=JOB_COMPLETE, compiled=compiled, records=records)
        self.jobs.add(job)
        return job

    def _listing(self, kind: type[Job]) -> Response:
        records = [job.summary() for job in self.jobs.of_kind(kind)]
        return JSONResponse({"done": True, "records": records, "nextRecordsUrl": None})

    async def _job_endpoint(self, request: Request, job: IngestJob | QueryJob) -> Response:
        method = request.method
        if method == "GET":
            return JSONResponse(job.details())
        if method == "DELETE":
            if job.state in (OPEN, UPLOAD_COMPLETE) and isinstance(job, IngestJob):
                raise invalid_state(job, "Deleted")
            self.jobs.remove(job.id)
            self.result_files.delete(job.id)
            return Response(status_code=204)
        if method == "PATCH":
            wanted = (await self._body(request)).get("state")
            if wanted == ABORTED and job.state in (OPEN, UPLOAD_COMPLETE):
                job.move_to(ABORTED)
                if isinstance(job, IngestJob):
                    ingest.read_upload(job)  # its rows are reported unprocessed; nothing runs them
                    ingest.seal(job, self.result_files)
                return JSONResponse(job.summary())
            if wanted == UPLOAD_COMPLETE and job.state == OPEN and isinstance(job, IngestJob):
                return JSONResponse(self._close(job))
            raise invalid_state(job, str(wanted))
        raise not_found()

    async def _upload(self, request: Request, job: IngestJob) -> Response:
        if job.state != OPEN or job.upload is not None:
            raise invalid_state(job, "Open")
        job.upload = await request.body()
        return Response(status_code=201)

    def _close(self, job: IngestJob) -> dict[str, Any]:
        """Closes the upload and processes it; the answer shows the job as just closed."""
        job.move_to(UPLOAD_COMPLETE)
        answer = job.summary()
        unreadable = ingest.read_upload(job)
        if unreadable:
            job.move_to(FAILED, unreadable)
        else:
            ingest.process(self.org, job, self._object(job.object))
        ingest.seal(job, self.result_files)
        return answer

    def _results(self, request: Request, job: QueryJob) -> Response:
        raw_max = request.query_params.get("maxRecords")
        if raw_max is not None and (not raw_max.isdigit() or int(raw_max) == 0):
            raise ApiError(400, "INVALIDJOB", f"Invalid maxRecords: {raw_max}")
        text, count, locator = result_page(
            job, request.query_params.get("locator"), int(raw_max) if raw_max else None
        )
        return Response(text, media_type=CSV_MEDIA_TYPE,
                         headers={"Sforce-NumberOfRecords": str(count), "Sforce-Locator": locator})


Admit = Callable[[str | None], ApiError | None]


def bulk2_routes(org: Any, admit: Admit, counted: Callable[[Response], Response]) -> list[Route]:
    """The routes, guarded by the app's own session check, API usage count and request faults."""
    api = Bulk2Api(org)

    async def endpoint(request: Request) -> Response:
        refusal = admit(org.authenticated_user(request))
        if refusal is not None:
            return counted(error_response(refusal))
        try:
            await apply_request_fault(org, request, request.url.path.split("/")[4:])
            response = await api.dispatch(request)
        except ApiError as error:
            response = error_response(error)
        return counted(response)

    methods = ["GET", "POST", "PATCH", "PUT", "DELETE"]
    return [
        Route("/services/data/v{version}/jobs/{kind}", endpoint, methods=methods),
        Route("/services/data/v{version}/jobs/{kind}/{rest:path}", endpoint, methods=methods),
    ]
