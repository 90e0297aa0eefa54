"""Rate limits: the one pacing primitive (``spacing.Spacing``) and the pacer that hands out
named gates over it, in this process or shared by every process on PostgreSQL
(``pacing.Pacer``; the shared backend is ``digest.store.pacing.SharedPacer``).

One unit: a post or a request waits at a gate here, and what the gate does beneath
(in-process spacing, a slot reserved in the database) is the limit's own business.
"""

from digest.ratelimit.pacing import Gate, LocalPacer, Pacer, next_slot, process_gate, use_process_pacer
from digest.ratelimit.spacing import BULK, INTERACTIVE, Spacing, shared_spacing

__all__ = ["BULK", "INTERACTIVE", "Gate", "LocalPacer", "Pacer", "Spacing", "next_slot", "process_gate",
           "shared_spacing", "use_process_pacer"]
