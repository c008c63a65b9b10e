"""The adaptive optimizers' lazy variant on sparse rows (``lazy=True``),
against PyTorch's sparse optimizers and hand-written loops."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose

from skgd import GDClassifier, GDRegressor
from skgd.optim import Adagrad, Adam, RMSprop

torch = pytest.importorskip("torch")

BATCH, EPOCHS, STEP = 16, 3, 0.05


def _sparse_problem(n_samples=160, n_features=60, density=0.05, seed=0):
    rng = np.random.default_rng(seed)
    X = sp.random(
        n_samples, n_features, density=density, format="csr", random_state=rng
    )
    y = X @ rng.normal(size=n_features) + 0.3 + 0.1 * rng.normal(size=n_samples)
    return X, y


def _fit(optimizer, X, y, **params):
    reg = GDRegressor(
        solver="minibatch", batch_size=BATCH, optimizer=optimizer,
        learning_rate=STEP, max_iter=EPOCHS, tol=None, shuffle=False, **params,
    )  # fmt: skip
    return reg.fit(X, y)


def _batches(X, y):
    """Each batch's rows (dense), targets and touched columns, in data order."""
    dense = X.toarray()
    for _ in range(EPOCHS):
        for start in range(0, X.shape[0], BATCH):
            rows = slice(start, start + BATCH)
            touched = np.unique(X[rows].indices)
            yield dense[rows], y[rows], touched


def _mse_gradient(Xb, yb, w, b):
    """The gradient of mean((x w + b - y)**2) over a batch."""
    residual = 2.0 * (Xb @ w + b - yb) / len(yb)
    return Xb.T @ residual, residual.sum()


def _torch_fit(make_optimizer, X, y):
    """The lazy fit with a PyTorch optimizer fed sparse gradients: the
    batch's gradient at the touched columns only."""
    n_features = X.shape[1]
    w = torch.zeros(n_features, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = make_optimizer([w, b])
    for Xb, yb, touched in _batches(X, y):
        grad_w, grad_b = _mse_gradient(Xb, yb, w.detach().numpy(), b.item())
        index = torch.as_tensor(touched[np.newaxis])
        w.grad = torch.sparse_coo_tensor(
            index,
            torch.as_tensor(grad_w[touched]),
            (n_features,),
            check_invariants=True,
        )
        b.grad = torch.sparse_coo_tensor(
            torch.zeros((1, 1), dtype=torch.int64),
            torch.tensor([grad_b]),
            (1,),
            check_invariants=True,
        )
        optimizer.step()
    return w.detach().numpy(), b.item()


def test_lazy_adam_is_torch_sparse_adam():
    X, y = _sparse_problem()
    # SparseAdam adds eps to sqrt(v), Adam (and skgd) to sqrt(v_hat): with a
    # negligible eps the two agree.
    reg = _fit(Adam(lazy=True, eps=1e-14), X, y)
    coef, intercept = _torch_fit(
        lambda params: torch.optim.SparseAdam(params, lr=STEP, eps=1e-14), X, y
    )
    assert_allclose(reg.coef_, coef, rtol=0, atol=1e-10)
    assert_allclose(reg.intercept_, intercept, rtol=0, atol=1e-10)
    # The dense rule moves untouched coordinates (its first moment): another fit.
    dense = _fit(Adam(eps=1e-14), X, y)
    assert np.abs(dense.coef_ - reg.coef_).max() > 1e-4


def test_lazy_adagrad_is_torch_sparse_adagrad_and_the_dense_rule():
    X, y = _sparse_problem(seed=1)
    reg = _fit(Adagrad(lazy=True, lr_decay=0.01), X, y)
    coef, intercept = _torch_fit(
        lambda params: torch.optim.Adagrad(params, lr=STEP, lr_decay=0.01), X, y
    )
    assert_allclose(reg.coef_, coef, rtol=0, atol=1e-10)
    assert_allclose(reg.intercept_, intercept, rtol=0, atol=1e-10)
    # Without penalties an untouched coordinate's dense update is zero.
    dense = _fit(Adagrad(lr_decay=0.01), X, y)
    assert_allclose(reg.coef_, dense.coef_, rtol=0, atol=1e-12)


def _numpy_lazy_rmsprop(X, y, l2, alpha=0.99, eps=1e-8):
    """Lazy RMSprop with the L2 penalty, written out: the touched coordinates'
    gradient (the batch's mean plus ``l2 * w``) and averages only."""
    w, b = np.zeros(X.shape[1]), 0.0
    v, v_b = np.zeros_like(w), 0.0
    for Xb, yb, touched in _batches(X, y):
        grad_w, grad_b = _mse_gradient(Xb, yb, w, b)
        g = grad_w[touched] + l2 * w[touched]
        v[touched] = alpha * v[touched] + (1 - alpha) * g**2
        w[touched] -= STEP * g / (np.sqrt(v[touched]) + eps)
        v_b = alpha * v_b + (1 - alpha) * grad_b**2
        b -= STEP * grad_b / (np.sqrt(v_b) + eps)
    return w, b


def test_lazy_rmsprop_with_l2_is_the_written_out_loop():
    X, y = _sparse_problem(seed=2)
    reg = _fit(RMSprop(lazy=True), X, y, penalty="l2", alpha=0.01)
    coef, intercept = _numpy_lazy_rmsprop(X, y, l2=0.01)
    assert_allclose(reg.coef_, coef, rtol=0, atol=1e-10)
    assert_allclose(reg.intercept_, intercept, rtol=0, atol=1e-10)


@pytest.mark.parametrize("optimizer", [Adam(lazy=True), RMSprop(lazy=True)])
def test_lazy_is_dense_rule_on_dense_rows(optimizer):
    X, y = _sparse_problem(seed=3)
    lazy = _fit(optimizer, X.toarray(), y)
    dense = _fit(optimizer.set_params(lazy=False), X.toarray(), y)
    assert_allclose(lazy.coef_, dense.coef_, rtol=0, atol=0)


def test_lazy_adam_classifier_partial_fit_learns_and_continues():
    rng = np.random.default_rng(4)
    X = sp.random(400, 300, density=0.03, format="csr", random_state=rng)
    y = (X @ rng.normal(size=300) > 0).astype(int)
    clf = GDClassifier(
        solver="sgd", optimizer=Adam(lazy=True), learning_rate=0.01, loss="log_loss"
    )
    for start in range(0, 400, 100):
        clf.partial_fit(X[start : start + 100], y[start : start + 100], classes=[0, 1])
    assert clf.optimizer_state_.count == 400
    assert clf.score(X, y) > 0.8
