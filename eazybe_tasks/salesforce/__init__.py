"""The Salesforce side: calls that survive Salesforce's bad days, and batched writes."""
