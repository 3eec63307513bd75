#!/bin/bash
# ALTER EXTENSION modelgov UPDATE from 0.1.0 keeps every row, keeps the
# audit chain verifiable (also against a digest kept before the update),
# and leaves the same schema as a fresh install of the default version.
#
#   A  CREATE EXTENSION modelgov VERSION '0.1.0', the 0.1.0 seed story
#      (test/upgrade/seed_story_0.1.0.sql, a frozen copy of
#      scripts/seed_story.sql as 0.1.0 ran it), then ALTER EXTENSION UPDATE
#   B  CREATE EXTENSION modelgov (the default version); after its
#      description is taken, the negative controls run there
#
# The schemas are compared with test/upgrade/describe.sql, one line per
# fact of every object that belongs to the extension; a difference prints
# the differing objects and the unified diff of their lines.  Grants the
# story made to its own roles are left out of the comparison.  The
# negative controls make one small change of each kind to B, one at a time
# in a rolled-back transaction, and require the description to change at
# the object changed, so that a description that sees nothing cannot pass.
#
# C is a 0.1.0 database whose active version 0.1.0 let through but could
# not compile (1,001 safety rules): its update is refused, with the reason.
# D is a 0.1.0 database whose owner is no longer a superuser, with grants
# through a grant option and to PUBLIC: the update keeps the grants on the
# API, takes every grant on the internals away, and leaves what it creates
# to the extension's owner.  E holds such a version superseded: the update
# goes on, and scoring it or rolling back to it is a clear 55000.
#
# Runs against the cluster given by the PG* variables (pg_virtualenv).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

a=modelgov_upgrade_a
b=modelgov_upgrade_b
c=modelgov_upgrade_c
d=modelgov_upgrade_d
e=modelgov_upgrade_e
story=test/upgrade/seed_story_0.1.0.sql
describe=test/upgrade/describe.sql
story_roles="alice, bob, carol, charlie, diana, eve, ops"
# the role the story adds when it goes on after the update
cont_role=frank
work=$(mktemp -d)

cleanup() {
	dropdb --if-exists $a 2>/dev/null || true
	dropdb --if-exists $b 2>/dev/null || true
	dropdb --if-exists $c 2>/dev/null || true
	dropdb --if-exists $d 2>/dev/null || true
	dropdb --if-exists $e 2>/dev/null || true
	psql -X -q -c "DROP ROLE IF EXISTS mg_up_owner, mg_up_lead, mg_up_intern, mg_up_gone" 2>/dev/null || true
	dropdb --if-exists $e 2>/dev/null || true
	psql -X -q -c "DROP ROLE IF EXISTS mg_up_prop" 2>/dev/null || true
	psql -X -q -c "DROP ROLE IF EXISTS $story_roles, $cont_role" 2>/dev/null || true
}
trap 'cleanup; rm -rf "$work"' EXIT

q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
fail() { echo "upgrade: FAIL: $*" >&2; exit 1; }

# the description of the extension in a database; the story's roles'
# own grants are not the extension's
describe_db() {
	psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" \
		-c "SET describe.ignore_grantees = '${story_roles// /},$cont_role'" -f "$describe"
}

# the tables that belong to the extension: "oid|name|column, column, ..."
ext_tables() {
	q "$1" "SELECT c.oid || '|' || c.oid::regclass::text || '|'
				   || string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
			  FROM pg_depend d
			  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'modelgov'
			  JOIN pg_class c ON c.oid = d.objid AND c.relkind IN ('r', 'p')
			  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
			 WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_extension'::regclass
			   AND d.deptype = 'e'
			 GROUP BY c.oid ORDER BY 1"
}

# "table rows md5" for each table of $work/tables, over the columns listed
# there (the columns before the update), the rows' text in C order; a
# table is found by its OID (it may have moved schema), else by its name
fingerprints() {
	local db=$1 sql="" sep="" oid name cols rel
	local -A now=()
	while IFS='|' read -r oid rel; do
		now[$oid]=$rel
	done < <(q "$db" "SELECT oid || '|' || oid::regclass::text FROM pg_class
					   WHERE oid = ANY ('{$(cut -d'|' -f1 "$work/tables" | paste -sd,)}')")
	while IFS='|' read -r oid name cols; do
		rel=${now[$oid]:-$name}
		sql+="$sep SELECT '$name' AS t, count(*) AS n,
				   md5(coalesce(string_agg(r, E'\n' ORDER BY r COLLATE \"C\"), '')) AS h
			  FROM (SELECT ROW($cols)::text AS r FROM $rel) s"
		sep=" UNION ALL"
	done < "$work/tables"
	q "$db" "SELECT t || ' ' || n || ' ' || h FROM ($sql) f ORDER BY t"
}

cleanup
[ "$(psql -X -q -At -c "SELECT count(*) FROM pg_roles WHERE rolname = ANY ('{${story_roles// /}}')")" = 0 ] ||
	fail "the story's roles ($story_roles) exist and could not be dropped"

# --- F: the 0.1.0 story, unchanged, on a fresh install of this version ---
# Every call of the 0.1.0 story (the calls its documentation shows) works
# as it did while the database holds one model: the same output, the same
# refusals, but for the wording of the one message that names duties.
f=modelgov_upgrade_f
dropdb --if-exists $f 2>/dev/null
createdb $f
q $f "CREATE EXTENSION modelgov"
PGTZ=UTC psql -X -q -d $f -f $story >"$work/story_fresh.out" 2>"$work/story_fresh.err" ||
	fail "the 0.1.0 story did not run on a fresh install"
q $f "DROP OWNED BY ${story_roles// /} CASCADE"
dropdb $f
psql -X -q -c "DROP ROLE $story_roles"

# --- A: 0.1.0 and its story ----------------------------------------------
createdb $a
q $a "CREATE EXTENSION modelgov VERSION '0.1.0'"
# the story refuses seven steps on purpose (psql goes on after them)
PGTZ=UTC psql -X -q -d $a -f $story >"$work/story.out" 2>"$work/story.err" || fail "the story did not run"
# the one difference in results: review and approve return where the
# proposal stands instead of an empty box (test/upgrade/story_0.1.0_fresh.diff)
diff "$work/story.out" "$work/story_fresh.out" >"$work/story_out.diff" || true
diff -u test/upgrade/story_0.1.0_fresh.diff "$work/story_out.diff" >&2 ||
	fail "the 0.1.0 story prints other results on a fresh install of $(q postgres "SELECT default_version FROM pg_available_extensions WHERE name = 'modelgov'") than test/upgrade/story_0.1.0_fresh.diff says"

diff "$work/story.err" "$work/story_fresh.err" >"$work/story_err.diff" || true
cat >"$work/story_err.expected" <<'EOF'
7,8c7,8
< DETAIL:  Member charlie (charlie@company.com) does not hold the product_manager role.
< HINT:  An administrator grants roles with modelgov.add_member().
---
> DETAIL:  Member charlie (charlie@company.com) does not hold the product_manager duty for model default.
> HINT:  An administrator grants duties with modelgov.grant_duty().
17a18,20
> HINT:  Attest what people check with modelgov.attest(); modelgov.release_checklist() shows the evidence the database found for the others.
> psql:test/upgrade/seed_story_0.1.0.sql:165: ERROR:  cannot release version 1.0.1: the release checklist is incomplete
> DETAIL:  These checklist items are missing: code_reviewed.
EOF
# and, from 0.2.0, "code reviewed by 2+ engineers" needs two members other
# than the proposer: the story's one attestation (by eve) leaves 1.0.1
# unreleased on a fresh install
diff -u "$work/story_err.expected" "$work/story_err.diff" >&2 ||
	fail "the 0.1.0 story's errors differ on a fresh install beyond the wording about duties and the two code reviewers"
errors=$(grep -c ': ERROR: ' "$work/story.err" || true)
if [ "$errors" != 7 ] || [ "$(q $a "SELECT modelgov.active_version()")" != 1.0.0 ]; then
	cat "$work/story.err" >&2
	fail "the 0.1.0 story did not run as it does in 0.1.0 ($errors errors, 7 expected)"
fi

ext_tables $a >"$work/tables"
ntables=$(wc -l <"$work/tables")
[ "$ntables" -ge 14 ] || fail "only $ntables tables belong to the extension in 0.1.0"
fingerprints $a >"$work/rows.before"
rows=$(awk '{ s += $2 } END { print s }' "$work/rows.before")
read -r digest_seq digest_hash < <(q $a "SELECT seq || ' ' || hash FROM modelgov.audit_digest()")
[ "$digest_seq" = 51 ] || fail "expected 51 audit entries after the story, the digest says $digest_seq"

# --- the update ------------------------------------------------------------
default=$(q $a "SELECT default_version FROM pg_available_extensions WHERE name = 'modelgov'")
if [ -z "$default" ] || [ "$default" = 0.1.0 ]; then
	fail "the default version is '$default': there is nothing to update to"
fi
q $a "ALTER EXTENSION modelgov UPDATE" || fail "ALTER EXTENSION modelgov UPDATE failed"
got=$(q $a "SELECT extversion FROM pg_extension WHERE extname = 'modelgov'")
[ "$got" = "$default" ] || fail "after the update the extension is at $got, the control file's default_version is $default"

# (a) every row is still there, the chain verifies, also against the digest
fingerprints $a >"$work/rows.after" || fail "could not read the tables' rows over their 0.1.0 columns after the update"
if ! diff -u --label "rows before the update" --label "rows after the update" \
		"$work/rows.before" "$work/rows.after" >"$work/rows.diff"; then
	cat "$work/rows.diff" >&2
	fail "the update changed rows (table, row count, md5 of the rows over the 0.1.0 columns)"
fi
[ "$(q $a "SELECT ok FROM modelgov.verify_audit_log()")" = t ] || fail "the audit chain does not verify after the update"
[ "$(q $a "SELECT ok FROM modelgov.verify_audit_log($digest_seq, '$digest_hash')")" = t ] ||
	fail "the audit log does not verify against the digest kept before the update ($digest_seq $digest_hash)"
[ "$(q $a "SELECT modelgov.active_version()")" = 1.0.0 ] || fail "the active version changed in the update"
added=$(ext_tables $a | cut -d'|' -f2 | grep -vxF -f <(cut -d'|' -f2 "$work/tables") || true)

# (a') the story goes on with the named calls: a second model, a change to
# each, and the chain still verifies against the digest of before
PGTZ=UTC psql -X -q -d $a -f test/upgrade/story_continued.sql >"$work/continued.out" 2>&1 || {
	cat "$work/continued.out" >&2
	fail "the story could not go on after the update"
}
[ "$(q $a "SELECT string_agg(model || ' ' || production_version, ', ' ORDER BY model) FROM modelgov.inventory")" = \
	"default 1.0.2, refunds 1.0.1" ] || fail "after the story went on, the inventory is not default 1.0.2, refunds 1.0.1"
[ "$(q $a "SELECT ok FROM modelgov.verify_audit_log($digest_seq, '$digest_hash')")" = t ] ||
	fail "after the story went on, the audit log does not verify against the digest kept before the update"
[ "$(q $a "SELECT count(*) FILTER (WHERE encoding = 1 AND seq <= $digest_seq) || ' ' || count(*) FILTER (WHERE encoding = 2 AND seq > $digest_seq)
			   || ' ' || count(*) FILTER (WHERE model = 'refunds') FROM modelgov.audit_log")" = "$digest_seq 23 12" ] ||
	fail "the audit entries of before the update are not encoding 1, those after not encoding 2 naming their model"
# the hash of an entry of encoding 1 does not cover its model: the check
# holds it to the one the update gave it, and encoding 1 to the entries
# before the first of encoding 2 (each change in a transaction rolled back)
tampered() {
	psql -X -q -At -v ON_ERROR_STOP=1 -d $a <<SQL
BEGIN;
ALTER TABLE modelgov.audit_log DISABLE TRIGGER audit_log_append_only;
$1;
SELECT ok || ' ' || first_bad_seq FROM modelgov.verify_audit_log();
ROLLBACK;
SQL
}
[ "$(tampered "UPDATE modelgov.audit_log SET model = 'refunds' WHERE seq = 10")" = "false 10" ] ||
	fail "a 0.1.0 entry moved to another model goes unnoticed"
[ "$(tampered "UPDATE modelgov.audit_log SET model = NULL WHERE seq = 10")" = "false 10" ] ||
	fail "a 0.1.0 entry taken from its model goes unnoticed"
[ "$(tampered "UPDATE modelgov.audit_log SET model = 'default' WHERE seq = 1")" = "false 1" ] ||
	fail "a 0.1.0 membership entry given a model goes unnoticed"

# the story granted EXECUTE on every function of modelgov to its roles,
# the 0.1.0 internals included: none of that may follow them into
# modelgov_internal (the description below leaves the story's grants out)
leaked=$(q $a "SELECT string_agg(p.oid::regprocedure || ' to ' || pg_get_userbyid(x.grantee), ', ')
				 FROM pg_proc p, aclexplode(p.proacl) x
				WHERE p.pronamespace = 'modelgov_internal'::regnamespace
				  AND x.grantee <> p.proowner")
[ -z "$leaked" ] || fail "after the update, internal functions are still granted: $leaked"

# (b) the updated schema is the schema of a fresh install
createdb $b
q $b "CREATE EXTENSION modelgov"
[ "$(q $b "SELECT extversion FROM pg_extension WHERE extname = 'modelgov'")" = "$default" ] ||
	fail "a fresh CREATE EXTENSION does not install the default version $default"
describe_db $a >"$work/updated.txt"
describe_db $b >"$work/fresh.txt"

# the description is not trivial: it details as many objects as 0.1.0 has
# (one line per object: its owner, language, start, ...)
count() { grep -c "^$1 .*: $2 = " "$work/fresh.txt" || true; }
for want in "function 100 $(($(count function language) + $(count aggregate language) + $(count procedure language)))" \
		"table 14 $(count table owner)" "view 4 $(count view owner)" "sequence 4 $(count sequence start)" \
		"type 8 $(count type 'type kind')" "operator 6 $(count operator result)" \
		"operator-class 2 $(count 'operator class' 'input type')" "cast 3 $(count cast context)"; do
	read -r kind least found <<<"$want"
	[ "$found" -ge "$least" ] || fail "the description details $found ${kind}s, at least $least expected"
done
for t in $(ext_tables $b | cut -d'|' -f2); do
	if ! grep -q "^table $t: owner = " "$work/fresh.txt" || ! grep -q "^column $t\.[^:]*: type = " "$work/fresh.txt"; then
		fail "the description misses the table $t or its columns"
	fi
done
if grep ': not described in detail' "$work/fresh.txt" >&2; then
	fail "test/upgrade/describe.sql does not describe these members: extend it"
fi

if ! diff -u --label "fresh install of $default" --label "updated from 0.1.0" \
		"$work/fresh.txt" "$work/updated.txt" >"$work/schema.diff"; then
	{
		echo "objects that differ between a fresh install of $default and 0.1.0 updated to it:"
		sed -n 's/^[-+]\([^-+][^:]*\).*/\1/p' "$work/schema.diff" | sort -u | sed 's/^/  /'
		echo
		cat "$work/schema.diff"
	} >&2
	fail "the updated schema differs from a fresh install (see above: - fresh, + updated)"
fi

# --- negative controls -------------------------------------------------------
# One change of each kind to the fresh install B, each rolled back: the
# description must change, at the object changed.  Prints "<case> <object>"
# per case; the object is what the differing lines must name.
(cd "$work" && psql -X -q -At -v ON_ERROR_STOP=1 -v describe="$root/$describe" -d $b) >"$work/controls" <<'EOF'
CREATE TEMP VIEW members AS
SELECT d.classid, d.objid FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
 WHERE e.extname = 'modelgov' AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e';
CREATE TEMP VIEW member_functions AS
SELECT p.oid, p.oid::regprocedure::text COLLATE "C" AS fn FROM pg_proc p JOIN members m ON m.objid = p.oid
 WHERE m.classid = 'pg_proc'::regclass AND p.prokind = 'f';
CREATE TEMP VIEW member_tables AS
SELECT c.oid, c.oid::regclass::text COLLATE "C" AS tbl FROM pg_class c JOIN members m ON m.objid = c.oid
 WHERE m.classid = 'pg_class'::regclass AND c.relkind = 'r';
\o base.txt
\i :describe
\o

-- a function body: one comment line more
BEGIN;
SELECT f.fn AS target FROM member_functions f JOIN pg_proc p ON p.oid = f.oid
 WHERE p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'plpgsql') ORDER BY 1 LIMIT 1 \gset
SELECT regexp_replace(pg_get_functiondef(:'target'::regprocedure), '\$function\$',
					  '$function$-- negative control' || chr(10)) \gexec
\o function_body.txt
\i :describe
\o
ROLLBACK;
\echo function_body :target

-- a function's settings (proconfig)
BEGIN;
SELECT f.fn AS target FROM member_functions f JOIN pg_proc p ON p.oid = f.oid
 WHERE p.proconfig IS NOT NULL ORDER BY 1 DESC LIMIT 1 \gset
ALTER FUNCTION :target SET work_mem = '64kB';
\o function_config.txt
\i :describe
\o
ROLLBACK;
\echo function_config :target

-- a function's privileges
BEGIN;
SELECT fn AS target FROM member_functions ORDER BY 1 LIMIT 1 OFFSET 3 \gset
GRANT EXECUTE ON FUNCTION :target TO pg_monitor;
\o function_acl.txt
\i :describe
\o
ROLLBACK;
\echo function_acl :target

-- a function leaves the extension
BEGIN;
SELECT fn AS target FROM member_functions ORDER BY 1 DESC LIMIT 1 \gset
ALTER EXTENSION modelgov DROP FUNCTION :target;
\o membership.txt
\i :describe
\o
ROLLBACK;
\echo membership :target

-- a column's comment
BEGIN;
SELECT t.tbl || '.' || quote_ident(a.attname) AS target
  FROM member_tables t JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = 1
 ORDER BY 1 LIMIT 1 \gset
COMMENT ON COLUMN :target IS 'negative control';
\o column_comment.txt
\i :describe
\o
ROLLBACK;
\echo column_comment :target

-- a column's default
BEGIN;
SELECT t.tbl, quote_ident(a.attname) AS col, t.tbl || '.' || quote_ident(a.attname) AS target
  FROM member_tables t JOIN pg_attribute a ON a.attrelid = t.oid AND a.atthasdef
 ORDER BY 3 LIMIT 1 \gset
ALTER TABLE :tbl ALTER COLUMN :col DROP DEFAULT;
\o column_default.txt
\i :describe
\o
ROLLBACK;
\echo column_default :target

-- a trigger's enabled state (ALWAYS -> REPLICA)
BEGIN;
SELECT t.tbl AS target, quote_ident(g.tgname) COLLATE "C" AS trg
  FROM member_tables t JOIN pg_trigger g ON g.tgrelid = t.oid AND NOT g.tgisinternal
 ORDER BY 1, 2 LIMIT 1 \gset
ALTER TABLE :target ENABLE REPLICA TRIGGER :trg;
\o trigger_enabled.txt
\i :describe
\o
ROLLBACK;
\echo trigger_enabled :target

-- a constraint
BEGIN;
SELECT tbl AS target FROM member_tables ORDER BY 1 DESC LIMIT 1 \gset
ALTER TABLE :target ADD CONSTRAINT negative_control CHECK (true) NOT VALID;
\o constraint.txt
\i :describe
\o
ROLLBACK;
\echo constraint :target

-- row level security
BEGIN;
SELECT t.tbl AS target FROM member_tables t JOIN pg_class c ON c.oid = t.oid
 WHERE NOT c.relrowsecurity ORDER BY 1 LIMIT 1 \gset
ALTER TABLE :target ENABLE ROW LEVEL SECURITY;
\o row_security.txt
\i :describe
\o
ROLLBACK;
\echo row_security :target

-- a sequence's increment
BEGIN;
SELECT c.oid::regclass::text COLLATE "C" AS target FROM pg_class c JOIN members m ON m.objid = c.oid
 WHERE m.classid = 'pg_class'::regclass AND c.relkind = 'S' ORDER BY 1 LIMIT 1 \gset
ALTER SEQUENCE :target INCREMENT BY 7;
\o sequence.txt
\i :describe
\o
ROLLBACK;
\echo sequence :target

-- a view's options
BEGIN;
SELECT c.oid::regclass::text COLLATE "C" AS target FROM pg_class c JOIN members m ON m.objid = c.oid
 WHERE m.classid = 'pg_class'::regclass AND c.relkind = 'v' AND c.reloptions IS NULL
 ORDER BY 1 LIMIT 1 \gset
ALTER VIEW :target SET (security_barrier = true);
\o view_options.txt
\i :describe
\o
ROLLBACK;
\echo view_options :target

-- an enum label
BEGIN;
SELECT t.oid::regtype::text COLLATE "C" AS target FROM pg_type t JOIN members m ON m.objid = t.oid
 WHERE m.classid = 'pg_type'::regclass AND t.typtype = 'e' ORDER BY 1 LIMIT 1 \gset
ALTER TYPE :target ADD VALUE 'negative_control';
\o enum_label.txt
\i :describe
\o
ROLLBACK;
\echo enum_label :target

-- an operator's estimators
BEGIN;
SELECT o.oid::regoperator::text COLLATE "C" AS target FROM pg_operator o JOIN members m ON m.objid = o.oid
 WHERE m.classid = 'pg_operator'::regclass AND o.oprrest <> 0 ORDER BY 1 LIMIT 1 \gset
ALTER OPERATOR :target SET (RESTRICT = NONE, JOIN = NONE);
\o operator.txt
\i :describe
\o
ROLLBACK;
\echo operator :target

-- what pg_dump dumps of a configuration table
BEGIN;
SELECT e.extconfig[1]::regclass::text AS target FROM pg_extension e WHERE e.extname = 'modelgov' \gset
UPDATE pg_extension SET extcondition[1] = 'WHERE false' WHERE extname = 'modelgov';
\o config_dump.txt
\i :describe
\o
ROLLBACK;
\echo config_dump :target
EOF

# the description before the controls is the one taken of B
diff -u "$work/fresh.txt" "$work/base.txt" >&2 ||
	fail "B's description changed between two runs: the description is not deterministic"
ncontrols=0
while read -r name target; do
	changed=$(diff "$work/base.txt" "$work/$name.txt" | grep '^[<>]' || true)
	n=$(printf '%s' "$changed" | grep -c . || true)
	[ "$n" -gt 0 ] || fail "negative control $name ($target): the description did not change"
	printf '%s\n' "$changed" | grep -qF -- "$target" ||
		{ printf '%s\n' "$changed" >&2; fail "negative control $name ($target): the changed lines do not name it"; }
	echo "  negative control $name ($target): $n lines differ"
	ncontrols=$((ncontrols + 1))
done <"$work/controls"
[ "$ncontrols" = 14 ] || fail "only $ncontrols of the 14 negative controls ran"

# C: 0.1.0 let through configurations its own compiler refused; a
# database whose active version is one of them is not updated, and says why
createdb $c
q $c "CREATE EXTENSION modelgov VERSION '0.1.0'"
q $c "SELECT modelgov.init_model(jsonb_build_object(
		'weights', '[0.3, 0.3, 0.2, 0.2]'::jsonb, 'thresholds', '{\"auto\": 0.15, \"escalate\": 0.5}'::jsonb,
		'safety_rules', (SELECT jsonb_agg(jsonb_build_object('name', 'r' || i, 'feature', 'f1', 'op', '>=',
														   'value', 0.99, 'decision', 'ASK'))
						   FROM generate_series(1, 1001) i)))" >/dev/null
if out=$(q $c "ALTER EXTENSION modelgov UPDATE" 2>&1); then
	fail "a database whose active version cannot be compiled was updated"
fi
case "$out" in
	*"cannot update modelgov to 0.2.0: version 1.0.0 (active) cannot be compiled"*) ;;
	*) fail "the refused update said: $out" ;;
esac
[ "$(q $c "SELECT extversion FROM pg_extension WHERE extname = 'modelgov'")" = 0.1.0 ] ||
	fail "the refused update left the extension at another version"

# D: the extension's owner is no longer a superuser, and the
# administrator's grants went through a grant option and to PUBLIC.  A
# superuser's update leaves what it creates to the owner, keeps every grant
# on the API, and takes every grant on the internals away.
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE ROLE mg_up_owner SUPERUSER" -c "CREATE ROLE mg_up_lead" \
	-c "CREATE ROLE mg_up_intern" -c "CREATE ROLE mg_up_gone"
createdb $d
psql -X -q -v ON_ERROR_STOP=1 -d $d >/dev/null <<'SQL'
SET ROLE mg_up_owner;
CREATE EXTENSION modelgov VERSION '0.1.0';
SELECT modelgov.init_model('{"weights": [0.3, 0.3, 0.2, 0.2], "thresholds": {"auto": 0.15, "escalate": 0.5}}');
SELECT modelgov.add_member('mg_up_lead', 'lead@company.com', '{deployer}');
SELECT modelgov.add_member('mg_up_gone', 'gone@company.com', '{deployer}');
GRANT USAGE ON SCHEMA modelgov TO mg_up_lead;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA modelgov TO mg_up_lead WITH GRANT OPTION;
SET ROLE mg_up_lead;
GRANT EXECUTE ON FUNCTION modelgov._actor(), modelgov._audit(text, modelgov.semver, text, modelgov.change_type, text, jsonb)
	TO mg_up_intern;
SET ROLE mg_up_owner;
GRANT EXECUTE ON FUNCTION modelgov.propose(modelgov.change_type, text, jsonb, jsonb, text, text) TO PUBLIC;
-- the history only for the lead (the update makes the view again)
REVOKE SELECT ON modelgov.version_history FROM PUBLIC;
GRANT SELECT ON modelgov.version_history TO mg_up_lead;
RESET ROLE;
ALTER ROLE mg_up_owner NOSUPERUSER;
DROP ROLE mg_up_gone;
SQL
q $d "ALTER EXTENSION modelgov UPDATE" || fail "D: the update failed"
# memberships are bound to their roles; one whose role was dropped before
# the update is stale, and removable
[ "$(q $d "SELECT string_agg(role_name || '=' || role_id::text, ' ' ORDER BY role_name) FROM modelgov.members")" = \
	"mg_up_gone=- mg_up_lead=mg_up_lead" ] || fail "D: members.role_id is not the member's role (or 0 for a dropped one)"
[ "$(q $d "SELECT string_agg(s, ' ') FROM modelgov.remove_stale_members() s")" = mg_up_gone ] ||
	fail "D: remove_stale_members() does not remove exactly the membership of the dropped role"
[ "$(q $d "SELECT nspowner::regrole FROM pg_namespace WHERE nspname = 'modelgov_internal'")" = mg_up_owner ] ||
	fail "D: modelgov_internal does not belong to the extension's owner"
others=$(q $d "SELECT string_agg(p.oid::regprocedure::text, ', ') FROM pg_proc p
				WHERE p.pronamespace IN ('modelgov'::regnamespace, 'modelgov_internal'::regnamespace)
				  AND p.proowner <> 'mg_up_owner'::regrole")
[ -z "$others" ] || fail "D: functions that do not belong to the extension's owner: $others"
others=$(q $d "SELECT string_agg(c.oid::regclass::text, ', ') FROM pg_class c
				WHERE c.relnamespace = ANY ('{modelgov,modelgov_internal}'::regnamespace[])
				  AND c.relkind IN ('r', 'v', 'S') AND c.relowner <> 'mg_up_owner'::regrole")
[ -z "$others" ] || fail "D: tables, views or sequences that do not belong to the extension's owner: $others"
[ "$(q $d "SELECT has_table_privilege('mg_up_lead', 'modelgov.version_history', 'SELECT')
			   || ' ' || has_table_privilege('mg_up_intern', 'modelgov.version_history', 'SELECT')
			   || ' ' || has_table_privilege('mg_up_intern', 'modelgov.metrics', 'SELECT')")" = "true false true" ] ||
	fail "D: the update lost what was granted and revoked on version_history, which it makes again"
q $d "SELECT modelgov.create_model('second', '{\"weights\": [1], \"thresholds\": {\"auto\": 0.2, \"escalate\": 0.5}}')" >/dev/null ||
	fail "D: create_model fails after the update"
q $d "SELECT modelgov.add_member('mg_up_intern', 'intern@company.com')" >/dev/null ||
	fail "D: a governance call fails after the update"
[ "$(q $d "SELECT has_function_privilege('mg_up_intern',
			'modelgov.propose(modelgov.change_type, text, jsonb, jsonb, text, text)', 'EXECUTE')")" = t ] ||
	fail "D: the update took away EXECUTE that PUBLIC was granted on propose"
[ "$(q $d "SELECT has_function_privilege('mg_up_lead', 'modelgov.deploy(text, text)', 'EXECUTE')")" = t ] ||
	fail "D: the update took away the lead's EXECUTE on deploy"
# review, approve, reject and withdraw are made again (they return text
# now): what was granted on them stays
[ "$(q $d "SELECT string_agg(has_function_privilege('mg_up_lead', f, 'EXECUTE')::text
							 || has_function_privilege('mg_up_intern', f, 'EXECUTE')::text, ' ')
			 FROM unnest(ARRAY['modelgov.review(text, jsonb, boolean, text)', 'modelgov.approve(text, text, timestamptz)',
							   'modelgov.reject(text, text)', 'modelgov.withdraw(text, text)']) f")" = \
	"truefalse truefalse truefalse truefalse" ] ||
	fail "D: the update lost what was granted on review, approve, reject or withdraw, which it makes again"
leaked=$(q $d "SELECT string_agg(p.oid::regprocedure || ' to ' || pg_get_userbyid(x.grantee), ', ')
				 FROM pg_proc p, aclexplode(p.proacl) x
				WHERE p.pronamespace = 'modelgov_internal'::regnamespace AND x.grantee <> p.proowner")
[ -z "$leaked" ] || fail "D: internal functions are still granted: $leaked"

# E: such a version, no longer staged or active, does not stop the update;
# scoring it or rolling back to it says why it cannot, with a SQLSTATE
createdb $e
psql -X -q -v ON_ERROR_STOP=1 -d $e >/dev/null <<'SQL'
CREATE EXTENSION modelgov VERSION '0.1.0';
SELECT modelgov.init_model('{"weights": [0.3, 0.20000000000000001110, 0.2, 0.3],
							 "thresholds": {"auto": 0.15, "escalate": 0.5}}');
INSERT INTO modelgov.versions (version, config, created_at, released_at, status)
SELECT '0.9.0', modelgov._normalize_config(jsonb_build_object(
		   'weights', '[0.3, 0.3, 0.2, 0.2]'::jsonb, 'thresholds', '{"auto": 0.15, "escalate": 0.5}'::jsonb,
		   'safety_rules', (SELECT jsonb_agg(jsonb_build_object('name', 'r' || i, 'feature', 'f1', 'op', '>=',
																 'value', 0.99, 'decision', 'ASK'))
							  FROM generate_series(1, 1001) i))),
	   now(), now(), 'superseded';
SQL
q $e "ALTER EXTENSION modelgov UPDATE" || fail "E: an uncompilable superseded version stopped the update"
err() { psql -X -q -At -d $e -v VERBOSITY=sqlstate -c "$1" 2>&1 || true; }
out=$(psql -X -q -At -d $e -c "SELECT modelgov.score('0.9.0'::modelgov.semver, ARRAY[0.1, 0.1, 0.1, 0.1])" 2>&1 || true)
case "$out" in
	*"version 0.9.0 cannot be scored: its configuration cannot be compiled"*) ;;
	*) fail "E: scoring the uncompilable version said: $out" ;;
esac
[ "$(err "SELECT modelgov.score('0.9.0'::modelgov.semver, ARRAY[0.1, 0.1, 0.1, 0.1])")" = "ERROR:  55000" ] ||
	fail "E: scoring the uncompilable version is not 55000"
out=$(psql -X -q -At -d $e -c "SELECT modelgov_internal.rollback('default', 'test', '0.9.0', 'x')" 2>&1 || true)
case "$out" in
	*"version 0.9.0 cannot be deployed: its configuration cannot be compiled"*) ;;
	*) fail "E: rolling back to the uncompilable version said: $out" ;;
esac
[ "$(q $e "SELECT modelgov.score(ARRAY[0.1, 0.1, 0.1, 0.1])")" = 0.1 ] || fail "E: production does not score"
# 1.0.0 holds a weight written with more digits than its float8 (0.1.0
# stored it as written): a threshold change is a threshold change
psql -X -q -v ON_ERROR_STOP=1 -d $e -c "CREATE ROLE mg_up_prop" \
	-c "GRANT USAGE ON SCHEMA modelgov TO mg_up_prop" \
	-c "GRANT EXECUTE ON FUNCTION modelgov.propose(modelgov.change_type, text, jsonb, jsonb, text, text) TO mg_up_prop" \
	-c "SELECT modelgov.add_member('mg_up_prop', 'prop@company.com')" >/dev/null
out=$(psql -X -q -At -d $e -c "SET ROLE mg_up_prop" \
	-c "SELECT modelgov.propose('threshold_change', 'x', '{\"threshold_auto\": 0.16}', '{\"sample_size\": 5000}')" 2>&1) ||
	fail "E: a threshold change on a version stored by 0.1.0 was refused: $out"
got=$(q $e "SELECT change_type || ' ' || new_values::text FROM modelgov.proposals")
[ "$got" = 'threshold_change {"threshold_auto": 0.16}' ] ||
	fail "E: the proposal on a version stored by 0.1.0 records other changes"

echo "upgrade: ok (0.1.0 -> $default: $ntables tables, $rows rows and 51 audit entries kept, the chain verified against"
echo "  the digest; $(wc -l <"$work/fresh.txt") lines of description identical to a fresh install;" \
	"$ncontrols negative controls changed it)"
[ -z "$added" ] || echo "  tables the update added (their rows are not compared): $added"
