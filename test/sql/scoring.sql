--
-- Scoring: semantics, errors, labels, the per-backend cache and its
-- invalidation
--
CREATE DATABASE modelgov_scoring_regress;
\c modelgov_scoring_regress
SET client_min_messages = warning;
CREATE EXTENSION modelgov;
RESET client_min_messages;
\set SHOW_CONTEXT never
SET search_path = public, modelgov;

-- before any model exists
SELECT modelgov.decide(ARRAY[0.1, 0.1, 0.1, 0.1]);

SELECT modelgov.init_model('{"version": "1.0.0",
	"features": [{"name": "f1"}, {"name": "f2"}, {"name": "f3"}, {"name": "f4"}, {"name": "f5", "default": 0.0}],
	"weights": [0.30, 0.30, 0.20, 0.20, 0.05],
	"biases": {"default": 0.0, "billing": -0.05},
	"thresholds": {"auto": 0.18, "escalate": 0.48},
	"safety_rules": [{"name": "fraud_signal", "feature": "f3", "op": ">=", "value": 0.9, "decision": "ESCALATE"}]}');

-- the three thresholds, the candidate bias, a rule that fires
SELECT x, c, modelgov.score(x, c), modelgov.decide(x, c)
  FROM (VALUES (ARRAY[0.1, 0.1, 0.1, 0.1]::float8[], NULL::text),
			   (ARRAY[0.3, 0.3, 0.3, 0.3], NULL),
			   (ARRAY[0.3, 0.3, 0.3, 0.3], 'billing'),
			   (ARRAY[0.6, 0.6, 0.6, 0.6], 'unknown'),
			   (ARRAY[0.1, 0.1, 0.95, 0.1], NULL),
			   (ARRAY[0.1, 0.1, 0.1, 0.1, 1.0], NULL),
			   (ARRAY[2, 2, 2, 2], NULL),
			   (ARRAY[-2, -2, -2, -2], NULL)) AS t(x, c);

-- missing features never fail a query: score is NULL, decide is the most
-- cautious of missing_feature_decision and the rules that fire
SELECT x, modelgov.score(x), modelgov.decide(x)
  FROM (VALUES (ARRAY[0.1, NULL, 0.1, 0.1]::float8[]),
			   (ARRAY[0.1, 'NaN', 0.1, 0.1]),
			   (ARRAY[0.1, 'Infinity', 0.1, 0.1]),
			   (ARRAY[0.1, '-Infinity', 0.95, 0.1]),
			   (ARRAY[NULL, NULL, NULL, NULL]::float8[]),
			   (NULL::float8[])) AS t(x);
SELECT modelgov.decide(0.1, NULL, 0.1, 0.1), modelgov.score(0.1, NULL, 0.1, 0.1),
	   modelgov.decide(NULL, NULL, 0.95, NULL);

-- the four-argument form equals the array form
SELECT modelgov.score(0.3, 0.2, 0.1, 0.4, 'billing') = modelgov.score(ARRAY[0.3, 0.2, 0.1, 0.4], 'billing') AS same_score,
	   modelgov.decide(0.3, 0.2, 0.1, 0.4) = modelgov.decide(ARRAY[0.3, 0.2, 0.1, 0.4]) AS same_decision;

-- the caller's schema is wrong: 22023 with the expected feature count
SELECT modelgov.decide(ARRAY[0.1, 0.1, 0.1]);
SELECT modelgov.decide(ARRAY[0.1, 0.1, 0.1, 0.1, 0.1, 0.1]);
SELECT modelgov.decide(ARRAY[[0.1, 0.1], [0.1, 0.1]]);
SELECT modelgov.decide('{}'::float8[]);

-- explain: why was this escalated?
SELECT jsonb_pretty(modelgov.explain(ARRAY[0.1, 0.1, 0.95, 0.1], 'billing'));
SELECT modelgov.explain(ARRAY[0.1, NULL, 0.1, 0.1]) - 'features';

-- a given version, for backtests; a version that does not exist.  The
-- version must be typed: since 0.2.0 an untyped literal in the first place
-- is read as a model name (the named text overload wins), which fails with
-- a hint that shows the named call.
SELECT modelgov.score('1.0.0'::modelgov.semver, ARRAY[0.3, 0.3, 0.3, 0.3]),
	   modelgov.decide('1.0.0+build.7'::modelgov.semver, ARRAY[0.3, 0.3, 0.3, 0.3]);
SELECT modelgov.score('9.9.9'::modelgov.semver, ARRAY[0.3, 0.3, 0.3, 0.3]);
SELECT modelgov.score(NULL::modelgov.semver, ARRAY[0.3, 0.3, 0.3, 0.3]);
SELECT modelgov.score('1.0.0', ARRAY[0.3, 0.3, 0.3, 0.3]);
SELECT modelgov.explain('1.0.0', ARRAY[0.3, 0.3, 0.3, 0.3]);
-- (the backtest as the 0.1.0 guide wrote it)
SELECT x[1] AS risk, modelgov.decide(x) AS now, modelgov.decide('1.0.0', x) AS under_1_0_0
  FROM (VALUES (ARRAY[0.3, 0.3, 0.3, 0.3]::float8[])) AS t(x);

-- honest labels
SELECT p.oid::regprocedure AS function, p.provolatile, p.proparallel, p.proisstrict, p.procost
  FROM pg_proc p
 WHERE p.pronamespace = 'modelgov'::regnamespace
   AND p.proname IN ('score', 'decide', 'explain', 'cache_stats')
 ORDER BY 1::text;

-- The warm path does no look-ups: no load, and one cache hit per
-- statement, however many rows.
SELECT compiled_versions, active_version, last_load_ms IS NOT NULL AS load_timed FROM modelgov.cache_stats();
SELECT hits AS hits_before, loads AS loads_before, invalidations AS inval_before FROM modelgov.cache_stats() \gset
SELECT count(*) FILTER (WHERE modelgov.decide(g / 1e5, 0.2, 0.1, 0.3, 'c' || g % 200) = 'AUTO') AS auto,
	   count(*) FILTER (WHERE modelgov.score(ARRAY[g / 1e5, 0.2, 0.1, 0.3]) >= 0.48) AS escalate
  FROM generate_series(1, 100000) AS g;
SELECT loads - :loads_before AS new_loads, hits - :hits_before AS new_hits,
	   invalidations - :inval_before AS new_invalidations
  FROM modelgov.cache_stats();

-- Deploying another version (as the process does, through the internal
-- promotion) invalidates the cached pointer at commit; the next statement
-- uses the new version, and the old one stays compiled for backtests.
INSERT INTO modelgov.versions (version, config, created_at, status, model)
SELECT '1.1.0', modelgov_internal.normalize_config(config - 'version' - 'released_at'
										   || '{"thresholds": {"auto": 0.05, "escalate": 0.9}}'),
	   now(), 'approved', 'default'
  FROM (SELECT modelgov.model_config('1.0.0'::modelgov.semver) AS config) c;
SELECT modelgov_internal.promote(v, 'deploy', NULL, 'test', '{}') IS NOT NULL AS promoted
  FROM modelgov.versions v WHERE v.version = '1.1.0';
SELECT modelgov.active_version(), modelgov.decide(ARRAY[0.1, 0.1, 0.1, 0.1]),
	   modelgov.decide('1.0.0'::modelgov.semver, ARRAY[0.1, 0.1, 0.1, 0.1]);
SELECT loads - :loads_before AS new_loads, invalidations > :inval_before AS invalidated,
	   compiled_versions, active_version
  FROM modelgov.cache_stats();

-- one call site, versions changing from row to row (and none: the active 1.1.0)
SELECT v, modelgov.explain(ARRAY[0.1, 0.1, 0.1, 0.1], NULL, v) ->> 'version' AS explained
  FROM (VALUES (1, '1.0.0'::modelgov.semver), (2, NULL), (3, '1.0.0+b')) AS t(n, v) ORDER BY n;

-- parallel query uses the functions
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
CREATE TABLE tickets AS
SELECT g AS id, g / 6000.0 AS f1, 0.2 AS f2, 0.1 AS f3, 0.3 AS f4, 'c' || g % 200 AS candidate
  FROM generate_series(1, 20000) AS g;
ANALYZE tickets;
EXPLAIN (COSTS OFF)
SELECT count(*) FROM tickets WHERE modelgov.decide(f1, f2, f3, f4, candidate) = 'ASK';
SELECT count(*) FROM tickets WHERE modelgov.decide(f1, f2, f3, f4, candidate) = 'ASK';
RESET max_parallel_workers_per_gather;
SELECT count(*) FROM tickets WHERE modelgov.decide(f1, f2, f3, f4, candidate) = 'ASK';

\c contrib_regression
DROP DATABASE modelgov_scoring_regress;
