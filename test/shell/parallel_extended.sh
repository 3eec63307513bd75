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
# First with the 0.1.0 forms, while the database holds one model; then with
# the named forms once it holds two, where the statements score both models
# and the deployment is of one: that model changes its decisions, with one
# version for the whole statement, and the other keeps its own.
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
-- the next version of model "default", which escalates what 1.0.0 lets
-- through, created and deployed in one call
CREATE FUNCTION deploy_next(v text) RETURNS text LANGUAGE sql AS $$
	INSERT INTO modelgov.versions (version, config, created_at, status, model)
	VALUES (v::modelgov.semver, modelgov_internal.normalize_config(jsonb_build_object(
				'weights', jsonb_build_array(0.25, 0.25, 0.25, 0.25),
				'thresholds', jsonb_build_object('auto', 0.05, 'escalate', 0.1))), now(), 'approved', 'default');
	SELECT modelgov_internal.promote(x, 'deploy', NULL, 'test', jsonb_build_object())::text
	  FROM modelgov.versions x WHERE x.model = 'default' AND x.version::text = v;
$$;
-- back to 1.0.0 (AUTO) between the runs
CREATE FUNCTION deploy_first() RETURNS void LANGUAGE sql AS $$
	SELECT modelgov_internal.promote(x, 'deploy', NULL, 'test', jsonb_build_object())
	  FROM modelgov.versions x WHERE x.model = 'default' AND x.version::text = '1.0.0';
$$;
SQL

# $1: the version to deploy meanwhile; $2: "warm" to score serially first;
# $3: the decision expression, a text, with @f for each feature
run() {
	local warm="" one=${3//@f/0.3} all=${3//@f/f}
	[ "$2" = warm ] && warm="SELECT $one AS before \\gset"
	cat > "$work/script.sql" <<SCRIPT
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) AS n FROM tickets \gset
$warm
\shell psql -X -q -At -d $db -c "SELECT deploy_next('$1')" > /dev/null
SELECT $one AS serial \gset
SELECT string_agg(d || '=' || c, ',' ORDER BY d) AS parallel
  FROM (SELECT $all AS d, count(*) AS c FROM tickets GROUP BY 1) s \gset
COMMIT;
\shell echo :serial :parallel > $work/out
SCRIPT
	rm -f "$work/out"
	"$pgbench" -n -M extended -t 1 -f "$work/script.sql" $db > "$work/pgbench.log" 2>&1 ||
		fail "pgbench failed: $(cat "$work/pgbench.log")"
	cat "$work/out"
}

# parallel <decision expression>: the plan of the grouped statement is parallel
parallel() {
	q "SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
	   EXPLAIN (COSTS OFF) SELECT ${1//@f/f}, count(*) FROM tickets GROUP BY 1" |
		grep -q 'Workers Planned' || fail "the plan of $1 is not parallel"
}

# --- one model, the 0.1.0 forms ---------------------------------------------
unnamed='modelgov.decide(@f, @f, @f, @f)::text'
parallel "$unnamed"

# a session whose first scoring statement (the one that loads the library)
# comes after the deployment: then the serial one, the parallel one
out=$(run 1.1.0 cold "$unnamed")
[ "$out" = "ESCALATE ESCALATE=60000" ] || fail "first statements after a deployment: '$out', want 'ESCALATE ESCALATE=60000'"

# the version back to AUTO, then a session that scored before the deployment
q "SELECT deploy_first()" >/dev/null
out=$(run 1.2.0 warm "$unnamed")
[ "$out" = "ESCALATE ESCALATE=60000" ] || fail "after a deployment the session saw: '$out', want 'ESCALATE ESCALATE=60000'"
echo "  one model, decide(f1, f2, f3, f4): one version per parallel statement, cold and warm"

# --- two models, the named forms ---------------------------------------------
# "other" decides ASK for 0.3 and is never deployed; "default" goes back to
# AUTO before each run and is deployed (ESCALATE) during it
q "SELECT modelgov.create_model('other', jsonb_build_object(
	'weights', jsonb_build_array(0.25, 0.25, 0.25, 0.25),
	'thresholds', jsonb_build_object('auto', 0.2, 'escalate', 0.8)), 'the model that is not deployed')" >/dev/null
named="modelgov.decide('default', @f, @f, @f, @f)::text || '/' || modelgov.decide('other', ARRAY[@f, @f, @f, @f])::text"
parallel "$named"
# the 0.1.0 forms refuse now, so nothing below can score through them
q "SELECT modelgov.decide(0.3, 0.3, 0.3, 0.3)" >/dev/null 2>&1 &&
	fail "decide(f1, f2, f3, f4) still scores in a database with two models"

q "SELECT deploy_first()" >/dev/null
out=$(run 1.3.0 cold "$named")
[ "$out" = "ESCALATE/ASK ESCALATE/ASK=60000" ] ||
	fail "two models, first statements after a deployment of one: '$out', want 'ESCALATE/ASK ESCALATE/ASK=60000'"
q "SELECT deploy_first()" >/dev/null
out=$(run 1.4.0 warm "$named")
[ "$out" = "ESCALATE/ASK ESCALATE/ASK=60000" ] ||
	fail "two models, after a deployment of one the session saw: '$out', want 'ESCALATE/ASK ESCALATE/ASK=60000'"
echo "  two models, decide('default', ...) and decide('other', ...): one version of each per parallel statement"

echo "parallel_extended: ok (extended protocol, REPEATABLE READ: one version per model and parallel statement, the one the session's serial statements use)"
