"""pick_model's time per call, in-process, and its hit rate on the seed-written routing table.

    .venv/bin/python benchmarks/bench_router.py [--rounds 20]

Runs every row of tests/unit/routing_table.py through `pick_model` against the bundled
catalogue, `rounds` times, and prints the median, 95th percentile and worst time per call
(target: median under 5 ms), then how many rows get the expected model, tool or "ask".
The rules are compiled once before timing, as a running server does. Machines here are
shared and noisy: read the median, not the worst case.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from higgsfield_mcp.domain.generation.catalogue import Catalogue
from higgsfield_mcp.domain.generation.router import RouteRequest, load_rules, pick_model

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.unit.routing_table import HOLDOUT, ROWS, Row, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    catalogue = Catalogue.bundled()
    load_rules()
    requests = [(RouteRequest(request=text, **fields), expected) for text, fields, expected in ROWS]
    times: list[float] = []
    for _ in range(args.rounds):
        for request, _expected in requests:
            started = time.perf_counter()
            pick_model(request, catalogue)
            times.append(time.perf_counter() - started)
    times.sort()
    ms = [t * 1000 for t in times]
    print(f"pick_model: {len(ms)} calls ({len(requests)} requests x {args.rounds} rounds)")
    print(f"  median {statistics.median(ms):.3f} ms, p95 {ms[int(len(ms) * 0.95)]:.3f} ms, worst {ms[-1]:.3f} ms")
    print(f"  target median < 5 ms: {'met' if statistics.median(ms) < 5 else 'MISSED'}")
    report("routing table", ROWS, catalogue)
    report("held-out requests (never tuned on)", HOLDOUT, catalogue)


def report(title: str, rows: list[Row], catalogue: Catalogue) -> None:
    misses = []
    for text, fields, expected in rows:
        got = outcome(pick_model(RouteRequest(request=text, **fields), catalogue))
        if got != expected:
            misses.append((text, expected, got))
    hits = len(rows) - len(misses)
    print(f"{title}: {hits}/{len(rows)} = {hits / len(rows):.1%} as expected")
    for text, expected, got in misses:
        print(f"  miss: {text!r}: expected {expected}, got {got}")


if __name__ == "__main__":
    main()
