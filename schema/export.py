"""Write the SDL of the schema to `schema/schema.graphql` (`python -m schema.export`)."""

from __future__ import annotations

import sys
from pathlib import Path

from schema.root import build_schema

SDL_PATH = Path(__file__).parent / "schema.graphql"


def sdl() -> str:
    return build_schema().as_str() + "\n"


if __name__ == "__main__":
    if "--check" in sys.argv:
        raise SystemExit(0 if SDL_PATH.read_text() == sdl() else "schema/schema.graphql is out of date")
    SDL_PATH.write_text(sdl())
