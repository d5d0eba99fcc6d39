"""`LocalGraph`: the stand-in put together and served by uvicorn on a loopback port in a
background thread, with what tests and the demo need around it (its URL, waiting until every
webhook has landed, the deliveries and requests it recorded)."""
from __future__ import annotations

import socket
import threading
import time
from datetime import datetime
from types import TracebackType

import uvicorn

from eazybe_local_graph.app import create_app
from eazybe_local_graph.business_app import AppContact, BusinessNumber
from eazybe_local_graph.coexistence import Clock, Coexistence, utc_now
from eazybe_local_graph.payloads import Body, OffboardEvent
from eazybe_local_graph.requests_log import RequestsLog, SmbAppDataRequest
from eazybe_local_graph.sender import DEFAULT_MAX_ATTEMPTS, Delivery, Sender
from eazybe_local_graph.worker import DeliveryQueue

GRAPH_VERSION = "v21.0"
HOST = "127.0.0.1"
START_TIMEOUT_S = 15.0


class LocalGraph:
    """Serves the numbers' smb_app_data endpoints and sends their webhooks to `webhook_url`,
    signed with `app_secret`; accepts only `token`. Use start()/stop() or `with LocalGraph(...)`."""

    def __init__(
        self, numbers: list[BusinessNumber], webhook_url: str, app_secret: str, token: str,
        retry_base_s: float = 0.5, max_attempts: int = DEFAULT_MAX_ATTEMPTS, clock: Clock = utc_now,
    ) -> None:
        self._sender = Sender(webhook_url, app_secret, retry_base_s=retry_base_s, max_attempts=max_attempts)
        self._queue = DeliveryQueue()
        self._requests = RequestsLog()
        self._coexistence = Coexistence(numbers, self._sender, self._queue, clock)
        self._app = create_app(self._coexistence, token, self._requests)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._listener: socket.socket | None = None
        self._port: int | None = None

    def __repr__(self) -> str:  # never shows the secret or the token
        return f"LocalGraph(port={self._port}, webhook_url={self._sender.webhook_url!r})"

    # Serving

    def start(self, port: int = 0) -> LocalGraph:
        """Serves on 127.0.0.1:`port` (0: a free one) until stop(); returns once it answers."""
        if self._server is not None:
            raise RuntimeError("the local Graph API is already started")
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((HOST, port))
        self._listener, self._port = listener, listener.getsockname()[1]
        self._server = uvicorn.Server(uvicorn.Config(self._app, log_level="warning", timeout_graceful_shutdown=2))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [listener]},
                                        name="local-graph-http", daemon=True)
        self._queue.start()
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                self.stop()
                raise RuntimeError("the local Graph API did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Stops serving and sending: webhooks not sent yet are dropped, retries end."""
        self._sender.stop()
        self._queue.stop()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(START_TIMEOUT_S)
        if self._listener is not None:
            self._listener.close()
        self._sender.close()

    def __enter__(self) -> LocalGraph:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the local Graph API is not started")
        return self._port

    @property
    def root_url(self) -> str:
        """http://127.0.0.1:PORT"""
        return f"http://{HOST}:{self.port}"

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:PORT/v21.0: what a Graph client's base URL would be."""
        return f"{self.root_url}/{GRAPH_VERSION}"

    # What happened

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """True once every webhook asked for so far has been delivered or given up on."""
        return self._queue.wait_idle(timeout)

    @property
    def deliveries(self) -> list[Delivery]:
        """Every webhook's outcome, in the order they finished."""
        return self._sender.deliveries

    @property
    def requests(self) -> list[SmbAppDataRequest]:
        """Every smb_app_data request received, in order, with how it was answered."""
        return self._requests.all()

    # Webhooks that follow onboarding (no Meta API triggers these: the business app or Meta does)

    def send_echo(self, phone_number_id: str, to_digits: str, text: str, sent_at: datetime | None = None) -> Body:
        """The business sent `text` to `to_digits` from its app: queues the smb_message_echoes webhook."""
        return self._coexistence.send_echo(phone_number_id, to_digits, text, sent_at)

    def offboard(self, waba_id: str, event: OffboardEvent = "PARTNER_REMOVED") -> Body:
        """The WABA left coexistence: queues the account_update webhook."""
        return self._coexistence.offboard(waba_id, event)

    def sync_contact(self, phone_number_id: str, contact: AppContact) -> Body:
        """A contact was added or edited in the app: queues its smb_app_state_sync webhook."""
        return self._coexistence.sync_contact(phone_number_id, contact)

    def remove_contact(self, phone_number_id: str, phone_number: str) -> Body:
        """A contact was deleted in the app: queues its smb_app_state_sync removal."""
        return self._coexistence.remove_contact(phone_number_id, phone_number)
