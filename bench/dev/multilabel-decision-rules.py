"""Multi-label decision rules compared on validation only (issue 13, Multi3NLU++).

Reads the dumps of bench/dev/multilabel-decision-dump.ts (label-order probabilities of the benchmark's switchboard
model on the validation and test splits) and compares how labels are emitted per row:
  global            one probability threshold maximising validation micro-F1 (what the product does)
  fallback          global, plus the top label when nothing passes and its probability >= a floor chosen on validation
  fallback-always   global, plus the top label whenever nothing passes
  cap               global, at most K labels per row (K in 1..3 or no cap, chosen on validation)
  bagged-*          global threshold = median / mean of the best thresholds of 50 bootstrap resamples of validation
  perlabel-kK       per-label thresholds (coordinate ascent on validation micro-F1), shrunk toward the global one:
                    t_l = (n_l t_l* + K t) / (n_l + K), n_l the label's validation positives
A rule is judged by valid-CV: 20 random halvings of the validation split, parameters chosen on one half and scored
on the other (micro-F1). Test micro-F1 (parameters chosen on all of validation) is printed for the record only.
/usr/bin/python3 bench/dev/multilabel-decision-rules.py DUMP_DIR LANG...   (dumps: DUMP_DIR/ml-LANG.json)
"""
import json
import sys

import numpy as np
def load(lang):
    d=json.load(open(f'{DUMPS}/ml-{lang}.json'))
    L=d['labels']
    def mat(split):
        P=np.array(split['probs'],dtype=float)
        Y=np.array([[l in set(g) for l in L] for g in split['gold']],dtype=bool)
        return P,Y
    return d,L,mat(d['valid']),mat(d['test'])
def f1(pred,Y):
    tp=(pred&Y).sum(); fp=(pred&~Y).sum(); fn=(~pred&Y).sum()
    return 2*tp/max(1,2*tp+fp+fn)
def best_global(P,Y):
    s=np.sort(np.unique(P))[::-1]
    cands=np.concatenate([(s[:-1]+s[1:])/2])
    best=(-1,0.5)
    # fast: sort all
    flat=P.ravel(); y=Y.ravel(); o=np.argsort(-flat,kind='stable'); tp=np.cumsum(y[o]); n=np.arange(1,len(o)+1); pos=y.sum()
    f=2*tp/(n+pos); i=int(np.argmax(f)); t=(flat[o][i]+flat[o][i+1])/2 if i+1<len(o) else flat[o][i]/2
    return t
def apply_global(P,t): return P>=t
def apply_fallback(P,t,f):
    pred=P>=t
    none=~pred.any(1)
    am=P.argmax(1)
    fb=none&(P.max(1)>=f)
    pred[np.where(fb)[0],am[fb]]=True
    return pred
def fit_fallback(P,Y,t):
    best=(f1(apply_global(P,t),Y),t)  # f=t == no fallback
    for f in np.linspace(0,t,41)[:-1]:
        s=f1(apply_fallback(P,t,f),Y)
        if s>best[0]+1e-12: best=(s,f)
    return best[1]
def fit_perlabel(P,Y,t,k):
    T=np.full(P.shape[1],t)
    grid=np.linspace(0.02,0.98,49)
    for it in range(2):
        for l in range(P.shape[1]):
            base=P>=T[None,:]
            tp0=(base&Y).sum()-(base[:,l]&Y[:,l]).sum(); fp0=(base&~Y).sum()-(base[:,l]&~Y[:,l]).sum(); pos=Y.sum()
            best=None
            for g in grid:
                pl=P[:,l]>=g
                tp=tp0+(pl&Y[:,l]).sum(); fp=fp0+(pl&~Y[:,l]).sum()
                s=2*tp/(tp+fp+pos)
                if best is None or s>best[0]+1e-12 or (abs(s-best[0])<1e-12 and abs(g-t)<abs(best[1]-t)): best=(s,g)
            T[l]=best[1]
    n=Y.sum(0)
    return (n*T+k*t)/(n+k)
def fit_cap(P,Y,t):
    best=(f1(P>=t,Y),99)
    for K in (1,2,3):
        pred=P>=t
        r=np.argsort(-P,1)[:,K:]
        np.put_along_axis(pred,r,False,1)
        s=f1(pred,Y)
        if s>best[0]+1e-12: best=(s,K)
    return best[1]
def apply_cap(P,t,K):
    pred=P>=t
    if K<99:
        r=np.argsort(-P,1)[:,K:]; np.put_along_axis(pred,r,False,1)
    return pred
RULES={
 'global': (lambda P,Y:{'t':best_global(P,Y)}, lambda P,p:apply_global(P,p['t'])),
 'fallback': (lambda P,Y:(lambda t:{'t':t,'f':fit_fallback(P,Y,t)})(best_global(P,Y)), lambda P,p:apply_fallback(P,p['t'],p['f'])),
 'fallback-always': (lambda P,Y:{'t':best_global(P,Y)}, lambda P,p:apply_fallback(P,p['t'],0)),
 'cap': (lambda P,Y:(lambda t:{'t':t,'K':fit_cap(P,Y,t)})(best_global(P,Y)), lambda P,p:apply_cap(P,p['t'],p['K'])),
}
def bagged(P,Y,B=50):
    r=np.random.default_rng(1); ts=[]
    for b in range(B):
        i=r.integers(0,len(P),len(P)); ts.append(best_global(P[i],Y[i]))
    return float(np.median(ts))
def bagged_mean(P,Y,B=50):
    r=np.random.default_rng(1); ts=[]
    for b in range(B):
        i=r.integers(0,len(P),len(P)); ts.append(best_global(P[i],Y[i]))
    return float(np.mean(ts))
RULES['bagged-median']=(lambda P,Y:{'t':bagged(P,Y)}, lambda P,p:apply_global(P,p['t']))
RULES['bagged-mean']=(lambda P,Y:{'t':bagged_mean(P,Y)}, lambda P,p:apply_global(P,p['t']))
RULES['bagged+fallback']=(lambda P,Y:(lambda t:{'t':t,'f':fit_fallback(P,Y,t)})(bagged(P,Y)), lambda P,p:apply_fallback(P,p['t'],p['f']))
for k in (20,50):
    RULES[f'perlabel-k{k}']=((lambda k: lambda P,Y:(lambda t:{'T':fit_perlabel(P,Y,t,k)})(best_global(P,Y)))(k), lambda P,p:P>=p['T'][None,:])
DUMPS=sys.argv[1]
langs=sys.argv[2:]
res={}
for lang in langs:
    d,L,(Pv,Yv),(Pt,Yt)=load(lang)
    print(lang, d.get('model'), 'valid n',len(Pv),'test n',len(Pt),'empty-gold valid',(~Yv.any(1)).mean().round(3),'test',(~Yt.any(1)).mean().round(3), 'model thr', round(d['threshold'],4))
    rng=np.random.default_rng(0)
    for name,(fit,app) in RULES.items():
        # honest within-valid estimate: 20 random halvings, fit on one half, score on the other
        cv=[]
        for r in range(20):
            idx=rng.permutation(len(Pv)); a,b=idx[:len(idx)//2],idx[len(idx)//2:]
            for A,B in ((a,b),(b,a)):
                p=fit(Pv[A],Yv[A]); cv.append(f1(app(Pv[B],p),Yv[B]))
        p=fit(Pv,Yv)
        res.setdefault(name,[]).append((np.mean(cv),f1(app(Pt,p),Yt)))
        print(f'  {name:18s} valid-CV {np.mean(cv)*100:6.2f}  valid(in-sample) {f1(app(Pv,p),Yv)*100:6.2f}  test {f1(app(Pt,p),Yt)*100:6.2f}', {k:(round(float(v),3) if np.ndim(v)==0 else '') for k,v in p.items()})
print('mean over languages:')
for n,v in res.items():
    v=np.array(v); print(f'  {n:18s} valid-CV {v[:,0].mean()*100:6.2f} test {v[:,1].mean()*100:6.2f}')
