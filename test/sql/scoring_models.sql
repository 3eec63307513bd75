--
-- Scoring by model name: two models side by side, every named form, one
-- query scoring both, a call site whose model changes from row to row, the
-- errors (an unknown or retired model, another model's version, a version
-- where the model belongs), a NULL model, the 0.1.0 forms once there are
-- two models, and the per-backend cache.
--
CREATE DATABASE modelgov_models_regress;
\c modelgov_models_regress
SET client_min_messages = warning;
CREATE EXTENSION modelgov;
RESET client_min_messages;
\set SHOW_CONTEXT never
SET search_path = public, modelgov;
-- retirement dates appear in messages: fix the clock
SET modelgov.clock = '2024-03-01 10:00:00+00';
-- the hint of the error a query raises, to check what it says whatever
-- its wording
CREATE FUNCTION hint_of(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	hint text;
BEGIN
	EXECUTE query;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS hint = PG_EXCEPTION_HINT;
	RETURN hint;
END
$$;

-- before any model exists, a name finds nothing
SELECT modelgov.decide('support', ARRAY[0.1, 0.1, 0.1, 0.1]);
\echo :LAST_ERROR_SQLSTATE

-- Two models, both at 1.0.0 with different configurations: the version
-- alone never says which model scores.  support escalates from 0.48 and
-- has a rule; billing weighs only its first feature and escalates from 0.3.
SELECT modelgov.create_model('support', '{"version": "1.0.0",
	"features": [{"name": "f1"}, {"name": "f2"}, {"name": "f3"}, {"name": "f4"}],
	"weights": [0.25, 0.25, 0.25, 0.25],
	"biases": {"default": 0.0, "vip": -0.1},
	"thresholds": {"auto": 0.18, "escalate": 0.48},
	"safety_rules": [{"name": "fraud_signal", "feature": "f3", "op": ">=", "value": 0.9, "decision": "ESCALATE"}]}',
	'support tickets');
SELECT modelgov.create_model('billing', '{"version": "1.0.0",
	"features": [{"name": "amount"}, {"name": "b2"}, {"name": "b3"}, {"name": "b4"}],
	"weights": [1.0, 0.0, 0.0, 0.0],
	"thresholds": {"auto": 0.1, "escalate": 0.3}}',
	'billing disputes');
SELECT name, description, retired_at FROM modelgov.models ORDER BY name;

-- every named form: the array form, the four-feature form, a given version
SELECT modelgov.score('support', ARRAY[0.2, 0.2, 0.2, 0.2]) AS support_score,
	   modelgov.decide('support', ARRAY[0.2, 0.2, 0.2, 0.2]) AS support_decide,
	   modelgov.score('billing', ARRAY[0.2, 0.2, 0.2, 0.2]) AS billing_score,
	   modelgov.decide('billing', ARRAY[0.2, 0.2, 0.2, 0.2]) AS billing_decide;
SELECT modelgov.score('support', 0.2, 0.2, 0.2, 0.2, 'vip') AS support_vip,
	   modelgov.decide('support', 0.2, 0.2, 0.2, 0.2, 'vip') AS support_vip_decide,
	   modelgov.score('billing', 0.35, 0.0, 0.0, 0.0) AS billing_score,
	   modelgov.decide('billing', 0.35, 0.0, 0.0, 0.0) AS billing_decide;
SELECT modelgov.score('support', '1.0.0', ARRAY[0.2, 0.2, 0.2, 0.2]) AS support_v1,
	   modelgov.decide('support', '1.0.0', ARRAY[0.2, 0.2, 0.2, 0.2], 'vip') AS support_v1_vip,
	   modelgov.score('billing', '1.0.0', ARRAY[0.2, 0.2, 0.2, 0.2]) AS billing_v1,
	   modelgov.decide('billing', '1.0.0+build.3', ARRAY[0.2, 0.2, 0.2, 0.2]) AS billing_v1_build;
-- the four-feature form equals the array form, for each model
SELECT modelgov.score('support', 0.3, 0.2, 0.95, 0.1, 'vip') = modelgov.score('support', ARRAY[0.3, 0.2, 0.95, 0.1], 'vip') AS support_same,
	   modelgov.decide('support', 0.3, 0.2, 0.95, 0.1) = modelgov.decide('support', ARRAY[0.3, 0.2, 0.95, 0.1]) AS support_same_decision,
	   modelgov.score('billing', 0.3, 0.2, 0.95, 0.1) = modelgov.score('billing', ARRAY[0.3, 0.2, 0.95, 0.1]) AS billing_same,
	   modelgov.decide('billing', 0.3, 0.2, 0.95, 0.1) = modelgov.decide('billing', ARRAY[0.3, 0.2, 0.95, 0.1]) AS billing_same_decision;
-- explain names the model, and takes a version last
SELECT jsonb_pretty(modelgov.explain('support', ARRAY[0.1, 0.1, 0.95, 0.1], 'vip') - 'features');
SELECT modelgov.explain('billing', ARRAY[0.35, 0, 0, 0]) - 'features' AS billing,
	   modelgov.explain('billing', ARRAY[0.35, 0, 0, 0], NULL, '1.0.0') ->> 'version' AS billing_given_version;
-- each model's own feature count
SELECT modelgov.decide('billing', ARRAY[0.1, 0.1, 0.1]);
SELECT modelgov.decide('billing', ARRAY[0.1, 0.1, 0.1, 0.1, 0.1]);

-- a version of one model is not a version of the other
INSERT INTO modelgov.versions (version, config, created_at, status, model)
	VALUES ('2.0.0', modelgov_internal.normalize_config(
		'{"weights": [0.5, 0.0, 0.0, 0.0], "thresholds": {"auto": 0.1, "escalate": 0.3}}'), now(), 'approved', 'billing');
SELECT modelgov.score('billing', '2.0.0', ARRAY[0.4, 0, 0, 0]) AS billing_v2;
SELECT modelgov.score('support', '2.0.0', ARRAY[0.4, 0, 0, 0]);
\echo :LAST_ERROR_SQLSTATE
SELECT modelgov.explain('support', ARRAY[0.4, 0, 0, 0], NULL, '2.0.0');
SELECT modelgov.score('billing', '9.9.9', ARRAY[0.4, 0, 0, 0]);

-- one query scores two models, each by its own production version
CREATE TABLE tickets AS
SELECT g AS id, (g % 10) / 10.0 AS f1, 0.2 AS f2, CASE WHEN g % 7 = 0 THEN 0.95 ELSE 0.1 END AS f3, 0.2 AS f4,
	   CASE WHEN g % 3 = 0 THEN 'vip' END AS candidate,
	   CASE WHEN g % 2 = 0 THEN 'support' ELSE 'billing' END AS model
  FROM generate_series(1, 2000) AS g;
SELECT modelgov.decide('support', f1, f2, f3, f4, candidate) AS support,
	   modelgov.decide('billing', f1, f2, f3, f4) AS billing,
	   count(*)
  FROM tickets GROUP BY 1, 2 ORDER BY 1, 2;
-- the same by the documented formulas in SQL: support is the mean of the
-- features minus 0.1 for vip, escalated when f3 >= 0.9; billing is f1
SELECT count(*) AS compared,
	   count(*) FILTER (WHERE abs(modelgov.score('support', ARRAY[f1, f2, f3, f4], candidate)
								  - greatest(0, least(1, (f1 + f2 + f3 + f4) * 0.25
															 - CASE WHEN candidate = 'vip' THEN 0.1 ELSE 0 END))) > 1e-12
						   OR abs(modelgov.score('billing', f1, f2, f3, f4) - f1) > 1e-12) AS score_mismatches
  FROM tickets;

-- One call site whose model changes from row to row: each row is scored
-- by its own model.  The same rows scored by two constant call sites give
-- the same answers; a NULL model name gives NULL, not an error.
INSERT INTO tickets VALUES (0, 0.5, 0.5, 0.5, 0.5, NULL, NULL);
SELECT count(*) AS rows,
	   count(*) FILTER (WHERE modelgov.decide(t.model, t.f1, t.f2, t.f3, t.f4, t.candidate)
						  IS DISTINCT FROM CASE t.model WHEN 'support' THEN modelgov.decide('support', t.f1, t.f2, t.f3, t.f4, t.candidate)
														WHEN 'billing' THEN modelgov.decide('billing', t.f1, t.f2, t.f3, t.f4, t.candidate) END)
		   AS decide_mismatches,
	   count(*) FILTER (WHERE modelgov.score(t.model, ARRAY[t.f1, t.f2, t.f3, t.f4], t.candidate)
						  IS DISTINCT FROM CASE t.model WHEN 'support' THEN modelgov.score('support', ARRAY[t.f1, t.f2, t.f3, t.f4], t.candidate)
														WHEN 'billing' THEN modelgov.score('billing', ARRAY[t.f1, t.f2, t.f3, t.f4], t.candidate) END)
		   AS score_mismatches,
	   count(*) FILTER (WHERE modelgov.decide(t.model, '1.0.0', ARRAY[t.f1, t.f2, t.f3, t.f4], t.candidate)
						  IS DISTINCT FROM modelgov.decide(t.model, ARRAY[t.f1, t.f2, t.f3, t.f4], t.candidate))
		   AS versioned_mismatches,
	   count(*) FILTER (WHERE modelgov.decide(t.model, t.f1, t.f2, t.f3, t.f4, t.candidate) IS NULL) AS null_decisions
  FROM tickets t;
SELECT t.id, t.model, modelgov.decide(t.model, t.f1, t.f2, t.f3, t.f4) AS decision,
	   modelgov.explain(t.model, ARRAY[t.f1, t.f2, t.f3, t.f4]) ->> 'model' AS explained_model
  FROM tickets t WHERE t.id IN (0, 1, 2, 3) ORDER BY t.id;
SELECT modelgov.decide(NULL, ARRAY[0.1, 0.1, 0.1, 0.1]) AS untyped_null,
	   modelgov.score(NULL::text, 0.1, 0.1, 0.1, 0.1) AS null_four,
	   modelgov.decide(NULL::text, '1.0.0', ARRAY[0.1, 0.1, 0.1, 0.1]) AS null_versioned,
	   modelgov.explain(NULL::text, ARRAY[0.1, 0.1, 0.1, 0.1]) AS null_explain;

-- an unknown model: 42704, and the hint lists the models
SELECT modelgov.decide('suport', ARRAY[0.1, 0.1, 0.1, 0.1]);
\echo :LAST_ERROR_SQLSTATE
SELECT modelgov.score('Support', 0.1, 0.1, 0.1, 0.1);
SELECT modelgov.explain('nope', ARRAY[0.1, 0.1, 0.1, 0.1]);
SELECT hint_of($$SELECT modelgov.explain('nope', ARRAY[0.1, 0.1, 0.1, 0.1])$$) AS hint;
SELECT modelgov.decide(repeat('x', 100), ARRAY[0.1, 0.1, 0.1, 0.1]);
\echo :LAST_ERROR_SQLSTATE
-- in a statement whose call site meets it on one row only
SELECT count(modelgov.decide(m, ARRAY[0.1, 0.1, 0.1, 0.1]))
  FROM (VALUES ('support'), ('billing'), ('nope')) AS t(m);

-- The untyped-version trap: an untyped literal prefers the text overload,
-- so a 0.1.0 call with a version in quotes names a model "1.0.0".  It fails
-- with a hint that shows the named call; typed, it is the 0.1.0 form,
-- which needs a database with one model.
SELECT modelgov.decide('1.0.0', ARRAY[0.1, 0.1, 0.1, 0.1], 'x');
\echo :LAST_ERROR_SQLSTATE
SELECT modelgov.score('1.0.0', ARRAY[0.1, 0.1, 0.1, 0.1]);
SELECT modelgov.explain('1.0.0', ARRAY[0.1, 0.1, 0.1, 0.1]);
-- Like every unknown model, it names the models in its hint: the caller
-- has to pick one, and a placeholder in quotes ('model') reads as a name.
SELECT hint_of($$SELECT modelgov.decide('1.0.0', ARRAY[0.1, 0.1, 0.1, 0.1], 'x')$$)
		   ~ 'billing' AND
	   hint_of($$SELECT modelgov.decide('1.0.0', ARRAY[0.1, 0.1, 0.1, 0.1], 'x')$$)
		   ~ 'support' AS hint_names_the_models;

-- the 0.1.0 forms without a model, with two models: 55000, listing them
SELECT modelgov.decide(ARRAY[0.1, 0.1, 0.1, 0.1]);
\echo :LAST_ERROR_SQLSTATE
SELECT modelgov.score(ARRAY[0.1, 0.1, 0.1, 0.1], 'x');
SELECT modelgov.decide(0.1, 0.1, 0.1, 0.1);
SELECT modelgov.score(0.1, 0.1, 0.1, 0.1);
SELECT modelgov.decide('1.0.0'::modelgov.semver, ARRAY[0.1, 0.1, 0.1, 0.1], 'x');
\echo :LAST_ERROR_SQLSTATE
SELECT modelgov.score('1.0.0'::modelgov.semver, ARRAY[0.1, 0.1, 0.1, 0.1]);
SELECT modelgov.explain(ARRAY[0.1, 0.1, 0.1, 0.1]);
-- the check is made when a row is scored: a call that is never evaluated
-- raises nothing
SELECT count(*) FROM tickets WHERE id < 0 AND modelgov.decide(f1, f2, f3, f4) = 'AUTO';

-- The cache: each model resolves once per statement, whatever the rows;
-- active_versions shows the production version of each model resolved.
SELECT compiled_versions, active_versions FROM modelgov.cache_stats();
SELECT hits AS hits_before, loads AS loads_before, invalidations AS inval_before FROM modelgov.cache_stats() \gset
SELECT count(*) FILTER (WHERE modelgov.decide('support', f1, f2, f3, f4) = 'AUTO') AS support_auto,
	   count(*) FILTER (WHERE modelgov.decide('billing', f1, f2, f3, f4) = 'AUTO') AS billing_auto
  FROM tickets, generate_series(1, 10);
SELECT loads - :loads_before AS new_loads, hits - :hits_before AS new_hits,
	   invalidations - :inval_before AS new_invalidations
  FROM modelgov.cache_stats();

-- Deploying billing 2.0.0 (as the process does, through the internal
-- promotion) switches billing only: support keeps its version, and no
-- configuration is loaded again (2.0.0 was compiled by the backtest above;
-- nothing was evicted).
SELECT modelgov_internal.promote(v, 'deploy', NULL, 'test', '{}') IS NOT NULL AS promoted
  FROM modelgov.versions v WHERE v.model = 'billing' AND v.version = '2.0.0';
SELECT loads AS loads_before FROM modelgov.cache_stats() \gset
SELECT modelgov.active_version('support', 'production') AS support_production,
	   modelgov.active_version('billing', 'production') AS billing_production,
	   modelgov.decide('support', 0.4, 0, 0, 0) AS support, modelgov.decide('billing', 0.4, 0, 0, 0) AS billing,
	   modelgov.explain('billing', ARRAY[0.4, 0, 0, 0]) ->> 'version' AS billing_explained;
SELECT loads - :loads_before AS new_loads, invalidations > :inval_before AS invalidated,
	   compiled_versions, active_versions
  FROM modelgov.cache_stats();
-- the older billing version is still there for backtests
SELECT modelgov.decide('billing', '1.0.0', ARRAY[0.4, 0, 0, 0]) AS billing_v1,
	   modelgov.decide('billing', '2.0.0', ARRAY[0.4, 0, 0, 0]) AS billing_v2;

-- A retired model is no longer scored, in any form: 42704, and the hint
-- lists the models that can be scored.  The other model scores as before.
SELECT modelgov.retire_model('billing', 'replaced by the support model');
SELECT modelgov.decide('billing', ARRAY[0.1, 0.1, 0.1, 0.1]);
\echo :LAST_ERROR_SQLSTATE
SELECT modelgov.score('billing', 0.1, 0.1, 0.1, 0.1);
SELECT modelgov.decide('billing', '1.0.0', ARRAY[0.1, 0.1, 0.1, 0.1]);
\echo :LAST_ERROR_SQLSTATE
SELECT modelgov.explain('billing', ARRAY[0.1, 0.1, 0.1, 0.1]);
SELECT modelgov.decide('support', ARRAY[0.1, 0.1, 0.1, 0.1]) AS support;
SELECT modelgov.decide('nope', ARRAY[0.1, 0.1, 0.1, 0.1]);
SELECT active_versions FROM modelgov.cache_stats();
-- a retired model still counts for the 0.1.0 forms: two models, one
-- retired, is not a database with one model
SELECT modelgov.decide(ARRAY[0.1, 0.1, 0.1, 0.1]);
\echo :LAST_ERROR_SQLSTATE
-- whose hint must not suggest scoring the retired model
SELECT hint_of($$SELECT modelgov.decide(ARRAY[0.1, 0.1, 0.1, 0.1])$$) !~ $re$\('billing'$re$
		   AS hint_suggests_no_retired_model;
-- its history stays
SELECT model, version, status FROM modelgov.versions ORDER BY model, version;

\c contrib_regression
DROP DATABASE modelgov_models_regress;
