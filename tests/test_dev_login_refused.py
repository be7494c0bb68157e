"""The development login exists only in `mitmachen dev`."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from mitmachen.dev_idp import dev_identity_provider
from service.auth.demo import DEMO_PEOPLE


async def test_outside_dev_mode_the_development_provider_is_not_served(client: httpx.AsyncClient) -> None:
    for path in ("/dev/idp/.well-known/openid-configuration", "/dev/idp/authorize", "/dev/idp/token-for/demo-region"):
        assert (await client.get(path)).status_code == 404


def test_the_development_provider_refuses_to_be_built_outside_dev_mode(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError):
        dev_identity_provider(
            issuer="http://127.0.0.1:8000/dev/idp",
            audience="mitmachen",
            client_id="x",
            client_secret="y",
            key_path=tmp_path / "key.json",
            people=DEMO_PEOPLE,
            environment_is_dev=False,
        )
