"""PermissionSet records mirror the PermissionSet metadata deployed to the org, as in Salesforce,
where a deployed permission set *is* a record clients query by Name and assign to users."""
from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

from lxml import etree

from eazybe_local_org import storage
from eazybe_local_org.ids import make_id
from eazybe_local_org.metadata_api.package import METADATA_NS
from eazybe_local_org.records.values import format_datetime
from eazybe_local_org.schema.model import ObjectDef

# Records made by deploys take ids from their own pod, so they never meet the ids the org's
# id generator issues to records created through the API.
DEPLOY_POD = "MD"


def mirror_permission_set(conn: sqlite3.Connection, permission_set: ObjectDef, name: str, xml: bytes, user_id: str) -> str:
    """Creates or updates the PermissionSet record named `name` from its deployed XML; returns its id."""
    document = etree.fromstring(xml)
    now = format_datetime(datetime.now(timezone.utc))
    values = {
        "Label": (document.findtext(f"{{{METADATA_NS}}}label") or name).strip(),
        "Description": (document.findtext(f"{{{METADATA_NS}}}description") or "").strip() or None,
        "HasActivationRequired": int(document.findtext(f"{{{METADATA_NS}}}hasActivationRequired", "false") == "true"),
        "LastModifiedDate": now, "LastModifiedById": user_id, "SystemModstamp": now,
    }  # fmt: skip
    existing = storage.find_by_field(conn, permission_set, permission_set.fields["Name"], name)
    if existing:
        storage.update(conn, permission_set, existing[0], values)
        return existing[0]
    number = conn.execute(
        f'SELECT COUNT(*) FROM "{permission_set.name}" WHERE substr("Id", 4, 2) = ?', (DEPLOY_POD,)
    ).fetchone()[0]
    record_id = make_id(permission_set.key_prefix, number + 1, DEPLOY_POD)
    storage.insert(conn, permission_set, {
        "Id": record_id, "IsDeleted": 0, "Name": name, "IsOwnedByProfile": 0, "IsCustom": 1, "NamespacePrefix": None,
        "Type": "Regular", "CreatedDate": now, "CreatedById": user_id, **values,
    })  # fmt: skip
    return record_id
