"""`cci task run soql_query --org X -o query "SELECT ..."`: a SOQL query through the REST API,
printed as a table (or written as CSV safe to open in a spreadsheet), for admins checking what the sync wrote."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from cumulusci.tasks.salesforce import BaseSalesforceApiTask
from rich.console import Console
from rich.table import Table

from eazybe_tasks.spreadsheet_cells import write_csv
from eazybe_tasks.tasks.options import flag


def _flatten(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """`Contact__r: {Name}` becomes the column `Contact__r.Name`, as SOQL names it."""
    row: dict[str, Any] = {}
    for key, value in record.items():
        if key == "attributes":
            continue
        if isinstance(value, dict):
            row.update(_flatten(value, f"{prefix}{key}."))
        else:
            row[f"{prefix}{key}"] = value
    return row


class SoqlQuery(BaseSalesforceApiTask):
    task_docs = "Runs a SOQL query (all pages) and prints the records, or writes them to a CSV file."
    task_options = {
        "query": {"description": "The SOQL query.", "required": True},
        "output": {"description": "A .csv file to write instead of printing; a text cell starting with "
                              "= + - @ is written with a leading ' so spreadsheets do not run it."},
        "include_deleted": {"description": "True to use queryAll (deleted records too)."},
    }

    def _run_task(self) -> None:
        result = self.sf.query_all(self.options["query"], include_deleted=flag(self.options, "include_deleted"))
        rows = [_flatten(record) for record in result["records"]]
        columns = list(dict.fromkeys(column for row in rows for column in row))
        if self.options.get("output"):
            path = Path(self.options["output"])
            written = write_csv(path, columns, rows)
            self.logger.info(f"{written} records written to {path} (text that a spreadsheet would run as a "
                             f"formula starts with ')")
        else:
            table = Table(*columns)
            for row in rows:
                table.add_row(*("" if row.get(c) is None else str(row.get(c)) for c in columns))
            Console(width=200).print(table)
        self.logger.info(f"{result['totalSize']} records")
        self.return_values = {"total_size": result["totalSize"]}
