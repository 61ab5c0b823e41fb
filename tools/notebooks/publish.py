#!/usr/bin/env python3
"""Teaching outputs.

  publish.py html     build/executed/*.ipynb -> build/html/*.html (tables and SVG ladders visible) + index
  publish.py student  notebooks/*.ipynb -> build/student/*.ipynb without the exercise answers + index

Answers are the <details>...</details> blocks of markdown cells (the notebooks' "Answers" cells).
"""
import glob
import html
import os
import re
import sys

import nbformat

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")
ANSWERS = re.compile(r"<details>.*?</details>\s*", re.S)


def title(nb, fallback):
    for c in nb.cells:
        if c.cell_type == "markdown" and c.source.startswith("# "):
            return c.source.splitlines()[0][2:].strip()
    return fallback


def student():
    out = os.path.join(BUILD, "student")
    os.makedirs(out, exist_ok=True)
    removed = 0
    for path in sorted(glob.glob(os.path.join(ROOT, "notebooks", "*.ipynb"))):
        nb = nbformat.read(path, as_version=4)
        for c in nb.cells:
            if c.cell_type == "markdown" and ANSWERS.search(c.source):
                c.source = ANSWERS.sub("*(The answers are in the teacher's copy.)*\n\n", c.source)
                removed += 1
        nbformat.write(nb, os.path.join(out, os.path.basename(path)))
    print(f"student copies: {out} ({removed} answer blocks removed)")
    index()


def to_html():
    from nbconvert import HTMLExporter
    out = os.path.join(BUILD, "html")
    os.makedirs(out, exist_ok=True)
    exporter = HTMLExporter()
    pages = sorted(glob.glob(os.path.join(BUILD, "executed", "*.ipynb")))
    if not pages:
        sys.exit("no executed notebooks in build/executed: run `make run` first")
    for path in pages:
        body, _ = exporter.from_filename(path)
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
        if os.path.exists(os.path.join(BUILD, "student", base + ".ipynb")):
            links.append(f'<a href="student/{base}.ipynb">student copy (no answers)</a>')
        rows.append(f"<tr><td>{html.escape(title(nb, base))}</td><td>{' · '.join(links)}</td></tr>")
    with open(os.path.join(BUILD, "index.html"), "w", encoding="utf-8") as f:
        f.write("<!doctype html><meta charset=utf-8><title>tcplab</title>"
                "<style>body{font-family:sans-serif;max-width:900px;margin:2em auto}td{padding:4px 12px}</style>"
                "<h1>tcplab: TCP is not always reliable</h1>"
                "<p>Lesson 17 of 《网络编程实战》 with real sockets. Every table in the executed pages just happened.</p>"
                "<table>" + "".join(rows) + "</table>")
    print(f"index: {os.path.join(BUILD, 'index.html')}")


if __name__ == "__main__":
    {"html": to_html, "student": student}[sys.argv[1]]()
