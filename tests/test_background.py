"""The background worker steps aside while a cell runs, so a lesson's Run All is not slowed."""

import threading

import IPython

from gradlab.explorers.status import Background


class FakeEvents:
    def __init__(self):
        self.callbacks = {}

    def register(self, name, callback):
        self.callbacks.setdefault(name, []).append(callback)

    def trigger(self, name):
        for callback in self.callbacks.get(name, []):
            callback()


class FakeShell:
    def __init__(self):
        self.events = FakeEvents()
        self.kernel = object()


def test_the_worker_runs_only_between_cells(monkeypatch):
    shell = FakeShell()
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    worker = Background()
    worker.enabled = True
    ran = threading.Event()
    worker.submit("owner", lambda pause: (pause(), ran.set()))  # submitted from a running cell
    assert not ran.wait(0.3), "the worker ran while the cell that built the figure was running"
    shell.events.trigger("post_run_cell")
    assert ran.wait(5), "the worker did not run once the cell had ended"
    ran.clear()
    shell.events.trigger("pre_run_cell")  # the next cell of Run All
    worker.submit("owner", lambda pause: (pause(), ran.set()))
    assert not ran.wait(0.3), "the worker ran during a cell"
    shell.events.trigger("post_run_cell")
    assert ran.wait(5)


def test_run_all_from_a_running_cell_does_not_wait_for_itself(monkeypatch):
    # train_ahead_now() in a cell runs the queued work at once, although a cell is running.
    shell = FakeShell()
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    worker = Background()
    worker.enabled = True
    done = []
    worker.submit("owner", lambda pause: (pause(), done.append(1)))
    finished = threading.Event()
    threading.Thread(target=lambda: (worker.run_all("owner"), finished.set()),
                     daemon=True).start()
    assert finished.wait(5), "run_all waited for the cell that called it"
    assert done == [1]


def test_a_figure_that_queues_work_waits_for_it_and_drops_it_when_closed():
    import inspect

    import matplotlib

    matplotlib.use("Agg")
    from gradlab.explorers import applications, basins, network_trainer
    from gradlab.explorers.status import BACKGROUND, WorksAhead
    from gradlab.functions import himmelblau

    explorer = basins.BasinExplorer(himmelblau(), grid=8, steps=30, lr=0.01)
    assert BACKGROUND.pending(explorer) > 0  # the first setting's neighbours
    explorer.close()
    assert BACKGROUND.pending(explorer) == 0
    # Every explorer class that submits work has the mixin (which also holds the worker back
    # while it draws a move).
    for module in (applications, basins, network_trainer):
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and "BACKGROUND.submit" in inspect.getsource(cls):
                assert issubclass(cls, WorksAhead), cls
