"""`cci task run connect_business_app`: asks Meta for a coexistence number's WhatsApp Business app
contacts and history (once per onboarding), to be delivered to the webhook receiver."""
from __future__ import annotations

from cumulusci.core.exceptions import CumulusCIFailure, TaskOptionsError

from eazybe_tasks.imports.business_app import AlreadyConnected, connect_business_app
from eazybe_tasks.sources.cloud_api.business_app_sync import BusinessAppSyncError, request_sync
from eazybe_tasks.tasks.graph_api import TOKEN_VARIABLE, graph_token, graph_url
from eazybe_tasks.tasks.options import StoreTask, number

HISTORY_DAYS = 180  # what Meta shares at most


class ConnectBusinessApp(StoreTask):
    task_docs = (f"Requests the Business app's contacts sync and chat history through the Graph API (token in "
                 f"${TOKEN_VARIABLE}); `days` of the history are logged to Salesforce.")
    task_options = {
        "account": {"description": "The business number on coexistence, E.164.", "required": True},
        "days": {"description": f"Days of the app's history to log to Salesforce (default 3, at most {HISTORY_DAYS})."},
        "phone_number_id": {"description": "The number's Graph API id; default: as its webhook deliveries gave it."},
        **StoreTask.task_options,
    }

    def _init_options(self, kwargs: dict) -> None:  # type: ignore[type-arg]
        super()._init_options(kwargs)
        days = number(self.options, "days", int, 3)
        if not 0 < days <= HISTORY_DAYS:
            raise TaskOptionsError(f"option days: expected a whole number from 1 to {HISTORY_DAYS}, got {days}")
        self.options["days"] = days

    def _run_task(self) -> None:
        token, base_url = graph_token(), graph_url()
        try:
            connected = connect_business_app(
                self._open_store(), lambda number_id, kind: request_sync(base_url, token, number_id, kind),
                self.options["account"], self.options["days"], self.options.get("phone_number_id"))
        except (AlreadyConnected, BusinessAppSyncError, ValueError) as error:
            raise CumulusCIFailure(str(error)) from error
        for kind, request_id in connected.requested.items():
            self.logger.info(f"{connected.account_number}: {kind} requested (Meta request {request_id or 'n/a'})")
        self.logger.info(f"the webhook receives the data within minutes; {self.options['days']} days of history "
                         "go to Salesforce with the next syncs")
        self.return_values = {"requested": sorted(connected.requested)}
