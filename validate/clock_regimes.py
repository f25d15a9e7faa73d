#!/usr/bin/env python3
"""The clock an attention kernel runs at: one call after the GPU idled (a benchmark's burst) against
the same call back to back for many seconds (serving, training), to tell the two clocks a GPU
profile needs apart (the boost clock a short call holds; the power-limited clock of sustained work).

Usage:
    python3 validate/clock_regimes.py --out calls.csv [--sustain-seconds 12] [--idle-seconds 2]

Per kernel (FlashAttention-2, cuDNN and CUTLASS fMHA through PyTorch SDPA, and a cuBLAS bf16 GEMM as a
reference at B = 4, H = 32, N = 8192, d = 128, forward, not causal): `--bursts` single calls, each
after `--idle-seconds` of idle GPU, then calls back to back for `--sustain-seconds`. Every call is
timed with CUDA events and written as a row: kernel, phase (burst or sustained), call index, the
host wall time at its start (time.time(), to align with an nvidia-smi clock log) and its duration.
Run nvidia-smi --query-gpu=timestamp,clocks.sm,power.draw,temperature.gpu --format=csv -lms 100
beside it for the clocks (validate/run_clock_regimes_device.sh does both). Reads GPU state only;
changes no clocks or settings.
"""
from __future__ import annotations

import argparse
import csv
import sys
import time

import torch
import torch.nn.functional as F

SHAPE = dict(batch=4, heads=32, seq=8192, head_dim=128)


def kernels(device) -> dict:
    from torch.nn.attention import SDPBackend, sdpa_kernel
    b, h, n, d = SHAPE["batch"], SHAPE["heads"], SHAPE["seq"], SHAPE["head_dim"]
    q, k, v = (torch.randn(b, h, n, d, dtype=torch.bfloat16, device=device) for _ in range(3))
    a = torch.randn(8192, 8192, dtype=torch.bfloat16, device=device)
    w = torch.randn(8192, 8192, dtype=torch.bfloat16, device=device)

    def sdpa(backend):
        def call():
            with sdpa_kernel([backend]):
                return F.scaled_dot_product_attention(q, k, v)
        return call

    return {
        "sdpa-flash": sdpa(SDPBackend.FLASH_ATTENTION),
        "sdpa-cudnn": sdpa(SDPBackend.CUDNN_ATTENTION),
        "sdpa-efficient": sdpa(SDPBackend.EFFICIENT_ATTENTION),
        "cublas-gemm-8192": lambda: a @ w,
    }


def timed(call) -> tuple[float, float]:
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    wall = time.time()
    start.record()
    call()
    end.record()
    end.synchronize()
    return wall, start.elapsed_time(end) * 1e-3


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True)
    p.add_argument("--bursts", type=int, default=5)
    p.add_argument("--idle-seconds", type=float, default=2.0)
    p.add_argument("--sustain-seconds", type=float, default=12.0)
    args = p.parse_args()
    device = torch.device("cuda")
    calls = kernels(device)
    with open(args.out, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["kernel", "phase", "call", "wall_start_unix_seconds", "duration_seconds",
                      "batch", "heads", "seq", "head_dim", "gpu_name", "torch_version"])
        meta = [SHAPE["batch"], SHAPE["heads"], SHAPE["seq"], SHAPE["head_dim"], torch.cuda.get_device_name(0),
                torch.__version__]
        for name, call in calls.items():
            call()  # build plans and caches outside the timing
            torch.cuda.synchronize()
            for i in range(args.bursts):
                time.sleep(args.idle_seconds)
                wall, seconds = timed(call)
                out.writerow([name, "burst", i, f"{wall:.3f}", f"{seconds:.6e}"] + meta)
            f.flush()
            i, stop = 0, time.time() + args.sustain_seconds
            while time.time() < stop:
                wall, seconds = timed(call)
                out.writerow([name, "sustained", i, f"{wall:.3f}", f"{seconds:.6e}"] + meta)
                i += 1
            f.flush()
            print(f"{name}: {args.bursts} bursts, {i} sustained calls", file=sys.stderr, flush=True)
            time.sleep(args.idle_seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
