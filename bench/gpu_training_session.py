"""A GPU session that trains the shipped weights and runs nbs/10_train's cuda cells: measure the step rate of
three concurrent `edsr_msa_train` runs, pick the step budget that fits the time budget, train lite MSA, lite
attention=None (ablation) and a second MSA run (reproduction) side by side, while `nbdev_test --flags cuda`
runs nbs/10_train.ipynb. Everything useful lands in $OUT.

    EDSR_MSA_DATA=/path/to/datasets OUT=runs/gpu-session python bench/gpu_training_session.py

EDSR_MSA_DATA holds T91/, BSD200/, Set5/ (PNG, or a lossless WebP copy where the transfer to the GPU machine
is limited). DRV_DEVICE, DRV_PROBE, DRV_BUDGET, DRV_CAP, DRV_RUNS override the device, probe length, time budget
(s), step cap and run folder (a CPU smoke test: DRV_DEVICE=cpu DRV_PROBE=20 DRV_BUDGET=150 DRV_CAP=60)."""
import json, os, re, subprocess, sys, tarfile, time
from pathlib import Path

T0 = time.time()
OUT = Path(os.environ.get('OUT', '/tmp/out')); OUT.mkdir(parents=True, exist_ok=True)
DEVICE = os.environ.get('DRV_DEVICE', 'cuda')
PROBE = int(os.environ.get('DRV_PROBE', 800))           # x2 steps of the speed probe
BUDGET = float(os.environ.get('DRV_BUDGET', 540))        # seconds from start the whole driver may use
CAP = int(os.environ.get('DRV_CAP', 60000))              # most steps (x2 + x4) per run
RUNS = Path(os.environ.get('DRV_RUNS', '/tmp/runs')); RUNS.mkdir(parents=True, exist_ok=True)
LOG = open(OUT / 'driver.log', 'a')

def say(*a):
    s = f"[{time.time() - T0:6.1f}s] " + ' '.join(map(str, a)); print(s, flush=True); LOG.write(s + '\n'); LOG.flush()

env = {**os.environ, 'EDSR_MSA_DATA': str(Path(os.environ.get('EDSR_MSA_DATA', '.gpudata/data')).resolve()), 'OMP_NUM_THREADS': '2', 'PYTHONUNBUFFERED': '1'}

def train_cmd(att, steps, out, max_minutes=None):
    c = [sys.executable, '-m', 'edsr_msa_nb.train', '--preset', 'psnr', '--model', 'lite', '--attention', att,
         '--data', 'T91', 'BSD200', '--val', 'Set5', '--scales', '2', '4', '--steps', str(steps[0]), str(steps[1]),
         '--batch_size', '32', '--lr_patch', '48', '--loss', 'l1', '--lr', '0.0007', '--val_every', '2000',
         '--save_every', '1000', '--seed', '0', '--device', DEVICE, '--workers', '4', '--out', str(out)]
    return c + (['--max_minutes', f'{max_minutes:.2f}'] if max_minutes else [])

def launch(cmd, log):
    return subprocess.Popen(cmd, stdout=open(log, 'w'), stderr=subprocess.STDOUT, env=env)

def tqdm_rate(log):
    "steps/s from the last tqdm line: done / elapsed."
    m = re.findall(r'train:[^\r\n]*?(\d+)/(\d+) \[(?:(\d+):)?(\d+):(\d+)<', Path(log).read_text(errors='replace'))
    if not m: return None
    done, _, h, mi, s = m[-1]
    el = int(h or 0) * 3600 + int(mi) * 60 + int(s)
    return int(done) / max(el, 1)

# 1. the train notebook's cuda cells, in the background
nb = None
if DEVICE == 'cuda':
    nb = subprocess.Popen(f"timeout 450 python3 /tmp/site/bin/nbdev_test --path nbs/10_train.ipynb --flags cuda "
                          f"> {OUT}/nbdev_test_07.log 2>&1", shell=True, env={**env, 'EDSR_MSA_DATA': ''})
    subprocess.run("nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader", shell=True)
(OUT / 'machine.txt').write_text(subprocess.run([sys.executable, '-c', 'from edsr_msa_nb.card import machine_description as m; print(m())'],
                                                capture_output=True, text=True, env=env).stdout)
say('machine:', (OUT / 'machine.txt').read_text().strip())

# 2. speed probe: three concurrent runs, as in the real session
names = [('msa', 'msa'), ('none', 'none'), ('msa', 'msa_repro')]
probes = [launch(train_cmd(a, (PROBE, 1), RUNS / f'probe_{n}'), RUNS / f'probe_{n}.log') for a, n in names]
for p in probes: p.wait()
rates = {n: tqdm_rate(RUNS / f'probe_{n}.log') for _, n in names}
say('probe rates (steps/s, 3 concurrent):', rates, 'rc', [p.returncode for p in probes])
if any(p.returncode for p in probes):
    for _, n in names: say(n, Path(RUNS / f'probe_{n}.log').read_text()[-1500:])
    sys.exit(1)
rate = min(r for r in rates.values() if r)
left = BUDGET - (time.time() - T0) - 40                  # 40 s: stage switches, final validation, packing
total = min(CAP, int(rate * left * 0.85))
x2 = max(500, total * 2 // 3 // 500 * 500); x4 = max(250, (total - x2) // 250 * 250)
say(f'plan: {left:.0f} s left at {rate:.1f} steps/s -> steps x2 {x2}, x4 {x4}')
(OUT / 'plan.json').write_text(json.dumps(dict(rates=rates, x2=x2, x4=x4, left_s=left, cmd=train_cmd('msa', (x2, x4), 'OUT'))))

# 3. the real runs, a --max_minutes safety net so they always leave a checkpoint
mm = (left + 25) / 60
runs = {n: launch(train_cmd(a, (x2, x4), RUNS / n, mm), RUNS / f'{n}.log') for a, n in names}
while any(p.poll() is None for p in runs.values()):
    time.sleep(30)
    say('progress', {n: (tqdm_rate(RUNS / f'{n}.log'), Path(RUNS / f'{n}.log').read_text(errors='replace')[-120:].replace('\r', ' | ').strip()[-90:]) for n in runs})
say('runs rc', {n: p.returncode for n, p in runs.items()})

# 4. pack (weights, history, summary, config, log) per run
for _, n in names:
    d = RUNS / n
    with tarfile.open(OUT / f'{n}.tgz', 'w:gz') as t:
        for f in ('weights', 'history.json', 'summary.json', 'config.json', 'history.png'):
            if (d / f).exists(): t.add(d / f, arcname=f)
        t.add(RUNS / f'{n}.log', arcname='train.log')
    s = d / 'summary.json'
    say(n, json.loads(s.read_text()).get('best') if s.is_file() else 'no summary')
if nb is not None:
    try: nb.wait(timeout=max(5, BUDGET + 20 - (time.time() - T0)))
    except subprocess.TimeoutExpired: nb.kill(); say('nbdev_test 07 still running: killed')
    say('nbdev_test 07 rc', nb.returncode, open(OUT / 'nbdev_test_07.log').read()[-800:])
say('done')
