"""
Presence NB as the SVM's blend partner, checked in scikit-learn: the figures bench/README.md
quotes for the scikit-learn side of `nb: presence`. One-vs-rest LinearSVC (C 0.5, balanced class
weights as sample weights, cross-listed papers as negatives at weight 0.3) blended with a naive
Bayes member, each model's scores centred over the classes and divided by their spread:
  - cnb: ComplementNB(alpha 0.3) on the TF-IDF features (no cross-list handling);
  - presence exact: multinomial NB over word presence, sum over a document's distinct features
    of ln p(f | k), p(f | k) = (d_kf + alpha) / sum(d_k + alpha), no class prior;
  - presence served: the same ln p(f | k) divided by idf_f, applied to the TF-IDF row as one
    linear weight matrix (what core/ml/trainers/presence-nb.ts stores).
Features: word 1-2-grams, sublinear tf, min_df 2, English stop words, on whitespace-collapsed
title + abstract. 4-fold stratified CV on fine20's training split, fold seeds 0-3 (the test split
is not read).

    /usr/bin/python3 bench/reference/presence_nb_sklearn.py [DATA.jsonl.gz]    # about a minute on 2 cores

Task construction is the reference's (reference_sklearn.py).
"""
import json, gzip, hashlib, os, re, sys
from collections import Counter
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC
from sklearn.naive_bayes import ComplementNB
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

DATA = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../../shared/data/arxiv/abstracts.jsonl.gz')
rows = [json.loads(l) for l in gzip.open(DATA, 'rt')]
counts = Counter(r['categories'].split()[0] for r in rows)
keep = {c for c, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:20]}
items = sorted((hashlib.sha256(r['id'].encode()).hexdigest(), r['title'] + ' ' + r['abstract'], r['categories'].split()) for r in rows if r['categories'].split()[0] in keep)
tr = [(t, c) for h, t, c in items if int(h[:8], 16) % 5 != 0]
Xtr = [re.sub(r'\s+', ' ', t) for t, _ in tr]
classes = sorted({c[0] for _, c in tr})
index = {c: i for i, c in enumerate(classes)}
K = len(classes)
ytr = np.array([index[c[0]] for _, c in tr])
listed = np.zeros((len(tr), K), bool)
for i, (_, cats) in enumerate(tr):
    for c in cats[1:]:
        if c in index and index[c] != ytr[i]:
            listed[i, index[c]] = True


def ovr_svm(A, y, cross, B, w=0.3):
    balanced = len(y) / (K * np.bincount(y, minlength=K))
    S = np.zeros((B.shape[0], K))
    for k in range(K):
        sw = balanced[y].copy()
        sw[cross[:, k]] *= w
        m = LinearSVC(C=0.5).fit(A, (y == k).astype(int), sample_weight=sw)
        S[:, k] = B @ m.coef_[0] + m.intercept_[0]
    return S


def presence_log_shares(A, y, alpha):
    Y = np.zeros((len(y), K))
    Y[np.arange(len(y)), y] = 1
    d = np.asarray(((A > 0).astype(np.float64).T @ Y).T)  # K x F documents holding f
    return np.log(d + alpha) - np.log((d + alpha).sum(1, keepdims=True))


def norm(S):
    S = S - S.mean(1, keepdims=True)
    return S / S.std()


SEEDS = [0, 1, 2, 3]
NB = [1.0, 1.5, 2.0]
ALPHAS = [0.03, 0.1]
pred = {}
for seed in SEEDS:
    for a, b in StratifiedKFold(4, shuffle=True, random_state=seed).split(Xtr, ytr):
        v = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2, stop_words='english')
        A = v.fit_transform([Xtr[i] for i in a])
        B = v.transform([Xtr[i] for i in b])
        S = norm(ovr_svm(A, ytr[a], listed[a], B))
        m = ComplementNB(alpha=0.3).fit(A, ytr[a])
        members = {('cnb', 0.3): norm(m._joint_log_likelihood(B))}
        for alpha in ALPHAS:
            logp = presence_log_shares(A, ytr[a], alpha)
            members[('presence exact', alpha)] = norm(np.asarray((B > 0).astype(np.float64) @ logp.T))
            members[('presence served', alpha)] = norm(np.asarray(B @ (logp / v.idf_[None, :]).T))
        for key, N in members.items():
            for w in NB:
                pred.setdefault((seed, key, w), np.zeros(len(ytr), int))[b] = (S + w * N).argmax(1)

print('member | alpha | NB weight | CV macro-F1 per fold seed | mean')
for key in sorted({k for _, k, _ in pred}):
    for w in NB:
        f1s = [f1_score(ytr, pred[(s, key, w)], average='macro') for s in SEEDS]
        print(f'{key[0]} | {key[1]} | {w} | {" ".join(f"{f:.4f}" for f in f1s)} | {np.mean(f1s):.4f}')
