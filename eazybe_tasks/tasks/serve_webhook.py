"""`cci task run serve_webhook`: the Cloud API webhook receiver, until stopped (Ctrl-C)."""
from __future__ import annotations

import uvicorn
from cumulusci.core.exceptions import TaskOptionsError

from eazybe_tasks.tasks.store_task import StoreTask
from eazybe_tasks.webhook.app import PATH, create_app
from eazybe_tasks.webhook.settings import (
    APP_SECRET_VARIABLE,
    DEFAULT_MAX_BODY_BYTES,
    VERIFY_TOKEN_VARIABLE,
    WebhookSettings,
)


class ServeWebhook(StoreTask):
    task_docs = f"""
    Serves the WhatsApp Cloud API webhook at {PATH}. The verify token and the app secret come
    from ${VERIFY_TOKEN_VARIABLE} and ${APP_SECRET_VARIABLE}. Put it behind your HTTPS reverse
    proxy; Meta only calls https:// URLs.
    """
    task_options = {
        "host": {"description": "Address to listen on (default 127.0.0.1)."},
        "port": {"description": "Port to listen on (default 8088)."},
        "max_body_bytes": {"description": f"Largest accepted body (default {DEFAULT_MAX_BODY_BYTES})."},
        **StoreTask.task_options,
    }

    def _run_task(self) -> None:
        try:
            settings = WebhookSettings.from_environment(
                int(self.options.get("max_body_bytes") or DEFAULT_MAX_BODY_BYTES)
            )
        except RuntimeError as error:
            raise TaskOptionsError(str(error)) from error
        host, port = self.options.get("host") or "127.0.0.1", int(self.options.get("port") or 8088)
        self.logger.info(f"receiving WhatsApp webhooks at http://{host}:{port}{PATH}")
        uvicorn.run(create_app(self._open_store(), settings), host=host, port=port, log_level="info")
