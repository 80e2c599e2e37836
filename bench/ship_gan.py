"""Ship the GAN model `lite-gan-x4` and write its part of the model card (`edsr_msa_nb/weights/card.json`).

From the repository root, with EDSR_MSA_DATA naming the folder that holds Set5/, Set14/ and B100/, once the GAN run
(one stage, x4, `select='niqe'`) has finished:

    python bench/ship_gan.py RUN_DIR --command "EDSR_MSA_DATA=/path/to/datasets edsr_msa_train --config ... --out ..."

`card.ship_run` copies the weights the stage's `select` rule chose (with 'niqe': the EMA weights with the lowest
validation NIQE, `weights/stage1-gan-x4-best.pt`) to `edsr_msa_nb/weights/lite-gan-x4.pt`, rewrites `manifest.json`
(sha256), and records the command, config, steps, wall time, machine, the chosen step and its validation scores;
`card.record_perceptual_results` then measures bicubic, the PSNR model it started from (`--baseline`) and `lite-gan-x4` on Set5, Set14 and B100 at x4
(PSNR, SSIM, NIQE; about 2 minutes on one CPU thread) and writes both into card.json. Then store the notebooks'
outputs and the README:

    python .ci/run_nb.py nbs/16_model_card.ipynb --flags slow
    python .ci/run_nb.py nbs/15_demo.ipynb --flags slow
    python .ci/run_nb.py nbs/index.ipynb
    python .ci/docs.py readme
"""
import argparse, os, sys
from pathlib import Path

from edsr_msa_nb.card import CARD_FILE, machine_description, record_perceptual_results, ship_run


def _relative_init(run: dict) -> dict:
    "A stage `init` outside the repository is recorded by its file name only (the card ships; the path does not)."
    for st in run['config']['stages']:
        if os.path.isabs(str(st.get('init', ''))): st['init'] = Path(st['init']).name
    return run


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('run_dir', help='the finished edsr_msa_train run folder of the GAN stage')
    ap.add_argument('--command', required=True, help='the edsr_msa_train command that made the run (for the card)')
    ap.add_argument('--machine', help='the machine that trained it (default: this one)')
    ap.add_argument('--family', default='lite-gan')
    ap.add_argument('--baseline', default='lite-x4', help='the PSNR model it is compared with (the one it was fine-tuned from)')
    a = ap.parse_args(argv)
    run = ship_run(a.run_dir, a.family, command=a.command, machine=a.machine or machine_description())
    res = record_perceptual_results(_relative_init(run), baseline=a.baseline)
    print(f"shipped {', '.join(f['file'] for f in run['files'].values())}; card: {CARD_FILE}")
    for m in res.means(): print(m)


if __name__ == '__main__': sys.exit(main())
