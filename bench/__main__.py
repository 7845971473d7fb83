"""`python -m bench` (`make bench`): create or reuse bench/.env, then run the measurements in it.

Options are those of `bench.run` (`python -m bench --help`).
"""

from __future__ import annotations

import os
import sys

from .env import ENV, ROOT, ensure_env


def main() -> None:
    python = ensure_env()
    if os.path.realpath(sys.prefix) == os.path.realpath(ENV):
        from .run import main as run

        run(sys.argv[1:])
        return
    os.chdir(ROOT)  # `-m bench.run` must find this package
    os.execv(python, [python, "-m", "bench", *sys.argv[1:]])


if __name__ == "__main__":
    main()
