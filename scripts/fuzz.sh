#!/usr/bin/env bash
# Runs every fuzz target of the module, each for $1 (a go test -fuzztime:
# 2m by default, "3s", "10000x"), one after the other. The targets are found,
# not listed: any "func FuzzXxx(f *testing.F)" in a _test.go file of the
# module, so a target added anywhere runs without touching this script.
# Their seed corpora (testdata/fuzz/<FuzzName>/) also run in every plain
# go test. A failing input is written to testdata/fuzz/<FuzzName>/ by go
# test: commit it with the fix, and it stays a regression case.
#
# Usage: scripts/fuzz.sh [fuzztime] [name-regexp]
#   scripts/fuzz.sh 3s                 every target for 3 s (make test)
#   scripts/fuzz.sh 10m FuzzSales      the targets whose name matches
# The HTTP targets send each input to PostgreSQL, MariaDB and SQLite;
# DOLIBARR_FUZZ_DRIVERS=sqlite (a comma-separated list) narrows that.
set -euo pipefail
fuzztime=${1:-2m}
only=${2:-}
cd "$(dirname "$0")/.."
go=${GO:-go}

# "dir name" for every target, sorted for a stable order.
mapfile -t targets < <(
	grep -rHoE --include='*_test.go' --exclude-dir=.git --exclude-dir=testdata --exclude-dir=node_modules \
		'^func Fuzz[A-Za-z0-9_]*\([A-Za-z_][A-Za-z0-9_]* \*testing\.F\)' . |
		while IFS=: read -r file match; do
			name=${match#func }
			dir=$(dirname "$file")
			echo "${dir#./} ${name%%(*}"
		done | sort -u
)
if [ ${#targets[@]} -eq 0 ]; then
	echo "fuzz.sh: no fuzz target found" >&2
	exit 1
fi

failed=()
ran=0
start=$SECONDS
for t in "${targets[@]}"; do
	dir=${t% *}
	name=${t#* }
	if [ -n "$only" ] && ! [[ $name =~ $only ]]; then
		continue
	fi
	ran=$((ran + 1))
	t0=$SECONDS
	echo "=== fuzz $name (./$dir) for $fuzztime"
	if "$go" test -run='^$' -fuzz="^${name}\$" -fuzztime="$fuzztime" "./$dir" >"${TMPDIR:-/tmp}/fuzz-$name.log" 2>&1; then
		echo "--- ok   $name ($((SECONDS - t0)) s): $(grep -E '^fuzz: elapsed' "${TMPDIR:-/tmp}/fuzz-$name.log" | tail -1 | sed -E 's/^fuzz: elapsed: [^,]*, //')"
	else
		echo "--- FAIL $name ($((SECONDS - t0)) s); the end of its output:"
		grep -vE '^\s+\{"level"' "${TMPDIR:-/tmp}/fuzz-$name.log" | tail -40
		failed+=("$name")
	fi
done
if [ "$ran" -eq 0 ]; then
	echo "fuzz.sh: no fuzz target matches $only" >&2
	exit 1
fi
echo "fuzz.sh: $ran targets in $((SECONDS - start)) s"
if [ ${#failed[@]} -gt 0 ]; then
	echo "fuzz.sh: failed: ${failed[*]}" >&2
	exit 1
fi
