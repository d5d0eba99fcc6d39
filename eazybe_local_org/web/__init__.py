"""The local org's HTTP surface: OAuth, REST, SOAP; each module one family of endpoints."""
