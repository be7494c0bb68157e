"""The GraphQL documents of the pages: one `.graphql` file per page or action in `web/documents/`, shared fragments
in `web/documents/fragments/`. A document is sent with the fragments it spreads (and those they spread)."""

from __future__ import annotations

from pathlib import Path

from graphql import FragmentDefinitionNode, FragmentSpreadNode, Visitor, parse, print_ast, visit

FOLDER = Path(__file__).parent / "documents"


class _Spreads(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_: object) -> None:
        self.names.add(node.name.value)


def _spreads(text: str) -> set[str]:
    spreads = _Spreads()
    visit(parse(text), spreads)
    return spreads.names


class Documents:
    """Every document by name (its file name without `.graphql`), complete with its fragments."""

    def __init__(self, folder: Path = FOLDER) -> None:
        fragments: dict[str, str] = {}
        for path in sorted((folder / "fragments").glob("*.graphql")):
            text = path.read_text()
            for definition in parse(text).definitions:
                if not isinstance(definition, FragmentDefinitionNode):
                    raise TypeError(f"{path.name}: only fragments belong in fragments/")
                name = definition.name.value
                if name in fragments:
                    raise ValueError(f"fragment {name} defined twice")
                fragments[name] = print_ast(definition)
        self._documents: dict[str, str] = {}
        for path in sorted(folder.glob("*.graphql")):
            text = path.read_text()
            needed: set[str] = set()
            todo = _spreads(text)
            while todo:
                name = todo.pop()
                if name in needed:
                    continue
                if name not in fragments:
                    raise ValueError(f"{path.name}: unknown fragment {name}")
                needed.add(name)
                todo |= _spreads(fragments[name])
            self._documents[path.stem] = "\n\n".join([text.strip(), *(fragments[name] for name in sorted(needed))])

    def __getitem__(self, name: str) -> str:
        return self._documents[name]

    def items(self) -> list[tuple[str, str]]:
        return sorted(self._documents.items())
