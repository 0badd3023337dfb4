"""What the .ci/bench-* scripts share: a release server on a fresh data
directory with the demo's users and API tokens, a keep-alive API client, the
browser log-in, and wrk with its figures parsed. Standard library + wrk."""

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("ATTEST_SHARED", os.path.join(ROOT, "..", "shared"))
BINARY = os.path.join(ROOT, "target", "release", "attest")
PASSWORD = "attest-demo"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


class Client:
    """One keep-alive HTTP/1.1 connection with a bearer token."""

    def __init__(self, port, token):
        self.port, self.token = port, token
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def call(self, method, path, body=None, headers=None, ok=(200, 201), raw=False):
        h = {"Authorization": f"Bearer {self.token}"}
        h.update(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        for attempt in range(20):
            try:
                self.conn.request(method, path, body=body, headers=h)
                r = self.conn.getresponse()
                data = r.read()
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                continue
            if r.status == 503:  # busy: the server asks to retry
                time.sleep(0.05 * (attempt + 1))
                continue
            if r.status not in ok:
                raise SystemExit(f"{method} {path}: {r.status} {data[:300]!r}")
            if raw:
                return data
            return json.loads(data) if data else None
        raise SystemExit(f"{method} {path}: no answer after retries")

    def post(self, path, body):
        return self.call("POST", path, body)

    def upload(self, project, fields, name, content):
        boundary = "----attestbench"
        parts = []
        for k, v in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            f"Content-Type: application/xml\r\n\r\n".encode() + content + b"\r\n"
        )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.call(
            "POST",
            f"/api/v1/projects/{project}/evidence",
            b"".join(parts),
            {"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )


def junit(name, total):
    cases = "".join(f'<testcase classname="bench" name="{name}-{i}" time="0.01"/>' for i in range(total))
    return f'<testsuite name="{name}" tests="{total}" failures="0" errors="0">{cases}</testsuite>'.encode()


def login(port, user):
    """A browser session: POST the log-in form, keep the cookie."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = urllib.parse.urlencode({"username": user, "password": PASSWORD, "next": "/"})
    conn.request("POST", "/api/login", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Origin": f"http://127.0.0.1:{port}",
        "Accept": "text/html",
    })
    r = conn.getresponse()
    r.read()
    cookie = r.getheader("Set-Cookie") or ""
    m = re.search(r"attest_session=[^;]+", cookie)
    if not m:
        raise SystemExit(f"log-in as {user} gave no session cookie: {r.status} {r.getheaders()}")
    return m.group(0)


def cpu_busy(interval=0.5):
    """Fraction of the machine's CPU time spent busy over `interval` seconds."""
    def sample():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return sum(v), v[3] + v[4]  # total, idle + iowait
    t0, i0 = sample()
    time.sleep(interval)
    t1, i1 = sample()
    return 1 - (i1 - i0) / max(1, t1 - t0)


def settle(limit=15.0, busy=0.1):
    """Waits (up to `limit` s) until the machine is idle: a server still working
    off the last run's queued requests would steal the next run's CPU."""
    end = time.time() + limit
    while time.time() < end and cpu_busy() > busy:
        pass


def wrk(url, seconds, conns=16, headers=(), script=None):
    """wrk -t2 -c<conns> on an idle machine: req/s, p50/p99 ms, non-2xx count,
    socket errors."""
    settle()
    cmd = ["wrk", f"-t{min(2, conns)}", f"-c{conns}", f"-d{seconds}s", "--latency"]
    for h in headers:
        cmd += ["-H", h]
    if script:
        cmd += ["-s", script]
    out = run(cmd + [url]).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def ms(label):
        m = re.search(rf"\s{label}\s+([\d.]+)(us|ms|s)\b", out)
        v = float(m.group(1))
        return v / 1000 if m.group(2) == "us" else v * 1000 if m.group(2) == "s" else v

    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    total = int(re.search(r"(\d+) requests in", out).group(1))
    return {"rps": rps, "requests": total, "p50_ms": ms("50%"), "p99_ms": ms("99%"),
            "non2xx": int(non2xx.group(1)) if non2xx else 0,
            "socket_errors": errors.group(1) if errors else ""}


class Server:
    """`attest serve` (release) on a fresh data directory holding the demo's
    users, with an API token for each user named in `users`."""

    def __init__(self, binary=BINARY, users=("admin", "pm", "engineer", "qa"), extra=(), keep=False):
        self.binary, self.keep = binary, keep
        # ATTEST_BENCH_ARGS: settings for every command, e.g. "--database-url
        # postgres://… --blob-store s3://…" to measure on those backends
        self.backend = os.environ.get("ATTEST_BENCH_ARGS", "").split()
        self.data = tempfile.mkdtemp(prefix="attest-bench-")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.cli("demo")
        self.tokens = {u: self.cli("token", "create", "--user", u, "--name", "bench").strip() for u in users}
        self.log = open(os.path.join(self.data, "server.log"), "w")
        self.proc = subprocess.Popen([binary, "--data-dir", self.data, *self.backend, "--addr", f"127.0.0.1:{self.port}",
                                      "--no-demo", *extra, "serve"],
                                     stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT)
        for _ in range(150):
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit(f"the server did not start; see {self.log.name}")

    def cli(self, *args):
        return run([self.binary, "--data-dir", self.data, *self.backend, *args]).stdout

    def client(self, user):
        return Client(self.port, self.tokens[user])

    def rss_kib(self):
        """Resident memory of the server process now (kB, from /proc)."""
        with open(f"/proc/{self.proc.pid}/status") as f:
            return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))

    def stop(self):
        self.proc.terminate()
        self.proc.wait()
        self.log.close()
        if self.keep:
            print(f"data kept in {self.data}")
        else:
            shutil.rmtree(self.data, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
