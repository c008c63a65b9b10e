r"""
Classification: the margin, two losses and a turning decision boundary
======================================================================

This tutorial teaches linear classification by gradient descent: the decision
function :math:`z = w \cdot x + b`, the margin :math:`m = y z`, two losses of
the margin (the log loss of logistic regression and the hinge loss of the
linear SVM) with their derivatives, and what gradient descent does to the
decision boundary, epoch by epoch, from a bad start.

No source lesson covers classification. The lessons fit lines; lesson 004,
"梯度下降 Gradient Descent", only names the log loss, in its list of terms
(section 1.2, "几个专业术语", a few technical terms), as "the loss function
for logistic regression". So this tutorial has no lesson numbers to
reproduce: it builds on the regression tutorials (the gradient derived by
hand, the learning rate, the loss per epoch, the parameters' path) and changes
two things, the model's output and the loss. Its references are formulas
written out in NumPy and scikit-learn's own classifiers.
"""

# %%
# The decision function and the margin
# ------------------------------------
# A linear classifier of two features computes the decision value
#
# .. math::
#
#     z = w \cdot x + b = w_1 x_1 + w_2 x_2 + b
#
# and predicts the positive class where :math:`z > 0`. The decision boundary
# is the line :math:`z = 0`. The weight vector :math:`w` is perpendicular to
# it and points to the positive side, so turning :math:`w` turns the boundary;
# :math:`b` shifts it, to a distance :math:`|b| / \|w\|` from the origin.
#
# For the loss, the two classes are coded :math:`y = -1` and :math:`y = +1`
# (:class:`~skgd.GDClassifier` codes ``classes_[0]`` as -1 and ``classes_[1]``
# as +1). The **margin** of a sample is
#
# .. math::
#
#     m = y z = y \, (w \cdot x + b) .
#
# It is positive when the sample is on its own side of the boundary and
# negative when it is misclassified, and :math:`|m| / \|w\|` is the sample's
# distance to the boundary. A classification loss is a decreasing function
# :math:`\ell(m)` of the margin. Two of them:
#
# .. math::
#
#     \ell_{\log}(m) = \log\left(1 + e^{-m}\right), \qquad
#     \ell_{\text{hinge}}(m) = \max(0, 1 - m) .
#
# Their derivatives with respect to the margin are
#
# .. math::
#
#     \ell_{\log}'(m) = -\frac{1}{1 + e^{m}}, \qquad
#     \ell_{\text{hinge}}'(m) =
#     \begin{cases} -1 & m < 1 \\ 0 & m > 1 \end{cases}
#
# The hinge has a kink at :math:`m = 1`, where it has no derivative; skgd, as
# scikit-learn's :class:`~sklearn.linear_model.SGDClassifier`, takes -1
# there. The log loss is smooth, never exactly 0, and its slope fades as the
# margin grows; the hinge is exactly 0 for every :math:`m \ge 1`: a sample
# beyond the margin (:math:`m > 1`) no longer pulls on the boundary. Far on
# the wrong side both grow like :math:`-m`.
#
# Why not count the errors directly? The misclassification count, the 0-1
# loss (1 for :math:`m \le 0`, else 0), is flat everywhere except at its jump:
# its derivative is 0, and gradient descent would never move. The log loss and
# the hinge are convex upper bounds of it (the log loss divided by
# :math:`\log 2`) whose slope is not zero where a sample is misclassified.
import matplotlib.pyplot as plt
import numpy as np
from scipy.special import expit


def log_loss(m):
    """log(1 + exp(-m)), computed without overflow."""
    return np.logaddexp(0.0, -m)


def d_log_loss(m):
    """-1 / (1 + exp(m)) = -sigmoid(-m)."""
    return -expit(-m)


def hinge(m):
    return np.maximum(0.0, 1.0 - m)


def d_hinge(m):
    """-1 up to the kink (included, as skgd and scikit-learn), 0 beyond."""
    return np.where(m <= 1.0, -1.0, 0.0)


margins = np.linspace(-3, 3, 601)
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
left.plot(margins, log_loss(margins), label=r"log loss $\log(1 + e^{-m})$")
left.plot(margins, hinge(margins), label=r"hinge $\max(0, 1 - m)$")
left.plot(margins, margins <= 0, "k:", label="misclassified (0-1 loss)")
left.set(title="The losses of the margin", xlabel="margin m = y z", ylabel="loss")
left.legend()
right.plot(margins, d_log_loss(margins), label=r"$-1 / (1 + e^{m})$")
right.plot(margins, d_hinge(margins), label="-1 for m ≤ 1, else 0")
right.set(
    title="Their derivatives",
    xlabel="margin m = y z",
    ylabel="d loss / d m",
    ylim=(-1.1, 0.1),
)
_ = right.legend()

# %%
# The gradient, by the chain rule
# -------------------------------
# As in the regression tutorials, the objective is the mean loss over the
# :math:`N` samples, here with an L2 penalty (the intercept is not
# penalised):
#
# .. math::
#
#     J(w, b) = \frac{1}{N} \sum_{i=1}^{N} \ell\big(y_i (w \cdot x_i + b)\big)
#     + \frac{\alpha}{2} \|w\|^2 .
#
# Since :math:`\partial m_i / \partial w = y_i x_i` and
# :math:`\partial m_i / \partial b = y_i`,
#
# .. math::
#
#     \nabla_w J = \frac{1}{N} \sum_{i=1}^{N} \ell'(m_i) \, y_i \, x_i
#     + \alpha w, \qquad
#     \frac{\partial J}{\partial b} = \frac{1}{N} \sum_{i=1}^{N} \ell'(m_i) \, y_i ,
#
# and gradient descent steps :math:`w \leftarrow w - \eta \nabla_w J`,
# :math:`b \leftarrow b - \eta \, \partial J / \partial b`, as for a line.
# For the log loss the factor :math:`\ell'(m_i) y_i` is an error: with the
# class coded :math:`t_i = (y_i + 1) / 2 \in \{0, 1\}` and the logistic
# function :math:`\sigma(z) = 1 / (1 + e^{-z})`,
# :math:`\ell_{\log}'(m_i) \, y_i = \sigma(z_i) - t_i`, so
#
# .. math::
#
#     \nabla_w J = \frac{1}{N} \sum_{i=1}^{N} \big(\sigma(z_i) - t_i\big) x_i
#     + \alpha w ,
#
# the regression gradient :math:`\frac{2}{N} \sum_i (\hat y_i - y_i) x_i`
# with the probability :math:`\sigma(z_i)` in the place of the prediction
# (and no factor 2). The identity, checked on a few decision values:
z, t = np.array([-2.0, -0.5, 0.5, 3.0]), np.array([1, 0, 1, 0])
y_pm = 2 * t - 1
print("l'(m) y         :", d_log_loss(y_pm * z) * y_pm)
print("sigmoid(z) - t  :", expit(z) - t)

# %%
# The data and a bad start
# ------------------------
# Two Gaussian clouds of 100 points, centred at (-1, -1) and (1, 1). The best
# boundary is close to the line :math:`x_2 = -x_1`, with :math:`w` pointing
# at 45 degrees.
#
# We start gradient descent from :math:`w = (2, -2)`, :math:`b = 1`: the
# normal points at -45 degrees, so the boundary runs along the clouds instead
# of between them, a quarter turn from where it should be, and classifies
# about half the points wrong. The penalty is :math:`\alpha = 1 / N = 0.005`
# (it will match ``LogisticRegression(C=1)`` below). The learning rate is
# small, 0.2, well under the step :math:`1 / L` that ``learning_rate="auto"``
# would take, so that the boundary turns slowly enough to watch.
from sklearn.datasets import make_blobs

from skgd import GDClassifier

X, y = make_blobs(n_samples=200, centers=[(-1, -1), (1, 1)], random_state=0)
n = len(y)
y_pm = np.where(y == 1, 1.0, -1.0)  # the classes coded -1 and +1
w0, b0 = np.array([2.0, -2.0]), 1.0
alpha = 1 / n
print(f"start: accuracy {np.mean((X @ w0 + b0 > 0) == (y == 1)):.3f}")
auto = GDClassifier(penalty="l2", alpha=alpha, max_iter=1, tol=None).fit(X, y)
print(f"the auto step 1/L: {auto.learning_rate_:.3f}")

# %%
# The objective and its gradient at the start, by the formulas above. With
# ``solver="batch"`` (the default), ``loss_history_[0]`` is the objective at
# the start, and :func:`~skgd.plotting.objective_gradient` gives skgd's
# gradient there; they are the same numbers.
from skgd.plotting import objective_gradient

params = dict(penalty="l2", alpha=alpha, learning_rate=0.2, max_iter=300, tol=None)
start = dict(coef_init=[w0], intercept_init=[b0])
fits = {}
for name, loss, d_loss in [
    ("log_loss", log_loss, d_log_loss),
    ("hinge", hinge, d_hinge),
]:
    m = y_pm * (X @ w0 + b0)
    J = loss(m).mean() + alpha / 2 * w0 @ w0
    grad = np.r_[(d_loss(m) * y_pm) @ X / n + alpha * w0, np.mean(d_loss(m) * y_pm)]
    fit = GDClassifier(loss=name, **params).fit(X, y, **start)
    fits[name] = fit
    print(f"{name:8s} J at the start: by hand {J:.6f}, loss_history_[0] "
          f"{fit.loss_history_[0]:.6f}")  # fmt: skip
    print(f"{'':8s} gradient (w1, w2, b): by hand {grad.round(6)}, "
          f"skgd {objective_gradient(fit, X, y).round(6)}")  # fmt: skip
clf, svm = fits["log_loss"], fits["hinge"]

# %%
# The boundary turns
# ------------------
# :class:`~skgd.plotting.PredictionPathDisplay` draws the boundary
# :math:`z = 0` from the recorded ``coef_history_`` and
# ``intercept_history_`` at chosen epochs (0 is the start), light to dark.
# Both losses turn it by a quarter turn into the gap between the clouds,
# from the same start with the same step.
from skgd.plotting import PredictionPathDisplay

epochs = [0, 10, 30, 300]
fig, axes = plt.subplots(1, 2, figsize=(11, 4.8), layout="constrained")
for ax, fit, title in zip(axes, [clf, svm], ["log loss", "hinge"], strict=True):
    PredictionPathDisplay.from_estimator(fit, X, y, epochs=epochs, ax=ax)
    ax.set_title(f"{title}: the boundary at epochs {epochs}")

# %%
# The angle of :math:`w` (the boundary is perpendicular to it), the
# intercept and the accuracy at those epochs and at epoch 100, read from the
# histories. The accuracy of the log-loss fit is higher at epoch 100 than at
# the end: gradient descent lowers :math:`J`, not the number of errors.
for name, fit in fits.items():
    print(name)
    for k in [0, 10, 30, 100, 300]:
        (w1, w2), b = fit.coef_history_[k, 0], fit.intercept_history_[k, 0]
        accuracy = np.mean((X @ [w1, w2] + b > 0) == (y == 1))
        angle = np.degrees(np.arctan2(w2, w1))
        print(f"  epoch {k:3d}: w at {angle:6.1f} degrees, b = {b:5.2f}, "
              f"accuracy {accuracy:.3f}")  # fmt: skip

# %%
# The same turn, animated: :func:`~skgd.plotting.animate_predictions` draws
# the log-loss boundary every 10 epochs, the region of each predicted class
# shaded and the misclassified points circled.
from skgd.plotting import animate_predictions

display = PredictionPathDisplay.from_estimator(clf, X, y, epochs=range(0, 301, 10))
plt.close(display.figure_)
anim = animate_predictions(display, interval=200)
_ = anim.ax_.set_title("log loss: the boundary every 10 epochs")

# %%
# Two losses, two scales
# ----------------------
# The loss per epoch of each fit, by
# :class:`~skgd.plotting.LossCurveDisplay`, on its own axes: the log loss and
# the hinge are different functions of the margin, on different scales (at
# :math:`m = 0` the log loss is :math:`\log 2 \approx 0.693` and the hinge is
# 1; beyond :math:`m = 1` the hinge is 0 and the log loss is not), so their
# values are not comparable, and one curve lying under the other on a shared
# axis would say nothing about which model is better: here the hinge ends
# lower, while the two models classify about as well. Each curve is the
# objective :math:`J` (mean loss plus penalty) at the start of each epoch.
from skgd.plotting import LossCurveDisplay

fig, axes = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
for ax, fit, title in zip(axes, [clf, svm], ["log loss", "hinge"], strict=True):
    LossCurveDisplay.from_estimator(fit, ax=ax)
    ax.set_title(f"{title} per epoch (learning rate 0.2)")
    ax.set_ylabel(f"{title} + penalty, at the epoch's start")
for name, fit in fits.items():
    print(f"{name:8s} J: epoch 1 {fit.loss_history_[0]:.4f}, epoch 300 "
          f"{fit.loss_history_[-1]:.4f}; accuracy {fit.score(X, y):.3f}")  # fmt: skip

# %%
# The log loss is smooth and the step is below :math:`2 / L`, so its curve
# falls at every epoch. The hinge is not smooth: with a constant step the
# boundary overshoots at the kinks, and after epoch 200 the hinge
# rises in some epochs, by 1e-5 at most, too little to see above (a
# decaying ``lr_schedule`` would settle it):
for name, fit in fits.items():
    rises = np.diff(fit.loss_history_)
    print(f"{name:8s} epochs whose J rose: {np.sum(rises > 0)}, largest rise "
          f"{max(rises.max(), 0):.1e}")  # fmt: skip

# %%
# Probabilities: the log loss has them, the hinge does not
# --------------------------------------------------------
# The log loss is the negative log-likelihood of the logistic model
#
# .. math::
#
#     P(y = +1 \mid x) = \sigma(z) = \frac{1}{1 + e^{-z}}, \qquad
#     P(y = -1 \mid x) = 1 - \sigma(z) = \sigma(-z),
#
# since :math:`-\log \sigma(m) = \log(1 + e^{-m})` is the log loss of the
# margin: minimising it fits probabilities. ``predict_proba`` returns
# :math:`(1 - \sigma(z), \sigma(z))`, the columns in the order of
# ``classes_``:
z = clf.decision_function(X[:4])
print("predict_proba:\n", clf.predict_proba(X[:4]).round(4))
print("1 - sigmoid(z), sigmoid(z):\n", np.c_[1 - expit(z), expit(z)].round(4))

# %%
# The hinge is 0 for every margin from 1 on: it does not care how far beyond
# the margin a sample lies, so its decision value is a score, not a
# probability, and ``GDClassifier(loss="hinge")`` has no ``predict_proba``
# (of the margin losses, ``"log_loss"`` and ``"modified_huber"`` have one):
print("hinge has predict_proba:", hasattr(svm, "predict_proba"))
try:
    svm.predict_proba(X[:4])
except AttributeError as error:
    print(error.__cause__)

# %%
# On the plane: the log-loss model's probability :math:`\sigma(z)`, shaded,
# and the hinge model's lines :math:`z = -1, 0, 1`. Only the samples with
# :math:`m < 1` (circled: inside the margin or on the wrong side) have a
# non-zero hinge loss and a non-zero gradient; the others no longer move the
# boundary. Every sample has a non-zero log-loss gradient.
from matplotlib.lines import Line2D

xx, yy = np.meshgrid(np.linspace(-4, 4, 200), np.linspace(-4, 4, 200))
grid = np.c_[xx.ravel(), yy.ravel()]
fig, axes = plt.subplots(1, 2, figsize=(11, 4.8), layout="constrained")
proba = clf.predict_proba(grid)[:, 1].reshape(xx.shape)
levels = np.linspace(0, 1, 11)
filled = axes[0].contourf(xx, yy, proba, levels=levels, cmap="Greys", alpha=0.45)
fig.colorbar(filled, ax=axes[0], label="P(class 1 | x) = σ(z)")
axes[0].set_title("log loss: predict_proba after 300 epochs")
scores = svm.decision_function(grid).reshape(xx.shape)
axes[1].contour(xx, yy, scores, levels=[-1, 0, 1], colors="k",
                linestyles=["--", "-", "--"])  # fmt: skip
inside = y_pm * svm.decision_function(X) < 1
circled = axes[1].scatter(*X[inside].T, s=90, facecolors="none", edgecolors="k")
axes[1].set_title("hinge: the margin lines after 300 epochs")
for ax in axes:
    points = [
        ax.scatter(*X[y == k].T, s=14, color=f"C{k}", label=f"class {k}")
        for k in (0, 1)
    ]
    ax.set(xlabel="x[0]", ylabel="x[1]", xlim=(-4, 4), ylim=(-4, 4))
handles = [
    *points,
    Line2D([], [], color="k", label="z = 0"),
    Line2D([], [], color="k", ls="--", label="z = -1 and z = 1"),
    circled,
]
circled.set_label(f"m < 1 ({inside.sum()} samples)")
axes[0].legend(loc="upper left", fontsize="small")
_ = axes[1].legend(handles=handles, loc="upper left", fontsize="small")
print(f"{inside.sum()} of {n} samples have a margin below 1 (a non-zero hinge)")

# %%
# The same optimum as scikit-learn's LogisticRegression
# -----------------------------------------------------
# :class:`~sklearn.linear_model.LogisticRegression` minimises
# :math:`C \sum_i \ell_{\log}(m_i) + \frac{1}{2} \|w\|^2`. Divided by
# :math:`C N` this is
#
# .. math::
#
#     \frac{1}{N} \sum_{i=1}^{N} \ell_{\log}(m_i) + \frac{1}{2 C N} \|w\|^2 ,
#
# skgd's :math:`J` with :math:`\alpha = 1 / (C N)`: both have the same
# minimiser. Our :math:`\alpha = 1 / N` is ``C=1``. The fit above, 300
# epochs of a small step from a bad start, is close but not there yet (about
# 0.02 off). The same objective with the ``"auto"`` step and 500 epochs
# reaches scikit-learn's solution (solved tightly here, by Newton's method)
# to about 1e-13, the rounding of floating point.
from sklearn.linear_model import LogisticRegression

reference = LogisticRegression(C=1.0, solver="newton-cg", tol=1e-12).fit(X, y)
converged = GDClassifier(penalty="l2", alpha=1 / (1.0 * n), max_iter=500, tol=None)
converged.fit(X, y)
print("LogisticRegression(C=1):", reference.coef_[0], reference.intercept_)
for name, fit in [("300 epochs, step 0.2", clf), ("500 epochs, auto step", converged)]:
    print(f"GDClassifier, {name}:", fit.coef_[0], fit.intercept_)
    difference = np.r_[fit.coef_[0] - reference.coef_[0],
                       fit.intercept_ - reference.intercept_]  # fmt: skip
    print("    difference (w1, w2, b):", difference)

# %%
# :class:`~sklearn.linear_model.SGDClassifier` uses the same classification
# losses at the same scale, and the same :math:`\frac{\alpha}{2} \|w\|^2`:
# unlike regression, where skgd's squared error is twice
# :class:`~sklearn.linear_model.SGDRegressor`'s, there is no factor 2. Its
# ``alpha`` is skgd's ``alpha`` and its ``eta0`` is skgd's ``learning_rate``:
# per-sample updates in data order with a constant step give the same
# weights.
from sklearn.linear_model import SGDClassifier

same = dict(penalty="l2", alpha=alpha, max_iter=5, tol=None, shuffle=False)
for loss in ["log_loss", "hinge"]:
    ours = GDClassifier(loss=loss, solver="sgd", learning_rate=0.01, **same)
    theirs = SGDClassifier(loss=loss, learning_rate="constant", eta0=0.01, **same)
    ours.fit(X, y)
    theirs.fit(X, y)
    gap = np.abs(
        np.r_[ours.coef_[0] - theirs.coef_[0], ours.intercept_ - theirs.intercept_]
    )
    print(f"{loss:8s} GDClassifier {ours.coef_[0]}, SGDClassifier "
          f"{theirs.coef_[0]}, largest difference {gap.max():.1e}")  # fmt: skip

# %%
# Several classes
# ---------------
# With :math:`K > 2` classes the log loss is multinomial: one weight vector
# :math:`w_k` and intercept :math:`b_k` per class, the probabilities the
# softmax of the decision values :math:`z_k = w_k \cdot x + b_k`,
#
# .. math::
#
#     P(k \mid x) = \frac{e^{z_k}}{\sum_{j=1}^{K} e^{z_j}}, \qquad
#     \ell = -\log P(y \mid x) ,
#
# as :class:`~sklearn.linear_model.LogisticRegression`'s. ``coef_history_``
# gains an axis for the classes; the Display draws each boundary between two
# classes (at epoch 0 all weights are zero and there is no boundary).
X3, y3 = make_blobs(n_samples=300, centers=3, random_state=0)
multi = GDClassifier(max_iter=300, tol=None).fit(X3, y3)
print("coef_history_ shape:", multi.coef_history_.shape)
fig, ax = plt.subplots(figsize=(8, 4.8), layout="constrained")
display = PredictionPathDisplay.from_estimator(multi, X3, y3, epochs=[0, 5, 300], ax=ax)
ax.get_legend().set(loc="upper left", bbox_to_anchor=(1.02, 1.0))
_ = ax.set_title(f"multinomial log loss, accuracy {multi.score(X3, y3):.3f}")
