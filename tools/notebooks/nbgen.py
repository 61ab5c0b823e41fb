#!/usr/bin/python3
"""Build the notebooks (without outputs) from their Markdown sources in notebooks/src/.

A source is Markdown that GitHub renders as the lesson:
  - prose is one markdown cell; two markdown cells in a row are separated by a line <!-- cell -->
  - a fenced block ```java is a code cell; ```java parameters is the cell tagged "parameters"
    (the one run_notebooks.py --set may override)
  - ```java include=lib/src/main/java/tcplab/X.java#name is a code cell holding the lines between
    "// region name" and "// endregion" of that file; ```java quote=PATH#name shows those lines as
    a Java block inside the markdown cell. The .md keeps a copy of the lines (so GitHub shows them);
    `build` refreshes that copy, `check` fails when the library drifted from what the notebook shows.

Usage (from anywhere):
  nbgen.py build [--out DIR] [NAME.md ...]   refresh included lines in the sources, write DIR/*.ipynb
                                             (default notebooks/)
  nbgen.py check                             sources up to date with lib/, and the notebooks git has
                                             COMMITTED (HEAD) equal what the sources build (no git: the files)
  nbgen.py selftest                          the format and the drift check on a throw-away example
"""
import glob
import os
import re
import subprocess
import sys
import textwrap

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SRC = os.path.join(ROOT, "notebooks", "src")
HEADER = "<!-- tcplab notebook source"
CELL = "<!-- cell -->"
OPEN = re.compile(r"^```java(?:[ \t]+(parameters|(include|quote)=(\S+)))?[ \t]*$")


def region(spec):
    """The lines between '// region NAME' and '// endregion' of PATH#NAME (PATH relative to the
    repository), common indentation removed."""
    path, _, name = spec.partition("#")
    full = os.path.join(ROOT, path)
    if not name or not os.path.isfile(full):
        raise ValueError(f"{spec}: no such file, or no #region-name")
    lines, inside, found = [], False, False
    for line in open(full, encoding="utf-8").read().splitlines():
        stripped = line.strip()
        if not inside and stripped == f"// region {name}":
            inside, found = True, True
        elif inside and stripped == "// endregion":
            inside = False
            break
        elif inside:
            lines.append(line)
    if not found or inside:
        raise ValueError(f"{spec}: no '// region {name}' ... '// endregion' in {path}")
    return textwrap.dedent("\n".join(lines)).strip("\n")


def parse(md):
    """Cells of a source as (kind, text, spec) plus the source text with included lines refreshed
    and the list of includes whose copy in the source differs from lib/."""
    lines = open(md, encoding="utf-8").read().splitlines()
    cells, drift, out = [], [], []
    buf, fence, i = [], False, 0

    def flush():
        text = "\n".join(buf).strip("\n")
        if text.strip():
            cells.append(("md", text, None))
        buf.clear()
    if lines and lines[0].startswith(HEADER):
        out.append(lines[0])
        i = 1
    while i < len(lines):
        line = lines[i]
        m = None if fence else OPEN.match(line)
        if m:
            body, j = [], i + 1
            while j < len(lines) and lines[j].strip() != "```":
                body.append(lines[j])
                j += 1
            if j == len(lines):
                raise ValueError(f"{md}:{i + 1}: ```java block without its closing ```")
            text = "\n".join(body).strip("\n")
            kind, spec = ("java parameters" if m.group(1) == "parameters" else "java"), None
            if m.group(2):
                spec = m.group(3)
                fresh = region(spec)
                if fresh != text:
                    drift.append(f"{os.path.relpath(md, ROOT)}:{i + 1} shows {spec} as it was; the library changed")
                text = fresh
                body = fresh.splitlines()
            out += [line] + body + ["```"]
            if m.group(2) == "quote":
                buf += ["```java"] + body + ["```"]
            else:
                flush()
                cells.append((kind, text, spec))
            i = j + 1
            continue
        out.append(line)
        if not fence and line.strip() == CELL:
            flush()
        else:
            if line.lstrip().startswith("```"):
                fence = not fence
            buf.append(line)
        i += 1
    flush()
    return cells, "\n".join(out) + "\n", drift


def build(md):
    cells = []
    for kind, text, _ in parse(md)[0]:
        if kind == "md":
            cells.append(new_markdown_cell(text))
        else:
            cell = new_code_cell(text)
            if kind == "java parameters":  # papermill's convention: the cell a runner may override
                cell.metadata["tags"] = ["parameters"]
            cells.append(cell)
    nb = new_notebook(cells=cells)
    nb.metadata = {"kernelspec": {"name": "java", "display_name": "Java", "language": "java"},
                   "language_info": {"name": "java", "file_extension": ".jshell", "mimetype": "text/x-java-source"}}
    nb.nbformat_minor = 4
    for c in nb.cells:
        c.pop("id", None)
    return nb


def text_of(nb):
    s = nbformat.writes(nb, version=4)  # what nbformat.write puts in a file
    return s if s.endswith("\n") else s + "\n"


def sources(names=()):
    found = sorted(glob.glob(os.path.join(SRC, "*.md")))
    if names:
        found = [p for p in found if os.path.basename(p) in names or os.path.basename(p)[:-3] in names]
    return found


def write_all(out_dir, names=()):
    os.makedirs(out_dir, exist_ok=True)
    for md in sources(names):
        _, refreshed, drift = parse(md)
        if drift and os.path.abspath(out_dir) == os.path.join(ROOT, "notebooks"):
            with open(md, "w", encoding="utf-8") as f:
                f.write(refreshed)
            for d in drift:
                print(f"updated: {d}")
        target = os.path.join(out_dir, os.path.basename(md)[:-3] + ".ipynb")
        with open(target, "w", encoding="utf-8") as f:
            f.write(text_of(build(md)))
    print(f"notebooks: {len(sources(names))} written to {os.path.relpath(out_dir, ROOT) if out_dir.startswith(ROOT) else out_dir}")


def committed(rel):
    """The committed text of a file (git HEAD), or the file on disk where there is no git; and where it came from."""
    try:
        r = subprocess.run(["git", "-C", ROOT, "show", f"HEAD:{rel}"], capture_output=True, timeout=30)
        if r.returncode == 0:
            return r.stdout.decode("utf-8"), "committed (git HEAD)"
        inside = subprocess.run(["git", "-C", ROOT, "rev-parse", "--is-inside-work-tree"], capture_output=True, timeout=30)
        if inside.returncode == 0:
            return None, "committed (git HEAD)"
    except (OSError, subprocess.TimeoutExpired):
        pass
    path = os.path.join(ROOT, rel)
    return (open(path, encoding="utf-8").read() if os.path.exists(path) else None), "on disk (no git here)"


def check():
    problems, where = [], set()
    for md in sources():
        name = os.path.basename(md)[:-3]
        rel = f"notebooks/{name}.ipynb"
        try:
            _, _, drift = parse(md)
            want = text_of(build(md))
        except ValueError as e:
            problems.append(str(e))
            continue
        problems += [f"{d}: run `make notebooks` and commit" for d in drift]
        have, origin = committed(rel)
        where.add(origin)
        if have is None:
            problems.append(f"{rel} is not {origin.split(' (')[0]}: run `make notebooks` and commit it")
        elif have != want:
            problems.append(f"{rel} ({origin}) differs from notebooks/src/{name}.md: run `make notebooks` and commit "
                            "(outputs or edits in the .ipynb do not belong in the commit; edit the .md)")
    for p in problems:
        print("FAIL " + p)
    print(f"notebooks ({', '.join(sorted(where))}): " + (
        "equal to their sources, without outputs" if not problems else f"{len(problems)} problems"))
    return not problems


def selftest():
    """The format and the include check on a throw-away source and library file (can fail: each
    assertion compares with what the format promises)."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        lib = os.path.join(tmp, "Story.java")
        with open(lib, "w") as f:
            f.write("class Story {\n  // region play\n  void play() {\n    cut();\n  }\n  // endregion\n}\n")
        md = os.path.join(tmp, "t.md")
        with open(md, "w") as f:
            f.write(f"{HEADER} -->\n\n# Title\n\n{CELL}\n\nSecond cell:\n\n```java quote={lib}#play\nold\n```\n\n"
                    f"```java parameters\nint a = 1;\n```\n\n```java include={lib}#play\n```\n\n```\nplain fence\n```\n")
        cells, refreshed, drift = parse(md)
        kinds = [k for k, _, _ in cells]
        assert kinds == ["md", "md", "java parameters", "java", "md"], kinds
        assert cells[1][1] == "Second cell:\n\n```java\nvoid play() {\n  cut();\n}\n```", cells[1][1]
        assert cells[3][1] == "void play() {\n  cut();\n}", cells[3][1]
        assert len(drift) == 2, drift  # both copies in the .md differ from the library
        with open(md, "w") as f:
            f.write(refreshed)
        assert parse(md)[2] == [], "after a refresh the source shows what the library has"
        with open(lib, "w") as f:
            f.write("class Story {\n  // region play\n  void play() {\n    crash();\n  }\n  // endregion\n}\n")
        assert len(parse(md)[2]) == 2, "a changed library is reported"
        nb = build(md)
        assert nb.cells[2].metadata["tags"] == ["parameters"]
    print("nbgen selftest: cells, parameters tag, include/quote and drift detection as promised")
    return True


if __name__ == "__main__":
    args = sys.argv[1:]
    if not args or args[0] not in ("build", "check", "selftest"):
        sys.exit(__doc__)
    if args[0] == "selftest":
        sys.exit(0 if selftest() else 1)
    if args[0] == "check":
        sys.exit(0 if check() else 1)
    out = os.path.join(ROOT, "notebooks")
    if len(args) > 2 and args[1] == "--out":
        out = os.path.abspath(args[2])
        args = args[2:]
    try:
        write_all(out, tuple(args[1:]))
    except ValueError as e:
        sys.exit(f"nbgen: {e}")
