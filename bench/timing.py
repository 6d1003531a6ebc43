"""The one timing helper of the benchmark scripts: the fastest of several runs."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def best_of(fn: Callable[..., object], repeat: int = 1, setup: Callable[[], Any] | None = None,
            clock: Callable[[], float] = time.perf_counter) -> float:
    """Seconds of the fastest of ``repeat`` calls of ``fn`` (given ``setup()``'s result when there is a setup,
    which is not timed)."""
    best = float("inf")
    for _ in range(repeat):
        arg = setup() if setup else None
        t0 = clock()
        fn() if setup is None else fn(arg)
        best = min(best, clock() - t0)
    return best
