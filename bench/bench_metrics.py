"""Benchmark: the bicubic x2/x3/x4 table (PSNR/SSIM under the papers' protocol) over folders of HR images,
computed by `edsr_msa_nb` (batched torch) and by an independent straightforward NumPy/scikit-image
implementation, in one run. Prints both tables, whether they agree, and the speed ratio.

    EDSR_MSA_DATA=/path/to/datasets python bench/bench_metrics.py [--data Set5 Set14] [--threads 2] [--repeat 3]
"""
import argparse, math, os, sys, time
from pathlib import Path

import numpy as np
from PIL import Image


# ---------------------------------------------------------------- the independent reference (NumPy + scikit-image)
def ref_contributions(n_in, n_out, scale):
    "MATLAB imresize.m `contributions` for the bicubic kernel, in NumPy."
    kernel_width = 4.0 / scale if scale < 1 else 4.0
    def cubic(x):
        ax = np.abs(x)
        return ((1.5 * ax**3 - 2.5 * ax**2 + 1) * (ax <= 1)
                + (-0.5 * ax**3 + 2.5 * ax**2 - 4 * ax + 2) * ((ax > 1) & (ax <= 2)))
    x = np.arange(1, n_out + 1)
    u = x / scale + 0.5 * (1 - 1 / scale)
    left = np.floor(u - kernel_width / 2)
    P = int(np.ceil(kernel_width)) + 2
    ind = left[:, None] + np.arange(P)[None, :]
    w = scale * cubic(scale * (u[:, None] - ind)) if scale < 1 else cubic(u[:, None] - ind)
    w = w / w.sum(axis=1, keepdims=True)
    aux = np.concatenate([np.arange(n_in), np.arange(n_in)[::-1]])
    ind = aux[np.mod(ind.astype(int) - 1, 2 * n_in)]
    keep = np.any(w != 0, axis=0)
    return w[:, keep], ind[:, keep]


def ref_imresize_uint8(img, scale):
    "MATLAB imresize(img, scale, 'bicubic') of a uint8 H x W x C image: rows then columns, uint8 after each pass."
    out = img.astype(np.float64)
    for axis in (0, 1):
        n_in = out.shape[axis]
        n_out = int(math.ceil(n_in * scale - 1e-9))
        w, ind = ref_contributions(n_in, n_out, scale)
        moved = np.moveaxis(out, axis, 0)
        res = np.zeros((n_out,) + moved.shape[1:])
        for k in range(w.shape[1]):
            res += w[:, k].reshape((-1,) + (1,) * (moved.ndim - 1)) * moved[ind[:, k]]
        out = np.moveaxis(np.clip(np.floor(res + 0.5), 0, 255), 0, axis)
    return out.astype(np.uint8)


def ref_table(folders, scales):
    from skimage.color import rgb2ycbcr
    from skimage.metrics import peak_signal_noise_ratio, structural_similarity
    rows = []
    for folder in folders:
        for s in scales:
            for p in sorted(Path(folder).glob('*.png')) + sorted(Path(folder).glob('*.bmp')):
                hr = np.asarray(Image.open(p))
                if hr.ndim == 2: hr = hr[..., None]
                hr = hr[:hr.shape[0] // s * s, :hr.shape[1] // s * s]
                lr = ref_imresize_uint8(hr, 1 / s)
                sr = ref_imresize_uint8(lr, s)
                if hr.shape[2] == 3: y_sr, y_hr = rgb2ycbcr(sr)[..., 0], rgb2ycbcr(hr)[..., 0]
                else: y_sr, y_hr = sr[..., 0].astype(np.float64), hr[..., 0].astype(np.float64)
                y_sr, y_hr = y_sr[s:-s, s:-s], y_hr[s:-s, s:-s]
                rows.append(dict(set=Path(folder).name, scale=s, image=p.stem,
                                 psnr=peak_signal_noise_ratio(y_hr, y_sr, data_range=255),
                                 ssim=structural_similarity(y_hr, y_sr, data_range=255, gaussian_weights=True,
                                                            sigma=1.5, use_sample_covariance=False)))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--data', nargs='+', default=['Set5', 'Set14'], help='dataset names or folders of HR images')
    ap.add_argument('--scales', nargs='+', type=int, default=[2, 3, 4])
    ap.add_argument('--threads', type=int, default=2, help='torch CPU threads')
    ap.add_argument('--repeat', type=int, default=3, help='timed runs of each (best is reported)')
    ap.add_argument('--device', default='cpu')
    args = ap.parse_args()

    import torch
    torch.set_num_threads(args.threads)
    from edsr_msa_nb.data import HRFolder, resolve_dataset
    from edsr_msa_nb.metrics import evaluate
    folders = [resolve_dataset(d) for d in args.data]

    def ours():
        sets = [HRFolder(f, scales=args.scales) for f in folders]     # fresh: decoding and LR making are timed too
        return evaluate('bicubic', sets, scales=args.scales, device=args.device, progress=False)

    ours(); ref_table(folders[:1], args.scales[:1])                    # warm up (imports, allocator)
    t_ours, t_ref = [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter(); res = ours(); t_ours.append(time.perf_counter() - t0)
        t0 = time.perf_counter(); ref = ref_table(folders, args.scales); t_ref.append(time.perf_counter() - t0)
    a = {(r['set'], r['scale'], r['image']): r for r in res.rows}
    b = {(r['set'], r['scale'], r['image']): r for r in ref}
    assert a.keys() == b.keys(), 'the two implementations saw different images'
    dp = max(abs(a[k]['psnr'] - b[k]['psnr']) for k in a)
    ds = max(abs(a[k]['ssim'] - b[k]['ssim']) for k in a)
    n = len(a)
    print(res.to_markdown(wide=True, digits=3))
    print(f"\n{n} image evaluations ({', '.join(str(f) for f in folders)}; scales {args.scales})")
    print(f"max |PSNR difference| {dp:.2e} dB, max |SSIM difference| {ds:.2e} -> "
          f"{'AGREE' if dp < 1e-6 and ds < 1e-6 else 'DISAGREE'}")
    print(f"edsr_msa_nb (torch, {args.threads} threads, {args.device}): {min(t_ours):.2f} s   "
          f"reference (NumPy + scikit-image): {min(t_ref):.2f} s   speed-up {min(t_ref) / min(t_ours):.1f}x")
    if not (dp < 1e-6 and ds < 1e-6): sys.exit(1)


if __name__ == '__main__':
    main()
