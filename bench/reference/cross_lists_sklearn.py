"""
Cross-listed papers as weak negatives, checked in scikit-learn: the figures bench/README.md quotes
for the scikit-learn side of `crossListWeight`. One-vs-rest LinearSVC (C 0.5, balanced class
weights as sample weights) where a training paper cross-listed in class k enters k's binary problem
as a negative with weight w (w = 1: every paper a plain negative, as LinearSVC does), alone and
blended with ComplementNB (alpha 0.3; each model's scores centred over the classes and divided by
their spread, NB weight as shown). Features: word 1-2-grams, sublinear tf, min_df 2, English stop
words, on whitespace-collapsed title + abstract. CV is 4-fold stratified on fine20's training
split (fold seeds 0 and 1, means); "test" is the reference's test split, for information.

    /usr/bin/python3 bench/reference/cross_lists_sklearn.py [DATA.jsonl.gz]    # about a minute on 2 cores

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
Xtr, Xte, ytr, yte, listed, K = task['Xtr'], task['Xte'], task['ytr'], task['yte'], task['listed'], task['K']
print(f'fine20: {len(Xtr)} training papers, {listed.any(1).mean():.1%} cross-listed in another of the 20 categories')


def vectorise(a, b):
    v = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2, stop_words='english')
    return v.fit_transform(a), v.transform(b)


def cnb(A, y, B):
    m = ComplementNB(alpha=0.3).fit(A, y)
    return m._joint_log_likelihood(B) if hasattr(m, '_joint_log_likelihood') else m.predict_log_proba(B)


f1 = lambda y, S: f1_score(y, S.argmax(1), average='macro')
WEIGHTS = [1.0, 0.3, 0.0]
NB = [0.5, 0.75, 1.0]

cv = {}
for seed in [0, 1]:
    oof = {}
    for a, b in StratifiedKFold(4, shuffle=True, random_state=seed).split(Xtr, ytr):
        A, B = vectorise([Xtr[i] for i in a], [Xtr[i] for i in b])
        oof.setdefault('cnb', np.zeros((len(ytr), K)))[b] = cnb(A, ytr[a], B)
        for w in WEIGHTS:
            oof.setdefault(w, np.zeros((len(ytr), K)))[b] = ovr_svm(A, ytr[a], listed[a], w, B, K)
    for w in WEIGHTS:
        cv.setdefault((w, None), []).append(f1(ytr, oof[w]))
        for nb in NB:
            cv.setdefault((w, nb), []).append(f1(ytr, spread(oof[w]) + nb * spread(oof['cnb'])))

A, B = vectorise(Xtr, Xte)
test_cnb = cnb(A, ytr, B)
print('cross-list weight | model | CV macro-F1 (mean of 2 fold seeds) | test macro-F1')
for w in WEIGHTS:
    S = ovr_svm(A, ytr, listed, w, B, K)
    print(f'{w} | svm | {np.mean(cv[(w, None)]):.4f} | {f1(yte, S):.4f}')
    for nb in NB:
        print(f'{w} | svm + {nb} cnb | {np.mean(cv[(w, nb)]):.4f} | {f1(yte, spread(S) + nb * spread(test_cnb)):.4f}')
