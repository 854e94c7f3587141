"""Lesson 08's checks and exercises. Answer them in the lesson first: this file gives the answers
away."""

import numpy as np

from gradlab.models import MLP

from answers.common import NOT_YET, as_number, say


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


def check_answer(value, model, params, X, y):
    """Exercise 1: dL/db2 of the 2-3-1 network at ``params`` on the samples ``X, y``."""
    hint = "Average p - y over the 4 samples: p from section 1's forward pass, y the labels."
    number = as_number(value, hint)
    if number is None:
        return NOT_YET
    expected = float(model.gradient(params, X, y)[-1])
    if np.isclose(number, expected, rtol=1e-6, atol=1e-10):
        return say("Correct")
    elif np.isclose(number, len(y) * expected, rtol=1e-6, atol=1e-10):
        return say(f"Not yet: {number:.6f} is the sum of p - y; the loss is a mean, "
                   "so divide by N.")
    elif np.isclose(number, -expected, rtol=1e-6, atol=1e-10):
        return say(f"Not yet: {number:.6f} has the wrong sign: "
                   "it is p - y, prediction minus label.")
    else:
        direction = "too large" if number > expected else "too small"
        return say(f"Not yet: {number:.6f} is {direction}. {hint}")


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
        return say("Not yet: relu_backward returns nothing; return dL/dz, an array shaped like z.")
    if np.shape(d_z1) != z.shape:
        return say(f"Not yet: relu_backward returns shape {np.shape(d_z1)}; dL/dz has z's shape "
                   f"{z.shape}.")
    mine = np.concatenate([(Xr.T @ d_z1).ravel(), np.sum(d_z1, axis=0)])
    expected = relu_net.gradient(theta, Xr, yr)[:15]
    if np.allclose(mine, expected, atol=1e-12):
        return say("Correct")
    elif np.allclose(d_z1, d_a1, atol=1e-12):
        return say("Not yet: dL/dz equals dL/da everywhere; block the gradient where z <= 0.")
    else:
        return say("Not yet: dL/dW1 and dL/db1 built from your dL/dz differ from backpropagation; "
                   "dL/dz must be dL/da where z > 0 and 0 elsewhere.")


def check_wasted_epochs(value, overfit):
    """Exercise 3: epochs trained after the one with the lowest held-out loss."""
    hint = ("Find the epoch of the lowest held-out loss (np.argmin of overfit.test_loss) first, "
            "then count to overfit.epochs_done.")
    number = as_number(value, hint)
    if number is None:
        return NOT_YET
    best = int(np.argmin(overfit.test_loss))
    expected = overfit.epochs_done - best
    if number == expected:
        return say("Correct")
    elif number == best:
        return say(f"Not yet: {number:g} is the best epoch itself; how many epochs came after it?")
    else:
        direction = "too many" if number > expected else "too few"
        return say(f"Not yet: {number:g} epochs is {direction}. {hint}")


# The cases the backward check runs: (seed of the parameters, scale of the parameters, batch size).
# The larger scale saturates some tanh units, so a missing or wrong tanh' shows.
_BACKWARD_CASES = ((80, 1.0, 5), (81, 3.0, 12), (82, 1.0, 1), (83, 0.5, 7))
_BLOCK_ORDER = ("dW2", "db2", "dW1", "db1")   # backpropagation's order: the output layer first
_PARAMETER_OF = {"dW1": "W1", "db1": "b1", "dW2": "W2", "db2": "b2"}


def _backward_variants(blocks, X, y):
    """The right gradient blocks and the blocks typical slips give, by name."""
    W1, b1, W2, b2 = blocks["W1"], blocks["b1"], blocks["W2"], blocks["b2"]
    N = len(y)
    z1 = X @ W1 + b1
    a1 = np.tanh(z1)
    p = 1 / (1 + np.exp(-(a1 @ W2 + b2)[:, 0]))
    d2 = (p - y)[:, None] / N

    def hidden(d_z1):
        return {"dW1": X.T @ d_z1, "db1": d_z1.sum(axis=0)}

    right = {"dW2": a1.T @ d2, "db2": d2.sum(axis=0), **hidden(d2 @ W2.T * (1 - a1**2))}
    slips = {
        "dW2": [(a1.T @ d2 * N, "it is N times too large: the loss is a mean, so divide p - y "
                 "by N (average over the batch)"),
                (a1.T @ d2 / N, "it is N times too small: did you divide by N twice (once in "
                 "δ2 and again when averaging over the batch)?"),
                (-(a1.T @ d2), "it has the wrong sign: δ2 is p - y, prediction minus label"),
                (z1.T @ d2, "it uses z1 where the output layer sees a1 = tanh(z1): "
                 "dW2 = a1ᵀ δ2")],
        "db2": [(d2.sum(axis=0) * N, "it is N times too large: the loss is a mean, so divide "
                 "p - y by N"),
                (d2.sum(axis=0) / N, "it is N times too small: did you divide by N twice?"),
                (-d2.sum(axis=0), "it has the wrong sign: δ2 is p - y, prediction minus label")],
        "dW1": [(hidden(d2 @ W2.T)["dW1"], "did you multiply by tanh' = 1 − a1² in step 4?"),
                (hidden(d2 @ W2.T * (1 - z1**2))["dW1"], "tanh' is 1 − a1² with a1 = tanh(z1), "
                 "not 1 − z1²"),
                (hidden(d2 @ W2.T * (1 - a1))["dW1"], "tanh' is 1 − a1², not 1 − a1: square a1"),
                (X.T @ (d2 @ W2.T * (1 - a1**2)) * N, "it is N times too large: divide p - y "
                 "by N once, in δ2")],
        "db1": [(hidden(d2 @ W2.T)["db1"], "did you multiply by tanh' = 1 − a1² in step 4?"),
                (hidden(d2 @ W2.T * (1 - z1**2))["db1"], "tanh' is 1 − a1² with a1 = tanh(z1), "
                 "not 1 − z1²"),
                ((d2 @ W2.T * (1 - a1**2)).mean(axis=0), "it is N times too small: δ1 already "
                 "carries the 1/N, so sum it over the samples (axis 0), do not average")],
    }
    return right, slips


def _backward_verdict(name, mine, right, slips, case):
    """None when ``mine`` is the right block ``name``; else one sentence saying what is off."""
    parameter = _PARAMETER_OF[name]
    expected = right[name]
    where = f"on a batch of {case[2]} sample{'s' if case[2] > 1 else ''}"
    try:
        mine = np.asarray(mine, dtype=float)
    except (TypeError, ValueError):
        return f"{name} is not an array of numbers; return it shaped like {parameter}."
    if mine.shape != expected.shape:
        if mine.shape == expected.T.shape and mine.ndim == 2:
            return (f"{name} has shape {mine.shape}, the transposed shape of {parameter} "
                    f"{expected.shape}: a gradient has its parameter's shape, so write the "
                    "layer's input transposed times δ (Xᵀ δ, a1ᵀ δ), not δᵀ times the input.")
        if mine.size == expected.size:
            return (f"{name} has shape {mine.shape}, {parameter} has {expected.shape}: sum δ "
                    "over axis 0 without keepdims (or reshape) so the update θ - η·grad keeps "
                    "its shape.")
        return (f"{name} has shape {mine.shape} but {parameter} has {expected.shape}: each "
                "gradient block has the shape of its parameter.")
    if np.allclose(mine, expected, rtol=1e-7, atol=1e-12):
        return None
    for wrong, cause in slips.get(name, []):
        if np.allclose(mine, wrong, rtol=1e-7, atol=1e-12):
            end = "" if cause.endswith("?") else "."
            return f"{name} differs from backpropagation {where}: {cause}{end}"
    worst = np.abs(mine - expected).max()
    before = _BLOCK_ORDER[:_BLOCK_ORDER.index(name)]
    fine = f" ({', '.join(before)} {'is' if len(before) == 1 else 'are'} right)" if before else ""
    return (f"{name} differs from backpropagation {where} by up to {worst:.2g}{fine}: redo its "
            "step in section 2, one equation at a time.")


def check_backward(backward):
    """Exercise 2: ``backward(params, X, y) -> (dW1, db1, dW2, db2)`` for the 2-3-1 tanh/sigmoid
    network, against ``MLP.gradient`` on several parameter states and batches."""
    net = MLP((2, 3, 1), activation="tanh", output="sigmoid")
    for case in _BACKWARD_CASES:
        seed, scale, n = case
        rng = np.random.default_rng(seed)
        theta = scale * net.init_params(rng)
        theta[6:9] = rng.normal(scale=0.5, size=3)   # non-zero biases, so b1 matters too
        theta[12] = rng.normal(scale=0.5)
        X = rng.normal(size=(n, 2))
        y = rng.integers(0, 2, n).astype(float)
        blocks = net.unflatten(theta)
        given = backward({k: v.copy() for k, v in blocks.items()}, X.copy(), y.copy())
        if given is None:
            return say("Not yet: backward returns nothing; return the four blocks (dW1, db1, dW2, "
                       "db2).")
        if not isinstance(given, (tuple, list)) or len(given) != 4:
            return say("Not yet: backward should return four blocks, (dW1, db1, dW2, db2), in "
                       "that order.")
        mine = dict(zip(("dW1", "db1", "dW2", "db2"), given, strict=True))
        _, slips = _backward_variants(blocks, X, y)
        right = {"d" + k: v for k, v in net.unflatten(net.gradient(theta, X, y)).items()}
        for name in _BLOCK_ORDER:
            verdict = _backward_verdict(name, mine[name], right, slips, case)
            if verdict is not None:
                return say(f"Not yet: {verdict}")
    return say("Correct")


def xor_accuracy_by_width(train, test, seed=0, widths=(1, 2, 3, 4, 8, 16)):
    """Held-out accuracy on xor of the trainer's own run (Adam, lr 0.03, batch 16, 100 epochs)
    for each width, as ``{width: accuracy}``."""
    from gradlab.optimizers import Adam
    from gradlab.training import train_network

    found = {}
    for width in widths:
        net = MLP((2, width, 1), activation="tanh", output="sigmoid")
        record = train_network(net, net.init_params(np.random.default_rng([seed, 0])), train,
                               test, Adam(lr=0.03), batch_size=16, epochs=100,
                               rng=np.random.default_rng([seed, 1]))
        found[width] = float(np.mean(net.predict(record.final_params, test.X) == test.y))
    return found


def check_xor_width(value, train, test):
    """Exercise 5: the smallest trainer width (seed 0) that reaches 100% held-out accuracy."""
    hint = ("In the trainer pick xor, Adam, lr 0.03, seed 0, and move the hidden-units slider "
            "up from 1 until the message shows 100% held-out accuracy.")
    number = as_number(value, hint)
    if number is None:
        return NOT_YET
    accuracy = xor_accuracy_by_width(train, test)
    expected = min(w for w, a in accuracy.items() if a == 1.0)
    if number == expected:
        return say("Correct")
    elif number not in accuracy:
        return say(f"Not yet: the trainer offers {', '.join(map(str, accuracy))} hidden units, "
                   f"not {number:g}.")
    elif number > expected:
        return say(f"Not yet: {number:g} units reach 100%, but so does a smaller width; go down "
                   "the slider.")
    elif number == 1:
        return say(f"Not yet: one unit reaches only {100 * accuracy[1]:.0f}%: it draws one line, "
                   "and no single line separates XOR's classes.")
    else:
        return say(f"Not yet: {number:g} units reach {100 * accuracy[int(number)]:.0f}% held-out "
                   "accuracy in this run, not 100%; try the next width.")
