#!/bin/bash
# A governance call left in an open transaction holds the audit log.  The
# next one (another call, on other objects) waits for the log at most
# modelgov.lock_timeout, then fails with 55P03 and names the session that
# holds it; with the holder gone it goes through.
#
# Runs against the cluster given by the PG* variables (pg_virtualenv).
set -euo pipefail
cd "$(dirname "$0")/../.."

db=modelgov_audit_lock
holder=
cleanup() {
	[ -n "$holder" ] && kill "$holder" 2>/dev/null
	wait 2>/dev/null || true
	dropdb --if-exists $db 2>/dev/null || true
	psql -X -q -c "DROP ROLE IF EXISTS mg_lock_b" 2>/dev/null || true
}
trap cleanup EXIT
fail() { echo "audit_lock: FAIL: $*" >&2; exit 1; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d $db -c "$1"; }

cleanup
createdb $db
q "CREATE EXTENSION modelgov"
psql -X -q -c "DROP ROLE IF EXISTS mg_lock_b" -c "CREATE ROLE mg_lock_b" 2>/dev/null

# the holder: appends, then keeps its transaction open for 6 seconds
psql -X -q -At -d $db -c "BEGIN" -c "SELECT modelgov.set_bump_policy('bias_update', 'minor')" \
	-c "SELECT pg_sleep(6)" -c "ROLLBACK" >/dev/null 2>&1 &
holder=$!
for _ in $(seq 50); do
	pid=$(q "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = 'SELECT pg_sleep(6)'")
	[ -n "$pid" ] && break
	sleep 0.1
done
[ -n "$pid" ] || fail "the holding session did not start"

start=$(date +%s%N)
out=$(psql -X -q -At -d $db -v VERBOSITY=verbose -c "SET modelgov.lock_timeout = '500ms'" \
	-c "SELECT modelgov.add_member('mg_lock_b', 'b@company.com')" 2>&1 || true)
ms=$(( ($(date +%s%N) - start) / 1000000 ))
case "$out" in
	*"ERROR:  55P03: could not append to the audit log: another session holds it"*) ;;
	*) fail "the waiting call said: $out" ;;
esac
case "$out" in
	*"DETAIL:  Session $pid ("*"active"*"this call waited 500ms for it."*) ;;
	*) fail "the error does not name the holding session $pid: $out" ;;
esac
[ "$ms" -lt 4000 ] || fail "the waiting call took $ms ms with modelgov.lock_timeout = 500ms"
echo "$out" | sed -n "s/^/    /p" | head -4
echo "  a call that waited 500 ms for session $pid failed after $ms ms, naming it"

wait "$holder" || true
holder=
q "SELECT modelgov.add_member('mg_lock_b', 'b@company.com')" >/dev/null ||
	fail "with the holder gone the call does not go through"
[ "$(q "SELECT count(*) FROM modelgov.audit_log")" = 1 ] ||
	fail "the holder's entry should be gone and the new one there"
echo "audit_lock: ok"
