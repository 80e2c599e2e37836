"""How far NIQE of the shipped networks' outputs moves with the machine's float summation order.

The model card stores per-image PSNR / SSIM / NIQE of `lite-x4` and `lite-gan-x4` (x4, Set14 and B100, the papers'
protocol). A network's float output is rounded to 8 bits before any metric, so a different summation order (thread
count, memory layout, the CPU's vector ISA) flips a few pixels by one level; PSNR moves by ~1e-5 dB, but NIQE, whose
local-variance normalisation amplifies single-level changes in flat areas, moves by up to ~0.01. This script measures
that spread: each setting runs in a fresh process (the ISA is fixed when torch loads), evaluates both networks, and
compares every image with the card. From the repository root, with EDSR_MSA_DATA set:

    python bench/niqe_spread.py            # 11 min on a shared 2-core CPU; writes bench/niqe_spread.json

Settings: 1 and 2 threads x channels_last (the networks' default) and NCHW, plus two narrower ISAs at one thread,
channels_last (ATEN_CPU_CAPABILITY=default: ATen's scalar kernels; ONEDNN_MAX_CPU_ISA=SSE41: oneDNN's convolutions
without AVX). The card itself was measured on another CPU, so the deviation from the card includes one more machine.
"""
import argparse, json, os, subprocess, sys, time
from pathlib import Path

SETTINGS = [dict(threads=1, layout='channels_last'), dict(threads=2, layout='channels_last'),
            dict(threads=1, layout='nchw'), dict(threads=2, layout='nchw'),
            dict(threads=1, layout='channels_last', env={'ATEN_CPU_CAPABILITY': 'default'}),
            dict(threads=1, layout='channels_last', env={'ONEDNN_MAX_CPU_ISA': 'SSE41'})]
METHODS, SETS = ('lite-x4', 'lite-gan-x4'), ('Set14', 'B100')


def one(threads: int, layout: str) -> list:
    "Per-image rows of both networks under this process's setting."
    import torch
    from edsr_msa_nb.evaluate import evaluate_methods
    from edsr_msa_nb.inference import ModelMethod
    from edsr_msa_nb.model import from_pretrained
    torch.set_num_threads(threads)
    ms = []
    for name in METHODS:
        m = from_pretrained(name).eval()
        if layout == 'nchw': m = m.to(memory_format=torch.contiguous_format)
        ms.append(ModelMethod(m, name=name))
    res, _ = evaluate_methods(list(SETS), (4,), methods=ms, metrics=('psnr', 'ssim', 'niqe'), progress=False)
    return res.rows


def label(s: dict) -> str:
    return f"{s['threads']} thread{'s' * (s['threads'] > 1)}, {s['layout']}" + ''.join(f", {k}={v}" for k, v in s.get('env', {}).items())


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--one', help=argparse.SUPPRESS)   # internal: run one setting, print its rows as JSON
    ap.add_argument('--out', default=str(Path(__file__).with_name('niqe_spread.json')))
    a = ap.parse_args(argv)
    if a.one:
        s = json.loads(a.one); print(json.dumps(one(s['threads'], s['layout']))); return
    from edsr_msa_nb.card import load_card, machine_description
    card = {(r['method'], r['set'], r['image']): r for r in load_card()['perceptual']['results'] if r['set'] in SETS}
    runs, keys = [], None
    for s in SETTINGS:
        t0 = time.time()
        env = {**os.environ, 'OMP_NUM_THREADS': str(s['threads']), **s.get('env', {})}
        out = subprocess.run([sys.executable, __file__, '--one', json.dumps(s)], env=env, capture_output=True, text=True)
        if out.returncode: sys.exit(f"niqe_spread: setting {label(s)} failed:\n{out.stderr[-2000:]}")
        rows = {(r['method'], r['set'], r['image']): r for r in json.loads(out.stdout.splitlines()[-1])}
        keys = keys or sorted(rows)
        runs.append(dict(setting=s, label=label(s), seconds=round(time.time() - t0, 1),
                         niqe={'|'.join(k): rows[k]['niqe'] for k in keys}, psnr={'|'.join(k): rows[k]['psnr'] for k in keys}))
        print(f"{label(s)}: {time.time() - t0:.0f} s", flush=True)
    ks = ['|'.join(k) for k in keys]
    def worst(q, pairs):   # (max |diff| per image, max |diff| of a (method, set) mean)
        per_img = max(abs(a[q][k] - b[q][k]) for a, b in pairs for k in ks)
        groups = {tuple(k.split('|')[:2]) for k in ks}
        mean = lambda r, g: sum(r[q][k] for k in ks if tuple(k.split('|')[:2]) == g) / sum(tuple(k.split('|')[:2]) == g for k in ks)
        return per_img, max(abs(mean(a, g) - mean(b, g)) for a, b in pairs for g in groups)
    card_run = dict(niqe={'|'.join(k): card[k]['niqe'] for k in keys}, psnr={'|'.join(k): card[k]['psnr'] for k in keys})
    between = [(a, b) for i, a in enumerate(runs) for b in runs[i + 1:]]
    summary = dict(
        machine=machine_description(), images=len(ks),
        settings={r['label']: dict(zip(('niqe_image', 'niqe_mean'), worst('niqe', [(r, card_run)]))) |
                  dict(psnr_image=worst('psnr', [(r, card_run)])[0]) for r in runs},
        between_settings=dict(zip(('niqe_image', 'niqe_mean'), worst('niqe', between))),
        vs_card=dict(zip(('niqe_image', 'niqe_mean'), worst('niqe', [(r, card_run) for r in runs]))))
    Path(a.out).write_text(json.dumps(dict(summary=summary, runs=runs), indent=1) + '\n')
    print(f"| setting | max per-image |NIQE - card| | max |mean NIQE - card| | max per-image |PSNR - card| (dB) |\n|---|---|---|---|")
    for k, v in summary['settings'].items(): print(f"| {k} | {v['niqe_image']:.4f} | {v['niqe_mean']:.5f} | {v['psnr_image']:.1e} |")
    print(f"between settings on this machine: per image {summary['between_settings']['niqe_image']:.4f}, "
          f"mean {summary['between_settings']['niqe_mean']:.5f}; against the card: per image {summary['vs_card']['niqe_image']:.4f}, "
          f"mean {summary['vs_card']['niqe_mean']:.5f}  ({len(ks)} images; wrote {a.out})")


if __name__ == '__main__': main()
