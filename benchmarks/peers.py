"""The peers skgd is timed against, each set up to make the same updates."""

import warnings

from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDRegressor

from skgd import GDRegressor


def gd_fitter(X, y, solver, learning_rate, batch_size=32, optimizer="sgd", **params):
    """``epochs -> fit``: GDRegressor with a constant step, samples in data order."""

    def fit(epochs):
        return GDRegressor(
            solver=solver,
            batch_size=batch_size,
            optimizer=optimizer,
            max_iter=epochs,
            tol=None,
            learning_rate=learning_rate,
            shuffle=False,
            record=None,
            **params,
        ).fit(X, y)

    return fit


def sgd_regressor_fitter(X, y, learning_rate, **params):
    """SGDRegressor making GDRegressor(solver="sgd")'s updates: it minimises
    half the squared error, so its ``eta0`` is twice our step (and its ``alpha``
    half our ``alpha``)."""

    def fit(epochs):
        reg = SGDRegressor(
            learning_rate="constant",
            eta0=2 * learning_rate,
            max_iter=epochs,
            tol=None,
            shuffle=False,
            **{"penalty": None, **params},
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return reg.fit(X, y)

    return fit


def torch_epoch(X, y, learning_rate, batch_size, optimizer="sgd"):
    """``() -> (coef, intercept)``: one epoch of PyTorch's usual mini-batch loop
    (``nn.Linear``, ``MSELoss``, ``optim.SGD`` or ``optim.Adam``) from zeros,
    batches in data order: GDRegressor(solver="minibatch")'s updates."""
    import torch

    X_t, y_t = torch.from_numpy(X), torch.from_numpy(y).reshape(-1, 1)
    optimizers = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}

    def epoch():
        model = torch.nn.Linear(X.shape[1], 1, dtype=X_t.dtype)
        torch.nn.init.zeros_(model.weight)
        torch.nn.init.zeros_(model.bias)
        step = optimizers[optimizer](model.parameters(), lr=learning_rate)
        mse = torch.nn.MSELoss()
        for start in range(0, len(X_t), batch_size):
            step.zero_grad()
            batch = slice(start, start + batch_size)
            mse(model(X_t[batch]), y_t[batch]).backward()
            step.step()
        return model.weight.detach().numpy()[0], model.bias.item()

    return epoch
