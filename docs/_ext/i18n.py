"""The Chinese edition of the documentation's teaching part (zh_CN).

Sphinx translates the pages from the gettext catalogues in
``docs/locale/zh_CN/LC_MESSAGES`` (one per page: ``make docs-catalogues``
makes and updates them with sphinx-intl; ``make docs-zh`` builds the edition
into ``docs/_build/html/zh_CN``). This extension adds what Sphinx does not do:

- the tutorials' printed output stays as the code printed it (it is not a
  message): only the prose and the code blocks are, and the code blocks'
  translations change their comments only (``docs/translations.py check``);
- the figures the tutorials draw are drawn with Chinese text: every text the
  tutorials put in a figure (titles, labels, legends, the Displays' own) is
  looked up in ``figures.po`` as matplotlib sets it, in a CJK font; a text
  without a translation is a build warning, so ``-W`` fails on it;
- the language switch in the navigation bar (``_templates/language-switch.html``).
"""

import importlib.resources
from pathlib import Path

from docutils import nodes
from sphinx.transforms import SphinxTransform
from sphinx.util import logging

logger = logging.getLogger(__name__)

LOCALE_DIR = Path(__file__).parents[1] / "locale"
FIGURES_CATALOGUE = LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "figures.po"
#: The translated pages (and, with a trailing slash, folders of pages).
TEACHING_PAGES = ("index", "glossary", "lesson_map", "user_guide", "auto_examples/")

_figure_texts = {}  # msgid -> msgstr, in the Chinese edition
_missing_texts = set()


class KeepOutputsAsPrinted(SphinxTransform):
    """The tutorials' printed output and their running time are no messages:
    they are what the code printed, in either edition."""

    default_priority = 10  # before the i18n transform (20)

    def apply(self):
        for block in self.document.findall(nodes.literal_block):
            if block.get("language") in ("none", "text"):
                block["translatable"] = False
        for paragraph in self.document.findall(nodes.paragraph):
            if paragraph.astext().startswith("Total running time of the script"):
                paragraph["translatable"] = False


def needs_translation(text):
    """Whether a figure's text is words (not a number, not mathematics)."""
    text = text.strip()
    return any(c.isascii() and c.isalpha() for c in text) and not text.startswith("$")


def figure_catalogue():
    """``{msgid: msgstr}`` of ``figures.po`` (translated, not fuzzy)."""
    from babel.messages.pofile import read_po

    if not FIGURES_CATALOGUE.exists():
        return {}
    with FIGURES_CATALOGUE.open("rb") as po:
        catalogue = read_po(po)
    return {
        m.id: m.string
        for m in catalogue
        if m.id and m.string and not m.fuzzy and isinstance(m.id, str)
    }


def _translated_set_text(original):
    def set_text(self, s):
        if isinstance(s, str) and _figure_texts is not None:
            if s in _figure_texts:
                s = _figure_texts[s]
            elif needs_translation(s):
                _missing_texts.add(s)
        return original(self, s)

    return set_text


def reset_figures(gallery_conf, fname):
    """Before each tutorial of the Chinese edition (sphinx-gallery's
    ``reset_modules``, after matplotlib's own reset): a CJK font."""
    import matplotlib

    matplotlib.rcParams["font.sans-serif"] = [
        "Noto Sans CJK SC",
        *matplotlib.rcParams["font.sans-serif"],
    ]
    matplotlib.rcParams["axes.unicode_minus"] = False


def _chinese_figures(app, config):
    if config.language != "zh_CN":
        return
    import matplotlib.text
    from matplotlib import font_manager

    font = importlib.resources.files("mplfonts") / "fonts/NotoSansCJKsc-Regular.otf"
    font_manager.fontManager.addfont(str(font))
    _figure_texts.update(figure_catalogue())
    text = matplotlib.text.Text
    if not getattr(text.set_text, "_translated", False):
        text.set_text = _translated_set_text(text.set_text)
        text.set_text._translated = True
    resets = tuple(config.sphinx_gallery_conf.get("reset_modules", ("matplotlib",)))
    config.sphinx_gallery_conf["reset_modules"] = (*resets, "i18n.reset_figures")


def _report_missing_figure_texts(app, exception):
    if app.config.language != "zh_CN" or exception is not None:
        return
    if _missing_texts:
        listing = Path(app.outdir) / "figure-texts-missing.txt"
        listing.write_text("\n".join(sorted(_missing_texts)) + "\n")
        logger.warning(
            "%d texts drawn in the tutorials' figures have no translation in "
            "%s (listed in %s; `python docs/translations.py update` adds them).",
            len(_missing_texts),
            FIGURES_CATALOGUE.relative_to(LOCALE_DIR.parent),
            listing,
        )


def setup(app):
    app.add_transform(KeepOutputsAsPrinted)
    app.connect("config-inited", _chinese_figures, priority=900)
    app.connect("build-finished", _report_missing_figure_texts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
