"""Per-notebook wall times of an `nbdev_test --do_print` run, printed whether or not every notebook passed.

    nbdev_test --do_print ... 2>&1 | python .ci/nbtimes.py stamp TIMES | tee LOG   # passes every line through unchanged
    python .ci/nbtimes.py report TIMES                                          # a table, slowest first

`stamp` writes `<unix time>\\t<line>` to TIMES for each `Starting <nb>` / `- Completed <nb>` line (nbdev_test
prints its own `--timing` table only when all notebooks pass); `report` prints each notebook's seconds from its
start to its completion, and `(not completed)` with the seconds so far for one that never finished.
"""
import re, sys, time
from pathlib import Path

_re = re.compile(r'(Starting|- Completed) (\S+\.ipynb)')


def stamp(times: str):
    with open(times, 'w') as f:
        for line in sys.stdin:
            sys.stdout.write(line); sys.stdout.flush()
            for m in _re.finditer(line):   # workers share stdout: two records can share one line
                f.write(f"{time.time():.1f}\t{m.group(1)}\t{m.group(2)}\n"); f.flush()


def report(times: str) -> list:
    start, end, last = {}, {}, 0.0
    for line in Path(times).read_text().splitlines():
        t, what, nb = line.split('\t'); t = float(t); last = max(last, t)
        (start if what == 'Starting' else end)[nb] = t
    rows = [(end.get(nb, last) - t0, nb, nb in end) for nb, t0 in start.items()]
    for sec, nb, done in sorted(rows, reverse=True):
        print(f"  {sec:7.0f} s  {Path(nb).name}" + ('' if done else '  (not completed)'))
    return rows


if __name__ == '__main__':
    cmd, path = sys.argv[1], sys.argv[2]
    stamp(path) if cmd == 'stamp' else report(path)
