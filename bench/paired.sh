#!/usr/bin/env bash
# Paired wall-time comparison of two builds of examples/bench on one workload: the two binaries
# run alternately, each `--once` in a fresh process, and the median of the pairwise ratios is
# printed (BEFORE / AFTER: above 1, AFTER is faster). Alternating pairs cancel most of a shared
# machine's drift, which a before-then-after sequence of runs does not.
#
#   bash bench/paired.sh BEFORE AFTER PAIRS WORKLOAD ARGS...
#   MUSIL_JOBS=1 bash bench/paired.sh /tmp/bench-before target/release/examples/bench 7 \
#     sim_pingpong --nodes 2 --steps 2000000
#
# BEFORE_ARGS and AFTER_ARGS add flags to one side only: one binary against itself on one
# thread and on two, say.
#
#   BEFORE_ARGS="--threads 1" AFTER_ARGS="--threads 2" bash bench/paired.sh \
#     target/release/examples/bench target/release/examples/bench 11 check_bfs --model dining --size 15
set -euo pipefail
if [[ $# -lt 4 ]]; then
  echo "usage: bash bench/paired.sh BEFORE AFTER PAIRS WORKLOAD [ARGS...]" >&2
  exit 2
fi
BEFORE=$1; AFTER=$2; PAIRS=$3; shift 3
# The wall time is read with bash alone: a parser started beside a run would take a core from it
# (which hides what a second thread buys), and an interpreter started between runs slows the next
# one (by about 4 % on check_bfs, measured).
wall() {
  local out
  out=$("$@" --once)
  [[ $out =~ \"wall_s\":\ ([0-9.e+-]+) ]] || { echo "paired.sh: no wall_s in: $out" >&2; exit 1; }
  echo "${BASH_REMATCH[1]}"
}
walls_before=(); walls_after=()
for _ in $(seq "$PAIRS"); do
  # shellcheck disable=SC2086 # the extra flags are meant to split into words
  walls_before+=("$(wall "$BEFORE" "$@" ${BEFORE_ARGS:-})")
  # shellcheck disable=SC2086
  walls_after+=("$(wall "$AFTER" "$@" ${AFTER_ARGS:-})")
done
python3 - "${walls_before[*]}" "${walls_after[*]}" <<'PY'
import statistics, sys
before = [float(x) for x in sys.argv[1].split()]
after = [float(x) for x in sys.argv[2].split()]
ratios = sorted(b / a for b, a in zip(before, after))
print(f"before {statistics.median(before) * 1e3:.1f} ms  after {statistics.median(after) * 1e3:.1f} ms  "
      f"before / after {statistics.median(ratios):.3f}  (pairs {ratios[0]:.2f} .. {ratios[-1]:.2f})")
PY
