#!/usr/bin/env python3
"""Markdown tables from a bench/slow_reader/run.sh result directory."""
import glob
import json
import os
import re
import sys

d = sys.argv[1]
load = lambda p: json.load(open(p))
rounds = sorted(int(re.search(r"(\d+)", os.path.basename(p)).group(1)) for p in glob.glob(f"{d}/quiet*.json"))

def ms(us):
    return f"{us / 1000:.3f}" if us is not None and us >= 0 else "—"

print("| round | phase | p50 ms | p99 ms | p999 ms | max ms | lost / reordered / misrouted / disconnected | server CPU % | other CPU % | loadgen lag p99 ms |")
print("|---|---|---:|---:|---:|---:|---|---:|---:|---:|")
ratios = []
for r in rounds:
    q, l = load(f"{d}/quiet{r}.json"), None
    if os.path.exists(f"{d}/loaded{r}.json"):
        l = load(f"{d}/loaded{r}.json")
    for name, x in (("quiet", q), ("loaded", l)):
        if not x:
            continue
        bad = f"{x['lost_in_window']} / {x['reordered']} / {x['misrouted']} / {x['closed_after_open']}"
        print(f"| {r} | {name} | {ms(x['p50_us'])} | {ms(x['p99_us'])} | {ms(x['p999_us'])} | {ms(x['max_us'])} | {bad} | "
              f"{x.get('server_cpu_pct', -1):.0f} | {x.get('other_cpu_pct', -1):.0f} | {ms(x['sched_lag_p99_us'])} |")
    if l:
        ratios.append((r, l["p99_us"] / q["p99_us"], l["p50_us"] / q["p50_us"]))
print()
for r, p99, p50 in ratios:
    print(f"- round {r}: p99(loaded)/p99(quiet) = **{p99:.2f}x** (p50 {p50:.2f}x); goal ≤ 2x: {'met' if p99 <= 2 else 'NOT met'}")

print()
for r in rounds:
    p = f"{d}/adversary{r}.json"
    if not os.path.exists(p):
        continue
    a = load(p)
    s, f = a.get("slow_reader"), a.get("flooder")
    if s:
        print(f"- round {r}, slow reader: {s['slow_readers']} connected, {s['cut_off']} cut off by the server, "
              f"{s.get('mean_seconds_to_cut', 0):.2f} s after registering on average; relays accepted for it before the cut "
              f"{s.get('relays_accepted_min')}–{s.get('relays_accepted_max')}, of which still in the server's queue (lost) "
              f"{s.get('lost_min')}–{s.get('lost_max')}; close codes seen while draining: "
              f"{sorted(set(e['close_code_seen'] for e in s['epochs']))} (0 = none, connection ended after the kernel's data)")
        if s["epochs"]:
            e = s["epochs"][0]
            print(f"  first one: {e['relays_accepted']} accepted, {e['delivered_relays']} delivered ({e['delivered_bytes']:,} B "
                  f"in kernel buffers) + {e['delivered_other_frames']} other frames, {e['lost_in_server_queue']} lost")
    if f:
        print(f"- round {r}, flooder: {f['connections']} connections, close codes {f['close_codes']}, "
              f"{f.get('mean_ms_to_close_frame', 0):.1f} ms to the close frame, {f.get('mean_ms_to_tcp_end', 0):.0f} ms "
              f"to the end of TCP, {f.get('mean_relayed_per_connection', 0):.0f} relays reached its partner per connection, "
              f"{f.get('mean_mib_written_per_connection', 0):,.0f} MiB written per connection "
              f"({f.get('mean_mib_written_after_close_frame', 0):,.0f} MiB after the close frame)")

m = open(f"{d}/metrics.txt").read() if os.path.exists(f"{d}/metrics.txt") else ""
keep = re.compile(r'^(parley_connections_dropped_total|parley_abuse_closes_total|parley_rate_limited_total|'
                  r'parley_ws_closes_total\{code="1008",initiator="server"\})')
lines = [l for l in m.splitlines() if keep.match(l)]
if lines:
    print("\nServer counters at the end:\n\n```\n" + "\n".join(lines) + "\n```")
