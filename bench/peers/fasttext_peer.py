"""Benchmark peer: fastText supervised, trained by Debian's `fasttext` binary, served by Debian's python3-fasttext.

A small grid (learning rate x epochs) is searched on the validation split; word bigrams, character 2-5-grams, dim 100
and a seeded single-thread run are fixed. Single-label: softmax loss. Multi-label: one-vs-all loss, examples without
an intent carry the label __none__ (never predicted as an intent). Text is lowercased and punctuation split off, as in
fastText's own tutorials; the latency includes that preprocessing. See peer_common.py for the protocol.
"""

import os
import re
import shutil
import subprocess
import time

import fasttext

fasttext.FastText.eprint = lambda *a, **k: None  # silence the binding's load_model deprecation banner
import numpy as np
from peer_common import (
    NONE_LABEL,
    parse_args,
    peak_rss_mb,
    ranked,
    read_jsonl,
    selection_objective,
    time_one_by_one,
    write_output,
)

BINARY = shutil.which("fasttext") or "/usr/bin/fasttext"
FIXED = {"dim": 100, "wordNgrams": 2, "minn": 2, "maxn": 5, "bucket": 200000, "minCount": 1, "thread": 1}
GRID = [{"lr": lr, "epoch": epoch} for lr in (0.5, 1.0) for epoch in (25, 50)]
# Above this many training examples only the 25-epoch half of the grid runs, to keep a run bounded (single thread).
LARGE = 30000
PUNCT = re.compile(r"([.!?,;:()\"/¿¡।…“”«»]|'(?=\s|$))")
SPACES = re.compile(r"\s+")


def prep(text):
    return SPACES.sub(" ", PUNCT.sub(r" \1 ", text.lower())).strip()


def write_train(path, examples):
    with open(path, "w", encoding="utf-8") as f:
        for e in examples:
            labels = e["intent"] or [NONE_LABEL]
            f.write(" ".join("__label__" + lab for lab in labels) + " " + prep(e["text"]) + "\n")


def train(train_file, out_prefix, params, mode, seed):
    loss = "ova" if mode == "multi" else "softmax"
    args = [BINARY, "supervised", "-input", train_file, "-output", out_prefix, "-loss", loss, "-seed", str(seed),
            "-verbose", "0"]
    for key, value in {**FIXED, **params}.items():
        args += ["-" + key, str(value)]
    start = time.perf_counter()
    subprocess.run(args, check=True)
    seconds = time.perf_counter() - start
    return fasttext.load_model(out_prefix + ".bin"), seconds


def score_matrix(model, texts, labels):
    """[n, labels] probabilities (fastText's predict with k=-1 returns every label)."""
    index = {lab: i for i, lab in enumerate(labels)}
    out = np.zeros((len(texts), len(labels)), dtype=np.float32)
    got_labels, got_probs = model.predict([prep(t) for t in texts], k=-1)
    for row, (ls, ps) in enumerate(zip(got_labels, got_probs)):
        for lab, p in zip(ls, ps):
            out[row, index[lab[len("__label__"):]]] = p
    return out


def main():
    args = parse_args()
    fit, valid, test = read_jsonl(args.fit), read_jsonl(args.valid), read_jsonl(args.test)
    fit_file = os.path.join(args.work, "fit.txt")
    write_train(fit_file, fit)
    tuning = []
    best = None
    t0 = time.perf_counter()
    grid = [p for p in GRID if len(fit) <= LARGE or p["epoch"] == 25]
    for i, params in enumerate(grid):
        model, seconds = train(fit_file, os.path.join(args.work, f"grid{i}"), params, args.mode, args.seed)
        labels = [lab[len("__label__"):] for lab in model.get_labels()]
        score = selection_objective(args.mode, valid, labels, score_matrix(model, [e["text"] for e in valid], labels))
        tuning.append({**params, "valid_objective": score, "seconds": seconds})
        print(f"fasttext {params}: valid objective {score:.4f} ({seconds:.1f} s)", flush=True)
        if best is None or score > best[0]:
            best = (score, i, params, seconds)
    tuning_seconds = time.perf_counter() - t0
    _, best_i, params, train_seconds = best
    prefix = os.path.join(args.work, f"grid{best_i}")
    if args.refit:
        all_file = os.path.join(args.work, "train.txt")
        write_train(all_file, fit + valid)
        prefix = os.path.join(args.work, "final")
        model, train_seconds = train(all_file, prefix, params, args.mode, args.seed)
    else:
        model = fasttext.load_model(prefix + ".bin")
    for name in os.listdir(args.work):  # keep only the chosen model's .bin
        if name.endswith(".vec") or (name.startswith("grid") and os.path.join(args.work, name) != prefix + ".bin"):
            os.remove(os.path.join(args.work, name))

    labels = [lab[len("__label__"):] for lab in model.get_labels()]
    k = None if args.mode == "multi" else 5
    valid_pred = [ranked(labels, row, k) for row in score_matrix(model, [e["text"] for e in valid], labels)]
    test_texts = [e["text"] for e in test]
    one_k = -1 if args.mode == "multi" else 1
    _, latencies, repeats = time_one_by_one(
        test_texts, lambda t: model.predict(prep(t), k=one_k), [e["text"] for e in valid]
    )
    start = time.perf_counter()
    test_scores = score_matrix(model, test_texts, labels)
    batch_seconds = time.perf_counter() - start
    test_pred = [ranked(labels, row, k) for row in test_scores]

    write_output(
        args.out,
        settings={**FIXED, **params, "loss": "ova" if args.mode == "multi" else "softmax", "seed": args.seed,
                  "grid": grid, "refit_on_train_plus_valid": args.refit, "preprocessing": "lowercase, split punctuation"},
        tuning=tuning,
        tuning_seconds=tuning_seconds,
        train_seconds=train_seconds,
        valid_pred=valid_pred,
        test_pred=test_pred,
        latencies_ms=latencies,
        latency_repeats=repeats,
        throughput_per_s=len(test_texts) / batch_seconds,
        throughput_mode="batched",
        model_bytes=os.path.getsize(prefix + ".bin"),
        peak_rss_mb=peak_rss_mb(),
        child_peak_rss_mb=peak_rss_mb(__import__("resource").RUSAGE_CHILDREN),
        notes=[
            "fastText 0.9.2 (Debian): trained by the fasttext binary (-thread 1 for a reproducible seeded run), "
            "served in-process by python3-fasttext; model size = the .bin (bucket 200000 x dim 100 floats dominate)",
            "latency: preprocessing + model.predict for one message, timed in python (no IPC)",
            "throughput: model.predict on the whole list (the binding loops in C++), k=-1",
        ],
    )


if __name__ == "__main__":
    main()
