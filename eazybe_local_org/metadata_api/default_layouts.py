"""The page layouts a new Salesforce org is born with for Contact and Lead, in Metadata API format.

Install flows edit a customer's *existing* layouts (CumulusCI's AddRelatedLists and
AddFieldsToPageLayout retrieve, edit and redeploy them), so a fresh local org must already hold
them, shaped as Salesforce ships them: the same sections, fields and related lists."""
from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from eazybe_local_org.metadata_api.layouts import Section
from eazybe_local_org.metadata_api.package import METADATA_NS

# Fields Salesforce marks Required or Readonly on its default layouts; every other field is Edit.
_REQUIRED = frozenset({"Name", "Company", "Status"})
_READ_ONLY = frozenset({"CreatedById", "LastModifiedById"})
_ACTIVITY_FIELDS = ("TASK.SUBJECT", "TASK.WHAT_NAME", "ACTIVITY.TASK", "TASK.DUE_DATE", "CORE.USERS.FULL_NAME")


@dataclass(frozen=True)
class RelatedList:
    name: str
    fields: tuple[str, ...] = ()


def _standard_sections(first: Section, address: tuple[str, ...]) -> tuple[Section, ...]:
    """What follows an object's first section on every default layout of a person object."""
    return (
        first,
        Section("Address Information", (address, ())),
        Section("Additional Information", ((), ())),
        Section("Description Information", (("Description",),), style="OneColumn"),
        Section("System Information", (("CreatedById",), ("LastModifiedById",)),
                style="TwoColumnsLeftToRight", edit_heading=False),
        Section("Custom Links", ((), (), ()), style="CustomLinks", custom_label=True, edit_heading=False),
    )  # fmt: skip


_RELATED_LISTS = (
    RelatedList("RelatedActivityList", (*_ACTIVITY_FIELDS, "TASK.STATUS", "TASK.PRIORITY")),
    RelatedList("RelatedHistoryList", (*_ACTIVITY_FIELDS, "TASK.LAST_UPDATE")),
    RelatedList("RelatedContentNoteList"),
    RelatedList("RelatedFileList"),
    RelatedList("RelatedNoteList"),
    RelatedList("RelatedEntityHistoryList"),
)

CONTACT_SECTIONS = _standard_sections(
    Section("Contact Information", (
        ("OwnerId", "Name", "AccountId", "Title", "Department", "Birthdate", "ReportsToId", "LeadSource"),
        ("Phone", "HomePhone", "MobilePhone", "OtherPhone", "Fax", "Email", "AssistantName", "AssistantPhone"),
    )),
    ("MailingAddress", "OtherAddress"),
)  # fmt: skip

LEAD_SECTIONS = _standard_sections(
    Section("Lead Information", (
        ("OwnerId", "Name", "Company", "Title", "LeadSource", "Industry", "AnnualRevenue"),
        ("Phone", "MobilePhone", "Fax", "Email", "Website", "Status", "Rating", "NumberOfEmployees"),
    )),
    ("Address",),
)  # fmt: skip


def layout_xml(sections: tuple[Section, ...], related_lists: tuple[RelatedList, ...], lead: bool = False) -> bytes:
    """A Layout file; `lead` adds the assignment-rule checkbox Salesforce shows only on leads."""
    layout = etree.Element(f"{{{METADATA_NS}}}Layout", nsmap={None: METADATA_NS})
    _add(layout, "excludeButtons", "Submit")
    for section in sections:
        _add_section(layout, section)
    for related in related_lists:
        element = _add(layout, "relatedLists")
        for name in related.fields:
            _add(element, "fields", name)
        _add(element, "relatedList", related.name)
    for flag in ("showEmailCheckbox", "showHighlightsPanel", "showInteractionLogPanel"):
        _add(layout, flag, "false")
    _add(layout, "showRunAssignmentRulesCheckbox", "true" if lead else "false")
    _add(layout, "showSubmitAndAttachButton", "false")
    return etree.tostring(layout, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def default_layouts() -> dict[str, bytes]:
    """Layout full name -> XML, for every layout a new org has."""
    return {
        "Contact-Contact Layout": layout_xml(CONTACT_SECTIONS, _RELATED_LISTS),
        "Lead-Lead Layout": layout_xml(LEAD_SECTIONS, _RELATED_LISTS, lead=True),
    }


def _add_section(layout: etree._Element, section: Section) -> None:
    element = _add(layout, "layoutSections")
    _add(element, "customLabel", _bool(section.custom_label))
    _add(element, "detailHeading", _bool(section.detail_heading))
    _add(element, "editHeading", _bool(section.edit_heading))
    _add(element, "label", section.label)
    for column in section.columns:
        column_element = _add(element, "layoutColumns")
        for field in column:
            item = _add(column_element, "layoutItems")
            _add(item, "behavior", _behavior(field))
            _add(item, "field", field)
    _add(element, "style", section.style)


def _behavior(field: str) -> str:
    if field in _REQUIRED:
        return "Required"
    return "Readonly" if field in _READ_ONLY else "Edit"


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _add(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{METADATA_NS}}}{name}")
    element.text = text
    return element
