"""Execute notebooks in place and store their outputs (figures, tables), skipping exactly what
`nbdev_test` skips: `#| eval: false` cells, the `nbdev_export()` cell, and cells carrying a test
flag from settings.ini (`notest slow cuda`) unless it is passed with --flags.

The docs site and README are built from these stored outputs (as Quarto does with nbdev's default
`execute: enabled: false`), so each notebook is run once by its author, not again by the docs build.

    python .ci/run_nb.py nbs/02_metrics.ipynb [more.ipynb ...] [--flags "slow"]
"""
import argparse, os, sys
from pathlib import Path

from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell
from fastcore.xtras import working_directory
from nbdev.config import get_config
from nbdev.frontmatter import FrontmatterProc
from nbdev.process import NBProcessor


def run_notebook(fn: Path, force_flags=()) -> None:
    skip = set(get_config().tst_flags.split()) - set(force_flags)
    raw = read_nb(fn)
    nb = NBProcessor(fn, procs=FrontmatterProc, process=True).nb
    if len(nb.cells) != len(raw.cells): raise RuntimeError(f"{fn}: cell count changed while processing")

    def no_eval(cell):
        if cell.cell_type != 'code': return True
        if 'nbdev_export' + '(' in cell.source: return True
        direc = getattr(cell, 'directives_', {}) or {}
        if direc.get('eval:', [''])[0].lower() == 'false': return True
        return bool(skip & direc.keys())

    os.environ['IN_TEST'] = '1'
    shell = CaptureShell(fn)
    with working_directory(fn.parent):
        shell.run_all(nb, exc_stop=True, preproc=no_eval)
    for r, c in zip(raw.cells, nb.cells):
        if r.cell_type == 'code':
            r['outputs'] = c.get('outputs', []) if not no_eval(c) or 'nbdev_export(' in c.source else r.get('outputs', [])
            r['execution_count'] = None
    write_nb(raw, fn)


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('notebooks', nargs='+', type=Path)
    ap.add_argument('--flags', default='', help='space-separated test flags to run anyway')
    a = ap.parse_args()
    for fn in a.notebooks:
        print(f'running {fn}', flush=True)
        run_notebook(fn.resolve(), a.flags.split())
    os.system('nbdev_clean')
