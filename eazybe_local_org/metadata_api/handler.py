"""The entry point for POST /services/Soap/m/{version}: SOAP request in, SOAP response out. The
server checks the session first (sf:INVALID_SESSION_ID is its answer) and supplies the schema
reader and the function that applies a plan in its own transaction."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from eazybe_local_org.metadata_api.jobs import DeployJobs, UnknownDeployJob
from eazybe_local_org.metadata_api.org_schema import OrgSchema
from eazybe_local_org.metadata_api.plan import DeployPlan
from eazybe_local_org.metadata_api.soap import (
    CancelDeployRequest,
    CheckDeployStatusRequest,
    DeployRequest,
    SoapFault,
    cancel_deploy_response,
    check_deploy_status_response,
    deploy_response,
    fault_response,
    parse_request,
)

CONTENT_TYPE = "text/xml; charset=utf-8"


@dataclass(frozen=True)
class SoapResponse:
    status: int
    body: bytes
    content_type: str = CONTENT_TYPE


def handle_metadata_request(
    body: bytes, jobs: DeployJobs, org: OrgSchema, apply: Callable[[DeployPlan], None]
) -> SoapResponse:
    try:
        request = parse_request(body)
        if isinstance(request, DeployRequest):
            return SoapResponse(200, deploy_response(jobs.submit(request.zip_bytes, request.options)))
        if isinstance(request, CheckDeployStatusRequest):
            job = jobs.advance(request.async_process_id, org, apply)
            return SoapResponse(200, check_deploy_status_response(job, request.include_details))
        assert isinstance(request, CancelDeployRequest)
        return SoapResponse(200, cancel_deploy_response(jobs.cancel(request.async_process_id)))
    except UnknownDeployJob:
        return SoapResponse(500, fault_response(SoapFault("sf:INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")))
    except SoapFault as fault:
        return SoapResponse(500, fault_response(fault))
