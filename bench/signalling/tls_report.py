#!/usr/bin/env python3
"""Turns one tls.sh results directory (<ws|wss>-<phase>-<round>.json) into a Markdown table:
medians over the rounds, ws against wss, with every round's value alongside."""
import glob
import json
import os
import statistics
import sys

d = sys.argv[1]
runs = {}  # (kind, phase) -> [result per round, in round order]
for p in sorted(glob.glob(os.path.join(d, "*-*-*.json")), key=lambda p: int(p.rsplit("-", 1)[1].split(".")[0])):
    kind, phase, _ = os.path.basename(p)[:-5].split("-")
    try:
        with open(p) as f:
            runs.setdefault((kind, phase), []).append(json.load(f))
    except (OSError, ValueError):
        pass


def values(kind, phase, key, scale=1.0):
    return [r[key] * scale for r in runs.get((kind, phase), []) if isinstance(r.get(key), (int, float)) and r[key] >= 0]


def med(v):
    return statistics.median(v) if v else None


def fmt(v, f):
    return "n/a" if v is None else f.format(v)


rows = [  # metric, phase, key, scale, format
    ("throughput: relayed frames/s (closed loop)", "throughput", "throughput_fps", 1, "{:,.0f}"),
    ("throughput: server CPU per relayed frame, µs", "throughput", "server_cpu_us_per_frame", 1, "{:.2f}"),
    ("throughput: server CPU, % of one core", "throughput", "server_cpu_pct", 1, "{:.0f}"),
    ("throughput: load generator CPU, %", "throughput", "loadgen_cpu_pct", 1, "{:.0f}"),
    ("throughput: other processes' CPU, %", "throughput", "other_cpu_pct", 1, "{:.0f}"),
    ("latency: delivered frames/s (open loop)", "latency", "throughput_fps", 1, "{:,.0f}"),
    ("latency: p50, ms", "latency", "p50_us", 1e-3, "{:.3f}"),
    ("latency: p99, ms", "latency", "p99_us", 1e-3, "{:.3f}"),
    ("latency: server CPU, % of one core", "latency", "server_cpu_pct", 1, "{:.0f}"),
    ("latency: load generator scheduling lag p99, ms", "latency", "sched_lag_p99_us", 1e-3, "{:.1f}"),
    ("latency: other processes' CPU, %", "latency", "other_cpu_pct", 1, "{:.0f}"),
    ("handshake: new connections/s (connect + upgrade, then reset)", "handshake", "handshakes_per_s", 1, "{:,.0f}"),
    ("handshake: server CPU per connection, µs", "handshake", "server_cpu_us_per_handshake", 1, "{:.0f}"),
    ("handshake: load generator CPU per connection, µs", "handshake", "loadgen_cpu_us_per_handshake", 1, "{:.0f}"),
    ("handshake: server CPU, % of one core", "handshake", "server_cpu_pct", 1, "{:.0f}"),
    ("handshake: time to the 101, p50 / p99, ms", "handshake", None, 1, None),
    ("handshake: other processes' CPU, %", "handshake", "other_cpu_pct", 1, "{:.0f}"),
]

print("| metric (median of rounds; rounds in brackets) | ws | wss | wss / ws |")
print("|---|---:|---:|---:|")
for name, phase, key, scale, f in rows:
    if key is None:  # the handshake latency pair
        cells = []
        for kind in ("ws", "wss"):
            a, b = med(values(kind, phase, "p50_us", 1e-3)), med(values(kind, phase, "p99_us", 1e-3))
            cells.append(f"{fmt(a, '{:.2f}')} / {fmt(b, '{:.2f}')}")
        print(f"| {name} | {cells[0]} | {cells[1]} | |")
        continue
    a, b = values("ws", phase, key, scale), values("wss", phase, key, scale)
    ma, mb = med(a), med(b)
    ratio = f"{mb / ma:.2f}x" if ma and mb is not None else "n/a"
    cell = lambda m, v: f"{fmt(m, f)} ({', '.join(f.format(x) for x in v)})" if len(v) > 1 else fmt(m, f)
    print(f"| {name} | {cell(ma, a)} | {cell(mb, b)} | {ratio} |")

ws, wss = med(values("ws", "throughput", "throughput_fps")), med(values("wss", "throughput", "throughput_fps"))
if ws and wss is not None:
    cost = 1 - wss / ws
    print()
    print(f"TLS costs {cost * 100:.0f} % of relayed frames/s (goal: at most 25 %): {'met' if cost <= 0.25 else 'NOT met'}")

notes = []
for (kind, phase), rs in sorted(runs.items()):
    for i, r in enumerate(rs, 1):
        if r.get("errors"):
            notes.append(f"- {kind} {phase} round {i}: errors " + ", ".join(f"{k} ×{v}" for k, v in r["errors"].items()))
        for k in ("verify_failed", "misrouted", "reordered", "dropped_by_server", "closed_after_open", "handshakes_failed"):
            if r.get(k):
                notes.append(f"- {kind} {phase} round {i}: {k} = {r[k]}")
        if phase != "handshake" and r.get("lost_in_window"):
            notes.append(f"- {kind} {phase} round {i}: {r['lost_in_window']} frames sent in the window never arrived")
if notes:
    print()
    print("\n".join(notes))
