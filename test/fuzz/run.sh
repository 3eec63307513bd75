#!/bin/bash
#
# run.sh
#		Build and run the libFuzzer harnesses: the SemVer parser
#		(semver_fuzz.c), the configuration normalizer and compiler with
#		the model evaluation (config_fuzz.c), and the evidence and
#		logistic regression cores (evidence_fuzz.c).
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

# fuzz_one NAME SECONDS MAX_LEN DICT CORPUS SOURCES...: build a harness, fuzz
# a scratch copy of its seeds (so that the committed corpus never grows),
# and set $execs to the number of executions.
fuzz_one() {
	local name=$1 secs=$2 max_len=$3 dict=$4 corpus=$5
	shift 5
	clang -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-std=c99 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Wno-unused-parameter \
		-I../../src -o "$build/$name" "$@" -lm

	rm -rf "$build/$name.corpus"
	mkdir -p "$build/$name.corpus"
	cp "$corpus"/* "$build/$name.corpus/"

	local log="$build/$name.log" status=0
	"./$build/$name" "$build/$name.corpus" \
		-max_total_time="$secs" -max_len="$max_len" -timeout=10 \
		-dict="$dict" -artifact_prefix="$build/$name-" \
		-print_final_stats=1 >"$log" 2>&1 || status=$?

	if [ "$status" -ne 0 ]; then
		tail -n 60 "$log" >&2
		echo "fuzz: $name FAILED (libFuzzer exit status $status); full log in test/fuzz/$log" >&2
		exit 1
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units:[[:space:]]*\([0-9][0-9]*\).*/\1/p' "$log" | tail -n 1)
	if [ -z "$execs" ]; then
		tail -n 20 "$log" >&2
		echo "fuzz: could not read the execution count from test/fuzz/$log" >&2
		exit 1
	fi
}

# the time is shared between the three harnesses
semver_secs=$(( (seconds + 2) / 3 ))
evidence_secs=$(( (seconds + 1) / 3 ))
config_secs=$(( seconds - semver_secs - evidence_secs ))
[ "$evidence_secs" -ge 1 ] || evidence_secs=1
[ "$config_secs" -ge 1 ] || config_secs=1

fuzz_one semver_fuzz "$semver_secs" 300 semver.dict corpus \
	semver_fuzz.c ../../src/semver_core.c
semver_execs=$execs
fuzz_one config_fuzz "$config_secs" 4096 config.dict config_corpus \
	config_fuzz.c ../../src/config_core.c ../../src/model_core.c
config_execs=$execs
fuzz_one evidence_fuzz "$evidence_secs" 2048 evidence.dict evidence_corpus \
	evidence_fuzz.c ../../src/evidence_core.c ../../src/logistic_core.c
evidence_execs=$execs

echo "fuzz: $((semver_execs + config_execs + evidence_execs)) executions (semver parser $semver_execs, configuration normalizer and compiler $config_execs, evidence and logistic regression $evidence_execs), no failures"
