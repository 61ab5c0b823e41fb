#!/usr/bin/env python3
"""Execute notebooks headless in the Java kernel, one line per notebook, then 'N passed, N failed'.

A notebook fails on an error output, anything written to stderr, a cell that exceeds its timeout,
or a dead kernel. A kernel start that does not answer within --start-timeout seconds is retried
(rapaio 3.0.1 never answers on about one start in six); each retry is logged. No cell is ever
interrupted (rapaio cannot survive an interrupt): a timed-out cell fails its notebook and the kernel
is shut down.
"""
import argparse
import asyncio
import os
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError


def log(msg):
    print(msg, flush=True)


async def start_kernel(client, name, start_timeout, attempts, logdir):
    """Start a kernel and wait for kernel_info; retry a start that does not answer."""
    for attempt in range(1, attempts + 1):
        client.km = client.create_kernel_manager()
        t0 = time.monotonic()
        try:
            os.makedirs(logdir, exist_ok=True)
            logf = open(os.path.join(logdir, name + ".kernel.log"), "a")
            await client.async_start_new_kernel(stdout=logf, stderr=logf)
            await client.async_start_new_kernel_client()
            return time.monotonic() - t0, attempt
        except (RuntimeError, TimeoutError) as e:  # from wait_for_ready
            log(f"  {name}: kernel start {attempt}/{attempts} did not answer within "
                f"{start_timeout:g} s ({type(e).__name__}: {e}); killing it and starting a new one")
            try:
                await client._async_cleanup_kernel()
            except Exception:
                pass
            try:
                if client.km is not None and client.km.has_kernel:
                    await client.km.shutdown_kernel(now=True)
            except Exception:
                pass
            client.km = None
            client.kc = None
    raise RuntimeError(f"kernel did not start after {attempts} attempts")


def problems(nb):
    """Error outputs and stderr text of an executed notebook."""
    found = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                found.append(f"cell {i}: {out.get('ename')}: {out.get('evalue')}")
            elif out.get("output_type") == "stream" and out.get("name") == "stderr":
                found.append(f"cell {i}: stderr: {out.get('text', '').strip()[:300]}")
    return found


async def run_one(path, args):
    name = os.path.basename(path)
    nb = nbformat.read(path, as_version=4)
    workdir = os.path.dirname(os.path.abspath(path))
    client = NotebookClient(
        nb, timeout=args.cell_timeout, startup_timeout=args.start_timeout,
        kernel_name=args.kernel, allow_errors=True, shutdown_kernel="immediate",
        resources={"metadata": {"path": workdir}})
    t0 = time.monotonic()
    error = None
    start_s, attempt = None, 0
    try:
        start_s, attempt = await start_kernel(client, name, args.start_timeout, args.start_attempts, args.logs)
        await client.async_execute()
    except CellTimeoutError as e:
        error = f"a cell ran longer than {args.cell_timeout} s: {str(e).splitlines()[0] if str(e) else ''}"
    except DeadKernelError as e:
        error = f"the kernel died: {e}"
    except (CellExecutionError, RuntimeError) as e:
        error = str(e).splitlines()[0] if str(e) else type(e).__name__
    except Exception as e:  # e.g. NoSuchKernel: report it as this notebook's failure
        error = f"{type(e).__name__}: {e}"
    finally:
        try:
            await client._async_cleanup_kernel()
        except Exception:
            pass
    wall = time.monotonic() - t0
    found = problems(nb)
    if error:
        found.insert(0, error)
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        nbformat.write(nb, os.path.join(args.out, name))
    start_txt = f"kernel ready {start_s:.1f} s" if start_s is not None else "kernel never ready"
    if attempt > 1:
        start_txt += f" on start {attempt}"
    status = "FAIL" if found else "ok"
    label = f" {args.label}" if args.label else ""
    log(f"{status:4} {name}{label}  {wall:5.1f} s  ({start_txt}, {len(nb.cells)} cells)")
    for p in found:
        log(f"     - {p}")
    return not found


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("notebooks", nargs="*")
    ap.add_argument("--kernel", default="java")
    ap.add_argument("--cell-timeout", type=int, default=120)
    ap.add_argument("--start-timeout", type=int, default=10)
    ap.add_argument("--start-attempts", type=int, default=5)
    ap.add_argument("--out", help="folder for executed copies")
    ap.add_argument("--logs", default="build/kernel-logs", help="folder for the kernels' own logs")
    ap.add_argument("--lab-check", action="store_true", help="also check `make lab` (server + kernel API)")
    ap.add_argument("--label", default="", help="added to each notebook's line, e.g. 'as tcplab-student'")
    ap.add_argument("--record", help="append one line per result (1 passed, 0 failed) to this file")
    ap.add_argument("--total-of", action="append", default=[], help="also count the results recorded in this file")
    args = ap.parse_args()
    passed = failed = 0
    for path in sorted(args.notebooks):
        ok = asyncio.run(run_one(path, args))
        passed += ok
        failed += not ok
    if args.lab_check:
        import check_lab
        ok = check_lab.main()
        passed += ok
        failed += not ok
    if args.record:
        with open(args.record, "a") as f:
            f.write("1\n" * passed + "0\n" * failed)
        return
    for path in args.total_of:
        marks = open(path).read().split() if os.path.exists(path) else ["0"]
        passed += marks.count("1")
        failed += marks.count("0")
    log(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
