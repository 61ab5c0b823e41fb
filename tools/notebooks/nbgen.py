#!/usr/bin/python3
"""Build a notebook (no outputs) from a plain source file: cells separated by lines
'# %% md' (markdown), '# %% java' (code) or '# %% java parameters' (code tagged "parameters"). Usage: nbgen.py SRC OUT.ipynb, or nbgen.py --check SRC_DIR NOTEBOOK_DIR
The .ipynb in notebooks/ is what users open; this only makes editing its text easier."""
import sys, nbformat
from nbformat.v4 import new_notebook, new_markdown_cell, new_code_cell

def build(src):
    cells, kind, buf = [], None, []
    def flush():
        if kind:
            text = "\n".join(buf).strip("\n")
            if kind == "md":
                cells.append(new_markdown_cell(text))
            else:
                cell = new_code_cell(text)
                if kind == "java parameters":  # papermill's convention: the cell a runner may override
                    cell.metadata["tags"] = ["parameters"]
                cells.append(cell)
    for line in open(src, encoding="utf-8").read().splitlines():
        if line.startswith("# %% "):
            flush(); kind, buf = line[5:].strip(), []
        else:
            buf.append(line)
    flush()
    nb = new_notebook(cells=cells)
    nb.metadata = {"kernelspec": {"name": "java", "display_name": "Java", "language": "java"},
                   "language_info": {"name": "java", "file_extension": ".jshell", "mimetype": "text/x-java-source"}}
    nb.nbformat_minor = 4
    for c in nb.cells:
        c.pop("id", None)
    return nb

def check(src_dir, nb_dir):
    """Every notebook equals what its source builds (so it has no outputs either); returns problems."""
    import glob, os
    problems = []
    for src in sorted(glob.glob(os.path.join(src_dir, "*.txt"))):
        target = os.path.join(nb_dir, os.path.basename(src)[:-4] + ".ipynb")
        if not os.path.exists(target):
            problems.append(f"{target} is missing (build it: tools/nbgen.py {src} {target})")
        elif nbformat.writes(build(src), version=4) != nbformat.writes(nbformat.read(target, as_version=4), version=4):
            problems.append(f"{target} differs from {src} (outputs, or edited in Jupyter?): rebuild or update the source")
    return problems


if __name__ == "__main__":
    if sys.argv[1] == "--check":
        found = check(sys.argv[2], sys.argv[3])
        for p in found:
            print("FAIL " + p)
        print("notebooks: " + ("committed without outputs and equal to their sources" if not found else f"{len(found)} problems"))
        sys.exit(1 if found else 0)
    nb = build(sys.argv[1])
    nbformat.write(nb, sys.argv[2], version=4)
