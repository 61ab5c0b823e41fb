#!/usr/bin/env python3
"""The 'java' kernel as a browser uses it, through a real Notebook server.

Starts the Notebook server (127.0.0.1, a token, the kernelspecs on JUPYTER_PATH, as tools/lab.sh does),
then:
  * N fresh starts: POST /api/kernels, open /api/kernels/{id}/channels (the server itself asks the kernel
    for kernel_info before it accepts the websocket, once, with its 60 s timeout), send ONE
    kernel_info_request (never re-sent) and time the reply from the POST; then DELETE the kernel.
    A start counts only if it answered within 5 s.
  * --interrupt: in one kernel, cells that the stop button must end: `Thread.sleep(30000)`, a lab cell
    (tcplab.jar loaded with %jars, a loop with Thread.sleep(50), like a sweep), a real sweep of notebook
    03 (child processes), and `while (true) {}`. Each gets POST /api/kernels/{id}/interrupt after 1 s
    (what the Notebook UI sends); its execute_reply must come within 2 s with a short error, then
    `1 + 1` must show 2. Threads, fds and child processes of the kernel (from /proc) are counted before
    and after.
Prints one line per start / case and a summary; exit status 0 only if everything passed.
The server and every kernel are always shut down; kernel log lines (the kernel's stderr goes to the
server log) are summarised at the end."""
import argparse
import asyncio
import datetime
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ANSWER_SECONDS = 5.0
INTERRUPT_SECONDS = 2.0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def message(msg_type, content, session):
    date = datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "Z")  # as the browser sends it
    return {"header": {"msg_id": uuid.uuid4().hex, "username": "kernel-check", "session": session,
                       "msg_type": msg_type, "version": "5.3", "date": date},
            "parent_header": {}, "metadata": {}, "content": content, "channel": "shell"}


async def collect(ws, parent_id, want, seconds):
    """Messages answering parent_id until `want` has arrived on shell and the kernel has said idle on iopub
    (the server mixes both channels, so outputs may come after the reply); returns (reply or None, outputs,
    arrival time of the reply)."""
    end = time.monotonic() + seconds
    outputs, reply, at, idle = [], None, None, False
    while not (reply and idle):
        left = (end if reply is None else min(end, at + 2)) - time.monotonic()
        if left <= 0:
            break
        try:
            raw = await asyncio.wait_for(ws.read_message(), timeout=left)
        except asyncio.TimeoutError:
            break
        if raw is None:
            break
        m = json.loads(raw)
        if m.get("parent_header", {}).get("msg_id") != parent_id:
            continue
        if m["msg_type"] in ("stream", "execute_result", "display_data", "error"):
            outputs.append(m)
        elif m["msg_type"] == "status" and m["content"].get("execution_state") == "idle":
            idle = True
        if m["msg_type"] == want:
            reply, at = m, time.monotonic()
    return reply, outputs, at


def text_of(outputs):
    parts = []
    for o in outputs:
        c = o["content"]
        if o["msg_type"] == "stream":
            parts.append(c.get("text", ""))
        elif o["msg_type"] == "error":
            parts.append("\n".join(c.get("traceback") or [f"{c.get('ename')}: {c.get('evalue')}"]))
        else:
            data = c.get("data", {})
            parts.append(data.get("text/plain") or re.sub(r"<[^>]+>", "", data.get("text/html", "")))
    return re.sub(r"\x1b\[[0-9;]*m", "", "".join(parts)).strip()


def kernel_pid(kid):
    """The kernel process: the one whose command line names the connection file kernel-<id>.json."""
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if f"kernel-{kid}.json".encode() in f.read():
                    return int(pid)
        except OSError:
            pass
    return None


def descendants(pid):
    parents = {}
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                with open(f"/proc/{p}/stat") as f:
                    parents.setdefault(int(f.read().rsplit(")", 1)[1].split()[1]), []).append(int(p))
            except (OSError, IndexError, ValueError):
                pass
    out, todo = [], [pid]
    while todo:
        for c in parents.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def thread_names(pid):
    names = []
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{t}/comm") as f:
                names.append(f.read().strip())
        except OSError:
            pass
    return names


def fd_targets(pid):
    out = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            out.append(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except OSError:
            pass
    return out


def resources(pid):
    """(threads, fds, child processes, CPU seconds) of a process, from /proc."""
    with open(f"/proc/{pid}/status") as f:
        threads = int(re.search(r"^Threads:\s+(\d+)", f.read(), re.M).group(1))
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return threads, fds, len(descendants(pid)), cpu


class Server:
    def __init__(self, logdir, label):
        self.port, self.token = free_port(), uuid.uuid4().hex
        self.base = f"http://127.0.0.1:{self.port}"
        self.auth = {"Authorization": f"token {self.token}"}
        os.makedirs(logdir, exist_ok=True)
        self.logpath = os.path.join(logdir, f"server{('-' + label) if label else ''}.log")
        self.runtime = tempfile.mkdtemp(prefix="tcplab-kernel-check-")
        env = dict(os.environ, JUPYTER_RUNTIME_DIR=self.runtime)
        env.setdefault("JUPYTER_PATH", os.path.join(ROOT, "build", "jupyter"))
        cmd = [sys.executable, "-m", "notebook", "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
               "--port-retries=0", f"--NotebookApp.token={self.token}", f"--notebook-dir={ROOT}/notebooks"]
        if os.geteuid() == 0:
            cmd.append("--allow-root")
        self.logf = open(self.logpath, "w")
        # cwd: kernels started without a path run here; the browser runs them in the notebook's folder
        self.proc = subprocess.Popen(cmd, cwd=os.path.join(ROOT, "notebooks"), env=env, stdout=self.logf, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.http = AsyncHTTPClient()

    async def ready(self, seconds=90):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the Notebook server ended at once (see {self.logpath})")
            try:
                r = await self.http.fetch(f"{self.base}/api/status", headers=self.auth, request_timeout=2)
                if r.code == 200:
                    return
            except Exception:
                pass
            await asyncio.sleep(0.3)
        raise RuntimeError(f"the Notebook server did not answer within {seconds} s (see {self.logpath})")

    async def call(self, method, path, body=None, timeout=30):
        r = await self.http.fetch(f"{self.base}{path}", method=method, headers=self.auth,
                                  body=None if body is None else json.dumps(body),
                                  allow_nonstandard_methods=True, request_timeout=timeout)
        return json.loads(r.body) if r.body else None

    async def channels(self, kid, timeout):
        return await websocket_connect(HTTPRequest(f"{self.base.replace('http', 'ws')}/api/kernels/{kid}/channels",
                                                   headers=self.auth, connect_timeout=timeout,
                                                   request_timeout=timeout))

    def stop(self):
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=15)
        except Exception:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                pass
        self.logf.close()
        subprocess.run(["rm", "-rf", self.runtime])


async def start(server, give_up):
    """POST a kernel, open its websocket, one kernel_info_request. Returns (kid, ws or None, seconds or None)."""
    t0 = time.monotonic()
    kid = (await server.call("POST", "/api/kernels", {"name": "java"}))["id"]
    try:
        ws = await server.channels(kid, give_up)
    except Exception:
        return kid, None, None
    session = uuid.uuid4().hex
    info = message("kernel_info_request", {}, session)
    ws.write_message(json.dumps(info))
    reply, _, at = await collect(ws, info["header"]["msg_id"], "kernel_info_reply", max(0.1, give_up - (time.monotonic() - t0)))
    if reply is None:
        ws.close()
        return kid, None, None
    return kid, ws, at - t0


async def delete(server, kid):
    """DELETE the kernel; returns seconds until the server answered and the kernel process was gone."""
    pid = kernel_pid(kid)
    t0 = time.monotonic()
    try:
        await server.call("DELETE", f"/api/kernels/{kid}", timeout=30)
    except Exception:
        pass
    while pid and os.path.exists(f"/proc/{pid}") and time.monotonic() - t0 < 15:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    break
        except OSError:
            break
        await asyncio.sleep(0.05)
    return time.monotonic() - t0


async def starts(server, n, give_up, log):
    times, misses, gone, cells = [], 0, [], []
    for i in range(1, n + 1):
        t0 = time.monotonic()
        kid, ws, took = await start(server, give_up)
        first = ""
        if ws is not None:
            reply, outputs = await execute(ws, "1 + 1", 60, uuid.uuid4().hex)
            shown = text_of(outputs)
            first = f"; first cell 1 + 1 -> {shown!r} after {time.monotonic() - t0:.2f} s"
            if shown == "2":
                cells.append(time.monotonic() - t0)
            ws.close()
        gone.append(await delete(server, kid))
        if took is not None and took <= ANSWER_SECONDS:
            log(f"  start {i:3d}/{n}: kernel_info answered in {took:.2f} s{first}")
        elif took is not None:
            misses += 1
            log(f"  start {i:3d}/{n}: LATE, kernel_info answered in {took:.2f} s (over {ANSWER_SECONDS:.0f} s){first}")
        else:
            misses += 1
            log(f"  start {i:3d}/{n}: NO ANSWER within {give_up:.0f} s")
        if took is not None:
            times.append(took)
    ok = n - misses
    med = f"{statistics.median(times):.2f} s" if times else "-"
    mx = f"{max(times):.2f} s" if times else "-"
    summary = (f"{ok} of {n} answered within {ANSWER_SECONDS:.0f} s; median {med}; max {mx} "
               f"(first cell's result: {len(cells)} of {n}, median {statistics.median(cells) if cells else 0:.2f} s from the POST; "
               f"kernel gone after DELETE: median {statistics.median(gone):.2f} s, max {max(gone):.2f} s)")
    if len(cells) < n:
        misses += 1  # a kernel that answers kernel_info but cannot run 1 + 1 is no kernel
    return misses == 0, summary


async def execute(ws, code, seconds, session):
    ex = message("execute_request", {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                                      "allow_stdin": False, "stop_on_error": True}, session)
    ws.write_message(json.dumps(ex))
    reply, outputs, _ = await collect(ws, ex["header"]["msg_id"], "execute_reply", seconds)
    return reply, outputs


CASES = [  # (what, code, seconds before the stop button)
    ("Thread.sleep(30000)", "Thread.sleep(30000);", 1.0),
    ("a new cell, stop pressed at once (while JShell compiles it)",
     "int[] slow = {0};\nfor (int i = 0; i < 600; i++) { slow[0] += i; Thread.sleep(50); }", 0.0),
    ("lab cell: a loop of Lab.resources() + Thread.sleep(50)",
     "long n = 0;\nfor (int i = 0; i < 600; i++) {\n  n += Lab.resources().length();\n  Thread.sleep(50);\n}\nn", 1.0),
    ("the sweep of notebook 03 (child processes)", "ResetOrPipe.sweep(100);", 1.0),
    ("while (true) {} (ignores interruption)", "long spin = 0;\nwhile (true) { spin++; }", 1.0),
]


async def interrupts(server, give_up, log):
    kid, ws, took = await start(server, give_up)
    if ws is None:
        await delete(server, kid)
        return False, "the kernel for the interrupt check did not answer"
    session = uuid.uuid4().hex
    ok = True
    try:
        pid = kernel_pid(kid)
        jar = os.path.join(ROOT, "lib", "target", "jars", "tcplab.jar")
        if not os.path.exists(jar):
            return False, f"{jar} is missing (make lib builds it)"
        for code in ("%jars ../lib/target/jars/tcplab.jar", "import tcplab.*;", "1 + 1"):
            reply, outputs = await execute(ws, code, 120, session)
            if reply is None or reply["content"].get("status") != "ok":
                return False, f"set-up cell {code!r} failed: {reply and reply['content']} {text_of(outputs)!r}"
        before = resources(pid)
        names_before = thread_names(pid)
        fds_before = fd_targets(pid)
        log(f"  kernel pid {pid}: {before[0]} threads, {before[1]} fds, {before[2]} child processes before")
        for name, code, delay in CASES:
            ex = message("execute_request", {"code": code, "silent": False, "store_history": True,
                                              "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}, session)
            ws.write_message(json.dumps(ex))
            early = None
            if delay > 0:
                early, _, _ = await collect(ws, ex["header"]["msg_id"], "execute_reply", delay)
            if early is not None:
                ok = False
                log(f"  FAIL {name}: the cell ended by itself before the interrupt ({early['content'].get('status')})")
                continue
            t0 = time.monotonic()
            await server.call("POST", f"/api/kernels/{kid}/interrupt", {})
            reply, outputs, at = await collect(ws, ex["header"]["msg_id"], "execute_reply", 10)
            took = at - t0 if at else None
            shown = text_of(outputs)
            lines = [l for l in shown.splitlines() if l.strip()]
            check, check_outputs = await execute(ws, "1 + 1", 30, session)
            two = check is not None and check["content"].get("status") == "ok" and text_of(check_outputs) == "2"
            good = (took is not None and took <= INTERRUPT_SECONDS and reply["content"].get("status") == "error"
                    and 1 <= len(lines) <= 2 and two)
            ok = ok and good
            what = (f"ended in {took:.2f} s" if took is not None else "NOT ENDED within 10 s") + \
                   f", status {reply and reply['content'].get('status')}, message {' / '.join(lines)[:160]!r}" + \
                   f" ({len(lines)} line{'s' if len(lines) != 1 else ''}); then 1 + 1 -> {text_of(check_outputs)!r}"
            log(f"  {'ok  ' if good else 'FAIL'} stop during {name}: {what}")
        # a stop pressed while nothing runs must not hit the next cell
        await server.call("POST", f"/api/kernels/{kid}/interrupt", {})
        await asyncio.sleep(0.3)
        check, check_outputs = await execute(ws, "1 + 1", 30, session)
        stray = check is not None and check["content"].get("status") == "ok" and text_of(check_outputs) == "2"
        ok = ok and stray
        log(f"  {'ok  ' if stray else 'FAIL'} stop pressed while idle, then 1 + 1 -> {text_of(check_outputs)!r}")
        await asyncio.sleep(1.0)  # a cell's threads and children get a moment to end
        cpu0 = resources(pid)[3]
        await asyncio.sleep(1.0)
        after = resources(pid)
        spin = after[3] - cpu0
        log(f"  kernel pid {pid}: {after[0]} threads, {after[1]} fds, {after[2]} child processes after "
            f"(before: {before[0]}, {before[1]}, {before[2]}); CPU of the idle kernel over 1 s: {spin:.2f} s")
        left = []
        if after[1] > before[1]:
            spare = list(fds_before)
            new_fds = [t for t in fd_targets(pid) if not (t in spare and not spare.remove(t))]
            left.append(f"{after[1] - before[1]} fds ({', '.join(new_fds)})")
        if after[2] > before[2]:
            left.append(f"{after[2] - before[2]} child processes")
        extra = list(names_before)
        new = [n for n in thread_names(pid) if not (n in extra and not extra.remove(n))]
        # started once and kept by design: the JDK's process reaper and JNA's cleaner (first child process /
        # first use of JNA by the sweep), the engine's stopper, and one idle thread of the engine's pool
        lazy = {"process reaper", "JNA Cleaner", "Engine-stopper"}
        engine = [n for n in new if n.startswith("Engine-thread-")]
        leaked = [n for n in new if n not in lazy and not n.startswith("Engine-thread-")] + engine[1:]
        if leaked:
            left.append(f"{len(leaked)} threads ({', '.join(leaked)})")
        if new:
            log(f"  threads started since 'before': {', '.join(new)}")
        if spin > 0.5:
            left.append(f"a thread still running ({spin:.2f} s of CPU in 1 s)")
        if left:
            ok = False
            log(f"  FAIL left behind after the interrupts: {', '.join(left)}")
    finally:
        ws.close()
        await delete(server, kid)
    return ok, "every cell ended within 2 s with a short message and the kernel kept answering" if ok else \
        "an interrupt did not end its cell cleanly"


def log_lines(path):
    """Kernel and server lines worth reporting, counted."""
    keys = ["Unhandled message", "this.handlers", "tcplab rapaio fix", "Timeout waiting for kernel_info",
            "Exception handling", "interrupt failed", "shutdown failed", "Kernel restarted", "Kernel interrupted",
            "RejectedExecution", "SEVERE"]
    counts = {}
    with open(path, errors="replace") as f:
        for line in f:
            for k in keys:
                if k in line:
                    counts[k] = counts.get(k, 0) + 1
    return counts


async def main_async(args, server, log):
    await server.ready()
    ok = True
    if args.starts:
        log(f"kernel starts{(' ' + args.label) if args.label else ''}: {args.starts} fresh 'java' kernels through the Notebook server")
        good, summary = await starts(server, args.starts, args.give_up, log)
        log(f"{'ok  ' if good else 'FAIL'} kernel starts: {summary}")
        ok = ok and good
    if args.interrupt:
        log(f"interrupt{(' ' + args.label) if args.label else ''}: the stop button (POST /api/kernels/<id>/interrupt) during running cells")
        good, summary = await interrupts(server, args.give_up, log)
        log(f"{'ok  ' if good else 'FAIL'} interrupt: {summary}")
        ok = ok and good
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--starts", type=int, default=50, help="fresh kernel starts (0: none)")
    ap.add_argument("--interrupt", action="store_true", help="also check the stop button")
    ap.add_argument("--give-up", type=float, default=10, help="seconds after which a start counts as not answered")
    ap.add_argument("--label", default="", help="a word for the output lines and the log file name")
    ap.add_argument("--logs", default=os.path.join(ROOT, "build", "kernel-check"))
    args = ap.parse_args()
    server = Server(args.logs, args.label)
    try:
        ok = asyncio.run(main_async(args, server, lambda s: print(s, flush=True)))
    except Exception as e:
        print(f"FAIL kernel check: {type(e).__name__}: {e}", flush=True)
        ok = False
    finally:
        server.stop()
    counts = log_lines(server.logpath)
    print("kernel log: " + (", ".join(f"{n}x '{k}'" for k, n in counts.items()) or "no lost request, no exception")
          + f" ({server.logpath})", flush=True)
    return ok


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
