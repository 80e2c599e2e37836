"""Benchmark: NIQE (Mittal, Soundararajan & Bovik, IEEE SPL 2013) of the Set14 HR images, computed by
`edsr_msa_nb.metrics.niqe` (torch, float64, block features vectorised) and by an independent straightforward
NumPy/SciPy implementation written here from the paper and the MATLAB release (a loop over blocks, SciPy's
`ndimage.convolve`, a NumPy port of MATLAB's bicubic `imresize`), in one run. Prints both, whether they agree,
and the speed ratio.

    EDSR_MSA_DATA=<folder with Set14> python bench/bench_niqe.py [--data Set14] [--threads 1] [--repeat 3]
"""
import argparse, math, sys, time
from pathlib import Path

import numpy as np
from PIL import Image
from scipy.ndimage import convolve
from scipy.special import gamma


# ---------------------------------------------------------------- the independent reference (NumPy + SciPy)
def ref_imresize_half(img):
    "MATLAB imresize(img, 0.5, 'bicubic') of a float H x W image (antialiased Keys cubic, symmetric padding)."
    def weights(n_in):
        scale, n_out = 0.5, int(math.ceil(n_in * 0.5))
        kw = 4.0 / scale
        x = np.arange(1, n_out + 1)
        u = x / scale + 0.5 * (1 - 1 / scale)
        left = np.floor(u - kw / 2)
        ind = left[:, None] + np.arange(int(np.ceil(kw)) + 2)[None, :]
        d = np.abs(scale * (u[:, None] - ind))
        w = scale * ((1.5 * d**3 - 2.5 * d**2 + 1) * (d <= 1) + (-0.5 * d**3 + 2.5 * d**2 - 4 * d + 2) * ((d > 1) & (d <= 2)))
        w = w / w.sum(1, keepdims=True)
        aux = np.concatenate([np.arange(n_in), np.arange(n_in)[::-1]])
        return w, aux[np.mod(ind.astype(int) - 1, 2 * n_in)]
    w, ind = weights(img.shape[0])
    out = np.einsum('ok,okw->ow', w, img[ind])                       # rows first (equal scales: MATLAB's order)
    w, ind = weights(out.shape[1])
    return np.einsum('ok,hok->ho', w, out[:, ind])


GAM = np.arange(0.2, 10.001, 0.001)                                    # the release's grid 0.2:0.001:10
R_GAM = gamma(2 / GAM) ** 2 / (gamma(1 / GAM) * gamma(3 / GAM))


def ref_aggd(v):
    "estimateaggdparam.m: (alpha, beta_left, beta_right) by moment matching on the gamma grid."
    v = v.ravel()
    left, right = np.sqrt(np.mean(v[v < 0] ** 2)), np.sqrt(np.mean(v[v > 0] ** 2))
    gh = left / right
    rhat = np.mean(np.abs(v)) ** 2 / np.mean(v ** 2)
    rn = rhat * (gh ** 3 + 1) * (gh + 1) / (gh ** 2 + 1) ** 2
    a = GAM[np.argmin((R_GAM - rn) ** 2)]
    c = np.sqrt(gamma(1 / a) / gamma(3 / a))
    return a, left * c, right * c


def ref_block_features(b):
    "computefeature.m: 18 numbers per block (GGD of the MSCN, AGGD of 4 pairwise products)."
    a, bl, br = ref_aggd(b)
    f = [a, (bl + br) / 2]
    for sh in ((0, 1), (1, 0), (1, 1), (1, -1)):
        a, bl, br = ref_aggd(b * np.roll(b, sh, axis=(0, 1)))
        f += [a, (br - bl) * gamma(2 / a) / gamma(1 / a), bl, br]
    return f


def ref_niqe(y, mu_p, cov_p, window, bs=96):
    "niqe.m on a luma image (float, [0, 255]): features of 96 x 96 blocks at two scales, distance to the pristine MVG."
    nh, nw = y.shape[0] // bs, y.shape[1] // bs
    img = y[:nh * bs, :nw * bs]
    feats = []
    for scale in (1, 2):
        mu = convolve(img, window, mode='nearest')
        sigma = np.sqrt(np.abs(convolve(img * img, window, mode='nearest') - mu * mu))
        d = img - mu
        d[np.abs(d) < 1e-9] = 0                                       # flat 7 x 7 neighbourhoods: exactly 0, not +-1e-13
        mscn = d / (sigma + 1)
        s = bs // scale
        feats.append(np.array([ref_block_features(mscn[i * s:(i + 1) * s, j * s:(j + 1) * s])
                               for j in range(nw) for i in range(nh)]))
        img = ref_imresize_half(img)
    d = np.concatenate(feats, 1)
    mu_d = np.nanmean(d, 0)
    cov_d = np.cov(d[~np.isnan(d).any(1)], rowvar=False)
    diff = mu_p.ravel() - mu_d
    return float(np.sqrt(diff @ np.linalg.pinv((cov_p + cov_d) / 2) @ diff))


def ref_luma(rgb):
    "Y of MATLAB rgb2ycbcr on uint8 (rounded to uint8 as MATLAB returns it); one channel passes through."
    x = rgb.astype(np.float64)
    if x.ndim == 2: return x
    return np.floor(16 + (65.481 * x[..., 0] + 128.553 * x[..., 1] + 24.966 * x[..., 2]) / 255 + 0.5)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--data', default='Set14', help='dataset name or folder of HR images')
    ap.add_argument('--threads', type=int, default=1, help='torch CPU threads')
    ap.add_argument('--repeat', type=int, default=3, help='timed runs of each (best is reported)')
    args = ap.parse_args()

    import torch
    torch.set_num_threads(args.threads)
    from edsr_msa_nb.data import resolve_dataset
    from edsr_msa_nb.metrics import niqe, niqe_pristine_params
    paths = sorted(Path(resolve_dataset(args.data)).glob('*.png'))
    imgs = [np.asarray(Image.open(p).convert('RGB')) for p in paths]
    prm = {k: v.numpy() for k, v in niqe_pristine_params().items()}

    def ours(): return [niqe(im) for im in imgs]
    def ref(): return [ref_niqe(ref_luma(im), prm['mu'], prm['cov'], prm['window']) for im in imgs]

    ours(); ref_niqe(ref_luma(imgs[0]), prm['mu'], prm['cov'], prm['window'])   # warm up
    t_ours, t_ref = [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter(); a = ours(); t_ours.append(time.perf_counter() - t0)
        t0 = time.perf_counter(); b = ref(); t_ref.append(time.perf_counter() - t0)
    for p, x, y in zip(paths, a, b): print(f"{p.stem:>12}: {x:.6f} {y:.6f}")
    diff = max(abs(x - y) for x, y in zip(a, b))
    print(f"\n{len(imgs)} images of {args.data}: mean NIQE {np.mean(a):.4f} (edsr_msa_nb) {np.mean(b):.4f} (reference)")
    print(f"max |difference| {diff:.2e} -> {'AGREE' if diff < 1e-6 else 'DISAGREE'}")
    print(f"edsr_msa_nb (torch, {args.threads} threads): {min(t_ours):.2f} s   reference (NumPy + SciPy): "
          f"{min(t_ref):.2f} s   speed-up {min(t_ref) / min(t_ours):.1f}x")
    if diff >= 1e-6: sys.exit(1)


if __name__ == '__main__':
    main()
