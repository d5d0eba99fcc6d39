"""Cloud API text deliveries shaped as Meta sends them, and POSTed signed as Meta does: for tests
and benchmarks that talk to a running receiver over HTTP."""
from __future__ import annotations

import json
from datetime import datetime

import requests

from eazybe_tasks.sources.cloud_api import HEADER, sign


def text_delivery(business: str, sender: str, message_id: str, text: str, sent_at: datetime,
                  profile: str = "Customer") -> bytes:
    """One inbound text message from `sender` to the `business` number (both E.164)."""
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": business.lstrip("+"), "phone_number_id": "1122334455667"},
        "contacts": [{"profile": {"name": profile}, "wa_id": sender.lstrip("+")}],
        "messages": [{"from": sender.lstrip("+"), "id": message_id, "timestamp": str(int(sent_at.timestamp())),
                      "type": "text", "text": {"body": text}}],
    }
    envelope = {"object": "whatsapp_business_account",
                "entry": [{"id": "1234567890987654321", "changes": [{"field": "messages", "value": value}]}]}
    return json.dumps(envelope).encode()


def post_signed(url: str, raw: bytes, app_secret: str, signature: str | None = None) -> requests.Response:
    """POSTs `raw` with its signature under `app_secret`, or with the header value `signature`."""
    headers = {"Content-Type": "application/json", HEADER: signature or sign(raw, app_secret)}
    return requests.post(url, data=raw, headers=headers, timeout=30)
