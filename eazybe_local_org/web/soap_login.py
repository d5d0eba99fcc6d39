"""The partner API's SOAP `login` (`/services/Soap/u/{version}`): simple-salesforce's and the
Salesforce CLI's username/password login, answered in the partner WSDL's `loginResponse` shape,
and refused with the `INVALID_LOGIN` fault clients parse."""
from __future__ import annotations

import hmac
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from lxml import etree
from starlette.requests import Request
from starlette.responses import Response

from eazybe_local_org import storage
from eazybe_local_org.web.oauth import base_url

if TYPE_CHECKING:
    from eazybe_local_org.org import LocalOrg

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)
_XML = "text/xml; charset=utf-8"
INVALID_LOGIN = "INVALID_LOGIN: Invalid username, password, security token; or user locked out."


def _login_fields(body: bytes) -> tuple[str, str] | None:
    """The username and password of a SOAP `login`, or None when the body is not one."""
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError:
        return None
    username = root.find(".//{*}login/{*}username")
    password = root.find(".//{*}login/{*}password")
    if username is None or password is None:
        return None
    return (username.text or "").strip(), password.text or ""


def _password_accepted(given: str, expected: str) -> bool:
    """The password alone, or followed by a security token: the local org issues no token, so
    whatever a client appends after the real password is not checked."""
    return len(given) >= len(expected) and hmac.compare_digest(given[: len(expected)].encode(), expected.encode())


def _fault() -> Response:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"'
        ' xmlns:sf="urn:fault.partner.soap.sforce.com"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault>'
        f"<faultcode>sf:INVALID_LOGIN</faultcode><faultstring>{escape(INVALID_LOGIN)}</faultstring>"
        '<detail><sf:LoginFault xsi:type="sf:LoginFault"><sf:exceptionCode>INVALID_LOGIN</sf:exceptionCode>'
        f"<sf:exceptionMessage>{escape(INVALID_LOGIN.partition(': ')[2])}</sf:exceptionMessage>"
        "</sf:LoginFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>"
    )
    return Response(body, status_code=500, media_type=_XML)


def _element(name: str, value: object) -> str:
    if value is None:
        return f'<{name} xsi:nil="true"/>'
    text = str(value).lower() if isinstance(value, bool) else str(value)
    return f"<{name}>{escape(text)}</{name}>"


def _organization_name(org: "LocalOrg") -> str | None:
    organization = org.registry.object("Organization")
    assert organization is not None
    found = storage.select_by_id(org.connection, organization, [org.identity.org_id], ["Name"])
    return found.get(org.identity.org_id, {}).get("Name")


def _login_result(org: "LocalOrg", request: Request, session_id: str) -> Response:
    version = request.path_params["version"]
    org_id15 = org.identity.org_id[:15]
    base = base_url(request)
    with org.lock:
        user = org.user_record()
        organization_name = _organization_name(org)
    user_info = {
        "accessibilityMode": False, "chatterExternal": False, "currencySymbol": "$",
        "orgAttachmentFileSizeLimit": 5242880, "orgDefaultCurrencyIsoCode": "USD",
        "orgDefaultCurrencyLocale": "en_US", "orgDisallowHtmlAttachments": False,
        "orgHasPersonAccounts": False, "organizationId": org.identity.org_id,
        "organizationMultiCurrency": False, "organizationName": organization_name,
        "profileId": None, "roleId": None, "sessionSecondsValid": 7200,
        "userDefaultCurrencyIsoCode": None, "userEmail": user.get("Email"),
        "userFullName": user.get("Name"), "userId": org.identity.user_id,
        "userLanguage": user.get("LanguageLocaleKey") or "en_US",
        "userLocale": user.get("LocaleSidKey") or "en_US", "userName": org.credentials.username,
        "userTimeZone": user.get("TimeZoneSidKey") or "GMT", "userType": "Standard", "userUiSkin": "Theme3",
    }
    result = "".join([
        _element("metadataServerUrl", f"{base}/services/Soap/m/{version}/{org_id15}"),
        _element("passwordExpired", False),
        _element("sandbox", False),
        _element("serverUrl", f"{base}/services/Soap/u/{version}/{org_id15}"),
        _element("sessionId", session_id),
        _element("userId", org.identity.user_id),
        "<userInfo>", *(_element(k, v) for k, v in user_info.items()), "</userInfo>",
    ])
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"'
        ' xmlns="urn:partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<soapenv:Body><loginResponse><result>{result}</result></loginResponse></soapenv:Body></soapenv:Envelope>"
    )
    return Response(body, media_type=_XML)


async def soap_login(org: "LocalOrg", request: Request) -> Response:
    fields = _login_fields(await request.body())
    if fields is None:
        return _fault()
    session_id = org.log_in(fields[0], _password_accepted(fields[1], org.credentials.password))
    if session_id is None:
        return _fault()
    return _login_result(org, request, session_id)
