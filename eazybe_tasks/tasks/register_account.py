"""`cci task run register_account`: connects a business WhatsApp number, with the region and
time zone its numbers and days are read in."""
from __future__ import annotations

from eazybe_tasks.tasks.options import StoreTask


class RegisterAccount(StoreTask):
    task_docs = "Registers a business WhatsApp number in the store (no change if it exists)."
    task_options = {
        "number": {"description": "The business number, E.164 (+14155550100).", "required": True},
        "label": {"description": "A name for people, e.g. 'Sales US'."},
        "default_region": {"description": "Region for numbers typed without +; default: the number's."},
        "time_zone": {"description": "IANA time zone chat-days are cut in; default: the number's."},
        **StoreTask.task_options,
    }

    def _run_task(self) -> None:
        with self._bad_input_fails():
            account = self._open_store().register_account(
                self.options["number"], label=self.options.get("label"),
                default_region=self.options.get("default_region"),
                time_zone=self.options.get("time_zone"),
            )
        self.logger.info(
            f"account {account.number} ({account.label or 'no label'}): region "
            f"{account.default_region}, time zone {account.time_zone}"
        )
