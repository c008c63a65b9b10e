"""
Classification: the decision boundary over the epochs
=====================================================

:class:`~skgd.GDClassifier` fits a linear classifier by the same gradient
descent. Its ``coef_history_`` keeps the weights of every epoch, so we can
watch the decision boundary move, and compare the log loss with the hinge
loss of a linear SVM.
"""

# %%
# Two blobs
# ---------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_blobs

X, y = make_blobs(n_samples=200, centers=2, cluster_std=1.5, random_state=3)
X = (X - X.mean(axis=0)) / X.std(axis=0)

# %%
# Logistic regression by gradient descent
# ---------------------------------------
from skgd import GDClassifier

clf = GDClassifier(loss="log_loss", learning_rate=0.5, max_iter=60, tol=None)
clf.fit(X, y)
print(f"accuracy {clf.score(X, y):.3f} after {clf.n_iter_} epochs")

# %%
# The boundary ``w . x + b = 0`` after some of the epochs: it turns and moves
# into the gap between the classes.
fig, ax = plt.subplots()
ax.scatter(*X.T, c=y, cmap="coolwarm", edgecolor="k", s=20)
grid = np.linspace(-2.5, 2.5, 2)
for epoch, color in zip(
    [1, 3, 10, 60], plt.cm.viridis([0, 0.35, 0.7, 1.0]), strict=True
):
    (w1, w2), b = clf.coef_history_[epoch, 0], clf.intercept_history_[epoch, 0]
    ax.plot(grid, -(w1 * grid + b) / w2, color=color, label=f"epoch {epoch}")
ax.set(xlim=(-2.5, 2.5), ylim=(-2.5, 2.5), xlabel="x1", ylabel="x2")
_ = ax.legend()

# %%
# Probabilities and the loss
# --------------------------
# The log loss gives probabilities; its curve per epoch falls as the boundary
# settles.
print(clf.predict_proba(X[:3]).round(3))
from skgd.plotting import LossCurveDisplay

hinge = GDClassifier(loss="hinge", learning_rate=0.05, max_iter=60, tol=None).fit(X, y)
display = LossCurveDisplay.from_estimator([clf, hinge], names=["log loss", "hinge"])

# %%
# Several classes
# ---------------
# With three classes the log loss is multinomial: one weight vector per class,
# a softmax over them. ``coef_history_`` gains an axis for the classes.
X3, y3 = make_blobs(n_samples=300, centers=3, random_state=0)
multi = GDClassifier(max_iter=300, tol=None).fit(X3, y3)
print("coef_history_ shape:", multi.coef_history_.shape)
low, high = X3.min(axis=0) - 1, X3.max(axis=0) + 1
xx, yy = np.meshgrid(*np.linspace(low, high, 200).T)
zz = multi.predict(np.c_[xx.ravel(), yy.ravel()]).reshape(xx.shape)
fig, ax = plt.subplots()
ax.contourf(xx, yy, zz, alpha=0.3, cmap="viridis")
ax.scatter(*X3.T, c=y3, cmap="viridis", edgecolor="k", s=20)
_ = ax.set_title(f"multinomial, accuracy {multi.score(X3, y3):.3f}")
