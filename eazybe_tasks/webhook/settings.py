"""The receiver's secrets and limits, never from the repository: each secret from its environment
variable, else from the CumulusCI keychain's `whatsapp_webhook` service (`cci service connect
whatsapp_webhook`, defined in cumulusci.yml), which keeps it encrypted on the operator's machine.

The verify token and the app secret are the two values set in the Meta app's webhook
configuration. They are kept out of reprs so a logged settings object shows no secret.

The limits bound what a caller without the secret can make the receiver hold: every body is read
before its signature can be checked."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Mapping

VERIFY_TOKEN_VARIABLE = "EAZYBE_WEBHOOK_VERIFY_TOKEN"
APP_SECRET_VARIABLE = "EAZYBE_WHATSAPP_APP_SECRET"
SERVICE_TYPE = "whatsapp_webhook"
# The service's attribute holding each secret, by environment variable.
SERVICE_ATTRIBUTES = {VERIFY_TOKEN_VARIABLE: "verify_token", APP_SECRET_VARIABLE: "app_secret"}
# Meta's deliveries are a few kilobytes; a megabyte leaves room for large batches.
DEFAULT_MAX_BODY_BYTES = 1024 * 1024
# Meta sends a delivery in well under a second; a body still arriving after this is stalled.
DEFAULT_BODY_TIMEOUT_S = 10.0
# Bodies read at once before their signature is checked: at most this many times max_body_bytes held.
DEFAULT_MAX_PENDING_BODIES = 32


@dataclass(frozen=True)
class WebhookSettings:
    verify_token: str = field(repr=False)
    app_secret: str = field(repr=False)
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    body_timeout_s: float = DEFAULT_BODY_TIMEOUT_S
    max_pending_bodies: int = DEFAULT_MAX_PENDING_BODIES

    def __post_init__(self) -> None:
        if self.body_timeout_s <= 0 or self.max_pending_bodies < 1:
            raise ValueError(f"body_timeout_s ({self.body_timeout_s:g}) must be above 0 and max_pending_bodies "
                             f"({self.max_pending_bodies}) at least 1")

    @classmethod
    def resolve(cls, service: Mapping[str, str | None] | None = None,
                max_body_bytes: int = DEFAULT_MAX_BODY_BYTES, body_timeout_s: float = DEFAULT_BODY_TIMEOUT_S,
                max_pending_bodies: int = DEFAULT_MAX_PENDING_BODIES) -> "WebhookSettings":
        """The secrets from the environment, else from `service` (the whatsapp_webhook service's
        attributes, None when it is not connected). Raises RuntimeError naming what is missing."""
        found = {variable: os.environ.get(variable) or (service or {}).get(attribute) or ""
                 for variable, attribute in SERVICE_ATTRIBUTES.items()}
        missing = [variable for variable, value in found.items() if not value]
        if missing:
            attributes = " and ".join(SERVICE_ATTRIBUTES[variable] for variable in missing)
            raise RuntimeError(f"set {' and '.join(missing)}, or connect the {SERVICE_TYPE} service with its "
                               f"{attributes} (cci service connect {SERVICE_TYPE}), before serving the webhook")
        return cls(verify_token=found[VERIFY_TOKEN_VARIABLE], app_secret=found[APP_SECRET_VARIABLE],
                   max_body_bytes=max_body_bytes, body_timeout_s=body_timeout_s,
                   max_pending_bodies=max_pending_bodies)
