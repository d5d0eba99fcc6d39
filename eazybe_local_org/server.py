"""Running a local org: in the foreground under uvicorn with TLS, or as a background process
that other commands find through the org's server.json."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass

import requests
import uvicorn

from eazybe_local_org.api_usage import DEFAULT_DAILY_MAX
from eazybe_local_org.login_throttle import LockoutPolicy
from eazybe_local_org.org import LocalOrg
from eazybe_local_org.org_home import OrgHome
from eazybe_local_org.tls import TlsFiles, ensure_tls
from eazybe_local_org.web.app import create_app

DEFAULT_PORT = 8443


@dataclass(frozen=True)
class RunningServer:
    pid: int
    url: str


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a server this process started and that has exited is a zombie until reaped
        reaped, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return reaped != pid


def running(home: OrgHome) -> RunningServer | None:
    """The org's server if its process is alive."""
    if not home.server_file.exists():
        return None
    info = json.loads(home.server_file.read_text())
    if not _alive(info["pid"]):
        return None
    return RunningServer(info["pid"], info["url"])


def serve(
    home: OrgHome, host: str = "127.0.0.1", port: int = DEFAULT_PORT, daily_max: int = DEFAULT_DAILY_MAX,
    lockout: LockoutPolicy = LockoutPolicy(),
) -> None:
    """Serves the org until interrupted; records its pid and URL while it runs."""
    tls = ensure_tls(home.tls_folder)
    org = LocalOrg(home, daily_max=daily_max, lockout=lockout)
    url = f"https://{'localhost' if host in ('127.0.0.1', 'localhost') else host}:{port}"
    home.server_file.write_text(json.dumps({"pid": os.getpid(), "url": url}))
    try:
        uvicorn.run(
            create_app(org), host=host, port=port, log_level="warning",
            ssl_certfile=str(tls.certificate), ssl_keyfile=str(tls.private_key),
            # Clients keep connections alive; on stop, give them a moment, not forever.
            timeout_graceful_shutdown=2,
        )
    finally:
        home.server_file.unlink(missing_ok=True)


def _answers(url: str, tls: TlsFiles) -> bool:
    try:
        return requests.get(f"{url}/services/data", verify=str(tls.ca_bundle), timeout=2).status_code == 200
    except requests.RequestException:
        return False


def start_background(
    home: OrgHome, port: int = DEFAULT_PORT, timeout_s: float = 60, daily_max: int = DEFAULT_DAILY_MAX,
    lockout: LockoutPolicy = LockoutPolicy(),
) -> RunningServer:
    """Starts the org's server as its own process (logging to server.log) and waits until it
    answers over HTTPS."""
    already = running(home)
    if already is not None:
        return already
    tls = ensure_tls(home.tls_folder)
    home.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    with home.log_file.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "eazybe_local_org", "serve", "--name", home.name,
             "--home", str(home.folder.parent), "--port", str(port), "--daily-max", str(daily_max),
             "--max-invalid-logins", str(lockout.max_failures), "--lockout-seconds", str(lockout.period_s)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )
    url = f"https://localhost:{port}"
    deadline = time.monotonic() + timeout_s
    while not _answers(url, tls):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"the local org did not start; see {home.log_file}")
        time.sleep(0.2)
    return RunningServer(process.pid, url)


def stop(home: OrgHome, timeout_s: float = 20) -> bool:
    """Stops the org's background server; False when none was running."""
    server = running(home)
    if server is None:
        return False
    os.kill(server.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while running(home) is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    if running(home) is not None:
        os.kill(server.pid, signal.SIGKILL)
    home.server_file.unlink(missing_ok=True)
    return True
