"""The notebooks' ipywidgets in a real front end: a JupyterLab server and headless Chromium, both started here.

    python .ci/widget_test.py [--screenshots .ci/logs/widgets] [--break js|callback]

Writes a small notebook into a temporary root directory, starts JupyterLab on it (127.0.0.1 only, a free port, a
token, an isolated Jupyter config), opens the notebook in headless Chromium (selenium with the system `chromium` and
`chromedriver`, as .ci/browser_test.py does), runs it with the menu's Run > Run All Cells and checks, from the page:
- the kernel imports edsr_msa_nb from this checkout, and no cell raises;
- each widget of the chapters renders: `Explorer(model, image).widget` (13_attention_maps: three dropdowns, four
  sliders, an image), `slider(image, model)` (14_evaluate's before/after view: a slider and an image) and
  `interpolation_slider(psnr_model, gan_model, hr, scale)` (14_evaluate: ESRGAN's alpha slider, a text, an image),
  with shipped lite weights and small images; no widget error text ("Error displaying widget", "Failed to load model
  class", "Loading widget..." left showing, a widget's text/plain fallback) and no severe browser console message;
- user input reaches the kernel and comes back: choosing another layer and another method in the Explorer's dropdowns
  changes its image, dragging the before/after slider moves the split (the image changes), dragging alpha to 1
  changes the interpolation's image and its PSNR/NIQE text; the notebook's log console (View > Show Log Console,
  where JupyterLab puts what widget callbacks raise) shows no traceback;
- a screenshot of each widget (and of the page) goes to --screenshots.
One line per check, then a summary; exits non-zero when any check fails. The server and the browser are stopped
(process group killed) whatever happens.

--break demonstrates that the test catches a broken widget front end (it must then fail):
  js        the server runs with the widgets' JupyterLab extension disabled
            (`jupyter labextension disable --level=user @jupyter-widgets/jupyterlab-manager`, with JUPYTER_CONFIG_DIR
            the isolated config dir: the default level, sys_prefix, would edit the environment's own config);
  callback  a cell after the widgets monkeypatches the library so that every widget callback raises.
"""
import argparse, json, os, re, shutil, signal, socket, subprocess, sys, tempfile, time, urllib.request, uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from browser_test import make_driver   # noqa: E402  (the docs test's Chromium options: headless, no network)

from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

WIDGET_ERRORS = ('Error displaying widget', 'Failed to load model class', 'Loading widget...')
BROKEN_CALLBACK = 'widget callback broken on purpose (--break callback)'
IDS = {'explorer': 'ci-explorer', 'before/after': 'ci-before-after', 'interpolation': 'ci-interp'}

# --- the notebook ---------------------------------------------------------------------------------------------------
CELLS = [
    # 0: the kernel is this checkout's
    f"""import os, sys, edsr_msa_nb
from pathlib import Path
root = Path({str(ROOT)!r}).resolve()
here = Path(edsr_msa_nb.__file__).resolve()
assert root in here.parents, f"edsr_msa_nb imported from {{here}}, not from {{root}}"
assert sys.prefix == {sys.prefix!r}, f"the kernel runs in {{sys.prefix}}, not in the test's environment {sys.prefix!r}"
print('CI-KERNEL pid', os.getpid(), sys.executable, 'edsr_msa_nb', edsr_msa_nb.__version__, 'from', here.parent)""",
    # 1: inputs (shipped lite weights, small images)
    """import numpy as np, torch
from PIL import Image
torch.set_num_threads(1)
from edsr_msa_nb.data import resolve_dataset, sample_images
from edsr_msa_nb.model import from_pretrained
from edsr_msa_nb.interpret import Explorer
from edsr_msa_nb.evaluate import interpolation_slider, slider
baby = np.asarray(Image.open(resolve_dataset('Set5') / 'baby.png').convert('RGB'))
print('CI-INPUTS', baby.shape)""",
    # 2: 13_attention_maps: Explorer(model, image).widget
    """ex = Explorer(from_pretrained('lite-msa-x2'), sample_images()['astronaut'][::4, ::4][:40, :40], fold=4)
ex.widget.add_class('ci-explorer')
ex.widget""",
    # 3: 14_evaluate: slider(image, model): the before/after view
    """ba = slider(baby[200:248, 150:214], from_pretrained('lite-x2'), device='cpu')
ba.add_class('ci-before-after')
ba""",
    # 4: 14_evaluate: interpolation_slider (NIQE needs two 96x96 blocks: a 112x208 HR crop)
    """sl = interpolation_slider('lite-x4', 'lite-gan-x4', baby[240:352, 150:358], 4, crop=(56, 8, 96, 96), device='cpu')
sl.add_class('ci-interp')
sl""",
]
BREAK_CALLBACK_CELL = f"""# --break callback: from here on every widget callback raises
import edsr_msa_nb.evaluate as _ev, edsr_msa_nb.interpret as _ip
def _boom(*a, **k): raise RuntimeError({BROKEN_CALLBACK!r})
_ev._png = _boom      # before_after's and interpolation_slider's callbacks encode their image with it
_ip.explain = _boom   # Explorer.update computes its map with it
print('CI-BROKEN callbacks')"""


def write_notebook(path: Path, break_callback: bool):
    import nbformat
    cells = CELLS + ([BREAK_CALLBACK_CELL] if break_callback else [])
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata['kernelspec'] = {'name': 'python3', 'display_name': 'Python 3 (ipykernel)', 'language': 'python'}
    nbformat.write(nb, str(path))
    return len(cells)


# --- the server -----------------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); return s.getsockname()[1]


def settings(cfg: Path):
    "User settings in the isolated config: every cell in the DOM (no windowing), no news/update requests."
    us = cfg / 'lab' / 'user-settings' / '@jupyterlab'
    for rel, val in [('notebook-extension/tracker.jupyterlab-settings', {'windowingMode': 'none'}),
                     ('apputils-extension/notification.jupyterlab-settings',
                      {'fetchNews': 'false', 'checkForUpdates': False})]:
        (us / rel).parent.mkdir(parents=True, exist_ok=True); (us / rel).write_text(json.dumps(val))


def start_server(tmp: Path, root_dir: Path, port: int, token: str, log, env) -> subprocess.Popen:
    cmd = [sys.executable, '-m', 'jupyterlab', '--no-browser', '--ServerApp.ip=127.0.0.1', f'--ServerApp.port={port}',
           '--ServerApp.port_retries=0', f'--IdentityProvider.token={token}', f'--ServerApp.root_dir={root_dir}',
           '--ServerApp.allow_remote_access=False', '--LabApp.news_url=None',
           '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate', '--LabApp.extension_manager=readonly',
           '--ServerApp.terminals_enabled=False'] + (['--allow-root'] if os.geteuid() == 0 else [])   # CI runs as root
    return subprocess.Popen(cmd, cwd=tmp, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def wait_server(proc, base: str, token: str, timeout: float):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))   # loopback: never through a proxy
    t0 = time.time()
    while time.time() - t0 < timeout:
        if proc.poll() is not None: raise RuntimeError(f"the Jupyter server exited with {proc.returncode}")
        try:
            with opener.open(f'{base}/api/status?token={token}', timeout=2) as r:
                if r.status == 200: return time.time() - t0
        except OSError: pass
        time.sleep(0.3)
    raise RuntimeError(f"the Jupyter server did not answer on {base} within {timeout:.0f} s")


def stop(proc):
    if proc is None or proc.poll() is not None: return
    try: os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError: return
    try: proc.wait(10)
    except subprocess.TimeoutExpired:
        try: os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError: pass
        proc.wait(5)


def stop_kernel(pid: int):
    "The server shuts its kernel down when stopped; one left running (its own process group) is killed here."
    try:
        if b'ipykernel' not in Path(f'/proc/{pid}/cmdline').read_bytes(): return   # gone (the pid may be reused)
        os.killpg(os.getpgid(pid), signal.SIGKILL) if os.getpgid(pid) == pid else os.kill(pid, signal.SIGKILL)
        print(f"  killed the kernel (pid {pid}) the server left running")
    except (OSError, ProcessLookupError): pass


# --- the page -------------------------------------------------------------------------------------------------------
JS_STATE = """
const root = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook') || document.body;
const cells = Array.from(root.querySelectorAll('.jp-CodeCell')).map(c => ({
  prompt: (c.querySelector('.jp-InputArea-prompt') || {}).innerText || '',
  text: (c.querySelector('.jp-OutputArea') || {}).innerText || '',
  errors: Array.from(c.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'))
                .map(e => e.innerText)}));
return {cells, text: root.innerText};
"""

JS_IMG = """
const [sel, done] = [arguments[0], arguments[arguments.length - 1]];
const img = document.querySelector(sel);
if (!img) { done(null); return; }
const src = img.currentSrc || img.src;
fetch(src).then(r => r.arrayBuffer()).then(b => {
  const a = new Uint8Array(b); let h = 2166136261;                       // FNV-1a of the image's bytes
  for (let i = 0; i < a.length; i++) { h ^= a[i]; h = Math.imul(h, 16777619) >>> 0; }
  done({hash: h.toString(16), bytes: a.length, w: img.naturalWidth, h: img.naturalHeight, complete: img.complete,
        shown: img.getBoundingClientRect().width, src: src.slice(0, 40)});
}).catch(e => done({error: String(e)}));
"""

JS_SPLIT = """
const img = document.querySelector(arguments[0]);
if (!img || !img.naturalWidth) return null;
const c = document.createElement('canvas'); [c.width, c.height] = [img.naturalWidth, img.naturalHeight];
const g = c.getContext('2d'); g.drawImage(img, 0, 0);
const d = g.getImageData(0, 0, c.width, c.height).data, cols = [];
for (let x = 0; x < c.width; x++) {                                        // columns that are white top to bottom
  let white = true;
  for (let y = 0; y < c.height && white; y++) { const i = 4 * (y * c.width + x); white = d[i] + d[i+1] + d[i+2] === 765; }
  if (white) cols.push(+(x / c.width).toFixed(3));
}
return cols;
"""


class Checks:
    def __init__(self): self.results = []
    def __call__(self, name: str, ok: bool, detail: str = ''):
        self.results.append((name, bool(ok), detail))
        print(f"  {'ok  ' if ok else 'FAIL'} {name}" + (f": {detail}" if detail else ''), flush=True)
        return ok


def wait_for(fn, timeout: float, every: float = 0.25):
    "Poll `fn` until it returns something truthy (returned) or `timeout` s pass (the last value is returned)."
    t0, v = time.time(), None
    while time.time() - t0 < timeout:
        try: v = fn()
        except WebDriverException: v = None
        if v: return v
        time.sleep(every)
    return v


def img_state(driver, cls: str):
    return driver.execute_async_script(JS_IMG, f'.{cls} .widget-image')


def changed(driver, cls: str, before: dict, timeout: float):
    "Wait until the widget's image bytes differ from `before` (and the new image decoded)."
    def new():
        s = img_state(driver, cls)
        return s if s and s.get('hash') and s['hash'] != before['hash'] and s['w'] > 0 and s['complete'] else None
    return wait_for(new, timeout)


def drag(driver, cls: str, frac: float):
    "Drag the widget's slider handle to `frac` of its track, as a user's mouse does."
    track = driver.find_element(By.CSS_SELECTOR, f'.{cls} .widget-slider .noUi-target')
    handle = track.find_element(By.CSS_SELECTOR, '.noUi-handle')
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", track)
    tr, hr = track.rect, handle.rect
    dx = round(tr['x'] + frac * tr['width'] - (hr['x'] + hr['width'] / 2))
    ActionChains(driver).move_to_element(handle).click_and_hold().move_by_offset(dx // 2, 0) \
        .move_by_offset(dx - dx // 2, 0).release().perform()


def slider_value(driver, cls: str):
    "The slider's value as its handle states it (noUiSlider's aria-valuetext; aria-valuenow is rounded)."
    v = driver.find_element(By.CSS_SELECTOR, f'.{cls} .widget-slider .noUi-handle').get_attribute('aria-valuetext')
    return float(v) if v not in (None, '') else None


def console(driver, logs: list):
    try: logs.extend(driver.get_log('browser'))
    except Exception: pass   # the browser is gone: what it logged before is kept


def menu(driver, top: str, label: str):
    "Click the menu bar's `top` menu, then its item `label`, as a user does."
    driver.find_element(By.CSS_SELECTOR, '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-InputArea-prompt').click()  # focus
    bar = next(e for e in driver.find_elements(By.CSS_SELECTOR, '.lm-MenuBar-item') if e.text.strip() == top)
    bar.click()
    item = wait_for(lambda: [e for e in driver.find_elements(By.CSS_SELECTOR, '.lm-Menu-item')
                             if e.is_displayed() and e.text.strip() == label
                             and 'lm-mod-disabled' not in (e.get_attribute('class') or '')], 10)
    if not item: raise RuntimeError(f"the {top} menu has no enabled {label!r} item")
    item[0].click()


def run_all(driver): menu(driver, 'Run', 'Run All Cells')


def test(driver, base: str, token: str, n_cells: int, shots: Path, check: Checks, timeout: float, kernel: list):
    logs = []
    t0 = time.time()
    driver.get(f'{base}/lab/tree/widgets.ipynb?token={token}')
    n_shown = lambda: driver.execute_script(
        "const p = document.querySelector('.jp-NotebookPanel .jp-Notebook');"
        "return p ? p.querySelectorAll('.jp-CodeCell').length : 0")
    ready = wait_for(lambda: n_shown() == n_cells, 60) and n_cells or n_shown()
    check('JupyterLab opens the notebook', ready == n_cells, f"{ready} of {n_cells} code cells shown, "
                                                             f"{time.time() - t0:.1f} s")
    if ready != n_cells: return logs
    # the kernel is up (the toolbar's indicator stays idle for a second) before the cells are queued
    idle = lambda: driver.execute_script(
        "const s = document.querySelector('.jp-NotebookPanel .jp-Notebook-ExecutionIndicator');"
        "return s && s.getAttribute('data-status') === 'idle'")
    wait_for(lambda: idle() and (time.sleep(1) or idle()), 60)
    t1 = time.time()
    for attempt in range(3):   # a click that lands while JupyterLab is still settling can be lost: then click again
        run_all(driver)
        if wait_for(lambda: any(c['prompt'] != '[ ]:' for c in driver.execute_script(JS_STATE)['cells']), 10): break
        print(f"  (Run All Cells started no cell within 10 s: attempt {attempt + 2})", flush=True)

    def finished():
        st = driver.execute_script(JS_STATE)
        ps = [c['prompt'] for c in st['cells']]
        return st if all(p.startswith('[') and p[1:-2].strip().isdigit() for p in ps) else None
    st = wait_for(finished, timeout, 0.5)
    if not st:
        st = driver.execute_script(JS_STATE)
        check('Run All Cells runs every cell', False, f"prompts after {timeout:.0f} s: "
                                                     f"{[c['prompt'] for c in st['cells']]}")
        return logs
    check('Run All Cells runs every cell', True, f"{time.time() - t1:.1f} s")
    errs = [(i, e) for i, c in enumerate(st['cells']) for e in c['errors'] if 'Error' in e or 'Traceback' in e]
    check('no cell raises', not errs, '; '.join(f"cell {i}: {e.strip().splitlines()[-1][:200]}" for i, e in errs))
    k = st['cells'][0]['text']
    m = re.search(r'CI-KERNEL pid (\d+)', k)
    if m: kernel.append(int(m.group(1)))   # stopped by main() if the server leaves it running
    check('the kernel imports edsr_msa_nb from this checkout', 'CI-KERNEL' in k and str(ROOT) in k,
          k.strip().splitlines()[-1][:200] if k.strip() else 'no output')

    # rendered: the widget views (not their text/plain fallback), their controls and a decoded image
    wait_for(lambda: not any(e in driver.execute_script(JS_STATE)['text'] for e in WIDGET_ERRORS), 20)
    text = driver.execute_script(JS_STATE)['text']
    shown = [e for e in WIDGET_ERRORS if e in text]
    check('no widget error text', not shown, ', '.join(repr(e) for e in shown))
    fallback = [i for i in (2, 3, 4) if 'VBox(' in st['cells'][i]['text']]
    check("no widget shows its text/plain fallback (the front end renders the view)", not fallback,
          f"cells {fallback} show 'VBox(...)'" if fallback else '')
    parts = {'explorer': {'.widget-dropdown select': 3, '.widget-slider': 4, '.widget-image': 1, '> .widget-label': 1},
             'before/after': {'.widget-slider': 1, '.widget-image': 1},
             'interpolation': {'.widget-slider': 1, '.widget-html': 1, '.widget-image': 1}}
    imgs = {}
    for name, cls in IDS.items():
        n = driver.execute_script(f"return document.querySelectorAll('.jp-OutputArea-output .jupyter-widgets.{cls}').length")
        got = {sel: driver.execute_script(f"return document.querySelectorAll('.{cls} {sel}').length") for sel in parts[name]}
        img = img_state(driver, cls) if n else None
        ok = n == 1 and all(got[s] >= parts[name][s] for s in got) and img and img.get('w', 0) > 0 and img['shown'] > 0
        check(f"{name} widget rendered", ok, f"view={n}, " + ', '.join(f"{s}={v}" for s, v in got.items()) +
              (f", image {img['w']}x{img['h']} ({img['bytes']} bytes)" if img and 'w' in img else ', no image'))
        imgs[name] = img
    console(driver, logs)

    # interactions: each must change the image the kernel sends back
    wait = 15
    for name in IDS:
        if not imgs[name]: check(f"{name}: interactions", False, "not tried: the widget did not render")
    if imgs['explorer']:
        sel = driver.find_elements(By.CSS_SELECTOR, '.ci-explorer .widget-dropdown select')
        layer = Select(sel[1]); before = imgs['explorer']
        layer.select_by_visible_text('attn.1')
        after = changed(driver, 'ci-explorer', before, wait)
        check("explorer: choosing layer 'attn.1' changes the image", after,
              f"{before['hash']} -> {after['hash']}" if after else f"unchanged after {wait} s")
        before = after or img_state(driver, 'ci-explorer')
        Select(sel[0]).select_by_visible_text('layercam')
        after = changed(driver, 'ci-explorer', before, wait)
        check("explorer: choosing method 'layercam' changes the image", after,
              f"{before['hash']} -> {after['hash']}" if after else f"unchanged after {wait} s")
        status = driver.find_element(By.CSS_SELECTOR, '.ci-explorer > .widget-label').text   # Explorer.status
        check("explorer: its status line follows the method", status.startswith('layercam'), repr(status))
    if imgs['before/after']:
        before = imgs['before/after']
        drag(driver, 'ci-before-after', 0.15)
        after = changed(driver, 'ci-before-after', before, wait)
        check('before/after: dragging the slider changes the image', after,
              f"{before['hash']} -> {after['hash']}" if after else f"unchanged after {wait} s")
        split = driver.execute_script(JS_SPLIT, '.ci-before-after .widget-image')
        v = slider_value(driver, 'ci-before-after')
        check('before/after: the split (white line) is where the slider is', split and v is not None and v < 0.3 and
              all(abs(x - v) < 0.02 for x in split), f"white column(s) at {split} of the width, slider at {v}")
    if imgs['interpolation']:
        before = imgs['interpolation']
        t_before = driver.find_element(By.CSS_SELECTOR, '.ci-interp .widget-html').text
        drag(driver, 'ci-interp', 1.0)
        after = changed(driver, 'ci-interp', before, wait)
        check('interpolation: dragging alpha changes the image', after,
              f"{before['hash']} -> {after['hash']}" if after else f"unchanged after {wait} s")
        t_after = wait_for(lambda: (lambda t: t if t != t_before else None)(
            driver.find_element(By.CSS_SELECTOR, '.ci-interp .widget-html').text), 5 if after else 1)
        check('interpolation: its text follows alpha', t_after and t_after.startswith('alpha 1:'),
              f"{t_before!r} -> {t_after!r}")
    if shots:
        shots.mkdir(parents=True, exist_ok=True)
        for name, cls in IDS.items():
            el = driver.find_elements(By.CSS_SELECTOR, f'.jp-OutputArea-output .{cls}')
            if el:
                driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", el[0])
                el[0].screenshot(str(shots / f"widget_{cls[3:]}.png"))
        print(f"  screenshots of {len(IDS)} widgets -> {shots}")
    console(driver, logs)
    # JupyterLab shows what widget callbacks print or raise in the notebook's log console (View > Show Log Console)
    time.sleep(0.5)
    menu(driver, 'View', 'Show Log Console')
    text = wait_for(lambda: '\n'.join(e.text for e in driver.find_elements(By.CSS_SELECTOR, '.jp-LogConsolePanel')), 5) or ''
    raised = [l.strip() for l in text.splitlines() if re.match(r'[A-Za-z_][\w.]*(Error|Exception): ', l.strip())]
    n_tb = text.count('Traceback')
    check('no widget callback raises (the log console shows no traceback)', not n_tb and not raised,
          f"{n_tb} traceback(s): " + ' | '.join(dict.fromkeys(raised)) if n_tb or raised else '')

    return logs


class Terminated(Exception): pass


def terminated(signum, frame): raise Terminated("terminated by SIGTERM (CI's timeout?)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--screenshots', type=Path, default=None, help='folder for the screenshots and the server log')
    ap.add_argument('--break', dest='brk', choices=['js', 'callback'], default=None,
                    help='break the widget front end on purpose: the test must then fail')
    ap.add_argument('--timeout', type=float, default=90, help='seconds for Run All Cells to finish')
    a = ap.parse_args()
    signal.signal(signal.SIGTERM, terminated)   # `timeout` in CI: still stop the server and the browser
    t_start = time.time()
    check = Checks()
    tmp = Path(tempfile.mkdtemp(prefix='widget-test-'))
    profile = tempfile.mkdtemp(prefix='chromium-profile-')
    proc = driver = None
    logs, kernel = [], []
    server_log = (a.screenshots or tmp) / 'widget_server.log'
    try:
        root_dir, cfg = tmp / 'root', tmp / 'config'
        root_dir.mkdir(); cfg.mkdir(); server_log.parent.mkdir(parents=True, exist_ok=True)
        n_cells = write_notebook(root_dir / 'widgets.ipynb', a.brk == 'callback')
        env = {k: v for k, v in os.environ.items() if not k.lower().endswith('_proxy')}
        env.update(JUPYTER_CONFIG_DIR=str(cfg), JUPYTER_DATA_DIR=str(tmp / 'data'), JUPYTER_RUNTIME_DIR=str(tmp / 'runtime'),
                   IPYTHONDIR=str(tmp / 'ipython'), JUPYTER_PLATFORM_DIRS='1',
                   OMP_NUM_THREADS=env.get('OMP_NUM_THREADS', '1'), MKL_NUM_THREADS=env.get('MKL_NUM_THREADS', '1'))
        settings(cfg)
        if a.brk == 'js':   # --level=user: the isolated JUPYTER_CONFIG_DIR (the default, sys_prefix, edits the venv)
            r = subprocess.run([sys.executable, '-m', 'jupyter', 'labextension', 'disable', '--level=user',
                                '@jupyter-widgets/jupyterlab-manager'], env=env, capture_output=True, text=True)
            pc = cfg / 'labconfig' / 'page_config.json'
            if r.returncode or '@jupyter-widgets/jupyterlab-manager' not in (pc.read_text() if pc.exists() else ''):
                raise RuntimeError(f"--break js could not disable the extension in {cfg}: {(r.stdout + r.stderr)[-300:]}")
            print(f"--break js: jupyter labextension disable --level=user @jupyter-widgets/jupyterlab-manager (-> {pc})")
        elif a.brk == 'callback':
            print("--break callback: a last cell makes every widget callback raise")
        port, token = free_port(), uuid.uuid4().hex
        base = f'http://127.0.0.1:{port}'
        with open(server_log, 'w') as log:
            proc = start_server(tmp, root_dir, port, token, log, env)
            dt = wait_server(proc, base, token, 60)
            print(f"  JupyterLab on {base} (pid {proc.pid}, root {root_dir}) answered after {dt:.1f} s", flush=True)
            driver = make_driver(profile)
            driver.set_page_load_timeout(60); driver.set_script_timeout(30)
            try:
                logs = test(driver, base, token, n_cells, a.screenshots, check, a.timeout, kernel)
            finally:
                console(driver, logs)
                if a.screenshots:
                    try: driver.save_screenshot(str(a.screenshots / 'widget_page.png'))
                    except Exception: pass
        severe = [l for l in logs if l.get('level') == 'SEVERE']
        check('no severe browser console message', not severe, ' | '.join(l.get('message', '')[:200] for l in severe[:3]))
    except Exception as e:   # a failure to start or to drive the page counts as a failed check, with its reason
        check('the test ran', False, f"{type(e).__name__}: {str(e)[:300]}")
        if server_log.exists(): print('  server log (last lines):\n    ' + '\n    '.join(
            server_log.read_text(errors='replace').splitlines()[-15:]))
    finally:
        if driver is not None:
            try: driver.quit()
            except Exception: pass
        stop(proc)
        for pid in kernel: stop_kernel(pid)
        shutil.rmtree(profile, ignore_errors=True); shutil.rmtree(tmp, ignore_errors=True)
    n_bad = sum(not ok for _, ok, _ in check.results)
    print(f"widget browser test: {len(check.results) - n_bad} checks passed, {n_bad} failed "
          f"({time.time() - t_start:.0f} s{', --break ' + a.brk if a.brk else ''})")
    for name, ok, detail in check.results:
        if not ok: print(f"FAIL {name}" + (f": {detail}" if detail else ''))
    return int(n_bad > 0)


if __name__ == '__main__':
    sys.exit(main())
