#!/bin/bash
#
# run.sh
#		Build and run the libFuzzer harness for the SemVer core.
#
# Usage: test/fuzz/run.sh [seconds]		(default 20)
#
# Exits 77 when clang is not available, non-zero when the fuzzer finds a
# failure (the reproducer is left in test/fuzz/build/).
#
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

seconds="${1:-20}"
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
	echo "usage: $0 [seconds]   (a positive whole number, default 20)" >&2
	exit 2
fi

if ! command -v clang >/dev/null 2>&1; then
	echo "fuzz: clang not found, skipped"
	exit 77
fi

build=build
mkdir -p "$build"

clang -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-std=c99 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Wno-unused-parameter \
	-I../../src \
	-o "$build/semver_fuzz" semver_fuzz.c ../../src/semver_core.c

# Fuzz a scratch copy of the seeds so that the committed corpus never grows.
rm -rf "$build/corpus"
mkdir -p "$build/corpus"
cp corpus/* "$build/corpus/"

log="$build/fuzz.log"
status=0
"./$build/semver_fuzz" "$build/corpus" \
	-max_total_time="$seconds" -max_len=300 -timeout=10 \
	-dict=semver.dict -artifact_prefix="$build/" \
	-print_final_stats=1 >"$log" 2>&1 || status=$?

if [ "$status" -ne 0 ]; then
	tail -n 60 "$log" >&2
	echo "fuzz: FAILED (libFuzzer exit status $status); full log in test/fuzz/$log" >&2
	exit 1
fi

execs=$(sed -n 's/^stat::number_of_executed_units:[[:space:]]*\([0-9][0-9]*\).*/\1/p' "$log" | tail -n 1)
if [ -z "$execs" ]; then
	tail -n 20 "$log" >&2
	echo "fuzz: could not read the execution count from test/fuzz/$log" >&2
	exit 1
fi
echo "fuzz: $execs executions, no failures"
