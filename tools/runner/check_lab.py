#!/usr/bin/env python3
"""Check `make lab` end to end: start the server exactly as `make lab` does (127.0.0.1, token),
fetch the notebook through the REST API, start a 'java' kernel and execute a cell through the
kernel websocket API. The server and kernel are always shut down. Prints one line; exit 0 on success."""
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid

from tornado.httpclient import AsyncHTTPClient, HTTPRequest, HTTPClientError
from tornado.websocket import websocket_connect

from kernel_check import collect  # one reader of a request's replies (shell reply + iopub idle)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def message(msg_type, content):
    return {"header": {"msg_id": uuid.uuid4().hex, "username": "check", "session": uuid.uuid4().hex,
                       "msg_type": msg_type, "version": "5.3"},
            "parent_header": {}, "metadata": {}, "content": content, "channel": "shell"}


async def check(base, token, log):
    http = AsyncHTTPClient()
    auth = {"Authorization": f"token {token}"}
    t0 = time.monotonic()
    while True:
        try:
            r = await http.fetch(f"{base}/api/status", headers=auth, request_timeout=2)
            if r.code == 200:
                break
        except Exception:
            pass
        if time.monotonic() - t0 > 180:  # includes make lab's set-up and build of lib/ (slow on a loaded machine)
            return False, "the server did not answer within 180 s (make lab's set-up and build included)"
        await asyncio.sleep(0.5)
    ready = time.monotonic() - t0
    try:
        await http.fetch(f"{base}/api/status", request_timeout=5)
        return False, "the server answered without a token"
    except HTTPClientError as e:
        if e.code != 403:
            return False, f"without a token the server answered {e.code}, expected 403"
    r = await http.fetch(f"{base}/api/contents/01-buffered-send.ipynb", headers=auth, request_timeout=10)
    nb = json.loads(r.body)
    if nb.get("type") != "notebook":
        return False, "notebook 01 is not served"
    for attempt in range(1, 5):
        r = await http.fetch(f"{base}/api/kernels", method="POST", headers=auth,
                             body=json.dumps({"name": "java"}), request_timeout=30)
        kid = json.loads(r.body)["id"]
        try:
            try:  # the server itself asks the kernel for kernel_info before it accepts the websocket
                ws = await websocket_connect(HTTPRequest(f"{base.replace('http', 'ws')}/api/kernels/{kid}/channels",
                                                         headers=auth, connect_timeout=30, request_timeout=30))
            except Exception as e:
                log(f"  lab: kernel start {attempt} did not answer ({type(e).__name__}); starting a new one")
                continue
            k0 = time.monotonic()
            info = message("kernel_info_request", {})
            ws.write_message(json.dumps(info))
            reply, _, _ = await collect(ws, info["header"]["msg_id"], "kernel_info_reply", 30)
            if reply is None:
                log(f"  lab: kernel start {attempt} did not answer within 20 s; starting a new one")
                ws.close()
                continue
            kready = time.monotonic() - k0
            ex = message("execute_request", {"code": "System.out.println(6 * 7);", "silent": False,
                                               "store_history": True, "user_expressions": {},
                                               "allow_stdin": False, "stop_on_error": True})
            ws.write_message(json.dumps(ex))
            reply, outputs, _ = await collect(ws, ex["header"]["msg_id"], "execute_reply", 60)
            ws.close()
            text = "".join(o["content"].get("text", "") for o in outputs if o["msg_type"] == "stream")
            if reply is None or reply["content"].get("status") != "ok" or "42" not in text:
                return False, f"the java kernel did not execute a cell (reply={reply and reply['content']}, output={text!r})"
            return True, f"server ready in {ready:.1f} s, token required, notebook 01 served, kernel answered in {kready:.1f} s, a cell printed 42"
        finally:
            try:
                await http.fetch(f"{base}/api/kernels/{kid}", method="DELETE", headers=auth, request_timeout=10)
            except Exception:
                pass
    return False, "no kernel answered in 4 starts"


def main():
    port, token = free_port(), uuid.uuid4().hex
    env = dict(os.environ, LAB_PORT=str(port), LAB_TOKEN=token)
    logpath = os.path.join(ROOT, "build", "lab-check.log")
    os.makedirs(os.path.dirname(logpath), exist_ok=True)
    with open(logpath, "w") as logf:
        proc = subprocess.Popen([os.path.join(ROOT, "tools", "lab.sh"), "lab"], cwd=ROOT, env=env,
                                stdout=logf, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            ok, text = asyncio.run(asyncio.wait_for(check(f"http://127.0.0.1:{port}", token, print), 330))
        except Exception as e:
            ok, text = False, f"{type(e).__name__}: {e}"
        finally:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=15)
            except Exception:
                os.killpg(proc.pid, signal.SIGKILL)
    print(f"{'ok  ' if ok else 'FAIL'} make lab  ({text})" + ("" if ok else f"; server log: {logpath}"), flush=True)
    return ok


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
