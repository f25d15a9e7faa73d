"""Which limit sets the SM clock under a kernel mix? Runs, one after another with 3 s idle between:
cuBLAS's 8192^3 bf16 GEMM back to back (tensor pipes saturated, little HBM traffic), a large
bf16 elementwise add back to back (HBM-bound), and, with --model, that model's prefill forward back to
back (random bf16 weights from the published config). The wrapper (run_clock_limits_device.sh) logs
nvidia-smi's clock, power and clock-event reasons (sw_power_cap, hw_slowdown, power brake, thermal)
every 100 ms; this script writes when each phase ran.

Files written under --out-dir:
  phases.csv  phase, host clock (time.time()) at its start and end, calls made, median CUDA-event
              seconds per call, GPU name, torch version

usage: python3 measure_clock_limits.py --out-dir DIR [--seconds 8] [--model llama-3.1-8b --seq 4096]
"""
import argparse
import csv
import os
import statistics
import time

import torch

IDLE_SECONDS = 3.0


def run_phase(name, call, seconds, writer):
    call()
    torch.cuda.synchronize()
    times, begin = [], time.time()
    while time.time() - begin < seconds:
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        call()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end) / 1e3)
    writer.writerow([name, f"{begin:.3f}", f"{time.time():.3f}", len(times), f"{statistics.median(times):.6e}",
                     torch.cuda.get_device_name(0), torch.__version__])
    print(f"{name}: {len(times)} calls, median {statistics.median(times) * 1e3:.3f} ms", flush=True)
    time.sleep(IDLE_SECONDS)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out-dir", required=True)
    p.add_argument("--seconds", type=float, default=8.0)
    p.add_argument("--model", help="also run this model's prefill back to back (a key of CONFIGS)")
    p.add_argument("--seq", type=int, default=4096)
    args = p.parse_args()
    if args.model:
        from measure_prefill_time import CONFIGS
        if args.model not in CONFIGS:
            p.error(f"--model: one of {sorted(CONFIGS)}")
    os.makedirs(args.out_dir, exist_ok=True)
    a = torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16)
    b = torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16)
    x = torch.randn(1 << 30, device="cuda", dtype=torch.bfloat16)  # 2 GiB, far past the L2
    y = torch.randn(1 << 30, device="cuda", dtype=torch.bfloat16)
    with open(os.path.join(args.out_dir, "phases.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["phase", "start_unix_seconds", "end_unix_seconds", "calls", "median_seconds", "gpu_name",
                    "torch_version"])
        time.sleep(IDLE_SECONDS)
        run_phase("gemm-8192-cubed", lambda: torch.matmul(a, b), args.seconds, w)
        f.flush()
        run_phase("add-2GiB-bf16", lambda: torch.add(x, y), args.seconds, w)
        f.flush()
        del a, b, x, y
        torch.cuda.empty_cache()
        if args.model:
            from transformers import AutoModelForCausalLM
            with torch.device("cuda"):
                model = AutoModelForCausalLM.from_config(CONFIGS[args.model](), dtype=torch.bfloat16,
                                                         attn_implementation="sdpa").eval()
            ids = torch.randint(0, model.config.vocab_size, (1, args.seq), device="cuda")

            def forward():
                with torch.no_grad():
                    model(input_ids=ids, use_cache=False, logits_to_keep=1)
            run_phase(f"{args.model}-prefill-{args.seq}", forward, args.seconds, w)


if __name__ == "__main__":
    main()
