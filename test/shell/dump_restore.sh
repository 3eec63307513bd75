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
trap 'rm -f "$dump"; dropdb --if-exists $src 2>/dev/null; dropdb --if-exists $dst 2>/dev/null' EXIT

q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
fail() { echo "dump_restore: FAIL: $*" >&2; exit 1; }

dropdb --if-exists $src 2>/dev/null
dropdb --if-exists $dst 2>/dev/null
createdb $src
q $src "CREATE EXTENSION modelgov"
q $src "SELECT modelgov.set_bump_policy('bias_update', 'minor')" >/dev/null
q $src "SELECT modelgov.set_bump_policy('bug_fix', 'minor')" >/dev/null
q $src "SELECT modelgov.set_bump_policy('bug_fix', 'patch')" >/dev/null
q $src "CREATE TABLE releases (v modelgov.semver PRIMARY KEY, wants modelgov.semverrange)"
q $src "INSERT INTO releases VALUES ('1.0.0-rc.1+b.7', modelgov.semver_caret('1.0.0')),
		('1.0.0', NULL), ('0.9.12-1a.01b', modelgov.semver_tilde('0.9.0'))"

history="SELECT id, change_type, bump, set_at, set_by FROM modelgov.bump_policy_history ORDER BY id"
policy="SELECT change_type, bump, is_default FROM modelgov.bump_policy ORDER BY change_type"
data="SELECT v::text, wants FROM releases ORDER BY v"

before_history=$(q $src "$history")
before_policy=$(q $src "$policy")
before_data=$(q $src "$data")

pg_dump -Fc -d $src -f "$dump"
createdb $dst
pg_restore --exit-on-error -d $dst "$dump"

[ "$(q $dst "$history")" = "$before_history" ] || fail "policy history differs after restore"
[ "$(q $dst "$policy")" = "$before_policy" ] || fail "policy differs after restore"
[ "$(q $dst "$data")" = "$before_data" ] || fail "user data differs after restore"
[ "$(q $dst "SELECT modelgov.required_bump('bias_update')")" = minor ] || fail "policy change lost"

# defaults are there once, changes once
[ "$(q $dst "SELECT count(*) FROM modelgov.bump_policy_history")" = 13 ] || fail "wrong number of policy rows"

# the sequence continues after the restored rows
q $dst "SELECT modelgov.set_bump_policy('performance_fix', 'minor')" >/dev/null
[ "$(q $dst "SELECT max(id) FROM modelgov.bump_policy_history")" = 14 ] || fail "policy sequence not restored"

# the primary key index on the semver column is valid after restore
q $dst "CREATE EXTENSION IF NOT EXISTS amcheck"
q $dst "SELECT bt_index_check('releases_pkey', true)" >/dev/null

echo "dump_restore: ok (13 policy rows, 3 user rows, sequence and index intact)"
