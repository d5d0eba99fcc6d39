"""Where tasks that call the WhatsApp Graph API find it: the token in $EAZYBE_WHATSAPP_TOKEN (never
an option, so it stays out of command lines and logs) and the base URL in $EAZYBE_GRAPH_API_URL."""
from __future__ import annotations

import os

from cumulusci.core.exceptions import TaskOptionsError

from eazybe_tasks.sources.cloud_api.media import DEFAULT_GRAPH_URL

TOKEN_VARIABLE = "EAZYBE_WHATSAPP_TOKEN"
GRAPH_URL_VARIABLE = "EAZYBE_GRAPH_API_URL"


def graph_token() -> str:
    token = os.environ.get(TOKEN_VARIABLE)
    if not token:
        raise TaskOptionsError(f"set {TOKEN_VARIABLE} to a WhatsApp Cloud API access token")
    return token


def graph_url() -> str:
    return os.environ.get(GRAPH_URL_VARIABLE) or DEFAULT_GRAPH_URL
