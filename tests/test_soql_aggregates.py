"""SOQL aggregate queries against the local org over HTTPS, as simple-salesforce sends them: each
function, implicit and explicit aliases, GROUP BY (relationship fields too), HAVING, ORDER BY and
LIMIT, nulls, queryAll, Salesforce's errors; and CumulusCI's snowfakery task, whose
`run_until_records_in_org` option reads `SELECT count(Id)`'s expr0 to know how much to load."""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any, Iterator

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from eazybe_local_org.org_home import org_home
from eazybe_local_org.registration import cumulusci_org_config
from local_org_fixture import error_of, local_org
from repo_paths import REPO, VENV_BIN
from tools import tool_env

AGGREGATE = {"type": "AggregateResult"}
DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$")
ACCOUNTS = [  # Name, Industry, NumberOfEmployees, AnnualRevenue
    ("Acme", "Banking", 10, 1000),
    ("Globex", "Banking", 30, None),
    ("Initech", "Media", None, 251),
    ("Umbrella", None, 5, None),
]
CONTACTS = [  # LastName, Account, Birthdate
    ("Smith", "Acme", "1990-05-01"),
    ("Smith", "Globex", "1985-01-20"),
    ("Jones", "Acme", None),
    ("Brown", None, "2000-12-31"),
]


@pytest.fixture(scope="module")
def sf(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Salesforce]:
    """An org with four live Accounts, one deleted (Media, 100 employees), and four Contacts."""
    with local_org(tmp_path_factory.mktemp("orgs")) as org:
        client = org.client()
        ids = {}
        for name, industry, employees, revenue in ACCOUNTS:
            ids[name] = client.Account.create(
                {"Name": name, "Industry": industry, "NumberOfEmployees": employees, "AnnualRevenue": revenue}
            )["id"]
        deleted = client.Account.create({"Name": "Gone", "Industry": "Media", "NumberOfEmployees": 100})["id"]
        client.Account.delete(deleted)
        for last_name, account, birthdate in CONTACTS:
            client.Contact.create({"LastName": last_name, "AccountId": ids.get(account), "Birthdate": birthdate})
        yield client


def rows(sf: Salesforce, soql: str, **options: Any) -> list[dict]:
    """The records of a one-batch answer, without their AggregateResult attributes (checked here)."""
    answer = sf.query(soql, **options)
    assert answer["done"] and "nextRecordsUrl" not in answer and answer["totalSize"] == len(answer["records"])
    assert all(record.pop("attributes") == AGGREGATE for record in answer["records"])
    return answer["records"]


def refusal(sf: Salesforce, soql: str) -> dict:
    """The one error the org answers `soql` with."""
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.query(soql)
    return error_of(refused)


def test_count_of_a_field_answers_as_salesforce_does(sf: Salesforce) -> None:
    assert sf.query("select count(Id) from Account") == {
        "totalSize": 1, "done": True, "records": [{"attributes": AGGREGATE, "expr0": 4}],
    }
    assert sf.query("SELECT COUNT() FROM Account") == {"totalSize": 4, "done": True, "records": []}


def test_each_function_over_the_right_types(sf: Salesforce) -> None:
    assert rows(sf, "SELECT COUNT(NumberOfEmployees), COUNT_DISTINCT(Industry), SUM(NumberOfEmployees),"
                    " AVG(NumberOfEmployees), MIN(Name), MAX(Name), SUM(AnnualRevenue) FROM Account") == [
        {"expr0": 3, "expr1": 2, "expr2": 45, "expr3": 15.0, "expr4": "Acme", "expr5": "Umbrella", "expr6": 1251.0}
    ]
    [dates] = rows(sf, "SELECT MIN(Birthdate), MAX(Birthdate), MAX(CreatedDate), COUNT_DISTINCT(AccountId)"
                       " FROM Contact")
    assert (dates["expr0"], dates["expr1"], dates["expr3"]) == ("1985-01-20", "2000-12-31", 2)
    assert DATETIME.match(dates["expr2"])


def test_implicit_aliases_count_only_unaliased_aggregates(sf: Salesforce) -> None:
    [record] = rows(sf, "SELECT COUNT(Id) total, MAX(NumberOfEmployees), MIN(NumberOfEmployees) smallest,"
                        " SUM(NumberOfEmployees) FROM Account")
    assert list(record.items()) == [("total", 4), ("expr0", 30), ("smallest", 5), ("expr1", 45)]


def test_nulls_are_ignored_and_nothing_to_aggregate_is_null(sf: Salesforce) -> None:
    assert rows(sf, "SELECT COUNT(AnnualRevenue), AVG(AnnualRevenue) FROM Account") == [{"expr0": 2, "expr1": 625.5}]
    assert rows(sf, "SELECT COUNT(Id), SUM(NumberOfEmployees), AVG(AnnualRevenue), MIN(Industry), MAX(CreatedDate)"
                    " FROM Account WHERE Name = 'Nobody'") == [
        {"expr0": 0, "expr1": None, "expr2": None, "expr3": None, "expr4": None}
    ]


def test_group_by_names_each_group_by_its_field(sf: Salesforce) -> None:
    assert rows(sf, "SELECT Industry, COUNT(Id) n, SUM(NumberOfEmployees) FROM Account GROUP BY Industry"
                    " ORDER BY Industry NULLS LAST") == [
        {"Industry": "Banking", "n": 2, "expr0": 40},
        {"Industry": "Media", "n": 1, "expr0": None},
        {"Industry": None, "n": 1, "expr0": 5},
    ]
    assert rows(sf, "SELECT Industry i FROM Account GROUP BY Industry ORDER BY Industry") == [
        {"i": None}, {"i": "Banking"}, {"i": "Media"}
    ]


def test_group_by_several_fields_and_through_a_relationship(sf: Salesforce) -> None:
    assert rows(sf, "SELECT Account.Name, LastName, COUNT(Id) FROM Contact GROUP BY Account.Name, LastName"
                    " ORDER BY Account.Name, LastName") == [
        {"Name": None, "LastName": "Brown", "expr0": 1},
        {"Name": "Acme", "LastName": "Jones", "expr0": 1},
        {"Name": "Acme", "LastName": "Smith", "expr0": 1},
        {"Name": "Globex", "LastName": "Smith", "expr0": 1},
    ]
    assert rows(sf, "SELECT Account.Industry, MAX(Account.NumberOfEmployees) FROM Contact"
                    " WHERE AccountId != null GROUP BY Account.Industry") == [{"Industry": "Banking", "expr0": 30}]


def test_having_filters_groups_by_aggregates_and_grouped_fields(sf: Salesforce) -> None:
    grouped = "SELECT LastName, COUNT(Id) FROM Contact GROUP BY LastName"
    assert rows(sf, grouped + " HAVING COUNT(Id) > 1") == [{"LastName": "Smith", "expr0": 2}]
    assert rows(sf, grouped + " HAVING COUNT(Id) = 1 AND LastName != 'Brown'") == [{"LastName": "Jones", "expr0": 1}]
    assert rows(sf, grouped + " HAVING MIN(Birthdate) < 1990-01-01") == [{"LastName": "Smith", "expr0": 2}]


def test_order_by_an_aggregate_and_limit_the_groups(sf: Salesforce) -> None:
    assert rows(sf, "SELECT LastName, COUNT(Id) c FROM Contact GROUP BY LastName"
                    " ORDER BY COUNT(Id) DESC, LastName LIMIT 2") == [
        {"LastName": "Smith", "c": 2}, {"LastName": "Brown", "c": 1}
    ]
    assert rows(sf, "SELECT Industry, SUM(NumberOfEmployees) FROM Account GROUP BY Industry"
                    " ORDER BY SUM(NumberOfEmployees) DESC NULLS LAST LIMIT 2 OFFSET 1") == [
        {"Industry": None, "expr0": 5}, {"Industry": "Media", "expr0": None}
    ]


def test_query_all_aggregates_deleted_rows_too(sf: Salesforce) -> None:
    assert rows(sf, "SELECT COUNT(Id), MAX(NumberOfEmployees) FROM Account", include_deleted=True) == [
        {"expr0": 5, "expr1": 100}
    ]
    media = "SELECT COUNT(Id) FROM Account WHERE Industry = 'Media'"
    assert rows(sf, media, include_deleted=True) == [{"expr0": 2}] and rows(sf, media) == [{"expr0": 1}]


@pytest.mark.parametrize(
    ("soql", "column", "detail"),
    [
        ("SELECT Name, COUNT(Id) FROM Account", 8, "Field must be grouped or aggregated: Name"),
        ("SELECT Name, Industry FROM Account GROUP BY Name", 14, "Field must be grouped or aggregated: Industry"),
        ("SELECT SUM(Name) FROM Account", 12, "field Name does not support aggregate operator SUM"),
        ("SELECT AVG(CreatedDate) FROM Account", 12, "field CreatedDate does not support aggregate operator AVG"),
        ("SELECT COUNT(IsEmailBounced) FROM Contact", 14,
         "field IsEmailBounced does not support aggregate operator COUNT"),
        ("SELECT LastName, COUNT(LastName) FROM Contact GROUP BY LastName", 24,
         "Grouped field should not be aggregated: LastName"),
        ("SELECT COUNT(Id) FROM Account GROUP BY AnnualRevenue", 40,
         "field 'AnnualRevenue' can not be grouped in a query call"),
        ("SELECT COUNT(Id) FROM Account GROUP BY Description", 40,  # a Long Text Area
         "field 'Description' can not be grouped in a query call"),
        ("SELECT MAX(Description) FROM Account", 12, "field Description does not support aggregate operator MAX"),
        ("SELECT Name, COUNT(Id) FROM Account GROUP BY Name ORDER BY Industry", 60,
         "Ordered field must be grouped or aggregated: Industry"),
        ("SELECT Name FROM Account GROUP BY Name HAVING Industry = 'Media'", 47,
         "Field must be grouped or aggregated: Industry"),
        ("SELECT COUNT(Id) FROM Account LIMIT 1", 31,
         "Non-grouped query that uses overall aggregate functions cannot also use LIMIT"),
        ("SELECT Account.Name, Name, COUNT(Id) FROM Contact GROUP BY Account.Name, Name", 22, "duplicate alias: Name"),
        ("SELECT COUNT(Id) n, SUM(NumberOfEmployees) n FROM Account", 44, "duplicate alias: n"),
    ],
)
def test_errors_as_salesforce_words_them(sf: Salesforce, soql: str, column: int, detail: str) -> None:
    assert refusal(sf, soql) == {
        "message": f"\n{soql}\n{' ' * (column - 1)}^\nERROR at Row:1:Column:{column}\n{detail}",
        "errorCode": "MALFORMED_QUERY",
    }


@pytest.mark.parametrize(("soql", "at", "verb"), [
    ("SELECT Id FROM Account WHERE Description = 'x'", "Description", "filtered"),
    ("SELECT Id FROM Account WHERE Name = 'Acme' AND Description LIKE '%x%'", "Description", "filtered"),
    ("SELECT Id FROM Account WHERE Description IN ('x', 'y')", "Description", "filtered"),
    ("SELECT Id FROM Contact WHERE Account.Description != null", "Account.Description", "filtered"),
    ("SELECT Id FROM Account ORDER BY Name, Description DESC", "Description", "sorted"),
    ("SELECT Id, (SELECT Id FROM Contacts ORDER BY Description) FROM Account", "Description", "sorted"),
])
def test_long_text_areas_are_never_filtered_or_sorted(sf: Salesforce, soql: str, at: str, verb: str) -> None:
    """Account.Description is a Long Text Area: its describe says filterable and sortable false."""
    column = soql.index(at) + 1
    assert refusal(sf, soql) == {
        "message": f"\n{soql}\n{' ' * (column - 1)}^\nERROR at Row:1:Column:{column}\n"
                   f"field 'Description' can not be {verb} in a query call",
        "errorCode": "INVALID_FIELD",
    }
    field = next(f for f in sf.Account.describe()["fields"] if f["name"] == "Description")
    assert (field["filterable"], field["sortable"], field["groupable"], field["aggregatable"]) == (False,) * 4


def test_long_text_areas_are_read_and_short_text_areas_filtered(sf: Salesforce) -> None:
    acme = sf.query("SELECT Id FROM Account WHERE Name = 'Acme'")["records"][0]["Id"]
    sf.Account.update(acme, {"Description": "A long story", "BillingStreet": "1 Main St"})
    found = sf.query("SELECT Description FROM Account WHERE BillingStreet = '1 Main St' ORDER BY BillingStreet")
    assert [record["Description"] for record in found["records"]] == ["A long story"]


def test_unknown_field_in_an_aggregate(sf: Salesforce) -> None:
    error = refusal(sf, "SELECT MAX(Bogus__c) FROM Account")
    assert error["errorCode"] == "INVALID_FIELD"
    assert "ERROR at Row:1:Column:12\nNo such column 'Bogus__c' on entity 'Account'." in error["message"]


def test_more_groups_than_one_batch_need_a_limit(sf: Salesforce) -> None:
    """Aggregate results have no query locator: past 2,000 rows Salesforce refuses the query."""
    leads = [{"attributes": {"type": "Lead"}, "LastName": f"Lead {n:04d}", "Company": "Many"} for n in range(2_001)]
    for start in range(0, len(leads), 200):
        sf.restful("composite/sobjects", method="POST", json={"allOrNone": True, "records": leads[start:start + 200]})
    grouped = "SELECT LastName, COUNT(Id) FROM Lead GROUP BY LastName"
    assert refusal(sf, grouped) == {
        "message": "Aggregate query does not support queryMore(), use LIMIT to restrict the results to a single batch",
        "errorCode": "EXCEEDED_ID_LIMIT",
    }
    limited = rows(sf, grouped + " ORDER BY LastName LIMIT 2000", headers={"Sforce-Query-Options": "batchSize=200"})
    assert len(limited) == 2_000 and limited[-1] == {"LastName": "Lead 1999", "expr0": 1}


def test_snowfakery_runs_until_the_org_has_the_records(tmp_path: Path) -> None:
    """CumulusCI counts with SELECT count(Id) and loads only the gap; with none left it loads nothing."""
    recipe = tmp_path / "accounts.recipe.yml"
    recipe.write_text("- object: Account\n  fields:\n    Name:\n      fake: Company\n")
    with local_org(tmp_path / "orgs") as org:
        sf = org.client()
        for n in range(4):
            sf.Account.create({"Name": f"Already here {n}"})
        env = {
            **tool_env(), "HOME": str(tmp_path / "home"), "REQUESTS_CA_BUNDLE": str(org.ca_bundle),
            "CUMULUSCI_ORG_local": json.dumps(cumulusci_org_config(org_home("local", org.folder.parent), org.url)),
        }
        command = [str(VENV_BIN / "cci"), "task", "run", "snowfakery", "--org", "local", "-o", "recipe", str(recipe),
                   "-o", "run_until_records_in_org", "Account:10"]
        loaded = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
        assert loaded.returncode == 0, loaded.stdout + loaded.stderr
        assert "Snowfakery created 6 Account records" in loaded.stdout, loaded.stdout
        assert sf.query("SELECT COUNT() FROM Account")["totalSize"] == 10
        again = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
        assert again.returncode == 0, again.stdout + again.stderr
        assert "The org has 10 Account records. You asked for 10" in again.stdout, again.stdout
        assert sf.query("SELECT COUNT() FROM Account")["totalSize"] == 10
