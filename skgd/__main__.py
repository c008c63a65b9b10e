"""Command line: ``python -m skgd {demo,precompile}``."""

import argparse
import os
from pathlib import Path

DESCRIPTION = """\
skgd: scikit-learn estimators trained by gradient descent, with histories.

  demo        fit the three solvers on two datasets (regression and
              classification), print tables next to scikit-learn's
              estimators, and draw the loss curves, the lesson's learning
              rates on the loss surface and a learning-rate range test
  precompile  compile skgd's kernels ahead, into numba's cache (for example
              in a Docker build step), so that no first fit waits for them
"""


def _writable_target(parser, out):
    """``out`` as a path whose folder exists and is writable, checked before
    any work is done."""
    path = Path(out)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        parser.error(f"--out {out}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        parser.error(f"--out {out}: the folder {folder} is not writable")
    from matplotlib.backend_bases import FigureCanvasBase

    formats = FigureCanvasBase.get_supported_filetypes()
    if path.suffix.lstrip(".").lower() not in formats:
        parser.error(
            f"--out {out}: give the file an extension matplotlib writes "
            f"({', '.join('.' + name for name in sorted(formats))})"
        )
    return path


def main(argv=None):
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="python -m skgd",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"skgd {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser(
        "demo",
        help="fit the three solvers on two datasets and plot what they did",
        description="Fit the three solvers on the diabetes (regression) and "
        "breast-cancer (classification) data, each learning rate chosen by "
        "GridSearchCV, and draw the figures. Every number is the same run to run "
        "(but the timings).",
    )
    demo.add_argument(
        "--out",
        default="skgd-demo.png",
        help="the loss curves' file (its extension chooses the format); the "
        "other figures go beside it as STEM-learning-rates.EXT and "
        "STEM-lr-finder.EXT (default: skgd-demo.png)",
    )
    precompile = commands.add_parser(
        "precompile",
        help="compile the kernels ahead, into numba's cache",
        description="Compile skgd's kernels into numba's on-disk cache, so that "
        "later processes load them instead of compiling on their first fit. By "
        "default: the default losses with every optimizer and every loss with "
        "the plain optimizer, for the three solvers, float64 and float32, dense "
        "X. Run it where the cache will be read (same Python, numba and CPU), "
        "for example as a Docker build step.",
    )
    precompile.add_argument(
        "--all",
        action="store_true",
        help="every loss with every optimizer, and sparse X too (takes minutes)",
    )
    args = parser.parse_args(argv)
    if args.command == "demo":
        out = _writable_target(parser, args.out)
        from ._demo import run_demo

        run_demo(out=out)
    elif args.command == "precompile":
        from ._precompile import precompile

        precompile(everything=args.all)


if __name__ == "__main__":
    main()
