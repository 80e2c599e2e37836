"""A GPU session that trains the EDSR-baseline-size models side by side in one device call: `base` (16 blocks x 64
features, the `msa` model preset: channel attention), `base-noattn` (attention=None, the official EDSR-baseline
body) and `base-msa` (multi-scale attention), each x2 then x4 from its own x2 weights, on T91 + BSD200 with Set5
validation; then, in the time left, the GAN stage `base-gan-x4` from `base`'s x4 weights with the recipe of
`bench/lite_gan_x4.json` (`bench/base_gan_x4.json`: the same recipe, the base network; selection by Set5 NIQE).

    EDSR_MSA_DATA=/path/to/datasets OUT=runs/gpu-base python bench/gpu_base_session.py

Steps, all timed against `DRV_BUDGET` seconds from the start:
1. probe: the three pixel runs (x2 and x4 steps) and a short GAN stage run at once; their `history.json` rows give
   each run's steps/s per scale after warm-up, and their wall times the start-up and stage-switch costs;
2. plan: the most steps per pixel run (x2 : x4 = 9 : 5, the lite recipe's 4,500 : 2,500) such that the slowest run
   ends before the evaluation reserve (`DRV_RESERVE` s) and `base` leaves room for the GAN stage's 800 steps; if
   that costs the pixel runs over a quarter of their steps, the GAN stage gets fewer steps (none under 200);
3. the three runs at once (autocast `amp auto` = fp16 on CUDA, channels_last, batch `DRV_BATCH` >= 32, L1, Adam 7e-4
   cosine, EMA 0.999, checkpoints every `DRV_SAVE_EVERY` steps, `--max_minutes` just short of the reserve); when
   `base` ends the GAN stage starts from its x4 weights, steps refitted to the time then left; each finished
   model is scored (PSNR/SSIM per image, Set5 and Set14, and B100 when the data folder holds it;
   NIQE for `base-x4` / `base-gan-x4`) by `edsr_msa_eval` while the others train;
4. a run stopped by its time limit also gets its last EMA weights exported (`weights/stageN-...-stopped.pt`);
5. $OUT receives at most 7 files: `driver.log`, `base.tgz`, `base-noattn.tgz`, `base-msa.tgz` (each: the stages'
   end-of-stage EMA weights, history, summary, config, training log), `base-gan-x4.tgz` (its best-NIQE and last
   weights), `eval.tgz` (per-image CSVs and JSON of every score) and `session.tgz` (plan, exact and card forms of
   the training commands, probe logs, machine); the sizes are checked against the transfer limits (8 files,
   16 MiB each, 64 MiB in all).

Environment: EDSR_MSA_DATA (default `.gpudata/data`, the lossless WebP copy that `bench/pack_gpudata.py` writes),
OUT, and DRV_* overrides: DEVICE (cuda), BUDGET (500), RESERVE (45), PROBE ("300 100": x2, x4 probe steps),
GAN_PROBE (100), CAP (60000 steps per pixel run), STEPS ("X2 X4": skip the fit), BATCH (32), PATCH (48),
VAL_EVERY (1000), SAVE_EVERY (250), LOG_EVERY (10), GAN_STEPS (800), GAN_BATCH / GAN_PATCH (the recipe's 16 / 32),
GAN_VAL (the recipe's 25), WORKERS (3), THREADS (2), EVAL_SETS, RUNS (/tmp/runs).

The device call (one H200; the 64 MiB that travel: tracked tree ~13 MiB + `.gpudata` ~43 MiB + `.whl` 0.1 MiB;
B100 does not fit beside the training sets and is scored on the CPU by `bench/ship_base.py`):

    run(command="python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site || exit; nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader; PYTHONUNBUFFERED=1 EDSR_MSA_DATA=.gpudata/data python3 bench/gpu_base_session.py 2>&1",
        carry=[".gpudata", ".whl"], timeout_s=540)

The driver ends by DRV_BUDGET (500 s) plus its packing, inside the call's 540 s. Before the call, in the checkout
that the device call sends (CPU, once; both folders are ignored by git): `EDSR_MSA_DATA=/path/to/datasets python
bench/pack_gpudata.py` (4-8 minutes on a shared 2-core CPU) and the fastcore wheel into `.whl/` (the GPU image has torch,
numpy, scipy, scikit-image, matplotlib, pillow and tqdm, not fastcore):

    python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \\
        --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 -d .whl fastcore==1.14.5

A CPU smoke run of every stage (minutes; bench/RESULTS.md, "GPU session for the base models"):

    DRV_DEVICE=cpu DRV_THREADS=1 DRV_WORKERS=0 DRV_BUDGET=900 DRV_RESERVE=120 DRV_PROBE="6 4" DRV_GAN_PROBE=4 \\
    DRV_CAP=24 DRV_BATCH=4 DRV_PATCH=24 DRV_GAN_STEPS=4 DRV_GAN_BATCH=2 DRV_GAN_PATCH=16 DRV_GAN_VAL=2 \\
    DRV_LOG_EVERY=2 DRV_VAL_EVERY=1000 DRV_SAVE_EVERY=4 DRV_EVAL_SETS=Set5 EDSR_MSA_DATA=.gpudata/data \\
    OUT=runs/smoke-out DRV_RUNS=runs/smoke-runs python bench/gpu_base_session.py
"""
import json, os, re, shlex, shutil, signal, subprocess, sys, tarfile, time
from pathlib import Path

T0 = time.time()
E = lambda k, d: os.environ.get('DRV_' + k, d)
OUT = Path(os.environ.get('OUT', '/tmp/out')); OUT.mkdir(parents=True, exist_ok=True)
DEVICE, BUDGET, RESERVE = E('DEVICE', 'cuda'), float(E('BUDGET', 500)), float(E('RESERVE', 45))
PROBE = [int(v) for v in E('PROBE', '300 100').split()]
GAN_PROBE, CAP = int(E('GAN_PROBE', 100)), int(E('CAP', 60000))
FIXED = [int(v) for v in E('STEPS', '').split()]
BATCH, PATCH = int(E('BATCH', 32)), int(E('PATCH', 48))
VAL_EVERY, SAVE_EVERY, LOG_EVERY = int(E('VAL_EVERY', 1000)), int(E('SAVE_EVERY', 250)), int(E('LOG_EVERY', 10))
GAN_STEPS, GAN_BATCH, GAN_PATCH, GAN_VAL = int(E('GAN_STEPS', 800)), E('GAN_BATCH', ''), E('GAN_PATCH', ''), E('GAN_VAL', '')
WORKERS, THREADS = E('WORKERS', '3'), E('THREADS', '2')
RUNS = Path(E('RUNS', '/tmp/runs')); RUNS.mkdir(parents=True, exist_ok=True)
REPO = Path(__file__).resolve().parent.parent
GAN_CONFIG = REPO / 'bench' / 'base_gan_x4.json'
DATA = Path(os.environ.get('EDSR_MSA_DATA', '.gpudata/data')).resolve()
EVAL_SETS = E('EVAL_SETS', '').split() or ['Set5', 'Set14'] + (['B100'] if (DATA / 'B100').is_dir() else [])
SPLIT = 9 / 14                        # x2 share of the pixel steps (lite recipe: 4,500 x2 + 2,500 x4)
SAFETY = 0.9                          # planned rates = measured x SAFETY
LOG = open(OUT / 'driver.log', 'a')
env = {**os.environ, 'EDSR_MSA_DATA': str(DATA), 'OMP_NUM_THREADS': THREADS, 'PYTHONUNBUFFERED': '1',
       'PYTHONPATH': os.pathsep.join(p for p in (str(REPO), os.environ.get('PYTHONPATH', '')) if p)}
RUN_NAMES = {'base': 'ca', 'base-noattn': 'none', 'base-msa': 'msa'}     # family -> --attention
GAN = 'base-gan-x4'
EVAL_PY = ("import sys; from edsr_msa_nb.core import run_cli; from edsr_msa_nb.evaluate import edsr_msa_eval; "
           "run_cli(edsr_msa_eval, sys.argv[1:], prog='edsr_msa_eval')")


def say(*a):
    s = f"[{time.time() - T0:6.1f}s] " + ' '.join(map(str, a)); print(s, flush=True); LOG.write(s + '\n'); LOG.flush()

def left() -> float: return BUDGET - (time.time() - T0)

def common() -> list:
    return ['--device', DEVICE, '--workers', WORKERS, '--threads', THREADS, '--log_every', str(LOG_EVERY)]

def pixel_cmd(att: str, steps, out: Path, max_minutes=None) -> list:
    c = [sys.executable, '-m', 'edsr_msa_nb.train', '--preset', 'psnr', '--model', 'msa', '--attention', att,
         '--data', 'T91', 'BSD200', '--val', 'Set5', '--scales', '2', '4', '--steps', str(steps[0]), str(steps[1]),
         '--batch_size', str(BATCH), '--lr_patch', str(PATCH), '--loss', 'l1', '--lr', '0.0007', '--amp', 'auto',
         '--channels_last', '1', '--val_every', str(VAL_EVERY), '--save_every', str(SAVE_EVERY), '--seed', '0',
         *common(), '--out', str(out)]
    return c + (['--max_minutes', f'{max_minutes:.2f}'] if max_minutes else [])

def gan_cmd(steps: int, init: Path, out: Path, max_minutes=None) -> list:
    c = [sys.executable, '-m', 'edsr_msa_nb.train', '--config', str(GAN_CONFIG), '--init', str(init),
         '--steps', str(steps), '--amp', 'auto', *common(), '--out', str(out)]
    for flag, v in (('--batch_size', GAN_BATCH), ('--lr_patch', GAN_PATCH), ('--val_every', GAN_VAL)):
        if v: c += [flag, v]
    return c + (['--max_minutes', f'{max_minutes:.2f}'] if max_minutes else [])

def card_form(cmd: list) -> str:
    "The command as a user types it: console script, data folder placeholder, runs/ paths, no time limit."
    c = list(cmd[3:])
    if '--max_minutes' in c: i = c.index('--max_minutes'); del c[i:i + 2]
    s = ' '.join(shlex.quote(a) for a in c).replace(str(RUNS) + '/', 'runs/').replace(str(REPO) + '/', '')
    return 'EDSR_MSA_DATA=/path/to/datasets edsr_msa_train ' + s

def launch(cmd: list, log: Path) -> subprocess.Popen:
    say('launch', log.stem, ' '.join(cmd[3:]))
    return subprocess.Popen(cmd, stdout=open(log, 'w'), stderr=subprocess.STDOUT, env=env, cwd=REPO,
                            start_new_session=True)

def stop(p: subprocess.Popen, name: str):
    "SIGTERM, then SIGKILL after 15 s; a training run keeps its last checkpoint (at most DRV_SAVE_EVERY steps old)."
    if p.poll() is not None: return
    say('time limit: stopping', name)
    try: os.killpg(p.pid, signal.SIGTERM); p.wait(timeout=15)
    except subprocess.TimeoutExpired: os.killpg(p.pid, signal.SIGKILL); p.wait()
    except ProcessLookupError: pass

def history(d: Path) -> dict:
    f = d / 'history.json'
    return json.loads(f.read_text()) if f.is_file() else {'train': [], 'val': []}

def stage_rate(rows: list, scale: int):
    "steps/s of the rows of one scale, after the first third of them (warm-up: cudnn autotuning, loader start)."
    rows = sorted((r for r in rows if r['scale'] == scale), key=lambda r: r['step'])
    rows = rows[len(rows) // 3:]
    if len(rows) < 2 or rows[-1]['time'] <= rows[0]['time']: return None
    return (rows[-1]['step'] - rows[0]['step']) / (rows[-1]['time'] - rows[0]['time'])

def tqdm_step(log: Path) -> str:
    "The last 'done/total' of a training log's progress bar."
    tail = log.read_bytes()[-4000:].decode(errors='replace') if log.is_file() else ''
    m = re.findall(r'train:[^\r\n]*?(\d+/\d+)', tail)
    return m[-1] if m else '-'

def weights_of(d: Path) -> dict:
    "scale -> the run's end-of-stage EMA weights (or the stopped run's exported ones)."
    out = {}
    for f in sorted((d / 'weights').glob('stage*-x*-*.pt')):
        sc, kind = int(f.stem.split('-x')[1].split('-')[0]), f.stem.rsplit('-', 1)[1]
        if kind in ('last', 'stopped'): out.setdefault(sc, f)
    return out

def export_stopped(d: Path):
    "A run stopped by its time limit: its checkpoint's EMA weights as weights/stageN-NAME-xS-stopped.pt."
    if not (d / 'last.pt').is_file(): return
    code = ("import json, sys; from pathlib import Path; from edsr_msa_nb.train import Trainer; "
            "from edsr_msa_nb.train_config import TrainConfig; d = Path(sys.argv[1]); "
            "cfg = TrainConfig.from_dict(json.loads((d / 'config.json').read_text())); "
            "tr = Trainer(cfg, d, progress=False); tr._start(True); tr._export_weights('stopped'); "
            "print('exported stage', tr.stage_idx + 1, 'at step', tr.global_step)")
    r = subprocess.run([sys.executable, '-c', code, str(d)], capture_output=True, text=True, env=env, cwd=REPO,
                       timeout=max(20, left() + 30))
    say('export stopped', d.name, r.stdout.strip()[-200:], r.stderr.strip()[-300:] if r.returncode else '')

def launch_eval(name: str, methods: list, scales: list, metrics=('psnr', 'ssim')) -> subprocess.Popen:
    ev = RUNS / 'eval'; ev.mkdir(exist_ok=True)
    cmd = [sys.executable, '-c', EVAL_PY, '--data', *EVAL_SETS, '--scales', *map(str, scales), '--method', *methods,
           '--metrics', *metrics, '--device', DEVICE, '--out', str(ev / f'{name}.json')]
    say('eval', name, ' '.join(cmd[3:]))
    return subprocess.Popen(cmd, stdout=open(ev / f'{name}.log', 'w'), stderr=subprocess.STDOUT, env=env, cwd=REPO,
                            start_new_session=True)

def eval_weights(name: str, d: Path, pick) -> dict:
    "Copy the run's weights to eval/{name}-x{s}.pt (edsr_msa_eval labels a file by its stem)."
    ev = RUNS / 'eval'; ev.mkdir(exist_ok=True)
    out = {}
    for sc, f in pick(d).items(): shutil.copyfile(f, ev / f'{name}-x{sc}.pt'); out[sc] = ev / f'{name}-x{sc}.pt'
    return out


# ---------------------------------------------------------------------------------------------------------------
info = dict(device=DEVICE, budget_s=BUDGET, data=str(DATA), eval_sets=EVAL_SETS, python=sys.version.split()[0])
r = subprocess.run([sys.executable, '-c', 'from edsr_msa_nb.card import machine_description as m; print(m())'],
                   capture_output=True, text=True, env=env, cwd=REPO)
info['machine'] = r.stdout.strip() or r.stderr.strip()[-300:]
if DEVICE.startswith('cuda'):
    info['nvidia_smi'] = subprocess.run('nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader',
                                        shell=True, capture_output=True, text=True).stdout.strip()
say('session', json.dumps(info))
plan, procs, evals, commands, status = {'info': info}, {}, {}, {}, {}

def pack():
    "The run tarballs, eval.tgz, session.tgz; then a check of $OUT against the transfer limits."
    for name in list(RUN_NAMES) + [GAN]:
        d = RUNS / name
        if not d.is_dir(): continue
        with tarfile.open(OUT / f'{name}.tgz', 'w:gz', compresslevel=1) as t:
            for f in sorted((d / 'weights').glob('*.pt')):
                if name == GAN or f.stem.endswith(('-last', '-stopped')): t.add(f, arcname=f'weights/{f.name}')
            for f in ('history.json', 'summary.json', 'config.json', 'history.png'):
                if (d / f).exists(): t.add(d / f, arcname=f)
            if (RUNS / f'{name}.log').exists(): t.add(RUNS / f'{name}.log', arcname='train.log')
    ev = RUNS / 'eval'
    if ev.is_dir():
        with tarfile.open(OUT / 'eval.tgz', 'w:gz') as t:
            for f in sorted(ev.iterdir()):
                if f.suffix in ('.json', '.csv', '.log'): t.add(f, arcname=f'eval/{f.name}')
    (RUNS / 'plan.json').write_text(json.dumps(plan, indent=1))
    (RUNS / 'commands.json').write_text(json.dumps(commands, indent=1))
    (RUNS / 'commands.sh').write_text('\n'.join(f"# {n}\n{v['card']}" for n, v in commands.items()) + '\n')
    with tarfile.open(OUT / 'session.tgz', 'w:gz') as t:
        for f in ('plan.json', 'commands.json', 'commands.sh'): t.add(RUNS / f, arcname=f'session/{f}')
        for f in sorted(RUNS.glob('probe_*.log')): t.add(f, arcname=f'session/{f.name}')
        for f in sorted(RUNS.glob('probe_*/history.json')): t.add(f, arcname=f'session/{f.parent.name}-history.json')
    files = [f for f in OUT.rglob('*') if f.is_file()]
    sizes = {str(f.relative_to(OUT)): f.stat().st_size for f in files}
    ok = (len(files) <= 8 and max(sizes.values()) <= 16 * 2 ** 20 and sum(sizes.values()) <= 64 * 2 ** 20
          and all(len(f.relative_to(OUT).parts) <= 3 for f in files))
    say('OUT:', ', '.join(f"{k} {v / 2**20:.1f} MiB" for k, v in sorted(sizes.items())),
        f"| {len(files)} files, {sum(sizes.values()) / 2**20:.1f} MiB:", 'within the transfer limits' if ok else 'OVER THE TRANSFER LIMITS')


try:
    # 1. probe: the three pixel runs and a GAN stage at once, from a random x4 init of the base network
    init = RUNS / 'probe_init_x4.pt'
    subprocess.run([sys.executable, '-c', "import sys; from edsr_msa_nb.model import edsr_msa, save_weights; "
                    "save_weights(edsr_msa('msa', 4), sys.argv[1], step=0)", str(init)], check=True, env=env, cwd=REPO)
    t_launch = time.time()
    probes = {n: launch(pixel_cmd(a, PROBE, RUNS / f'probe_{n}'), RUNS / f'probe_{n}.log') for n, a in RUN_NAMES.items()}
    probes[GAN] = launch(gan_cmd(GAN_PROBE, init, RUNS / f'probe_{GAN}'), RUNS / f'probe_{GAN}.log')
    walls = {}
    while len(walls) < len(probes):
        for n, p in probes.items():
            if n not in walls and p.poll() is not None: walls[n] = time.time() - t_launch
        time.sleep(0.5)
    bad = {n: p.returncode for n, p in probes.items() if p.returncode}
    if bad:
        for n in bad: say(n, 'probe failed:', (RUNS / f'probe_{n}.log').read_text(errors='replace')[-1500:])
        raise SystemExit(1)
    meas = {}
    for n in probes:
        d = RUNS / f'probe_{n}'
        h, s = history(d), json.loads((d / 'summary.json').read_text())
        steps = {2: PROBE[0], 4: PROBE[1]} if n != GAN else {4: GAN_PROBE}
        rate = {sc: stage_rate(h['train'], sc) for sc in steps}
        if n == GAN:   # validations (NIQE) every GAN_VAL steps are part of its pace: steps over the whole fit
            rate = {4: GAN_PROBE / max(s['elapsed_s'], 1e-6)}
        rate = {sc: (r or steps[sc] / max(s['elapsed_s'], 1e-6)) for sc, r in rate.items()}
        fit_extra = max(0.0, s['elapsed_s'] - sum(steps[sc] / rate[sc] for sc in steps))   # validations, stage switch
        meas[n] = dict(rate={str(k): round(v, 3) for k, v in rate.items()}, startup_s=round(walls[n] - s['elapsed_s'], 1),
                       fit_extra_s=round(fit_extra, 1), wall_s=round(walls[n], 1))
    plan['probe'] = meas
    say('probe (all four at once):', json.dumps(meas))

    # 2. plan
    A = left() - RESERVE
    def pixel_time(n, N):
        m, x2 = meas[n], N * SPLIT
        r2, r4 = (float(m['rate'][k]) * SAFETY for k in ('2', '4'))
        n_val = int(x2 // VAL_EVERY) + int((N - x2) // VAL_EVERY)
        return m['startup_s'] + m['fit_extra_s'] * (1 + n_val / 3) + x2 / r2 + (N - x2) / r4   # probe: 2 validations + a switch
    def max_steps(n, avail):
        lo, hi = 0, CAP
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if pixel_time(n, mid) <= avail: lo = mid
            else: hi = mid - 1
        return lo
    g = meas[GAN]; g_rate = float(g['rate']['4']) * SAFETY
    gan_time = lambda k: g['startup_s'] + g['fit_extra_s'] + k / g_rate
    if FIXED: N_pix = N = sum(FIXED); x2, x4 = FIXED
    else:
        N_pix = min(max_steps(n, A) for n in RUN_NAMES)
        N = min(N_pix, max_steps('base', A - gan_time(GAN_STEPS)))
        if N < 0.75 * N_pix: N = int(0.75 * N_pix)
        q = 50 if N >= 2000 else 1
        x2 = max(q, int(N * SPLIT) // q * q); x4 = max(q, (N - x2) // q * q)
    gan_plan = max(0, min(GAN_STEPS, int((A - pixel_time('base', x2 + x4) - g['startup_s'] - g['fit_extra_s']) * g_rate)))
    plan.update(avail_s=round(A, 1), x2=x2, x4=x4, pixel_only_steps=N_pix, gan_steps_planned=gan_plan,
                expected_s={n: round(pixel_time(n, x2 + x4), 1) for n in RUN_NAMES})
    say(f'plan: {A:.0f} s for training -> x2 {x2} + x4 {x4} steps per run (pixel runs alone: {N_pix}); '
        f'GAN about {gan_plan} steps; expected ends (s from now): {plan["expected_s"]}')

    # 3. the runs; the GAN stage after `base`; each finished model scored at once
    t_start = time.time()
    deadline = T0 + BUDGET - RESERVE + 5          # --max_minutes aims here (the fit starts after the start-up)
    for n, a in RUN_NAMES.items():
        mm = (deadline - time.time() - meas[n]['startup_s']) / 60
        cmd = pixel_cmd(a, (x2, x4), RUNS / n, mm)
        commands[n] = dict(argv=cmd[1:], card=card_form(cmd)); procs[n] = launch(cmd, RUNS / f'{n}.log')
    done = set()
    while True:
        for n, p in list(procs.items()):
            if n in done or p.poll() is None: continue
            done.add(n); s = RUNS / n / 'summary.json'
            summ = json.loads(s.read_text()) if s.is_file() else {}
            status[n] = dict(rc=p.returncode, finished=summ.get('finished'), steps=summ.get('global_step'),
                             elapsed_s=summ.get('elapsed_s'), wall_s=round(time.time() - t_start, 1))
            say('ended', n, json.dumps(status[n]))
            if n == GAN:
                w = eval_weights(GAN, RUNS / GAN, lambda d: {4: f for f in [d / 'weights' / 'stage1-gan-x4-best.pt'] if f.is_file()})
                base4 = RUNS / 'eval' / 'base-x4.pt'
                if w and base4.is_file():
                    evals[GAN] = launch_eval(GAN, ['bicubic', str(base4), str(w[4])], [4], ('psnr', 'ssim', 'niqe'))
                continue
            if summ.get('finished') is False or not summ: export_stopped(RUNS / n)
            w = eval_weights(n, RUNS / n, weights_of)
            if w: evals[n] = launch_eval(n, (['bicubic'] if n == 'base' else []) + [str(f) for f in w.values()], sorted(w))
            if n == 'base' and 4 in w and summ.get('finished'):
                t_g = T0 + BUDGET - RESERVE - time.time() - g['startup_s'] - g['fit_extra_s']
                k = min(GAN_STEPS, int(t_g * g_rate))
                if GAN_VAL == '' and k >= 25: k = k // 25 * 25
                if k >= min(200, GAN_STEPS):
                    mm = (T0 + BUDGET - RESERVE - time.time() - g['startup_s']) / 60
                    cmd = gan_cmd(k, RUNS / n / 'weights' / 'stage2-pixel-x4-last.pt', RUNS / GAN, mm)
                    commands[GAN] = dict(argv=cmd[1:], card=card_form(cmd).replace(
                        'runs/base/weights/stage2-pixel-x4-last.pt', 'edsr_msa_nb/weights/base-x4.pt'))
                    plan['gan_steps'] = k; procs[GAN] = launch(cmd, RUNS / f'{GAN}.log')
                else: say(f'GAN stage skipped: {t_g:.0f} s left fit {k} steps')
        running = [n for n in procs if n not in done]
        if not running: break
        if left() < 15:
            for n in running: stop(procs[n], n)
            continue
        if int(time.time() - T0) % 30 == 0:
            say('progress', {n: tqdm_step(RUNS / f'{n}.log') for n in running})
        time.sleep(1)
    for n, p in evals.items():        # scores are a bonus here (ship_base.py scores on the CPU): never past the budget
        try: p.wait(timeout=max(1, left()))
        except subprocess.TimeoutExpired: stop(p, f'eval {n}')
        say('eval', n, 'rc', p.returncode)
    plan['status'] = status
finally:
    for n, p in list(procs.items()) + [(f'eval {k}', v) for k, v in evals.items()]: stop(p, n)
    pack()
    say('done')
