"""What CumulusCI needs to use a local org: an org config (instance URL, connected app, refresh
token, ids), for its keychain or for a CUMULUSCI_ORG_<name> environment variable."""
from __future__ import annotations

import sqlite3
from typing import Any

from eazybe_local_org.org import stored_identity
from eazybe_local_org.org_home import OrgHome


def cumulusci_org_config(home: OrgHome, url: str) -> dict[str, Any]:
    credentials = home.credentials()
    connection = sqlite3.connect(home.database)
    try:
        identity = stored_identity(connection)
    finally:
        connection.close()
    if identity is None:
        raise RuntimeError(f"the local org {home.name!r} has never been started")
    return {
        "instance_url": url,
        "login_url": url,
        "client_id": credentials.client_id,
        "client_secret": credentials.client_secret,
        "refresh_token": credentials.refresh_token,
        "access_token": "",
        "id": f"{url}/id/{identity.org_id}/{identity.user_id}",
        "org_id": identity.org_id,
        "username": credentials.username,
        "expires": "Persistent",
    }


def register_with_cumulusci(home: OrgHome, url: str, keychain: Any = None) -> str:
    """Saves the org in the CumulusCI project's keychain (the current project's when none is
    given) under the org's name, replacing an earlier registration, whose URL may be stale:
    each start can use another port."""
    from cumulusci.core.config import OrgConfig

    if keychain is None:
        from cumulusci.cli.runtime import CliRuntime

        keychain = CliRuntime(load_keychain=True).keychain
    config = OrgConfig(cumulusci_org_config(home, url), home.name, keychain=keychain, global_org=False)
    keychain.set_org(config, global_org=False)
    return home.name
