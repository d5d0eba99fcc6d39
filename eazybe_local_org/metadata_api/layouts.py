"""A page layout's sections as the Layout document describes them: a label and columns of field
items. The default layouts are written from them, and a record page reads them back from the
layout deployed for its object."""
from __future__ import annotations

from dataclasses import dataclass
from itertools import chain, zip_longest

from lxml import etree

from eazybe_local_org.metadata_api.org_schema import DeployedMetadata
from eazybe_local_org.metadata_api.package import METADATA_NS, safe_parser

_TOP_TO_BOTTOM = "TwoColumnsTopToBottom"
_LEFT_TO_RIGHT = "TwoColumnsLeftToRight"


@dataclass(frozen=True)
class Section:
    label: str
    columns: tuple[tuple[str, ...], ...]  # field API names, column by column
    style: str = _TOP_TO_BOTTOM
    detail_heading: bool = True
    edit_heading: bool = True
    custom_label: bool = False

    def reading_order(self) -> tuple[str, ...]:
        """The fields as a reader meets them: row by row when the style says left to right,
        otherwise down each column in turn."""
        if self.style == _LEFT_TO_RIGHT:
            rows = zip_longest(*self.columns)
            return tuple(name for name in chain.from_iterable(rows) if name is not None)
        return tuple(chain.from_iterable(self.columns))


def layout_sections(xml: bytes) -> tuple[Section, ...]:
    """The sections of a Layout document, in order; items without a field (blank spaces, custom
    links) are left out."""
    document = etree.fromstring(xml, parser=safe_parser())
    return tuple(_section(element) for element in document.iterfind(_tag("layoutSections")))


def object_layout(metadata: DeployedMetadata, object_name: str) -> tuple[Section, ...] | None:
    """The sections of the object's page layout, or None when it has none. Layout full names are
    'Object-Layout Name'; of several layouts the first by name is taken, since the local org keeps
    no profile assignments to choose by."""
    prefix = f"{object_name.lower()}-"
    name = next((n for n in metadata.names("Layout") if n.lower().startswith(prefix)), None)
    stored = metadata.get("Layout", name) if name else None
    return layout_sections(stored.xml) if stored else None


def _section(element: etree._Element) -> Section:
    return Section(
        label=(element.findtext(_tag("label")) or "").strip(),
        columns=tuple(_column_fields(column) for column in element.iterfind(_tag("layoutColumns"))),
        style=(element.findtext(_tag("style")) or _TOP_TO_BOTTOM).strip(),
        detail_heading=_flag(element, "detailHeading"),
        edit_heading=_flag(element, "editHeading"),
        custom_label=_flag(element, "customLabel"),
    )


def _column_fields(column: etree._Element) -> tuple[str, ...]:
    names = (item.findtext(_tag("field")) for item in column.iterfind(_tag("layoutItems")))
    return tuple(name.strip() for name in names if name and name.strip())


def _flag(element: etree._Element, name: str) -> bool:
    return (element.findtext(_tag(name)) or "").strip() == "true"


def _tag(name: str) -> str:
    return f"{{{METADATA_NS}}}{name}"
