"""Pack the training and benchmark images into `.gpudata/data/` for the GPU machine, losslessly, and check the transfer budget.

The GPU machine receives the working tree and the paths named in the device call's `carry`, at most 64 MiB in all;
the data folder beside the repository does not travel. This script writes a compact lossless copy of the sets the
GPU session reads into `.gpudata/data/SET/` (ignored by git: `.gitignore` names `.gpudata/`), from the repository root:

    EDSR_MSA_DATA=/path/to/datasets python bench/pack_gpudata.py                 # T91 BSD200 Set5 Set14 (the default)
    EDSR_MSA_DATA=/path/to/datasets python bench/pack_gpudata.py --sets T91 BSD200 Set5 Set14 B100

- Each image is re-encoded as lossless WebP (`lossless=True, quality=100, method=4, exact=True`), keeping its name
  stem; an image whose mode WebP cannot hold (grayscale `L`, e.g. Set14's `bridge.png`) is copied byte for byte.
- Every written file is decoded again and compared with the decoded source, array against array (mode, shape and
  every pixel); where the data folder has `MANIFEST.csv` its `pixel_sha256` is checked too. Any difference fails.
- The report (`.gpudata/data/PACK.json`, and printed) gives the bytes of each set before and after, the size of what
  travels (tracked and untracked-not-ignored files of the working tree, plus `.gpudata/` and `.whl/` when present),
  and whether it fits the 64 MiB budget with `--margin` MiB to spare.

`edsr_msa_nb.data` reads `.webp` like `.png` (`IMAGE_EXTENSIONS`) and checks only the image count of a local copy,
so `EDSR_MSA_DATA=.gpudata/data` serves T91, BSD200, Set5, Set14 (and B100) to training and evaluation unchanged.
"""
import argparse, csv, hashlib, json, os, shutil, subprocess, sys, time
from pathlib import Path

import numpy as np
from PIL import Image

IMAGE_EXT = ('.png', '.bmp', '.jpg', '.jpeg', '.tif', '.tiff', '.webp', '.ppm', '.pgm')
WEBP_MODES = ('RGB', 'RGBA')
BUDGET = 64 * 2 ** 20


def _pixels(path) -> tuple:
    with Image.open(path) as im: return im.mode, np.asarray(im)


def pack_image(src: Path, dest_dir: Path) -> Path:
    "Write `src` losslessly into `dest_dir` (WebP, or a byte copy for a mode WebP cannot hold); check the decode; the new path."
    with Image.open(src) as im:
        mode, a = im.mode, np.asarray(im)
        if mode in WEBP_MODES:
            dst = dest_dir / f"{src.stem}.webp"
            im.save(dst, 'WEBP', lossless=True, quality=100, method=4, exact=True)
        else:
            dst = dest_dir / src.name; shutil.copyfile(src, dst)
    m2, b = _pixels(dst)
    if m2 != mode or b.shape != a.shape or not np.array_equal(a, b):
        raise ValueError(f"{dst}: decoded pixels differ from {src} (mode {m2} vs {mode}, shape {b.shape} vs {a.shape})")
    return dst


def _manifest(src_root: Path) -> dict:
    "(set, stem) -> pixel_sha256 from the data folder's MANIFEST.csv (empty when there is none)."
    f = src_root / 'MANIFEST.csv'
    if not f.is_file(): return {}
    with open(f, newline='') as fh:
        return {(r['set'], Path(r['filename']).stem): r['pixel_sha256'] for r in csv.DictReader(fh) if r.get('pixel_sha256')}


def travelling_bytes(repo: Path, extra=('.gpudata', '.whl')) -> dict:
    "Bytes of what a device call sends: tracked + untracked-not-ignored files, plus the carried folders in `extra` that exist."
    files = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], cwd=repo,
                           capture_output=True, check=True).stdout.split(b'\0')
    tree = sum((repo / f.decode()).stat().st_size for f in files if f and (repo / f.decode()).is_file())
    out = {'tree': tree}
    for e in extra:
        p = repo / e
        if p.is_dir(): out[e] = sum(f.stat().st_size for f in p.rglob('*') if f.is_file())
    out['total'] = sum(out.values())
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--src', default=os.environ.get('EDSR_MSA_DATA'), help='the data folder (default: $EDSR_MSA_DATA)')
    ap.add_argument('--dest', default='.gpudata/data', help='where the packed copy goes (default: .gpudata/data)')
    ap.add_argument('--sets', nargs='+', default=['T91', 'BSD200', 'Set5', 'Set14'])
    ap.add_argument('--margin', type=float, default=2.0, help='MiB the travelling total must leave free of 64 MiB')
    a = ap.parse_args(argv)
    if not a.src: ap.error('--src or EDSR_MSA_DATA must name the data folder')
    src_root, dest_root, repo = Path(a.src), Path(a.dest), Path.cwd()
    known, t0, report = _manifest(src_root), time.time(), {'sets': {}}
    for s in a.sets:
        sd, dd = src_root / s, dest_root / s
        paths = sorted(p for p in sd.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_EXT)
        if not paths: raise FileNotFoundError(f"{sd}: no images")
        if dd.exists(): shutil.rmtree(dd)
        dd.mkdir(parents=True)
        before = after = hashed = 0
        for p in paths:
            q = pack_image(p, dd)
            before += p.stat().st_size; after += q.stat().st_size
            if (s, p.stem) in known:
                if hashlib.sha256(_pixels(q)[1].tobytes()).hexdigest() != known[(s, p.stem)]:
                    raise ValueError(f"{q}: pixel sha256 differs from {src_root / 'MANIFEST.csv'}")
                hashed += 1
        report['sets'][s] = dict(images=len(paths), bytes_before=before, bytes_after=after, manifest_checked=hashed)
        print(f"{s}: {len(paths)} images, {before / 2**20:.1f} -> {after / 2**20:.1f} MiB, pixel-exact "
              f"({hashed} also against MANIFEST.csv)", flush=True)
    for old in dest_root.iterdir():          # a set packed earlier but not asked for now would travel unseen
        if old.is_dir() and old.name not in a.sets: shutil.rmtree(old); print(f"removed {old} (not in --sets)")
    (dest_root / 'PACK.json').write_text('{}')
    tb = travelling_bytes(repo)
    fits = tb['total'] <= BUDGET - a.margin * 2 ** 20
    report.update(travelling=tb, budget=BUDGET, margin_mib=a.margin, fits=fits, seconds=round(time.time() - t0, 1))
    (dest_root / 'PACK.json').write_text(json.dumps(report, indent=1) + '\n')
    print('travelling (MiB): ' + ', '.join(f"{k} {v / 2**20:.1f}" for k, v in tb.items())
          + f"; budget 64 MiB, margin {a.margin}: {'fits' if fits else 'DOES NOT FIT'}")
    return 0 if fits else 1


if __name__ == '__main__': sys.exit(main())
