"""The worst documents we could build within the token and body limits, one per way of making validation slow.

Shared by `tests/schema/hardening/test_document_shape.py` and `bench/validation.py`.
"""

from __future__ import annotations


def fan_out(fragments: int, alias: str = "a") -> str:
    """Each fragment spreads the next one twice: the expanded document doubles with every fragment."""
    chain = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(fragments))
    return f"{{ ...F0 }} {chain} fragment F{fragments} on Query {{ {alias}: __typename }}"


def fan_out_on_lists(fragments: int) -> str:
    """The same chain through list fields, so that the cost estimate multiplies as well."""
    chain = " ".join(
        f"fragment F{i} on Town {{ strategyAreas {{ town {{ ...F{i + 1} }} }} ...F{i + 1} }}" for i in range(fragments)
    )
    return f"{{ towns {{ ...F0 }} }} {chain} fragment F{fragments} on Town {{ slug }}"


def fan_out_dense(fragments: int) -> str:
    """Every fragment spreads every later one."""
    definitions = " ".join(
        f"fragment F{i} on Query {{ __typename " + " ".join(f"...F{j}" for j in range(i + 1, fragments)) + " }"
        for i in range(fragments)
    )
    return "{ ...F0 } " + definitions


def same_name(copies: int, field: str = "towns { slug name }") -> str:
    """One response name many times in one selection set: the overlap rule compares every pair."""
    return "{ " + " ".join(field for _ in range(copies)) + " }"


def same_name_through_fragments(fragments: int) -> str:
    """The same field in many fragments spread side by side: every pair of fragments is compared."""
    spreads = " ".join(f"...F{i}" for i in range(fragments))
    definitions = " ".join(f"fragment F{i} on Query {{ towns {{ slug }} }}" for i in range(fragments))
    return f"{{ {spreads} }} {definitions}"


def overlap_at_the_bounds() -> str:
    """Within every shape bound: 30 copies of a field whose fragment holds 10 x 10 fields of one name each."""
    inner = " ".join("strategyAreas { " + " ".join("name" for _ in range(10)) + " }" for _ in range(10))
    return "{ " + " ".join("towns { ...A }" for _ in range(30)) + f" }} fragment A on Town {{ {inner} }}"


def many_operations(operations: int, chain: int) -> str:
    """Many operations that each spread one long chain of fragments."""
    queries = " ".join(f"query Q{i} {{ ...F0 }}" for i in range(operations))
    definitions = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} }}" for i in range(chain))
    return f"{queries} {definitions} fragment F{chain} on Query {{ __typename }}"


def deep(levels: int) -> str:
    return "{ " + "towns { strategyAreas { town { " * levels + "slug" + " } } }" * levels + " }"


def many_variables(count: int) -> str:
    definitions = ", ".join(f"$v{i}: Int" for i in range(count))
    return f"query Q({definitions}) {{ towns {{ slug }} }}"


def many_directives(count: int) -> str:
    return "{ towns " + " ".join("@skip(if: false)" for _ in range(count)) + " { slug } }"


WORST_DOCUMENTS: dict[str, str] = {
    "fan-out, 16 fragments": fan_out(16),
    "fan-out, 30 fragments": fan_out(30, alias="b"),
    "fan-out, 199 fragments": fan_out(199, alias="c"),
    "fan-out, 390 fragments": fan_out(390, alias="d"),
    "fan-out through lists, 60": fan_out_on_lists(60),
    "fan-out dense, 25": fan_out_dense(25),
    "same name x 790": same_name(790),
    "same name nested x 390": same_name(390, "ideas { edges { node { id } } }"),
    "same name in 199 fragments": same_name_through_fragments(199),
    "overlap at the bounds": overlap_at_the_bounds(),
    "operations x chain": many_operations(250, 150),
    "deep nesting": deep(330),
    "many variables": many_variables(790),
    "many directives": many_directives(550),
}
"""Each within `MAX_TOKENS` (4 000) and the 100 kB body limit."""
