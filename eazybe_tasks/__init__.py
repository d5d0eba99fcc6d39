"""EazyBe WhatsApp for Salesforce: CumulusCI tasks and the sync engine."""
