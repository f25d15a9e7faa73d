#!/usr/bin/env python3
"""Whether a PyTorch SDPA backend's call waits for the GPU on the host, and how long its host side
takes: the mechanism behind eager-mode calls that run longer than the kernel plus the launch.

Usage:
    python3 validate/sdpa_host_sync.py --out host_sync.csv

Per backend (flash, cuDNN, CUTLASS fMHA; B = 1, H = 32, N = 4096, d = 128, bf16 forward, not causal):
- `idle`: the GPU idle (synchronized), the host time of one call (time.perf_counter around it, no
  synchronization inside the bracket): the host side alone, when nothing makes it wait;
- `busy`: the same right after queueing about 20 ms of GPU work (a bf16 matmul loop): a call that
  returns in microseconds queued its kernel; one that returns after ~20 ms waited for the GPU;
- `back-to-back`: 200 calls queued without synchronization, host time per call and GPU time per
  call (CUDA events around all of them).
Rows: backend, mode, repeat, host_seconds, gpu_seconds_per_call. Reads GPU state only.
"""
from __future__ import annotations

import argparse
import csv
import sys
import time


def main() -> int:
    import torch
    import torch.nn.functional as F
    from torch.nn.attention import SDPBackend, sdpa_kernel

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True)
    p.add_argument("--repeats", type=int, default=20)
    args = p.parse_args()
    device = torch.device("cuda")
    q, k, v = (torch.randn(1, 32, 4096, 128, dtype=torch.bfloat16, device=device) for _ in range(3))
    a = torch.randn(8192, 8192, dtype=torch.bfloat16, device=device)
    backends = {"sdpa-flash": SDPBackend.FLASH_ATTENTION, "sdpa-cudnn": SDPBackend.CUDNN_ATTENTION,
                "sdpa-efficient": SDPBackend.EFFICIENT_ATTENTION}
    with open(args.out, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["backend", "mode", "repeat", "host_seconds", "gpu_seconds_per_call", "gpu_name", "torch_version"])
        meta = [torch.cuda.get_device_name(0), torch.__version__]
        for name, backend in backends.items():
            with sdpa_kernel([backend]):
                for _ in range(3):
                    F.scaled_dot_product_attention(q, k, v)
                torch.cuda.synchronize()
                for i in range(args.repeats):
                    torch.cuda.synchronize()
                    t0 = time.perf_counter()
                    F.scaled_dot_product_attention(q, k, v)
                    host = time.perf_counter() - t0
                    out.writerow([name, "idle", i, f"{host:.6e}", ""] + meta)
                for i in range(args.repeats):
                    torch.cuda.synchronize()
                    for _ in range(14):  # ~20 ms of queued GPU work
                        a @ a
                    t0 = time.perf_counter()
                    F.scaled_dot_product_attention(q, k, v)
                    host = time.perf_counter() - t0
                    torch.cuda.synchronize()
                    out.writerow([name, "busy", i, f"{host:.6e}", ""] + meta)
                for i in range(3):
                    torch.cuda.synchronize()
                    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                    start.record()
                    t0 = time.perf_counter()
                    for _ in range(200):
                        F.scaled_dot_product_attention(q, k, v)
                    host = (time.perf_counter() - t0) / 200
                    end.record()
                    end.synchronize()
                    out.writerow([name, "back-to-back", i, f"{host:.6e}",
                                  f"{start.elapsed_time(end) * 1e-3 / 200:.6e}"] + meta)
            f.flush()
            print(f"{name}: done", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
