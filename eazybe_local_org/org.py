"""One local org at run time: its database, schema, deployed metadata, sessions, API usage and
record writer.

Every request works under the org's lock, one at a time, as one SQLite transaction: a request
either changes the org as a whole or not at all, the way a Salesforce API call is atomic."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterator

from starlette.requests import Request

from eazybe_local_org import storage
from eazybe_local_org.api_usage import DEFAULT_DAILY_MAX, ApiUsage
from eazybe_local_org.faults import Faults
from eazybe_local_org.ids import IdGenerator
from eazybe_local_org.login_throttle import LockoutPolicy, LoginThrottle
from eazybe_local_org.metadata_api.store import MetadataStore
from eazybe_local_org.org_home import Credentials, OrgHome
from eazybe_local_org.records.values import format_datetime
from eazybe_local_org.records.writer import RecordWriter
from eazybe_local_org.schema.registry import SchemaRegistry
from eazybe_local_org.schema.standard import DEFAULT_ACCESS, ORGANIZATION_PREFERENCES
from eazybe_local_org.sessions import Sessions

API_VERSION = "67.0"
# A new Developer Edition org's default sharing, as Salesforce reports it on Organization.
DEFAULT_ACCESS_VALUES = {
    "Account": "Edit", "Contact": "ControlledByParent", "Opportunity": "Edit", "Lead": "ReadEditTransfer",
    "Case": "ReadEditTransfer", "Calendar": "HideDetailsInsert", "Pricebook": "ReadSelect", "Campaign": "All",
}


@dataclass(frozen=True)
class Identity:
    org_id: str
    user_id: str


def stored_identity(connection: sqlite3.Connection) -> Identity | None:
    """The org's ids as its first start recorded them, or None for a new org."""
    connection.execute("CREATE TABLE IF NOT EXISTS _settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    row = connection.execute("SELECT value FROM _settings WHERE key = 'identity'").fetchone()
    return Identity(**json.loads(row[0])) if row else None


class LocalOrg:
    def __init__(
        self, home: OrgHome, *, api_version: str = API_VERSION, daily_max: int = DEFAULT_DAILY_MAX,
        lockout: LockoutPolicy = LockoutPolicy(), clock: Callable[[], float] = time.time,
    ):
        """`clock` is the login lockout's, so tests can move it past the lockout period."""
        home.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.home = home
        self.api_version = api_version
        self.credentials: Credentials = home.credentials()
        self.lock = threading.RLock()
        self.connection = sqlite3.connect(home.database, check_same_thread=False)
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute("PRAGMA synchronous=NORMAL")
        known = stored_identity(self.connection)
        self.registry = SchemaRegistry(self.connection)
        self.metadata = MetadataStore(self.connection, self.registry.object)
        self.usage = ApiUsage(self.connection, daily_max)
        self._ids = IdGenerator(json.loads(self._setting("id_counters") or "{}"))
        self.identity = known or self._bootstrap()
        self.sessions = Sessions(self.connection, self.identity.org_id)
        self.login_throttle = LoginThrottle(self.connection, lockout, clock)
        self.faults = Faults()

    # -- settings and ids --------------------------------------------------------------------
    def _setting(self, key: str) -> str | None:
        row = self.connection.execute("SELECT value FROM _settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set(self, key: str, value: str) -> None:
        self.connection.execute(
            "INSERT INTO _settings VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value)
        )

    def new_ids(self, prefix: str, count: int) -> list[str]:
        """Ids issued inside the caller's transaction, so a rolled-back request reuses none."""
        issued = self._ids.next(prefix, count)
        self._set("id_counters", json.dumps(self._ids.counters))
        return issued

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """The request's unit of work: committed whole, or rolled back whole (ids included)."""
        with self.lock:
            counters = dict(self._ids.counters)
            self.connection.execute("BEGIN IMMEDIATE")
            try:
                yield self.connection
            except BaseException:
                self.connection.rollback()
                self._ids = IdGenerator(counters)
                raise
            self.connection.commit()

    def writer(self) -> RecordWriter:
        return RecordWriter(self.connection, self.registry, self.identity.user_id, self.new_ids)

    # -- identity ----------------------------------------------------------------------------
    def _bootstrap(self) -> Identity:
        """The org's Organization and admin User records, made on its first start."""
        with self.transaction():
            organization, user = self.registry.object("Organization"), self.registry.object("User")
            assert organization is not None and user is not None
            org_id = self.new_ids(organization.key_prefix, 1)[0]
            user_id = self.new_ids(user.key_prefix, 1)[0]
            now = format_datetime(datetime.now(timezone.utc))
            storage.insert(self.connection, organization, {
                "Id": org_id, "Name": f"EazyBe Local Org ({self.home.name})", "OrganizationType": "Developer Edition",
                "IsSandbox": 0, "IsReadOnly": 0, "InstanceName": "LOCAL", "NamespacePrefix": None,
                "TrialExpirationDate": None, "TimeZoneSidKey": "GMT", "DefaultLocaleSidKey": "en_US",
                "LanguageLocaleKey": "en_US", "Country": "US", "PrimaryContact": "Local Admin",
                "FiscalYearStartMonth": 1, "UsesStartDateAsFiscalYearName": 0, "ReceivesInfoEmails": 0,
                "ReceivesAdminInfoEmails": 0, "UiSkin": "Theme3", "SignupCountryIsoCode": "US",
                "NumKnowledgeService": 0, "WebToCaseDefaultOrigin": "Web", "MonthlyPageViewsUsed": 0,
                "MonthlyPageViewsEntitlement": 0,
                **{f"Preferences{name}": 0 for name, _ in ORGANIZATION_PREFERENCES},
                **{f"Default{name}Access": DEFAULT_ACCESS_VALUES[name] for name, _ in DEFAULT_ACCESS},
                "CreatedDate": now, "CreatedById": user_id, "LastModifiedDate": now, "LastModifiedById": user_id,
                "SystemModstamp": now,
            })
            storage.insert(self.connection, user, {
                "Id": user_id, "Username": self.credentials.username, "FirstName": "Local", "LastName": "Admin",
                "Name": "Local Admin", "Alias": "ladmin", "Email": self.credentials.username, "IsActive": 1,
                "TimeZoneSidKey": "GMT", "LocaleSidKey": "en_US", "EmailEncodingKey": "UTF-8",
                "LanguageLocaleKey": "en_US", "UserType": "Standard", "CreatedDate": now,
                "LastModifiedDate": now, "SystemModstamp": now,
            })
            identity = Identity(org_id, user_id)
            self._set("identity", json.dumps(identity.__dict__))
        return identity

    def user_record(self) -> dict[str, Any]:
        user = self.registry.object("User")
        assert user is not None
        return storage.select_by_id(self.connection, user, [self.identity.user_id]).get(self.identity.user_id, {})

    def sign_identity(self, access_token: str) -> str:
        """OAuth's `signature`: HMAC-SHA256 of id URL + issued_at, base64; clients rarely check it."""
        digest = hmac.new(self.credentials.client_secret.encode(), access_token.encode(), hashlib.sha256).digest()
        return base64.b64encode(digest).decode()

    # -- sessions ----------------------------------------------------------------------------
    def log_in(self, username: str, password_ok: bool) -> str | None:
        """A new session for the org's user, or None: the username is not theirs, the password is
        wrong or they are locked out. Every login (SOAP, OAuth, the view) comes through here, so
        all of them count towards the same lockout."""
        if not hmac.compare_digest(username.encode(), self.credentials.username.encode()):
            return None
        with self.lock:
            if not self.login_throttle.attempt(self.identity.user_id, password_ok):
                return None
            return self.sessions.issue(self.identity.user_id)

    def authenticated_user(self, request: Request) -> str | None:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() not in ("bearer", "oauth") or not token:
            return None
        with self.lock:
            return self.sessions.user_for(token.strip())
