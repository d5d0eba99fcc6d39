"""The view's pages from the org's data: home (objects and counts), an object's recent records,
and a record with its fields, related lists, notes and files."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from starlette.responses import Response

from eazybe_local_org.html_view import reads
from eazybe_local_org.html_view.file_types import is_inline_image, readable_size
from eazybe_local_org.html_view.formatting import Shown, lookup_ids, record_href, shown
from eazybe_local_org.html_view.layout import FieldGroup, field_groups, highlights, is_monospace, list_fields, related_fields
from eazybe_local_org.html_view.render import page
from eazybe_local_org.org import LocalOrg
from eazybe_local_org.schema.model import ChildRelationship, FieldDef, ObjectDef

PAGE_SIZE = 25
RELATED_LIMIT = 50
# Shown in their own section (Notes & Attachments), not as related lists.
_ATTACHMENT_RELATIONSHIPS = frozenset({("Note", "ParentId"), ("ContentDocumentLink", "LinkedEntityId")})


@dataclass(frozen=True)
class FileLink:
    title: str
    href: str
    extension: str
    size: str
    image: bool


def not_found(message: str) -> Response:
    return page("not_found.html", title="Not found", status=404, message=message)


def home(org: LocalOrg) -> Response:
    objects = sorted(org.registry.objects(), key=lambda obj: obj.label.lower())
    rows = [{"name": obj.name, "label": obj.label_plural, "count": reads.count(org, obj)} for obj in objects]
    return page("home.html", title="Objects", objects=rows)


def _table(org: LocalOrg, fields: list[FieldDef], records: list[dict[str, Any]]) -> list[list[Shown]]:
    """Rows of cells; the first column (the name) links to the record."""
    names = reads.names(org, lookup_ids(fields, records))
    rows = []
    for record in records:
        cells = [shown(field, record.get(field.name), names) for field in fields]
        cells[0] = Shown(cells[0].text or record["Id"], record_href(record["Id"]))
        rows.append(cells)
    return rows


def object_list(org: LocalOrg, obj: ObjectDef, page_number: int) -> Response:
    fields = list_fields(obj)
    total = reads.count(org, obj)
    pages = max(1, -(-total // PAGE_SIZE))
    current = min(page_number, pages)
    records = reads.recent(org, obj, [f.name for f in fields], PAGE_SIZE, (current - 1) * PAGE_SIZE)
    return page("object_list.html", title=obj.label_plural, label_plural=obj.label_plural, total=total,
                page=current, pages=pages, columns=[f.label for f in fields], rows=_table(org, fields, records))


def _value_rows(fields: Iterable[FieldDef], record: dict[str, Any], names: dict[str, str]) -> list[tuple[str, Shown]]:
    return [(f.label, shown(f, record.get(f.name), names)) for f in fields]


def _section(group: FieldGroup, record: dict[str, Any], names: dict[str, str]) -> dict[str, Any] | None:
    """A group as the page shows it: label: value rows, then blocks of text; None when nothing in
    it has a value."""
    blocks = [f for f in group.fields if group.long_text or f.long_text]
    rows = _value_rows((f for f in group.fields if f not in blocks), record, names)
    texts = [(f.label, shown(f, record.get(f.name), names), is_monospace(f)) for f in blocks if record.get(f.name)]
    if not any(cell.text for _, cell in rows):
        rows = []
    return {"title": group.title, "rows": rows, "texts": texts} if rows or texts else None


def _related_list(org: LocalOrg, relationship: ChildRelationship, record_id: str) -> dict[str, Any]:
    child = org.registry.object(relationship.child_object)
    assert child is not None
    fields = related_fields(relationship, child)
    records = reads.children(org, relationship, record_id, [f.name for f in fields], RELATED_LIMIT)
    return {"title": child.label_plural, "columns": [f.label for f in fields], "rows": _table(org, fields, records)}


def _notes(org: LocalOrg, obj: ObjectDef, record_id: str) -> list[dict[str, str]]:
    relationship = next((r for r in org.registry.child_relationships(obj.name)
                         if (r.child_object, r.field) == ("Note", "ParentId")), None)
    if relationship is None:
        return []
    found = reads.children(org, relationship, record_id, ["Title", "Body"], RELATED_LIMIT)
    return [{"title": n["Title"], "body": n["Body"] or "", "href": record_href(n["Id"])} for n in found]


def _files(org: LocalOrg, record_id: str) -> list[FileLink]:
    return [
        FileLink(f.title, f"/view/file/{f.version_id}", f.extension, readable_size(f.size), is_inline_image(f.extension))
        for f in reads.files(org, record_id)
    ]


def record_page(org: LocalOrg, obj: ObjectDef, record: dict[str, Any]) -> Response:
    record_id = record["Id"]
    fields = reads.readable_fields(obj)
    names = reads.names(org, lookup_ids(fields, [record]))
    top = highlights(obj)
    groups = [
        section for group in field_groups(obj, reads.page_layout(org, obj))
        if (section := _section(group, record, names)) is not None
    ]
    related = [
        _related_list(org, relationship, record_id)
        for relationship in org.registry.child_relationships(obj.name)
        if relationship.relationship_name and (relationship.child_object, relationship.field) not in _ATTACHMENT_RELATIONSHIPS
    ]
    name = reads.name_field(obj)
    title = str(record.get(name) or record_id) if name else record_id
    return page(
        "record.html", title=title, label=obj.label, label_plural=obj.label_plural, object_name=obj.name,
        highlights={"title": top.title, "rows": _value_rows(top.fields, record, names)} if top else None,
        groups=groups, related_lists=related, notes=_notes(org, obj, record_id), files=_files(org, record_id),
    )
