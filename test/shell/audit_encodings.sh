#!/bin/bash
# verify_audit_log() (C, src/audit.c) and the SQL that appends entries
# (modelgov_internal.audit_canonical) hash the same bytes, in a UTF8 and in
# a LATIN1 database: entries with non-ASCII text verify, and a change of
# one accented letter is found.
#
# Runs against the cluster given by the PG* variables (pg_virtualenv).
set -euo pipefail
cd "$(dirname "$0")/../.."

cleanup() {
	dropdb --if-exists modelgov_audit_utf8 2>/dev/null || true
	dropdb --if-exists modelgov_audit_latin1 2>/dev/null || true
}
trap cleanup EXIT
fail() { echo "audit_encodings: FAIL: $*" >&2; exit 1; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }

cleanup
createdb -E UTF8 -T template0 --locale=C modelgov_audit_utf8
createdb -E LATIN1 -T template0 --locale=C modelgov_audit_latin1
for db in modelgov_audit_utf8 modelgov_audit_latin1; do
	q $db "CREATE EXTENSION modelgov"
	q $db "SET client_encoding = 'UTF8'; SELECT modelgov_internal.audit('note', details => jsonb_build_object('note', 'café, crème brûlée'))" >/dev/null
	q $db "SELECT modelgov_internal.audit('note', status => 'Ångström', details => '{\"n\": 1}')" >/dev/null
	q $db "SELECT modelgov.init_model('{\"weights\": [0.5, 0.5], \"thresholds\": {\"auto\": 0.2, \"escalate\": 0.8}}')" >/dev/null
	# the C verification agrees with the SQL definition of every hash
	[ "$(q $db "SELECT count(*) FROM modelgov.audit_log a WHERE a.hash <> modelgov_internal.audit_hash(a)")" = 0 ] ||
		fail "$db: audit_hash disagrees with the stored hashes"
	got=$(q $db "SELECT ok || ' ' || entries || ' ' || detail FROM modelgov.verify_audit_log()")
	[ "$got" = "true 3 3 entries verified." ] || fail "$db: verify_audit_log() said: $got"
	# one accented letter changed is found, at its entry
	got=$(q $db "BEGIN; ALTER TABLE modelgov.audit_log DISABLE TRIGGER audit_log_append_only;
				 UPDATE modelgov.audit_log SET status = 'Angström' WHERE seq = 2;
				 SELECT ok || ' ' || first_bad_seq FROM modelgov.verify_audit_log(); ROLLBACK;" | tail -1)
	[ "$got" = "false 2" ] || fail "$db: a changed letter was not found: $got"
	echo "  $db: the chain verifies; a changed letter is found at its entry"
done
echo "audit_encodings: ok"
