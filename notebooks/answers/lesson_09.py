"""Lesson 09's checks and exercises. Answer them in the lesson first: this file gives the answers
away."""

import numpy as np

from answers.common import NOT_YET, as_number, say

SMALL_BATCHES_HIGHER = "batches of 32 images end with the higher held-out accuracy"
FULL_BATCH_HIGHER = "the full batch ends with the higher held-out accuracy"
NO_DIFFERENCE = "both end with the same held-out accuracy"


def batch_vs_full(small_held, full_held, n_train, epochs=30, batch_size=32):
    """``small_held``, ``full_held``: held-out accuracy after ``epochs`` epochs at lr 0.5 with
    batches of ``batch_size`` and with the full batch of ``n_train`` images."""
    return {
        "answer": SMALL_BATCHES_HIGHER if small_held > full_held else FULL_BATCH_HIGHER,
        "explanation": (
            f"Batches of {batch_size}: {100 * small_held:.1f}%; full batch: "
            f"{100 * full_held:.1f}%. In {epochs} epochs the small batches take "
            f"{epochs * -(-n_train // batch_size)} steps, the full batch only {epochs}. Each "
            "full-batch step is exact, but there are too few of them; the noisy small-batch "
            "steps cover much more ground for the same number of passes over the data."),
    }


def far_reading_on_the_subspace():
    return {
        "answer": "no: its reconstruction error is tiny",
        "explanation": (
            "The score measures the distance from the subspace, not from the data cloud. A "
            "point on the subspace is rebuilt (almost) perfectly, however far out it is — the "
            "cell below checks. In practice one adds a second check on the code h (e.g. its "
            "distance from the training codes) or uses a model that also scores distance along "
            "the subspace."),
    }


def rate_above_the_bound(bound, diverged, steps):
    """``bound``: 2/λmax of the trend; ``diverged``, ``steps``: the trial run at lr = 1.0."""
    return {
        "answer": "no, it diverges" if diverged else "yes, just more noisily",
        "explanation": (
            f"lr = 1.0 is above the bound {bound:.2f}: along the Hessian's steepest direction "
            "each step overshoots by more than it corrects, and the coefficients grow "
            "geometrically"
            + (f" (here they passed 10⁸ after {steps} steps). " if diverged else ". ")
            + "Batches of 1,000 rows estimate H well, so the full-batch bound applies almost "
            "exactly; with tiny batches the safe rate is lower still."),
    }


def _direction(number, expected):
    return "too large" if number > expected else "too small"


def rmse(predicted, truth):
    return float(np.sqrt(np.mean((predicted - truth) ** 2)))


def check_bias_gradient(value, model, theta, X, y):
    """Exercise 1: dL/db_3 of softmax regression at ``theta`` on the batch ``X, y``."""
    hint = "Average column 3 of P - Y over the batch (P the probabilities, Y the one-hot labels)."
    number = as_number(value, hint)
    if number is None:
        return NOT_YET
    expected = model.gradient(theta, X, y)[64 * 10 + 3]
    if np.isclose(number, expected, rtol=1e-6, atol=1e-12):
        return say("Correct")
    elif np.isclose(number, len(y) * expected, rtol=1e-6, atol=1e-12):
        return say(f"Not yet: {number:.6f} is the sum over the batch; the loss is a mean, so "
                   "divide by the batch size.")
    elif np.isclose(number, -expected, rtol=1e-6, atol=1e-12):
        return say(f"Not yet: {number:.6f} has the wrong sign: "
                   "it is P - Y, prediction minus truth.")
    else:
        return say(f"Not yet: {number:.6f} is {_direction(number, expected)}. {hint}")


def check_user_mean_rmse(value, rtrain, rtest):
    """Exercise 2: held-out RMSE of the user-mean baseline."""
    hint = ("Group the training ratings by user (rtrain.X[:, 0]), use the global mean for users "
            "with no training rating, then compare with rtest.y.")
    number = as_number(value, hint)
    if number is None:
        return NOT_YET
    sums = np.bincount(rtrain.X[:, 0], weights=rtrain.y, minlength=rtrain.n_users)
    counts = np.bincount(rtrain.X[:, 0], minlength=rtrain.n_users)
    means = np.where(counts > 0, sums / np.maximum(counts, 1), rtrain.y.mean())
    expected = rmse(means[rtest.X[:, 0]], rtest.y)
    if np.isclose(number, expected, atol=1e-9):
        return say("Correct")
    elif np.isclose(number, expected**2, atol=1e-9):
        return say(f"Not yet: {number:.4f} is the mean squared error; take its square root.")
    else:
        return say(f"Not yet: {number:.4f} is {_direction(number, expected)}. {hint}")


def check_day_bound(value, first_X):
    """Exercise 3: the stability bound 2/λmax with the trend's time measured in days."""
    hint = ("Multiply column 1 of first_X by 3650, build H = 2 XᵀX / N, then take 2 / its "
            "largest eigenvalue.")
    number = as_number(value, hint)
    if number is None:
        return NOT_YET
    X_days = first_X * np.array([1.0, 3650.0, 1.0, 1.0])
    expected = 2 / np.linalg.eigvalsh(2 * X_days.T @ X_days / len(X_days)).max()
    if np.isclose(number, expected, rtol=1e-6):
        return say("Correct")
    elif np.isclose(number, 1 / expected, rtol=1e-6) or np.isclose(number, 2 / expected,
                                                                   rtol=1e-6):
        return say(f"Not yet: {number:.3g} looks like an eigenvalue, not the bound 2 / λmax.")
    else:
        return say(f"Not yet: {number:.3g} is {_direction(number, expected)}. {hint}")


#: The rates the recommender check and solution try: four per decade, 0.1 to 100.
RATE_GRID = np.geomspace(0.1, 100.0, 13)
RECOMMENDER_BATCHES = (32, 128, 512, 2048)


def recommender_converges(model, start, rtrain, rtest, lr, batch_size, epochs=30):
    """True when the explorer's run (plain SGD, shuffling seed 0) stays finite for ``epochs``."""
    from gradlab.optimizers import SGD
    from gradlab.training import train_network

    run = train_network(model, start, rtrain, rtest, SGD(lr=float(lr)), batch_size=batch_size,
                        epochs=epochs, rng=np.random.default_rng(0))
    return run.diverged_at < 0


def check_largest_rates(rates, model, start, rtrain, rtest):
    """Exercise 4: ``rates`` maps each batch size (32, 128, 512, 2048) to the largest learning
    rate that still converges in the explorer; right when it converges and a rate a quarter
    decade larger (× 10^0.25 ≈ 1.78) diverges."""
    if rates is None or not hasattr(rates, "get"):
        return say("Not yet: give a dict {batch size: largest converging rate}, e.g. "
                   "{32: 1.0, 128: ..., 512: ..., 2048: ...}.")
    missing = [b for b in RECOMMENDER_BATCHES if rates.get(b) is None]
    if missing:
        return say(f"Not yet: no rate for batch size {', '.join(map(str, missing))}; try the "
                   "explorer's lr slider at each batch size until the message reports divergence.")
    step = 10 ** 0.25
    for batch in RECOMMENDER_BATCHES:
        try:
            lr = float(rates[batch])
        except (TypeError, ValueError):
            return say(f"Not yet: the rate for batch {batch}, {rates[batch]!r}, is not a number.")
        if not lr > 0:
            return say(f"Not yet: the rate for batch {batch} must be positive, got {lr:g}.")
        if not recommender_converges(model, start, rtrain, rtest, lr, batch):
            return say(f"Not yet: at batch {batch}, η = {lr:.3g} diverges within 30 epochs; the "
                       "largest converging rate is smaller.")
        if recommender_converges(model, start, rtrain, rtest, lr * step, batch):
            return say(f"Not yet: at batch {batch}, η = {lr * step:.3g} (a quarter decade above "
                       f"your {lr:.3g}) still converges; go higher.")
    return say("Correct")
