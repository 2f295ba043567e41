#!/usr/bin/env python3
"""Turns bench/run.sh's raw.tsv (test, impl, round, metric, value) into the markdown report: medians
per figure, ratios against HAProxy and the direct path, and each target with met / not met.
usage: report.py RAW.tsv key=value...   (run metadata from run.sh)
"""
import os
import platform
import statistics
import sys
import time
from collections import defaultdict

IMPLS = ("sockwarden", "haproxy", "direct")
NAMES = {"sockwarden": "sockwarden", "haproxy": "HAProxy (Tecnativa rules)", "direct": "direct (nginx TCP)"}


def load(path):
    data = defaultdict(list)
    with open(path) as f:
        for line in f:
            test, impl, _round, metric, value = line.rstrip("\n").split("\t")
            data[(test, impl, metric)].append(float(value))
    return data


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


class Report:
    def __init__(self, data, meta):
        self.d, self.m, self.lines = data, meta, []

    def med(self, test, impl, metric):
        v = self.d.get((test, impl, metric))
        return statistics.median(v) if v else None

    def out(self, s=""):
        self.lines.append(s)

    @staticmethod
    def fmt(v, digits=0):
        if v is None:
            return "—"
        return f"{v:,.{digits}f}"

    @staticmethod
    def ratio(a, b):
        return a / b if a is not None and b else None

    def header(self):
        m = self.m
        self.out("# sockwarden benchmark results")
        self.out()
        self.out(f"- Date: {time.strftime('%Y-%m-%d %H:%M %Z')}; commit {m['commit']}; "
                 f"sockwarden {m['sw_version']}")
        self.out(f"- Machine: {os.cpu_count()} cores ({cpu_model()}), Linux {platform.release()}; "
                 f"load average {m['load0']} at start, {m['load1']} at the end "
                 "(the machine is shared: expect noise)")
        self.out(f"- Command: `make bench` ({m['mode']} mode: {m['rounds']} rounds, wrk "
                 f"{m['secs']} s per run, -t{m['threads']} -c{m['conns']}); took {m['elapsed']} s")
        self.out(f"- Tools: HAProxy {m['haproxy_version']} (master-worker, `-W -db`, Tecnativa rule "
                 f"chain and options), nginx {m['nginx_version']} (1 worker), wrk {m['wrk_version']}")
        self.out("- Every figure is the median over the rounds; implementations alternate within each "
                 "round and every run starts a fresh proxy. CPU is utime+stime of all the proxy's "
                 "processes over the run ÷ completed requests; peak RSS is VmHWM summed over them.")
        self.out()

    def load_table(self, test, title):
        self.out(f"## {title}")
        self.out()
        self.out("| | " + " | ".join(NAMES[i] for i in IMPLS) + " | sockwarden ÷ HAProxy | sockwarden ÷ direct |")
        self.out("|---|---:|---:|---:|---:|---:|")
        rows = (("requests/s", "rps", 0), ("proxy CPU per request (µs)", "cpu_us_per_req", 2),
                ("latency p50 (µs)", "p50_us", 0), ("latency p99 (µs)", "p99_us", 0),
                ("peak RSS (KiB)", "hwm_kb", 0), ("errors (wrk)", "errors", 0))
        for label, metric, digits in rows:
            vals = [self.med(test, i, metric) for i in IMPLS]
            cells = [self.fmt(v, digits) for v in vals]
            if metric == "hwm_kb" and vals[1] is not None:
                cells[1] += f" (worker {self.fmt(self.med(test, 'haproxy', 'hwm_worker_kb'))})"
            r_h = self.ratio(vals[0], vals[1]) if metric != "errors" else None
            r_d = self.ratio(vals[0], vals[2]) if metric in ("rps", "p50_us", "p99_us") else None
            self.out(f"| {label} | " + " | ".join(cells) +
                     f" | {self.fmt(r_h, 2)} | {self.fmt(r_d, 2)} |")
        self.out()

    def hold_table(self, test, title, unit):
        self.out(f"## {title}")
        self.out()
        self.out(f"| | {NAMES['sockwarden']} | {NAMES['haproxy']} | sockwarden ÷ HAProxy |")
        self.out("|---|---:|---:|---:|")
        rows = ((f"{unit} set up", "conns", 0), (f"{unit} still open at the end", "alive", 0),
                ("proxy RSS with all of them open (KiB)", "rss_kb", 0),
                ("proxy peak RSS (KiB)", "hwm_kb", 0),
                (f"RSS per {unit[:-1]} (bytes)", "bytes_per_conn", 0))
        for label, metric, digits in rows:
            a, b = self.med(test, "sockwarden", metric), self.med(test, "haproxy", metric)
            r = self.ratio(a, b) if metric in ("rss_kb", "hwm_kb", "bytes_per_conn") else None
            self.out(f"| {label} | {self.fmt(a, digits)} | {self.fmt(b, digits)} | {self.fmt(r, 2)} |")
        self.out()

    def stream_table(self):
        self.out(f"## {self.m['stream_mib']} MiB response streamed through (curl to /dev/null, "
                 "3 rounds)")
        self.out()
        self.out("| | " + " | ".join(NAMES[i] for i in IMPLS) + " |")
        self.out("|---|---:|---:|---:|")
        for label, metric, digits in (("throughput (MiB/s)", "mib_s", 0),
                                      ("proxy CPU per GiB (ms)", "cpu_ms_per_gib", 0),
                                      ("proxy peak RSS (KiB)", "hwm_kb", 0)):
            self.out(f"| {label} | " + " | ".join(self.fmt(self.med("stream", i, metric), digits)
                                                for i in IMPLS) + " |")
        self.out()

    def misc_table(self):
        self.out("## Startup and size")
        self.out()
        self.out(f"| | {NAMES['sockwarden']} | {NAMES['haproxy']} |")
        self.out("|---|---:|---:|")
        a, b = self.med("startup", "sockwarden", "us"), self.med("startup", "haproxy", "us")
        self.out(f"| exec → first 200 on /_ping (µs, median of {self.m['starts']}) | "
                 f"{self.fmt(a)} | {self.fmt(b)} |")
        sd = self.med("size", "sockwarden", "dynamic_bytes")
        ss = self.med("size", "sockwarden", "dynamic_stripped_bytes")
        st = self.med("size", "sockwarden", "static_bytes")
        hb = self.med("size", "haproxy", "dynamic_bytes")
        hl = self.med("size", "haproxy", "libs_bytes")
        self.out(f"| binary, dynamic (bytes) | {self.fmt(sd)} as built (-g); {self.fmt(ss)} stripped | "
                 f"{self.fmt(hb)} (+ {self.fmt(hl)} of shared libraries besides libc) |")
        self.out(f"| binary, static musl `make static` (bytes) | {self.fmt(st)} | — |")
        self.out()

    def targets(self):
        def row(name, value, limit_text, ok):
            state = "—" if ok is None else ("met" if ok else "**not met**")
            self.out(f"| {name} | {value} | {limit_text} | {state} |")

        def cmp(v, limit, le=True):
            return None if v is None else (v <= limit if le else v >= limit)

        self.out("## Targets")
        self.out()
        self.out("| Target | Measured | Limit | |")
        self.out("|---|---:|---:|---|")
        r = self.ratio(self.med("ka", "sockwarden", "cpu_us_per_req"), self.med("ka", "haproxy", "cpu_us_per_req"))
        row("keep-alive: CPU per request vs HAProxy", self.fmt(r, 2) + "×", "≤ 0.30×", cmp(r, 0.30))
        r = self.ratio(self.med("ka", "sockwarden", "rps"), self.med("ka", "haproxy", "rps"))
        row("keep-alive: requests/s vs HAProxy", self.fmt(r, 2) + "×", "≥ 1.5×", cmp(r, 1.5, le=False))
        r = self.ratio(self.med("close", "sockwarden", "cpu_us_per_req"),
                       self.med("close", "haproxy", "cpu_us_per_req"))
        row("new connection per request: CPU per request vs HAProxy", self.fmt(r, 2) + "×", "≤ 0.5×",
            cmp(r, 0.5))
        hw = [v for v in (self.med("ka", "sockwarden", "hwm_kb"), self.med("close", "sockwarden", "hwm_kb"))
              if v is not None]
        peak = max(hw) / 1024 if hw else None
        row("peak RSS under load (larger of the two loads)", self.fmt(peak, 2) + " MiB", "≤ 1.5 MiB",
            cmp(peak, 1.5))
        b = self.med("idle", "sockwarden", "bytes_per_conn")
        row(f"RSS per idle keep-alive connection ({self.m['idle_n']} connections)", self.fmt(b) + " B",
            "≤ 1,024 B", cmp(b, 1024))
        r = self.ratio(self.med("stream", "sockwarden", "mib_s"), self.med("stream", "direct", "mib_s"))
        row(f"{self.m['stream_mib']} MiB stream vs direct", self.fmt(r, 2) + "×", "≥ 0.9×", cmp(r, 0.9, le=False))
        n, alive = self.med("events", "sockwarden", "conns"), self.med("events", "sockwarden", "alive")
        rss = self.med("events", "sockwarden", "rss_kb")
        wanted, held = int(self.m["streams_wanted"]), int(self.m["streams"])
        ok = None if n is None else (n == held and alive == held)
        note = "" if held >= wanted else f" (capped from {wanted:,} by the fd limit {int(self.m['nofile']):,})"
        row(f"/events streams held open{note}", f"{self.fmt(alive)} of {held:,}; RSS "
            f"{self.fmt(rss / 1024 if rss else None, 1)} MiB", "all open, bounded", ok)
        st = self.med("size", "sockwarden", "static_bytes")
        row("static binary", self.fmt(st) + " B", "≤ 300,000 B", cmp(st, 300000))
        self.out()

    def profile(self):
        pdir = self.m.get("profile_dir", "")
        tsv = os.path.join(pdir, "profile.tsv")
        if not os.path.exists(tsv):
            return
        prof = defaultdict(dict)
        with open(tsv) as f:
            for line in f:
                impl, test, metric, value = line.rstrip("\n").split("\t")
                prof[(impl, test)][metric] = float(value)
        self.out("## Profile (separate traced runs; counts, not timings)")
        self.out()
        self.out("| per request | sockwarden keep-alive | HAProxy keep-alive | sockwarden close | HAProxy close |")
        self.out("|---|---:|---:|---:|---:|")
        keys = (("system calls (strace -c)", "syscalls_per_req"),
                ("system calls (perf raw_syscalls)", "perf_syscalls_per_req"),
                ("context switches", "ctxsw_per_req"),
                ("task-clock under perf (µs)", "task_clock_us_per_req"),
                ("user-space instructions (callgrind)", "instructions_per_req"))
        order = (("sockwarden", "ka"), ("haproxy", "ka"), ("sockwarden", "close"), ("haproxy", "close"))
        for label, metric in keys:
            self.out(f"| {label} | " + " | ".join(self.fmt(prof[k].get(metric), 2) for k in order) + " |")
        self.out()
        for test in ("ka", "close"):
            self.syscall_breakdown(os.path.join(pdir, f"syscalls-sockwarden-{test}.txt"), test)
            what = "keep-alive" if test == "ka" else "Connection: close"
            self.excerpt(os.path.join(pdir, f"perf-sockwarden-{test}.txt"),
                         f"sockwarden, {what}: `perf record` self time", 32)
            self.excerpt(os.path.join(pdir, f"callgrind-sockwarden-{test}.txt"),
                         f"sockwarden, {what}: user-space instructions by function (callgrind)", 22)

    def excerpt(self, path, title, nlines):
        if not os.path.exists(path):
            return
        with open(path) as f:
            lines = [line.rstrip() for line in f]
        if not lines:
            return
        self.out(f"{title} ({lines[0].lstrip('# ')}):")
        self.out()
        self.out("```")
        self.lines.extend(lines[1:nlines])
        self.out("```")
        self.out()

    def syscall_breakdown(self, path, test):
        if not os.path.exists(path):
            return
        with open(path) as f:
            lines = f.read().splitlines()
        try:
            n = int(lines[0].split(": ", 1)[1].split()[0])
        except (IndexError, ValueError):
            return
        rows = []
        for line in lines:
            parts = line.split()
            if len(parts) >= 5 and parts[-1] not in ("total", "syscall") and parts[0][0].isdigit():
                calls = int(parts[3])
                rows.append((calls, parts[-1]))
        rows.sort(reverse=True)
        what = "keep-alive" if test == "ka" else "Connection: close"
        self.out(f"sockwarden system calls per request, {what}: " +
                 ", ".join(f"{name} {calls / n:.2f}" for calls, name in rows[:12] if n))
        self.out()


def main():
    meta = dict(kv.split("=", 1) for kv in sys.argv[2:])
    rep = Report(load(sys.argv[1]), meta)
    rep.header()
    rep.targets()
    rep.load_table("ka", f"Keep-alive: {meta['conns']} connections, many requests each")
    rep.load_table("close", f"New connection per request (`Connection: close`), {meta['conns']} at a time")
    rep.hold_table("idle", f"Idle keep-alive connections ({meta['idle_n']}, after one request each)",
                   "connections")
    rep.hold_table("events", f"Open `/events` streams ({meta['streams']}, fake engine that sends nothing)",
                   "streams")
    rep.stream_table()
    rep.misc_table()
    rep.profile()
    rep.out(f"Raw per-round values: build/bench/raw.tsv. Profiles: {meta.get('profile_dir', '')}/.")
    print("\n".join(rep.lines))


if __name__ == "__main__":
    main()
