"""What the project's tasks share, the CumulusCI way: option values read once in `_init_options`
with one idiom per kind (a wrong value fails the task before it starts, naming the option), the
`store_url` option as a mixin every store-using task takes, and bad input turned into a CumulusCI
failure that names the file and line instead of a traceback."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable, Iterator, TypeVar

from cumulusci.core.exceptions import CumulusCIFailure, TaskOptionsError
from cumulusci.core.tasks import BaseTask
from cumulusci.core.utils import process_bool_arg

from eazybe_tasks.sources.model import SourceError
from eazybe_tasks.store.store import URL_VARIABLE, Store, open_store

N = TypeVar("N", int, float)


def flag(options: dict[str, Any], name: str, default: bool = False) -> bool:
    """A true/false option (CumulusCI's words: True, False, yes, no, 1, 0...)."""
    value = options.get(name)
    if value is None or value == "":
        return default
    try:
        return bool(process_bool_arg(value))
    except TypeError as error:
        raise TaskOptionsError(f"option {name}: expected True or False, got {value!r}") from error


def number(options: dict[str, Any], name: str, kind: Callable[[str], N], default: N) -> N:
    """A numeric option (`kind` is int or float), `default` when it is not given."""
    value = options.get(name)
    if value is None or value == "":
        return default
    try:
        return kind(str(value))
    except ValueError as error:
        raise TaskOptionsError(f"option {name}: expected {'a whole number' if kind is int else 'a number'}, "
                               f"got {value!r}") from error


class StoreOption:
    """The `store_url` option, for any task class that opens the store (mix in before the task's
    CumulusCI base class, and add `StoreOption.task_options` to the task's own)."""

    task_options = {"store_url": {"description": f"The store's SQLAlchemy URL (default ${URL_VARIABLE}, else "
                                                 "sqlite:///.eazybe/store.db)."}}
    options: dict[str, Any]

    def _init_options(self, kwargs: dict[str, Any]) -> None:
        super()._init_options(kwargs)  # type: ignore[misc]
        self.store_url: str | None = self.options.get("store_url") or None

    def _open_store(self) -> Store:
        return open_store(self.store_url)


class StoreTask(StoreOption, BaseTask):
    task_options = dict(StoreOption.task_options)

    @contextmanager
    def _bad_input_fails(self) -> Iterator[None]:
        try:
            yield
        except SourceError as error:
            raise CumulusCIFailure(f"nothing was stored: {error}") from error
