"""The Metadata API's SOAP wire format for deploys and retrieves: requests parsed into plain values,
responses built with the WSDL's element names and order (DeployResult, RetrieveResult, AsyncResult,
DeployMessage, FileProperties), because clients such as CumulusCI read them by tag name and expect
Salesforce's exact shapes."""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from eazybe_local_org.metadata_api.jobs import DeployJob
from eazybe_local_org.metadata_api.model import DeployMessage, DeployOptions
from eazybe_local_org.metadata_api.package import METADATA_NS, manifest_members, safe_parser
from eazybe_local_org.metadata_api.retrieve_jobs import RetrieveJob

SOAP_ENV_NS = "http://schemas.xmlsoap.org/soap/envelope/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SF_NS = "urn:fault.partner.soap.sforce.com"


class SoapFault(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class DeployRequest:
    zip_bytes: bytes
    options: DeployOptions


@dataclass(frozen=True)
class CheckDeployStatusRequest:
    async_process_id: str
    include_details: bool


@dataclass(frozen=True)
class CancelDeployRequest:
    async_process_id: str


@dataclass(frozen=True)
class RetrieveRequest:
    members: dict[str, tuple[str, ...]]
    api_version: str
    single_package: bool


@dataclass(frozen=True)
class CheckStatusRequest:
    """The old generic status call (AsyncResult) CumulusCI still polls retrieves with."""

    async_process_id: str


@dataclass(frozen=True)
class CheckRetrieveStatusRequest:
    async_process_id: str
    include_zip: bool


MetadataRequest = (
    DeployRequest | CheckDeployStatusRequest | CancelDeployRequest | RetrieveRequest | CheckStatusRequest
    | CheckRetrieveStatusRequest
)  # fmt: skip


def parse_request(body: bytes) -> MetadataRequest:
    """Raises SoapFault (soapenv:Client) for what Salesforce rejects before running the call."""
    try:
        envelope = etree.fromstring(body, parser=safe_parser())
    except etree.XMLSyntaxError as error:
        raise SoapFault("soapenv:Client", f"Unable to parse the request: {error.msg}") from error
    operation = envelope.find(f"{{{SOAP_ENV_NS}}}Body/*")
    if envelope.tag != f"{{{SOAP_ENV_NS}}}Envelope" or operation is None:
        raise SoapFault("soapenv:Client", "Expected a SOAP Envelope with a Body")
    name = etree.QName(operation)
    if name.namespace != METADATA_NS or name.localname not in _PARSERS:
        raise SoapFault(
            "soapenv:Client",
            f"No operation available for request {operation.tag}, please check the WSDL for the service.",
        )
    return _PARSERS[name.localname](operation)


def _deploy(operation: etree._Element) -> DeployRequest:
    try:
        zip_bytes = base64.b64decode(_text(operation, "ZipFile"), validate=True)
    except (binascii.Error, ValueError) as error:
        raise SoapFault("soapenv:Client", f"Unable to decode ZipFile as base64Binary: {error}") from error
    options = operation.find(f"{{{METADATA_NS}}}DeployOptions")
    defaults = DeployOptions()

    def flag(name: str, default: bool) -> bool:
        return _boolean(options.findtext(f"{{{METADATA_NS}}}{name}") if options is not None else None, default)

    return DeployRequest(
        zip_bytes,
        DeployOptions(
            check_only=flag("checkOnly", defaults.check_only),
            rollback_on_error=flag("rollbackOnError", defaults.rollback_on_error),
            single_package=flag("singlePackage", defaults.single_package),
            allow_missing_files=flag("allowMissingFiles", defaults.allow_missing_files),
            ignore_warnings=flag("ignoreWarnings", defaults.ignore_warnings),
            purge_on_delete=flag("purgeOnDelete", defaults.purge_on_delete),
            test_level=(options.findtext(f"{{{METADATA_NS}}}testLevel") if options is not None else None)
            or defaults.test_level,
            run_tests=tuple(test.text or "" for test in operation.iterfind(f".//{{{METADATA_NS}}}runTests")),
        ),
    )


def _check_deploy_status(operation: etree._Element) -> CheckDeployStatusRequest:
    include = operation.findtext(f"{{{METADATA_NS}}}includeDetails")
    return CheckDeployStatusRequest(_text(operation, "asyncProcessId").strip(), _boolean(include, False))


def _cancel_deploy(operation: etree._Element) -> CancelDeployRequest:
    return CancelDeployRequest(_text(operation, "String").strip())


def _retrieve(operation: etree._Element) -> RetrieveRequest:
    request = operation.find(f"{{{METADATA_NS}}}retrieveRequest")
    if request is None:
        raise SoapFault("soapenv:Client", f"Missing required element {{{METADATA_NS}}}retrieveRequest")
    unpackaged = request.find(f"{{{METADATA_NS}}}unpackaged")
    return RetrieveRequest(
        manifest_members(unpackaged) if unpackaged is not None else {},
        _text(request, "apiVersion").strip(),
        _boolean(request.findtext(f"{{{METADATA_NS}}}singlePackage"), False),
    )


def _check_status(operation: etree._Element) -> CheckStatusRequest:
    return CheckStatusRequest(_text(operation, "asyncProcessId").strip())


def _check_retrieve_status(operation: etree._Element) -> CheckRetrieveStatusRequest:
    include = operation.findtext(f"{{{METADATA_NS}}}includeZip")
    return CheckRetrieveStatusRequest(_text(operation, "asyncProcessId").strip(), _boolean(include, True))


_PARSERS = {
    "deploy": _deploy, "checkDeployStatus": _check_deploy_status, "cancelDeploy": _cancel_deploy,
    "retrieve": _retrieve, "checkStatus": _check_status, "checkRetrieveStatus": _check_retrieve_status,
}  # fmt: skip


def _text(operation: etree._Element, name: str) -> str:
    value = operation.findtext(f"{{{METADATA_NS}}}{name}")
    if value is None:
        raise SoapFault("soapenv:Client", f"Missing required element {{{METADATA_NS}}}{name}")
    return value


def _boolean(value: str | None, default: bool) -> bool:
    if value is None or not value.strip():
        return default
    if value.strip() not in ("true", "false", "1", "0"):
        raise SoapFault("soapenv:Client", f"Unable to parse '{value}' as xsd:boolean")
    return value.strip() in ("true", "1")


# --- responses -------------------------------------------------------------------------------


def deploy_response(job: DeployJob) -> bytes:
    return async_result_response("deployResponse", job.done, job.id, job.state)


def retrieve_response(job: RetrieveJob) -> bytes:
    return async_result_response("retrieveResponse", job.done, job.id, job.state)


def async_result_response(response_name: str, done: bool, job_id: str, state: str) -> bytes:
    """AsyncResult (done, id, state): what retrieve and checkStatus answer, for either kind of job."""
    result = _result(response_name)
    _add(result, "done", done)
    _add(result, "id", job_id)
    _add(result, "state", state)
    return _envelope(result)


def check_retrieve_status_response(job: RetrieveJob, include_zip: bool) -> bytes:
    """RetrieveResult in WSDL order; zipFile is required by the WSDL, so it is empty until done."""
    package = job.package
    result = _result("checkRetrieveStatusResponse")
    _add(result, "done", job.done)
    for properties in package.file_properties if package else ():
        element = etree.SubElement(result, f"{{{METADATA_NS}}}fileProperties")
        owner_id, owner_name = package.owner
        for name, value in (
            ("createdById", owner_id), ("createdByName", owner_name), ("createdDate", properties.created_date),
            ("fileName", properties.file_name), ("fullName", properties.full_name), ("id", properties.id),
            ("lastModifiedById", owner_id), ("lastModifiedByName", owner_name),
            ("lastModifiedDate", properties.last_modified_date), ("manageableState", "unmanaged"),
            ("type", properties.type),
        ):  # fmt: skip
            _add(element, name, value)
    _add(result, "id", job.id)
    for message in package.messages if package else ():
        element = etree.SubElement(result, f"{{{METADATA_NS}}}messages")
        _add(element, "fileName", message.file_name)
        _add(element, "problem", message.problem)
    _add(result, "status", job.status)
    _add(result, "success", job.done)
    zip_file = base64.b64encode(package.zip_bytes).decode() if package and include_zip else ""
    _add(result, "zipFile", zip_file)
    return _envelope(result)


def cancel_deploy_response(job: DeployJob) -> bytes:
    result = _result("cancelDeployResponse")
    _add(result, "done", job.done)
    _add(result, "id", job.id)
    return _envelope(result)


def check_deploy_status_response(job: DeployJob, include_details: bool) -> bytes:
    """DeployResult, elements in WSDL order. `details` is always present (the WSDL requires it);
    its messages only with includeDetails, as Salesforce does."""
    plan = job.plan
    result = _result("checkDeployStatusResponse")
    _add(result, "checkOnly", job.options.check_only)
    _add(result, "completedDate", job.completed_date)
    _add(result, "createdBy", "005000000000000AAA")
    _add(result, "createdByName", "User User")
    _add(result, "createdDate", job.created_date)
    details = etree.SubElement(result, f"{{{METADATA_NS}}}details")
    if include_details and plan is not None:
        for message in plan.failures:
            _add_message(details, "componentFailures", message)
        for message in plan.successes:
            _add_message(details, "componentSuccesses", message)
        tests = etree.SubElement(details, f"{{{METADATA_NS}}}runTestResult")
        _add(tests, "numFailures", 0)
        _add(tests, "numTestsRun", 0)
        _add(tests, "totalTime", "0.0")
    _add(result, "done", job.done)
    _add(result, "id", job.id)
    _add(result, "ignoreWarnings", job.options.ignore_warnings)
    _add(result, "lastModifiedDate", job.completed_date or job.start_date or job.created_date)
    _add(result, "numberComponentErrors", len(plan.failures) if plan else 0)
    _add(result, "numberComponentsDeployed", plan.components_deployed if plan else 0)
    _add(result, "numberComponentsTotal", plan.components_total if plan else 0)
    _add(result, "numberTestErrors", 0)
    _add(result, "numberTestsCompleted", 0)
    _add(result, "numberTestsTotal", 0)
    _add(result, "rollbackOnError", job.options.rollback_on_error)
    _add(result, "runTestsEnabled", False)
    _add(result, "startDate", job.start_date)
    _add(result, "status", job.status)
    _add(result, "success", bool(plan and plan.success))
    return _envelope(result)


def fault_response(fault: SoapFault) -> bytes:
    """Sent with HTTP 500, as Salesforce sends every SOAP fault."""
    envelope = etree.Element(f"{{{SOAP_ENV_NS}}}Envelope", nsmap={"soapenv": SOAP_ENV_NS, "sf": SF_NS})
    body = etree.SubElement(etree.SubElement(envelope, f"{{{SOAP_ENV_NS}}}Body"), f"{{{SOAP_ENV_NS}}}Fault")
    etree.SubElement(body, "faultcode").text = fault.code
    etree.SubElement(body, "faultstring").text = fault.message
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")


def _add_message(parent: etree._Element, tag: str, message: DeployMessage) -> None:
    """DeployMessage in WSDL order: changed, columnNumber, componentType, created, createdDate,
    deleted, fileName, fullName, id, lineNumber, problem, problemType, success."""
    element = etree.SubElement(parent, f"{{{METADATA_NS}}}{tag}")
    _add(element, "changed", message.changed)
    _add(element, "columnNumber", message.column)
    _add(element, "componentType", message.component_type)
    _add(element, "created", message.created)
    _add(element, "createdDate", message.created_date)
    _add(element, "deleted", message.deleted)
    _add(element, "fileName", message.file_name)
    _add(element, "fullName", message.full_name)
    _add(element, "lineNumber", message.line)
    _add(element, "problem", message.problem)
    _add(element, "problemType", message.problem_type)
    _add(element, "success", message.success)


def _result(response_name: str) -> etree._Element:
    response = etree.Element(f"{{{METADATA_NS}}}{response_name}", nsmap={None: METADATA_NS})
    return etree.SubElement(response, f"{{{METADATA_NS}}}result")


def _add(parent: etree._Element, name: str, value: object) -> None:
    """Optional elements (None) are left out, as Salesforce leaves them out."""
    if value is None:
        return
    element = etree.SubElement(parent, f"{{{METADATA_NS}}}{name}")
    if isinstance(value, bool):
        element.text = "true" if value else "false"
    elif isinstance(value, datetime):
        element.text = value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    else:
        element.text = str(value)


def _envelope(result: etree._Element) -> bytes:
    """Wraps the response element that `_result` made `result`'s parent."""
    envelope = etree.Element(
        f"{{{SOAP_ENV_NS}}}Envelope", nsmap={"soapenv": SOAP_ENV_NS, None: METADATA_NS, "xsi": XSI_NS}
    )
    etree.SubElement(envelope, f"{{{SOAP_ENV_NS}}}Body").append(result.getparent())
    return etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")
