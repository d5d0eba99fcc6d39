"""What SOQL may group by and aggregate, by field type; each aggregate function's SQLite form and
the type of its result.

The function rules follow Salesforce's "Support for Field Types in Aggregate Functions": no
function takes a checkbox, binary, compound or multi-select field; SUM and AVG take numbers only;
COUNT, COUNT_DISTINCT, MIN and MAX also take text, ids, dates and datetimes. GROUP BY takes text,
ids, checkboxes, dates and integers, but no decimal number (currency and percent included) and no
datetime.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import field_types
from .field_paths import ResolvedField
from .schema import FieldInfo

_NOT_AGGREGATABLE = frozenset(
    {"boolean", "base64", "address", "location", "time", "multipicklist", "encryptedstring", "anytype"}
)
_NOT_GROUPABLE = field_types.DECIMAL_TYPES | {
    "datetime", "time", "base64", "address", "location", "multipicklist", "encryptedstring", "anytype"
}


@dataclass(frozen=True)
class _Function:
    template: str  # SQLite, with {} for the column
    numbers_only: bool
    result_type: str | None  # None: the aggregated field's own type
    compares_text: bool  # distinctness and order of text ignore case, as Salesforce's do


_FUNCTIONS = {
    "COUNT": _Function("COUNT({})", numbers_only=False, result_type="int", compares_text=False),
    "COUNT_DISTINCT": _Function("COUNT(DISTINCT {})", numbers_only=False, result_type="int", compares_text=True),
    "SUM": _Function("SUM({})", numbers_only=True, result_type=None, compares_text=False),
    "AVG": _Function("AVG({})", numbers_only=True, result_type="double", compares_text=False),
    "MIN": _Function("MIN({})", numbers_only=False, result_type=None, compares_text=True),
    "MAX": _Function("MAX({})", numbers_only=False, result_type=None, compares_text=True),
}
AGGREGATE_FUNCTIONS = frozenset(_FUNCTIONS)


def groupable(field: FieldInfo) -> bool:
    return field.groupable and field.type.lower() not in _NOT_GROUPABLE


def accepts(function: str, field: FieldInfo) -> bool:
    """Whether Salesforce lets `function` aggregate `field`."""
    if not field.aggregatable or field.type.lower() in _NOT_AGGREGATABLE:
        return False
    return field.type in field_types.NUMBER_TYPES or not _FUNCTIONS[function].numbers_only


def result_type(function: str, field_type: str) -> str:
    """The field type the aggregate's value has: counts are integers, averages decimals."""
    return _FUNCTIONS[function].result_type or field_type


def aggregate_sql(function: str, field: ResolvedField) -> str:
    spec = _FUNCTIONS[function]
    return spec.template.format(field.comparable_sql if spec.compares_text else field.column_sql)
