#!/bin/bash
# Instructions per row of decide() beyond the scan, counted by callgrind:
# noise-free, unlike times.  Runs a single-user backend under valgrind
# once with the scan B and once with each form of decide() (M4, MA, and
# M4n: decide('default', f1, f2, f3, f4, candidate)) over the same table,
# and divides the difference of the instruction totals by the number of
# rows.
#
#   CALLGRIND_ROWS (default 200000)
set -euo pipefail

if [ "$(id -u)" -eq 0 ]; then
	work=$(mktemp -d)
	chown postgres: "$work"
	cp "$0" "$work/callgrind.sh"
	trap 'rm -rf "$work"' EXIT
	runuser -u postgres -- env WORK="$work" CALLGRIND_ROWS="${CALLGRIND_ROWS:-200000}" bash "$work/callgrind.sh"
	exit $?
fi

command -v valgrind >/dev/null || { echo "callgrind: valgrind not found, skipped"; exit 0; }
bin=/usr/lib/postgresql/${PG_MAJOR:-15}/bin
work=${WORK:-$(mktemp -d)}
rows=${CALLGRIND_ROWS:-200000}
data=$work/data

"$bin/initdb" -D "$data" -A trust -U postgres >/dev/null
single() {
	"$bin/postgres" --single -D "$data" -c jit=off -c max_parallel_workers_per_gather=0 postgres >/dev/null 2>&1
}
cat <<EOF | single
CREATE EXTENSION modelgov;
SELECT modelgov.create_model('default', jsonb_build_object('weights', jsonb_build_array(0.45, 0.38, 0.22, 0.15), 'biases', (SELECT jsonb_object_agg('c' || i, round((i % 21 - 10) / 100.0, 2)) FROM generate_series(0, 199) i) || '{"default": 0.0}', 'thresholds', jsonb_build_object('auto', 0.35, 'escalate', 0.75), 'calibration', jsonb_build_object('method', 'temperature', 'T', 1.5), 'safety_rules', jsonb_build_array(jsonb_build_object('name', 'fraud', 'feature', 'f3', 'op', '>=', 'value', 0.95, 'decision', 'ESCALATE'), jsonb_build_object('name', 'low_f1', 'feature', 'f1', 'op', '<', 'value', 0.02, 'decision', 'ASK'))));
CREATE TABLE t AS SELECT random() AS f1, random() AS f2, random() AS f3, random() AS f4, 'c' || (g % 200) AS candidate FROM generate_series(1, $rows) AS g;
VACUUM ANALYZE t;
EOF
# single() hides what the backend says: ask it whether the model exists and
# the three forms decide alike on every row, before counting anything (a
# single-user backend ends a statement at the end of its line)
same="modelgov.decide(f1, f2, f3, f4, candidate) = modelgov.decide('default', f1, f2, f3, f4, candidate)"
same="$same AND modelgov.decide(ARRAY[f1, f2, f3, f4], candidate) = modelgov.decide(f1, f2, f3, f4, candidate)"
alike=$(echo "SELECT count(*) || '/' || count(*) FILTER (WHERE $same) AS alike FROM t;" |
	"$bin/postgres" --single -D "$data" -c jit=off -c max_parallel_workers_per_gather=0 postgres 2>&1 |
	sed -n 's/^[[:space:]]*1: alike = "\([0-9/]*\)".*/\1/p')
if [ "$alike" != "$rows/$rows" ]; then
	echo "callgrind: the setup failed, or the forms of decide() disagree: rows/alike '$alike', want '$rows/$rows'" >&2
	exit 1
fi

count() {
	echo "$1" | valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" \
		"$bin/postgres" --single -D "$data" -c jit=off -c max_parallel_workers_per_gather=0 postgres \
		>/dev/null 2>&1
	sed -n 's/^summary: \([0-9]*\).*/\1/p' "$work/cg.out"
}
# the same statement shape; the first statement compiles the model in both
warm="SELECT modelgov.decide(0.1, 0.2, 0.3, 0.4, 'c1');"
b=$(count "$warm SELECT count(*) FILTER (WHERE f1 + f2 + f3 + f4 > 2 AND candidate IS NOT NULL) FROM t;")
m4=$(count "$warm SELECT count(*) FILTER (WHERE modelgov.decide(f1, f2, f3, f4, candidate) = 'AUTO') FROM t;")
ma=$(count "$warm SELECT count(*) FILTER (WHERE modelgov.decide(ARRAY[f1, f2, f3, f4], candidate) = 'AUTO') FROM t;")
m4n=$(count "$warm SELECT count(*) FILTER (WHERE modelgov.decide('default', f1, f2, f3, f4, candidate) = 'AUTO') FROM t;")
awk -v b="$b" -v m4="$m4" -v ma="$ma" -v m4n="$m4n" -v n="$rows" 'BEGIN {
	printf "callgrind, %d rows: B %.0f, M4 %.0f, MA %.0f, M4n %.0f instructions per row\n", n, b / n, m4 / n, ma / n, m4n / n
	printf "callgrind: M4 - B = %.0f instructions per row, MA - B = %.0f, M4n - B = %.0f (M4n - M4 = %.0f)\n",
		(m4 - b) / n, (ma - b) / n, (m4n - b) / n, (m4n - m4) / n }'
