"""The report's charts, as matplotlib Figures made without pyplot, so nothing is shown twice in
a notebook and no display is needed: the notebook shows each figure once, as an image."""
from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from eazybe_tasks.audit.outcome_queries import OUTCOMES

OUTCOME_COLOURS = {"logged": "#2e7d32", "pending": "#f9a825", "quarantined": "#c62828",
                   "unmatched": "#78909c", "do_not_log": "#5e35b1"}
WIDE = (9.0, 3.6)


def _empty(figure: Figure, title: str, what: str) -> Figure:
    axes = figure.subplots()
    axes.set_title(title)
    axes.text(0.5, 0.5, f"no {what} in this period", ha="center", va="center", transform=axes.transAxes)
    axes.set_axis_off()
    return figure


def messages_per_day_chart(per_day: pd.DataFrame) -> Figure:
    """Stacked bars: each day's messages by outcome (a table from messages_per_day)."""
    figure = Figure(figsize=WIDE, layout="constrained")
    title = "Messages per day, by outcome"
    if not per_day.to_numpy().sum():
        return _empty(figure, title, "messages")
    axes = figure.subplots()
    labels = [day.strftime("%a %d %b") for day in per_day.index]
    bottom = [0] * len(per_day)
    for outcome in OUTCOMES:
        counts = list(per_day[outcome])
        axes.bar(labels, counts, bottom=bottom, label=outcome.replace("_", " "), color=OUTCOME_COLOURS[outcome])
        bottom = [b + c for b, c in zip(bottom, counts)]
    axes.set_title(title)
    axes.set_ylabel("messages")
    axes.legend(loc="upper left", fontsize="small", ncols=len(OUTCOMES))
    axes.margins(y=0.2)
    return figure


def duration_unit(longest_s: float) -> tuple[str, float]:
    """(name, seconds) of the unit a histogram of waits up to `longest_s` reads best in."""
    for name, size in (("days", 86400.0), ("hours", 3600.0), ("minutes", 60.0)):
        if longest_s >= 2 * size:
            return name, size
    return "seconds", 1.0


def latency_histogram(latencies: pd.DataFrame) -> Figure:
    """How long messages waited to be logged (a frame from message_latencies)."""
    figure = Figure(figsize=WIDE, layout="constrained")
    title = "Sync latency: message sent to logged in Salesforce"
    if latencies.empty:
        return _empty(figure, title, "logged messages")
    axes = figure.subplots()
    unit, size = duration_unit(latencies["seconds"].max())
    waits = latencies["seconds"] / size
    axes.hist(waits, bins=min(40, max(5, len(waits) // 5)), color="#1565c0")
    axes.axvline(waits.median(), color="#212121", linestyle="--", label=f"median {waits.median():.1f} {unit}")
    axes.set_title(title)
    axes.set_xlabel(unit)
    axes.set_ylabel("messages")
    axes.legend(fontsize="small")
    return figure


def api_usage_chart(usage: pd.DataFrame) -> Figure:
    """Left: the API calls each run made. Right: the org's daily usage after each run against
    its allowance (a frame from api_usage)."""
    figure = Figure(figsize=WIDE, layout="constrained")
    title = "API calls per sync run"
    if usage.empty:
        return _empty(figure, title, "sync runs")
    calls, daily = figure.subplots(1, 2)
    runs = [str(run) for run in usage["run"]]
    calls.bar(runs, usage["api_calls"], color="#00838f")
    calls.set_title(title)
    calls.set_xlabel("run")
    calls.set_ylabel("calls")
    known = usage.dropna(subset=["api_used", "api_limit"])
    daily.plot([str(run) for run in known["run"]], known["api_used"], marker="o", color="#00838f", label="used")
    daily.plot([str(run) for run in known["run"]], known["api_limit"], linestyle="--", color="#c62828",
               label="daily allowance")
    daily.set_title("The org's daily API usage after each run")
    daily.set_xlabel("run")
    daily.set_ylim(bottom=0)
    daily.legend(fontsize="small")
    for axes in (calls, daily):
        axes.tick_params(axis="x", labelrotation=90 if len(runs) > 20 else 0, labelsize="small")
    return figure
