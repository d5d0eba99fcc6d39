"""Builds what a Metadata API retrieve returns: a zip of the requested components in Metadata API
format (with a package.xml listing them), their file properties, and Salesforce's message for each
member the org does not have. Only reads the org's metadata store and schema."""
from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from eazybe_local_org.ids import make_id
from eazybe_local_org.metadata_api.model import StoredComponent
from eazybe_local_org.metadata_api.org_schema import DeployedMetadata, OrgSchema
from eazybe_local_org.metadata_api.package import METADATA_NS, OBJECT_CHILD_TYPES, component_path
from eazybe_local_org.metadata_api.xsd import metadata_schema

# Key prefixes of the metadata components' own ids, as file properties report them.
COMPONENT_KEY_PREFIXES = {
    "CustomObject": "01I", "CustomField": "00N", "Layout": "00h", "PermissionSet": "0PS", "CustomTab": "01r",
    "ListView": "00B", "CompactLayout": "0AH", "RecordType": "012", "ValidationRule": "03d",
}  # fmt: skip
_NO_ID = "000000000000000AAA"


@dataclass(frozen=True)
class FileProperties:
    type: str
    full_name: str
    file_name: str
    id: str
    created_date: datetime
    last_modified_date: datetime


@dataclass(frozen=True)
class RetrieveMessage:
    file_name: str
    problem: str


@dataclass(frozen=True)
class RetrievedPackage:
    zip_bytes: bytes
    file_properties: tuple[FileProperties, ...]
    messages: tuple[RetrieveMessage, ...]
    owner: tuple[str, str]  # (Id, Name) of the user reported as the files' creator


def retrieve_package(
    members: dict[str, tuple[str, ...]], api_version: str, single_package: bool, store: DeployedMetadata, org: OrgSchema,
    now: datetime,
) -> RetrievedPackage:
    """`members` as package.xml names them; "*" stands for every stored component of a type.
    Without singlePackage the files sit under unpackaged/, as Salesforce lays them out."""
    root = "" if single_package else "unpackaged/"
    found: dict[str, list[StoredComponent]] = {}
    messages: list[RetrieveMessage] = []
    for type_name, names in members.items():
        for name in _expand(store, type_name, names):
            component = _component(store, org, type_name, name, now)
            if component is None:
                messages.append(RetrieveMessage(
                    f"{root}package.xml", f"Entity of type '{type_name}' named '{name}' cannot be found"
                ))  # fmt: skip
            else:
                found.setdefault(type_name, []).append(component)
    files = _files(found)
    properties = [
        FileProperties("Package", f"{root}package.xml", f"{root}package.xml", "", now, now),
        *(_properties(component, root) for components in found.values() for component in components),
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{root}package.xml", _manifest(found, api_version))
        for path, document in files.items():
            archive.writestr(root + path, _file_bytes(document))
    return RetrievedPackage(buffer.getvalue(), tuple(properties), tuple(messages), store.owner())


def _expand(store: DeployedMetadata, type_name: str, names: tuple[str, ...]) -> Iterator[str]:
    for name in names:
        if name == "*":
            yield from store.names(type_name)
        else:
            yield name


def _component(
    store: DeployedMetadata, org: OrgSchema, type_name: str, name: str, now: datetime
) -> StoredComponent | None:
    """A CustomObject comes back whole, with every child component the org keeps for it; a standard
    object never deployed as such is still retrievable, with its deployed children only."""
    if type_name != "CustomObject":
        return store.get(type_name, name)
    stored = store.get(type_name, name)
    obj = org.object(name)
    if stored is None and obj is None:
        return None
    document = etree.fromstring(stored.xml) if stored else etree.Element(f"{{{METADATA_NS}}}CustomObject", nsmap={None: METADATA_NS})
    canonical = obj.name if obj else stored.full_name
    for child_type, element_name in OBJECT_CHILD_TYPES.items():
        for child_name in store.names(child_type):
            if child_name.lower().startswith(canonical.lower() + "."):
                child = etree.fromstring(store.get(child_type, child_name).xml)
                child.tag = f"{{{METADATA_NS}}}{element_name}"
                document.append(child)
    ordered = etree.tostring(metadata_schema().ordered(document, "CustomObject"))
    if stored:
        return StoredComponent(type_name, stored.full_name, ordered, stored.number, stored.created_date, stored.last_modified_date)
    return StoredComponent(type_name, canonical, ordered, 0, now, now)


def _files(found: dict[str, list[StoredComponent]]) -> dict[str, etree._Element]:
    """Path -> document. Child components (a CustomField...) share their object's file."""
    files: dict[str, etree._Element] = {}
    for type_name, components in found.items():
        for component in components:
            path = component_path(type_name, component.full_name)
            element = etree.fromstring(component.xml)
            if type_name in OBJECT_CHILD_TYPES:
                container = files.setdefault(path, etree.Element(f"{{{METADATA_NS}}}CustomObject", nsmap={None: METADATA_NS}))
                element.tag = f"{{{METADATA_NS}}}{OBJECT_CHILD_TYPES[type_name]}"
                container.append(element)
            else:
                files[path] = element
    return files


def _properties(component: StoredComponent, root: str) -> FileProperties:
    prefix = COMPONENT_KEY_PREFIXES.get(component.type)
    return FileProperties(
        component.type, component.full_name, root + component_path(component.type, component.full_name),
        make_id(prefix, component.number) if prefix and component.number else _NO_ID,
        component.created_date, component.last_modified_date,
    )  # fmt: skip


def _manifest(found: dict[str, list[StoredComponent]], api_version: str) -> bytes:
    package = etree.Element(f"{{{METADATA_NS}}}Package", nsmap={None: METADATA_NS})
    for type_name in sorted(found):
        types = etree.SubElement(package, f"{{{METADATA_NS}}}types")
        for component in sorted(found[type_name], key=lambda c: c.full_name):
            etree.SubElement(types, f"{{{METADATA_NS}}}members").text = component.full_name
        etree.SubElement(types, f"{{{METADATA_NS}}}name").text = type_name
    etree.SubElement(package, f"{{{METADATA_NS}}}version").text = api_version
    return _file_bytes(package)


def _file_bytes(document: etree._Element) -> bytes:
    """As Salesforce writes files: double-quoted declaration, four-space indent."""
    etree.indent(document, space="    ")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(document, encoding="UTF-8") + b"\n"
