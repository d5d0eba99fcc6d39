"""Username/password login through simple-salesforce's own SOAP login code: the partner API's
`login` must hand back a session the REST API accepts, and refuse bad credentials with the
`INVALID_LOGIN` fault simple-salesforce turns into SalesforceAuthenticationFailed."""
from __future__ import annotations

from typing import Iterator

import pytest
import requests
from lxml import etree
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceAuthenticationFailed
from simple_salesforce.login import SalesforceLogin

from local_org_fixture import RunningOrg, local_org

VERSION = "67.0"


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningOrg]:
    with local_org(tmp_path_factory.mktemp("orgs")) as running:
        yield running


def login(org: RunningOrg, password: str, security_token: str = "", username: str | None = None) -> tuple[str, str]:
    """simple-salesforce's login, pointed at the local org through its `scratch_url` (the one
    argument that replaces `https://{domain}.salesforce.com`)."""
    return SalesforceLogin(
        username=username or org.credentials.username, password=password, security_token=security_token,
        sf_version=VERSION, scratch_url=org.url,
    )


def test_login_gives_a_session_the_rest_api_accepts(org: RunningOrg) -> None:
    session_id, instance = login(org, org.credentials.password)
    assert instance == org.url.removeprefix("https://")
    with requests.Session() as connection:
        sf = Salesforce(session_id=session_id, instance=instance, version=VERSION, session=connection)
        assert sf.query("SELECT Username FROM User")["records"][0]["Username"] == org.credentials.username


def test_login_accepts_an_appended_security_token(org: RunningOrg) -> None:
    session_id, _ = login(org, org.credentials.password, security_token="AnyToken123")
    assert session_id


def test_login_response_carries_the_partner_wsdl_fields(org: RunningOrg) -> None:
    body = (
        '<?xml version="1.0" encoding="utf-8"?><env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/">'
        '<env:Body><n1:login xmlns:n1="urn:partner.soap.sforce.com">'
        f"<n1:username>{org.credentials.username}</n1:username><n1:password>{org.credentials.password}</n1:password>"
        "</n1:login></env:Body></env:Envelope>"
    )
    answer = requests.post(f"{org.url}/services/Soap/u/{VERSION}", data=body,
                           headers={"content-type": "text/xml", "SOAPAction": "login"}, timeout=10)
    assert answer.status_code == 200
    result = etree.fromstring(answer.content).find(".//{urn:partner.soap.sforce.com}loginResponse/{*}result")
    fields = {child.tag.split("}")[1]: child for child in result}
    assert list(fields) == ["metadataServerUrl", "passwordExpired", "sandbox", "serverUrl", "sessionId", "userId", "userInfo"]
    org_id = fields["userInfo"].findtext("{*}organizationId")
    assert fields["serverUrl"].text == f"{org.url}/services/Soap/u/{VERSION}/{org_id[:15]}"
    assert fields["metadataServerUrl"].text == f"{org.url}/services/Soap/m/{VERSION}/{org_id[:15]}"
    assert (fields["passwordExpired"].text, fields["sandbox"].text) == ("false", "false")
    assert fields["userId"].text.startswith("005") and org_id.startswith("00D")
    info = {child.tag.split("}")[1]: child.text for child in fields["userInfo"]}
    assert info["userName"] == org.credentials.username and info["userId"] == fields["userId"].text
    assert {"organizationName", "userEmail", "userFullName", "userTimeZone"} <= info.keys()


@pytest.mark.parametrize("wrong", ["password", "username"])
def test_wrong_credentials_are_an_invalid_login_fault(org: RunningOrg, wrong: str) -> None:
    username = org.credentials.username if wrong == "password" else "nobody@example.com"
    password = "not-the-password" if wrong == "password" else org.credentials.password
    with pytest.raises(SalesforceAuthenticationFailed) as failed:
        login(org, password, username=username)
    assert failed.value.code == "INVALID_LOGIN"
    assert failed.value.auth_message == "Invalid username, password, security token; or user locked out."


def test_fault_is_salesforces_soap_fault(org: RunningOrg) -> None:
    answer = requests.post(f"{org.url}/services/Soap/u/{VERSION}", data="<not-a-login/>",
                           headers={"content-type": "text/xml", "SOAPAction": "login"}, timeout=10)
    assert answer.status_code == 500
    fault = etree.fromstring(answer.content).find(".//{http://schemas.xmlsoap.org/soap/envelope/}Fault")
    assert fault.findtext("faultcode") == "sf:INVALID_LOGIN"
    assert fault.findtext("faultstring") == "INVALID_LOGIN: Invalid username, password, security token; or user locked out."
    assert fault.findtext("detail/{urn:fault.partner.soap.sforce.com}LoginFault/{*}exceptionCode") == "INVALID_LOGIN"


def test_view_logout_ends_the_session_for_the_rest_api_too(org: RunningOrg) -> None:
    """The view's session id is an ordinary org session: after logout it must be refused as a
    Bearer token too, not just dropped from the browser."""
    signed_in = requests.post(f"{org.url}/view/login", allow_redirects=False, timeout=30,
                              data={"username": org.credentials.username, "password": org.credentials.password})
    assert signed_in.status_code == 303
    bearer = {"Authorization": f"Bearer {signed_in.cookies['eazybe_view_session']}"}
    sobjects = f"{org.url}/services/data/v{VERSION}/sobjects"
    assert requests.get(sobjects, headers=bearer, timeout=30).status_code == 200

    logged_out = requests.post(f"{org.url}/view/logout", cookies=signed_in.cookies, allow_redirects=False, timeout=30)
    assert logged_out.status_code == 303 and logged_out.headers["location"] == "/view/login"

    refused = requests.get(sobjects, headers=bearer, timeout=30)
    assert refused.status_code == 401
    assert refused.json() == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
    view = requests.get(f"{org.url}/view/", cookies=signed_in.cookies, allow_redirects=False, timeout=30)
    assert view.status_code == 303 and view.headers["location"] == "/view/login"
