"""A WhatsApp chat export into the store, as one batch.

The export is read twice as a stream: once to see who wrote and whether it is a group, once to
store its messages."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from eazybe_tasks.imports import file_sha256
from eazybe_tasks.sources.export_messages import ExportContext, chat_name_from_file, survey, to_messages
from eazybe_tasks.sources.exports import DateOrder, parse_export
from eazybe_tasks.sources.model import Source
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


def import_export(store: Store, path: Path, options: ExportOptions) -> IngestResult:
    account = store.register_account(options.account_number)
    shape = survey(parse_export(path, date_order=options.date_order))
    context = ExportContext(
        account_number=account.number, time_zone=account.time_zone, me=options.me,
        default_region=account.default_region, other_number=options.other_number,
        chat_name=options.chat_name, is_group=options.is_group,
    )
    entries = parse_export(path, date_order=options.date_order, progress=options.progress)
    messages = to_messages(entries, shape, context, str(path), chat_name_from_file(path))
    return store.ingest(
        Batch(source=Source.CHAT_EXPORT, origin=str(path), raw_sha256=file_sha256(path), messages=messages)
    )
