"""`python -m eazybe_local_graph --config FILE.json --webhook-url URL --port N`: serves the
numbers FILE.json describes (see eazybe_local_graph.config) until interrupted. The app secret and
access token come from EAZYBE_APP_SECRET (else EAZYBE_WHATSAPP_APP_SECRET, the webhook receiver's
name for the same secret) and EAZYBE_WHATSAPP_TOKEN only: never from arguments (which other users
can read in the process list), and never into the logs."""
from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from pathlib import Path

from eazybe_local_graph.config import load_numbers
from eazybe_local_graph.server import LocalGraph

SECRET_VARIABLE = "EAZYBE_APP_SECRET"
RECEIVER_SECRET_VARIABLE = "EAZYBE_WHATSAPP_APP_SECRET"
TOKEN_VARIABLE = "EAZYBE_WHATSAPP_TOKEN"
DEFAULT_PORT = 8787


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eazybe_local_graph", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, required=True, help="JSON file describing the business numbers")
    parser.add_argument("--webhook-url", required=True, help="where to deliver the webhooks")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"port on 127.0.0.1 (default {DEFAULT_PORT}; 0: any free one)")
    parser.add_argument("--retry-base-s", type=float, default=0.5,
                        help="first retry delay, doubled each time (default 0.5)")
    args = parser.parse_args(argv)
    secret = os.environ.get(SECRET_VARIABLE) or os.environ.get(RECEIVER_SECRET_VARIABLE)
    token = os.environ.get(TOKEN_VARIABLE)
    if not secret or not token:
        missing = [name for name, value in ((SECRET_VARIABLE, secret), (TOKEN_VARIABLE, token)) if not value]
        print(f"set {' and '.join(missing)} in the environment first", file=sys.stderr)
        return 2
    try:
        numbers = load_numbers(args.config)
    except (OSError, ValueError) as problem:
        print(f"cannot read {args.config}: {problem}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    graph = LocalGraph(numbers, args.webhook_url, secret, token, retry_base_s=args.retry_base_s)
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    graph.start(args.port)
    print(f"local Graph API at {graph.base_url} for {len(numbers)} number(s); webhooks to {args.webhook_url}",
          flush=True)
    try:
        stopping.wait()
    finally:
        graph.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
