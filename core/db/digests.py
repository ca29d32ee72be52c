"""Stable hashes the database keys on: approved e-mail content and suppressed addresses/domains."""

from __future__ import annotations

import hashlib


def content_hash(subject: str, body: str) -> str:
    """sha256 of what a reviewer approved; the sender refuses a message whose hash differs."""
    return hashlib.sha256(f"{subject}\n\n{body}".encode()).hexdigest()


def normalize_email(email: str) -> str:
    return email.strip().lower()


def email_hash(email: str) -> str:
    return hashlib.sha256(normalize_email(email).encode()).hexdigest()


def domain_key(domain: str) -> str:
    """Suppression key of a whole domain; '@' + domain can never equal a real address."""
    return email_hash("@" + normalize_domain(domain))


def normalize_domain(domain: str) -> str:
    return domain.strip().lower().rstrip(".").removeprefix("@")


def email_domain(email: str) -> str | None:
    _, at, domain = normalize_email(email).rpartition("@")
    return normalize_domain(domain) if at and domain else None


def parent_domains(domain: str) -> list[str]:
    """``a.b.example.com`` -> [a.b.example.com, b.example.com, example.com]: a suppressed
    domain also covers its subdomains. A single label (the TLD) is never included."""
    labels = normalize_domain(domain).split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)] or [normalize_domain(domain)]
