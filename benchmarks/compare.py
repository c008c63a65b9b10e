"""Side-by-side timings of two trees of skgd: ``benchmarks/run.py`` in each.

The base revision is unpacked with ``git archive`` into a temporary directory
(the repository is not touched); the head is a directory (by default this
working tree) or a revision. ``run.py`` runs alternately in base and head
(ABAB...), each run a fresh process importing its own tree's skgd
(``PYTHONPATH``) and using a numba cache of its own in the temporary directory
(``NUMBA_CACHE_DIR``). A first round of ``run.py --quick``, discarded, fills
the caches: no measured run compiles. The skgd column of each run's table is
read back and the medians compared; rows slower in head by more than
``--threshold`` are flagged. run.py prints times to 0.1 ms: rows under 5 ms
are marked coarse. ``--bench head`` runs head's benchmarks/ in both trees (by
default each runs its own); ``--epochs-only`` reports the epoch rows; other
options (``--quick``) are given to run.py.

Examples
--------
``python benchmarks/compare.py --base HEAD~1 --quick --rounds 2``
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
UNITS = {"ms": 1e-3, "s": 1.0, "MB": 1e6}


def git(*args):
    done = subprocess.run(["git", "-C", str(REPO), *args], capture_output=True)
    return done.stdout.decode().strip() if done.returncode == 0 else None


def unpack(rev, into):
    """The tree of revision ``rev``, in the new directory ``into``."""
    if git("rev-parse", "--verify", "-q", f"{rev}^{{commit}}") is None:
        sys.exit(f"compare.py: {rev!r} is neither a directory nor a revision")
    into.mkdir()
    command = ["git", "-C", REPO, "archive", rev]
    archive = subprocess.Popen(command, stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", into], stdin=archive.stdout, check=True)
    if archive.wait():
        sys.exit(f"compare.py: git archive {rev} failed")
    return into


def parse_table(text):
    """``{row name: (value, unit)}`` from the skgd column of run.py's table."""
    lines = text.splitlines()
    borders = [k for k, line in enumerate(lines) if re.fullmatch(r"=+( +=+)*", line)]
    if len(borders) < 3:
        raise ValueError(f"no reStructuredText table in run.py's output:\n{text}")
    first = lines[borders[0]]
    (_, name_end), (start, end), *_ = (m.span() for m in re.finditer("=+", first))
    rows = {}
    for line in lines[borders[1] + 1 : borders[2]]:
        value, unit = line[start:end].split()
        row_unit = "bytes" if unit == "MB" else "s"
        rows[line[:name_end].strip()] = (float(value) * UNITS[unit], row_unit)
    return rows


def run_bench(label, tree, bench, args, scratch):
    """run.py's output, run from ``bench`` with ``tree``'s skgd."""
    path = os.pathsep.join(filter(None, [str(tree), os.environ.get("PYTHONPATH")]))
    env = dict(os.environ, PYTHONPATH=path, NUMBA_CACHE_DIR=f"{scratch}/numba-{label}")
    where = [sys.executable, "-c", "import skgd; print(skgd.__file__)"]
    found = subprocess.run(where, env=env, cwd=tree, capture_output=True, text=True)
    if not found.stdout.startswith(str(tree)):
        sys.exit(f"compare.py: {label} imports skgd from {found.stdout}{found.stderr}")
    start = time.perf_counter()
    command = [sys.executable, str(bench / "benchmarks" / "run.py"), *args]
    out = subprocess.run(command, env=env, cwd=tree, capture_output=True, text=True)
    if out.returncode:
        sys.exit(f"compare.py: run.py failed in {label} ({tree}):\n{out.stderr}")
    print(f"  {label}: {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return out.stdout


def amount(value, unit):
    return f"{value / 1e6:.0f} MB" if unit == "bytes" else f"{value * 1e3:.1f} ms"


def report(base, head, threshold, epochs_only):
    """Print the medians of the runs ``base`` and ``head`` (lists of tables)."""
    names = [n for n in base[0] if n in head[0] and (not epochs_only or "epoch" in n)]
    cells = [("measurement", "base", "head", "head/base", "spread", "flag")]
    for name in names:
        b, h = ([run[name][0] for run in runs] for runs in (base, head))
        mb, mh, unit = statistics.median(b), statistics.median(h), base[0][name][1]
        ratio = mh / mb if mb else float("nan")
        spread = max((max(v) - min(v)) / m if m else 0 for v, m in ((b, mb), (h, mh)))
        flag = f"SLOWER > {threshold:g}" if ratio > threshold else ""
        flag += " (coarse)" if unit == "s" and mb < 5e-3 else ""
        row = (amount(mb, unit), amount(mh, unit), f"{ratio:.3f}", f"{spread:.1%}")
        cells.append((name, *row, flag.strip()))
    widths = [max(len(c[k]) for c in cells) for k in range(len(cells[0]))]
    rule = "  ".join("=" * w for w in widths)
    text = ["  ".join(map(str.ljust, c, widths)) for c in cells]
    print("\n".join(line.rstrip() for line in [rule, text[0], rule, *text[1:], rule]))
    print("\nspread: the larger of base's and head's (max - min) / median.")
    if only_one := sorted(set(base[0]) ^ set(head[0])):
        print("rows in only one of the trees:", *only_one, sep="\n  ")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    origin = git("rev-parse", "-q", "--verify", "origin/main")
    parser.add_argument("--base", default="origin/main" if origin else "HEAD")
    parser.add_argument("--head", default=str(REPO), help="a directory or revision")
    parser.add_argument("--rounds", type=int, default=3, help="measured ABAB rounds")
    parser.add_argument("--threshold", type=float, default=1.05)
    parser.add_argument("--bench", choices=("own", "head"), default="own")
    parser.add_argument("--epochs-only", action="store_true", help="epoch rows only")
    options, args = parser.parse_known_args()  # the rest are run.py's
    if options.rounds < 1:
        parser.error("--rounds must be at least 1")
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="skgd-compare-") as scratch:
        scratch = Path(scratch)
        trees = {"base": unpack(options.base, scratch / "base")}
        trees["head"] = Path(options.head).resolve()
        if not trees["head"].is_dir():
            trees["head"] = unpack(options.head, scratch / "head")
        print(f"base: {trees['base']}, head: {trees['head']}", file=sys.stderr)
        results = {"base": [], "head": []}
        warmup = args if "--quick" in args else [*args, "--quick"]
        for r in range(options.rounds + 1):
            print(f"round {r}{' (warm-up)' * (r == 0)}", file=sys.stderr)
            for label, tree in trees.items():
                bench = trees["head"] if options.bench == "head" else tree
                out = run_bench(label, tree, bench, args if r else warmup, scratch)
                if r:
                    results[label].append(parse_table(out))
    print(out.splitlines()[0], f"base {options.base}, head {options.head}", sep="\n")
    seconds = time.perf_counter() - began
    print(f"medians of {options.rounds} runs each, ABAB; {seconds:.0f} s in all\n")
    report(results["base"], results["head"], options.threshold, options.epochs_only)


if __name__ == "__main__":
    main()
