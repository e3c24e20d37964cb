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
import os, sys
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.naive_bayes import ComplementNB
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fine20_cross_lists import DEFAULT_DATA, load_fine20, ovr_svm, spread  # noqa: E402

task = load_fine20(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_DATA)
Xtr, ytr, listed, K = task['Xtr'], task['ytr'], task['listed'], task['K']


def presence_log_shares(A, y, alpha):
    Y = np.zeros((len(y), K))
    Y[np.arange(len(y)), y] = 1
    d = np.asarray(((A > 0).astype(np.float64).T @ Y).T)  # K x F documents holding f
    return np.log(d + alpha) - np.log((d + alpha).sum(1, keepdims=True))


SEEDS = [0, 1, 2, 3]
NB = [1.0, 1.5, 2.0]
ALPHAS = [0.03, 0.1]
pred = {}
for seed in SEEDS:
    for a, b in StratifiedKFold(4, shuffle=True, random_state=seed).split(Xtr, ytr):
        v = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2, stop_words='english')
        A = v.fit_transform([Xtr[i] for i in a])
        B = v.transform([Xtr[i] for i in b])
        S = spread(ovr_svm(A, ytr[a], listed[a], 0.3, B, K))
        m = ComplementNB(alpha=0.3).fit(A, ytr[a])
        members = {('cnb', 0.3): spread(m._joint_log_likelihood(B))}
        for alpha in ALPHAS:
            logp = presence_log_shares(A, ytr[a], alpha)
            members[('presence exact', alpha)] = spread(np.asarray((B > 0).astype(np.float64) @ logp.T))
            members[('presence served', alpha)] = spread(np.asarray(B @ (logp / v.idf_[None, :]).T))
        for key, N in members.items():
            for w in NB:
                pred.setdefault((seed, key, w), np.zeros(len(ytr), int))[b] = (S + w * N).argmax(1)

print('member | alpha | NB weight | CV macro-F1 per fold seed | mean')
for key in sorted({k for _, k, _ in pred}):
    for w in NB:
        f1s = [f1_score(ytr, pred[(s, key, w)], average='macro') for s in SEEDS]
        print(f'{key[0]} | {key[1]} | {w} | {" ".join(f"{f:.4f}" for f in f1s)} | {np.mean(f1s):.4f}')
