#!/usr/bin/env python3
"""A tcplab class through a real JupyterHub, as its students use it (tools/lab.sh runs this as root).

  classroom.py hub-test    make hub-test: a hub for 1 teacher + 2 students (accounts made for the test); student 1
                           logs in through the hub's REST API (a token from a PAM login), starts the server, runs
                           notebook 02 through the kernel API (session, websocket channels); the student's copies
                           have no answers, the teacher's have them; student 2's token gets 403 on student 1's
                           server (contents, kernels, the kernel's channels) and student 2 cannot read student 1's
                           folder; then the hub stops and nothing is left (processes, captures, namespaces).
  classroom.py classroom   make classroom: one student alone first (the reference run), then N students (30) at
                           once: log in, start a server, run notebooks 02 and 03 (the sweep reduced), both kernels
                           kept open as a browser would; then 45, 60 while memory stays below 80 %. Per round:
                           failures, outcomes equal to the reference run (numbers masked), seconds until every
                           student had the first table, RSS of each kernel after the run, the machine's peak
                           memory, leftovers once the hub stopped. Report: build/classroom/report.md (+ .json).

The hub runs with its own state (build/hub-test, build/classroom), a free port and accounts that are removed at
the end (only accounts the hub set-up created). Everything started is stopped: servers through the hub's API,
then the hub (tools/hub/hub.sh stop), which also counts what is left."""
import argparse
import asyncio
import html
import json
import os
import pwd
import re
import socket
import statistics
import subprocess
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools", "runner"))
sys.path.insert(0, HERE)
import nbformat  # noqa: E402
import tcplab_ports  # noqa: E402
from kernel_check import descendants, kernel_pid, message  # noqa: E402
from run_notebooks import inject, problems  # noqa: E402
from tornado.httpclient import AsyncHTTPClient, HTTPRequest  # noqa: E402
from tornado.websocket import websocket_connect  # noqa: E402

HUB_SH = os.path.join(HERE, "hub.sh")
NB02, NB03 = "02-crashed-receiver.ipynb", "03-reset-vs-broken-pipe.ipynb"
SWEEP = [("runsPerPoint", "2"), ("pausesMillis", "new int[] {0, 10}")]  # notebook 03's sweep, reduced
HEAP_PROBE = ("String.format(\"heapPeak=%d heapCommitted=%d heapMax=%d nonHeap=%d\", "
              "java.lang.management.ManagementFactory.getMemoryPoolMXBeans().stream()"
              ".filter(p -> p.getType() == java.lang.management.MemoryType.HEAP).mapToLong(p -> p.getPeakUsage().getUsed()).sum(), "
              "java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted(), "
              "Runtime.getRuntime().maxMemory(), "
              "java.lang.management.ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage().getCommitted())")
ANSWER_MARK = "<details>"
NO_ANSWER_MARK = "The answers are in the teacher's copy"


def log(s):
    print(s, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def meminfo():
    vals = {}
    with open("/proc/meminfo") as f:
        for line in f:
            k, v = line.split(":")
            vals[k] = int(v.split()[0]) * 1024
    return vals["MemTotal"], vals["MemTotal"] - vals["MemAvailable"]


def rss(pid):
    """Resident set and proportional set (shared pages divided among their users) of a process, bytes."""
    try:
        with open(f"/proc/{pid}/status") as f:
            r = int(re.search(r"^VmRSS:\s+(\d+)", f.read(), re.M).group(1)) * 1024
        p = 0
        with open(f"/proc/{pid}/smaps_rollup") as f:
            m = re.search(r"^Pss:\s+(\d+)", f.read(), re.M)
            p = int(m.group(1)) * 1024 if m else 0
        return r, p
    except (OSError, AttributeError):
        return 0, 0


def cpu_busy():
    """Seconds of CPU the whole machine spent busy (all cores), from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return (sum(v) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")


def mib(b):
    return b / 2**20


def user_processes(user, needle):
    """Pids of `user` whose command line contains needle."""
    import pwd
    uid = pwd.getpwnam(user).pw_uid
    out = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                if os.stat(f"/proc/{p}").st_uid != uid:
                    continue
                with open(f"/proc/{p}/cmdline", "rb") as f:
                    if needle.encode() in f.read():
                        out.append(int(p))
            except OSError:
                pass
    return out


def masked(nb):
    """The outcomes of a notebook: the text of its code cells' outputs, numbers masked (as /work's compare)."""
    lines = []
    for c in nb.cells:
        if c.cell_type != "code" or "injected-parameters" in c.metadata.get("tags", []):
            continue
        for o in c.get("outputs", []):
            d = o.get("data", {})
            if "image/svg+xml" in d:  # a ladder: its drawing follows the times (time cuts, widths), not outcomes
                continue
            t = o.get("text") or d.get("text/plain") or d.get("text/html") or ""
            if o.get("output_type") == "error":
                t = f"{o.get('ename')}: {o.get('evalue')}"
            t = html.unescape(re.sub(r"<[^>]+>", " ", t))
            if t.strip().startswith("packets on the wire"):  # what the wire carried, e.g. retransmissions, follows timing;
                lines.append("(a table of packets)")  # that there are packets is compared
                continue
            t = re.sub(r"\d+(\.\d+)?", "N", t)
            t = re.sub(r"-{3,}", "---", t)
            t = re.sub(r" \((Recv|Send)-Q N\)", "", t)  # a snapshot's queue beside a state: whether bytes were still queued
            t = re.sub(r"[ \t]+", " ", t)
            # the sweep's "not controlled" rows are the lesson's race: which error comes first follows the timing
            lines += [l.strip() for l in t.splitlines() if l.strip() and "time cut" not in l and not l.strip().startswith("not controlled")]
    return lines


def connection_ports(kid):
    """The five ports in the connection file of kernel kid (root reads it in the student's runtime folder)."""
    pid = kernel_pid(kid)
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cf = next(a.decode() for a in f.read().split(b"\0") if a.endswith(b".json") and b"kernel-" in a)
        with open(cf) as f:
            info = json.load(f)
        return [info[k] for k in tcplab_ports.PORT_NAMES]
    except (OSError, StopIteration, KeyError, TypeError, ValueError):
        return []


class Hub:
    """A hub started by tools/hub/hub.sh with its own state, port and class list."""

    def __init__(self, state, students, teachers=(), start_timeout=600):
        self.state, self.port = state, free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        os.makedirs(state, exist_ok=True)
        self.class_file = os.path.join(state, "class-list.txt")
        with open(self.class_file, "w") as f:
            f.write("".join(f"{t} teacher\n" for t in teachers) + "".join(f"{s} student\n" for s in students))
        self.env = dict(os.environ, HUB_STATE=state, HUB_PORT=str(self.port), CLASS=self.class_file,
                        TCPLAB_HUB_START_TIMEOUT=str(start_timeout))
        self.http = AsyncHTTPClient()
        self.passwords = {}

    def sh(self, what):
        return subprocess.run([HUB_SH, what], env=self.env).returncode == 0

    def start(self):
        if not self.sh("start"):
            raise RuntimeError("tools/hub/hub.sh start failed")
        with open(os.path.join(self.state, "passwords")) as f:
            self.passwords = dict(line.split()[:2] for line in f if line.strip())

    def stop(self):
        self.sh("stop")
        try:
            with open(os.path.join(self.state, "leftovers")) as f:
                return dict(kv.split("=") for kv in f.read().split())
        except OSError:
            return {"processes": "?"}

    def remove_accounts(self):
        self.sh("remove-accounts")

    async def req(self, method, path, token=None, body=None, timeout=120):
        headers = {"Authorization": f"token {token}"} if token else {}
        r = await self.http.fetch(self.base + path, method=method, headers=headers, raise_error=False,
                                  body=None if body is None else json.dumps(body), allow_nonstandard_methods=True,
                                  request_timeout=timeout, connect_timeout=timeout)
        try:
            data = json.loads(r.body) if r.body else None
        except ValueError:
            data = None
        return r.code, data


class Student:
    def __init__(self, hub, name):
        self.hub, self.name = hub, name
        self.token = None
        self.kernels = []  # (notebook, kernel id)
        self.nbs = {}  # notebook -> executed notebook
        self.first_table = None  # seconds from the class's start
        self.kernel_ports = {}  # notebook -> the five ports of its kernel's connection file
        self.kernel_info_asked = 0  # kernel_info requests that got no answer within 15 s (asked again)
        self.restarts = 0  # kernel restarts the server announced (a start that could not bind its ports)
        self.errors = []
        self.timing = {}
        self.save = None  # a folder for the executed copies
        self.mem = []  # memory of each kernel at the end of its notebook
        self.heap = {}  # notebook -> the kernel's heap figures (HEAP_PROBE)
        self.close_kernels = False  # close each notebook's kernel at its end (Close and Halt)

    async def login(self):
        """A token from a PAM login: POST /hub/api/users/{name}/tokens with {"auth": {username, password}}."""
        code, body = await self.hub.req("POST", f"/hub/api/users/{self.name}/tokens", body={
            "auth": {"username": self.name, "password": self.hub.passwords[self.name]},
            "note": "tcplab classroom test", "expires_in": 7200})
        if code not in (200, 201) or not body or "token" not in body:
            raise RuntimeError(f"login as {self.name}: HTTP {code} {body}")
        self.token = body["token"]

    async def spawn(self, seconds):
        """POST /hub/api/users/{name}/server: 201 started, 202 starting (then the user's model says when it is
        ready); the server's own API answers 424 until the proxy routes to it."""
        code, body = await self.hub.req("POST", f"/hub/api/users/{self.name}/server", self.token)
        if code not in (201, 202):
            raise RuntimeError(f"start of {self.name}'s server: HTTP {code} {body}")
        end = time.monotonic() + seconds
        while True:
            code, user = await self.hub.req("GET", f"/hub/api/users/{self.name}", self.token)
            server = (user or {}).get("servers", {}).get("")
            if server and server.get("ready"):
                break
            if code == 200 and not server and (user or {}).get("pending") is None:
                raise RuntimeError(f"{self.name}'s server failed to start (see the hub's log)")
            if time.monotonic() > end:
                raise RuntimeError(f"{self.name}'s server not ready within {seconds} s")
            await asyncio.sleep(1)
        while True:
            code, _ = await self.hub.req("GET", f"/user/{self.name}/api/status", self.token)
            if code == 200:
                return
            if code not in (424, 502, 503) or time.monotonic() > end:
                raise RuntimeError(f"{self.name}'s server API: HTTP {code}")
            await asyncio.sleep(1)

    async def notebook(self, path):
        code, model = await self.hub.req("GET", f"/user/{self.name}/api/contents/{path}?content=1", self.token)
        if code != 200:
            raise RuntimeError(f"{self.name}: GET contents/{path}: HTTP {code}")
        return nbformat.from_dict(model["content"])

    async def run(self, path, settings, t_class, cell_timeout):
        """The notebook from the student's own folder, run cell by cell through a session and the kernel's
        websocket channels, as the browser does; outputs kept; the kernel stays open."""
        nb = await self.notebook(path)
        if settings:
            inject(nb, settings)
        t0 = time.monotonic()
        code, sess = await self.hub.req("POST", f"/user/{self.name}/api/sessions", self.token, body={
            "path": path, "type": "notebook", "name": "", "kernel": {"name": "java"}})
        if code not in (200, 201):
            raise RuntimeError(f"{self.name}: session for {path}: HTTP {code} {sess}")
        kid = sess["kernel"]["id"]
        self.kernels.append((path, kid))
        ws_url = self.hub.base.replace("http", "ws") + f"/user/{self.name}/api/kernels/{kid}/channels?session_id={uuid.uuid4().hex}"
        ws = await websocket_connect(HTTPRequest(ws_url, headers={"Authorization": f"token {self.token}"},
                                                 connect_timeout=cell_timeout, request_timeout=cell_timeout))
        session = uuid.uuid4().hex
        try:
            # as jupyter_client's wait_for_ready: ask again while there is no answer (every 15 s); a kernel that
            # answers only a later request lost the first (counted: rapaio's lost first request, tools/rapaio-fix)
            reply, t_ask = None, time.monotonic()
            while reply is None and time.monotonic() - t_ask < cell_timeout:
                info = message("kernel_info_request", {}, session)
                ws.write_message(json.dumps(info))
                reply, _ = await self.collect(ws, info["header"]["msg_id"], "kernel_info_reply", 15, None, t_class)
                self.kernel_info_asked += reply is None
            if reply is None:
                raise RuntimeError(f"{self.name}: the kernel for {path} did not answer within {cell_timeout} s")
            self.timing[path + " kernel ready"] = time.monotonic() - t0
            self.kernel_ports[path] = connection_ports(kid)
            for cell in nb.cells:
                if cell.cell_type != "code":
                    continue
                ex = message("execute_request", {"code": cell.source, "silent": False, "store_history": True,
                                                  "user_expressions": {}, "allow_stdin": False, "stop_on_error": False}, session)
                ws.write_message(json.dumps(ex))
                reply, outputs = await self.collect(ws, ex["header"]["msg_id"], "execute_reply", cell_timeout, cell, t_class)
                cell.outputs = outputs
                if reply is None:
                    raise RuntimeError(f"{self.name}: a cell of {path} gave no reply within {cell_timeout} s")
            # what the kernel's heap needed (for its -Xmx): the peak of each heap pool, summed (an upper bound)
            ex = message("execute_request", {"code": HEAP_PROBE, "silent": False, "store_history": False, "user_expressions": {},
                                              "allow_stdin": False, "stop_on_error": False}, session)
            ws.write_message(json.dumps(ex))
            _, outputs = await self.collect(ws, ex["header"]["msg_id"], "execute_reply", 60, None, t_class)
            text = " ".join(str(o.get("data", {}).get("text/plain", "")) for o in outputs)
            self.heap[path] = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", text)}
        finally:
            ws.close()
        self.timing[path] = time.monotonic() - t0
        self.nbs[path] = nb
        self.kernel_memory(path, kid)
        if self.close_kernels:
            await self.close(path, sess["id"], kid)
        if self.save:
            os.makedirs(self.save, exist_ok=True)
            nbformat.write(nb, os.path.join(self.save, f"{self.name}-{path}"))
        return nb

    async def collect(self, ws, parent, want, seconds, cell, t_class):
        end = time.monotonic() + seconds
        reply, idle, outputs = None, False, []
        while not (reply and idle):
            left = end - time.monotonic()
            if left <= 0:
                break
            try:
                raw = await asyncio.wait_for(ws.read_message(), timeout=left)
            except asyncio.TimeoutError:
                break
            if raw is None:
                raise RuntimeError(f"{self.name}: the kernel's websocket closed")
            m = json.loads(raw)
            state = m["content"].get("execution_state") if m.get("msg_type") == "status" else None
            if state in ("restarting", "dead") and not m.get("parent_header", {}).get("msg_id"):
                # the server's own news about the kernel (Notebook 6.4: restarted by its restarter, or the
                # restarts failed): a student's browser shows a dialog; here the notebook fails at once
                self.restarts += state == "restarting"
                if state == "dead":
                    raise RuntimeError(f"{self.name}: the kernel died (restarted {self.restarts} times, then the restarts failed)")
                if cell is not None:
                    raise RuntimeError(f"{self.name}: the kernel restarted while a cell ran")
                continue
            if m.get("parent_header", {}).get("msg_id") != parent:
                continue
            t = m["msg_type"]
            if t in ("stream", "execute_result", "display_data", "error"):
                outputs.append(nbformat.v4.output_from_msg(m))
                data = m["content"].get("data", {})
                if self.first_table is None and "<table" in (data.get("text/html") or ""):
                    self.first_table = time.monotonic() - t_class
            elif t == "clear_output":
                outputs = []
            elif t == "status" and m["content"].get("execution_state") == "idle":
                idle = True
            if t == want:
                reply = m
        return reply, outputs

    def kernel_memory(self, path, kid):
        """RSS/PSS of a kernel and of what it started (the private host), recorded in self.mem."""
        pid = kernel_pid(kid)
        if pid is not None:
            r, p = rss(pid)
            kids = [rss(c) for c in descendants(pid)]
            self.mem.append({"notebook": path, "rss": r, "pss": p, "children_rss": sum(k[0] for k in kids),
                             "children_pss": sum(k[1] for k in kids)})

    async def close(self, path, sid, kid):
        """Close and Halt, as a student leaving a notebook: the session and its kernel end."""
        await self.hub.req("DELETE", f"/user/{self.name}/api/sessions/{sid}", self.token)
        self.kernels.remove((path, kid))

    def memory(self):
        """RSS/PSS of each kernel (at the end of its notebook), and of the notebook server now."""
        for path, kid in self.kernels:
            if not any(m["notebook"] == path for m in self.mem):
                self.kernel_memory(path, kid)
        out = list(self.mem)
        servers = user_processes(self.name, "jupyterhub-singleuser")
        srv = [rss(p) for p in servers]
        return out, (sum(s[0] for s in srv), sum(s[1] for s in srv))

    async def stop_server(self):
        if self.token:
            await self.hub.req("DELETE", f"/hub/api/users/{self.name}/server", self.token)


class Memory:
    """The machine's used memory (MemTotal - MemAvailable), sampled every second; `over` is set at 80 %."""

    def __init__(self, limit=0.80):
        self.total, self.base = meminfo()
        self.peak, self.limit, self.over = self.base, limit, asyncio.Event()

    async def watch(self):
        while True:
            _, used = meminfo()
            self.peak = max(self.peak, used)
            if used > self.limit * self.total:
                self.over.set()
            await asyncio.sleep(1)


# --- make hub-test ---------------------------------------------------------------------------------------------

async def hub_test(args):
    results = []

    def check(ok, what):
        results.append(bool(ok))
        log(f"{'ok  ' if ok else 'FAIL'} hub: {what}")

    hub = Hub(os.path.join(ROOT, "build", "hub-test"), ["tcplab-ht-s1", "tcplab-ht-s2"], ["tcplab-ht-teacher"], 300)
    t0 = time.monotonic()
    try:
        hub.start()
        s1, s2, teacher = (Student(hub, n) for n in ("tcplab-ht-s1", "tcplab-ht-s2", "tcplab-ht-teacher"))
        t_login = time.monotonic()
        for s in (s1, s2, teacher):
            await s.login()
        check(True, "three PAM logins through POST /hub/api/users/<name>/tokens")
        await asyncio.gather(*(s.spawn(240) for s in (s1, s2, teacher)))
        check(True, f"three servers started through POST /hub/api/users/<name>/server ({time.monotonic() - t_login:.1f} s from the first login)")
        code, listing = await hub.req("GET", f"/user/{s1.name}/api/contents", s1.token)
        names = sorted(c["name"] for c in (listing or {}).get("content", []))
        lib = os.readlink(os.path.expanduser(f"~{s1.name}/tcplab/lib"))
        check(code == 200 and NB02 in names and NB03 in names and os.stat(lib).st_uid == 0 and os.path.exists(os.path.join(lib, "target", "jars", "tcplab.jar")),
              f"the student's server starts in ~/tcplab/notebooks ({len(names)} notebooks) beside lib -> {lib}")
        sn, tn = await s1.notebook(NB02), await teacher.notebook(NB02)
        st_md = "".join(c.source for c in sn.cells if c.cell_type == "markdown")
        te_md = "".join(c.source for c in tn.cells if c.cell_type == "markdown")
        check(ANSWER_MARK not in st_md and NO_ANSWER_MARK in st_md, "the student's copy of 02 has no answers")
        check(ANSWER_MARK in te_md, "the teacher's copy of 02 has the answers")
        t_run = time.monotonic()
        nb = await s1.run(NB02, [], t_run, 240)
        found = problems(nb)
        tables = sum("<table" in (o.get("data", {}).get("text/html") or "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
        packets = masked(nb).count("(a table of packets)")
        userns = subprocess.run(["runuser", "-u", s1.name, "--", "env", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "unshare", "-rn", "true"]).returncode == 0
        check(not found and tables > 0 and (packets > 0 or not userns),
              f"{NB02} run by {s1.name} through the kernel API: {time.monotonic() - t_run:.1f} s, {tables} tables "
              f"({packets} of packets; user namespaces {'work' if userns else 'do not work'} for students), first after {s1.first_table or 0:.1f} s"
              + (f"; problems: {found[:3]}" if found else ""))
        own = tcplab_ports.user_range(pwd.getpwnam(s1.name).pw_uid)
        ports = s1.kernel_ports.get(NB02, [])
        check(len(ports) == 5 and all(p in own for p in ports),
              f"{s1.name}'s kernel has its ports from the account's own range {own.start}-{own.stop - 1}: {ports}")
        mem, server = s1.memory()
        if mem:
            log(f"     kernel RSS {mib(mem[0]['rss']):.0f} MiB (PSS {mib(mem[0]['pss']):.0f}), its children {mib(mem[0]['children_rss']):.0f} MiB; "
                f"notebook server {mib(server[0]):.0f} MiB")
        # isolation: student 2's token on student 1's server
        kid = s1.kernels[0][1]
        codes = []
        for path in ("/api/contents", f"/api/contents/{NB02}", "/api/kernels", f"/api/kernels/{kid}"):
            code, _ = await hub.req("GET", f"/user/{s1.name}{path}", s2.token)
            codes.append(code)
        code, _ = await hub.req("POST", f"/user/{s1.name}/api/kernels/{kid}/interrupt", s2.token, body={})
        codes.append(code)
        try:
            ws = await websocket_connect(HTTPRequest(hub.base.replace("http", "ws") + f"/user/{s1.name}/api/kernels/{kid}/channels",
                                                     headers={"Authorization": f"token {s2.token}"}, connect_timeout=30, request_timeout=30))
            ws.close()
            codes.append("websocket opened")
        except Exception as e:
            codes.append(getattr(e, "code", type(e).__name__))
        check(all(c == 403 for c in codes), f"{s2.name}'s token on {s1.name}'s server (contents, kernels, interrupt, channels): {codes}")
        home1 = os.path.expanduser(f"~{s1.name}")
        peek = subprocess.run(["runuser", "-u", s2.name, "--", "ls", f"{home1}/tcplab/notebooks"], capture_output=True, text=True)
        mode = oct(os.stat(home1).st_mode & 0o777)
        check(peek.returncode != 0 and mode == "0o700", f"{s2.name} cannot list {home1}/tcplab/notebooks (home {mode}: {peek.stderr.strip()[:80]})")
        lib = subprocess.run(["runuser", "-u", s2.name, "--", "test", "-w", os.path.expanduser(f"~{s2.name}/tcplab/lib/target/jars/tcplab.jar")])
        check(lib.returncode != 0, "the shared jars are read-only for students")
        await asyncio.gather(*(s.stop_server() for s in (s1, s2, teacher)))
    except Exception as e:
        check(False, f"{type(e).__name__}: {e}")
    finally:
        left = hub.stop()
        hub.remove_accounts()
    check(left.get("processes") == "0" and left.get("netns") == "0" and left.get("captures") == "0",
          f"after the hub stopped: {left.get('processes')} processes left, {left.get('captures')} captures, {left.get('netns')} network namespaces")
    log(f"hub test: {sum(results)} of {len(results)} checks passed in {time.monotonic() - t0:.0f} s")
    if args.record:
        with open(args.record, "a") as f:
            f.write("1\n" if all(results) else "0\n")
    return all(results)


# --- make classroom --------------------------------------------------------------------------------------------

async def one_student(s, t_class, cell_timeout):
    try:
        t = time.monotonic()
        await s.login()
        await s.spawn(cell_timeout)
        s.timing["login+server"] = time.monotonic() - t
        await s.run(NB02, [], t_class, cell_timeout)
        await s.run(NB03, SWEEP, t_class, cell_timeout)
    except Exception as e:
        s.errors.append(f"{type(e).__name__}: {e}")


async def round_(n, args, reference, names):
    state = os.path.join(ROOT, "build", "classroom")
    hub = Hub(state, names[:n])
    mem = Memory(args.memory_limit)
    watcher = asyncio.ensure_future(mem.watch())
    row = {"students": n}
    students = []
    t_start = time.monotonic()
    try:
        hub.start()
        students = [Student(hub, name) for name in names[:n]]
        for s in students:
            s.save = os.path.join(state, "executed", f"round-{n}")
            s.close_kernels = not args.keep_kernels
        t_class = time.monotonic()
        cpu0 = cpu_busy()
        work = asyncio.gather(*(one_student(s, t_class, args.cell_timeout) for s in students))
        over = asyncio.ensure_future(mem.over.wait())
        done, _ = await asyncio.wait([work, over], return_when=asyncio.FIRST_COMPLETED)
        if over in done:
            work.cancel()
            row["stopped"] = f"memory over {args.memory_limit:.0%}: round stopped"
            log(f"  STOP: the machine's memory went over {args.memory_limit:.0%} ({mib(mem.peak) / 1024:.1f} GiB)")
        else:
            over.cancel()
        row["wall"] = time.monotonic() - t_class
        row["cpu"] = cpu_busy() - cpu0
        row["cores"] = os.cpu_count()
        kernels, servers, held = [], [], []
        for s in students:
            k, srv = s.memory()
            kernels += k
            servers.append(srv)
            each = [m["rss"] + m["children_rss"] for m in k] or [0]
            held.append(srv[0] + (sum(each) if args.keep_kernels else max(each)))  # what a student holds at once
        fails, diffs = [], []
        for s in students:
            bad = list(s.errors)
            for path, nb in s.nbs.items():
                bad += [f"{path}: {p}" for p in problems(nb)]
            if len(s.nbs) < 2 and not s.errors:
                bad.append("did not finish both notebooks")
            if bad:
                fails.append((s.name, bad))
            if reference is not None:
                for path, nb in s.nbs.items():
                    a, b = reference.get(path, []), masked(nb)
                    if a != b:
                        import difflib
                        d = [l for l in difflib.unified_diff(a, b, lineterm="", n=0) if l[:1] in "+-" and l[:3] not in ("---", "+++")]
                        diffs.append((s.name, path, d))
        firsts = [s.first_table for s in students if s.first_table is not None]
        row.update({
            "failures": len(fails), "fail_detail": [(n_, b[:3]) for n_, b in fails[:5]],
            "kernel_restarts": sum(s.restarts for s in students),
            "kernel_info_unanswered": sum(s.kernel_info_asked for s in students),
            "outcome_diffs": len(diffs), "diff_detail": [(n_, p, d[:6]) for n_, p, d in diffs[:5]],
            "first_table_all": max(firsts) if len(firsts) == n else None,
            "first_table_median": statistics.median(firsts) if firsts else None,
            "nb02_median": statistics.median([s.timing[NB02] for s in students if NB02 in s.timing] or [0]),
            "nb03_median": statistics.median([s.timing[NB03] for s in students if NB03 in s.timing] or [0]),
            "kernel_rss": [k["rss"] for k in kernels], "kernel_pss": [k["pss"] for k in kernels],
            "heap_peak": [h.get("heapPeak", 0) for s in students for h in s.heap.values()],
            "heap_committed": [h.get("heapCommitted", 0) for s in students for h in s.heap.values()],
            "non_heap": [h.get("nonHeap", 0) for s in students for h in s.heap.values()],
            "child_rss": [k["children_rss"] for k in kernels],
            "server_rss": [r for r, _ in servers], "per_student": statistics.median(held) if held else 0,
            "kernels_open": 2 if args.keep_kernels else 1,
            "mem_total": mem.total, "mem_base": mem.base, "mem_peak": mem.peak,
        })
        if reference is None:
            row["reference"] = {p: masked(nb) for p, nb in students[0].nbs.items()} if students and not fails else None
        for name, bad in fails[:5]:
            log(f"  FAIL {name}: {'; '.join(bad[:3])[:400]}")
        for name, path, d in diffs[:3]:
            log(f"  DIFF {name} {path}: {' | '.join(d[:4])[:400]}")
        await asyncio.gather(*(s.stop_server() for s in students), return_exceptions=True)
    except Exception as e:
        row["error"] = f"{type(e).__name__}: {e}"
        log(f"  FAIL round of {n}: {row['error']}")
    finally:
        watcher.cancel()
        left = hub.stop()
        row["leftovers"] = left
        row["round_wall"] = time.monotonic() - t_start
    return row, hub


def describe(row):
    k = row.get("kernel_rss") or [0]
    srv = row.get("server_rss") or [0]
    ch = row.get("child_rss") or [0]
    per_student = row.get("per_student", 0)
    return (f"{row['students']} students: {row.get('failures', '?')} failures, {row.get('outcome_diffs', '?')} outcome differences; "
            f"first table for all after {row['first_table_all'] if row.get('first_table_all') is None else round(row['first_table_all'], 1)} s "
            f"(median {round(row.get('first_table_median') or 0, 1)} s); 02 median {row.get('nb02_median', 0):.1f} s, 03 median {row.get('nb03_median', 0):.1f} s; "
            f"kernel RSS median {mib(statistics.median(k)):.0f} MiB (max {mib(max(k)):.0f}; PSS median {mib(statistics.median(row.get('kernel_pss') or [0])):.0f}), private hosts {mib(statistics.median(ch)):.0f} MiB, "
            f"server {mib(statistics.median(srv)):.0f} MiB, per student {mib(per_student):.0f} MiB; "
            f"kernel heap: peak {mib(max(row.get('heap_peak') or [0])):.0f} MiB (max), committed {mib(max(row.get('heap_committed') or [0])):.0f} MiB, "
            f"non-heap {mib(max(row.get('non_heap') or [0])):.0f} MiB; "
            f"machine peak {mib(row.get('mem_peak', 0)) / 1024:.1f} GiB of {mib(row.get('mem_total', 1)) / 1024:.1f} "
            f"({row.get('mem_peak', 0) / row.get('mem_total', 1):.0%}; {mib(row.get('mem_base', 0)) / 1024:.1f} GiB before); "
            f"kernel restarts {row.get('kernel_restarts', 0)}, kernel_info requests unanswered for 15 s {row.get('kernel_info_unanswered', 0)}; "
            f"class wall {row.get('wall', 0):.0f} s, machine CPU busy {row.get('cpu', 0):.0f} s of {row.get('wall', 0) * (row.get('cores') or 1):.0f} core-seconds; "
            f"leftovers {row.get('leftovers')}")


async def classroom(args):
    steps = [args.students] + [int(x) for x in args.steps.split(",") if x.strip()] if args.steps else [args.students]
    names = [f"tcplab-c{i:02d}" for i in range(1, max(steps) + 1)]
    out = os.path.join(ROOT, "build", "classroom")
    os.makedirs(out, exist_ok=True)
    rows, ok = [], True
    log("classroom: one student alone first (the reference for the outcomes)")
    ref_row, hub = await round_(1, args, None, names)
    log("  " + describe(ref_row))
    rows.append(ref_row)
    reference = ref_row.get("reference")
    if not reference:
        log("FAIL the single run failed: no reference")
        ok = False
    for n in (steps if reference else []):
        if args.wait_for and n >= 30:
            while not os.path.exists(args.wait_for):
                if time.time() > args.wait_until:
                    log(f"  {args.wait_for} did not appear in time: no round of {n}")
                    n = None
                    break
                await asyncio.sleep(60)
            if n is None:
                break
        log(f"classroom: {n} students at once")
        row, hub = await round_(n, args, reference, names)
        rows.append(row)
        log("  " + describe(row))
        good = (row.get("failures") == 0 and row.get("outcome_diffs") == 0 and row["leftovers"].get("processes") == "0"
                and row["leftovers"].get("netns") == "0" and row["leftovers"].get("captures") == "0" and "stopped" not in row)
        ok = ok and good
        if "stopped" in row or "error" in row:
            break
        nxt = [s for s in steps if s > n]
        if nxt:
            grow = (row["mem_peak"] - row["mem_base"]) / n
            projected = row["mem_base"] + grow * nxt[0]
            if projected > args.memory_limit * row["mem_total"]:
                log(f"  no round of {nxt[0]}: it would need about {mib(projected) / 1024:.1f} GiB, over {args.memory_limit:.0%} of the machine")
                break
    hub.remove_accounts()
    big = [r for r in rows[1:] if r.get("mem_peak") and r.get("students", 0) > 1]
    if big:
        r = big[-1]
        grow = (r["mem_peak"] - r["mem_base"]) / r["students"]
        fits = int((args.memory_limit * r["mem_total"] - r["mem_base"]) / grow) if grow > 0 else 0
        log(f"memory: {mib(grow):.0f} MiB more per student (round of {r['students']}); below {args.memory_limit:.0%} of this machine's "
            f"{mib(r['mem_total']) / 1024:.1f} GiB fit about {fits} students ({1024 / mib(grow):.1f} students per GiB)")
        r["students_that_fit"] = fits
        r["mib_per_student"] = mib(grow)
    for r in rows:
        r.pop("reference", None)
    with open(os.path.join(out, "report.json"), "w") as f:
        json.dump(rows, f, indent=1, default=str)
    with open(os.path.join(out, "report.md"), "w") as f:
        f.write("| students | failures | outcome diffs | first table for all (s) | 02 / 03 median (s) | kernel RSS median/max (MiB) | "
                "private host RSS (MiB) | server RSS (MiB) | per student, held at once (MiB) | machine peak (GiB, %) | wall, CPU busy (s) | leftovers |\n|" + "---|" * 12 + "\n")
        for r in rows:
            k = r.get("kernel_rss") or [0]
            srv = r.get("server_rss") or [0]
            ch = r.get("child_rss") or [0]
            per = r.get("per_student", 0)
            ft = r.get("first_table_all")
            f.write(f"| {r['students']}{' (alone)' if r is rows[0] else ''} | {r.get('failures', '?')} | {r.get('outcome_diffs', '-')} | "
                    f"{'-' if ft is None else f'{ft:.1f}'} | {r.get('nb02_median', 0):.1f} / {r.get('nb03_median', 0):.1f} | "
                    f"{mib(statistics.median(k)):.0f} / {mib(max(k)):.0f} | {mib(statistics.median(ch)):.0f} | {mib(statistics.median(srv)):.0f} | "
                    f"{mib(per):.0f} | {mib(r.get('mem_peak', 0)) / 1024:.1f} ({r.get('mem_peak', 0) / r.get('mem_total', 1):.0%}) | "
                    f"{r.get('wall', 0):.0f}, {r.get('cpu', 0):.0f} | "
                    f"{r['leftovers'].get('processes')} processes, {r['leftovers'].get('captures')} captures, {r['leftovers'].get('netns')} netns |\n")
    log(f"classroom report: build/classroom/report.md")
    log(open(os.path.join(out, "report.md")).read())
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mode", choices=["hub-test", "classroom"])
    ap.add_argument("--students", type=int, default=30)
    ap.add_argument("--steps", default="45,60", help="more rounds after the first, while memory allows (comma list)")
    ap.add_argument("--cell-timeout", type=int, default=900)
    ap.add_argument("--memory-limit", type=float, default=0.80)
    ap.add_argument("--wait-for", default=os.environ.get("CLASSROOM_WAIT_FOR"), help="rounds of 30+ wait for this file")
    ap.add_argument("--wait-until", type=float, default=float(os.environ.get("CLASSROOM_WAIT_UNTIL", "0") or 0) or time.time() + 3600)
    ap.add_argument("--keep-kernels", action="store_true", default=bool(os.environ.get("KEEP_KERNELS")),
                    help="keep 02's kernel open while 03 runs (default: Close and Halt at the end of each notebook)")
    ap.add_argument("--record", help="hub-test: append 1 (passed) or 0 (failed) to this file")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root (through make hub-test / make classroom)")
    AsyncHTTPClient.configure(None, max_clients=500)
    ok = asyncio.run(hub_test(args) if args.mode == "hub-test" else classroom(args))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
