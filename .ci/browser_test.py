"""Test the offline docs site (`python .ci/docs.py html`) in headless Chromium, as a reader would see it.

    python .ci/browser_test.py _docs [--screenshot .ci/logs/docs_index.png]

Checks, for every page listed in `_docs/manifest.json`:
- it loads with no console errors (no failed resource, no JavaScript error);
- every link inside the site resolves: the target page exists and, for `page.html#anchor`, the anchor exists;
- every page whose notebook stores an image output shows an <img> of non-trivial size (>= 32x32 px, decoded);
- a page whose notebook has math ($...$) shows it typeset by the local MathJax (when the build bundled it);
- `index.html` shows README.md's content (every paragraph, heading, list item and table cell of README, as text).
Uses Debian's `chromium` and `chromium-driver` through selenium; no network is needed or used.
"""
import argparse, json, os, re, shutil, sys, tempfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

MIN_IMG = 32


def make_driver(profile_dir: str):
    opts = webdriver.ChromeOptions()
    for a in ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
              '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage',
              f'--user-data-dir={profile_dir}', '--window-size=1280,1000']:
        opts.add_argument(a)
    chrome = shutil.which('chromium') or shutil.which('chromium-browser') or shutil.which('google-chrome')
    if chrome: opts.binary_location = chrome
    opts.set_capability('goog:loggingPrefs', {'browser': 'ALL'})
    driver_path = shutil.which('chromedriver') or '/usr/bin/chromedriver'
    os.environ.setdefault('SE_OFFLINE', 'true')   # selenium-manager must not try to download a driver
    return webdriver.Chrome(service=Service(executable_path=driver_path), options=opts)


class _Text(HTMLParser):
    "Block-level texts of an HTML fragment (paragraphs, headings, list items, table cells)."
    BLOCKS = {'p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'li', 'td', 'th', 'blockquote'}
    def __init__(self):
        super().__init__(); self.stack, self.texts = [], []
    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS: self.stack.append([])
    def handle_endtag(self, tag):
        if tag in self.BLOCKS and self.stack:
            t = ''.join(self.stack.pop())
            if self.stack: self.stack[-1].append(t)
            self.texts.append(t)
    def handle_data(self, data):
        if self.stack: self.stack[-1].append(data)


def norm(s: str) -> str: return re.sub(r'\s+', ' ', s).strip()


def readme_texts(readme: Path) -> list:
    "What a reader of README.md sees, as texts to find on the index page (comments and badges carry no text)."
    from nbconvert.filters import markdown2html
    md = re.sub(r'<!--.*?-->', '', readme.read_text(encoding='utf-8'), flags=re.DOTALL)
    p = _Text(); p.feed(re.sub(r'<a class="anchor-link".*?</a>', '', markdown2html(md), flags=re.DOTALL))
    return [t for t in (norm(x) for x in p.texts) if len(t) > 2]


JS_PAGE = """
const imgs = Array.from(document.images).map(i => ({src: i.currentSrc.slice(0, 60), w: i.naturalWidth, h: i.naturalHeight,
                                                    complete: i.complete, shown: i.getBoundingClientRect().width}));
const links = Array.from(document.querySelectorAll('a[href]')).map(a => a.href);
const ids = Array.from(document.querySelectorAll('[id]')).map(e => e.id)
  .concat(Array.from(document.querySelectorAll('a[name]')).map(e => e.name));
return {imgs, links, ids, text: document.body.innerText, title: document.title};
"""


JS_MATH = """
const done = arguments[arguments.length - 1];
const p = window.MathJax && MathJax.startup && MathJax.startup.promise;
if (!p) { done('MathJax did not load'); }
else { p.then(() => done(document.querySelectorAll('mjx-container').length)).catch(e => done('MathJax error: ' + e)); }
"""


def run(site: Path, screenshot: Path = None, readme: Path = None) -> list:
    site = site.resolve()
    manifest = json.loads((site / 'manifest.json').read_text())
    errs, pages = [], {}
    profile = tempfile.mkdtemp(prefix='chromium-profile-')
    driver = make_driver(profile)
    try:
        driver.set_page_load_timeout(60); driver.set_script_timeout(60)
        for page, info in manifest.items():
            url = (site / page).as_uri()
            driver.get(url)
            n_math = driver.execute_async_script(JS_MATH) if info.get('math') else None
            res = driver.execute_script(JS_PAGE)
            logs = driver.get_log('browser')
            bad = [l for l in logs if l.get('level') in ('SEVERE', 'ERROR')]
            for l in bad: errs.append(f"{page}: console error: {l.get('message', '')[:200]}")
            big = [i for i in res['imgs'] if i['complete'] and i['w'] >= MIN_IMG and i['h'] >= MIN_IMG and i['shown'] > 0]
            broken = [i for i in res['imgs'] if not i['complete'] or i['w'] == 0]
            for i in broken: errs.append(f"{page}: image does not load: {i['src']}")
            if info['images'] and not big:
                errs.append(f"{page}: {info['source']} stores {info['images']} figure(s) but the page shows no image >= {MIN_IMG}px")
            if info.get('math') and not (isinstance(n_math, int) and n_math > 0):
                errs.append(f"{page}: the notebook has math but MathJax typeset none ({n_math})")
            pages[page] = res
            print(f"  {page:28s} ok={not bad}  links={len(res['links']):3d}  figures={len(big)}/{info['images']}  "
                  f"console={len(logs)}" + (f"  math={n_math}" if n_math is not None else ''), flush=True)
            if page == 'index.html' and screenshot:
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                driver.save_screenshot(str(screenshot))
                print(f"  screenshot of index.html -> {screenshot}")
    finally:
        driver.quit(); shutil.rmtree(profile, ignore_errors=True)

    # internal links: every link to a file of the site points at an existing page, and at an existing anchor
    n_int = 0
    for page, res in pages.items():
        for href in res['links']:
            u = urlparse(href)
            if u.scheme != 'file': continue
            n_int += 1
            path, frag = urldefrag(href)
            target = Path(unquote(urlparse(path).path))
            try: rel = target.relative_to(site).as_posix()
            except ValueError: errs.append(f"{page}: link leaves the site: {href}"); continue
            if not target.exists(): errs.append(f"{page}: broken link to {rel}"); continue
            if frag and rel in pages and unquote(frag) not in pages[rel]['ids']:
                errs.append(f"{page}: link to {rel}#{frag}: no such anchor")
    print(f"  checked {n_int} internal links on {len(pages)} pages")

    # index.html shows README's content
    if readme and 'index.html' in pages:
        text = norm(pages['index.html']['text'])
        missing = [t for t in readme_texts(readme) if t not in text]
        for t in missing: errs.append(f"index.html does not show README text: {t[:100]!r}")
        print(f"  index.html shows {len(readme_texts(readme)) - len(missing)}/{len(readme_texts(readme))} README blocks")
    elif readme: errs.append("no index.html in the site")
    return errs


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('site', type=Path)
    ap.add_argument('--screenshot', type=Path, default=None)
    ap.add_argument('--readme', type=Path, default=Path('README.md'))
    a = ap.parse_args()
    errs = run(a.site, a.screenshot, a.readme)
    for e in errs: print('FAIL', e)
    print('docs browser test: ' + ('ok' if not errs else f'{len(errs)} problem(s)'))
    sys.exit(int(bool(errs)))
