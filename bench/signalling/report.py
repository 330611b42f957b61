#!/usr/bin/env python3
"""Turns the loadgen's JSON results in one run.sh results directory into a Markdown table."""
import json
import os
import sys

d = sys.argv[1]


def load(srv, phase):
    p = os.path.join(d, f"{srv}-{phase}.json")
    try:
        with open(p) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def num(v, fmt="{:,.0f}"):
    return "n/a" if v is None or (isinstance(v, (int, float)) and v < 0) else fmt.format(v)


def ratio(a, b, fmt="{:.2f}x"):
    if a is None or b is None or b <= 0 or a < 0:
        return "n/a"
    return fmt.format(a / b)


rows = []  # (metric, parley, peerjs, ratio, target)
P = {ph: load("parley", ph) or {} for ph in ("idle", "idle_bare", "throughput", "latency")}
J = {ph: load("peerjs", ph) or {} for ph in ("idle", "idle_bare", "throughput", "latency")}

held_p, held_j = P["idle"].get("held"), J["idle"].get("held")
rows.append(("idle: connections asked for", num(P["idle"].get("attempted")), num(J["idle"].get("attempted")), "", ""))
rows.append(("idle: registered connections held", num(held_p), num(held_j), ratio(held_p, held_j),
             "≥ 50,000: " + ("met" if (held_p or 0) >= 50000 else "NOT met")))
rows.append(("idle: ramp time (connect + register), s", num(P["idle"].get("ramp_seconds"), "{:,.1f}"),
             num(J["idle"].get("ramp_seconds"), "{:,.1f}"), "", ""))
rows.append(("idle: `online` broadcast frames received", num(P["idle"].get("online_frames_rx")), "—", "", ""))
rb_p, rb_j = P["idle"].get("rss_per_conn_bytes"), J["idle"].get("rss_per_conn_bytes")
rows.append(("idle: server RSS per connection, KiB", num(rb_p and rb_p / 1024, "{:,.2f}"), num(rb_j and rb_j / 1024, "{:,.2f}"),
             ratio(rb_p, rb_j), "< 10 KiB: " + ("met" if rb_p is not None and rb_p < 10240 else "NOT met")))
rows.append(("idle: server RSS after hold, MiB", num(P["idle"].get("server_rss_kib_after_hold", -1) / 1024, "{:,.1f}"),
             num(J["idle"].get("server_rss_kib_after_hold", -1) / 1024, "{:,.1f}"), "", ""))
B, BJ = P["idle_bare"], J["idle_bare"]
if B or BJ:
    rows.append(("idle at the fd limit (parley: upgraded, not registered): connections held", num(B.get("held")), num(BJ.get("held")),
                 ratio(B.get("held"), BJ.get("held")), "≥ 50,000: " + ("met" if (B.get("held") or 0) >= 50000 else "NOT met (fd limit)")))
    bb, bj = B.get("rss_per_conn_bytes"), BJ.get("rss_per_conn_bytes")
    rows.append(("idle at the fd limit: server RSS per connection, KiB", num(bb and bb / 1024, "{:,.2f}"),
                 num(bj and bj / 1024, "{:,.2f}"), ratio(bb, bj), "< 10 KiB: " + ("met" if bb is not None and bb < 10240 else "NOT met")))
rows.append(("idle: server CPU while holding, %", num(P["idle"].get("server_cpu_pct_hold"), "{:.1f}"),
             num(J["idle"].get("server_cpu_pct_hold"), "{:.1f}"), "", ""))

tp, tj = P["throughput"].get("throughput_fps"), J["throughput"].get("throughput_fps")
rows.append(("throughput: pairs × window (closed loop)",
             f"{num(P['throughput'].get('pairs'))} × {num(P['throughput'].get('window'))}",
             f"{num(J['throughput'].get('pairs'))} × {num(J['throughput'].get('window'))}", "", ""))
rows.append(("throughput: relayed frames/s", num(tp), num(tj), ratio(tp, tj),
             "≥ 3x: " + ("met" if tp and tj and tp >= 3 * tj else "NOT met")))
rows.append(("throughput: p50 / p99 latency, ms",
             f"{num(P['throughput'].get('p50_us', -1) / 1000, '{:.2f}')} / {num(P['throughput'].get('p99_us', -1) / 1000, '{:.2f}')}",
             f"{num(J['throughput'].get('p50_us', -1) / 1000, '{:.2f}')} / {num(J['throughput'].get('p99_us', -1) / 1000, '{:.2f}')}", "", ""))
rows.append(("throughput: server CPU, % of one core", num(P["throughput"].get("server_cpu_pct"), "{:.0f}"),
             num(J["throughput"].get("server_cpu_pct"), "{:.0f}"), "", ""))
cp, cj = P["throughput"].get("server_cpu_us_per_frame"), J["throughput"].get("server_cpu_us_per_frame")
rows.append(("throughput: server CPU per relayed frame, µs", num(cp, "{:.2f}"), num(cj, "{:.2f}"), ratio(cj, cp) + " less" if cp and cj else "n/a", ""))
rows.append(("throughput: other processes' CPU (shared machine), %", num(P["throughput"].get("other_cpu_pct"), "{:.0f}"),
             num(J["throughput"].get("other_cpu_pct"), "{:.0f}"), "", ""))
rows.append(("throughput: load generator CPU, %", num(P["throughput"].get("loadgen_cpu_pct"), "{:.0f}"),
             num(J["throughput"].get("loadgen_cpu_pct"), "{:.0f}"), "", ""))

lp, lj = P["latency"], J["latency"]
rows.append(("latency: offered load, frames/s (open loop)", num(lp.get("offered_rate")), num(lj.get("offered_rate")), "", ""))
rows.append(("latency: delivered frames/s", num(lp.get("throughput_fps")), num(lj.get("throughput_fps")), "", ""))
for q in ("p50", "p99", "p999", "max"):
    a, b = lp.get(f"{q}_us"), lj.get(f"{q}_us")
    tgt = ""
    if q == "p99":
        tgt = "≤ PeerServer: " + ("met" if a is not None and b is not None and 0 <= a <= b else "NOT met")
    rows.append((f"latency: {q}, ms", num(a and a / 1000, "{:.3f}"), num(b and b / 1000, "{:.3f}"), ratio(a, b), tgt))
rows.append(("latency: load generator's own scheduling lag p99, ms (machine health)", num(lp.get("sched_lag_p99_us", -1) / 1000, "{:.1f}"),
             num(lj.get("sched_lag_p99_us", -1) / 1000, "{:.1f}"), "", ""))
rows.append(("latency: other processes' CPU (shared machine), %", num(lp.get("other_cpu_pct"), "{:.0f}"), num(lj.get("other_cpu_pct"), "{:.0f}"), "", ""))
rows.append(("latency: server CPU, % of one core", num(lp.get("server_cpu_pct"), "{:.0f}"), num(lj.get("server_cpu_pct"), "{:.0f}"), "", ""))

print("| metric | parley-server | PeerServer | parley / PeerServer | target |")
print("|---|---:|---:|---:|---|")
for r in rows:
    print("| " + " | ".join(r) + " |")

# Problems worth a look, per run.
notes = []
for srv, R in (("parley", P), ("peerjs", J)):
    for ph, r in R.items():
        if not r and ph == "idle_bare":
            continue
        if not r:
            notes.append(f"- {srv} {ph}: no result")
            continue
        errs = r.get("errors") or {}
        if errs:
            notes.append(f"- {srv} {ph}: errors " + ", ".join(f"{k} ×{v}" for k, v in errs.items()))
        for k in ("verify_failed", "misrouted", "reordered", "dropped_by_server", "skipped_backlog", "closed_after_open"):
            if r.get(k):
                notes.append(f"- {srv} {ph}: {k} = {r[k]}")
        if r.get("first_verify_failure"):
            notes.append(f"- {srv} {ph}: first verify failure: {r['first_verify_failure'][:200]}")
        if ph != "idle" and r.get("lost_in_window"):
            notes.append(f"- {srv} {ph}: {r['lost_in_window']} frames sent in the window never arrived")
if notes:
    print()
    print("\n".join(notes))

# Before/after in the same run (PARLEY_BASE_REV): this commit against the base revision.
Base = {ph: load("parley-base", ph) or {} for ph in ("idle", "throughput", "latency")}
if any(Base.values()):
    def us(r, k):
        v = r.get(k)
        return None if v is None or v < 0 else v / 1000

    cmp_rows = [
        ("throughput: relayed frames/s", P["throughput"].get("throughput_fps"), Base["throughput"].get("throughput_fps"), "{:,.0f}"),
        ("throughput: server CPU per relayed frame, µs", P["throughput"].get("server_cpu_us_per_frame"),
         Base["throughput"].get("server_cpu_us_per_frame"), "{:.2f}"),
        ("throughput: other processes' CPU, %", P["throughput"].get("other_cpu_pct"), Base["throughput"].get("other_cpu_pct"), "{:.0f}"),
        ("latency: p50, ms", us(P["latency"], "p50_us"), us(Base["latency"], "p50_us"), "{:.3f}"),
        ("latency: p99, ms", us(P["latency"], "p99_us"), us(Base["latency"], "p99_us"), "{:.3f}"),
        ("idle: ramp time, s", P["idle"].get("ramp_seconds"), Base["idle"].get("ramp_seconds"), "{:,.1f}"),
        ("idle: server RSS per connection, KiB", (P["idle"].get("rss_per_conn_bytes") or -1024) / 1024,
         (Base["idle"].get("rss_per_conn_bytes") or -1024) / 1024, "{:,.2f}"),
    ]
    print()
    print("| metric | parley-server (this commit) | parley-server (base) | this / base |")
    print("|---|---:|---:|---:|")
    for name, a, b, fmt in cmp_rows:
        print(f"| {name} | {num(a, fmt)} | {num(b, fmt)} | {ratio(a, b)} |")
