"""skgd installed as users get it: from the wheel, read-only, as an unprivileged
user without a home; and a cache of compiled kernels that follows the sources."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import skgd

ROOT = Path(__file__).resolve().parents[1]
FIT = (
    "import numpy as np, skgd; "
    "reg = skgd.GDRegressor(learning_rate=0.01, max_iter=1, tol=None, "
    "fit_intercept=False).fit([[1.0], [2.0], [3.0]], [2.0, 4.0, 6.0], "
    "coef_init=[1.0]); print(skgd.__file__); print(float(reg.loss_history_[0]))"
)


def run(command, env_update, **kwargs):
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env.update(env_update)
    return subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=600, **kwargs
    )


def copy_of_the_package(folder):
    """skgd's sources (no compiled kernels) in ``folder/skgd``."""
    package = folder / "skgd"
    shutil.copytree(
        Path(skgd.__file__).parent,
        package,
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    return package


def test_editing_a_loss_clears_the_cached_kernels(tmp_path):
    # numba checks only the file defining a cached function: the kernels of
    # _kernels/_dense.py kept the old code of an edited loss.
    package = copy_of_the_package(tmp_path)
    env = {"PYTHONPATH": str(tmp_path)}
    first = run([sys.executable, "-c", FIT], env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    where, loss = first.stdout.splitlines()[-2:]
    assert Path(where).parent == package
    assert float(loss) == pytest.approx(14 / 3)  # mean((x - 2x)^2), w = 1
    losses = package / "_losses" / "_regression.py"
    source = losses.read_text()
    edited = source.replace("return r * r, 2.0 * r", "return 3.0 * r * r, 2.0 * r", 1)
    assert edited != source
    losses.write_text(edited)
    second = run([sys.executable, "-c", FIT], env, cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert float(second.stdout.split()[1]) == pytest.approx(14.0)


def unprivileged(command):
    """``command`` as the user nobody, allowed to read every file (to reach
    the interpreter) and to write none it does not own; or ``None``."""
    if os.geteuid() != 0:
        return command  # already unprivileged
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    return [
        setpriv,
        "--reuid=nobody",
        "--regid=nogroup",
        "--clear-groups",
        "--inh-caps=+dac_read_search",
        "--ambient-caps=+dac_read_search",
        *command,
    ]


def test_the_wheel_imports_and_fits_read_only_without_a_home(tmp_path):
    wheels, site = tmp_path / "wheels", tmp_path / "site"
    built = run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
        + ["--quiet", "--wheel-dir", str(wheels), str(ROOT)],
        {},
    )
    if built.returncode != 0:
        pytest.skip(f"cannot build the wheel here: {built.stderr[-500:]}")
    (wheel,) = wheels.glob("skgd-*.whl")
    installed = run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet"]
        + ["--target", str(site), str(wheel)],
        {},
    )
    assert installed.returncode == 0, installed.stderr
    for path in [site, *site.rglob("*")]:
        path.chmod(path.stat().st_mode & ~0o222 | 0o555 if path.is_dir() else 0o444)
    tmp_path.chmod(0o755)
    command = unprivileged([sys.executable, "-c", FIT])
    if command is None:
        pytest.skip("no way to run as an unprivileged user here (setpriv)")
    env = {"PYTHONPATH": str(site), "HOME": "/nonexistent", "NUMBA_DEBUG_CACHE": "1"}
    for _ in range(2):  # the second run loads what the first compiled
        result = run(command, env, cwd="/")
        assert result.returncode == 0, result.stderr
        where, loss = result.stdout.splitlines()[-2:]
        assert Path(where).parent == site / "skgd"
        assert float(loss) == pytest.approx(14 / 3)
        assert "no writable place" not in result.stderr
    # Cached, in the private fallback directory (nothing in the package).
    assert "data loaded from '/" in result.stdout
    assert "skgd-numba-cache-" in result.stdout
    assert not list((site / "skgd").glob("__pycache__/*.nbi"))


def test_a_process_running_old_kernels_cannot_leave_them_to_the_next(tmp_path):
    # A process started before the edit (a notebook, a long test run) compiles
    # a kernel the new processes had not: from its old code. Its entry carries
    # its own stamp, which the next process refuses.
    package = copy_of_the_package(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env["PYTHONPATH"] = str(tmp_path)
    old = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import skgd; print('ready', flush=True); input(); "
            + FIT.split("; ", 1)[1],
        ],
        env=env,
        cwd=tmp_path,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert old.stdout.readline().strip() == "ready"  # imported the old code
        losses = package / "_losses" / "_regression.py"
        source = losses.read_text()
        losses.write_text(
            source.replace("return r * r, 2.0 * r", "return 3.0 * r * r, 2.0 * r", 1)
        )
        new = run(
            [sys.executable, "-c", FIT], {"PYTHONPATH": str(tmp_path)}, cwd=tmp_path
        )
        assert float(new.stdout.split()[-1]) == pytest.approx(14.0)
        out, _ = old.communicate("\n", timeout=600)
        assert float(out.split()[-1]) == pytest.approx(14 / 3)  # its old code
    finally:
        old.kill()
    after = run(
        [sys.executable, "-c", FIT], {"PYTHONPATH": str(tmp_path)}, cwd=tmp_path
    )
    assert float(after.stdout.split()[-1]) == pytest.approx(14.0)
