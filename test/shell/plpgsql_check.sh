#!/bin/bash
# A static check of every PL/pgSQL function of the extension, in any of its
# schemas, with plpgsql_check: no error and no warning, the extra warnings
# included (unknown columns, wrong types, unused variables and parameters,
# dead code, ...).  Every error of a function is listed, not only its first.
# Trigger functions are checked against each table they guard.  The
# functions checked are exactly the PL/pgSQL functions that the parts of the
# install script (sql/*.sql) define, the registry's and the models' among
# them.  A deliberately broken function proves the check can fail.
#
# Runs against the cluster given by the PG* variables (pg_virtualenv).
set -euo pipefail
cd "$(dirname "$0")/../.."

db=modelgov_plpgsql_check
cleanup() { dropdb --if-exists $db 2>/dev/null || true; }
trap cleanup EXIT
fail() { echo "plpgsql_check: FAIL: $*" >&2; exit 1; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d $db -c "$1"; }

cleanup
createdb $db
q "CREATE EXTENSION plpgsql_check" || fail "the plpgsql_check extension is not installed"
q "CREATE EXTENSION modelgov"

# The findings on a set of functions.  A trigger function is checked once
# for each table that has a trigger calling it; one that no trigger calls
# cannot be checked, which is a finding of its own.  The levels reported:
# error, warning, and "warning extra" (unused variables and parameters,
# ...).  The targets are materialized first, so that plpgsql_check never
# sees a trigger function without its table.
q "CREATE FUNCTION public.findings(fns regprocedure[]) RETURNS SETOF text LANGUAGE sql AS \$\$
	WITH targets AS MATERIALIZED (
		SELECT p.oid AS fn, 0::oid AS relid
		  FROM pg_proc p
		 WHERE p.oid = ANY (fns) AND p.prorettype <> 'trigger'::regtype
		UNION
		SELECT t.tgfoid, t.tgrelid
		  FROM pg_trigger t
		 WHERE t.tgfoid = ANY (fns))
	SELECT x.fn::regprocedure || CASE WHEN x.relid <> 0 THEN ' on ' || x.relid::regclass ELSE '' END
		   || ' line ' || COALESCE(c.lineno::text, '-') || ': ' || c.level || ': ' || c.message
		   || COALESCE(' (' || c.detail || ')', '')
	  FROM targets x
	 CROSS JOIN LATERAL plpgsql_check_function_tb(x.fn, relid => x.relid, fatal_errors => false) c
	 WHERE c.level IN ('error', 'warning', 'warning extra')
	UNION ALL
	SELECT p.oid::regprocedure || ': a trigger function that no trigger calls, not checked'
	  FROM pg_proc p
	 WHERE p.oid = ANY (fns) AND p.prorettype = 'trigger'::regtype
	   AND NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgfoid = p.oid)
	 ORDER BY 1 \$\$"
# The PL/pgSQL functions of the extension, in any of its schemas.
q "CREATE FUNCTION public.plpgsql_members() RETURNS regprocedure[] LANGUAGE sql AS \$\$
	SELECT array_agg(p.oid::regprocedure) FROM pg_proc p
	  JOIN pg_language l ON l.oid = p.prolang AND l.lanname = 'plpgsql'
	  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
	  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'modelgov' \$\$"

checked=$(q "SELECT cardinality(public.plpgsql_members())")
[ "$checked" -ge 60 ] || fail "only $checked PL/pgSQL functions found; expected at least 60"

# The PL/pgSQL functions the parts of the install script define, by name
# and number of overloads, against those the extension holds: a function
# the query above missed, or that the parts define and the installed
# extension lacks, fails here.
defined=$(ls sql/*.sql | grep -v '/modelgov--' | xargs awk '
	/^CREATE (OR REPLACE )?FUNCTION / {
		name = $0; sub(/^CREATE (OR REPLACE )?FUNCTION /, "", name); sub(/\(.*/, "", name); infn = 1; next }
	infn && /LANGUAGE plpgsql/ { print name; infn = 0 }
	infn && /(^| )AS / { infn = 0 }' | sort | uniq -c | awk '{ print $2 " " $1 }')
installed=$(q "SELECT p.pronamespace::regnamespace || '.' || p.proname || ' ' || count(*)
				 FROM unnest(public.plpgsql_members()) f JOIN pg_proc p ON p.oid = f
				GROUP BY p.pronamespace, p.proname ORDER BY 1" | LC_ALL=C sort)
defined=$(echo "$defined" | LC_ALL=C sort)
if [ "$defined" != "$installed" ]; then
	diff <(echo "$defined") <(echo "$installed") >&2 || true
	fail "the PL/pgSQL functions of sql/*.sql (<) and of the installed extension (>) differ"
fi
for f in require_model sole_model member_for_update grant_duty revoke_duty create_model retire_model; do
	echo "$installed" | grep -q "^modelgov_internal\.$f " || fail "modelgov_internal.$f is not among the functions checked"
done

out=$(q "SELECT public.findings(public.plpgsql_members())")
if [ -n "$out" ]; then
	echo "$out" >&2
	fail "$(echo "$out" | wc -l) finding(s) in modelgov's PL/pgSQL"
fi

# negative controls: the same query reports a function that reads an
# unknown column, one with an unused variable, a trigger function that
# writes an unknown column of the table it guards, and one no trigger calls
q "CREATE FUNCTION public.broken() RETURNS int LANGUAGE plpgsql AS \$\$
   BEGIN RETURN (SELECT no_such_column FROM pg_class LIMIT 1); END \$\$"
q "CREATE FUNCTION public.unused() RETURNS int LANGUAGE plpgsql AS \$\$
   DECLARE x int; BEGIN RETURN 1; END \$\$"
q "CREATE TABLE public.guarded (a int)"
q "CREATE FUNCTION public.broken_guard() RETURNS trigger LANGUAGE plpgsql AS \$\$
   BEGIN NEW.no_such_column := 1; RETURN NEW; END \$\$"
q "CREATE TRIGGER guard BEFORE INSERT ON public.guarded FOR EACH ROW EXECUTE FUNCTION public.broken_guard()"
q "CREATE FUNCTION public.orphan_guard() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN RETURN NEW; END \$\$"
control=$(q "SELECT string_agg(DISTINCT split_part(f, ' ', 1), ' ') FROM public.findings(ARRAY['public.broken()',
			  'public.unused()', 'public.broken_guard()', 'public.orphan_guard()']::regprocedure[]) f")
[ "$control" = "broken() broken_guard() orphan_guard(): unused()" ] ||
	fail "the check did not flag each broken function, only: $control"

echo "plpgsql_check: $checked PL/pgSQL functions, no error or warning"
