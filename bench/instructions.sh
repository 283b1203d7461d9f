#!/usr/bin/env bash
# Instructions per unit of work (per step, per seed, per state), exact: each row runs the bench
# program once under `valgrind --tool=callgrind` at two sizes, and the difference in instructions
# is divided by the difference in units, so process start-up and setup cancel out. Unlike wall
# time, the count does not drift with the machine's load or clock.
#
#   bash bench/instructions.sh                    # builds examples/bench (release), one column
#   bash bench/instructions.sh BEFORE AFTER       # two bench binaries side by side, with the ratio
#   bash bench/instructions.sh BIN sim_pingpong   # ... only rows whose name matches
#
# A binary is a built `target/release/examples/bench`; copy it aside before changing the code to
# keep a "before". Needs valgrind. Prints a Markdown table (BENCHMARKS.md carries one).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BINS=()
FILTER=""
for arg in "$@"; do
  if [[ -x "$arg" && -f "$arg" ]]; then BINS+=("$arg"); else FILTER="$arg"; fi
done
if [[ ${#BINS[@]} -eq 0 ]]; then
  (cd "$HERE/.." && cargo build --release --quiet --example bench)
  BINS=("$HERE/../target/release/examples/bench")
fi
command -v valgrind >/dev/null || { echo "instructions.sh: needs valgrind" >&2; exit 2; }

# name | unit (a key of the JSON's counts) | args with SIZE | small size | large size
ROWS=(
  "sim_pingpong_n2|steps|sim_pingpong --nodes 2 --steps SIZE|100000|300000"
  "sim_pingpong_n16|steps|sim_pingpong --nodes 16 --steps SIZE|100000|300000"
  "sim_many_seeds|runs|sim_many_seeds --seeds SIZE|4000|12000"
  "sim_byzantine_wrong|runs|sim_byzantine --scenario wrong_answer --seeds SIZE|4000|12000"
  "sim_byzantine_clean|runs|sim_byzantine --scenario clean --seeds SIZE|4000|12000"
  "sim_partition|runs|sim_partition --seeds SIZE|1000|3000"
  "sim_storage|steps|sim_storage --steps SIZE --mode disk|100000|300000"
  "sim_swarm|runs|sim_swarm --variant sweep --seeds SIZE|500|1500"
  "check_bfs_dining|states|check_bfs --model dining --size SIZE|9|11"
  "check_bfs_counter|states|check_bfs --model counter --size SIZE|5|6"
  "check_liveness_someone|states|check_liveness --variant someone_eats --size SIZE|9|11"
  "check_liveness_p0fair|states|check_liveness --variant p0_weak_fair --size SIZE|8|10"
)

# BIN ARGS... -> "instructions units" for one run (units: the counts key given in $UNIT)
measure() {
  local bin="$1"; shift
  local out json refs
  out=$(mktemp)
  json=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null --log-file="$out" \
    "$bin" "$@" --once | tail -n 1)
  refs=$(grep -o 'refs: *[0-9,]*' "$out" | tr -d ' ,' | cut -d: -f2)
  rm -f "$out"
  python3 -c 'import json,sys; print(sys.argv[1], json.loads(sys.argv[2])["counts"][sys.argv[3]])' \
    "$refs" "$json" "$UNIT"
}

# BIN ARGS-with-SIZE SMALL LARGE -> instructions per unit, marginal between the two sizes
per_unit() {
  local bin="$1" args="$2" small="$3" large="$4"
  # shellcheck disable=SC2086
  read -r i1 u1 <<<"$(measure "$bin" ${args//SIZE/$small})"
  # shellcheck disable=SC2086
  read -r i2 u2 <<<"$(measure "$bin" ${args//SIZE/$large})"
  python3 -c 'import sys; i1,u1,i2,u2=map(int,sys.argv[1:]); print(round((i2-i1)/(u2-u1)))' \
    "$i1" "$u1" "$i2" "$u2"
}

header="| row | per |"
rule="|---|---|"
for i in "${!BINS[@]}"; do header+=" binary $((i + 1)) |"; rule+="---:|"; done
[[ ${#BINS[@]} -eq 2 ]] && { header+=" 2 / 1 |"; rule+="---:|"; }
echo "$header"
echo "$rule"
for row in "${ROWS[@]}"; do
  IFS='|' read -r name UNIT args small large <<<"$row"
  [[ -n "$FILTER" && "$name" != *"$FILTER"* ]] && continue
  line="| $name | ${UNIT%s} |"
  values=()
  for bin in "${BINS[@]}"; do
    value=$(per_unit "$bin" "$args" "$small" "$large")
    values+=("$value")
    line+=" $(python3 -c 'import sys; print(f"{int(sys.argv[1]):,}")' "$value") |"
  done
  if [[ ${#values[@]} -eq 2 ]]; then
    line+=" $(python3 -c 'import sys; print(f"{int(sys.argv[2])/int(sys.argv[1]):.2f}")' "${values[@]}") |"
  fi
  echo "$line"
done
