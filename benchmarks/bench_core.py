"""Speed of gradlab's core, measured on whatever machine runs this script.

Usage: ``python benchmarks/bench_core.py [--json results.json]``

Measures
1. one batched run of 1,000 Adam trajectories x 1,000 steps on Rosenbrock (gradient from the
   catalogue's compiled sympy expression, through ``gradlab.runner.run``);
2. the cost of one trajectory-step three ways: inside that batched run (and one of 10,000
   trajectories x 200 steps), in a plain Python loop
   over one trajectory at a time (Adam written with floats), and with ``torch.optim.Adam``
   stepping a 2-element tensor (only when PyTorch is installed);
3. compiling a catalogue surface (sympy -> numpy) and evaluating its value and gradient on a
   500 x 500 grid.

Targets on a 2-core machine: the batched run under 0.25 s; a batched trajectory-step at least
1,000x cheaper than a torch.optim step.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time

import numpy as np


def best_of(repeats, function):
    """Smallest wall time of ``repeats`` calls (the least disturbed by other processes)."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)


def batched_adam_run(n=1000, steps=1000):
    from gradlab.functions import rosenbrock
    from gradlab.optimizers import Adam
    from gradlab.runner import run

    surface = rosenbrock()
    rng = np.random.default_rng(0)
    (xlo, xhi), (ylo, yhi) = surface.window
    starts = np.column_stack([rng.uniform(xlo, xhi, n), rng.uniform(ylo, yhi, n)])
    optimizer = Adam(lr=np.geomspace(1e-3, 0.3, n))

    def once():
        run(optimizer, surface.gradient, starts, steps, value=surface.value)

    return best_of(5, once)


def python_loop_adam_step_cost(trajectories=20, steps=1000):
    """Adam on Rosenbrock, one trajectory at a time, plain floats: seconds per trajectory-step."""
    lr, beta1, beta2, eps = 1e-2, 0.9, 0.999, 1e-8

    def once():
        for k in range(trajectories):
            x, y = -1.5 + 0.1 * k, 2.0
            m = [0.0, 0.0]
            v = [0.0, 0.0]
            for t in range(1, steps + 1):
                g = [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)]
                for i in range(2):
                    m[i] = beta1 * m[i] + (1 - beta1) * g[i]
                    v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
                step = [
                    lr / (1 - beta1**t) * m[i] / (math.sqrt(v[i]) / math.sqrt(1 - beta2**t) + eps)
                    for i in range(2)
                ]
                x, y = x - step[0], y - step[1]

    best, _ = best_of(3, once)
    return best / (trajectories * steps)


def torch_adam_step_cost(steps=2000):
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    params = torch.tensor([-1.5, 2.0], requires_grad=True)
    optimizer = torch.optim.Adam([params], lr=1e-2)
    # Only optimizer.step() is timed: the gradient is set once, so autograd costs nothing here.
    params.grad = torch.tensor([-215.0, -50.0])

    def once():
        for _ in range(steps):
            optimizer.step()

    best, _ = best_of(3, once)
    return best / steps


def compile_and_grid():
    from gradlab.functions import rosenbrock

    started = time.perf_counter()
    surface = rosenbrock()
    # Compiling is lazy: the first evaluation of each callable pays for it.
    one_point = np.zeros((1, 2))
    surface.value(one_point), surface.gradient(one_point), surface.hessian(one_point)
    compile_seconds = time.perf_counter() - started
    (xlo, xhi), (ylo, yhi) = surface.window
    xs, ys = np.meshgrid(np.linspace(xlo, xhi, 500), np.linspace(ylo, yhi, 500))
    grid = np.stack([xs, ys], axis=-1)
    value_seconds, _ = best_of(10, lambda: surface.value(grid))
    gradient_seconds, _ = best_of(10, lambda: surface.gradient(grid))
    return compile_seconds, value_seconds, gradient_seconds


def main():
    parser = argparse.ArgumentParser(description="Measure gradlab's core speed.")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args()

    results = {}
    best, median = batched_adam_run()
    results["batched_adam_1000x1000_s"] = best
    results["batched_adam_1000x1000_median_s"] = median
    batched_step = best / 1e6
    results["batched_trajectory_step_s"] = batched_step
    wide_best, _ = batched_adam_run(n=10_000, steps=200)
    wide_step = wide_best / (10_000 * 200)
    results["batched_trajectory_step_10000_s"] = wide_step
    results["python_loop_trajectory_step_s"] = python_loop_adam_step_cost()
    results["torch_adam_step_s"] = torch_adam_step_cost()
    compile_s, value_s, gradient_s = compile_and_grid()
    results.update(
        rosenbrock_compile_s=compile_s,
        grid_500x500_value_s=value_s,
        grid_500x500_gradient_s=gradient_s,
    )

    print(f"batched Adam, 1,000 trajectories x 1,000 steps: {best:.3f} s (median {median:.3f} s)")
    print(f"  per trajectory-step:           {batched_step * 1e9:10.1f} ns")
    print(f"  per trajectory-step, 10,000 trajectories x 200 steps: {wide_step * 1e9:.1f} ns")
    loop = results["python_loop_trajectory_step_s"]
    print(f"  plain Python loop, per step:   {loop * 1e9:10.1f} ns  ({loop / batched_step:.0f}x)")
    if results["torch_adam_step_s"] is None:
        print("  torch.optim.Adam:              not installed")
    else:
        torch_step = results["torch_adam_step_s"]
        ratio = torch_step / batched_step
        print(
            f"  torch.optim.Adam, per step:    {torch_step * 1e9:10.1f} ns  ({ratio:.0f}x; "
            f"{torch_step / wide_step:.0f}x against the 10,000-trajectory run)"
        )
    print(f"compile Rosenbrock (sympy -> numpy, value/gradient/Hessian): {compile_s * 1e3:.1f} ms")
    print(f"500 x 500 grid: value {value_s * 1e3:.2f} ms, gradient {gradient_s * 1e3:.2f} ms")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(results, handle, indent=2)


if __name__ == "__main__":
    main()
