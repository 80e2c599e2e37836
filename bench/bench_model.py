"""Throughput of the project's EDSR-MSA presets on CPU, side by side in one run:

- `ref`  : a plain EDSR written here from the paper (no project code), same configuration;
- `none` : the project's `EDSRMSA` with `attention=None` (must match `ref`: ratio >= 0.95);
  (all three in NCHW layout; with --channels-last also `ref+cl`, `none+cl`, `msa+cl` in channels_last,
   the project's default layout)
- `msa`  : the project's model with Multi-Scale Attention (its cost is the ratio msa / none): the preset's
           own MSA placement for 'lite' and 'msa', else MSA after every 4th block (for 'baseline' that is
           exactly the 'msa' preset).

Forward (eval, no grad) and forward+backward (train mode, L1 loss) on LR patches of 48x48, batch 16
(the 'large' preset uses a smaller batch so that the whole run stays within a few minutes on 2 cores).
Variants are timed in interleaved rounds and the fastest round is kept, so that load from other processes
hits all variants alike.

    python bench/bench_model.py                       # all presets
    python bench/bench_model.py --presets lite --channels-last --compile
"""
import argparse, copy, platform, time

import torch
import torch.nn.functional as F
from torch import nn

from edsr_msa_nb.model import PRESETS, edsr_msa, n_params


# ---------------------------------------------------------------- hand-written reference (no project code)
class RefResBlock(nn.Module):
    def __init__(self, c, res_scale):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(c, c, 3, padding=1), nn.ReLU(True), nn.Conv2d(c, c, 3, padding=1))
        self.res_scale = res_scale

    def forward(self, x):
        return x + self.body(x) * self.res_scale


class RefEDSR(nn.Module):
    "EDSR (Lim et al. 2017) as in the official code, with an optional bicubic global skip."
    def __init__(self, scale, n_resblocks, n_feats, res_scale, global_skip=None):
        super().__init__()
        self.scale, self.global_skip = scale, global_skip
        self.register_buffer('mean', torch.tensor([0.4488, 0.4371, 0.4040]).view(1, 3, 1, 1))
        self.head = nn.Sequential(nn.Conv2d(3, n_feats, 3, padding=1))
        self.body = nn.Sequential(*[RefResBlock(n_feats, res_scale) for _ in range(n_resblocks)],
                                  nn.Conv2d(n_feats, n_feats, 3, padding=1))
        up = []
        if scale == 3: up += [nn.Conv2d(n_feats, 9 * n_feats, 3, padding=1), nn.PixelShuffle(3)]
        else:
            for _ in range({2: 1, 4: 2, 8: 3}[scale]): up += [nn.Conv2d(n_feats, 4 * n_feats, 3, padding=1), nn.PixelShuffle(2)]
        self.tail = nn.Sequential(nn.Sequential(*up), nn.Conv2d(n_feats, 3, 3, padding=1))

    def forward(self, x):
        inp = x
        x = self.head(x - self.mean)
        x = self.tail(self.body(x) + x)
        if self.global_skip == 'bicubic':
            return x + F.interpolate(inp, scale_factor=self.scale, mode='bicubic', align_corners=False)
        return x + self.mean


# ---------------------------------------------------------------- timing
def step_fn(model, x, y, backward):
    if backward:
        def step():
            model.zero_grad(set_to_none=True)
            F.l1_loss(model(x), y).backward()
    else:
        def step():
            with torch.no_grad(): model(x)
    return step


def bench(variants: dict, x, y, backward: bool, rounds: int) -> dict:
    """Fastest seconds per step of each variant over interleaved rounds, after one warm-up step each.

    The minimum, not the median: on a shared machine other processes only ever add time, so the fastest
    round is the best estimate of each variant's own cost (as `timeit` recommends)."""
    steps = {}
    for k, m in variants.items():
        m.train(backward)
        xk = x.contiguous(memory_format=torch.channels_last) if k.endswith('+cl') else x
        steps[k] = step_fn(m, xk, y, backward)
        steps[k]()  # warm-up (and compilation, if any)
    times = {k: [] for k in variants}
    for _ in range(rounds):
        for k, s in steps.items():
            t0 = time.perf_counter(); s(); times[k].append(time.perf_counter() - t0)
    return {k: min(v) for k, v in times.items()}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--presets', nargs='+', default=['lite', 'baseline', 'large'])
    ap.add_argument('--scale', type=int, default=2)
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--size', type=int, default=48)
    ap.add_argument('--rounds', type=int, default=None, help='timed rounds per variant (default: lite 5, baseline 3, large 2)')
    ap.add_argument('--large-batch', type=int, default=2)
    ap.add_argument('--threads', type=int, default=torch.get_num_threads())
    ap.add_argument('--channels-last', action='store_true', help='also time channels_last copies of each variant')
    ap.add_argument('--compile', action='store_true', help='also time torch.compile of the project variants')
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    print(f"# torch {torch.__version__}, {platform.processor() or platform.machine()}, threads={torch.get_num_threads()}, "
          f"scale x{args.scale}, LR {args.size}x{args.size}")
    rows = []
    for preset in args.presets:
        batch = args.large_batch if preset == 'large' else args.batch
        rounds = args.rounds or {'lite': 5, 'large': 2}.get(preset, 3)
        torch.manual_seed(0)
        none = edsr_msa(preset, args.scale, attention=None)
        c = none.config
        ref = RefEDSR(c.scale, c.n_resblocks, c.n_feats, c.res_scale, c.global_skip)
        assert n_params(ref) == n_params(none), (n_params(ref), n_params(none))
        # same weights -> same function: the reference checks the project's forward, not only its size
        missing = ref.load_state_dict({k: v for k, v in none.state_dict().items() if not k.endswith('_mean.shift')}, strict=False)
        assert missing.unexpected_keys == [] and missing.missing_keys == ['mean'], missing
        msa_kw = {} if PRESETS[preset].get('attention') == 'msa' else dict(attention='msa', attention_every=4)
        msa = edsr_msa(preset, args.scale, **msa_kw)
        x = torch.rand(batch, 3, args.size, args.size, generator=torch.Generator().manual_seed(0))
        y = torch.rand(batch, 3, args.size * args.scale, args.size * args.scale, generator=torch.Generator().manual_seed(1))
        with torch.no_grad(): assert torch.allclose(ref.eval()(x[:1]), none.eval()(x[:1]), atol=1e-5)
        # the project's models default to channels_last; time every variant in both layouts, like for like
        variants = {k: v.to(memory_format=torch.contiguous_format) for k, v in (('ref', ref), ('none', none), ('msa', msa))}
        if args.channels_last:
            for k in list(variants): variants[k + '+cl'] = copy.deepcopy(variants[k]).to(memory_format=torch.channels_last)
        if args.compile:
            for k in ('none', 'msa'): variants[k + '+compile'] = torch.compile(variants[k])
        for backward in (False, True):
            t = bench(variants, x, y, backward, rounds)
            mode = 'fwd+bwd' if backward else 'fwd'
            row = {'preset': preset, 'mode': mode, 'batch': batch,
                   **{k: batch / v for k, v in t.items()}}
            rows.append(row)
            extra = ''.join(f", {k} {row[k]:.3g}" for k in variants if k not in ('ref', 'none', 'msa'))
            if 'none+cl' in row: extra += f" | none+cl/ref+cl {row['none+cl'] / row['ref+cl']:.3f}, msa+cl/none+cl {row['msa+cl'] / row['none+cl']:.3f}"
            print(f"{preset:9s} {mode:8s} batch {batch:2d}: patches/s ref {row['ref']:.3g}, none {row['none']:.3g}, "
                  f"msa {row['msa']:.3g} | none/ref {row['none'] / row['ref']:.3f}, msa/none {row['msa'] / row['none']:.3f}{extra}",
                  flush=True)
    extra = [k for k in rows[0] if '+' in k]
    print("\n| preset | mode | batch | ref EDSR (patches/s) | project, attention=None | project, MSA | none/ref | msa/none |"
          + ''.join(f" {k} |" for k in extra))
    print("|---|---|---:|---:|---:|---:|---:|---:|" + "---:|" * len(extra))
    for r in rows:
        print(f"| {r['preset']} | {r['mode']} | {r['batch']} | {r['ref']:.3g} | {r['none']:.3g} | {r['msa']:.3g} | "
              f"{r['none'] / r['ref']:.3f} | {r['msa'] / r['none']:.3f} |" + ''.join(f" {r[k]:.3g} |" for k in extra))
    return rows


if __name__ == '__main__':
    main()
