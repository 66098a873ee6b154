# The sklearn peer of `downhill bench --data FILE --peers`: scikit-learn's SGDClassifier (log loss, no penalty,
# constant rate, one epoch per partial_fit, rows shuffled) on the same rows as one CSR matrix: the dense columns and
# the sparse block side by side, read from the raw arrays downhill wrote. Prints one JSON line: the median epoch.
import json, sys, time
import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.linear_model import SGDClassifier

a = json.loads(sys.argv[1])
n, d, w, at = a["rows"], a["dense"], a["width"], a["dir"]
y = np.fromfile(f"{at}/y.f32", np.float32).astype(np.float64)
x = np.fromfile(f"{at}/x.f32", np.float32).reshape(n, d).astype(np.float64)
ptr = np.fromfile(f"{at}/ptr.i64", np.int64)
idx = np.fromfile(f"{at}/idx.i32", np.int32)
val = np.fromfile(f"{at}/val.f64", np.float64)
X = sp.hstack([sp.csr_matrix(x), sp.csr_matrix((val, idx, ptr), shape=(n, w))], format="csr")
clf = SGDClassifier(loss="log_loss", penalty=None, learning_rate="constant", eta0=a["lr"], shuffle=True, random_state=0)
clf.partial_fit(X, y, classes=[0.0, 1.0])  # warm-up
runs, cpu = [], []
for _ in range(a["runs"]):
    t0, c0 = time.perf_counter(), time.process_time()
    clf.partial_fit(X, y)
    runs.append(time.perf_counter() - t0)
    cpu.append(time.process_time() - c0)
print(json.dumps({"sklearn": sklearn.__version__, "runs": runs, "cpuRuns": cpu, "nnz": int(X.nnz)}))
