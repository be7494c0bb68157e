"""Stylesheets and scripts are gzipped once per process, not on every request; other clients get the file as is."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from web.app import STATIC, web
from web.config import WebConfig

STYLESHEET = "vendor/kern-ux-native-2.7.2/kern.min.css"


async def _unused(*args: Any, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    raise AssertionError("static files ask nothing of the API")


@pytest.fixture
async def client() -> Any:
    app = Starlette(routes=web(_unused, WebConfig(login=False, session_csrf_key="csrf")).routes)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        yield client


async def test_a_stylesheet_is_compressed_once_and_answered_from_then_on(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    compressions = 0
    compress, gzip_file, compressobj = gzip.compress, gzip.GzipFile, zlib.compressobj

    def counted_compress(*args: Any, **kwargs: Any) -> bytes:
        nonlocal compressions
        compressions += 1
        return compress(*args, **kwargs)

    def counted_file(*args: Any, **kwargs: Any) -> gzip.GzipFile:
        nonlocal compressions
        compressions += 1
        return gzip_file(*args, **kwargs)

    def counted_compressobj(*args: Any, **kwargs: Any) -> Any:
        nonlocal compressions
        compressions += 1
        return compressobj(*args, **kwargs)

    monkeypatch.setattr(gzip, "compress", counted_compress)
    monkeypatch.setattr(zlib, "compressobj", counted_compressobj)
    monkeypatch.setattr(gzip, "GzipFile", counted_file)
    original = (Path(STATIC) / STYLESHEET).read_bytes()

    answers = [await client.get(f"/static/{STYLESHEET}", headers={"Accept-Encoding": "gzip"}) for _ in range(3)]

    assert compressions == 1
    for answer in answers:
        assert answer.status_code == 200
        assert answer.headers["content-encoding"] == "gzip"
        assert answer.headers["content-type"].startswith("text/css")
        assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert answer.content == original  # httpx decodes the gzip body
        assert len(gzip.compress(original)) * 0.9 < answer.num_bytes_downloaded < len(original) / 5
    again = await client.get(
        f"/static/{STYLESHEET}", headers={"Accept-Encoding": "gzip", "If-None-Match": answers[0].headers["etag"]}
    )
    assert again.status_code == 304
    assert again.content == b""


async def test_without_gzip_the_file_comes_as_it_is_and_unknown_files_are_not_found(
    client: httpx.AsyncClient,
) -> None:
    plain = await client.get(f"/static/{STYLESHEET}", headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200
    assert "content-encoding" not in plain.headers
    assert plain.content == (Path(STATIC) / STYLESHEET).read_bytes()

    missing = await client.get("/static/vendor/nothing-here.css", headers={"Accept-Encoding": "gzip"})
    assert missing.status_code == 404
    outside = await client.get("/static/../app.py", headers={"Accept-Encoding": "gzip"})
    assert outside.status_code == 404
