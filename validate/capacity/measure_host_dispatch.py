"""What PyTorch eager mode costs the host on this machine's CPU, by kind of call, beside the
host-bound whole-model forwards that cost should explain. Everything runs in one process, so the
CPU's state (frequency, other tenants) is shared by the kinds and the forwards.

Files written under --out-dir:
  host_kinds.csv   per kind of call, the host's time per call (time.perf_counter around 100 calls,
                   10 for the math backend's chains, issued back to back while the GPU sleeps on a
                   200 ms spin kernel queued before them, so no call waits for the GPU; a batch
                   that lasts half the spin is reported as an error row), 15 repeats: kind,
                   repeat, calls, host_seconds_per_call. Kinds: python-call (a Python function call, the CPU's
                   interpreter speed), module-call (an nn.Module's __call__ returning its input),
                   aten-view (an aten operator without a kernel), aten-add (one elementwise kernel),
                   aten-linear (one cuBLAS GEMM), module-linear (nn.Linear), and
                   sdpa-{flash,efficient,cudnn,math} (F.scaled_dot_product_attention, B = 1, H = 32,
                   N = 128, d = 64, bf16, causal, under sdpa_kernel of that backend); a kind
                   ending in -grad takes inputs that require grad, so autograd records the call
                   (a training forward), the others run under torch.no_grad().
  forwards.csv     host-bound forwards of Llama-3.2-1B and Qwen2.5-0.5B shapes (random bf16 weights,
                   model(ids, use_cache=False, logits_to_keep=1) under torch.no_grad()), eager and
                   sdpa attention, N = 128 ... 4096, each call one row: the host's time to return
                   from the call (perf_counter, the GPU idle at the start) and CUDA events around it
                   (host dispatch included, as validate/data/h200/capacity/prefill_mechanisms.csv).
                   Rounds go over every (model, attention, N) in turn so slow phases of the CPU fall
                   on all of them alike.
  forward_ops.csv  per (model, attention) at N = 512, torch.profiler's aten operators by name:
                   calls dispatched by the model itself (top level), calls in all, kernels;
                   and nn.Module calls per forward (a global forward pre-hook).

usage: python3 measure_host_dispatch.py --out-dir DIR [--rounds 30]
"""
import argparse
import collections
import csv
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel
from transformers import AutoModelForCausalLM

from measure_prefill_kernels import is_top_level_aten
from measure_prefill_time import CONFIGS, DEFAULT_MODELS  # shapes from models/*.toml: one definition

SPIN_CYCLES = 400_000_000  # about 200 ms at Hopper's clocks: longer than any batch of calls timed
SPIN_SECONDS_AT_LEAST = 0.2  # at 2 GHz; a batch that lasts half of it has waited for the GPU
CALLS = 100  # a batch of one-kernel calls, far under the launch queue (about a thousand launches)
REPEATS = 15
SEQS = [128, 512, 1024, 2048, 4096]


class Passthrough(torch.nn.Module):
    def forward(self, x):
        return x


def python_identity(x):
    return x


def call_kinds():
    x = torch.randn(1, 2048, device="cuda", dtype=torch.bfloat16)
    y = torch.randn(1, 2048, device="cuda", dtype=torch.bfloat16)
    a = torch.randn(8, 2048, device="cuda", dtype=torch.bfloat16)
    w = torch.randn(2048, 2048, device="cuda", dtype=torch.bfloat16)
    linear = torch.nn.Linear(2048, 2048, bias=False, device="cuda", dtype=torch.bfloat16)
    passthrough = Passthrough()
    q = torch.randn(1, 32, 128, 64, device="cuda", dtype=torch.bfloat16)
    kinds = {
        "python-call": (None, lambda: python_identity(x)),
        "module-call": (None, lambda: passthrough(x)),
        "aten-view": (None, lambda: x.view(2048)),
        "aten-add": (None, lambda: x + y),
        "aten-linear": (None, lambda: F.linear(a, w)),
        "module-linear": (None, lambda: linear(a)),
    }
    # With inputs that require grad, autograd records each operator (a training step's forward).
    x_grad = x.clone().requires_grad_()
    q_grad = q.clone().requires_grad_()
    kinds["aten-add-grad"] = (None, lambda: x_grad + y)
    for name, backend in (("flash", SDPBackend.FLASH_ATTENTION), ("efficient", SDPBackend.EFFICIENT_ATTENTION),
                          ("cudnn", SDPBackend.CUDNN_ATTENTION), ("math", SDPBackend.MATH)):
        kinds["sdpa-" + name] = (backend, lambda: F.scaled_dot_product_attention(q, q, q, is_causal=True))
        kinds["sdpa-" + name + "-grad"] = (
            backend, lambda: F.scaled_dot_product_attention(q_grad, q_grad, q_grad, is_causal=True))
    return kinds


def calls_of(kind):
    # The math backend queues a chain of kernels a call: few calls keep them under the launch queue,
    # which would otherwise block the host until the spin kernel ends.
    return 10 if kind.startswith("sdpa-math") else CALLS


def host_seconds_per_call(kind, backend, call):
    import contextlib
    context = sdpa_kernel(backend) if backend is not None else contextlib.nullcontext()
    grad = torch.enable_grad() if kind.endswith("-grad") else torch.no_grad()
    with grad, context:
        for _ in range(20):
            call()
        torch.cuda.synchronize()
        torch.cuda._sleep(SPIN_CYCLES)
        start = time.perf_counter()
        for _ in range(calls_of(kind)):
            call()
        elapsed = time.perf_counter() - start
        torch.cuda.synchronize()
    if elapsed > 0.5 * SPIN_SECONDS_AT_LEAST:
        raise RuntimeError(f"the host waited for the GPU ({elapsed:.3f} s for {calls_of(kind)} calls)")
    return elapsed / calls_of(kind)


def measure_kinds(path):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["kind", "repeat", "calls", "host_seconds_per_call"])
        for kind, (backend, call) in call_kinds().items():
            for repeat in range(REPEATS):
                try:
                    w.writerow([kind, repeat, calls_of(kind), f"{host_seconds_per_call(kind, backend, call):.6e}"])
                except Exception as exc:  # a backend this GPU lacks: the others go on
                    w.writerow([kind, repeat, calls_of(kind), "error: " + str(exc).splitlines()[0][:120]])
                    break
            f.flush()
            print(kind, "done", file=sys.stderr, flush=True)


def load_models():
    models = {}
    for model_name in DEFAULT_MODELS:
        make = CONFIGS[model_name]
        for impl in ("eager", "sdpa"):
            model = AutoModelForCausalLM.from_config(make(), torch_dtype=torch.bfloat16, attn_implementation=impl)
            models[(model_name, impl)] = model.to("cuda").eval()
    return models


def forward(model, ids):
    with torch.no_grad():
        return model(input_ids=ids, use_cache=False, logits_to_keep=1)


def measure_forwards(models, path, rounds):
    inputs = {seq: torch.randint(0, 100_000, (1, seq), device="cuda") for seq in SEQS}
    for model in models.values():  # warm-up: cuBLAS handles, kernels' first loads, allocator
        for seq in SEQS:
            forward(model, inputs[seq])
    torch.cuda.synchronize()
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["round", "model", "impl", "seq", "host_return_seconds", "events_seconds", "gpu_name"])
        name = torch.cuda.get_device_name(0)
        for r in range(rounds):
            for (model_name, impl), model in models.items():
                for seq in SEQS:
                    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                    torch.cuda.synchronize()
                    t0 = time.perf_counter()
                    start.record()
                    forward(model, inputs[seq])
                    t1 = time.perf_counter()
                    end.record()
                    torch.cuda.synchronize()
                    w.writerow([r, model_name, impl, seq, f"{t1 - t0:.6e}", f"{start.elapsed_time(end) / 1e3:.6e}", name])
            f.flush()
            print("round", r, "done", file=sys.stderr, flush=True)


def count_ops(models, path):
    from torch.profiler import ProfilerActivity, profile
    module_calls = [0]
    hook = torch.nn.modules.module.register_module_forward_pre_hook(
        lambda module, args: module_calls.__setitem__(0, module_calls[0] + 1))
    ids = torch.randint(0, 100_000, (1, 512), device="cuda")
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["model", "impl", "op", "top_level_calls", "all_calls"])
        for (model_name, impl), model in models.items():
            module_calls[0] = 0
            forward(model, ids)
            torch.cuda.synchronize()
            w.writerow([model_name, impl, "nn.Module.__call__", module_calls[0], module_calls[0]])
            with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
                forward(model, ids)
                torch.cuda.synchronize()
            top, every = collections.Counter(), collections.Counter()
            kernels = 0
            for e in prof.events():
                if e.device_type == torch.autograd.DeviceType.CUDA:
                    kernels += 1
                elif e.name.startswith("aten::"):
                    every[e.name] += 1
                    if is_top_level_aten(e):
                        top[e.name] += 1
            w.writerow([model_name, impl, "cuda-kernels", kernels, kernels])
            for op in sorted(every):
                w.writerow([model_name, impl, op, top[op], every[op]])
            f.flush()
    hook.remove()


def host_seconds_per_operator(out_dir):
    """This machine's --host-us-per-op: over Llama-3.2-1B's forwards at N <= 1024 (host-bound), the
    median host time to return from a forward over the aten operators it dispatches, per attention
    implementation, averaged over eager and sdpa. tests/capacity/measured_peak_test.cpp calibrates
    each machine alike from the CUDA-event times of the rows the model predicts host-bound (19.9 us
    on validate/data/h100-sxm/host_dispatch/, where this gives 19.5)."""
    operators = collections.Counter()
    for row in csv.DictReader(open(os.path.join(out_dir, "forward_ops.csv"))):
        if row["op"].startswith("aten::"):
            operators[(row["model"], row["impl"])] += int(row["top_level_calls"])
    per_impl = collections.defaultdict(list)
    for row in csv.DictReader(open(os.path.join(out_dir, "forwards.csv"))):
        key = (row["model"], row["impl"])
        if row["model"] == "llama-3.2-1b" and int(row["seq"]) <= 1024 and operators[key]:
            per_impl[row["impl"]].append(float(row["host_return_seconds"]) / operators[key])
    return statistics.mean(statistics.median(v) for v in per_impl.values()) if per_impl else None


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out-dir", required=True)
    p.add_argument("--rounds", type=int, default=30)
    args = p.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    measure_kinds(os.path.join(args.out_dir, "host_kinds.csv"))
    models = load_models()
    measure_forwards(models, os.path.join(args.out_dir, "forwards.csv"), args.rounds)
    count_ops(models, os.path.join(args.out_dir, "forward_ops.csv"))
    measure_kinds(os.path.join(args.out_dir, "host_kinds_after.csv"))  # the CPU's drift over the run
    for path in ("host_kinds.csv", "host_kinds_after.csv"):
        per_kind = collections.defaultdict(list)
        for row in csv.DictReader(open(os.path.join(args.out_dir, path))):
            if not row["host_seconds_per_call"].startswith("error"):
                per_kind[row["kind"]].append(float(row["host_seconds_per_call"]))
        print(path, {k: round(statistics.median(v) * 1e6, 2) for k, v in per_kind.items()}, file=sys.stderr)
    seconds = host_seconds_per_operator(args.out_dir)
    if seconds:
        print(f"this machine: attnsim ... --runtime eager --host-us-per-op {seconds * 1e6:.1f}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
