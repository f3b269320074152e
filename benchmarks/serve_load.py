"""Load on `sgfns serve`: 1, 8 and 32 concurrent clients over distinct text queries (k = 10 and k = 100), beside the
in-process `sgfns search` rate for the same queries, measured in the same run. Prints one JSON document and, with
--table, writes the markdown table docs/serve.md shows.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/serve_load.py --run RUN --index INDEX [--queries 500] [--table MD]

The queries are the gallery's distinct captions (a seeded sample; the service keeps no result cache and the parser
remembers no query, so each request is a full search). First the in-process rate: `Searcher.text` — the route
`sgfns search` uses, one query at a time — over every query, one thread, after `Searcher.warm_up` (as the
service warms up before it listens). Then the service starts as a child process on a free loopback port
(`sgfns serve --threads T --workers W --max-batch B`), and for each k and each client count every query is sent
once by that many client threads (keep-alive connections); per level: throughput, p50/p95/p99 latency, errors,
and the service's peak RSS, whole and anonymous (sampled from /proc every 50 ms). While 32 clients search, a
process of its own asks /api/health every 100 ms. The child is stopped at the end. Bounded: each in-process pass
and each level stops after --level-seconds (default 40; its figures then say how many requests it made), so the
whole run takes at most about 8 x 40 s plus the service's start. Loopback only; nothing else is contacted."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def percentiles(xs: list[float]) -> dict[str, float]:
    if not xs:
        return {"p50_ms": None, "p95_ms": None, "p99_ms": None, "max_ms": None}
    s = sorted(xs)

    def q(p: float) -> float:
        return round(1000 * s[min(len(s) - 1, int(round(p * (len(s) - 1))))], 2)

    return {"p50_ms": q(0.50), "p95_ms": q(0.95), "p99_ms": q(0.99), "max_ms": round(1000 * s[-1], 2)}


def rss_kb(pid: int, key: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


class RssSampler:
    """Peak RSS of a process between `reset()` calls, sampled every `every` seconds in a thread: the whole
    (`peak`, VmRSS) and its anonymous part (`peak_anon`, RssAnon: the heap — the rest is file pages such as the
    memory-mapped gallery, which count once touched and are shared with the page cache)."""

    def __init__(self, pid: int, every: float = 0.05) -> None:
        self.pid, self.every, self.peak, self.peak_anon, self._stop = pid, every, 0, 0, threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.peak = max(self.peak, rss_kb(self.pid))
                self.peak_anon = max(self.peak_anon, rss_kb(self.pid, "RssAnon"))
            except OSError:
                return
            self._stop.wait(self.every)

    def reset(self) -> None:
        self.peak, self.peak_anon = rss_kb(self.pid), rss_kb(self.pid, "RssAnon")

    def stop(self) -> None:
        self._stop.set()


def get(conn: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    conn.request("GET", path)
    r = conn.getresponse()
    return r.status, r.read()


def level(port: int, paths: list[str], clients: int, max_seconds: float, health: bool) -> dict:
    """Send every path once from `clients` threads; returns throughput, latencies, errors (and /api/health's)."""
    lock = threading.Lock()
    todo = iter(paths)
    lat: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + max_seconds

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.monotonic() < deadline:
            with lock:
                path = next(todo, None)
            if path is None:
                break
            t = time.perf_counter()
            try:
                status, _ = get(conn, path)
                if status != 200:
                    errors.append(str(status))
            except (OSError, http.client.HTTPException) as e:
                errors.append(type(e).__name__)
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            dt = time.perf_counter() - t
            with lock:
                lat.append(dt)
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    # the health prober is its own process: in this one it would wait for the GIL behind the client threads
    # reading answers, and that wait is not the service's
    probe = subprocess.Popen([sys.executable, __file__, "--probe-health", str(port)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True) if health else None  # fmt: skip
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    health_lat: list[float] = []
    health_err: list[str] = []
    if probe:
        found = json.loads(probe.communicate("", timeout=60)[0])
        health_lat, health_err = found["latencies"], found["errors"]
    out = {
        "clients": clients,
        "requests": len(lat) + len(errors),
        "of": len(paths),
        "wall_s": round(wall, 2),
        "throughput_qps": round(len(lat) / wall, 2),
        **percentiles(lat),
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
        "stopped_early": len(lat) + len(errors) < len(paths),
    }
    if health:
        out["health"] = {"requests": len(health_lat), "errors": len(health_err), **percentiles(health_lat)}
    return out


def probe_health(port: int) -> None:
    """Ask /api/health every 100 ms until stdin closes; print {"latencies": [s], "errors": [...]}."""
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    lat, err = [], []
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while not stop.is_set():
        t = time.perf_counter()
        try:
            status, _ = get(conn, "/api/health")
            lat.append(time.perf_counter() - t)
            if status != 200:
                err.append(str(status))
        except (OSError, http.client.HTTPException) as e:
            err.append(type(e).__name__)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        stop.wait(0.1)
    print(json.dumps({"latencies": lat, "errors": err}))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def in_process(args, queries: list[str], ks: list[int]) -> dict:
    import torch

    from sgfns import load_model
    from sgfns.index.searcher import Searcher

    torch.set_num_threads(args.threads)
    model = load_model(args.run)
    s = Searcher(model, args.index, checkpoint_sha256=model.run.checkpoint_sha256)
    s.warm_up()  # parser and lexicon loaded, as `sgfns serve` does before it listens
    out = {}
    for k in ks:
        lat = []
        t0 = time.perf_counter()
        for q in queries:
            if time.perf_counter() - t0 > args.level_seconds:
                break
            t = time.perf_counter()
            s.text(q, k)
            lat.append(time.perf_counter() - t)
        wall = time.perf_counter() - t0
        out[str(k)] = {"queries": len(lat), "of": len(queries), "wall_s": round(wall, 2),
                       "rate_qps": round(len(lat) / wall, 2), **percentiles(lat)}  # fmt: skip
    return out


def table(record: dict) -> str:
    """The markdown table docs/serve.md shows, with the command and the machine it was measured on."""
    m = record["machine"]
    lines = [
        f"Command: `OMP_NUM_THREADS={m['OMP_NUM_THREADS']} .venv/bin/python {record['command']}` — "
        f"{record['gallery']['images']:,} images / {record['gallery']['captions']:,} captions "
        f"({record['gallery']['model']}), {record['queries']} distinct text queries, {m['threads']} torch thread(s) "
        f"in process and in the service, {m['workers']} search worker(s), batches of at most {m['max_batch']}; "
        f"machine: {m['nproc']} cores, load average {m['loadavg_start'][0]:.1f} at the start and "
        f"{m['loadavg_end'][0]:.1f} at the end; {record['finished_utc']}.",
        "",
        "| k | clients | requests | q/s | × in-process | p50 ms | p95 ms | p99 ms | errors | peak RSS MB "
        "| of it anonymous MB | /api/health p99 ms |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for k, rows in record["served"].items():
        ip = record["in_process"][k]
        lines.append(f"| {k} | in process, one at a time | {ip['queries']}/{ip['of']} | {ip['rate_qps']} | 1 | "
                     f"{ip['p50_ms']} | {ip['p95_ms']} | {ip['p99_ms']} | – | – | – | – |")  # fmt: skip
        for c, row in rows.items():
            health = row.get("health", {}).get("p99_ms", "–")
            req = f"{row['requests']}/{row['of']}" + (" (stopped at the time cap)" if row["stopped_early"] else "")
            lines.append(f"| {k} | {c} | {req} | {row['throughput_qps']} | {row['vs_in_process']} | {row['p50_ms']} "
                         f"| {row['p95_ms']} | {row['p99_ms']} | {row['errors']} | {row['service_peak_rss_mb']} "
                         f"| {row['service_peak_anon_rss_mb']} | {health} |")  # fmt: skip
    lines += ["", "Targets: " + json.dumps(record["targets"]), ""]
    return "\n".join(lines)


def main() -> None:
    if sys.argv[1:2] == ["--probe-health"]:
        probe_health(int(sys.argv[2]))
        return
    # the oneDNN setting `sgfns serve` makes (docs/serve.md), so that both sides run the same matmuls
    os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "0")
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", required=True)
    ap.add_argument("--index", required=True)
    ap.add_argument("--queries", type=int, default=500, help="distinct text queries (default 500)")
    ap.add_argument("--clients", default="1,8,32")
    ap.add_argument("--ks", default="10,100")
    ap.add_argument("--threads", type=int, default=1, help="torch threads, in process and in the service")
    ap.add_argument("--workers", type=int, default=1, help="the service's search workers")
    ap.add_argument("--max-batch", type=int, default=32, help="the service's largest batch of text searches")
    ap.add_argument("--level-seconds", type=float, default=40,
                    help="an in-process pass or a served level stops after this many seconds (default 40)")
    ap.add_argument("--table", help="also write the markdown table (docs/serve.md) to this file")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    clients, ks = [int(x) for x in args.clients.split(",")], [int(x) for x in args.ks.split(",")]
    meta = json.loads((Path(args.index) / "index.json").read_text())
    distinct = sorted(set(meta["captions"]))
    random.Random(args.seed).shuffle(distinct)
    queries = distinct[: args.queries]
    if len(queries) < args.queries:
        sys.exit(f"{args.index}: only {len(queries)} distinct captions, {args.queries} asked")
    record: dict = {
        "command": " ".join(["benchmarks/serve_load.py", *sys.argv[1:]]),
        "machine": {"nproc": os.cpu_count(), "loadavg_start": os.getloadavg(), "threads": args.threads,
                    "ONEDNN_PRIMITIVE_CACHE_CAPACITY": os.environ["ONEDNN_PRIMITIVE_CACHE_CAPACITY"],
                    "workers": args.workers, "max_batch": args.max_batch,
                    "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS")},
        "gallery": {"images": meta["n_images"], "captions": meta["n_captions"], "model": meta.get("model")},
        "queries": len(queries),
    }  # fmt: skip
    record["in_process"] = in_process(args, queries, ks)

    port = free_port()
    env = {**os.environ, "OMP_NUM_THREADS": str(args.threads)}
    cmd = [sys.executable, "-m", "sgfns_app.cli.main", "serve", "--run", args.run, "--index", args.index,
           "--port", str(port), "--threads", str(args.threads), "--workers", str(args.workers),
           "--max-batch", str(args.max_batch)]  # fmt: skip
    log = tempfile.NamedTemporaryFile("w+", prefix="serve_load-", suffix=".log")  # never a pipe left undrained
    child = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                if get(conn, "/api/health")[0] == 200:
                    break
            except OSError:
                pass
            if child.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"the service did not start: {Path(log.name).read_text()}")
            time.sleep(0.5)
        start_line = Path(log.name).read_text().splitlines()[0]
        record["service"] = {"start_line": start_line, "rss_mb_idle": round(rss_kb(child.pid) / 1024, 1),
                             "anon_rss_mb_idle": round(rss_kb(child.pid, "RssAnon") / 1024, 1)}  # fmt: skip
        sampler = RssSampler(child.pid)
        served = {}
        for k in ks:
            paths = [f"/api/search?{urllib.parse.urlencode({'q': q, 'k': k})}" for q in queries]
            get(http.client.HTTPConnection("127.0.0.1", port, timeout=60), paths[0])  # warm up
            served[str(k)] = {}
            for c in clients:
                sampler.reset()
                row = level(port, paths, c, args.level_seconds, health=(c == max(clients)))
                row["service_peak_rss_mb"] = round(sampler.peak / 1024, 1)
                row["service_peak_anon_rss_mb"] = round(sampler.peak_anon / 1024, 1)
                row["vs_in_process"] = round(row["throughput_qps"] / record["in_process"][str(k)]["rate_qps"], 3)
                served[str(k)][str(c)] = row
                print(f"k={k} clients={c}: {row['throughput_qps']} q/s, p99 {row['p99_ms']} ms, "
                      f"{row['errors']} errors", file=sys.stderr, flush=True)  # fmt: skip
        sampler.stop()
        record["served"] = served
        record["service"]["rss_mb_hwm"] = round(rss_kb(child.pid, "VmHWM") / 1024, 1)
    finally:
        child.terminate()
        try:
            child.wait(30)
        except subprocess.TimeoutExpired:
            child.kill()
    record["machine"]["loadavg_end"] = os.getloadavg()
    record["finished_utc"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    hi, mid = str(max(clients)), "8" if "8" in {str(c) for c in clients} else str(min(clients))
    record["targets"] = {
        k: {
            "no_errors": all(r["errors"] == 0 for r in rows.values()),
            "every_request_sent": not any(r["stopped_early"] for r in rows.values()),
            f"p99_at_{hi}_le_1s": rows[hi]["p99_ms"] is not None and rows[hi]["p99_ms"] <= 1000,
            "throughput_ge_0.7x_in_process_at_every_level": min(r["vs_in_process"] for r in rows.values()) >= 0.7,
            f"health_p99_at_{hi}_le_100ms": (rows[hi]["health"]["p99_ms"] or 1e9) <= 100,
            f"rss_growth_{mid}_to_{hi}": round(rows[hi]["service_peak_rss_mb"] / rows[mid]["service_peak_rss_mb"] - 1, 4),  # noqa: E501
            f"anon_rss_growth_{mid}_to_{hi}": round(rows[hi]["service_peak_anon_rss_mb"] / rows[mid]["service_peak_anon_rss_mb"] - 1, 4),  # noqa: E501
        }
        for k, rows in record["served"].items()
    }  # fmt: skip
    if args.table:
        Path(args.table).write_text(table(record))
    print(json.dumps(record, indent=1))


if __name__ == "__main__":
    main()
