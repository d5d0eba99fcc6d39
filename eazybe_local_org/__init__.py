"""A local, Salesforce-compatible API server backed by SQLite."""
