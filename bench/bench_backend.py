"""PyTorch against onnxruntime (CPU execution provider) for `upscale` x4 on the CPU, side by side in one process.

Both backends go through the same `edsr_msa_nb.inference.upscale` call (uint8 array in, uint8 array out, the same
tiling by `run_tiled`/`tiled_forward`, the same blending and rounding); only the per-tile function differs:
PyTorch runs the `EDSRMSA` module (channels_last, its default layout), onnxruntime runs the same network exported by
`edsr_msa_nb.export.export_model(..., format='onnx')`, handed to `upscale` as a plain callable. Networks: the
shipped `lite-x4` and an EDSR-baseline-size network (`edsr_msa('baseline', 4)`: 16 blocks, 64 features, 1.52 M
parameters; random weights, cost does not depend on their values). Inputs: a 480x320 LR photo untiled (`tile=0`)
and a 2040x1356 LR image (DIV2K-sized; the same photo resized) tiled with the tile `upscale` picks on the CPU
(`auto_tile` of the network, computed once and used by both backends; overlap 32). The baseline-size network's
tiled case is 1020x678 by default (--baseline-sizes; a quarter of the area, the same `tile`, so 15 tiles of 230x248
instead of 54 of 256x253 where `auto_tile` gives 272): at 2040x1356 one call of it takes minutes on a 2-core CPU.

Timing: per case (network, input, threads) one warm-up call of each backend (the whole input untiled, one tile
tiled), then pairs of calls with the order alternating (torch, ort / ort, torch / ...), so both see the same load;
the median of each backend's times and the ratio torch/ort of the medians (>1: onnxruntime faster). A case stops
adding pairs at --repeats, or when the next pair would end past --budget seconds (at least one pair). Threads:
`torch.set_num_threads(n)`; onnxruntime `intra_op_num_threads=n`, `inter_op_num_threads=1`, sequential execution.
Agreement: max |difference| of the two uint8 outputs of the first pair (expected: at most one level).

    python bench/bench_backend.py [--threads 1 2] [--repeats 5] [--budget 200] [--json bench/bench_backend.json]
    python bench/bench_backend.py --networks baseline --baseline-sizes 2040x1356:tiled --repeats 1   # the full size
    python bench/bench_backend.py --profile --threads 1            # where the time goes, by operation (no JSON)

Prints a markdown table and writes the JSON (default: next to this script; --append adds the run to the file's
`extra_runs`).
"""
import argparse, json, os, platform, statistics, sys, tempfile, time
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch
from PIL import Image

from edsr_msa_nb.export import export_model
from edsr_msa_nb.inference import auto_tile, fit_tile, tile_starts, upscale
from edsr_msa_nb.model import edsr_msa, from_pretrained, n_params

SCALE, OVERLAP = 4, 32


def cpu_name() -> str:
    try:
        for line in open('/proc/cpuinfo'):
            if line.startswith('model name'): return line.split(':', 1)[1].strip()
    except OSError: pass
    return platform.processor() or 'unknown'


def photo(w: int, h: int, path=None) -> tuple:
    "(h x w x 3 uint8 image, where it came from): a landscape B100 photo from $EDSR_MSA_DATA, cropped or resized; random if none."
    if path is None and os.environ.get('EDSR_MSA_DATA'):
        folder = Path(os.environ['EDSR_MSA_DATA']) / 'B100'
        path = next((p for p in sorted(folder.glob('*.png')) if Image.open(p).size[0] > Image.open(p).size[1]), None)
    if path is None: return np.random.default_rng(0).integers(0, 256, (h, w, 3), dtype=np.uint8), 'random uint8'
    im = Image.open(path).convert('RGB')
    if im.size[0] >= w and im.size[1] >= h: return np.asarray(im)[:h, :w].copy(), f'{Path(path).name}, cropped'
    return np.asarray(im.resize((w, h), Image.BICUBIC)), f'{Path(path).name}, PIL bicubic resize'


def ort_session(onnx_file: Path, threads: int) -> ort.InferenceSession:
    so = ort.SessionOptions()
    so.intra_op_num_threads, so.inter_op_num_threads = threads, 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(str(onnx_file), so, providers=['CPUExecutionProvider'])


def ort_fn(session: ort.InferenceSession):
    "The per-tile function `upscale` runs for onnxruntime: LR tile N x 3 x h x w float [0, 1] -> SR tile (float32 tensor)."
    def fn(t: torch.Tensor) -> torch.Tensor:
        return torch.from_numpy(session.run(None, {'lr': np.ascontiguousarray(t.numpy(), dtype=np.float32)})[0])
    return fn


def run_case(model, fn, img, tile, repeats, budget) -> dict:
    "Warm-up, then alternating pairs of `upscale` calls; times, medians, agreement of the first pair's outputs."
    backends = {'torch': lambda x, t: upscale(x, model, tile=t, overlap=OVERLAP, device='cpu'),
                'ort': lambda x, t: upscale(x, fn, scale=SCALE, tile=t, overlap=OVERLAP, device='cpu')}
    ov = min(OVERLAP, tile // 2)
    th, tw = (fit_tile(img.shape[0], tile, ov), fit_tile(img.shape[1], tile, ov)) if tile else img.shape[:2]
    n_tiles = len(tile_starts(img.shape[0], th, ov)) * len(tile_starts(img.shape[1], tw, ov)) if tile else 1
    warm = img[:th, :tw]                                         # warm-up: the whole input, or one tile of the shape tiling uses
    t0 = time.perf_counter()
    for b in backends.values(): b(warm, 0)
    warm_s = time.perf_counter() - t0
    times, first, load = {'torch': [], 'ort': []}, {}, [os.getloadavg()[0]]
    start = time.perf_counter()
    for r in range(repeats):
        order = ['torch', 'ort'] if r % 2 == 0 else ['ort', 'torch']
        p0 = time.perf_counter()
        for name in order:
            s = time.perf_counter(); out = backends[name](img, tile); times[name].append(time.perf_counter() - s)
            if r == 0: first[name] = out
            assert out.shape == (img.shape[0] * SCALE, img.shape[1] * SCALE, 3) and out.dtype == np.uint8
        if r == 0:
            d = np.abs(first['torch'].astype(np.int16) - first['ort'].astype(np.int16))
            max_diff, frac = int(d.max()), float((d > 0).mean()); first.clear(); del d
        pair, elapsed = time.perf_counter() - p0, time.perf_counter() - start
        if elapsed + pair > budget: break
    load.append(os.getloadavg()[0])
    med = {k: statistics.median(v) for k, v in times.items()}
    return {'tile': tile, 'tile_hw': [int(th), int(tw)], 'n_tiles': n_tiles, 'repeats': len(times['torch']), 'warmup_s': warm_s, 'torch_s': times['torch'], 'ort_s': times['ort'],
            'torch_median_s': med['torch'], 'ort_median_s': med['ort'], 'ratio_torch_over_ort': med['torch'] / med['ort'],
            'max_abs_diff_levels': max_diff, 'fraction_values_differing': frac, 'load_1min': load}


def profile_ops(model, onnx_file: Path, img: np.ndarray, threads: int, top: int = 6) -> dict:
    "Seconds by operation of one untiled forward pass on `img`, for each backend (torch.profiler; onnxruntime's profiler)."
    import collections
    from torch.profiler import profile
    x = torch.from_numpy(img).permute(2, 0, 1)[None].float().div(255).contiguous()
    so = ort.SessionOptions()
    so.intra_op_num_threads, so.inter_op_num_threads, so.enable_profiling = threads, 1, True
    so.profile_file_prefix = str(onnx_file.with_suffix(''))
    sess = ort.InferenceSession(str(onnx_file), so, providers=['CPUExecutionProvider'])
    for _ in range(2): sess.run(None, {'lr': x.numpy()})               # the second run is the one counted
    events = json.loads(Path(sess.end_profiling()).read_text())
    last = max(e['ts'] for e in events if e.get('name') == 'model_run')
    ops = collections.Counter()
    for e in events:
        if e.get('cat') == 'Node' and e['name'].endswith('_kernel_time') and e['ts'] >= last: ops[e['args']['op_name']] += e['dur'] / 1e6
    with torch.inference_mode():
        model(x)
        with profile() as prof: model(x)
    tops = sorted(((k.key, k.self_cpu_time_total / 1e6) for k in prof.key_averages()), key=lambda kv: -kv[1])
    return {'ort': dict(ops.most_common(top)), 'ort_total_s': sum(ops.values()),
            'torch': dict(tops[:top]), 'torch_total_s': sum(v for _, v in tops)}


def table(cases) -> str:
    rows = ['| network | LR input | tile | threads | pairs | PyTorch (s) | onnxruntime (s) | **torch/ort** | max abs diff (levels) | values differing |',
            '|---|---|---|---:|---:|---:|---:|---:|---:|---:|']
    for c in cases:
        tiling = f"{c['tile']}: {c['n_tiles']} of {c['tile_hw'][1]}x{c['tile_hw'][0]}" if c['tile'] else 'untiled'
        rows.append(f"| {c['network']} | {c['input']} | {tiling} | {c['threads']} | {c['repeats']} | "
                    f"{c['torch_median_s']:.2f} | {c['ort_median_s']:.2f} | **{c['ratio_torch_over_ort']:.2f}** | "
                    f"{c['max_abs_diff_levels']} | {c['fraction_values_differing']:.4%} |")
    return '\n'.join(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--threads', type=int, nargs='+', default=[1, 2])
    ap.add_argument('--networks', nargs='+', default=['lite-x4', 'baseline'], choices=['lite-x4', 'baseline'])
    ap.add_argument('--sizes', nargs='+', default=['480x320:untiled', '2040x1356:tiled'],
                    help='WxH:untiled or WxH:tiled (tiled: auto_tile of the network on the CPU) or WxH:TILE')
    ap.add_argument('--baseline-sizes', nargs='+', default=['480x320:untiled', '1020x678:tiled'],
                    help='the same for the baseline network (default: its tiled case on a quarter of the 2040x1356 area)')
    ap.add_argument('--repeats', type=int, default=5, help='most pairs per case')
    ap.add_argument('--budget', type=float, default=200, help='no new pair that would end past this many seconds of a case')
    ap.add_argument('--image', default=None, help='source photo (default: the first landscape B100 image in $EDSR_MSA_DATA)')
    ap.add_argument('--json', default=str(Path(__file__).with_name('bench_backend.json')))
    ap.add_argument('--profile', action='store_true', help='only print where the time goes: seconds by operation, 1 untiled pass of the first --sizes input')
    ap.add_argument('--append', action='store_true', help="keep --json's runs and add this one to its 'extra_runs'")
    a = ap.parse_args()
    t_all = time.perf_counter()
    meta = {'command': ' '.join(['python bench/bench_backend.py', *sys.argv[1:]]), 'cpu': cpu_name(), 'cores': os.cpu_count(),
            'torch': torch.__version__, 'onnxruntime': ort.__version__, 'python': platform.python_version(),
            'overlap': OVERLAP, 'scale': SCALE, 'load_1min_start': os.getloadavg()[0]}
    print(f"{meta['cpu']}, {meta['cores']} cores, torch {meta['torch']}, onnxruntime {meta['onnxruntime']}, "
          f"load {meta['load_1min_start']:.1f}", flush=True)
    tmp, cases = Path(tempfile.mkdtemp()), []
    old = json.loads(Path(a.json).read_text()) if a.append and Path(a.json).is_file() else None
    def save():
        run = {'meta': meta, 'cases': cases}
        if old is not None: run = {**old, 'extra_runs': old.get('extra_runs', []) + [run]}
        Path(a.json).write_text(json.dumps(run, indent=1) + '\n')
    for net in a.networks:
        torch.manual_seed(0)
        model = (from_pretrained('lite-x4') if net == 'lite-x4' else edsr_msa('baseline', SCALE)).eval()
        assert model.head[0].weight.is_contiguous(memory_format=torch.channels_last)     # EDSRMSA's default layout
        onnx_file = export_model(model, 'onnx', tmp / f'{net}.onnx')
        tile_auto = auto_tile(model, 'cpu', SCALE)
        if a.profile:
            w, h = (int(v) for v in a.sizes[0].split(':')[0].split('x'))
            for threads in a.threads:
                torch.set_num_threads(threads)
                p = profile_ops(model, onnx_file, photo(w, h, a.image)[0], threads)
                print(f"{net}, {w}x{h}, {threads} thread(s): torch {p['torch_total_s']:.2f} s: " +
                      ', '.join(f'{k} {v:.3f}' for k, v in p['torch'].items()) +
                      f"\n  onnxruntime {p['ort_total_s']:.2f} s: " + ', '.join(f'{k} {v:.3f}' for k, v in p['ort'].items()), flush=True)
            continue
        label = f"{net} ({n_params(model) / 1e6:.2f} M params{', random weights' if net == 'baseline' else ''})"
        for threads in a.threads:
            torch.set_num_threads(threads)
            fn = ort_fn(ort_session(onnx_file, threads))
            for spec in (a.baseline_sizes if net == 'baseline' else a.sizes):
                size, mode = spec.split(':')
                w, h = (int(v) for v in size.split('x'))
                tile = 0 if mode == 'untiled' else tile_auto if mode == 'tiled' else int(mode)
                img, src = photo(w, h, a.image)
                t0 = time.perf_counter()
                c = run_case(model, fn, img, tile, a.repeats, a.budget)
                c.update(network=label, input=f'{w}x{h}', source=src, threads=threads, case_s=time.perf_counter() - t0)
                cases.append(c)
                print(f"{net} {w}x{h} tile={tile or 'untiled'} threads={threads}: torch {c['torch_median_s']:.2f} s, "
                      f"ort {c['ort_median_s']:.2f} s, torch/ort {c['ratio_torch_over_ort']:.2f} ({c['repeats']} pairs, "
                      f"max diff {c['max_abs_diff_levels']}, load {c['load_1min'][0]:.1f}-{c['load_1min'][1]:.1f}, "
                      f"{c['case_s']:.0f} s)", flush=True)
                save()                                           # kept if the run is stopped
            del fn
    if a.profile: return
    meta.update(total_s=time.perf_counter() - t_all, load_1min_end=os.getloadavg()[0])
    save()
    print('\n' + table(cases))
    best = {}
    for c in cases: best[c['network']] = max(best.get(c['network'], 0), c['ratio_torch_over_ort'])
    print('\nbest torch/ort per network: ' + ', '.join(f'{k} {v:.2f}' for k, v in best.items()) +
          f"; onnxruntime >= 1.2x faster somewhere: {any(v >= 1.2 for v in best.values())}")
    print(f"total {meta['total_s']:.0f} s; JSON: {a.json}")


if __name__ == '__main__':
    main()
