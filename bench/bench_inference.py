"""Peak memory (RSS) and time of `upscale` x4 with the `lite` model, with and without tiling, in one run.

Each case runs in its own subprocess so its peak RSS (`ru_maxrss`) is its own. The model has random weights
(memory and time do not depend on their values). Images (--sizes): 512x512, 1024x1024 and 2040x1356 (a
DIV2K-sized photo) by default, random uint8 RGB. A watchdog ends a case whose RSS passes --max-gib (so that an untiled run cannot
take the machine down) and reports it as such.

    python bench/bench_inference.py [--threads 2] [--tile 256] [--max-gib 8] [--device cuda] [--tiled-only] [--sizes 2040x1356,4080x2712]

On CUDA (fp16 autocast, as `upscale` does there) the peak GPU memory (`torch.cuda.max_memory_allocated`) is
measured as well, and the ratio is of GPU memory.
"""
import argparse, json, os, subprocess, sys, time

CHILD = r'''
import json, os, resource, sys, threading, time
h, w, tile, threads, max_gib = (int(v) for v in sys.argv[1:6]); device = sys.argv[6]
def rss(): return int(open('/proc/self/statm').read().split()[1]) * os.sysconf('SC_PAGE_SIZE')
def watchdog():
    while True:
        if rss() > max_gib * 2**30:
            print(json.dumps({'killed': True}), flush=True); os._exit(3)
        time.sleep(0.02)
threading.Thread(target=watchdog, daemon=True).start()
import numpy as np, torch
torch.set_num_threads(threads)
from edsr_msa_nb.model import edsr_msa
from edsr_msa_nb.inference import upscale
torch.manual_seed(0)
model = edsr_msa('lite', 4).eval()
img = np.random.default_rng(0).integers(0, 256, (h, w, 3), dtype=np.uint8)
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
cuda = device.startswith('cuda')
if cuda:
    upscale(img[:64, :64], model, tile=0, device=device)          # warm-up: CUDA context, cuDNN plans
    torch.cuda.synchronize(); torch.cuda.reset_peak_memory_stats()
t0 = time.perf_counter()
out = upscale(img, model, tile=tile, overlap=32, device=device)
dt = time.perf_counter() - t0
gpu_peak = torch.cuda.max_memory_allocated() if cuda else 0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
assert out.shape == (4 * h, 4 * w, 3) and out.dtype == np.uint8
print(json.dumps({'killed': False, 'seconds': dt, 'peak': peak, 'base': base, 'out_bytes': out.nbytes, 'gpu_peak': gpu_peak}), flush=True)
'''


def run_case(h, w, tile, threads, max_gib, device):
    r = subprocess.run([sys.executable, '-c', CHILD, str(h), str(w), str(tile), str(threads), str(max_gib), device],
                       capture_output=True, text=True)
    lines = [l for l in r.stdout.splitlines() if l.startswith('{')]
    if not lines: raise RuntimeError(f"case {w}x{h} tile={tile} failed:\n{r.stderr[-2000:]}")
    return json.loads(lines[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--tile', type=int, default=256, help='tile side (LR pixels) of the tiled runs')
    ap.add_argument('--max-gib', type=int, default=8, help='end a case whose RSS passes this many GiB')
    ap.add_argument('--device', default='cpu', help='cpu or cuda')
    ap.add_argument('--tiled-only', action='store_true', help='skip the untiled runs (minutes and up to 15 GiB on a CPU)')
    ap.add_argument('--sizes', default='512x512,1024x1024,2040x1356', help='LR inputs, WxH, comma-separated')
    a = ap.parse_args()
    gib, cuda = 2**30, a.device.startswith('cuda')
    print(f"upscale x4, lite model (random weights), device {a.device}{' (fp16 autocast)' if cuda else ''}, "
          f"{a.threads} CPU thread(s), tiled runs: tile {a.tile}, overlap 32")
    mem = 'peak RSS / peak GPU mem' if cuda else 'peak RSS'
    print(f'| LR input | output | untiled: time | untiled: {mem} | tiled: time | tiled: {mem} | peak ratio untiled/tiled |')
    print('|---|---|---|---|---|---|---|')
    rows = []
    for w, h in (tuple(int(v) for v in sz.split('x')) for sz in a.sizes.split(',')):
        res = {}
        for tile in ((a.tile,) if a.tiled_only else (0, a.tile)):
            res[tile] = run_case(h, w, tile, a.threads, a.max_gib, a.device)
        u, t = res.get(0), res[a.tile]                  # u is None with --tiled-only
        key = 'gpu_peak' if cuda else 'peak'
        fmt = lambda r: ('-', 'not run') if r is None else ('-', f'> {a.max_gib} GiB RSS (stopped)') if r['killed'] else (
            f"{r['seconds']:.2f} s", f"{r['peak'] / gib:.2f} GiB" + (f" / {r['gpu_peak'] / gib:.2f} GiB" if cuda else ''))
        ratio = '-' if u is None else f">{a.max_gib * gib / t[key]:.1f}x" if u['killed'] else f"{u[key] / t[key]:.1f}x"
        print(f"| {w}x{h} | {4 * w}x{4 * h} (uint8: {4 * w * 4 * h * 3 / 2**20:.0f} MiB) | {' | '.join(fmt(u))} | "
              f"{' | '.join(fmt(t))} | {ratio} |", flush=True)
        rows.append({'size': (w, h), 'untiled': u, 'tiled': t})
    base = rows[0]['tiled']['base']
    print(f"\nRSS before upscaling (python + torch + model): {base / gib:.2f} GiB; the uint8 output itself is part of "
          "every peak. Tiled peak minus output and baseline:",
          ', '.join(f"{r['size'][0]}x{r['size'][1]}: {(r['tiled']['peak'] - r['tiled']['base'] - r['tiled']['out_bytes']) / 2**20:.0f} MiB"
                    for r in rows))


if __name__ == '__main__':
    main()
