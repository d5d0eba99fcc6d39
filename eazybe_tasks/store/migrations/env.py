"""Alembic environment: runs the project's migrations on the connection the store hands over
(or on `-x url=...` from the alembic command line, for writing new revisions)."""
from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from eazybe_tasks.store.schema import metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = create_engine(context.get_x_argument(as_dictionary=True)["url"], future=True)
    with engine.connect() as fresh:
        _run(fresh)
