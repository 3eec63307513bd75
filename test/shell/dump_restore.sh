#!/bin/bash
# pg_dump and restore into a fresh database keep everything modelgov holds:
# the bump policy changes (without duplicating the default rows), members,
# the whole governance record of the seed's story, and the audit log, whose
# chain still verifies, also against a digest kept before the dump.  The
# restored database carries on: sequences, proposal ids and the chain
# continue after the restored rows.
#
# Runs against the cluster given by the PG* variables (pg_virtualenv).
set -euo pipefail
cd "$(dirname "$0")/../.."

src=modelgov_dump_src
dst=modelgov_dump_dst
dump=$(mktemp)
story_roles="alice, bob, carol, charlie, diana, eve, ops, mg_dump_alice"

cleanup() {
	rm -f "$dump"
	dropdb --if-exists $src 2>/dev/null
	dropdb --if-exists $dst 2>/dev/null
	psql -X -q -c "DROP ROLE IF EXISTS $story_roles" 2>/dev/null
}
trap cleanup EXIT

q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
fail() { echo "dump_restore: FAIL: $*" >&2; exit 1; }

cleanup
createdb $src
q $src "CREATE EXTENSION modelgov"
q $src "SELECT modelgov.set_bump_policy('bias_update', 'minor')" >/dev/null
q $src "SELECT modelgov.set_bump_policy('bug_fix', 'minor')" >/dev/null
q $src "SELECT modelgov.set_bump_policy('bias_update', 'patch')" >/dev/null
q $src "CREATE ROLE mg_dump_alice"
q $src "SELECT modelgov.set_monitoring_setting('rate_tolerance', 0.04)" >/dev/null
q $src "SELECT modelgov.add_member('mg_dump_alice', 'dump@company.com', '{product_manager}')" >/dev/null
# the seed's story: proposal, reviews, approvals, deployments, rollback
psql -X -q -d $src -f scripts/seed_story.sql >/dev/null 2>&1
[ "$(q $src "SELECT modelgov.active_version()")" = 1.0.0 ] || fail "the story did not run"
q $src "CREATE TABLE releases (v modelgov.semver PRIMARY KEY, wants modelgov.semverrange)"
q $src "INSERT INTO releases VALUES ('1.0.0-rc.1+b.7', modelgov.semver_caret('1.0.0')),
		('1.0.0', NULL), ('0.9.12-1a.01b', modelgov.semver_tilde('0.9.0'))"

tables="bump_policy_history members audit_log proposals reviews approvals versions daily_metrics monitoring_settings release_attestations releases
	environments deployments smoke_tests"
snapshot() {
	for t in $tables; do
		echo "== $t"
		q "$1" "SELECT t::text FROM modelgov.$t t ORDER BY 1"
	done
	echo "== releases"
	q "$1" "SELECT v::text, wants FROM releases ORDER BY v"
}

before=$(snapshot $src)
digest=$(q $src "SELECT seq || ' ' || hash FROM modelgov.audit_digest()")

pg_dump -Fc -d $src -f "$dump"
createdb $dst
pg_restore --exit-on-error -d $dst "$dump"

after=$(snapshot $dst)
if [ "$after" != "$before" ]; then
	diff <(echo "$before") <(echo "$after") >&2 || true
	fail "data differs after restore"
fi

# the defaults are there once, with the changes after them
[ "$(q $dst "SELECT count(*) FROM modelgov.bump_policy_history")" = 13 ] || fail "wrong number of policy rows"
[ "$(q $dst "SELECT modelgov.required_bump('bug_fix')")" = minor ] || fail "policy change lost"

# the chain verifies after restore, also against the digest kept before
set -- $digest
[ "$1" = 56 ] || fail "expected 56 audit entries, the digest says $1"
[ "$(q $dst "SELECT ok FROM modelgov.verify_audit_log()")" = t ] || fail "audit chain broken after restore"
[ "$(q $dst "SELECT ok FROM modelgov.verify_audit_log($1, '$2')")" = t ] || fail "audit digest not matched after restore"

# one active production version, and the process carries on
[ "$(q $dst "SELECT count(*) FROM modelgov.versions WHERE status = 'active'")" = 1 ] || fail "active version lost"
q $dst "SELECT modelgov.set_bump_policy('performance_fix', 'minor')" >/dev/null
[ "$(q $dst "SELECT max(id) FROM modelgov.bump_policy_history")" = 14 ] || fail "policy sequence not restored"
id=$(psql -X -q -At -v ON_ERROR_STOP=1 -d $dst -c "SET modelgov.clock = '2024-02-20 09:00:00+00'" -c "SET ROLE alice" \
	-c "SELECT modelgov.propose('bias_update', 'billing bias', '{\"biases\": {\"default\": 0.0, \"billing\": -0.05}}')")
[ "$id" = PROP_202402_002 ] || fail "proposal ids do not continue after restore: $id"
got=$(q $dst "SELECT ok::text || ' ' || entries FROM modelgov.verify_audit_log()")
[ "$got" = "true 58" ] || fail "the chain does not continue after restore: $got"

# the primary key index on the semver column is valid after restore
q $dst "CREATE EXTENSION IF NOT EXISTS amcheck"
q $dst "SELECT bt_index_check('releases_pkey', true)" >/dev/null

q $src "DROP OWNED BY $story_roles"
q $dst "DROP OWNED BY $story_roles"
echo "dump_restore: ok (14 governance tables identical, 56 audit entries verified against the digest, ids and chain continue)"
