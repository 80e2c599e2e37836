"""What the real-world degradation costs in training, measured side by side in one process on the CPU.

    EDSR_MSA_DATA=/path/to/datasets python bench/bench_degrade.py [--repeats 20] [--threads 1]

1. a batch of `RealPatchDataset` items (crop + second-order degradation) against a batch of `SRPatchDataset`
   items (crop of precomputed bicubic LR), and against one `lite` x4 pixel training step (forward, L1, backward,
   Adam) on that batch: the issue's ratio is degradation time / training step time;
2. `filter2d` (reflect pad + FFT convolution) against a direct grouped `conv2d` of the same 21 x 21 kernel.
Alternating order, medians; writes bench/bench_degrade.json."""
import argparse, json, platform, statistics as st, time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument('--repeats', type=int, default=20)
p.add_argument('--threads', type=int, default=1)
p.add_argument('--batch', type=int, default=16)
p.add_argument('--lr_patch', type=int, default=32)
a = p.parse_args()
torch.set_num_threads(a.threads)

from edsr_msa_nb.data import SRPatchDataset, load_training_images
from edsr_msa_nb.degrade import RealPatchDataset, filter2d, shaped_kernel, pad_kernel
from edsr_msa_nb.model import from_pretrained

images, names = load_training_images(['T91', 'BSD200'], progress=False)
real = RealPatchDataset(images, 4, a.lr_patch, names=names, too_small='skip')
bic = SRPatchDataset(images, 4, lr_patch=a.lr_patch, names=names, too_small='skip')
model = from_pretrained('lite-x4').train().to(memory_format=torch.channels_last)
opt = torch.optim.Adam(model.parameters(), 1e-4)

def batch(ds, g):
    idx = torch.randint(0, len(ds), (a.batch,), generator=g).tolist()
    lr, hr = zip(*[ds[i] for i in idx]); return torch.stack(lr), torch.stack(hr)

def step(lr, hr):
    opt.zero_grad(set_to_none=True)
    loss = F.l1_loss(model(lr.contiguous(memory_format=torch.channels_last)), hr); loss.backward(); opt.step()

def timed(f):
    t = time.perf_counter(); r = f(); return time.perf_counter() - t, r

g = torch.Generator().manual_seed(0)
lr, hr = batch(real, g); step(lr, hr)                     # warm-up
t_real, t_bic, t_step = [], [], []
for i in range(a.repeats):
    for what in (('real', 'bic', 'step') if i % 2 == 0 else ('step', 'bic', 'real')):
        if what == 'real': t_real.append(timed(lambda: batch(real, g))[0])
        elif what == 'bic': t_bic.append(timed(lambda: batch(bic, g))[0])
        else: t_step.append(timed(lambda: step(lr, hr))[0])

img = np.random.default_rng(0).random((a.lr_patch * 4, a.lr_patch * 4, 3)).astype(np.float32)
k = pad_kernel(shaped_kernel(15, 2.0, 1.0, 0.5)).astype(np.float32)
w = torch.from_numpy(k).expand(3, 1, 21, 21).contiguous()
x = torch.from_numpy(img.transpose(2, 0, 1).copy())[None]
direct = lambda: F.conv2d(F.pad(x, (10, 10, 10, 10), mode='reflect'), w, groups=3)
np.testing.assert_allclose(direct()[0].numpy().transpose(1, 2, 0), filter2d(img, k), atol=1e-5)
t_fft, t_conv = [], []
for i in range(200):
    t_fft.append(timed(lambda: filter2d(img, k))[0]); t_conv.append(timed(direct)[0])

med = lambda v: st.median(v)
res = dict(machine=f"{platform.processor() or platform.machine()}, {torch.get_num_threads()} torch thread(s)", torch=torch.__version__,
           batch=a.batch, lr_patch=a.lr_patch, scale=4, repeats=a.repeats,
           real_batch_s=med(t_real), bicubic_batch_s=med(t_bic), train_step_s=med(t_step),
           degradation_over_step=(med(t_real) - med(t_bic)) / med(t_step), real_batch_over_step=med(t_real) / med(t_step),
           filter2d_fft_ms=med(t_fft) * 1e3, conv2d_direct_ms=med(t_conv) * 1e3, conv_over_fft=med(t_conv) / med(t_fft))
Path(__file__).with_name('bench_degrade.json').write_text(json.dumps(res, indent=1) + '\n')
print(json.dumps(res, indent=1))
