"""Sphinx configuration for skgd."""

import sys
import warnings
from pathlib import Path

import skgd

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "skgd"
release = version = skgd.__version__
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "mathml",  # math as MathML at build time: no script, no network
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "i18n",  # the Chinese edition: figures, outputs, the language switch
]
templates_path = ["_templates"]
exclude_patterns = ["_build"]
autosummary_generate = True
numpydoc_show_class_members = False
html_theme = "pydata_sphinx_theme"
html_title = "skgd"
html_math_renderer = "mathml"
html_theme_options = {
    "navigation_with_keys": False,
    "navbar_end": ["theme-switcher", "navbar-icon-links", "language-switch"],
    # The wide benchmark tables get the page's whole width.
    "secondary_sidebar_items": {"performance": [], "scaling_out": []},
}
# ... and no left sidebar either (it has nothing to list there).
html_sidebars = {"performance": [], "scaling_out": []}
html_static_path = ["_static"]
html_css_files = ["skgd.css"]

# The tutorials: examples/plot_*.py, run at every build; each class page lists
# the tutorials that use it (sphinx-gallery's backreferences and minigallery).
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": "/plot_",
    "doc_module": ("skgd",),
    "backreferences_dir": "generated/backreferences",
    "within_subsection_order": "FileNameSortKey",
    "remove_config_comments": True,
    # Timings of the build machine are no part of the documentation.
    "write_computation_times": False,
    # The tutorials' animations, embedded as JavaScript players.
    "matplotlib_animations": True,
    # Each edition draws its own figures (in its language): always run.
    "run_stale_examples": True,
}

# The Chinese edition (``make docs-zh``, ``-D language=zh_CN``): one gettext
# catalogue per page in locale/zh_CN/LC_MESSAGES, the code blocks included
# (their comments are translated; ``translations.py check`` keeps the code).
language = "en"
locale_dirs = ["locale/"]
gettext_compact = False
gettext_uuid = False
gettext_location = False
gettext_additional_targets = ["literal-block"]

# A fit that hits max_iter in a tutorial is part of the lesson, not a problem
# with the docs.
warnings.filterwarnings("ignore", message="Matplotlib is currently using agg")


def _skip_metadata_requests(app, what, name, obj, skip, options):
    """scikit-learn's generated ``set_*_request`` methods document its own site."""
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_metadata_requests)
