#!/usr/bin/env bash
# Runs every fuzz target of the module, each for $1 (a -fuzztime: 2m by
# default, or "3s", "10000x"), one after the other. The targets are found,
# not listed: any "func FuzzXxx(f *testing.F)" in a _test.go file of the
# module, so a target added anywhere runs without touching this script.
# Their seed corpora (testdata/fuzz/<FuzzName>/) also run in every plain
# go test. A failing input is written to testdata/fuzz/<FuzzName>/ of its
# package: commit it with the fix, and it stays a regression case.
#
# Usage: scripts/fuzz.sh [fuzztime] [name-regexp]
#   scripts/fuzz.sh 3s                 every target for 3 s (make test)
#   scripts/fuzz.sh 10m FuzzSales      the targets whose name matches
# The HTTP targets send each input to PostgreSQL, MariaDB and SQLite;
# DOLIBARR_FUZZ_DRIVERS=sqlite (a comma-separated list) narrows that.
#
# Each package's test binary is built once, instrumented for fuzzing
# (go test -c -fuzz), and run once per target: go test -fuzz would link
# it again for every target, which costs more than a short fuzzing run.
set -euo pipefail
fuzztime=${1:-2m}
only=${2:-}
cd "$(dirname "$0")/.."
root=$PWD
go=${GO:-go}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

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

module=$("$go" list -m)
cachedir=$("$go" env GOCACHE)/fuzz
failed=()
ran=0
built=""
start=$SECONDS
for t in "${targets[@]}"; do
	dir=${t% *}
	name=${t#* }
	if [ -n "$only" ] && ! [[ $name =~ $only ]]; then
		continue
	fi
	ran=$((ran + 1))
	bin=$work/$(echo "$dir" | tr / _).test
	if [ "$built" != "$dir" ] && [ ! -x "$bin" ]; then
		t0=$SECONDS
		"$go" test -c -fuzz=. -o "$bin" "./$dir"
		echo "=== built ./$dir for fuzzing ($((SECONDS - t0)) s)"
		built=$dir
	fi
	log=$work/$name.log
	t0=$SECONDS
	# Run from the package directory, as go test does: the corpus is
	# testdata/fuzz/<name> there; the cache directory is go test's.
	if (cd "$root/$dir" && "$bin" -test.run='^$' -test.fuzz="^${name}\$" -test.fuzztime="$fuzztime" \
		-test.fuzzcachedir="$cachedir/$module/$dir") >"$log" 2>&1; then
		echo "--- ok   $name ($((SECONDS - t0)) s): $(grep -E '^fuzz: elapsed' "$log" | tail -1 | sed -E 's/^fuzz: elapsed: [^,]*, //')"
	else
		echo "--- FAIL $name ($((SECONDS - t0)) s); the end of its output:"
		grep -vE '^\s+\{"level"' "$log" | tail -40
		failed+=("$name")
	fi
done
if [ "$ran" -eq 0 ]; then
	echo "fuzz.sh: no fuzz target matches $only" >&2
	exit 1
fi
echo "fuzz.sh: $ran targets, $fuzztime each, in $((SECONDS - start)) s"
if [ ${#failed[@]} -gt 0 ]; then
	echo "fuzz.sh: failed: ${failed[*]}" >&2
	exit 1
fi
