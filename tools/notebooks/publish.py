#!/usr/bin/env python3
"""Teaching outputs.

  publish.py html         build/executed/*.ipynb -> build/html/*.html (tables and SVG ladders visible) + index;
                          no path of this machine, no script from the local disk (CDN URLs)
  publish.py student DIR  DIR/*.ipynb (fresh from notebooks/src) -> build/student/notebooks/ without the
                          exercise answers, with the jars at build/student/lib/target/jars/ where the first
                          cell (%jars ../lib/target/jars/tcplab.jar) finds them; zipped as build/tcplab-student.zip

Answers are the <details>...</details> blocks of markdown cells (the notebooks' "Answers" cells).
"""
import glob
import html
import os
import re
import sys

import nbformat

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build")
ANSWERS = re.compile(r"<details>.*?</details>\s*", re.S)
NOTEBOOK_LINK = re.compile(r'href="(\d\d-[A-Za-z0-9-]+)\.ipynb(?=[#"])')  # a link between notebooks


def title(nb, fallback):
    for c in nb.cells:
        if c.cell_type == "markdown" and c.source.startswith("# "):
            return c.source.splitlines()[0][2:].strip()
    return fallback


HANDOUT_README = """tcplab: TCP is not always reliable (lesson 17 of the network programming course), student copy.

Open notebooks/00-start-here.ipynb in Jupyter with a Java kernel (IJava, JJava or rapaio; Java 17 or newer),
and run the notebooks in order. Their first cell loads lib/target/jars/tcplab.jar: keep the folders as they
are. Linux only (the lab uses real sockets and /proc). The answers to the exercises are in the teacher's copy.
"""


def student(src_dir):
    import shutil
    import zipfile
    top = os.path.join(BUILD, "student")
    shutil.rmtree(top, ignore_errors=True)
    out = os.path.join(top, "notebooks")
    os.makedirs(out)
    jars = os.path.join(ROOT, "lib", "target", "jars")
    if not os.path.exists(os.path.join(jars, "tcplab.jar")):
        sys.exit("no lib/target/jars/tcplab.jar: build lib first (make lib)")
    shutil.copytree(jars, os.path.join(top, "lib", "target", "jars"))
    with open(os.path.join(top, "README.txt"), "w", encoding="utf-8") as f:
        f.write(HANDOUT_README)
    removed = 0
    for path in sorted(glob.glob(os.path.join(src_dir, "*.ipynb"))):
        nb = nbformat.read(path, as_version=4)
        for c in nb.cells:
            if c.cell_type == "markdown" and ANSWERS.search(c.source):
                c.source = ANSWERS.sub("*(The answers are in the teacher's copy.)*\n\n", c.source)
                removed += 1
        nbformat.write(nb, os.path.join(out, os.path.basename(path)))
    archive = os.path.join(BUILD, "tcplab-student.zip")
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for folder, _, files in os.walk(top):
            for name in sorted(files):
                full = os.path.join(folder, name)
                z.write(full, os.path.join("tcplab-student", os.path.relpath(full, top)))
    print(f"student copies: {os.path.relpath(top, ROOT)}/ (notebooks/ without answers: {removed} answer blocks removed; "
          f"lib/target/jars/; README.txt) and {os.path.relpath(archive, ROOT)}")
    index()


def portable(nb):
    """No path of this machine: the %jars cell's "Add /abs/path to classpath" output goes, and any
    other absolute path of the repository becomes relative."""
    for c in nb.cells:
        if c.cell_type != "code":
            continue
        if c.source.lstrip().startswith("%jars"):
            c.outputs = [o for o in c.outputs if o.get("output_type") != "stream"]
        for o in c.outputs:
            if "text" in o:
                o["text"] = o["text"].replace(ROOT + "/", "").replace(ROOT, ".")
            for k, v in list(o.get("data", {}).items()):
                if isinstance(v, str):
                    o["data"][k] = v.replace(ROOT + "/", "").replace(ROOT, ".")
    return nb


def to_html():
    from nbconvert import HTMLExporter
    out = os.path.join(BUILD, "html")
    os.makedirs(out, exist_ok=True)
    # Scripts from a CDN (nbconvert's upstream defaults), not Debian's copies on this disk.
    exporter = HTMLExporter(
        require_js_url="https://cdnjs.cloudflare.com/ajax/libs/require.js/2.1.10/require.min.js",
        mathjax_url="https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/MathJax.js?config=TeX-AMS_CHTML-full,Safe")
    pages = sorted(glob.glob(os.path.join(BUILD, "executed", "*.ipynb")))
    if not pages:
        sys.exit("no executed notebooks in build/executed: run `make run` first")
    for path in pages:
        body, _ = exporter.from_notebook_node(portable(nbformat.read(path, as_version=4)))
        body = NOTEBOOK_LINK.sub(r'href="\1.html', body)  # 09's links to other notebooks: their pages
        if "file://" in body or ROOT in body:
            sys.exit(f"{path}: the page would still name this machine's files (file:// or {ROOT})")
        name = os.path.splitext(os.path.basename(path))[0] + ".html"
        with open(os.path.join(out, name), "w", encoding="utf-8") as f:
            f.write(body)
    print(f"html pages: {out} ({len(pages)} notebooks)")
    index()


def index():
    rows = []
    for path in sorted(glob.glob(os.path.join(ROOT, "notebooks", "*.ipynb"))):
        base = os.path.splitext(os.path.basename(path))[0]
        nb = nbformat.read(path, as_version=4)
        links = []
        if os.path.exists(os.path.join(BUILD, "html", base + ".html")):
            links.append(f'<a href="html/{base}.html">executed (HTML)</a>')
        links.append(f'<a href="../notebooks/{base}.ipynb">notebook</a>')
        if os.path.exists(os.path.join(BUILD, "student", "notebooks", base + ".ipynb")):
            links.append(f'<a href="student/notebooks/{base}.ipynb">student copy (no answers)</a>')
        rows.append(f"<tr><td>{html.escape(title(nb, base))}</td><td>{' · '.join(links)}</td></tr>")
    with open(os.path.join(BUILD, "index.html"), "w", encoding="utf-8") as f:
        f.write("<!doctype html><meta charset=utf-8><title>tcplab</title>"
                "<style>body{font-family:sans-serif;max-width:900px;margin:2em auto}td{padding:4px 12px}</style>"
                "<h1>tcplab: TCP is not always reliable</h1>"
                "<p>Lesson 17 of 《网络编程实战》 with real sockets. Every table in the executed pages just happened.</p>"
                "<table>" + "".join(rows) + "</table>")
    print(f"index: {os.path.join(BUILD, 'index.html')}")


if __name__ == "__main__":
    if sys.argv[1] == "student":
        student(sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "notebooks"))
    else:
        to_html()
