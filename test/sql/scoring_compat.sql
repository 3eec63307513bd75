--
-- Inputs that stay valid across the versions of a MAJOR (evaluation rule 6):
-- a feature with a default takes it when it is left out or NULL (NaN and
-- infinities still count as missing), and inputs beyond a version's
-- features are ignored up to the most features of any version of the same
-- model and MAJOR, so that an application written for 1.2 keeps scoring
-- after a rollback to 1.1.  Every form: array, four-feature, versioned,
-- named and unnamed, explain; a cursor; a parallel plan.
--
CREATE DATABASE modelgov_compat_regress;
\c modelgov_compat_regress
SET client_min_messages = warning;
CREATE EXTENSION modelgov;
RESET client_min_messages;
\set SHOW_CONTEXT never
SET search_path = public, modelgov;

-- A version made as the process makes it (the approval's row), then
-- deployed through the internal promotion, as test/sql/scoring.sql does.
CREATE FUNCTION add_version(model text, v modelgov.semver, config jsonb) RETURNS boolean
LANGUAGE sql AS $$
	INSERT INTO modelgov.versions (version, config, created_at, status, model)
		VALUES (v, modelgov_internal.normalize_config(config), now(), 'approved', model);
	SELECT true;
$$;
CREATE FUNCTION deploy_version(model text, v modelgov.semver) RETURNS boolean
LANGUAGE sql AS $$
	SELECT modelgov_internal.promote(x, 'deploy', NULL, 'test', '{}') IS NOT NULL
	  FROM modelgov.versions x WHERE x.model = $1 AND x.version = $2;
$$;

-- ---- a model of three features, alone in its database -------------------
SELECT modelgov.create_model('short', '{"version": "1.0.0",
	"features": [{"name": "s1"}, {"name": "s2"}, {"name": "s3"}],
	"weights": [0.3, 0.3, 0.3],
	"thresholds": {"auto": 0.2, "escalate": 0.5}}');

-- no version 1.x has four features yet: a fourth input is an error that
-- says how many the version accepts, in the four-feature form too
SELECT modelgov.decide('short', ARRAY[0.1, 0.1, 0.1, 0.1]);
\echo :LAST_ERROR_SQLSTATE
SELECT modelgov.decide('short', 0.1, 0.1, 0.1, 0.1);
SELECT modelgov.score(0.1, 0.1, 0.1, 0.1);

-- A cursor scores with the version, and the limit, of its first rows: a
-- 1.1.0 with a fourth feature deployed between two FETCHes does not make
-- the cursor's 1.0.0 accept four inputs; a new statement takes 1.1.0.
BEGIN;
DECLARE cur CURSOR FOR
	SELECT g, modelgov.decide('short', CASE WHEN g <= 2 THEN ARRAY[0.1, 0.1, 0.1]
									   ELSE ARRAY[0.1, 0.1, 0.1, 0.1] END) AS decision
	  FROM generate_series(1, 4) AS g;
FETCH 2 FROM cur;
SELECT add_version('short', '1.1.0', '{"features": [{"name": "s1"}, {"name": "s2"}, {"name": "s3"},
												{"name": "s4", "default": 0.5}],
	"weights": [0.3, 0.3, 0.3, 0.4],
	"thresholds": {"auto": 0.3, "escalate": 0.5}}'),
	   deploy_version('short', '1.1.0');
SELECT modelgov.active_version('short', 'production') AS production,
	   modelgov.explain('short', ARRAY[0.1, 0.1, 0.1, 0.1]) ->> 'version' AS new_statement;
SAVEPOINT s;
FETCH 2 FROM cur;
ROLLBACK TO s;
CLOSE cur;
COMMIT;

-- 1.1.0 is active.  A NULL for s4, which has a default, takes the default
-- in every form, named and unnamed: the same as passing 0.5 (0.09 + 0.2,
-- AUTO under 0.3), and the same as leaving it out; missing, it would be ASK.
SELECT modelgov.score('short', ARRAY[0.1, 0.1, 0.1, NULL]) AS named_array,
	   modelgov.score('short', ARRAY[0.1, 0.1, 0.1, 0.5]) AS named_array_explicit,
	   modelgov.score('short', ARRAY[0.1, 0.1, 0.1]) AS named_array_short,
	   modelgov.score('short', 0.1, 0.1, 0.1, NULL::float8) AS named_four,
	   modelgov.score(ARRAY[0.1, 0.1, 0.1, NULL]) AS unnamed_array,
	   modelgov.score(0.1, 0.1, 0.1, NULL::float8) AS unnamed_four,
	   modelgov.score('short', '1.1.0', ARRAY[0.1, 0.1, 0.1, NULL]) AS named_versioned,
	   modelgov.score('1.1.0'::modelgov.semver, ARRAY[0.1, 0.1, 0.1, NULL]) AS unnamed_versioned;
SELECT modelgov.decide('short', ARRAY[0.1, 0.1, 0.1, NULL]) AS named_array,
	   modelgov.decide('short', 0.1, 0.1, 0.1, NULL::float8) AS named_four,
	   modelgov.decide(ARRAY[0.1, 0.1, 0.1, NULL]) AS unnamed_array,
	   modelgov.decide(0.1, 0.1, 0.1, NULL::float8) AS unnamed_four,
	   modelgov.decide('short', '1.1.0', ARRAY[0.1, 0.1, 0.1, NULL]) AS named_versioned,
	   modelgov.decide('1.1.0'::modelgov.semver, ARRAY[0.1, 0.1, 0.1, NULL]) AS unnamed_versioned;
-- a NULL for a feature without a default is still missing: NULL, and ASK
SELECT modelgov.score('short', 0.1, NULL::float8, 0.1, 0.1) AS score, modelgov.decide('short', 0.1, NULL::float8, 0.1, 0.1) AS decide,
	   modelgov.score(ARRAY[0.1, 0.1, NULL, NULL]) AS array_score;
-- NaN and infinities still count as missing, also where there is a default
SELECT modelgov.score('short', 0.1, 0.1, 0.1, 'NaN'::float8) AS nan_four,
	   modelgov.decide('short', 0.1, 0.1, 0.1, 'NaN'::float8) AS nan_four_decision,
	   modelgov.score('short', ARRAY[0.1, 0.1, 0.1, 'Infinity']) AS infinity_array,
	   modelgov.score(ARRAY[0.1, 0.1, 0.1, '-Infinity']) AS minus_infinity_unnamed;
-- explain says which features took their default, named and unnamed,
-- active and versioned; a NaN is missing, not defaulted
SELECT e ->> 'version' AS version, e ->> 'p' AS p, f ->> 'name' AS feature, f ->> 'value' AS value,
	   f ->> 'missing' AS missing, f ->> 'default_used' AS default_used
  FROM (VALUES (1, modelgov.explain('short', ARRAY[0.1, 0.1, 0.1, NULL])),
			   (2, modelgov.explain(ARRAY[0.1, 0.1, 0.1, NULL], NULL, '1.1.0')),
			   (3, modelgov.explain('short', ARRAY[0.1, 0.1, 0.1])),
			   (4, modelgov.explain('short', ARRAY[0.1, 0.1, 0.1, 'NaN'])),
			   (5, modelgov.explain('short', ARRAY[0.1, 0.1, 0.1, 0.7]))) AS t(n, e),
	   LATERAL jsonb_array_elements(e -> 'features') WITH ORDINALITY AS x(f, i)
 WHERE x.i = 4
 ORDER BY n;

-- Roll back to 1.0.0: the four-input calls of applications written for
-- 1.1.0 keep scoring, with 1.0.0, which ignores the fourth input, in every
-- form; the result is 1.0.0's on the first three.
SELECT modelgov_internal.rollback('short', 'the fourth feature misbehaves', '1.0.0', 'test');
SELECT modelgov.score('short', ARRAY[0.2, 0.2, 0.2, 0.9]) AS named_array,
	   modelgov.score('short', 0.2, 0.2, 0.2, 0.9) AS named_four,
	   modelgov.score(ARRAY[0.2, 0.2, 0.2, 0.9]) AS unnamed_array,
	   modelgov.score(0.2, 0.2, 0.2, 0.9) AS unnamed_four,
	   modelgov.score('short', '1.0.0', ARRAY[0.2, 0.2, 0.2, 0.9]) AS named_versioned,
	   modelgov.score('1.0.0'::modelgov.semver, ARRAY[0.2, 0.2, 0.2, 0.9]) AS unnamed_versioned,
	   modelgov.score('short', ARRAY[0.2, 0.2, 0.2]) AS three;
SELECT modelgov.decide('short', 0.2, 0.2, 0.2, 0.9) AS named_four, modelgov.decide(0.2, 0.2, 0.2, NULL::float8) AS unnamed_four,
	   modelgov.explain('short', ARRAY[0.2, 0.2, 0.2, 0.9]) - 'features' AS explained,
	   jsonb_array_length(modelgov.explain(ARRAY[0.2, 0.2, 0.2, 0.9]) -> 'features') AS explained_features;
-- five inputs are more than any version 1.x has
SELECT modelgov.score('short', ARRAY[0.2, 0.2, 0.2, 0.9, 0.9]);
\echo :LAST_ERROR_SQLSTATE
SELECT modelgov.explain(ARRAY[0.2, 0.2, 0.2, 0.9, 0.9]);

-- ---- the rollback of issue 11: six features, a seventh with a default ----
SELECT modelgov.create_model('triage', '{"version": "1.1.0",
	"features": [{"name": "priority"}, {"name": "age"}, {"name": "sentiment"}, {"name": "fraud_score"},
				 {"name": "tier"}, {"name": "prior_tickets"}],
	"weights": [0.2, 0.1, 0.15, 0.25, 0.1, 0.1],
	"biases": {"default": 0.0, "billing": -0.05},
	"thresholds": {"auto": 0.2, "escalate": 0.5},
	"safety_rules": [{"name": "fraud", "feature": "fraud_score", "op": ">=", "value": 0.9, "decision": "ESCALATE"}]}');
-- 1.2.0 appends ip_reputation with a default; 1.2.1 moves a threshold
SELECT add_version('triage', '1.2.0', modelgov.model_config('triage', '1.1.0') - 'version' - 'released_at'
		|| '{"features": [{"name": "priority"}, {"name": "age"}, {"name": "sentiment"}, {"name": "fraud_score"},
						  {"name": "tier"}, {"name": "prior_tickets"}, {"name": "ip_reputation", "default": 0.0}],
			 "weights": [0.2, 0.1, 0.15, 0.25, 0.1, 0.1, 0.3]}'),
	   deploy_version('triage', '1.2.0');
SELECT add_version('triage', '1.2.1', modelgov.model_config('triage', '1.2.0') - 'version' - 'released_at'
		|| '{"thresholds": {"auto": 0.22, "escalate": 0.5}}'),
	   deploy_version('triage', '1.2.1');

-- tickets with the new column, nullable: NULL for a third of the rows
CREATE TABLE tickets AS
SELECT g AS id,
	   (g % 10) / 20.0 AS priority, (g % 7) / 14.0 AS age, (g % 5) / 10.0 AS sentiment,
	   CASE WHEN g % 50 = 0 THEN 0.95 ELSE (g % 4) / 10.0 END AS fraud_score,
	   (g % 3) / 6.0 AS tier, (g % 11) / 22.0 AS prior_tickets,
	   CASE WHEN g % 3 = 0 THEN NULL ELSE (g % 13) / 26.0 END AS ip_reputation,
	   CASE WHEN g % 4 = 0 THEN 'billing' END AS candidate
  FROM generate_series(1, 20000) AS g;

-- under 1.2.1, a NULL ip_reputation takes its default: the decision counts
-- equal those with the default passed, and differ from counting the NULL
-- rows as missing (decided ASK)
SELECT modelgov.active_version('triage', 'production') AS production,
	   count(*) FILTER (WHERE ip_reputation IS NULL) AS null_ip,
	   count(*) FILTER (WHERE modelgov.decide('triage', ARRAY[priority, age, sentiment, fraud_score, tier, prior_tickets,
														  ip_reputation], candidate) = 'AUTO') AS auto_nullable,
	   count(*) FILTER (WHERE modelgov.decide('triage', ARRAY[priority, age, sentiment, fraud_score, tier, prior_tickets,
														  COALESCE(ip_reputation, 0.0)], candidate) = 'AUTO') AS auto_default,
	   count(*) FILTER (WHERE ip_reputation IS NOT NULL
						  AND modelgov.decide('triage', ARRAY[priority, age, sentiment, fraud_score, tier, prior_tickets,
														   ip_reputation], candidate) = 'AUTO') AS auto_without_null_rows
  FROM tickets;
SELECT count(*) AS differ
  FROM tickets
 WHERE modelgov.score('triage', ARRAY[priority, age, sentiment, fraud_score, tier, prior_tickets, ip_reputation], candidate)
	   IS DISTINCT FROM
	   modelgov.score('triage', ARRAY[priority, age, sentiment, fraud_score, tier, prior_tickets, COALESCE(ip_reputation, 0.0)], candidate)
	OR modelgov.decide('triage', '1.2.0', ARRAY[priority, age, sentiment, fraud_score, tier, prior_tickets, ip_reputation], candidate)
	   IS DISTINCT FROM
	   modelgov.decide('triage', '1.2.0', ARRAY[priority, age, sentiment, fraud_score, tier, prior_tickets, COALESCE(ip_reputation, 0.0)], candidate);
-- NaN in ip_reputation is still missing: no score, ASK
SELECT modelgov.score('triage', ARRAY[0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 'NaN']) AS nan_score,
	   modelgov.decide('triage', ARRAY[0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 'NaN']) AS nan_decision,
	   modelgov.explain('triage', ARRAY[0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 'NaN']) -> 'features' -> 6 AS nan_explained,
	   modelgov.explain('triage', ARRAY[0.1, 0.1, 0.1, 0.1, 0.1, 0.1, NULL]) -> 'features' -> 6 AS null_explained;

-- The rollback to 1.1.0 (six features): the seven-feature query keeps
-- scoring, and equals 1.1.0 on the first six features, row for row.
SELECT modelgov_internal.rollback('triage', 'ip_reputation feed is late', '1.1.0', 'test');
SELECT modelgov.active_version('triage', 'production') AS production,
	   count(*) FILTER (WHERE modelgov.decide('triage', ARRAY[priority, age, sentiment, fraud_score, tier, prior_tickets,
														  ip_reputation], candidate) = 'AUTO') AS auto_seven,
	   count(*) FILTER (WHERE modelgov.decide('triage', ARRAY[priority, age, sentiment, fraud_score, tier, prior_tickets],
											  candidate) = 'AUTO') AS auto_six
  FROM tickets;
SELECT count(*) AS compared,
	   count(*) FILTER (WHERE modelgov.score('triage', ARRAY[priority, age, sentiment, fraud_score, tier, prior_tickets,
															 ip_reputation], candidate)
							  IS DISTINCT FROM modelgov.score('triage', '1.1.0', ARRAY[priority, age, sentiment, fraud_score,
																					   tier, prior_tickets], candidate)
						   OR modelgov.decide('triage', ARRAY[priority, age, sentiment, fraud_score, tier, prior_tickets,
															  ip_reputation], candidate)
							  IS DISTINCT FROM modelgov.decide('triage', '1.1.0', ARRAY[priority, age, sentiment, fraud_score,
																						tier, prior_tickets], candidate)
						   OR modelgov.decide('triage', '1.1.0', ARRAY[priority, age, sentiment, fraud_score, tier,
																	   prior_tickets, ip_reputation], candidate)
							  IS DISTINCT FROM modelgov.decide('triage', '1.1.0', ARRAY[priority, age, sentiment, fraud_score,
																						tier, prior_tickets], candidate)) AS mismatches
  FROM tickets;
-- eight inputs are more than any version 1.x has: the error names the limit
SELECT modelgov.decide('triage', ARRAY[0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]);
\echo :LAST_ERROR_SQLSTATE
SELECT modelgov.score('triage', '1.2.1', ARRAY[0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]);

-- The same in a parallel plan: the workers score with the leader's
-- version and limit (they get both from the leader), and the leader takes
-- no rows of its own.
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
ANALYZE tickets;
EXPLAIN (COSTS OFF)
SELECT count(*) FROM tickets
 WHERE modelgov.decide('triage', ARRAY[priority, age, sentiment, fraud_score, tier, prior_tickets, ip_reputation],
					   candidate) = 'AUTO';
SELECT count(*) AS auto_parallel FROM tickets
 WHERE modelgov.decide('triage', ARRAY[priority, age, sentiment, fraud_score, tier, prior_tickets, ip_reputation],
					   candidate) = 'AUTO';
SELECT count(*) FROM tickets
 WHERE modelgov.decide('triage', ARRAY[priority, age, sentiment, fraud_score, tier, prior_tickets, ip_reputation, 0.1],
					   candidate) = 'AUTO';
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;

-- ---- another MAJOR: 2.0.0 (five features) and 2.1.0 (eight) --------------
-- Neither widens what 1.x accepts, and 1.x's seven do not widen 2.0.0.
SELECT add_version('triage', '2.0.0', '{"features": [{"name": "priority"}, {"name": "sentiment"}, {"name": "fraud_score"},
													 {"name": "tier"}, {"name": "ip_reputation"}],
	"weights": [0.2, 0.2, 0.3, 0.1, 0.2],
	"thresholds": {"auto": 0.2, "escalate": 0.5}}');
-- a version created after this session read the model's versions: it
-- accepts its own features at once, but no more
SELECT modelgov.score('triage', '2.0.0', ARRAY[0.1, 0.1, 0.1, 0.1, 0.1]) AS own_five;
SELECT modelgov.score('triage', '2.0.0', ARRAY[0.1, 0.1, 0.1, 0.1, 0.1, 0.1]) AS six;
SELECT add_version('triage', '2.1.0', '{"features": [{"name": "priority"}, {"name": "sentiment"}, {"name": "fraud_score"},
													 {"name": "tier"}, {"name": "ip_reputation"},
													 {"name": "x6", "default": 0}, {"name": "x7", "default": 0},
													 {"name": "x8", "default": 0}],
	"weights": [0.2, 0.2, 0.3, 0.1, 0.2, 0.1, 0.1, 0.1],
	"thresholds": {"auto": 0.2, "escalate": 0.5}}');
-- a new session reads them (so does every backend after a deployment);
-- 2.1.0 never ran in production, so it widens nothing: applications were
-- written for versions that ran
\c modelgov_compat_regress
\set SHOW_CONTEXT never
SET search_path = public, modelgov;
SELECT modelgov.score('triage', '2.0.0', ARRAY[0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]) AS two_zero_eight,
	   modelgov.score('triage', '2.0.0', ARRAY[0.1, 0.1, 0.1, 0.1, 0.1]) AS two_zero_five,
	   modelgov.score('triage', '2.1.0', ARRAY[0.1, 0.1, 0.1, 0.1, 0.1]) AS two_one_five,
	   modelgov.score('triage', ARRAY[0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]) AS one_one_seven;
SELECT modelgov.score('triage', '2.0.0', ARRAY[0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]);
SELECT modelgov.score('triage', ARRAY[0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]);
SELECT modelgov.score('triage', '1.2.1', ARRAY[0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]);
-- and one that was never deployed accepts its own features
SELECT add_version('triage', '2.2.0', modelgov.model_config('triage', '2.1.0') - 'version' - 'released_at'
		|| '{"features": [{"name": "priority"}, {"name": "sentiment"}, {"name": "fraud_score"},
						  {"name": "tier"}, {"name": "ip_reputation"},
						  {"name": "x6", "default": 0}, {"name": "x7", "default": 0},
						  {"name": "x8", "default": 0}, {"name": "x9", "default": 0}],
			 "weights": [0.2, 0.2, 0.3, 0.1, 0.2, 0.1, 0.1, 0.1, 0.1]}');
SELECT modelgov.score('triage', '2.2.0', ARRAY[0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]) AS own_nine;

-- a rule on a defaulted feature sees its default when the input is NULL
SELECT add_version('short', '1.2.0', '{"features": [{"name": "s1"}, {"name": "s2"}, {"name": "s3"},
												{"name": "s4", "default": 0.95}],
	"weights": [0.3, 0.3, 0.3, 0.0],
	"thresholds": {"auto": 0.2, "escalate": 0.5},
	"safety_rules": [{"name": "s4_high", "feature": "s4", "op": ">=", "value": 0.9, "decision": "ESCALATE"}]}'),
	   deploy_version('short', '1.2.0');
SELECT modelgov.decide('short', 0.1, 0.1, 0.1, NULL::float8) AS null_four, modelgov.decide('short', 0.1, 0.1, 0.1, 0.1) AS given_four,
	   modelgov.decide('short', ARRAY[0.1, 0.1, 0.1, NULL]) AS null_array,
	   modelgov.explain('short', ARRAY[0.1, 0.1, 0.1, NULL]) -> 'rules_fired' AS rules_fired;

\c contrib_regression
DROP DATABASE modelgov_compat_regress;
