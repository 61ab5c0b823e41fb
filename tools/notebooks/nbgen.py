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

The Chinese edition: notebooks/src/zh/NN-name.md holds the Chinese prose of notebooks/src/NN-name.md with the
same cells (rules: notebooks/src/zh/README-zh.md); DIR/zh/NN-name.ipynb takes its markdown from it and its
code from the English source, loads ../../lib/..., calls Lab.language("zh") after Show.init(), and its links'
English anchors are mapped to the aligned Chinese headings.

Usage (from anywhere):
  nbgen.py build [--out DIR] [NAME.md ...]   refresh included lines in the sources (and the code copies in the
                                             Chinese sources), write DIR/*.ipynb and DIR/zh/*.ipynb
                                             (default notebooks/)
  nbgen.py check                             sources up to date with lib/, and the notebooks git has
                                             COMMITTED (HEAD) equal what the sources build (no git: the files),
                                             both editions; a Chinese source for every English one, with the
                                             same cells and headings, the same code, links that map, and no
                                             paragraph left in English; every frequency claim marked (see claims)
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


def parse(md, text=None):
    """Cells of a source as (kind, text, spec, line) plus the source text with included lines refreshed
    and the list of includes whose copy in the source differs from lib/. TEXT: the source's text, when
    it is not the file's (a Chinese source with its code copies refreshed)."""
    lines = (open(md, encoding="utf-8").read() if text is None else text).splitlines()
    cells, drift, out = [], [], []
    buf, fence, i = [], False, 0
    start = [1]

    def flush():
        text = "\n".join(buf).strip("\n")
        if text.strip():
            cells.append(("md", text, None, start[0]))
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
                if not buf or not "".join(buf).strip():
                    start[0] = i + 1
                buf += ["```java"] + body + ["```"]
            else:
                flush()
                cells.append((kind, text, spec, i + 1))
            i = j + 1
            continue
        out.append(line)
        if not fence and line.strip() == CELL:
            flush()
        else:
            if not buf or not "".join(buf).strip():
                start[0] = i + 1
            if line.lstrip().startswith("```"):
                fence = not fence
            buf.append(line)
        i += 1
    flush()
    return cells, "\n".join(out) + "\n", drift


def build(md, parsed=None):
    cells = []
    for kind, text, _, _ in (parsed if parsed is not None else parse(md)[0]):
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
    """Both editions: DIR/NN-name.ipynb from notebooks/src, DIR/zh/NN-name.ipynb from notebooks/src/zh
    (code from the English source). Into notebooks/ (the default) the sources' copies of included
    lines and the Chinese sources' copies of the code are refreshed first."""
    os.makedirs(out_dir, exist_ok=True)
    into_repo = os.path.abspath(out_dir) == os.path.join(ROOT, "notebooks")
    for md in sources(names):
        _, refreshed, drift = parse(md)
        if drift and into_repo:
            with open(md, "w", encoding="utf-8") as f:
                f.write(refreshed)
            for d in drift:
                print(f"updated: {d}")
        target = os.path.join(out_dir, os.path.basename(md)[:-3] + ".ipynb")
        with open(target, "w", encoding="utf-8") as f:
            f.write(text_of(build(md)))
    zh_out, written, missing, problems = os.path.join(out_dir, ZH_DIR), 0, [], []
    os.makedirs(zh_out, exist_ok=True)
    if into_repo:
        for md in sources(names):
            if os.path.exists(zh_path(md)):
                synced, differed = zh_synced(md, zh_path(md))
                if differed:
                    with open(zh_path(md), "w", encoding="utf-8") as f:
                        f.write(synced)
                    print(f"updated: {os.path.relpath(zh_path(md), ROOT)} ({len(differed)} code blocks copied from English)")
    maps = anchor_maps()
    for md in sources(names):
        if not os.path.exists(zh_path(md)):
            missing.append(os.path.basename(md)[:-3])
            continue
        with open(os.path.join(zh_out, os.path.basename(md)[:-3] + ".ipynb"), "w", encoding="utf-8") as f:
            f.write(text_of(build_zh(md, maps, problems)))
        written += 1
    shown = os.path.relpath(out_dir, ROOT) if out_dir.startswith(ROOT) else out_dir
    print(f"notebooks: {len(sources(names))} written to {shown}, {written} to {shown}/{ZH_DIR}"
          + (f" (no Chinese source yet: {', '.join(missing)})" if missing else ""))
    for p in problems:
        print(f"warning: {p}")


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


# --- The Chinese edition (notebooks/src/zh/NN-name.md -> notebooks/zh/NN-name.ipynb) -------------------
# The rules for translators are in notebooks/src/zh/README-zh.md; in short: the same cells as the English
# source, code blocks copied verbatim (build refreshes them, the generator takes code from the English
# source only), one heading of the same level per English heading in each markdown cell, link targets as in
# English (mapped here to the Chinese headings), and no paragraph left in English.
ZH_SRC = os.path.join(SRC, "zh")
ZH_DIR = "zh"  # the edition's folder under notebooks/ (and under any --out folder)
ZH_LANGUAGE = 'Lab.language("zh");'  # added after Show.init(); in the set-up cell
HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")
LINK_TARGET = re.compile(r"\]\(((?:\./)?(\d\d-[A-Za-z0-9-]+)\.ipynb)?#([^)\s]*)\)")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def zh_path(md):
    return os.path.join(ZH_SRC, os.path.basename(md))


def java_blocks(lines):
    """(first, end) line indices of each ```java block (fence lines included) outside other fences."""
    found, fence, i = [], False, 0
    while i < len(lines):
        if not fence and OPEN.match(lines[i]):
            j = i + 1
            while j < len(lines) and lines[j].strip() != "```":
                j += 1
            found.append((i, min(j + 1, len(lines))))
            i = j + 1
            continue
        if lines[i].lstrip().startswith("```"):
            fence = not fence
        i += 1
    return found


def zh_synced(en_md, zh_md):
    """The Chinese source's text with every ```java block replaced by the English source's (includes
    refreshed from lib/), and the problems: code copies that differed, a different number of blocks."""
    _, en_text, _ = parse(en_md)
    en_lines = en_text.splitlines()
    zh_lines = open(zh_md, encoding="utf-8").read().splitlines()
    en_blocks, zh_blocks = java_blocks(en_lines), java_blocks(zh_lines)
    rel = os.path.relpath(zh_md, ROOT)
    if len(en_blocks) != len(zh_blocks):
        raise ValueError(f"{rel}: {len(zh_blocks)} ```java blocks, the English source has {len(en_blocks)} "
                         "(copy every code block of the English source, in the same places)")
    out, problems, last = [], [], 0
    for (a, b), (c, d) in zip(en_blocks, zh_blocks):
        out += zh_lines[last:c] + en_lines[a:b]
        if zh_lines[c:d] != en_lines[a:b]:
            problems.append(f"{rel}:{c + 1}: the code block differs from the English source's "
                            f"(notebooks/src/{os.path.basename(en_md)}:{a + 1}): run `make notebooks` and commit")
        last = d
    out += zh_lines[last:]
    return "\n".join(out) + "\n", problems


def headings(text):
    """(level, text) of the markdown headings of a cell, fenced blocks left out."""
    found, fence = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fence = not fence
            continue
        h = None if fence else HEADING.match(line)
        if h:
            found.append((len(h.group(1)), h.group(2)))
    return found


def anchor(text):
    """The id Jupyter Notebook 6.4 gives a heading (lib's NotebookLinksTest.anchor: the rendered text,
    each space replaced by '-')."""
    t = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    t = t.replace("`", "").replace("**", "").replace("*", "")
    return t.replace(" ", "-")


def link_fragment(anchor_id):
    """An anchor as written in a link: ( ) " < > % and spaces percent-encoded, everything else as is."""
    return "".join("%{:02X}".format(ord(c)) if c in '()"<>% \t' else c for c in anchor_id)


def structure_problems(en_cells, zh_cells, en_rel, zh_rel):
    """Where the Chinese cells differ in kind, order or headings from the English ones."""
    kind = {"md": "markdown", "java": "code", "java parameters": "code (parameters)"}
    problems = []
    for n, (e, z) in enumerate(zip(en_cells, zh_cells), 1):
        if e[0] != z[0]:
            problems.append(f"{zh_rel}:{z[3]}: cell {n} is {kind[z[0]]}, in {en_rel}:{e[3]} it is {kind[e[0]]} "
                            "(the same cells in the same order, separated by <!-- cell --> where English has it)")
            return problems  # one shift makes every later cell differ
        if e[0] == "md":
            eh, zh = [lv for lv, _ in headings(e[1])], [lv for lv, _ in headings(z[1])]
            if eh != zh:
                problems.append(f"{zh_rel}:{z[3]}: cell {n} has headings {' '.join('#' * lv for lv in zh) or '(none)'}, "
                                f"{en_rel}:{e[3]} has {' '.join('#' * lv for lv in eh) or '(none)'} "
                                "(one heading of the same level per English heading, in the same order)")
            if e[1].count("```java") != z[1].count("```java"):
                problems.append(f"{zh_rel}:{z[3]}: cell {n} shows {z[1].count('```java')} Java quotes, "
                                f"English {e[1].count('```java')}")
    if len(en_cells) != len(zh_cells):
        problems.append(f"{zh_rel}: {len(zh_cells)} cells, {en_rel} has {len(en_cells)} "
                        "(the same cells in the same order, separated by <!-- cell --> where English has it)")
    return problems


def zh_parsed(en_md):
    """The English and Chinese cells of a notebook, and the problems of its Chinese source (None for
    the Chinese cells when its structure differs)."""
    zh_md = zh_path(en_md)
    en_rel, zh_rel = os.path.relpath(en_md, ROOT), os.path.relpath(zh_md, ROOT)
    en_cells = parse(en_md)[0]
    text, problems = zh_synced(en_md, zh_md)
    lines = text.splitlines()
    if not lines or not lines[0].startswith(HEADER):
        problems.append(f"{zh_rel}:1: the first line is not the source header '{HEADER} ... -->'")
    zh_cells = parse(zh_md, text)[0]
    shape = structure_problems(en_cells, zh_cells, en_rel, zh_rel)
    return en_cells, (None if shape else zh_cells), problems + shape, text


def anchor_maps(names=()):
    """{notebook: {English anchor: Chinese anchor}} from the aligned headings of each notebook with a
    Chinese source of the right shape."""
    maps = {}
    for md in sources():
        if not os.path.exists(zh_path(md)):
            continue
        try:
            en_cells, zh_cells, _, _ = zh_parsed(md)
        except ValueError:
            continue
        if zh_cells is None:
            continue
        m = {}
        for e, z in zip(en_cells, zh_cells):
            if e[0] == "md":
                for (_, et), (_, zt) in zip(headings(e[1]), headings(z[1])):
                    m.setdefault(anchor(et), anchor(zt))
        maps[os.path.basename(md)[:-3]] = m
    return maps


def rewrite_links(text, here, maps, problems=None, where="", line=1):
    """Links to English anchors (NN-name.ipynb#Anchor, #Anchor) rewritten to the Chinese headings'.
    WHERE and LINE (the cell's first line) name the place of a link that cannot be mapped."""
    from urllib.parse import unquote

    def one(m):
        notebook = m.group(2) or here
        english = unquote(m.group(3))
        zh = maps.get(notebook, {}).get(english)
        if zh is None:
            if problems is not None:
                why = (f"no Chinese source notebooks/src/zh/{notebook}.md" if notebook not in maps
                       else f"notebook {notebook} has no English heading with the id \"{english}\"")
                problems.append(f"{where}:{line + text[:m.start()].count(chr(10))}: link {m.group(0)[2:-1]}: {why}")
            return m.group(0)
        return f"]({m.group(1) or ''}#{link_fragment(zh)})"
    return LINK_TARGET.sub(one, text)


def build_zh(en_md, maps, problems=None):
    """The Chinese notebook: markdown from the Chinese source (links mapped to its headings), code from
    the English source, the jar one folder further up and Lab.language("zh") in the set-up cell."""
    en_cells, zh_cells, found, _ = zh_parsed(en_md)
    if zh_cells is None:
        raise ValueError("; ".join(found))
    here = os.path.basename(en_md)[:-3]
    zh_rel = os.path.relpath(zh_path(en_md), ROOT)
    cells, jars, language = [], False, False
    for e, z in zip(en_cells, zh_cells):
        if e[0] == "md":
            cells.append(("md", rewrite_links(z[1], here, maps, problems, zh_rel, z[3]), None, z[3]))
            continue
        text = e[1]
        if not jars and text.lstrip().startswith("%jars"):
            text, jars = text.replace("%jars ../lib/", "%jars ../../lib/", 1), True
        if not language and "Show.init();" in text:
            lines = text.split("\n")
            k = next(i for i, l in enumerate(lines) if "Show.init();" in l)
            indent = lines[k][:len(lines[k]) - len(lines[k].lstrip())]
            text, language = "\n".join(lines[:k + 1] + [indent + ZH_LANGUAGE] + lines[k + 1:]), True
        cells.append((e[0], text, e[2], e[3]))
    if problems is not None and not jars:
        problems.append(f"{zh_rel}: no %jars ../lib/ cell to point one folder further up")
    if problems is not None and not language:
        problems.append(f"{zh_rel}: no set-up cell with Show.init(); for {ZH_LANGUAGE}")
    return build(en_md, cells)


def words_outside(text):
    """A prose unit without what may stay English: HTML comments, inline code, link targets, quotations
    ("...", “...”, *"..."*), bare URLs, and words that are names (ALL-CAPS, with digits or _ . ( ) /)."""
    t = re.sub(r"<!--.*?-->", " ", text, flags=re.DOTALL)
    t = re.sub(r"<[^>]+>", " ", t)
    t = re.sub(r"`[^`]*`", " ", t)
    t = re.sub(r"\]\([^)]*\)", "]", t)
    t = re.sub(r'"[^"]*"|“[^”]*”|「[^」]*」|‘[^’]*’', " ", t)
    t = re.sub(r"https?://\S+", " ", t)
    return [w for w in re.findall(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]", t)
            if not w.isupper() and len(w) > 1]


UNTRANSLATED_WORDS = 8  # a prose unit with this many English words and no Chinese character is flagged


def untranslated(md):
    """(line, text) of each paragraph, list item, table row or heading of a Chinese source that has
    UNTRANSLATED_WORDS or more English words (see words_outside) and no CJK character."""
    found = []
    for line, unit in prose_units(md):
        if CJK.search(re.sub(r"<!--.*?-->|`[^`]*`|\]\([^)]*\)", " ", unit)):
            continue
        if len(words_outside(unit)) >= UNTRANSLATED_WORDS:
            found.append((line, unit))
    return found


def zh_problems(names=()):
    """Everything `check` requires of the Chinese edition, except the committed notebooks."""
    problems, built = [], {}
    en_names = {os.path.basename(p) for p in sources()}
    for md in sorted(glob.glob(os.path.join(ZH_SRC, "[0-9][0-9]-*.md"))):
        if os.path.basename(md) not in en_names:
            problems.append(f"{os.path.relpath(md, ROOT)}: no English source notebooks/src/{os.path.basename(md)}")
    maps = anchor_maps()
    for md in sources(names):
        zh_md = zh_path(md)
        zh_rel = os.path.relpath(zh_md, ROOT)
        if not os.path.exists(zh_md):
            problems.append(f"{zh_rel} is missing: the Chinese edition has no {os.path.basename(md)[:-3]} "
                            f"(copy notebooks/src/{os.path.basename(md)} and translate its prose)")
            continue
        try:
            _, zh_cells, found, _ = zh_parsed(md)
            problems += found
            if zh_cells is None:
                continue
            built[os.path.basename(md)[:-3]] = text_of(build_zh(md, maps, problems))
        except ValueError as e:
            problems.append(str(e))
            continue
        for line, unit in untranslated(zh_md):
            short = unit if len(unit) < 120 else unit[:117] + "..."
            problems.append(f"{zh_rel}:{line}: looks untranslated ({len(words_outside(unit))} English words, "
                            f"no Chinese; notebooks/src/zh/README-zh.md): {short}")
    return problems, built


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
    zh, built = zh_problems()
    problems += zh
    for name, want in sorted(built.items()):
        rel = f"notebooks/{ZH_DIR}/{name}.ipynb"
        have, origin = committed(rel)
        if have is None:
            problems.append(f"{rel} is not {origin.split(' (')[0]}: run `make notebooks` and commit it")
        elif have != want:
            problems.append(f"{rel} ({origin}) differs from notebooks/src/zh/{name}.md and notebooks/src/{name}.md: "
                            "run `make notebooks` and commit (edit the .md, not the .ipynb)")
    for p in problems:
        print("FAIL " + p)
    print(f"notebooks, both editions ({', '.join(sorted(where))}): " + (
        "equal to their sources, without outputs; the Chinese sources in step with the English ones"
        if not problems else f"{len(problems)} problems"))
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
    # Chinese sentences end at 。！？ without a space after them; inside a quotation (“...”, "...") no
    # sentence ends (the quotation's words are not the notebook's claims, see frequency_words).
    hide = str.maketrans("。！？.!?", "\ue000\ue001\ue002\ue003\ue004\ue005")
    show = str.maketrans("\ue000\ue001\ue002\ue003\ue004\ue005", "。！？.!?")
    text = re.sub(r'“[^”]*”|"[^"\n]*"', lambda m: m.group(0).translate(hide), text)
    parts = re.split(r"(?<=[.!?])\s+(?!<!--)|(?<=[。！？])(?![\s）)”]*<!--)(?![）)”])\s*|(?<=-->)\s+(?!<!--)",
                     text)  # a marker ends its sentence
    return [p.translate(show) for p in parts if p.strip()]


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
    if paths is None:
        paths = sources() + sorted(glob.glob(os.path.join(ZH_SRC, "[0-9][0-9]-*.md")))
    for md in paths:
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
        kinds = [c[0] for c in cells]
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
        zh_selftest(tmp)
    print("nbgen selftest: cells, parameters tag, include/quote and drift detection as promised; the Chinese edition: "
          "code from English, jar path, Lab.language, links to aligned headings, structure, copies, untranslated, claims")
    return True


def zh_selftest(tmp):
    """The Chinese edition on throw-away sources (each assertion can fail: it compares with the rules)."""
    global SRC, ZH_SRC
    saved = SRC, ZH_SRC
    SRC, ZH_SRC = os.path.join(tmp, "src"), os.path.join(tmp, "src", "zh")
    try:
        os.makedirs(ZH_SRC)
        TWO_CELLS = "\n```java\n%jars ../lib/target/jars/tcplab.jar\n```\n\n```java\nShow.init();\n```\n"
        en = (f"{HEADER} -->\n\n# 01 · The title\n\nA reader reads this paragraph in English, with several words.\n\n"
              "```java\n%jars ../lib/target/jars/tcplab.jar\n```\n\n```java\nimport tcplab.*;\nShow.init(); // set-up\n```\n\n"
              "## Second: a (peer) \"quoted\"\n\nSee [it](#Second:-a-%28peer%29-%22quoted%22) and [two](02-b.ipynb#Two-words).\n\n"
              "```java parameters\nint a = 1;\n```\n\n<!-- cell -->\n\n## Last\n")
        zh = (f"{HEADER} (中文版) -->\n\n# 01 · 标题\n\n读者用中文读这一段，其中有 `write()` 和 FIN、RST 等名字。\n\n"
              "```java\n%jars ../lib/target/jars/tcplab.jar\n```\n\n```java\nimport tcplab.*;\nShow.init(); // OLD COPY\n```\n\n"
              "## 第二：对端（peer）\n\n见[这里](#Second:-a-%28peer%29-%22quoted%22)和[那里](02-b.ipynb#Two-words)。\n\n"
              "```java parameters\nint a = 1;\n```\n\n<!-- cell -->\n\n## 最后\n")
        with open(os.path.join(SRC, "01-a.md"), "w") as f:
            f.write(en)
        with open(os.path.join(ZH_SRC, "01-a.md"), "w") as f:
            f.write(zh)
        with open(os.path.join(SRC, "02-b.md"), "w") as f:
            f.write(f"{HEADER} -->\n\n# Two words\n" + TWO_CELLS)
        with open(os.path.join(ZH_SRC, "02-b.md"), "w") as f:
            f.write(f"{HEADER} -->\n\n# 两个 词 (a)\n" + TWO_CELLS)
        en_md = os.path.join(SRC, "01-a.md")
        synced, differed = zh_synced(en_md, os.path.join(ZH_SRC, "01-a.md"))
        assert len(differed) == 1 and ":11:" in differed[0], differed  # the edited code copy is found
        assert "OLD COPY" not in synced and "Show.init(); // set-up" in synced
        nb = build_zh(en_md, anchor_maps())
        code = [c.source for c in nb.cells if c.cell_type == "code"]
        assert code[0] == "%jars ../../lib/target/jars/tcplab.jar", code[0]
        assert code[1] == 'import tcplab.*;\nShow.init(); // set-up\nLab.language("zh");', code[1]
        assert [c.metadata.get("tags") for c in nb.cells] == [None, None, None, None, ["parameters"], None], nb.cells
        md = [c.source for c in nb.cells if c.cell_type == "markdown" and "见" in c.source][0]
        assert "(#第二：对端（peer）)" in md and "(02-b.ipynb#两个-词-%28a%29)" in md, md
        found = zh_problems()[0]
        assert len(found) == 1 and "code block differs" in found[0], found
        # structure: a missing heading, then a missing cell separator, are reported with the cell
        with open(os.path.join(ZH_SRC, "01-a.md"), "w") as f:
            f.write(zh.replace("## 最后", "最后"))
        found = zh_problems()[0]
        assert any(":26: cell 6 has headings (none)" in p for p in found), found
        with open(os.path.join(ZH_SRC, "01-a.md"), "w") as f:
            f.write(zh.replace("```java parameters\nint a = 1;\n```\n\n", "").replace("见", "```java parameters\nint a = 1;\n```\n\n见"))
        found = zh_problems()[0]
        assert any(": 7 cells, " in p and "has 6" in p for p in found), found
        # a paragraph left in English is flagged; English names, code and quotations are not
        with open(os.path.join(ZH_SRC, "01-a.md"), "w") as f:
            f.write(zh.replace("读者用中文读这一段，其中有 `write()` 和 FIN、RST 等名字。", "A reader reads this paragraph in English, with several words.")
                    + "\n对端打印 \"Connection reset by peer and then some more words here\"。\n\n"
                    "`ECONNRESET` `EPIPE` SIGPIPE RST FIN ACK TIME_WAIT\n\n收到复位的那一方总是先看到 `ECONNRESET`。\n")
        found = zh_problems()[0]
        flagged = [p for p in found if "looks untranslated" in p]
        assert len(flagged) == 1 and "01-a.md:5:" in flagged[0], found
        assert any("'总是' claims how often" in p for p in check_claims([os.path.join(ZH_SRC, "01-a.md")])), "zh claims"
        os.remove(os.path.join(ZH_SRC, "02-b.md"))
        found = zh_problems()[0]
        assert any("02-b.md is missing" in p for p in found), found
        assert any("no Chinese source notebooks/src/zh/02-b.md" in p for p in found), found  # its link cannot be mapped
    finally:
        SRC, ZH_SRC = saved


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
