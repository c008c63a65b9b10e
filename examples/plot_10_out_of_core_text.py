"""
Out-of-core text classification, next to SGDClassifier
======================================================

The workflow ``SGDClassifier`` is made for: documents arrive in mini-batches
(too many to hold at once), :class:`~sklearn.feature_extraction.text.HashingVectorizer`
turns each batch into sparse rows without a vocabulary to fit, and
``partial_fit`` takes one pass over each batch. :class:`~skgd.GDClassifier`
does the same with the same updates: ``solver="sgd"`` with SGDClassifier's
default step, ``learning_rate=1.0, lr_schedule="optimal"``, which keeps
decaying across the ``partial_fit`` calls.

What it teaches: fitting data that never fit in memory at once, one
``partial_fit`` per batch, with the per-sample step that scikit-learn's
``"optimal"`` schedule takes at update :math:`t`,

.. math::

    \\eta_t = \\frac{1}{\\alpha \\, (t_0 + t)},

where :math:`\\alpha` is the penalty's strength and :math:`t_0` is
scikit-learn's heuristic from the loss. No source lesson covers it: it is the
last tutorial of the course, for practitioners, and builds on the
classification tutorial (:ref:`sphx_glr_auto_examples_plot_09_classification.py`).

No corpus can be downloaded here, so we write one: three topics, each a
Zipf-distributed vocabulary of its own mixed with words every topic uses,
from a fixed seed.
"""

# %%
# A text-like corpus
# ------------------
import numpy as np

rng = np.random.default_rng(0)
shared_words = [f"w{k}" for k in range(3000)]
topics = {
    name: [f"{name}{k}" for k in range(400)] for name in ("sport", "science", "art")
}


def documents(n):
    """``n`` documents and their topics: 30 to 120 words, nine in ten from
    the shared vocabulary, one in ten from the topic's, both
    Zipf-distributed."""
    names = list(topics)
    labels = rng.integers(0, len(names), n)
    shared_p = 1 / np.arange(1, len(shared_words) + 1)
    topic_p = 1 / np.arange(1, 401)
    texts = []
    for label in labels:
        length = rng.integers(30, 121)
        n_own = rng.binomial(length, 0.1)
        own = rng.choice(topics[names[label]], n_own, p=topic_p / topic_p.sum())
        common = rng.choice(shared_words, length - n_own, p=shared_p / shared_p.sum())
        texts.append(" ".join(rng.permutation(np.r_[own, common])))
    return texts, np.array(names)[labels]


test_texts, test_topics = documents(2000)
stream = [documents(1000) for _ in range(20)]  # 20 mini-batches of documents
print(test_texts[0][:120], "...", test_topics[0])

# %%
# Hashing, batch by batch
# -----------------------
# ``HashingVectorizer`` is stateless: each batch is hashed on its own into
# 2**18 columns (normalised rows, tens of non-zeros each).
from sklearn.feature_extraction.text import HashingVectorizer

vectorizer = HashingVectorizer(n_features=2**18, alternate_sign=False)
X_test = vectorizer.transform(test_texts)
batches = [(vectorizer.transform(texts), labels) for texts, labels in stream]
print(f"{X_test.shape[1]} columns, {X_test.nnz / X_test.shape[0]:.0f} non-zeros a row")

# %%
# One pass, side by side
# ----------------------
# Both see each batch once, in the same order, with the hinge loss, an L2
# penalty and SGDClassifier's "optimal" step, which keeps decaying from one
# ``partial_fit`` to the next. Without an intercept (scikit-learn damps the
# intercept's updates on sparse rows, skgd does not) and in data order (each
# shuffles with its own random numbers) the two make the same updates, so
# their accuracies agree; the times are the ``partial_fit`` calls'.
import time
import warnings

from sklearn.linear_model import SGDClassifier

from skgd import GDClassifier

classes = np.array(sorted(topics))
params = dict(
    loss="hinge", penalty="l2", alpha=1e-5, fit_intercept=False, shuffle=False
)
# ``record=None``: no parameter history (a stream of 262,144 coefficients per
# class and pass would fill it), as a practitioner's fit runs.
ours = GDClassifier(
    solver="sgd", learning_rate=1.0, lr_schedule="optimal", record=None, **params
)
theirs = SGDClassifier(**params)
curves = {"GDClassifier": [], "SGDClassifier": []}
seconds = {"GDClassifier": 0.0, "SGDClassifier": 0.0}
seen = []
for X_batch, y_batch in batches:
    for name, model in (("GDClassifier", ours), ("SGDClassifier", theirs)):
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a pass is one epoch, not a fit
            model.partial_fit(X_batch, y_batch, classes=classes)
        seconds[name] += time.perf_counter() - start
        curves[name].append(model.score(X_test, test_topics))
    seen.append(len(seen) * 1000 + 1000)
for name in curves:
    print(f"{name}: accuracy {curves[name][-1]:.3f}, {seconds[name] * 1e3:.0f} ms")
print(
    "largest difference of the coefficients:", np.abs(ours.coef_ - theirs.coef_).max()
)

# %%
# The accuracy on the held-out documents after each batch: the same curve.
import matplotlib.pyplot as plt

fig, ax = plt.subplots()
ax.plot(seen, curves["GDClassifier"], "o-", label="GDClassifier (skgd)")
ax.plot(seen, curves["SGDClassifier"], "x--", label="SGDClassifier")
ax.set(xlabel="documents seen", ylabel="held-out accuracy",
       title="one pass over a stream of documents")  # fmt: skip
_ = ax.legend()

# %%
# Averaging, the practitioners' way to a good model from a constant step
# -----------------------------------------------------------------------
# ``average=True`` reports the mean of the parameters over the updates; on
# sparse rows it is lazy (Bottou's trick), at the cost of the non-zeros.
averaged = GDClassifier(
    solver="sgd", learning_rate=0.5, average=True, record=None, **params
)
for X_batch, y_batch in batches:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        averaged.partial_fit(X_batch, y_batch, classes=classes)
print(
    f"averaged, constant step 0.5: accuracy {averaged.score(X_test, test_topics):.3f}"
)
