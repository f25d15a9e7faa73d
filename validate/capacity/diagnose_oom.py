"""What a whole-model prefill that runs out of memory was allocating when it failed: builds one model
of measure_peak_memory.py, runs one prefill of N tokens with the allocator's history recorded, and
on torch.OutOfMemoryError prints the error (the size it tried to allocate, what was in use), the
largest live blocks with the Python frame that allocated each, and the source lines of the frame
that failed. Reads GPU state only; changes no clocks or settings.

usage: python3 diagnose_oom.py --model falcon-h1-0.5b --impl sdpa --seq 32768 [--kv-cache none] [--logits last]
"""
import argparse
import linecache
import sys

import torch

from measure_peak_memory import build


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True)
    p.add_argument("--impl", default="sdpa")
    p.add_argument("--seq", type=int, required=True)
    p.add_argument("--kv-cache", default="none", choices=["dynamic", "none"])
    p.add_argument("--logits", default="last", choices=["all", "last"])
    p.add_argument("--top", type=int, default=12)
    args = p.parse_args()
    model = build(args.model, args.impl)
    print("weights allocated", torch.cuda.memory_allocated(), "bytes")
    ids = torch.randint(0, model.config.vocab_size, (1, args.seq), device="cuda")
    torch.cuda.memory._record_memory_history(max_entries=200000)
    try:
        with torch.no_grad():
            model(input_ids=ids, use_cache=args.kv_cache == "dynamic", logits_to_keep=0 if args.logits == "all" else 1)
        torch.cuda.synchronize()
        print("no out-of-memory error; peak allocated", torch.cuda.max_memory_allocated(), "bytes")
        return
    except torch.OutOfMemoryError as e:
        print("OutOfMemoryError:", str(e).splitlines()[0])
    snapshot = torch.cuda.memory._snapshot()
    torch.cuda.memory._record_memory_history(enabled=None)
    blocks = []
    for segment in snapshot["segments"]:
        for block in segment["blocks"]:
            if block["state"] == "active_allocated":
                blocks.append(block)
    blocks.sort(key=lambda b: -b["size"])
    print("live bytes", sum(b["size"] for b in blocks), "in", len(blocks), "blocks; the largest:")
    for b in blocks[: args.top]:
        frames = [f for f in b.get("frames", []) if f.get("filename", "").endswith(".py")]
        where = "; ".join(f"{f['filename'].split('/')[-1]}:{f['line']} {f['name']}" for f in frames[:3])
        print(f"  {b['size']:>14d}  {where}")
    traces = snapshot.get("device_traces", [[]])[0]
    failed = [t for t in traces if t.get("action") == "oom"]
    if failed:
        frames = [f for f in failed[-1].get("frames", []) if f.get("filename", "").endswith(".py")]
        print("failed allocation of", failed[-1].get("size"), "bytes at:")
        for f in frames[:6]:
            print(f"  {f['filename'].split('/')[-1]}:{f['line']} {f['name']}")
        if frames:
            top = frames[0]
            for line in range(max(1, top["line"] - 12), top["line"] + 2):
                print(f"    {line:5d} {linecache.getline(top['filename'], line).rstrip()}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
