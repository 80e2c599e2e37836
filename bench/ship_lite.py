"""Ship the PSNR models `lite` and `lite-noattn` (x2, x4) and write their part of the model card.

From the repository root, with EDSR_MSA_DATA naming the folder that holds T91/, BSD200/, Set5/, Set14/ and B100/,
once both runs of `card.TRAIN_COMMAND` (with `--attention ca` and `--attention none`) have finished:

    python bench/ship_lite.py --lite RUNS/lite-ca --noattn RUNS/lite-none --command "EDSR_MSA_DATA=... edsr_msa_train ..."

`--command` is the `lite` run's command; the `lite-noattn` run's is the same with `--attention none` and its own
`--out`. Steps:

1. The multi-scale attention (MSA) pair that shipped as `lite-x2` / `lite-x4` while `lite` used MSA keeps shipping,
   as `lite-msa-x2` / `lite-msa-x4`: the same tensors, the family renamed in the files' metadata, the card's run
   record, its reproductions and the perceptual section of that time (its GAN model was fine-tuned from the MSA
   `lite-x4`). Idempotent: done once, skipped after.
2. `card.ship_run` copies each finished run's end-of-stage EMA weights to `lite-x{2,4}.pt` and
   `lite-noattn-x{2,4}.pt` and rewrites `manifest.json` (sha256).
3. `card.record_results` measures bicubic, `lite`, `lite-msa` and `lite-noattn` on Set5, Set14 and B100 at x2 and x4
   (about a minute with two CPU threads) and writes card.json.

`lite-gan-x4` is fine-tuned from `lite-x4.pt` (`bench/lite_gan_x4.json`): after new `lite` weights ship, rerun that GAN
stage and `bench/ship_gan.py` (`16_model_card` checks that the GAN's baseline rows are the card's `lite` x4 rows).
Then store the notebooks' outputs and the README (`python .ci/run_nb.py nbs/16_model_card.ipynb --flags slow`, the
same for 05, 12, 13, 17 and index, then `python .ci/docs.py readme`).
"""
import argparse, json, re, sys
from pathlib import Path

from edsr_msa_nb.core import atomic_save
from edsr_msa_nb.card import CARD_FILE, _write_card, load_card, machine_description, record_results, ship_run
from edsr_msa_nb.model import WEIGHTS_DIR, read_weights_file, write_manifest

OLD, NEW = 'lite', 'lite-msa'


def keep_msa_pair(weights_dir=WEIGHTS_DIR, card_path=CARD_FILE) -> bool:
    "Step 1: rename the shipped MSA `lite` family to `lite-msa` (files, manifest, card). False if already done."
    weights_dir, card = Path(weights_dir), load_card(card_path)
    if any(r['family'] == NEW for r in card['runs']): return False
    run = next(r for r in card['runs'] if r['family'] == OLD)
    if run['config'].get('model_overrides', {}).get('attention') != 'msa':
        raise ValueError(f"{card_path}: the shipped {OLD!r} run is not the MSA one; nothing to keep")
    for key, f in run['files'].items():
        payload = read_weights_file(weights_dir / f['file'])
        if payload['config']['attention'] != 'msa': raise ValueError(f"{weights_dir / f['file']}: not an MSA network")
        payload['meta'] = {**payload['meta'], 'family': NEW}
        atomic_save(payload, weights_dir / f"{NEW}-{key}.pt")
        f['file'] = f"{NEW}-{key}.pt"
    run['family'] = NEW
    write_manifest(weights_dir)
    rename = lambda m: re.sub(rf'^{OLD}(-x\d)?$', lambda g: NEW + (g[1] or ''), m)
    for r in card['results']: r['method'] = rename(r['method'])
    for rep in card.get('reproductions', []):
        rep['family'] = NEW
        for r in rep['results']: r['method'] = f'{NEW} (reproduction)'
    p = card.get('perceptual')
    if p:
        p['baseline'] = rename(p['baseline'])
        for r in p['results']: r['method'] = rename(r['method'])
        gan = next(r for r in card['runs'] if r['family'] == p['family'])
        gan['config']['model_overrides'] = {**gan['config'].get('model_overrides', {}), 'attention': 'msa'}
        for st in gan['config']['stages']:
            if Path(str(st.get('init') or '')).name == f'{OLD}-x4.pt': st['init'] = f'{NEW}-x4.pt'
    _write_card(card, card_path)
    return True


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--lite', required=True, help='the finished run of TRAIN_COMMAND with the default attention')
    ap.add_argument('--noattn', required=True, help='the finished run of the same command with --attention none')
    ap.add_argument('--command', required=True, help="the `lite` run's edsr_msa_train command (for the card)")
    ap.add_argument('--machine', help='the machine that trained both (default: this one)')
    a = ap.parse_args(argv)
    if keep_msa_pair(): print(f"kept the MSA pair as {NEW}-x2, {NEW}-x4")
    machine = a.machine or machine_description()
    attention = re.search(r'--attention (\S+)', a.command)[1]
    noattn_cmd = a.command.replace(f'--attention {attention}', '--attention none').replace(f'/lite-{attention}', '/lite-none')
    runs = [ship_run(a.lite, 'lite', command=a.command, machine=machine, select='last'),
            ship_run(a.noattn, 'lite-noattn', command=noattn_cmd, machine=machine, select='last')]
    card = load_card()
    msa = next(r for r in card['runs'] if r['family'] == NEW)
    res = record_results(runs[:1] + [msa] + runs[1:], sets=('Set5', 'Set14', 'B100'), reproductions=card['reproductions'])
    print(f"shipped {', '.join(f['file'] for r in runs for f in r['files'].values())}; card: {CARD_FILE}")
    for m in res.means(): print(m)


if __name__ == '__main__': sys.exit(main())
