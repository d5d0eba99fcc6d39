"""How the notebook shows a table or a chart, the same way in every section: a table whole, an
empty one as a sentence rather than a header with no rows, and a chart as a PNG inside an <img> with its
alternative text, so the rendered HTML report carries its images and needs no file beside it."""
from __future__ import annotations

import base64
from html import escape
from io import BytesIO

import pandas as pd
from IPython.display import HTML, Markdown, display
from matplotlib.figure import Figure

DPI = 110


def readable(table: pd.DataFrame) -> pd.DataFrame:
    """Keyed by its first column instead of row numbers, times in UTC to the minute, nothing
    written where there is no value."""
    shown = table.set_index(table.columns[0]) if isinstance(table.index, pd.RangeIndex) else table.copy()
    for name in shown.columns:
        if isinstance(shown[name].dtype, pd.DatetimeTZDtype):
            shown[name] = shown[name].dt.tz_convert("UTC").dt.strftime("%Y-%m-%d %H:%M UTC")
    return shown.astype(object).where(shown.notna(), "")


def show_table(table: pd.DataFrame, when_empty: str = "Nothing in this period.") -> None:
    """Every row and the whole of every cell: pandas' own display cuts both, which a report must not."""
    display(Markdown(f"*{when_empty}*") if table.empty else HTML(readable(table).to_html(border=0)))


def figure_html(figure: Figure) -> str:
    """An <img> holding the figure as PNG data, described by its charts' titles."""
    image = BytesIO()
    figure.savefig(image, format="png", dpi=DPI)
    alt = " / ".join(axes.get_title() for axes in figure.axes if axes.get_title())
    data = base64.b64encode(image.getvalue()).decode()
    return f'<img class="audit-chart" alt="{escape(alt)}" src="data:image/png;base64,{data}">'


def show_figure(figure: Figure) -> None:
    display(HTML(figure_html(figure)))
