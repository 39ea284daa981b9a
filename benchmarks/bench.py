#!/usr/bin/env python3
"""Side-by-side unary benchmark: grpc.testing.TestService/UnaryCall driven by h2load against several
servers in one run. Started by benchmarks/run.sh, which builds what is missing; see there for usage.

Per load (connections x streams), runs are interleaved across servers (A B C A B C ...) so machine
noise hits all of them alike. Everything targets 127.0.0.1 only; every wait has a time limit and the
servers started here are stopped on exit.
"""
import argparse
import math
import os
import platform
import re
import shlex
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import make_request  # noqa: E402

METHOD = "/grpc.testing.TestService/UnaryCall"
HOST = "127.0.0.1"


def log(*args):
    print(*args, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- servers

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, name, argv, cwd, out_dir):
        self.name, self.argv, self.cwd = name, argv, cwd
        self.port = None
        self.proc = None
        self.log_path = os.path.join(out_dir, f"server-{name}.log")

    def start(self, timeout):
        port = free_port()
        argv = [a.replace("{port}", str(port)) for a in self.argv]
        log(f"starting {self.name}: {shlex.join(argv)}")
        self.log = open(self.log_path, "wb")
        # stdout and stderr go to a file (a pipe left unread could block or break the server);
        # own process group, so that stop() reaches its children too (and only them).
        self.proc = subprocess.Popen(argv, cwd=self.cwd, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode} before listening; see {self.log_path}")
            with open(self.log_path, "rb") as f:
                m = re.search(rb"listening on\D*?(\d+)\s*$", f.read(), re.M)
            if m:
                self.port = int(m.group(1))
                break
            time.sleep(0.05)
        else:
            raise RuntimeError(f"{self.name} did not print 'listening on PORT' within {timeout}s")
        if self.port != port:
            log(f"  {self.name} says it listens on {self.port} (asked for {port})")
        log(f"  {self.name} listening on {HOST}:{self.port} (pid {self.proc.pid})")

    def display(self):
        return shlex.join(self.argv).replace("'{port}'", "{port}")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=10)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass

    def rss_kib(self):
        try:
            with open(f"/proc/{self.proc.pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except OSError:
            return None


# ---------------------------------------------------------------- correctness checks

def parse_message(data: bytes):
    """Decodes protobuf wire format into {field: [values]} (length-delimited values stay bytes)."""
    fields, i = {}, 0

    def varint():
        nonlocal i
        shift = value = 0
        while True:
            if i >= len(data):
                raise ValueError("truncated varint")
            b = data[i]
            i += 1
            value |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return value

    while i < len(data):
        key = varint()
        number, wire_type = key >> 3, key & 7
        if wire_type == 0:
            value = varint()
        elif wire_type == 2:
            n = varint()
            if i + n > len(data):
                raise ValueError("truncated field")
            value, i = data[i:i + n], i + n
        elif wire_type == 1:
            value, i = data[i:i + 8], i + 8
        elif wire_type == 5:
            value, i = data[i:i + 4], i + 4
        else:
            raise ValueError(f"wire type {wire_type}")
        fields.setdefault(number, []).append(value)
    return fields


def check_simple_response(message: bytes):
    """SimpleResponse.payload.body must be RESPONSE_SIZE zero bytes (payload.type 0 if present)."""
    fields = parse_message(message)
    payload = parse_message(fields.get(1, [b""])[-1])
    body = payload.get(2, [b""])[-1]
    if body != bytes(make_request.RESPONSE_SIZE):
        raise ValueError(f"payload.body is {body.hex()} (want {make_request.RESPONSE_SIZE} zero bytes)")
    if payload.get(1, [0])[-1] != 0:
        raise ValueError(f"payload.type is {payload[1][-1]}")


def check_with_nghttp(port, request_path, timeout=20):
    """One call with nghttp (the same h2c prior-knowledge path, headers and body as h2load): the
    response must be :status 200, application/grpc, end with a trailer grpc-status: 0, and its body
    must be one uncompressed gRPC message that decodes as the expected SimpleResponse."""
    url = f"http://{HOST}:{port}{METHOD}"
    with tempfile.TemporaryDirectory() as tmp:
        # Without -v nghttp writes the response body to stdout; with -v it shows the frames.
        cmd = ["nghttp", "-H", "content-type: application/grpc", "-H", "te: trailers", "-d", request_path, url]
        body = subprocess.run(cmd, capture_output=True, timeout=timeout, cwd=tmp).stdout
        frames = subprocess.run(["nghttp", "-v"] + cmd[1:], capture_output=True, timeout=timeout, cwd=tmp).stdout
    text = frames.decode("utf-8", "replace")
    problems = []
    if not re.search(r"^\s*\[[^\]]*\] recv \(stream_id=\d+\) :status: 200$", text, re.M):
        problems.append("no :status 200")
    if not re.search(r"recv \(stream_id=\d+\) content-type: application/grpc", text):
        problems.append("content-type is not application/grpc")
    statuses = re.findall(r"recv \(stream_id=\d+\) grpc-status: (\S+)", text)
    # grpc-status must come in the trailers: a HEADERS frame with END_STREAM after the DATA.
    trailers = re.search(r"recv HEADERS frame <[^>]*flags=0x0[5d][^>]*>", text.split("recv DATA frame")[-1]) \
        if "recv DATA frame" in text else None
    if statuses != ["0"]:
        problems.append(f"grpc-status {statuses or 'missing'}")
    if not trailers:
        problems.append("no trailers HEADERS frame with END_STREAM after the DATA")
    try:
        if len(body) < 5:
            raise ValueError(f"body of {len(body)} bytes")
        flag, length = struct.unpack(">BI", body[:5])
        if flag != 0 or length != len(body) - 5:
            raise ValueError(f"prefix flag {flag} length {length} for {len(body) - 5} bytes")
        check_simple_response(body[5:])
    except ValueError as e:
        problems.append(f"response body: {e}")
    return problems, len(body)


def check_with_grpcio(port, timeout=20):
    """One call through grpcio's client with raw bytes (no generated code): raises on a non-OK status."""
    try:
        import grpc
    except ImportError:
        return None
    with grpc.insecure_channel(f"{HOST}:{port}") as channel:
        call = channel.unary_unary(METHOD, request_serializer=None, response_deserializer=None)
        try:
            response = call(make_request.simple_request(), timeout=timeout)
        except grpc.RpcError as e:
            return [f"grpcio: {e.code()} {e.details()}"]
    try:
        check_simple_response(response)
    except ValueError as e:
        return [f"grpcio response: {e}"]
    return []


def verify(server, request_path, when):
    problems, nbytes = check_with_nghttp(server.port, request_path)
    via = "nghttp"
    grpcio = check_with_grpcio(server.port)
    if grpcio is not None:
        problems += grpcio
        via += " + grpcio"
    status = "OK" if not problems else "FAILED: " + "; ".join(problems)
    log(f"  check {server.name} ({when}, {via}): {status}")
    return {"server": server.name, "when": when, "via": via, "ok": not problems, "detail": status,
            "response_bytes": nbytes}


# ---------------------------------------------------------------- h2load

def run_h2load(port, conns, streams, duration, warmup, request_path, log_file, timeout):
    """h2load's own --warm-up-time is not used by default: its DATA byte count includes the warm-up
    traffic while its request counts do not, which would break the DATA check below."""
    cmd = ["h2load", "-c", str(conns), "-m", str(streams), "-t", "1",
           "-D", str(duration)] + ([f"--warm-up-time={warmup}"] if warmup else []) + [
           "-H", "content-type: application/grpc", "-H", "te: trailers",
           "-d", request_path, f"--log-file={log_file}",
           f"http://{HOST}:{port}{METHOD}"]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    return cmd, p.returncode, p.stdout + p.stderr


def parse_h2load(out):
    r = {}
    m = re.search(r"finished in ([\d.]+)(m?s), ([\d.]+) req/s", out)
    if m:
        r["seconds"] = float(m.group(1)) / (1000 if m.group(2) == "ms" else 1)
        r["rps"] = float(m.group(3))
    m = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, "
                  r"(\d+) errored, (\d+) timeout", out)
    if m:
        for k, v in zip(("total", "started", "done", "succeeded", "failed", "errored", "timeout"), m.groups()):
            r[k] = int(v)
    m = re.search(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", out)
    if m:
        r["2xx"] = int(m.group(1))
    m = re.search(r"traffic: .*?\((\d+)\) total,.*?\((\d+)\) headers.*?\((\d+)\) data", out)
    if m:
        r["data_bytes"] = int(m.group(3))
    return r


def h2load_problems(rc, out, r, expected_data):
    problems = []
    if rc != 0:
        problems.append(f"h2load exit {rc}")
    if "rps" not in r or "succeeded" not in r:
        return problems + ["unparsed h2load output"]
    if r["succeeded"] == 0:
        problems.append("no request succeeded")
    bad = r["failed"] + r["errored"] + r["timeout"]
    if bad:
        problems.append(f"{bad} failed/errored/timed out")
    # Every gRPC-OK answer here carries exactly one 25-byte framed SimpleResponse; an error is
    # Trailers-Only (HEADERS with :status 200 and grpc-status, no DATA), which h2load counts as a
    # success. So succeeded - DATA/25 is the number of calls that failed with a gRPC status (a lower
    # bound with -D: DATA of streams cut off at the end is counted too). Seen with grpcio's Python
    # server at 16x64: a few CANCELLED.
    if "data_bytes" not in r:
        problems.append("no DATA byte count")
    else:
        r["grpc_errors"] = max(0, r["succeeded"] - r["data_bytes"] // expected_data)
        if r["grpc_errors"]:
            problems.append(f"{r['grpc_errors']} of {r['succeeded']} calls not OK")
    return problems


def latencies_ms(log_file):
    """Per-request durations from h2load's --log-file (start µs, HTTP status, duration µs); only 2xx."""
    values = []
    with open(log_file) as f:
        for line in f:
            parts = line.split("\t")
            if len(parts) >= 3 and parts[1].startswith("2"):
                values.append(int(parts[2]) / 1000.0)
    values.sort()
    return values


def percentile(sorted_values, q):
    if not sorted_values:
        return float("nan")
    k = max(0, math.ceil(q / 100.0 * len(sorted_values)) - 1)  # nearest rank
    return sorted_values[min(k, len(sorted_values) - 1)]


# ---------------------------------------------------------------- report

def machine_info():
    def cmd(*a):
        try:
            return subprocess.run(a, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            return "?"
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return [("date", time.strftime("%Y-%m-%d %H:%M:%S %Z")), ("nproc", cmd("nproc")), ("CPU", model),
            ("kernel", f"{platform.system()} {platform.release()} {platform.machine()}"),
            ("load average at start", " ".join(f"{x:.2f}" for x in os.getloadavg())),
            ("h2load", cmd("h2load", "--version").splitlines()[0] if cmd("h2load", "--version") else "?")]


def fmt(x, digits=2):
    if x is None or x != x:
        return "n/a"
    return f"{x:,.0f}" if digits == 0 else f"{x:.{digits}f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", action="append", default=[], metavar="NAME=CMD",
                    help="a server: name and a shell-quoted command with {port} (repeatable, in order)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--duration", type=int, default=10, help="seconds measured per h2load run (-D)")
    ap.add_argument("--warmup", type=int, default=1,
                    help="seconds of unmeasured load (a separate h2load, checked too) right before each run")
    ap.add_argument("--server-warmup", type=int, default=3, help="seconds of load per server and load before measuring")
    ap.add_argument("--loads", default="1x1,16x64", help="CONNECTIONSxSTREAMS, comma-separated")
    ap.add_argument("--baseline", default="grpc-swift-2", help="server the ratios divide by")
    ap.add_argument("--ours", default="ours", help="server the ratios are for")
    ap.add_argument("--out", required=True, help="folder for raw outputs and report.md")
    ap.add_argument("--startup-timeout", type=int, default=120)
    a = ap.parse_args()
    if not 1 <= a.runs <= 50 or not 1 <= a.duration <= 600 or not 0 <= a.warmup <= 60:
        sys.exit("runs must be 1-50, duration 1-600 s, warmup 0-60 s")
    loads = []
    for spec in a.loads.split(","):
        c, m = spec.lower().split("x")
        loads.append((int(c), int(m)))
    os.makedirs(a.out, exist_ok=True)
    request_path = os.path.join(a.out, "request.bin")
    with open(request_path, "wb") as f:
        f.write(make_request.grpc_frame(make_request.simple_request()))
    expected_data = len(make_request.grpc_frame(make_request.expected_response()))

    servers = []
    for spec in a.server:
        name, command = spec.split("=", 1)
        servers.append(Server(name, shlex.split(command), REPO, a.out))
    if not servers:
        sys.exit("no servers")

    stop = {"flag": False}

    def on_signal(signum, _frame):
        stop["flag"] = True
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    info = machine_info()
    results, checks = [], []
    h2_timeout = a.duration + a.warmup + 60
    try:
        for s in servers:
            s.start(a.startup_timeout)
        for s in servers:
            checks.append(verify(s, request_path, "before"))
        log("warming up")
        for (c, m) in loads:
            for s in servers:
                if a.server_warmup > 0:
                    run_h2load(s.port, c, m, a.server_warmup, 0, request_path, os.devnull, a.server_warmup + 60)
        for run in range(1, a.runs + 1):
            for (c, m) in loads:
                for s in servers:
                    if not s.alive():
                        raise RuntimeError(f"{s.name} died; see {s.log_path}")
                    tag = f"{s.name}-{c}x{m}-run{run}"
                    problems = []
                    if a.warmup:
                        cmd, rc, out = run_h2load(s.port, c, m, a.warmup, 0, request_path, os.devnull, h2_timeout)
                        problems += [f"warm-up: {p}" for p in h2load_problems(rc, out, parse_h2load(out), expected_data)]
                    log_file = os.path.join(a.out, f"h2load-{tag}.tsv")
                    cmd, rc, out = run_h2load(s.port, c, m, a.duration, 0, request_path, log_file, h2_timeout)
                    with open(os.path.join(a.out, f"h2load-{tag}.txt"), "w") as f:
                        f.write(shlex.join(cmd) + "\n\n" + out)
                    r = parse_h2load(out)
                    lat = latencies_ms(log_file)
                    os.remove(log_file)  # can be hundreds of MB at high rates; the percentiles are kept
                    problems += h2load_problems(rc, out, r, expected_data)
                    row = {"server": s.name, "load": f"{c}x{m}", "run": run, "rps": r.get("rps"),
                           "p50": percentile(lat, 50), "p99": percentile(lat, 99),
                           "n": len(lat), "problems": problems, "rss": s.rss_kib()}
                    results.append(row)
                    log(f"  {tag}: {fmt(row['rps'], 0)} req/s, p50 {fmt(row['p50'])} ms, "
                        f"p99 {fmt(row['p99'])} ms, {len(lat)} timed{', ' + '; '.join(problems) if problems else ''}")
        for s in servers:
            checks.append(verify(s, request_path, "after"))
    finally:
        for s in servers:
            s.stop()

    # ------------------------------------------------------------ Markdown
    md = ["# Unary benchmark: grpc.testing.TestService/UnaryCall", ""]
    md += [f"- {k}: {v}" for k, v in info]
    md += [f"- request: SimpleRequest{{response_size: {make_request.RESPONSE_SIZE}, payload.body: "
           f"{make_request.BODY_SIZE} zero bytes}} ({os.path.getsize(request_path)} bytes framed); "
           f"expected response {expected_data} bytes framed",
           f"- h2load -t 1, -D {a.duration} s per run after {a.warmup} s of unmeasured load, {a.runs} runs per "
           f"server and load, interleaved across servers; {a.server_warmup} s of warm-up load per server and load first",
           "- p50/p99: nearest rank over every request h2load logged (--log-file), in ms",
           "- servers: " + "; ".join(f"{s.name} = `{s.display()}`" for s in servers), ""]
    md += ["| server | load | run | req/s | p50 ms | p99 ms | RSS MiB | problems |",
           "|---|---|---:|---:|---:|---:|---:|---|"]
    for r in results:
        md.append(f"| {r['server']} | {r['load']} | {r['run']} | {fmt(r['rps'], 0)} | {fmt(r['p50'])} | "
                  f"{fmt(r['p99'])} | {fmt(r['rss'] / 1024 if r['rss'] else None, 1)} | "
                  f"{'; '.join(r['problems']) or '-'} |")
    md += ["", "Medians over runs:", "", "| server | load | req/s | p50 ms | p99 ms |", "|---|---|---:|---:|---:|"]
    med = {}
    for (c, m) in loads:
        for s in servers:
            rows = [r for r in results if r["server"] == s.name and r["load"] == f"{c}x{m}" and r["rps"] is not None]
            if not rows:
                continue
            v = {k: statistics.median(r[k] for r in rows) for k in ("rps", "p50", "p99")}
            med[(s.name, f"{c}x{m}")] = v
            md.append(f"| {s.name} | {c}x{m} | {fmt(v['rps'], 0)} | {fmt(v['p50'])} | {fmt(v['p99'])} |")
    others = [s.name for s in servers if s.name != a.ours]
    md += ["", f"Ratios of medians, {a.ours} / other (req/s: higher is better for {a.ours}; "
           f"p99: lower is better for {a.ours}):", "",
           "| load | vs | req/s ratio | p99 ratio |", "|---|---|---:|---:|"]
    for (c, m) in loads:
        load = f"{c}x{m}"
        for other in sorted(others, key=lambda n: n != a.baseline):
            o, b = med.get((a.ours, load)), med.get((other, load))
            rr = o["rps"] / b["rps"] if o and b and b["rps"] else None
            pr = o["p99"] / b["p99"] if o and b and b["p99"] else None
            md.append(f"| {load} | {other} | {fmt(rr)} | {fmt(pr)} |")
    md += ["", "grpc-status checks (a call before and after the runs, per server):", ""]
    md += [f"- {c['server']} {c['when']} ({c['via']}): {c['detail']}" for c in checks]
    all_ok = all(c["ok"] for c in checks) and not any(r["problems"] for r in results)
    failing = sorted({c["server"] for c in checks if not c["ok"]} | {r["server"] for r in results if r["problems"]})
    md += ["", "\"calls not OK\": h2load saw :status 200 but no response message, i.e. a Trailers-Only gRPC "
           "error (counted as successes in req/s and the latencies; grpcio's own server answers some calls "
           "CANCELLED at 16x64).",
           "", "Result: " + ("all checks passed" if all_ok else f"problems with {', '.join(failing)} (see above)"), ""]
    report = "\n".join(md)
    with open(os.path.join(a.out, "report.md"), "w") as f:
        f.write(report)
    print(report, flush=True)
    return 0 if all_ok else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt as e:
        log(f"interrupted ({e}); servers stopped")
        sys.exit(130)
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        log(f"error: {e}; servers stopped")
        sys.exit(1)
