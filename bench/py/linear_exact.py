#!/usr/bin/python3
"""Fits scikit-learn's linear model on exactly the design matrix Glassbox fitted (its encoded
inputs, written as CSV with the target last) and prints how far its test predictions are from Glassbox's.

usage: linear_exact.py TRAIN_MATRIX.csv TEST_MATRIX.csv GLASSBOX_TEST_PREDICTIONS.csv TASK L2
"""
import json, sys, time
import numpy as np
from sklearn.linear_model import LogisticRegression, Ridge

matrix, test_matrix, preds, task, l2 = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])
data = np.loadtxt(matrix, delimiter=",", skiprows=1, ndmin=2)
X, y = data[:, :-1], data[:, -1]
Xt = np.loadtxt(test_matrix, delimiter=",", skiprows=1, ndmin=2)[:, :-1]
ours = np.loadtxt(preds, delimiter=",", skiprows=1, ndmin=1)
t0 = time.perf_counter()
if task == "regression":
    model = Ridge(alpha=l2, solver="cholesky").fit(X, y)
    theirs = model.predict(Xt)
else:
    # newton-cg to a tiny tolerance: the reference optimum, not a rival fit.
    model = LogisticRegression(C=1.0 / l2, solver="newton-cg", tol=1e-12, max_iter=10000).fit(X, y.astype(int))
    theirs = model.predict_proba(Xt)[:, 1]
fit_s = time.perf_counter() - t0
print(json.dumps({"max_abs_diff": float(np.max(np.abs(theirs - ours))), "fit_s": fit_s, "rows": Xt.shape[0], "cols": X.shape[1]}))
