#!/usr/bin/env python3
"""Turns bench/run.sh's raw.tsv (test, impl, round, metric, value) into the markdown report: medians
per figure, ratios against HAProxy and the direct path, and each target with met / not met.
usage: report.py RAW.tsv META.txt              (META: the run's NAME=VALUE lines) → markdown on stdout
       report.py --splice DOC.md RESULTS.md    puts RESULTS.md (headings one level down) between
                                               the "results:begin" and "results:end" markers of DOC.md
"""
import os
import platform
import statistics
import sys
from collections import defaultdict

IMPLS = ("sockwarden", "before", "static", "haproxy", "relay", "direct")
NAMES = {"sockwarden": "sockwarden", "before": "sockwarden before", "static": "sockwarden static",
         "haproxy": "HAProxy (Tecnativa rules)",
         "relay": "blind relay (no HTTP)", "direct": "direct (nginx TCP)"}
SW = ("sockwarden", "static")


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
        self.out(f"- Date: {m['date']}; commit {m['commit']}; "
                 f"sockwarden {m['sw_version']}")
        self.out(f"- Machine: {os.cpu_count()} cores ({cpu_model()}), Linux {platform.release()}; "
                 f"load average {m['load0']} at start, {m['load1']} at the end "
                 "(the machine is shared: expect noise)")
        self.out(f"- Command: `{m['command']}` ({m['mode']} mode: {m['rounds']} rounds, wrk "
                 f"{m['secs']} s per run, -t{m['threads']} -c{m['conns']}); took {m['elapsed']} s")
        self.out(f"- Tools: HAProxy {m['haproxy_version']} (master-worker, `-W -db`, Tecnativa rule "
                 f"chain and options), nginx {m['nginx_version']} (1 worker), wrk {m['wrk_version']}")
        self.out("- Every figure is the median over the rounds; implementations alternate within each "
                 "round and every run starts a fresh proxy. CPU is utime+stime of all the proxy's "
                 "processes over the run ÷ completed requests; peak RSS is VmHWM summed over them.")
        self.out()

    def present(self, test, impls=IMPLS):
        return [i for i in impls if any(k[0] == test and k[1] == i for k in self.d)]

    def load_table(self, test, title):
        impls = self.present(test)
        sws = [i for i in SW if i in impls]
        self.out(f"## {title}")
        self.out()
        relay = "relay" in impls
        self.out("| | " + " | ".join(NAMES[i] for i in impls) + " | " +
                 " | ".join(f"{NAMES[i]} ÷ HAProxy" for i in sws) + " | sockwarden ÷ direct |" +
                 (" sockwarden ÷ blind relay |" if relay else ""))
        self.out("|---|" + "---:|" * (len(impls) + len(sws) + 1 + relay))
        rows = (("requests/s", "rps", 0), ("proxy CPU per request (µs)", "cpu_us_per_req", 2),
                ("latency p50 (µs)", "p50_us", 0), ("latency p99 (µs)", "p99_us", 0),
                ("peak RSS (KiB)", "hwm_kb", 0), ("errors (wrk)", "errors", 0))
        for label, metric, digits in rows:
            vals = {i: self.med(test, i, metric) for i in impls}
            cells = [self.fmt(vals[i], digits) for i in impls]
            if metric == "hwm_kb" and vals.get("haproxy") is not None:
                cells[impls.index("haproxy")] += f" (worker {self.fmt(self.med(test, 'haproxy', 'hwm_worker_kb'))})"
            r_h = [self.ratio(vals[i], vals.get("haproxy")) if metric != "errors" else None for i in sws]
            r_d = self.ratio(vals.get("sockwarden"), vals.get("direct")) if metric in ("rps", "p50_us", "p99_us") else None
            r_r = self.ratio(vals.get("sockwarden"), vals.get("relay")) \
                if metric in ("rps", "cpu_us_per_req") else None
            self.out(f"| {label} | " + " | ".join(cells) + " | " +
                     " | ".join(self.fmt(r, 2) for r in r_h) + f" | {self.fmt(r_d, 2)} |" +
                     (f" {self.fmt(r_r, 2)} |" if relay else ""))
        self.out()

    def hold_table(self, test, title, unit):
        impls = self.present(test, ("sockwarden", "before", "static", "haproxy"))
        sws = [i for i in SW if i in impls]
        self.out(f"## {title}")
        self.out()
        self.out("| | " + " | ".join(NAMES[i] for i in impls) + " | " +
                 " | ".join(f"{NAMES[i]} ÷ HAProxy" for i in sws) + " |")
        self.out("|---|" + "---:|" * (len(impls) + len(sws)))
        rows = ((f"{unit} set up", "conns", 0), (f"{unit} still open at the end", "alive", 0),
                ("proxy RSS with all of them open (KiB)", "rss_kb", 0),
                ("proxy peak RSS (KiB)", "hwm_kb", 0),
                (f"RSS per {unit[:-1]} (bytes)", "bytes_per_conn", 0))
        for label, metric, digits in rows:
            vals = {i: self.med(test, i, metric) for i in impls}
            ratios = [self.ratio(vals[i], vals.get("haproxy"))
                      if metric in ("rss_kb", "hwm_kb", "bytes_per_conn") else None for i in sws]
            self.out(f"| {label} | " + " | ".join(self.fmt(vals[i], digits) for i in impls) + " | " +
                     " | ".join(self.fmt(r, 2) for r in ratios) + " |")
        self.out()

    def stream_table(self):
        impls = self.present("stream")
        self.out(f"## {self.m['stream_mib']} MiB response streamed through (curl to /dev/null, "
                 "3 rounds)")
        self.out()
        self.out("| | " + " | ".join(NAMES[i] for i in impls) + " |")
        self.out("|---|" + "---:|" * len(impls))
        for label, metric, digits in (("throughput (MiB/s)", "mib_s", 0),
                                      ("proxy CPU per GiB (ms)", "cpu_ms_per_gib", 0),
                                      ("proxy peak RSS (KiB)", "hwm_kb", 0)):
            self.out(f"| {label} | " + " | ".join(self.fmt(self.med("stream", i, metric), digits)
                                                for i in impls) + " |")
        self.out()

    def misc_table(self):
        impls = self.present("startup", ("sockwarden", "before", "static", "haproxy"))
        self.out("## Startup and size")
        self.out()
        self.out("| | " + " | ".join(NAMES[i] for i in impls) + " |")
        self.out("|---|" + "---:|" * len(impls))
        self.out(f"| exec → first 200 on /_ping (µs, median of {self.m['starts']}) | " +
                 " | ".join(self.fmt(self.med("startup", i, "us")) for i in impls) + " |")
        size = {k: self.med("size", i, k) for i, k in (
            ("sockwarden", "dynamic_bytes"), ("sockwarden", "dynamic_stripped_bytes"),
            ("sockwarden", "static_bytes"))}
        hb, hl = self.med("size", "haproxy", "dynamic_bytes"), self.med("size", "haproxy", "libs_bytes")
        self.out("")
        self.out("Binary size: sockwarden " + self.fmt(size["dynamic_bytes"]) + " bytes as built by "
                 "`make` (dynamic, with -g), " + self.fmt(size["dynamic_stripped_bytes"]) +
                 " stripped; static musl build (`make static`) " + self.fmt(size["static_bytes"]) +
                 " bytes. HAProxy: " + self.fmt(hb) + " bytes plus " + self.fmt(hl) +
                 " bytes of shared libraries besides libc.")
        self.out()

    def targets(self):
        def cmp(v, limit, le=True):
            if v is None:
                return "—"
            return "met" if (v <= limit if le else v >= limit) else "**not met**"

        def row(name, fn, unit, limit_text, limit, le=True, digits=2):
            vals = [fn(i) for i in SW]
            self.out(f"| {name} | " + " | ".join(self.fmt(v, digits) + unit for v in vals) +
                     f" | {limit_text} | " + " / ".join(cmp(v, limit, le) for v in vals) + " |")

        def vs_haproxy(test, metric):
            return lambda i: self.ratio(self.med(test, i, metric), self.med(test, "haproxy", metric))

        def peak(i):
            hw = [v for v in (self.med("ka", i, "hwm_kb"), self.med("close", i, "hwm_kb")) if v is not None]
            return max(hw) / 1024 if hw else None

        self.out("## Targets")
        self.out()
        self.out("| Target | sockwarden | sockwarden static | Limit | sockwarden / static |")
        self.out("|---|---:|---:|---:|---|")
        row("keep-alive: CPU per request vs HAProxy", vs_haproxy("ka", "cpu_us_per_req"), "×", "≤ 0.30×", 0.30)
        row("keep-alive: requests/s vs HAProxy", vs_haproxy("ka", "rps"), "×", "≥ 1.5×", 1.5, le=False)
        row("keep-alive: CPU per request vs the blind relay",
            lambda i: self.ratio(self.med("ka", i, "cpu_us_per_req"), self.med("ka", "relay", "cpu_us_per_req")),
            "×", "≤ 1.10×", 1.10)
        row("new connection per request: CPU per request vs HAProxy",
            vs_haproxy("close", "cpu_us_per_req"), "×", "≤ 0.5×", 0.5)
        row("peak RSS under load (larger of the two loads)", peak, " MiB", "≤ 1.5 MiB", 1.5)
        row(f"RSS per idle keep-alive connection ({self.m['idle_n']} connections)",
            lambda i: self.med("idle", i, "bytes_per_conn"), " B", "≤ 1,024 B", 1024, digits=0)
        row(f"{self.m['stream_mib']} MiB stream vs direct",
            lambda i: self.ratio(self.med("stream", i, "mib_s"), self.med("stream", "direct", "mib_s")),
            "×", "≥ 0.9×", 0.9, le=False)
        wanted, held = int(self.m["streams_wanted"]), int(self.m["streams"])
        note = "" if held >= wanted else f" (capped from {wanted:,} by the fd limit {int(self.m['nofile']):,})"
        cells, states = [], []
        for i in SW:
            alive, rss = self.med("events", i, "alive"), self.med("events", i, "rss_kb")
            cells.append("—" if alive is None else f"{alive:,.0f} open, {rss / 1024:.1f} MiB")
            states.append("—" if alive is None else ("met" if alive == held else "**not met**"))
        self.out(f"| {held:,} /events streams held open{note} | " + " | ".join(cells) +
                 " | all open, bounded | " + " / ".join(states) + " |")
        st = self.med("size", "sockwarden", "static_bytes")
        self.out(f"| static binary | — | {self.fmt(st)} B | ≤ 300,000 B | {cmp(st, 300000)} |")
        self.floor_note()

    def floor_note(self):
        """What the kernel alone costs: the blind relay's CPU per request, against HAProxy's."""
        parts = []
        for test, what in (("ka", "keep-alive"), ("close", "new-connection")):
            r, h, s = (self.med(test, i, "cpu_us_per_req") for i in ("relay", "haproxy", "sockwarden"))
            if None in (r, h, s):
                continue
            parts.append(f"{what}: {self.fmt(r, 2)} µs per request = {self.fmt(self.ratio(r, h), 2)}× "
                         f"HAProxy, sockwarden {self.fmt(self.ratio(s, r), 2)}× the relay")
        if parts:
            self.out()
            self.out("The floor: a blind relay (`bench/relay.c`: recv and send only, no HTTP, no "
                     "policy, one engine connection per client) costs, " + "; ".join(parts) + ".")
        self.out()

    def before_after(self):
        """The proxy under test against the baseline build measured in the same rounds."""
        if not any(k[1] == "before" for k in self.d):
            return
        self.out(f"## Before and after: this build against {self.m.get('baseline') or 'the baseline'}, "
                 "same rounds")
        self.out()
        self.out("| | before | after | after ÷ before |")
        self.out("|---|---:|---:|---:|")
        rows = (("keep-alive: requests/s", "ka", "rps", 0),
                ("keep-alive: proxy CPU per request (µs)", "ka", "cpu_us_per_req", 2),
                ("keep-alive: latency p50 (µs)", "ka", "p50_us", 0),
                ("keep-alive: latency p99 (µs)", "ka", "p99_us", 0),
                ("keep-alive: peak RSS (KiB)", "ka", "hwm_kb", 0),
                ("new connection: requests/s", "close", "rps", 0),
                ("new connection: proxy CPU per request (µs)", "close", "cpu_us_per_req", 2),
                ("new connection: latency p99 (µs)", "close", "p99_us", 0),
                ("RSS per idle keep-alive connection (bytes)", "idle", "bytes_per_conn", 0),
                ("RSS with every /events stream open (KiB)", "events", "rss_kb", 0),
                ("stream throughput (MiB/s)", "stream", "mib_s", 0),
                ("stream: proxy CPU per GiB (ms)", "stream", "cpu_ms_per_gib", 0),
                ("exec → first 200 on /_ping (µs)", "startup", "us", 0))
        for label, test, metric, digits in rows:
            b, a = self.med(test, "before", metric), self.med(test, "sockwarden", metric)
            if a is None and b is None:
                continue
            self.out(f"| {label} | {self.fmt(b, digits)} | {self.fmt(a, digits)} | "
                     f"{self.fmt(self.ratio(a, b), 2)} |")
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
        keys = (("system calls (strace -c)", "syscalls_per_req", 2),
                ("system calls (perf raw_syscalls)", "perf_syscalls_per_req", 2),
                ("context switches", "ctxsw_per_req", 2),
                ("task-clock under perf (µs)", "task_clock_us_per_req", 2),
                ("user-space instructions (callgrind)", "instructions_per_req", 0))
        order = (("sockwarden", "ka"), ("haproxy", "ka"), ("sockwarden", "close"), ("haproxy", "close"))
        for label, metric, digits in keys:
            self.out(f"| {label} | " + " | ".join(self.fmt(prof[k].get(metric), digits) for k in order) + " |")
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


def splice(doc_path, results_path):
    with open(doc_path) as f:
        doc = f.read()
    with open(results_path) as f:
        results = f.read().strip("\n")
    begin, end = "<!-- results:begin -->", "<!-- results:end -->"
    if begin not in doc or end not in doc:
        sys.exit(f"report.py: no {begin} ... {end} markers in {doc_path}")
    # One heading level down, without the title line: the document has its own.
    lines = results.splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    fenced, out = False, []
    for line in lines:
        fenced ^= line.startswith("```")
        out.append("#" + line if line.startswith("#") and not fenced else line)
    body = "\n".join(out)
    head, rest = doc.split(begin, 1)
    tail = rest.split(end, 1)[1]
    with open(doc_path, "w") as f:
        f.write(f"{head}{begin}\n{body.strip()}\n{end}{tail}")


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--splice":
        splice(sys.argv[2], sys.argv[3])
        return
    with open(sys.argv[2]) as f:
        meta = dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)
    rep = Report(load(sys.argv[1]), meta)
    rep.header()
    rep.targets()
    rep.before_after()
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
