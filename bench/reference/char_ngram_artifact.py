#!/usr/bin/env python3
"""Checks where the character n-gram gain quoted in the reference README comes from.

LinearSVC (C=0.5, balanced) on word 1-2-grams + character 2-5-grams (sublinear tf, min_df 2), on
the reference's split, once on the raw text and once with every run of whitespace collapsed to a
single space. If the gain disappears on collapsed text, it comes from line-break/spacing patterns
that differ between the data's sources (and so between categories), not from the words.

  /usr/bin/python3 bench/reference/char_ngram_artifact.py --data ../shared/data/arxiv/abstracts.jsonl.gz --task archives5
"""
import argparse
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_sklearn import build_task, is_test, read_rows  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--task", default="archives5", choices=["archives5", "fine20"])
    args = ap.parse_args()

    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import f1_score
    from sklearn.svm import LinearSVC

    items = build_task(read_rows(args.data), args.task, 0)
    for name, clean in [("raw", lambda t: t), ("collapsed-whitespace", lambda t: re.sub(r"\s+", " ", t).strip())]:
        train = [(clean(t), y) for h, t, y in items if not is_test(h)]
        test = [(clean(t), y) for h, t, y in items if is_test(h)]
        for feats in ["word12", "word12+char25"]:
            t0 = time.perf_counter()
            vecs = [TfidfVectorizer(sublinear_tf=True, min_df=2, ngram_range=(1, 2))]
            if feats.endswith("char25"):
                vecs.append(TfidfVectorizer(sublinear_tf=True, min_df=2, analyzer="char", ngram_range=(2, 5)))
            a = hstack([v.fit_transform([t for t, _ in train]) for v in vecs]).tocsr()
            b = hstack([v.transform([t for t, _ in test]) for v in vecs]).tocsr()
            clf = LinearSVC(C=0.5, class_weight="balanced").fit(a, [y for _, y in train])
            f1 = f1_score([y for _, y in test], clf.predict(b), average="macro")
            print(f"{args.task} {name:22s} {feats:14s} macro-F1 {f1:.4f}  ({time.perf_counter() - t0:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
