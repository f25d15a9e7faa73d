"""cuBLAS GEMMs at the shapes of language models' projections, as nn.Linear calls them: F.linear(x, w)
in bf16 with x (M, K) and w (N, K), y = x w^T (M, N), no bias. The (N, K) pairs are the q/o, k/v,
gate/up and down projections and the LM head of models in models/*.toml; M, the tokens of the call,
runs from a decode step's batch to a long prefill.

Files written under --out-dir:
  gemm_grid.csv   one row per (shape, M):
    model, projection, m, n, k, flops, min_bytes (x, w read once and y written once, bf16)
    sustained_seconds  median GPU time per call over 5 batches of back-to-back CUDA-graph replays
                       lasting about --sustain-seconds each (the GEMM's own power and clock regime)
    sm_mhz, power_w    NVML's SM clock and board power read while the last batch ran
    alone_seconds      median of 7 single calls, each after --idle-seconds of an idle GPU, timed by
                       CUDA events around the call (a whole-model forward's GEMMs run between other kernels)
    kernel, grid, block   the kernel cuBLAS chose, from one call traced by torch.profiler
    gpu_name, driver, torch_version

usage: python3 measure_gemm_grid.py --out-dir DIR [--sustain-seconds 0.2] [--idle-seconds 0.1]
"""
import argparse
import csv
import os
import statistics
import subprocess
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from cuda_graphs import capture  # noqa: E402
from measure_prefill_kernels import traced_kernels  # noqa: E402

# (model, projection, N, K) from models/*.toml: hidden, kv heads x head dim, intermediate, vocab.
PROJECTIONS = [
    ("llama-3.1-8b", "q_o", 4096, 4096),
    ("llama-3.1-8b", "k_v", 1024, 4096),
    ("llama-3.1-8b", "gate_up", 14336, 4096),
    ("llama-3.1-8b", "down", 4096, 14336),
    ("llama-3.1-8b", "lm_head", 128256, 4096),
    ("qwen2.5-7b", "q_o", 3584, 3584),
    ("qwen2.5-7b", "k_v", 512, 3584),
    ("qwen2.5-7b", "gate_up", 18944, 3584),
    ("qwen2.5-7b", "down", 3584, 18944),
    ("qwen2.5-1.5b", "q_o", 1536, 1536),
    ("qwen2.5-1.5b", "k_v", 256, 1536),
    ("qwen2.5-1.5b", "gate_up", 8960, 1536),
    ("qwen2.5-1.5b", "down", 1536, 8960),
    ("square", "8192", 8192, 8192),
]
TOKENS = [1, 16, 128, 512, 2048, 8192, 32768]
LM_HEAD_TOKENS = [1, 16, 128, 512]  # logits_to_keep=1 prefill and decode batches
COLUMNS = ["model", "projection", "m", "n", "k", "flops", "min_bytes", "sustained_seconds", "sustained_min_seconds",
           "sustained_max_seconds", "sm_mhz", "power_w", "alone_seconds", "kernel", "grid", "block", "gpu_name",
           "driver", "torch_version"]


def nvml_reader():
    """A function returning (SM MHz, board W) now: NVML when importable, else nvidia-smi."""
    try:
        import pynvml
        pynvml.nvmlInit()
        handle = pynvml.nvmlDeviceGetHandleByIndex(torch.cuda.current_device())
        return lambda: (pynvml.nvmlDeviceGetClockInfo(handle, pynvml.NVML_CLOCK_SM),
                        pynvml.nvmlDeviceGetPowerUsage(handle) / 1e3)
    except Exception:  # noqa: BLE001 - any failure falls back to the command-line tool
        def smi():
            out = subprocess.run(["nvidia-smi", "--query-gpu=clocks.sm,power.draw", "--format=csv,noheader,nounits"],
                                 capture_output=True, text=True).stdout.split(",")
            return float(out[0]), float(out[1])
        return smi


def driver_version():
    return subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                          capture_output=True, text=True).stdout.strip()


def sustained(op, read_clock, sustain_seconds):
    """Median, min, max seconds per call over 5 batches of back-to-back replays, and the clock and
    power read while the last batch was still running on the GPU."""
    graph = capture(op)
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    graph.replay()
    end.record()
    torch.cuda.synchronize()
    replays = int(min(20000, max(3, sustain_seconds / max(start.elapsed_time(end) / 1e3, 1e-7))))
    samples, clock = [], (float("nan"), float("nan"))
    for _ in range(5):
        start.record()
        for _ in range(replays):
            graph.replay()
        end.record()
        time.sleep(0.5 * sustain_seconds)  # the queued replays are running now
        clock = read_clock()
        torch.cuda.synchronize()
        samples.append(start.elapsed_time(end) / 1e3 / replays)
    return statistics.median(samples), min(samples), max(samples), clock


def alone(op, idle_seconds):
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    samples = []
    for _ in range(7):
        time.sleep(idle_seconds)
        start.record()
        op()
        end.record()
        torch.cuda.synchronize()
        samples.append(start.elapsed_time(end) / 1e3)
    return statistics.median(samples)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out-dir", required=True)
    p.add_argument("--sustain-seconds", type=float, default=0.2)
    p.add_argument("--idle-seconds", type=float, default=0.1)
    args = p.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    read_clock = nvml_reader()
    common = {"gpu_name": torch.cuda.get_device_name(), "driver": driver_version(), "torch_version": torch.__version__}
    with open(os.path.join(args.out_dir, "gemm_grid.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS)
        w.writeheader()
        for model, projection, n, k in PROJECTIONS:
            weight = torch.randn(n, k, device="cuda", dtype=torch.bfloat16)
            for m in LM_HEAD_TOKENS if projection == "lm_head" else TOKENS:
                x = torch.randn(m, k, device="cuda", dtype=torch.bfloat16)
                y = torch.empty(m, n, device="cuda", dtype=torch.bfloat16)

                def op():
                    torch.matmul(x, weight.t(), out=y)  # F.linear's kernel without its allocation
                F.linear(x, weight)  # warm cuBLAS's heuristics cache for this shape
                median, lo, hi, (mhz, watts) = sustained(op, read_clock, args.sustain_seconds)
                kernels = traced_kernels(lambda: F.linear(x, weight))
                gemm = max(kernels, key=lambda r: r["duration_us"]) if kernels else {}
                row = {"model": model, "projection": projection, "m": m, "n": n, "k": k, "flops": 2 * m * n * k,
                       "min_bytes": 2 * (m * k + n * k + m * n), "sustained_seconds": f"{median:.6e}",
                       "sustained_min_seconds": f"{lo:.6e}", "sustained_max_seconds": f"{hi:.6e}", "sm_mhz": mhz,
                       "power_w": f"{watts:.1f}", "alone_seconds": f"{alone(lambda: F.linear(x, weight), args.idle_seconds):.6e}",
                       "kernel": gemm.get("kernel", ""), "grid": gemm.get("grid", ""), "block": gemm.get("block", ""),
                       **common}
                w.writerow(row)
                f.flush()
                print(f"{model} {projection} M={m} N={n} K={k}: {median * 1e6:.1f} us sustained "
                      f"({2 * m * n * k / median / 1e12:.0f} TFLOP/s at {mhz} MHz, {watts:.0f} W), "
                      f"{float(row['alone_seconds']) * 1e6:.1f} us alone, {row['kernel'][:48]}", flush=True)
                del x, y
            del weight
            torch.cuda.empty_cache()
    return 0


if __name__ == "__main__":
    sys.exit(main())
