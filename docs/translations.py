"""The Chinese edition's gettext catalogues: make them, update them, check them.

    python docs/translations.py update [page ...]  # make docs-catalogues
    python docs/translations.py check   # make docs-check (CI)

``update`` extracts the messages of the teaching pages (``i18n.TEACHING_PAGES``:
the tutorials, the user guide, the lesson map, the glossary, the front page)
with Sphinx's gettext builder and merges them into
``docs/locale/zh_CN/LC_MESSAGES/<page>.po`` with sphinx-intl: a new message
comes in untranslated, a changed one fuzzy (its old translation kept as a
draft), a removed one is dropped. The texts of the tutorials' figures go into
``figures.po`` from the list the Chinese build writes of those it could not
translate.

``check`` fails when a teaching page's catalogue is missing, or has a message
that is untranslated, fuzzy (its English changed since it was translated) or
no longer in the page; when a translated code block is not the same code
(only its comments may change); and when ``figures.po`` has an untranslated or
fuzzy text (the Chinese build itself fails on a figure text missing from it).
"""

import io
import re
import subprocess
import sys
import tempfile
import tokenize
from pathlib import Path

from babel.messages.pofile import read_po, write_po

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))
from i18n import FIGURES_CATALOGUE, TEACHING_PAGES  # noqa: E402

LOCALE = DOCS / "locale"
CATALOGUES = LOCALE / "zh_CN" / "LC_MESSAGES"
BARE_REFERENCE = re.compile(r":\w+:`[^`]+`")
MISSING_FIGURE_TEXTS = DOCS / "_build" / "html" / "zh_CN" / "figure-texts-missing.txt"


def is_teaching(page):
    return any(
        page == p or (p.endswith("/") and page.startswith(p)) for p in TEACHING_PAGES
    )


def message_templates(workdir):
    """``{page: .pot path}`` of the teaching pages, extracted by Sphinx (the
    tutorials are not run: their printed output is no message)."""
    out = Path(workdir)
    subprocess.run(
        [
            sys.executable, "-m", "sphinx", "-q", "-E", "-b", "gettext",
            "-D", "plot_gallery=0", "-d", str(out / "doctrees"),
            str(DOCS), str(out / "gettext"),
        ],
        check=True,
    )  # fmt: skip
    templates = {}
    for pot in sorted((out / "gettext").rglob("*.pot")):
        page = pot.relative_to(out / "gettext").with_suffix("").as_posix()
        if is_teaching(page):
            templates[page] = pot
    return templates


def read(path):
    with open(path, "rb") as f:
        return read_po(f)


def write(path, catalogue):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        write_po(f, catalogue, width=88, omit_header=False, include_previous=True)


def update(pages=()):
    """Update the catalogues of ``pages`` (all the teaching pages when empty)."""
    with tempfile.TemporaryDirectory() as workdir:
        templates = message_templates(workdir)
        unknown = set(pages) - set(templates)
        if unknown:
            sys.exit(f"not teaching pages: {sorted(unknown)}")
        if pages:
            templates = {page: templates[page] for page in pages}
        selected = Path(workdir) / "selected"
        for page, pot in templates.items():
            target = selected / f"{page}.pot"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(pot.read_bytes())
        subprocess.run(
            [
                sys.executable, "-m", "sphinx_intl", "update", "-p", str(selected),
                "-d", str(LOCALE), "-l", "zh_CN", "-w", "88",
            ],
            check=True,
        )  # fmt: skip
    for page in templates:
        path = CATALOGUES / f"{page}.po"
        catalogue = read(path)
        catalogue.obsolete.clear()  # removed from the page: no longer a message
        for message in catalogue:
            # A bare reference (the gallery's hidden toctree) is its own
            # translation.
            if message.id and BARE_REFERENCE.fullmatch(message.id):
                message.string = message.id
                message.flags.discard("fuzzy")
        write(path, catalogue)
    if pages:
        return
    for po in CATALOGUES.rglob("*.po"):
        page = po.relative_to(CATALOGUES).with_suffix("").as_posix()
        if po != FIGURES_CATALOGUE and page not in templates:
            print(f"removed {po.relative_to(DOCS)}: no longer a teaching page")
            po.unlink()
    update_figure_texts()


def update_figure_texts():
    from babel.messages.catalog import Catalog

    catalogue = read(FIGURES_CATALOGUE) if FIGURES_CATALOGUE.exists() else None
    if catalogue is None:
        catalogue = Catalog(locale="zh_CN", project="skgd figures")
    if MISSING_FIGURE_TEXTS.exists():
        for text in MISSING_FIGURE_TEXTS.read_text().splitlines():
            if text and text not in catalogue:
                catalogue.add(text, "")
    write(FIGURES_CATALOGUE, catalogue)


def code_tokens(source):
    """The tokens of Python ``source`` without its comments (``None``: not
    Python code)."""
    try:
        compile(source, "<message>", "exec")
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (SyntaxError, tokenize.TokenError, ValueError):
        return None
    skipped = (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
               tokenize.DEDENT, tokenize.ENDMARKER)  # fmt: skip
    return [(t.type, t.string) for t in tokens if t.type not in skipped]


def looks_like_code(text):
    """Whether a message is a code block (Python that compiles, with a line
    break, an assignment, an import or a method call: a title such as
    "Glossary (术语表)" compiles too)."""
    shaped = "\n" in text or "=" in text or "import " in text
    shaped = shaped or re.search(r"\w\.\w+\(", text) is not None
    return shaped and code_tokens(text) is not None


def problems_of(page, pot_path):
    po_path = CATALOGUES / f"{page}.po"
    if not po_path.exists():
        return [f"{page}: no catalogue ({po_path.relative_to(DOCS)})"]
    template, catalogue = read(pot_path), read(po_path)
    wanted = {m.id for m in template if m.id}
    problems = []
    for message in template:
        if not message.id:
            continue
        entry = catalogue.get(message.id)
        if entry is None or not entry.string:
            problems.append(f"{page}: untranslated: {message.id[:70]!r}")
        elif entry.fuzzy:
            problems.append(f"{page}: out of date (fuzzy): {message.id[:70]!r}")
        elif looks_like_code(message.id):
            if code_tokens(entry.string) != code_tokens(message.id):
                problems.append(f"{page}: translated code differs: {message.id[:70]!r}")
    for message in catalogue:
        if message.id and message.id not in wanted:
            problems.append(f"{page}: no longer in the page: {message.id[:70]!r}")
    return problems


def check():
    with tempfile.TemporaryDirectory() as workdir:
        templates = message_templates(workdir)
        problems = []
        for page, pot in templates.items():
            problems += problems_of(page, pot)
        n_messages = sum(len([m for m in read(p) if m.id]) for p in templates.values())
    for po in CATALOGUES.rglob("*.po"):
        page = po.relative_to(CATALOGUES).with_suffix("").as_posix()
        if po != FIGURES_CATALOGUE and page not in templates:
            problems.append(f"{page}: a catalogue for a page that is not translated")
    if not FIGURES_CATALOGUE.exists():
        problems.append("figures.po is missing")
    else:
        for message in read(FIGURES_CATALOGUE):
            if message.id and (not message.string or message.fuzzy):
                problems.append(f"figures: untranslated: {message.id[:70]!r}")
    if problems:
        print("\n".join(problems))
        print(f"{len(problems)} problems in the Chinese catalogues "
              "(python docs/translations.py update, then translate).")  # fmt: skip
        return 1
    print(f"The Chinese catalogues are complete: {len(templates)} pages, "
          f"{n_messages} messages, and the figures' texts.")  # fmt: skip
    return 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "update":
        update(sys.argv[2:])
    elif command == "check":
        sys.exit(check())
    else:
        sys.exit(f"unknown command {command!r}: use update or check")
