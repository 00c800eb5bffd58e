"""Timing helpers shared by the benchmarks."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

RUNS = 5


def median_time(run: Callable[[], Any], before: Callable[[], Any], runs: int = RUNS) -> float:
    """Median wall time of ``run`` over ``runs`` runs; ``before`` runs (untimed) before each."""
    times = []
    for _ in range(runs):
        before()
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)
