#!/bin/bash
# verify_audit_log() (C, src/audit.c) and the SQL that appends entries
# (modelgov_internal.audit_canonical) hash the same bytes, in a UTF8 and in
# a LATIN1 database: entries with non-ASCII text verify, and a change of
# one accented letter is found.  Every entry is written in encoding 2,
# which covers the model the entry names: a changed model, or an entry
# passed off as encoding 1 (without the model), is found too.
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
	# a second model, whose entry has non-ASCII text beside its model
	q $db "SET client_encoding = 'UTF8'; SELECT modelgov.create_model('bistro', '{\"weights\": [0.5, 0.5], \"thresholds\": {\"auto\": 0.2, \"escalate\": 0.8}}', 'Crème brûlée, à la carte')" >/dev/null
	[ "$(q $db "SELECT string_agg(seq || ':' || encoding || ':' || COALESCE(model, '-'), ' ' ORDER BY seq) FROM modelgov.audit_log")" = \
		"1:2:- 2:2:- 3:2:default 4:2:bistro" ] || fail "$db: the entries are not the four expected, in encoding 2"
	# the C verification agrees with the SQL definition of every hash
	[ "$(q $db "SELECT count(*) FROM modelgov.audit_log a WHERE a.hash <> modelgov_internal.audit_hash(a)")" = 0 ] ||
		fail "$db: audit_hash disagrees with the stored hashes"
	got=$(q $db "SELECT ok || ' ' || entries || ' ' || detail FROM modelgov.verify_audit_log()")
	[ "$got" = "true 4 4 entries verified." ] || fail "$db: verify_audit_log() said: $got"
	# one accented letter changed is found, at its entry
	got=$(q $db "BEGIN; ALTER TABLE modelgov.audit_log DISABLE TRIGGER audit_log_append_only;
				 UPDATE modelgov.audit_log SET status = 'Angström' WHERE seq = 2;
				 SELECT ok || ' ' || first_bad_seq FROM modelgov.verify_audit_log(); ROLLBACK;" | tail -1)
	[ "$got" = "false 2" ] || fail "$db: a changed letter was not found: $got"
	# the model an entry names is covered by its hash, and so is its encoding
	for change in "model = 'default'" "model = NULL" "encoding = 1"; do
		got=$(q $db "BEGIN; ALTER TABLE modelgov.audit_log DISABLE TRIGGER audit_log_append_only;
					 UPDATE modelgov.audit_log SET $change WHERE seq = 4;
					 SELECT ok || ' ' || first_bad_seq FROM modelgov.verify_audit_log(); ROLLBACK;" | tail -1)
		[ "$got" = "false 4" ] || fail "$db: SET $change at entry 4 was not found: $got"
	done
	echo "  $db: the chain verifies; a changed letter, model or encoding is found at its entry"
done
# a model name too long to be one is cut on a character boundary in the
# message: the client receives valid UTF-8
msg=$(PGCLIENTENCODING=UTF8 psql -X -q -At -d modelgov_audit_utf8 \
	-c "SELECT modelgov.score('a' || repeat('é', 100), ARRAY[0.1, 0.1])" 2>&1 || true)
printf '%s' "$msg" | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1 ||
	fail "the message about a long multibyte model name is not valid UTF-8: $msg"
case "$msg" in
	*'ERROR:  model "aéééé'*'..." does not exist'*) ;;
	*) fail "a long multibyte model name gave: $msg" ;;
esac
echo "audit_encodings: ok"
