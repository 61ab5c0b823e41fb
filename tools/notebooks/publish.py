#!/usr/bin/env python3
"""Teaching outputs.

  publish.py html         build/executed/*.ipynb -> build/html/*.html and build/executed/zh/*.ipynb ->
                          build/html/zh/*.html (tables and SVG ladders visible) + index of both editions;
                          no path of this machine, no script from the local disk (CDN URLs)
  publish.py student DIR  DIR/*.ipynb and DIR/zh/*.ipynb (fresh from notebooks/src) -> build/student/notebooks/
                          and build/student/notebooks/zh/ without the exercise answers, with the jars at
                          build/student/lib/target/jars/ where the first cell finds them (%jars
                          ../lib/target/jars/tcplab.jar, in zh/ ../../lib/...); zipped as build/tcplab-student.zip

Answers are the <details>...</details> blocks of markdown cells (the notebooks' "Answers" cells); the
student copy says where they are: NO_ANSWER (English) or NO_ANSWER_ZH (the Chinese edition).
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
NO_ANSWER = "*(The answers are in the teacher's copy.)*"  # tools/hub/classroom.py looks for this sentence
NO_ANSWER_ZH = "*（答案在教师版中。）*"
EDITIONS = (("", "English", NO_ANSWER), ("zh", "中文版", NO_ANSWER_ZH))  # (folder under notebooks/, name, mark)
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
The Chinese edition is notebooks/zh/ (start with notebooks/zh/00-start-here.ipynb).

tcplab：TCP 并不总是可靠的（《网络编程实战》第17讲），学生版。
在 Jupyter 中用 Java 内核（IJava、JJava 或 rapaio；Java 17 或更高）打开 notebooks/zh/00-start-here.ipynb，按顺序运行各个
笔记本。它们的第一个单元加载 lib/target/jars/tcplab.jar：请保持文件夹结构不变。只能在 Linux 上运行（实验室使用真实的套接字
和 /proc）。练习的答案在教师版中。
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
    for folder, _, mark in EDITIONS:
        os.makedirs(os.path.join(out, folder), exist_ok=True)
        for path in sorted(glob.glob(os.path.join(src_dir, folder, "*.ipynb"))):
            nb = nbformat.read(path, as_version=4)
            for c in nb.cells:
                if c.cell_type == "markdown" and ANSWERS.search(c.source):
                    c.source = ANSWERS.sub(mark + "\n\n", c.source)
                    removed += 1
            nbformat.write(nb, os.path.join(out, folder, os.path.basename(path)))
    archive = os.path.join(BUILD, "tcplab-student.zip")
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for folder, _, files in os.walk(top):
            for name in sorted(files):
                full = os.path.join(folder, name)
                z.write(full, os.path.join("tcplab-student", os.path.relpath(full, top)))
    print(f"student copies: {os.path.relpath(top, ROOT)}/ (notebooks/ and notebooks/zh/ without answers: {removed} answer blocks removed; "
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
    pages = [(folder, p) for folder, _, _ in EDITIONS
             for p in sorted(glob.glob(os.path.join(BUILD, "executed", folder, "*.ipynb")))]
    if not pages:
        sys.exit("no executed notebooks in build/executed: run `make run` first")
    for folder, path in pages:
        body, _ = exporter.from_notebook_node(portable(nbformat.read(path, as_version=4)))
        body = NOTEBOOK_LINK.sub(r'href="\1.html', body)  # 09's links to other notebooks: their pages
        if "file://" in body or ROOT in body:
            sys.exit(f"{path}: the page would still name this machine's files (file:// or {ROOT})")
        name = os.path.splitext(os.path.basename(path))[0] + ".html"
        os.makedirs(os.path.join(out, folder), exist_ok=True)
        with open(os.path.join(out, folder, name), "w", encoding="utf-8") as f:
            f.write(body)
    print(f"html pages: {out} ({len(pages)} notebooks, both editions: English and {EDITIONS[1][0]}/)")
    index()


def index():
    """build/index.html: both editions, each notebook with its executed page, the notebook and the student copy."""
    sections = []
    for folder, edition, _ in EDITIONS:
        rows = []
        sub = folder + "/" if folder else ""
        for path in sorted(glob.glob(os.path.join(ROOT, "notebooks", folder, "*.ipynb"))):
            base = os.path.splitext(os.path.basename(path))[0]
            nb = nbformat.read(path, as_version=4)
            zh = folder == "zh"
            links = []
            if os.path.exists(os.path.join(BUILD, "html", folder, base + ".html")):
                links.append(f'<a href="html/{sub}{base}.html">{"运行结果 (HTML)" if zh else "executed (HTML)"}</a>')
            links.append(f'<a href="../notebooks/{sub}{base}.ipynb">{"笔记本" if zh else "notebook"}</a>')
            if os.path.exists(os.path.join(BUILD, "student", "notebooks", folder, base + ".ipynb")):
                links.append(f'<a href="student/notebooks/{sub}{base}.ipynb">'
                             f'{"学生版（无答案）" if zh else "student copy (no answers)"}</a>')
            rows.append(f"<tr><td>{html.escape(title(nb, base))}</td><td>{' · '.join(links)}</td></tr>")
        if rows:
            lang = ' lang="zh"' if folder == "zh" else ""
            sections.append(f'<h2 id="{folder or "en"}"{lang}>{html.escape(edition)}</h2><table{lang}>' + "".join(rows) + "</table>")
    with open(os.path.join(BUILD, "index.html"), "w", encoding="utf-8") as f:
        f.write("<!doctype html><meta charset=utf-8><title>tcplab</title>"
                "<style>body{font-family:sans-serif;max-width:900px;margin:2em auto}td{padding:4px 12px}</style>"
                "<h1>tcplab: TCP is not always reliable · TCP 并不总是可靠的</h1>"
                "<p>Lesson 17 of 《网络编程实战》 with real sockets. Every table in the executed pages just happened. "
                '<a href="#en">English</a> · <a href="#zh">中文版</a></p>'
                "<p lang=zh>用真实的套接字重演《网络编程实战》第17讲。运行结果页面里的每一张表都是刚刚发生的。</p>"
                + "".join(sections))
    print(f"index: {os.path.join(BUILD, 'index.html')} (both editions)")


if __name__ == "__main__":
    if sys.argv[1] == "student":
        student(sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "notebooks"))
    else:
        to_html()
