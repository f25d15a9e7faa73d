#!/usr/bin/env python3
"""Measure attention forward passes on a CUDA GPU with PyTorch, for comparison with attnsim.

Usage:
    python3 validate/pytorch_attention_bench.py --out FILE.csv [--quick] [--max-minutes M]

What is measured (bf16, forward pass, random normal inputs):

  backend            source      attnsim variant  what runs
  sdpa-math          pytorch     sdpa-math        F.scaled_dot_product_attention, SDPBackend.MATH
  sdpa-flash         pytorch     flash2           ... SDPBackend.FLASH_ATTENTION
  sdpa-efficient     pytorch     mem-efficient    ... SDPBackend.EFFICIENT_ATTENTION
  sdpa-cudnn         pytorch     cudnn (none)     ... SDPBackend.CUDNN_ATTENTION
  hf-eager           pytorch     eager            transformers' eager_attention_forward, re-implemented
  flash_attn         flash_attn  flash2           flash_attn.flash_attn_func (only if installed)
  flash_attn_3       flash_attn  flash3           flash_attn_interface.flash_attn_func (only if installed)

Grid (full run): B=1, H=Hkv=32, d in {128, 64}, N = 512 ... 65536 (x2), causal and not;
GQA H=32, Hkv=8, d=128, N in {4096, 16384}, causal and not; decoding: seq_q=1,
seq_kv in {4096, 16384, 65536, 131072}, batch in {1, 16, 64}, H=32, Hkv=8, d=128 (flash,
efficient and eager backends; no mask: the one query is the last position and sees every key).

Timing: for each point, two warm-up calls, one call for the peak-memory reading, then `repeats`
timed calls. Before each timed call a 256 MiB buffer is written to flush the L2 cache
(cache_state=cold); CUDA events recorded just before and just after the one call give its GPU time.
The CSV holds the median, min and max over the timed calls. Repeats: at least 10 (up to 100 for
short calls, aiming at ~0.25 s of timed work per point); only when a single call takes longer than
0.5 s are 5 calls timed, and the `timing` column then says so.

Peak extra memory: after the inputs (and, for eager, the additive mask) exist,
torch.cuda.reset_peak_memory_stats(); one call; max_memory_allocated() minus memory_allocated()
taken just before the call. It therefore includes the output tensor and every temporary that
PyTorch's caching allocator hands out during the call (it does not count memory a library
allocates outside PyTorch's allocator).

Failures: a point that raises an out-of-memory error gets status `oom`; one that a backend
refuses gets `unsupported: <first line of the error> [<first warning lines>]`; anything else
gets `error: <first line>`. When a backend refuses grouped-query attention (enable_gqa=True), the
point is measured again with K and V expanded to H heads beforehand (outside the timing), under
backend `<backend>+kv-repeated` with kv_heads = H (what the kernel then reads).

Rows are written and flushed one at a time, so an interrupted run keeps what it measured.

--profile: for Nsight Compute. A small grid (sdpa-flash, sdpa-efficient, sdpa-math, hf-eager at
N in {1024, 4096}, d=128, causal and not; sdpa-flash decoding at B in {1, 64}, Nk = 16384); per
point one warm-up call, then ONE call between two one-thread kernels named attnsim_run_marker
(compiled with CuPy) and inside an NVTX range, so that `attnsim validate --ncu` matches the
report's kernels to the rows by order (validate/README.md gives the ncu command). Rows: repeats 1,
timing `one-call-under-profiler`. --profile-grid long profiles sdpa-flash alone at N = 16384 ...
131072 (B=1, H=32, d=128, causal and not), where K and V outgrow the L2 cache; long-other at
other shapes past the L2 (d=64; Hkv=8; H=16 at N=98304; B=2 at N=49152).
"""

from __future__ import annotations

import argparse
import importlib
import contextlib
import csv
import math
import os
import statistics
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from typing import Callable, Optional

import torch
import torch.nn.functional as F
from torch import nn

COLUMNS = [
    "source", "variant", "backend", "batch", "heads", "kv_heads", "seq_q", "seq_kv", "head_dim",
    "head_dim_v", "causal", "window", "dtype", "pass", "tile", "status", "median_seconds",
    "min_seconds", "max_seconds", "repeats", "timing", "cache_state", "peak_extra_memory_bytes",
    "gpu_name", "sm_count", "driver", "cuda_version", "torch_version",
]

DTYPE = torch.bfloat16
FLUSH_BYTES = 256 * 1024 * 1024
MIN_REPEATS = 10
MAX_REPEATS = 100
TARGET_TIMED_SECONDS = 0.25
SLOW_CALL_SECONDS = 0.5
SLOW_REPEATS = 5
TIMING = "cuda-events-per-call"
PROFILED_TIMING = "one-call-under-profiler"


@dataclass(frozen=True)
class Shape:
    batch: int
    heads: int
    kv_heads: int
    seq_q: int
    seq_kv: int
    head_dim: int
    causal: bool


class Unsupported(Exception):
    """A backend refused the point (raised by the case itself, e.g. a missing feature)."""


# ---------------------------------------------------------------------------------------------
# Hugging Face eager attention, as transformers' models/llama/modeling_llama.py writes it.
# ---------------------------------------------------------------------------------------------

def repeat_kv(hidden_states: torch.Tensor, n_rep: int) -> torch.Tensor:
    """(B, Hkv, N, d) -> (B, Hkv * n_rep, N, d) through expand + reshape (a copy when n_rep > 1)."""
    batch, num_key_value_heads, slen, head_dim = hidden_states.shape
    if n_rep == 1:
        return hidden_states
    hidden_states = hidden_states[:, :, None, :, :].expand(batch, num_key_value_heads, n_rep, slen, head_dim)
    return hidden_states.reshape(batch, num_key_value_heads * n_rep, slen, head_dim)


def eager_attention_forward(query, key, value, attention_mask, scaling, num_key_value_groups,
                            dropout=0.0, training=False):
    key_states = repeat_kv(key, num_key_value_groups)
    value_states = repeat_kv(value, num_key_value_groups)

    attn_weights = torch.matmul(query, key_states.transpose(2, 3)) * scaling
    if attention_mask is not None:
        causal_mask = attention_mask[:, :, :, : key_states.shape[-2]]
        attn_weights = attn_weights + causal_mask

    attn_weights = nn.functional.softmax(attn_weights, dim=-1, dtype=torch.float32).to(query.dtype)
    attn_weights = nn.functional.dropout(attn_weights, p=dropout, training=training)
    attn_output = torch.matmul(attn_weights, value_states)
    attn_output = attn_output.transpose(1, 2).contiguous()
    return attn_output, attn_weights


def build_additive_causal_mask(batch: int, seq_q: int, seq_kv: int, dtype, device) -> torch.Tensor:
    """(B, 1, Nq, Nk) additive mask: 0 where key j is visible to query i, dtype's min elsewhere.

    Bottom-right aligned (query i is at position i + Nk - Nq), as transformers builds it."""
    i = torch.arange(seq_q, device=device).view(-1, 1)
    j = torch.arange(seq_kv, device=device).view(1, -1)
    visible = j <= i + (seq_kv - seq_q)
    mask = torch.zeros((batch, 1, seq_q, seq_kv), dtype=dtype, device=device)
    mask.masked_fill_(~visible, torch.finfo(dtype).min)
    del visible, i, j
    return mask


# ---------------------------------------------------------------------------------------------
# Cases: one backend each. prepare(shape, inputs) returns a zero-argument callable.
# ---------------------------------------------------------------------------------------------

@dataclass
class Case:
    source: str
    variant: str
    backend: str
    layout: str  # "bhnd" (PyTorch SDPA, eager) or "bnhd" (flash_attn packages)
    prepare: Callable[[Shape, dict], Callable[[], object]]
    context: Callable[[], contextlib.AbstractContextManager] = contextlib.nullcontext
    gqa_fallback: bool = False  # re-measure with K/V repeated when enable_gqa is refused


def sdpa_case(backend_enum, variant: str, backend: str) -> Case:
    from torch.nn.attention import sdpa_kernel

    def prepare(shape: Shape, t: dict):
        q, k, v = t["q"], t["k"], t["v"]
        gqa = k.shape[1] != q.shape[1]
        causal = shape.causal

        def call():
            return F.scaled_dot_product_attention(q, k, v, is_causal=causal, enable_gqa=gqa)
        return call

    return Case("pytorch", variant, backend, "bhnd", prepare,
                context=lambda: sdpa_kernel([backend_enum]), gqa_fallback=True)


def eager_case() -> Case:
    def prepare(shape: Shape, t: dict):
        q, k, v = t["q"], t["k"], t["v"]
        n_rep = q.shape[1] // k.shape[1]
        scaling = shape.head_dim ** -0.5
        mask = None
        if shape.causal:
            mask = build_additive_causal_mask(shape.batch, shape.seq_q, shape.seq_kv, DTYPE, q.device)
            t["mask"] = mask  # kept alive with the inputs, freed with them

        def call():
            return eager_attention_forward(q, k, v, mask, scaling, n_rep)
        return call

    return Case("pytorch", "eager", "hf-eager", "bhnd", prepare)


def flash_attn_cases() -> list[Case]:
    """FlashAttention-2 (flash_attn) and -3 (flash_attn_interface), where installed."""
    cases = []
    for module, variant, backend in (("flash_attn", "flash2", "flash_attn"),
                                     ("flash_attn_interface", "flash3", "flash_attn_3")):
        try:
            func = importlib.import_module(module).flash_attn_func
        except Exception:
            continue

        def prepare(shape: Shape, t: dict, func=func):
            q, k, v, causal = t["q"], t["k"], t["v"], shape.causal
            return lambda: func(q, k, v, causal=causal)
        cases.append(Case("flash_attn", variant, backend, "bnhd", prepare))
    return cases


def all_cases() -> dict[str, Case]:
    from torch.nn.attention import SDPBackend
    cases = {
        "sdpa-math": sdpa_case(SDPBackend.MATH, "sdpa-math", "sdpa-math"),
        "sdpa-flash": sdpa_case(SDPBackend.FLASH_ATTENTION, "flash2", "sdpa-flash"),
        "sdpa-efficient": sdpa_case(SDPBackend.EFFICIENT_ATTENTION, "mem-efficient", "sdpa-efficient"),
        "sdpa-cudnn": sdpa_case(SDPBackend.CUDNN_ATTENTION, "cudnn", "sdpa-cudnn"),
        "hf-eager": eager_case(),
    }
    for c in flash_attn_cases():
        cases[c.backend] = c
    return cases


# ---------------------------------------------------------------------------------------------
# Grid
# ---------------------------------------------------------------------------------------------

def grid(quick: bool, cases: dict[str, Case]) -> list[tuple[Shape, list[str]]]:
    prefill = ["sdpa-math", "sdpa-flash", "sdpa-efficient", "sdpa-cudnn", "hf-eager"]
    prefill += [n for n in ("flash_attn", "flash_attn_3") if n in cases]
    decode = ["sdpa-flash", "sdpa-efficient", "hf-eager"]
    decode += [n for n in ("flash_attn", "flash_attn_3") if n in cases]

    points: list[tuple[Shape, list[str]]] = []
    if quick:
        seqs, dims = [512, 1024], [128]
        gqa_seqs, dec_seqs, dec_batches = [1024], [4096], [1, 16]
    else:
        seqs, dims = [512 * 2 ** i for i in range(8)], [128, 64]  # 512 ... 65536
        gqa_seqs, dec_seqs, dec_batches = [4096, 16384], [4096, 16384, 65536, 131072], [1, 16, 64]
    for d in dims:
        for causal in (False, True):
            for n in seqs:
                points.append((Shape(1, 32, 32, n, n, d, causal), prefill))
    for causal in (False, True):
        for n in gqa_seqs:
            points.append((Shape(1, 32, 8, n, n, 128, causal), prefill))
    for b in dec_batches:
        for n in dec_seqs:
            points.append((Shape(b, 32, 8, 1, n, 128, False), decode))
    return points


def make_inputs(shape: Shape, layout: str, device, gen: torch.Generator) -> dict:
    def randn(b, h, n, d):
        if layout == "bhnd":
            size = (b, h, n, d)
        else:
            size = (b, n, h, d)
        return torch.randn(size, dtype=DTYPE, device=device, generator=gen)
    return {
        "q": randn(shape.batch, shape.heads, shape.seq_q, shape.head_dim),
        "k": randn(shape.batch, shape.kv_heads, shape.seq_kv, shape.head_dim),
        "v": randn(shape.batch, shape.kv_heads, shape.seq_kv, shape.head_dim),
    }


# ---------------------------------------------------------------------------------------------
# Measurement
# ---------------------------------------------------------------------------------------------

def is_oom(exc: BaseException) -> bool:
    if isinstance(exc, torch.cuda.OutOfMemoryError):
        return True
    msg = str(exc).lower()
    return "out of memory" in msg or "alloc_failed" in msg or "cudnn_status_alloc" in msg


def first_line(text: str, limit: int = 200) -> str:
    line = next((ln.strip() for ln in str(text).splitlines() if ln.strip()), "")
    return line[:limit]


def describe_failure(exc: BaseException, caught: list) -> str:
    if is_oom(exc):
        return "oom"
    msg = first_line(f"{type(exc).__name__}: {exc}")
    reasons = [first_line(w.message) for w in caught][:3]
    if reasons:
        msg += " [" + "; ".join(reasons) + "]"
    refused = isinstance(exc, (RuntimeError, NotImplementedError, ValueError, TypeError, Unsupported))
    kind = "unsupported" if refused and "CUDA error" not in str(exc) else "error"
    return f"{kind}: {msg}"


class Flusher:
    """Writes a 256 MiB buffer, more than any GPU's L2, so that the next call starts cold."""

    def __init__(self, device):
        self.buf = torch.empty(FLUSH_BYTES // 4, dtype=torch.int32, device=device)

    def __call__(self):
        self.buf.zero_()


def measure(call: Callable[[], object], flush: Flusher):
    """Returns (median, min, max, repeats, timing, peak_extra_bytes)."""
    # Warm-up: the first call builds plans / loads modules; the second estimates one call's time.
    out = call()
    del out
    torch.cuda.synchronize()
    flush()
    s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    s.record()
    out = call()
    e.record()
    del out
    torch.cuda.synchronize()
    estimate = s.elapsed_time(e) / 1e3

    # Peak extra memory of one call.
    torch.cuda.synchronize()
    base = torch.cuda.memory_allocated()
    torch.cuda.reset_peak_memory_stats()
    out = call()
    torch.cuda.synchronize()
    peak_extra = torch.cuda.max_memory_allocated() - base
    del out

    timing = TIMING
    if estimate > SLOW_CALL_SECONDS:
        repeats = SLOW_REPEATS
        timing = f"{TIMING} (only {SLOW_REPEATS} repeats: one call > {SLOW_CALL_SECONDS} s)"
    else:
        repeats = int(min(MAX_REPEATS, max(MIN_REPEATS, math.ceil(TARGET_TIMED_SECONDS / max(estimate, 1e-6)))))

    starts = [torch.cuda.Event(enable_timing=True) for _ in range(repeats)]
    ends = [torch.cuda.Event(enable_timing=True) for _ in range(repeats)]
    for i in range(repeats):
        flush()
        starts[i].record()
        out = call()
        ends[i].record()
        del out
    torch.cuda.synchronize()
    times = [a.elapsed_time(b) / 1e3 for a, b in zip(starts, ends)]
    return statistics.median(times), min(times), max(times), repeats, timing, peak_extra


class RunMarker:
    """Launches the one-thread kernel attnsim_run_marker (as attnsim-bench's --profile does) on
    PyTorch's current stream: the ncu reader splits a report at these kernels."""

    def __init__(self):
        import cupy  # only --profile needs it
        self.cupy = cupy
        self.kernel = cupy.RawKernel(r'extern "C" __global__ void attnsim_run_marker() {}',
                                     "attnsim_run_marker")

    def __call__(self):
        stream = self.cupy.cuda.ExternalStream(torch.cuda.current_stream().cuda_stream)
        with stream:
            self.kernel((1,), (1,), ())


def profile_once(call: Callable[[], object], marker: RunMarker, label: str):
    """One warm-up call, then one call between two markers, inside an NVTX range."""
    out = call()
    del out
    torch.cuda.synchronize()
    s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    base = torch.cuda.memory_allocated()
    torch.cuda.reset_peak_memory_stats()
    marker()
    torch.cuda.nvtx.range_push(label)
    s.record()
    out = call()
    e.record()
    torch.cuda.nvtx.range_pop()
    marker()
    torch.cuda.synchronize()
    peak_extra = torch.cuda.max_memory_allocated() - base
    del out
    t = s.elapsed_time(e) / 1e3
    return t, t, t, 1, PROFILED_TIMING, peak_extra


def profile_grid(name: str) -> list[tuple[Shape, list[str]]]:
    points: list[tuple[Shape, list[str]]] = []
    if name == "long":
        # Where a head's K and V (N x 512 B) outgrow an H100's 50 MiB L2: does FlashAttention-2
        # re-read them from HBM per wave, and how much more when causal CTAs of unequal length
        # interleave?
        for causal in (False, True):
            for n in (16384, 32768, 65536, 131072):
                points.append((Shape(1, 32, 32, n, n, 128, causal), ["sdpa-flash"]))
        return points
    if name == "long-other":
        # Other shapes past the L2, to test what the "long" grid suggests: d = 64 (half the K/V
        # bytes per token), fewer heads, grouped K/V heads, two sequences.
        for causal in (False, True):
            for n in (65536, 131072):
                points.append((Shape(1, 32, 32, n, n, 64, causal), ["sdpa-flash"]))
                points.append((Shape(1, 32, 8, n, n, 128, causal), ["sdpa-flash"]))
            points.append((Shape(1, 16, 16, 98304, 98304, 128, causal), ["sdpa-flash"]))
            points.append((Shape(2, 32, 32, 49152, 49152, 128, causal), ["sdpa-flash"]))
        return points
    for causal in (False, True):
        for n in (1024, 4096):
            points.append((Shape(1, 32, 32, n, n, 128, causal),
                           ["sdpa-flash", "sdpa-efficient", "sdpa-math", "hf-eager"]))
    for b in (1, 64):
        points.append((Shape(b, 32, 8, 1, 16384, 128, False), ["sdpa-flash"]))
    return points


def reference_output(shape: Shape, t: dict) -> torch.Tensor:
    """fp32 attention on upcast inputs, (B, Nq, H, dv), for the --quick correctness check."""
    q, k, v = (t[x].float() for x in ("q", "k", "v"))
    n_rep = q.shape[1] // k.shape[1]
    k, v = k.repeat_interleave(n_rep, dim=1), v.repeat_interleave(n_rep, dim=1)
    s = torch.matmul(q, k.transpose(2, 3)) * shape.head_dim ** -0.5
    if shape.causal:
        i = torch.arange(shape.seq_q, device=q.device).view(-1, 1)
        j = torch.arange(shape.seq_kv, device=q.device).view(1, -1)
        s = s.masked_fill(j > i + (shape.seq_kv - shape.seq_q), float("-inf"))
    return torch.matmul(torch.softmax(s, dim=-1), v).transpose(1, 2)


def as_bnhd(out, case: Case) -> torch.Tensor:
    o = out[0] if isinstance(out, (tuple, list)) else out
    if case.backend == "hf-eager" or case.layout == "bnhd":
        return o  # eager already transposes to (B, N, H, d); flash_attn works in (B, N, H, d)
    return o.transpose(1, 2)


# ---------------------------------------------------------------------------------------------
# Environment and main loop
# ---------------------------------------------------------------------------------------------

def environment(device) -> dict:
    props = torch.cuda.get_device_properties(device)
    driver = ""
    try:
        import pynvml  # nvidia-ml-py
        pynvml.nvmlInit()
        driver = pynvml.nvmlSystemGetDriverVersion()
        driver = driver.decode() if isinstance(driver, bytes) else driver
    except Exception:
        try:
            driver = subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                                    capture_output=True, text=True, timeout=30).stdout.split("\n")[0].strip()
        except Exception:
            driver = ""
    return {
        "gpu_name": props.name,
        "sm_count": props.multi_processor_count,
        "driver": driver,
        "cuda_version": torch.version.cuda or "",
        "torch_version": torch.__version__,
    }


def fmt(x: Optional[float]) -> str:
    return "" if x is None else f"{x:.9g}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="CSV file to write (rows flushed one at a time)")
    ap.add_argument("--quick", action="store_true",
                    help="tiny grid plus a correctness check of every backend against fp32")
    ap.add_argument("--max-minutes", type=float, default=0.0,
                    help="stop measuring after this many minutes (remaining points: status "
                         "'skipped: time budget'); 0 = no limit")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--profile", action="store_true",
                    help="one call per point between attnsim_run_marker kernels, for Nsight Compute "
                         "(see the docstring)")
    ap.add_argument("--profile-grid", choices=("ncu", "long", "long-other"), default="ncu",
                    help="with --profile: ncu = the small grid above; long = sdpa-flash at N = 16384 ... "
                         "131072 (x2), B=1, H=32, d=128, causal and not; long-other = sdpa-flash past the "
                         "L2 at d=64, Hkv=8, H=16 and B=2")
    args = ap.parse_args(argv)
    if args.profile and args.quick:
        ap.error("--profile and --quick exclude each other")

    if not torch.cuda.is_available():
        print("no CUDA device", file=sys.stderr)
        return 1
    device = torch.device("cuda", 0)
    env = environment(device)
    cases = all_cases()
    points = profile_grid(args.profile_grid) if args.profile else grid(args.quick, cases)
    marker = RunMarker() if args.profile else None
    print(f"# {env['gpu_name']} ({env['sm_count']} SMs), driver {env['driver']}, CUDA {env['cuda_version']}, "
          f"torch {env['torch_version']}; backends: {', '.join(cases)}; "
          f"{sum(len(b) for _, b in points)} points", flush=True)
    try:
        print(f"# matmul fp32 precision: allow_tf32={torch.backends.cuda.matmul.allow_tf32}; "
              f"math SDPA fp16/bf16 reduction allowed: "
              f"{torch.backends.cuda.fp16_bf16_reduction_math_sdp_allowed()}", flush=True)
    except Exception:
        pass

    gen = torch.Generator(device=device)
    gen.manual_seed(args.seed)
    flush = Flusher(device)
    t_start = time.monotonic()

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        f.flush()

        def write(shape: Shape, case: Case, status: str, res=None, backend=None, kv_heads=None):
            med = mn = mx = None
            reps, timing, peak = "", TIMING, ""
            if res is not None:
                med, mn, mx, reps, timing, peak = res
            row = {
                "source": case.source, "variant": case.variant, "backend": backend or case.backend,
                "batch": shape.batch, "heads": shape.heads,
                "kv_heads": shape.kv_heads if kv_heads is None else kv_heads,
                "seq_q": shape.seq_q, "seq_kv": shape.seq_kv, "head_dim": shape.head_dim,
                "head_dim_v": shape.head_dim, "causal": "true" if shape.causal else "false",
                "window": "", "dtype": "bf16", "pass": "forward", "tile": "", "status": status,
                "median_seconds": fmt(med), "min_seconds": fmt(mn), "max_seconds": fmt(mx),
                "repeats": reps, "timing": timing, "cache_state": "cold",
                "peak_extra_memory_bytes": peak, **env,
            }
            w.writerow([row[c] for c in COLUMNS])
            f.flush()
            ms = f"{med * 1e3:10.4f} ms" if med is not None else " " * 13
            mem = f"{int(peak) / 2**20:10.1f} MiB" if peak != "" else ""
            print(f"{row['backend']:>26} B={shape.batch:<3} H={shape.heads}/{row['kv_heads']:<2} "
                  f"Nq={shape.seq_q:<6} Nk={shape.seq_kv:<6} d={shape.head_dim:<3} "
                  f"causal={int(shape.causal)} {ms} {mem} {status if status != 'ok' else ''}",
                  flush=True)

        worst_err = [0.0]  # quick mode: worst relative error against the fp32 reference

        def run_one(shape: Shape, case: Case, t: dict, backend=None, kv_heads=None) -> str:
            """Measures one point and writes its row; returns its status."""
            status, res, call = "ok", None, None
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    with case.context():
                        call = case.prepare(shape, t)
                        if args.quick:
                            out = call()
                            err = ((as_bnhd(out, case).float() - t["ref"]).norm() / t["ref"].norm()).item()
                            del out
                            worst_err[0] = max(worst_err[0], err if err == err else float("inf"))
                            print(f"  check {backend or case.backend}: rel err {err:.2e}", flush=True)
                        if marker is not None:
                            label = f"{backend or case.backend} {shape}"
                            res = profile_once(call, marker, label)
                        else:
                            res = measure(call, flush)
                except Exception as exc:  # noqa: BLE001: every failure becomes a row
                    status = describe_failure(exc, caught)
            # Outside the except block, so that the traceback (and the tensors its frames hold)
            # is gone before the cache is emptied.
            del call
            t.pop("mask", None)
            if status != "ok":
                try:
                    torch.cuda.synchronize()
                except Exception:  # noqa: BLE001
                    pass
                torch.cuda.empty_cache()
            write(shape, case, status, res, backend=backend, kv_heads=kv_heads)
            return status

        def run_repeated_kv(shape: Shape, case: Case, t: dict):
            """The backend refused enable_gqa: measure it on K/V expanded to H heads beforehand."""
            n_rep = shape.heads // shape.kv_heads
            shape2 = Shape(shape.batch, shape.heads, shape.heads, shape.seq_q, shape.seq_kv,
                           shape.head_dim, shape.causal)
            name = case.backend + "+kv-repeated"
            t2, status = {}, None
            try:
                t2 = {"q": t["q"], "k": t["k"].repeat_interleave(n_rep, dim=1),
                      "v": t["v"].repeat_interleave(n_rep, dim=1)}
                if "ref" in t:
                    t2["ref"] = t["ref"]
            except Exception as exc:  # noqa: BLE001
                status = "oom" if is_oom(exc) else f"error: inputs: {first_line(exc)}"
            if status is None:
                run_one(shape2, case, t2, backend=name)
            else:
                t2.clear()
                torch.cuda.empty_cache()
                write(shape2, case, status, backend=name)
            t2.clear()

        for shape, names in points:
            by_layout: dict[str, list[Case]] = {}
            for n in names:
                by_layout.setdefault(cases[n].layout, []).append(cases[n])
            for layout, lcases in by_layout.items():
                if args.max_minutes and time.monotonic() - t_start > 60 * args.max_minutes:
                    for c in lcases:
                        write(shape, c, "skipped: time budget")
                    continue
                t: dict = {}
                status = None
                try:
                    t = make_inputs(shape, layout, device, gen)
                    if args.quick:
                        ref_in = t if layout == "bhnd" else {x: t[x].transpose(1, 2) for x in ("q", "k", "v")}
                        t["ref"] = reference_output(shape, ref_in)
                except Exception as exc:  # noqa: BLE001
                    status = "oom" if is_oom(exc) else f"error: inputs: {first_line(exc)}"
                if status is not None:
                    t.clear()
                    torch.cuda.empty_cache()
                    for c in lcases:
                        write(shape, c, status)
                    continue
                for case in lcases:
                    status = run_one(shape, case, t)
                    if (shape.kv_heads != shape.heads and case.gqa_fallback
                            and status.startswith("unsupported")):
                        run_repeated_kv(shape, case, t)
                t.clear()
                torch.cuda.empty_cache()

    print(f"# done in {time.monotonic() - t_start:.1f} s -> {args.out}", flush=True)
    if args.quick:
        print(f"# quick check: worst relative error vs fp32 reference {worst_err[0]:.2e}", flush=True)
        if not worst_err[0] < 2e-2:
            print("# quick check FAILED (relative error >= 2e-2)", flush=True)
            return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
