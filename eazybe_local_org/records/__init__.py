"""Records: Salesforce's validation and system fields over the org's SQLite storage."""
