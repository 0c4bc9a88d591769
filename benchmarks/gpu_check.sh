#!/usr/bin/env bash
# The GPU check, in one go (about 5-8 minutes on one GPU):
#   1. the test suite on the CuPy backend (MINIGAN_BACKEND=cupy),
#   2. the training-step benchmark, CuPy minigan against PyTorch CUDA eager in the same process,
#      for the MLP cGAN and the DCGAN at batch 64 and 1024.
# Run from anywhere inside the checkout, with the virtual environment that has CuPy (and,
# for the comparison, a CUDA build of PyTorch) active:
#     bash benchmarks/gpu_check.sh            # results in $OUT, else outputs/gpu_check/
# Limits (seconds) can be changed: TEST_TIMEOUT=330 BENCH_TIMEOUT=150 bash benchmarks/gpu_check.sh
# Exit status: 0 when both parts ran and the tests passed; 1 when a test failed; 2 when the
# machine cannot run the check (no CuPy, no GPU); 124 when a part ran past its limit.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
RESULTS="${OUT:-$ROOT/outputs/gpu_check}"
TEST_TIMEOUT="${TEST_TIMEOUT:-330}"
BENCH_TIMEOUT="${BENCH_TIMEOUT:-150}"
PYTHON="${PYTHON:-python}"
mkdir -p "$RESULTS"

say() { printf '\n== %s ==\n' "$*"; }
fail() { printf 'gpu_check: %s\n' "$*" >&2; exit "${2:-2}"; }

say "preflight"
command -v "$PYTHON" >/dev/null || fail "no '$PYTHON' on PATH: activate the virtual environment first"
"$PYTHON" - <<'EOF' || fail "this machine cannot run the CuPy backend (see the line above); install it with: pip install -e '.[gpu]'"
import sys
try:
    import cupy
    count = cupy.cuda.runtime.getDeviceCount()
except Exception as exc:          # ImportError, or a CUDA error without a driver/device
    sys.exit(f"CuPy unusable: {type(exc).__name__}: {exc}")
if count < 1:
    sys.exit("CuPy sees no CUDA device")
props = cupy.cuda.runtime.getDeviceProperties(0)
print(f"CuPy {cupy.__version__}, {count} device(s); device 0: {props['name'].decode()}, "
      f"{props['totalGlobalMem'] / 2**30:.0f} GiB")
EOF
"$PYTHON" -c "import torch; print('PyTorch', torch.__version__, '| CUDA available:', torch.cuda.is_available())" \
    2>/dev/null || echo "PyTorch is not installed: the benchmark will time minigan only"
nvidia-smi --query-gpu=name,utilization.gpu,memory.used,memory.total --format=csv,noheader 2>/dev/null || true

say "1/2 test suite on CuPy (limit ${TEST_TIMEOUT} s)"
set +e
MINIGAN_BACKEND=cupy timeout "$TEST_TIMEOUT" "$PYTHON" -m pytest -q -p no:cacheprovider --durations=10 \
    -o junit_family=xunit2 --junitxml="$RESULTS/tests.xml" 2>&1 | tee "$RESULTS/tests.log"
TEST_STATUS=${PIPESTATUS[0]}
set -e
case "$TEST_STATUS" in
    0) echo "tests: all passed on CuPy" ;;
    124) echo "tests: STOPPED after ${TEST_TIMEOUT} s (raise TEST_TIMEOUT); the log so far is in $RESULTS/tests.log" ;;
    *) echo "tests: FAILED (pytest exit status $TEST_STATUS); see $RESULTS/tests.log" ;;
esac

say "2/2 training-step benchmark: CuPy minigan vs PyTorch CUDA (limit ${BENCH_TIMEOUT} s)"
set +e
timeout "$BENCH_TIMEOUT" "$PYTHON" benchmarks/bench_train_step.py --backend cupy --models cgan dcgan \
    --batch-sizes 64 1024 --repeats 5 --seconds 0.5 --warmup 0.5 --settle 0 --no-tutorial \
    --json "$RESULTS/bench_cupy.json" 2>&1 | tee "$RESULTS/bench_cupy.log"
BENCH_STATUS=${PIPESTATUS[0]}
set -e
if [ "$BENCH_STATUS" -ne 0 ]; then
    echo "benchmark: FAILED or stopped (exit status $BENCH_STATUS); see $RESULTS/bench_cupy.log"
fi

say "summary"
echo "tests: exit status $TEST_STATUS (log $RESULTS/tests.log)"
if [ -f "$RESULTS/bench_cupy.json" ]; then
    "$PYTHON" - "$RESULTS/bench_cupy.json" <<'EOF'
import json, sys
data = json.load(open(sys.argv[1]))
print(f"benchmark ({data['meta']['date']}, backend {data['meta']['backend']}, torch {data['meta']['torch']}):")
for row in data["results"]:
    steps = ", ".join(f"{name} {entry['steps_per_s']:.1f} steps/s ({100 * entry['floor_fraction']:.0f}% of GEMM floor)"
                      for name, entry in row["frameworks"].items())
    ratio = row.get("ratio_vs_torch")
    print(f"  {row['model']:5} batch {row['batch']:5}: {steps}"
          + (f"; minigan / torch = {ratio:.2f}x" if ratio else "; PyTorch not compared"))
EOF
else
    echo "benchmark: no results file ($RESULTS/bench_cupy.json)"
fi
if [ "$TEST_STATUS" -ne 0 ]; then exit "$([ "$TEST_STATUS" -eq 124 ] && echo 124 || echo 1)"; fi
exit "$BENCH_STATUS"
