"""What the changes capability tells the capabilities above it, through signals (indico's habit).

Taking the exit offered after a not-accommodated objection starts an exit case (portal.exits), which
builds on changes; so changes does not import exits: it sends this signal and exits answers.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: Sent with `objection` and `actor` when a school takes the exit its contract offers (#21, #23).
exit_offer_taken = _signals.signal("exit-offer-taken")
