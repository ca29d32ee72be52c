"""Suppression: addresses and domains never to be mailed, per workspace or global."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core.db.digests import (
    domain_key,
    email_domain,
    email_hash,
    normalize_domain,
    normalize_email,
    parent_domains,
)
from core.db.erasure import erase_recipient
from core.db.store import Store
from core.db.tables import SUPPRESSION_REASONS, Suppression
from core.errors import InvalidInput


class SuppressionStore(Store):
    """Suppressing addresses and domains and checking them."""

    def suppress(self, workspace_id: str | None, email: str, reason: str) -> bool:
        """Suppress an address (or, with reason "domain", a whole domain: ``email`` may then be
        a bare domain). ``workspace_id=None`` suppresses in every workspace. Returns True when
        a new row was written. "erasure" keeps only the hash, never the address."""
        if reason not in SUPPRESSION_REASONS:
            raise InvalidInput(f"reason must be one of {', '.join(SUPPRESSION_REASONS)}")
        if reason == "domain":
            domain = email_domain(email) if "@" in email else normalize_domain(email)
            if not domain:
                raise InvalidInput(f"not a domain: {email!r}")
            key, stored_email = domain_key(domain), None
        elif "@" not in email:
            raise InvalidInput(f"not an e-mail address: {email!r}")
        else:
            domain = None
            key = email_hash(email)
            stored_email = None if reason == "erasure" else normalize_email(email)
        with self._tx() as s:
            scope = (Suppression.workspace_id.is_(None) if workspace_id is None
                     else Suppression.workspace_id == workspace_id)
            row = s.scalars(select(Suppression).where(scope, Suppression.email_hash == key)).first()
            if row is not None:
                if reason == "erasure":
                    row.email, row.reason = None, "erasure"
                return False
            try:
                with s.begin_nested():
                    s.add(Suppression(workspace_id=workspace_id, email_hash=key,
                                      email=stored_email, domain=domain, reason=reason))
            except IntegrityError:
                return False
            return True

    def is_suppressed(self, workspace_id: str, email: str) -> bool:
        """True when the address, its domain or a parent domain is suppressed for this
        workspace or globally."""
        domain = email_domain(email)
        match = Suppression.email_hash == email_hash(email)
        if domain:
            match = match | Suppression.domain.in_(parent_domains(domain))
        scope = Suppression.workspace_id.is_(None) | (Suppression.workspace_id == workspace_id)
        with self._tx() as s:
            hits = s.scalar(select(func.count()).select_from(Suppression).where(scope, match))
            return bool(hits)

    def erase_contact(self, workspace_id: str, email: str) -> dict[str, int]:
        """Delete a recipient's personal data (GDPR Art. 17) and keep only a hashed
        suppression entry (reason "erasure"). Returns how many rows of each kind changed."""
        if "@" not in email:
            raise InvalidInput(f"not an e-mail address: {email!r}")
        with self._tx() as s:
            counts = erase_recipient(s, workspace_id, email)
        self.suppress(workspace_id, email, "erasure")
        return counts

    # --- audit ---------------------------------------------------------------------------
