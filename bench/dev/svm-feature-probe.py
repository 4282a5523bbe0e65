"""Dev probe (issue 13): which difference between switchboard's linear features and the TF-IDF + LinearSVC peer's
matters? Trains the peer's pipeline with one change at a time on a dataset's train split and prints the best
validation micro-F1 (multi-label) per C. Validation only.
Usage: python3 bench/dev/svm-feature-probe.py .tmp/m3-spanish  (a directory from bench/export-dataset.ts)"""
import json
import re
import sys
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion
from sklearn.preprocessing import MultiLabelBinarizer
from sklearn.svm import LinearSVC

sys.path.insert(0, "bench/peers")
from peer_common import micro_f1_best  # noqa: E402

warnings.filterwarnings("ignore", category=ConvergenceWarning)
d = sys.argv[1]
read = lambda f: [json.loads(l) for l in open(f"{d}/{f}.jsonl", encoding="utf-8") if l.strip()]
train, valid = read("train"), read("valid")
labels_of = lambda e: e["intent"] if isinstance(e["intent"], list) else [e["intent"]]
TOKEN = r"[^\s.,!?;:\"'()\[\]{}¿¡।…“”‘’«»]+"
WORD_RE = re.compile(r"[\w]+(?:['’][\w]+)*", re.UNICODE)
PUNCT = re.compile(r"[^\w\s'’]", re.UNICODE)


def variant(name):
    pre = None
    char_analyzer = "char_wb"
    if name == "no-punct":  # switchboard's tokens drop punctuation before character n-grams
        pre = lambda t: PUNCT.sub(" ", t.lower())
    return FeatureUnion([
        ("word", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, token_pattern=TOKEN,
                                 preprocessor=pre, dtype=np.float32)),
        ("char", TfidfVectorizer(analyzer=char_analyzer, ngram_range=(2, 5), sublinear_tf=True, preprocessor=pre,
                                 dtype=np.float32)),
    ])


mlb = MultiLabelBinarizer()
y = mlb.fit_transform([labels_of(e) for e in train])
for name in sys.argv[2:] or ["peer", "no-punct"]:
    vec = variant(name)
    x = vec.fit_transform([e["text"] for e in train])
    xv = vec.transform([e["text"] for e in valid])
    for C in (1.0, 3.0):
        clf = OneVsRestClassifier(LinearSVC(C=C, random_state=13, max_iter=5000)).fit(x, y)
        f1 = micro_f1_best([set(labels_of(e)) for e in valid], list(mlb.classes_), clf.decision_function(xv))
        print(json.dumps({"data": d, "variant": name, "C": C, "valid_micro_f1": round(100 * f1, 2)}), flush=True)
