"""Benchmark: training-patch throughput of `SRPatchDataset` + `train_loader` (patches/s), side by side with a
straightforward sampler that decodes nothing but keeps float32 copies and crops/augments with torch ops
(the usual "list of float tensors" approach), in one run. Both draw aligned x`scale` patches of 48x48 LR.

    EDSR_MSA_DATA=/path/to/datasets python bench/bench_data.py [--data T91] [--workers 0 2] [--batches 50]
"""
import argparse, os, time

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset


class NaiveFloatPatches(Dataset):
    "Reference: float32 HR/LR tensors in memory, random crop + flips/rot90 with torch ops."
    def __init__(self, hrs, lrs, scale, p=48, repeat=1):
        self.hr = [torch.from_numpy(h).permute(2, 0, 1).float() / 255 for h in hrs]
        self.lr = [torch.from_numpy(l).permute(2, 0, 1).float() / 255 for l in lrs]
        self.s, self.p, self.repeat = scale, p, repeat
    def __len__(self): return len(self.hr) * self.repeat
    def __getitem__(self, i):
        k = i % len(self.hr); lr, hr, p, s = self.lr[k], self.hr[k], self.p, self.s
        y = int(torch.randint(0, lr.shape[1] - p + 1, ())); x = int(torch.randint(0, lr.shape[2] - p + 1, ()))
        a, b = lr[:, y:y + p, x:x + p], hr[:, y * s:(y + p) * s, x * s:(x + p) * s]
        if torch.rand(()) < .5: a, b = a.flip(-1), b.flip(-1)
        if torch.rand(()) < .5: a, b = a.flip(-2), b.flip(-2)
        if torch.rand(()) < .5: a, b = a.transpose(-1, -2), b.transpose(-1, -2)
        return a.contiguous(), b.contiguous()


def rate(ds, workers, batches, batch_size=16):
    from edsr_msa_nb.data import train_loader
    dl = train_loader(ds, batch_size=batch_size, num_workers=workers, seed=0)
    it = iter(dl); next(it)                                   # start workers, warm up
    n, t0 = 0, time.perf_counter()
    for _ in range(batches):
        try: lr, hr = next(it)
        except StopIteration: it = iter(dl); lr, hr = next(it)
        n += lr.shape[0]
    dt = time.perf_counter() - t0
    del it, dl
    return n / dt


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--data', default=None, help='dataset name or folder (default: T91 under EDSR_MSA_DATA, else the sample images)')
    ap.add_argument('--scale', type=int, default=2)
    ap.add_argument('--workers', nargs='+', type=int, default=[0, 2])
    ap.add_argument('--batches', type=int, default=50)
    args = ap.parse_args()
    torch.set_num_threads(1)
    from edsr_msa_nb.data import SRPatchDataset, sample_images, data_root
    data = args.data or ('T91' if data_root() is not None and (data_root() / 'T91').is_dir() else None)
    t0 = time.perf_counter()
    if data is None:
        ims = sample_images(); ds = SRPatchDataset(list(ims.values()), args.scale, repeat=100, names=list(ims))
    else:
        from edsr_msa_nb.data import resolve_dataset, image_paths
        folder = resolve_dataset(data) if not os.path.isdir(data) else data
        ds = SRPatchDataset(folder, args.scale, repeat=20, too_small='skip')
    prep = time.perf_counter() - t0
    mem = sum(a.nbytes for a in ds.hr + ds.lr)
    ref = NaiveFloatPatches(ds.hr, ds.lr, args.scale, repeat=ds.repeat)
    ref_mem = sum(t.numel() * 4 for t in ref.hr + ref.lr)
    print(f"{len(ds.hr)} images ({data or 'sample_images'}), x{args.scale}, LR patch 48, batch 16; decode + LR making {prep:.1f} s")
    print(f"images in memory: uint8 {mem / 2**20:.0f} MiB (reference float32: {ref_mem / 2**20:.0f} MiB)")
    for w in args.workers:
        ours, naive = rate(ds, w, args.batches), rate(ref, w, args.batches)
        print(f"num_workers={w}: SRPatchDataset {ours:,.0f} patches/s, float-tensor reference {naive:,.0f} patches/s, ratio {ours / naive:.2f}")


if __name__ == '__main__':
    main()
