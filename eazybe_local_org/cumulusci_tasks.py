"""The local org as CumulusCI tasks: `cci task run local_org_start` starts it in the background
and registers it in the project's keychain, so `--org local` works at once."""
from __future__ import annotations

from pathlib import Path

from cumulusci.core.tasks import BaseTask

from eazybe_local_org.org_home import org_home
from eazybe_local_org.registration import register_with_cumulusci
from eazybe_local_org.server import DEFAULT_PORT, start_background, stop
from eazybe_local_org.tls import ensure_tls

_OPTIONS = {
    "name": {"description": "The org's name, also its CumulusCI org name (default: local)."},
    "home": {"description": "Folder of local orgs (default: .eazybe/local-orgs)."},
}


def _home(options: dict):  # type: ignore[no-untyped-def]
    return org_home(options.get("name") or "local", Path(options["home"]) if options.get("home") else None)


class StartLocalOrg(BaseTask):
    task_docs = "Starts the local Salesforce-compatible org over HTTPS and registers it with CumulusCI."
    task_options = {**_OPTIONS, "port": {"description": f"HTTPS port (default {DEFAULT_PORT})."}}

    def _run_task(self) -> None:
        home = _home(self.options)
        server = start_background(home, int(self.options.get("port") or DEFAULT_PORT))
        name = register_with_cumulusci(home, server.url, self.project_config.keychain)
        bundle = ensure_tls(home.tls_folder).ca_bundle
        self.logger.info(f"local org running at {server.url}, registered as CumulusCI org {name!r}")
        self.logger.info(f"clients trust its certificate with: export REQUESTS_CA_BUNDLE={bundle}")
        self.return_values = {"url": server.url, "ca_bundle": str(bundle)}


class StopLocalOrg(BaseTask):
    task_docs = "Stops the local org's background server (its data stays for the next start)."
    task_options = dict(_OPTIONS)

    def _run_task(self) -> None:
        stopped = stop(_home(self.options))
        self.logger.info("local org stopped" if stopped else "local org was not running")
