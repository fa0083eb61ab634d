"""Row plans: the audit writer's fast path from an event to the values it stores and hashes.

:func:`engine.audit.tables.event_row` is the definition of an event's row. It
checks every value on every call. Most events the engine emits have the same
shape over and over: the same class, the same value types (``str``, ``int``,
``None``...). A :class:`RowPlan` is what :func:`event_row` and the stored-form
check (:mod:`engine.audit.stored_values`) concluded for one such shape, so the
next event of that shape costs one ``attrgetter`` call, one type-signature
lookup and the envelope check:

* the **signature** is the tuple of the raw values' types, envelope included;
  only events of a registered class (``EVENT_TYPES[name]`` exactly, not a
  subclass) whose values are all ``str``/``int``/``float``/``bool``/``None``
  get a plan, and never ``run_started`` (its account is masked);
* ``bools`` lists the values stored as 0/1 (what ``event_row`` does);
* ``stored`` lists the values whose type is not exactly their column's
  affinity (or that are floats): the writer thread converts those to their
  stored form before hashing, as before. Empty for the common shapes;
* the envelope values (non-empty ``run_id`` and ``ts``, ``seq >= 1``) are still
  checked on every event. Anything unusual (a failed check, a new shape, a
  Decimal or dict value) goes through :func:`event_row`, so errors and
  values are exactly those of the slow path (``tests/audit/test_row_plans.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter
from typing import Any, Callable

from ..events import EVENT_TYPES, Event, RunStarted
from .stored_values import InsertLayout, stored_form_plan
from .tables import ENVELOPE, EVENT_TABLES, event_fields, event_row

_PLAIN_TYPES = frozenset({str, int, float, bool, type(None)})
_NONE = type(None)
#: Most shapes remembered per event class (a runaway mix of types falls back to ``event_row``).
MAX_SHAPES_PER_CLASS = 64


@dataclass(frozen=True, slots=True)
class RowPlan:
    """What to do with the values of one event shape (see the module docstring)."""

    name: str
    table: str
    layout: InsertLayout
    bools: tuple[int, ...]
    stored: tuple[int, ...]
    #: values kept in the canonical content when the row needs no conversion and the
    #: insert order is the declared order (trailing NULLs dropped); ``None`` otherwise
    content_end: int | None


class RowPlanner:
    """Turns events into ``(plan, values)``; create one per audit writer, once its layouts are known.

    Safe to call from several threads: the caches only ever gain entries.
    """

    def __init__(self, layouts: dict[str, InsertLayout]) -> None:
        self._layouts = layouts
        self._getters: dict[type, Callable[[Event], tuple[Any, ...]]] = {
            cls: attrgetter(*ENVELOPE, *event_fields(cls))
            for name, cls in EVENT_TYPES.items() if cls is not RunStarted and name in EVENT_TABLES
        }
        self._plans: dict[type, dict[tuple[type, ...], RowPlan]] = {cls: {} for cls in self._getters}
        self._generic: dict[tuple[str, tuple[type, ...]], RowPlan] = {}

    def row(self, event: Event) -> tuple[RowPlan, tuple[Any, ...]]:
        """``(plan, values)`` for ``event``; ``values`` equal ``event_row(event)``.

        :raises AuditEventError: exactly when (and as) :func:`event_row` raises.
        """
        getter = self._getters.get(type(event))
        if getter is not None:
            values = getter(event)
            plan = self._plans[type(event)].get(tuple(map(type, values)))
            if plan is not None and values[0] and values[1] > 0 and values[2]:
                if plan.bools:
                    values = _bools_as_ints(values, plan.bools)
                return plan, values
        return self._slow_row(event)

    def _slow_row(self, event: Event) -> tuple[RowPlan, tuple[Any, ...]]:
        values = event_row(event)  # the definition: validates and raises
        plan = self.plan_for(event.name, values)
        getter = self._getters.get(type(event))
        if getter is not None:
            raw = getter(event)
            shapes = self._plans[type(event)]
            if set(map(type, raw)) <= _PLAIN_TYPES and len(shapes) < MAX_SHAPES_PER_CLASS:
                bools = tuple(i for i, value in enumerate(raw) if type(value) is bool)
                shapes[tuple(map(type, raw))] = RowPlan(
                    plan.name, plan.table, plan.layout, bools, plan.stored, plan.content_end)
        return plan, values

    def plan_for(self, name: str, values: tuple[Any, ...]) -> RowPlan:
        """The plan for row ``values`` (as :func:`event_row` returns them) of event ``name``."""
        types = tuple(map(type, values))
        plan = self._generic.get((name, types))
        if plan is None:
            layout = self._layouts[name]
            stored = stored_form_plan(types, layout.affinities)
            end = None
            if not stored and layout.identity:
                end = len(types)
                while end and types[end - 1] is _NONE:
                    end -= 1
            plan = RowPlan(name, layout.table, layout, (), stored, end)
            if len(self._generic) < MAX_SHAPES_PER_CLASS * len(self._layouts):
                self._generic[(name, types)] = plan
        return plan


def _bools_as_ints(values: tuple[Any, ...], indexes: tuple[int, ...]) -> tuple[Any, ...]:
    row = list(values)
    for index in indexes:
        row[index] = int(row[index])
    return tuple(row)
