"""
Minimizing a function
=====================

Gradient descent is not only for models: the lesson minimises
``J(theta) = (theta - 2.5)**2 - 1`` from ``theta = 0`` with a step ``eta = 0.1``,
stopping when ``J`` changes by less than ``1e-8``, and draws the path of
``theta`` on the curve. :func:`skgd.minimize` runs the same loop, with any of
skgd's optimizers, and keeps the path.
"""

# %%
# The lesson's while-loop
# -----------------------
import numpy as np


def J(theta):
    return (theta - 2.5) ** 2 - 1


def dJ(theta):
    return 2 * (theta - 2.5)


eta, theta, epsilon = 0.1, 0.0, 1e-8
theta_history = [theta]
while True:
    gradient = dJ(theta)
    last_theta = theta
    theta = theta - eta * gradient
    theta_history.append(theta)
    if abs(J(theta) - J(last_theta)) < epsilon:
        break
print(f"theta = {theta:.6f} after {len(theta_history) - 1} steps")

# %%
# The same with minimize
# ----------------------
# Without ``jac`` the gradient is taken by central differences.
from skgd import minimize

result = minimize(J, 0.0, learning_rate=0.1, tol=1e-8)
print(f"theta = {result.x:.6f} after {result.nit} steps ({result.message})")

# %%
# The path on the curve
# ---------------------
from skgd.plotting import LossSurfaceDisplay

display = LossSurfaceDisplay.from_function(J, result.x_path, extent=[(-1.0, 6.0)])
_ = display.ax_.set(xlabel="theta", ylabel="J(theta)")

# %%
# Three variables
# ---------------
# ``f(theta) = 2 theta_1**2 + 3 theta_2**2 + 4 theta_3**2`` has the gradient
# ``(4 theta_1, 6 theta_2, 8 theta_3)``; each coordinate shrinks by its own
# factor ``1 - eta * (4, 6, 8)`` per step, and all reach 0.


def f(t):
    return 2 * t[0] ** 2 + 3 * t[1] ** 2 + 4 * t[2] ** 2


def grad_f(t):
    return np.array([4 * t[0], 6 * t[1], 8 * t[2]])


result = minimize(f, [1.0, 1.0, 1.0], jac=grad_f, learning_rate=0.1, tol=1e-12)
print(f"x = {np.round(result.x, 6)}, f(x) = {result.fun:.2e}, {result.nit} steps")

# %%
# With another optimizer, Adam, the steps adapt to each coordinate: the first
# step moves every coordinate by the learning rate, whatever its gradient.
adam = minimize(f, [1.0, 1.0, 1.0], jac=grad_f, optimizer="adam", learning_rate=0.1)
print(f"first Adam step: {adam.x_path[1]}")

# %%
# Two of the variables, with the third at 0, show the elongated valley and the
# paths of both optimizers.
import matplotlib.pyplot as plt

fig, ax = plt.subplots()
plain = minimize(lambda t: f([t[0], t[1], 0.0]), [1.0, 1.0], learning_rate=0.1)
display = LossSurfaceDisplay.from_function(
    lambda t: f([t[0], t[1], 0.0]), plain.x_path, extent=[(-1.2, 1.2)] * 2, ax=ax
)
ax.plot(*adam.x_path[:, :2].T, "s-", color="white", markersize=3, label="adam")
ax.legend()
_ = ax.set(xlabel="theta_1", ylabel="theta_2")
