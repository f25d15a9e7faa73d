#!/usr/bin/env python3
"""attnsim's predictions of a drawn held-out set, written down before it is measured.

Usage (from the repository root, with build/attnsim built):
    python3 validate/predict_drawn_shapes.py > validate/data/predictions/short_queries.csv

The set is held_out_shapes.py's short-queries rule (24 shapes, seed 20261208); each shape's fused
SDPA backends are predicted for forward, backward and forward+backward on the H100 SXM and H200
profiles at the burst clock (what isolated benchmark calls hold), CUDA-graph runtime.
"""
import csv
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import held_out_shapes  # noqa: E402

variant = {"sdpa-efficient": "mem-efficient", "sdpa-flash": "flash2", "sdpa-cudnn": "cudnn"}
rows = []
for gpu in ("h100-sxm", "h200"):
    for b, h, hkv, nq, nk, d, causal, backends in held_out_shapes.short_query_shapes(*held_out_shapes.SHORT_QUERIES_SET):
        for backend in backends:
            for pass_ in ("forward", "backward", "forward+backward"):
                cmd = ["build/attnsim", "predict", "--gpu", gpu, "--clock", "burst", "--variant", variant[backend],
                       "--batch", str(b), "--heads", str(h), "--kv-heads", str(hkv), "--seq-q", str(nq),
                       "--seq", str(nk), "--head-dim", str(d), "--pass", pass_, "--format", "json"]
                p = subprocess.run(cmd, capture_output=True, text=True)
                if p.returncode != 0:
                    rows.append([gpu, backend, b, h, hkv, nq, nk, d, "false", pass_, "", "", "", p.stderr.strip()])
                    continue
                j = json.loads(p.stdout)
                rows.append([gpu, backend, b, h, hkv, nq, nk, d, "false", pass_, "%.6e" % j["predicted_seconds"],
                             j["bound"], j.get("error_band_percent"), ""])
w = csv.writer(sys.stdout)
w.writerow(["gpu", "backend", "batch", "heads", "kv_heads", "seq_q", "seq_kv", "head_dim", "causal", "pass",
            "predicted_seconds", "bound", "error_band_percent", "error"])
w.writerows(rows)
