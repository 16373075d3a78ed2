"""Benchmark the template: bake time, load, slow tasks, Celery end to end, overload,
each pattern beside its hand-written peer, and the template's own test suite, in one
run. See bench/README.md.

From the repository's root (Redis on 127.0.0.1:6379, RabbitMQ on 127.0.0.1:5672):

    python3 -m venv .venv && .venv/bin/pip install -r requirements-test.txt \
        -r bench/requirements.txt && .venv/bin/python bench/run.py

Prints a markdown table, writes bench/results/results.json and results.png.
``--quick`` does a little of everything (while working on the benchmark);
``--skip-suite`` leaves out the test suite, ``--skip-peers`` measurement 7, and
``--peers-only`` runs measurement 7 alone.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import measure
import peers
import report
from projects import (
    BROKERS,
    PATTERNS,
    TEMPLATE_DIR,
    install_project,
    private_cookiecutter_config,
)

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def git(*args: str) -> str:
    result = subprocess.run(
        ["git", "-C", str(TEMPLATE_DIR), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout


def describe_environment() -> dict[str, Any]:
    changed = [
        line[3:]
        for line in git("status", "--porcelain").splitlines()
        if not line[3:].startswith("bench/")
    ]
    return {
        "started_at": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average_at_start": os.getloadavg(),
        "commit": git("rev-parse", "--short", "HEAD").strip(),
        "template_files_changed_since_commit": changed,
    }


def measure_peers(
    projects: dict[str, Any], plan: peers.PeerPlan, runs_dir: Path
) -> dict[str, Any]:
    figures: dict[str, Any] = {"plan": asdict(plan), "in_process": {}}
    for pattern in peers.IN_PROCESS_PAIRS:
        progress(f"7. {pattern} beside its tutorial peer, {plan.rounds} rounds")
        figures["in_process"][pattern] = peers.measure_in_process_peers(
            projects[pattern], plan, runs_dir / f"{pattern}-peer"
        )
    progress(
        f"7. celery beside the minimal app, Redis and RabbitMQ, {plan.rounds} rounds"
    )
    figures["celery"] = peers.measure_celery_peers(
        projects["celery"], plan, runs_dir / "celery-peer"
    )
    return figures


def run_benchmark(
    plan: measure.Plan,
    peer_plan: peers.PeerPlan | None,
    peers_only: bool,
    workdir: Path,
) -> dict[str, Any]:
    results: dict[str, Any] = {"plan": asdict(plan)}
    if peer_plan is not None:
        peers.require_wrk()  # before anything long
    with private_cookiecutter_config(workdir):
        if not peers_only:
            progress(
                f"1. bake time: each pattern and the one-file template"
                f" x{plan.bake_rounds}"
            )
            results["bake_time"] = measure.measure_bake_times(
                plan.bake_rounds, workdir / "bakes"
            )
        progress("installing each pattern into a venv of its own")
        with measure.hook_output_silenced():
            projects = {
                pattern: install_project(pattern, workdir) for pattern in PATTERNS
            }
    runs_dir = workdir / "runs"
    results["peers"] = (
        None if peer_plan is None else measure_peers(projects, peer_plan, runs_dir)
    )
    if peers_only:
        return results

    progress("2-3. load on the baseline and the in-process patterns, then slow tasks")
    in_process = measure.measure_in_process(projects, plan, runs_dir)
    results["load"] = in_process["load"]
    results["slow_tasks"] = in_process["slow_tasks"]

    results["celery"] = {}
    for broker in BROKERS:
        progress(f"2, 4. celery on {broker.name}: one task at a time, then load")
        figures = measure.measure_celery(
            projects["celery"], broker, plan, runs_dir / f"celery-{broker.name}"
        )
        results["load"][f"celery_{broker.name}"] = figures.pop("load")
        results["celery"][broker.name] = figures

    results["overload"] = {}
    for pattern in measure.IN_PROCESS_ENDPOINTS:
        progress(f"5. overload on {pattern}")
        results["overload"][pattern] = measure.measure_overload(
            projects[pattern], plan, runs_dir / f"{pattern}-overload"
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="small counts, one repetition"
    )
    parser.add_argument(
        "--skip-suite", action="store_true", help="do not run the template's tests"
    )
    parser.add_argument(
        "--skip-peers", action="store_true", help="leave out measurement 7 (wrk)"
    )
    parser.add_argument(
        "--peers-only", action="store_true", help="measurement 7 alone, no suite"
    )
    arguments = parser.parse_args()
    plan = measure.QUICK if arguments.quick else measure.FULL
    peer_plan = (
        None
        if arguments.skip_peers
        else (peers.PEERS_QUICK if arguments.quick else peers.PEERS_FULL)
    )

    started = time.monotonic()
    environment = describe_environment()
    with tempfile.TemporaryDirectory(prefix="bgtasks-bench-") as workdir:
        results = run_benchmark(plan, peer_plan, arguments.peers_only, Path(workdir))
    results["environment"] = environment
    if arguments.skip_suite or arguments.peers_only:
        results["test_suite"] = None
    else:
        progress("6. the template's test suite: python -m pytest")
        results["test_suite"] = measure.measure_test_suite()
    results["environment"]["load_average_at_end"] = os.getloadavg()
    results["total_seconds"] = time.monotonic() - started

    RESULTS_DIR.mkdir(exist_ok=True)
    # A run of measurement 7 alone keeps the full run's files as they are.
    name = "peers" if arguments.peers_only else "results"
    (RESULTS_DIR / f"{name}.json").write_text(
        json.dumps(results, indent=2) + "\n", encoding="utf-8"
    )
    if arguments.peers_only:
        table = report.markdown_table(results, report.peer_rows(results["peers"]))
    else:
        report.plot(results, RESULTS_DIR / "results.png")
        table = report.markdown_table(results)
    (RESULTS_DIR / f"{name}.md").write_text(table + "\n", encoding="utf-8")
    start_load, end_load = (
        environment[f"load_average_at_{moment}"][0] for moment in ("start", "end")
    )
    print(table)
    print(
        f"\nTotal {results['total_seconds']:.0f} s; 1-minute load average"
        f" {start_load:.2f} at the start, {end_load:.2f} at the end"
        f" ({environment['cpus']} CPUs). Raw figures: {RESULTS_DIR / name}.json,"
        f" table: {RESULTS_DIR / name}.md"
    )


if __name__ == "__main__":
    main()
