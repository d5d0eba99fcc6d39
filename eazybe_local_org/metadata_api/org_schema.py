"""What the Metadata API needs from the org: its schema registry, to plan and apply deploys, and its
deployed metadata, which a deploy saves and a retrieve reads. Protocols rather than imports, so the
deploy code stays independent of how (and where) the org stores objects and components."""
from __future__ import annotations

from typing import Protocol

from eazybe_local_org.metadata_api.model import StoredComponent
from eazybe_local_org.schema.model import FieldDef, ObjectDef


class OrgSchema(Protocol):
    def object(self, name: str) -> ObjectDef | None:
        """The object of that API name (case-insensitive), or None."""

    def next_key_prefix(self, reserved: frozenset[str]) -> str:
        """A key prefix no object of the org uses and not in `reserved` (prefixes this deploy already
        took). Pure: nothing is allocated until the plan is applied."""


class OrgSchemaWriter(Protocol):
    """What applying a plan calls; the server supplies it, inside its own transaction. Results are
    ignored (typed `object`), so the schema registry, which returns the stored definition, fits as is."""

    def upsert_object(self, definition: ObjectDef) -> object: ...

    def upsert_field(self, object_name: str, definition: FieldDef) -> object: ...


class DeployedMetadata(Protocol):
    """The org's deployed components: what applying a plan saves and what a retrieve reads."""

    def save(self, type_name: str, full_name: str, xml: bytes) -> None: ...

    def get(self, type_name: str, full_name: str) -> StoredComponent | None: ...

    def names(self, type_name: str) -> list[str]: ...

    def owner(self) -> tuple[str, str]:
        """(Id, Name) of the user reported as creator of the components."""
