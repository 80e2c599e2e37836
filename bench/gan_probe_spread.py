"""Run-to-run spread of `train.gan_probe`, the check that a short GAN stage learns (nbs/10_train.ipynb).

A 40-step GAN run from `lite-x4` is not one deterministic number: seeds, thread counts and CPU kernels change it.
The chapter's thresholds (discriminator AUROC >= 0.6, high-frequency gain >= 1.1) must sit between what a working
GAN stage gives and what a broken one gives, with room on both sides. This script measures both:
- the probe as the chapter runs it, for seeds 0-4 on one thread and seeds 0 and 3 on two threads;
- the regression: the same runs with the adversarial weight 1e-9 (the generator step ignores the discriminator);
- untrained discriminators (six initialisations) on the same patches: what AUROC chance looks like.
Each run is a fresh process (its thread count fixed before torch starts). From the repository root, with
EDSR_MSA_DATA set:

    python bench/gan_probe_spread.py        # 25 min on a shared 2-core CPU; writes bench/gan_probe_spread.json
"""
import argparse, json, os, subprocess, sys, time
from pathlib import Path

RUNS = ([dict(seed=s, threads=1, adversarial_weight=0.1) for s in range(5)] +
        [dict(seed=s, threads=2, adversarial_weight=0.1) for s in (0, 3)] +
        [dict(seed=s, threads=1, adversarial_weight=1e-9) for s in (0, 3)])


def one(r: dict) -> dict:
    import torch
    from edsr_msa_nb.model import WEIGHTS_DIR
    from edsr_msa_nb.train import gan_probe
    torch.set_num_threads(r['threads'])
    t0 = time.time()
    p = gan_probe(WEIGHTS_DIR / 'lite-x4.pt', seed=r['seed'], adversarial_weight=r['adversarial_weight'])
    return dict(**r, auroc=p.auroc, hf_hr=p.hf_hr, hf_start=p.hf_start, hf_gan=p.hf_gan, hf_gain=p.hf_gain, seconds=round(time.time() - t0, 1))


def untrained(n: int = 6) -> list:
    "AUROC of untrained patch discriminators (the probe's architecture) on the probe's patches."
    import torch
    from edsr_msa_nb.losses import discriminator
    from edsr_msa_nb.model import from_pretrained
    from edsr_msa_nb.train import probe_patches
    torch.set_num_threads(1)
    lr, hr = probe_patches('Set14', 4, 24)
    out = []
    with torch.no_grad():
        sr = from_pretrained('lite-x4').eval()(lr).clamp(0, 1)
        for s in range(n):
            torch.manual_seed(s); d = discriminator('patch', nf=32).eval()
            real, fake = d(hr).flatten(1).mean(1), d(sr).flatten(1).mean(1)
            out.append((real[:, None] > fake[None, :]).float().mean().item())
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--one', help=argparse.SUPPRESS)
    ap.add_argument('--out', default=str(Path(__file__).with_name('gan_probe_spread.json')))
    a = ap.parse_args(argv)
    if a.one: print(json.dumps(one(json.loads(a.one)))); return
    from edsr_msa_nb.card import machine_description
    rows = []
    for r in RUNS:
        env = {**os.environ, 'OMP_NUM_THREADS': str(r['threads'])}
        p = subprocess.run([sys.executable, __file__, '--one', json.dumps(r)], env=env, capture_output=True, text=True)
        if p.returncode: sys.exit(f"gan_probe_spread: run {r} failed:\n{p.stderr[-2000:]}")
        rows.append(json.loads(p.stdout.splitlines()[-1])); print(rows[-1], flush=True)
    gan, off = [r for r in rows if r['adversarial_weight'] == 0.1], [r for r in rows if r['adversarial_weight'] < 0.1]
    rng = lambda xs: [min(xs), max(xs)]
    summary = dict(machine=machine_description(), gan_auroc=rng([r['auroc'] for r in gan]), gan_gain=rng([r['hf_gain'] for r in gan]),
                   off_auroc=rng([r['auroc'] for r in off]), off_gain=rng([r['hf_gain'] for r in off]),
                   untrained_auroc=rng(untrained()), seconds_per_run=rng([r['seconds'] for r in rows]))
    Path(a.out).write_text(json.dumps(dict(summary=summary, runs=rows), indent=1) + '\n')
    print(json.dumps(summary, indent=1))


if __name__ == '__main__': main()
