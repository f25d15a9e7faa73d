"""Every CUDA kernel of one whole-model prefill, with the module and the aten operator that launched
it: random bf16 weights from the published config (no download), one
model(input_ids, use_cache=False, logits_to_keep=1) under torch.no_grad() after two warm-ups, traced
by torch.profiler (Kineto). The kernels' own durations sum to the GPU's busy time of the forward,
whatever the host adds; the module and operator say which part of the layer each kernel prices.

A kernel's launch (the runtime or driver call with the same correlation id) is placed inside the
intervals of the host thread's events: its operator is the outermost aten operator around the
launch (what the model dispatched itself), its module the innermost nn.Module forward around it
(each module's forward is wrapped in a record_function range named by its class).

Files written under --out-dir:
  kernels.csv  one row per kernel: model, impl, seq, index (launch order), module, aten_op, kernel,
               duration_us, grid, block
  forwards.csv one row per (model, impl, seq): kernels, summed kernel time, the span from the first
               kernel's start to the last one's end (both in us), the forward's host-inclusive time
               (CUDA events around the untraced call before the traced one)

usage: python3 measure_prefill_kernels.py --out-dir DIR [--models llama-3.1-8b] [--impls sdpa]
                                           [--seqs 1024,4096]
"""
import argparse
import bisect
import csv
import json
import os
import sys
import tempfile

import torch
from torch.profiler import ProfilerActivity, profile, record_function
from transformers import AutoModelForCausalLM

from measure_prefill_time import CONFIGS, DEFAULT_MODELS  # shapes from models/*.toml: one definition

SEQS = {"sdpa": [1024, 4096, 16384, 32768], "eager": [1024, 4096]}
LAUNCH_CATEGORIES = {"cuda_runtime", "cuda_driver"}


def wrap_modules_in_ranges(model):
    """Each module's forward runs inside a profiler range named by its class; returns the hooks'
    handles (each has .remove())."""
    def pre(module, args):
        module._attnsim_range = record_function(type(module).__name__)
        module._attnsim_range.__enter__()

    def post(module, args, output):
        module._attnsim_range.__exit__(None, None, None)
    hooks = []
    for m in model.modules():
        hooks.append(m.register_forward_pre_hook(pre))
        hooks.append(m.register_forward_hook(post))
    return hooks


def kernels_of_trace(path):
    """Kernels in launch order with their launch's outermost aten op and innermost module range."""
    with open(path) as f:
        events = [e for e in json.load(f)["traceEvents"] if e.get("ph") == "X"]
    launches = {e["args"]["correlation"]: e for e in events
                if e.get("cat") in LAUNCH_CATEGORIES and "correlation" in e.get("args", {})}
    by_thread = {}
    for e in events:
        if e.get("cat") in ("cpu_op", "user_annotation"):
            by_thread.setdefault(e["tid"], []).append(e)
    for spans in by_thread.values():
        spans.sort(key=lambda e: e["ts"])
    starts = {tid: [e["ts"] for e in spans] for tid, spans in by_thread.items()}
    rows = []
    for k in sorted((e for e in events if e.get("cat") == "kernel"), key=lambda e: e["ts"]):
        launch = launches.get(k["args"].get("correlation"))
        op, module = "", ""
        if launch is not None:
            spans = by_thread.get(launch["tid"], [])
            t = launch["ts"]
            for e in spans[:bisect.bisect_right(starts.get(launch["tid"], []), t)]:
                if e["ts"] <= t <= e["ts"] + e["dur"]:
                    if e["cat"] == "cpu_op" and e["name"].startswith("aten::") and not op:
                        op = e["name"]  # outermost: spans are visited in start order
                    elif e["cat"] == "user_annotation":
                        module = e["name"]  # innermost: the latest start wins
        rows.append({"module": module, "aten_op": op, "kernel": k["name"], "ts": k["ts"], "duration_us": k["dur"],
                     "grid": "x".join(str(v) for v in k["args"].get("grid", [])),
                     "block": "x".join(str(v) for v in k["args"].get("block", []))})
    return rows


def is_top_level_aten(event):
    """An aten operator the traced code dispatched itself, not one an operator calls inside it
    (a torch.profiler FunctionEvent)."""
    def is_aten(e):
        return e.name.startswith("aten::")
    return is_aten(event) and not (event.cpu_parent is not None and is_aten(event.cpu_parent))


def traced_kernels_and_ops(call):
    """The kernels of one call(), traced by torch.profiler, as kernels_of_trace returns them, and
    the number of top-level aten operators it dispatched."""
    with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
        call()
        torch.cuda.synchronize()
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as t:
        trace = t.name
    prof.export_chrome_trace(trace)
    rows = kernels_of_trace(trace)
    os.unlink(trace)
    return rows, sum(1 for e in prof.events() if is_top_level_aten(e))


def traced_kernels(call):
    """The kernels of one call(), traced by torch.profiler, as kernels_of_trace returns them."""
    return traced_kernels_and_ops(call)[0]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out-dir", required=True)
    p.add_argument("--models", default=",".join(DEFAULT_MODELS), help=f"comma-separated, of {sorted(CONFIGS)}")
    p.add_argument("--impls", default=",".join(SEQS), help="comma-separated attn_implementation values")
    p.add_argument("--seqs", help="comma-separated prompt lengths for every impl (default: SEQS per impl)")
    args = p.parse_args()
    models = args.models.split(",")
    unknown = [m for m in models if m not in CONFIGS]
    if unknown:
        p.error(f"--models: {unknown} not in {sorted(CONFIGS)}")
    impls = args.impls.split(",")
    if not args.seqs and any(impl not in SEQS for impl in impls):
        p.error(f"--impls: without --seqs, each of {sorted(SEQS)}")
    seqs_of = {impl: ([int(s) for s in args.seqs.split(",")] if args.seqs else SEQS[impl]) for impl in impls}
    os.makedirs(args.out_dir, exist_ok=True)
    kernel_columns = ["model", "impl", "seq", "index", "module", "aten_op", "kernel", "duration_us", "grid", "block"]
    with open(os.path.join(args.out_dir, "kernels.csv"), "w", newline="") as kf, \
            open(os.path.join(args.out_dir, "forwards.csv"), "w", newline="") as ff:
        kw = csv.DictWriter(kf, fieldnames=kernel_columns, extrasaction="ignore")
        kw.writeheader()
        fw = csv.writer(ff)
        fw.writerow(["model", "impl", "seq", "kernels", "kernel_sum_us", "kernel_span_us", "events_us", "gpu_name",
                     "torch_version"])
        for model_name in models:
            for impl, seqs in seqs_of.items():
                with torch.device("cuda"):  # random weights made on the GPU: seconds, not minutes, for 8B
                    model = AutoModelForCausalLM.from_config(CONFIGS[model_name](), torch_dtype=torch.bfloat16,
                                                             attn_implementation=impl)
                model = model.eval()
                wrap_modules_in_ranges(model)
                for seq in seqs:
                    ids = torch.randint(0, model.config.vocab_size, (1, seq), device="cuda")

                    def call():
                        with torch.no_grad():
                            return model(input_ids=ids, use_cache=False, logits_to_keep=1)
                    try:
                        call(), call()
                        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                        start.record()
                        call()
                        end.record()
                        torch.cuda.synchronize()
                        rows = traced_kernels(call)
                    except Exception as exc:  # one shape's failure is reported, the others go on
                        print(f"{model_name} {impl} {seq}: {str(exc).splitlines()[0][:200]}", file=sys.stderr)
                        torch.cuda.empty_cache()
                        continue
                    for i, r in enumerate(rows):
                        kw.writerow({"model": model_name, "impl": impl, "seq": seq, "index": i, **r})
                    total = sum(r["duration_us"] for r in rows)
                    span = rows[-1]["ts"] + rows[-1]["duration_us"] - rows[0]["ts"] if rows else 0
                    fw.writerow([model_name, impl, seq, len(rows), f"{total:.3f}", f"{span:.3f}",
                                 f"{start.elapsed_time(end) * 1e3:.3f}", torch.cuda.get_device_name(0),
                                 torch.__version__])
                    kf.flush()
                    ff.flush()
                    print(f"{model_name} {impl} {seq}: {len(rows)} kernels, {total / 1e3:.2f} ms of kernels, "
                          f"{span / 1e3:.2f} ms span", file=sys.stderr, flush=True)
                    torch.cuda.empty_cache()
                del model
                torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
