"""Run benchmark scripts one after the other in one go, each in its own interpreter (no script's
memory or threads weigh on the next), printing what each prints under its name, with the
machine's load before each. Prints numbers; asserts nothing.

    .venv/bin/python bench/run.py                 # save/load/stall and statuses (issue 13)
    .venv/bin/python bench/run.py snapshot travel # any of: snapshot verdicts travel dashboard
                                                  # verify_dir memory
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
NAMES = ("snapshot", "verdicts", "travel", "dashboard", "verify_dir", "memory")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", choices=NAMES, default=["snapshot", "verdicts"])
    args = parser.parse_args()
    failed = 0
    for name in args.names:
        load = ", ".join(f"{figure:.2f}" for figure in os.getloadavg())
        print(f"\n##### bench_{name}.py  ({time.strftime('%H:%M:%S')}, load {load})", flush=True)
        done = subprocess.run([sys.executable, str(BENCH / f"bench_{name}.py")], check=False)
        failed += done.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
