"""Matching: which Contacts and Leads a WhatsApp number belongs to, with no API call per message."""
