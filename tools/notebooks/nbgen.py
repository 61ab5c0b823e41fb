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
                                             COMMITTED (HEAD) equal what the sources build (no git: the files),
                                             and every frequency claim in the prose marked (see claims)
  nbgen.py claims                            only the frequency-claim check: "always", "never", "20 of 20" ...
                                             in a source's prose need <!-- claim: ... --> naming a test or a
                                             bench row that exists (notebooks/src/README-claims.md)
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
    found = sorted(glob.glob(os.path.join(SRC, "[0-9][0-9]-*.md")))  # README-*.md are notes, not notebooks
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
    return claims() and not problems


# Frequency claims (notebooks/src/README-claims.md): a sentence saying how often an outcome happens
# names its backing in <!-- claim: KIND WHAT[; KIND WHAT] -->.
FREQUENCY = re.compile(
    r"\b(?:always|never|every run|every time|each time|in all runs|in every run)\b"
    r"|\b(\d+) of (\d+)\b|\b(\d+)/(\d+)\b|总是|从不|从来|每次|一定", re.IGNORECASE)
STRONG = re.compile(r"\b(?:always|never|every run|every time|each time|in all runs|in every run)\b"
                    r"|总是|从不|从来|每次|一定", re.IGNORECASE)
MARKER = re.compile(r"<!--\s*claim:(.*?)-->", re.DOTALL)
TEST_DIR = os.path.join(ROOT, "lib", "src", "test", "java")
MAIN_DIR = os.path.join(ROOT, "lib", "src", "main", "java")
BENCH = os.path.join(ROOT, "tools", "stress", "Bench.java")
TABLE = os.path.join(ROOT, "tools", "stress", "determinism.tsv")


def frequency_words(sentence):
    """The frequency words of a sentence, outside inline code, HTML comments and double quotes."""
    text = MARKER.sub(" ", sentence)
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.DOTALL)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r'"[^"\n]*"|“[^”]*”|「[^」]*」', " ", text)
    text = re.sub(r"not always reliable|并不总是可靠", " ", text, flags=re.IGNORECASE)  # the lesson's title
    found = []
    for m in FREQUENCY.finditer(text):
        if m.group(3) and m.group(3) != m.group(4):
            continue  # N/M with different numbers: a mix written as a ratio or a size, not "N/N"
        found.append(m.group(0))
    return found


def prose_units(md):
    """(line number, text) of each paragraph, list item or table row of a source's markdown, fenced
    blocks left out."""
    units, buf, start, fence = [], [], 0, False
    def flush():
        if buf:
            units.append((start, " ".join(buf)))
            buf.clear()
    for n, line in enumerate(open(md, encoding="utf-8").read().splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("```"):
            flush()
            fence = not fence
            continue
        if fence:
            continue
        if not stripped or stripped == CELL or stripped.startswith(HEADER):
            flush()
            continue
        if MARKER.fullmatch(stripped) and not buf and units and units[-1][1].startswith("#"):
            units[-1] = (units[-1][0], units[-1][1] + " " + stripped)  # a heading's marker: the line after it
            continue
        if re.match(r"^(?:[*+-]|\d+\.|\||#{1,6})\s", stripped) or stripped.startswith("|"):
            flush()  # a list item, table row or heading starts its own unit
        if not buf:
            start = n
        buf.append(stripped)
        if stripped.startswith("|") or stripped.startswith("#"):
            flush()
    flush()
    return units


def sentences(text):
    """A unit split into sentences; a marker right after a sentence's end belongs to that sentence."""
    parts = re.split(r"(?<=[.!?。！？])\s+(?!<!--)|(?<=-->)\s+(?!<!--)", text)  # a marker ends its sentence
    return [p for p in parts if p.strip()]


_java_cache = {}


def java_files(base, cls):
    key = (base, cls)
    if key not in _java_cache:
        _java_cache[key] = [os.path.join(d, f) for d, _, fs in os.walk(base) for f in fs if f == cls + ".java"]
    return _java_cache[key]


def method_body(src, method, annotated=True):
    """The body of a method named METHOD (that carries @Test, if ANNOTATED), or None."""
    for m in re.finditer(r"\b(?:void|[\w<>\[\]]+)\s+" + re.escape(method) + r"\s*\([^)]*\)[^{;]*\{", src):
        head = src[max(0, m.start() - 400):m.start()].split("}")[-1].split(";")[-1]
        if annotated and "@Test" not in head and "@ParameterizedTest" not in head:
            continue
        depth, i = 1, m.end()
        while i < len(src) and depth:
            depth += {"{": 1, "}": -1}.get(src[i], 0)
            i += 1
        return src[m.end():i]
    return None


ASSERTS = re.compile(r"\b(?:assert\w*|fail|check\w*|verify\w*)\s*\(")


def asserts(src, body, depth=2):
    """Whether BODY asserts: directly, or through a helper method of the same file (two levels)."""
    if ASSERTS.search(body):
        return True
    if depth == 0:
        return False
    for name in set(re.findall(r"\b([a-z]\w*)\s*\(", body)):
        helper = method_body(src, name, annotated=False)
        if helper is not None and helper != body and asserts(src, helper, depth - 1):
            return True
    return False


def bench_rows():
    rows = {}
    if os.path.isfile(TABLE):
        for line in open(TABLE, encoding="utf-8"):
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 4 and not line.startswith("#") and cols[0] != "run":
                rows[cols[0]] = cols
    return rows


def backing_problem(kind, what, strong):
    """None when the backing KIND WHAT exists, else why not."""
    if kind == "test":
        cls, _, method = what.partition("#")
        files = java_files(TEST_DIR, cls)
        if not method or not files:
            return f"no test class {cls} in lib/src/test/java (marker: test Class#method)"
        for f in files:
            src = open(f, encoding="utf-8").read()
            body = method_body(src, method)
            if body is not None:
                return None if asserts(src, body) else f"test {what} asserts nothing"
        return f"no @Test method {method} in {cls}"
    if kind == "bench":
        bench = open(BENCH, encoding="utf-8").read() if os.path.isfile(BENCH) else ""
        if f'"{what}"' not in bench:
            return f"no bench run named {what} in tools/stress/Bench.java"
        row = bench_rows().get(what)
        if row is None:
            return f"bench run {what} has no row in tools/stress/determinism.tsv (run make bench and commit the table)"
        if strong and row[1] != row[2]:
            return f"bench run {what} gave the same outcome in {row[2]} of {row[1]} runs only, not what the sentence says"
        return None
    if kind == "code":
        cls, _, member = what.partition("#")
        cls = cls.split(".")[-1]
        files = java_files(MAIN_DIR, cls)
        if not files:
            return f"no class {cls} in lib/src/main/java (marker: code Class#member)"
        if member and not any(re.search(r"\b" + re.escape(member) + r"\b", open(f, encoding="utf-8").read()) for f in files):
            return f"{cls} has no {member}"
        return None
    if kind == "source":
        return None if what.strip() else "source names no document (marker: source RFC 1122 4.2.2.13)"
    return f"unknown claim kind '{kind}' (test, bench, code or source)"


def check_claims(paths=None):
    """Problems: frequency claims without a marker, markers whose backing does not exist."""
    problems = []
    for md in (paths if paths is not None else sources()):
        rel = os.path.relpath(md, ROOT)
        for line, unit in prose_units(md):
            for sentence in sentences(unit):
                markers = MARKER.findall(sentence)
                words = frequency_words(sentence)
                for marker in markers:
                    for item in filter(None, (x.strip() for x in marker.split(";"))):
                        kind, _, what = item.partition(" ")
                        why = backing_problem(kind, what.strip(), bool(STRONG.search(" ".join(words))))
                        if why:
                            problems.append(f"{rel}:{line}: {why}")
                if words and not markers:
                    short = sentence if len(sentence) < 140 else sentence[:137] + "..."
                    problems.append(f"{rel}:{line}: '{words[0]}' claims how often, with no <!-- claim: ... --> "
                                    f"(notebooks/src/README-claims.md): {short}")
    return problems


def claims():
    problems = check_claims()
    for p in problems:
        print("FAIL " + p)
    print("frequency claims: " + ("each one marked, and each marker's backing exists" if not problems
                                  else f"{len(problems)} problems"))
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
        # the frequency-claim check fails on an unmarked "always", passes a marked one, rejects a
        # marker whose backing does not exist, and leaves quotes and code alone
        with open(md, "w") as f:
            f.write(f"{HEADER} -->\n\n# TCP is \"not always reliable\"\n\nThe client always gets a reset.\n"
                    "Then `never` in code.\n\n* The read returns 0 in 20 of 20 runs. <!-- claim: bench noSuchRun -->\n\n"
                    "The receiver never reads. <!-- claim: code Lesson#crashWithUnreadData -->\n\n"
                    "Sizes 16/32 KiB and a 17/3 mix are not counts.\n\n```java\n// always\n```\n")
        found = check_claims([md])
        assert len(found) == 2, found
        assert "'always' claims how often" in found[0] and ":5:" in found[0], found
        assert "no bench run named noSuchRun" in found[1], found
        assert frequency_words("pause 0 gave 100/100, pause 1 gave 17/3") == ["100/100"]
    print("nbgen selftest: cells, parameters tag, include/quote and drift detection as promised")
    return True


if __name__ == "__main__":
    args = sys.argv[1:]
    if not args or args[0] not in ("build", "check", "claims", "selftest"):
        sys.exit(__doc__)
    if args[0] == "selftest":
        sys.exit(0 if selftest() else 1)
    if args[0] == "check":
        sys.exit(0 if check() else 1)
    if args[0] == "claims":
        sys.exit(0 if claims() else 1)
    out = os.path.join(ROOT, "notebooks")
    if len(args) > 2 and args[1] == "--out":
        out = os.path.abspath(args[2])
        args = args[2:]
    try:
        write_all(out, tuple(args[1:]))
    except ValueError as e:
        sys.exit(f"nbgen: {e}")
