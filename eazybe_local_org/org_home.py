"""Where a local org lives on disk, and the credentials it issues.

Each org is a folder: its SQLite database, its credentials (owner-only), its server's pid and
log. The TLS files are shared by every org under the same home, so one CA bundle trusts them all."""
from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

HOME_VARIABLE = "EAZYBE_LOCAL_ORG_HOME"
DEFAULT_HOME = Path(".eazybe") / "local-orgs"


@dataclass(frozen=True)
class Credentials:
    """What a client needs to log in: a connected app (client id and secret), a user and a
    refresh token, as a real org hands them out."""

    username: str
    password: str
    client_id: str
    client_secret: str
    refresh_token: str

    @classmethod
    def generate(cls, org_name: str) -> "Credentials":
        return cls(
            username=f"admin@{org_name}.local-org.test",
            password=secrets.token_urlsafe(18),
            client_id="3MVG9" + secrets.token_urlsafe(60).replace("-", "A").replace("_", "B")[:80],
            client_secret=secrets.token_hex(32).upper(),
            refresh_token="5Aep861" + secrets.token_urlsafe(64),
        )


@dataclass(frozen=True)
class OrgHome:
    name: str
    folder: Path

    @property
    def database(self) -> Path:
        return self.folder / "org.db"

    @property
    def credentials_file(self) -> Path:
        return self.folder / "credentials.json"

    @property
    def server_file(self) -> Path:
        """Written by a running server: its pid and URL."""
        return self.folder / "server.json"

    @property
    def log_file(self) -> Path:
        return self.folder / "server.log"

    @property
    def bulk_results(self) -> Path:
        """Result files of the running server's finished Bulk API jobs."""
        return self.folder / "bulk2-results"

    @property
    def tls_folder(self) -> Path:
        return self.folder.parent / "tls"

    def credentials(self) -> Credentials:
        """The org's credentials, created (owner-readable only) the first time."""
        if self.credentials_file.exists():
            return Credentials(**json.loads(self.credentials_file.read_text()))
        made = Credentials.generate(self.name)
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor = os.open(self.credentials_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as stream:
            json.dump(asdict(made), stream, indent=2)
        return made


def org_home(name: str = "local", home: Path | None = None) -> OrgHome:
    base = home or Path(os.environ.get(HOME_VARIABLE) or DEFAULT_HOME)
    return OrgHome(name, base.resolve() / name)
