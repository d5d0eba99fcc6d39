"""The values Metadata API deploys and retrieves are about, shared by the SOAP layer, the planner,
the job registries and the org's metadata store, so that none depends on another's internals."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class DeployOptions:
    """The DeployOptions the client sent; defaults are Salesforce's when an element is absent."""

    check_only: bool = False
    rollback_on_error: bool = True
    single_package: bool = True
    allow_missing_files: bool = False
    ignore_warnings: bool = False
    purge_on_delete: bool = False
    test_level: str = "NoTestRun"
    run_tests: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeployMessage:
    """One componentSuccesses/componentFailures entry, as the WSDL's DeployMessage type."""

    component_type: str  # "" for package.xml itself, as Salesforce reports it
    full_name: str
    file_name: str
    success: bool
    created_date: datetime
    created: bool = False
    changed: bool = False
    deleted: bool = False
    problem: str | None = None
    problem_type: str | None = None  # "Error" or "Warning"
    line: int | None = None
    column: int | None = None


@dataclass(frozen=True)
class DeployedComponent:
    """One deployed component as the org keeps it: a document named for its type (a CustomField
    too, not a `fields` element), children in schema order."""

    type: str
    full_name: str
    xml: bytes


@dataclass(frozen=True)
class StoredComponent:
    """A component as the org's metadata store holds it."""

    type: str
    full_name: str
    xml: bytes
    number: int  # stable per component: the source of its id in file properties
    created_date: datetime
    last_modified_date: datetime
