"""Webhooks never go to internal addresses: each refused range, a name that resolves into one, and a delivery to
such a URL that makes no connection; allowed names are connected to at the checked address with their Host."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from service.webhooks.addresses import RefusedAddress, is_refused, resolve
from service.webhooks.delivery import post
from tests.service.webhooks.certificates import contexts
from tests.service.webhooks.receiver import receiver

REFUSED = [
    ("127.0.0.1", "loopback"),
    ("127.255.0.9", "loopback"),
    ("::1", "loopback"),
    ("10.1.2.3", "private"),
    ("172.16.0.1", "private"),
    ("172.31.255.254", "private"),
    ("192.168.1.1", "private"),
    ("169.254.10.1", "link-local"),
    ("fe80::1", "link-local"),
    ("fc00::1", "unique-local"),
    ("fd12:3456::1", "unique-local"),
    ("100.64.0.1", "CGNAT"),
    ("100.127.255.254", "CGNAT"),
    ("169.254.169.254", "metadata"),
    ("fd00:ec2::254", "metadata"),
    ("0.0.0.0", "unspecified"),  # noqa: S104 - an address under test
    ("::", "unspecified"),
    ("224.0.0.1", "multicast"),
    ("240.0.0.1", "reserved"),
    ("::ffff:10.0.0.1", "IPv4-mapped private"),
    ("::ffff:127.0.0.1", "IPv4-mapped loopback"),
]
ALLOWED = ["93.184.215.14", "1.1.1.1", "100.63.255.255", "100.128.0.1", "2606:4700::1111", "172.32.0.1"]


@pytest.mark.parametrize(("address", "kind"), REFUSED)
def test_each_internal_range_is_refused(address: str, kind: str) -> None:
    assert is_refused(ipaddress.ip_address(address), allow_loopback=False), kind


@pytest.mark.parametrize("address", ALLOWED)
def test_public_addresses_are_allowed(address: str) -> None:
    assert not is_refused(ipaddress.ip_address(address), allow_loopback=False)


def test_loopback_only_when_allowed_and_nothing_else_with_it() -> None:
    assert not is_refused(ipaddress.ip_address("127.0.0.1"), allow_loopback=True)
    assert not is_refused(ipaddress.ip_address("::1"), allow_loopback=True)
    for address, kind in REFUSED:
        if "loopback" not in kind:
            assert is_refused(ipaddress.ip_address(address), allow_loopback=True), kind


async def test_a_name_resolving_to_a_refused_address_is_refused() -> None:
    with pytest.raises(RefusedAddress):
        await resolve("localhost", 443, allow_loopback=False)
    with pytest.raises(RefusedAddress):
        await resolve("[fd00:ec2::254]", 443, allow_loopback=True)
    with pytest.raises(RefusedAddress):
        await resolve("name.invalid", 443, allow_loopback=True)
    assert str(await resolve("localhost", 443, allow_loopback=True)) in {"127.0.0.1", "::1"}


async def test_a_refused_address_gets_no_request_and_the_reason_is_kept() -> None:
    with receiver() as hook:
        answer = await post(hook.url().replace("127.0.0.1", "localhost"), {}, "{}", allow_loopback=False)
    assert hook.received == []
    assert answer.status_code is None
    assert answer.error is not None
    assert "nicht erlaubt" in answer.error


async def test_a_name_is_connected_to_at_its_checked_address_with_its_host() -> None:
    with receiver() as hook:
        url = hook.url().replace("127.0.0.1", "localhost")
        answer = await post(url, {"webhook-id": "evt_1"}, '{"a":1}', allow_loopback=True)
    assert answer.status_code == 204
    (item,) = hook.received
    assert item.headers["host"] == f"localhost:{hook.port}"
    assert item.body == b'{"a":1}'


async def test_redirects_are_not_followed() -> None:
    with receiver() as hook:
        hook.status = 307
        hook.location = hook.url("/elsewhere")
        answer = await post(hook.url(), {}, "{}", allow_loopback=True)
    assert answer.status_code == 307
    assert [item.path for item in hook.received] == ["/hook"]


async def test_an_ipv6_literal_keeps_its_brackets_in_the_host_header() -> None:
    with receiver("::1") as hook:
        answer = await post(hook.url(), {}, "{}", allow_loopback=True)
    assert answer.status_code == 204
    (item,) = hook.received
    assert item.headers["host"] == f"[::1]:{hook.port}"


async def test_https_goes_to_the_checked_address_with_the_name_checked_against_the_certificate(
    tmp_path: Path,
) -> None:
    server, client = contexts("localhost", tmp_path)
    with receiver(tls=server) as hook:
        answer = await post(hook.url().replace("127.0.0.1", "localhost"), {}, "{}", allow_loopback=True, verify=client)
    assert answer.status_code == 204, answer
    (item,) = hook.received
    assert item.headers["host"] == f"localhost:{hook.port}"


async def test_https_with_a_certificate_for_another_name_is_refused(tmp_path: Path) -> None:
    server, client = contexts("other.example", tmp_path)
    with receiver(tls=server) as hook:
        answer = await post(hook.url().replace("127.0.0.1", "localhost"), {}, "{}", allow_loopback=True, verify=client)
    assert answer.status_code is None
    assert answer.error is not None
    assert hook.received == []
