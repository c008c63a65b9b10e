r"""
Stretched valleys, momentum and saddle points
=============================================

Gradient descent looks only at the slope under its feet. This tutorial shows
what that costs on three kinds of landscape, with :func:`skgd.minimize` (plain
gradient descent, or any of skgd's optimizers, on a function) and
:class:`~skgd.plotting.LossSurfaceDisplay`:

* a **stretched valley**: on a quadratic the number of steps grows with the
  condition number :math:`\kappa = \lambda_{\max} / \lambda_{\min}` of its
  Hessian, and the path zig-zags across the valley;
* **momentum** (the heavy-ball method), which cuts that number to about
  :math:`\sqrt{\kappa}` when its two constants are well chosen;
* a **non-convex** function with two minima, where the start decides which
  one gradient descent finds;
* a **saddle point**, where the gradient is zero although the point is no
  minimum.

It follows three of the course's lessons:

* lesson 000, *Pytorch实践(刘二大人)2:梯度下降算法* (PyTorch practice, part
  2: the gradient descent algorithm), whose section on the mathematics takes
  the function of three variables
  :math:`f(\theta) = 2\theta_1^2 + 3\theta_2^2 + 4\theta_3^2`, its gradient
  :math:`(4\theta_1, 6\theta_2, 8\theta_3)` and the iteration
  :math:`x^{k+1} = x^k - \lambda \nabla f(x^k)`;
* lesson 002, *PyTorch深度学习(一)【线性模型、梯度下降、随机梯度下降】*
  (PyTorch deep learning 1: linear models, gradient descent, stochastic
  gradient descent), which warns "鞍点:梯度为0。陷入鞍点没办法迭代" (a
  saddle point: the gradient is 0; stuck at a saddle point, the iteration
  cannot go on) and adds that stochastic gradient descent, using one sample,
  "即使陷入了鞍点,也也有可能跨过这个鞍点" (may step past a saddle point even
  when stuck at it);
* lesson 003, *机器学习2* (machine learning 2), section 梯度下降算法 (the
  gradient descent algorithm), which calls gradient descent greedy: it
  "不一定能得到最优结果，但能得到局部最优结果" (does not necessarily reach the
  best result, but reaches a locally optimal one), and also names saddle
  points (鞍点：导数为零, a saddle point: the derivative is zero).

Momentum is in none of the lessons (lesson 001 names Adagrad, RMSprop and
Adam as adaptive learning rates); it is here because it is the classical
answer to a stretched valley, and skgd has it (``optimizer="momentum"``).
"""

# %%
# The lesson's function of three variables
# ----------------------------------------
# Lesson 000 writes the step size as :math:`\lambda`; this tutorial calls it
# :math:`\eta`, to keep :math:`\lambda` for eigenvalues. The lesson's function
# is a quadratic form,
#
# .. math::
#
#    f(\theta) = 2\theta_1^2 + 3\theta_2^2 + 4\theta_3^2
#              = \tfrac12 \, \theta^\top A \, \theta ,
#    \qquad A = \begin{pmatrix} 4 & 0 & 0 \\ 0 & 6 & 0 \\ 0 & 0 & 8
#               \end{pmatrix},
#
# with gradient :math:`\nabla f(\theta) = A\theta = (4\theta_1, 6\theta_2,
# 8\theta_3)`, the lesson's, and Hessian (the matrix of second derivatives)
# :math:`A`. One step of gradient descent is a matrix product:
#
# .. math::
#
#    \theta^{k+1} = \theta^k - \eta A \theta^k = (I - \eta A)\, \theta^k .
#
# Write :math:`\theta` in the eigenvectors :math:`v_i` of :math:`A` (here the
# three axes, with eigenvalues :math:`\lambda_i = 4, 6, 8`),
# :math:`\theta = \sum_i c_i v_i`. Each coefficient is multiplied by its own
# factor at every step, independently of the others:
#
# .. math::
#
#    c_i^{k+1} = (1 - \eta \lambda_i)\, c_i^k ,
#    \qquad c_i^k = (1 - \eta\lambda_i)^k \, c_i^0 .
#
# Gradient descent converges when every factor lies in :math:`(-1, 1)`, that
# is when :math:`\eta < 2/\lambda_{\max}`. The step :math:`\eta =
# 1/\lambda_{\max} = 1/8` gives the factors :math:`1 - \lambda_i/\lambda_{\max}
# = 0.5, 0.25, 0`: the steepest direction is solved in one step, the flattest
# is the slowest. :func:`~skgd.minimize` takes the function, the start, its
# gradient ``jac`` and the step, and returns the points it visited in
# ``x_path``.
import numpy as np

from skgd import minimize


def f3(t):
    return 2 * t[0] ** 2 + 3 * t[1] ** 2 + 4 * t[2] ** 2


def grad_f3(t):
    # The lesson's gradient (4 theta_1, 6 theta_2, 8 theta_3).
    return np.array([4 * t[0], 6 * t[1], 8 * t[2]])


eigenvalues = np.array([4.0, 6.0, 8.0])
eta = 1 / eigenvalues.max()
result = minimize(f3, [1.0, 1.0, 1.0], jac=grad_f3, learning_rate=eta, tol=1e-12)
print("x_path[:4] =\n", result.x_path[:4])
print("measured factors, step 0 -> 1:", result.x_path[1] / result.x_path[0])
print("1 - lambda_i / lambda_max:    ", 1 - eigenvalues / eigenvalues.max())
print(f"{result.nit} steps to f = {result.fun:.1e} ({result.message})")

# %%
# A stretched valley
# ------------------
# The ratio :math:`\kappa = \lambda_{\max}/\lambda_{\min}` is the **condition
# number** of :math:`A`; the lesson's function has :math:`\kappa = 8/4 = 2`,
# a round bowl. Take two variables, :math:`\lambda_{\max} = 1` and
# :math:`\lambda_{\min} = 1/\kappa`, with the eigenvectors turned by 30° so
# that the valley does not follow an axis:
#
# .. math::
#
#    f(\theta) = \tfrac12 \, \theta^\top A \, \theta ,
#    \qquad A = R \begin{pmatrix} 1/\kappa & 0 \\ 0 & 1 \end{pmatrix} R^\top ,
#
# with :math:`R` the rotation by 30°. Its level sets are ellipses
# :math:`\sqrt{\kappa}` times longer than wide. With :math:`\eta =
# 1/\lambda_{\max}` the error along the valley floor shrinks by :math:`1 -
# 1/\kappa` per step, so after :math:`k` steps it is
#
# .. math::
#
#    (1 - 1/\kappa)^k \approx e^{-k/\kappa} :
#
# about :math:`\kappa` steps per factor :math:`e`, and :math:`\kappa
# \ln(1/\varepsilon)` steps to shrink the error by a factor
# :math:`\varepsilon`. A larger step cannot fix it: the steep direction
# needs :math:`\eta < 2/\lambda_{\max}`. The best constant step,
# :math:`\eta = 2/(\lambda_{\min} + \lambda_{\max})`, makes the two factors
# equal in size, :math:`\pm(\kappa - 1)/(\kappa + 1) \approx \pm(1 -
# 2/\kappa)`: it halves the number of steps, still proportional to
# :math:`\kappa`, and the negative factor flips the steep coordinate at every
# step, the zig-zag.
ANGLE = np.pi / 6
ROTATION = np.array([[np.cos(ANGLE), -np.sin(ANGLE)], [np.sin(ANGLE), np.cos(ANGLE)]])


def valley(kappa):
    """The Hessian A and the function f(theta) = theta' A theta / 2."""
    A = ROTATION @ np.diag([1 / kappa, 1.0]) @ ROTATION.T
    return A, lambda t: 0.5 * t @ A @ t


def start(kappa):
    """The start: sqrt(kappa) along the valley floor, 1 across it (f = 1)."""
    return ROTATION @ np.array([-np.sqrt(kappa), 1.0])


def descend(kappa, steps, optimizer="sgd", learning_rate=1.0):
    """All ``steps`` steps of minimize on the valley (tol=None: no early stop)."""
    A, f = valley(kappa)
    return minimize(
        f,
        start(kappa),
        jac=lambda t: A @ t,
        optimizer=optimizer,
        learning_rate=learning_rate,
        tol=None,
        max_iter=steps,
    )


kappa = 100
A, f = valley(kappa)
lam, V = np.linalg.eigh(A)  # ascending: lam[0] = lambda_min, V[:, 0] its vector
print(f"kappa = {kappa}: eigenvalues {lam}, condition number {lam[1] / lam[0]:.4g}")
gd = descend(kappa, 5, learning_rate=1 / lam[1])
c = gd.x_path @ V  # the coefficients c_i^k along the eigenvectors, one row per step
print("c^k along (slow, fast):\n", c)
print("measured factor c_slow^(k+1) / c_slow^k:", c[1:, 0] / c[:-1, 0])
print(f"1 - lambda_min / lambda_max = {1 - lam[0] / lam[1]:.4f}")

# %%
# With :math:`\eta = 1/\lambda_{\max}` the steep coefficient is 0 after one
# step, up to rounding (:math:`10^{-16}`; its factor is :math:`1 - 1 = 0`): the
# path drops to the valley
# floor and then crawls along it. With the best constant step it zig-zags
# down the valley. The paths below on :math:`\kappa = 10` and
# :math:`\kappa = 100` are the first 60 steps of each, drawn with equal
# scales on both axes so that the valley keeps its true shape.
import matplotlib.pyplot as plt

from skgd.plotting import LossSurfaceDisplay


def box(A):
    """The extent of the level set f = 1 (an ellipse), padded by 5%."""
    half = 1.05 * np.sqrt(2 * np.diag(np.linalg.inv(A)))
    return [(-half[0], half[0]), (-half[1], half[1])]


fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
for ax, kappa in zip(axes, [10, 100], strict=True):
    A, f = valley(kappa)
    lam = np.linalg.eigvalsh(A)
    crawl = descend(kappa, 60, learning_rate=1 / lam[1])
    zigzag = descend(kappa, 60, learning_rate=2 / (lam[0] + lam[1]))
    display = LossSurfaceDisplay.from_function(
        f,
        zigzag.x_path,
        extent=box(A),
        grid_size=120,
        ax=ax,
        levels=20,
        path_kw={
            "label": r"$\eta = 2/(\lambda_{\min} + \lambda_{\max})$",
            "color": "C3",
            "markersize": 2,
            "linewidth": 1,
        },
    )
    ax.plot(
        *crawl.x_path.T,
        "o-",
        color="white",
        markersize=2,
        linewidth=1.5,
        label=r"$\eta = 1/\lambda_{\max}$",
    )
    display.loss_artist_.colorbar.set_label(r"$f(\theta)$")
    ax.set_aspect("equal")
    ax.legend(loc="upper left", fontsize=8)
    ax.set_title(rf"$\kappa = {kappa}$: 60 steps of gradient descent")
    ax.set_xlabel(r"$\theta_1$")
    ax.set_ylabel(r"$\theta_2$")

# %%
# Steps against the condition number
# ----------------------------------
# How many steps until the error :math:`\|\theta^k - \theta^\star\|` (here
# :math:`\theta^\star = 0`) stays below :math:`\varepsilon = 10^{-6}` times its
# start? ``descend`` passes ``tol=None``, so :func:`~skgd.minimize` takes all
# ``max_iter`` steps (its own rule, stop when :math:`f` changes by less than
# ``tol``, watches :math:`f`, not the distance), and the count is read off
# ``x_path``.
# The prediction is :math:`\ln\varepsilon / \ln\rho`, with :math:`\rho` the
# slow factor per step.
EPSILON = 1e-6


def steps_to_tolerance(path):
    """The first step from which ||theta_k|| <= EPSILON * ||theta_0|| holds."""
    error = np.linalg.norm(path, axis=1) / np.linalg.norm(path[0])
    return int(np.nonzero(error > EPSILON)[0][-1]) + 1


def count(kappa, optimizer, learning_rate, max_iter):
    return steps_to_tolerance(descend(kappa, max_iter, optimizer, learning_rate).x_path)


import pandas as pd

kappas = [10, 100, 1000]
rows = []
for kappa in kappas:
    slow, balanced = 1 - 1 / kappa, (kappa - 1) / (kappa + 1)
    n_slow = count(kappa, "sgd", 1.0, 15 * kappa)
    n_balanced = count(kappa, "sgd", 2 / (1 + 1 / kappa), 8 * kappa)
    rows.append({
        "kappa": kappa,
        "steps, eta=1/l_max": n_slow,
        "ln(eps)/ln(1-1/kappa)": np.log(EPSILON) / np.log(slow),
        "steps/kappa": n_slow / kappa,
        "steps, best eta": n_balanced,
        "ln(eps)/ln((kappa-1)/(kappa+1))": np.log(EPSILON) / np.log(balanced),
    })  # fmt: skip
gd_table = pd.DataFrame(rows).set_index("kappa")
print(gd_table.round(2).to_string())

# %%
# Ten times the condition number, ten times the steps: about :math:`\kappa
# \ln(10^6) \approx 13.8\,\kappa` with :math:`\eta = 1/\lambda_{\max}`, half of
# that with the best constant step. The measured counts agree with the
# predictions to within one step.
#
# Momentum
# --------
# The heavy-ball method (Polyak's momentum) adds a fraction :math:`\mu` of the
# previous step to the gradient step:
#
# .. math::
#
#    \theta^{k+1} = \theta^k - \eta \nabla f(\theta^k)
#                   + \mu \, (\theta^k - \theta^{k-1}) .
#
# skgd writes it as PyTorch's ``torch.optim.SGD`` does, with a buffer
# :math:`b` that sums the past gradients, the latest weighted 1, the one
# before :math:`\mu`, then :math:`\mu^2`, ...:
#
# .. math::
#
#    b^0 = \nabla f(\theta^0), \qquad
#    b^k = \mu\, b^{k-1} + \nabla f(\theta^k), \qquad
#    \theta^{k+1} = \theta^k - \eta\, b^k ,
#
# which is the same update, since :math:`\theta^{k+1} - \theta^k = -\eta b^k =
# \mu(\theta^k - \theta^{k-1}) - \eta \nabla f(\theta^k)`. Across the valley
# the gradients alternate in sign and cancel in the sum; along it they agree
# and add up, so the step along the floor grows (up to :math:`1/(1 - \mu)`
# times the plain step). ``optimizer="momentum"`` is
# :class:`skgd.optim.SGD` with :math:`\mu = 0.9`; other values are
# ``SGD(momentum=mu)``. The first steps, by the formula in NumPy and by
# :func:`~skgd.minimize`:
from skgd.optim import SGD

kappa = 100
A, f = valley(kappa)
eta, mu = 1.0, 0.9
theta_prev = theta = start(kappa)
by_hand = [theta]
for _ in range(4):
    theta, theta_prev = theta - eta * A @ theta + mu * (theta - theta_prev), theta
    by_hand.append(theta)
heavy = descend(kappa, 4, optimizer="momentum", learning_rate=eta)
print("by the formula:\n", np.array(by_hand))
print("minimize(optimizer='momentum'):\n", heavy.x_path)

# %%
# Why about :math:`\sqrt{\kappa}` steps
# ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
# Along an eigenvector the heavy ball is a two-term recurrence,
# :math:`c^{k+1} = (1 + \mu - \eta\lambda_i)\, c^k - \mu\, c^{k-1}`, whose
# factors per step are the roots :math:`z` of
#
# .. math::
#
#    z^2 - (1 + \mu - \eta\lambda_i)\, z + \mu = 0 .
#
# When the roots are complex (the coefficient oscillates) both have size
# :math:`|z| = \sqrt{\mu}`, whatever :math:`\lambda_i`. The choice
#
# .. math::
#
#    \eta = \frac{4}{(\sqrt{\lambda_{\max}} + \sqrt{\lambda_{\min}})^2} ,
#    \qquad
#    \mu = \left(\frac{\sqrt{\kappa} - 1}{\sqrt{\kappa} + 1}\right)^2
#
# makes them complex (or double) for every :math:`\lambda_i` in
# :math:`[\lambda_{\min}, \lambda_{\max}]`, so every direction shrinks by
# :math:`\sqrt{\mu} = (\sqrt{\kappa} - 1)/(\sqrt{\kappa} + 1) \approx 1 -
# 2/\sqrt{\kappa}` per step: about :math:`\sqrt{\kappa}/2` steps per factor
# :math:`e`, against :math:`\kappa` for gradient descent. The fixed
# :math:`\mu = 0.9` with :math:`\eta = 1` has complex roots, of size
# :math:`\sqrt{0.9} \approx 0.949`, for every :math:`\lambda_i > (1 -
# \sqrt{0.9})^2 \approx 0.0026`: on the valleys with :math:`\kappa < 380` it
# needs about :math:`\ln(10^{-6})/\ln\sqrt{0.9} \approx 262` steps whatever
# :math:`\kappa`, and more beyond, where the slowest roots turn real.


def tuned(kappa):
    """The heavy ball's best constants for lambda_min = 1/kappa, lambda_max = 1."""
    root = np.sqrt(kappa)
    return 4 / (1 + 1 / root) ** 2, ((root - 1) / (root + 1)) ** 2


rows = []
for kappa in kappas:
    root = np.sqrt(kappa)
    eta, mu = tuned(kappa)
    n_heavy = count(kappa, SGD(momentum=mu), eta, int(20 * root))
    rows.append({
        "kappa": kappa,
        "sqrt(kappa)": root,
        "gradient descent": gd_table.loc[kappa, "steps, eta=1/l_max"],
        "heavy ball, tuned": n_heavy,
        "steps/sqrt(kappa)": n_heavy / root,
        "ln(eps)/ln(sqrt(mu))": np.log(EPSILON) / np.log(np.sqrt(mu)),
        "momentum 0.9, eta=1": count(kappa, "momentum", 1.0, 1400),
    })  # fmt: skip
print(pd.DataFrame(rows).set_index("kappa").round(2).to_string())

# %%
# The tuned heavy ball's count grows like :math:`\sqrt{\kappa}` (the ratio
# stays between 8.2 and 8.6), a little above the prediction
# :math:`\ln\varepsilon/\ln\sqrt{\mu}`: at the extreme eigenvalues its two
# roots coincide, and a double root adds a factor :math:`k` to
# :math:`\sqrt{\mu}^{\,k}`. At :math:`\kappa = 10` the fixed :math:`\mu =
# 0.9` is slower than plain gradient descent: momentum pays only when it suits
# the valley.
#
# The paths on the valley with :math:`\kappa = 100`. The tuned heavy ball
# takes a large step, :math:`\eta \approx 3.3 > 2/\lambda_{\max}`, so it
# zig-zags across the valley, but its momentum damps the zig-zag (the factor
# across tends to :math:`-\sqrt{\mu} \approx -0.82` per step) while it runs down
# the floor: 85 steps to :math:`\varepsilon`, where gradient descent with its
# best step needs 691. Momentum 0.9 with :math:`\eta = 1` runs past the
# minimum along the floor and swings back (the bumps of its error curve).
kappa = 100
A, f = valley(kappa)
eta, mu = tuned(kappa)
steps = 120
gd_path = descend(kappa, steps, learning_rate=2 / (1 + 1 / kappa)).x_path
hb_path = descend(kappa, steps, SGD(momentum=mu), eta).x_path
fixed_path = descend(kappa, steps, "momentum", 1.0).x_path

runs = [
    (gd_path, r"gradient descent, $\eta = 2/(\lambda_{\min}+\lambda_{\max})$", "white"),
    (hb_path, rf"heavy ball, tuned: $\eta = {eta:.3f}$, $\mu = {mu:.3f}$", "C3"),
    (fixed_path, r"momentum $\mu = 0.9$, $\eta = 1$", "C1"),
]
fig, axes = plt.subplots(2, 2, figsize=(11, 7), layout="constrained")
for ax, (path, label, color) in zip(axes.flat, runs, strict=False):
    display = LossSurfaceDisplay.from_function(
        f,
        path,
        extent=box(A),
        grid_size=120,
        ax=ax,
        levels=20,
        path_kw={"label": label, "color": color, "markersize": 2, "linewidth": 1},
    )
    display.loss_artist_.colorbar.set_label(r"$f(\theta)$")
    ax.set_aspect("equal")
    ax.legend(loc="upper left", fontsize=8)
    ax.set(
        title=rf"$\kappa = {kappa}$, {steps} steps: {label}",
        xlabel=r"$\theta_1$",
        ylabel=r"$\theta_2$",
    )
    ax.title.set_fontsize(9)
ax_error = axes[1, 1]
for path, label, color in runs:
    error = np.linalg.norm(path, axis=1) / np.linalg.norm(path[0])
    ax_error.semilogy(error, color="black" if color == "white" else color, label=label)
ax_error.axhline(EPSILON, color="grey", linestyle=":", label=r"$\varepsilon = 10^{-6}$")
ax_error.set(
    title="Distance to the minimum, relative to the start",
    xlabel="step k",
    ylabel=r"$\|\theta^k\| / \|\theta^0\|$",
)
_ = ax_error.legend(fontsize=8)

# %%
# The race, step by step, every fourth step (``anim.save_gif("race.gif")``
# writes it as a GIF):
from skgd.plotting import animate_surface

display = LossSurfaceDisplay.from_function(
    f, gd_path, extent=box(A), grid_size=80, param_names=(r"$\theta_1$", r"$\theta_2$")
)
plt.close(display.figure_)
anim = animate_surface(
    display,
    others=[hb_path],
    labels=["gradient descent, best step", "heavy ball, tuned"],
    frames=list(range(0, steps + 1, 4)),
    colors=["white", "C3"],
)
anim.ax_.set_aspect("equal")
anim.figure_.axes[-1].set_ylabel(r"$f(\theta)$")  # the colour bar
_ = anim.ax_.set(title=rf"$\kappa = {kappa}$: gradient descent against the heavy ball")

# %%
# Non-convex functions: the start decides
# ---------------------------------------
# A function is **convex** when its Hessian is positive semi-definite
# everywhere (in one variable, :math:`f''(x) \ge 0`). The quadratics above
# are convex: they have one minimum, and gradient descent (with a step below
# :math:`2/\lambda_{\max}`) reaches it from any start. The quartic
#
# .. math::
#
#    g(x) = x^4 - 4x^2 + x, \qquad g'(x) = 4x^3 - 8x + 1, \qquad
#    g''(x) = 12x^2 - 8
#
# is not: :math:`g'' < 0` for :math:`|x| < \sqrt{2/3}`. It has two minima,
# the roots of :math:`g'` where :math:`g'' > 0`, and a maximum between them.
# Gradient descent is greedy, as lesson 003 says: it goes downhill from where
# it stands. With the step :math:`\eta = 0.05`, every start in :math:`[-2, 2]`
# left of the maximum ends in the left minimum, and every start right of it
# in the right one, a *local* minimum, higher than the global one.


def g(x):
    return x**4 - 4 * x**2 + x


def dg(x):
    return 4 * x**3 - 8 * x + 1


critical = np.sort(np.roots([4, 0, -8, 1]).real)
for x in critical:
    kind = "minimum" if 12 * x**2 - 8 > 0 else "maximum"
    print(
        f"g'(x) = 0 at x = {x:+.4f}: g = {g(x):+.4f}, g'' = {12 * x**2 - 8:+.2f}, "
        f"a {kind}"
    )
quartic_runs = {}
for x0 in [-2.0, -0.5, 0.1, 0.15, 0.5, 2.0]:
    quartic_runs[x0] = minimize(g, x0, jac=dg, learning_rate=0.05)
    run = quartic_runs[x0]
    print(f"start {x0:+.2f} -> x = {run.x:+.4f}, g = {run.fun:+.4f}, {run.nit} steps")

# The rule on 401 starts from -2 to 2: which minimum each one finds.
starts = np.linspace(-2, 2, 401)
ends = np.array([minimize(g, x0, jac=dg, learning_rate=0.05).x for x0 in starts])
left = np.abs(ends - critical[0]) < 1e-3
right = np.abs(ends - critical[2]) < 1e-3
print(
    f"left minimum: {left.sum()} starts, all below the maximum: "
    f"{bool(np.all(starts[left] < critical[1]))}; right minimum: {right.sum()} "
    f"starts, all above it: {bool(np.all(starts[right] > critical[1]))}"
)

# %%
# Two starts 0.05 apart, on either side of the maximum at :math:`x \approx
# 0.126`, end in different minima. On the curve:
display = LossSurfaceDisplay.from_function(
    g,
    quartic_runs[0.1].x_path,
    extent=[(-2.2, 2.2)],
    path_kw={"label": "start 0.10", "color": "C0"},
)
ax = display.ax_
ax.plot(
    quartic_runs[0.15].x_path,
    g(quartic_runs[0.15].x_path),
    "o-",
    color="C3",
    markersize=3,
    label="start 0.15",
)
ax.plot(
    quartic_runs[2.0].x_path,
    g(quartic_runs[2.0].x_path),
    "s--",
    color="C2",
    markersize=3,
    label="start 2.00",
)
display.loss_artist_.set_color("black")
for x, name in [(critical[0], "global minimum"), (critical[2], "local minimum")]:
    ax.annotate(name, (x, g(x)), xytext=(x, g(x) - 1.2), ha="center")
ax.set_ylim(-7, 7)
ax.legend()
_ = ax.set(
    title=r"$g(x) = x^4 - 4x^2 + x$: two minima, the start decides",
    xlabel="x",
    ylabel="g(x)",
)

# %%
# A saddle point
# --------------
# The simplest saddle is :math:`x^2 - y^2` at the origin: a minimum along
# :math:`x`, a maximum along :math:`y`. It falls without bound along
# :math:`y`, so a path that escapes it runs off to infinity; adding
# :math:`\tfrac12 y^4` gives the escape somewhere to land and keeps the same
# saddle:
#
# .. math::
#
#    h(x, y) = x^2 - y^2 + \tfrac12 y^4, \qquad
#    \nabla h = \begin{pmatrix} 2x \\ -2y + 2y^3 \end{pmatrix}, \qquad
#    \nabla^2 h = \begin{pmatrix} 2 & 0 \\ 0 & -2 + 6y^2 \end{pmatrix} .
#
# The gradient is zero at :math:`(0, 0)` and :math:`(0, \pm 1)`. The Hessian's
# eigenvalues tell them apart: :math:`2` and :math:`4` at :math:`(0, \pm 1)`,
# both positive, two minima with :math:`h = -\tfrac12`; :math:`2` and
# :math:`-2` at the origin, one of each sign, the saddle. Near a point of zero
# gradient, gradient descent multiplies the error along each eigenvector of
# the Hessian by :math:`1 - \eta\lambda_i`, as on the quadratics above: with
# :math:`\eta = 0.1`, by :math:`0.8` along :math:`x` and by :math:`1.2` along
# :math:`y`. A negative eigenvalue makes a factor above 1, which pushes the
# path away.


def h(p):
    return p[0] ** 2 - p[1] ** 2 + 0.5 * p[1] ** 4


def grad_h(p):
    return np.array([2 * p[0], -2 * p[1] + 2 * p[1] ** 3])


for point in [(0.0, 0.0), (0.0, 1.0), (0.0, -1.0)]:
    hessian = np.diag([2.0, -2 + 6 * point[1] ** 2])
    print(
        f"at {point}: gradient {grad_h(np.array(point))}, "
        f"Hessian eigenvalues {np.linalg.eigvalsh(hessian)}"
    )

# %%
# Started exactly on the :math:`x` axis, :math:`y = 0`, the partial derivative
# :math:`\partial h/\partial y = -2y + 2y^3` is exactly 0, so :math:`y` never
# moves, and :math:`x` shrinks by 0.8 per step: gradient descent converges to
# the saddle. :func:`~skgd.minimize` reports success, because :math:`h`
# stopped changing: its stopping rule cannot tell a saddle from a minimum.
# That is the lesson's "陷入鞍点没办法迭代". A start :math:`10^{-6}` off the
# axis escapes: its :math:`y` grows by about :math:`1.2` per step, reaching
# :math:`0.5` after about :math:`\ln(0.5/10^{-6})/\ln 1.2 \approx 72` steps,
# and falls into a minimum. A start only :math:`10^{-8}` off the axis
# escapes too slowly for the stopping rule: :math:`h` changes by less than
# ``tol=1e-8`` in one step while :math:`y` is still :math:`2 \times 10^{-5}`,
# and it stops next to the saddle. With ``tol=None`` it takes all
# ``max_iter`` steps and escapes.
saddle_runs = {
    "on the x axis": minimize(h, [1.5, 0.0], jac=grad_h, learning_rate=0.1),
    "y0 = 1e-6": minimize(h, [1.5, 1e-6], jac=grad_h, learning_rate=0.1),
    "y0 = 1e-8": minimize(h, [1.5, 1e-8], jac=grad_h, learning_rate=0.1),
    "y0 = 1e-8, tol=None": minimize(
        h, [1.5, 1e-8], jac=grad_h, learning_rate=0.1, tol=None, max_iter=150
    ),
    "y0 = -1e-6": minimize(h, [1.5, -1e-6], jac=grad_h, learning_rate=0.1),
}
for name, run in saddle_runs.items():
    print(
        f"{name:>20}: {run.nit:3d} steps to ({run.x[0]:.2e}, {run.x[1]:+.2e}), "
        f"h = {run.fun:+.2e}, success={run.success}"
    )
y_path = saddle_runs["y0 = 1e-6"].x_path[:, 1]
print("y grows by", np.round(y_path[1:6] / y_path[:5], 6), "per step (1 + 2 eta = 1.2)")
print("first step with |y| > 0.5:", np.argmax(np.abs(y_path) > 0.5))

# %%
# Lessons 002 and 003 say that stochastic gradient descent can get past a
# saddle point. A toy model of that: the exact gradient plus a little noise
# (normal, standard deviation :math:`10^{-3}`), started on the :math:`x` axis.
# The noise gives :math:`y` the push that the exact gradient never gives it.
rng = np.random.default_rng(0)
noisy = minimize(
    h,
    [1.5, 0.0],
    jac=lambda p: grad_h(p) + rng.normal(0, 1e-3, 2),
    learning_rate=0.1,
    tol=None,
    max_iter=150,
)
print(f"noisy gradient from (1.5, 0): ends at ({noisy.x[0]:+.4f}, {noisy.x[1]:+.4f})")

# %%
# The paths on the contours of :math:`h`: the one on the axis stops at the
# saddle (the cross); the ones started off the axis run to it along
# :math:`x`, wait there while :math:`y` grows, then fall into the minima.
on_axis = saddle_runs["on the x axis"]
display = LossSurfaceDisplay.from_function(
    h,
    on_axis.x_path,
    extent=[(-1.0, 1.7), (-1.5, 1.5)],
    grid_size=150,
    levels=25,
    path_kw={
        "label": "start (1.5, 0): stops at the saddle",
        "color": "white",
        "markersize": 5,
    },
)
ax = display.ax_
for name, color in [("y0 = 1e-6", "C3"), ("y0 = -1e-6", "C1")]:
    ax.plot(
        *saddle_runs[name].x_path.T,
        "o-",
        color=color,
        markersize=2,
        linewidth=1,
        label=f"start (1.5, {name[5:]})",
    )
ax.plot(
    *noisy.x_path.T,
    "--",
    color="C6",
    linewidth=1.5,
    label="start (1.5, 0), noisy gradient",
)
ax.plot(
    [0],
    [0],
    "X",
    color="red",
    markersize=12,
    markeredgecolor="black",
    linestyle="none",
    label="saddle (0, 0)",
)
# The display stars the grid's lowest point, (0, -1); (0, 1) is as low.
ax.plot(0, 1, "*", color="gold", markersize=14, markeredgecolor="black")
display.loss_artist_.colorbar.set_label("h(x, y)")
ax.legend(loc="upper right", fontsize=7)
_ = ax.set(
    title=r"$h(x, y) = x^2 - y^2 + y^4/2$: a saddle at the origin",
    xlabel="x",
    ylabel="y",
)

# %%
# What to remember
# ----------------
# * On a quadratic, gradient descent shrinks the error along each
#   eigenvector of the Hessian by :math:`1 - \eta\lambda_i` per step; the
#   flattest direction sets the pace, about :math:`\kappa` steps per factor
#   :math:`e`.
# * Momentum with constants tuned to :math:`\lambda_{\min}` and
#   :math:`\lambda_{\max}` needs about :math:`\sqrt{\kappa}` steps; a fixed
#   :math:`\mu = 0.9` helps only on valleys stretched enough for it.
# * On a non-convex function the start decides which minimum is found.
# * A zero gradient is not a minimum: the Hessian's eigenvalues say whether
#   it is a minimum (all positive) or a saddle (some negative). Gradient
#   descent stops at a saddle only when started exactly on its stable
#   directions, but a stopping rule on the change of :math:`f` may stop it
#   there anyway; noise, as in stochastic gradient descent, pushes it off.
