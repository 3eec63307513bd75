#!/bin/bash
# Scoring clusters fed by logical replication: a subscriber of the
# governance record scores each model with the version that is active on
# the primary, switching at its next statement, and governs nothing.
#
# The primary (publisher, wal_level = logical) governs model m in its
# database "registry" and publishes the record twice, with
# modelgov.create_publication(): modelgov_scoring (the tables a scoring
# cluster needs) and modelgov_record (whole_record: every table of the
# extension, the bump policy history without the rows every install
# writes).  The subscriber cluster has three databases, each with CREATE
# EXTENSION modelgov: "scoring" subscribes to modelgov_scoring, "record" to
# modelgov_record, "plain" to nothing.  Both initial copies complete (no
# duplicate key).
#
# A long-lived session of "scoring" scores m with 1.0.0 (ASK); the primary
# deploys 1.0.1 (threshold_auto 0.6: AUTO) through the whole process
# (propose, two reviews, three approvals, staging, smoke test, production);
# once it is applied, the same session's next statement scores with 1.0.1;
# the primary rolls back: the next statement scores with 1.0.0; governance
# calls and direct writes on the subscribers (even a superuser's) are
# refused with 25006, governance calls naming the primary and never the
# password of the subscription's connection; the session opens a cursor on
# 1.0.0, the primary deploys 1.0.2 (threshold_escalate 0.4: ESCALATE), the
# apply worker applies it after the refused writes, the cursor's rows after
# the apply still score with 1.0.0 (one statement, one version) while the
# next statement of the same transaction scores with 1.0.2.  The session's
# cache loaded each version once (the rollback to 1.0.0 loads nothing) and
# counted the invalidations.  "record" holds exactly what the
# primary holds, table by table, and its audit chain verifies; "plain"
# governs a model of its own; the primary scores and verifies as before.
#
# Builds its own primary and subscriber clusters, as the postgres user.
# Both listen only on a Unix socket in a directory of their own
# (listen_addresses is empty), so their ports, drawn from 20000-29999,
# cannot collide with another cluster's.
set -euo pipefail

if [ "$(id -u)" -eq 0 ]; then
	# initdb refuses to run as root
	work=$(mktemp -d)
	chown postgres: "$work"
	cp "$0" "$work/logical_replication.sh"
	chmod 755 "$work/logical_replication.sh"
	trap 'rm -rf "$work"' EXIT
	runuser -u postgres -- env WORK="$work" PG_MAJOR="${PG_MAJOR:-15}" bash "$work/logical_replication.sh"
	exit $?
fi

PG_MAJOR=${PG_MAJOR:-15}
bin=/usr/lib/postgresql/$PG_MAJOR/bin
work=${WORK:-$(mktemp -d)}
primary=$work/primary
subscriber=$work/subscriber
sock=$work
p1=$((20000 + RANDOM % 10000))
p2=$((p1 + 1))
# a password in the subscriptions' connection string (trust never asks
# for it): no error message may show it
secret=s3cr3t_Pw
conninfo="host=$sock port=$p1 dbname=registry password=$secret"
timeout=20
started=$(date +%s)

session=
fail() { echo "logical_replication: FAIL: $*" >&2; exit 1; }
cleanup() {
	{ exec 3>&-; } 2>/dev/null || true
	if [ -n "$session" ]; then
		kill "$session" 2>/dev/null || true
		wait "$session" 2>/dev/null || true
	fi
	"$bin/pg_ctl" -D "$subscriber" -m immediate stop >/dev/null 2>&1 || true
	"$bin/pg_ctl" -D "$primary" -m immediate stop >/dev/null 2>&1 || true
	[ -n "${WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

# q PORT DB SQL: one statement as postgres, unaligned
q() { psql -X -q -At -v ON_ERROR_STOP=1 -h "$sock" -p "$1" -d "$2" -c "$3"; }
pub() { q $p1 registry "$1"; }

# until PORT DB SQL EXPECTED WHAT: poll until the query returns EXPECTED,
# at most $timeout seconds
until_is() {
	local got
	for _ in $(seq 1 $((timeout * 10))); do
		got=$(q "$1" "$2" "$3" 2>"$work/until.err") || got="error: $(cat "$work/until.err")"
		[ "$got" = "$4" ] && return 0
		sleep 0.1
	done
	fail "$5: after ${timeout} s, expected \"$4\", got \"$got\""
}

# refused PORT DB ROLE SQL: the statement, run as ROLE (a SET ROLE of
# postgres, or postgres itself when ROLE is empty), fails with 25006 on a
# subscriber of the record; prints psql's verbose error
refused() {
	local out role="RESET ROLE"
	if [ -n "$3" ]; then role="SET ROLE $3"; fi
	if out=$(PGOPTIONS='-c client_min_messages=error' \
			psql -X -q -At -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -h "$sock" -p "$1" -d "$2" \
			-c "$role" -c "$4" 2>&1); then
		fail "accepted on $2${3:+ as $3}: $4 -> $out"
	fi
	case "$out" in
	"ERROR:  25006: "*) ;;
	*) fail "not refused with 25006 on $2${3:+ as $3}: $4 -> $out" ;;
	esac
	case "$out" in
	*"$secret"*) fail "the error shows the subscription's password: $out" ;;
	esac
	printf '%s\n' "$out"
}
# the refusal of a governance call says it is a subscriber and names the
# primary: its socket directory, its port and its database
names_primary() {
	local out=$1
	printf '%s\n' "$out" | grep -q '^ERROR:  25006: .*subscriber' ||
		fail "the refusal does not say it is a subscriber: $out"
	printf '%s\n' "$out" | grep -E '^(DETAIL|HINT): ' | grep -F "$sock" | grep -F "$p1" | grep -qF registry ||
		fail "no detail or hint of the refusal names the primary (host=$sock port=$p1 dbname=registry): $out"
}

for c in "$primary" "$subscriber"; do
	"$bin/initdb" -D "$c" -A trust -U postgres >/dev/null
done
cat >> "$primary/postgresql.conf" <<EOF
port = $p1
unix_socket_directories = '$sock'
listen_addresses = ''
wal_level = logical
max_wal_senders = 8
max_replication_slots = 8
EOF
cat >> "$subscriber/postgresql.conf" <<EOF
port = $p2
unix_socket_directories = '$sock'
listen_addresses = ''
max_worker_processes = 16
max_logical_replication_workers = 8
max_sync_workers_per_subscription = 4
# the launcher starts one subscription's worker per interval (5 s by default)
wal_retrieve_retry_interval = '100ms'
log_line_prefix = '%m [%p] %b '
EOF
"$bin/pg_ctl" -D "$primary" -l "$work/primary.log" -w start >/dev/null
"$bin/pg_ctl" -D "$subscriber" -l "$work/subscriber.log" -w start >/dev/null

# the members are roles of both clusters: the whole record names them
# (modelgov.members.role_id), and a subscriber's members are refused as
# members
for port in $p1 $p2; do
	q "$port" postgres "CREATE ROLE automation LOGIN; CREATE ROLE alice; CREATE ROLE bob; CREATE ROLE carol;
					  CREATE ROLE pm; CREATE ROLE msl; CREATE ROLE el" >/dev/null
done
q $p1 postgres "CREATE DATABASE registry" >/dev/null
for db in scoring record plain; do
	q $p2 postgres "CREATE DATABASE $db" >/dev/null
done

grants="GRANT USAGE ON SCHEMA modelgov TO automation, alice, bob, carol, pm, msl, el;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA modelgov TO automation, alice, bob, carol, pm, msl, el;"

# the primary: model m, 1.0.0 asks for 0.5, the members, one change of the
# bump policy (a row of the history that is published), the publications
psql -X -q -At -v ON_ERROR_STOP=1 -h "$sock" -p $p1 -d registry > "$work/setup.out" 2>&1 <<EOF ||
CREATE EXTENSION modelgov;
SELECT modelgov.create_model('m', '{"weights": [0.5, 0.5], "thresholds": {"auto": 0.3, "escalate": 0.7}}');
$grants
SELECT modelgov.add_member('automation', 'automation', '{deployer}');
SELECT modelgov.add_member('alice', 'alice@company.com');
SELECT modelgov.add_member('bob', 'bob@company.com');
SELECT modelgov.add_member('carol', 'carol@company.com');
SELECT modelgov.add_member('pm', 'pm@company.com', '{product_manager}');
SELECT modelgov.add_member('msl', 'msl@company.com', '{model_science_lead}');
SELECT modelgov.add_member('el', 'el@company.com', '{engineering_lead}');
SELECT modelgov.set_bump_policy('bug_fix', 'patch');
EOF
	fail "primary setup failed: $(cat "$work/setup.out")"

scoring_stmt=$(pub "SELECT modelgov.create_publication('modelgov_scoring')") ||
	fail "create_publication('modelgov_scoring') failed: $scoring_stmt"
record_stmt=$(pub "SELECT modelgov.create_publication('modelgov_record', whole_record => true)") ||
	fail "create_publication('modelgov_record', whole_record => true) failed: $record_stmt"
case "$scoring_stmt" in
"CREATE PUBLICATION modelgov_scoring "*) ;;
*) fail "create_publication('modelgov_scoring') did not return the statement it ran: $scoring_stmt" ;;
esac
case "$record_stmt" in
"CREATE PUBLICATION modelgov_record "*) ;;
*) fail "create_publication('modelgov_record', ...) did not return the statement it ran: $record_stmt" ;;
esac
published() {
	pub "SELECT string_agg(schemaname || '.' || tablename, ' ' ORDER BY tablename)
		   FROM pg_publication_tables WHERE pubname = '$1'"
}
[ "$(published modelgov_scoring)" = "modelgov.environments modelgov.models modelgov.proposals modelgov.versions" ] ||
	fail "modelgov_scoring does not publish exactly environments, models, proposals, versions: $(published modelgov_scoring)"
[ "$(pub "SELECT count(*) FROM pg_publication_tables WHERE pubname = 'modelgov_scoring' AND rowfilter IS NOT NULL")" = 0 ] ||
	fail "modelgov_scoring filters rows"
# every table of the extension, and no other
extension_tables=$(pub "SELECT string_agg(c.relnamespace::regnamespace || '.' || c.relname, ' ' ORDER BY c.relname)
						  FROM pg_depend d JOIN pg_class c ON c.oid = d.objid
						 WHERE d.classid = 'pg_class'::regclass AND d.deptype = 'e' AND c.relkind IN ('r', 'p')
						   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'modelgov')")
[ "$(published modelgov_record)" = "$extension_tables" ] ||
	fail "modelgov_record does not publish every table of the extension:
published: $(published modelgov_record)
tables:    $extension_tables"
[ "$(pub "SELECT string_agg(tablename, ' ') FROM pg_publication_tables
		   WHERE pubname = 'modelgov_record' AND rowfilter IS NOT NULL")" = bump_policy_history ] ||
	fail "modelgov_record filters other rows than the bump policy history's: $(pub "SELECT string_agg(tablename || ' ' || rowfilter, ', ')
		   FROM pg_publication_tables WHERE pubname = 'modelgov_record' AND rowfilter IS NOT NULL")"
ntables=$(echo "$extension_tables" | wc -w)

# the subscriber: the extension in each database, the members' privileges
# in "record" (grants are not replicated), the two subscriptions
for db in scoring record plain; do
	q $p2 $db "CREATE EXTENSION modelgov" >/dev/null
done
q $p2 record "$grants" >/dev/null
subscribed=$(date +%s%3N)
for sub in scoring record; do
	out=$(q $p2 $sub "CREATE SUBSCRIPTION s_$sub CONNECTION '$conninfo' PUBLICATION modelgov_$sub" 2>&1) ||
		fail "CREATE SUBSCRIPTION s_$sub failed: $out"
done

# both initial copies complete: every table ready ('r')
synced() {
	q $p2 "$1" "SELECT count(*) FILTER (WHERE r.srsubstate = 'r') || '/' || count(*)
				  FROM pg_subscription_rel r JOIN pg_subscription s ON s.oid = r.srsubid WHERE s.subname = '$2'"
}
copy_state() {
	q $p2 "$1" "SELECT string_agg(r.srrelid::regclass || '=' || r.srsubstate::text, ' ' ORDER BY r.srrelid::regclass::text)
				  FROM pg_subscription_rel r JOIN pg_subscription s ON s.oid = r.srsubid WHERE s.subname = '$2'"
}
for _ in $(seq 1 $((timeout * 10))); do
	[ "$(synced scoring s_scoring)" = 4/4 ] && [ "$(synced record s_record)" = "$ntables/$ntables" ] && break
	sleep 0.1
done
copy_ms=$(( $(date +%s%3N) - subscribed ))
{ [ "$(synced scoring s_scoring)" = 4/4 ] && [ "$(synced record s_record)" = "$ntables/$ntables" ]; } ||
	fail "the initial copies did not complete within ${timeout} s:
scoring: $(copy_state scoring s_scoring)
record:  $(copy_state record s_record)
$(grep -E 'ERROR|duplicate key' "$work/subscriber.log" | head -n 10)"
[ "$(copy_state scoring s_scoring)" = "modelgov.environments=r modelgov.models=r modelgov.proposals=r modelgov.versions=r" ] ||
	fail "s_scoring does not subscribe to the four tables: $(copy_state scoring s_scoring)"
! grep -q 'duplicate key' "$work/subscriber.log" ||
	fail "the initial copy hit a duplicate key: $(grep 'duplicate key' "$work/subscriber.log" | head -n 5)"
envs() { q $p2 "$1" "SELECT string_agg(model || ' ' || env || ' ' || version, ', ' ORDER BY env::text) FROM modelgov.environments"; }
[ "$(envs scoring)" = "m production 1.0.0, m staging 1.0.0" ] || fail "scoring did not receive m 1.0.0: $(envs scoring)"

# the long-lived session of "scoring", fed statement by statement through
# a fifo; each statement prints a line that begins with its tag
mkfifo "$work/session.in"
psql -X -q -At -v ON_ERROR_STOP=1 -h "$sock" -p $p2 -d scoring < "$work/session.in" > "$work/session.out" 2>&1 &
session=$!
exec 3> "$work/session.in"
# ask TAG SQL: run SQL in the session, print the line(s) tagged TAG
ask() {

	printf '%s\n' "$2" >&3
	for _ in $(seq 1 $((timeout * 10))); do
		if grep -qE "^$1(\||$)" "$work/session.out"; then
			grep -E "^$1(\||$)" "$work/session.out"
			return 0
		fi
		kill -0 "$session" 2>/dev/null || fail "the subscriber session ended at $1: $(cat "$work/session.out")"
		sleep 0.05
	done
	fail "the subscriber session did not answer $1 within ${timeout} s: $(cat "$work/session.out")"
}
# score TAG: m's decision for 0.5, 0.5 and the session's cache
score() {
	ask "$1" "SELECT '$1', modelgov.decide('m', ARRAY[0.5, 0.5]), modelgov.score('m', ARRAY[0.5, 0.5]);"
}
stats() {
	ask "$1" "SELECT '$1', loads, compiled_versions, active_versions, invalidations FROM modelgov.cache_stats();"
}
invalidations() { echo "${1##*|}"; }

# deploy NEW_VALUES DESCRIPTION: one change of m on the primary, through
# the whole process; prints the version deployed
deploy() {
	psql -X -q -At -v ON_ERROR_STOP=1 -h "$sock" -p $p1 -d registry -v nv="$1" -v descr="$2" > "$work/deploy.out" 2>&1 <<'EOF' ||
SET ROLE alice;
SELECT modelgov.propose('m', 'threshold_change', :'descr', :'nv',
	'{"sample_size": 5000, "expected_auto_resolve_rate": 0.5, "expected_escalate_rate": 0.1}',
	'roll back', 'watch the escalations') AS p \gset
\set checklist '{"aligns_with_business_goals": true, "data_quality_sufficient": true, "impact_analysis_completed": true, "no_regressions_observed": true, "rollback_plan_documented": true, "monitoring_plan_documented": true}'
SET ROLE bob;
SELECT modelgov.review(:'p', :'checklist', true) IS NULL;
SET ROLE carol;
SELECT modelgov.review(:'p', :'checklist', true) IS NULL;
SET ROLE pm;
SELECT modelgov.approve(:'p', 'product_manager') IS NULL;
SET ROLE msl;
SELECT modelgov.approve(:'p', 'model_science_lead') IS NULL;
SET ROLE el;
SELECT modelgov.approve(:'p', 'engineering_lead') IS NULL;
SET ROLE automation;
SELECT modelgov.deploy(:'p', 'staging') AS v \gset
SELECT modelgov.record_smoke_test('m', :'v', true) IS NULL;
SELECT modelgov.deploy(:'p', 'production') IS NULL;
RESET ROLE;
SELECT 'deployed', :'v';
EOF
		fail "the primary's deployment of $2 failed: $(cat "$work/deploy.out")"
	sed -n 's/^deployed|//p' "$work/deploy.out"
}
prod="SELECT version FROM modelgov.environments WHERE model = 'm' AND env = 'production'"

# 1.0.0: ASK
out=$(score s0)
[ "$out" = "s0|ASK|0.5" ] || fail "the subscriber session did not score m with 1.0.0: $out"
st0=$(stats st0)
[ "${st0%|*}" = 'st0|1|1|{"m": "1.0.0"}' ] || fail "the subscriber session did not compile 1.0.0 once: $st0"

# the primary deploys 1.0.1: AUTO for 0.5
v=$(deploy '{"threshold_auto": 0.6}' 'auto up to 0.6')
[ "$v" = 1.0.1 ] || fail "the primary deployed $v, not 1.0.1"
until_is $p2 scoring "$prod" 1.0.1 \
	"the subscriber did not apply the deployment of 1.0.1"
out=$(score s1)
[ "$out" = "s1|AUTO|0.5" ] || fail "the subscriber session's next statement after the deployment did not score with 1.0.1: $out"
st1=$(stats st1)
[ "${st1%|*}" = 'st1|2|2|{"m": "1.0.1"}' ] || fail "the subscriber session did not load 1.0.1 once: $st1"
# staging and production: two applied transactions, two invalidations at least
[ "$(invalidations "$st1")" -ge $(( $(invalidations "$st0") + 2 )) ] ||
	fail "the subscriber session counted fewer than two invalidations for the deployment: $st0 -> $st1"

# the primary rolls back to 1.0.0
rb=$(psql -X -q -At -v ON_ERROR_STOP=1 -h "$sock" -p $p1 -d registry 2>&1 <<'EOF'
SET ROLE automation;
SELECT modelgov.rollback('m', 'escalations up');
EOF
) || fail "the primary's rollback failed: $rb"
[ "$rb" = 1.0.0 ] || fail "the primary rolled back to $rb, not 1.0.0"
until_is $p2 scoring "$prod" 1.0.0 \
	"the subscriber did not apply the rollback"
out=$(score s2)
[ "$out" = "s2|ASK|0.5" ] || fail "the subscriber session's next statement after the rollback did not score with 1.0.0: $out"
st2=$(stats st2)
# 1.0.0 is still compiled: no load
[ "${st2%|*}" = 'st2|2|2|{"m": "1.0.0"}' ] || fail "the subscriber session did not switch back to its compiled 1.0.0: $st2"
[ "$(invalidations "$st2")" -gt "$(invalidations "$st1")" ] ||
	fail "the subscriber session counted no invalidation for the rollback: $st1 -> $st2"

# governance on a subscriber is refused, naming the primary: as the
# superuser on "scoring" (which holds no member), and as a member on
# "record" (which holds them all)
out=$(refused $p2 scoring '' "SELECT modelgov.create_model('intruder', '{\"weights\": [1], \"thresholds\": {\"auto\": 0.3, \"escalate\": 0.7}}')")
names_primary "$out"
out=$(refused $p2 scoring '' "SELECT modelgov.set_bump_policy('bug_fix', 'minor')")
names_primary "$out"
out=$(refused $p2 scoring '' "SELECT modelgov.rollback('m', 'from the subscriber')")
names_primary "$out"
until_is $p2 record "$prod" 1.0.0 \
	"the record subscriber did not apply the rollback"
out=$(refused $p2 record automation "SELECT modelgov.rollback('m', 'from the subscriber', '1.0.1')")
names_primary "$out"
out=$(refused $p2 record automation "SELECT modelgov.record_metrics('m', '1.0.0', current_date,
	'{\"decisions\": 100, \"auto\": 50, \"escalate\": 10, \"errors\": 0}')")
names_primary "$out"
out=$(refused $p2 record '' "SELECT modelgov.add_member('alice', 'other@company.com')")
names_primary "$out"

# direct writes on a subscriber are refused, the superuser's too
out=$(refused $p2 scoring '' "UPDATE modelgov.versions SET status = 'active' WHERE model = 'm' AND version::text = '1.0.1'")
out=$(refused $p2 scoring '' "DELETE FROM modelgov.environments")
out=$(refused $p2 scoring '' "INSERT INTO modelgov.models (name, created_at, created_by) VALUES ('intruder', now(), 'postgres')")
out=$(refused $p2 scoring '' "TRUNCATE modelgov.proposals CASCADE")
out=$(refused $p2 record '' "DELETE FROM modelgov.members WHERE role_name = 'alice'")
out=$(refused $p2 record '' "INSERT INTO modelgov.bump_policy_history (change_type, bump, set_by) VALUES ('bug_fix', 'minor', 'postgres')")
out=$(refused $p2 record '' "UPDATE modelgov.audit_log SET actor = 'nobody' WHERE seq = 1")
[ "$(envs scoring)" = "m production 1.0.0, m staging 1.0.1" ] ||
	fail "a refused write changed the environments of scoring: $(envs scoring)"
[ "$(q $p2 scoring "SELECT string_agg(version || ' ' || status, ', ' ORDER BY version) FROM modelgov.versions")" = \
	"1.0.0 active, 1.0.1 rolled_back" ] ||
	fail "a refused write changed the versions of scoring: $(q $p2 scoring "SELECT string_agg(version || ' ' || status, ', ' ORDER BY version) FROM modelgov.versions")"
[ "$(q $p2 scoring "SELECT string_agg(name, ' ') FROM modelgov.models")" = m ] || fail "a refused write added a model to scoring"

# one statement, one version: a cursor opened on 1.0.0 keeps it across the
# deployment of 1.0.2 (ESCALATE for 0.5), applied while it is open, while
# the next statement of the same transaction scores with 1.0.2.  The
# deployment is applied after the refused writes.
ask c0 "BEGIN; DECLARE c CURSOR FOR SELECT 'c' || i, modelgov.decide('m', ARRAY[0.5, 0.5]) FROM generate_series(1, 3) i; SELECT 'c0';" >/dev/null
out=$(ask c1 "FETCH 1 FROM c;")
[ "$out" = "c1|ASK" ] || fail "the cursor did not score with 1.0.0: $out"
v=$(deploy '{"threshold_escalate": 0.4}' 'escalate from 0.4')
[ "$v" = 1.0.2 ] || fail "the primary deployed $v, not 1.0.2"
until_is $p2 scoring "$prod" 1.0.2 \
	"the subscriber did not apply the deployment of 1.0.2 (after the refused writes, with a cursor open)"
out=$(ask c2 "FETCH 1 FROM c;")
[ "$out" = "c2|ASK" ] || fail "the cursor's second row did not score with the version of its first (1.0.0): $out"
out=$(score s3)
[ "$out" = "s3|ESCALATE|0.5" ] ||
	fail "the subscriber session's next statement after the deployment (in the cursor's transaction) did not score with 1.0.2: $out"
out=$(ask c3 "FETCH 1 FROM c;")
[ "$out" = "c3|ASK" ] || fail "the cursor's third row did not score with the version of its first (1.0.0): $out"
ask c4 "COMMIT; SELECT 'c4';" >/dev/null
out=$(score s4)
[ "$out" = "s4|ESCALATE|0.5" ] || fail "the subscriber session did not score with 1.0.2 after the cursor's transaction: $out"
st3=$(stats st3)
[ "${st3%|*}" = 'st3|3|3|{"m": "1.0.2"}' ] || fail "the subscriber session did not load 1.0.2 once: $st3"
[ "$(invalidations "$st3")" -ge $(( $(invalidations "$st2") + 2 )) ] ||
	fail "the subscriber session counted fewer than two invalidations for the deployment: $st2 -> $st3"
read_only=$(ask ro "SELECT 'ro', current_setting('transaction_read_only'), pg_is_in_recovery();")
[ "$read_only" = "ro|off|f" ] || fail "the subscriber session is not an ordinary read-write session: $read_only"
exec 3>&-
wait "$session" || fail "the subscriber session failed: $(cat "$work/session.out")"
session=
! grep -q ERROR "$work/session.out" || fail "the subscriber session had an error: $(cat "$work/session.out")"

# the whole record: "record" holds exactly what the primary holds, every
# table of the extension (the bump policy history too: its own defaults
# and the primary's change), and its audit chain verifies
contents_sql=
for t in $extension_tables; do
	contents_sql="${contents_sql:+$contents_sql UNION ALL }SELECT '$t:' || count(*) || ':'
		|| md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM $t x"
done
contents() { q "$1" "$2" "SELECT string_agg(c, ' ' ORDER BY c) FROM ($contents_sql) AS t(c)"; }
want=$(contents $p1 registry)
for _ in $(seq 1 $((timeout * 10))); do
	[ "$(contents $p2 record)" = "$want" ] && break
	sleep 0.1
done
got=$(contents $p2 record)
[ "$got" = "$want" ] || fail "the record subscriber does not hold the primary's record within ${timeout} s:
primary: $want
record:  $got"
[ "$(q $p2 record "SELECT count(*) || ' ' || count(*) FILTER (WHERE set_by IS NOT NULL) FROM modelgov.bump_policy_history")" = "11 1" ] ||
	fail "the record subscriber's bump policy history is not its ten defaults and the primary's change"
audit=$(q $p2 record "SELECT ok || ' ' || entries FROM modelgov.verify_audit_log()")
[ "$audit" = "true $(pub "SELECT count(*) FROM modelgov.audit_log")" ] ||
	fail "the record subscriber's audit chain does not verify the primary's entries: $audit"
[ "$(q $p2 record "SELECT modelgov.decide('m', ARRAY[0.5, 0.5]) || ' ' || modelgov.active_version('m', 'production')")" = "ESCALATE 1.0.2" ] ||
	fail "the record subscriber does not score with 1.0.2"

# a database that subscribes to nothing governs and scores as ever
plain=$(psql -X -q -At -v ON_ERROR_STOP=1 -h "$sock" -p $p2 -d plain 2>&1 <<'EOF'
SELECT modelgov.create_model('p', '{"weights": [1], "thresholds": {"auto": 0.3, "escalate": 0.7}}');
SELECT count(*) FROM (SELECT modelgov.set_bump_policy('bug_fix', 'minor')) x;
SELECT bump FROM modelgov.bump_policy WHERE change_type = 'bug_fix';
SELECT modelgov.decide('p', ARRAY[0.8]);
SELECT ok FROM modelgov.verify_audit_log();
EOF
) || fail "the plain database of the subscriber cluster could not govern: $plain"
[ "$plain" = "$(printf '1.0.0\n1\nminor\nESCALATE\nt')" ] || fail "the plain database of the subscriber cluster: $plain"

# the primary governs and scores as ever
[ "$(pub "SELECT modelgov.decide('m', ARRAY[0.5, 0.5]) || ' ' || modelgov.active_version('m', 'production')")" = "ESCALATE 1.0.2" ] ||
	fail "the primary does not score with 1.0.2"
[ "$(pub "SELECT ok FROM modelgov.verify_audit_log()")" = t ] || fail "the primary's audit chain does not verify"
[ "$(pub "SELECT string_agg(kind || ' ' || version, ', ' ORDER BY id) FROM modelgov.deployments WHERE env = 'production'")" = \
	"init 1.0.0, deploy 1.0.1, rollback 1.0.0, deploy 1.0.2" ] ||
	fail "the primary's production history: $(pub "SELECT string_agg(kind || ' ' || version, ', ' ORDER BY id) FROM modelgov.deployments WHERE env = 'production'")"

# history rewritten on the primary (as an update script may do, once,
# with the append-only guard set aside) is replayed by the apply worker,
# not refused: the subscriber does not stall
pub "BEGIN; ALTER TABLE modelgov.audit_log DISABLE TRIGGER audit_log_append_only;
	 UPDATE modelgov.audit_log SET actor = actor WHERE seq = 1;
	 ALTER TABLE modelgov.audit_log ENABLE ALWAYS TRIGGER audit_log_append_only; COMMIT;" >/dev/null
pub "SELECT count(*) FROM (SELECT modelgov.set_bump_policy('bug_fix', 'patch')) x" >/dev/null
until_is $p2 record "SELECT count(*) FROM modelgov.bump_policy_history WHERE set_by IS NOT NULL" 2 ||
	fail "the record subscriber stalled after an UPDATE of the audit log on the primary"

# no apply or sync worker failed, and nothing collided
! grep -q 'duplicate key' "$work/subscriber.log" ||
	fail "the subscriber hit a duplicate key: $(grep 'duplicate key' "$work/subscriber.log" | head -n 5)"
# (log_line_prefix names the backend type)
! grep -qE 'logical replication worker (ERROR|FATAL|PANIC)' "$work/subscriber.log" ||
	fail "a logical replication worker failed: $(grep -A2 -E 'logical replication worker (ERROR|FATAL|PANIC)' "$work/subscriber.log" | head -n 20)"

# only the apply worker of a subscription that carries the record writes
# it: another subscription's worker, running a trigger of its own table that
# writes the record, is refused, and its row is not applied
pub "CREATE TABLE public.other (id int PRIMARY KEY); CREATE PUBLICATION p_other FOR TABLE public.other" >/dev/null
q $p2 scoring "CREATE TABLE public.other (id int PRIMARY KEY);
	CREATE FUNCTION public.other_writes() RETURNS trigger LANGUAGE plpgsql
		AS \$\$BEGIN UPDATE modelgov.versions SET status = status; RETURN NEW; END\$\$;
	CREATE TRIGGER other_writes AFTER INSERT ON public.other FOR EACH ROW EXECUTE FUNCTION public.other_writes();
	ALTER TABLE public.other ENABLE ALWAYS TRIGGER other_writes;" >/dev/null
q $p2 scoring "CREATE SUBSCRIPTION s_other CONNECTION '$conninfo' PUBLICATION p_other WITH (copy_data = false)" >/dev/null 2>&1
pub "INSERT INTO public.other VALUES (1)" >/dev/null
for _ in $(seq 1 $((timeout * 10))); do
	grep -q 'cannot change table versions on a subscriber' "$work/subscriber.log" && break
	sleep 0.1
done
grep -q 'cannot change table versions on a subscriber' "$work/subscriber.log" ||
	fail "another subscription's worker was not refused when its trigger wrote the record"
[ "$(q $p2 scoring "SELECT count(*) FROM public.other")" = 0 ] ||
	fail "another subscription's worker wrote the record through a trigger"
q $p2 scoring "DROP SUBSCRIPTION s_other" >/dev/null 2>&1

# the refusal shows where the publisher is, as libpq reads the connection:
# an escaped space belongs to the password, and no part of it is shown
q $p2 scoring "ALTER SUBSCRIPTION s_scoring CONNECTION '$conninfo\\ host=LEAKED'" >/dev/null
out=$(refused $p2 scoring "" "SELECT modelgov.create_model('x', '{\"weights\": [1], \"thresholds\": {\"auto\": 0.3, \"escalate\": 0.7}}')")
case "$out" in
*LEAKED*) fail "a part of the password shows in the refusal: $out" ;;
esac

seconds=$(( $(date +%s) - started ))
echo "logical_replication: ok (initial copies in ${copy_ms} ms; a subscriber session scored 1.0.0, 1.0.1, 1.0.0, 1.0.2 at its next statement after each was applied, a cursor kept its version; governance and direct writes refused with 25006 naming the primary; the whole record verifies; ${seconds} s)"
