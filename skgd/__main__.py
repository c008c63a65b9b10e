"""Command line: ``python -m skgd demo [--out FILE]``."""

import argparse


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m skgd")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser(
        "demo", help="fit the three solvers on the diabetes data and plot the losses"
    )
    demo.add_argument("--out", default="skgd-demo.png", help="PNG file to write")
    args = parser.parse_args(argv)
    if args.command == "demo":
        from ._demo import run_demo

        run_demo(out=args.out)


if __name__ == "__main__":
    main()
