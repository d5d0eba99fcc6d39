"""The audit report's queries on a store filled by hand (messages ingested through the store API,
then the sync's records written as the sync writes them), on SQLite and PostgreSQL; the SOQL
batching, the field comparison of the reconciliation and the charts, offline."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from urllib.parse import quote_plus

import pandas as pd
import pytest
from sqlalchemy import select

from eazybe_tasks.audit.latency import latency_summary, message_latencies, readable_duration
from eazybe_tasks.audit.ledger_queries import chat_days_per_day, failures_by_error_code, quarantined_records
from eazybe_tasks.audit.outcome_queries import (
    do_not_log_skips, messages_per_account, messages_per_day, unmatched_numbers,
)
from eazybe_tasks.audit.period import Period, report_period
from eazybe_tasks.audit.plots import api_usage_chart, duration_unit, latency_histogram, messages_per_day_chart
from eazybe_tasks.audit.reconciliation import COUNT, FIELD, TRANSCRIPT, field_differences
from eazybe_tasks.audit.run_queries import api_usage, sync_runs_in
from eazybe_tasks.audit.show import readable
from eazybe_tasks.audit.soql_batches import in_batches, soql_string
from eazybe_tasks.sources.model import Direction, Message, MessageType, Source
from eazybe_tasks.store.ingest import Batch
from eazybe_tasks.store.schema import chat_day_ledger, message_outcomes, messages, people, sync_runs
from eazybe_tasks.store.store import Store

BUSINESS = "+14155550100"
JANE, SHARED, LEAD, QUIET = "003000000000001AAA", "003000000000002AAA", "00Q000000000001AAA", "003000000000003AAA"
PERIOD = Period(date(2026, 11, 19), date(2026, 11, 25))


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=timezone.utc)


def message(name: str, chat: str, at: datetime, direction: Direction = Direction.INBOUND) -> Message:
    return Message(source=Source.CLOUD_API, source_id=f"wamid.{name}", account_number=BUSINESS, chat_id=chat,
                   is_group=False, direction=direction, type=MessageType.TEXT, sent_at=at, body=name,
                   sender=chat if direction is Direction.INBOUND else BUSINESS)


def fill(store: Store) -> None:
    """Los Angeles account (UTC-8): the 24th's and 25th's chat-days of Jane (whose number a second
    Contact shares), two unknown numbers, a person marked do-not-log and a Lead quarantined."""
    store.register_account(BUSINESS, label="Sales US", time_zone="America/Los_Angeles")
    store.register_account("+442071234567", label="Support UK", time_zone="Europe/London")
    store.ingest(Batch(source=Source.CLOUD_API, origin="test", raw_sha256="a" * 64, messages=[
        message("m1", "+14155550134", utc(24, 18)),
        message("m2", "+14155550134", utc(24, 18, 5), Direction.OUTBOUND),
        message("m3", "+14155550134", utc(25, 17)),
        message("u1", "+33612345678", utc(24, 19)),
        message("u2", "+33612345678", utc(25, 16)),
        message("b1", "+5511987654321", utc(25, 15)),
        message("q1", "+4915123456789", utc(25, 17, 30)),
        message("l1", "+447700900123", utc(23, 18)),
        message("old", "+14155550134", utc(10, 18)),
    ]))
    with store.engine.begin() as connection:
        pk = {row.body: (row.id, row.chat_pk, row.account_id)
              for row in connection.execute(select(messages.c.id, messages.c.body, messages.c.chat_pk, messages.c.account_id))}
        runs = [connection.execute(sync_runs.insert().values(
            started_at=at, finished_at=at + timedelta(seconds=20), status="succeeded", mode=mode, api_calls=calls,
            api_used=used, api_limit=15_000)).inserted_primary_key[0]
            for at, mode, calls, used in ((utc(10, 18, 10), "backfill", 30, 30), (utc(24, 18, 10), "sync", 7, 107),
                                          (utc(25, 17, 35), "sync", 4, 111))]
        connection.execute(people.insert(), [
            {"record_id": person, "object_name": kind, "name": name, "phone": phone, "mobile_phone": None,
             "is_converted": False, "do_not_log": person == QUIET, "system_modstamp": "2026-11-01T00:00:00.000+0000"}
            for person, kind, name, phone in ((JANE, "Contact", "Jane Doe", "+14155550134"),
                                              (SHARED, "Contact", "Sam Doe", "+14155550134"),
                                              (LEAD, "Lead", "Lee Lead", "+447700900123"),
                                              (QUIET, "Contact", "Quinn Quiet", "+4915123456789"))])

        def outcome(body: str, day: int, person: str, kind: str, run: int, logged: datetime | None = None,
                    error: str | None = None) -> dict:
            message_pk, chat_pk, account_id = pk[body]
            number = {"m": "+14155550134", "u": "+33612345678", "b": "+5511987654321", "q": "+4915123456789",
                      "l": "+447700900123", "o": "+14155550134"}[body[0]]
            return {"message_pk": message_pk, "person_id": person, "account_id": account_id, "chat_pk": chat_pk,
                    "day": date(2026, 11, day), "outcome": kind, "number": number, "chat_key": None,
                    "record_id": None, "error_code": error, "run_id": run, "decided_at": utc(25, 17, 35),
                    "logged_at": logged}

        connection.execute(message_outcomes.insert(), [
            outcome("m1", 24, JANE, "logged", runs[1], utc(24, 18, 10)),
            outcome("m1", 24, SHARED, "logged", runs[1], utc(24, 18, 12)),
            outcome("m2", 24, JANE, "logged", runs[1], utc(24, 18, 10)),
            outcome("m3", 25, JANE, "pending", runs[2], error="UNABLE_TO_LOCK_ROW"),
            outcome("u1", 24, "", "unmatched", runs[1]),
            outcome("u2", 25, "", "unmatched", runs[2]),
            outcome("b1", 25, "", "unmatched", runs[2]),
            outcome("q1", 25, QUIET, "do_not_log", runs[2]),
            outcome("l1", 23, LEAD, "quarantined", runs[2], error="FIELD_CUSTOM_VALIDATION_EXCEPTION"),
            outcome("old", 10, JANE, "logged", runs[0], utc(10, 18, 10)),
        ])

        def ledger(key: str, body: str, day: int, person: str, record: str | None = None, error: str | None = None,
                   attempts: int = 0) -> dict:
            _, chat_pk, account_id = pk[body]
            return {"chat_key": key, "account_id": account_id, "chat_pk": chat_pk, "day": date(2026, 11, day),
                    "person_id": person, "record_id": record, "content_hash": "f" * 64 if record else None,
                    "written_at": utc(day, 18, 10) if record else None, "error_code": error,
                    "error_message": f"{error}: refused" if error else None, "attempts": attempts}

        connection.execute(chat_day_ledger.insert(), [
            ledger("jane-24", "m1", 24, JANE, record="a00000000000001AAA"),
            ledger("sam-24", "m1", 24, SHARED, record="a00000000000002AAA"),
            ledger("jane-25", "m3", 25, JANE, error="UNABLE_TO_LOCK_ROW", attempts=2),
            ledger("lee-23", "l1", 23, LEAD, error="FIELD_CUSTOM_VALIDATION_EXCEPTION", attempts=5),
            ledger("jane-10", "old", 10, JANE, record="a00000000000003AAA"),
        ])


@pytest.fixture
def store(any_store: Store) -> Store:
    fill(any_store)
    return any_store


def test_period_defaults_to_the_last_seven_days_up_to_today() -> None:
    assert report_period(today=date(2026, 11, 25)) == PERIOD
    assert report_period("2026-11-01", "2026-11-02").days == [date(2026, 11, 1), date(2026, 11, 2)]
    assert report_period(end="2026-11-25") == PERIOD
    assert PERIOD.utc_bounds() == (utc(19, 0), datetime(2026, 11, 26, tzinfo=timezone.utc))
    with pytest.raises(ValueError, match="ends"):
        report_period("2026-11-25", "2026-11-24")


def test_messages_per_day_and_account_count_each_message_once_per_outcome(store: Store) -> None:
    per_day = messages_per_day(store.engine, PERIOD)
    assert list(per_day.index) == PERIOD.days
    assert list(per_day.columns) == ["logged", "pending", "quarantined", "unmatched", "do_not_log"]
    assert per_day.loc[date(2026, 11, 23)].to_dict() == {"logged": 0, "pending": 0, "quarantined": 1, "unmatched": 0,
                                                         "do_not_log": 0}
    # m1 is logged for two Contacts sharing the number: one message
    assert per_day.loc[date(2026, 11, 24)].to_dict() == {"logged": 2, "pending": 0, "quarantined": 0, "unmatched": 1,
                                                         "do_not_log": 0}
    assert per_day.loc[date(2026, 11, 25)].to_dict() == {"logged": 0, "pending": 1, "quarantined": 0, "unmatched": 2,
                                                         "do_not_log": 1}
    assert per_day.loc[date(2026, 11, 19)].sum() == 0
    per_account = messages_per_account(store.engine, PERIOD)
    assert per_account.to_dict("index") == {
        "Sales US (+14155550100)": {"logged": 2, "pending": 1, "quarantined": 1, "unmatched": 3, "do_not_log": 1},
        "Support UK (+442071234567)": {"logged": 0, "pending": 0, "quarantined": 0, "unmatched": 0, "do_not_log": 0},
    }


def test_unmatched_numbers_most_messages_first_with_last_seen(store: Store) -> None:
    unmatched = unmatched_numbers(store.engine, PERIOD)
    assert unmatched[["number", "account", "messages", "chats"]].to_dict("records") == [
        {"number": "+33612345678", "account": BUSINESS, "messages": 2, "chats": 1},
        {"number": "+5511987654321", "account": BUSINESS, "messages": 1, "chats": 1},
    ]
    assert list(unmatched["first_seen"]) == [utc(24, 19), utc(25, 15)]
    assert list(unmatched["last_seen"]) == [utc(25, 16), utc(25, 15)]
    assert unmatched_numbers(store.engine, Period(date(2026, 11, 1), date(2026, 11, 2))).empty


def test_do_not_log_skips_name_the_person(store: Store) -> None:
    skips = do_not_log_skips(store.engine, PERIOD)
    assert skips.to_dict("records") == [{"person_id": QUIET, "object_name": "Contact", "name": "Quinn Quiet",
                                         "number": "+4915123456789", "messages": 1, "last_seen": utc(25, 17, 30)}]


def test_latency_from_message_time_to_first_acknowledgement(store: Store) -> None:
    latencies = message_latencies(store.engine, PERIOD)
    assert sorted(latencies["seconds"]) == [300.0, 600.0]  # m1 counts once, at its first write
    assert latency_summary(latencies).to_dict("records") == [
        {"messages": 2, "median": "7 min 30 s", "p95": "9 min 45 s", "max": "10 min 00 s"}]
    assert latency_summary(message_latencies(store.engine, Period(date(2026, 11, 1), date(2026, 11, 2)))).empty
    assert [readable_duration(s) for s in (4.4, 65, 7260, 90061)] == ["4 s", "1 min 05 s", "2 h 01 min", "1 d 01 h"]


def test_ledger_states_failures_and_quarantine(store: Store) -> None:
    states = chat_days_per_day(store.engine, PERIOD)
    assert list(states.index) == PERIOD.days and list(states.columns) == ["written", "retrying", "quarantined"]
    assert states.loc[date(2026, 11, 24)].to_dict() == {"written": 2, "retrying": 0, "quarantined": 0}
    assert states.loc[date(2026, 11, 25)].to_dict() == {"written": 0, "retrying": 1, "quarantined": 0}
    assert states.loc[date(2026, 11, 23)].to_dict() == {"written": 0, "retrying": 0, "quarantined": 1}
    assert states.to_numpy().sum() == 4  # the 10th is outside the period
    failures = failures_by_error_code(store.engine, PERIOD)
    assert failures.to_dict("records") == [
        {"error_code": "FIELD_CUSTOM_VALIDATION_EXCEPTION", "chat_days": 1, "retrying": 0, "quarantined": 1,
         "messages": 1, "example": "FIELD_CUSTOM_VALIDATION_EXCEPTION: refused"},
        {"error_code": "UNABLE_TO_LOCK_ROW", "chat_days": 1, "retrying": 1, "quarantined": 0, "messages": 1,
         "example": "UNABLE_TO_LOCK_ROW: refused"},
    ]
    quarantined = quarantined_records(store.engine, PERIOD)
    assert quarantined[["chat_key", "day", "account", "chat", "person", "attempts", "error_code"]].to_dict("records") == [
        {"chat_key": "lee-23", "day": date(2026, 11, 23), "account": BUSINESS, "chat": None, "person": "Lee Lead",
         "attempts": 5, "error_code": "FIELD_CUSTOM_VALIDATION_EXCEPTION"}]


def test_runs_of_the_period_and_their_api_usage(store: Store) -> None:
    runs = sync_runs_in(store.engine, PERIOD)
    assert list(runs["started_at"]) == [utc(24, 18, 10), utc(25, 17, 35)]
    usage = api_usage(runs)
    assert usage[["mode", "api_calls", "api_used", "api_limit", "used_share"]].to_dict("records") == [
        {"mode": "sync", "api_calls": 7, "api_used": 107, "api_limit": 15_000, "used_share": 0.0071},
        {"mode": "sync", "api_calls": 4, "api_used": 111, "api_limit": 15_000, "used_share": 0.0074},
    ]


def test_an_empty_store_gives_empty_tables_and_charts_that_say_so(any_store: Store) -> None:
    assert messages_per_day(any_store.engine, PERIOD).to_numpy().sum() == 0
    assert failures_by_error_code(any_store.engine, PERIOD).empty
    runs = sync_runs_in(any_store.engine, PERIOD)
    for figure in (messages_per_day_chart(messages_per_day(any_store.engine, PERIOD)),
                   latency_histogram(message_latencies(any_store.engine, PERIOD)), api_usage_chart(api_usage(runs))):
        assert [t.get_text() for t in figure.axes[0].texts][0].endswith("in this period")


def test_charts_draw_what_the_tables_hold(store: Store) -> None:
    per_day = messages_per_day_chart(messages_per_day(store.engine, PERIOD))
    bars = per_day.axes[0].patches
    assert len(bars) == 5 * 7 and sum(bar.get_height() for bar in bars) == 8
    assert [t.get_text() for t in per_day.axes[0].get_legend().get_texts()] == [
        "logged", "pending", "quarantined", "unmatched", "do not log"]
    latency = latency_histogram(message_latencies(store.engine, PERIOD)).axes[0]
    assert sum(bar.get_height() for bar in latency.patches) == 2
    assert latency.get_xlabel() == "minutes" and latency.get_legend().get_texts()[0].get_text() == "median 7.5 minutes"
    assert [duration_unit(s) for s in (90, 300, 7200, 3 * 86400)] == [
        ("seconds", 1.0), ("minutes", 60.0), ("hours", 3600.0), ("days", 86400.0)]
    usage = api_usage_chart(api_usage(sync_runs_in(store.engine, PERIOD)))
    assert [bar.get_height() for bar in usage.axes[0].patches] == [7, 4]
    assert list(usage.axes[1].lines[0].get_ydata()) == [107, 111]


def test_soql_batches_stay_under_the_uri_budget_and_keep_every_value() -> None:
    keys = [f"+14155550100|+1415555{n:04d}|2026-11-24|003000000000{n:04d}AAA" for n in range(1000)]
    template = "SELECT Id FROM WhatsApp_Chat__c WHERE Chat_Key__c IN ({values})"
    queries = list(in_batches(template, keys, budget=4000))
    assert len(queries) > 1 and all(len(quote_plus(q)) <= 4000 for q in queries)
    assert [v for q in queries for v in q[q.index("(") + 1:-1].split(", ")] == [soql_string(k) for k in keys]
    assert soql_string("it's a \\ test") == "'it\\'s a \\\\ test'"
    with pytest.raises(ValueError, match="longer than"):
        list(in_batches(template, ["x" * 5000], budget=4000))
    assert list(in_batches(template, [])) == []


def test_field_differences_compare_as_salesforce_returns_values() -> None:
    expected = {"Message_Count__c": 2, "Is_Group__c": False, "WhatsApp_Number__c": None, "Chat_Name__c": "",
                "Transcript__c": "10:00 Jane: Hi\n10:05 Sales US: Hello", "Name": "WhatsApp · Jane · 2026-11-24"}
    same = {**expected, "Message_Count__c": 2.0, "Chat_Name__c": None}
    assert list(field_differences(expected, same)) == []
    changed = {**same, "Message_Count__c": 3.0, "Transcript__c": "10:00 Jane: Hi\n10:05 Sales US: Hello!",
               "Name": "Renamed"}
    found = list(field_differences(expected, changed))
    assert [kind for kind, _ in found] == [COUNT, TRANSCRIPT, FIELD]
    assert found[0][1] == "Message_Count__c: org '3.0', expected '2'"
    assert found[1][1].endswith("first difference on line 2") and found[1][1].startswith("sha256 org ")
    assert pd.Series([kind for kind, _ in field_differences(expected, {**same, "Transcript__c": None})]).tolist() == [TRANSCRIPT]


def test_tables_are_shown_keyed_by_their_first_column_with_utc_minutes_and_blanks() -> None:
    table = pd.DataFrame({"number": ["+33612345678"], "last_seen": [utc(25, 16, 0)], "note": [None]})
    shown = readable(table)
    assert shown.index.name == "number"
    assert shown.loc["+33612345678"].to_dict() == {"last_seen": "2026-11-25 16:00 UTC", "note": ""}
