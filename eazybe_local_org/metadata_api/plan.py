"""Turns a deploy zip into a plan: the schema changes to apply, the components to keep and the
per-component results. Planning only reads the org (through OrgSchema); the server applies the
plan, so a failed or checkOnly deploy can never leave half a schema behind."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from copy import deepcopy
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

from lxml import etree

from eazybe_local_org.metadata_api.components import field_attributes, object_attributes
from eazybe_local_org.metadata_api.model import DeployedComponent, DeployMessage, DeployOptions
from eazybe_local_org.metadata_api.org_schema import DeployedMetadata, OrgSchema, OrgSchemaWriter
from eazybe_local_org.metadata_api.package import (
    FILE_TYPES,
    METADATA_NS,
    OBJECT_CHILD_TYPES,
    MetadataPackage,
    PackageError,
    component_path,
    read_package,
    safe_parser,
)
from eazybe_local_org.metadata_api.validate import api_name_problem, field_problem
from eazybe_local_org.metadata_api.xsd import metadata_schema
from eazybe_local_org.schema.model import FieldDef, ObjectDef
from eazybe_local_org.schema.standard import UnsupportedField, custom_field, custom_object


@dataclass(frozen=True)
class DeployPlan:
    """`objects` are whole definitions to upsert (new objects with all their fields; redeployed
    objects merged with their existing fields); `fields` are fields added to or changed on objects
    not in `objects`, e.g. Contact; `components` are every deployed component's XML, for the org to
    keep. All are empty when nothing must be applied."""

    options: DeployOptions
    objects: tuple[ObjectDef, ...]
    fields: tuple[tuple[str, FieldDef], ...]
    successes: tuple[DeployMessage, ...]
    failures: tuple[DeployMessage, ...]
    components: tuple[DeployedComponent, ...] = ()

    @property
    def applies(self) -> bool:
        return bool(self.objects or self.fields or self.components)

    @property
    def components_total(self) -> int:
        return self.components_deployed + len(self.failures)

    @property
    def components_deployed(self) -> int:
        return sum(1 for message in self.successes if message.component_type)

    @property
    def success(self) -> bool:
        return not self.failures

    @property
    def status(self) -> str:
        if not self.failures:
            return "Succeeded"
        partial = not self.options.rollback_on_error and not self.options.check_only and self.components_deployed
        return "SucceededPartial" if partial else "Failed"


def apply_plan(plan: DeployPlan, writer: OrgSchemaWriter, metadata: DeployedMetadata | None = None) -> None:
    """The server's step, inside its own transaction: objects first, so their fields have a home;
    then the components, kept when the org keeps metadata (a schema-only org saves the schema
    changes alone)."""
    for definition in plan.objects:
        writer.upsert_object(definition)
    for object_name, definition in plan.fields:
        writer.upsert_field(object_name, definition)
    if metadata is not None:
        for component in plan.components:
            metadata.save(component.type, component.full_name, component.xml)


def plan_deploy(zip_bytes: bytes, options: DeployOptions, org: OrgSchema, now: datetime | None = None) -> DeployPlan:
    planner = _Planner(options, org, now or datetime.now(timezone.utc))
    try:
        package = read_package(zip_bytes, options.single_package)
    except PackageError as error:
        planner.fail("", "package.xml", "package.xml", str(error))
        return planner.plan()
    planner.run(package)
    return planner.plan()


@dataclass
class _Planner:
    options: DeployOptions
    org: OrgSchema
    now: datetime
    successes: list[DeployMessage] = field(default_factory=list)
    failures: list[DeployMessage] = field(default_factory=list)
    objects: dict[str, ObjectDef] = field(default_factory=dict)
    fields: dict[tuple[str, str], FieldDef] = field(default_factory=dict)
    documents: dict[str, etree._Element | DeployMessage] = field(default_factory=dict)
    components: dict[tuple[str, str], DeployedComponent] = field(default_factory=dict)
    package: MetadataPackage | None = None

    def run(self, package: MetadataPackage) -> None:
        self.package = package
        self.succeed("", "package.xml", "package.xml", created=False)
        declared = set(package.members.get("CustomObject", ()))
        # Objects first: their fields need them, and lookups may point at them.
        for name in _expand(package, "CustomObject"):
            self.plan_object(name, declared)
        for type_name in package.members:
            if type_name == "CustomObject":
                continue
            for full_name in _expand(package, type_name):
                self.plan_component(type_name, full_name)

    def plan_object(self, name: str, declared: set[str]) -> None:
        file_name, element = self.locate("CustomObject", name)
        if element is None:
            return
        existing = self.org.object(name)
        problem = api_name_problem(name, "Object") or (
            None if name.endswith("__c") or existing else f"Cannot find the standard object '{name}'"
        )
        if problem or self.schema_failed("CustomObject", name, file_name, _without_children(element)):
            if problem:
                self.fail("CustomObject", name, file_name, problem)
            return
        attributes = object_attributes(element)
        if existing is None:
            reserved = frozenset(definition.key_prefix for definition in self.objects.values())
            self.objects[name] = _new_object(name, attributes, self.org.next_key_prefix(reserved))
        else:
            self.objects[existing.name] = replace(
                existing,
                label=attributes.get("label") or existing.label,
                label_plural=attributes.get("pluralLabel") or existing.label_plural,
                description=attributes.get("description") or existing.description,
            )
        self.keep("CustomObject", name, _without_children(element))
        self.succeed("CustomObject", name, file_name, created=existing is None)

    def plan_component(self, type_name: str, full_name: str) -> None:
        if type_name in OBJECT_CHILD_TYPES:
            self.plan_object_child(type_name, full_name)
        elif type_name in FILE_TYPES:
            file_name, element = self.locate(type_name, full_name)
            if element is not None and not self.schema_failed(type_name, full_name, file_name, element):
                self.keep(type_name, full_name, element)
                self.succeed(type_name, full_name, file_name, created=True)
        elif metadata_schema().has_type(type_name):
            # A real type the local org has no use for: recorded as deployed, like a no-op.
            self.succeed(type_name, full_name, self.package.file_name("package.xml"), created=True)
        else:
            self.fail("", full_name, "package.xml", f"Unknown type name '{type_name}' specified in package.xml")

    def plan_object_child(self, type_name: str, full_name: str) -> None:
        object_name, _, child_name = full_name.partition(".")
        file_name, element = self.locate(type_name, full_name, child_name)
        if element is None or self.schema_failed(type_name, full_name, file_name, element):
            return
        parent = self.objects.get(object_name) or self.org.object(object_name)
        if parent is None:
            self.fail(type_name, full_name, file_name, f"Cannot find the entity '{object_name}' for the {type_name} '{full_name}'")
        elif type_name == "CustomField":
            self.plan_field(parent, full_name, file_name, element)
        else:
            self.keep(type_name, f"{parent.name}.{child_name}", element)
            self.succeed(type_name, full_name, file_name, created=True)

    def plan_field(self, parent: ObjectDef, full_name: str, file_name: str, element: etree._Element) -> None:
        attributes = field_attributes(element)
        problem = field_problem(attributes, self.object_exists)
        if problem is None:
            try:
                self.fields[(parent.name, attributes["fullName"])] = custom_field(parent.name, attributes)
            except UnsupportedField as error:
                problem = str(error)
        if problem:
            self.fail("CustomField", full_name, file_name, problem)
        else:
            self.keep("CustomField", f"{parent.name}.{attributes['fullName']}", element)
            self.succeed("CustomField", full_name, file_name, created=parent.field(attributes["fullName"]) is None)

    def object_exists(self, name: str) -> bool:
        return name in self.objects or self.org.object(name) is not None

    def locate(self, type_name: str, full_name: str, child_name: str | None = None) -> tuple[str, etree._Element | None]:
        """The component's file name (as reported) and element; records a failure when missing."""
        path = component_path(type_name, full_name)
        file_name = self.package.file_name(path)
        document = self.document(path)
        if isinstance(document, DeployMessage):
            self.fail(type_name, full_name, file_name, document.problem, document.line, document.column)
            return file_name, None
        if document is None or child_name is None:
            element = document
        else:
            element = _child(document, OBJECT_CHILD_TYPES[type_name], child_name)
        if element is None and not self.options.allow_missing_files:
            self.fail(
                type_name, full_name, file_name,
                f"An object '{full_name}' of type {type_name} was named in package.xml, but was not found in zipped directory",
            )
        return file_name, element

    def document(self, path: str) -> etree._Element | DeployMessage | None:
        """Each file parsed once; a parse error is kept as the failure every component in it gets."""
        if path not in self.documents:
            data = self.package.files.get(path)
            try:
                self.documents[path] = None if data is None else etree.fromstring(data, parser=safe_parser())
            except etree.XMLSyntaxError as error:
                line, column = error.position
                self.documents[path] = self.message("", path, path, False, f"Error parsing file: {error.msg}", line, column)
        return self.documents[path]

    def schema_failed(self, type_name: str, full_name: str, file_name: str, element: etree._Element) -> bool:
        problems = metadata_schema().validate(element, type_name)
        if problems:
            first = problems[0]
            self.fail(type_name, full_name, file_name, first.problem, first.line, first.column)
        return bool(problems)

    def keep(self, type_name: str, full_name: str, element: etree._Element) -> None:
        """Records the component's XML for the org, in the form Salesforce would retrieve it."""
        ordered = metadata_schema().ordered(element, type_name)
        self.components[(type_name, full_name)] = DeployedComponent(type_name, full_name, etree.tostring(ordered))

    def succeed(self, type_name: str, full_name: str, file_name: str, created: bool) -> None:
        self.successes.append(
            replace(self.message(type_name, full_name, file_name, True), created=created, changed=not created)
        )

    def fail(self, type_name: str, full_name: str, file_name: str, problem: str,
             line: int | None = None, column: int | None = None) -> None:
        self.failures.append(self.message(type_name, full_name, file_name, False, problem, line, column))

    def message(self, type_name: str, full_name: str, file_name: str, success: bool, problem: str | None = None,
                line: int | None = None, column: int | None = None) -> DeployMessage:
        return DeployMessage(
            component_type=type_name, full_name=full_name, file_name=file_name, success=success,
            created_date=self.now, problem=problem, problem_type=None if success else "Error",
            line=line, column=column,
        )

    def plan(self) -> DeployPlan:
        applies = not self.options.check_only and not (self.failures and self.options.rollback_on_error)
        objects = {name: self._with_fields(definition) for name, definition in self.objects.items()}
        other_fields = tuple((name, definition) for (name, _), definition in self.fields.items() if name not in objects)
        return DeployPlan(
            options=self.options,
            objects=tuple(objects.values()) if applies else (),
            fields=other_fields if applies else (),
            successes=tuple(self.successes),
            failures=tuple(self.failures),
            components=self._kept_components() if applies else (),
        )

    def _kept_components(self) -> tuple[DeployedComponent, ...]:
        """Without rollbackOnError the good components are applied: a failed one is never kept."""
        failed = {(message.component_type, message.full_name) for message in self.failures}
        return tuple(component for key, component in self.components.items() if key not in failed)

    def _with_fields(self, definition: ObjectDef) -> ObjectDef:
        for (object_name, _), field_definition in self.fields.items():
            if object_name == definition.name:
                definition = definition.with_field(field_definition)
        return definition


def _new_object(name: str, attributes: Mapping[str, Any], key_prefix: str) -> ObjectDef:
    """A CustomObject's XML attributes as the schema's one custom object builder takes them."""
    name_field = attributes.get("nameField") or {}
    label = attributes.get("label") or name
    auto_number = name_field.get("type") == "AutoNumber"
    return custom_object(
        name, label, attributes.get("pluralLabel") or label, key_prefix,
        name_label=name_field.get("label") or None,
        auto_number_format=(name_field.get("displayFormat") or "{0}") if auto_number else None,
        description=attributes.get("description") or None,
        controlled_by_parent=attributes.get("sharingModel") == "ControlledByParent",
        activities=attributes.get("enableActivities") == "true",
    )  # fmt: skip


def _expand(package: MetadataPackage, type_name: str) -> Iterator[str]:
    """package.xml members, with "*" standing for every such component in the zip."""
    for member in package.members.get(type_name, ()):
        if member != "*":
            yield member
        elif type_name in FILE_TYPES:
            directory, suffix = FILE_TYPES[type_name]
            yield from sorted(
                path[len(directory) + 1 : -len(suffix) - 1]
                for path in package.files
                if path.startswith(directory + "/") and path.endswith("." + suffix)
            )


def _child(document: etree._Element, element_name: str, child_name: str) -> etree._Element | None:
    for child in document.iterfind(f"{{{METADATA_NS}}}{element_name}"):
        if (child.findtext(f"{{{METADATA_NS}}}fullName") or "").strip() == child_name:
            return child
    return None


def _without_children(element: etree._Element) -> etree._Element:
    """The object's own settings: its fields, list views... are validated as components of their own."""
    own = etree.Element(element.tag, nsmap=element.nsmap)
    own.extend(
        deepcopy(child) for child in element
        if isinstance(child.tag, str) and etree.QName(child).localname not in OBJECT_CHILD_TYPES.values()
    )
    return own
