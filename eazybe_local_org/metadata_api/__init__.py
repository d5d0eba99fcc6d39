"""The Metadata API of the local org: SOAP deploy/checkDeployStatus/cancelDeploy, the zip read and
validated as Salesforce does, and a plan of schema changes and components the server applies;
retrieve/checkStatus/checkRetrieveStatus answering from the components the org keeps."""
from eazybe_local_org.metadata_api.handler import SoapResponse, handle_metadata_request
from eazybe_local_org.metadata_api.jobs import DeployJob, DeployJobs
from eazybe_local_org.metadata_api.model import DeployMessage, DeployOptions
from eazybe_local_org.metadata_api.org_schema import OrgSchema, OrgSchemaWriter
from eazybe_local_org.metadata_api.plan import DeployPlan, apply_plan, plan_deploy

__all__ = [
    "DeployJob",
    "DeployJobs",
    "DeployMessage",
    "DeployOptions",
    "DeployPlan",
    "OrgSchema",
    "OrgSchemaWriter",
    "SoapResponse",
    "apply_plan",
    "handle_metadata_request",
    "plan_deploy",
]
