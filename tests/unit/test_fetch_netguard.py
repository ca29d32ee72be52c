"""The SSRF guard: schemes, literal and resolved addresses, metadata, allow-list, proxy mode."""

from __future__ import annotations

import ipaddress

import httpcore
import pytest

from core.errors import UnsafeURL
from tools.web.netguard import GuardedNetworkBackend, NetGuard, blocked_reason, numeric_host


@pytest.mark.parametrize(
    "ip",
    ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.1.1", "100.64.0.1",
     "224.0.0.1", "240.0.0.1", "0.0.0.0", "::1", "fe80::1", "fc00::1", "::", "ff02::1",
     "169.254.169.254", "fd00:ec2::254", "::ffff:10.0.0.1", "::ffff:127.0.0.1",
     "2002:7f00:1::", "2002:a9fe:a9fe::1", "2001:0:4136:e378:8000:63bf:f5ff:fffe", "::127.0.0.1",
     "64:ff9b::a9fe:a9fe"],
)
def test_non_public_addresses_are_blocked(ip: str):
    assert blocked_reason(ipaddress.ip_address(ip)) is not None


@pytest.mark.parametrize("ip", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "2002:5db8:d822::1"])
def test_public_addresses_pass(ip: str):
    assert blocked_reason(ipaddress.ip_address(ip)) is None


def test_metadata_is_named_as_such():
    assert blocked_reason(ipaddress.ip_address("169.254.169.254")) == "metadata endpoint"


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://example.com/x", "gopher://example.com/", "javascript:alert(1)",
     "http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/",
     "http://metadata.google.internal/computeMetadata/v1/", "http://10.0.0.5:8080/",
     "http://localhost/", "http://app.localhost/", "http://[::1]/", "http://2130706433/",
     "http:///nohost", "http://example.com:99999/"],
)
async def test_unsafe_urls_are_refused(url: str):
    guard = NetGuard()
    with pytest.raises(UnsafeURL) as info:
        await guard.check(url)
    assert info.value.kind == "unsafe_url"


async def test_allow_list_admits_listed_hosts_only():
    guard = NetGuard(["127.0.0.1"])
    await guard.check("http://127.0.0.1:8080/page")
    with pytest.raises(UnsafeURL):
        await guard.check("http://127.0.0.2/")
    with pytest.raises(UnsafeURL):
        await guard.check("http://localhost:8080/")  # resolves to loopback, not listed


async def test_names_resolving_to_private_addresses_are_refused(monkeypatch):
    # DNS is the outside system here: a fake zone where one name points inside the network.
    zone = {"intranet.example": ["93.184.216.34", "10.0.0.7"], "www.example": ["93.184.216.34"]}

    async def fake_resolve(host: str, url: str = ""):
        return [ipaddress.ip_address(a) for a in zone[host]]

    monkeypatch.setattr("tools.web.netguard.resolve", fake_resolve)
    guard = NetGuard()
    await guard.check("https://www.example/about")
    with pytest.raises(UnsafeURL, match="10.0.0.7"):
        await guard.check("https://intranet.example/")  # one private answer is enough to refuse
    await NetGuard(["10.0.0.7"]).check("https://intranet.example/")  # unless the IP is listed


async def test_with_a_proxy_names_are_not_resolved_but_private_literals_are_refused():
    guard = NetGuard(["127.0.0.1"], proxied=True)
    await guard.check("http://some-company.example/")  # no DNS here: the proxy resolves it
    await guard.check("http://127.0.0.1:9/")  # allow-list still applies
    for url in ("http://10.0.0.1/", "http://169.254.169.254/", "http://localhost/",
                "http://metadata.google.internal/"):
        with pytest.raises(UnsafeURL):
            await guard.check(url)


async def test_connect_time_check_refuses_private_addresses():
    backend = GuardedNetworkBackend(NetGuard())
    with pytest.raises(UnsafeURL):
        await backend.connect_tcp("127.0.0.1", 9)
    with pytest.raises(UnsafeURL):
        await backend.connect_tcp("localhost", 9)
    allowed = GuardedNetworkBackend(NetGuard(["127.0.0.1"]))
    with pytest.raises(httpcore.ConnectError):  # allowed, so it really tries (nothing listens)
        await allowed.connect_tcp("127.0.0.1", 9)


@pytest.mark.parametrize(
    ("host", "ip"),
    [("2130706433", "127.0.0.1"), ("0177.0.0.1", "127.0.0.1"), ("0x7f.0.0.1", "127.0.0.1"),
     ("0x7F000001", "127.0.0.1"), ("127.1", "127.0.0.1"), ("0x7f.1", "127.0.0.1"), ("0", "0.0.0.0"),
     ("017700000001", "127.0.0.1"), ("10.1", "10.0.0.1"), ("169.254.43518", "169.254.169.254"),
     ("93.184.216.34", "93.184.216.34"), ("example.com", None), ("1x.example", None)],
)
def test_numeric_hosts_mean_what_a_resolver_reads(host: str, ip: str | None):
    assert numeric_host(host) == (ipaddress.ip_address(ip) if ip else None)


@pytest.mark.parametrize("host", ["1.2.3.4.5", "256.0.0.1", "4294967296", "08.0.0.1", "a.0x1g", "www.123"])
def test_hosts_ending_in_a_number_that_are_no_address_are_malformed(host: str):
    with pytest.raises(ValueError):
        numeric_host(host)


@pytest.mark.parametrize(
    "url", ["http://2130706433/", "http://0x7f.1/", "http://0177.0.0.1/", "http://167772161/",
            "http://0251.0376.0251.0376/", "http://[2002:a9fe:a9fe::]/", "http://www.123/"],
)
async def test_numeric_spellings_are_judged_without_dns_even_with_a_proxy(url: str):
    with pytest.raises(UnsafeURL):
        await NetGuard(proxied=True).check(url)
    with pytest.raises(UnsafeURL):
        await NetGuard().check(url)


async def test_the_allow_list_reads_numeric_spellings_as_their_address():
    await NetGuard(["127.0.0.1"], proxied=True).check("http://2130706433:8080/")
    await NetGuard(proxied=True).check("http://1572395042/")  # 93.184.216.34: public
