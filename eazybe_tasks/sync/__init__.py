"""The sync: messages in the store become WhatsApp_Chat__c chat-day records in Salesforce."""
