"""Query results as pandas DataFrames, column names taken from the statement.

Rows go through SQLAlchemy, not pandas.read_sql, so the store's column types apply on the way
out (UtcDateTime gives aware UTC timestamps on SQLite too) with the SQLAlchemy version CumulusCI
pins."""
from __future__ import annotations

import pandas as pd
from sqlalchemy.engine import Engine
from sqlalchemy.sql import Select


def frame(engine: Engine, statement: Select) -> pd.DataFrame:
    """The rows of `statement`, with its column labels also when there are no rows."""
    with engine.connect() as connection:
        result = connection.execute(statement)
        return pd.DataFrame(result.all(), columns=list(result.keys()))
