"""Cost of each registered attention kind inside the `lite` model (issue 14): parameters, FLOPs at a 48x48 LR
input (`model_report`, i.e. PyTorch's FlopCounterMode), and the time of a training step on CPU.

For every kind in `edsr_msa_nb.attention.ATTENTION` and for `attention=None`, the `lite` preset at x2 is built
with that attention (same placement: after every 2nd of its 8 blocks). Forward+backward (train mode, L1 loss)
on a batch of LR patches is timed in interleaved rounds and the fastest round is kept (`bench_model.bench`), so
that load from other processes hits all kinds alike. Prints a markdown table; `--json` also writes it.

    python bench/bench_attention.py --threads 1                  # batch 16, 48x48, 5 rounds
    python bench/bench_attention.py --threads 1 --json bench/study/attention_cost.json
"""
import argparse, json, platform
from pathlib import Path

import torch

from bench_model import bench
from edsr_msa_nb.attention import ATTENTION
from edsr_msa_nb.model import edsr_msa, model_report


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--kinds', nargs='+', default=['none', *ATTENTION], help="registered names, or 'none'")
    ap.add_argument('--scale', type=int, default=2)
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--size', type=int, default=48)
    ap.add_argument('--rounds', type=int, default=5)
    ap.add_argument('--threads', type=int, default=torch.get_num_threads())
    ap.add_argument('--json', type=str, default=None, help='also write the rows to this JSON file')
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    print(f"# torch {torch.__version__}, {platform.processor() or platform.machine()}, threads={torch.get_num_threads()}, "
          f"lite x{args.scale}, batch {args.batch}, LR {args.size}x{args.size}, fastest of {args.rounds} rounds", flush=True)
    models, reports = {}, {}
    for kind in args.kinds:
        torch.manual_seed(0)
        m = edsr_msa('lite', args.scale, attention=None if kind == 'none' else kind)
        models[kind] = m
        reports[kind] = model_report(m.eval(), (args.size, args.size))
    x = torch.rand(args.batch, 3, args.size, args.size, generator=torch.Generator().manual_seed(0))
    y = torch.rand(args.batch, 3, args.size * args.scale, args.size * args.scale, generator=torch.Generator().manual_seed(1))
    t = bench(models, x, y, backward=True, rounds=args.rounds)
    base = 'none' if 'none' in t else args.kinds[0]
    rows = [{'attention': k, 'params': r['params'], 'attention_params': r['attention_params'],
             'gflops_48x48': r['gflops'], 'flops_vs_none': r['gflops'] / reports[base]['gflops'],
             'step_s': t[k], 'step_vs_none': t[k] / t[base], 'steps_per_s': 1 / t[k]} for k, r in reports.items()]
    print(f"\n| attention | parameters | of which attention | GFLOPs (48x48 LR, fwd) | FLOPs vs None | "
          f"fwd+bwd s/step (batch {args.batch}) | time vs None |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['attention']} | {r['params']:,} | {r['attention_params']:,} | {r['gflops_48x48']:.3f} | "
              f"{r['flops_vs_none']:.3f} | {r['step_s']:.3f} | {r['step_vs_none']:.2f} |")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(),
                                               'batch': args.batch, 'size': args.size, 'rounds': args.rounds,
                                               'rows': rows}, indent=1) + '\n')
    return rows


if __name__ == '__main__':
    main()
