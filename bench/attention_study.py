"""Attention study (issue 14): train `lite` with each attention kind and without attention using the project's own
command `edsr_msa_train`, with everything else equal (data T91 + BSD200, the `psnr` preset's recipe at x2, steps,
seed), then score every run on Set5, Set14 and B100 at x2 and compare each kind with `attention=None`, image by
image (paired differences, bootstrap 95% interval of their mean).

A variant is a registered attention name (`edsr_msa_nb.attention.ATTENTION`) or `none`, optionally with
`-wNN` for NN features instead of `lite`'s 32: `none-w33` is the plain network given back the parameter budget
of an attention kind through its width (208,332 parameters; ESA's `lite` has 207,811, MSA's 213,795).

Training runs go to RUNS/x2-s{steps}-seed{seed}/{variant} (outside the repository: checkpoints are large); x4
runs (`--scale 4 --init-runs RUNS/x2-s...-seedN`) start from each variant's final x2 weights, as the shipped
progressive recipe does, and go to RUNS/x4-s{steps}-seed{seed}-from-x2-s...-seedN/{variant}. Each
is resumed with `--resume` if it stopped, and skipped if finished. Scores go to OUT (committed data):
`scores.csv` (per image), `scores.json` (per image, the set means and the comparison with None, with steps,
seed and training time), and `study.md` (the tables). The data location comes from $EDSR_MSA_DATA.

    python bench/attention_study.py --variants none esa pa msa --steps 1000 \
        --runs RUNS_FOLDER --out bench/study/pilot-x2-1000
    python bench/attention_study.py --variants none esa pa msa --scale 4 --steps 500 \
        --init-runs RUNS_FOLDER/x2-s1000-seed0 --runs RUNS_FOLDER --out bench/study/pilot-x4-500
    python bench/attention_study.py ... --score-only      # rescore what has finished, train nothing
    python bench/attention_study.py --compare-seeds bench/study/pilot-x2-200 bench/study/pilot-x2-200-seed1
    python bench/attention_study.py --summarize bench/study/pilot-x2-200 bench/study/pilot-x2-200-seed1 bench/study/pilot-x2-200-seed2
    python bench/attention_study.py --merge OUT_A OUT_B --out OUT      # variants of one seed trained in parallel
"""
import argparse, csv, json, os, re, shutil, subprocess, sys, time
from pathlib import Path

import numpy as np
import torch

SETS = ('Set5', 'Set14', 'B100')
def weights(run: Path, scale: int) -> Path:
    "The EMA weights at the end of the run's single stage."
    return run / 'weights' / f'stage1-pixel-x{scale}-last.pt'


def parse_variant(v: str) -> dict:
    "'esa' -> {'attention': 'esa'}; 'none-w33' -> {'attention': None, 'n_feats': 33} (names parsed by `study.parse_variant`)."
    from edsr_msa_nb.attention import ATTENTION
    from edsr_msa_nb.study import parse_variant as parse
    try: kind, width = parse(v)
    except ValueError as e: raise SystemExit(str(e))
    if kind != 'none' and kind not in ATTENTION: raise SystemExit(f"variant {v!r}: expected none or one of {sorted(ATTENTION)}, optionally with -wNN (width)")
    return {'attention': None if kind == 'none' else kind, **({'n_feats': width} if width else {})}


def train(variant: str, run: Path, args) -> dict:
    "Train (or resume, or skip if finished) one variant with `edsr_msa_train`; its summary.json."
    summary = run / 'summary.json'
    if summary.is_file() and json.loads(summary.read_text()).get('finished'): return json.loads(summary.read_text())
    exe = shutil.which('edsr_msa_train') or str(Path(sys.executable).parent / 'edsr_msa_train')
    common = ['--threads', '1', '--workers', '0', '--quiet', '--out', str(run)]
    if (run / 'last.pt').is_file(): cmd = [exe, '--resume', *common]
    else:
        run.mkdir(parents=True, exist_ok=True)
        # model overrides through --config: it takes any registered kind and a width
        (run / 'study_overrides.json').write_text(json.dumps({'model_overrides': parse_variant(variant)}))
        init = ['--init', str(weights(Path(args.init_runs) / variant, 2))] if args.scale != 2 else []
        cmd = [exe, '--preset', 'psnr', '--scales', str(args.scale), '--steps', str(args.steps), *init, '--data', 'T91', 'BSD200',
               '--val', 'none', '--seed', str(args.seed), '--save_every', '100', '--config', str(run / 'study_overrides.json'),
               *common]
    print(time.strftime('%H:%M:%S', time.gmtime()), 'UTC:', ' '.join(cmd[1:]), flush=True)
    subprocess.run(cmd, check=True, env={**os.environ, 'OMP_NUM_THREADS': '1'})
    return json.loads(summary.read_text())


def score(variant: str, run: Path, sets=SETS, scale: int = 2) -> list:
    "Per-image PSNR/SSIM (papers' protocol: Y channel, border = scale) of the run's final weights at `scale`."
    from edsr_msa_nb.evaluate import evaluate_methods
    from edsr_msa_nb.model import load_weights
    model = load_weights(weights(run, scale))
    res, _ = evaluate_methods(list(sets), (scale,), [model], progress=False)
    return [{**r, 'method': variant} for r in res.rows]


def paired(rows: list, variant: str, sets=SETS, base: str = 'none', n_boot: int = 10000, seed: int = 0) -> dict:
    "Mean of per-image PSNR differences variant - base per set and over all images, with a bootstrap 95% interval (`study.paired_effect`)."
    from edsr_msa_nb.study import paired_effect
    psnr = {(r['method'], r['set'], r['image']): r['psnr'] for r in rows}
    out = {}
    for s in (*sets, 'all'):
        keys = sorted(k[1:] for k in psnr if k[0] == base and (s == 'all' or k[1] == s))
        e = paired_effect([psnr[(variant, *k)] for k in keys], [psnr[(base, *k)] for k in keys], n_boot, seed)
        out[s] = {'images': e['n'], 'mean_diff': e['mean'], 'ci95': [e['lo'], e['hi']], 'better_images': e['better']}
    return out


def tables(rows: list, variants: list, info: dict, sets=SETS, scale: int = 2) -> str:
    means = {}
    for r in rows: means.setdefault((r['method'], r['set']), []).append(r['psnr'])
    lines = ['| variant | params | train steps | train min | ' + ' | '.join(f'{s} x{scale} PSNR' for s in sets) + ' |',
             '|---|---:|---:|---:|' + '---:|' * len(sets)]
    for v in variants:
        i = info[v]
        lines.append(f"| {v} | {i['params']:,} | {i['steps']} | {i['train_s'] / 60:.0f} | " +
                     ' | '.join(f"{np.mean(means[(v, s)]):.3f}" for s in sets) + ' |')
    for base in [u for u in variants if u.startswith('none')]:
        lines += ['', f'| variant - {base} | ' + ' | '.join(f'{s} (dB, 95% CI, images better)' for s in (*sets, 'all')) + ' |',
                  '|---|' + '---|' * (len(sets) + 1)]
        for v in variants:
            if v == base: continue
            p = info[v][f'vs_{base}']
            lines.append(f"| {v} | " + ' | '.join(f"{p[s]['mean_diff']:+.3f} [{p[s]['ci95'][0]:+.3f}, {p[s]['ci95'][1]:+.3f}], "
                                                   f"{p[s]['better_images']}/{p[s]['images']}" for s in (*sets, 'all')) + ' |')
    return '\n'.join(lines)


def compare_seeds(out_a: str, out_b: str, sets=SETS) -> str:
    """Markdown: per variant, the mean PSNR change from the study in `out_a` to the one in `out_b` (another seed), and
    the effect vs None in each: how much of a difference between kinds is training noise."""
    a, b = (json.loads((Path(o) / 'scores.json').read_text()) for o in (out_a, out_b))
    common = [v for v in a['runs'] if v in b['runs']]
    both = [{**r, 'method': f"{r['method']}@a"} for r in a['rows'] if r['method'] in common] + \
           [{**r, 'method': f"{r['method']}@b"} for r in b['rows'] if r['method'] in common]
    lines = ['| variant | seed b - seed a, ' + ' | '.join(f'{s} (dB, 95% CI over images)' for s in (*sets, 'all')) + ' | vs none (all): seed a | seed b |',
             '|---|' + '---|' * (len(sets) + 3)]
    for v in common:
        p = paired(both, f'{v}@b', sets, base=f'{v}@a')
        eff = [r['runs'][v].get('vs_none', {}).get('all', {}).get('mean_diff') for r in (a, b)]
        lines.append(f"| {v} | " + ' | '.join(f"{p[s]['mean_diff']:+.3f} [{p[s]['ci95'][0]:+.3f}, {p[s]['ci95'][1]:+.3f}]" for s in (*sets, 'all'))
                     + ' | ' + ' | '.join('-' if e is None else f'{e:+.3f}' for e in eff) + ' |')
    return '\n'.join(lines)


def summarize(outs: list, sets=SETS, base: str = 'none') -> str:
    "Markdown: each variant's effect vs `base` (mean paired PSNR difference) in each study of `outs` (seeds), their mean and SD."
    studies = [json.loads((Path(o) / 'scores.json').read_text()) for o in outs]
    seeds = [next(iter(st['runs'].values()))['seed'] for st in studies]
    key = f'vs_{base}'
    variants = [v for v in studies[0]['runs'] if v != base and all(key in st['runs'].get(v, {}) for st in studies)]
    lines = [f'| variant - {base} | ' + ' | '.join(f'{s}: per seed {seeds} (dB) | mean +- SD' for s in (*sets, 'all')) + ' |',
             '|---|' + '---|---:|' * (len(sets) + 1)]
    for v in variants:
        cells = []
        for s in (*sets, 'all'):
            e = np.array([st['runs'][v][key][s]['mean_diff'] for st in studies])
            cells.append(', '.join(f'{x:+.3f}' for x in e) + f" | {e.mean():+.3f} +- {e.std(ddof=1) if len(e) > 1 else 0:.3f}")
        lines.append(f"| {v} | " + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--variants', nargs='+', default=['none', 'esa', 'pa', 'msa'])
    ap.add_argument('--steps', type=int, default=1000)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--runs', type=str, help='folder for the training runs (outside the repository)')
    ap.add_argument('--out', type=str, help='folder for the scores (committed)')
    ap.add_argument('--sets', nargs='+', default=list(SETS), help='test sets')
    ap.add_argument('--scale', type=int, default=2, choices=(2, 3, 4), help='scale trained and scored (default 2)')
    ap.add_argument('--init-runs', type=str, help='scale 3/4: the x2 study folder (RUNS/x2-s...-seedN) whose final '
                    'weights each variant starts from (the progressive x2 -> x4 recipe)')
    ap.add_argument('--base', default='none', help='--summarize: the variant the effects are measured against (none, none-w33)')
    ap.add_argument('--score-only', action='store_true', help='score the finished runs, train nothing')
    ap.add_argument('--compare-seeds', nargs=2, metavar=('OUT_A', 'OUT_B'), help='only compare two finished studies (two seeds)')
    ap.add_argument('--summarize', nargs='+', metavar='OUT', help='only tabulate the effects vs None over finished studies (seeds)')
    ap.add_argument('--merge', nargs='+', metavar='OUT', help='only merge study folders of one scale and seed, trained in '
                    'parallel (each its own --out), into --out')
    args = ap.parse_args(argv)
    if args.compare_seeds: print(compare_seeds(*args.compare_seeds, args.sets)); return
    if args.summarize: print(summarize(args.summarize, args.sets, args.base)); return
    if args.merge:
        if not args.out: ap.error('--merge needs --out')
        merge(args.merge, Path(args.out), args.sets); return
    if not (args.runs and args.out): ap.error('--runs and --out are required to train and score')
    torch.set_num_threads(1)
    for v in args.variants: parse_variant(v)                # fail before hours of training
    if args.scale != 2 and not args.init_runs: ap.error('--scale 3/4 needs --init-runs (the x2 runs to start from)')
    frm = f"-from-{Path(args.init_runs).name}" if args.scale != 2 else ''
    runs = Path(args.runs) / f"x{args.scale}-s{args.steps}-seed{args.seed}{frm}"
    out = Path(args.out); out.mkdir(parents=True, exist_ok=True)
    cache = out / 'scores.json'
    old = json.loads(cache.read_text()) if cache.is_file() else {'rows': [], 'runs': {}}
    rows, info = old['rows'], old['runs']
    from edsr_msa_nb.model import n_params, load_weights
    for v in args.variants:
        run = runs / v
        if not args.score_only: summary = train(v, run, args)
        elif (run / 'summary.json').is_file(): summary = json.loads((run / 'summary.json').read_text())
        else: continue
        if not summary.get('finished'): continue
        if v not in info:
            rows = [r for r in rows if r['method'] != v] + score(v, run, args.sets, args.scale)
            info[v] = {'steps': summary['global_step'], 'train_s': summary['elapsed_s'], 'seed': args.seed,
                       'params': n_params(load_weights(weights(run, args.scale)), trainable_only=False), **parse_variant(v)}
            print(time.strftime('%H:%M:%S', time.gmtime()), f'UTC: scored {v}', flush=True)
        done = [u for u in args.variants if u in info]
        save(out, rows, {u: info[u] for u in done}, args.sets, args.scale,
             protocol=f'PSNR/SSIM on Y, border = scale (papers); x{args.scale}; final EMA weights',
             recipe=f"edsr_msa_train --preset psnr --scales {args.scale} --steps {args.steps} "
                    + (f"--init {args.init_runs}/VARIANT/weights/stage1-pixel-x2-last.pt " if frm else '')
                    + f"--data T91 BSD200 --val none --seed {args.seed} --threads 1 --workers 0",
             others={v: i for v, i in info.items() if v not in done})


def save(out: Path, rows: list, info: dict, sets, scale: int, protocol: str, recipe: str, others: dict = {}):
    "Compare every variant with each plain one (`none*`) and write OUT/scores.json, scores.csv and study.md (atomically)."
    variants = list(info)
    for base in [u for u in variants if u.startswith('none')]:       # the ablation and the equal-parameter plain net
        for u in variants:
            if u != base: info[u][f'vs_{base}'] = paired(rows, u, sets, base=base)
    files = {'scores.json': json.dumps({'protocol': protocol, 'scale': scale, 'recipe': recipe, 'runs': {**info, **others},
                                        'rows': rows}, indent=1) + '\n'}
    with open(out / 'scores.csv.tmp', 'w', newline='') as f:
        w = csv.DictWriter(f, fieldnames=['method', 'set', 'scale', 'image', 'psnr', 'ssim'], extrasaction='ignore')
        w.writeheader(); w.writerows(rows)
    files['study.md'] = tables(rows, variants, info, sets, scale) + '\n'
    for name, text in files.items(): (out / f'{name}.tmp').write_text(text)
    for name in ('scores.json', 'scores.csv', 'study.md'): (out / f'{name}.tmp').replace(out / name)
    print(files['study.md'], flush=True)


def merge(folders: list, out: Path, sets=SETS):
    """Merge study folders of one scale and seed that were trained in parallel (disjoint variant lists, each its own
    --out) into `out`: runs and rows of every variant (the first folder that has it), compared and written anew."""
    studies = [json.loads((Path(f) / 'scores.json').read_text()) for f in folders]
    key = {(d.get('scale', 2), next(iter(d['runs'].values()))['seed'], next(iter(d['runs'].values()))['steps']) for d in studies}
    if len(key) != 1: raise SystemExit(f"--merge: the folders hold different (scale, seed, steps): {sorted(key)}")
    rows, info = [], {}
    for d in studies:
        for v, i in d['runs'].items():
            if v in info: continue
            info[v] = {k: x for k, x in i.items() if not k.startswith('vs_')}
            rows += [r for r in d['rows'] if r['method'] == v]
    out.mkdir(parents=True, exist_ok=True)
    save(out, rows, info, sets, studies[0].get('scale', 2), studies[0]['protocol'], studies[0]['recipe'])

if __name__ == '__main__':
    main()
