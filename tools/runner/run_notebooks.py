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


DECLARED = r"(?:int|long|double|boolean|String|int\[\]|var)\s+{name}\s*="


def inject(nb, settings):
    """Papermill's idea for a Java notebook: after the cell tagged "parameters", a cell that
    assigns the overrides (only names that cell declares). Where the parameters cell checks its
    values (Parameters.begin() ... Parameters.end(...)), the injected cell does the same check."""
    import re
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            lines = [f"{k} = {v};" for k, v in settings
                     if re.search(DECLARED.format(name=re.escape(k)), cell.source)]
            end = cell.source.find("Parameters.end(")
            if lines and end >= 0:
                lines = ["Parameters.begin();"] + lines + [cell.source[end:]]
            if lines:
                new = nbformat.v4.new_code_cell("// injected by run_notebooks.py --set\n" + "\n".join(lines))
                new.metadata["tags"] = ["injected-parameters"]
                nb.cells.insert(i + 1, new)
            return


PROBE = "tcplab.Lab.resources()"


def add_reruns(nb, times):
    """Re-run every code cell but the first (%jars) `times` times, with a resources probe before
    and after; re-run cells keep no outputs (their errors are collected)."""
    code = [c for c in nb.cells if c.cell_type == "code"][1:]
    probe = lambda tag: nbformat.v4.new_code_cell(PROBE, metadata={"tags": [tag]})
    nb.cells.append(probe("probe-before"))
    for n in range(times):
        for c in code:
            copy = nbformat.v4.new_code_cell(c.source, metadata={"tags": ["rerun"]})
            nb.cells.append(copy)
    nb.cells.append(probe("probe-after"))


def probe_value(nb, tag):
    for c in nb.cells:
        if tag in c.metadata.get("tags", []):
            for o in c.get("outputs", []):
                text = o.get("data", {}).get("text/plain") or o.get("data", {}).get("text/html") or o.get("text", "")
                if "fds=" in text:
                    return dict(kv.split("=") for kv in text.strip().strip('"').split())
    return None


# Lines a kernel writes to stderr that are not a failure of the notebook.
KNOWN_STDERR = {
    # JJava 1.0 (JarsMagic): printed on every %jars, which the first cell uses because it is the one
    # spelling every kernel accepts (see README, kernels).
    "'%jars' magic is deprecated and will be removed in the future versions of JJava. "
    "A more generic '%classpath' should be used in its place.",
}


def problems(nb):
    """Error outputs and stderr text of an executed notebook (known harmless lines excepted)."""
    found = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                found.append(f"cell {i}: {out.get('ename')}: {out.get('evalue')}")
            elif out.get("output_type") == "stream" and out.get("name") == "stderr":
                text = "\n".join(l for l in out.get("text", "").splitlines() if l.strip() not in KNOWN_STDERR)
                if text.strip():
                    found.append(f"cell {i}: stderr: {text.strip()[:300]}")
    return found


EDITION = "zh"  # the Chinese edition's notebooks live in a zh/ folder beside the English ones


async def run_one(path, args):
    # a notebook of the Chinese edition (in a zh/ folder) runs in WORKDIR/zh, so that its first cell's
    # %jars ../../lib/... resolves as in the lab; its executed copy goes to OUT/zh/
    zh = os.path.basename(os.path.dirname(os.path.abspath(path))) == EDITION
    name = (EDITION + "/" if zh else "") + os.path.basename(path)
    nb = nbformat.read(path, as_version=4)
    if args.set:
        inject(nb, [kv.split("=", 1) for kv in args.set])
    if args.rerun:
        add_reruns(nb, args.rerun)
    rerun_errors = []
    workdir = os.path.abspath(args.workdir) if args.workdir else os.path.dirname(os.path.abspath(path))
    if zh and args.workdir:
        workdir = os.path.join(workdir, EDITION)
    client = NotebookClient(
        nb, timeout=args.cell_timeout, startup_timeout=args.start_timeout,
        kernel_name=args.kernel, allow_errors=True, shutdown_kernel="immediate",
        resources={"metadata": {"path": workdir}})

    def forget_rerun_outputs(cell=None, **_):  # keeps memory flat over many re-runs
        if cell is not None and "rerun" in cell.metadata.get("tags", []):
            rerun_errors.extend(problems(nbformat.v4.new_notebook(cells=[cell])))
            cell.outputs = []
    client.on_cell_executed = forget_rerun_outputs
    t0 = time.monotonic()
    error = None
    start_s, attempt = None, 0
    try:
        start_s, attempt = await start_kernel(client, name.replace("/", "-"), args.start_timeout, args.start_attempts, args.logs)
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
    found = problems(nb) + [f"re-run: {p}" for p in rerun_errors[:5]]
    if error:
        found.insert(0, error)
    leak = ""
    if args.rerun:
        before, after = probe_value(nb, "probe-before"), probe_value(nb, "probe-after")
        if not before or not after:
            found.append("re-run: the resources probe gave no answer")
        else:
            leak = f", after {args.rerun} re-runs of every cell: " + " ".join(
                f"{k} {before[k]}->{after[k]}" for k in before)
            if int(after["fds"]) > int(before["fds"]) + 2 or int(after["children"]) > int(before["children"]) \
                    or int(after["threads"]) > int(before["threads"]) + 2:
                found.append("re-run leak:" + leak)
    if args.out:
        os.makedirs(os.path.dirname(os.path.join(args.out, name)), exist_ok=True)
        nbformat.write(nb, os.path.join(args.out, name))
    start_txt = f"kernel ready {start_s:.1f} s" if start_s is not None else "kernel never ready"
    if attempt > 1:
        start_txt += f" on start {attempt}"
    status = "FAIL" if found else "ok"
    label = f" {args.label}" if args.label else ""
    log(f"{status:4} {name}{label}  {wall:5.1f} s  ({start_txt}, {len(nb.cells)} cells{leak})")
    for p in found:
        log(f"     - {p}")
    return not found


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("notebooks", nargs="*")
    ap.add_argument("--kernel", default="java")
    ap.add_argument("--cell-timeout", type=int, default=120)
    ap.add_argument("--start-timeout", type=int, default=30)
    ap.add_argument("--start-attempts", type=int, default=5)
    ap.add_argument("--jobs", type=int, default=1, help="notebooks executed at the same time (one kernel each)")
    ap.add_argument("--out", help="folder for executed copies")
    ap.add_argument("--workdir", help="the kernels' working folder (default: each notebook's own folder); "
                    "tools/lab.sh runs copies from build/notebooks in notebooks/ (those in build/notebooks/zh in notebooks/zh)")
    ap.add_argument("--logs", default="build/kernel-logs", help="folder for the kernels' own logs")
    ap.add_argument("--lab-check", action="store_true", help="also check `make lab` (server + kernel API)")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="override a parameter of the cell tagged 'parameters' (Java expression)")
    ap.add_argument("--rerun", type=int, default=0, help="re-run every code cell this many times and check for leaks")
    ap.add_argument("--label", default="", help="added to each notebook's line, e.g. 'as tcplab-student'")
    ap.add_argument("--record", help="append one line per result (1 passed, 0 failed) to this file")
    ap.add_argument("--total-of", action="append", default=[], help="also count the results recorded in this file")
    args = ap.parse_args()
    passed = failed = 0

    async def run_all():  # --jobs notebooks at a time, each in its own kernel
        gate = asyncio.Semaphore(max(1, args.jobs))

        async def one(path):
            async with gate:
                return await run_one(path, args)
        return await asyncio.gather(*(one(p) for p in sorted(args.notebooks)))
    for ok in (asyncio.run(run_all()) if args.notebooks else []):
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
