"""Land the GPU session of `bench/gpu_base_session.py`: ship `base`, `base-noattn`, `base-msa` (x2, x4) and
`base-gan-x4` from the files that session left in $OUT, and score them on this CPU.

From the repository root, with EDSR_MSA_DATA naming the folder that holds Set5/, Set14/ and B100/, once the device
call's files are here (the folder holding base.tgz, base-noattn.tgz, base-msa.tgz, base-gan-x4.tgz, session.tgz,
eval.tgz):

    python bench/ship_base.py SESSION_DIR                        # into edsr_msa_nb/weights, then scores Set5 Set14 B100
    python bench/ship_base.py SESSION_DIR --weights-dir /tmp/w --score Set5     # a trial into another folder

Steps:
1. each tarball is unpacked (links and paths out of the folder refused) into SESSION_DIR/unpacked/NAME;
2. `card.ship_run` copies each finished run's weights into the weights folder as `{family}-x{scale}.pt` (the pixel
   runs: their end-of-stage EMA weights, `select='last'`, as `lite` ships; the GAN stage: its stage's rule, the EMA
   weights of the lowest Set5 NIQE) with the run record (the card form of its command from session.tgz's
   `commands.json`, the GPU machine, steps, wall time, validation history) and rewrites `manifest.json` (sha256);
   a run the session's time limit stopped is refused (`_finished_run`), its `-stopped.pt` weights stay in the tarball;
3. every shipped file is read back through `from_pretrained(name, weights_dir=...)`, which checks its sha256;
4. `edsr_msa_eval` scores bicubic and the shipped files on `--score` sets (default Set5 Set14 B100; x2 and x4,
   PSNR/SSIM; x4 also NIQE for `base-x4` / `base-gan-x4`) and writes per-image CSVs beside
   SESSION_DIR/cpu_scores_x2x4.json and cpu_scores_perceptual.json. B100 does not travel to the GPU machine (the
   transfer budget), so these are its first scores. On a 2-core CPU the base network at x2 takes seconds an image.
5. the run records go to SESSION_DIR/runs.json for the model card.

What remains for the card is the card's own code: `card.record_results` re-measures every family it is given and
replaces the card's results, and `record_perceptual_results` keeps one GAN family, so adding the base families
next to the `lite` ones (tables, paired attention effects, perception-distortion curve) is a change to
`nbs/16_model_card.ipynb`, after which the stored notebooks and README are rerun as `bench/ship_gan.py` says.
"""
import argparse, json, subprocess, sys
from pathlib import Path

from edsr_msa_nb.card import ship_run
from edsr_msa_nb.data import safe_extract
from edsr_msa_nb.model import WEIGHTS_DIR, from_pretrained, n_params, read_weights_file, sha256_file

PIXEL = ('base', 'base-noattn', 'base-msa')
GAN, GAN_FAMILY = 'base-gan-x4', 'base-gan'


def unpack(session: Path) -> Path:
    "Every tarball of the session into session/unpacked/NAME (session.tgz and eval.tgz hold their own top folder)."
    dest = session / 'unpacked'
    for t in sorted(session.glob('*.tgz')):
        name = t.name[:-4]
        safe_extract(t, dest if name in ('session', 'eval') else dest / name)
    return dest


def _gan_init(run: dict) -> dict:
    "The GAN stage's `init` as the shipped file it starts from (the session's path does not travel)."
    for st in run['config']['stages']:
        if st.get('init'): st['init'] = 'edsr_msa_nb/weights/base-x4.pt'
    return run


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('session', help="the folder holding the device call's files ($OUT)")
    ap.add_argument('--weights-dir', default=str(WEIGHTS_DIR), help='where the weights go (default: the package)')
    ap.add_argument('--families', nargs='+', default=list(PIXEL) + [GAN], help='which to ship (default: all four)')
    ap.add_argument('--score', nargs='*', default=['Set5', 'Set14', 'B100'], help='sets scored on this CPU (none: skip)')
    ap.add_argument('--device', default='cpu')
    a = ap.parse_args(argv)
    session, wdir = Path(a.session).resolve(), Path(a.weights_dir).resolve()
    wdir.mkdir(parents=True, exist_ok=True)
    up = unpack(session)
    commands = json.loads((up / 'session' / 'commands.json').read_text())
    info = json.loads((up / 'session' / 'plan.json').read_text())['info']
    machine = info['machine'] + (f" ({info['nvidia_smi']})" if info.get('nvidia_smi') else '')
    runs = []
    for fam in a.families:
        if fam not in commands: raise SystemExit(f"{fam}: the session did not run it (commands.json has {', '.join(commands)})")
        family = GAN_FAMILY if fam == GAN else fam
        run = ship_run(up / fam, family, command=commands[fam]['card'], machine=machine, weights_dir=wdir,
                       select=None if fam == GAN else 'last')
        runs.append(_gan_init(run) if fam == GAN else run)
    man = json.loads((wdir / 'manifest.json').read_text())
    shipped = [Path(f['file']).stem for r in runs for f in r['files'].values()]
    for name in shipped:
        m = from_pretrained(name, weights_dir=wdir)                 # sha256 against the manifest
        assert man[name]['sha256'] == sha256_file(wdir / f'{name}.pt')
        meta = read_weights_file(wdir / f'{name}.pt')['meta']
        print(f"{name}: {n_params(m):,} parameters, attention {m.config.attention}, step {meta.get('step')}, "
              f"sha256 {man[name]['sha256'][:16]}..., {man[name]['bytes'] / 2**20:.2f} MiB")
    (session / 'runs.json').write_text(json.dumps(runs, indent=1) + '\n')
    if a.score:
        ev = [sys.executable, '-c', "import sys; from edsr_msa_nb.core import run_cli; from edsr_msa_nb.evaluate import "
              "edsr_msa_eval; run_cli(edsr_msa_eval, sys.argv[1:], prog='edsr_msa_eval')", '--data', *a.score,
              '--device', a.device, '--overwrite']
        files = [str(wdir / f'{n}.pt') for n in shipped if not n.startswith(GAN_FAMILY)]
        if files: subprocess.run(ev + ['--scales', '2', '4', '--method', 'bicubic', *files,
                                       '--out', str(session / 'cpu_scores_x2x4.json')], check=True)
        if 'base-x4' in shipped and f'{GAN_FAMILY}-x4' in shipped:
            subprocess.run(ev + ['--scales', '4', '--metrics', 'psnr', 'ssim', 'niqe', '--method', 'bicubic',
                                 str(wdir / 'base-x4.pt'), str(wdir / f'{GAN_FAMILY}-x4.pt'),
                                 '--out', str(session / 'cpu_scores_perceptual.json')], check=True)
    print(f"shipped {', '.join(shipped)} into {wdir}; run records: {session / 'runs.json'}")


if __name__ == '__main__': sys.exit(main())
