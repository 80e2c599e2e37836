"""Attention study (issue 14), second measure: do the attention maps of each study run separate texture from flat
regions? For every variant with spatial maps, `interpret.attention_texture_study` (the test of `13_attention_maps`)
scores each block's map against the two texture references of the HR image (Sobel of the luma, |HR - bicubic(LR)|)
on Set5 + Set14: Spearman, AUROC as a detector of the busiest 20% of pixels, and the same for the map shuffled over
pixels (the control, 0.5). Kinds without a spatial map (RCAN channel attention) are recorded as such.

From the repository root, with the datasets in $EDSR_MSA_DATA, after `bench/attention_study.py` trained the runs:

    python bench/study_texture.py --runs RUNS/x2-s2000-seed0 --variants pa esa msa pyramid ca --out bench/study/x2-2000

writes OUT/texture.json (per image, block and reference) next to the study's scores.json.
"""
import argparse, json, sys, time
from pathlib import Path

import torch

from edsr_msa_nb.data import HRFolder
from edsr_msa_nb.interpret import attention_texture_study
from edsr_msa_nb.model import load_weights

from attention_study import weights       # the study run's final EMA weights (this script's folder is on sys.path)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--runs', required=True, help='the study runs folder of one scale and seed (RUNS/x2-s2000-seed0)')
    ap.add_argument('--variants', nargs='+', required=True)
    ap.add_argument('--out', required=True, help='the committed study folder (holds scores.json)')
    ap.add_argument('--scale', type=int, default=2)
    ap.add_argument('--sets', nargs='+', default=['Set5', 'Set14'])
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    out = Path(args.out)
    if not (out / 'scores.json').is_file(): sys.exit(f"--out {out}: no scores.json (not a study folder)")
    files = {v: weights(Path(args.runs) / v, args.scale) for v in args.variants}
    for v, w in files.items():
        if not w.is_file(): sys.exit(f"{w}: no such weights file (variant {v!r} not trained in --runs?)")
    sets = {s: HRFolder(s, scales=(args.scale,)) for s in args.sets}
    rows, kinds = [], {}
    for v, w in files.items():
        try: r, _ = attention_texture_study(load_weights(w).eval(), sets, args.scale, progress=False)
        except ValueError as e:                                  # a kind with channel weights only (RCAN's ca)
            if 'no spatial map' not in str(e): raise
            kinds[v] = 'no spatial map'; continue
        rows += [{'variant': v, **x} for x in r]
        kinds[v] = 'spatial'
        print(time.strftime('%H:%M:%S', time.gmtime()), f'UTC: {v}: {len(r)} rows', flush=True)
    tmp = out / 'texture.json.tmp'
    tmp.write_text(json.dumps({'protocol': 'interpret.attention_texture_study: Spearman and AUROC (top 20% of the reference '
                                           'as positives) per image, block and reference; shuffled-map control',
                               'scale': args.scale, 'sets': args.sets, 'kinds': kinds, 'rows': rows}, indent=1) + '\n')
    tmp.replace(out / 'texture.json')
    print(f"wrote {out / 'texture.json'}: {len(rows)} rows; {kinds}")


if __name__ == '__main__': main()
