"""Speed of gradlab's training loop, measured on whatever machine runs this script.

Usage: ``python -m benchmarks.bench_training [--repeats 7] [--json results.json]``

Measures the runs the lessons' training explorers make on a slider move:
1. lesson 08's trainer: ``train_network`` with a 2-8-1 tanh network on 150 moons points, Adam
   (lr 0.03), batches of 16, 100 epochs;
2. lesson 09's recommender: a rank-3 matrix factorization of 200 x 150 ratings, SGD (lr 1),
   batches of 32, 30 epochs;
3. one MLP gradient on a batch of 16 (the step those loops repeat), through ``model.bind``.

Each figure is the best of ``--repeats`` runs (the machine's noise only adds time) with the
median beside it. Use it to compare two versions of gradlab on one machine, one after the other.
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from benchmarks.bench_core import best_of
from gradlab.data import moons, ratings, train_test_split
from gradlab.models import MLP, MatrixFactorization
from gradlab.optimizers import SGD, Adam
from gradlab.training import train_network


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args(argv)

    moons_data = moons(np.random.default_rng(1), 200, noise=0.2)
    train, test = train_test_split(moons_data, np.random.default_rng(11), test_fraction=0.25)
    net = MLP((2, 8, 1))
    start = net.init_params(np.random.default_rng(0))

    def moons_run():
        train_network(net, start, train, test, Adam(lr=0.03), batch_size=16, epochs=100,
                      rng=np.random.default_rng(0))

    rdata = ratings(np.random.default_rng(3), 200, 150, rank=3, observed_fraction=0.2,
                    noise=0.3)
    rtrain, rtest = train_test_split(rdata, np.random.default_rng(4), test_fraction=0.2)
    mf = MatrixFactorization(n_users=200, n_items=150, rank=3)
    mf_start = mf.init_params(np.random.default_rng(5), scale=0.3)

    def recommender_run():
        train_network(mf, mf_start, rtrain, rtest, SGD(lr=1.0), batch_size=32, epochs=30,
                      rng=np.random.default_rng(0))

    bound = net.bind(train.X, train.y)
    rows = np.arange(16)

    def one_gradient():
        for _ in range(1000):
            bound.gradient(start, rows)

    results = {}
    for name, function, scale, unit in [
        ("lesson 08 moons, 2-8-1 MLP, Adam, batch 16, 100 epochs", moons_run, 1e3, "ms"),
        ("lesson 09 recommender, rank 3, SGD, batch 32, 30 epochs", recommender_run, 1e3, "ms"),
        ("one MLP gradient, batch of 16", one_gradient, 1e6 / 1000, "µs"),
    ]:
        best, median = best_of(args.repeats, function)
        results[name] = {"best": best * scale, "median": median * scale, "unit": unit}
        print(f"{name:58s} {best * scale:8.2f} {unit} (median {median * scale:.2f})")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(results, handle, indent=2)
    return results


if __name__ == "__main__":
    main()
