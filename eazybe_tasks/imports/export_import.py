"""A WhatsApp chat export into the store, as one batch.

The export is read twice as a stream: once to see who wrote and whether it is a group (a zip's
media are then only checked, not kept), once to store its messages. Nothing is written before the
second read, and that one is a single transaction, the business account's registration included:
an export refused anywhere (a bad line, a zip over its limits, a date in the future) leaves the
store as it was."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

from eazybe_tasks.imports import file_sha256
from eazybe_tasks.sources.export_messages import ExportContext, chat_name_from_file, survey, to_messages
from eazybe_tasks.sources.exports import DateOrder, parse_export
from eazybe_tasks.sources.exports.archive import media_checked_only, open_chat
from eazybe_tasks.sources.model import Source
from eazybe_tasks.store.accounts import implied_settings
from eazybe_tasks.store.ingest import Batch, IngestResult
from eazybe_tasks.store.store import Store


@dataclass(frozen=True)
class ExportOptions:
    account_number: str
    me: str
    other_number: str | None = None
    chat_name: str | None = None
    is_group: bool | None = None
    date_order: DateOrder | None = None
    progress: bool = False
    now: datetime | None = None  # the import's time (aware); default: when it starts


def import_export(store: Store, path: Path, options: ExportOptions) -> IngestResult:
    path = Path(path)
    now = options.now or datetime.now(timezone.utc)
    # The account's settings, without registering it: that happens in the batch's transaction.
    account = store.find_account(options.account_number)
    if account is not None:
        region, zone = account.default_region, account.time_zone
    else:
        region, zone = implied_settings(options.account_number)  # a bad number is refused here
    with open_chat(path) as chat:  # a zip over its limits, or with unsafe names, is refused here
        where = chat.where
    member = where.partition("!")[2]
    file_name = chat_name_from_file(path) or (chat_name_from_file(PurePosixPath(member)) if member else None)
    with media_checked_only():
        shape = survey(parse_export(path, date_order=options.date_order))
    context = ExportContext(
        account_number=options.account_number, time_zone=zone, me=options.me, default_region=region,
        other_number=options.other_number, chat_name=options.chat_name, is_group=options.is_group, now=now,
    )
    entries = parse_export(path, date_order=options.date_order, progress=options.progress)
    messages = to_messages(entries, shape, context, where, file_name)
    return store.ingest(Batch(
        source=Source.CHAT_EXPORT, origin=str(path), raw_sha256=file_sha256(path), messages=messages,
        received_at=now, accounts=(options.account_number,),
    ))
