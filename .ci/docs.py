"""Docs tooling that works without Quarto: README.md from `nbs/index.ipynb`, an offline HTML site in `_docs/`,
and the checks CI runs on them. Run from the repository root, inside the project's environment.

    python .ci/docs.py readme [--check]    README.md from the index notebook (fails with a diff when stale)
    python .ci/docs.py html [--dest _docs] every page of nbs/sidebar.yml as standalone HTML + a contents page
    python .ci/docs.py sidebar             nbs/sidebar.yml lists every notebook, and only existing ones
    python .ci/docs.py badges              each notebook's Open-in-Colab badge and hidden install cell
    python .ci/docs.py commands            README's install/test commands are the ones CI and the workflows run
    python .ci/docs.py noskip              test cells that use the benchmark data never skip when it is missing
    python .ci/docs.py cycles              no import cycle between the package's modules (imports in functions too)

Every page goes through nbdev's own notebook processing (`nbdev.processors.FilterDefaults`, the processors
`nbdev_docs` runs before Quarto: hidden and exported cells removed, directives stripped, `show_doc` cells
added and rendered, backticked names linked) and is then converted by nbconvert from the outputs stored in
the notebook (`.ci/run_nb.py` stores them), as Quarto does with nbdev's `execute: enabled: false`.
Quarto's own cell options left by that processing (`echo`, `output`, `include`) are applied here.
"""
import argparse, base64, difflib, html, json, os, re, sys, warnings
from pathlib import Path

import nbformat, yaml
from execnb.nbio import read_nb
from nbconvert import HTMLExporter, MarkdownExporter
from nbconvert.filters import markdown2html
from nbdev.config import get_config
from nbdev.doclinks import _nbpath2html
from nbdev.processors import FilterDefaults
from traitlets.config import Config

CFG = get_config()
ROOT = Path(CFG.config_path)
NBS = Path(CFG.nbs_path)
if str(ROOT) not in sys.path: sys.path.insert(0, str(ROOT))   # as nbdev_test does: the package imports from here
SITE = f"{CFG.doc_host}{CFG.doc_baseurl}".rstrip('/') + '/'   # where the Quarto site lives (links point there)
COLAB_IMG = 'https://colab.research.google.com/assets/colab-badge.svg'
DEV_COMMAND = 'pip install -e ".[dev]" && nbdev_test'       # README's test command; .ci/run and test.yaml run it


def colab_url(rel: str) -> str:
    "The Open-in-Colab URL of notebook `rel` (a path relative to nbs/), from settings.ini's user/repo/branch."
    return f"https://colab.research.google.com/github/{CFG.user}/{CFG.repo}/blob/{CFG.branch}/{CFG.nbs_path.name}/{rel}"


# ---------------------------------------------------------------------------------------------- reading order
def _flatten(items):
    for it in items or []:
        if isinstance(it, str): yield it
        elif isinstance(it, dict):
            if 'href' in it: yield it['href']
            if 'auto' in it: yield from _glob(it['auto'])
            c = it.get('contents')
            if isinstance(c, str): yield from _glob(c)
            else: yield from _flatten(c)


def _glob(pat):
    pats = [pat] if isinstance(pat, str) else pat
    for p in pats:
        if any(ch in p for ch in '*?['): yield from sorted(str(q.relative_to(NBS)) for q in NBS.glob(p))
        elif (NBS / p).is_dir(): yield from sorted(str(q.relative_to(NBS)) for q in (NBS / p).glob('*.ipynb'))
        else: yield p


def reading_order() -> list:
    "Pages (paths relative to nbs/) in the order of nbs/sidebar.yml: the single source of the reading order."
    sb = yaml.safe_load((NBS / 'sidebar.yml').read_text())
    contents = sb['website']['sidebar']['contents']
    seen, res = set(), []
    for p in _flatten(contents):
        if p not in seen: seen.add(p); res.append(p)
    return res


def all_notebooks(exts=('.ipynb',)) -> list:
    "Every notebook nbdev builds (nbs/ recursively, skipping names that start with `_` or `.`)."
    res = []
    for p in sorted(q for q in NBS.rglob('*') if q.suffix in exts):
        rel = p.relative_to(NBS)
        if any(part.startswith(('_', '.')) for part in rel.parts) or '.ipynb_checkpoints' in rel.parts: continue
        res.append(str(rel.as_posix()))
    return res


def check_sidebar() -> list:
    order = reading_order()
    errs = [f"nbs/sidebar.yml lists {p}, which does not exist" for p in order if not (NBS / p).exists()]
    errs += [f"nbs/{p} is not in nbs/sidebar.yml: add it there (that file is the reading order of the docs)"
             for p in all_notebooks(('.ipynb', '.md', '.qmd')) if p not in order]
    if order and order[0] != 'index.ipynb': errs.append("nbs/sidebar.yml must start with index.ipynb")
    return errs


# ---------------------------------------------------------------------------------------- nbdev processing
_re_opt = re.compile(r'^\s*#\|\s*([\w-]+)\s*:\s*(.*?)\s*$')


def _md_page(path: Path):
    "A markdown page as a one-cell notebook (YAML front matter, if any, becomes the raw front-matter cell)."
    text = path.read_text(encoding='utf-8')
    cells = []
    m = re.match(r'^---\s*\n(.*?)\n---\s*\n', text, flags=re.DOTALL)
    if m: cells.append(nbformat.v4.new_raw_cell(m.group(0))); text = text[m.end():]
    cells.append(nbformat.v4.new_markdown_cell(text))
    return cells


_re_attr_link = re.compile(r'\[([^\]\n]+)\]\(([^)\s]+)\)\{([^}\n]*)\}')


def _pandoc_attrs(md: str) -> str:
    "Pandoc link attributes (`[source](url){target=\"_blank\"}`, as show_doc writes them) dropped (CSS floats them)."
    return _re_attr_link.sub(lambda m: f'[{m.group(1)}]({m.group(2)})', md)


def process_page(rel: str):
    "Run nbdev's docs processors on page `rel`; return (front matter dict, nbformat notebook ready to convert)."
    path = NBS / rel
    if path.suffix == '.ipynb': nb = read_nb(path)
    else:
        from execnb.nbio import dict2nb
        nb = dict2nb(nbformat.v4.new_notebook(cells=_md_page(path)))
    nb.path_ = str(path)
    cwd = os.getcwd()
    os.chdir(path.parent)   # exec_show_docs runs import/export cells; notebooks run from their own folder
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            FilterDefaults()(nb)
    finally: os.chdir(cwd)
    fm = dict(getattr(nb, 'frontmatter_', {}) or {})
    cells = []
    for c in nb.cells:
        if c.cell_type == 'raw' and c.source.lstrip().startswith('---'): continue   # front matter
        src, opts = c.source or '', {}
        if c.cell_type == 'code':
            lines = src.splitlines()
            while lines and _re_opt.match(lines[0]):
                k, v = _re_opt.match(lines.pop(0)).groups(); opts[k] = v.strip('"\'').lower()
            src = '\n'.join(lines).strip('\n')
        if opts.get('include') == 'false': continue
        if c.cell_type == 'code':
            outs = [nbformat.from_dict(dict(o)) for o in c.get('outputs', [])]
            for o in outs:
                md_out = o.get('data', {}).get('text/markdown')
                if md_out: o['data']['text/markdown'] = _pandoc_attrs(''.join(md_out) if isinstance(md_out, list) else md_out)
            cell = nbformat.v4.new_code_cell(src, outputs=outs)
            tags = []
            if opts.get('echo') == 'false' or not src.strip(): tags.append('remove_input')
            if opts.get('output') == 'false': tags.append('remove_output')
            if tags: cell.metadata['tags'] = tags
            if not src.strip() and not outs: continue
        elif c.cell_type == 'markdown': cell = nbformat.v4.new_markdown_cell(_pandoc_attrs(src))
        else: cell = nbformat.v4.new_raw_cell(src)
        cells.append(cell)
    md = {k: v for k, v in dict(nb.metadata).items() if k in ('kernelspec', 'language_info')}
    md.setdefault('language_info', {'name': 'python'})   # ```python fences in README, highlighting in HTML
    out = nbformat.v4.new_notebook(cells=cells, metadata=nbformat.from_dict(md))
    return fm, nbformat.reads(json.dumps(out), as_version=4)   # joins list-of-lines outputs as nbformat does


def _header_md(fm):
    res = f"# {fm['title']}\n" if fm.get('title') else ''
    if fm.get('description'): res += f"\n> {fm['description']}\n"
    return res


def _tag_config():
    c = Config()
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_input_tags = ('remove_input',)
    c.TagRemovePreprocessor.remove_all_outputs_tags = ('remove_output',)
    return c


# -------------------------------------------------------------------------------------------------- README
def build_readme():
    "(README text, {relative path: bytes} of its figure files), from nbs/<readme_nb>."
    rel = CFG.get('readme_nb', 'index.ipynb')
    fm, nb = process_page(rel)
    if fm.get('title'): nb.cells.insert(0, nbformat.v4.new_markdown_cell(_header_md(fm)))
    exp = MarkdownExporter(config=_tag_config())
    stem = Path(rel).stem + '_files'
    body, res = exp.from_notebook_node(nb, resources={'output_files_dir': f'{stem}/figure-gfm'})
    body = re.sub(r'\n{3,}', '\n\n', body).strip() + '\n'
    return body, dict(res.get('outputs', {}))


def cmd_readme(check: bool) -> int:
    body, files = build_readme()
    target = ROOT / 'README.md'
    if check:
        old = target.read_text(encoding='utf-8') if target.exists() else ''
        bad = old != body
        if bad:
            sys.stdout.writelines(difflib.unified_diff(old.splitlines(True), body.splitlines(True),
                                                       'README.md (committed)', 'README.md (from nbs/index.ipynb)'))
            print("\nREADME.md is stale: run `python .ci/docs.py readme` and commit README.md")
        for fn, data in files.items():
            p = ROOT / fn
            if not p.exists() or p.read_bytes() != data: print(f"{fn} is stale or missing"); bad = True
        return int(bad)
    target.write_text(body, encoding='utf-8')
    for fn, data in files.items():
        (ROOT / fn).parent.mkdir(parents=True, exist_ok=True); (ROOT / fn).write_bytes(data)
    print(f"wrote README.md ({len(body.splitlines())} lines, {len(files)} figure files)")
    return 0


# ---------------------------------------------------------------------------------------------- HTML site
# A local stand-in for Colab's badge image (the remote SVG cannot load offline): same text, same link.
_BADGE_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="117" height="20" role="img" aria-label="Open In Colab">'
              '<rect width="117" height="20" rx="3" fill="#555"/><rect x="0" width="117" height="20" rx="3" fill="#f9ab00"/>'
              '<text x="58.5" y="14" fill="#000" font-family="Verdana,sans-serif" font-size="11" text-anchor="middle">'
              'Open In Colab</text></svg>')
BADGE_DATA = 'data:image/svg+xml;base64,' + base64.b64encode(_BADGE_SVG.encode()).decode()

_CSS = """
body { margin: 0; }
.docs-nav { position: sticky; top: 0; z-index: 10; background: #2c3e50; color: #fff; padding: .5em 1.5em;
            font-family: system-ui, sans-serif; font-size: 14px; display: flex; gap: 1.5em; }
.docs-nav a { color: #fff; text-decoration: none; } .docs-nav a:hover { text-decoration: underline; }
.docs-nav .sp { flex: 1; }
a[href*="/blob/"][href*=".py#L"] { float: right; font-size: smaller; }
div.docs-page { max-width: 1100px; margin: 0 0 0 240px; padding: 1em 2em 4em; }
.docs-side { position: fixed; top: 40px; left: 0; bottom: 0; width: 225px; overflow-y: auto; padding: .8em .6em;
             border-right: 1px solid #ddd; background: #fafafa; font-family: system-ui, sans-serif; font-size: 13px; }
.docs-side ul { list-style: none; margin: 0 0 .6em 0; padding: 0; } .docs-side li { margin: .25em 0; }
.docs-side a { color: #2c3e50; text-decoration: none; } .docs-side a.current { font-weight: 600; color: #1e88e5; }
.docs-side .sec { text-transform: uppercase; font-size: 11px; color: #777; margin-top: .6em; letter-spacing: .04em; }
@media (max-width: 900px) { .docs-side { display: none; } div.docs-page { margin-left: 0; } }
.docs-contents { font-family: var(--jp-content-font-family, system-ui, sans-serif); font-size: 15px; padding: 0 1em; }
.docs-contents ol { line-height: 1.8; } .docs-contents .desc { color: #555; }
"""


def _pandoc_id(text: str) -> str:
    "Heading id as pandoc/Quarto (and nbdev's symbol links) make it."
    t = re.sub(r'<[^>]+>', '', html.unescape(text)).strip().lower()
    t = re.sub(r'[^\w\s.\-]', '', t)
    t = re.sub(r'\s+', '-', t)
    return re.sub(r'^[^a-z]+', '', t) or 'section'


def _fix_headings(doc: str) -> str:
    seen = {}
    def sub(m):
        tag, attrs, inner = m.group(1), m.group(2), m.group(3)
        inner_clean = re.sub(r'<a class="anchor-link".*?</a>', '', inner, flags=re.DOTALL)
        hid = _pandoc_id(inner_clean)
        n = seen.get(hid, 0); seen[hid] = n + 1
        if n: hid = f"{hid}-{n}"
        attrs = re.sub(r'\s*id="[^"]*"', '', attrs)
        return f'<{tag}{attrs} id="{html.escape(hid)}">{inner_clean}<a class="anchor-link" href="#{html.escape(hid)}">&#182;</a></{tag}>'
    return re.sub(r'<(h[1-6])([^>]*)>(.*?)</\1>', sub, doc, flags=re.DOTALL)


def _rel(target: str, page: str) -> str:
    return os.path.relpath(target, os.path.dirname(page) or '.').replace(os.sep, '/')


def _fix_links(doc: str, page_html: str, nb_rel: str) -> str:
    "Links into the Quarto site or to sibling notebooks become relative links between the offline pages."
    def sub(m):
        attr, url = m.group(1), html.unescape(m.group(2))
        if url.startswith(SITE):
            path, _, frag = url[len(SITE):].partition('#')
            url = _rel(path or 'index.html', page_html) + (f'#{frag}' if frag else '')
        elif not re.match(r'^[a-z][a-z0-9+.-]*:|^#|^/', url):
            path, _, frag = url.partition('#')
            if path.endswith(('.ipynb', '.md', '.qmd')) and path:
                tgt = os.path.normpath(os.path.join(os.path.dirname(nb_rel), path))
                url = _rel(str(_nbpath2html(Path(tgt)).as_posix()), page_html) + (f'#{frag}' if frag else '')
        return f'{attr}="{html.escape(url, quote=True)}"'
    return re.sub(r'\b(href)="([^"]*)"', sub, doc)


def _strip_remote(doc: str) -> str:
    "No remote scripts or styles: the offline site must work with no network (MathJax/require.js CDNs)."
    doc = re.sub(r'<script[^>]*\bsrc="https?://[^"]*"[^>]*>\s*</script>', '', doc)
    doc = re.sub(r'<link[^>]*\bhref="https?://[^"]*"[^>]*>', '', doc)
    # the MathJax configuration block references the MathJax global, which is no longer loaded
    doc = re.sub(r'<script type="text/x-mathjax-config">.*?</script>', '', doc, flags=re.DOTALL)
    doc = re.sub(r'<script[^>]*>.*?</script>', lambda m: '' if re.search(r'import\(\s*"https?://', m.group(0)) else m.group(0),
                 doc, flags=re.DOTALL)   # mermaid.js from a CDN
    doc = doc.replace(f'src="{COLAB_IMG}"', f'src="{BADGE_DATA}"')
    return doc


# MathJax 3 (one self-contained file, SVG output, no fonts to fetch) from npm, installed by .ci/run into
# .ci/node/ (gitignored) or named by $MATHJAX_JS; copied into the site. Without it, math shows as TeX source.
MATHJAX_JS = Path(os.environ.get('MATHJAX_JS', ROOT / '.ci/node/node_modules/mathjax/es5/tex-svg-full.js'))
_MJ_CONFIG = ("<script>window.MathJax = {tex: {inlineMath: [['$', '$'], ['\\\\(', '\\\\)']], processEscapes: true}, "
              "svg: {fontCache: 'global'}, options: {enableMenu: false}};</script>")


def _mathjax_tag(page_html):
    return _MJ_CONFIG + f'<script src="{_rel("_static/tex-svg-full.js", page_html)}" defer></script>'


def _nav(page_html, pages, i):
    links = [f'<a href="{_rel("index.html", page_html)}#contents">{html.escape(CFG.title)}: contents</a>', '<span class="sp"></span>']
    if i > 0: links.append(f'<a href="{_rel(pages[i-1][1], page_html)}" rel="prev">&larr; {html.escape(pages[i-1][2])}</a>')
    if i + 1 < len(pages): links.append(f'<a href="{_rel(pages[i+1][1], page_html)}" rel="next">{html.escape(pages[i+1][2])} &rarr;</a>')
    return '<nav class="docs-nav">' + ''.join(links) + '</nav>'


def _sidebar_sections():
    "[(section title or None, [page rel, ...])] from nbs/sidebar.yml, as Quarto shows them."
    sb = yaml.safe_load((NBS / 'sidebar.yml').read_text())['website']['sidebar']['contents']
    res = []
    for it in sb:
        if isinstance(it, dict) and 'section' in it: res.append((it['section'], list(_flatten([it]))))
        else: res.append((None, list(_flatten([it]))))
    return res


def _side_html(page_html, pages):
    by_rel = {p[0]: p for p in pages}
    out, listed = ['<aside class="docs-side">'], set()
    def item(rel):
        if rel not in by_rel: return ''
        listed.add(rel); _, h, t, _ = by_rel[rel]
        cur = ' class="current"' if h == page_html else ''
        return f'<li><a{cur} href="{_rel(h, page_html)}">{html.escape(t)}</a></li>'
    for sec, rels in _sidebar_sections():
        if sec: out.append(f'<div class="sec">{html.escape(sec)}</div>')
        out.append('<ul>' + ''.join(item(r) for r in rels) + '</ul>')
    rest = [p[0] for p in pages if p[0] not in listed]
    if rest: out.append('<div class="sec">Other</div><ul>' + ''.join(item(r) for r in rest) + '</ul>')
    return ''.join(out) + '</aside>'


def _contents_html(pages):
    items = []
    for rel, page_html, title, desc in pages[1:]:
        d = f' <span class="desc">&mdash; {html.escape(desc)}</span>' if desc else ''
        items.append(f'<li><a href="{page_html}">{html.escape(title)}</a>{d}</li>')
    return ('<section class="docs-contents"><h2 id="contents">Contents</h2><ol>' + ''.join(items) + '</ol></section>')


def build_html(dest: Path) -> dict:
    "Write the offline site into `dest`; return {page html: {'source', 'title', 'images'}} (a manifest)."
    for e in check_sidebar(): print('warning:', e)   # `docs.py sidebar` fails on these; the build goes on
    order = [p for p in reading_order() if (NBS / p).exists()]
    order += [p for p in all_notebooks(('.ipynb', '.md')) if p not in order]
    exp = HTMLExporter(config=_tag_config(), template_name='lab', embed_images=True,
                       exclude_input_prompt=True, exclude_output_prompt=True)
    procd, failures = [], []
    for rel in order:
        print(f'  processing {rel}', flush=True)
        try: fm, nb = process_page(rel)
        except Exception as e:   # nbdev_docs would fail the same way; report it and build the other pages
            msg = str(e).splitlines()
            cause = f"{type(e.__cause__).__name__}: {e.__cause__}" if e.__cause__ else ''
            failures.append(f"nbs/{rel}: nbdev's docs processing failed: {msg[0] if msg else e!r} {cause}\n"
                            + '\n'.join('      ' + l for l in msg[1:12]))
            continue
        title = fm.get('title') or Path(rel).stem
        page_html = 'index.html' if rel == 'index.ipynb' else str(_nbpath2html(Path(rel)).as_posix())
        procd.append((rel, page_html, title, fm.get('description', ''), fm, nb))
    pages = [p[:4] for p in procd]
    if len({p[1] for p in pages}) != len(pages): raise SystemExit(f'two pages map to one HTML file: {[p[1] for p in pages]}')
    manifest = {}
    dest.mkdir(parents=True, exist_ok=True)
    math = MATHJAX_JS.exists()
    if math:
        (dest / '_static').mkdir(exist_ok=True)
        (dest / '_static' / 'tex-svg-full.js').write_bytes(MATHJAX_JS.read_bytes())
    else: print(f"warning: no MathJax at {MATHJAX_JS} (npm install --prefix .ci/node mathjax@3): math shows as TeX")
    for i, (rel, page_html, title, desc, fm, nb) in enumerate(procd):
        n_img = sum(1 for c in nb.cells if c.cell_type == 'code' and 'remove_output' not in c.metadata.get('tags', [])
                    for o in c.outputs if any(k.startswith('image/') for k in o.get('data', {})))
        has_math = any(c.cell_type == 'markdown' and re.search(r'\$[^$\s][^$\n]*\$|\$\$', c.source) for c in nb.cells)
        if fm.get('title'): nb.cells.insert(0, nbformat.v4.new_markdown_cell(_header_md(fm)))
        doc, _ = exp.from_notebook_node(nb, resources={'metadata': {'name': title}})
        doc = _strip_remote(doc)
        doc = _fix_headings(doc)
        doc = _fix_links(doc, page_html, rel)
        body_extra = _contents_html(pages) if page_html == 'index.html' else ''
        doc = re.sub(r'(<body[^>]*>)', lambda m: m.group(1) + _nav(page_html, pages, i) + _side_html(page_html, pages)
                     + '<div class="docs-page">', doc, count=1)
        doc = doc.replace('</body>', body_extra + '</div></body>', 1)
        doc = doc.replace('</head>', f'<style>{_CSS}</style>' + (_mathjax_tag(page_html) if math else '') + '</head>', 1)
        out = dest / page_html
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(doc, encoding='utf-8')
        manifest[page_html] = {'source': f'nbs/{rel}', 'title': title, 'images': n_img, 'math': math and has_math}
    (dest / 'manifest.json').write_text(json.dumps(manifest, indent=1))
    print(f"wrote {len(manifest)} pages to {dest}/ ({sum(m['images'] for m in manifest.values())} figures)")
    for f in failures: print('FAIL', f)
    if failures:
        print("(nbdev runs every exported cell and every cell with an import to render show_doc; a cell that mixes"
              " imports with other code runs too: move the imports to their own cell, see nbdev's FAQ)")
        raise SystemExit(1)
    return manifest


# -------------------------------------------------------------------------------------------------- badges
def check_badges() -> list:
    errs = []
    for rel in all_notebooks():
        raw = json.loads((NBS / rel).read_text(encoding='utf-8'))
        cells = raw['cells']
        src = lambda c: ''.join(c['source']) if isinstance(c['source'], list) else c['source']
        want = colab_url(rel)
        urls = [u for c in cells if c['cell_type'] == 'markdown'
                for u in re.findall(r'\]\((https://colab\.research\.google\.com/[^)\s]+)\)', src(c)) if u != COLAB_IMG]
        badge = [c for c in cells if c['cell_type'] == 'markdown' and COLAB_IMG in src(c)]
        if not badge: errs.append(f"nbs/{rel}: no Open-in-Colab badge ([![Open In Colab]({COLAB_IMG})]({want}))")
        if urls != [want]: errs.append(f"nbs/{rel}: Colab link(s) {urls} != [{want!r}]")
        inst = [c for c in cells if c['cell_type'] == 'code' and re.search(r'^\s*#\|\s*hide\s*$', src(c), re.M)
                and re.search(r'^\s*#\|\s*eval:\s*false\s*$', src(c), re.M) and 'pip install' in src(c)]
        if not inst: errs.append(f"nbs/{rel}: no hidden install cell (`#| hide`, `#| eval: false`, `!pip install ...`)")
        elif f"github.com/{CFG.user}/{CFG.repo}" not in src(inst[0]) and CFG.lib_name.replace('_', '-') not in src(inst[0]):
            errs.append(f"nbs/{rel}: the install cell does not install this project ({CFG.user}/{CFG.repo})")
        if badge and inst and cells.index(inst[0]) > cells.index(badge[0]) + 1:
            errs.append(f"nbs/{rel}: the install cell should sit next to the badge, near the top")
    return errs


# ------------------------------------------------------------------------------------------------ commands
def check_commands() -> list:
    "README's newcomer test command is exactly what .ci/run and the test workflow run."
    errs = []
    readme = (ROOT / 'README.md').read_text(encoding='utf-8')
    if DEV_COMMAND not in readme: errs.append(f"README.md does not show the dev command `{DEV_COMMAND}`")
    install = DEV_COMMAND.split(' && ')[0]
    for f in ['.ci/run', '.github/workflows/test.yaml', '.github/workflows/deploy.yaml']:
        p = ROOT / f
        if not p.exists(): errs.append(f"{f} is missing"); continue
        t = p.read_text()
        if install not in t: errs.append(f"{f} does not install with README's `{install}`")
        if 'deploy' not in f and 'nbdev_test' not in t: errs.append(f"{f} does not run nbdev_test")
    return errs


# ----------------------------------------------------------------------------------------- no skipped data
_re_skip = re.compile(r'pytest\.skip|SkipTest|unittest\.skip')
# a branch taken when the data is ABSENT (with the data there, as in CI, `if data_root() is not None:` runs its check)
_re_nodata = re.compile(r'\bif\b.*(data_root\(\)\s*(is\s+None|==\s*None)|\bnot\s+data_root\(\)|'
                        r'EDSR_MSA_DATA[\'"]\s*\)?\s*(is\s+None|==\s*None|not\s+in\s+os\.environ)|'
                        r'\bnot\s+os\.environ\.get\([\'"]EDSR_MSA_DATA)')
_re_uses_data = re.compile(r'data_root\(|EDSR_MSA_DATA|Set5|Set14')


def check_noskip() -> list:
    """Test cells that use the benchmark data (`EDSR_MSA_DATA`, `data_root()`, Set5/Set14) never skip when it is
    missing: they read it directly or assert it is there (CI sets the variable and has the data)."""
    errs = []
    for rel in all_notebooks():
        raw = json.loads((NBS / rel).read_text(encoding='utf-8'))
        for c in raw['cells']:
            s = ''.join(c['source'])
            if c['cell_type'] != 'code' or re.search(r'^\s*#\|\s*export', s, re.M) or not _re_uses_data.search(s): continue
            for line in s.splitlines():
                l = line.strip()
                if _re_skip.search(l) or (_re_nodata.search(l) and not re.search(r'\b(raise|assert)\b', l)):
                    errs.append(f"nbs/{rel}: a data check that may skip (assert the data is there instead): {l[:110]}")
            for o in c.get('outputs', []):
                txt = ''.join(o.get('text', [])) if o.get('output_type') == 'stream' else ''
                if re.search(r'(?i)\bskipp(ed|ing)\b', txt):
                    errs.append(f"nbs/{rel}: a stored output of a data check reports a skip: {txt.strip()[:100]}")
    return errs


# ------------------------------------------------------------------------------------------ import cycles
def import_graph(lib: Path = ROOT / 'edsr_msa_nb') -> dict:
    "{module: {modules of the package it imports}}, imports inside functions included."
    import ast
    mods = {p.stem: p for p in lib.glob('*.py') if p.stem not in ('_modidx', '__init__')}
    g = {m: set() for m in mods}
    for m, p in mods.items():
        for n in ast.walk(ast.parse(p.read_text(encoding='utf-8'))):
            names = ([(n.module or '', n.level)] if isinstance(n, ast.ImportFrom) else
                     [(a.name, 0) for a in n.names] if isinstance(n, ast.Import) else [])
            for mod, level in names:
                t = mod.split('.')[0] if level == 1 else mod.split('.')[1] if mod.startswith('edsr_msa_nb.') else None
                if t in g and t != m: g[m].add(t)
    return g


def check_cycles() -> list:
    "No two modules of the package import each other, directly or through others (the house: no circles)."
    g, errs = import_graph(), []
    def path(a, b, seen=()):                      # an import path a -> ... -> b, or None
        if b in g[a]: return [a, b]
        for c in sorted(g[a] - set(seen)):
            p = path(c, b, (*seen, a))
            if p: return [a, *p]
    for a in sorted(g):
        p = path(a, a)
        if p and min(p) == a: errs.append('import cycle: ' + ' -> '.join(p))
    return errs


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest='cmd', required=True)
    r = sub.add_parser('readme'); r.add_argument('--check', action='store_true')
    h = sub.add_parser('html'); h.add_argument('--dest', default=str(ROOT / CFG.doc_path.name))
    sub.add_parser('sidebar'); sub.add_parser('badges'); sub.add_parser('commands'); sub.add_parser('order')
    sub.add_parser('noskip'); sub.add_parser('cycles')
    a = ap.parse_args(argv)
    if a.cmd == 'readme': return cmd_readme(a.check)
    if a.cmd == 'html': build_html(Path(a.dest)); return 0
    if a.cmd == 'order': print('\n'.join(reading_order())); return 0
    errs = {'sidebar': check_sidebar, 'badges': check_badges, 'commands': check_commands, 'noskip': check_noskip,
            'cycles': check_cycles}[a.cmd]()
    for e in errs: print('FAIL', e)
    if not errs: print(f'{a.cmd}: ok' + (f' ({len(all_notebooks())} notebooks)' if a.cmd not in ('commands', 'cycles') else f' ({len(import_graph())} modules)' if a.cmd == 'cycles' else ''))
    return int(bool(errs))


if __name__ == '__main__':
    sys.exit(main())
