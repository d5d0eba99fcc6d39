"""A read-only HTML view of the local org for people, served at /view: log in with the org's own
credentials, then browse objects, records, their related lists, notes and files."""
from eazybe_local_org.html_view.routes import view_routes

__all__ = ["view_routes"]
