#!/bin/bash
# A static check of every PL/pgSQL function of the extension, in any of its
# schemas, with plpgsql_check: no error and no warning (unknown columns,
# wrong types, implicit casts, unused variables, dead code, ...).  Trigger
# functions are checked against the table they guard.  A deliberately broken
# function proves the check can fail.
#
# Runs against the cluster given by the PG* variables (pg_virtualenv).
set -euo pipefail
cd "$(dirname "$0")/../.."

db=modelgov_plpgsql_check
cleanup() { dropdb --if-exists $db 2>/dev/null; }
trap cleanup EXIT
fail() { echo "plpgsql_check: FAIL: $*" >&2; exit 1; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d $db -c "$1"; }

cleanup
createdb $db
q "CREATE EXTENSION plpgsql_check" || fail "the plpgsql_check extension is not installed"
q "CREATE EXTENSION modelgov"

# The findings on a set of functions, and the PL/pgSQL functions of the
# extension, in any of its schemas.
q "CREATE FUNCTION public.findings(fns regprocedure[]) RETURNS SETOF text LANGUAGE sql AS \$\$
	SELECT p.oid::regprocedure || ' line ' || COALESCE(c.lineno::text, '-') || ': '
		   || c.level || ': ' || c.message || COALESCE(' (' || c.detail || ')', '')
	  FROM pg_proc p
	 CROSS JOIN LATERAL plpgsql_check_function_tb(p.oid,
			relid => CASE WHEN p.prorettype = 'trigger'::regtype
						  THEN (SELECT t.tgrelid FROM pg_trigger t WHERE t.tgfoid = p.oid LIMIT 1)
						  ELSE 0 END) c
	 WHERE p.oid = ANY (fns) AND c.level IN ('error', 'warning')
	 ORDER BY 1 \$\$"
q "CREATE FUNCTION public.plpgsql_members() RETURNS regprocedure[] LANGUAGE sql AS \$\$
	SELECT array_agg(p.oid::regprocedure) FROM pg_proc p
	  JOIN pg_language l ON l.oid = p.prolang AND l.lanname = 'plpgsql'
	  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
	  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'modelgov' \$\$"

checked=$(q "SELECT cardinality(public.plpgsql_members())")
[ "$checked" -ge 40 ] || fail "only $checked PL/pgSQL functions found; expected at least 40"

out=$(q "SELECT public.findings(public.plpgsql_members())")
if [ -n "$out" ]; then
	echo "$out" >&2
	fail "$(echo "$out" | wc -l) finding(s) in modelgov's PL/pgSQL"
fi

# negative control: the same query reports a broken function
q "CREATE FUNCTION public.broken() RETURNS int LANGUAGE plpgsql AS \$\$
   BEGIN RETURN (SELECT no_such_column FROM pg_class LIMIT 1); END \$\$"
control=$(q "SELECT count(*) FROM public.findings(ARRAY['public.broken()'::regprocedure])")
[ "$control" -ge 1 ] || fail "the check did not flag a function that reads an unknown column"

echo "plpgsql_check: $checked PL/pgSQL functions, no error or warning"
