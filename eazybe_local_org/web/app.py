"""The local org as an ASGI app: OAuth, the REST API and the Metadata API's SOAP endpoint, each
call authenticated and counted like Salesforce's, every error in Salesforce's shape."""
from __future__ import annotations

import logging

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from eazybe_local_org.api_errors import ApiError, invalid_session, limit_exceeded, not_found
from eazybe_local_org.html_view import view_routes
from eazybe_local_org.metadata_api import DeployJobs, apply_plan, handle_metadata_request
from eazybe_local_org.org import LocalOrg
from eazybe_local_org.records.errors import RecordError
from eazybe_local_org.web import oauth
from eazybe_local_org.web.admin import apply_request_fault, faults_endpoint, new_error_id, unknown_exception
from eazybe_local_org.web.bulk2 import bulk2_routes
from eazybe_local_org.web.errors import error_response
from eazybe_local_org.web.rest import RestApi, versions
from eazybe_local_org.web.soap_login import soap_login
from eazybe_local_org.web.soap_session import soap_fault, soap_session_id

log = logging.getLogger(__name__)


def create_app(org: LocalOrg) -> Starlette:
    rest = RestApi(org)
    deploys = DeployJobs()

    def counted(response: Response) -> Response:
        response.headers["Sforce-Limit-Info"] = org.usage.header()
        return response

    def admit(user_id: str | None) -> ApiError | None:
        """The session check, then the daily allowance; None when the call may go on."""
        if user_id is None:
            return invalid_session()
        with org.lock:
            if not org.usage.count():
                return limit_exceeded()
        return None

    async def token(request: Request) -> Response:
        return await oauth.token(org, request)

    async def userinfo(request: Request) -> Response:
        return await oauth.userinfo(org, request)

    async def partner_login(request: Request) -> Response:
        return await soap_login(org, request)

    async def faults(request: Request) -> Response:
        return await faults_endpoint(org, request)

    async def version_list(request: Request) -> Response:
        return JSONResponse(versions(org.api_version))

    async def data(request: Request) -> Response:
        refusal = admit(org.authenticated_user(request))
        if refusal is not None:
            return counted(error_response(refusal))
        version = request.path_params["version"]
        parts = [p for p in request.path_params.get("rest", "").split("/") if p]
        try:
            await apply_request_fault(org, request, parts)
            response = await rest.dispatch(request, version, parts)
        except ApiError as error:
            response = error_response(error)
        except RecordError as error:
            response = JSONResponse(error.rest_body(), status_code=error.http_status)
        return counted(response)

    async def metadata(request: Request) -> Response:
        body = await request.body()
        session = soap_session_id(body)
        with org.lock:
            user_id = org.sessions.user_for(session) if session else None
        if user_id is None:
            return soap_fault("sf:INVALID_SESSION_ID", "INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session")
        if admit(user_id) is not None:
            return soap_fault("sf:REQUEST_LIMIT_EXCEEDED", "REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded.")

        def apply(plan) -> None:  # type: ignore[no-untyped-def]
            with org.transaction():
                apply_plan(plan, org.registry, org.metadata)

        with org.lock:
            answer = handle_metadata_request(body, deploys, org.registry, apply, org.metadata)
        return Response(answer.body, status_code=answer.status, media_type=answer.content_type)

    async def unknown(request: Request) -> Response:
        return error_response(not_found())

    async def unexpected(request: Request, error: Exception) -> Response:
        """Salesforce's answer to its own bugs: 500 UNKNOWN_EXCEPTION with an error id, no trace."""
        error_id = new_error_id()
        log.exception("unexpected error %s on %s %s", error_id, request.method, request.url.path)
        return error_response(unknown_exception(error_id))

    methods = ["GET", "POST", "PATCH", "PUT", "DELETE", "HEAD"]
    return Starlette(exception_handlers={Exception: unexpected}, routes=[
        Route("/services/oauth2/token", token, methods=["POST"]),
        Route("/services/oauth2/userinfo", userinfo, methods=["GET", "POST"]),
        Route("/services/data", version_list, methods=["GET"]),
        Route("/services/data/", version_list, methods=["GET"]),
        Route("/services/data/v{version}/eazybe/faults", faults, methods=["GET", "POST", "DELETE"]),
        *bulk2_routes(org, admit, counted),
        Route("/services/data/v{version}", data, methods=methods),
        Route("/services/data/v{version}/{rest:path}", data, methods=methods),
        Route("/services/Soap/u/{version}", partner_login, methods=["POST"]),
        Route("/services/Soap/u/{version}/{org_id}", partner_login, methods=["POST"]),
        Route("/services/Soap/m/{version}", metadata, methods=["POST"]),
        Route("/services/Soap/m/{version}/{org_id}", metadata, methods=["POST"]),
        *view_routes(org),
        Route("/{path:path}", unknown, methods=methods),
    ])
