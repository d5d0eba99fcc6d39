"""Asking Meta for a coexistence number's WhatsApp Business app data: `POST
/{phone_number_id}/smb_app_data` with `sync_type` `smb_app_state_sync` (the app's contacts) or
`history` (up to 180 days of its chats). Each may be asked once, within 24 hours of onboarding;
Meta then sends the data to the webhook. The token is sent as a bearer header, never logged."""
from __future__ import annotations

import requests

CONTACTS, HISTORY = "smb_app_state_sync", "history"


class BusinessAppSyncError(Exception):
    pass


def request_sync(base_url: str, token: str, phone_number_id: str, sync_type: str, timeout: float = 30.0) -> str:
    """Meta's request id for the sync asked. Raises BusinessAppSyncError with the Graph API's
    own message when it refuses (a repeated request, an expired token...)."""
    if not token:
        raise BusinessAppSyncError("a Graph API access token is needed to ask for the Business app's data")
    url = f"{base_url.rstrip('/')}/{phone_number_id}/smb_app_data"
    try:
        response = requests.post(url, json={"messaging_product": "whatsapp", "sync_type": sync_type},
                                 headers={"Authorization": f"Bearer {token}"}, timeout=timeout)
    except requests.RequestException as error:
        raise BusinessAppSyncError(f"POST {url}: {type(error).__name__}") from error
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    if response.status_code != 200:
        error = answer.get("error") if isinstance(answer, dict) else None
        message = error.get("message") if isinstance(error, dict) else None
        details = (error.get("error_data") or {}).get("details") if isinstance(error, dict) else None
        said = "; ".join(str(part) for part in (message, details) if part) or response.reason
        raise BusinessAppSyncError(f"the Graph API refused the {sync_type} request (HTTP {response.status_code}): {said}")
    return str(answer.get("request_id") or "")
