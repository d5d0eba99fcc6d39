"""Reading a deploy zip: package.xml and the Metadata API format files it names. The zip comes from
the network, so it is read defensively: size caps, no path escapes, only the members needed."""
from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass

from lxml import etree

METADATA_NS = "http://soap.sforce.com/2006/04/metadata"
MAX_ZIP_BYTES = 39 * 1024 * 1024  # Salesforce's deploy limit for the zip itself
MAX_UNZIPPED_BYTES = 400 * 1024 * 1024  # Salesforce's limit for the uncompressed files
MAX_FILE_BYTES = 16 * 1024 * 1024

# Metadata types stored one component per file: type -> (directory, suffix).
FILE_TYPES: dict[str, tuple[str, str]] = {
    "CustomObject": ("objects", "object"),
    "Layout": ("layouts", "layout"),
    "CustomTab": ("tabs", "tab"),
    "PermissionSet": ("permissionsets", "permissionset"),
    "CustomApplication": ("applications", "app"),
    "Profile": ("profiles", "profile"),
    "FlexiPage": ("flexipages", "flexipage"),
    "CustomLabels": ("labels", "labels"),
    "QuickAction": ("quickActions", "quickAction"),
    "GlobalValueSet": ("globalValueSets", "globalValueSet"),
}

# Metadata types stored inside their parent object's file: type -> element name in CustomObject.
OBJECT_CHILD_TYPES: dict[str, str] = {
    "CustomField": "fields",
    "ListView": "listViews",
    "CompactLayout": "compactLayouts",
    "RecordType": "recordTypes",
    "ValidationRule": "validationRules",
    "WebLink": "webLinks",
    "FieldSet": "fieldSets",
    "BusinessProcess": "businessProcesses",
    "SharingReason": "sharingReasons",
    "Index": "indexes",
}


class PackageError(Exception):
    """The zip cannot be deployed at all; the message is Salesforce's problem text."""


@dataclass(frozen=True)
class MetadataPackage:
    """package.xml's members by type, and the files they live in (paths relative to the package
    root; `root` is the folder Salesforce reports in fileName: "" for singlePackage)."""

    members: dict[str, tuple[str, ...]]
    version: str | None
    files: dict[str, bytes]
    root: str

    def file_name(self, path: str) -> str:
        return self.root + path


def component_path(type_name: str, full_name: str) -> str | None:
    """The file holding a component, as `sf project convert source` lays it out."""
    if type_name in OBJECT_CHILD_TYPES:
        return f"objects/{full_name.split('.', 1)[0]}.object"
    if type_name in FILE_TYPES:
        directory, suffix = FILE_TYPES[type_name]
        return f"{directory}/{full_name}.{suffix}"
    return None


def read_package(zip_bytes: bytes, single_package: bool) -> MetadataPackage:
    if len(zip_bytes) > MAX_ZIP_BYTES:
        raise PackageError(f"Maximum size of request reached. Maximum size of request is {MAX_ZIP_BYTES} bytes.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(zip_bytes))
        infos = [info for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, ValueError) as error:
        raise PackageError(f"Error reading the zip file: {error}") from error
    names = [_safe_name(info.filename) for info in infos]
    root = _package_root(names, single_package)
    wanted = {
        info: name[len(root):]
        for info, name in zip(infos, names)
        if name.startswith(root) and _is_needed(name[len(root):])
    }
    if sum(info.file_size for info in wanted) > MAX_UNZIPPED_BYTES:
        raise PackageError("The uncompressed size of the zip file exceeds the limit of 400 MB.")
    files = {path: _read_member(archive, info) for info, path in wanted.items()}
    if "package.xml" not in files:
        raise PackageError("No package.xml found")
    members, version = read_manifest(files["package.xml"])
    return MetadataPackage(members, version, files, root)


def read_manifest(xml: bytes) -> tuple[dict[str, tuple[str, ...]], str | None]:
    try:
        root = etree.fromstring(xml, parser=safe_parser())
    except etree.XMLSyntaxError as error:
        raise PackageError(f"Error parsing file: {error.msg}") from error
    version = root.findtext(f"{{{METADATA_NS}}}version")
    return manifest_members(root), version.strip() if version else None


def manifest_members(package: etree._Element) -> dict[str, tuple[str, ...]]:
    """A Package element's members by type: package.xml's, or a retrieve request's `unpackaged`."""
    members: dict[str, tuple[str, ...]] = {}
    for types in package.iterfind(f"{{{METADATA_NS}}}types"):
        name = (types.findtext(f"{{{METADATA_NS}}}name") or "").strip()
        found = tuple((m.text or "").strip() for m in types.iterfind(f"{{{METADATA_NS}}}members"))
        members[name] = members.get(name, ()) + found
    return members


def safe_parser() -> etree.XMLParser:
    """No entities, no network, no DTDs: the files are untrusted."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _safe_name(name: str) -> str:
    normal = posixpath.normpath(name)
    if name.startswith("/") or "\\" in name or normal.startswith("..") or ":" in name.split("/", 1)[0]:
        raise PackageError(f"Invalid file name in zip: {name}")
    return normal


def _package_root(names: list[str], single_package: bool) -> str:
    """singlePackage: files at the top. Otherwise one folder holds the package (e.g. unpackaged/)."""
    if single_package:
        return ""
    folders = {name.split("/", 1)[0] for name in names if "/" in name}
    if len(folders) != 1:
        raise PackageError("No package.xml found")
    return folders.pop() + "/"


def _is_needed(path: str) -> bool:
    if path == "package.xml":
        return True
    directory = path.split("/", 1)[0]
    return any(directory == known for known, _ in FILE_TYPES.values())


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """Reads at most MAX_FILE_BYTES + 1, so a lying header cannot inflate memory."""
    with archive.open(info) as member:
        data = member.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise PackageError(f"The file {info.filename} exceeds the maximum size of {MAX_FILE_BYTES} bytes.")
    return data
