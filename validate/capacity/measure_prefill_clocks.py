"""Does a whole-model prefill run at the GPU's burst clock or at the clock it holds under sustained
load? The same forward (random bf16 weights from the published config, no download,
model(input_ids, use_cache=False, logits_to_keep=1) under torch.no_grad()) is traced once after the
GPU sat idle, then run back to back for --sustain-seconds, then traced again; the SM clock is logged
by nvidia-smi every 100 ms by the wrapper (run_prefill_clocks_device.sh).

Files written under --out-dir:
  forward_times.csv  every forward of the back-to-back phase: model, seq, index, start time since
                     the phase began (host clock), CUDA-event seconds of that forward
  phase_kernels.csv  the two traced forwards: model, seq, phase (after-idle, sustained), kind
                     (gemm: aten::linear; attention: aten::scaled_dot_product_attention; elementwise:
                     every other kernel), kernels, summed kernel seconds

usage: python3 measure_prefill_clocks.py --out-dir DIR [--sustain-seconds 20] [--points llama-3.1-8b:4096,...]
"""
import argparse
import collections
import csv
import os
import time

import torch
from transformers import AutoModelForCausalLM

from measure_prefill_kernels import traced_kernels
from measure_prefill_time import CONFIGS  # shapes from models/*.toml: one definition

POINTS = [("llama-3.2-1b", 32768), ("llama-3.2-1b", 4096)]
IDLE_SECONDS = 5.0


def kind_of(row):
    if row["aten_op"] == "aten::linear":
        return "gemm"
    if row["aten_op"] == "aten::scaled_dot_product_attention":
        return "attention"
    return "elementwise"


def traced_kinds(call):
    rows = traced_kernels(call)
    kinds = collections.defaultdict(lambda: [0, 0.0])
    for r in rows:
        kinds[kind_of(r)][0] += 1
        kinds[kind_of(r)][1] += r["duration_us"] * 1e-6
    return kinds


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out-dir", required=True)
    p.add_argument("--sustain-seconds", type=float, default=20.0)
    p.add_argument("--points", default=",".join(f"{m}:{n}" for m, n in POINTS),
                   help=f"comma-separated MODEL:SEQ, MODEL of {sorted(CONFIGS)}")
    args = p.parse_args()
    points = [(m, int(n)) for m, n in (point.split(":") for point in args.points.split(","))]
    unknown = [m for m, _ in points if m not in CONFIGS]
    if unknown:
        p.error(f"--points: {unknown} not in {sorted(CONFIGS)}")
    os.makedirs(args.out_dir, exist_ok=True)
    with open(os.path.join(args.out_dir, "forward_times.csv"), "w", newline="") as tf, \
            open(os.path.join(args.out_dir, "phase_kernels.csv"), "w", newline="") as kf:
        tw, kw = csv.writer(tf), csv.writer(kf)
        tw.writerow(["model", "seq", "index", "host_start_seconds", "events_seconds"])
        kw.writerow(["model", "seq", "phase", "kind", "kernels", "kernel_seconds", "gpu_name", "torch_version"])
        models = {}
        for model_name, seq in points:
            if model_name not in models:
                with torch.device("cuda"):  # random weights made on the GPU
                    model = AutoModelForCausalLM.from_config(CONFIGS[model_name](), dtype=torch.bfloat16,
                                                             attn_implementation="sdpa")
                models[model_name] = model.eval()
            model = models[model_name]
            ids = torch.randint(0, model.config.vocab_size, (1, seq), device="cuda")

            def call():
                with torch.no_grad():
                    return model(input_ids=ids, use_cache=False, logits_to_keep=1)
            call(), call()
            torch.cuda.synchronize()
            phases = []
            time.sleep(IDLE_SECONDS)
            phases.append(("after-idle", traced_kinds(call)))
            begin = time.perf_counter()
            index = 0
            while time.perf_counter() - begin < args.sustain_seconds:
                start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                at = time.perf_counter() - begin
                start.record()
                call()
                end.record()
                end.synchronize()
                tw.writerow([model_name, seq, index, f"{at:.4f}", f"{start.elapsed_time(end) / 1e3:.6e}"])
                index += 1
            phases.append(("sustained", traced_kinds(call)))
            for phase, kinds in phases:
                for kind, (count, seconds) in sorted(kinds.items()):
                    kw.writerow([model_name, seq, phase, kind, count, f"{seconds:.6e}", torch.cuda.get_device_name(0),
                                 torch.__version__])
            tf.flush()
            kf.flush()
            print(f"{model_name} N={seq}: {index} forwards back to back; "
                  + "; ".join(f"{phase} " + ", ".join(f"{k} {v[1] * 1e3:.2f} ms" for k, v in sorted(kinds.items()))
                              for phase, kinds in phases), flush=True)
            time.sleep(IDLE_SECONDS)


if __name__ == "__main__":
    main()
