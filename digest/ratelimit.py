"""A process-wide minimum spacing between calls to one service (arXiv asks for 3 s)."""

from __future__ import annotations

import threading
import time


class Spacing:
    """Lets one caller through at a time, at least ``min_interval`` seconds apart."""

    def __init__(self, min_interval: float) -> None:
        self.min_interval = min_interval
        self._lock = threading.Lock()
        self._last: float | None = None

    def wait(self) -> float:
        """Block until the call may proceed; returns the seconds slept."""
        # Sleeping while holding the lock is the point: waiters queue up behind it,
        # so N threads are let through N intervals apart, never in a burst.
        with self._lock:
            slept = 0.0
            if self._last is not None:
                slept = max(0.0, self._last + self.min_interval - time.monotonic())
                if slept:
                    time.sleep(slept)
            self._last = time.monotonic()
            return slept


_registry: dict[str, Spacing] = {}
_registry_lock = threading.Lock()


def shared_spacing(name: str, min_interval: float) -> Spacing:
    """The one gate called ``name`` in this process; the latest ``min_interval`` applies."""
    with _registry_lock:
        gate = _registry.setdefault(name, Spacing(min_interval))
        # Every component reads the same settings, so this only changes in tests; keeping
        # the first value would let one test's interval slow down all the others.
        gate.min_interval = min_interval
        return gate
