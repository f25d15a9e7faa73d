"""Time a sweep of 10^5 points from Python (docs/benchmarks.md records the figures).

Not a test: speed is measured here and written down, never asserted. Run from the repository root
after a Release build:

    python3 python/bench/sweep_bench.py [--repeat 5]

It prints the best of --repeat runs, wall-clock and CPU time of this process (the figure to trust on
a shared machine), in seconds, for: the typed rows as a list of dicts
(attnsim.sweep(as_frame=False)), as a dict of columns (attnsim.sweep_rows(columns=True)), as a pandas
DataFrame (when pandas is importable), and the JSON route (attnsim.command("sweep", ...), the
command's JSON text parsed by json.loads) for comparison.
"""

import argparse
import os
import pathlib
import sys
import time

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, os.environ.get("ATTNSIM_PYTHON_PATH", str(REPO / "build" / "python")))

import attnsim  # noqa: E402

# 10^5 lengths of one variant on one GPU: the largest sweep the command accepts.
OPTIONS = dict(gpu="h100-sxm", variant="flash2", seq="1:100000:+1")


def best_seconds(call, repeat):
    wall = cpu = float("inf")
    for _ in range(repeat):
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        result = call()
        wall = min(wall, time.perf_counter() - start_wall)
        cpu = min(cpu, time.process_time() - start_cpu)
    return wall, cpu, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat
    routes = [
        ("sweep(as_frame=False): list of dicts", lambda: attnsim.sweep(as_frame=False, **OPTIONS)),
        ("sweep_rows(columns=True): dict of lists", lambda: attnsim.sweep_rows(columns=True, **OPTIONS)["points"]),
    ]
    try:
        import pandas  # noqa: F401

        routes.append(("sweep(): pandas DataFrame", lambda: attnsim.sweep(**OPTIONS)))
    except ImportError:
        print("pandas not importable: DataFrame route skipped")
    routes.append(("command('sweep'): JSON text parsed", lambda: attnsim.command("sweep", **OPTIONS)["points"]))
    print(f"python {sys.version.split()[0]}, best of {repeat}, sweep of {OPTIONS}")
    for name, call in routes:
        wall, cpu, result = best_seconds(call, repeat)
        points = len(next(iter(result.values()))) if isinstance(result, dict) else len(result)
        print(f"{name:42s} wall {wall:7.3f} s  cpu {cpu:7.3f} s  ({points} points)")


if __name__ == "__main__":
    main()
