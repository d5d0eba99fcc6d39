"""The standard objects the local org is born with, and the base of every custom object.

Names, types, lengths and the nillable/createable/updateable/defaulted flags follow Salesforce's
documentation and the describes CumulusCI recorded from real orgs, because clients decide what to
send (and what is required) from describe. Compound address fields are left out: their components
carry the data.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Iterable, Mapping

from eazybe_local_org.ids import BASE62
from eazybe_local_org.schema.model import FieldDef, ObjectDef

ID_LENGTH = 18
OWNER_TYPES = ("Group", "User")
GEOCODE_ACCURACY = ("Address", "NearAddress", "Block", "Street", "ExtendedZip", "Zip", "Neighborhood", "City", "County", "State", "Unknown")
SALUTATIONS = ("Mr.", "Ms.", "Mrs.", "Dr.", "Prof.", "Mx.")
LEAD_SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other")
INDUSTRIES = (
    "Agriculture", "Apparel", "Banking", "Biotechnology", "Chemicals", "Communications", "Construction",
    "Consulting", "Education", "Electronics", "Energy", "Engineering", "Entertainment", "Environmental",
    "Finance", "Food & Beverage", "Government", "Healthcare", "Hospitality", "Insurance", "Machinery",
    "Manufacturing", "Media", "Not For Profit", "Recreation", "Retail", "Shipping", "Technology",
    "Telecommunications", "Transportation", "Utilities", "Other",
)  # fmt: skip
RATINGS = ("Hot", "Warm", "Cold")
LEAD_STATUSES = ("Open - Not Contacted", "Working - Contacted", "Closed - Converted", "Closed - Not Converted")

# Polymorphic references that may point at any record with notes or files, custom objects included.
ANY_RECORD_REFERENCES = frozenset(
    {("Note", "ParentId"), ("ContentDocumentLink", "LinkedEntityId"), ("ContentVersion", "FirstPublishLocationId")}
)
_RECORD_PARENTS = ("Account", "Contact", "Lead", "User")

# --- field builders: one per describe type, so each definition below reads like the describe row.


def _read_only(definition: FieldDef) -> FieldDef:
    """System-maintained: the API may read it but never write it."""
    return replace(definition, createable=False, updateable=False)


def text(name: str, label: str, length: int, **flags) -> FieldDef:
    return FieldDef(name, label, "string", length=length, **flags)


def textarea(name: str, label: str, length: int = 32000, **flags) -> FieldDef:
    return FieldDef(name, label, "textarea", length=length, **flags)


def phone(name: str, label: str, **flags) -> FieldDef:
    return FieldDef(name, label, "phone", length=40, **flags)


def email(name: str, label: str = "Email", length: int = 80, **flags) -> FieldDef:
    return FieldDef(name, label, "email", length=length, id_lookup=True, **flags)


def url(name: str, label: str, length: int = 255, **flags) -> FieldDef:
    return FieldDef(name, label, "url", length=length, **flags)


def picklist(name: str, label: str, values: tuple[str, ...], length: int = 255, **flags) -> FieldDef:
    return FieldDef(name, label, "picklist", length=length, picklist_values=values, **flags)


def checkbox(name: str, label: str, default_value: bool = False, **flags) -> FieldDef:
    """Checkboxes are never null: Salesforce reports them not nillable and defaulted."""
    return FieldDef(
        name, label, "boolean", nillable=False, defaulted_on_create=True, default_value=default_value, **flags
    )


def number(name: str, label: str, field_type: str = "double", precision: int = 18, scale: int = 0, **flags) -> FieldDef:
    return FieldDef(name, label, field_type, precision=precision, scale=scale, **flags)


def integer(name: str, label: str, digits: int = 8, **flags) -> FieldDef:
    """`precision` holds what describe calls `digits` for int fields."""
    return FieldDef(name, label, "int", precision=digits, **flags)


def reference(name: str, label: str, to: tuple[str, ...], relationship: str, children: str | None = None, **flags) -> FieldDef:
    return FieldDef(
        name, label, "reference", length=ID_LENGTH, reference_to=to, relationship_name=relationship,
        child_relationship_name=children, **flags,
    )  # fmt: skip


def date(name: str, label: str, **flags) -> FieldDef:
    return FieldDef(name, label, "date", **flags)


def date_time(name: str, label: str, **flags) -> FieldDef:
    return FieldDef(name, label, "datetime", **flags)


# --- the fields Salesforce gives every record.


def id_field(label: str) -> FieldDef:
    return FieldDef(
        "Id", label, "id", length=ID_LENGTH, nillable=False, createable=False, updateable=False,
        defaulted_on_create=True, id_lookup=True,
    )  # fmt: skip


def is_deleted_field() -> FieldDef:
    return _read_only(checkbox("IsDeleted", "Deleted"))


def owner_field(to: tuple[str, ...] = ("User",)) -> FieldDef:
    return reference("OwnerId", "Owner ID", to, "Owner", nillable=False, defaulted_on_create=True)


def audit_fields() -> list[FieldDef]:
    """Created/LastModified stamps and SystemModstamp: the server writes them, clients only read."""
    stamped = dict(nillable=False, createable=False, updateable=False, defaulted_on_create=True)
    return [
        date_time("CreatedDate", "Created Date", **stamped),
        reference("CreatedById", "Created By ID", ("User",), "CreatedBy", **stamped),
        date_time("LastModifiedDate", "Last Modified Date", **stamped),
        reference("LastModifiedById", "Last Modified By ID", ("User",), "LastModifiedBy", **stamped),
        date_time("SystemModstamp", "System Modstamp", **stamped),
    ]


def address_fields(prefix: str, label: str) -> list[FieldDef]:
    """The components of a compound address such as MailingAddress (prefix 'Mailing')."""
    spaced = f"{label} " if label else ""
    return [
        textarea(f"{prefix}Street", f"{spaced}Street", 255),
        text(f"{prefix}City", f"{spaced}City", 40),
        text(f"{prefix}State", f"{spaced}State/Province", 80),
        text(f"{prefix}PostalCode", f"{spaced}Zip/Postal Code", 20),
        text(f"{prefix}Country", f"{spaced}Country", 80),
        number(f"{prefix}Latitude", f"{spaced}Latitude", precision=18, scale=15),
        number(f"{prefix}Longitude", f"{spaced}Longitude", precision=18, scale=15),
        picklist(f"{prefix}GeocodeAccuracy", f"{spaced}Geocode Accuracy", GEOCODE_ACCURACY, 40, restricted_picklist=True),
    ]


def person_name_fields() -> list[FieldDef]:
    """Contact and Lead: Name is the read-only compound the server builds from First + Last."""
    return [
        text("LastName", "Last Name", 80, nillable=False),
        text("FirstName", "First Name", 40),
        picklist("Salutation", "Salutation", SALUTATIONS, 40),
        _read_only(text("Name", "Full Name", 121, nillable=False, name_field=True)),
    ]


def make_object(
    name: str,
    label: str,
    label_plural: str,
    key_prefix: str,
    fields: Iterable[FieldDef],
    *,
    id_label: str | None = None,
    owner: tuple[str, ...] | None = None,
    deletable_records: bool = True,
    audited: bool = True,
    **flags,
) -> ObjectDef:
    """Wraps an object's own fields in the system fields, in the order describe lists them."""
    ordered = [id_field(id_label or f"{label} ID")]
    ordered += [is_deleted_field()] if deletable_records else []
    ordered += list(fields)
    ordered += [owner_field(owner)] if owner else []
    ordered += audit_fields() if audited else []
    return ObjectDef(name, label, label_plural, key_prefix, {f.name: f for f in ordered}, **flags)


# --- the standard objects.


# Organization's boolean preferences, and the default sharing of the objects it reports.
ORGANIZATION_PREFERENCES = (
    ("RequireOpportunityProducts", "Require Opportunity Products"),
    ("TransactionSecurityPolicy", "Transaction Security Policy"),
    ("TerminateOldestSession", "Terminate Oldest Session"),
    ("ConsentManagementEnabled", "Consent Management Enabled"),
    ("AutoSelectIndividualOnMerge", "Auto Select Individual On Merge"),
    ("LightningLoginEnabled", "Lightning Login Enabled"),
    ("OnlyLLPermUserAllowed", "Only Lightning Login Users Allowed"),
)
_RECORD_ACCESS = ("None", "Read", "Edit", "ReadEditTransfer", "ControlledByParent", "All", "ReadSelect", "HideDetailsInsert")
DEFAULT_ACCESS = tuple(
    (name, _RECORD_ACCESS)
    for name in ("Account", "Contact", "Opportunity", "Lead", "Case", "Calendar", "Pricebook", "Campaign")
)


def _organization() -> ObjectDef:
    own = [
        text("Name", "Name", 80, nillable=False, name_field=True),
        text("Division", "Division", 80),
        *address_fields("", ""),
        FieldDef("Address", "Address", "address"),
        phone("Phone", "Phone"),
        phone("Fax", "Fax"),
        text("PrimaryContact", "Primary Contact", 80),
        picklist("DefaultLocaleSidKey", "Locale", ("en_US",), 40, nillable=False),
        picklist("TimeZoneSidKey", "Time Zone", ("America/Los_Angeles", "GMT", "Asia/Kolkata"), 40, nillable=False),
        picklist("LanguageLocaleKey", "Language", ("en_US",), 40, nillable=False),
        checkbox("ReceivesInfoEmails", "Info Emails"),
        checkbox("ReceivesAdminInfoEmails", "Info Emails Admin"),
        *(checkbox(f"Preferences{name}", label) for name, label in ORGANIZATION_PREFERENCES),
        integer("FiscalYearStartMonth", "Fiscal Year Starts In", 2),
        checkbox("UsesStartDateAsFiscalYearName", "Fiscal Year Name by Start"),
        *(picklist(f"Default{name}Access", f"Default {name} Access", values, 40)
          for name, values in DEFAULT_ACCESS),
        url("DelegatedAuthenticationServiceUrl", "Delegated Authentication Service URL", 1000),
        email("ComplianceBccEmail", "Compliance BCC Email"),
        picklist("UiSkin", "UI Skin", ("Theme1", "Theme2", "Theme3"), 40),
        text("SignupCountryIsoCode", "Signup Country", 2),
        integer("NumKnowledgeService", "Knowledge Licenses", 9),
        picklist("WebToCaseDefaultOrigin", "Web to Cases Default Origin", ("Email", "Phone", "Web"), 40),
        integer("MonthlyPageViewsUsed", "Monthly Page Views Used", 9),
        integer("MonthlyPageViewsEntitlement", "Monthly Page Views Allowed", 9),
        picklist("OrganizationType", "Edition", ("Developer Edition", "Enterprise Edition", "Unlimited Edition"), 40),
        text("NamespacePrefix", "Namespace Prefix", 15),
        text("InstanceName", "Instance Name", 5),
        checkbox("IsSandbox", "Is Sandbox"),
        checkbox("IsReadOnly", "Is Read Only"),
        date_time("TrialExpirationDate", "Trial Expiration Date"),
    ]
    return make_object(
        "Organization", "Organization", "Organizations", "00D", [_read_only(f) for f in own],
        id_label="Organization ID", deletable_records=False,
        createable=False, updateable=False, deletable=False, searchable=False, triggerable=False,
    )  # fmt: skip


def _user() -> ObjectDef:
    required = dict(nillable=False)
    fields = [
        text("Username", "Username", 80, unique=True, id_lookup=True, **required),
        text("LastName", "Last Name", 80, **required),
        text("FirstName", "First Name", 40),
        _read_only(text("Name", "Full Name", 121, nillable=False, name_field=True)),
        text("Alias", "Alias", 8, **required),
        email("Email", "Email", 128, **required),
        phone("Phone", "Phone"),
        phone("MobilePhone", "Mobile"),
        text("Title", "Title", 80),
        text("CommunityNickname", "Nickname", 40, nillable=False, defaulted_on_create=True, id_lookup=True),
        checkbox("IsActive", "Active", default_value=True),
        picklist("TimeZoneSidKey", "Time Zone", ("America/Los_Angeles", "GMT", "Asia/Kolkata"), 40, **required),
        picklist("LocaleSidKey", "Locale", ("en_US",), 40, **required),
        picklist("EmailEncodingKey", "Email Encoding", ("UTF-8", "ISO-8859-1"), 40, **required),
        picklist("LanguageLocaleKey", "Language", ("en_US",), 40, **required),
        reference("ProfileId", "Profile ID", ("Profile",), "Profile", **required),
        _read_only(picklist("UserType", "User Type", ("Standard",), 40, defaulted_on_create=True)),
    ]
    return make_object(
        "User", "User", "Users", "005", fields, id_label="User ID", deletable_records=False, deletable=False
    )


def _account() -> ObjectDef:
    fields = [
        text("Name", "Account Name", 255, nillable=False, name_field=True),
        picklist("Type", "Account Type", ("Prospect", "Customer - Direct", "Customer - Channel", "Other"), 40),
        reference("ParentId", "Parent Account ID", ("Account",), "Parent", "ChildAccounts"),
        *address_fields("Billing", "Billing"),
        *address_fields("Shipping", "Shipping"),
        phone("Phone", "Account Phone"),
        phone("Fax", "Account Fax"),
        text("AccountNumber", "Account Number", 40),
        url("Website", "Website"),
        text("Sic", "SIC Code", 20),
        picklist("Industry", "Industry", INDUSTRIES, 40),
        number("AnnualRevenue", "Annual Revenue", "currency"),
        integer("NumberOfEmployees", "Employees"),
        text("TickerSymbol", "Ticker Symbol", 20),
        textarea("Description", "Account Description"),
        picklist("Rating", "Account Rating", RATINGS, 40),
        text("Site", "Account Site", 80),
        picklist("AccountSource", "Account Source", LEAD_SOURCES, 40),
        _read_only(date("LastActivityDate", "Last Activity")),
    ]
    return make_object("Account", "Account", "Accounts", "001", fields, owner=("User",))


def _contact() -> ObjectDef:
    fields = [
        reference("AccountId", "Account ID", ("Account",), "Account", "Contacts"),
        *person_name_fields(),
        *address_fields("Other", "Other"),
        *address_fields("Mailing", "Mailing"),
        phone("Phone", "Business Phone"),
        phone("Fax", "Business Fax"),
        phone("MobilePhone", "Mobile Phone"),
        phone("HomePhone", "Home Phone"),
        phone("OtherPhone", "Other Phone"),
        phone("AssistantPhone", "Asst. Phone"),
        reference("ReportsToId", "Reports To ID", ("Contact",), "ReportsTo"),
        email("Email"),
        text("Title", "Title", 128),
        text("Department", "Department", 80),
        text("AssistantName", "Assistant's Name", 40),
        picklist("LeadSource", "Lead Source", LEAD_SOURCES),
        date("Birthdate", "Birthdate"),
        textarea("Description", "Contact Description"),
        _read_only(date("LastActivityDate", "Last Activity")),
        text("EmailBouncedReason", "Email Bounced Reason", 255),
        date_time("EmailBouncedDate", "Email Bounced Date"),
        _read_only(checkbox("IsEmailBounced", "Is Email Bounced")),
    ]
    return make_object("Contact", "Contact", "Contacts", "003", fields, owner=("User",))


def _lead() -> ObjectDef:
    fields = [
        *person_name_fields(),
        text("Title", "Title", 128),
        text("Company", "Company", 255, nillable=False),
        *address_fields("", ""),
        phone("Phone", "Phone"),
        phone("MobilePhone", "Mobile Phone"),
        phone("Fax", "Fax"),
        email("Email"),
        url("Website", "Website"),
        textarea("Description", "Description"),
        picklist("LeadSource", "Lead Source", LEAD_SOURCES),
        picklist(
            "Status", "Status", LEAD_STATUSES, nillable=False, defaulted_on_create=True, default_value=LEAD_STATUSES[0]
        ),
        picklist("Industry", "Industry", INDUSTRIES),
        picklist("Rating", "Rating", RATINGS),
        number("AnnualRevenue", "Annual Revenue", "currency"),
        integer("NumberOfEmployees", "Employees"),
        checkbox("IsConverted", "Converted", updateable=False),
        _read_only(date("ConvertedDate", "Converted Date")),
        _read_only(reference("ConvertedAccountId", "Converted Account ID", ("Account",), "ConvertedAccount")),
        _read_only(reference("ConvertedContactId", "Converted Contact ID", ("Contact",), "ConvertedContact")),
        checkbox("IsUnreadByOwner", "Unread By Owner"),
        _read_only(date("LastActivityDate", "Last Activity")),
    ]
    return make_object("Lead", "Lead", "Leads", "00Q", fields, owner=OWNER_TYPES)


def _note() -> ObjectDef:
    fields = [
        reference("ParentId", "Parent ID", _RECORD_PARENTS, "Parent", "Notes", nillable=False, updateable=False),
        text("Title", "Title", 80, nillable=False, name_field=True),
        checkbox("IsPrivate", "Private"),
        textarea("Body", "Body"),
    ]
    return make_object("Note", "Note", "Notes", "002", fields, id_label="Note ID", owner=("User",))


def _content_version() -> ObjectDef:
    on_create_only = dict(updateable=False)
    fields = [
        _read_only(reference(
            "ContentDocumentId", "ContentDocument ID", ("ContentDocument",), "ContentDocument", "ContentVersions",
            nillable=False, defaulted_on_create=True,
        )),
        _read_only(checkbox("IsLatest", "Is Latest")),
        url("ContentUrl", "Content URL", 1300),
        _read_only(text("VersionNumber", "Version Number", 20)),
        text("Title", "Title", 255, nillable=False, name_field=True),
        textarea("Description", "Description", 1000),
        text("ReasonForChange", "Reason For Change", 1000),
        text("PathOnClient", "Path On Client", 500, **on_create_only),
        FieldDef("VersionData", "Version Data", "base64", **on_create_only),
        _read_only(integer("ContentSize", "Size", 10)),
        _read_only(text("FileType", "File Type", 20, nillable=False, defaulted_on_create=True)),
        _read_only(text("FileExtension", "File Extension", 40)),
        _read_only(text("Checksum", "Checksum", 50)),
        picklist("ContentLocation", "Content Location", ("S", "E", "L"), 40, nillable=False,
                 defaulted_on_create=True, default_value="S", restricted_picklist=True, **on_create_only),
        picklist("Origin", "Content Origin", ("C", "H"), 40, nillable=False, defaulted_on_create=True,
                 default_value="C", restricted_picklist=True, **on_create_only),
        checkbox("IsMajorVersion", "Major Version", default_value=True, **on_create_only),
        reference("FirstPublishLocationId", "First Publish Location ID", _RECORD_PARENTS, "FirstPublishLocation",
                  **on_create_only),
    ]  # fmt: skip
    return make_object(
        "ContentVersion", "Content Version", "Content Versions", "068", fields,
        id_label="ContentVersion ID", deletable_records=False, owner=("User",), deletable=False,
    )  # fmt: skip


def _content_document() -> ObjectDef:
    fields = [
        text("Title", "Title", 255, nillable=False, name_field=True),
        _read_only(picklist("PublishStatus", "Publish Status", ("U", "P", "R"), 40, nillable=False,
                            defaulted_on_create=True, restricted_picklist=True)),
        _read_only(reference("LatestPublishedVersionId", "Latest Published Version ID", ("ContentVersion",),
                             "LatestPublishedVersion")),
        textarea("Description", "Description", 1000),
        _read_only(integer("ContentSize", "Size", 10)),
        _read_only(text("FileType", "File Type", 20)),
        _read_only(text("FileExtension", "File Extension", 40)),
        _read_only(checkbox("IsArchived", "Is Archived")),
    ]  # fmt: skip
    return make_object(
        "ContentDocument", "Content Document", "Content Documents", "069", fields,
        id_label="ContentDocument ID", owner=("User",), createable=False,
    )  # fmt: skip


def _content_document_link() -> ObjectDef:
    links = dict(nillable=False, updateable=False)
    fields = [
        reference("LinkedEntityId", "Linked Entity ID", _RECORD_PARENTS, "LinkedEntity", "ContentDocumentLinks", **links),
        reference("ContentDocumentId", "ContentDocument ID", ("ContentDocument",), "ContentDocument",
                  "ContentDocumentLinks", delete_constraint="Cascade", **links),
        picklist("ShareType", "Share Type", ("V", "C", "I"), 40, restricted_picklist=True, defaulted_on_create=True),
        picklist("Visibility", "Visibility", ("AllUsers", "InternalUsers", "SharedUsers"), 40,
                 restricted_picklist=True, defaulted_on_create=True),
    ]  # fmt: skip
    stamp = audit_fields()[-1]  # Salesforce gives links only SystemModstamp, not the Created/LastModified fields
    return make_object(
        "ContentDocumentLink", "Content Document Link", "Content Document Links", "06A", [*fields, stamp],
        id_label="ContentDocumentLink ID", audited=False,
    )  # fmt: skip


PERMISSION_SET_TYPES = ("Regular", "Group", "Profile", "Session", "Standard")


def _permission_set() -> ObjectDef:
    """One record per permission set the org has; the local org keeps them in step with deployed
    PermissionSet metadata, so clients can look them up by Name and assign them."""
    fields = [
        text("Name", "Name", 80, nillable=False, id_lookup=True),
        text("Label", "Label", 80, nillable=False, name_field=True),
        textarea("Description", "Description", 255),
        _read_only(checkbox("IsOwnedByProfile", "Is Owned by Profile")),
        _read_only(checkbox("IsCustom", "Custom")),
        checkbox("HasActivationRequired", "Session Activation Required"),
        _read_only(text("NamespacePrefix", "Namespace Prefix", 15)),
        _read_only(picklist("Type", "Permission Set Type", PERMISSION_SET_TYPES, 40, defaulted_on_create=True,
                            default_value="Regular", restricted_picklist=True)),
    ]  # fmt: skip
    return make_object("PermissionSet", "Permission Set", "Permission Sets", "0PS", fields, id_label="Permission Set ID")


def _permission_set_assignment() -> ObjectDef:
    """Assignments are created and deleted, never edited (but for their expiry), and carry only SystemModstamp."""
    on_create_only = dict(nillable=False, updateable=False)
    fields = [
        reference("AssigneeId", "Assignee ID", ("User",), "Assignee", "PermissionSetAssignments", **on_create_only),
        reference("PermissionSetId", "Permission Set ID", ("PermissionSet",), "PermissionSet", "Assignments",
                  delete_constraint="Cascade", **on_create_only),
        date_time("ExpirationDate", "Expiration Date"),
    ]  # fmt: skip
    return make_object(
        "PermissionSetAssignment", "Permission Set Assignment", "Permission Set Assignments", "0Pa",
        [*fields, audit_fields()[-1]], id_label="Permission Set Assignment ID", audited=False,
    )  # fmt: skip


def standard_objects() -> dict[str, ObjectDef]:
    """Fresh definitions of every built-in data object, keyed by API name."""
    built = [
        _organization(), _user(), _account(), _contact(), _lead(), _note(),
        _content_version(), _content_document(), _content_document_link(),
    ]  # fmt: skip
    return {obj.name: obj for obj in built}


def setup_objects() -> dict[str, ObjectDef]:
    """Fresh definitions of the built-in objects whose records follow the org's deployed metadata
    (permission sets and who holds them), keyed by API name."""
    return {obj.name: obj for obj in (_permission_set(), _permission_set_assignment())}


# --- custom objects.


def allocate_key_prefix(taken: Iterable[str]) -> str:
    """The next free custom-object prefix, a01, a02, ... as Salesforce hands them out."""
    used = set(taken)
    for second in BASE62:
        for third in BASE62:
            candidate = f"a{second}{third}"
            if candidate not in used and candidate != "a00":
                return candidate
    raise RuntimeError("no custom object key prefixes left")


def custom_object(
    name: str,
    label: str,
    label_plural: str,
    key_prefix: str,
    *,
    name_label: str | None = None,
    auto_number_format: str | None = None,
    description: str | None = None,
    controlled_by_parent: bool = False,
    activities: bool = False,
) -> ObjectDef:
    """A new custom object before its custom fields: system fields, OwnerId and its Name field.

    A text Name may be omitted on create (Salesforce then stores the record id); an auto-number Name
    is assigned by the server from `auto_number_format`. The detail side of a master-detail
    (`controlled_by_parent`) has no owner of its own; `activities` adds LastActivityDate.
    """
    name_label = name_label or f"{label} Name"
    if auto_number_format:
        name_field = _read_only(text("Name", name_label, 30, nillable=False, defaulted_on_create=True,
                                     auto_number_format=auto_number_format, name_field=True, id_lookup=True))
    else:
        name_field = text("Name", name_label, 80, defaulted_on_create=True, name_field=True, id_lookup=True)
    own = [name_field, *([_read_only(date("LastActivityDate", "Last Activity"))] if activities else [])]
    return make_object(
        name, label, label_plural, key_prefix, own,
        id_label="Record ID", owner=None if controlled_by_parent else OWNER_TYPES, custom=True, description=description,
    )  # fmt: skip


# --- custom fields, from the attributes of a Metadata API CustomField element.


class UnsupportedField(ValueError):
    """A valid Salesforce field the local org cannot model; the message is the deploy's problem text."""


# CustomField <type> -> (describe type, default length). Number stays double even with scale 0, as in describe.
_CUSTOM_FIELD_TYPES: dict[str, tuple[str, int]] = {
    "Text": ("string", 255),
    "TextArea": ("textarea", 255),
    "LongTextArea": ("textarea", 32768),
    "Html": ("textarea", 32768),
    "EncryptedText": ("encryptedstring", 175),
    "Checkbox": ("boolean", 0),
    "Number": ("double", 0),
    "Currency": ("currency", 0),
    "Percent": ("percent", 0),
    "Date": ("date", 0),
    "DateTime": ("datetime", 0),
    "Time": ("time", 0),
    "Phone": ("phone", 40),
    "Email": ("email", 80),
    "Url": ("url", 255),
    "Picklist": ("picklist", 255),
    "MultiselectPicklist": ("multipicklist", 4099),
    "Lookup": ("reference", ID_LENGTH),
    "MasterDetail": ("reference", ID_LENGTH),
    "AutoNumber": ("string", 30),
}


def custom_field(object_name: str, attributes: Mapping[str, Any]) -> FieldDef:
    """The FieldDef a deployed CustomField creates on `object_name`.

    `attributes` are the element's children as `metadata_api.components.field_attributes` reads
    them: strings ('true', '255') or native values both work. Picklist values come as `values` (a
    sequence of value names, or of mappings with fullName/default) or inside `valueSet`
    ({'restricted', 'values'}). Raises UnsupportedField for what the org cannot model.
    """
    kind = str(attributes.get("type", ""))
    if attributes.get("formula"):
        raise UnsupportedField("Formula fields are not supported by the local org")
    if kind not in _CUSTOM_FIELD_TYPES:
        raise UnsupportedField(f"Field type {kind} is not supported by the local org")
    field_type, default_length = _CUSTOM_FIELD_TYPES[kind]
    name = str(attributes["fullName"]).rsplit(".", 1)[-1]  # 'Obj__c.Field__c' in a standalone CustomField
    required = _flag(attributes.get("required"))
    external_id = _flag(attributes.get("externalId"))
    common: dict[str, Any] = dict(
        length=_int(attributes.get("length"), default_length),
        nillable=not required,
        unique=_flag(attributes.get("unique")),
        case_sensitive=_flag(attributes.get("caseSensitive")),
        external_id=external_id,
        id_lookup=external_id,
        custom=True,
        inline_help_text=attributes.get("inlineHelpText") or None,
        description=attributes.get("description") or None,
    )
    label = str(attributes.get("label") or name)
    if field_type == "boolean":
        default = _flag(attributes.get("defaultValue"))
        return FieldDef(name, label, field_type, default_value=default, defaulted_on_create=True,
                        **{**common, "nillable": False})  # fmt: skip
    if field_type in ("double", "currency", "percent"):
        precision, scale = _int(attributes.get("precision"), 18), _int(attributes.get("scale"), 0)
        default = _literal_default(field_type, attributes.get("defaultValue"))
        return FieldDef(name, label, field_type, precision=precision, scale=scale, default_value=default,
                        defaulted_on_create=default is not None, **{**common, "length": 0})  # fmt: skip
    if field_type in ("picklist", "multipicklist"):
        values, default, restricted = _picklist(attributes)
        return FieldDef(
            name, label, field_type, picklist_values=values, restricted_picklist=restricted, default_value=default,
            defaulted_on_create=default is not None, **common,
        )  # fmt: skip
    if field_type == "reference":
        return _lookup(name, label, kind == "MasterDetail", attributes, common)
    if kind == "AutoNumber":
        return _read_only(FieldDef(
            name, label, field_type, auto_number_format=str(attributes.get("displayFormat") or "{0}"),
            defaulted_on_create=True, **{**common, "nillable": False, "id_lookup": True},
        ))  # fmt: skip
    default = _literal_default(field_type, attributes.get("defaultValue"))
    return FieldDef(name, label, field_type, default_value=default, defaulted_on_create=default is not None, **common)


def _lookup(name: str, label: str, master_detail: bool, attributes: Mapping[str, Any], common: dict[str, Any]) -> FieldDef:
    """Custom relationships: `Foo__c` is traversed as `Foo__r`; the parent sees children as `<relationshipName>__r`."""
    child_name = attributes.get("relationshipName")
    constraint = "Cascade" if master_detail else str(attributes.get("deleteConstraint") or "SetNull")
    return FieldDef(
        name, label, "reference", reference_to=(str(attributes["referenceTo"]),),
        relationship_name=name[: -len("__c")] + "__r", child_relationship_name=f"{child_name}__r" if child_name else None,
        delete_constraint=constraint,
        **{**common, "nillable": not master_detail and common["nillable"], "id_lookup": False,
           "updateable": not master_detail or _flag(attributes.get("reparentableMasterDetail"))},
    )  # fmt: skip


def _picklist(attributes: Mapping[str, Any]) -> tuple[tuple[str, ...], str | None, bool]:
    """(values, default value, restricted) from either shape the deploy parser may hand over."""
    value_set = attributes.get("valueSet") or {}
    entries = attributes.get("values", value_set.get("values", ()))
    restricted = _flag(attributes.get("restricted", value_set.get("restricted")))
    values: list[str] = []
    default = None
    for entry in entries:
        value = str(entry["fullName"]) if isinstance(entry, Mapping) else str(entry)
        values.append(value)
        if isinstance(entry, Mapping) and _flag(entry.get("default")):
            default = value
    return tuple(values), default, restricted


def _literal_default(field_type: str, formula: Any) -> Any:
    """defaultValue is a formula; only literals ("quoted text", plain numbers) can be applied locally."""
    literal = str(formula or "").strip()
    if field_type in ("double", "currency", "percent"):
        try:
            return float(literal)
        except ValueError:
            return None
    return literal[1:-1] if len(literal) >= 2 and literal[0] == literal[-1] == '"' else None


def _flag(value: Any) -> bool:
    """XML booleans arrive as 'true'/'false'."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _int(value: Any, default: int) -> int:
    return default if value in (None, "") else int(value)
