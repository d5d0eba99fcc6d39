"""Business WhatsApp accounts: the numbers the toolkit logs conversations for.

An account carries what its numbers and days are read in: the default region for numbers typed
without a country code, and the time zone in which chat-days begin and end. A webhook can bring an
account nobody registered yet; it is registered with the region and time zone its number implies,
which an admin can change."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import phonenumbers
from phonenumbers import timezone as number_time_zones
from sqlalchemy import select
from sqlalchemy.engine import Connection

from eazybe_tasks.sources.model import SourceError
from eazybe_tasks.store.schema import accounts


@dataclass(frozen=True)
class Account:
    id: int
    number: str
    label: str | None
    default_region: str
    time_zone: str
    connected_at: datetime
    last_synced_at: datetime | None
    phone_number_id: str | None = None  # the Graph API's id of the number
    waba_id: str | None = None  # its WhatsApp Business Account


def implied_settings(number: str) -> tuple[str, str]:
    """The (region, IANA time zone) a business number implies; the first zone where a country
    spans several (an admin sets the right one); UTC for a country phonenumbers has no zone for."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException as error:
        raise SourceError(number, f"not an E.164 number: {error}") from error
    region = phonenumbers.region_code_for_number(parsed) or (
        phonenumbers.region_codes_for_country_code(parsed.country_code)[0]
    )
    return region, (_zones(parsed) or _zones(phonenumbers.example_number(region)) or ["UTC"])[0]


def _zones(number: phonenumbers.PhoneNumber | None) -> list[str]:
    """The IANA zones of a number; none for a range phonenumbers cannot place (its "Etc/Unknown"),
    whose country's zone is then taken."""
    if number is None:
        return []
    return [zone for zone in number_time_zones.time_zones_for_number(number)
            if zone != number_time_zones.UNKNOWN_TIMEZONE]


def all_accounts(connection: Connection) -> list[Account]:
    """Every registered account, in id order."""
    return [Account(**row._mapping) for row in connection.execute(select(accounts).order_by(accounts.c.id)).all()]


def find_account(connection: Connection, number: str) -> Account | None:
    row = connection.execute(select(accounts).where(accounts.c.number == number)).mappings().first()
    return Account(**row) if row else None


def register_account(
    connection: Connection,
    number: str,
    *,
    label: str | None = None,
    default_region: str | None = None,
    time_zone: str | None = None,
    connected_at: datetime | None = None,
) -> Account:
    """The account for `number`, registered now if it is new (an existing one is returned as is)."""
    existing = find_account(connection, number)
    if existing is not None:
        return existing
    region, zone = implied_settings(number)
    connection.execute(
        accounts.insert().values(
            number=number,
            label=label,
            default_region=default_region or region,
            time_zone=time_zone or zone,
            connected_at=connected_at or datetime.now(timezone.utc),
        )
    )
    account = find_account(connection, number)
    assert account is not None
    return account
