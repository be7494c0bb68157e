"""Where a webhook may be sent: the host is resolved once, every address it has is checked, and the request goes to
the checked address (so a second lookup cannot point it elsewhere)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Besides what `is_private`, `is_link_local` and the like cover: carrier-grade NAT and the cloud metadata addresses.
REFUSED_NETWORKS = tuple(
    ipaddress.ip_network(network)
    for network in (
        "100.64.0.0/10",
        "169.254.169.254/32",
        "fd00:ec2::254/128",
        "0.0.0.0/8",
        "::/128",
        "64:ff9b::/96",
    )
)


class RefusedAddress(Exception):
    """The URL's host is, or resolves to, an address webhooks are never sent to."""


def is_refused(address: IPAddress, *, allow_loopback: bool) -> bool:
    """Loopback (unless allowed, in dev and test), private, link-local, unique-local, CGNAT, metadata, multicast,
    reserved and unspecified addresses are refused; an IPv4-mapped IPv6 address is judged as its IPv4 address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return not allow_loopback
    return (
        address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or any(address in network for network in REFUSED_NETWORKS)
    )


async def resolve(host: str, port: int, *, allow_loopback: bool) -> IPAddress:
    """The address to connect to; refused when any address of the name is refused."""
    try:
        literal: IPAddress | None = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if literal is not None:
        found = [literal]
    else:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as error:
            raise RefusedAddress(f"Name nicht auflösbar: {host}") from error
        found = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    if not found:
        raise RefusedAddress(f"Name nicht auflösbar: {host}")
    for address in found:
        if is_refused(address, allow_loopback=allow_loopback):
            raise RefusedAddress(f"Adresse nicht erlaubt: {address}")
    return found[0]
