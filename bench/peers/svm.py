"""Benchmark peer: TF-IDF (word 1-2 + char_wb 2-5 n-grams, sublinear tf) + LinearSVC, C tuned on validation.

Single-label: one LinearSVC (one-vs-rest inside liblinear); scores are decision-function values.
Multi-label: OneVsRestClassifier(LinearSVC); a label is predicted when its decision value >= a threshold that the node
side chooses on validation. CLINC150 OOS: threshold on the top decision value, chosen on validation by the node side.
See peer_common.py for the protocol.
"""

import os
import pickle
import time
import warnings

import numpy as np
from peer_common import (
    parse_args,
    peak_rss_mb,
    ranked,
    read_jsonl,
    selection_objective,
    time_one_by_one,
    write_output,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion
from sklearn.preprocessing import MultiLabelBinarizer
from sklearn.svm import LinearSVC

C_GRID = (0.1, 0.3, 1.0, 3.0)
# Tokens: runs of anything but whitespace and common punctuation. scikit-learn's default \w\w+ splits Devanagari and
# Thai words at their combining vowel signs (not \w in Python) and drops one-letter words.
TOKEN_PATTERN = r"[^\s.,!?;:\"'()\[\]{}¿¡।…“”‘’«»]+"
SETTINGS = {
    "word": {"ngram_range": [1, 2], "sublinear_tf": True, "lowercase": True, "token_pattern": TOKEN_PATTERN},
    "char_wb": {"ngram_range": [2, 5], "sublinear_tf": True, "lowercase": True},
    "svm": {"loss": "squared_hinge", "max_iter": 5000},
    "C_grid": list(C_GRID),
}


def vectorizer():
    w = SETTINGS["word"]
    c = SETTINGS["char_wb"]
    return FeatureUnion(
        [
            ("word", TfidfVectorizer(analyzer="word", ngram_range=tuple(w["ngram_range"]), sublinear_tf=True,
                                     token_pattern=w["token_pattern"], dtype=np.float32)),
            ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(c["ngram_range"]), sublinear_tf=True,
                                     dtype=np.float32)),
        ]
    )


class Model:
    def __init__(self, mode, C, seed):
        self.mode = mode
        self.vec = vectorizer()
        svm = LinearSVC(C=C, random_state=seed, max_iter=SETTINGS["svm"]["max_iter"])
        self.clf = OneVsRestClassifier(svm) if mode == "multi" else svm
        self.mlb = MultiLabelBinarizer() if mode == "multi" else None

    def fit(self, examples):
        x = self.vec.fit_transform([e["text"] for e in examples])
        if self.mode == "multi":
            y = self.mlb.fit_transform([e["intent"] for e in examples])
        else:
            y = [e["intent"][0] for e in examples]
        self.clf.fit(x, y)
        self.labels = list(self.mlb.classes_ if self.mode == "multi" else self.clf.classes_)
        for _, t in self.vec.transformer_list:
            t.stop_words_ = None  # only needed for introspection; large (scikit-learn's advice before pickling)
        return self

    def scores(self, texts):
        s = self.clf.decision_function(self.vec.transform(texts))
        return s.reshape(len(texts), -1) if s.ndim == 1 else s


def main():
    args = parse_args()
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    fit, valid, test = read_jsonl(args.fit), read_jsonl(args.valid), read_jsonl(args.test)
    tuning = []
    t0 = time.perf_counter()
    for C in C_GRID:
        start = time.perf_counter()
        m = Model(args.mode, C, args.seed).fit(fit)
        score = selection_objective(args.mode, valid, m.labels, m.scores([e["text"] for e in valid]))
        tuning.append({"C": C, "valid_objective": score, "seconds": time.perf_counter() - start})
        print(f"svm C={C}: valid objective {score:.4f}", flush=True)
    tuning_seconds = time.perf_counter() - t0
    best_c = max(tuning, key=lambda r: r["valid_objective"])["C"]  # first best: the smallest C on ties

    final_train = fit + valid if args.refit else fit
    start = time.perf_counter()
    model = Model(args.mode, best_c, args.seed).fit(final_train)
    train_seconds = time.perf_counter() - start

    model_path = os.path.join(args.work, "svm.pkl")
    with open(model_path, "wb") as f:
        pickle.dump((model.vec, model.clf, model.labels), f, protocol=pickle.HIGHEST_PROTOCOL)

    k = None if args.mode == "multi" else 5
    valid_pred = [ranked(model.labels, row, k) for row in model.scores([e["text"] for e in valid])]
    test_texts = [e["text"] for e in test]

    def one(text):
        row = model.scores([text])[0]
        return row.argmax() if args.mode == "single" else row

    _, latencies, repeats = time_one_by_one(test_texts, one, [e["text"] for e in valid])
    start = time.perf_counter()
    test_scores = model.scores(test_texts)
    batch_seconds = time.perf_counter() - start
    test_pred = [ranked(model.labels, row, k) for row in test_scores]

    write_output(
        args.out,
        settings={**SETTINGS, "C": best_c, "seed": args.seed, "refit_on_train_plus_valid": args.refit},
        tuning=tuning,
        tuning_seconds=tuning_seconds,
        train_seconds=train_seconds,
        valid_pred=valid_pred,
        test_pred=test_pred,
        latencies_ms=latencies,
        latency_repeats=repeats,
        throughput_per_s=len(test_texts) / batch_seconds,
        throughput_mode="batched",
        model_bytes=os.path.getsize(model_path),
        peak_rss_mb=peak_rss_mb(),
        notes=[
            "scikit-learn " + __import__("sklearn").__version__ + "; model size = pickle of vectorizers + classifier",
            "latency: vectorize + decision_function for one message, timed in python (time.perf_counter)",
        ],
    )


if __name__ == "__main__":
    main()
