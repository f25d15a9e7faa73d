#!/usr/bin/env python3
"""Rank agreement between measured and predicted time over the flash2 tile sweep.

`attnsim validate` ignores the CSV's `tile` column (it predicts every row with the default tile),
so this script asks `attnsim predict --variant flash2 --tile BMxBN ...` for each attnsim-flash2 row
of an attnsim-bench CSV and reports, per fixed shape (B, H, Hkv, Nq, Nk, d, causal), the Spearman
rank correlation between the six measured medians and the six predicted times, plus summaries.

Usage: python3 validate/cuda/tile_spearman.py CSV [--attnsim build/attnsim] [--gpu h100-sxm]
Standard library only.
"""
import argparse
import csv
import statistics
import subprocess
import sys
from collections import defaultdict


def ranks(values):
    """Average ranks (1-based), ties sharing the mean of their positions."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    r = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return r


def spearman(x, y):
    """Pearson correlation of the ranks; None when either side has no spread."""
    rx, ry = ranks(x), ranks(y)
    mx, my = statistics.fmean(rx), statistics.fmean(ry)
    sxy = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    sxx = sum((a - mx) ** 2 for a in rx)
    syy = sum((b - my) ** 2 for b in ry)
    return None if sxx == 0 or syy == 0 else sxy / (sxx * syy) ** 0.5


def predict(attnsim, gpu, row):
    cmd = [attnsim, "predict", "--gpu", gpu, "--variant", "flash2", "--tile", row["tile"],
           "--batch", row["batch"], "--heads", row["heads"], "--kv-heads", row["kv_heads"],
           "--seq-q", row["seq_q"], "--seq", row["seq_kv"], "--head-dim", row["head_dim"],
           "--format", "csv"]
    if row["causal"] == "true":
        cmd.append("--causal")
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    pred = next(csv.DictReader(out.splitlines()))
    return float(pred["predicted_seconds"]), pred


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv")
    ap.add_argument("--attnsim", default="build/attnsim")
    ap.add_argument("--gpu", default="h100-sxm")
    args = ap.parse_args()

    shapes = defaultdict(list)
    with open(args.csv, newline="") as f:
        for row in csv.DictReader(f):
            if row["backend"] != "attnsim-flash2" or row["status"] != "ok":
                continue
            key = tuple(row[k] for k in ("batch", "heads", "kv_heads", "seq_q", "seq_kv", "head_dim", "causal"))
            seconds, pred = predict(args.attnsim, args.gpu, row)
            shapes[key].append((row["tile"], float(row["median_seconds"]), seconds, pred))

    print("B,H,Hkv,Nq,Nk,d,causal,spearman,measured_best,predicted_best,"
          + ",".join(f"{t}_measured_ms/{t}_predicted_ms" for t, *_ in next(iter(shapes.values()))))
    rhos, rhos_large, pooled_measured, pooled_predicted = [], [], [], []
    for key, points in shapes.items():
        measured = [m for _, m, _, _ in points]
        predicted = [p for _, _, p, _ in points]
        rho = spearman(measured, predicted)
        best_m = min(points, key=lambda t: t[1])[0]
        best_p = min(points, key=lambda t: t[2])[0]
        cells = ",".join(f"{m * 1e3:.4g}/{p * 1e3:.4g}" for _, m, p, _ in points)
        print(",".join(key) + f",{'' if rho is None else f'{rho:.3f}'},{best_m},{best_p},{cells}")
        if rho is not None:
            rhos.append(rho)
            if int(key[3]) >= 4096:
                rhos_large.append(rho)
        # Within-shape normalisation so that the pooled correlation measures tile ordering, not N.
        mm, pm = statistics.fmean(measured), statistics.fmean(predicted)
        pooled_measured += [m / mm for m in measured]
        pooled_predicted += [p / pm for p in predicted]
    print(f"\nshapes: {len(shapes)}; Spearman defined (predicted times not all equal) for {len(rhos)}: "
          f"mean {statistics.fmean(rhos):.3f}, median {statistics.median(rhos):.3f}, "
          f"min {min(rhos):.3f}, max {max(rhos):.3f}")
    if rhos_large:
        print(f"of those, N >= 4096: {len(rhos_large)}; mean {statistics.fmean(rhos_large):.3f}, "
              f"median {statistics.median(rhos_large):.3f}")
    pooled = spearman(pooled_measured, pooled_predicted)
    print(f"pooled over all {len(pooled_measured)} points, each time divided by its shape's mean: "
          f"Spearman {pooled if pooled is None else round(pooled, 3)}")


if __name__ == "__main__":
    sys.exit(main())
