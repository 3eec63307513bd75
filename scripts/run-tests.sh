#!/bin/bash
# Run every test layer against the cluster described by the PG* variables
# (make test runs this under pg_virtualenv).  Prints the diffs of every
# failure and ends with one line "N passed, M failed"; exits non-zero when
# anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0
failures=()

tally() {						# tally <layer> <passed> <failed>
	passed=$((passed + $2))
	failed=$((failed + $3))
	echo "== $1: $2 passed, $3 failed"
}

# --- the pg_cron test, in the background ----------------------------------
# It builds its own cluster and waits up to about 70 seconds for pg_cron's
# next minute: started first, the wait overlaps the other layers, and its
# result is collected with the shell tests.
cron_test=test/shell/pg_cron.sh
cron_log=$(mktemp)
bash "$cron_test" > "$cron_log" 2>&1 &
cron_pid=$!

# --- pg_regress and isolation (make installcheck) -----------------------
log=$(mktemp)
# Run the two layers separately, so that a regression failure does not
# hide the isolation results.
# Both write their diffs to test/regression.diffs: keep each run's.
rc=0
diffs=()
for layer in regress isolation; do
	if [ $layer = regress ]; then
		make -s installcheck ISOLATION= 2>&1 | tee -a "$log"
	else
		make -s installcheck REGRESS= 2>&1 | tee -a "$log"
	fi
	[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
	if [ -s test/regression.diffs ]; then
		mv test/regression.diffs "test/$layer.diffs"
		diffs+=("test/$layer.diffs")
	fi
done
# pg_regress prints "ok N - name" / "not ok N - name" (or "... ok" /
# "... FAILED" in older releases) once per test.
r_ok=$(grep -Ec '^ok [0-9]+ |\.\.\. ok( |$)' "$log")
r_bad=$(grep -Ec '^not ok [0-9]+ |\.\.\. FAILED' "$log")
if [ "$rc" -ne 0 ] && [ "$r_bad" -eq 0 ]; then
	r_bad=1						# the run itself broke
fi
tally "pg_regress + isolation" "$r_ok" "$r_bad"
for d in "${diffs[@]}"; do
	echo "---- $d"
	cat "$d"
	failures+=("$d")
done

# --- pgTAP through pg_prove ----------------------------------------------
db=modelgov_pgtap
dropdb --if-exists "$db" >/dev/null 2>&1
createdb "$db"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" \
	-c 'CREATE EXTENSION pgtap' -c 'CREATE EXTENSION modelgov' >/dev/null
pg_prove -d "$db" --ext .sql -r test/pgtap 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
t_total=$(sed -n 's/^Files=[0-9]*, Tests=\([0-9]*\),.*/\1/p' "$log")
t_bad=$(grep -Eo 'Failed [0-9]+/[0-9]+ subtests' "$log" | awk -F'[ /]' '{s += $2} END {print s + 0}')
t_total=${t_total:-0}
if [ "$rc" -ne 0 ] && [ "$t_bad" -eq 0 ]; then
	t_bad=1						# a file died or planned wrong
fi
tally "pgTAP" "$((t_total - t_bad))" "$t_bad"
dropdb "$db"

# --- shell tests (several databases or servers) --------------------------
s_ok=0
s_bad=0
for t in test/shell/*.sh; do
	[ -e "$t" ] || continue
	[ "$t" = "$cron_test" ] && continue		# running since the start
	echo "-- $t"
	if bash "$t"; then
		s_ok=$((s_ok + 1))
	else
		s_bad=$((s_bad + 1))
		failures+=("$t")
	fi
done
echo "-- $cron_test (started first)"
if wait "$cron_pid"; then
	s_ok=$((s_ok + 1))
else
	s_bad=$((s_bad + 1))
	failures+=("$cron_test")
fi
cat "$cron_log"
rm -f "$cron_log"
tally "shell" "$s_ok" "$s_bad"

# --- fuzzing, bounded ------------------------------------------------------
if test/fuzz/run.sh "${FUZZ_SECONDS:-20}"; then
	tally "fuzz" 1 0
else
	tally "fuzz" 0 1
	failures+=("test/fuzz")
fi

rm -f "$log"
echo
[ ${#failures[@]} -gt 0 ] && echo "failures: ${failures[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
