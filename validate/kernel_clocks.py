#!/usr/bin/env python3
"""The SM clock an attention kernel actually runs at, measured two ways, to tell which clock a
prediction should price a call at (model/sm_clock.h: sustained, burst, or fixed).

Usage:
    python3 validate/kernel_clocks.py probe --out probe.csv [--sustain-seconds 8] [--idle-seconds 2]
    ncu --clock-control none --nvtx --metrics gpu__time_duration.sum,sm__cycles_elapsed.avg,\
sm__cycles_elapsed.avg.per_second -o clocks python3 validate/kernel_clocks.py grid --out points.csv

probe: per kernel (FlashAttention-2, cuDNN and CUTLASS fMHA through PyTorch SDPA at B = 4, H = 32,
N = 8192, d = 128 and d = 64, bf16 forward, not causal; a cuBLAS 8192^3 bf16 GEMM), `--bursts` single
calls each after `--idle-seconds` of idle GPU, then calls back to back for `--sustain-seconds`. Right
before and right after every call a one-thread kernel spins for `--probe-cycles` SM clocks and reads
%globaltimer at both ends: its clocks over its nanoseconds is the SM clock at that moment, the way
validate/cuda/tensor_paths.cu measures it inside a kernel. Rows: kernel, phase, call, the call's
duration (CUDA events) and the clock before and after it. nvidia-smi's clocks.sm samples are not
this: they are one reading per sample period of a clock that the power controller moves within it.

grid: one call per point inside an NVTX range named by the point (`point=<index>`), for Nsight
Compute with --clock-control none: its sm__cycles_elapsed.avg over gpu__time_duration is the clock
the SMs held during that kernel, with the idle gaps of profiling between kernels (a burst). Points:
sdpa-flash, sdpa-cudnn, sdpa-efficient forward and backward, B = 1, H = 32, d in {64, 128, 256},
N in {1024, 4096, 16384}, causal and not; sdpa-math forward at N in {1024, 4096}; cuBLAS bf16 GEMMs
and an elementwise add for reference. Rows: index, backend, pass, shape.

summarize: reads grid_points.csv and the ncu CSV export (`ncu --import clocks.ncu-rep --csv --page
raw`) and prints, per point, the attention kernel's time and its clock (sm__cycles_elapsed.avg /
gpu__time_duration), then the median per backend and over all of them. Backward kernels run on
autograd's thread, outside the NVTX range: they are the backward kernels launched between a point's
range and the next point's (the warm-up's and the timed call's).

Reads GPU state only; changes no clocks or settings.
"""
from __future__ import annotations

import argparse
import csv
import sys
import time

PROBE_SOURCE = r"""
extern "C" __global__ void attnsim_clock_probe(unsigned long long* out, long long cycles) {
  unsigned long long t0, t1;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t0));
  const long long c0 = clock64();
  long long c1 = c0;
  while (c1 - c0 < cycles) c1 = clock64();
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t1));
  out[0] = (unsigned long long)(c1 - c0);
  out[1] = t1 - t0;
}
"""


class ClockProbe:
    """A one-thread kernel on PyTorch's stream; clock() gives the SM clock in MHz it saw."""

    def __init__(self, cycles: int, capacity: int):
        import cupy
        import torch
        self.cupy = cupy
        self.kernel = cupy.RawKernel(PROBE_SOURCE, "attnsim_clock_probe")
        self.cycles = cycles
        self.out = cupy.zeros((capacity, 2), dtype=cupy.uint64)
        self.used = 0

    def launch(self) -> int:
        import torch
        slot = self.used
        self.used += 1
        stream = self.cupy.cuda.ExternalStream(torch.cuda.current_stream().cuda_stream)
        with stream:
            self.kernel((1,), (1,), (self.out[slot], self.cupy.int64(self.cycles)))
        return slot

    def mhz(self, slot: int) -> float:
        clocks, ns = (int(x) for x in self.out[slot].get())
        return clocks / ns * 1e3 if ns else float("nan")


def sdpa(backend, q, k, v, causal=False):
    import torch.nn.functional as F
    from torch.nn.attention import sdpa_kernel

    def call():
        with sdpa_kernel([backend]):
            return F.scaled_dot_product_attention(q, k, v, is_causal=causal)
    return call


def probe_kernels(device) -> dict:
    import torch
    from torch.nn.attention import SDPBackend
    calls = {}
    for d in (128, 64):
        q, k, v = (torch.randn(4, 32, 8192, d, dtype=torch.bfloat16, device=device) for _ in range(3))
        for name, backend in (("sdpa-flash", SDPBackend.FLASH_ATTENTION), ("sdpa-cudnn", SDPBackend.CUDNN_ATTENTION),
                              ("sdpa-efficient", SDPBackend.EFFICIENT_ATTENTION)):
            if d == 64 and name == "sdpa-efficient":
                continue
            calls[f"{name} d={d}"] = sdpa(backend, q, k, v)
    a = torch.randn(8192, 8192, dtype=torch.bfloat16, device=device)
    w = torch.randn(8192, 8192, dtype=torch.bfloat16, device=device)
    calls["cublas-gemm-8192"] = lambda: a @ w
    return calls


def run_probe(args) -> int:
    import torch
    device = torch.device("cuda")
    calls = probe_kernels(device)
    probe = ClockProbe(args.probe_cycles, capacity=200000)
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    with open(args.out, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["kernel", "phase", "call", "wall_start_unix_seconds", "duration_seconds",
                      "clock_before_mhz", "clock_after_mhz", "gpu_name", "torch_version"])
        meta = [torch.cuda.get_device_name(0), torch.__version__]

        def timed(name, phase, i, call):
            wall = time.time()
            before = probe.launch()
            start.record()
            call()
            end.record()
            after = probe.launch()
            torch.cuda.synchronize()
            out.writerow([name, phase, i, f"{wall:.3f}", f"{start.elapsed_time(end) * 1e-3:.6e}",
                          f"{probe.mhz(before):.1f}", f"{probe.mhz(after):.1f}"] + meta)

        for name, call in calls.items():
            call()
            torch.cuda.synchronize()
            for i in range(args.bursts):
                time.sleep(args.idle_seconds)
                timed(name, "burst", i, call)
            i, stop = 0, time.time() + args.sustain_seconds
            while time.time() < stop and probe.used < 199990:
                timed(name, "sustained", i, call)
                i += 1
            f.flush()
            print(f"{name}: {args.bursts} bursts, {i} sustained calls", file=sys.stderr, flush=True)
            time.sleep(args.idle_seconds)
        # The probe alone after idle: the clock a light kernel holds.
        for i in range(args.bursts):
            time.sleep(0.5)
            slot = probe.launch()
            torch.cuda.synchronize()
            out.writerow(["probe-alone", "burst", i, f"{time.time():.3f}", "", f"{probe.mhz(slot):.1f}", ""] + meta)
    return 0


def run_grid(args) -> int:
    import torch
    from torch.nn.attention import SDPBackend
    device = torch.device("cuda")
    backends = (("sdpa-flash", SDPBackend.FLASH_ATTENTION), ("sdpa-cudnn", SDPBackend.CUDNN_ATTENTION),
                ("sdpa-efficient", SDPBackend.EFFICIENT_ATTENTION))
    backends = tuple(b for b in backends if not args.backends or b[0] in args.backends.split(","))
    passes = args.passes.split(",")
    points = []
    for d in (int(x) for x in args.head_dims.split(",")):
        for n in (int(x) for x in args.seqs.split(",")):
            for causal in (False, True):
                for name, backend in backends:
                    for pass_ in passes:
                        points.append((name, backend, pass_, 1, 32, n, d, causal))
    if not args.backends:
        for n in (1024, 4096):
            points.append(("sdpa-math", SDPBackend.MATH, "forward", 1, 32, n, 128, False))
    with open(args.out, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["point", "backend", "pass", "batch", "heads", "seq", "head_dim", "causal", "status"])
        index = 0
        for name, backend, pass_, b, h, n, d, causal in points:
            grad = pass_ == "backward"
            q, k, v = (torch.randn(b, h, n, d, dtype=torch.bfloat16, device=device, requires_grad=grad)
                       for _ in range(3))
            call = sdpa(backend, q, k, v, causal)
            try:
                o = call()  # warm-up: plans, caches
                if grad:
                    g = torch.randn_like(o)
                    o.backward(g)
                torch.cuda.synchronize()
                if grad:
                    o = call()
                    torch.cuda.synchronize()
                torch.cuda.nvtx.range_push(f"point={index}")
                if grad:
                    o.backward(g)
                else:
                    call()
                torch.cuda.synchronize()
                torch.cuda.nvtx.range_pop()
                status = "ok"
            except RuntimeError as e:
                status = "error: " + str(e).splitlines()[0][:120]
            out.writerow([index, name, pass_, b, h, n, d, str(causal).lower(), status])
            index += 1
            del q, k, v
        for m in (8192, 4096, 1024) if not args.backends else ():
            a = torch.randn(m, m, dtype=torch.bfloat16, device=device)
            torch.cuda.nvtx.range_push(f"point={index}")
            a @ a
            torch.cuda.synchronize()
            torch.cuda.nvtx.range_pop()
            out.writerow([index, "cublas-gemm", "forward", 1, 1, m, m, "false", "ok"])
            index += 1
        if not args.backends:
            x = torch.randn(1 << 28, dtype=torch.bfloat16, device=device)
            torch.cuda.nvtx.range_push(f"point={index}")
            x + x
            torch.cuda.synchronize()
            torch.cuda.nvtx.range_pop()
            out.writerow([index, "elementwise-add", "forward", 1, 1, 1 << 28, 1, "false", "ok"])
    return 0


def summarize(points_csv: str, ncu_csv: str) -> int:
    import re
    import statistics
    points = {int(r["point"]): r for r in csv.DictReader(open(points_csv))}
    rows = list(csv.reader(open(ncu_csv)))
    header, units = rows[0], rows[1]
    col = {c: i for i, c in enumerate(header)}
    nvtx = next(c for c in header if "Push/Pop_Range" in c)
    unit = {"ns": 1e-9, "nsecond": 1e-9, "us": 1e-6, "usecond": 1e-6, "ms": 1e-3, "msecond": 1e-3}
    to_seconds = unit[units[col["gpu__time_duration.sum"]]]
    # The call's own kernel, by backend and pass: untagged kernels between two ranges also include the
    # next point's warm-up (another backend's forward), which must not count for a backward point.
    kernel_of = {("sdpa-flash", "forward"): "flash_fwd", ("sdpa-flash", "backward"): "flash_bwd",
                 ("sdpa-cudnn", "forward"): "sdpa_sm90_flash_fprop", ("sdpa-cudnn", "backward"): "sdpa_sm90_flash_bprop",
                 ("sdpa-efficient", "forward"): "fmha_cutlassF", ("sdpa-efficient", "backward"): "fmha_cutlassB"}
    attention = re.compile("|".join(kernel_of.values()))
    kernels, current = {}, -1
    for r in rows[2:]:
        tag = re.search(r"point=(\d+)", r[col[nvtx]])
        seconds = float(r[col["gpu__time_duration.sum"]]) * to_seconds
        mhz = float(r[col["sm__cycles_elapsed.avg"]]) / seconds / 1e6
        if tag:
            current = int(tag.group(1))
            point = current
        else:
            point = current + 1  # a backward point's kernels, after the previous point's range
        if attention.search(r[col["Kernel Name"]]):
            kernels.setdefault(point, []).append((r[col["Kernel Name"]], seconds, mhz))
    by_backend = {}
    print("point,backend,pass,seq,head_dim,causal,kernel,seconds,sm_clock_mhz")
    for index, p in sorted(points.items()):
        wanted = kernel_of.get((p["backend"], p["pass"]))
        found = [k for k in kernels.get(index, []) if wanted and wanted in k[0]]
        if not found or p["status"] != "ok":
            continue
        longest = max(seconds for _, seconds, _ in found)
        main = [k for k in found if k[1] >= 0.5 * longest]  # the call's kernel (warm-up and timed)
        mhz = statistics.median(k[2] for k in main)
        by_backend.setdefault(p["backend"], []).append(mhz)
        print(f"{index},{p['backend']},{p['pass']},{p['seq']},{p['head_dim']},{p['causal']},"
              f"{main[-1][0][:60]},{main[-1][1]:.4e},{mhz:.1f}")
    every = [m for values in by_backend.values() for m in values]
    for backend, values in sorted(by_backend.items()) + [("all attention kernels", every)]:
        print(f"# {backend}: median {statistics.median(values):.1f} MHz over {len(values)} kernels "
              f"({min(values):.1f}-{max(values):.1f})")
    return 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("mode", choices=["probe", "grid", "summarize"])
    p.add_argument("--out", help="probe, grid: the CSV to write; summarize: grid_points.csv to read")
    p.add_argument("--ncu", help="summarize: the ncu CSV export")
    p.add_argument("--bursts", type=int, default=5)
    p.add_argument("--idle-seconds", type=float, default=2.0)
    p.add_argument("--sustain-seconds", type=float, default=8.0)
    p.add_argument("--probe-cycles", type=int, default=100000)
    p.add_argument("--backends", default="", help="grid: only these (sdpa-flash,sdpa-cudnn,sdpa-efficient); "
                   "default all, plus sdpa-math, GEMMs and an elementwise add")
    p.add_argument("--head-dims", default="64,128,256", help="grid: head dims")
    p.add_argument("--seqs", default="1024,4096,16384", help="grid: sequence lengths")
    p.add_argument("--passes", default="forward,backward", help="grid: forward, backward or both")
    args = p.parse_args()
    if args.mode == "summarize":
        return summarize(args.out, args.ncu)
    return run_probe(args) if args.mode == "probe" else run_grid(args)


if __name__ == "__main__":
    sys.exit(main())
