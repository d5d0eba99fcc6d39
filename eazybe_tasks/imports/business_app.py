"""Connecting a coexistence number's WhatsApp Business app: its contacts sync and its history are
each asked of Meta once, and recorded, so that a second ask is refused here with the date of the
first (Meta allows one per onboarding) rather than by the Graph API. What Meta then sends reaches
the webhook receiver like any delivery."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

from eazybe_tasks.sources.cloud_api.business_app_sync import CONTACTS, HISTORY
from eazybe_tasks.store import business_app
from eazybe_tasks.store.accounts import find_account
from eazybe_tasks.store.store import Store

Requester = Callable[[str, str], str]  # (phone_number_id, sync_type) -> Meta's request id


class AlreadyConnected(Exception):
    pass


@dataclass(frozen=True)
class Connection:
    account_number: str
    phone_number_id: str
    requested: dict[str, str]  # sync type -> Meta's request id, for those asked now


def connect_business_app(store: Store, request: Requester, account_number: str, days: int,
                         phone_number_id: str | None = None) -> Connection:
    """Asks for what has not been asked yet; `days` of the history go to Salesforce. Raises
    AlreadyConnected when both were asked before, ValueError for an unknown account or number id."""
    with store.engine.connect() as connection:
        account = find_account(connection, account_number)
        if account is None:
            raise ValueError(f"no account with the number {account_number} in the store (register_account first)")
        asked = business_app.requested_syncs(connection, account.id)
    number_id = phone_number_id or account.phone_number_id
    if not number_id:
        raise ValueError(f"the Graph API id of {account_number} is not known yet (no delivery has named it): "
                         "give it with -o phone_number_id")
    if all(kind in asked for kind in (CONTACTS, HISTORY)):
        when = min(asked.values())
        raise AlreadyConnected(
            f"the Business app of {account_number} was connected on {when:%Y-%m-%d %H:%M} UTC: Meta sends its "
            "contacts and history once per onboarding (offboard and onboard the number again to ask anew)")
    requested: dict[str, str] = {}
    for kind in (CONTACTS, HISTORY):
        if kind in asked:
            continue
        request_id = request(number_id, kind)
        with store.engine.begin() as connection:
            business_app.record_request(connection, account.id, kind, datetime.now(timezone.utc), request_id,
                                        days if kind == HISTORY else None)
        requested[kind] = request_id
    return Connection(account_number, number_id, requested)
