"""Registrable domains (eTLD+1) from the bundled public-suffix snapshot; never touches the network."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from urllib.parse import urlsplit

import tldextract

# suffix_list_urls=() + cache_dir=None: use the snapshot shipped inside tldextract, no fetch, no disk cache.
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def _host_port(url_or_host: str) -> tuple[str, int | None]:
    text = url_or_host.strip()
    if "://" not in text:
        text = "//" + text
    parts = urlsplit(text)
    host = (parts.hostname or "").rstrip(".").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return host, port


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


@lru_cache(maxsize=4096)
def registrable_domain(url_or_host: str) -> str:
    """``https://www.shop.acme.co.uk/x`` -> ``acme.co.uk``; IPs and single labels come back as the bare host."""
    host, _ = _host_port(url_or_host)
    if not host or _is_ip(host):
        return host
    parts = _EXTRACT(host)
    if not parts.suffix or not parts.domain:
        return host
    return f"{parts.domain}.{parts.suffix}"


def same_site(a: str, b: str) -> bool:
    """Same registrable domain. Hosts without a public suffix (IPs, localhost) must also share the port."""
    host_a, port_a = _host_port(a)
    host_b, port_b = _host_port(b)
    reg_a, reg_b = registrable_domain(a), registrable_domain(b)
    if not reg_a or reg_a != reg_b:
        return False
    if reg_a == host_a and (_is_ip(host_a) or "." not in host_a):
        return host_a == host_b and port_a == port_b
    return True


def has_public_suffix(host: str) -> bool:
    """True when ``host`` is a name under a known public suffix (``acme.co.uk``), not ``noon.five``."""
    parts = _EXTRACT(host.strip().rstrip(".").lower())
    return bool(parts.suffix and parts.domain)


def email_on_domain(email: str, domain: str) -> bool:
    """True when the address belongs to ``domain``'s registrable domain (subdomains included)."""
    _, _, host = email.rpartition("@")
    return bool(host) and registrable_domain(host) == registrable_domain(domain)
