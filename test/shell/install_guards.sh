#!/bin/bash
# CREATE EXTENSION modelgov refuses a schema modelgov that someone else
# owns or may create in, one that already holds objects, and an installer
# whose default privileges would apply to modelgov's objects: each would
# let another role plant code that modelgov's SECURITY DEFINER functions
# run with the installer's rights, or grant rights on modelgov's tables.
# An empty schema the installer made is accepted.
#
# Runs against the cluster given by the PG* variables (pg_virtualenv).
set -euo pipefail
cd "$(dirname "$0")/../.."

db=modelgov_install_guards
cleanup() {
	dropdb --if-exists $db 2>/dev/null || true
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

expect_refusal "a schema modelgov owned by another role" \
	"ERROR:  schema modelgov belongs to role mg_guard_owner, not to the role installing modelgov nor to a superuser" \
	"GRANT CREATE ON DATABASE $db TO mg_guard_owner" \
	"SET ROLE mg_guard_owner" "CREATE SCHEMA modelgov" "RESET ROLE"
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
