"""The entry point for POST /services/Soap/m/{version}: SOAP request in, SOAP response out. The
server checks the session first (sf:INVALID_SESSION_ID is its answer) and supplies the org's
schema, the function that applies a plan in its own transaction, and the metadata a retrieve
reads."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from eazybe_local_org.metadata_api.job_ids import UnknownAsyncJob
from eazybe_local_org.metadata_api.jobs import DeployJobs
from eazybe_local_org.metadata_api.org_schema import DeployedMetadata, OrgSchema
from eazybe_local_org.metadata_api.plan import DeployPlan
from eazybe_local_org.metadata_api.soap import (
    CancelDeployRequest,
    CheckDeployStatusRequest,
    CheckRetrieveStatusRequest,
    CheckStatusRequest,
    DeployRequest,
    MetadataRequest,
    RetrieveRequest,
    SoapFault,
    async_result_response,
    cancel_deploy_response,
    check_deploy_status_response,
    check_retrieve_status_response,
    deploy_response,
    fault_response,
    parse_request,
    retrieve_response,
)

CONTENT_TYPE = "text/xml; charset=utf-8"


@dataclass(frozen=True)
class SoapResponse:
    status: int
    body: bytes
    content_type: str = CONTENT_TYPE


def handle_metadata_request(
    body: bytes, jobs: DeployJobs, org: OrgSchema, apply: Callable[[DeployPlan], None],
    metadata: DeployedMetadata | None = None,
) -> SoapResponse:
    """`metadata` is None for an org that keeps no components: it deploys, but cannot retrieve."""
    try:
        return SoapResponse(200, _answer(parse_request(body), jobs, org, apply, metadata))
    except UnknownAsyncJob:
        return SoapResponse(500, fault_response(SoapFault("sf:INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")))
    except SoapFault as fault:
        return SoapResponse(500, fault_response(fault))


def _answer(
    request: MetadataRequest, jobs: DeployJobs, org: OrgSchema, apply: Callable[[DeployPlan], None],
    metadata: DeployedMetadata | None,
) -> bytes:
    if isinstance(request, DeployRequest):
        return deploy_response(jobs.submit(request.zip_bytes, request.options))
    if isinstance(request, CheckDeployStatusRequest):
        return check_deploy_status_response(jobs.advance(request.async_process_id, org, apply), request.include_details)
    if isinstance(request, CancelDeployRequest):
        return cancel_deploy_response(jobs.cancel(request.async_process_id))
    if isinstance(request, RetrieveRequest):
        return retrieve_response(jobs.retrieves.submit(request.members, request.api_version, request.single_package))
    if isinstance(request, CheckRetrieveStatusRequest):
        job = jobs.retrieves.advance(request.async_process_id, _kept(metadata), org)
        return check_retrieve_status_response(job, request.include_zip)
    assert isinstance(request, CheckStatusRequest)
    if jobs.retrieves.owns(request.async_process_id):
        job = jobs.retrieves.advance(request.async_process_id, _kept(metadata), org)
        return async_result_response("checkStatusResponse", job.done, job.id, job.state)
    deploy = jobs.advance(request.async_process_id, org, apply)
    return async_result_response("checkStatusResponse", deploy.done, deploy.id, deploy.state)


def _kept(metadata: DeployedMetadata | None) -> DeployedMetadata:
    if metadata is None:
        raise SoapFault("sf:UNSUPPORTED_API_VERSION", "This org keeps no metadata to retrieve")
    return metadata
