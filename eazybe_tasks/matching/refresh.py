"""Keeping the phone directory in step with the org: the first refresh reads every Contact and
Lead, later ones only what changed since the last SystemModstamp seen (deleted records included,
through queryAll, so a deleted person stops being linked)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import delete, select
from sqlalchemy.engine import Connection, Engine

from eazybe_tasks.matching.directory import Person
from eazybe_tasks.store.schema import people, settings

CHECKPOINT = "directory.system_modstamp.{object}"
FIELDS = {
    "Contact": "Id, Name, Phone, MobilePhone, WhatsApp_Do_Not_Log__c, WhatsApp_User_Id__c, IsDeleted, SystemModstamp",
    "Lead": "Id, Name, Phone, MobilePhone, WhatsApp_Do_Not_Log__c, WhatsApp_User_Id__c, IsConverted, IsDeleted, "
            "SystemModstamp",
}


class QueryClient(Protocol):
    def query_all(self, query: str, include_deleted: bool = False, **kwargs: Any) -> dict[str, Any]: ...


@dataclass(frozen=True)
class RefreshReport:
    read: int
    removed: int


def _checkpoint(connection: Connection, object_name: str) -> str | None:
    return connection.execute(
        select(settings.c.value).where(settings.c.key == CHECKPOINT.format(object=object_name))
    ).scalar()


def _save_checkpoint(connection: Connection, object_name: str, value: str) -> None:
    key = CHECKPOINT.format(object=object_name)
    connection.execute(delete(settings).where(settings.c.key == key))
    connection.execute(settings.insert().values(key=key, value=value))


def _soql(object_name: str, since: str | None) -> str:
    where = f" WHERE SystemModstamp > {since}" if since else ""
    return f"SELECT {FIELDS[object_name]} FROM {object_name}{where} ORDER BY SystemModstamp"


def refresh_directory(engine: Engine, client: QueryClient) -> RefreshReport:
    """Reads what changed in the org; the store's directory and checkpoint move together."""
    read = removed = 0
    for object_name in FIELDS:
        with engine.begin() as connection:
            since = _checkpoint(connection, object_name)
            records = client.query_all(_soql(object_name, since), include_deleted=True)["records"]
            for record in records:
                read += 1
                connection.execute(delete(people).where(people.c.record_id == record["Id"]))
                if record["IsDeleted"]:
                    removed += 1
                    continue
                connection.execute(people.insert().values(
                    record_id=record["Id"], object_name=object_name, name=record["Name"],
                    phone=record["Phone"], mobile_phone=record["MobilePhone"],
                    is_converted=bool(record.get("IsConverted")),
                    do_not_log=bool(record["WhatsApp_Do_Not_Log__c"]),
                    whatsapp_user_id=record["WhatsApp_User_Id__c"] or None,
                    system_modstamp=record["SystemModstamp"],
                ))
            if records:
                _save_checkpoint(connection, object_name, records[-1]["SystemModstamp"])
    return RefreshReport(read, removed)


def stored_people(engine: Engine) -> list[Person]:
    with engine.connect() as connection:
        rows = connection.execute(select(people)).all()
    return [
        Person(row.record_id, row.object_name, row.name or "",
               tuple(p for p in (row.phone, row.mobile_phone) if p), row.is_converted, row.do_not_log,
               row.whatsapp_user_id)
        for row in rows
    ]
