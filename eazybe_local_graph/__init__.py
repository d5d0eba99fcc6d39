"""A local stand-in for Meta's WhatsApp Graph API coexistence endpoints (`smb_app_data`): the real
Graph API is unreachable from tests and the offline demo, so this serves the same requests and
delivers Meta-shaped, signed webhooks (contacts, history, echoes, offboarding) to a receiver.

Independent of the rest of the project on purpose: only the standard library, Starlette, uvicorn
and httpx, so it stands in for Meta and never shares code with the receiver it exercises."""
from __future__ import annotations

from eazybe_local_graph.business_app import AppContact, BusinessNumber, HistoryMessage, Thread
from eazybe_local_graph.requests_log import SmbAppDataRequest
from eazybe_local_graph.sender import Delivery, Sender
from eazybe_local_graph.server import LocalGraph

__all__ = [
    "AppContact", "BusinessNumber", "Delivery", "HistoryMessage", "LocalGraph", "Sender",
    "SmbAppDataRequest", "Thread",
]
