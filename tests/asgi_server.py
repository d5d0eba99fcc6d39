"""Free loopback ports, and ASGI apps served by a real uvicorn server for tests that talk HTTP
(the project's own `serving`, which the demo uses too)."""
from __future__ import annotations

import socket

from eazybe_tasks.background_server import serving

__all__ = ["serving", "_free_port"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
