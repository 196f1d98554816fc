"""Ad accounts found on the platforms, compared with the registry: `ads-sync discover` and the
`ads_sync__discover` DAG.

Each platform's walk lives in its own module (`google_ads.py`, `meta.py`: what to query and how the
platform spells a status); `diff.py` compares what they found with the registry and `registry_write.py`
applies a diff to the YAML file. Nothing here writes the registry unless asked to (`--write`).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

#: why an account is listed apart instead of proposed: a test account, or one that cannot deliver
Apart = Literal["test", "cancelled", "suspended", "closed", "disabled"]


@dataclass(frozen=True)
class Found:
    """One ad account as the platform describes it."""

    platform: str
    account_id: str
    name: str
    timezone: str
    currency: str
    #: the platform's own status word (Google: ENABLED, CANCELED, ...; Meta: ACTIVE, DISABLED, ...)
    status: str
    #: None for a usable account, else why it is listed apart
    apart: Apart | None = None
    #: Google: the manager to send as login-customer-id (the manager discovery started from)
    login_customer_id: str | None = None
    #: Google: the manager directly above it; Meta: the business edge it came from
    parent: str | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class Discovery:
    """What one walk found: the usable accounts, the ones listed apart, and the managers walked."""

    platform: str
    #: the manager (Google), business (Meta) or "me" the walk started from
    root: str
    accounts: list[Found] = field(default_factory=list)
    managers: list[str] = field(default_factory=list)
    requests: int = 0
