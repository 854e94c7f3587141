"""Ship the course's JupyterLab settings into an environment: no news pop-up over the sliders.

Usage: ``python scripts/configure_jupyterlab.py [--prefix PREFIX]`` (default: this Python's
``sys.prefix``, i.e. the virtual or conda environment that runs JupyterLab).

A fresh JupyterLab asks "Would you like to get notified about official Jupyter news?" in a
toast that covers the first figure. JupyterLab reads default settings that a package ships from
``PREFIX/share/jupyter/lab/settings/overrides.d/*.json``; this writes ``gradlab.json`` there.
A learner can still change the settings in JupyterLab's Settings Editor. README's open command
and ``binder/postBuild`` run it.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys

SETTINGS = {
    # "false", not false: the setting is a string ("true", "false", or "none" = ask).
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


def overrides_file(prefix: pathlib.Path) -> pathlib.Path:
    return prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.d" / "gradlab.json"


def install(prefix: pathlib.Path) -> pathlib.Path:
    target = overrides_file(prefix)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(SETTINGS, indent=2) + "\n")
    return target


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prefix", type=pathlib.Path, default=pathlib.Path(sys.prefix))
    args = parser.parse_args(argv)
    print(f"JupyterLab settings for the course written to {install(args.prefix)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
