"""What a tenancy's pages ask of the capabilities above tenancy, through signals (indico's habit).

The overview shows what other capabilities have to say about the tenancy (the DPIA pack's
freshness, from portal.dpia) without tenancy importing them: each connects a receiver that
returns template values, and the page renders with all of them.
"""

from __future__ import annotations

from typing import Any

from blinker import Namespace

from portal.tenancy.models import Tenancy

_signals = Namespace()

#: Sent with `tenancy` when its overview renders; a receiver returns a dict of template values.
overview_rendering = _signals.signal("tenancy-overview-rendering")


def overview_values(tenancy: Tenancy) -> dict[str, Any]:
    """The template values every receiver adds to the tenancy's overview."""
    values: dict[str, Any] = {}
    for _, answer in overview_rendering.send(None, tenancy=tenancy):
        values.update(answer)
    return values
