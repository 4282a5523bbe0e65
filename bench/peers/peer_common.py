"""Shared helpers of the python benchmark peers (run by /usr/bin/python3 from bench/systems/*.ts).

Protocol: the node child writes fit/valid/test JSONL files ({"text", "intent": [labels], "language"}), runs
`python3 bench/peers/<peer>.py --fit F --valid V --test T --mode single|multi --seed S --work DIR --out OUT [--refit]`,
and reads OUT: ranked predictions for valid and test, the single-message latencies (measured here with
time.perf_counter around preprocessing + vectorising + predicting one message), throughput, model size and peak RSS.
The final metrics are computed by the node side (bench/lib/metrics.ts) so every system is scored by the same code;
the selection objectives below mirror it only to pick hyper-parameters on the validation split.
"""

import argparse
import json
import resource
import time

import numpy as np

OOS = "out_of_scope"
NONE_LABEL = "__none__"
MIN_TIMED_CALLS = 1000
WARMUP_CALLS = 100


def parse_args():
    p = argparse.ArgumentParser()
    for name in ("--fit", "--valid", "--test", "--work", "--out"):
        p.add_argument(name, required=True)
    p.add_argument("--mode", choices=("single", "multi"), required=True)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--refit", action="store_true", help="retrain on fit+valid after tuning (valid was carved from train)")
    return p.parse_args()


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def peak_rss_mb(who=resource.RUSAGE_SELF):
    """Peak RSS in MiB (ru_maxrss is KiB on Linux); RUSAGE_CHILDREN: the largest waited-for child."""
    return resource.getrusage(who).ru_maxrss / 1024


def time_one_by_one(texts, fn, warmup):
    """Warm-up on a few other texts, then time fn on each text one at a time (cycling to MIN_TIMED_CALLS if fewer)."""
    for t in warmup[:WARMUP_CALLS]:
        fn(t)
    latencies = []
    results = []
    for t in texts:
        start = time.perf_counter()
        results.append(fn(t))
        latencies.append((time.perf_counter() - start) * 1000)
    repeats = 0
    while texts and len(latencies) < MIN_TIMED_CALLS:
        t = texts[repeats % len(texts)]
        start = time.perf_counter()
        fn(t)
        latencies.append((time.perf_counter() - start) * 1000)
        repeats += 1
    return results, latencies, repeats


def oos_objective(gold, top_labels, top_scores):
    """Best accuracy over all rows (in-scope and OOS) over thresholds on the top score (CLINC150), the criterion
    every system's threshold is chosen by (bench/lib/metrics.ts)."""
    gold = np.asarray(gold)
    top_labels = np.asarray(top_labels)
    scores = np.asarray(top_scores, dtype=float)
    best = 0.0
    for t in np.concatenate(([-np.inf], np.unique(scores))):
        pred = np.where(scores >= t, top_labels, OOS) if np.isfinite(t) else top_labels
        ok = pred == gold
        best = max(best, float(ok.mean()))
    return float(best)


def micro_f1_best(gold_sets, labels, scores):
    """Best micro-F1 over one global threshold on a [n, labels] score matrix."""
    truth = np.array([[lab in g for lab in labels] for g in gold_sets], dtype=bool)
    keep = np.array([lab != NONE_LABEL for lab in labels])
    s = scores[:, keep].ravel()
    y = truth[:, keep].ravel()
    total_gold = sum(len(g) for g in gold_sets)
    order = np.argsort(-s, kind="stable")
    tp = np.cumsum(y[order])
    predicted = np.arange(1, len(order) + 1)
    f1 = 2 * tp / (predicted + total_gold)
    return float(f1.max()) if len(f1) else 0.0


def selection_objective(mode, examples, labels, scores):
    """The validation score used to pick hyper-parameters: accuracy, OOS objective or best micro-F1."""
    if mode == "multi":
        return micro_f1_best([set(e["intent"]) for e in examples], labels, scores)
    gold = [e["intent"][0] for e in examples]
    idx = scores.argmax(axis=1)
    top_labels = [labels[i] for i in idx]
    if OOS in gold:
        return oos_objective(gold, top_labels, scores.max(axis=1))
    return float(np.mean([a == b for a, b in zip(gold, top_labels)]))


def ranked(labels, row, k):
    """A ranked prediction [[label, score], ...] of one score row, best first, at most k (k=None: all)."""
    order = np.argsort(-row, kind="stable")[: (k or len(labels))]
    return [[labels[i], round(float(row[i]), 6)] for i in order]


def write_output(path, **fields):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(fields, f)
