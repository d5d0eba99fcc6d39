"""Chat-days: one WhatsApp_Chat__c record per chat, per day, per linked person, rebuilt from the
store so a retried write sends exactly the same thing."""
