"""`python -m eazybe_local_org` (console script `eazybe-local-org`): start, stop and inspect a
local org, and print what a client needs to use it."""
from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

from eazybe_local_org.api_usage import DEFAULT_DAILY_MAX
from eazybe_local_org.login_throttle import DEFAULT_MAX_FAILURES, DEFAULT_PERIOD_S, LockoutPolicy
from eazybe_local_org.org import API_VERSION
from eazybe_local_org.org_home import org_home
from eazybe_local_org.registration import cumulusci_org_config, register_with_cumulusci
from eazybe_local_org.server import DEFAULT_PORT, running, serve, start_background, stop
from eazybe_local_org.tls import ensure_tls
from eazybe_local_org.web.admin import call_faults_endpoint


def _not_running(name: str) -> int:
    print(f"the local org {name!r} is not running: start it first", file=sys.stderr)
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="eazybe-local-org", description=__doc__)
    parser.add_argument("command", choices=["serve", "start", "stop", "status", "env", "register", "faults"])
    parser.add_argument("--name", default="local", help="the org's name (default: local)")
    parser.add_argument("--home", type=Path, help="folder of local orgs (default: .eazybe/local-orgs)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--daily-max", type=int, default=DEFAULT_DAILY_MAX,
                        help=f"API calls allowed per day (default {DEFAULT_DAILY_MAX})")
    parser.add_argument("--max-invalid-logins", type=int, default=DEFAULT_MAX_FAILURES,
                        help=f"failed logins in a row that lock the user out (default {DEFAULT_MAX_FAILURES})")
    parser.add_argument("--lockout-seconds", type=float, default=DEFAULT_PERIOD_S,
                        help=f"how long a lockout lasts (default {DEFAULT_PERIOD_S:g})")
    parser.add_argument("--set", dest="fault_settings", metavar="JSON",
                        help='faults: switch fault injection on, e.g. \'{"seed": 7, "server_error_rate": 0.2}\'')
    parser.add_argument("--off", action="store_true", help="faults: switch fault injection off")
    args = parser.parse_args(argv)
    home = org_home(args.name, args.home)
    lockout = LockoutPolicy(args.max_invalid_logins, args.lockout_seconds)
    if args.command == "serve":
        serve(home, port=args.port, daily_max=args.daily_max, lockout=lockout)
        return 0
    if args.command == "start":
        server = start_background(home, args.port, daily_max=args.daily_max, lockout=lockout)
        credentials = home.credentials()
        print(f"local org {home.name!r} is running at {server.url} (pid {server.pid})")
        print(f"username: {credentials.username}")
        print(f"password: stored in {home.credentials_file}")
        print(f"trust its certificate with: export REQUESTS_CA_BUNDLE={ensure_tls(home.tls_folder).ca_bundle}")
        return 0
    if args.command == "stop":
        print("stopped" if stop(home) else "not running")
        return 0
    server = running(home)
    if args.command == "status":
        print(f"running at {server.url} (pid {server.pid})" if server else "not running")
        return 0 if server else 1
    if server is None:  # the commands below talk to the running org
        return _not_running(home.name)
    if args.command == "register":
        name = register_with_cumulusci(home, server.url)
        print(f"registered with CumulusCI as org {name!r}: cci org info {name}")
        print(f"CumulusCI must trust its certificate: export REQUESTS_CA_BUNDLE={ensure_tls(home.tls_folder).ca_bundle}")
    elif args.command == "env":
        config = cumulusci_org_config(home, server.url)
        print(f"export REQUESTS_CA_BUNDLE={shlex.quote(str(ensure_tls(home.tls_folder).ca_bundle))}")
        print(f"export CUMULUSCI_ORG_{home.name}={shlex.quote(json.dumps(config))}")
    elif args.command == "faults":
        method = "DELETE" if args.off else "POST" if args.fault_settings else "GET"
        try:
            state = call_faults_endpoint(home, server.url, API_VERSION, method, args.fault_settings)
        except RuntimeError as refused:
            print(f"the local org refused: {refused}", file=sys.stderr)
            return 1
        print(json.dumps(state, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
