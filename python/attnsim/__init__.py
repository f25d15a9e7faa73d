"""attnsim from Python: what attention costs on a GPU, and why.

A thin layer over the C++ libraries: each function runs the attnsim command of the same name
in-process (attnsim._attnsim.run) with --format json and returns its JSON as Python objects, so the
numbers are the CLI's, bit for bit; sweep takes the command's typed rows directly
(attnsim._attnsim.sweep_rows), with the same values, because parsing 10^5 points of JSON is slow.
Keyword arguments are the command's options with '-' written '_' (head_dim for --head-dim), one name
per concept in every command (docs/glossary.md): variant, seq, gpu (ids), gpu_count (ring), logits.
True switches a flag on, None leaves an option out, and a list or tuple becomes the comma list the
CLI sweeps over. The old keywords impl, context and plan's gpus still work, with a
DeprecationWarning. Errors raise InvalidInput (a ValueError) carrying the CLI's one-line message.
docs/python.md has a worked example.
"""

import json
import os
import warnings

from ._attnsim import InvalidInput
from ._attnsim import run as _run
from ._attnsim import sweep_rows as _sweep_rows

__all__ = [
    "InvalidInput",
    "predict",
    "sweep",
    "tiles",
    "capacity",
    "plan",
    "serve",
    "crossover",
    "ring",
    "validate",
    "gpus",
    "variants",
    "command",
]

# Old keyword -> current one, per command (the CLI's own aliases, cli/vocabulary.cpp).
_RENAMED = {
    "impl": ("variant", ("capacity", "plan", "serve", "crossover", "ring")),
    "context": ("seq", ("capacity", "plan", "serve", "ring")),
    "gpus": (None, ("plan", "ring")),  # plan: gpu (ids); ring: gpu_count
}


def _current_keyword(name, key):
    if key not in _RENAMED or name not in _RENAMED[key][1]:
        return key
    new = _RENAMED[key][0] or ("gpu_count" if name == "ring" else "gpu")
    warnings.warn(f"attnsim.{name}: {key}= is now {new}= (the old keyword works until the next release)",
                  DeprecationWarning, stacklevel=5)
    return new


def _option(key, value):
    flag = "--" + key.replace("_", "-")
    if value is None or value is False:
        return []
    if value is True:
        return [flag]
    if isinstance(value, (list, tuple)):
        value = ",".join(str(v) for v in value)
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    return [flag, str(value)]


def _arguments(name, options):
    for reserved in ("format", "out", "plot", "help", "report", "trace"):
        if reserved in options:
            raise InvalidInput(f"attnsim: error: --{reserved}: not an argument from Python (results are returned)")
    args = []
    for key, value in options.items():
        args += _option(_current_keyword(name, key), value)
    return args


def command(name, **options):
    """Run `attnsim <name>` with these options and return its parsed JSON output."""
    return json.loads(_run([name] + _arguments(name, options) + ["--format", "json"]))


def predict(**options):
    """One attention call: a dict with the keys of `attnsim predict --format json`.

    Example: predict(gpu="h100-sxm", variant="flash2", seq=4096, heads=32, head_dim=128, causal=True)
    """
    return command("predict", **options)


def sweep(as_frame=None, **options):
    """Predictions over lists of seq, variant, gpu, ...: the "points" of `attnsim sweep --format
    json`, as a pandas DataFrame when pandas is importable (as_frame=None or True), else (or with
    as_frame=False) a list of dicts. sweep_rows(...) also gives the scenario, the log-log "fits"
    and the notes.

    Example: sweep(gpu="h100-sxm", variant=["eager", "flash2"], seq=[1024, 4096, 16384])
    """
    if as_frame is not False:
        try:
            import pandas
        except ImportError:
            if as_frame:
                raise
        else:
            return pandas.DataFrame(sweep_rows(columns=True, **options)["points"])
    return sweep_rows(**options)["points"]


def sweep_rows(columns=False, **options):
    """`attnsim sweep` as a dict: scenario, points (a list of dicts, or with columns=True a dict of
    lists, one per key), fits and notes; the values of `attnsim sweep --format json`."""
    return _sweep_rows(_arguments("sweep", options), columns)


def tiles(**options):
    """`attnsim tiles`: every block M x block N x stages simulated; a dict with scenario and
    candidates (fastest first)."""
    return command("tiles", **options)


def capacity(**options):
    """`attnsim capacity`: the longest context of a model on a GPU per attention variant."""
    return command("capacity", **options)


def plan(**options):
    """`attnsim plan`: which GPU for a model at a sequence length."""
    return command("plan", **options)


def serve(**options):
    """`attnsim serve`: decode throughput vs sequence length and batch."""
    return command("serve", **options)


def crossover(**options):
    """`attnsim crossover`: transformer vs SSM, prefill time and memory vs N."""
    return command("crossover", **options)


def ring(**options):
    """`attnsim ring`: one prefill split over gpu_count GPUs by context parallelism."""
    return command("ring", **options)


def validate(**options):
    """`attnsim validate`: measured runs (measured="runs.csv", a path) beside their predictions."""
    return command("validate", **options)


def gpus():
    """The built-in GPU profiles, one dict per GPU."""
    return command("gpus")


def variants():
    """The attention variants, one dict per variant."""
    return command("variants")
