#!/bin/bash
# CREATE EXTENSION modelgov refuses a schema modelgov that already holds
# objects or that other roles may create in, and an installer whose
# default privileges would apply to modelgov's objects: each would let
# another role plant code that modelgov's SECURITY DEFINER functions run
# with the installer's rights, or grant rights on modelgov's tables.  An
# empty schema that another role owns is taken over (a restore makes it
# before the extension, for the old owner); one the installer or another
# superuser made is accepted as it is.
#
# Runs against the cluster given by the PG* variables (pg_virtualenv).
set -euo pipefail
cd "$(dirname "$0")/../.."

db=modelgov_install_guards
tmp=$(mktemp)
cleanup() {
	rm -f "$tmp"
	dropdb --if-exists $db 2>/dev/null || true
	dropdb --if-exists ${db}_restored 2>/dev/null || true
	psql -X -q -c "DROP ROLE IF EXISTS mg_guard_owner, mg_guard_app" 2>/dev/null || true
}
trap cleanup EXIT
fail() { echo "install_guards: FAIL: $*" >&2; exit 1; }

# expect_refusal <what> <expected error> <statements...>: in a new database,
# run the statements, then CREATE EXTENSION modelgov, which must fail with
# the error and leave no extension behind
expect_refusal() {
	local what=$1 want=$2 out
	shift 2
	dropdb --if-exists $db 2>/dev/null
	createdb $db
	if out=$(psql -X -q -v ON_ERROR_STOP=1 -d $db "${@/#/-c}" -c "CREATE EXTENSION modelgov" 2>&1); then
		fail "$what: CREATE EXTENSION succeeded"
	fi
	case "$out" in
		*"$want"*) ;;
		*) fail "$what: expected \"$want\", got: $out" ;;
	esac
	[ -z "$(psql -X -q -At -d $db -c "SELECT 1 FROM pg_extension WHERE extname = 'modelgov'")" ] ||
		fail "$what: the extension was left installed"
	echo "  refused: $what"
}

cleanup
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE ROLE mg_guard_owner" -c "CREATE ROLE mg_guard_app"

expect_refusal "a schema modelgov that holds a collation" \
	"ERROR:  schema modelgov is not empty" \
	"CREATE SCHEMA modelgov" 'CREATE COLLATION modelgov.c2 FROM "C"'
expect_refusal "a schema modelgov another role may create in" \
	"ERROR:  other roles may create objects in schema modelgov: mg_guard_app" \
	"CREATE SCHEMA modelgov" "GRANT CREATE ON SCHEMA modelgov TO mg_guard_app"
expect_refusal "a schema modelgov PUBLIC may create in" \
	"ERROR:  other roles may create objects in schema modelgov: PUBLIC" \
	"CREATE SCHEMA modelgov" "GRANT CREATE ON SCHEMA modelgov TO PUBLIC"
expect_refusal "a schema modelgov that holds a function" \
	"ERROR:  schema modelgov is not empty" \
	"CREATE SCHEMA modelgov" \
	"CREATE FUNCTION modelgov.active_version(text) RETURNS int LANGUAGE sql AS 'SELECT 1'"
expect_refusal "a schema modelgov that holds a table" \
	"ERROR:  schema modelgov is not empty" \
	"CREATE SCHEMA modelgov" "CREATE TABLE modelgov.versions (x int)"
expect_refusal "default privileges on tables" \
	"ERROR:  role $(psql -X -q -At -c 'SELECT current_user') has default privileges that would apply to modelgov's objects" \
	"ALTER DEFAULT PRIVILEGES GRANT SELECT, INSERT ON TABLES TO mg_guard_app"
psql -X -q -c "ALTER DEFAULT PRIVILEGES REVOKE SELECT, INSERT ON TABLES FROM mg_guard_app"
expect_refusal "default privileges on functions" \
	"has default privileges that would apply to modelgov's objects" \
	"ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC"
psql -X -q -c "ALTER DEFAULT PRIVILEGES GRANT EXECUTE ON FUNCTIONS TO PUBLIC"
[ -z "$(psql -X -q -At -c "SELECT 1 FROM pg_default_acl")" ] || fail "default privileges were left behind"

# taken over: an empty schema modelgov that another role owns belongs to
# the installer afterwards, and that role may not create in it
dropdb --if-exists $db 2>/dev/null
createdb $db
out=$(psql -X -q -v ON_ERROR_STOP=1 -d $db -c "GRANT CREATE ON DATABASE $db TO mg_guard_owner" \
	-c "SET ROLE mg_guard_owner" -c "CREATE SCHEMA modelgov" -c "RESET ROLE" -c "CREATE EXTENSION modelgov" 2>&1) ||
	fail "an empty schema modelgov owned by another role was refused: $out"
case "$out" in
	*"WARNING:  schema modelgov belonged to role mg_guard_owner; it now belongs to role"*) ;;
	*) fail "taking over the schema said: $out" ;;
esac
[ "$(psql -X -q -At -d $db -c "SELECT nspowner::regrole = current_user::regrole FROM pg_namespace WHERE nspname = 'modelgov'")" = t ] ||
	fail "the schema modelgov was not taken over"
[ "$(psql -X -q -At -d $db -c "SELECT has_schema_privilege('mg_guard_owner', 'modelgov', 'CREATE')")" = f ] ||
	fail "its former owner may still create in the schema modelgov"
echo "  taken over: an empty schema modelgov owned by another role"

# a dump of a database whose extension owner is no longer a superuser
# restores (pg_dump makes the schema and gives it to that owner first),
# with both its models
dropdb $db
createdb $db
psql -X -q -v ON_ERROR_STOP=1 -d $db -c "ALTER ROLE mg_guard_owner SUPERUSER" -c "SET ROLE mg_guard_owner" \
	-c "CREATE EXTENSION modelgov" \
	-c "SELECT modelgov.init_model('{\"weights\": [0.3, 0.3, 0.2, 0.2], \"thresholds\": {\"auto\": 0.15, \"escalate\": 0.5}}')" \
	-c "SELECT modelgov.create_model('second', '{\"weights\": [0.25, 0.25], \"thresholds\": {\"auto\": 0.15, \"escalate\": 0.5}}')" \
	-c "RESET ROLE" -c "ALTER ROLE mg_guard_owner NOSUPERUSER" >/dev/null
dropdb --if-exists ${db}_restored 2>/dev/null
createdb ${db}_restored
pg_dump $db | psql -X -q -v ON_ERROR_STOP=1 -d ${db}_restored >/dev/null 2>"$tmp" ||
	{ cat "$tmp" >&2; fail "the dump of a database whose extension owner is not a superuser does not restore"; }
[ "$(psql -X -q -At -d ${db}_restored -c "SELECT modelgov.score('default', ARRAY[1, 1, 1, 1]) || ' ' || modelgov.score('second', ARRAY[1, 0])")" = "1 0.25" ] ||
	fail "the restored database does not score both models"
[ "$(psql -X -q -At -d ${db}_restored -c "SELECT ok FROM modelgov.verify_audit_log()")" = t ] ||
	fail "the restored audit log does not verify"
dropdb ${db}_restored
echo "  restored: the dump of a database with two models whose extension owner is no longer a superuser"

# accepted: an empty schema made by another superuser (as a restore does
# before CREATE EXTENSION) or by the installer, and no schema at all
dropdb --if-exists $db 2>/dev/null
createdb $db
psql -X -q -v ON_ERROR_STOP=1 -d $db -c "ALTER ROLE mg_guard_owner SUPERUSER" -c "SET ROLE mg_guard_owner" \
	-c "CREATE SCHEMA modelgov" -c "RESET ROLE" -c "CREATE EXTENSION modelgov" ||
	fail "an empty schema modelgov made by another superuser was refused"
dropdb $db
createdb $db
psql -X -q -v ON_ERROR_STOP=1 -d $db -c "CREATE SCHEMA modelgov" -c "CREATE EXTENSION modelgov" ||
	fail "an empty schema modelgov made by the installer was refused"
dropdb $db
createdb $db
psql -X -q -v ON_ERROR_STOP=1 -d $db -c "CREATE EXTENSION modelgov" || fail "a plain CREATE EXTENSION failed"
echo "install_guards: ok"
