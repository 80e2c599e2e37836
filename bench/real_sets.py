"""Build the real-world benchmark sets (`degrade.real_set`) and write their LR pixel hashes to
edsr_msa_nb/data_files/real_sets.json, the reference `real_set` compares every later build with.

    EDSR_MSA_DATA=/path/to/datasets python bench/real_sets.py [--sets Set5 Set14 B100] [--scale 4]

The sets are built in a fresh temporary cache, twice, and the two builds must agree pixel for pixel."""
import argparse, json, os, tempfile, time
from pathlib import Path

import torch

p = argparse.ArgumentParser()
p.add_argument('--sets', nargs='+', default=['Set5', 'Set14', 'B100'])
p.add_argument('--scale', type=int, default=4)
p.add_argument('--seed', type=int, default=0)
a = p.parse_args()
torch.set_num_threads(1)
from edsr_msa_nb import degrade as D

out = Path(D.__file__).parent / 'data_files' / 'real_sets.json'
ref = json.loads(out.read_text()) if out.is_file() else {}
for base in a.sets:
    builds = []
    for _ in range(2):
        with tempfile.TemporaryDirectory() as d:
            os.environ['EDSR_MSA_CACHE'] = d
            t = time.perf_counter(); D.real_set(base, a.scale, a.seed, progress=False)
            man = json.loads((D.real_set_folder(base, a.scale, a.seed) / 'manifest.json').read_text())
            builds.append(man['lr_pixel_sha256']); print(f"{base} x{a.scale}: {len(builds[-1])} images in {time.perf_counter() - t:.1f} s")
    assert builds[0] == builds[1], f"{base}: two builds differ"
    ref[f"{base}-real-x{a.scale}-v{D.DEGRADATION_VERSION}-seed{a.seed}"] = builds[0]
out.write_text(json.dumps(ref, indent=1, sort_keys=True) + '\n')
print('wrote', out)
