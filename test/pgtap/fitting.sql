--
-- fitting.sql
--		modelgov.fit_logistic: every refused input with its SQLSTATE and
--		message, the catalog properties (PARALLEL SAFE, comments, EXECUTE
--		for PUBLIC) and a fit run by a role that is no member.
--
BEGIN;
\ir helpers.psql
SELECT plan(27);

-- x length
SELECT is(pg_temp.error_of($$SELECT modelgov.fit_logistic(x, true)
							 FROM (VALUES (ARRAY[1, 2]::float8[]), (ARRAY[1, 2, 3])) v(x)$$),
		  '22023 fit_logistic x must have the same length on every row | The first row has 2 elements; this row has 3.',
		  'a row whose x is longer than the first row''s is refused (22023)');
SELECT is(pg_temp.error_of($$SELECT modelgov.fit_logistic(x, true)
							 FROM (VALUES (ARRAY[1, 2]::float8[]), (ARRAY[1])) v(x)$$),
		  '22023 fit_logistic x must have the same length on every row | The first row has 2 elements; this row has 1.',
		  'a row whose x is shorter is refused (22023)');
SELECT is(pg_temp.error_of($$SELECT modelgov.fit_logistic(ARRAY[[1, 2], [3, 4]]::float8[], true)$$),
		  '22023 fit_logistic x must be a one-dimensional array | The array has 2 dimensions.',
		  'a two-dimensional x is refused (22023)');

-- the column limit: 100 accepted, 101 refused
SELECT is(pg_temp.error_of($$SELECT modelgov.fit_logistic(array_fill(1::float8, ARRAY[100]), true)$$),
		  'no error', '100 columns are accepted');
SELECT is(pg_temp.error_of($$SELECT modelgov.fit_logistic(array_fill(1::float8, ARRAY[101]), true)$$),
		  '54000 fit_logistic x has too many columns | x has 101 elements; at most 100 are allowed.',
		  '101 columns are refused (54000)');

-- non-finite and huge values
SELECT is(pg_temp.error_of($$SELECT modelgov.fit_logistic(ARRAY[1, 'NaN']::float8[], true)$$),
		  '22003 fit_logistic x must hold finite values of at most 1e100 in absolute value | x[2] is NaN.',
		  'NaN in x is refused (22003)');
SELECT is(pg_temp.error_of($$SELECT modelgov.fit_logistic(ARRAY['-Infinity']::float8[], true)$$),
		  '22003 fit_logistic x must hold finite values of at most 1e100 in absolute value | x[1] is -Infinity.',
		  '-Infinity in x is refused (22003)');
SELECT is(pg_temp.error_of($$SELECT modelgov.fit_logistic(ARRAY[1e101]::float8[], true)$$),
		  '22003 fit_logistic x must hold finite values of at most 1e100 in absolute value | x[1] is 1e+101.',
		  'a value past 1e100 is refused (22003)');
SELECT is(pg_temp.error_of($$SELECT modelgov.fit_logistic(ARRAY[1e100, -1e100]::float8[], true)$$),
		  'no error', '1e100 is accepted');

-- l2
SELECT is(pg_temp.error_of($$SELECT modelgov.fit_logistic(ARRAY[1]::float8[], true, -0.5)$$),
		  '22023 fit_logistic l2 must be a finite number >= 0 | l2 is -0.5.', 'a negative l2 is refused (22023)');
SELECT is(pg_temp.error_of($$SELECT modelgov.fit_logistic(ARRAY[1]::float8[], true, 'NaN')$$),
		  '22023 fit_logistic l2 must be a finite number >= 0 | l2 is NaN.', 'a NaN l2 is refused (22023)');
SELECT is(pg_temp.error_of($$SELECT modelgov.fit_logistic(ARRAY[1]::float8[], true, 'Infinity')$$),
		  '22023 fit_logistic l2 must be a finite number >= 0 | l2 is Infinity.', 'an infinite l2 is refused (22023)');
SELECT is(pg_temp.error_of($$SELECT modelgov.fit_logistic(ARRAY[1]::float8[], true, NULL)$$),
		  '22004 fit_logistic l2 must not be NULL | Pass 0 for no penalty.', 'a NULL l2 is refused (22004)');
SELECT is(pg_temp.error_of($$SELECT modelgov.fit_logistic(ARRAY[i]::float8[], i > 1, l2)
							 FROM (VALUES (1, 0.5::float8), (2, 0.5), (3, 0.25)) v(i, l2)$$),
		  '22023 fit_logistic l2 must be the same on every row | The first row has l2 = 0.5; this row has 0.25.',
		  'an l2 that differs from the first row''s is refused (22023)');
SELECT is(pg_temp.error_of($$SELECT modelgov.fit_logistic(ARRAY[i]::float8[], i > 1, 0.5)
							 FROM generate_series(1, 3) i$$),
		  'no error', 'the same l2 on every row is accepted');

-- a fit in a group per key, and a fit as a window aggregate
SELECT is((SELECT string_agg(g || ':' || (f->>'n'), ',' ORDER BY g)
			 FROM (SELECT i % 2 AS g, modelgov.fit_logistic(ARRAY[i]::float8[], i % 3 = 0) AS f
					 FROM generate_series(1, 10) i GROUP BY i % 2) s),
		  '0:5,1:5', 'one fit per group');
SELECT is((SELECT string_agg(f->>'n', ',' ORDER BY i)
			 FROM (SELECT i, modelgov.fit_logistic(ARRAY[i]::float8[], i % 2 = 0) OVER (ORDER BY i) AS f
					 FROM generate_series(1, 4) i) s),
		  '1,2,3,4', 'a running fit as a window aggregate');

-- catalog: PARALLEL SAFE aggregates and support functions, comments, EXECUTE for PUBLIC
SELECT is((SELECT count(*)::int FROM pg_proc
			WHERE proname = 'fit_logistic' AND pronamespace = 'modelgov'::regnamespace
			  AND prokind = 'a' AND proparallel = 's'),
		  2, 'both fit_logistic aggregates are PARALLEL SAFE');
SELECT is((SELECT count(*)::int FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
			WHERE p.proname = 'fit_logistic' AND a.aggcombinefn <> 0 AND a.aggserialfn <> 0
			  AND a.aggdeserialfn <> 0 AND a.aggtranstype = 'internal'::regtype),
		  2, 'both have combine, serialize and deserialize functions');
SELECT is((SELECT count(*)::int FROM pg_proc
			WHERE proname LIKE 'fit\_logistic\_%' AND pronamespace = 'modelgov_internal'::regnamespace
			  AND proparallel = 's' AND prolang = (SELECT oid FROM pg_language WHERE lanname = 'c')),
		  6, 'the six support functions are C and PARALLEL SAFE');
SELECT is((SELECT count(*)::int FROM pg_proc p
			WHERE (p.proname = 'fit_logistic' AND p.pronamespace = 'modelgov'::regnamespace
				   OR p.proname LIKE 'fit\_logistic\_%' AND p.pronamespace = 'modelgov_internal'::regnamespace)
			  AND obj_description(p.oid, 'pg_proc') IS NOT NULL),
		  8, 'every fit_logistic object has a comment');
SELECT ok(has_function_privilege('public', 'modelgov.fit_logistic(float8[], boolean)', 'EXECUTE'),
		  'PUBLIC can execute fit_logistic(x, label)');
SELECT ok(has_function_privilege('public', 'modelgov.fit_logistic(float8[], boolean, float8)', 'EXECUTE'),
		  'PUBLIC can execute fit_logistic(x, label, l2)');
SELECT ok(NOT has_function_privilege('public', 'modelgov_internal.fit_logistic_final(internal)', 'EXECUTE'),
		  'the support functions are not PUBLIC''s');

-- a role that is no member fits its own rows
CREATE ROLE mg_fit_nobody NOLOGIN;
GRANT USAGE ON SCHEMA modelgov TO mg_fit_nobody;
SET LOCAL ROLE mg_fit_nobody;
SELECT is((SELECT f->>'converged' FROM (SELECT modelgov.fit_logistic(ARRAY[i % 7]::float8[], i % 3 = 0) AS f
										   FROM generate_series(1, 50) i) s),
		  'true', 'a role that is no member runs a fit');
RESET ROLE;

-- the result's keys
SELECT is((SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(
			 (SELECT modelgov.fit_logistic(ARRAY[i % 7]::float8[], i % 3 = 0) FROM generate_series(1, 50) i)) k),
		  '{converged,intercept,iterations,l2,log_loss,n,skipped,weights}'::text[], 'a converged fit''s keys');
SELECT is((SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(
			 (SELECT modelgov.fit_logistic(ARRAY[i]::float8[], i > 3) FROM generate_series(1, 6) i)) k),
		  '{converged,intercept,iterations,l2,log_loss,n,reason,reason_detail,skipped,weights}'::text[],
		  'a fit that did not converge adds reason and reason_detail');

SELECT * FROM finish();
ROLLBACK;
