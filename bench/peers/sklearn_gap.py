"""scikit-learn peer for `downhill bench --to-gap`: one fit of the same problem (loss, penalty, alpha, intercept) by
scikit-learn's own estimator, its penalty scaled to downhill's objective mean loss + penalty(w):
  logistic, softmax  LogisticRegression(C = 1/(N*alpha))      (lbfgs; newton-cholesky for two classes; saga for L1)
  squared            LinearRegression, Ridge(alpha = N*alpha/2), Lasso/ElasticNet(alpha = alpha/2)
  poisson, gamma,    PoissonRegressor, GammaRegressor, TweedieRegressor(power, link='log') (alpha = alpha;
  tweedie            lbfgs and newton-cholesky)
  quantile           QuantileRegressor(alpha = L1 alpha, solver='highs')

  sklearn_gap.py X.npy [--y y.npy] --loss L [--penalty P] [--alpha A] [--solver S] [--max-iter K] [--tol T]
prints one JSON object: the estimator, scikit-learn's version, fit()'s own seconds, its iterations, and the fitted
coefficients and intercepts (downhill evaluates their objective in its own f64 code and times the whole process).
Without --max-iter and --tol the estimator runs with its own defaults, as a user would run it.
"""
import json
import sys
import time
import warnings

import numpy as np


def estimators(p, n):
    """(name, factory(max_iter or None), iterative) for the problem, best first."""
    from sklearn import linear_model as lm
    loss, pen, a, fit = p['loss'], p.get('penalty', 'none'), p.get('alpha', 1e-4), p.get('fitBias', True)
    r = p.get('l1Ratio', 0.15)
    out = []

    def add(name, make, iterative=True):
        out.append((name, make, iterative))

    def it(k, default):
        return default if k is None else k

    if loss in ('logistic', 'softmax'):
        c = 1.0 / (n * a) if a > 0 else 1.0
        if pen in ('none', 'l2'):
            kw = dict(penalty='l2', C=c) if pen == 'l2' else dict(penalty='none')
            add('LogisticRegression(lbfgs)', lambda k: lm.LogisticRegression(solver='lbfgs', fit_intercept=fit, tol=1e-10, max_iter=it(k, 1000), **kw))
            if loss == 'logistic':
                add('LogisticRegression(newton-cholesky)', lambda k: lm.LogisticRegression(solver='newton-cholesky', fit_intercept=fit, tol=1e-10, max_iter=it(k, 100), **kw))
        elif pen in ('l1', 'elasticnet'):
            kw = dict(penalty='l1') if pen == 'l1' else dict(penalty='elasticnet', l1_ratio=r)
            add('LogisticRegression(saga)', lambda k: lm.LogisticRegression(solver='saga', C=c, fit_intercept=fit, tol=1e-10, max_iter=it(k, 1000), **kw))
    elif loss == 'squared':
        if pen == 'none':
            add('LinearRegression', lambda k: lm.LinearRegression(fit_intercept=fit), False)
        elif pen == 'l2':
            add('Ridge(cholesky)', lambda k: lm.Ridge(alpha=n * a / 2, fit_intercept=fit, solver='cholesky'), False)
        elif pen == 'l1':
            add('Lasso', lambda k: lm.Lasso(alpha=a / 2, fit_intercept=fit, tol=1e-12, max_iter=it(k, 10000)))
        elif pen == 'elasticnet':
            add('ElasticNet', lambda k: lm.ElasticNet(alpha=a / 2, l1_ratio=r, fit_intercept=fit, tol=1e-12, max_iter=it(k, 10000)))
    elif loss in ('poisson', 'gamma', 'tweedie') and pen in ('none', 'l2'):
        aa = a if pen == 'l2' else 0.0
        make = {
            'poisson': lambda **kw: lm.PoissonRegressor(**kw),
            'gamma': lambda **kw: lm.GammaRegressor(**kw),
            'tweedie': lambda **kw: lm.TweedieRegressor(power=p.get('tweediePower', 1.5), link='log', **kw),
        }[loss]
        for solver in ('lbfgs', 'newton-cholesky'):
            add(f'{type(make(alpha=aa)).__name__}({solver})',
                lambda k, s=solver: make(alpha=aa, fit_intercept=fit, solver=s, tol=1e-10, max_iter=it(k, 1000)))
    elif loss == 'quantile' and pen in ('none', 'l1'):
        add('QuantileRegressor(highs)', lambda k: lm.QuantileRegressor(quantile=p.get('quantile', 0.5), alpha=a if pen == 'l1' else 0.0,
                                                                       fit_intercept=fit, solver='highs'), False)
    return out


def load(p):
    X = np.load(p['x'])
    y = np.load(p['y']) if p.get('y') else None
    if y is None:
        t = p.get('targetColumn', -1)
        y = X[:, t]
        X = np.delete(X, t, axis=1)
    return np.ascontiguousarray(X), y.reshape(-1)


def params(m):
    coef = np.atleast_2d(np.asarray(m.coef_, dtype=np.float64))
    icpt = np.broadcast_to(np.asarray(m.intercept_, dtype=np.float64), (coef.shape[0],))
    return coef, icpt


def label(c):
    return str(int(c)) if float(c).is_integer() else str(c)


def n_iter(m):
    k = getattr(m, 'n_iter_', None)
    return None if k is None else int(np.max(k))


def device():
    import sklearn
    info = f'scikit-learn {sklearn.__version__}, numpy {np.__version__}'
    try:
        blas = np.show_config(mode='dicts')['Build Dependencies']['blas']
        info += f" + {blas.get('name', '?')} {blas.get('version', '')}".rstrip()
    except Exception:
        pass
    return info


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(prog='sklearn_gap.py')
    ap.add_argument('x')
    ap.add_argument('--y')
    ap.add_argument('--loss', required=True)
    ap.add_argument('--penalty', default='none')
    ap.add_argument('--alpha', type=float, default=1e-4)
    ap.add_argument('--l1-ratio', type=float, default=0.15)
    ap.add_argument('--tweedie-power', type=float, default=1.5)
    ap.add_argument('--quantile', type=float, default=0.5)
    ap.add_argument('--no-bias', action='store_true')
    ap.add_argument('--solver', help='e.g. lbfgs: the estimator whose name holds it (default: the first)')
    ap.add_argument('--max-iter', type=int, help='most iterations (default: the estimator\'s own)')
    ap.add_argument('--tol', type=float, help='tolerance (default: the estimator\'s own)')
    o = ap.parse_args(argv)
    p = {'x': o.x, 'y': o.y or o.x[:-4] + '.y.npy', 'loss': o.loss, 'penalty': o.penalty, 'alpha': o.alpha,
         'l1Ratio': o.l1_ratio, 'tweediePower': o.tweedie_power, 'quantile': o.quantile, 'fitBias': not o.no_bias}
    X, y = load(p)
    est = [e for e in estimators(p, X.shape[0]) if o.solver is None or f'({o.solver})' in e[0]]
    if not est:
        sys.exit(f'no scikit-learn estimator for --loss {o.loss} --penalty {o.penalty}' + (f' --solver {o.solver}' if o.solver else ''))
    name, make, _ = est[0]
    m = make(None)
    defaults = type(m)().get_params()
    m.set_params(**{k: defaults[k] for k in ('tol', 'max_iter') if k in defaults})
    if o.max_iter is not None and 'max_iter' in defaults:
        m.set_params(max_iter=o.max_iter)
    if o.tol is not None and 'tol' in defaults:
        m.set_params(tol=o.tol)
    t0 = time.perf_counter()
    m.fit(X, y)
    seconds = time.perf_counter() - t0
    coef, icpt = params(m)
    classes = [label(c) for c in getattr(m, 'classes_', [])] or None
    print(json.dumps({'estimator': name, 'device': device(), 'seconds': seconds, 'iterations': n_iter(m),
                      'settings': {k: v for k, v in m.get_params().items() if k in ('tol', 'max_iter', 'C', 'alpha')},
                      'classes': classes, 'weights': coef.tolist(), 'bias': icpt.tolist()}))


if __name__ == '__main__':
    warnings.filterwarnings('ignore')
    main(sys.argv[1:])
