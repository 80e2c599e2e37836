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
`scores.csv` (per image), `scores.json` (per image, each variant's run record and its comparison with each
plain variant, `none*`), and `study.md` (the tables, `study.seed_table`). The data location comes from $EDSR_MSA_DATA.

    python bench/attention_study.py --variants none esa pa msa --steps 1000 \
        --runs RUNS_FOLDER --out bench/study/pilot-x2-1000
    python bench/attention_study.py --variants none esa pa msa --scale 4 --steps 500 \
        --init-runs RUNS_FOLDER/x2-s1000-seed0 --runs RUNS_FOLDER --out bench/study/pilot-x4-500
    python bench/attention_study.py ... --score-only      # rescore what has finished, train nothing
    python bench/attention_study.py --compare-seeds bench/study/pilot-x2-200 bench/study/pilot-x2-200-seed1
    python bench/attention_study.py --summarize bench/study/pilot-x2-200 bench/study/pilot-x2-200-seed1 bench/study/pilot-x2-200-seed2
    python bench/attention_study.py --merge OUT_A OUT_B --out OUT      # variants of one seed trained in parallel
    python bench/attention_study.py --retabulate bench/study/*/        # rebuild the tables from the saved scores

The statistics and the tables are the library's (`edsr_msa_nb.study`: `effects`, `seed_table` for a folder's
`study.md`, `seeds_table` for --summarize; `edsr_msa_nb.metrics.paired_effect`); this script trains, scores and
writes the files.
"""
import argparse, csv, json, os, shutil, subprocess, sys, time
from pathlib import Path

import torch

from edsr_msa_nb.metrics import paired_effect
from edsr_msa_nb.study import SETS, effects, load_study, seed_table, seeds_table, study_from_scores
from edsr_msa_nb.study import parse_variant as parse_variant_name
def weights(run: Path, scale: int) -> Path:
    "The EMA weights at the end of the run's single stage."
    return run / 'weights' / f'stage1-pixel-x{scale}-last.pt'


def parse_variant(v: str) -> dict:
    "'esa' -> {'attention': 'esa'}; 'none-w33' -> {'attention': None, 'n_feats': 33} (names parsed by `study.parse_variant`)."
    from edsr_msa_nb.attention import ATTENTION
    try: kind, width = parse_variant_name(v)
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


def stored(e: dict) -> dict:
    "A `paired_effect` result as scores.json stores it."
    return {'images': e['n'], 'mean_diff': e['mean'], 'ci95': [e['lo'], e['hi']], 'better_images': e['better']}


def compare_seeds(out_a: str, out_b: str, sets=SETS) -> str:
    """Markdown: per variant, the mean PSNR change from the study in `out_a` to the one in `out_b` (another seed)
    (`metrics.paired_effect` over the same images), and the effect vs None in each."""
    a, b = load_study(out_a), load_study(out_b)
    cols = (*sets, 'all')
    lines = ['| variant | seed b - seed a, ' + ' | '.join(f'{s} (dB, 95% CI over images)' for s in cols) + ' | vs none (all): seed a | seed b |',
             '|---|' + '---|' * (len(cols) + 2)]
    for v in [v for v in a.variants if v in b.runs]:
        cells = []
        for s in cols:
            pa, pb = a.psnr(v, None if s == 'all' else s), b.psnr(v, None if s == 'all' else s)
            if pa.keys() != pb.keys(): raise SystemExit(f"--compare-seeds: {v} is scored on different images in the two studies ({s})")
            e = paired_effect([pb[k] for k in sorted(pa)], [pa[k] for k in sorted(pa)])
            cells.append(f"{e['mean']:+.3f} [{e['lo']:+.3f}, {e['hi']:+.3f}]")
        eff = [st.runs[v].get('vs_none', {}).get('all', {}).get('mean_diff') for st in (a, b)]
        lines.append(f"| {v} | " + ' | '.join(cells) + ' | ' + ' | '.join('-' if e is None else f'{e:+.3f}' for e in eff) + ' |')
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
    ap.add_argument('--retabulate', nargs='+', metavar='OUT', help="only rebuild each folder's comparisons, scores.csv and "
                    'study.md from the per-image scores in its scores.json (no training, no scoring)')
    ap.add_argument('--merge', nargs='+', metavar='OUT', help='only merge study folders of one scale and seed, trained in '
                    'parallel (each its own --out), into --out')
    args = ap.parse_args(argv)
    if args.compare_seeds: print(compare_seeds(*args.compare_seeds, args.sets)); return
    if args.summarize: print(seeds_table([load_study(o) for o in args.summarize], args.base, args.sets)); return
    if args.retabulate: retabulate(args.retabulate, args.sets); return
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
        if not info: continue
        save(out, {'protocol': f'PSNR/SSIM on Y, border = scale (papers); x{args.scale}; final EMA weights', 'scale': args.scale,
                   'recipe': f"edsr_msa_train --preset psnr --scales {args.scale} --steps {args.steps} "
                             + (f"--init {args.init_runs}/VARIANT/weights/stage1-pixel-x2-last.pt " if frm else '')
                             + f"--data T91 BSD200 --val none --seed {args.seed} --threads 1 --workers 0",
                   'runs': info, 'rows': rows}, args.sets)


def save(out: Path, scores: dict, sets=SETS):
    """Compare every variant that has scores with each plain one (`none*`) and write OUT/scores.json, scores.csv and
    study.md (atomically); `scores`: scores.json's content (its comparisons are recomputed, everything else is kept)."""
    st = study_from_scores(scores, out.name)
    for base in [v for v in st.variants if parse_variant_name(v)[0] == 'none']:   # the ablation and the equal-parameter plain net
        for v, d in effects([st], base, (*sets, 'all')).items():
            scores['runs'][v][f'vs_{base}'] = {s: stored(d[s]['seeds'][st.seed]) for s in (*sets, 'all')}
    files = {'scores.json': json.dumps(scores, indent=1) + '\n', 'study.md': seed_table(st, sets) + '\n'}
    with open(out / 'scores.csv.tmp', 'w', newline='') as f:
        w = csv.DictWriter(f, fieldnames=['method', 'set', 'scale', 'image', 'psnr', 'ssim'], extrasaction='ignore')
        w.writeheader(); w.writerows(scores['rows'])
    for name, text in files.items(): (out / f'{name}.tmp').write_text(text)
    for name in ('scores.json', 'scores.csv', 'study.md'): (out / f'{name}.tmp').replace(out / name)
    print(files['study.md'], flush=True)


def retabulate(folders: list, sets=SETS):
    "Rebuild each study folder's comparisons, scores.csv and study.md from the per-image scores in its scores.json; trains and scores nothing."
    for f in folders:
        print(f'{f}:', flush=True)
        save(Path(f), json.loads((Path(f) / 'scores.json').read_text()), sets)


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
    head = {k: studies[0][k] for k in ('protocol', 'scale', 'recipe') if k in studies[0]}
    save(out, {**head, 'runs': info, 'rows': rows}, sets)

if __name__ == '__main__':
    main()
