"""Bulk API 2.0 for the local org: ingest jobs (CSV in, per-row results out) and query jobs
(SOQL results out as CSV pages), driven over HTTP by `eazybe_local_org.web.bulk2`."""
