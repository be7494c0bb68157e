"""Which figures open data leaves out: small cells, and the cells that would give them away by subtraction.

Primary suppression: every figure of a cell in which fewer than `SUPPRESS_BELOW` people took part.

Secondary suppression (as statistical offices do it): the published figures obey sum relations, per metric —
a town's total is the sum of its strategy areas (plus contributions without an area, e.g. surveys for the whole
town: a part never published on its own, unknown to readers, which may be derived and needs no protection), the
region's is the sum of the towns', a year is the sum of its quarters and a quarter of its months. Anyone can
subtract. So more figures are left out until

1. no relation has exactly one figure left out (every relation has none, or two or more);
2. where a relation's total is published and the figures left out are counts (at least 1 where a row exists), they
   do not all have to be 1 (a remainder of 3 over three left-out cells would give each of them away);
3. no left-out figure follows from all the relations together (exact linear algebra per connected group of
   left-out figures: a figure is given away exactly when its unit vector lies in the row space of the relations
   restricted to the left-out figures).

The figures left out in addition are the smallest of a relation (fewest information lost), ties broken by the
cell's key, so a recompute over the same data leaves out exactly the same figures. Participants are distinct
people, not additive, and in no relation: they are left out with their cell only.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from service.tallies.models import Metric, Period

SUPPRESS_BELOW = 5

# (town, area, period, period_start, metric); None: the region / all areas.
Key = tuple[uuid.UUID | None, uuid.UUID | None, str, date, str]

# Inside, towns and areas are small numbers (tuples of them hash and compare much faster than of UUIDs), in the
# order of their UUIDs; -1 stands for the region / all areas, -2 for "contributions without a strategy area" of a
# town: a part of the town's total that is never published.
Cell = tuple[int, int, str, date, str]
ALL = -1
NO_AREA = -2

# Metrics whose rows count items: a row exists only for at least 1.
_COUNTED_FROM_ONE = frozenset(metric.value for metric in Metric) - {Metric.VOLUNTEER_HOURS.value}
_NOT_ADDITIVE = frozenset({Metric.PARTICIPANTS.value})

_PRIME = (1 << 61) - 1
_MONTH, _QUARTER, _YEAR = Period.MONTH.value, Period.QUARTER.value, Period.YEAR.value


# A sum relation: its first cell is the total, the others are the parts (a plain tuple: there are many).
Relation = tuple[Cell, ...]


def _quarter(start: date) -> date:
    return start.replace(month=3 * ((start.month - 1) // 3) + 1)


def relations(values: dict[Cell, Decimal]) -> tuple[list[Relation], dict[Cell, Decimal]]:
    """The sum relations between the given figures, and the unpublished parts (contributions without an area).

    Both come in the order of `values`: give them in a fixed order for a fixed result."""
    areas: dict[Cell, list[Cell]] = defaultdict(list)
    towns: dict[Cell, list[Cell]] = defaultdict(list)
    for key in values:
        town, area, period, start, metric = key
        if metric in _NOT_ADDITIVE:
            continue
        if area != ALL:
            areas[(town, ALL, period, start, metric)].append(key)
        elif town != ALL:
            towns[(ALL, ALL, period, start, metric)].append(key)
    hidden: dict[Cell, Decimal] = {}
    found: list[Relation] = []
    for total, value in values.items():
        town, area, period, start, metric = total
        if metric in _NOT_ADDITIVE or town == ALL or area != ALL:
            continue
        parts = areas.get(total, [])
        rest = value - sum((values[part] for part in parts), Decimal(0))
        if rest != 0:
            without_area = (town, NO_AREA, period, start, metric)
            hidden[without_area] = rest
            parts = [*parts, without_area]
        found.append((total, *parts))
    found += [(total, *parts) for total, parts in towns.items()]
    children: dict[Cell, list[Cell]] = defaultdict(list)
    cells = {**values, **hidden}
    for key in cells:
        town, area, period, start, metric = key
        if metric in _NOT_ADDITIVE:
            continue
        if period == _MONTH:
            children[(town, area, _QUARTER, _quarter(start), metric)].append(key)
        elif period == _QUARTER:
            children[(town, area, _YEAR, start.replace(month=1), metric)].append(key)
    found += [(total, *parts) for total, parts in children.items() if total in cells]
    return found, hidden


class _State:
    def __init__(self, values: dict[Cell, Decimal]) -> None:
        values = {key: values[key] for key in sorted(values)}
        self.relations, self.hidden = relations(values)
        self.values = {**values, **self.hidden}
        self.suppressed: set[Cell] = set()
        self.of_cell: dict[Cell, list[int]] = defaultdict(list)
        for index, relation in enumerate(self.relations):
            for cell in relation:
                self.of_cell[cell].append(index)

    def unknown(self, cell: Cell) -> bool:
        return cell in self.suppressed or cell in self.hidden

    def smallest(self, cells: Iterable[Cell]) -> Cell | None:
        open_cells = [cell for cell in cells if not self.unknown(cell)]
        return min(open_cells, key=lambda cell: (self.values[cell], cell), default=None)

    def add(self, cell: Cell, queue: list[int]) -> None:
        self.suppressed.add(cell)
        queue.extend(self.of_cell[cell])

    def given_away_by_bounds(self, relation: Relation) -> bool:
        """A published total whose remainder is exactly the lower bound (1 each) of the left-out count parts."""
        if self.unknown(relation[0]) or relation[0][4] not in _COUNTED_FROM_ONE:
            return False
        left_out = [part for part in relation[1:] if part in self.suppressed]
        if not left_out:
            return False
        known = sum((self.values[part] for part in relation[1:] if not self.unknown(part)), Decimal(0))
        return self.values[relation[0]] - known == len(left_out)

    def settle(self, queue: list[int]) -> None:
        """Rules 1 and 2 until no relation breaks them. Parts without an area are unknown but need no protection."""
        while queue:
            relation = self.relations[queue.pop()]
            unknown = [cell for cell in relation if self.unknown(cell)]
            if len(unknown) == 1 and unknown[0] in self.suppressed:
                cell = self.smallest(relation[1:]) or self.smallest((relation[0],))
                if cell is not None:
                    self.add(cell, queue)
            elif len(unknown) > 1 and self.given_away_by_bounds(relation):
                larger = [part for part in relation[1:] if self.values[part] > 1]
                cell = self.smallest(larger) or self.smallest((relation[0],))
                if cell is not None:
                    self.add(cell, queue)


def suppress(values: dict[Key, Decimal], people: dict[Key, int]) -> set[Key]:
    """The keys of `values` that open data leaves out: small cells and what would give them away."""
    ids = sorted({part for key in values for part in key[:2] if part is not None}, key=lambda found: found.int)
    number = {found: index for index, found in enumerate(ids)}
    keys = {
        (ALL if town is None else number[town], ALL if area is None else number[area], period, start, metric): key
        for key in values
        for town, area, period, start, metric in (key,)
    }
    small = {cell for cell, key in keys.items() if people[key] < SUPPRESS_BELOW}
    return {keys[cell] for cell in suppress_cells({cell: values[key] for cell, key in keys.items()}, small)}


def suppress_cells(values: dict[Cell, Decimal], small: set[Cell]) -> set[Cell]:
    """`suppress` over cells whose towns and areas are numbered in the order of their UUIDs (-1: region, all areas)."""
    state = _State(values)
    state.suppressed = set(small)
    # Only relations with an unknown cell can break a rule; the others join in when one of their cells is left out.
    state.settle(sorted({index for cell in (*state.suppressed, *state.hidden) for index in state.of_cell[cell]}))
    while given_away := determined(state.relations, state.suppressed | set(state.hidden)) & state.suppressed:
        queue: list[int] = []
        for cell in sorted(given_away):
            candidates = (state.smallest(state.relations[index]) for index in state.of_cell[cell])
            choice = min(
                (found for found in candidates if found is not None),
                key=lambda found: (state.values[found], found),
                default=None,
            )
            if choice is not None and choice not in state.suppressed:
                state.add(choice, queue)
        if not queue:
            break  # nothing left to leave out around them (everything left out gives nothing away)
        state.settle(queue)
    return state.suppressed


def determined(relations: Sequence[Relation], unknown: set[Cell]) -> set[Cell]:
    """Unknown cells that the relations fix, given every published figure (rule 3).

    Per connected group of unknown cells: fully reduced row echelon form, modulo the prime 2^61 - 1 (exact
    integers; it differs from the rational one only if a minor of this 0/1/-1 system were a multiple of that
    prime), of the relations restricted to the unknown cells (coefficient 1 for the total, -1 for the parts). A
    cell is fixed exactly when a row of that form is its unit vector.
    """
    rows: list[dict[Cell, int]] = []
    for relation in relations:
        row: dict[Cell, int] = {}
        if relation[0] in unknown:
            row[relation[0]] = 1
        for part in relation[1:]:
            if part in unknown:
                row[part] = _PRIME - 1
        if row:
            rows.append(row)
    parent: dict[Cell, Cell] = {}

    def root(cell: Cell) -> Cell:
        while parent.setdefault(cell, cell) != cell:
            parent[cell] = parent[parent[cell]]
            cell = parent[cell]
        return cell

    for row in rows:
        first, *rest = row
        for cell in rest:
            parent[root(cell)] = root(first)
    groups: dict[Cell, list[dict[Cell, int]]] = defaultdict(list)
    for row in rows:
        groups[root(next(iter(row)))].append(row)
    found: set[Cell] = set()
    for group in groups.values():
        found |= _fixed(group)
    return found


def _subtract(row: dict[Cell, int], factor: int, other: dict[Cell, int]) -> None:
    """row -= factor * other, modulo the prime."""
    for cell, coefficient in other.items():
        value = (row.get(cell, 0) - factor * coefficient) % _PRIME
        if value:
            row[cell] = value
        else:
            row.pop(cell, None)


def _fixed(rows: list[dict[Cell, int]]) -> set[Cell]:
    pivots: dict[Cell, dict[Cell, int]] = {}
    for original in rows:
        row = dict(original)
        for cell in [cell for cell in row if cell in pivots]:
            _subtract(row, row.get(cell, 0), pivots[cell])
        if not row:
            continue
        pivot = min(row)
        inverse = pow(row[pivot], _PRIME - 2, _PRIME)
        row = {cell: coefficient * inverse % _PRIME for cell, coefficient in row.items()}
        for other in pivots.values():
            if factor := other.get(pivot, 0):
                _subtract(other, factor, row)
        pivots[pivot] = row
    return {pivot for pivot, row in pivots.items() if len(row) == 1}
