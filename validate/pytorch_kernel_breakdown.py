#!/usr/bin/env python3
"""Every CUDA kernel one attention call launches, with its grid and duration, measured through the
PyTorch profiler on a CUDA GPU: the materialized chains and the fused kernels as they really run.

Usage:
    python3 validate/pytorch_kernel_breakdown.py --kernels FILE.csv --standard FILE.csv [--quick]

--kernels: one row per kernel of one call (kernel_index in launch order), for forward calls under
  torch.no_grad() and forward+backward calls (torch.autograd.grad), at decode shapes (Nq = 1,
  GQA 32/8 heads) and training shapes. Timing: the call issued `CALLS` times back to back after a
  warm-up, under torch.profiler (CUPTI kernel records: GPU time of each kernel, no host time);
  duration_seconds is the median over the calls of that kernel index. Inputs warm in L2 where they
  fit (the same state as CUDA-graph replay).
  The --kernels file also holds standard attention's kernels (backend pytorch-standard, fp16) at
  four of the shapes below.
--standard: the baseline the FlashAttention papers call "PyTorch standard attention"
  (`attention_pytorch` of Dao-AILab/flash-attention benchmarks/benchmark_flash_attention.py: packed
  qkv, rearranged Q and K^T, baddbmm with the scale as alpha, an fp32 causal mask built per call
  and added in the input dtype, softmax in the input dtype, einsum with V), fp16, at the papers'
  benchmark shapes (hidden 2048, batch x seqlen = 16k), in the validate/README.md schema:
  forward (CUDA-graph replay), forward+backward (one graph), backward (their difference), and
  forward issued back to back in eager mode (host-inclusive).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import statistics
import sys
import tempfile
import time
import warnings

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pytorch_attention_bench as base  # noqa: E402
import pytorch_training_bench as training  # noqa: E402
from cuda_graphs import capture  # noqa: E402

CALLS = 5
KERNEL_COLUMNS = ["point", "backend", "pass", "batch", "heads", "kv_heads", "seq_q", "seq_kv", "head_dim", "causal",
                  "dtype", "status", "kernel_index", "kernel_name", "grid", "block", "registers_per_thread",
                  "shared_memory_bytes", "duration_seconds", "kernels_per_call", "gpu_name", "sm_count", "driver",
                  "cuda_version", "torch_version"]
STANDARD_TIMING_GRAPH = training.GRAPH_TIMING
STANDARD_TIMING_EAGER = training.EAGER_TIMING


def attention_pytorch(qkv: torch.Tensor, causal: bool) -> torch.Tensor:
    """benchmarks/benchmark_flash_attention.py `attention_pytorch`, written with torch ops alone
    (einops' rearrange is reshape/permute: the same copies)."""
    batch, seqlen, _, nheads, d = qkv.shape
    q, k, v = qkv.unbind(dim=2)
    q = q.permute(0, 2, 1, 3).reshape(batch * nheads, seqlen, d)
    k = k.permute(0, 2, 3, 1).reshape(batch * nheads, d, seqlen)
    scale = 1.0 / math.sqrt(d)
    scores = torch.empty(batch * nheads, seqlen, seqlen, dtype=qkv.dtype, device=qkv.device)
    scores = torch.baddbmm(scores, q, k, beta=0, alpha=scale).view(batch, nheads, seqlen, seqlen)
    if causal:
        causal_mask = torch.triu(torch.full((seqlen, seqlen), -10000.0, device=scores.device), 1)
        scores = scores + causal_mask.to(dtype=scores.dtype)
    attention = torch.softmax(scores, dim=-1)
    attention_drop = torch.nn.functional.dropout(attention, 0.0)
    output = torch.einsum("bhts,bshd->bthd", attention_drop, v)
    return output.to(dtype=qkv.dtype)


def kernel_records(trace_path: str) -> list[dict]:
    with open(trace_path) as f:
        trace = json.load(f)
    kernels = [e for e in trace.get("traceEvents", []) if e.get("cat") == "kernel"]
    kernels.sort(key=lambda e: e["ts"])
    return kernels


def profile_calls(call, calls: int = CALLS) -> tuple[list[dict], int]:
    """Kernels of `calls` back-to-back calls, grouped per call: (rows per kernel index, per call)."""
    call()
    torch.cuda.synchronize()
    from torch.profiler import ProfilerActivity, profile
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        for _ in range(calls):
            call()
        torch.cuda.synchronize()
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
        path = tmp.name
    prof.export_chrome_trace(path)
    kernels = kernel_records(path)
    os.unlink(path)
    if not kernels or len(kernels) % calls != 0:
        raise RuntimeError(f"profiler saw {len(kernels)} kernels for {calls} calls: not a whole number per call")
    per_call = len(kernels) // calls
    rows = []
    for i in range(per_call):
        same = [kernels[c * per_call + i] for c in range(calls)]
        args = same[0].get("args", {})
        rows.append({
            "kernel_index": i,
            "kernel_name": same[0]["name"][:300],
            "grid": "x".join(str(g) for g in args.get("grid", [])),
            "block": "x".join(str(b) for b in args.get("block", [])),
            "registers_per_thread": args.get("registers per thread", ""),
            "shared_memory_bytes": args.get("shared memory", ""),
            "duration_seconds": f"{statistics.median(k['dur'] for k in same) * 1e-6:.6e}",
        })
    return rows, per_call


def breakdown_points(quick: bool) -> list[tuple[base.Shape, list[str], list[str]]]:
    """(shape, backends, passes)."""
    points = []
    decode_backends = ["hf-eager", "sdpa-flash", "sdpa-cudnn", "sdpa-math"]
    for b, n in ((1, 4096), (1, 16384), (1, 65536), (16, 4096), (16, 16384), (16, 65536), (64, 4096), (64, 16384)):
        if quick and (b, n) != (1, 4096):
            continue
        for d in (128, 64):
            if d == 64 and b != 16:
                continue
            points.append((base.Shape(b, 32, 8, 1, n, d, False), decode_backends, ["forward"]))
    train = [
        (base.Shape(1, 32, 32, 4096, 4096, 128, False), ["sdpa-efficient", "sdpa-cudnn", "sdpa-flash"]),
        (base.Shape(1, 32, 32, 4096, 4096, 256, False), ["sdpa-efficient", "sdpa-cudnn", "sdpa-flash"]),
        (base.Shape(1, 32, 32, 4096, 4096, 256, True), ["sdpa-efficient", "sdpa-cudnn"]),
        (base.Shape(1, 32, 32, 16384, 16384, 128, False), ["sdpa-flash"]),
        (base.Shape(1, 32, 32, 1024, 1024, 128, True), ["sdpa-flash", "sdpa-cudnn"]),
        (base.Shape(1, 32, 32, 4096, 4096, 64, True), ["hf-eager", "sdpa-math"]),
        (base.Shape(1, 32, 32, 4096, 4096, 128, False), ["hf-eager", "sdpa-math"]),
        (base.Shape(1, 32, 8, 4096, 4096, 128, True), ["hf-eager"]),
    ]
    for shape, backends in (train[:1] if quick else train):
        points.append((shape, backends, ["forward", "forward+backward"]))
    return points


def efficient_forward_points() -> list[tuple[base.Shape, list[str], list[str]]]:
    """CUTLASS fMHA's forward kernels (sdpa-efficient) across head dims that pick each of PyTorch's
    three sm80 kernels (64x64 up to 64, 64x128 up to 128, 32x128 with the output accumulated in
    global memory above), prompt lengths and causality: the kernel classes of model/variants."""
    points = []
    for d in (64, 96, 128, 160, 256, 384, 512):
        for n in (1024, 4096, 16384):
            for causal in (False, True):
                heads = 32 if d <= 256 else 16
                points.append((base.Shape(1, heads, heads, n, n, d, causal), ["sdpa-efficient"], ["forward"]))
    return points


def write_breakdown(path: str, quick: bool, env: dict, device, gen, efficient_forward: bool = False) -> None:
    cases = base.all_cases()
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=KERNEL_COLUMNS)
        writer.writeheader()
        points = efficient_forward_points() if efficient_forward else breakdown_points(quick)
        for number, (shape, backends, passes) in enumerate(points):
            for name in backends:
                case = cases[name]
                common = {"point": number, "backend": name, "batch": shape.batch, "heads": shape.heads,
                          "kv_heads": shape.kv_heads, "seq_q": shape.seq_q, "seq_kv": shape.seq_kv,
                          "head_dim": shape.head_dim, "causal": str(shape.causal).lower(), "dtype": "bf16", **env}
                for pass_ in passes:
                    with warnings.catch_warnings(record=True) as caught:
                        warnings.simplefilter("always")
                        try:
                            t = base.make_inputs(shape, case.layout, device, gen)
                            if pass_ != "forward":
                                for key in ("q", "k", "v"):
                                    t[key].requires_grad_(True)
                            call = case.prepare(shape, t)
                            with case.context():
                                if pass_ == "forward":
                                    def run():
                                        with torch.no_grad():
                                            return training.output_of(call())
                                else:
                                    grad_out = torch.randn_like(training.output_of(call()).detach())

                                    def run():
                                        out = training.output_of(call())
                                        return torch.autograd.grad(out, (t["q"], t["k"], t["v"]), grad_out)
                                rows, per_call = profile_calls(run)
                            status = "ok"
                        except Exception as exc:  # one failed point must not stop the rest
                            rows, per_call, status = [], 0, base.describe_failure(exc, caught)
                    if not rows:
                        writer.writerow({**common, "pass": pass_, "status": status})
                    for row in rows:
                        writer.writerow({**common, "pass": pass_, "status": status, "kernels_per_call": per_call,
                                         **row})
                    f.flush()
                    total = sum(float(r["duration_seconds"]) for r in rows)
                    print(f"{name:15s} {pass_:16s} B={shape.batch} H={shape.heads}/{shape.kv_heads} "
                          f"Nq={shape.seq_q} Nk={shape.seq_kv} d={shape.head_dim} causal={shape.causal}: "
                          f"{status[:60]} {per_call} kernels, {total * 1e6:.1f} us", flush=True)
                    t = None
                    torch.cuda.empty_cache()
        if not efficient_forward:
            write_standard_breakdown(writer, len(points), quick, env, device, gen)


STANDARD_BREAKDOWN = [(4, 16, 4096, 128, False), (4, 16, 4096, 128, True), (2, 32, 8192, 64, False),
                      (32, 16, 512, 128, True)]


def write_standard_breakdown(writer, first_point: int, quick: bool, env: dict, device, gen) -> None:
    """Kernels of standard attention's forward and forward+backward, appended to the --kernels file."""
    for offset, (batch, heads, n, d, causal) in enumerate(STANDARD_BREAKDOWN[:1] if quick else STANDARD_BREAKDOWN):
        common = {"point": first_point + offset, "backend": "pytorch-standard", "batch": batch, "heads": heads,
                  "kv_heads": heads, "seq_q": n, "seq_kv": n, "head_dim": d, "causal": str(causal).lower(),
                  "dtype": "fp16", **env}
        for pass_ in ("forward", "forward+backward"):
            try:
                qkv = torch.randn(batch, n, 3, heads, d, device=device, dtype=torch.float16, generator=gen,
                                  requires_grad=True)
                grad_out = torch.randn(batch, n, heads, d, device=device, dtype=torch.float16, generator=gen)
                if pass_ == "forward":
                    def run():
                        with torch.no_grad():
                            return attention_pytorch(qkv, causal)
                else:
                    def run():
                        return torch.autograd.grad(attention_pytorch(qkv, causal), qkv, grad_out)
                rows, per_call = profile_calls(run)
                status = "ok"
            except Exception as exc:
                rows, per_call, status = [], 0, base.describe_failure(exc, [])
            if not rows:
                writer.writerow({**common, "pass": pass_, "status": status})
            for row in rows:
                writer.writerow({**common, "pass": pass_, "status": status, "kernels_per_call": per_call, **row})
            total = sum(float(r["duration_seconds"]) for r in rows)
            print(f"standard        {pass_:16s} B={batch} H={heads} N={n} d={d} causal={causal}: {status[:60]} "
                  f"{per_call} kernels, {total * 1e6:.1f} us", flush=True)
            qkv = None
            torch.cuda.empty_cache()


def write_standard(path: str, quick: bool, env: dict, device, gen) -> None:
    shapes = [(32, 512), (16, 1024), (8, 2048), (4, 4096), (2, 8192), (1, 16384)]
    if quick:
        shapes = shapes[:2]
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=base.COLUMNS)
        writer.writeheader()
        for causal in (False, True):
            for d in (64, 128):
                heads = 2048 // d
                for batch, n in shapes:
                    common = {"source": "pytorch", "variant": "standard", "backend": "pytorch-standard",
                              "batch": batch, "heads": heads, "kv_heads": heads, "seq_q": n, "seq_kv": n,
                              "head_dim": d, "head_dim_v": d, "causal": str(causal).lower(), "window": "",
                              "dtype": "fp16", "tile": "", "cache_state": "warm", **env}
                    try:
                        qkv = torch.randn(batch, n, 3, heads, d, device=device, dtype=torch.float16,
                                          generator=gen, requires_grad=True)

                        def forward():
                            with torch.no_grad():
                                return attention_pytorch(qkv, causal)
                        grad_out = torch.randn(batch, n, heads, d, device=device, dtype=torch.float16, generator=gen)

                        def forward_backward():
                            return torch.autograd.grad(attention_pytorch(qkv, causal), qkv, grad_out)

                        eager = training.time_replays(forward)
                        g = capture(forward)
                        fwd = training.time_replays(g.replay)
                        del g
                        torch.cuda.synchronize()
                        before = torch.cuda.memory_allocated()
                        torch.cuda.reset_peak_memory_stats()
                        grads = forward_backward()
                        torch.cuda.synchronize()
                        peak = torch.cuda.max_memory_allocated() - before
                        del grads
                        g = capture(forward_backward)
                        both = training.time_replays(g.replay)
                        del g
                    except Exception as exc:
                        writer.writerow({**common, "pass": "forward", "status": base.describe_failure(exc, []),
                                         "repeats": 0, "timing": STANDARD_TIMING_GRAPH})
                        print(f"standard B={batch} N={n} d={d} causal={causal}: {exc}"[:200], flush=True)
                        qkv = None
                        torch.cuda.empty_cache()
                        continue
                    bwd = both[0] - fwd[0]
                    for pass_, timing, (median, lo, hi, repeats), peak_bytes in (
                            ("forward", STANDARD_TIMING_EAGER, eager, ""),
                            ("forward", STANDARD_TIMING_GRAPH, fwd, ""),
                            ("forward+backward", STANDARD_TIMING_GRAPH, both, peak),
                            ("backward", STANDARD_TIMING_GRAPH + " (forward+backward minus forward)",
                             (bwd, bwd, bwd, both[3]), "")):
                        writer.writerow({**common, "pass": pass_, "status": "ok", "median_seconds": f"{median:.9e}",
                                         "min_seconds": f"{lo:.9e}", "max_seconds": f"{hi:.9e}", "repeats": repeats,
                                         "timing": timing, "peak_extra_memory_bytes": peak_bytes})
                    f.flush()
                    print(f"standard B={batch} H={heads} N={n} d={d} causal={causal}: fwd {fwd[0] * 1e3:.3f} ms "
                          f"fwd+bwd {both[0] * 1e3:.3f} ms", flush=True)
                    qkv = None
                    torch.cuda.empty_cache()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kernels", required=True)
    parser.add_argument("--standard", required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--efficient-forward", action="store_true",
                        help="only CUTLASS fMHA's forward kernels over head dim, N and causality (no standard file)")
    args = parser.parse_args()
    device = torch.device("cuda")
    gen = torch.Generator(device=device)
    gen.manual_seed(0)
    env = base.environment(device)
    start = time.monotonic()
    if not args.efficient_forward:
        write_standard(args.standard, args.quick, env, device, gen)
        print(f"# standard done in {time.monotonic() - start:.1f} s", flush=True)
    write_breakdown(args.kernels, args.quick, env, device, gen, args.efficient_forward)
    print(f"# done in {time.monotonic() - start:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
