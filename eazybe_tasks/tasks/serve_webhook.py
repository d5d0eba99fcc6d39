"""`cci task run serve_webhook`: the Cloud API webhook receiver, until stopped (Ctrl-C); with
`-o live_org <org>`, live mode: a sync into that org within seconds of each delivery."""
from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import ContextManager, Mapping

import uvicorn
import uvicorn.config
from cumulusci.core.exceptions import CumulusCIException, TaskOptionsError

from eazybe_tasks.live.live_sync import DEFAULT_DEBOUNCE_S, DEFAULT_MAX_DELAY_S, LiveSettings, LiveSync
from eazybe_tasks.salesforce.api_budget import DEFAULT_SHARE
from eazybe_tasks.salesforce.org_client import client_for_org
from eazybe_tasks.store.store import Store
from eazybe_tasks.sync.run import DEFAULT_DAYS
from eazybe_tasks.tasks.options import StoreTask, number
from eazybe_tasks.webhook.app import PATH, create_app
from eazybe_tasks.webhook.settings import (
    APP_SECRET_VARIABLE,
    DEFAULT_BODY_TIMEOUT_S,
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_PENDING_BODIES,
    SERVICE_TYPE,
    VERIFY_TOKEN_VARIABLE,
    WebhookSettings,
)

# uvicorn's own logging, plus the receiver's and live mode's lines in the same format. No access
# log: it would write Meta's handshake URL, verify token included; the app logs each outcome.
LOG_CONFIG = {**uvicorn.config.LOGGING_CONFIG, "loggers": {
    **uvicorn.config.LOGGING_CONFIG["loggers"],
    "eazybe_tasks": {"handlers": ["default"], "level": "INFO", "propagate": False},
}}
# What uvicorn lets connections hold before the app sees a request. uvicorn has no timeout on
# reading headers: the reverse proxy must time out slow ones (README: Behind a reverse proxy).
MAX_HEADER_BYTES = 16 * 1024  # request line and headers unfinished at this size are answered 400 (h11)
KEEP_ALIVE_S = 5  # an idle connection is closed this long after its last response
MAX_CONNECTIONS = 100  # a request beyond them is answered 503 by uvicorn


class ServeWebhook(StoreTask):
    task_docs = f"""
    Serves the WhatsApp Cloud API webhook at {PATH}. The verify token and the app secret come
    from ${VERIFY_TOKEN_VARIABLE} and ${APP_SECRET_VARIABLE}, else from the {SERVICE_TYPE}
    service of CumulusCI's keychain (cci service connect {SERVICE_TYPE}). Put it behind your
    HTTPS reverse proxy, which must also time out slow headers (uvicorn has no such timeout);
    Meta only calls https:// URLs. With live_org, every delivery that stores something new
    starts a sync into that org after debounce_s seconds without another delivery (at most
    max_delay_s after the first waiting one), one run at a time.
    """
    task_options = {
        "host": {"description": "Address to listen on (default 127.0.0.1)."},
        "port": {"description": "Port to listen on (default 8088)."},
        "max_body_bytes": {"description": f"Largest accepted body (default {DEFAULT_MAX_BODY_BYTES})."},
        "body_timeout_s": {"description": f"Seconds a body may take to arrive whole; a slower one is answered 408 "
                                          f"(default {DEFAULT_BODY_TIMEOUT_S:g})."},
        "max_pending_bodies": {"description": f"Bodies read at once before their signature is checked; one more is "
                                              f"answered 503 (default {DEFAULT_MAX_PENDING_BODIES})."},
        "live_org": {"description": "A CumulusCI org name: live mode, syncing into it within seconds of each "
                                    "delivery (default: off; the scheduled sync takes the messages)."},
        "debounce_s": {"description": f"Live mode: seconds without a delivery before a sync starts "
                                      f"(default {DEFAULT_DEBOUNCE_S:g})."},
        "max_delay_s": {"description": f"Live mode: longest wait of a delivery for its sync to start, however "
                                       f"busy (default {DEFAULT_MAX_DELAY_S:g})."},
        "days": {"description": f"Live mode: how far back messages are logged (default {DEFAULT_DAYS})."},
        "api_share": {"description": f"Live mode: share of the org's daily API allowance one run may use "
                                     f"(default {DEFAULT_SHARE})."},
        **StoreTask.task_options,
    }

    def _run_task(self) -> None:
        settings = self._settings()
        host, port = self.options.get("host") or "127.0.0.1", number(self.options, "port", int, 8088)
        store = self._open_store()
        live = self._live_sync(store)
        self.logger.info(f"receiving WhatsApp webhooks at http://{host}:{port}{PATH}"
                         + (f", live mode into org {self.options['live_org']}" if live else ""))
        app = create_app(store, settings, on_stored=live.delivery_stored if live else None)
        running: ContextManager[object] = live or nullcontext()
        with running:
            # h11 always, never httptools (uvicorn's pick where installed): the header limit is h11's
            uvicorn.run(app, host=host, port=port, log_config=LOG_CONFIG, access_log=False, http="h11",
                        h11_max_incomplete_event_size=MAX_HEADER_BYTES, timeout_keep_alive=KEEP_ALIVE_S,
                        limit_concurrency=MAX_CONNECTIONS)

    def _settings(self) -> WebhookSettings:
        options = self.options
        try:
            return WebhookSettings.resolve(
                self._service(), number(options, "max_body_bytes", int, DEFAULT_MAX_BODY_BYTES),
                number(options, "body_timeout_s", float, DEFAULT_BODY_TIMEOUT_S),
                number(options, "max_pending_bodies", int, DEFAULT_MAX_PENDING_BODIES),
            )
        except (RuntimeError, ValueError) as error:  # no secrets, or a limit that is no number or out of range
            raise TaskOptionsError(str(error)) from error

    def _service(self) -> Mapping[str, str | None] | None:
        """The whatsapp_webhook service's attributes, None when it is not connected."""
        try:
            return self.project_config.keychain.get_service(SERVICE_TYPE).config
        except CumulusCIException:
            return None

    def _live_sync(self, store: Store) -> LiveSync | None:
        org_name = self.options.get("live_org")
        if not org_name:
            return None
        options = self.options
        try:
            settings = LiveSettings(
                debounce_s=number(options, "debounce_s", float, DEFAULT_DEBOUNCE_S),
                max_delay_s=number(options, "max_delay_s", float, DEFAULT_MAX_DELAY_S),
                days=number(options, "days", int, DEFAULT_DAYS),
            )
            api_share = number(options, "api_share", float, DEFAULT_SHARE)
        except ValueError as error:
            raise TaskOptionsError(f"live mode: {error}") from error
        return LiveSync(store, client_for_org(org_name, Path(self.project_config.repo_root), api_share=api_share),
                        settings)
