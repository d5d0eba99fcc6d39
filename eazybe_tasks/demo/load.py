"""The demo's messages into the store: the business accounts registered, the sample exports
written and imported as `import_chat_export` imports them, and the webhook deliveries replayed
through the receiver over HTTP (the first one twice, as Meta retries; it is stored once)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from eazybe_tasks.demo.cast import BUSINESSES
from eazybe_tasks.demo.deliveries import Delivery, payload
from eazybe_tasks.demo.export_chats import EXPORT_CHATS
from eazybe_tasks.demo.export_writer import write_export
from eazybe_tasks.demo.receiver import replay
from eazybe_tasks.demo.webhook_chats import HISTORY, LIVE
from eazybe_tasks.imports.export_import import ExportOptions, import_export
from eazybe_tasks.sources.exports import DateOrder
from eazybe_tasks.store.store import Store


@dataclass(frozen=True)
class Loaded:
    what: str  # a file, or a webhook delivery
    messages_added: int
    statuses_added: int = 0


def register_businesses(store: Store) -> None:
    for business in BUSINESSES:
        store.register_account(business.number, label=business.label, default_region=business.region,
                               time_zone=business.time_zone)


def import_exports(store: Store, folder: Path, now: datetime) -> list[Loaded]:
    loaded = []
    for chat in EXPORT_CHATS:
        written = write_export(chat, folder, now)
        options = ExportOptions(account_number=chat.business.number, me=chat.me, other_number=chat.other_number,
                                date_order=DateOrder(chat.date_order))
        loaded.append(Loaded(str(written.path), import_export(store, written.path, options).messages_added))
    return loaded


def replay_deliveries(store: Store, deliveries: tuple[Delivery, ...], now: datetime, retry_first: bool) -> list[Loaded]:
    bodies = [payload(delivery, now) for delivery in deliveries]
    names = [f"webhook delivery {n} ({d.business.label})" for n, d in enumerate(deliveries, start=1)]
    if retry_first:
        bodies, names = bodies + bodies[:1], names + [f"{names[0]}, delivered again as Meta retries"]
    return [Loaded(name, answer["stored"], answer["statuses"]) for name, answer in zip(names, replay(store, bodies))]


def load_history(store: Store, folder: Path, now: datetime) -> list[Loaded]:
    """Everything up to yesterday: exports (also written under `folder`) and webhook deliveries."""
    register_businesses(store)
    return import_exports(store, folder, now) + replay_deliveries(store, HISTORY, now, retry_first=True)


def load_live(store: Store, now: datetime) -> list[Loaded]:
    """The deliveries of the last minutes, for the scheduled sync to find."""
    return replay_deliveries(store, LIVE, now, retry_first=False)
