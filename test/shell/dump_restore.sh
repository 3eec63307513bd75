#!/bin/bash
# pg_dump and restore into a fresh database keep everything modelgov holds:
# user tables with semver columns, and bump policy changes with their ids,
# times and actors; the default rows are not duplicated, and the policy
# sequence carries on after the restored rows.
#
# Runs against the cluster given by the PG* variables (pg_virtualenv).
set -euo pipefail

src=modelgov_dump_src
dst=modelgov_dump_dst
dump=$(mktemp)
trap 'rm -f "$dump"; dropdb --if-exists $src 2>/dev/null; dropdb --if-exists $dst 2>/dev/null; psql -X -q -c "DROP ROLE IF EXISTS mg_dump_alice" 2>/dev/null' EXIT

q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
fail() { echo "dump_restore: FAIL: $*" >&2; exit 1; }

dropdb --if-exists $src 2>/dev/null
dropdb --if-exists $dst 2>/dev/null
createdb $src
q $src "CREATE EXTENSION modelgov"
q $src "SELECT modelgov.set_bump_policy('bias_update', 'minor')" >/dev/null
q $src "SELECT modelgov.set_bump_policy('bug_fix', 'minor')" >/dev/null
q $src "SELECT modelgov.set_bump_policy('bug_fix', 'patch')" >/dev/null
q $src "DO \$\$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mg_dump_alice') THEN CREATE ROLE mg_dump_alice; END IF; END \$\$"
q $src "SELECT modelgov.add_member('mg_dump_alice', 'alice@company.com', '{product_manager}')" >/dev/null
q $src "CREATE TABLE releases (v modelgov.semver PRIMARY KEY, wants modelgov.semverrange)"
q $src "INSERT INTO releases VALUES ('1.0.0-rc.1+b.7', modelgov.semver_caret('1.0.0')),
		('1.0.0', NULL), ('0.9.12-1a.01b', modelgov.semver_tilde('0.9.0'))"

history="SELECT id, change_type, bump, set_at, set_by FROM modelgov.bump_policy_history ORDER BY id"
policy="SELECT change_type, bump, is_default FROM modelgov.bump_policy ORDER BY change_type"
data="SELECT v::text, wants FROM releases ORDER BY v"
members="SELECT role_name, identity, roles, added_at, added_by FROM modelgov.members ORDER BY 1"
audit="SELECT seq, recorded_at, event_type, actor, details, encode(hash, 'hex') FROM modelgov.audit_log ORDER BY seq"

before_history=$(q $src "$history")
before_policy=$(q $src "$policy")
before_data=$(q $src "$data")
before_members=$(q $src "$members")
before_audit=$(q $src "$audit")
digest=$(q $src "SELECT seq || ' ' || hash FROM modelgov.audit_digest()")

pg_dump -Fc -d $src -f "$dump"
createdb $dst
pg_restore --exit-on-error -d $dst "$dump"

[ "$(q $dst "$history")" = "$before_history" ] || fail "policy history differs after restore"
[ "$(q $dst "$policy")" = "$before_policy" ] || fail "policy differs after restore"
[ "$(q $dst "$data")" = "$before_data" ] || fail "user data differs after restore"
[ "$(q $dst "$members")" = "$before_members" ] || fail "members differ after restore"
[ "$(q $dst "$audit")" = "$before_audit" ] || fail "audit log differs after restore"
[ "$(q $dst "SELECT modelgov.required_bump('bias_update')")" = minor ] || fail "policy change lost"

# the audit chain verifies after restore, also against the digest kept
# before the dump
set -- $digest
[ "$(q $dst "SELECT ok FROM modelgov.verify_audit_log()")" = t ] || fail "audit chain broken after restore"
[ "$(q $dst "SELECT ok FROM modelgov.verify_audit_log($1, '$2')")" = t ] || fail "audit digest not matched after restore"
[ "$1" = 4 ] || fail "expected 4 audit entries, digest says $1"

# defaults are there once, changes once
[ "$(q $dst "SELECT count(*) FROM modelgov.bump_policy_history")" = 13 ] || fail "wrong number of policy rows"

# the sequence continues after the restored rows, and the chain after
# its restored head
q $dst "SELECT modelgov.set_bump_policy('performance_fix', 'minor')" >/dev/null
[ "$(q $dst "SELECT max(id) FROM modelgov.bump_policy_history")" = 14 ] || fail "policy sequence not restored"
got=$(q $dst "SELECT ok::text || entries FROM modelgov.verify_audit_log()")
[ "$got" = true5 ] || fail "chain does not continue after restore: $got"

# the primary key index on the semver column is valid after restore
q $dst "CREATE EXTENSION IF NOT EXISTS amcheck"
q $dst "SELECT bt_index_check('releases_pkey', true)" >/dev/null

echo "dump_restore: ok (13 policy rows, 1 member, 4 audit entries verified against the digest, 3 user rows)"
