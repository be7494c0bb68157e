"""Bounds on the shape of a document, checked in linear time before any validation rule runs.

Validation rules that follow fragment spreads (the depth and alias limits, the cost estimate, graphql-core's
introspection depth rule) do work in proportion to the document with every spread expanded, and a chain of
fragments that each spread the next one twice doubles that size with every fragment: a document of a few hundred
bytes expands to millions of selections. graphql-core's rule for overlapping fields compares every pair of fields
that share a response name in one selection set, which is quadratic in their number. Both sizes are computed
here once per fragment (memoised, so a spread costs one lookup) and refused above their bound, so that every rule
after this check works on a bounded document:

- `MAX_SELECTIONS`: fields, inline fragments and fragment spreads with every spread expanded, summed over the
  operations and the fragment definitions of the document (an unused fragment is validated too).
- `MAX_REPEATS`: fields of one response name in one selection set, counting the fields of the fragments spread
  into it.
- `MAX_FRAGMENTS`: fragment definitions in one document.
"""

from __future__ import annotations

from collections import Counter

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

MAX_SELECTIONS = 5_000
MAX_REPEATS = 30
MAX_FRAGMENTS = 200
SHAPE_CODE = "QUERY_TOO_EXPENSIVE"


def _refusal(message: str, limit: str, maximum: int) -> GraphQLError:
    return GraphQLError(message, extensions={"code": SHAPE_CODE, "limit": limit, "maximum": maximum})


class _Shape:
    def __init__(self, document: DocumentNode) -> None:
        self.fragments: dict[str, FragmentDefinitionNode] = {}
        for definition in document.definitions:
            if isinstance(definition, FragmentDefinitionNode):
                self.fragments.setdefault(definition.name.value, definition)
        self.sizes: dict[str, int] = {}
        self.names: dict[str, Counter[str]] = {}
        self.visiting: set[str] = set()

    def expanded(self, name: str) -> int:
        """Selections of fragment `name` with its spreads expanded; an unknown or cyclic spread counts 0 (other
        rules report it). Saturates just over the bound, so numbers stay small."""
        known = self.sizes.get(name)
        if known is not None:
            return known
        fragment = self.fragments.get(name)
        if fragment is None or name in self.visiting:
            return 0
        self.visiting.add(name)
        size = self.size(fragment.selection_set)
        self.visiting.discard(name)
        self.sizes[name] = size
        return size

    def size(self, selection_set: SelectionSetNode | None) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode | InlineFragmentNode):
                total += 1 + self.size(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                total += 1 + self.expanded(selection.name.value)
            if total > MAX_SELECTIONS:
                return MAX_SELECTIONS + 1
        return total

    def fragment_names(self, name: str) -> Counter[str]:
        """Response names at the top level of fragment `name`, its own spreads and inline fragments included."""
        known = self.names.get(name)
        if known is not None:
            return known
        fragment = self.fragments.get(name)
        if fragment is None or name in self.visiting:
            return Counter()
        self.visiting.add(name)
        names = self.top_names(fragment.selection_set)
        self.visiting.discard(name)
        self.names[name] = names
        return names

    def top_names(self, selection_set: SelectionSetNode) -> Counter[str]:
        """Response names of one selection set as the overlap rule groups them; each distinct spread once."""
        names: Counter[str] = Counter()
        spread: set[str] = set()
        pending = [selection_set]
        while pending:
            for selection in pending.pop().selections:
                if isinstance(selection, FieldNode):
                    names[(selection.alias or selection.name).value] += 1
                elif isinstance(selection, InlineFragmentNode):
                    pending.append(selection.selection_set)
                elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in spread:
                    spread.add(selection.name.value)
                    names.update(self.fragment_names(selection.name.value))
        return names

    def most_repeated(self, selection_set: SelectionSetNode | None) -> int:
        """The largest number of fields sharing a response name in any selection set at or below this one (as
        written: fragment definitions are visited on their own)."""
        if selection_set is None:
            return 0
        counts = self.top_names(selection_set)
        most = max(counts.values(), default=0)
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode | InlineFragmentNode):
                most = max(most, self.most_repeated(selection.selection_set))
        return most


def shape_errors(document: DocumentNode) -> list[GraphQLError]:
    """The bounds this document exceeds (at most one error), in time linear in the document's size."""
    fragments = sum(isinstance(definition, FragmentDefinitionNode) for definition in document.definitions)
    if fragments > MAX_FRAGMENTS:
        return [
            _refusal(
                f"Die Anfrage enthält zu viele Fragmente ({fragments}, erlaubt sind {MAX_FRAGMENTS}).",
                "fragments",
                MAX_FRAGMENTS,
            )
        ]
    shape = _Shape(document)
    total = 0
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            total += shape.size(definition.selection_set)
        elif isinstance(definition, FragmentDefinitionNode):
            total += shape.expanded(definition.name.value)
        if total > MAX_SELECTIONS:
            return [
                _refusal(
                    "Die Anfrage ist zu umfangreich: mit allen Fragmenten ausgeschrieben hätte sie mehr als "
                    f"{MAX_SELECTIONS} Felder. Bitte Fragmente seltener verwenden oder weniger Felder abfragen.",
                    "selections",
                    MAX_SELECTIONS,
                )
            ]
    most = max(
        (
            shape.most_repeated(definition.selection_set)
            for definition in document.definitions
            if isinstance(definition, OperationDefinitionNode | FragmentDefinitionNode)
        ),
        default=0,
    )
    if most > MAX_REPEATS:
        return [
            _refusal(
                f"Die Anfrage fragt ein Feld {most}-mal unter demselben Namen ab (erlaubt sind {MAX_REPEATS}). "
                "Bitte jedes Feld nur einmal je Auswahl abfragen.",
                "repeats",
                MAX_REPEATS,
            )
        ]
    return []
