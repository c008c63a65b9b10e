"""Math rendered at build time, as MathML: the pages need no script and no
network (MathJax would load from a CDN), and every current browser draws it."""

from docutils import nodes
from latex2mathml.converter import convert


def _mathml(latex, display):
    return convert(latex.strip(), display="block" if display else "inline")


def visit_math(self, node):
    self.body.append(_mathml(node.astext(), display=False))
    raise nodes.SkipNode


def visit_displaymath(self, node):
    self.body.append(f'<div class="math">{_mathml(node.astext(), display=True)}</div>')
    raise nodes.SkipNode


def setup(app):
    app.add_html_math_renderer("mathml", (visit_math, None), (visit_displaymath, None))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
