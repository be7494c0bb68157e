"""Refreshes the front-end files the pages use, from npm, into `web/static/vendor/` (run by hand, not at install).

    uv run --with fonttools --with brotli python -m web.vendor

Each package lands in a folder named with its version, its licence beside it, and `VENDOR.md` lists what came
from where with the files' SHA-256. The Fira Sans fonts of KERN are cut to the Latin ranges the region writes in
(Latin-1 and Latin Extended-A: German, its neighbours, Turkish, Polish), with the default OpenType features:
a face then weighs about a sixth of the original. Changing a version here
changes the folder name, so browsers never mix an old cached file with a new one.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

VENDOR = Path(__file__).parent / "static" / "vendor"
LATIN = "U+0000-017F,U+0218-021B,U+02C6,U+02DA,U+02DC,U+2000-206F,U+20AC,U+2122,U+2190-2193"
FONT_WEIGHTS = {"Regular": 400, "Medium": 500, "SemiBold": 600}


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    licence: str
    files: dict[str, str]  # path in the npm package -> path in our folder
    purpose: str
    fonts: bool = field(default=False)

    @property
    def folder(self) -> str:
        return f"{self.name.lstrip('@').replace('/', '-')}-{self.version}"


PACKAGES = (
    Package(
        "@kern-ux/native",
        "2.7.2",
        "EUPL-1.2",
        {"dist/kern.min.css": "kern.min.css", "LICENSE.md": "LICENSE.md"},
        "KERN UX, the design standard of German public administration: styles and fonts of every page",
        fonts=True,
    ),
    Package(
        "htmx.org",
        "2.0.11",
        "0BSD",
        {"dist/htmx.min.js": "htmx.min.js", "LICENSE": "LICENSE"},
        "in-place updates of forms that also work as plain form posts",
    ),
    Package(
        "react",
        "18.3.1",
        "MIT",
        {"umd/react.production.min.js": "react.production.min.js", "LICENSE": "LICENSE"},
        "GraphiQL's user interface library (the last version with a browser bundle)",
    ),
    Package(
        "react-dom",
        "18.3.1",
        "MIT",
        {"umd/react-dom.production.min.js": "react-dom.production.min.js", "LICENSE": "LICENSE"},
        "GraphiQL's user interface library",
    ),
    Package(
        "graphiql",
        "3.9.0",
        "MIT",
        {"graphiql.min.js": "graphiql.min.js", "graphiql.min.css": "graphiql.min.css", "LICENSE": "LICENSE"},
        "the developer console at /graphiql (the last version with a browser bundle for React 18)",
    ),
)


def _unpack(package: Package, work: Path) -> Path:
    subprocess.run(  # noqa: S603 - fixed arguments
        ["npm", "pack", "--silent", f"{package.name}@{package.version}"],  # noqa: S607
        cwd=work,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    tarball = next(work.glob("*.tgz"))
    target = work / "unpacked"
    with tarfile.open(tarball) as archive:
        archive.extractall(target, filter="data")
    tarball.unlink()
    return target / "package"


def _subset_fonts(source: Path, target: Path) -> None:
    from fontTools import subset  # noqa: PLC0415 - needed only here, with --with fonttools

    faces = []
    for style, weight in FONT_WEIGHTS.items():
        name = f"FiraSans-{style}.woff2"
        subset.main(
            [
                str(source / "dist" / "fonts" / "fira-sans" / name),
                f"--unicodes={LATIN}",
                "--flavor=woff2",
                f"--output-file={target / name}",
            ]
        )
        faces.append(
            "@font-face{font-family:'Fira Sans';font-style:normal;font-display:swap;"
            f"font-weight:{weight};src:url('{name}') format('woff2');unicode-range:{LATIN}}}"
        )
    (target / "fonts.css").write_text("\n".join(faces) + "\n")


def refresh() -> None:
    shutil.rmtree(VENDOR, ignore_errors=True)
    VENDOR.mkdir(parents=True)
    lines = [
        "# Vendored front-end files",
        "",
        "Written by `web/vendor.py` (run it to update; edit the versions there). Served from `/static/vendor/`.",
        "",
        "| package | version | licence | what for |",
        "|---|---|---|---|",
    ]
    hashes = []
    for package in PACKAGES:
        with tempfile.TemporaryDirectory() as work:
            source = _unpack(package, Path(work))
            target = VENDOR / package.folder
            target.mkdir()
            for inside, ours in package.files.items():
                shutil.copyfile(source / inside, target / ours)
            if package.fonts:
                _subset_fonts(source, target)
        lines.append(f"| `{package.name}` | {package.version} | {package.licence} | {package.purpose} |")
        hashes += [
            f"- `{path.relative_to(VENDOR)}` {hashlib.sha256(path.read_bytes()).hexdigest()}"
            for path in sorted(target.iterdir())
        ]
    lines += ["", "## Files (SHA-256)", "", *hashes, ""]
    (VENDOR / "VENDOR.md").write_text("\n".join(lines))


if __name__ == "__main__":
    refresh()
