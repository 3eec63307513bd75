--
-- evidence.sql
--		The evidence aggregates evaluation, optimize_thresholds and impact
--		(issue 13): behaviour on small sets, the refusals and their
--		SQLSTATEs (a risk outside [0, 1], NaN or infinite: 22003; more rows
--		than modelgov.evidence_max_rows: 54000), NULL rows skipped, the
--		catalog (PARALLEL SAFE, combine/serialize/deserialize, READ_ONLY
--		final functions, comments) and privileges (PUBLIC executes the
--		aggregates; the internals stay closed).  The oracle comparisons are
--		in test/sql/evidence_oracle.sql.
--
BEGIN;
\ir helpers.psql
SELECT plan(47);

CREATE ROLE mg_ev_nobody NOLOGIN;		-- no grant of any kind

CREATE TEMP TABLE pts (p float8, label boolean, correct modelgov.decision);
INSERT INTO pts VALUES (0.1, false, 'AUTO'), (0.35, false, 'ASK'), (0.4, true, 'ASK'), (0.8, true, 'ESCALATE');
GRANT SELECT ON pts TO mg_ev_nobody;

--
-- behaviour
--
SELECT is(modelgov.evaluation(p, label) - 'log_loss' - 'brier', '{"n": 4, "positives": 2, "auc": 1, "youden_j": 1,
	"youden_threshold": 0.4, "skipped": 0}'::jsonb, 'evaluation of a perfectly separating risk')
  FROM pts;
SELECT is((modelgov.evaluation(p, label) ->> 'brier')::float8, ((0.01 + 0.1225 + 0.36 + 0.04) / 4)::float8,
		  'brier is the mean squared error')
  FROM pts;
SELECT is(modelgov.evaluation(1 - p, label) ->> 'auc', '0', 'a reversed risk has auc 0') FROM pts;
SELECT is(modelgov.evaluation(0.5, label) -> 'auc', '0.5', 'all ties: auc 0.5') FROM pts;
SELECT is(modelgov.evaluation(0.5, label) -> 'youden_threshold', '0.5', 'all ties: the one p is the threshold')
  FROM pts;
SELECT is(modelgov.evaluation(p, label) -> 'youden_j', '0', 'all ties: J is 0')
  FROM (SELECT 0.5::float8 AS p, label FROM pts) s;
SELECT is(modelgov.evaluation(p, true) -> 'auc', 'null', 'all positive: auc is null') FROM pts;
SELECT is(modelgov.evaluation(p, true) ->> 'note',
		  'every row is positive (label true): auc, youden_j and youden_threshold are undefined',
		  'all positive: a note says why') FROM pts;
SELECT is(modelgov.evaluation(p, false) -> 'youden_threshold', 'null', 'all negative: no threshold') FROM pts;
SELECT is(modelgov.evaluation(p, label), '{"n": 0, "positives": 0, "auc": null, "brier": null, "log_loss": null,
	"youden_j": null, "youden_threshold": null, "skipped": 0,
	"note": "no row has both p and label: every measure is null"}'::jsonb, 'no rows: n 0 and nulls, never an error')
  FROM pts WHERE false;
SELECT is(modelgov.evaluation(p, l) -> 'skipped', '3', 'rows with a NULL p or label are skipped and counted')
  FROM (VALUES (NULL::float8, true), (0.2, NULL), (NULL, NULL), (0.3, true)) v(p, l);
SELECT is(modelgov.evaluation(p, l) -> 'n', '1', 'and not used') FROM (VALUES (NULL::float8, true), (0.3, true)) v(p, l);
SELECT is((modelgov.evaluation(p, l) ->> 'log_loss')::float8, -ln(1 - (1 - 1e-15::float8)),
		  'log_loss clamps p = 1 to 1 - 1e-15')
  FROM (VALUES (1::float8, false)) v(p, l);
SELECT is(modelgov.evaluation(p, l), modelgov.evaluation(0, l), '-0 is accepted as 0')
  FROM (VALUES ('-0'::float8, false), ('-0', true)) v(p, l);
SELECT is((modelgov.evaluation(p, l) ->> 'brier')::float8, 0.1::float8 * 0.1::float8,
		  'numbers in the jsonb read back as the exact float8')
  FROM (VALUES (0.1::float8, false)) v(p, l);

SELECT is(modelgov.optimize_thresholds(p, correct), '{"auto": 0.35, "escalate": 0.8, "youden_auto": 1,
	"youden_escalate": 1, "n": 4, "skipped": 0}'::jsonb, 'optimize_thresholds of clean bands')
  FROM pts;
SELECT is(modelgov.optimize_thresholds(p, c) ->> 'note',
		  'the optima crossed (auto 0.7 > escalate 0.2): both are set to 0.2, the single threshold maximizing '
		  'youden_auto + youden_escalate, which leaves no ASK band.', 'crossed optima: resolved and said')
  FROM (VALUES (0.1, 'AUTO'::modelgov.decision), (0.2, 'ESCALATE'), (0.3, 'ESCALATE'), (0.4, 'AUTO'), (0.5, 'AUTO'),
			   (0.6, 'AUTO'), (0.7, 'ASK'), (0.8, 'ASK'), (0.9, 'ASK'), (0.95, 'ASK')) v(p, c);
SELECT is(modelgov.optimize_thresholds(p, 'AUTO') -> 'auto', 'null', 'every correct decision AUTO: no auto threshold')
  FROM pts;
SELECT is(modelgov.optimize_thresholds(p, c) -> 'skipped', '2', 'optimize_thresholds skips NULL rows')
  FROM (VALUES (NULL::float8, 'AUTO'::modelgov.decision), (0.5, NULL), (0.5, 'ASK')) v(p, c);

SELECT is(modelgov.impact(o, n, c) - 'transitions', '{"sample_size": 4, "expected_auto_resolve_rate": 0.5,
	"expected_escalate_rate": 0.25, "old_auto_resolve_rate": 0.25, "old_escalate_rate": 0, "correct_auto_before": 0,
	"correct_auto_after": 1, "youden_old": -0.5, "youden_new": 1, "youden_improvement": 1.5, "skipped": 1}'::jsonb,
		  'impact of a change that fixes the AUTO boundary')
  FROM (VALUES ('AUTO'::modelgov.decision, 'ASK'::modelgov.decision, 'ESCALATE'::modelgov.decision),
			   ('ASK', 'AUTO', 'AUTO'), ('ASK', 'AUTO', 'AUTO'), ('ASK', 'ESCALATE', 'ESCALATE'),
			   (NULL, 'AUTO', 'AUTO')) v(o, n, c);
SELECT is(modelgov.impact(o, n, c) -> 'transitions', '{"AUTO->AUTO": 0, "AUTO->ASK": 1, "AUTO->ESCALATE": 0,
	"ASK->AUTO": 2, "ASK->ASK": 0, "ASK->ESCALATE": 1, "ESCALATE->AUTO": 0, "ESCALATE->ASK": 0,
	"ESCALATE->ESCALATE": 0}'::jsonb, 'transitions: all nine OLD->NEW pairs, zeros included')
  FROM (VALUES ('AUTO'::modelgov.decision, 'ASK'::modelgov.decision, 'ESCALATE'::modelgov.decision),
			   ('ASK', 'AUTO', 'AUTO'), ('ASK', 'AUTO', 'AUTO'), ('ASK', 'ESCALATE', 'ESCALATE')) v(o, n, c);
SELECT is(modelgov.impact(o, n, c) ->> 'sample_size', '0', 'impact of no rows') FROM pts, LATERAL
	(SELECT NULL::modelgov.decision AS o, 'AUTO'::modelgov.decision AS n, correct AS c) x;

--
-- refusals
--
SELECT is(pg_temp.error_of($$SELECT modelgov.evaluation(1.5, true)$$),
		  '22003 evaluation: risk p must be between 0 and 1 | p is 1.5.', 'p above 1: 22003');
SELECT is(pg_temp.error_of($$SELECT modelgov.evaluation(-0.25, true)$$),
		  '22003 evaluation: risk p must be between 0 and 1 | p is -0.25.', 'p below 0: 22003');
SELECT is(pg_temp.error_of($$SELECT modelgov.evaluation('NaN', false)$$),
		  '22003 evaluation: risk p must be between 0 and 1 | p is NaN.', 'NaN: 22003');
SELECT is(pg_temp.error_of($$SELECT modelgov.evaluation('Infinity', false)$$),
		  '22003 evaluation: risk p must be between 0 and 1 | p is Infinity.', 'Infinity: 22003');
SELECT is(pg_temp.error_of($$SELECT modelgov.evaluation('-Infinity', NULL)$$),
		  'no error', 'a row with a NULL label is skipped before its p is checked');
SELECT is(pg_temp.error_of($$SELECT modelgov.optimize_thresholds('-Infinity', 'AUTO')$$),
		  '22003 optimize_thresholds: risk p must be between 0 and 1 | p is -Infinity.',
		  'optimize_thresholds refuses -Infinity: 22003');
SELECT is(pg_temp.error_of($$SELECT modelgov.optimize_thresholds(1.0000000000000002, 'ASK')$$),
		  '22003 optimize_thresholds: risk p must be between 0 and 1 | p is 1.0000000000000002.',
		  'the float8 just above 1: 22003');
SELECT is(pg_temp.hint_of($$SELECT modelgov.evaluation(2, true)$$),
		  '22003 A risk is a probability, such as the calibrated risk modelgov.score returns.', 'with a hint');

SET LOCAL modelgov.evidence_max_rows = 1000;
SELECT is(modelgov.evaluation(i / 1000.0, i % 2 = 0) ->> 'n', '1000', 'up to modelgov.evidence_max_rows rows are held')
  FROM generate_series(1, 1000) i;
SELECT is(pg_temp.error_of($$SELECT modelgov.evaluation(i / 1001.0, i % 2 = 0) FROM generate_series(1, 1001) i$$),
		  '54000 evaluation cannot hold more than 1000 rows | evaluation holds every row it aggregates in memory, '
		  '8 bytes a row, to compute exact results; modelgov.evidence_max_rows is 1000 (at most 100000000).',
		  'one more: 54000');
SELECT is(pg_temp.error_of($$SELECT modelgov.optimize_thresholds(0.5, 'ASK') FROM generate_series(1, 1001) i$$),
		  '54000 optimize_thresholds cannot hold more than 1000 rows | optimize_thresholds holds every row it aggregates '
		  'in memory, 8 bytes a row, to compute exact results; modelgov.evidence_max_rows is 1000 (at most 100000000).',
		  'optimize_thresholds too: 54000');
SELECT is(modelgov.evaluation(NULL::float8, true) ->> 'skipped', '5000', 'skipped rows are not held')
  FROM generate_series(1, 5000);
RESET modelgov.evidence_max_rows;
SELECT is(pg_temp.error_of($$SET modelgov.evidence_max_rows = 100000001$$), '22023 100000001 is outside the valid range for parameter "modelgov.evidence_max_rows" (1 .. 100000000) | ',
		  'the limit cannot be raised past 100,000,000');

--
-- catalog and privileges
--
SELECT is((SELECT string_agg(p.oid::regprocedure::text || ':' || p.proparallel::text, ', ' ORDER BY p.proname)
			 FROM pg_proc p
			WHERE p.oid IN ('modelgov.evaluation(float8, boolean)'::regprocedure,
							'modelgov.optimize_thresholds(float8, modelgov.decision)'::regprocedure,
							'modelgov.impact(modelgov.decision, modelgov.decision, modelgov.decision)'::regprocedure)),
		  'modelgov.evaluation(double precision,boolean):s, '
		  'modelgov.impact(modelgov.decision,modelgov.decision,modelgov.decision):s, '
		  'modelgov.optimize_thresholds(double precision,modelgov.decision):s',
		  'the three aggregates are PARALLEL SAFE');
SELECT is((SELECT count(*) FROM pg_aggregate a JOIN pg_proc f ON f.oid = a.aggfnoid
			WHERE f.proname IN ('evaluation', 'optimize_thresholds', 'impact')
			  AND f.pronamespace = 'modelgov'::regnamespace
			  AND a.aggcombinefn <> 0 AND a.aggserialfn <> 0 AND a.aggdeserialfn <> 0
			  AND a.aggfinalmodify = 'r' AND a.aggtranstype = 'internal'::regtype),
		  3::bigint, 'each has combine, serialize and deserialize functions and a READ_ONLY final function');
SELECT is((SELECT count(*) FROM pg_aggregate a JOIN pg_proc f ON f.oid = a.aggfnoid,
				  LATERAL unnest(ARRAY[a.aggtransfn, a.aggfinalfn, a.aggcombinefn, a.aggserialfn, a.aggdeserialfn]) s(fn)
				  JOIN pg_proc sp ON sp.oid = s.fn
			WHERE f.proname IN ('evaluation', 'optimize_thresholds', 'impact')
			  AND f.pronamespace = 'modelgov'::regnamespace
			  AND sp.proparallel = 's' AND sp.provolatile = 'i'
			  AND sp.pronamespace = 'modelgov_internal'::regnamespace),
		  15::bigint, 'their 15 support functions are IMMUTABLE PARALLEL SAFE internals');
SELECT is((SELECT count(*) FROM pg_proc f
			WHERE f.pronamespace = 'modelgov_internal'::regnamespace
			  AND f.proname ~ '^(evaluation|optimize_thresholds|evidence_points|impact)_'
			  AND obj_description(f.oid, 'pg_proc') IS NOT NULL),
		  12::bigint, 'the 12 support functions have comments');
SELECT isnt(obj_description('modelgov.evaluation(float8, boolean)'::regprocedure, 'pg_proc'), NULL,
			'evaluation has a comment');
SELECT isnt(obj_description('modelgov.optimize_thresholds(float8, modelgov.decision)'::regprocedure, 'pg_proc'), NULL,
			'optimize_thresholds has a comment');
SELECT isnt(obj_description('modelgov.impact(modelgov.decision, modelgov.decision, modelgov.decision)'::regprocedure,
							'pg_proc'), NULL, 'impact has a comment');
SELECT ok(has_function_privilege('public', 'modelgov.evaluation(float8, boolean)', 'EXECUTE')
		  AND has_function_privilege('public', 'modelgov.optimize_thresholds(float8, modelgov.decision)', 'EXECUTE')
		  AND has_function_privilege('public', 'modelgov.impact(modelgov.decision, modelgov.decision, modelgov.decision)',
									 'EXECUTE'),
		  'PUBLIC can execute the three aggregates');
SELECT ok(NOT has_function_privilege('mg_ev_nobody', 'modelgov_internal.evaluation_add(internal, float8, boolean)',
									 'EXECUTE'), 'but not their internals');

SET LOCAL ROLE mg_ev_nobody;
SELECT is(modelgov.evaluation(p, label) ->> 'auc', '1', 'a role with no grant runs evaluation') FROM pts;
SELECT is(modelgov.optimize_thresholds(p, correct) ->> 'auto', '0.35', 'and optimize_thresholds') FROM pts;
SELECT is(modelgov.impact(correct, correct, correct) ->> 'youden_improvement', '0', 'and impact') FROM pts;
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
