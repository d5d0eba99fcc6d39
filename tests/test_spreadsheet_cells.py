"""What `safe_cell` neutralises, and what it leaves alone."""
from __future__ import annotations

import pytest

from eazybe_tasks.spreadsheet_cells import safe_cell


@pytest.mark.parametrize("text", ["=1+1", "+SUM(1+1)", "-1+2", "@SUM(A1)", "\tx", "\rx", "\uff1d1+1", "\uff0b1"])
def test_a_formula_start_is_quoted(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Jane", "", " =1", "a=b", "'quoted", 5, -5, 1.5, True, None])
def test_anything_else_is_kept(value: object) -> None:
    assert safe_cell(value) == value
