"""Offline emulators of the ad platforms ads-sync talks to (see DESIGN.md, "Sandbox").

Production code must not know it is talking to a sandbox: the real client libraries are only
pointed at other endpoints (and, for gRPC, trust the sandbox's certificate).
"""

from __future__ import annotations

from .client import SandboxClient
from .data import Volume
from .faults import Fault
from .server import Sandbox

__all__ = ["Fault", "Sandbox", "SandboxClient", "Volume"]
