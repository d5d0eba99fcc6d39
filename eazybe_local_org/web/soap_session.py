"""The session id in a SOAP request's SessionHeader, and SOAP faults in Salesforce's form."""
from __future__ import annotations

from xml.sax.saxutils import escape

from lxml import etree
from starlette.responses import Response

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


def soap_session_id(body: bytes) -> str | None:
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError:
        return None
    found = root.find(".//{*}SessionHeader/{*}sessionId")
    return found.text.strip() if found is not None and found.text else None


def soap_fault(code: str, message: str, status: int = 500) -> Response:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"'
        ' xmlns:sf="http://soap.sforce.com/2006/04/metadata"><soapenv:Body><soapenv:Fault>'
        f"<faultcode>{escape(code)}</faultcode><faultstring>{escape(message)}</faultstring>"
        "</soapenv:Fault></soapenv:Body></soapenv:Envelope>"
    )
    return Response(body, status_code=status, media_type="text/xml; charset=utf-8")
