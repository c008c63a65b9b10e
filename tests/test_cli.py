"""``python -m skgd``: its help, its version, its checks before any work, and
the announcement of a long compile."""

import logging
import subprocess
import sys
import time

import numpy as np
import pytest
import scipy.sparse as sp

import skgd
from skgd import _jit, _precompile
from skgd.__main__ import main


def test_help_describes_the_commands(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "gradient descent" in out and "demo" in out and "precompile" in out


def test_version(capsys):
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.strip() == f"skgd {skgd.__version__}"


@pytest.mark.parametrize(
    "out, message",
    [
        ("/nonexistent/dir/x.png", "does not exist"),
        ("curves", "extension"),
        ("curves.foo", "extension matplotlib writes"),
    ],
)
def test_demo_checks_its_output_path_before_fitting(out, message, capsys):
    start = time.perf_counter()
    with pytest.raises(SystemExit) as exit_:
        main(["demo", "--out", out])
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err
    assert time.perf_counter() - start < 1  # no fit ran


def test_the_demo_figures_keep_the_extension_they_are_given(tmp_path, monkeypatch):
    from skgd import _demo

    written = []
    monkeypatch.setattr(_demo, "TASKS", [])
    monkeypatch.setattr(_demo, "plot_loss_curves", lambda results, out: None)
    monkeypatch.setattr(_demo, "plot_learning_rates", written.append)

    def range_test(model, X, y, out):
        written.append(out)
        return 0.01  # the suggested learning rate

    monkeypatch.setattr(_demo, "plot_learning_rate_finder", range_test)
    _demo.run_demo(tmp_path / "curves.svg")
    assert [p.name for p in written] == [
        "curves-learning-rates.svg",
        "curves-lr-finder.svg",
    ]


def test_python_m_skgd_runs():
    result = subprocess.run(
        [sys.executable, "-m", "skgd", "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0 and "skgd" in result.stdout


def test_a_long_compile_is_announced_once(caplog, capsys, monkeypatch):
    import numba

    monkeypatch.setattr(_jit, "COMPILE_NOTICE_SECONDS", 0.01)

    def compile_something_new():
        @numba.njit  # a new function: compiled here, whatever the cache holds
        def twice(x):
            return 2 * x

        time.sleep(0.05)  # the compile may be faster than the notice's delay
        return twice(3)

    with caplog.at_level(logging.INFO, logger="skgd"):
        for _ in range(2):
            with _jit.compile_notice("a test kernel", verbose=True):
                compile_something_new()
        # A long call that compiles nothing says nothing.
        with _jit.compile_notice("no kernel"):
            time.sleep(0.1)
    messages = [r.getMessage() for r in caplog.records]
    assert (
        len(messages) == 1 and "compiling the kernels for a test kernel" in messages[0]
    )
    assert "precompile" in capsys.readouterr().out


def test_precompile_covers_every_loss_and_optimizer():
    default = list(_precompile.combinations())
    losses = {(e.__name__, p["loss"]) for e, p, _, _ in default}
    optimizers = {p["optimizer"] for _, p, _, _ in default}
    assert ("GDRegressor", "huber") in losses and ("GDClassifier", "hinge") in losses
    assert optimizers == set(skgd.optim.OPTIMIZERS)
    assert {p["solver"] for _, p, _, _ in default} == {"batch", "sgd", "minibatch"}
    everything = list(_precompile.combinations(everything=True))
    assert any(sparse for *_, sparse in everything) and len(everything) > len(default)


def test_precompile_fits_each_combination(monkeypatch):
    jobs = list(_precompile.combinations())[:2]
    monkeypatch.setattr(_precompile, "combinations", lambda everything: jobs)
    lines = []
    assert _precompile.precompile(out=lines.append) == 2
    assert "2 kinds of fit" in lines[0] and lines[-1].startswith("  2/2")


def test_precompile_fits_sparse_data_for_sparse_combinations():
    from skgd import GDClassifier

    for estimator in (skgd.GDRegressor, GDClassifier):
        for X, _ in _precompile._data(estimator, np.float32, sparse=True):
            assert sp.issparse(X) and X.dtype == np.float32
