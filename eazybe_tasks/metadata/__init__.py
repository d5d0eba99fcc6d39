"""Offline checks of the project's Salesforce metadata (SFDX source format), no org needed."""
