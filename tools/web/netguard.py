"""SSRF guard: which URLs the product may fetch (http/https to public addresses only,
plus the explicit ``allow_private_hosts`` list used by the local sample web and tests)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import httpcore

from core.errors import UnsafeURL

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Cloud metadata endpoints; most are link-local/private already, listed so the refusal says why.
METADATA_IPS = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200")
)
METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata.goog", "metadata"})
CGNAT = ipaddress.ip_network("100.64.0.0/10")
ALLOWED_SCHEMES = frozenset({"http", "https"})


def blocked_reason(ip: IPAddress) -> str | None:
    """Why an address must not be fetched, or None when it is a public unicast address."""
    if isinstance(ip, ipaddress.IPv6Address):
        # IPv4 carried inside IPv6 (mapped, 6to4, Teredo) is judged as that IPv4 address.
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            return blocked_reason(embedded)
    if ip in METADATA_IPS:
        return "metadata endpoint"
    checks = (
        ("loopback", ip.is_loopback),
        ("unspecified", ip.is_unspecified),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("CGNAT", isinstance(ip, ipaddress.IPv4Address) and ip in CGNAT),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
        ("not globally routable", not ip.is_global),
    )
    return next((label for label, hit in checks if hit), None)


def _literal_ip(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return None


def _ipv4_number(part: str) -> int | None:
    if part[:2] in ("0x", "0X"):
        digits, base = part[2:] or "0", 16
    elif len(part) > 1 and part.startswith("0"):
        digits, base = part[1:], 8
    else:
        digits, base = part, 10
    try:
        return int(digits, base) if digits.isascii() and digits.isalnum() else None
    except ValueError:
        return None


def numeric_host(host: str) -> ipaddress.IPv4Address | None:
    """The IPv4 address a host written with numbers means to a resolver, a proxy or a browser:
    ``2130706433``, ``0x7f.1`` and ``0177.0.0.1`` all mean 127.0.0.1 (WHATWG host parsing, as
    inet_aton). None for a host name; ValueError when it ends in a number yet is no address."""
    labels = host.split(".")
    last = labels[-1]
    if not (last.isascii() and (last.isdigit() or last[:2] in ("0x", "0X"))):
        return None  # does not end in a number: a host name
    numbers = [_ipv4_number(label) for label in labels]
    if len(labels) > 4 or any(n is None for n in numbers):
        raise ValueError(f"{host!r} ends in a number but is not an IPv4 address")
    *head, tail = (n for n in numbers if n is not None)
    if any(n > 255 for n in head) or tail >= 256 ** (4 - len(head)):
        raise ValueError(f"{host!r} is out of the IPv4 range")
    value = tail
    for index, number in enumerate(head):
        value += number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


class NetGuard:
    """Refuses unsafe URLs before any connection is made. ``proxied``: the proxy resolves
    names, so only literal addresses and well-known internal names are judged here."""

    def __init__(self, allow_private_hosts: Iterable[str] = (), *, proxied: bool = False) -> None:
        self.allowed = {h.strip().lower().strip("[]") for h in allow_private_hosts if h.strip()}
        self.proxied = proxied

    def _is_allowed(self, value: str) -> bool:
        return value.lower().strip("[]") in self.allowed

    def check_static(self, url: str) -> str:
        """Checks what needs no DNS (scheme, host form, literal IPs, internal names).
        Returns the lower-cased host name when it still has to be resolved, else ``""``."""
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises on an invalid port
        except ValueError as exc:
            raise UnsafeURL(f"malformed URL: {exc}", url=url) from exc
        if parts.scheme.lower() not in ALLOWED_SCHEMES:
            raise UnsafeURL(f"scheme {parts.scheme!r} is not allowed", url=url)
        host = (parts.hostname or "").rstrip(".").lower()
        if not host:
            raise UnsafeURL("URL has no host", url=url)
        if self._is_allowed(host):
            return ""
        ip: IPAddress | None = _literal_ip(host)
        if ip is None:
            try:
                ip = numeric_host(host)
            except ValueError as exc:
                raise UnsafeURL(f"malformed host: {exc}", url=url) from exc
        if ip is not None:
            reason = blocked_reason(ip)
            if reason and not self._is_allowed(str(ip)):
                raise UnsafeURL(f"{host} is a {reason} address", url=url)
            return ""
        if host in METADATA_HOSTS or host == "localhost" or host.endswith(".localhost"):
            raise UnsafeURL(f"{host} is an internal host name", url=url)
        return "" if self.proxied else host

    async def check(self, url: str) -> None:
        """Raises UnsafeURL unless every address the host resolves to is public (or allowed)."""
        host = self.check_static(url)
        if host:
            for ip in await resolve(host, url):
                self.check_ip(ip, url)

    def check_ip(self, ip: IPAddress, url: str) -> None:
        reason = blocked_reason(ip)
        if reason and not self._is_allowed(str(ip)):
            raise UnsafeURL(f"{urlsplit(url).hostname} resolves to a {reason} address ({ip})", url=url)


async def resolve(host: str, url: str = "") -> list[IPAddress]:
    """All addresses of ``host`` (async getaddrinfo); FetchError(kind=dns) when it has none."""
    from core.errors import FetchError

    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve {host}: {exc}", kind="dns", url=url or None) from exc
    ips = {_literal_ip(str(info[4][0])) for info in infos}
    found = [ip for ip in ips if ip is not None]
    if not found:
        raise FetchError(f"{host} has no address", kind="dns", url=url or None)
    return found


class GuardedNetworkBackend(httpcore.AsyncNetworkBackend):
    """httpcore backend that re-checks the address it actually connects to, so a name that
    resolved to a public address during ``check`` cannot rebind to a private one."""

    def __init__(self, guard: NetGuard, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self.guard = guard
        self.inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        if self.guard._is_allowed(host):
            return await self.inner.connect_tcp(host, port, timeout, local_address, socket_options)
        literal = _literal_ip(host)
        ips = [literal] if literal is not None else await resolve(host)
        for ip in ips:
            self.guard.check_ip(ip, f"http://{host}/")
        last: Exception | None = None
        for ip in ips:  # connect to the checked address itself, trying each in turn
            try:
                return await self.inner.connect_tcp(str(ip), port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                last = exc
        raise last or httpcore.ConnectError(f"cannot connect to {host}")

    async def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not used for web fetching")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)
