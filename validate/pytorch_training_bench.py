#!/usr/bin/env python3
"""Measure attention forward and backward GPU time on a CUDA GPU with PyTorch, for attnsim.

Usage:
    python3 validate/pytorch_training_bench.py --out FILE.csv [--quick] [--max-minutes M]

Backends: the five of pytorch_attention_bench.py (sdpa-math, sdpa-flash, sdpa-efficient,
sdpa-cudnn, hf-eager), bf16, random normal inputs with requires_grad.

Per point and backend, three rows (pass forward, backward, forward+backward):
  * forward: one call captured in a CUDA graph, the graph replayed back to back between two CUDA
    events; the time is the total over the replays (GPU-side: host dispatch is not in it; the
    inputs stay in L2 where they fit, so cache_state = warm).
  * forward+backward: the forward and torch.autograd.grad(out, (q, k, v), dO) captured in one
    graph, timed the same way.
  * backward: forward+backward minus forward (the two graphs' medians).
and, per point and backend, one more forward row timed without a graph: `repeats` calls issued
back to back between two events (timing `cuda-events-back-to-back-eager`), which includes the
framework's host dispatch wherever it is slower than the GPU.
Peak extra memory (forward+backward rows): max_memory_allocated() over one eager forward+backward
minus memory_allocated() before it.

Grid (full): B=1, H=Hkv=32, d in {64, 128, 256}, N = 512 ... 32768 (x2), causal and not;
GQA H=32, Hkv=8, d=128, N in {2048, 4096, 8192}, causal; B=4, H=16, d=128, N in {2048, 4096}.
sdpa-math and hf-eager stop at N = 8192 (their N x N fp32 scores and gradients).

--grid random|short-queries --count C --seed S: C shapes drawn once, before anything is measured,
by the rule of that name in held_out_shapes.py (a held-out set: no constant of the model is set on
it; the module needs no torch, so the shapes and their predictions can be written down first).
random: batch, heads, GQA group, head dim, sequence length (powers of two and arbitrary multiples
of 8), causal or not, and for non-causal calls a query length shorter than the key length; each
shape's forward kept under about 2 TFLOP and its N x N scores under 2^28 elements for the
materialising backends. short-queries: 2-64x fewer queries than keys, no mask, fused backends.
Rows are written and flushed one at a time.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import time
import warnings

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pytorch_attention_bench as base  # noqa: E402  (cases, shapes, failure text: one definition)
import held_out_shapes  # noqa: E402
from cuda_graphs import capture  # noqa: E402

GRAPH_TIMING = "cuda-graph-replay"
EAGER_TIMING = "cuda-events-back-to-back-eager"
TARGET_SECONDS = 0.15
MIN_REPEATS = 3
MAX_REPEATS = 200
MATERIALIZED_MAX_N = 8192


def grid(quick: bool) -> list[tuple[base.Shape, list[str]]]:
    fused = ["sdpa-flash", "sdpa-cudnn", "sdpa-efficient"]
    materialized = ["sdpa-math", "hf-eager"]
    points = []
    seqs = [512, 1024] if quick else [512 * 2 ** i for i in range(7)]
    dims = [128] if quick else [64, 128, 256]
    for d in dims:
        for causal in (False, True):
            for n in seqs:
                backends = fused + (materialized if n <= MATERIALIZED_MAX_N else [])
                points.append((base.Shape(1, 32, 32, n, n, d, causal), backends))
    if not quick:
        for n in (2048, 4096, 8192):
            points.append((base.Shape(1, 32, 8, n, n, 128, True), fused + materialized))
        for n in (2048, 4096):
            points.append((base.Shape(4, 16, 16, n, n, 128, False), fused + materialized))
    return points


def drawn_shapes(rule, count: int, seed: int) -> list[tuple[base.Shape, list[str]]]:
    """A held-out set drawn by one of held_out_shapes.py's rules, before anything is measured."""
    return [(base.Shape(b, h, hkv, nq, nk, d, causal), backends)
            for b, h, hkv, nq, nk, d, causal, backends in rule(count, seed)]


def output_of(result):
    return result[0] if isinstance(result, tuple) else result


def time_replays(run_once) -> tuple[float, float, float, int]:
    """Median, min, max seconds per run over batches of back-to-back runs between two events."""
    s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    s.record()
    run_once()
    e.record()
    torch.cuda.synchronize()
    estimate = max(s.elapsed_time(e) / 1e3, 1e-6)
    per_batch = int(min(MAX_REPEATS, max(1, TARGET_SECONDS / 3 / estimate)))
    samples = []
    for _ in range(max(MIN_REPEATS, 3)):
        s.record()
        for _ in range(per_batch):
            run_once()
        e.record()
        torch.cuda.synchronize()
        samples.append(s.elapsed_time(e) / 1e3 / per_batch)
    return statistics.median(samples), min(samples), max(samples), per_batch * len(samples)


def measure_point(shape: base.Shape, case: base.Case, device, gen):
    """Rows (pass, timing, median, min, max, repeats, peak_extra) for one backend at one shape.
    A backward that fails (unsupported, out of memory) still leaves the forward rows, and a
    failure row for the backward."""
    t = base.make_inputs(shape, case.layout, device, gen)
    for name in ("q", "k", "v"):
        t[name].requires_grad_(True)
    call = case.prepare(shape, t)

    def forward():
        with torch.no_grad():
            return output_of(call())

    rows = []
    with case.context():
        eager = time_replays(forward)
        g_fwd = capture(forward)
        fwd = time_replays(g_fwd.replay)
        del g_fwd
        rows.append(("forward", EAGER_TIMING) + eager + ("",))
        rows.append(("forward", GRAPH_TIMING) + fwd + ("",))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                grad_out = torch.randn_like(forward())  # hf-eager returns (B, N, H, d)

                def forward_backward():
                    out = output_of(call())
                    return torch.autograd.grad(out, (t["q"], t["k"], t["v"]), grad_out)

                # Peak extra memory of one eager forward+backward.
                torch.cuda.synchronize()
                before = torch.cuda.memory_allocated()
                torch.cuda.reset_peak_memory_stats()
                grads = forward_backward()
                torch.cuda.synchronize()
                peak_extra = torch.cuda.max_memory_allocated() - before
                del grads
                g_both = capture(forward_backward)
                both = time_replays(g_both.replay)
                del g_both
            except Exception as exc:
                rows.append(("forward+backward", "failed: " + base.describe_failure(exc, caught)))
                return rows
    rows.append(("forward+backward", GRAPH_TIMING) + both + (peak_extra,))
    bwd = both[0] - fwd[0]
    rows.append(("backward", GRAPH_TIMING + " (forward+backward minus forward)", bwd, bwd, bwd, both[3], ""))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--out", required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--max-minutes", type=float, default=6.0)
    parser.add_argument("--grid", choices=("default", "random", "short-queries"), default="default",
                        help="random, short-queries: --count shapes drawn with --seed (held_out_shapes.py)")
    parser.add_argument("--count", type=int, default=48)
    parser.add_argument("--seed", type=int, default=20261207)
    args = parser.parse_args()
    rules = {"random": held_out_shapes.random_shapes, "short-queries": held_out_shapes.short_query_shapes}
    points = drawn_shapes(rules[args.grid], args.count, args.seed) if args.grid in rules else grid(args.quick)
    device = torch.device("cuda")
    gen = torch.Generator(device=device)
    gen.manual_seed(0)
    cases = base.all_cases()
    deadline = time.time() + 60 * args.max_minutes
    env = base.environment(device)
    with open(args.out, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=base.COLUMNS)
        writer.writeheader()
        for shape, backends in points:
            for name in backends:
                if time.time() > deadline:
                    print("time limit reached: stopping", flush=True)
                    return 0
                case = cases[name]
                common = {"source": case.source, "variant": case.variant, "backend": case.backend,
                          "batch": shape.batch, "heads": shape.heads, "kv_heads": shape.kv_heads,
                          "seq_q": shape.seq_q, "seq_kv": shape.seq_kv, "head_dim": shape.head_dim,
                          "head_dim_v": shape.head_dim, "causal": str(shape.causal).lower(), "window": "",
                          "dtype": "bf16", "tile": "", "cache_state": "warm", **env}
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    try:
                        rows = measure_point(shape, case, device, gen)
                    except Exception as exc:  # one failed point must not stop the grid
                        status = base.describe_failure(exc, caught)
                        writer.writerow({**common, "pass": "forward", "status": status,
                                         "median_seconds": "", "min_seconds": "", "max_seconds": "",
                                         "repeats": 0, "timing": GRAPH_TIMING, "peak_extra_memory_bytes": ""})
                        f.flush()
                        print(f"{name:15s} {shape} {status[:100]}", flush=True)
                        torch.cuda.empty_cache()
                        continue
                by = {}
                for row in rows:
                    if row[1].startswith("failed: "):
                        writer.writerow({**common, "pass": row[0], "status": row[1][len("failed: "):],
                                         "median_seconds": "", "min_seconds": "", "max_seconds": "",
                                         "repeats": 0, "timing": GRAPH_TIMING, "peak_extra_memory_bytes": ""})
                        continue
                    pass_, timing, median, lo, hi, repeats, peak = row
                    by[(pass_, timing)] = median
                    writer.writerow({**common, "pass": pass_, "status": "ok", "median_seconds": f"{median:.9e}",
                                     "min_seconds": f"{lo:.9e}", "max_seconds": f"{hi:.9e}", "repeats": repeats,
                                     "timing": timing, "peak_extra_memory_bytes": peak})
                f.flush()
                both = by.get(("forward+backward", GRAPH_TIMING))
                print(f"{name:15s} B={shape.batch} H={shape.heads}/{shape.kv_heads} N={shape.seq_kv} "
                      f"d={shape.head_dim} causal={shape.causal}: fwd {1e3 * by[('forward', GRAPH_TIMING)]:.3f} ms "
                      f"(eager {1e3 * by[('forward', EAGER_TIMING)]:.3f}) fwd+bwd "
                      + (f"{1e3 * both:.3f} ms" if both else "failed"), flush=True)
                torch.cuda.empty_cache()
    return 0


if __name__ == "__main__":
    sys.exit(main())
