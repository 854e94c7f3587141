"""Lesson 08's checks and exercises. Answer them in the lesson first: this file gives the answers
away."""

import numpy as np

from gradlab.models import MLP


def zero_start_symmetry():
    return {
        "answer": "no: they stay identical (here they do not even move)",
        "explanation": (
            "At θ = 0 every hidden unit outputs tanh(0) = 0, so ∂L/∂W2 = a1ᵀδ2 = 0, and the error "
            "sent back, δ2 W2ᵀ, is 0 because W2 = 0: only the output bias b2 ever moves. More "
            "generally, units that start equal receive equal gradients and stay equal forever "
            "(symmetry). Random initial weights break the symmetry."),
    }


def training_falls_held_out_rises():
    return {
        "answer": "the network is memorising the training samples (overfitting)",
        "explanation": (
            "The training loss falling means descent works. The gap opens because the network "
            "bends its boundary around individual noisy training points; those bends are wrong "
            "for new points. Remedies: more data, a smaller network, weight decay (l2), or "
            "stopping at the epoch where the held-out loss was lowest (early stopping)."),
        "hints": {
            "the learning rate is too large":
                "a too-large rate would make the training loss itself jump or rise.",
            "the gradient is computed wrongly":
                "a wrong gradient would not keep lowering the training loss.",
        },
    }


def _as_number(value, what_to_check):
    """``float(value)``, or None after printing a "Not yet" for a blank or non-numeric answer."""
    if value is None:
        print(f"Not yet: no answer given. {what_to_check}")
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        print(f"Not yet: {value!r} is not a number. {what_to_check}")
        return None


def check_answer(value, model, params, X, y):
    """Exercise 1: dL/db2 of the 2-3-1 network at ``params`` on the samples ``X, y``."""
    hint = "Average p - y over the 4 samples: p from section 1's forward pass, y the labels."
    number = _as_number(value, hint)
    if number is None:
        return
    expected = float(model.gradient(params, X, y)[-1])
    if np.isclose(number, expected, rtol=1e-6, atol=1e-10):
        print("Correct")
    elif np.isclose(number, len(y) * expected, rtol=1e-6, atol=1e-10):
        print(f"Not yet: {number:.6f} is the sum of p - y; the loss is a mean, so divide by N.")
    elif np.isclose(number, -expected, rtol=1e-6, atol=1e-10):
        print(f"Not yet: {number:.6f} has the wrong sign: it is p - y, prediction minus label.")
    else:
        direction = "too large" if number > expected else "too small"
        print(f"Not yet: {number:.6f} is {direction}. {hint}")


def check_relu_backward(relu_backward):
    """Exercise 2: compare ``relu_backward(dL_da, z)`` with backpropagation of a ReLU network."""
    relu_net = MLP((2, 5, 1), activation="relu")
    rng = np.random.default_rng(40)
    theta = relu_net.init_params(rng)
    Xr, yr = rng.normal(size=(6, 2)), rng.integers(0, 2, 6)
    W1r, b1r, W2r, b2r = relu_net.unflatten(theta).values()
    z = Xr @ W1r + b1r
    a = np.maximum(z, 0)
    p_r = 1 / (1 + np.exp(-(a @ W2r + b2r)[:, 0]))
    d_z2 = (p_r - yr)[:, None] / len(yr)
    d_a1 = d_z2 @ W2r.T
    d_z1 = relu_backward(d_a1.copy(), z.copy())
    if d_z1 is None:
        print("Not yet: relu_backward returns nothing; return dL/dz, an array shaped like z.")
        return
    if np.shape(d_z1) != z.shape:
        print(f"Not yet: relu_backward returns shape {np.shape(d_z1)}; dL/dz has z's shape "
              f"{z.shape}.")
        return
    mine = np.concatenate([(Xr.T @ d_z1).ravel(), np.sum(d_z1, axis=0)])
    expected = relu_net.gradient(theta, Xr, yr)[:15]
    if np.allclose(mine, expected, atol=1e-12):
        print("Correct")
    elif np.allclose(d_z1, d_a1, atol=1e-12):
        print("Not yet: dL/dz equals dL/da everywhere; block the gradient where z <= 0.")
    else:
        print("Not yet: dL/dW1 and dL/db1 built from your dL/dz differ from backpropagation; "
              "dL/dz must be dL/da where z > 0 and 0 elsewhere.")


def check_wasted_epochs(value, overfit):
    """Exercise 3: epochs trained after the one with the lowest held-out loss."""
    hint = ("Find the epoch of the lowest held-out loss (np.argmin of overfit.test_loss) first, "
            "then count to overfit.epochs_done.")
    number = _as_number(value, hint)
    if number is None:
        return
    best = int(np.argmin(overfit.test_loss))
    expected = overfit.epochs_done - best
    if number == expected:
        print("Correct")
    elif number == best:
        print(f"Not yet: {number:g} is the best epoch itself; how many epochs came after it?")
    else:
        direction = "too many" if number > expected else "too few"
        print(f"Not yet: {number:g} epochs is {direction}. {hint}")
