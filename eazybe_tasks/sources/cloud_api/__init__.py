"""WhatsApp Business Cloud API webhooks: signature check and payload normalization.
Pure functions: no HTTP, no storage; the receiver calls them."""
from eazybe_tasks.sources.cloud_api.payload import Delivery, parse_delivery
from eazybe_tasks.sources.cloud_api.signature import HEADER, SignatureError, sign, verify_signature

__all__ = ["HEADER", "Delivery", "SignatureError", "parse_delivery", "sign", "verify_signature"]
