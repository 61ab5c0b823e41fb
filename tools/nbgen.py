#!/usr/bin/python3
"""Build a notebook (no outputs) from a plain source file: cells separated by lines
'# %% md' (markdown), '# %% java' (code) or '# %% java parameters' (code tagged "parameters"). Usage: nbgen.py SRC OUT.ipynb
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

if __name__ == "__main__":
    nb = build(sys.argv[1])
    nbformat.write(nb, sys.argv[2], version=4)
