#!/usr/bin/env python3
"""Microbenchmarks of the kernel classes and overheads attnsim's materialized and whole-model
paths are built from, measured through PyTorch on a CUDA GPU.

Usage:
    python3 validate/pytorch_microbench.py --out FILE.csv

Rows (kind, shape, seconds per op, achieved rate):
  launch-gap       a 1-element add captured 200 times in one CUDA graph, replayed: GPU time per
                   kernel when kernels are tiny and launched back to back without the host.
  host-dispatch    the same add issued 2000 times from Python in eager mode between two events:
                   seconds per op when the host, not the GPU, sets the pace.
  bmm              torch.matmul of bf16 (B*H, M, K) x (B*H, K, N) at attention's shapes (K = head
                   dim for QK^T, K = N for PV), and fp32 with TF32 off (the SDPA math path);
                   flops/s over 2*B*H*M*N*K.
  gemm             a square bf16 cuBLAS product (the wgmma path on sm90), 8192^3.
  elementwise      out = x * s (bf16 and fp32) and softmax over the last dim (fp32 in, fp32 out),
                   at sizes from 1 MiB to 8 GiB: bytes/s over bytes read + written.
  copy             a device-to-device copy of 4 GiB: bytes read + written per second.
Timing: CUDA-graph replay of the op (GPU-side), median over batches; inputs cold only where they
exceed the L2 (the sizes say which).
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pytorch_attention_bench as base  # noqa: E402
from cuda_graphs import capture, replay_seconds  # noqa: E402

COLUMNS = ["kind", "dtype", "shape", "bytes", "flops", "median_seconds", "min_seconds", "max_seconds",
           "repeats", "rate_per_second", "rate_unit", "timing", "gpu_name", "sm_count", "driver",
           "cuda_version", "torch_version"]


def graph_time(op, per_graph: int = 1, target_seconds: float = 0.1):
    graph = capture(op, per_graph)
    s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    s.record()
    graph.replay()
    e.record()
    torch.cuda.synchronize()
    estimate = max(s.elapsed_time(e) / 1e3, 1e-7)
    replays = int(min(500, max(1, target_seconds / 5 / estimate)))
    median, lo, hi = replay_seconds(graph, replays)
    return median / per_graph, lo / per_graph, hi / per_graph, 5 * replays * per_graph


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    device = torch.device("cuda")
    env = base.environment(device)
    torch.backends.cuda.matmul.allow_tf32 = False
    rows = []

    def add(kind, dtype, shape, nbytes, flops, timing, result, rate, unit):
        median, lo, hi, repeats = result
        rows.append({"kind": kind, "dtype": dtype, "shape": shape, "bytes": nbytes, "flops": flops,
                     "median_seconds": f"{median:.6e}", "min_seconds": f"{lo:.6e}", "max_seconds": f"{hi:.6e}",
                     "repeats": repeats, "rate_per_second": f"{rate(median):.6e}" if rate else "",
                     "rate_unit": unit, "timing": timing, **env})
        print(f"{kind:12s} {dtype:5s} {shape:28s} {median * 1e6:10.2f} us {unit}", flush=True)

    x = torch.zeros(1, device=device)
    add("launch-gap", "fp32", "1", 8, 0, "cuda-graph-replay, 200 kernels per graph",
        graph_time(lambda: x.add_(1.0), per_graph=200), None, "")
    torch.cuda.synchronize()
    s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    samples = []
    for _ in range(5):
        s.record()
        for _ in range(2000):
            x.add_(1.0)
        e.record()
        torch.cuda.synchronize()
        samples.append(s.elapsed_time(e) / 1e3 / 2000)
    add("host-dispatch", "fp32", "1", 8, 0, "cuda-events-back-to-back-eager, 2000 ops",
        (statistics.median(samples), min(samples), max(samples), 10000), None, "")

    for dtype, name in ((torch.bfloat16, "bf16"), (torch.float32, "fp32")):
        for bh, n, d in ((32, 1024, 128), (32, 4096, 128), (32, 4096, 64), (32, 16384, 128), (32, 4096, 256)):
            q = torch.randn(bh, n, d, device=device, dtype=dtype)
            k = torch.randn(bh, d, n, device=device, dtype=dtype)
            flops = 2.0 * bh * n * n * d
            add("bmm", name, f"qk {bh}x{n}x{n}x{d}", 0, flops, "cuda-graph-replay",
                graph_time(lambda: torch.matmul(q, k)), lambda t: flops / t, "flop/s")
            p = torch.randn(bh, n, n, device=device, dtype=dtype)
            v = torch.randn(bh, n, d, device=device, dtype=dtype)
            add("bmm", name, f"pv {bh}x{n}x{d}x{n}", 0, flops, "cuda-graph-replay",
                graph_time(lambda: torch.matmul(p, v)), lambda t: flops / t, "flop/s")
            del q, k, p, v
            torch.cuda.empty_cache()

    a = torch.randn(8192, 8192, device=device, dtype=torch.bfloat16)
    b = torch.randn(8192, 8192, device=device, dtype=torch.bfloat16)
    gemm_flops = 2.0 * 8192 ** 3
    add("gemm", "bf16", "8192x8192x8192", 0, gemm_flops, "cuda-graph-replay", graph_time(lambda: a @ b),
        lambda t: gemm_flops / t, "flop/s")
    del a, b

    for dtype, name, size in ((torch.bfloat16, "bf16", 2), (torch.float32, "fp32", 4)):
        for mib in (1, 16, 256, 2048, 8192):
            n = mib * 2 ** 20 // size
            t = torch.randn(n // 4096, 4096, device=device, dtype=dtype)
            nbytes = 2 * n * size
            add("elementwise", name, f"scale {mib} MiB", nbytes, 0, "cuda-graph-replay",
                graph_time(lambda: t * 0.125), lambda s_: nbytes / s_, "byte/s")
            if name == "fp32":
                add("elementwise", name, f"softmax {mib} MiB", nbytes, 0, "cuda-graph-replay",
                    graph_time(lambda: torch.softmax(t, dim=-1)), lambda s_: nbytes / s_, "byte/s")
            del t
            torch.cuda.empty_cache()

    src = torch.empty(2 ** 30, dtype=torch.float32, device=device)
    dst = torch.empty_like(src)
    copy_bytes = 2 * src.numel() * 4
    add("copy", "fp32", "4 GiB", copy_bytes, 0, "cuda-graph-replay", graph_time(lambda: dst.copy_(src)),
        lambda t: copy_bytes / t, "byte/s")

    with open(args.out, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
