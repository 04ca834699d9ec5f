"""The sync benchmarks still run end to end, at a tiny size, and lose nothing they push.

The benchmarks are how speed is measured here (docs/PERFORMANCE.md), and nothing else runs
them: one stopped working unnoticed once (a changed signature in the store). Their figures are
not judged here, only that each finishes, prints its JSON, and that what it pushed arrived.
SQLite, so no PostgreSQL cluster is started for them; they run side by side.
"""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCHES = {
    "bench_sync_push": ["--sqlite", "--workstations", "1", "--cases", "5"],
    "bench_sync_latency": ["--sqlite", "--rounds", "3"],
    "bench_sync_longpoll": ["--sqlite", "--waiters", "4", "--rate", "4", "--seconds", "2"],
    "bench_sync_requests": ["--requests", "20"],
}


def run_all() -> dict[str, Any]:
    started = {
        name: subprocess.Popen(
            [sys.executable, "-m", f"benches.{name}", *options],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for name, options in BENCHES.items()
    }
    results = {}
    for name, process in started.items():
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, f"{name}: {err.decode(errors='replace')[-3000:]}"
        results[name] = json.loads(out)
    return results


def test_the_sync_benchmarks_run_and_lose_nothing() -> None:
    results = run_all()

    push = results["bench_sync_push"]
    assert push["events"] == 10 and push["outcomes"] == {"accepted": 10}
    assert push["service"]["events_per_s"] > 0 and push["ratio"]["sqlite_executemany"] > 0
    # The floor answered the same batches, every event accepted and written.
    assert push["floor"]["outcomes"] == {"accepted": 10} and push["floor"]["events_per_s"] > 0
    # The store's own share is timed around the call the service makes (it read 0 when not).
    assert push["service"]["store_push_events_per_s"] > 0

    latency = results["bench_sync_latency"]
    assert latency["rounds"] == 3 and latency["lost_rounds"] == 0

    poll = results["bench_sync_longpoll"]
    assert poll["pushes"] > 0 and poll["push_errors"] == {} and poll["pull_errors"] == {}
    assert poll["delivered"] == poll["expected_deliveries"]

    # Each request kind was answered (a refused one stops the bench) and its CPU measured.
    cpu = results["bench_sync_requests"]["cpu_us_per_request"]
    assert set(cpu) == {"pull", "push", "baseline_floor", "baseline_declared"}
    assert all(us > 0 for us in cpu.values())
