--
-- Backtest before approval (issue 13): score, decide and explain with the
-- target version of a proposal that no version holds yet, so that a
-- reviewer compares the active and the proposed configuration on the same
-- rows in one query.  A dated story: a proposal and its backtest, its
-- explain, two open proposals with one target (an error), a final
-- approval (the version's row then scores, with the same result), a
-- session that scored a proposal's target and then sees another proposal
-- approved as that number, a rebase (the same number with another
-- configuration, and a new number), a renumbered approval, withdrawn and
-- rejected proposals (still scored, for forensics), a non-member, a
-- retired model, a parallel plan, and the 0.1.0 form with a version.
--
CREATE DATABASE modelgov_backtest_regress;
\c modelgov_backtest_regress
SET client_min_messages = warning;
CREATE EXTENSION modelgov;
RESET client_min_messages;
\set SHOW_CONTEXT never
SET TimeZone = 'UTC';
SET modelgov.clock = '2024-02-01 09:00:00+00';

-- the committee; bt_nobody is no member at all
CREATE ROLE bt_alice;
CREATE ROLE bt_bob;
CREATE ROLE bt_carol;
CREATE ROLE bt_charlie;
CREATE ROLE bt_diana;
CREATE ROLE bt_eve;
CREATE ROLE bt_ops;
CREATE ROLE bt_nobody;
GRANT USAGE ON SCHEMA modelgov TO bt_alice, bt_bob, bt_carol, bt_charlie, bt_diana, bt_eve, bt_ops, bt_nobody;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA modelgov TO bt_alice, bt_bob, bt_carol, bt_charlie, bt_diana, bt_eve, bt_ops;
SELECT modelgov.add_member('bt_alice', 'alice@bt.com') IS NOT NULL AS added;
SELECT modelgov.add_member('bt_bob', 'bob@bt.com') IS NOT NULL AS added;
SELECT modelgov.add_member('bt_carol', 'carol@bt.com') IS NOT NULL AS added;
SELECT modelgov.add_member('bt_charlie', 'charlie@bt.com', '{model_science_lead}') IS NOT NULL AS added;
SELECT modelgov.add_member('bt_diana', 'diana@bt.com', '{product_manager}') IS NOT NULL AS added;
SELECT modelgov.add_member('bt_eve', 'eve@bt.com', '{engineering_lead}') IS NOT NULL AS added;
SELECT modelgov.add_member('bt_ops', 'automation', '{deployer}') IS NOT NULL AS added;

SELECT modelgov.create_model('triage', '{"version": "1.0.0",
	"features": [{"name": "f1"}, {"name": "f2"}, {"name": "f3"}, {"name": "f4"}],
	"weights": [0.25, 0.25, 0.25, 0.25],
	"biases": {"default": 0.0},
	"thresholds": {"auto": 0.15, "escalate": 0.50}}', 'backtest model') IS NOT NULL AS created;

-- A statement as a member, through SET ROLE (the governance functions act
-- for the role that calls them); returns what the statement returned.
CREATE FUNCTION as_member(who text, stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	result text;
BEGIN
	EXECUTE format('SET ROLE %I', who);
	EXECUTE stmt INTO result;
	RESET ROLE;
	RETURN result;
END
$$;
-- two reviews (by members other than the proposer) and the three required
-- approvals: the last one freezes the proposal as a version
CREATE FUNCTION pass_committee(id text, reviewers text[]) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r text;
	ck constant jsonb := '{"aligns_with_business_goals": true, "data_quality_sufficient": true,
		"impact_analysis_completed": true, "no_regressions_observed": true,
		"rollback_plan_documented": true, "monitoring_plan_documented": true}';
BEGIN
	FOREACH r IN ARRAY reviewers LOOP
		PERFORM as_member(r, format('SELECT modelgov.review(%L, %L, true)', id, ck));
	END LOOP;
	PERFORM as_member('bt_charlie', format('SELECT modelgov.approve(%L, %L)', id, 'model_science_lead'));
	PERFORM as_member('bt_diana', format('SELECT modelgov.approve(%L, %L)', id, 'product_manager'));
	RETURN as_member('bt_eve', format('SELECT modelgov.approve(%L, %L)', id, 'engineering_lead'));
END
$$;
-- the SQLSTATE, message, detail and hint of a failing query
CREATE FUNCTION error_of(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	st text; msg text; det text; hnt text;
BEGIN
	EXECUTE query;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL,
							hnt = PG_EXCEPTION_HINT;
	RETURN concat_ws(E'\n', st || ' ' || msg, det, hnt);
END
$$;

-- 21 tickets whose risk under 1.0.0 runs from 0 to 1 in steps of 0.05
-- (the four features are equal, so the risk is each of them), half of
-- them from vip customers
CREATE TABLE tickets AS
SELECT i AS id, ARRAY[i / 20.0, i / 20.0, i / 20.0, i / 20.0]::float8[] AS features,
	   CASE WHEN i % 2 = 0 THEN 'vip' ELSE 'regular' END AS team
  FROM generate_series(0, 20) AS i;

\echo '== 2024-02-05: alice proposes the monthly threshold change; 1.0.1 is its target'
SET modelgov.clock = '2024-02-05 10:00:00+00';
SELECT as_member('bt_alice', $$SELECT modelgov.propose('triage', 'threshold_change', 'Monthly ROC/Youden optimization',
	'{"threshold_auto": 0.18, "threshold_escalate": 0.48}', '{"sample_size": 5400}',
	'roll back', 'daily checks')$$) AS proposal;
SELECT proposal_id, base_version, target_version, status, config -> 'thresholds' AS thresholds
  FROM modelgov.proposals ORDER BY proposal_id;
-- no version 1.0.1 exists: only the proposal targets it
SELECT count(*) AS versions_1_0_1 FROM modelgov.versions WHERE version::text = '1.0.1';

\echo '   The backtest: the active and the proposed version on the same rows, in one query'
SELECT t.id, round(modelgov.score('triage', t.features, t.team)::numeric, 2) AS p,
	   modelgov.decide('triage', modelgov.active_version('triage', 'production'), t.features, t.team) AS active,
	   modelgov.decide('triage', '1.0.1', t.features, t.team) AS proposed
  FROM tickets t
 WHERE modelgov.decide('triage', '1.0.0', t.features, t.team)
	   IS DISTINCT FROM modelgov.decide('triage', '1.0.1', t.features, t.team)
 ORDER BY t.id;
-- the decision mix of each, as a reviewer reads it
SELECT d.version, count(*) FILTER (WHERE d.decision = 'AUTO') AS auto,
	   count(*) FILTER (WHERE d.decision = 'ASK') AS ask,
	   count(*) FILTER (WHERE d.decision = 'ESCALATE') AS escalate
  FROM tickets t,
	   LATERAL (VALUES ('1.0.0', modelgov.decide('triage', '1.0.0', t.features, t.team)),
					   ('1.0.1', modelgov.decide('triage', '1.0.1', t.features, t.team))) AS d(version, decision)
 GROUP BY d.version ORDER BY d.version;
-- the active version still scores in production: the proposal changed nothing there
SELECT modelgov.active_version('triage', 'production') AS production,
	   modelgov.decide('triage', ARRAY[0.16, 0.16, 0.16, 0.16]) AS active_at_016,
	   modelgov.decide('triage', '1.0.1', ARRAY[0.16, 0.16, 0.16, 0.16]) AS proposed_at_016;
\echo '   explain of the target names the proposal'
SELECT jsonb_pretty(modelgov.explain('triage', ARRAY[0.16, 0.16, 0.16, 0.16], 'vip', '1.0.1'));
-- the active version's explain has no proposal key
SELECT modelgov.explain('triage', ARRAY[0.16, 0.16, 0.16, 0.16], 'vip', '1.0.0') ? 'proposal' AS has_proposal,
	   modelgov.explain('triage', ARRAY[0.16, 0.16, 0.16, 0.16], 'vip') ? 'proposal' AS active_has_proposal;
-- the 0.1.0 form with a version, while the database holds one model
SELECT modelgov.decide('1.0.1'::modelgov.semver, ARRAY[0.16, 0.16, 0.16, 0.16]) AS compat_proposed,
	   modelgov.explain(ARRAY[0.16, 0.16, 0.16, 0.16], NULL, '1.0.1') ->> 'proposal' AS compat_proposal;
-- a number no version and no proposal holds
SELECT modelgov.decide('triage', '1.0.9', ARRAY[0.1, 0.1, 0.1, 0.1]);
\echo :LAST_ERROR_SQLSTATE
-- a proposal's target scores the proposal's model only
SELECT modelgov.create_model('billing', '{"version": "1.0.0", "weights": [1.0],
	"thresholds": {"auto": 0.1, "escalate": 0.3}}', 'another model') IS NOT NULL AS created;
SELECT modelgov.decide('billing', '1.0.1', ARRAY[0.1]);
\echo :LAST_ERROR_SQLSTATE

\echo '   scoring is PUBLIC: a role that is no member backtests too'
SET ROLE bt_nobody;
SELECT modelgov.decide('triage', '1.0.1', ARRAY[0.16, 0.16, 0.16, 0.16]) AS nobody_proposed,
	   modelgov.score('triage', '1.0.1', ARRAY[0.16, 0.16, 0.16, 0.16]) AS nobody_score;
RESET ROLE;

\echo '== 2024-02-06: bob proposes a bias for vip customers: the same target 1.0.1'
SET modelgov.clock = '2024-02-06 10:00:00+00';
SELECT as_member('bt_bob', $$SELECT modelgov.propose('triage', 'bias_update', 'vip customers are calmer',
	'{"biases": {"vip": -0.1}}', '{"sample_size": 5400}',
	'roll back', 'daily checks')$$) AS proposal;
SELECT proposal_id, target_version, status FROM modelgov.proposals WHERE model = 'triage' ORDER BY proposal_id;
-- two open proposals target 1.0.1: the number does not say which to score
SELECT error_of($$SELECT modelgov.decide('triage', '1.0.1', ARRAY[0.16, 0.16, 0.16, 0.16])$$);
SELECT error_of($$SELECT modelgov.explain('triage', ARRAY[0.16, 0.16, 0.16, 0.16], NULL, '1.0.1')$$);

\echo '== 2024-02-10: bob''s proposal passes the committee first and takes 1.0.1'
SET modelgov.clock = '2024-02-10 10:00:00+00';
-- this session compiled alice's proposal as 1.0.1 in earlier statements
SELECT pass_committee('PROP_202402_002', ARRAY['bt_carol', 'bt_alice']);
SELECT version, status, proposal_id, config -> 'biases' AS biases, config -> 'thresholds' AS thresholds
  FROM modelgov.versions WHERE model = 'triage' ORDER BY version;
-- 1.0.1 is now bob's version: the vip bias, the old thresholds
SELECT modelgov.decide('triage', '1.0.1', ARRAY[0.16, 0.16, 0.16, 0.16], 'regular') AS regular_016,
	   modelgov.decide('triage', '1.0.1', ARRAY[0.16, 0.16, 0.16, 0.16], 'vip') AS vip_016,
	   round(modelgov.score('triage', '1.0.1', ARRAY[0.3, 0.3, 0.3, 0.3], 'vip')::numeric, 6) AS vip_score;
SELECT modelgov.explain('triage', ARRAY[0.16, 0.16, 0.16, 0.16], 'vip', '1.0.1') ->> 'proposal' AS proposal,
	   modelgov.explain('triage', ARRAY[0.16, 0.16, 0.16, 0.16], 'vip', '1.0.1') -> 'thresholds' AS thresholds;
-- alice's proposal still targets 1.0.1 (its approval will renumber it):
-- while bob's version holds the number, it has no number to score by
SELECT proposal_id, target_version, status FROM modelgov.proposals WHERE model = 'triage' ORDER BY proposal_id;

\echo '== 2024-02-12: bob''s 1.0.1 goes to production; alice rebases onto it'
SET modelgov.clock = '2024-02-12 10:00:00+00';
SELECT as_member('bt_ops', $$SELECT modelgov.deploy('PROP_202402_002', 'staging')$$) IS NOT NULL AS staged;
SELECT as_member('bt_ops', $$SELECT modelgov.record_smoke_test('triage', '1.0.1', true, '{}')$$) IS NOT NULL AS smoke;
SELECT as_member('bt_ops', $$SELECT modelgov.deploy('PROP_202402_002', 'production')$$) IS NOT NULL AS deployed;
SELECT modelgov.active_version('triage', 'production') AS production;
SELECT as_member('bt_alice', $$SELECT modelgov.rebase('PROP_202402_001')$$) AS rebased;
-- the rebased target 1.0.2 scores the rebased configuration: alice's
-- thresholds on bob's biases
SELECT modelgov.decide('triage', '1.0.2', ARRAY[0.16, 0.16, 0.16, 0.16], 'regular') AS regular_016,
	   modelgov.decide('triage', '1.0.2', ARRAY[0.2, 0.2, 0.2, 0.2], 'vip') AS vip_020,
	   modelgov.explain('triage', ARRAY[0.2, 0.2, 0.2, 0.2], 'vip', '1.0.2') ->> 'proposal' AS proposal,
	   modelgov.explain('triage', ARRAY[0.2, 0.2, 0.2, 0.2], 'vip', '1.0.2') -> 'thresholds' AS thresholds,
	   modelgov.explain('triage', ARRAY[0.2, 0.2, 0.2, 0.2], 'vip', '1.0.2') -> 'bias' AS bias;
-- the backtest of the rebased proposal, kept to compare with the version
-- its approval will create
CREATE TABLE alice_backtest AS
SELECT t.id, modelgov.decide('triage', '1.0.2', t.features, t.team) AS decision FROM tickets t;
SELECT decision, count(*) FROM alice_backtest GROUP BY decision ORDER BY decision;

\echo '== 2024-02-13: carol proposes a MINOR change: weights; its target 1.1.0'
SET modelgov.clock = '2024-02-13 10:00:00+00';
SELECT as_member('bt_carol', $$SELECT modelgov.propose('triage', 'weights_update', 'weigh f1 more',
	'{"weights": [0.4, 0.2, 0.2, 0.2]}', '{"sample_size": 5400}',
	'roll back', 'daily checks')$$) AS proposal;
SELECT proposal_id, base_version, target_version, status FROM modelgov.proposals
 WHERE model = 'triage' ORDER BY proposal_id;
SELECT modelgov.score('triage', '1.1.0', ARRAY[0.5, 0.0, 0.0, 0.0], 'vip') AS carol_vip;

\echo '== 2024-02-14: bob proposes a billing bias: it targets 1.0.2 too'
SET modelgov.clock = '2024-02-14 10:00:00+00';
SELECT as_member('bt_bob', $$SELECT modelgov.propose('triage', 'bias_update', 'regular customers escalate sooner',
	'{"biases": {"regular": 0.05}}', '{"sample_size": 5400}',
	'roll back', 'daily checks')$$) AS proposal;
SELECT error_of($$SELECT modelgov.score('triage', '1.0.2', ARRAY[0.2, 0.2, 0.2, 0.2])$$);
-- bob's passes the committee first: 1.0.2 is bob's version
SELECT pass_committee('PROP_202402_004', ARRAY['bt_carol', 'bt_alice']);
SELECT modelgov.score('triage', '1.0.2', ARRAY[0.2, 0.2, 0.2, 0.2], 'regular') AS regular_score,
	   modelgov.explain('triage', ARRAY[0.2, 0.2, 0.2, 0.2], 'regular', '1.0.2') ? 'proposal' AS has_proposal;
-- 1.0.3 is no number yet: alice's proposal still targets 1.0.2
SELECT error_of($$SELECT modelgov.score('triage', '1.0.3', ARRAY[0.2, 0.2, 0.2, 0.2])$$);
\echo '   alice''s proposal passes: its approval renumbers it to 1.0.3'
SELECT pass_committee('PROP_202402_001', ARRAY['bt_bob', 'bt_carol']);
SELECT version, status, proposal_id FROM modelgov.versions WHERE model = 'triage' ORDER BY version;
SELECT details ->> 'renumbered_from' AS renumbered_from FROM modelgov.audit_log
 WHERE event_type = 'approved' AND proposal_id = 'PROP_202402_001';
-- 1.0.2 stays bob's, 1.0.3 is alice's, from the versions' rows
SELECT modelgov.score('triage', '1.0.2', ARRAY[0.2, 0.2, 0.2, 0.2], 'regular') AS v102_regular,
	   modelgov.decide('triage', '1.0.3', ARRAY[0.16, 0.16, 0.16, 0.16], 'regular') AS v103_regular_016,
	   modelgov.explain('triage', ARRAY[0.16, 0.16, 0.16, 0.16], 'regular', '1.0.3') -> 'thresholds' AS v103_thresholds,
	   modelgov.explain('triage', ARRAY[0.16, 0.16, 0.16, 0.16], 'regular', '1.0.3') ? 'proposal' AS has_proposal;
-- the version alice's approval created decides every ticket as her
-- proposal's backtest did
SELECT count(*) AS rows, count(*) FILTER (WHERE b.decision IS DISTINCT FROM
			modelgov.decide('triage', '1.0.3', t.features, t.team)) AS differing
  FROM tickets t JOIN alice_backtest b USING (id);

\echo '== 2024-02-15: carol rebases onto 1.0.2 (deployed): the same number 1.1.0, another configuration'
SET modelgov.clock = '2024-02-15 10:00:00+00';
SELECT modelgov.score('triage', '1.1.0', ARRAY[0.5, 0.0, 0.0, 0.0], 'regular') AS before_rebase;
SELECT as_member('bt_ops', $$SELECT modelgov.deploy('PROP_202402_004', 'staging')$$) IS NOT NULL AS staged;
SELECT as_member('bt_ops', $$SELECT modelgov.record_smoke_test('triage', '1.0.2', true, '{}')$$) IS NOT NULL AS smoke;
SELECT as_member('bt_ops', $$SELECT modelgov.deploy('PROP_202402_004', 'production')$$) IS NOT NULL AS deployed;
SELECT as_member('bt_carol', $$SELECT modelgov.rebase('PROP_202402_003')$$) AS rebased;
-- the session compiled 1.1.0 before the rebase: the next statement reads it again
SELECT modelgov.score('triage', '1.1.0', ARRAY[0.5, 0.0, 0.0, 0.0], 'regular') AS after_rebase;

\echo '   In one transaction, each statement reads a proposal''s target again'
BEGIN;
SELECT modelgov.score('triage', '1.1.0', ARRAY[0.5, 0.0, 0.0, 0.0], 'regular') AS carol_1_1_0;
-- bob proposes a MINOR change in the same transaction: 1.1.0 has two targets now
SELECT as_member('bt_bob', $$SELECT modelgov.propose('triage', 'weights_update', 'weigh f4 more',
	'{"weights": [0.2, 0.2, 0.2, 0.4]}', '{"sample_size": 5400}',
	'roll back', 'daily checks')$$) AS proposal;
SELECT error_of($$SELECT modelgov.score('triage', '1.1.0', ARRAY[0.5, 0.0, 0.0, 0.0], 'regular')$$);
ROLLBACK;
-- rolled back: 1.1.0 is carol's again
SELECT modelgov.score('triage', '1.1.0', ARRAY[0.5, 0.0, 0.0, 0.0], 'regular') AS carol_1_1_0;

\echo '== 2024-02-16: withdrawn and rejected proposals stay scorable, for forensics'
SET modelgov.clock = '2024-02-16 10:00:00+00';
SELECT as_member('bt_carol', $$SELECT modelgov.withdraw('PROP_202402_003', 'superseded by a fit next month')$$) AS withdrawn;
SELECT modelgov.score('triage', '1.1.0', ARRAY[0.5, 0.0, 0.0, 0.0], 'regular') AS withdrawn_1_1_0,
	   modelgov.explain('triage', ARRAY[0.5, 0.0, 0.0, 0.0], 'regular', '1.1.0') ->> 'proposal' AS proposal;
SELECT as_member('bt_alice', $$SELECT modelgov.propose('triage', 'threshold_change', 'escalate earlier',
	'{"threshold_escalate": 0.40}', '{"sample_size": 5400}',
	'roll back', 'daily checks')$$) AS proposal;
SELECT proposal_id, target_version, status FROM modelgov.proposals WHERE proposal_id = 'PROP_202402_005';
SELECT as_member('bt_charlie', $$SELECT modelgov.reject('PROP_202402_005', 'too many escalations')$$) AS rejected;
SELECT modelgov.decide('triage', '1.0.4', ARRAY[0.45, 0.45, 0.45, 0.45], 'other') AS rejected_1_0_4,
	   modelgov.decide('triage', ARRAY[0.45, 0.45, 0.45, 0.45], 'other') AS active;
\echo '   A number withdrawn and proposed again: the open proposal scores, then the version'
SELECT as_member('bt_alice', $$SELECT modelgov.propose('triage', 'threshold_change', 'escalate a little earlier',
	'{"threshold_escalate": 0.45}', '{"sample_size": 5400}',
	'roll back', 'daily checks')$$) AS proposal;
SELECT proposal_id, target_version, status FROM modelgov.proposals
 WHERE target_version::text = '1.0.4' ORDER BY proposal_id;
SELECT modelgov.decide('triage', '1.0.4', ARRAY[0.42, 0.42, 0.42, 0.42], 'other') AS open_1_0_4,
	   modelgov.explain('triage', ARRAY[0.42, 0.42, 0.42, 0.42], 'other', '1.0.4') ->> 'proposal' AS proposal;
-- two closed proposals with one target: an error that names them
SELECT as_member('bt_alice', $$SELECT modelgov.withdraw('PROP_202402_006', 'not now')$$) AS withdrawn;
SELECT error_of($$SELECT modelgov.decide('triage', '1.0.4', ARRAY[0.42, 0.42, 0.42, 0.42])$$);

\echo '== A parallel plan decides as a serial one'
CREATE TABLE many AS
SELECT i AS id, ARRAY[(i % 97) / 96.0, (i % 89) / 88.0, (i % 83) / 82.0, (i % 79) / 78.0]::float8[] AS features,
	   CASE WHEN i % 3 = 0 THEN 'vip' ELSE 'regular' END AS team
  FROM generate_series(1, 20000) AS i;
ANALYZE many;
SELECT as_member('bt_alice', $$SELECT modelgov.propose('triage', 'threshold_change', 'auto a little higher',
	'{"threshold_auto": 0.2}', '{"sample_size": 5400}',
	'roll back', 'daily checks')$$) AS proposal;
-- three proposals target 1.0.4 now: the open one scores
SELECT modelgov.explain('triage', ARRAY[0.1, 0.1, 0.1, 0.1], NULL, '1.0.4') ->> 'proposal' AS proposal_1_0_4;
CREATE TABLE serial_result AS
SELECT modelgov.decide('triage', '1.0.4', features, team) AS proposed,
	   modelgov.decide('triage', features, team) AS active, count(*) AS n
  FROM many GROUP BY 1, 2;
SELECT * FROM serial_result ORDER BY 1, 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
-- the same query, planned in parallel: the workers score the proposal too
EXPLAIN (COSTS OFF)
SELECT modelgov.decide('triage', '1.0.4', features, team) AS proposed,
	   modelgov.decide('triage', features, team) AS active, count(*) AS n
  FROM many GROUP BY 1, 2;
CREATE TEMP TABLE parallel_result AS
SELECT modelgov.decide('triage', '1.0.4', features, team) AS proposed,
	   modelgov.decide('triage', features, team) AS active, count(*) AS n
  FROM many GROUP BY 1, 2;
SELECT count(*) AS groups, (SELECT count(*) FROM (TABLE parallel_result EXCEPT TABLE serial_result) x) AS only_parallel,
	   (SELECT count(*) FROM (TABLE serial_result EXCEPT TABLE parallel_result) x) AS only_serial
  FROM parallel_result;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;

\echo '== The open proposal passes unchanged: its version compiles as nothing new'
SELECT modelgov.decide('triage', '1.0.4', ARRAY[0.19, 0.19, 0.19, 0.19], 'other') AS before_approval,
	   (modelgov.cache_stats()).loads AS loads \gset
SELECT :'before_approval' AS before_approval;
SELECT pass_committee('PROP_202402_007', ARRAY['bt_bob', 'bt_carol']);
SELECT modelgov.decide('triage', '1.0.4', ARRAY[0.19, 0.19, 0.19, 0.19], 'other') AS after_approval,
	   modelgov.explain('triage', ARRAY[0.19, 0.19, 0.19, 0.19], 'other', '1.0.4') ? 'proposal' AS has_proposal,
	   (modelgov.cache_stats()).loads - :loads AS compiled;

\echo '== A retired model: its proposals are withdrawn, and nothing of it is scored'
SELECT as_member('bt_alice', $$SELECT modelgov.propose('triage', 'threshold_change', 'one more',
	'{"threshold_auto": 0.21}', '{"sample_size": 5400}', 'roll back', 'daily checks')$$) AS proposal;
SELECT modelgov.decide('triage', '1.0.5', ARRAY[0.2, 0.2, 0.2, 0.2]) AS before_retirement;
SELECT modelgov.retire_model('triage', 'replaced') IS NOT NULL AS retired;
SELECT proposal_id, status FROM modelgov.proposals WHERE proposal_id = 'PROP_202402_008';
SELECT error_of($$SELECT modelgov.decide('triage', '1.0.5', ARRAY[0.3, 0.3, 0.3, 0.3])$$);
SELECT error_of($$SELECT modelgov.decide('triage', '1.0.4', ARRAY[0.3, 0.3, 0.3, 0.3])$$);

\c contrib_regression
DROP DATABASE modelgov_backtest_regress;
DROP ROLE bt_alice, bt_bob, bt_carol, bt_charlie, bt_diana, bt_eve, bt_ops, bt_nobody;
