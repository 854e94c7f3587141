"""Each optimizer's update against its equations, restated here by hand with plain floats.

The reference functions below work on one coordinate at a time with Python floats and
``math``; they do not call gradlab. Each test builds a state directly, calls ``update`` once or
twice and compares every coordinate with the reference.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradlab.optimizers import (
    SGD,
    Adadelta,
    AdadeltaState,
    Adagrad,
    AdagradState,
    Adam,
    Adamax,
    AdamaxState,
    AdamState,
    AdamW,
    NAdam,
    NAdamState,
    RMSprop,
    RMSpropState,
    SGDState,
)

PARAMS = np.array([[0.7, -1.3], [2.0, 0.25]])
GRAD = np.array([[0.4, -2.5], [-1.1, 0.05]])


def elementwise(reference, *arrays):
    """Apply a float-by-float reference to each coordinate; return one array per output."""
    rows, cols = arrays[0].shape
    outputs = None
    for i in range(rows):
        for j in range(cols):
            result = reference(*(float(a[i, j]) for a in arrays))
            if outputs is None:
                outputs = [np.empty((rows, cols)) for _ in result]
            for out, r in zip(outputs, result, strict=True):
                out[i, j] = r
    return outputs


def close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=1e-13, atol=1e-15)


# --------------------------------------------------------------------------- SGD


def test_sgd_without_momentum_is_plain_gradient_descent():
    opt = SGD(lr=0.1)
    new, state = opt.update(GRAD, opt.init(PARAMS), PARAMS)
    close(new, [[0.7 - 0.1 * 0.4, -1.3 + 0.1 * 2.5], [2.0 + 0.1 * 1.1, 0.25 - 0.1 * 0.05]])
    assert state.momentum_buffer is None
    assert state.step.tolist() == [1.0, 1.0]


def test_sgd_first_step_buffer_is_the_gradient_not_dampened():
    # PyTorch: on the first step the buffer is a copy of the gradient (dampening unused).
    opt = SGD(lr=0.1, momentum=0.9, dampening=0.5)
    new, state = opt.update(GRAD, opt.init(PARAMS), PARAMS)
    close(state.momentum_buffer, GRAD)
    close(new, PARAMS - 0.1 * GRAD)


def test_sgd_later_step_uses_momentum_and_dampening():
    lr, mu, tau, wd = 0.05, 0.8, 0.3, 0.2
    buffer = np.array([[1.0, -0.5], [0.2, 3.0]])
    state = SGDState(step=np.array([4.0, 4.0]), momentum_buffer=buffer)
    new, new_state = SGD(lr=lr, momentum=mu, dampening=tau, weight_decay=wd).update(
        GRAD, state, PARAMS)

    def reference(theta, g, b):
        g = g + wd * theta
        b = mu * b + (1 - tau) * g
        return theta - lr * b, b

    expected_params, expected_buffer = elementwise(reference, PARAMS, GRAD, buffer)
    close(new, expected_params)
    close(new_state.momentum_buffer, expected_buffer)
    assert new_state.step.tolist() == [5.0, 5.0]


def test_sgd_nesterov_steps_along_gradient_plus_momentum_times_buffer():
    lr, mu = 0.1, 0.9
    buffer = np.array([[1.0, -0.5], [0.2, 3.0]])
    state = SGDState(step=np.array([2.0, 2.0]), momentum_buffer=buffer)
    new, new_state = SGD(lr=lr, momentum=mu, nesterov=True).update(GRAD, state, PARAMS)

    def reference(theta, g, b):
        b = mu * b + g
        return theta - lr * (g + mu * b), b

    expected_params, expected_buffer = elementwise(reference, PARAMS, GRAD, buffer)
    close(new, expected_params)
    close(new_state.momentum_buffer, expected_buffer)


def test_sgd_nesterov_first_step_uses_buffer_equal_to_gradient():
    new, _ = SGD(lr=0.1, momentum=0.5, nesterov=True).update(GRAD, SGD(
        lr=0.1, momentum=0.5, nesterov=True).init(PARAMS), PARAMS)
    close(new, PARAMS - 0.1 * (GRAD + 0.5 * GRAD))


def test_sgd_rows_without_momentum_take_the_plain_step():
    # Row 0 has momentum 0 (PyTorch keeps no buffer there, dampening is irrelevant).
    opt = SGD(lr=0.1, momentum=np.array([0.0, 0.9]), dampening=0.5)
    buffer = np.array([[7.0, 7.0], [1.0, -1.0]])
    state = SGDState(step=np.array([3.0, 3.0]), momentum_buffer=buffer)
    new, _ = opt.update(GRAD, state, PARAMS)
    close(new[0], PARAMS[0] - 0.1 * GRAD[0])
    close(new[1], PARAMS[1] - 0.1 * (0.9 * buffer[1] + 0.5 * GRAD[1]))


# --------------------------------------------------------------------------- Adagrad


def test_adagrad_initial_accumulator_value_starts_the_sum():
    opt = Adagrad(lr=0.3, initial_accumulator_value=0.5)
    state = opt.init(PARAMS)
    close(state.sum, np.full((2, 2), 0.5))
    new, new_state = opt.update(GRAD, state, PARAMS)

    def reference(theta, g):
        s = 0.5 + g * g
        return theta - 0.3 * g / (math.sqrt(s) + 1e-10), s

    expected_params, expected_sum = elementwise(reference, PARAMS, GRAD)
    close(new, expected_params)
    close(new_state.sum, expected_sum)


def test_adagrad_lr_decay_and_weight_decay_at_step_five():
    lr, decay, wd, eps = 0.2, 0.1, 0.05, 1e-6
    square_sum = np.array([[1.0, 4.0], [0.5, 2.0]])
    state = AdagradState(step=np.array([4.0, 4.0]), sum=square_sum)
    new, new_state = Adagrad(lr=lr, lr_decay=decay, weight_decay=wd, eps=eps).update(
        GRAD, state, PARAMS)

    def reference(theta, g, s):
        t = 5
        g = g + wd * theta
        clr = lr / (1 + (t - 1) * decay)
        s = s + g * g
        return theta - clr * g / (math.sqrt(s) + eps), s

    expected_params, expected_sum = elementwise(reference, PARAMS, GRAD, square_sum)
    close(new, expected_params)
    close(new_state.sum, expected_sum)
    assert new_state.step.tolist() == [5.0, 5.0]


# --------------------------------------------------------------------------- RMSprop


def test_rmsprop_plain_step():
    lr, alpha, eps = 0.01, 0.9, 1e-8
    square_avg = np.array([[0.3, 1.0], [2.0, 0.01]])
    state = RMSpropState(np.array([3.0, 3.0]), square_avg, None, None)
    new, new_state = RMSprop(lr=lr, alpha=alpha, eps=eps).update(GRAD, state, PARAMS)

    def reference(theta, g, v):
        v = alpha * v + (1 - alpha) * g * g
        return theta - lr * g / (math.sqrt(v) + eps), v

    expected_params, expected_v = elementwise(reference, PARAMS, GRAD, square_avg)
    close(new, expected_params)
    close(new_state.square_avg, expected_v)


def test_rmsprop_centered_with_momentum_and_weight_decay():
    lr, alpha, eps, mu, wd = 0.02, 0.8, 1e-4, 0.7, 0.1
    square_avg = np.array([[0.3, 1.0], [2.0, 0.5]])
    grad_avg = np.array([[0.1, -0.4], [0.9, 0.2]])
    buffer = np.array([[0.5, -0.2], [0.0, 1.5]])
    state = RMSpropState(np.array([3.0, 3.0]), square_avg, buffer, grad_avg)
    opt = RMSprop(lr=lr, alpha=alpha, eps=eps, momentum=mu, weight_decay=wd, centered=True)
    new, new_state = opt.update(GRAD, state, PARAMS)

    def reference(theta, g, v, gbar, b):
        g = g + wd * theta
        v = alpha * v + (1 - alpha) * g**2
        gbar = alpha * gbar + (1 - alpha) * g
        a = math.sqrt(v - gbar**2) + eps
        b = mu * b + g / a
        return theta - lr * b, v, gbar, b

    expected = elementwise(reference, PARAMS, GRAD, square_avg, grad_avg, buffer)
    close(new, expected[0])
    close(new_state.square_avg, expected[1])
    close(new_state.grad_avg, expected[2])
    close(new_state.momentum_buffer, expected[3])


def test_rmsprop_state_has_only_the_buffers_in_use():
    state = RMSprop().init(PARAMS)
    assert state.momentum_buffer is None and state.grad_avg is None
    state = RMSprop(momentum=0.5, centered=True).init(PARAMS)
    assert state.momentum_buffer.shape == state.grad_avg.shape == PARAMS.shape


# --------------------------------------------------------------------------- Adam, AdamW


def adam_reference(lr, b1, b2, eps, t):
    def reference(theta, g, m, v):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat = m / (1 - b1**t)
        v_hat = v / (1 - b2**t)
        return theta - lr * m_hat / (math.sqrt(v_hat) + eps), m, v
    return reference


def test_adam_step_three_from_a_built_state():
    lr, b1, b2, eps = 0.1, 0.8, 0.95, 1e-3
    m = np.array([[0.2, -0.1], [0.3, 0.05]])
    v = np.array([[0.5, 0.1], [1.0, 0.02]])
    state = AdamState(np.array([2.0, 2.0]), m, v, None)
    new, new_state = Adam(lr=lr, betas=(b1, b2), eps=eps).update(GRAD, state, PARAMS)
    expected = elementwise(adam_reference(lr, b1, b2, eps, 3), PARAMS, GRAD, m, v)
    close(new, expected[0])
    close(new_state.exp_avg, expected[1])
    close(new_state.exp_avg_sq, expected[2])
    assert new_state.max_exp_avg_sq is None


def test_adam_first_step_moves_each_coordinate_by_about_lr():
    new, _ = Adam(lr=0.1, eps=1e-8).update(GRAD, Adam().init(PARAMS), PARAMS)
    # m_hat = g and v_hat = g^2 after one step, so the step is lr * g / (|g| + eps)
    expected = PARAMS - 0.1 * GRAD / (np.abs(GRAD) + 1e-8)
    close(new, expected)


def test_adam_without_bias_correction_first_step_is_the_closed_form():
    # g = 1 from zero moments: m = 1 - b1, v = 1 - b2, so the step is lr (1 - b1) / √(1 - b2)
    for lr, b1, b2 in [(0.1, 0.9, 0.999), (0.3, 0.8, 0.99), (1.0, 0.0, 0.5)]:
        opt = Adam(lr=lr, betas=(b1, b2), eps=1e-300, bias_correction=False)
        params = np.zeros((1, 3))
        new, state = opt.update(np.ones((1, 3)), opt.init(params), params)
        close(-new, np.full((1, 3), lr * (1 - b1) / math.sqrt(1 - b2)))
        close(state.exp_avg, np.full((1, 3), 1 - b1))   # the moments are those of Adam
    # With the default betas that is about 3.16 lr: larger than lr, not smaller
    default = 0.1 / math.sqrt(0.001)
    assert 3.16 < default < 3.17


def test_adam_without_bias_correction_drops_only_the_two_factors():
    lr, b1, b2, eps = 0.1, 0.8, 0.95, 1e-3
    m = np.array([[0.2, -0.1], [0.3, 0.05]])
    v = np.array([[0.5, 0.1], [1.0, 0.02]])
    state = AdamState(np.array([2.0, 2.0]), m, v, None)
    new, new_state = Adam(lr=lr, betas=(b1, b2), eps=eps, bias_correction=False).update(
        GRAD, state, PARAMS)

    def reference(theta, g, m, v):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        return theta - lr * m / (math.sqrt(v) + eps), m, v

    expected = elementwise(reference, PARAMS, GRAD, m, v)
    close(new, expected[0])
    close(new_state.exp_avg, expected[1])
    close(new_state.exp_avg_sq, expected[2])
    np.testing.assert_array_equal(new_state.step, [3.0, 3.0])


def test_adam_bias_correction_default_is_torch_and_the_flag_is_shown_only_when_off():
    state = AdamState(np.array([2.0, 2.0]), np.full((2, 2), 0.1), np.full((2, 2), 0.3), None)
    default, _ = Adam(lr=0.1).update(GRAD, state, PARAMS)
    explicit, _ = Adam(lr=0.1, bias_correction=True).update(GRAD, state, PARAMS)
    np.testing.assert_array_equal(default, explicit)   # bit for bit the same code path
    off, _ = Adam(lr=0.1, bias_correction=False).update(GRAD, state, PARAMS)
    assert not np.allclose(off, default)
    assert "bias_correction" not in Adam().hyperparameters()
    assert repr(Adam(bias_correction=False)).endswith("amsgrad=False, bias_correction=False)")
    with pytest.raises(TypeError, match="bias_correction must be True or False"):
        Adam(bias_correction="no")


def test_adam_amsgrad_divides_by_the_running_maximum():
    lr, b1, b2, eps = 0.1, 0.9, 0.99, 1e-8
    m = np.zeros((2, 2))
    v = np.array([[0.5, 0.1], [1.0, 0.02]])
    v_max = np.array([[9.0, 0.1], [0.5, 4.0]])   # larger than the new v in some coordinates
    state = AdamState(np.array([4.0, 4.0]), m, v, v_max)
    new, new_state = Adam(lr=lr, eps=eps, betas=(b1, b2), amsgrad=True).update(
        GRAD, state, PARAMS)

    def reference(theta, g, m, v, v_max):
        t = 5
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        v_max = max(v_max, v)
        step_size = lr / (1 - b1**t)
        denom = math.sqrt(v_max) / math.sqrt(1 - b2**t) + eps
        return theta - step_size * m / denom, v_max

    expected_params, expected_max = elementwise(reference, PARAMS, GRAD, m, v, v_max)
    close(new, expected_params)
    close(new_state.max_exp_avg_sq, expected_max)
    assert new_state.max_exp_avg_sq[0, 0] == 9.0


def test_adam_weight_decay_enters_the_gradient():
    lr, wd = 0.1, 0.3
    m = np.array([[0.2, -0.1], [0.3, 0.05]])
    v = np.array([[0.5, 0.1], [1.0, 0.02]])
    state = AdamState(np.array([1.0, 1.0]), m, v, None)
    new, new_state = Adam(lr=lr, weight_decay=wd).update(GRAD, state, PARAMS)
    coupled = GRAD + wd * PARAMS
    expected = elementwise(adam_reference(lr, 0.9, 0.999, 1e-8, 2), PARAMS, coupled, m, v)
    close(new, expected[0])
    close(new_state.exp_avg, expected[1])


def test_adamw_decays_the_weights_outside_the_moments():
    lr, wd = 0.1, 0.3
    m = np.array([[0.2, -0.1], [0.3, 0.05]])
    v = np.array([[0.5, 0.1], [1.0, 0.02]])
    state = AdamState(np.array([1.0, 1.0]), m, v, None)
    new, new_state = AdamW(lr=lr, weight_decay=wd).update(GRAD, state, PARAMS)
    shrunk = PARAMS * (1 - lr * wd)
    expected = elementwise(adam_reference(lr, 0.9, 0.999, 1e-8, 2), shrunk, GRAD, m, v)
    close(new, expected[0])
    close(new_state.exp_avg, expected[1])     # the decay never reaches the moments
    close(new_state.exp_avg_sq, expected[2])


def test_adamw_decay_follows_an_overriding_lr():
    opt = AdamW(lr=0.1, weight_decay=0.5)
    new, _ = opt.update(np.zeros((2, 2)), opt.init(PARAMS), PARAMS, lr=0.01)
    close(new, PARAMS * (1 - 0.01 * 0.5))


# --------------------------------------------------------------------------- Adadelta


def test_adadelta_step_from_a_built_state():
    lr, rho, eps, wd = 0.8, 0.7, 1e-4, 0.1
    square_avg = np.array([[0.3, 1.0], [2.0, 0.01]])
    acc_delta = np.array([[0.01, 0.2], [0.0, 0.5]])
    state = AdadeltaState(np.array([2.0, 2.0]), square_avg, acc_delta)
    new, new_state = Adadelta(lr=lr, rho=rho, eps=eps, weight_decay=wd).update(
        GRAD, state, PARAMS)

    def reference(theta, g, v, u):
        g = g + wd * theta
        v = rho * v + (1 - rho) * g * g
        delta = math.sqrt(u + eps) / math.sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta * delta
        return theta - lr * delta, v, u

    expected = elementwise(reference, PARAMS, GRAD, square_avg, acc_delta)
    close(new, expected[0])
    close(new_state.square_avg, expected[1])
    close(new_state.acc_delta, expected[2])
    assert new_state.step.tolist() == [3.0, 3.0]


# --------------------------------------------------------------------------- Adamax


def test_adamax_step_from_a_built_state():
    lr, b1, b2, eps, wd = 0.05, 0.8, 0.9, 1e-3, 0.2
    m = np.array([[0.2, -0.1], [0.3, 0.05]])
    u = np.array([[3.0, 0.1], [0.5, 0.01]])     # beta2 * u wins in some coordinates
    state = AdamaxState(np.array([2.0, 2.0]), m, u)
    new, new_state = Adamax(lr=lr, betas=(b1, b2), eps=eps, weight_decay=wd).update(
        GRAD, state, PARAMS)

    def reference(theta, g, m, u):
        t = 3
        g = g + wd * theta
        m = b1 * m + (1 - b1) * g
        u = max(b2 * u, abs(g) + eps)
        return theta - lr / (1 - b1**t) * m / u, m, u

    expected = elementwise(reference, PARAMS, GRAD, m, u)
    close(new, expected[0])
    close(new_state.exp_avg, expected[1])
    close(new_state.exp_inf, expected[2])
    assert new_state.exp_inf[0, 0] == pytest.approx(0.9 * 3.0)


# --------------------------------------------------------------------------- NAdam


def nadam_reference(lr, b1, b2, eps, psi, t, mu_product, wd=0.0, decoupled=False):
    mu = b1 * (1 - 0.5 * 0.96 ** (t * psi))
    mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
    product = mu_product * mu

    def reference(theta, g, m, v):
        if decoupled:
            theta = theta * (1 - lr * wd)
        else:
            g = g + wd * theta
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        denom = math.sqrt(v / (1 - b2**t)) + eps
        theta = theta - lr * (1 - mu) / (1 - product) * g / denom
        theta = theta - lr * mu_next / (1 - product * mu_next) * m / denom
        return theta, m, v

    return reference, product


@pytest.mark.parametrize("decoupled", [False, True])
def test_nadam_step_from_a_built_state(decoupled):
    lr, b1, b2, eps, psi, wd = 0.05, 0.85, 0.99, 1e-6, 0.05, 0.1
    m = np.array([[0.2, -0.1], [0.3, 0.05]])
    v = np.array([[0.5, 0.1], [1.0, 0.02]])
    mu_product = 0.2
    state = NAdamState(np.array([3.0, 3.0]), np.array([mu_product, mu_product]), m, v)
    opt = NAdam(lr=lr, betas=(b1, b2), eps=eps, weight_decay=wd, momentum_decay=psi,
                decoupled_weight_decay=decoupled)
    new, new_state = opt.update(GRAD, state, PARAMS)
    reference, product = nadam_reference(lr, b1, b2, eps, psi, 4, mu_product, wd, decoupled)
    expected = elementwise(reference, PARAMS, GRAD, m, v)
    close(new, expected[0])
    close(new_state.exp_avg, expected[1])
    close(new_state.exp_avg_sq, expected[2])
    close(new_state.mu_product, [product, product])


def test_nadam_two_steps_from_fresh_state():
    opt = NAdam(lr=0.1)
    params, state = PARAMS, opt.init(PARAMS)
    assert state.mu_product.tolist() == [1.0, 1.0]
    m = v = np.zeros((2, 2))
    expected, mu_product = PARAMS, 1.0
    for t in (1, 2):
        params, state = opt.update(GRAD, state, params)
        reference, mu_product = nadam_reference(0.1, 0.9, 0.999, 1e-8, 4e-3, t, mu_product)
        expected, m, v = elementwise(reference, expected, GRAD, m, v)
        close(params, expected)


# --------------------------------------------------------------------------- shared behaviour

ALL = [SGD, Adagrad, RMSprop, Adam, AdamW, Adadelta, Adamax, NAdam]

# torch.optim's documented defaults (torch 2.x), written out here as the reference.
TORCH_DEFAULTS = {
    SGD: dict(lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False),
    Adagrad: dict(lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
                  eps=1e-10),
    RMSprop: dict(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                  centered=False),
    Adam: dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False),
    AdamW: dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False),
    Adadelta: dict(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0),
    Adamax: dict(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0),
    NAdam: dict(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, momentum_decay=4e-3,
                decoupled_weight_decay=False),
}


@pytest.mark.parametrize("cls", ALL)
def test_defaults_match_torch(cls):
    opt = cls()
    assert opt.hyperparameters() == TORCH_DEFAULTS[cls]
    assert opt.name == cls.__name__
    assert repr(opt).startswith(cls.__name__ + "(lr=")


@pytest.mark.parametrize("cls", ALL)
def test_update_is_pure(cls):
    opt = cls(weight_decay=0.1)
    params, grad = PARAMS.copy(), GRAD.copy()
    state = opt.init(params)
    params, state = opt.update(grad, state, params)
    kept = [None if a is None else a.copy() for a in state]
    kept_params = params.copy()
    opt.update(grad, state, params)
    np.testing.assert_array_equal(params, kept_params)
    np.testing.assert_array_equal(grad, GRAD)
    for before, after in zip(kept, state, strict=True):
        if before is not None:
            np.testing.assert_array_equal(after, before)


@pytest.mark.parametrize("cls", ALL)
def test_lr_override_per_row_matches_separate_optimizers(cls):
    opt = cls(lr=0.5)
    new, _ = opt.update(GRAD, opt.init(PARAMS), PARAMS, lr=np.array([0.1, 0.02]))
    for row, lr in enumerate([0.1, 0.02]):
        single = cls(lr=lr)
        expected, _ = single.update(GRAD[row:row + 1], single.init(PARAMS[row:row + 1]),
                                    PARAMS[row:row + 1])
        close(new[row:row + 1], expected)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: SGD(lr=-0.1), "lr must be >= 0, got -0.1"),
        (lambda: SGD(lr=np.array([0.1, np.nan])), "lr must be >= 0, got nan at index 1"),
        (lambda: SGD(lr=np.ones((2, 2))), "lr must be a scalar or a 1-D array"),
        (lambda: SGD(lr="fast"), "lr must be a number"),
        (lambda: SGD(momentum=0.0, nesterov=True), "nesterov=True requires momentum > 0"),
        (lambda: SGD(momentum=0.9, dampening=0.1, nesterov=True), "dampening = 0"),
        (lambda: SGD(dampening=1.5), r"dampening must be in \[0, 1\]"),
        (lambda: Adam(betas=(1.0, 0.999)), r"betas\[0\] must be in \[0, 1\), got 1.0"),
        (lambda: Adam(betas=(0.9, -0.1)), r"betas\[1\] must be in \[0, 1\)"),
        (lambda: Adam(betas=0.9), "betas must be a pair"),
        (lambda: Adam(eps=0.0), "eps must be > 0, got 0.0"),
        (lambda: RMSprop(alpha=1.5), r"alpha must be in \[0, 1\]"),
        (lambda: Adadelta(rho=-0.1), r"rho must be in \[0, 1\]"),
        (lambda: Adagrad(initial_accumulator_value=-1), "initial_accumulator_value must be"),
        (lambda: NAdam(momentum_decay=-1e-3), "momentum_decay must be >= 0"),
        (lambda: Adam(lr=np.ones(3), weight_decay=np.ones(4)),
         "same length; lr has 3, weight_decay has 4"),
    ],
)
def test_bad_hyperparameters_are_refused_clearly(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_shape_mismatches_are_refused_clearly():
    opt = Adam(lr=np.full(3, 0.1))
    with pytest.raises(ValueError, match="hyperparameters for 3 trajectories, but params has 2"):
        opt.init(PARAMS)
    opt = Adam()
    state = opt.init(PARAMS)
    with pytest.raises(ValueError, match=r"grad has shape \(2, 1\) but params has shape \(2, 2\)"):
        opt.update(GRAD[:, :1], state, PARAMS)
    with pytest.raises(ValueError, match=r"params must have shape \(n, dim\)"):
        opt.init(np.ones(3))
    with pytest.raises(ValueError, match=r"lr must be a scalar or have shape \(2,\)"):
        opt.update(GRAD, state, PARAMS, lr=np.ones(3))
    with pytest.raises(ValueError, match="lr must be >= 0"):
        opt.update(GRAD, state, PARAMS, lr=-1.0)


def test_per_row_hyperparameters_are_shown_and_exposed():
    lrs = np.geomspace(1e-3, 1, 500)
    opt = Adam(lr=lrs, betas=(np.full(500, 0.8), 0.99))
    assert opt.n == 500
    np.testing.assert_array_equal(opt.lr, lrs)
    assert "<500 values in [0.001, 1]>" in repr(opt)
    assert opt.hyperparameters()["betas"][1] == 0.99
    with pytest.raises(ValueError):
        opt.lr[0] = 5.0          # kept read-only: the optimizer owns its copy


# --------------------------------------------------------------------------- batched = one by one


def _gradient(x):
    """A smooth, bounded gradient field, different in every coordinate."""
    return x - 0.5 + 0.3 * np.sin(2 * x + np.arange(x.shape[1]))


rate = st.floats(1e-3, 0.5)
fraction = st.floats(0.0, 0.99)
small = st.floats(0.0, 0.5)
epsilon = st.floats(1e-10, 1e-3)
momentum = st.one_of(st.just(0.0), st.floats(0.01, 0.95))

HYPERPARAMETERS = {
    SGD: dict(lr=rate, momentum=momentum, dampening=st.floats(0.0, 1.0), weight_decay=small),
    Adagrad: dict(lr=rate, lr_decay=st.floats(0.0, 1.0), weight_decay=small,
                  initial_accumulator_value=st.floats(0.0, 2.0), eps=epsilon),
    RMSprop: dict(lr=rate, alpha=st.floats(0.5, 0.999), eps=epsilon, weight_decay=small,
                  momentum=momentum),
    Adam: dict(lr=rate, beta1=fraction, beta2=st.floats(0.5, 0.9999), eps=epsilon,
               weight_decay=small),
    AdamW: dict(lr=rate, beta1=fraction, beta2=st.floats(0.5, 0.9999), eps=epsilon,
                weight_decay=small),
    Adadelta: dict(lr=st.floats(0.1, 2.0), rho=fraction, eps=epsilon, weight_decay=small),
    Adamax: dict(lr=rate, beta1=fraction, beta2=st.floats(0.5, 0.9999), eps=epsilon,
                 weight_decay=small),
    NAdam: dict(lr=rate, beta1=fraction, beta2=st.floats(0.5, 0.9999), eps=epsilon,
                weight_decay=small, momentum_decay=st.floats(0.0, 0.1)),
}
FLAGS = {SGD: "nesterov", RMSprop: "centered", Adam: "amsgrad", AdamW: "amsgrad",
         NAdam: "decoupled_weight_decay"}


def _arguments(values, flag_name, flag):
    """Constructor keywords from drawn values (beta1/beta2 joined into betas)."""
    kwargs = dict(values)
    if "beta1" in kwargs:
        kwargs["betas"] = (kwargs.pop("beta1"), kwargs.pop("beta2"))
    if flag_name:
        kwargs[flag_name] = flag
    return kwargs


@st.composite
def batched_case(draw, cls):
    n = draw(st.integers(1, 5))
    dim = draw(st.integers(1, 3))
    flag = draw(st.booleans())
    rows = [{name: draw(s) for name, s in HYPERPARAMETERS[cls].items()} for _ in range(n)]
    if cls is SGD and flag:  # nesterov needs momentum > 0 and no dampening in every row
        for row in rows:
            row["momentum"] = max(row["momentum"], 0.5)
            row["dampening"] = 0.0
    start = np.array(draw(st.lists(st.lists(st.floats(-3, 3), min_size=dim, max_size=dim),
                                   min_size=n, max_size=n)))
    return rows, flag, start


@pytest.mark.parametrize("cls", ALL)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_batched_run_equals_rows_run_one_by_one(cls, data):
    rows, flag, start = data.draw(batched_case(cls))
    flag_name = FLAGS.get(cls)
    columns = {name: np.array([row[name] for row in rows]) for name in rows[0]}
    batched = cls(**_arguments(columns, flag_name, flag))
    params, state = start, batched.init(start)
    for _ in range(6):
        params, state = batched.update(_gradient(params), state, params)
    for i, row in enumerate(rows):
        single = cls(**_arguments(row, flag_name, flag))
        point, single_state = start[i:i + 1], single.init(start[i:i + 1])
        for _ in range(6):
            point, single_state = single.update(_gradient(point), single_state, point)
        # Not bit-for-bit: a scalar beta ** t and numpy's vectorized power may differ in the
        # last bit, and 1 - beta2 ** t (beta2 near 1) magnifies that about 1e4 times.
        np.testing.assert_allclose(params[i:i + 1], point, rtol=1e-10, atol=1e-13)
        for mine, theirs in zip(state, single_state, strict=True):
            if theirs is not None:
                np.testing.assert_allclose(mine[i:i + 1], theirs, rtol=1e-10, atol=1e-13)
