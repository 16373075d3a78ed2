"""Benchmark the template: bake time, load, slow tasks, Celery end to end, overload,
each pattern beside its hand-written peer, and the template's own test suite, in one
run. See bench/README.md.

From the repository's root (Redis on 127.0.0.1:6379, RabbitMQ on 127.0.0.1:5672):

    python3 -m venv .venv && .venv/bin/pip install -r requirements-test.txt \
        -r bench/requirements.txt && .venv/bin/python bench/run.py

Prints a markdown table, writes bench/results/results.json and results.png.
``--quick`` does a little of everything (while working on the benchmark);
``--skip-suite`` leaves out the test suite, ``--skip-peers`` measurement 7 and
``--skip-scale-out`` measurement 8; ``--peers-only`` and ``--scale-out-only`` run one of
them alone.
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
import scale_out
from projects import (
    BROKERS,
    PATTERNS,
    REDIS_DATABASES,
    TEMPLATE_DIR,
    install_project,
    private_cookiecutter_config,
    redis_databases_emptied,
    require_empty_redis_databases,
)

RESULTS_DIR = Path(__file__).resolve().parent / "results"
MEASUREMENTS_2_4_HINT = "run measurement 7 or 8 alone (--peers-only, --scale-out-only)"


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
    scale_out_plan: scale_out.ScaleOutPlan | None,
    only: str | None,
    workdir: Path,
) -> dict[str, Any]:
    results: dict[str, Any] = {"plan": asdict(plan)}
    if peer_plan is not None:  # before anything long
        peers.require_wrk()
        require_empty_redis_databases(peers.REDIS_DATABASES, peers.SKIP_HINT)
    if only is None:
        require_empty_redis_databases(REDIS_DATABASES, MEASUREMENTS_2_4_HINT)
    if scale_out_plan is not None:
        scale_out.require_network_namespaces()
        scale_out.require_redis_server()
    with private_cookiecutter_config(workdir):
        if only is None:
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
    if scale_out_plan is None:
        results["scale_out"] = None
    else:
        progress("8. celery on one worker host, then two, then one cut off mid-run")
        results["scale_out"] = scale_out.measure_scale_out(
            projects["celery"], scale_out_plan, runs_dir / "scale-out"
        )
    if only is not None:
        return results

    progress("2-3. load on the baseline and the in-process patterns, then slow tasks")
    in_process = measure.measure_in_process(projects, plan, runs_dir)
    results["load"] = in_process["load"]
    results["slow_tasks"] = in_process["slow_tasks"]

    results["celery"] = {}
    with redis_databases_emptied(REDIS_DATABASES, MEASUREMENTS_2_4_HINT):
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
        "--skip-scale-out",
        action="store_true",
        help="leave out measurement 8 (network namespaces, as root)",
    )
    alone = parser.add_mutually_exclusive_group()
    alone.add_argument(
        "--peers-only",
        action="store_const",
        const="peers",
        dest="only",
        help="measurement 7 alone, no suite",
    )
    alone.add_argument(
        "--scale-out-only",
        action="store_const",
        const="scale_out",
        dest="only",
        help="measurement 8 alone, no suite",
    )
    arguments = parser.parse_args()
    only = arguments.only
    plan = measure.QUICK if arguments.quick else measure.FULL
    peer_plan = (
        None
        if arguments.skip_peers or only == "scale_out"
        else (peers.PEERS_QUICK if arguments.quick else peers.PEERS_FULL)
    )
    scale_out_plan = (
        None
        if arguments.skip_scale_out or only == "peers"
        else (
            scale_out.SCALE_OUT_QUICK if arguments.quick else scale_out.SCALE_OUT_FULL
        )
    )

    started = time.monotonic()
    environment = describe_environment()
    with tempfile.TemporaryDirectory(prefix="bgtasks-bench-") as workdir:
        results = run_benchmark(plan, peer_plan, scale_out_plan, only, Path(workdir))
    results["environment"] = environment
    if arguments.skip_suite or only is not None:
        results["test_suite"] = None
    else:
        progress("6. the template's test suite: python -m pytest")
        results["test_suite"] = measure.measure_test_suite()
    results["environment"]["load_average_at_end"] = os.getloadavg()
    results["total_seconds"] = time.monotonic() - started

    RESULTS_DIR.mkdir(exist_ok=True)
    # A run of measurement 7 or 8 alone keeps the full run's files as they are.
    name = "results" if only is None else only
    (RESULTS_DIR / f"{name}.json").write_text(
        json.dumps(results, indent=2) + "\n", encoding="utf-8"
    )
    if only == "peers":
        table = report.markdown_table(results, report.peer_rows(results["peers"]))
    elif only == "scale_out":
        rows = report.scale_out_rows(results["scale_out"])
        table = report.markdown_table(results, rows)
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
