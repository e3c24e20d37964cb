"""
Cross-validation and test figures of scikit-learn linear models on fine20, the numbers bench/README.md
quotes for the scikit-learn side: LinearSVC (C 0.5, balanced), Crammer-Singer, LogisticRegression
C 10 / C 30 (balanced), ComplementNB (alpha 0.3), and score blends of them. Features: word 1-2-grams,
sublinear tf, min_df 2, English stop words, on whitespace-collapsed title + abstract. CV is 4-fold
stratified on the training split (random_state 0); "test" is the reference's test split.

    /usr/bin/python3 bench/reference/cv_sklearn.py [DATA.jsonl.gz]    # about 10 minutes on 2 cores

Blends centre each model's scores over the classes, divide by their global spread and add them
with the weight shown. Task construction is the reference's (reference_sklearn.py).
"""
import json, gzip, hashlib, re, sys
from collections import Counter
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import ComplementNB
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
import os
DATA=sys.argv[1] if len(sys.argv)>1 else os.path.join(os.path.dirname(os.path.abspath(__file__)),'../../../shared/data/arxiv/abstracts.jsonl.gz')
rows=[json.loads(l) for l in gzip.open(DATA,'rt')]
counts=Counter(r['categories'].split()[0] for r in rows)
keep={c for c,_ in sorted(counts.items(), key=lambda kv:(-kv[1],kv[0]))[:20]}
items=sorted((hashlib.sha256(r['id'].encode()).hexdigest(), r['title']+' '+r['abstract'], r['categories'].split()[0]) for r in rows if r['categories'].split()[0] in keep)
tr=[(t,y) for h,t,y in items if int(h[:8],16)%5!=0]; te=[(t,y) for h,t,y in items if int(h[:8],16)%5==0]
n=lambda t: re.sub(r'\s+',' ',t)
Xtr=[n(t) for t,_ in tr]; Xte=[n(t) for t,_ in te]
classes=np.array(sorted(set(y for _,y in tr))); ytr=np.searchsorted(classes,[y for _,y in tr]); yte=np.searchsorted(classes,[y for _,y in te])
def models():
  return {'svm':lambda:LinearSVC(C=0.5,class_weight='balanced'),
   'cs':lambda:LinearSVC(C=0.1,multi_class='crammer_singer',class_weight='balanced'),
   'lr10':lambda:LogisticRegression(C=10,class_weight='balanced',max_iter=500),
   'lr30':lambda:LogisticRegression(C=30,class_weight='balanced',max_iter=500),
   'cnb':lambda:ComplementNB(alpha=0.3)}
def scores(m,B):
  if hasattr(m,'decision_function') and not isinstance(m,ComplementNB): return m.decision_function(B)
  return m.predict_log_proba(B) if not isinstance(m,ComplementNB) else m._joint_log_likelihood(B) if hasattr(m,'_joint_log_likelihood') else m.predict_log_proba(B)
def run(Xa,ya,Xb):
  v=TfidfVectorizer(ngram_range=(1,2),sublinear_tf=True,min_df=2,stop_words='english'); A=v.fit_transform(Xa); B=v.transform(Xb)
  return {k:scores(f().fit(A,ya),B) for k,f in models().items()}
oof={}; skf=StratifiedKFold(4,shuffle=True,random_state=0)
for a,b in skf.split(Xtr,ytr):
  r=run([Xtr[i] for i in a],ytr[a],[Xtr[i] for i in b])
  for k,v in r.items(): oof.setdefault(k,np.zeros((len(ytr),len(classes))))[b]=v
  print('fold',flush=True)
test=run(Xtr,ytr,Xte)
def g(S): S=S-S.mean(1,keepdims=True); return S/S.std()
def f(y,S): return round(f1_score(y,S.argmax(1),average='macro'),4)
for k in oof: print(k,'cv',f(ytr,oof[k]),'test',f(yte,test[k]))
for combo in [('svm','cnb'),('lr10','cnb'),('svm','lr10'),('svm','lr10','cnb'),('cs','cnb'),('lr30','cnb')]:
  for w in [0.5,1]:
    S1=sum((1 if i==0 else w)*g(oof[c]) for i,c in enumerate(combo)); S2=sum((1 if i==0 else w)*g(test[c]) for i,c in enumerate(combo))
    print(combo,w,'cv',f(ytr,S1),'test',f(yte,S2))
