#!/bin/bash
# One parallel statement, one version, over the extended query protocol
# (what drivers use: Bind and Execute are separate messages) and in the
# statement that loads the library.  pgbench -M extended runs a REPEATABLE
# READ transaction whose snapshot predates a deployment made meanwhile by
# another session (\shell); the serial statement after the deployment and
# the parallel one after it must score with the same, new version, and the
# parallel one with one version for all its rows.  Every row has the same
# features: one version gives one decision for all, two give two.
#
# Runs against the cluster given by the PG* variables (pg_virtualenv).
set -euo pipefail
cd "$(dirname "$0")/../.."

db=modelgov_parallel_ext
work=$(mktemp -d)
cleanup() {
	dropdb --if-exists $db 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "parallel_extended: FAIL: $*" >&2; exit 1; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d $db -c "$1"; }
pgbench=$(pg_config --bindir 2>/dev/null)/pgbench
[ -x "$pgbench" ] || pgbench=/usr/lib/postgresql/15/bin/pgbench

dropdb --if-exists $db 2>/dev/null || true
createdb $db
psql -X -q -v ON_ERROR_STOP=1 -d $db >/dev/null <<'SQL'
CREATE EXTENSION modelgov;
SELECT modelgov.init_model(jsonb_build_object('version', '1.0.0',
	'weights', jsonb_build_array(0.25, 0.25, 0.25, 0.25),
	'thresholds', jsonb_build_object('auto', 0.5, 'escalate', 0.9)));
CREATE TABLE tickets AS SELECT g AS id, 0.3::float8 AS f FROM generate_series(1, 60000) AS g;
ANALYZE tickets;
-- the next version, which escalates what 1.0.0 lets through, created and
-- deployed in one call
CREATE FUNCTION deploy_next(v text) RETURNS text LANGUAGE sql AS $$
	INSERT INTO modelgov.versions (version, config, created_at, status)
	VALUES (v::modelgov.semver, modelgov_internal.normalize_config(jsonb_build_object(
				'weights', jsonb_build_array(0.25, 0.25, 0.25, 0.25),
				'thresholds', jsonb_build_object('auto', 0.05, 'escalate', 0.1))), now(), 'approved');
	SELECT modelgov_internal.promote(x, 'deploy', NULL, 'test', 'test', jsonb_build_object())::text
	  FROM modelgov.versions x WHERE x.version::text = v;
$$;
SQL

# $1: the version to deploy meanwhile; $2: "warm" to score serially first
run() {
	local warm=""
	[ "$2" = warm ] && warm='SELECT modelgov.decide(0.3, 0.3, 0.3, 0.3)::text AS before \gset'
	cat > "$work/script.sql" <<SCRIPT
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) AS n FROM tickets \gset
$warm
\shell psql -X -q -At -d $db -c "SELECT deploy_next('$1')" > /dev/null
SELECT modelgov.decide(0.3, 0.3, 0.3, 0.3)::text AS serial \gset
SELECT string_agg(d || '=' || c, ',' ORDER BY d) AS parallel
  FROM (SELECT modelgov.decide(f, f, f, f)::text AS d, count(*) AS c FROM tickets GROUP BY 1) s \gset
COMMIT;
\shell echo :serial :parallel > $work/out
SCRIPT
	rm -f "$work/out"
	"$pgbench" -n -M extended -t 1 -f "$work/script.sql" $db > "$work/pgbench.log" 2>&1 ||
		fail "pgbench failed: $(cat "$work/pgbench.log")"
	cat "$work/out"
}

# the plan is parallel
q "SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
   EXPLAIN (COSTS OFF) SELECT modelgov.decide(f, f, f, f), count(*) FROM tickets GROUP BY 1" |
	grep -q 'Workers Planned' || fail "the plan is not parallel"

# a session whose first scoring statement (the one that loads the library)
# comes after the deployment: then the serial one, the parallel one
out=$(run 1.1.0 cold)
[ "$out" = "ESCALATE ESCALATE=60000" ] || fail "first statements after a deployment: '$out', want 'ESCALATE ESCALATE=60000'"

# the version back to AUTO, then a session that scored before the deployment
q "SELECT modelgov_internal.promote(x, 'deploy', NULL, 'test', 'test', jsonb_build_object()) FROM modelgov.versions x
    WHERE x.version::text = '1.0.0'" >/dev/null
out=$(run 1.2.0 warm)
[ "$out" = "ESCALATE ESCALATE=60000" ] || fail "after a deployment the session saw: '$out', want 'ESCALATE ESCALATE=60000'"

echo "parallel_extended: ok (extended protocol, REPEATABLE READ: one version per parallel statement, the one the session's serial statements use)"
