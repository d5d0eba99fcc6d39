"""The audit report: what the sync logged, what it did not and why, read from the store's ledger
and run records, and a reconciliation of the ledger against the org. The notebook
notebooks/audit_report.ipynb only calls these modules and shows what they return."""
