"""`python -m eazybe_tasks.demo history|business-app|live|has-people|where`: the demo's steps that no
CumulusCI task covers (make demo runs them between the cci tasks)."""
from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path

from eazybe_tasks.demo.business_app import load_business_app
from eazybe_tasks.demo.load import Loaded, load_history, load_live
from eazybe_tasks.demo.where import busiest_contact, has_sample_people
from eazybe_tasks.store.store import URL_VARIABLE, open_store


def _show(loaded: list[Loaded]) -> None:
    for item in loaded:
        statuses = f", {item.statuses_added} new statuses" if item.statuses_added else ""
        print(f"  {item.what}: {item.messages_added} new messages{statuses}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m eazybe_tasks.demo", description=__doc__)
    parser.add_argument("--store-url", help=f"the store (default ${URL_VARIABLE}, else .eazybe/store.db)")
    steps = parser.add_subparsers(dest="step", required=True)
    history = steps.add_parser("history", help="register the accounts, import sample exports, replay webhooks")
    history.add_argument("--out", type=Path, default=Path("build/demo"), help="where the exports are written")
    steps.add_parser("business-app", help="connect Vendas Brasil's WhatsApp Business app (local Graph API stand-in)")
    steps.add_parser("live", help="replay the deliveries of the last minutes")
    for name, purpose in (("has-people", "exit 0 if the org holds the sample people, 1 if not"),
                          ("where", "print the local org's view of the Contact with the most chats")):
        steps.add_parser(name, help=purpose).add_argument("--org", default="local", help="the CumulusCI org name")
    args = parser.parse_args(argv)
    now = datetime.now(timezone.utc)
    if args.step == "history":
        print(f"Sample chat exports in {args.out}/ and webhook deliveries, into the store:")
        _show(load_history(open_store(args.store_url), args.out / "exports", now))
    elif args.step == "business-app":
        print("The WhatsApp Business app of Vendas Brasil (coexistence), into the store:")
        for line in load_business_app(open_store(args.store_url), now):
            print(f"  {line}")
    elif args.step == "live":
        print("Webhook deliveries of the last minutes, into the store:")
        _show(load_live(open_store(args.store_url), now))
    else:
        from eazybe_tasks.salesforce.org_client import client_for_org

        client = client_for_org(args.org)
        if args.step == "has-people":
            sys.exit(0 if has_sample_people(client.sf) else 1)
        found = busiest_contact(client.sf)
        if found is None:
            print("No Contact has WhatsApp chats yet.")
            return
        contact, name, chats = found
        print(f"  {client.instance_url}/view/r/{contact} : {name}, a Contact with {chats} WhatsApp "
              "chat-day records, their notes and files")


if __name__ == "__main__":
    main()
