"""attnsim from Python: what attention costs on a GPU, and why.

A thin layer over the C++ libraries: each function runs the attnsim command of the same name
in-process (attnsim._attnsim.run) with --format json and returns its JSON as Python objects, so the
numbers are the CLI's, bit for bit. Keyword arguments are the command's options with '-' written
'_' (head_dim for --head-dim); True switches a flag on, None leaves an option out, and a list or
tuple becomes the comma list the CLI sweeps over. Errors raise InvalidInput (a ValueError) carrying
the CLI's one-line message. docs/python.md has a worked example.
"""

import json

from ._attnsim import InvalidInput
from ._attnsim import run as _run

__all__ = ["InvalidInput", "predict", "sweep", "capacity", "plan", "gpus", "variants", "command"]


def _option(key, value):
    flag = "--" + key.replace("_", "-")
    if value is None or value is False:
        return []
    if value is True:
        return [flag]
    if isinstance(value, (list, tuple)):
        value = ",".join(str(v) for v in value)
    return [flag, str(value)]


def command(name, **options):
    """Run `attnsim <name>` with these options and return its parsed JSON output."""
    for reserved in ("format", "out", "plot", "help"):
        if reserved in options:
            raise InvalidInput(f"attnsim: error: --{reserved}: not an argument from Python (results are returned)")
    args = [name]
    for key, value in options.items():
        args += _option(key, value)
    return json.loads(_run(args + ["--format", "json"]))


def predict(**options):
    """One attention call: a dict with the keys of `attnsim predict --format json`.

    Example: predict(gpu="h100-sxm", variant="flash2", seq=4096, heads=32, head_dim=128, causal=True)
    """
    return command("predict", **options)


def _frame(records, as_frame):
    if as_frame is False:
        return records
    try:
        import pandas
    except ImportError:
        if as_frame:
            raise
        return records
    return pandas.DataFrame(records)


def sweep(as_frame=None, **options):
    """Predictions over lists of seq, variant, gpu, ...: the "points" of `attnsim sweep --format
    json`, as a pandas DataFrame when pandas is importable (as_frame=None or True), else (or with
    as_frame=False) a list of dicts. command("sweep", ...) also gives the log-log "fits".

    Example: sweep(gpu="h100-sxm", variant=["eager", "flash2"], seq=[1024, 4096, 16384])
    """
    return _frame(command("sweep", **options)["points"], as_frame)


def capacity(**options):
    """`attnsim capacity`: the longest context of a model on a GPU per attention implementation."""
    return command("capacity", **options)


def plan(**options):
    """`attnsim plan`: which GPU for a model at a context."""
    return command("plan", **options)


def gpus():
    """The built-in GPU profiles, one dict per GPU."""
    return command("gpus")


def variants():
    """The attention variants, one dict per variant."""
    return command("variants")
