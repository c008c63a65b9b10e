"""Sphinx configuration for skgd."""

import skgd

project = "skgd"
release = version = skgd.__version__
extensions = ["sphinx.ext.autodoc", "sphinx.ext.autosummary", "numpydoc"]
autosummary_generate = True
numpydoc_show_class_members = False
exclude_patterns = ["_build"]
