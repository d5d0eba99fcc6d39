"""`cci task run import_chat_export`: a WhatsApp "Export chat" file (.txt or .zip) into the store."""
from __future__ import annotations

from pathlib import Path

from eazybe_tasks.imports.export_import import ExportOptions, import_export
from eazybe_tasks.sources.exports import DateOrder
from eazybe_tasks.tasks.options import StoreTask, flag


class ImportChatExport(StoreTask):
    task_docs = """
    Imports an export from the WhatsApp app. The export does not say who the business user is,
    nor the other party's number in a 1:1 chat (unless WhatsApp wrote it as the name): pass them.
    A chat the business never wrote in (an unanswered lead) imports when the other number is
    given: every message is then from the other party. A group's name comes from the file name
    ("WhatsApp Chat with <name>"), else from the export's last subject line.
    Importing the same export again, or a later one that overlaps, adds no duplicate; importing a
    chat's .zip after its .txt adds the media to the messages already stored.
    A .zip is refused whole beyond its limits: chat text 256 MiB, a media file 100 MiB, 2 GiB in
    all, members over 1 MiB expanding more than 100:1, member names absolute or with "..".
    A message dated more than a day after now is refused. A refused export stores nothing.
    """
    task_options = {
        "path": {"description": "The .txt or .zip export.", "required": True},
        "account": {"description": "The business number the chat was exported from (E.164).", "required": True},
        "me": {"description": "The business user's name as the export writes it.", "required": True},
        "other_number": {"description": "The other party's number (E.164), for a 1:1 chat."},
        "chat_name": {"description": "The chat's name; default: from the file name, else (a group) its subject line."},
        "group": {"description": "True or False; default: decided from the export."},
        "date_order": {"description": "dmy, mdy or ymd, when the export's dates are ambiguous."},
        **StoreTask.task_options,
    }

    def _run_task(self) -> None:
        path = Path(self.options["path"])
        options = ExportOptions(
            account_number=self.options["account"],
            me=self.options["me"],
            other_number=self.options.get("other_number"),
            chat_name=self.options.get("chat_name"),
            is_group=flag(self.options, "group") if self.options.get("group") not in (None, "") else None,
            date_order=DateOrder(self.options["date_order"]) if self.options.get("date_order") else None,
            progress=True,
        )
        with self._bad_input_fails():
            result = import_export(self._open_store(), path, options)
        self.logger.info(f"{path}: {result.describe()}, "
                         f"{result.attachments_added} attachments added to messages stored before")
        self.return_values = {"seen": result.messages_seen, "added": result.messages_added,
                              "notices": result.notices_seen, "attachments_added": result.attachments_added}
