"""What the audit tells the capabilities above it, through signals (indico's habit).

Every state change writes an audit row through `record`; a capability that must react to
changes anywhere (outgoing webhooks, #27) connects here instead of every service importing it.
Receivers run inside the caller's transaction: what they add commits or rolls back with it.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: Sent with `event` (the flushed AuditEvent) each time an audit row is recorded.
recorded = _signals.signal("audit-recorded")
