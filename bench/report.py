"""The results as a markdown table, each figure beside its aim, and as a PNG plot."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only: no display needed

import matplotlib.pyplot as plt

BAKE_RATIO_AIM = 1.5
THROUGHPUT_SHARE_AIM = 0.90
CELERY_REDIS_ENQUEUE_P50_AIM_MS = 3.0
SLOW_P99_RATIO_AIM = 1.2
END_TO_END_P50_AIMS_MS = {"redis": 10.0, "embedded": 60.0}
PEER_RATIO_AIM = 1.0
"""Measurement 7: tasks/s (in-process) and requests/s (celery) at least the peer's,
latencies at most the peer's."""
RSS_GROWTH_AIM = 1.3
"""Measurement 7: peak RSS under load at most this many times the idle RSS."""
SCALE_OUT_SPEEDUP_AIM = 1.8
"""Measurement 8: tasks/s with two worker hosts at least this many times one's."""
PEER_NAMES = {
    "add_task": "FastAPI's tutorial app",
    "dependency_injected": "FastAPI's tutorial app with a dependency",
    "celery": "a minimal FastAPI + Celery app",
}
SUITE_SECONDS_CLAIMED = (150.0, 270.0)
"""What bench/README.md says the template's suite takes on two cores."""

LOAD_SUBJECTS = {
    "baseline": "baseline: POST /bare/{email} (add_task app)",
    "add_task": "add_task",
    "dependency_injected": "dependency_injected (?q=hello: 2 tasks)",
    "celery_redis": "celery, Redis",
    "celery_rabbitmq": "celery, RabbitMQ",
    "celery_embedded": "celery, embedded broker",
}


@dataclass(frozen=True)
class Row:
    measurement: str
    subject: str
    result: str
    aim: str
    met: bool | None
    """None when there is no aim: a reference figure."""


def verdict(met: bool | None) -> str:
    return "-" if met is None else ("yes" if met else "**no**")


def ms(value: float) -> str:
    return f"{value:.1f} ms" if value >= 10 else f"{value:.2f} ms"


def statuses(counts: dict[str, int]) -> str:
    return ", ".join(f"{count} x {status}" for status, count in sorted(counts.items()))


def bake_rows(bake: dict[str, Any]) -> list[Row]:
    one_file = bake["one_file"]["median_s"]
    rows = [
        Row(
            "1. Bake time",
            "one-file template (no hooks)",
            f"{one_file * 1000:.0f} ms (median of {bake['rounds']})",
            "reference",
            None,
        )
    ]
    for pattern, figures in bake["patterns"].items():
        ratio = figures["ratio_to_one_file"]
        rows.append(
            Row(
                "1. Bake time",
                pattern,
                f"{figures['median_s'] * 1000:.0f} ms = {ratio:.1f}x one-file;"
                f" of which the 2 hooks {figures['hooks_median_s'] * 1000:.0f} ms,"
                f" the rest {figures['without_hooks_median_s'] * 1000:.0f} ms"
                f" ({figures['without_hooks_median_s'] / one_file:.1f}x one-file)",
                f"<= {BAKE_RATIO_AIM}x",
                ratio <= BAKE_RATIO_AIM,
            )
        )
    return rows


def load_rows(load: dict[str, dict[str, Any]], concurrency: int) -> list[Row]:
    baseline_accepted = load["baseline"]["accepted_per_s"]
    rows = []
    for name, label in LOAD_SUBJECTS.items():
        figures = load[name]
        result = (
            f"{figures['requests_per_s']:.0f} req/s, of them"
            f" {figures['accepted_per_s']:.0f} 2xx/s;"
            f" p50 {ms(figures['latency_p50_ms'])},"
            f" p99 {ms(figures['latency_p99_ms'])};"
            f" {statuses(figures['statuses'])}"
        )
        aim, met = "reference", None
        if name in ("add_task", "dependency_injected"):
            share = figures["accepted_per_s"] / baseline_accepted
            result += f"; 2xx/s = {share:.0%} of baseline"
            aim = f"2xx/s >= {THROUGHPUT_SHARE_AIM:.0%} of baseline"
            met = share >= THROUGHPUT_SHARE_AIM
        elif name == "celery_redis":
            aim = f"enqueue p50 <= {CELERY_REDIS_ENQUEUE_P50_AIM_MS:g} ms"
            met = figures["latency_p50_ms"] <= CELERY_REDIS_ENQUEUE_P50_AIM_MS
        elif name.startswith("celery"):
            aim = "-"
        if "tasks" in figures:
            done, owed = (
                figures["tasks"]["tasks_completed"],
                figures["tasks"]["tasks_accepted"],
            )
            result += f"; tasks done {done}/{owed}"
        rows.append(Row(f"2. Load, {concurrency} connections", label, result, aim, met))
    return rows


def slow_task_rows(slow_tasks: dict[str, dict[str, Any]]) -> list[Row]:
    rows = []
    for pattern, figures in slow_tasks.items():
        ratio = figures["p99_ratio_slow_to_fast"]
        done, accepted = figures["tasks_completed"], figures["tasks_accepted"]
        drain = max(drain["drain_s"] for drain in figures["drains"])
        rows.append(
            Row(
                f"3. Tasks of {figures['task_seconds']:g} s, same load",
                f"{pattern} ({figures['requests']} requests after"
                f" {figures['warmup_requests']})",
                f"p99 {ms(figures['slow']['latency_p99_ms'])} vs"
                f" {ms(figures['fast']['latency_p99_ms'])} with fast tasks"
                f" = {ratio:.2f}x; p50 {ms(figures['slow']['latency_p50_ms'])} vs"
                f" {ms(figures['fast']['latency_p50_ms'])};"
                f" tasks done {done}/{accepted} (last line {drain:.1f} s after load)",
                f"p99 <= {SLOW_P99_RATIO_AIM}x fast; every task done",
                ratio <= SLOW_P99_RATIO_AIM and done == accepted,
            )
        )
    return rows


def end_to_end_rows(celery: dict[str, dict[str, Any]]) -> list[Row]:
    rows = []
    for broker, figures in celery.items():
        end_to_end = figures["end_to_end"]
        p50 = end_to_end["end_to_end_p50_ms"]
        aim_ms = END_TO_END_P50_AIMS_MS.get(broker)
        rows.append(
            Row(
                "4. Celery POST to SUCCESS, one at a time",
                broker,
                f"p50 {ms(p50)}, p99 {ms(end_to_end['end_to_end_p99_ms'])};"
                f" of which the POST (enqueue) p50"
                f" {ms(end_to_end['enqueue_p50_ms'])}, p99"
                f" {ms(end_to_end['enqueue_p99_ms'])}",
                "-" if aim_ms is None else f"p50 <= {aim_ms:g} ms",
                None if aim_ms is None else p50 <= aim_ms,
            )
        )
    return rows


def overload_rows(overload: dict[str, dict[str, Any]]) -> list[Row]:
    rows = []
    for pattern, runs in overload.items():
        bounded, unbounded = runs["bounded"], runs["unbounded"]
        tasks = bounded["tasks"]
        done, owed = tasks["tasks_completed"], tasks["tasks_accepted"]
        without_retry_after = bounded["rejections_without_retry_after"]
        measurement = (
            f"5. Overload: tasks of {bounded['task_seconds']:g} s,"
            f" {bounded['requests']} requests on {bounded['concurrency']} connections"
        )
        rows.append(
            Row(
                measurement,
                f"{pattern}, bound {bounded['bound']}",
                f"{bounded['accepted']} accepted, {bounded['rejected_503']} x 503"
                f" ({without_retry_after} without Retry-After); pending at the end"
                f" of the load {bounded['pending_at_load_end']}; RSS start"
                f" {bounded['rss_start_mib']:.1f} / peak {bounded['rss_peak_mib']:.1f}"
                f" / end {bounded['rss_end_mib']:.1f} MiB; lines {done}/{owed} after"
                f" {tasks['drain_s']:.1f} s drain; pending back to 0:"
                f" {bounded['pending_requests_fell_to_0']}",
                "lines == accepted tasks; every 503 has Retry-After",
                done == owed and without_retry_after == 0,
            )
        )
        rows.append(
            Row(
                measurement,
                f"{pattern}, no bound (contrast)",
                f"{unbounded['accepted']} accepted; pending at the end of the load"
                f" {unbounded['pending_at_load_end']}; RSS start"
                f" {unbounded['rss_start_mib']:.1f} / peak"
                f" {unbounded['rss_peak_mib']:.1f} MiB; killed with its backlog",
                "-",
                None,
            )
        )
    return rows


def suite_rows(suite: dict[str, Any] | None) -> list[Row]:
    if suite is None:
        return [Row("6. Template test suite", "python -m pytest", "skipped", "-", None)]
    low, high = SUITE_SECONDS_CLAIMED
    summary = suite["summary"].strip("= ")
    return [
        Row(
            "6. Template test suite",
            suite["command"],
            f"{suite['seconds']:.0f} s, exit {suite['exit_code']}: {summary}",
            f"passes in {low:g}-{high:g} s (bench/README.md)",
            suite["exit_code"] == 0 and suite["seconds"] <= high,
        )
    ]


def ratio(ours: float, theirs: float) -> float:
    return ours / theirs if theirs else float("inf")


def in_process_peer_row(pattern: str, figures: dict[str, Any]) -> Row:
    ours, peer = figures["pattern"], figures["peer"]
    speed = ratio(ours["tasks_per_s_during_load"], peer["tasks_per_s_during_load"])
    growth = ours["rss_peak_mib"] / ours["rss_idle_mib"]
    peer_growth = peer["rss_peak_mib"] / peer["rss_idle_mib"]
    all_done = ours["tasks_completed"] >= ours["tasks_owed"]
    result = (
        f"tasks done/s while loaded {ours['tasks_per_s_during_load']:.0f} vs"
        f" {peer['tasks_per_s_during_load']:.0f} = {speed:.2f}x;"
        f" 2xx/s {ours['accepted_per_s']:.0f} vs {peer['accepted_per_s']:.0f}"
        f" ({ours['rejected']} x 503);"
        f" p50 {ms(ours['latency_p50_ms'])} vs {ms(peer['latency_p50_ms'])},"
        f" p99 {ms(ours['latency_p99_ms'])} vs {ms(peer['latency_p99_ms'])};"
        f" RSS idle/peak {ours['rss_idle_mib']:.0f}/{ours['rss_peak_mib']:.0f} MiB"
        f" ({growth:.2f}x) vs {peer['rss_idle_mib']:.0f}/{peer['rss_peak_mib']:.0f}"
        f" MiB ({peer_growth:.2f}x); tasks done"
        f" {ours['tasks_completed']}/{ours['tasks_owed']}, drain after the load"
        f" {ours['drain_s']:.1f} s vs {peer['drain_s']:.1f} s"
    )
    met = (
        speed >= PEER_RATIO_AIM
        and ours["latency_p99_ms"] <= peer["latency_p99_ms"]
        and growth <= RSS_GROWTH_AIM
        and all_done
    )
    aim = (
        f"tasks/s >= {PEER_RATIO_AIM:g}x peer, p99 <= peer's,"
        f" peak RSS <= {RSS_GROWTH_AIM:g}x idle, every accepted task done"
    )
    return Row(
        "7. Beside the peer", f"{pattern} vs {PEER_NAMES[pattern]}", result, aim, met
    )


def celery_peer_row(broker: str, figures: dict[str, Any]) -> Row:
    ours, peer = figures["pattern"], figures["peer"]
    speed = ratio(ours["requests_per_s"], peer["requests_per_s"])
    post = ratio(ours["post_p50_ms"], peer["post_p50_ms"])
    end_to_end = ratio(ours["post_to_success_p50_ms"], peer["post_to_success_p50_ms"])
    result = (
        f"req/s {ours['requests_per_s']:.0f} vs {peer['requests_per_s']:.0f}"
        f" = {speed:.2f}x (p50 {ms(ours['latency_p50_ms'])} vs"
        f" {ms(peer['latency_p50_ms'])}); one at a time: POST p50"
        f" {ms(ours['post_p50_ms'])} vs {ms(peer['post_p50_ms'])} = {post:.2f}x,"
        f" POST to SUCCESS p50 {ms(ours['post_to_success_p50_ms'])} vs"
        f" {ms(peer['post_to_success_p50_ms'])} = {end_to_end:.2f}x; backlog drained"
        f" {ours['drain_s']:.1f} s vs {peer['drain_s']:.1f} s after the load"
    )
    met = speed >= PEER_RATIO_AIM and post <= PEER_RATIO_AIM and end_to_end <= 1.0
    aim = f"req/s >= {PEER_RATIO_AIM:g}x peer; both p50s <= {PEER_RATIO_AIM:g}x"
    return Row(
        "7. Beside the peer",
        f"celery on {broker} vs {PEER_NAMES['celery']}",
        result,
        aim,
        met,
    )


def peer_rows(peers: dict[str, Any] | None) -> list[Row]:
    if peers is None:
        return [Row("7. Beside the peer", "all", "skipped", "-", None)]
    found = [
        in_process_peer_row(pattern, figures)
        for pattern, figures in peers.get("in_process", {}).items()
    ]
    found += [
        celery_peer_row(broker, figures)
        for broker, figures in peers.get("celery", {}).items()
    ]
    return found


def scale_out_rows(figures: dict[str, Any] | None) -> list[Row]:
    measurement = "8. Scale-out over hosts"
    if figures is None:
        return [Row(measurement, "celery on Redis", "skipped", "-", None)]
    plan, hosts, cut = figures["plan"], figures["worker_hosts"], figures["cut"]
    task_ms = plan["task_seconds"] * 1000
    throughput = Row(
        measurement,
        f"celery on Redis, tasks of {task_ms:g} ms, {plan['batch']} a batch",
        f"tasks/s with 1 worker host {hosts['1']['tasks_per_s']:.0f}, with 2"
        f" {hosts['2']['tasks_per_s']:.0f} = {figures['speedup']:.2f}x",
        f"2 hosts >= {SCALE_OUT_SPEEDUP_AIM:g}x 1 host",
        figures["speedup"] >= SCALE_OUT_SPEEDUP_AIM,
    )
    once = cut["missing"] == 0 and cut["written_more_than_once"] == 0
    cut_row = Row(
        measurement,
        f"a worker host cut off mid-run ({plan['cut_batch']} tasks)",
        f"{cut['accepted']} accepted, {cut['completed_before_cut']} done at the cut;"
        f" {cut['distinct_tasks_completed']} completed, {cut['missing']} missing,"
        f" {cut['written_more_than_once']} written twice; {cut['delivered_twice']}"
        f" handed back by Redis after the cut and run again without a second line;"
        f" last line {cut['seconds_from_cut_to_last_line']:.1f} s, nothing left"
        f" queued or unacked {cut['seconds_from_cut_to_settled']:.1f} s after the"
        f" cut (visibility timeout {plan['visibility_timeout']:g} s)",
        "every accepted task completes once",
        once and cut["accepted"] == plan["cut_batch"],
    )
    return [throughput, cut_row]


def rows(results: dict[str, Any]) -> list[Row]:
    return [
        *bake_rows(results["bake_time"]),
        *load_rows(results["load"], results["plan"]["concurrency"]),
        *slow_task_rows(results["slow_tasks"]),
        *end_to_end_rows(results["celery"]),
        *overload_rows(results["overload"]),
        *peer_rows(results.get("peers")),
        *scale_out_rows(results.get("scale_out")),
        *suite_rows(results.get("test_suite")),
    ]


def markdown_table(results: dict[str, Any], only: list[Row] | None = None) -> str:
    """The table of every row, or of the rows in ``only``."""
    lines = [
        "| Measurement | Subject | Result | Aim | Met |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in rows(results) if only is None else only:
        cells = (row.measurement, row.subject, row.result, row.aim, verdict(row.met))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot(results: dict[str, Any], path: Path) -> None:
    """Six panels, one per measurement but the suite, into ``path``."""
    figure, axes = plt.subplots(2, 3, figsize=(18, 10), layout="constrained")
    plot_bake_times(axes[0][0], results["bake_time"])
    plot_throughput(axes[0][1], results["load"])
    plot_latencies(axes[0][2], results["load"])
    plot_slow_tasks(axes[1][0], results["slow_tasks"])
    plot_end_to_end(axes[1][1], results["celery"])
    plot_overload(axes[1][2], results["overload"])
    suite = results.get("test_suite")
    suite_text = (
        "skipped"
        if suite is None
        else f"{suite['seconds']:.0f} s: {suite['summary'].strip('= ')}"
    )
    figure.suptitle(
        f"bgtasks-template benchmark ({results['environment']['started_at']}),"
        f" template test suite {suite_text}"
    )
    figure.savefig(path, dpi=100)
    plt.close(figure)


def plot_bake_times(axis: Any, bake: dict[str, Any]) -> None:
    one_file = bake["one_file"]["median_s"] * 1000
    patterns = bake["patterns"]
    names = ["one_file", *patterns]
    hooks = [0.0] + [f["hooks_median_s"] * 1000 for f in patterns.values()]
    rest = [one_file] + [f["without_hooks_median_s"] * 1000 for f in patterns.values()]
    axis.bar(names, rest, label="rendering and copying")
    axis.bar(names, hooks, bottom=rest, label="hook scripts")
    axis.axhline(
        one_file * BAKE_RATIO_AIM, color="red", linestyle="--", label="aim: 1.5x"
    )
    axis.set_title("1. Bake time (median; stacked medians)")
    axis.set_ylabel("ms")
    axis.legend()


def paired_bars(
    axis: Any,
    names: list[str],
    left: tuple[str, list[float]],
    right: tuple[str, list[float]],
) -> list[float]:
    """Two bars per name, ``(label, values)`` each; return the right bars' positions."""
    positions = range(len(names))
    (left_label, left_values), (right_label, right_values) = left, right
    axis.bar([p - 0.2 for p in positions], left_values, 0.4, label=left_label)
    axis.bar([p + 0.2 for p in positions], right_values, 0.4, label=right_label)
    axis.set_xticks(list(positions), names)
    return [p + 0.2 for p in positions]


def plot_throughput(axis: Any, load: dict[str, dict[str, Any]]) -> None:
    names = list(LOAD_SUBJECTS)
    answered = [load[name]["requests_per_s"] for name in names]
    accepted = [load[name]["accepted_per_s"] for name in names]
    paired_bars(axis, names, ("answers/s", answered), ("2xx/s", accepted))
    axis.axhline(
        load["baseline"]["accepted_per_s"] * THROUGHPUT_SHARE_AIM,
        color="red",
        linestyle="--",
        label="aim: 90% of baseline 2xx/s",
    )
    plt.setp(axis.get_xticklabels(), rotation=25, ha="right")
    axis.set_title("2. Throughput at fixed concurrency (median)")
    axis.set_ylabel("requests/s")
    axis.legend()


def plot_latencies(axis: Any, load: dict[str, dict[str, Any]]) -> None:
    names = list(LOAD_SUBJECTS)
    p50 = [load[name]["latency_p50_ms"] for name in names]
    p99 = [load[name]["latency_p99_ms"] for name in names]
    paired_bars(axis, names, ("p50", p50), ("p99", p99))
    axis.plot(
        [names.index("celery_redis")],
        [CELERY_REDIS_ENQUEUE_P50_AIM_MS],
        "r_",
        markersize=20,
        label="aim: Redis p50 3 ms",
    )
    axis.set_yscale("log")
    plt.setp(axis.get_xticklabels(), rotation=25, ha="right")
    axis.set_title("2. Latency under that load (median of runs)")
    axis.set_ylabel("ms (log)")
    axis.legend()


def plot_slow_tasks(axis: Any, slow_tasks: dict[str, dict[str, Any]]) -> None:
    names = list(slow_tasks)
    fast = [slow_tasks[name]["fast"]["latency_p99_ms"] for name in names]
    slow = [slow_tasks[name]["slow"]["latency_p99_ms"] for name in names]
    slow_positions = paired_bars(
        axis, names, ("p99, fast tasks", fast), ("p99, 1 s tasks", slow)
    )
    axis.plot(
        slow_positions,
        [value * SLOW_P99_RATIO_AIM for value in fast],
        "r_",
        markersize=30,
        label="aim: 1.2x fast p99",
    )
    axis.set_title("3. Response p99 with slow tasks, same load")
    axis.set_ylabel("ms")
    axis.legend()


def plot_end_to_end(axis: Any, celery: dict[str, dict[str, Any]]) -> None:
    names = list(celery)
    positions = range(len(names))
    figures = [celery[name]["end_to_end"] for name in names]
    axis.bar(
        [p - 0.27 for p in positions],
        [f["enqueue_p50_ms"] for f in figures],
        0.27,
        label="POST (enqueue) p50",
    )
    axis.bar(
        list(positions),
        [f["end_to_end_p50_ms"] for f in figures],
        0.27,
        label="to SUCCESS p50",
    )
    axis.bar(
        [p + 0.27 for p in positions],
        [f["end_to_end_p99_ms"] for f in figures],
        0.27,
        label="to SUCCESS p99",
    )
    for broker, aim_ms in END_TO_END_P50_AIMS_MS.items():
        axis.plot([names.index(broker)], [aim_ms], "r_", markersize=30)
    axis.plot([], [], "r_", label="aim: p50")
    axis.set_xticks(list(positions), names)
    axis.set_title("4. Celery, one task at a time (median of runs)")
    axis.set_ylabel("ms")
    axis.legend()


def plot_overload(axis: Any, overload: dict[str, dict[str, Any]]) -> None:
    axis.set_title("5. Overload: server RSS over time")
    axis.set_xlabel("s since the load started")
    axis.set_ylabel("MiB")
    for pattern, runs in overload.items():
        for name, figures in runs.items():
            seconds, mib = zip(*figures["rss_mib_over_time"], strict=True)
            (line,) = axis.plot(
                seconds,
                mib,
                linestyle="-" if name == "bounded" else "--",
                label=f"{pattern}, {name}: {figures['accepted']} accepted,"
                f" {figures['rejected_503']} x 503",
            )
            axis.axvline(figures["load_ended_s"], color=line.get_color(), linestyle=":")
    axis.plot([], [], "k:", label="load ends")
    every_run = [figures for runs in overload.values() for figures in runs.values()]
    peak = max(figures["rss_peak_mib"] for figures in every_run)
    axis.set_ylim(bottom=0, top=peak * 1.2)
    axis.legend(loc="lower right")
