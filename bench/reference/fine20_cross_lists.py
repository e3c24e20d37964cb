"""
Shared by the scikit-learn checks of cross-list handling (cross_lists_sklearn.py,
presence_nb_sklearn.py): fine20 built as the reference builds it (reference_sklearn.py: primary
category, the 20 most frequent kept, sha256 order and split), with each training paper's other
categories among the 20 as a mask, and the one-vs-rest LinearSVC whose cross-listed negatives
carry a reduced weight, and the score scaling the blends use.
"""
import gzip, hashlib, json, os, re
from collections import Counter
import numpy as np
from sklearn.svm import LinearSVC

DEFAULT_DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../../shared/data/arxiv/abstracts.jsonl.gz')


def load_fine20(path=DEFAULT_DATA):
    """Whitespace-collapsed title + abstract and label index of the training and test papers, the
    sorted class names, and listed[i, k]: training paper i is cross-listed in class k (not its own)."""
    rows = [json.loads(l) for l in gzip.open(path, 'rt')]
    counts = Counter(r['categories'].split()[0] for r in rows)
    keep = {c for c, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:20]}
    items = sorted((hashlib.sha256(r['id'].encode()).hexdigest(), r['title'] + ' ' + r['abstract'], r['categories'].split()) for r in rows if r['categories'].split()[0] in keep)
    tr = [(t, c) for h, t, c in items if int(h[:8], 16) % 5 != 0]
    te = [(t, c) for h, t, c in items if int(h[:8], 16) % 5 == 0]
    collapse = lambda t: re.sub(r'\s+', ' ', t)
    classes = sorted({c[0] for _, c in tr})
    index = {c: i for i, c in enumerate(classes)}
    K = len(classes)
    ytr = np.array([index[c[0]] for _, c in tr])
    listed = np.zeros((len(tr), K), bool)
    for i, (_, cats) in enumerate(tr):
        for c in cats[1:]:
            if c in index and index[c] != ytr[i]:
                listed[i, index[c]] = True
    return {
        'Xtr': [collapse(t) for t, _ in tr], 'ytr': ytr, 'listed': listed,
        'Xte': [collapse(t) for t, _ in te], 'yte': np.array([index[c[0]] for _, c in te]),
        'classes': classes, 'K': K,
    }


def ovr_svm(A, y, cross, w, B, K):
    """Scores of B by one LinearSVC per class (C 0.5, balanced class weights as sample weights),
    trained on A with the rows cross-listed in that class weighted by w as its negatives."""
    balanced = len(y) / (K * np.bincount(y, minlength=K))
    S = np.zeros((B.shape[0], K))
    for k in range(K):
        sw = balanced[y].copy()
        sw[cross[:, k]] *= w
        m = LinearSVC(C=0.5).fit(A, (y == k).astype(int), sample_weight=sw)
        S[:, k] = B @ m.coef_[0] + m.intercept_[0]
    return S


def spread(S):
    """Scores centred over the classes and divided by their spread (root mean square), as the
    blend in core/ml/trainers/svm-nb-blend.ts scales its members."""
    S = S - S.mean(1, keepdims=True)
    return S / S.std()
