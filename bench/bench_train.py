"""Training throughput on CPU: steps/s of `Trainer.train_step` for `lite` and `baseline` in a pixel stage and a
GAN stage, side by side with a plain hand-written training step on the same model (the reference), and the
resumable data sampler's patches/s side by side with the data notebook's plain `train_loader` and with what
the training step consumes.

    python bench/bench_train.py [--steps 5] [--threads 2] [--batch 16] [--lr_patch 48] [--presets lite baseline]

Prints one markdown table per part (ratios included) to paste into bench/RESULTS.md.
"""
import argparse, os, tempfile, time
from pathlib import Path

import torch
from torch import nn

from edsr_msa_nb.data import SRPatchDataset, load_training_images, sample_images, train_loader
from edsr_msa_nb.losses import LossConfig
from edsr_msa_nb.model import edsr_msa, n_params
from edsr_msa_nb.train import Trainer
from edsr_msa_nb.train_config import StageConfig, TrainConfig
from edsr_msa_nb.train_step import SeededPatches, StepBatchSampler
from torch.utils.data import DataLoader


def timed(fn, steps, warmup=1):
    for _ in range(warmup): fn()
    t = time.perf_counter()
    for _ in range(steps): fn()
    return steps / (time.perf_counter() - t)


def plain_step_fn(model, batch, lr=2e-4):
    "The reference: forward, MSE, backward, Adam step; nothing else."
    opt = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.99))
    lr_b, hr_b = batch
    def step():
        opt.zero_grad(set_to_none=True)
        loss = nn.functional.mse_loss(model(lr_b), hr_b)
        loss.backward(); opt.step()
    return step


def split(spec):
    "'lite' -> ('lite', {}); 'lite:none' -> ('lite', {'attention': None})"
    name, _, att = spec.partition(':')
    return name, ({'attention': None if att == 'none' else att} if att else {})


def trainer_for(spec, stage, images, batch, lr_patch, out, channels_last=False):
    preset, over = split(spec)
    cfg = TrainConfig(model=preset, model_overrides=over, stages=[stage], batch_size=batch, lr_patch=lr_patch, ema=0.999,
                      val_data=None, device='cpu', num_workers=0, channels_last=channels_last)
    tr = Trainer(cfg, out, train_images=images, progress=False)
    tr.fit(until=0)                      # builds the stage (model, EMA, optimisers, discriminator), no step
    return tr


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--steps', type=int, default=3)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--lr_patch', type=int, default=48)
    ap.add_argument('--presets', nargs='+', default=['lite', 'lite:none', 'baseline'],
                    help="model presets; 'lite:none' = lite with attention=None")
    ap.add_argument('--gan', nargs='+', default=['lite', 'baseline'], help='presets also timed in the GAN stages')
    ap.add_argument('--scale', type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    print(f"torch {torch.__version__}, {a.threads} threads, os.cpu_count()={os.cpu_count()}, batch {a.batch}, "
          f"LR patch {a.lr_patch}, x{a.scale}, {a.steps} timed steps after 1 warm-up; 1/5/15-min load {os.getloadavg()}")
    images = load_training_images(['sample'], progress=False)
    torch.manual_seed(0)
    ds = SRPatchDataset(images[0], a.scale, lr_patch=a.lr_patch, names=images[1])
    batch = [torch.stack(t) for t in zip(*[ds[i % len(ds)] for i in range(a.batch)])]

    pixel = StageConfig('pixel', a.scale, 10**6)
    stages = {
        'GAN (L1 + RaGAN, patch D 64)': StageConfig('gan', a.scale, 10**6, LossConfig(pixel='l1', pixel_weight=1e-2,
                                                     adversarial_weight=5e-3), discriminator='patch', d_nf=64),
        'GAN (ESRGAN: + VGG19 conv5_4, random weights)': StageConfig('gan', a.scale, 10**6,
                                                     LossConfig.esrgan(vgg_weights=None), discriminator='patch', d_nf=64),
    }
    rows = []
    with tempfile.TemporaryDirectory() as d:
        for spec in a.presets:
            torch.manual_seed(0)
            preset, over = split(spec)
            ref_model = edsr_msa(preset, a.scale, **over).train()
            ref = timed(plain_step_fn(ref_model, batch), a.steps)
            runs = [('pixel (MSE)', pixel, False), ('pixel (MSE), channels_last', pixel, True)]
            if spec in a.gan: runs += [(k, v, False) for k, v in stages.items()]
            for name, st, cl in runs:
                tr = trainer_for(spec, st, images, a.batch, a.lr_patch, Path(d) / f"{preset}-{len(rows)}", cl)
                sps = timed(lambda: tr.train_step(*batch), a.steps)
                rows.append((spec, n_params(tr.model_raw), name, sps, ref))
                print(f"  {spec:10s} {name:48s} {sps:6.3f} steps/s  (plain step {ref:6.3f})", flush=True)
    print("\n| model | params | stage | Trainer steps/s | plain MSE step/s (reference) | ratio | patches/s consumed |")
    print("|---|---|---|---|---|---|---|")
    for preset, npar, name, sps, ref in rows:
        print(f"| {preset} x{a.scale} | {npar:,} | {name} | {sps:.3f} | {ref:.3f} | {sps / ref:.2f} | {sps * a.batch:.1f} |")

    # ---- the sampler ----------------------------------------------------------------------------
    n_batches = 40
    def loader_rate(make):
        dl = make(); it = iter(dl); next(it)          # start workers, first batch
        t = time.perf_counter()
        for _ in range(n_batches): next(it)
        r = n_batches * a.batch / (time.perf_counter() - t)
        del it, dl
        return r
    srows = []
    ds = SRPatchDataset(images[0], a.scale, lr_patch=a.lr_patch, names=images[1], repeat=1000)   # endless epochs
    for workers in (0, 1):
        plain = loader_rate(lambda: train_loader(ds, batch_size=a.batch, num_workers=workers, seed=0))
        ours = loader_rate(lambda: DataLoader(SeededPatches(ds), num_workers=workers, batch_sampler=StepBatchSampler(
            len(ds), a.batch, seed=0)))
        srows.append((workers, ours, plain))
    print(f"\n| sampler (LR {a.lr_patch}, x{a.scale}, batch {a.batch}) | workers | patches/s | plain `train_loader` patches/s (reference) | ratio |")
    print("|---|---|---|---|---|")
    for w, ours, plain in srows:
        print(f"| StepBatchSampler + SeededPatches | {w} | {ours:.0f} | {plain:.0f} | {ours / plain:.2f} |")
    fastest = max(r[3] for r in rows) * a.batch
    print(f"\nfastest training step consumes {fastest:.1f} patches/s; the sampler in the main process gives "
          f"{srows[0][1]:.0f} patches/s = {srows[0][1] / fastest:.0f}x that")


if __name__ == '__main__':
    main()
