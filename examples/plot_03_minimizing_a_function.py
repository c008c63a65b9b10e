"""
Minimizing a function
=====================

Gradient descent is not only for models. This tutorial follows lesson 001, an
article on gradient descent (its title did not survive the copy; its code
section is 「梯度下降的实现(代码)」), which minimises

.. math::

    J(\\theta) = (\\theta - 2.5)^2 - 1, \\qquad J'(\\theta) = 2 (\\theta - 2.5),

from :math:`\\theta = 0` with the step :math:`\\eta = 0.1`, stopping when
:math:`|J(\\theta_{k+1}) - J(\\theta_k)| < 10^{-8}`, and draws the path of
:math:`\\theta` on the curve; and the examples of lesson 000
(「Pytorch实践(刘二大人)2:梯度下降算法」, its 「数学推导」): one variable,
:math:`f(x) = \\tfrac12 x^2`, and three,
:math:`f(\\theta) = 2\\theta_1^2 + 3\\theta_2^2 + 4\\theta_3^2`.

:func:`skgd.minimize` runs the same loop, with any of skgd's optimizers, and
keeps the path. What it teaches: the update
:math:`\\theta_{k+1} = \\theta_k - \\eta \\nabla J(\\theta_k)`, the stopping
rule, and why each coordinate of a quadratic shrinks by its own factor.
"""

# %%
# The lesson's while-loop
# -----------------------
# Each step moves against the derivative; on this parabola the distance to the
# minimum :math:`\theta^* = 2.5` shrinks by the same factor every step,
#
# .. math::
#
#     \theta_{k+1} - 2.5 = (1 - 2\eta)(\theta_k - 2.5) = 0.8\,(\theta_k - 2.5),
#
# so the loop stops near, not at, 2.5. The lesson's code, with ``theta_history``
# to count the steps (it prints :math:`\theta`, :math:`J'(\theta)`,
# :math:`J(\theta)` and the length of the history):
import numpy as np


def dj(theta):
    return 2 * (theta - 2.5)  # the derivative


def j(theta):
    return (theta - 2.5) ** 2 - 1  # the value


eta = 0.1
theta = 0.0
epsilon = 1e-8
theta_history = [theta]
while True:
    gradient = dj(theta)
    last_theta = theta
    theta = theta - gradient * eta
    theta_history.append(theta)
    if np.abs(j(theta) - j(last_theta)) < epsilon:
        break

print(theta)
print(dj(theta))
print(j(theta))
print(len(theta_history))

# %%
# The same with minimize
# ----------------------
# Given the derivative (``jac``), :func:`~skgd.minimize` makes the lesson's
# steps (to the rounding of the last digit); ``x_path`` is its
# ``theta_history`` (the start and every step).
from skgd import minimize

result = minimize(j, 0.0, jac=dj, learning_rate=0.1, tol=1e-8)
print(f"theta = {result.x!r} after {result.nit} steps ({result.message})")
print("path length:", len(result.x_path))
print(
    "largest difference from the lesson's path:",
    np.abs(result.x_path - theta_history).max(),
)

# %%
# Without ``jac`` the derivative is taken by central differences,
# :math:`J'(\theta) \approx (J(\theta + h) - J(\theta - h)) / 2h`: the same
# number of steps, and a :math:`\theta` that differs in the last digits.
approximate = minimize(j, 0.0, learning_rate=0.1, tol=1e-8)
print(f"theta = {approximate.x!r} after {approximate.nit} steps")

# %%
# The path on the curve
# ---------------------
# The lesson's figure: the curve, and :math:`\theta_k` on it.
from skgd.plotting import LossSurfaceDisplay

display = LossSurfaceDisplay.from_function(j, result.x_path, extent=[(-1.0, 6.0)])
_ = display.ax_.set(
    xlabel="theta", ylabel="J(theta)", title="gradient descent on J(theta)"
)

# %%
# One variable, and three
# -----------------------
# Lesson 000's :math:`f(x) = \tfrac12 x^2` has :math:`\nabla f = x`, so
# :math:`x_{k+1} = (1 - \lambda) x_k`: from :math:`x_0 = 1` with
# :math:`\lambda = 0.1`, :math:`x_k = 0.9^k`.
half_square = minimize(lambda x: 0.5 * x**2, 1.0, jac=lambda x: x, tol=None, max_iter=5)
print("x_k:", half_square.x_path, "\n0.9**k:", 0.9 ** np.arange(6))

# %%
# :math:`f(\theta) = 2\theta_1^2 + 3\theta_2^2 + 4\theta_3^2` has the gradient
# :math:`(4\theta_1, 6\theta_2, 8\theta_3)`: each coordinate shrinks by its own
# factor per step,
#
# .. math::
#
#     \theta_{i,k+1} = (1 - \eta c_i)\, \theta_{i,k}, \qquad
#     c = (4, 6, 8), \quad 1 - 0.1 c = (0.6, 0.4, 0.2),
#
# and all reach 0, the steepest first.


def f(t):
    return 2 * t[0] ** 2 + 3 * t[1] ** 2 + 4 * t[2] ** 2


def grad_f(t):
    return np.array([4 * t[0], 6 * t[1], 8 * t[2]])


result = minimize(f, [1.0, 1.0, 1.0], jac=grad_f, learning_rate=0.1, tol=1e-12)
print(f"x = {np.round(result.x, 6)}, f(x) = {result.fun:.2e}, {result.nit} steps")
print("per-step factors:", result.x_path[1] / result.x_path[0])

# %%
# With another optimizer, Adam, the steps adapt to each coordinate: the first
# step moves every coordinate by the learning rate, whatever its gradient.
adam = minimize(f, [1.0, 1.0, 1.0], jac=grad_f, optimizer="adam", learning_rate=0.1)
print(f"first Adam step: {adam.x_path[1]}")

# %%
# Two of the variables, with the third at 0, show the elongated valley and the
# paths of both optimizers (the tutorial on momentum,
# :ref:`sphx_glr_auto_examples_plot_08_momentum_and_saddle_points.py`, looks
# at such valleys closely).
import matplotlib.pyplot as plt

fig, ax = plt.subplots()
plain = minimize(lambda t: f([t[0], t[1], 0.0]), [1.0, 1.0], learning_rate=0.1)
display = LossSurfaceDisplay.from_function(
    lambda t: f([t[0], t[1], 0.0]), plain.x_path, extent=[(-1.2, 1.2)] * 2, ax=ax
)
ax.plot(*adam.x_path[:, :2].T, "s-", color="white", markersize=3, label="adam")
ax.legend()
_ = ax.set(xlabel="theta_1", ylabel="theta_2", title="plain steps and Adam's")
