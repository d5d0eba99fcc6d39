"""Sources: turn outside WhatsApp data (chat exports, Cloud API webhooks, a JSONL feed) into
normalized messages. Sources never talk to Salesforce."""
