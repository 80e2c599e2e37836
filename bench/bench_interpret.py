"""Interpretability cost on a 256 x 256 input, `lite` x2 (untrained weights: cost does not depend on them).

Side by side in one run:
- Grad-CAM: `edsr_msa_nb.interpret.grad_cam` vs the `grad-cam` package (same layers, same target).
- LAM: our batched path (10 steps per forward) vs a straight port of the paper's loop (one step per
  forward, numpy/scipy blur, as `X-Low-Level-Interpretation`'s `Path_gradient`), same DI.

    python bench/bench_interpret.py [--size 256] [--lam-size 96] [--threads 1] [--fold 50]

The LAM comparison runs on a smaller crop (`--lam-size`) because the reference loop is slow; our LAM is
also timed alone at `--size`.
"""
import argparse, time

import numpy as np
import torch
from scipy import ndimage

from edsr_msa_nb.core import image_to_tensor
from edsr_msa_nb.data import sample_images
from edsr_msa_nb.gradcam import SRTarget, default_cam_layers, grad_cam
from edsr_msa_nb.lam import diffusion_index, gaussian_kernel, lam
from edsr_msa_nb.model import edsr_msa


def paper_lam(model, x, box, sigma=1.2, fold=50, l=9):
    "The reference loop: blur path with scipy (reflect-101 borders), one forward+backward per step."
    img = x[0].numpy().astype(np.float64)
    sigmas = np.linspace(sigma, 0, fold + 1)
    ks = [gaussian_kernel(l, s).numpy() for s in sigmas]
    target = SRTarget('edge', box=box)
    acc = np.zeros_like(img)
    for i in range(fold):
        p = np.stack([ndimage.convolve(c, ks[i + 1], mode='mirror') for c in img])
        d = np.stack([ndimage.convolve(c, (ks[i + 1] - ks[i]) * fold, mode='mirror') for c in img])
        t = torch.from_numpy(p.astype(np.float32))[None].requires_grad_(True)
        target(model(t)).sum().backward()
        acc += np.nan_to_num(t.grad[0].numpy()) * d
    s = np.abs((acc / fold).sum(0))
    return diffusion_index(s / s.max())


def package_cam(model, x, target):
    from pytorch_grad_cam import GradCAM
    mods = dict(model.named_modules())
    with GradCAM(model=model, target_layers=[mods[n] for n in default_cam_layers(model)]) as cam:
        return cam(input_tensor=x, targets=[lambda out: target(out[None])[0]])


def timed(f, repeat=1):
    best = float('inf')
    for _ in range(repeat):
        t0 = time.perf_counter(); out = f(); best = min(best, time.perf_counter() - t0)
    return best, out


if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--size', type=int, default=256); ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--fold', type=int, default=50); ap.add_argument('--lam-size', type=int, default=96)
    a = ap.parse_args()
    torch.set_num_threads(a.threads); torch.manual_seed(0)
    model = edsr_msa('lite', 2).eval()
    x = image_to_tensor(sample_images()['astronaut'][::2, ::2][:a.size, :a.size])[None]
    box = (2 * a.size - 40, 2 * a.size - 80, 16, 16)
    target = SRTarget('edge', box=box)

    t_ours, ours = timed(lambda: grad_cam(model, x, target).lr_map[0].numpy(), repeat=3)
    t_pkg, pkg = timed(lambda: package_cam(model, x, target)[0], repeat=3)
    print(f"Grad-CAM {a.size}x{a.size}: ours {t_ours:.2f} s, grad-cam package {t_pkg:.2f} s, "
          f"ratio {t_pkg / t_ours:.2f}x, max |diff| {np.abs(ours - pkg).max():.1e}")

    xs, bs = x[..., :a.lam_size, :a.lam_size], (a.lam_size - 20, a.lam_size - 30, 16, 16)
    t_lam, r = timed(lambda: lam(model, xs, box=bs[:2], fold=a.fold))
    t_ref, di_ref = timed(lambda: paper_lam(model, xs, bs, fold=a.fold))
    print(f"LAM {a.lam_size}x{a.lam_size}, fold {a.fold}: ours (batched) {t_lam:.1f} s, paper loop {t_ref:.1f} s, "
          f"ratio {t_ref / t_lam:.2f}x, DI {r.di:.3f} vs {di_ref:.3f}, completeness {r.completeness:.3f}")
    t_big, rb = timed(lambda: lam(model, x, box=box[:2], fold=a.fold))
    print(f"LAM {a.size}x{a.size}, fold {a.fold}: ours {t_big:.1f} s, completeness {rb.completeness:.3f}")
    print(f"machine: {torch.get_num_threads()} CPU threads, torch {torch.__version__}")
