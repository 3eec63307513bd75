--
-- governance.sql
--		The governance process, rule by rule: identity, propose, review,
--		approve, reject, withdraw, deploy (staging, smoke test, production),
--		exactly one active version, rollback, and the audit log that every
--		action appends to.  Each rule is checked with the SQLSTATE a client
--		gets.  The last section holds regression tests for defects found and fixed.
--
-- Everything made here (roles, members, proposals, versions) is rolled back
-- with the transaction.  Run as a superuser (pg_prove connects as postgres).
-- modelgov.clock is superuser-only: it is always set with no role set.
--
BEGIN;
\ir helpers.psql
SELECT plan(192);

SET modelgov.clock = '2024-02-16 10:00:00+00';

--
-- Roles.  Each member gets exactly the grants of the docs: USAGE on the
-- schema and EXECUTE on every function.  mg_gv_zed inherits mg_gv_alice's
-- privileges but is not a member; "Mg Gv Quoted" is a member whose name
-- needs quoting.
--
CREATE ROLE mg_gv_alice NOLOGIN;	-- proposer; model_science_lead
CREATE ROLE mg_gv_bob NOLOGIN;		-- model_science_lead
CREATE ROLE mg_gv_carol NOLOGIN;	-- product_manager
CREATE ROLE mg_gv_dave NOLOGIN;		-- engineering_lead
CREATE ROLE mg_gv_erin NOLOGIN;		-- product_manager and engineering_lead
CREATE ROLE mg_gv_frank NOLOGIN;	-- deployer
CREATE ROLE mg_gv_gina NOLOGIN;		-- customer_success_lead
CREATE ROLE mg_gv_hank NOLOGIN;		-- member without duties
CREATE ROLE mg_gv_zed NOLOGIN;		-- not a member
CREATE ROLE "Mg Gv Quoted" NOLOGIN;	-- member, name needs quoting
GRANT mg_gv_alice TO mg_gv_zed;
GRANT USAGE ON SCHEMA modelgov TO mg_gv_alice, mg_gv_bob, mg_gv_carol, mg_gv_dave, mg_gv_erin,
	mg_gv_frank, mg_gv_gina, mg_gv_hank, mg_gv_zed, "Mg Gv Quoted";
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA modelgov TO mg_gv_alice, mg_gv_bob, mg_gv_carol, mg_gv_dave,
	mg_gv_erin, mg_gv_frank, mg_gv_gina, mg_gv_hank, mg_gv_zed, "Mg Gv Quoted";

--
-- Helpers of this suite (the shared ones are in helpers.psql).
--
-- how many versions are active, which, and what production runs
CREATE FUNCTION pg_temp.active() RETURNS text
	LANGUAGE sql AS $$
	SELECT format('%s active: %s; production runs %s',
				  (SELECT count(*) FROM modelgov.versions v WHERE v.status = 'active'),
				  (SELECT string_agg(v.version::text, ',' ORDER BY v.version::text)
					 FROM modelgov.versions v WHERE v.status = 'active'),
				  modelgov.active_version('production'))
$$;
CREATE FUNCTION pg_temp.status_of(id text) RETURNS text
	LANGUAGE sql AS $$SELECT p.status FROM modelgov.proposals p WHERE p.proposal_id = id$$;
CREATE FUNCTION pg_temp.target_of(id text) RETURNS text
	LANGUAGE sql AS $$SELECT p.target_version::text FROM modelgov.proposals p WHERE p.proposal_id = id$$;

--
-- The first version and the members, as the superuser.
--
SELECT is(modelgov.init_model(
			'{"weights": [0.30, 0.30, 0.20, 0.20], "threshold_auto": 0.15, "threshold_escalate": 0.50,
			  "safety_rules": [{"name": "fraud_signal", "feature": "f3", "op": ">=", "value": 0.9,
								"decision": "ESCALATE"}]}')::text,
		  '1.0.0', 'init_model creates the active version 1.0.0');
DO $$
BEGIN
	PERFORM modelgov.add_member('mg_gv_alice', 'alice@company.com', '{model_science_lead}');
	PERFORM modelgov.add_member('mg_gv_bob', 'bob@company.com', '{model_science_lead}');
	PERFORM modelgov.add_member('mg_gv_carol', 'carol@company.com', '{product_manager}');
	PERFORM modelgov.add_member('mg_gv_dave', 'dave@company.com', '{engineering_lead}');
	PERFORM modelgov.add_member('mg_gv_erin', 'erin@company.com', '{product_manager,engineering_lead}');
	PERFORM modelgov.add_member('mg_gv_frank', 'frank@company.com', '{deployer}');
	PERFORM modelgov.add_member('mg_gv_gina', 'gina@company.com', '{customer_success_lead}');
	PERFORM modelgov.add_member('mg_gv_hank', 'hank@company.com', '{}');
	PERFORM modelgov.add_member('"Mg Gv Quoted"', 'quoted@company.com', '{}');
END
$$;
SELECT is(pg_temp.active(), '1 active: 1.0.0; production runs 1.0.0',
		  'after init exactly one version is active, and production runs it');

------------------------------------------------------------------------------
-- 1. Identity: the calling role, never an argument
------------------------------------------------------------------------------
SET ROLE mg_gv_alice;
SELECT is(modelgov.propose('threshold_change', 'Raise the auto threshold', '{"threshold_auto": 0.18}',
						   '{"sample_size": 5000, "expected_auto_resolve_rate": 0.12}',
						   'modelgov.rollback() to 1.0.0', 'daily metrics for seven days'),
		  'PROP_202402_001', 'a member proposes; the first id of February 2024 is PROP_202402_001');
RESET ROLE;
SELECT results_eq(
	$$SELECT proposer, proposer_identity, proposed_at FROM modelgov.proposals
	   WHERE proposal_id = 'PROP_202402_001'$$,
	$$VALUES ('mg_gv_alice'::text, 'alice@company.com'::text, '2024-02-16 10:00:00+00'::timestamptz)$$,
	'the proposer is the SET ROLE role with its identity, at the modelgov.clock time');
SELECT is(pg_temp.last_event(with_proposal => true), 'proposal|mg_gv_alice|PROP_202402_001|1.0.1|proposed',
		  'the audit entry names the SET ROLE role as actor');

-- the session user acts as itself when no role is set
DO $$
BEGIN
	PERFORM modelgov.add_member(session_user::text::regrole, 'admin@company.com', '{}');
END
$$;
SELECT is(modelgov.propose('performance_fix', 'Faster scoring, same configuration', '{}'),
		  'PROP_202402_002', 'the session user, being a member, proposes without SET ROLE');
SELECT is((SELECT proposer FROM modelgov.proposals WHERE proposal_id = 'PROP_202402_002'),
		  session_user::text, 'with no role set the proposer is the session user');
DO $$
BEGIN
	PERFORM modelgov.remove_member(session_user::text::regrole);
END
$$;

-- privileges inherited from a member do not make a role that member
SET ROLE mg_gv_zed;
SELECT throws_ok($$SELECT modelgov.propose('bug_fix', 'zed', '{}')$$,
				 '42501', 'permission denied to propose changes',
				 'a non-member that inherits a member''s privileges may not propose (42501)');
RESET ROLE;

-- no governance function takes the actor as an argument
SELECT is((SELECT count(DISTINCT p.proname)::int FROM pg_catalog.pg_proc p
			WHERE p.pronamespace = 'modelgov'::regnamespace
			  AND p.proname IN ('propose', 'review', 'approve', 'reject', 'withdraw', 'deploy',
								'record_smoke_test', 'rollback')),
		  8, 'the eight governance actions exist');
SELECT is_empty(
	$$SELECT p.oid::regprocedure::text, a.name
		FROM pg_catalog.pg_proc p, pg_catalog.unnest(p.proargnames) AS a(name)
	   WHERE p.pronamespace = 'modelgov'::regnamespace
		 AND p.proname IN ('propose', 'review', 'approve', 'reject', 'withdraw', 'deploy',
						   'record_smoke_test', 'rollback')
		 AND a.name ~* '(proposer|reviewer|approver|actor|member|identity|user|who|_by$)'$$,
	'no governance action has a parameter naming who acts');

------------------------------------------------------------------------------
-- 2. Propose
------------------------------------------------------------------------------
SELECT results_eq(
	$$SELECT base_version::text, target_version::text, old_values, new_values
		FROM modelgov.proposals WHERE proposal_id = 'PROP_202402_001'$$,
	$$VALUES ('1.0.0', '1.0.1', '{"threshold_auto": 0.15}'::jsonb, '{"threshold_auto": 0.18}'::jsonb)$$,
	'old values come from the active version; threshold_change targets the next patch 1.0.1');

SELECT pg_temp.state() AS st_propose \gset
SET ROLE mg_gv_alice;
SELECT matches(pg_temp.error_of(
	$$SELECT modelgov.propose('threshold_change', 'x', '{"threshold_auto": 0.18, "old_values": {"threshold_auto": 0.99}}')$$),
	'^22023 invalid model configuration \| Unknown key "old_values"',
	'the caller cannot supply old values (22023)');
SELECT throws_ok(
	$$SELECT modelgov.propose('weights_update', 'only thresholds', '{"threshold_auto": 0.18}')$$,
	'22023', 'declared change type weights_update does not cover the change',
	'a weights_update that only changes thresholds is refused (22023)');
SELECT matches(pg_temp.error_of(
	$$SELECT modelgov.propose('weights_update', 'only thresholds', '{"threshold_auto": 0.18}')$$),
	'^22023 [^|]*\| .*threshold_change',
	'the refusal''s DETAIL names the change type it really is, threshold_change');
SELECT throws_ok(
	$$SELECT modelgov.propose('threshold_change', 'same', '{"threshold_auto": 0.15}')$$,
	'22023', 'proposal changes nothing',
	'a threshold_change that changes nothing is refused (22023)');
SELECT throws_ok(
	$$SELECT modelgov.propose('weights_update', 'same', '{"weights": [0.3, 0.3, 0.2, 0.2]}')$$,
	'22023', 'proposal changes nothing',
	'a weights_update to the same weights is refused (22023)');
-- a feature without a default is a new required input: MAJOR, whatever
-- the policy of feature_addition (minor) says (issue 12; versions.sql)
SELECT is(pg_temp.probe(ARRAY[$$SELECT modelgov.propose('feature_addition', 'f5 without a default',
		'{"features": [{"name": "f1"}, {"name": "f2"}, {"name": "f3"}, {"name": "f4"}, {"name": "f5"}],
		  "weights": [0.3, 0.3, 0.2, 0.2, 0.05]}')$$],
	$$SELECT p.target_version::text FROM modelgov.proposals p WHERE p.description = 'f5 without a default'$$),
	'2.0.0', 'feature_addition of a feature without a default targets a MAJOR version under the default (minor) policy');

-- invalid configurations
SELECT matches(pg_temp.error_of(
	$$SELECT modelgov.propose('threshold_change', 'x', '{"threshold_auto": -0.1}')$$),
	'^22023 invalid model configuration \| thresholds\.auto must be between 0 and 1',
	'a threshold below 0 is refused (22023)');
SELECT matches(pg_temp.error_of(
	$$SELECT modelgov.propose('threshold_change', 'x', '{"threshold_escalate": 1.5}')$$),
	'^22023 invalid model configuration \| thresholds\.escalate must be between 0 and 1',
	'a threshold above 1 is refused (22023)');
SELECT matches(pg_temp.error_of(
	$$SELECT modelgov.propose('threshold_change', 'x', '{"threshold_auto": 0.6}')$$),
	'^22023 invalid model configuration \| thresholds\.auto \(0\.6\) must not exceed thresholds\.escalate',
	'auto above escalate is refused (22023)');
SELECT matches(pg_temp.error_of(
	$$SELECT modelgov.propose('weights_update', 'x', '{"weights": [0.3, "0.3", 0.2, 0.2]}')$$),
	'^22023 invalid model configuration \| weights\[1\] must be a number',
	'a weight that is not a number is refused (22023)');
SELECT matches(pg_temp.error_of(
	$$SELECT modelgov.propose('weights_update', 'x', '{"weights": [0.4, 0.3, 0.2, 0.2], "foo": 1}')$$),
	'^22023 invalid model configuration \| Unknown key "foo"',
	'an unknown configuration key is refused (22023)');
SELECT matches(pg_temp.error_of(
	$$SELECT modelgov.propose('calibration_update', 'x', '{"calibration": {"method": "temperature", "T": 0}}')$$),
	'^22023 invalid model configuration \| calibration\.T must be positive',
	'temperature T = 0 is refused (22023)');
SELECT matches(pg_temp.error_of(
	$$SELECT modelgov.propose('calibration_update', 'x', '{"calibration": {"method": "temperature", "T": -0.5}}')$$),
	'^22023 invalid model configuration \| calibration\.T must be positive',
	'temperature T < 0 is refused (22023)');
SELECT matches(pg_temp.error_of(
	$$SELECT modelgov.propose('calibration_update', 'x', '{"calibration": {"method": "isotonic"}}')$$),
	'^22023 invalid model configuration \| Unknown calibration method "isotonic"',
	'an unknown calibration method is refused (22023)');
SELECT matches(pg_temp.error_of(
	$$SELECT modelgov.propose('safety_rule_change', 'x',
		'{"safety_rules": [{"name": "r", "feature": "f9", "op": ">", "value": 0.5, "decision": "ASK"}]}')$$),
	'^22023 invalid model configuration \| Safety rule "r" refers to unknown feature "f9"',
	'a safety rule on an unknown feature is refused (22023)');
SELECT matches(pg_temp.error_of(
	$$SELECT modelgov.propose('safety_rule_change', 'x',
		'{"safety_rules": [{"name": "r", "feature": "f1", "op": ">", "value": 0.5, "decision": "AUTO"}]}')$$),
	'^22023 invalid model configuration \| Safety rule "r" decides "AUTO"',
	'a safety rule deciding AUTO is refused (22023)');
SELECT matches(pg_temp.error_of(
	$$SELECT modelgov.propose('safety_rule_change', 'x',
		'{"safety_rules": [{"name": "r", "feature": "f1", "op": "=", "value": 0.5, "decision": "ASK"}]}')$$),
	'^22023 invalid model configuration \| Safety rule "r" has operator "="',
	'a safety rule with op "=" is refused (22023)');
SELECT matches(pg_temp.error_of(
	$$SELECT modelgov.propose('weights_update', 'x', '{"weights": [0.3, 0.3, 0.2, 0.2, 0.1]}')$$),
	'^22023 invalid model configuration \| "features" must be an array with one entry per weight \(5\)',
	'five weights for four features are refused (22023)');
SELECT matches(pg_temp.error_of(
	$$SELECT modelgov.propose('feature_removal', 'x',
		'{"features": [{"name": "f1"}, {"name": "f2"}, {"name": "f3"}, {"name": "f4"}], "weights": [0.3, 0.3, 0.4]}')$$),
	'^22023 invalid model configuration \| "features" must be an array with one entry per weight \(3\)',
	'four features for three weights are refused (22023)');
RESET ROLE;
SELECT is(pg_temp.state(), :'st_propose', 'the refused proposals left no trace in any table');

-- allowed no-change proposals, and the target version from the policy
SET ROLE mg_gv_alice;
SELECT is(modelgov.propose('bug_fix', 'Correct the rounding of scores', '{}'),
		  'PROP_202402_003', 'a bug_fix may keep the configuration unchanged; ids continue in sequence');
SELECT is(modelgov.propose('weights_update', 'Monthly optimization on February data',
						   '{"weights": [0.45, 0.38, 0.22, 0.15]}',
						   '{"sample_size": 1001}', 'roll back to the previous version', 'daily metrics'),
		  'PROP_202402_004', 'a weights_update is proposed');
SET client_min_messages = error;	-- propose warns of other open proposals changing the same keys (day_two.sql)
SELECT is(modelgov.propose('feature_removal', 'Drop f4',
						   '{"features": [{"name": "f1"}, {"name": "f2"}, {"name": "f3"}], "weights": [0.30, 0.30, 0.20]}',
						   '{"sample_size": 5000}', 'roll back', 'daily metrics'),
		  'PROP_202402_005', 'a feature_removal of the last feature is proposed');
SELECT is(modelgov.propose('feature_addition', 'Add f5 with a default',
						   '{"features": [{"name": "f1"}, {"name": "f2"}, {"name": "f3"}, {"name": "f4"},
										  {"name": "f5", "default": 0.0}],
							 "weights": [0.30, 0.30, 0.20, 0.20, 0.05]}'),
		  'PROP_202402_006', 'appending a feature with a default is a feature_addition');
RESET client_min_messages;
RESET ROLE;
SELECT is(pg_temp.target_of('PROP_202402_003'), '1.0.1', 'bug_fix targets a patch: 1.0.1');
SELECT is(pg_temp.target_of('PROP_202402_004'), '1.1.0', 'weights_update targets a minor: 1.1.0');
SELECT is(pg_temp.target_of('PROP_202402_005'), '2.0.0', 'feature_removal targets a major: 2.0.0');
SELECT is(pg_temp.target_of('PROP_202402_006'), '1.1.0',
		  'feature_addition with a default is allowed as a minor: 1.1.0');

-- ids: the month of modelgov.clock, a sequence within each month
SET modelgov.clock = '2024-03-05 09:00:00+00';
SET ROLE mg_gv_alice;
SELECT is(modelgov.propose('bias_update', 'Billing bias', '{"biases": {"billing": -0.05}}',
						   '{"sample_size": 2000}', 'roll back', 'daily metrics'),
		  'PROP_202403_001', 'a new month starts its own sequence: PROP_202403_001');
RESET ROLE;
SET modelgov.clock = '2024-02-29 12:00:00+00';
SET TimeZone = 'Pacific/Kiritimati';	-- UTC+14: already March 1st locally
SET ROLE mg_gv_alice;
SELECT is(modelgov.propose('calibration_update', 'Temperature scaling',
						   '{"calibration": {"method": "temperature", "T": 1.5}}'),
		  'PROP_202402_007', 'February continues its sequence; the month does not follow the session TimeZone');
SELECT is(modelgov.propose('safety_rule_change', 'Lower the fraud rule',
						   '{"safety_rules": [{"name": "fraud_signal", "feature": "f3", "op": ">=",
											   "value": 0.85, "decision": "ESCALATE"}]}',
						   '{"sample_size": 1000}'),
		  'PROP_202402_008', 'the next February proposal is PROP_202402_008');
RESET ROLE;
RESET TimeZone;
SET modelgov.clock = '2024-02-16 10:00:00+00';
SELECT is((SELECT proposed_at FROM modelgov.proposals WHERE proposal_id = 'PROP_202403_001'),
		  '2024-03-05 09:00:00+00'::timestamptz, 'proposed_at is the modelgov.clock time');

------------------------------------------------------------------------------
-- 3. Review
------------------------------------------------------------------------------
SELECT pg_temp.state() AS st_review \gset
SET ROLE mg_gv_alice;
SELECT throws_ok($$SELECT modelgov.review('PROP_202402_001', pg_temp.ck(), true)$$,
				 '42501', 'permission denied to review proposal PROP_202402_001',
				 'the proposer may not review their own proposal (42501)');
RESET ROLE;
SET ROLE mg_gv_zed;
SELECT throws_ok($$SELECT modelgov.review('PROP_202402_001', pg_temp.ck(), true)$$,
				 '42501', 'permission denied to review proposals',
				 'a non-member may not review (42501)');
RESET ROLE;
SET ROLE mg_gv_bob;
SELECT matches(pg_temp.error_of(
	$$SELECT modelgov.review('PROP_202402_001', pg_temp.ck() - 'no_regressions_observed', true)$$),
	'^22023 invalid review checklist \| Checklist item "no_regressions_observed" must be true or false',
	'a checklist missing an item is refused (22023)');
SELECT matches(pg_temp.error_of(
	$$SELECT modelgov.review('PROP_202402_001', pg_temp.ck('{"looks_good": true}'), true)$$),
	'^22023 invalid review checklist \| Unknown checklist item "looks_good"',
	'a checklist with an unknown item is refused (22023)');
SELECT matches(pg_temp.error_of(
	$$SELECT modelgov.review('PROP_202402_001', pg_temp.ck('{"aligns_with_business_goals": "yes"}'), true)$$),
	'^22023 invalid review checklist \| Checklist item "aligns_with_business_goals" must be true or false',
	'a checklist item that is not a boolean is refused (22023)');
SELECT matches(pg_temp.error_of(
	$$SELECT modelgov.review('PROP_202402_001', pg_temp.ck('{"no_regressions_observed": false}'), true)$$),
	'^22023 an approving review needs every checklist item \| Checklist item "no_regressions_observed" is false',
	'an approving review with a false item is refused (22023)');
-- attested items the database checks itself
SELECT matches(pg_temp.error_of(
	$$SELECT modelgov.review('PROP_202402_008', pg_temp.ck(), true)$$),
	'^23514 data quality is not sufficient \| .*sample_size 1000',
	'data_quality_sufficient with sample_size 1000 is refused (23514)');
SELECT matches(pg_temp.error_of(
	$$SELECT modelgov.review('PROP_202402_008', pg_temp.ck_none('{"data_quality_sufficient": true}'), false)$$),
	'^23514 data quality is not sufficient',
	'data_quality_sufficient is checked in a negative review too (23514)');
SELECT matches(pg_temp.error_of(
	$$SELECT modelgov.review('PROP_202402_007', pg_temp.ck_none('{"data_quality_sufficient": true}'), false)$$),
	'^23514 data quality is not sufficient \| .*sample_size missing',
	'data_quality_sufficient without any impact analysis is refused (23514)');
SELECT matches(pg_temp.error_of(
	$$SELECT modelgov.review('PROP_202402_007', pg_temp.ck_none('{"impact_analysis_completed": true}'), false)$$),
	'^23514 the impact analysis is missing',
	'impact_analysis_completed without an impact analysis is refused (23514)');
SELECT matches(pg_temp.error_of(
	$$SELECT modelgov.review('PROP_202402_008', pg_temp.ck_none('{"rollback_plan_documented": true}'), false)$$),
	'^23514 the rollback plan is missing',
	'rollback_plan_documented without a rollback plan is refused (23514)');
SELECT matches(pg_temp.error_of(
	$$SELECT modelgov.review('PROP_202402_008', pg_temp.ck_none('{"monitoring_plan_documented": true}'), false)$$),
	'^23514 the monitoring plan is missing',
	'monitoring_plan_documented without a monitoring plan is refused (23514)');
RESET ROLE;
SELECT is(pg_temp.state(), :'st_review', 'the refused reviews left no trace in any table');

-- two approving reviews by distinct members
SET ROLE mg_gv_bob;
SELECT lives_ok($$SELECT modelgov.review('PROP_202402_001', pg_temp.ck(), true, 'looks right')$$,
				'bob reviews PROP_202402_001 with every item true');
SELECT is(pg_temp.status_of('PROP_202402_001'), 'in_review', 'one review: the proposal is in_review');
SELECT is(modelgov.review('PROP_202402_001', pg_temp.ck(), true, 'again'),
		  'in review: 1 of two approving reviews',
		  'a reviewer replaces their own review: still one review, which the call says');
SELECT lives_ok($$SELECT modelgov.review('PROP_202402_004', pg_temp.ck(), true)$$,
				'sample_size 1001 is enough for data_quality_sufficient');
RESET ROLE;
SET ROLE mg_gv_dave;
SELECT throws_ok($$SELECT modelgov.approve('PROP_202402_001', 'engineering_lead')$$,
				 '55000', 'cannot approve proposal PROP_202402_001',
				 'approval before two reviews is refused (55000)');
RESET ROLE;
SET ROLE mg_gv_hank;
SELECT lives_ok($$SELECT modelgov.review('PROP_202402_008', pg_temp.ck_none(), false, 'not convinced')$$,
				'a member without duties records a negative review');
RESET ROLE;
SELECT is(pg_temp.status_of('PROP_202402_008'), 'in_review', 'a negative review does not count toward two');
SET ROLE mg_gv_carol;
SELECT lives_ok($$SELECT modelgov.review('PROP_202402_001', pg_temp.ck(), true)$$,
				'carol reviews PROP_202402_001');
SELECT lives_ok($$SELECT modelgov.review('PROP_202402_004', pg_temp.ck(), true)$$,
				'carol reviews PROP_202402_004');
SELECT lives_ok($$SELECT modelgov.review('PROP_202402_005', pg_temp.ck(), true)$$,
				'carol reviews PROP_202402_005');
SELECT lives_ok($$SELECT modelgov.review('PROP_202403_001', pg_temp.ck(), true)$$,
				'carol reviews PROP_202403_001');
RESET ROLE;
SET ROLE mg_gv_bob;
SELECT lives_ok($$SELECT modelgov.review('PROP_202402_005', pg_temp.ck(), true)$$,
				'bob reviews PROP_202402_005');
SELECT lives_ok($$SELECT modelgov.review('PROP_202403_001', pg_temp.ck(), true)$$,
				'bob reviews PROP_202403_001');
RESET ROLE;
SELECT results_eq(
	$$SELECT p.status, (SELECT count(DISTINCT r.reviewer) FROM modelgov.reviews r
						 WHERE r.proposal_id = p.proposal_id AND r.approve)
		FROM modelgov.proposals p WHERE p.proposal_id = 'PROP_202402_001'$$,
	$$VALUES ('reviewed'::text, 2::bigint)$$,
	'two approving reviews by distinct members: the proposal is reviewed');

------------------------------------------------------------------------------
-- 4. Approve
------------------------------------------------------------------------------
SELECT pg_temp.state() AS st_approve \gset
SET ROLE mg_gv_frank;
SELECT throws_ok($$SELECT modelgov.approve('PROP_202402_001', 'deployer')$$,
				 '22023', 'cannot approve as deployer',
				 'approving as deployer is refused (22023)');
RESET ROLE;
SET ROLE mg_gv_alice;
SELECT throws_ok($$SELECT modelgov.approve('PROP_202402_001', 'model_science_lead')$$,
				 '42501', 'permission denied to approve proposal PROP_202402_001',
				 'the proposer may not approve, even holding the role (42501)');
RESET ROLE;
SET ROLE mg_gv_carol;
SELECT throws_ok($$SELECT modelgov.approve('PROP_202402_001', 'engineering_lead')$$,
				 '42501', 'permission denied to approve as engineering_lead',
				 'a member may not approve in a role they do not hold (42501)');
RESET ROLE;
SET ROLE mg_gv_zed;
SELECT throws_ok($$SELECT modelgov.approve('PROP_202402_001', 'model_science_lead')$$,
				 '42501', 'permission denied to approve as model_science_lead',
				 'a non-member may not approve (42501)');
RESET ROLE;
SELECT is(pg_temp.state(), :'st_approve', 'the refused approvals left no trace in any table');

SET ROLE mg_gv_bob;
SELECT lives_ok($$SELECT modelgov.approve('PROP_202402_001', 'model_science_lead')$$,
				'bob approves as model_science_lead');
RESET ROLE;
SET ROLE mg_gv_erin;
SELECT lives_ok($$SELECT modelgov.approve('PROP_202402_001', 'product_manager')$$,
				'erin approves as product_manager');
SELECT throws_ok($$SELECT modelgov.approve('PROP_202402_001', 'engineering_lead')$$,
				 '23505', 'erin@company.com has already approved proposal PROP_202402_001',
				 'one member may not approve in a second role (23505)');
RESET ROLE;
SET ROLE mg_gv_carol;
SELECT throws_ok($$SELECT modelgov.approve('PROP_202402_001', 'product_manager')$$,
				 '23505', 'proposal PROP_202402_001 is already approved by its product_manager',
				 'a role may not approve twice (23505)');
RESET ROLE;
SELECT results_eq(
	$$SELECT p.status, EXISTS (SELECT 1 FROM modelgov.versions v WHERE v.version::text = '1.0.1')
		FROM modelgov.proposals p WHERE p.proposal_id = 'PROP_202402_001'$$,
	$$VALUES ('reviewed'::text, false)$$,
	'two of three required roles: still reviewed, no version yet');
SET ROLE mg_gv_dave;
SELECT lives_ok($$SELECT modelgov.approve('PROP_202402_001', 'engineering_lead', '2024-02-20 09:00:00+00')$$,
				'dave approves as engineering_lead, scheduling the deployment');
RESET ROLE;
SELECT results_eq(
	$$SELECT status, approved_at, scheduled_deployment FROM modelgov.proposals
	   WHERE proposal_id = 'PROP_202402_001'$$,
	$$VALUES ('approved'::text, '2024-02-16 10:00:00+00'::timestamptz, '2024-02-20 09:00:00+00'::timestamptz)$$,
	'the third required role approves it: approved, with approved_at and scheduled_deployment');
SELECT results_eq(
	$$SELECT v.status, v.config = p.config, v.config #>> '{thresholds,auto}', v.proposal_id
		FROM modelgov.versions v JOIN modelgov.proposals p USING (proposal_id)
	   WHERE v.version::text = '1.0.1'$$,
	$$VALUES ('approved'::text, true, '0.18'::text, 'PROP_202402_001'::text)$$,
	'version 1.0.1 exists, approved, with the proposal''s frozen configuration');
SELECT set_eq(
	$$SELECT pg_catalog.jsonb_array_elements_text(a.details -> 'approved_by')
		FROM modelgov.audit_log a
	   WHERE a.event_type = 'approved' AND a.proposal_id = 'PROP_202402_001'$$,
	ARRAY['bob@company.com', 'erin@company.com', 'dave@company.com'],
	'approved_by lists the three approvers'' identities');
SET ROLE mg_gv_gina;
SELECT throws_ok($$SELECT modelgov.approve('PROP_202402_001', 'customer_success_lead')$$,
				 '55000', 'cannot approve proposal PROP_202402_001',
				 'an approved proposal takes no more approvals (55000)');
-- the optional role on PROP_202402_004
SELECT lives_ok($$SELECT modelgov.approve('PROP_202402_004', 'customer_success_lead')$$,
				'gina approves PROP_202402_004 as the optional customer_success_lead');
RESET ROLE;
SELECT is(pg_temp.status_of('PROP_202402_004'), 'reviewed',
		  'the optional role does not stand in for a required one');
SET ROLE mg_gv_bob;
SELECT lives_ok($$SELECT modelgov.approve('PROP_202402_004', 'model_science_lead')$$, 'bob approves PROP_202402_004');
SELECT lives_ok($$SELECT modelgov.approve('PROP_202402_005', 'model_science_lead')$$, 'bob approves PROP_202402_005');
SELECT lives_ok($$SELECT modelgov.approve('PROP_202403_001', 'model_science_lead')$$, 'bob approves PROP_202403_001');
RESET ROLE;
SET ROLE mg_gv_carol;
SELECT lives_ok($$SELECT modelgov.approve('PROP_202402_004', 'product_manager')$$, 'carol approves PROP_202402_004');
SELECT lives_ok($$SELECT modelgov.approve('PROP_202402_005', 'product_manager')$$, 'carol approves PROP_202402_005');
RESET ROLE;
SET ROLE mg_gv_dave;
SELECT lives_ok($$SELECT modelgov.approve('PROP_202402_004', 'engineering_lead')$$, 'dave approves PROP_202402_004');
SELECT lives_ok($$SELECT modelgov.approve('PROP_202402_005', 'engineering_lead')$$, 'dave approves PROP_202402_005');
RESET ROLE;
SELECT results_eq(
	$$SELECT v.version::text, v.status FROM modelgov.versions v
	   WHERE v.proposal_id IN ('PROP_202402_004', 'PROP_202402_005') ORDER BY 1$$,
	$$VALUES ('1.1.0', 'approved'), ('2.0.0', 'approved')$$,
	'PROP_202402_004 and PROP_202402_005 are approved as 1.1.0 and 2.0.0');
SELECT is(pg_temp.active(), '1 active: 1.0.0; production runs 1.0.0',
		  'proposals, reviews and approvals leave exactly one active version');

------------------------------------------------------------------------------
-- 5. Reject and withdraw
------------------------------------------------------------------------------
SET ROLE mg_gv_alice;
SELECT throws_ok($$SELECT modelgov.reject('PROP_202403_001', 'mine')$$,
				 '42501', 'permission denied to reject proposal PROP_202403_001',
				 'the proposer may not reject their own proposal (42501)');
RESET ROLE;
SET ROLE mg_gv_frank;
SELECT throws_ok($$SELECT modelgov.reject('PROP_202403_001', 'no')$$,
				 '42501', 'permission denied to reject proposals',
				 'a member without a committee role may not reject (42501)');
RESET ROLE;
SET ROLE mg_gv_zed;
SELECT throws_ok($$SELECT modelgov.reject('PROP_202403_001', 'no')$$,
				 '42501', 'permission denied to reject proposals',
				 'a non-member may not reject (42501)');
RESET ROLE;
SET ROLE mg_gv_dave;
SELECT lives_ok($$SELECT modelgov.reject('PROP_202403_001', 'Billing is out of scope this quarter')$$,
				'dave rejects PROP_202403_001 after one approval');
RESET ROLE;
SELECT results_eq(
	$$SELECT status, closed_reason FROM modelgov.proposals WHERE proposal_id = 'PROP_202403_001'$$,
	$$VALUES ('rejected'::text, 'Billing is out of scope this quarter'::text)$$,
	'a rejection ends the proposal: rejected, with the reason');
SET ROLE mg_gv_carol;
SELECT throws_ok($$SELECT modelgov.approve('PROP_202403_001', 'product_manager')$$,
				 '55000', 'cannot approve proposal PROP_202403_001',
				 'a rejected proposal cannot be approved (55000)');
RESET ROLE;
SET ROLE mg_gv_hank;
SELECT throws_ok($$SELECT modelgov.review('PROP_202403_001', pg_temp.ck(), true)$$,
				 '55000', 'cannot review proposal PROP_202403_001',
				 'a rejected proposal cannot be reviewed (55000)');
RESET ROLE;
SET ROLE mg_gv_frank;
SELECT throws_ok($$SELECT modelgov.deploy('PROP_202403_001', 'staging')$$,
				 '55000', 'cannot deploy to staging proposal PROP_202403_001',
				 'a rejected proposal cannot be deployed to staging (55000)');
SELECT throws_ok($$SELECT modelgov.deploy('PROP_202403_001', 'production')$$,
				 '55000', 'cannot deploy to production proposal PROP_202403_001',
				 'a rejected proposal cannot be deployed to production (55000)');
RESET ROLE;
SET ROLE mg_gv_alice;
SELECT throws_ok($$SELECT modelgov.withdraw('PROP_202403_001', 'too late')$$,
				 '55000', 'cannot withdraw proposal PROP_202403_001',
				 'a rejected proposal cannot be withdrawn (55000)');
RESET ROLE;

-- withdraw: only the proposer
SET ROLE mg_gv_bob;
SELECT throws_ok($$SELECT modelgov.withdraw('PROP_202402_005', 'not mine')$$,
				 '42501', 'permission denied to withdraw proposal PROP_202402_005',
				 'only the proposer may withdraw (42501)');
RESET ROLE;
SET ROLE mg_gv_alice;
SELECT lives_ok($$SELECT modelgov.withdraw('PROP_202402_005', 'f4 stays after all')$$,
				'the proposer withdraws the approved PROP_202402_005');
SELECT lives_ok($$SELECT modelgov.withdraw('PROP_202402_007', 'needs more data')$$,
				'the proposer withdraws PROP_202402_007 before any review');
RESET ROLE;
SELECT results_eq(
	$$SELECT p.status, v.status FROM modelgov.proposals p
		LEFT JOIN modelgov.versions v USING (proposal_id)
	   WHERE p.proposal_id IN ('PROP_202402_005', 'PROP_202402_007') ORDER BY p.proposal_id$$,
	$$VALUES ('withdrawn'::text, 'withdrawn'::text), ('withdrawn', NULL)$$,
	'withdrawn proposals, and the version of the approved one, are withdrawn');
SET ROLE mg_gv_bob;
SELECT throws_ok($$SELECT modelgov.review('PROP_202402_007', pg_temp.ck_none(), false)$$,
				 '55000', 'cannot review proposal PROP_202402_007',
				 'a withdrawn proposal cannot be reviewed (55000)');
RESET ROLE;
SET ROLE mg_gv_frank;
SELECT throws_ok($$SELECT modelgov.deploy('PROP_202402_005', 'staging')$$,
				 '55000', 'cannot deploy to staging proposal PROP_202402_005',
				 'a withdrawn proposal cannot be deployed to staging (55000)');
SELECT throws_ok($$SELECT modelgov.deploy('PROP_202402_005', 'production')$$,
				 '55000', 'cannot deploy to production proposal PROP_202402_005',
				 'a withdrawn proposal cannot be deployed to production (55000)');
RESET ROLE;

SELECT is(pg_temp.active(), '1 active: 1.0.0; production runs 1.0.0',
		  'rejections and withdrawals leave exactly one active version');

------------------------------------------------------------------------------
-- 6. Deploy: staging, smoke test, schedule, production
------------------------------------------------------------------------------
SELECT pg_temp.state() AS st_deploy \gset
SET ROLE mg_gv_frank;
SELECT throws_ok($$SELECT modelgov.deploy('PROP_202402_001', 'production')$$,
				 '55000', 'cannot deploy to production proposal PROP_202402_001',
				 'production before staging is refused (55000)');
SELECT throws_ok($$SELECT modelgov.deploy('PROP_202402_003', 'staging')$$,
				 '55000', 'cannot deploy to staging proposal PROP_202402_003',
				 'staging of a proposal that is not approved is refused (55000)');
RESET ROLE;
SET ROLE mg_gv_alice;
SELECT throws_ok($$SELECT modelgov.deploy('PROP_202402_001', 'staging')$$,
				 '42501', 'permission denied to deploy',
				 'a member without the deployer role may not deploy (42501)');
RESET ROLE;
SET ROLE mg_gv_zed;
SELECT throws_ok($$SELECT modelgov.deploy('PROP_202402_001', 'staging')$$,
				 '42501', 'permission denied to deploy',
				 'a non-member may not deploy (42501)');
RESET ROLE;
SELECT is(pg_temp.state(), :'st_deploy', 'the refused deployments left no trace in any table');

SET ROLE mg_gv_frank;
SELECT is(modelgov.deploy('PROP_202402_001', 'staging')::text, '1.0.1', 'the deployer stages 1.0.1');
RESET ROLE;
SELECT results_eq(
	$$SELECT p.status, v.status, modelgov.active_version('staging')::text, modelgov.active_version('production')::text
		FROM modelgov.proposals p JOIN modelgov.versions v USING (proposal_id)
	   WHERE p.proposal_id = 'PROP_202402_001'$$,
	$$VALUES ('staged'::text, 'staged'::text, '1.0.1'::text, '1.0.0'::text)$$,
	'1.0.1 is staged: staging runs it, production still runs 1.0.0');
SELECT is(pg_temp.active(), '1 active: 1.0.0; production runs 1.0.0', 'staging leaves one active version');
SET ROLE mg_gv_frank;
SELECT throws_ok($$SELECT modelgov.deploy('PROP_202402_001', 'staging')$$,
				 '55000', 'cannot deploy to staging proposal PROP_202402_001',
				 'staging a proposal twice is refused (55000)');
SELECT matches(pg_temp.error_of($$SELECT modelgov.deploy('PROP_202402_001', 'production')$$),
	'^55000 cannot deploy 1\.0\.1 to production without a passing smoke test \| No smoke test is recorded',
	'production without a smoke test is refused (55000)');
SELECT throws_ok($$SELECT modelgov.record_smoke_test('1.0.0', true)$$,
				 '55000', 'cannot record a smoke test for version 1.0.0',
				 'a smoke test is recorded only for a staged version (55000)');
RESET ROLE;
SET ROLE mg_gv_alice;
SELECT throws_ok($$SELECT modelgov.record_smoke_test('1.0.1', true)$$,
				 '42501', 'permission denied to record smoke tests',
				 'a member without the deployer role may not record smoke tests (42501)');
RESET ROLE;
SET ROLE mg_gv_frank;
SELECT lives_ok($$SELECT modelgov.record_smoke_test('1.0.1', false, '{"failed": "latency"}')$$,
				'the deployer records a failing smoke test');
SELECT matches(pg_temp.error_of($$SELECT modelgov.deploy('PROP_202402_001', 'production')$$),
	'^55000 cannot deploy 1\.0\.1 to production without a passing smoke test \| The last smoke test, .*, failed\.',
	'production after a failed smoke test is refused (55000)');
SELECT lives_ok($$SELECT modelgov.record_smoke_test('1.0.1', true)$$,
				'the deployer records a passing smoke test');
SELECT throws_ok($$SELECT modelgov.deploy('PROP_202402_001', 'production')$$,
				 '55000', 'cannot deploy 1.0.1 before its scheduled deployment',
				 'production before scheduled_deployment is refused (55000)');
-- the second proposal based on 1.0.0 goes to staging as well
SELECT is(modelgov.deploy('PROP_202402_004', 'staging')::text, '1.1.0', 'the deployer stages 1.1.0');
SELECT lives_ok($$SELECT modelgov.record_smoke_test('1.1.0', true)$$, 'a passing smoke test for 1.1.0');
-- 1.0.1 is still 'staged', but staging runs 1.1.0 now
SELECT is(pg_temp.error_of($$SELECT modelgov.record_smoke_test('1.0.1', true)$$),
		  '55000 cannot record a smoke test for version 1.0.1 | Staging runs 1.1.0 now; a smoke test counts only for the version staging runs.',
		  'a smoke test for a version staging no longer runs is refused (55000)');
RESET ROLE;
SELECT is(pg_temp.active(), '1 active: 1.0.0; production runs 1.0.0', 'still exactly one active version');
SELECT is(pg_temp.status_of('PROP_202402_004'), 'staged', 'PROP_202402_004 is staged');
SELECT is(pg_temp.status_of('PROP_202402_001'), 'staged', 'PROP_202402_001 stays staged, with its passing smoke test');
SELECT is(modelgov_internal.state_of('PROP_202402_001'),
		  'staged: 1.0.1 in staging, smoke test passed, production deployment scheduled for 2024-02-20T09:00:00Z',
		  'its state says when production is due');

SET modelgov.clock = '2024-02-20 08:59:59+00';
SET ROLE mg_gv_frank;
SELECT throws_ok($$SELECT modelgov.deploy('PROP_202402_001', 'production')$$,
				 '55000', 'cannot deploy 1.0.1 before its scheduled deployment',
				 'one second before scheduled_deployment is still refused (55000)');
RESET ROLE;
SET modelgov.clock = '2024-02-20 09:00:00+00';
SET ROLE mg_gv_frank;
SELECT is(modelgov.deploy('PROP_202402_001', 'production')::text, '1.0.1',
		  'at the scheduled time, staged with a passing smoke test: 1.0.1 goes to production');
RESET ROLE;
SELECT results_eq(
	$$SELECT version::text, status, superseded_by::text, released_at FROM modelgov.versions
	   WHERE version::text IN ('1.0.0', '1.0.1') ORDER BY 1$$,
	$$VALUES ('1.0.0', 'superseded', '1.0.1', '2024-02-16 10:00:00+00'::timestamptz),
			 ('1.0.1', 'active', NULL, '2024-02-20 09:00:00+00'::timestamptz)$$,
	'1.0.1 is active and released; 1.0.0 is superseded by it');
SELECT is(pg_temp.status_of('PROP_202402_001'), 'deployed', 'the proposal is deployed');
SELECT is(pg_temp.active(), '1 active: 1.0.1; production runs 1.0.1',
		  'after the deployment exactly one version is active, and production runs it');
SELECT results_eq(
	$$SELECT a.event_type, a.actor, a.version::text, a.status, a.details ->> 'deployed_by',
			 a.details ->> 'from_version', pg_catalog.jsonb_array_length(a.details -> 'approved_by')
		FROM modelgov.audit_log a ORDER BY a.seq DESC LIMIT 1$$,
	$$VALUES ('deployment'::text, 'mg_gv_frank'::text, '1.0.1'::text, 'active'::text, 'frank@company.com'::text,
			  '1.0.0'::text, 3)$$,
	'the production deployment is audited with the deployer, the old version and the approvers');

-- a new proposal starts from the active 1.0.1
SET ROLE mg_gv_alice;
SELECT is(modelgov.propose('threshold_change', 'Nudge escalate', '{"threshold_escalate": 0.55}'),
		  'PROP_202402_009', 'a proposal after the deployment');
RESET ROLE;
SELECT results_eq(
	$$SELECT base_version::text, target_version::text, old_values, new_values
		FROM modelgov.proposals WHERE proposal_id = 'PROP_202402_009'$$,
	$$VALUES ('1.0.1', '1.0.2', '{"threshold_escalate": 0.50}'::jsonb, '{"threshold_escalate": 0.55}'::jsonb)$$,
	'old values and the base come from the active production version');
SELECT is((SELECT config #>> '{thresholds,auto}' FROM modelgov.proposals WHERE proposal_id = 'PROP_202402_009'),
		  '0.18', 'the new configuration keeps the rest of the active version (auto 0.18)');

SELECT pg_temp.state() AS st_deploy2 \gset
SET ROLE mg_gv_frank;
SELECT throws_ok($$SELECT modelgov.deploy('PROP_202402_001', 'production')$$,
				 '55000', 'cannot deploy to production proposal PROP_202402_001',
				 'deploying a proposal to production twice is refused (55000)');
SELECT throws_ok($$SELECT modelgov.deploy('PROP_202402_001', 'staging')$$,
				 '55000', 'cannot deploy to staging proposal PROP_202402_001',
				 'a deployed proposal cannot go back to staging (55000)');
SELECT throws_ok($$SELECT modelgov.deploy('PROP_202402_004', 'production')$$,
				 '55000', 'cannot deploy 1.1.0 over 1.0.1',
				 'a proposal based on 1.0.0 cannot be deployed over the newer active 1.0.1 (55000)');
RESET ROLE;
SELECT is(pg_temp.state(), :'st_deploy2', 'the refused deployments left no trace in any table');
SELECT is(pg_temp.active(), '1 active: 1.0.1; production runs 1.0.1', 'still exactly one active version');

-- the unique index holds even for a superuser writing the table directly
-- (init_model named the model "default")
SELECT throws_ok($$UPDATE modelgov.versions SET status = 'active'
				   WHERE model = 'default' AND version::text = '1.0.0'$$,
				 '23505', 'duplicate key value violates unique constraint "versions_one_active"',
				 'a second active version violates versions_one_active (23505)');
SELECT throws_ok($$INSERT INTO modelgov.versions (version, config, created_at, status, model)
				   SELECT '9.9.9', v.config, pg_catalog.now(), 'active', v.model FROM modelgov.versions v
					WHERE v.status = 'active'$$,
				 '23505', 'duplicate key value violates unique constraint "versions_one_active"',
				 'inserting another active version violates versions_one_active (23505)');
-- and what is staged or active compiles, even when a superuser writes it
SELECT throws_ok($$INSERT INTO modelgov.versions (version, config, created_at, status, model)
				   VALUES ('9.9.9', '{}', pg_catalog.now(), 'staged', 'default')$$,
				 '23514', 'new row for relation "versions" violates check constraint "versions_config_compiles"',
				 'a staged version whose configuration cannot be compiled violates versions_config_compiles (23514)');

------------------------------------------------------------------------------
-- 7. Roll back
------------------------------------------------------------------------------
SELECT pg_temp.state() AS st_rollback \gset
SET ROLE mg_gv_alice;
SELECT throws_ok($$SELECT modelgov.rollback('bad')$$,
				 '42501', 'permission denied to roll back',
				 'a member without the deployer role may not roll back (42501)');
RESET ROLE;
SET ROLE mg_gv_zed;
SELECT throws_ok($$SELECT modelgov.rollback('bad')$$,
				 '42501', 'permission denied to roll back',
				 'a non-member may not roll back (42501)');
RESET ROLE;
-- (the version typed: with two untyped literals, rollback(model, reason)
-- of 0.2.0 is the better match and 'bad' would be read as a model's name)
SET ROLE mg_gv_frank;
SELECT throws_ok($$SELECT modelgov.rollback('bad', '1.1.0'::modelgov.semver)$$,
				 '55000', 'cannot roll back to version 1.1.0',
				 'a rollback to a staged, never released version is refused (55000)');
SELECT throws_ok($$SELECT modelgov.rollback('bad', '2.0.0'::modelgov.semver)$$,
				 '55000', 'cannot roll back to version 2.0.0',
				 'a rollback to a withdrawn version is refused (55000)');
SELECT throws_ok($$SELECT modelgov.rollback('bad', '1.0.1'::modelgov.semver)$$,
				 '55000', 'version 1.0.1 is already active',
				 'a rollback to the active version is refused (55000)');
RESET ROLE;
SELECT is(pg_temp.state(), :'st_rollback', 'the refused rollbacks left no trace in any table');

SELECT pg_temp.audit_count() AS n_before_rb,
	   (SELECT md5(string_agg(a::text, ',' ORDER BY a.seq)) FROM modelgov.audit_log a) AS log_before_rb,
	   (SELECT a::text FROM modelgov.audit_log a
		 WHERE a.event_type = 'deployment' AND a.status = 'active'
		   AND a.proposal_id = 'PROP_202402_001') AS deploy_entry \gset
SET modelgov.clock = '2024-02-21 08:00:00+00';
SET ROLE mg_gv_frank;
SELECT is(modelgov.rollback('Auto-resolve rate dropped')::text, '1.0.0',
		  'by default the rollback returns to the version 1.0.1 superseded');
RESET ROLE;
SELECT is(pg_temp.active(), '1 active: 1.0.0; production runs 1.0.0',
		  'after the rollback exactly one version is active, and production runs it');
SELECT is((SELECT status FROM modelgov.versions WHERE version::text = '1.0.1'), 'rolled_back',
		  '1.0.1 is rolled_back');
SELECT is(pg_temp.audit_count(), (:n_before_rb + 1)::bigint, 'the rollback appended exactly one audit entry');
SELECT results_eq(
	$$SELECT a.event_type, a.actor, a.version::text, a.status, a.recorded_at, a.details ->> 'root_cause',
			 a.details ->> 'rolled_back_by', a.details ->> 'reason', a.details ->> 'from_version'
		FROM modelgov.audit_log a ORDER BY a.seq DESC LIMIT 1$$,
	$$VALUES ('rollback'::text, 'mg_gv_frank'::text, '1.0.0'::text, 'completed'::text,
			  '2024-02-21 08:00:00+00'::timestamptz, 'TBD - scheduled analysis'::text, 'frank@company.com'::text,
			  'Auto-resolve rate dropped'::text, '1.0.1'::text)$$,
	'the rollback is a new audit event: root_cause "TBD - scheduled analysis", rolled_back_by the member''s identity');
SELECT is((SELECT md5(string_agg(a::text, ',' ORDER BY a.seq)) FROM modelgov.audit_log a
			WHERE a.seq <= :n_before_rb),
		  :'log_before_rb', 'no earlier audit entry was rewritten');
SELECT is((SELECT a::text FROM modelgov.audit_log a
			WHERE a.event_type = 'deployment' AND a.status = 'active' AND a.proposal_id = 'PROP_202402_001'),
		  :'deploy_entry', 'the deployment entry of 1.0.1 is unchanged');
SET ROLE mg_gv_frank;
SELECT throws_ok($$SELECT modelgov.rollback('again')$$,
				 '55000', 'version 1.0.0 has no previous version to roll back to',
				 'the initial version has nothing to roll back to (55000)');
SELECT is(modelgov.rollback('Fixed upstream; return to 1.0.1', to_version => '1.0.1')::text, '1.0.1',
		  'a rollback to a named, released historical version');
RESET ROLE;
SELECT is(pg_temp.active(), '1 active: 1.0.1; production runs 1.0.1',
		  'after the named rollback exactly one version is active, and production runs it');
SELECT is(pg_temp.audit_count(), (:n_before_rb + 2)::bigint, 'the audit log only grows');
SELECT results_eq(
	$$SELECT (SELECT count(*) FROM modelgov.versions v WHERE v.status = 'active'),
			 (SELECT e.version::text FROM modelgov.environments e WHERE e.env = 'production'),
			 (SELECT v.version::text FROM modelgov.versions v WHERE v.status = 'active')$$,
	$$VALUES (1::bigint, '1.0.1'::text, '1.0.1'::text)$$,
	'environments and versions agree on the one active version');

------------------------------------------------------------------------------
-- 8. The audit log: every action, in the same transaction
------------------------------------------------------------------------------
SELECT results_eq(
	$$SELECT a.event_type, a.actor, a.status FROM modelgov.audit_log a
	   WHERE a.proposal_id = 'PROP_202402_001' ORDER BY a.seq$$,
	$$VALUES ('proposal'::text, 'mg_gv_alice'::text, 'proposed'::text),
			 ('review', 'mg_gv_bob', 'in_review'),
			 ('review', 'mg_gv_bob', 'in_review'),		-- bob replaced his review
			 ('review', 'mg_gv_carol', 'reviewed'),
			 ('approval', 'mg_gv_bob', 'reviewed'),
			 ('approval', 'mg_gv_erin', 'reviewed'),
			 ('approval', 'mg_gv_dave', 'reviewed'),
			 ('approved', 'mg_gv_dave', 'approved'),
			 ('deployment', 'mg_gv_frank', 'staged'),
			 ('smoke_test', 'mg_gv_frank', 'failed'),
			 ('smoke_test', 'mg_gv_frank', 'passed'),
			 ('deployment', 'mg_gv_frank', 'active')$$,
	'every successful action on PROP_202402_001 appended one entry, by its actor; refused ones none');
SELECT results_eq(
	$$SELECT a.event_type, a.actor, a.status FROM modelgov.audit_log a
	   WHERE a.proposal_id IN ('PROP_202403_001', 'PROP_202402_007') ORDER BY a.seq$$,
	$$VALUES ('proposal'::text, 'mg_gv_alice'::text, 'proposed'::text),
			 ('proposal', 'mg_gv_alice', 'proposed'),
			 ('review', 'mg_gv_carol', 'in_review'),
			 ('review', 'mg_gv_bob', 'reviewed'),
			 ('approval', 'mg_gv_bob', 'reviewed'),
			 ('rejected', 'mg_gv_dave', 'rejected'),
			 ('withdrawn', 'mg_gv_alice', 'withdrawn')$$,
	'rejections and withdrawals are audited as well');
SELECT results_eq(
	$$SELECT a.event_type, a.actor, a.version::text, a.details ->> 'rolled_back_by'
		FROM modelgov.audit_log a WHERE a.event_type = 'rollback' ORDER BY a.seq$$,
	$$VALUES ('rollback'::text, 'mg_gv_frank'::text, '1.0.0'::text, 'frank@company.com'::text),
			 ('rollback', 'mg_gv_frank', '1.0.1', 'frank@company.com')$$,
	'both rollbacks are audited');

-- an action and its audit entry commit or vanish together
SELECT pg_temp.audit_count() AS n_sp, pg_temp.state() AS st_sp \gset
SAVEPOINT before_action;
SET ROLE mg_gv_alice;
SELECT modelgov.propose('threshold_change', 'to be rolled back', '{"threshold_auto": 0.16}') AS sp_id \gset
SELECT pg_temp.audit_count() AS n_sp_inside \gset
ROLLBACK TO SAVEPOINT before_action;
SELECT is(:n_sp_inside, :n_sp + 1, 'inside the transaction the proposal has its audit entry');
SELECT is(pg_temp.audit_count(), :n_sp::bigint, 'rolling the action back also removes its audit entry');
SELECT is(pg_temp.state(), :'st_sp', 'and leaves no other trace');
SELECT is(current_user::text, session_user::text, 'the role set inside the savepoint was rolled back too');

SELECT results_eq($$SELECT ok, first_bad_seq FROM modelgov.verify_audit_log()$$,
				  $$VALUES (true, NULL::bigint)$$,
				  'the audit chain verifies after the whole process');
SELECT is((SELECT entries FROM modelgov.verify_audit_log()), pg_temp.audit_count(),
		  'the verified chain covers every entry');
SELECT is((SELECT count(*) FROM modelgov.audit_log WHERE NOT clock_overridden), 0::bigint,
		  'every entry records that modelgov.clock was overridden');

------------------------------------------------------------------------------
-- 9. Defects found by this suite, now fixed
------------------------------------------------------------------------------
-- (a) A member whose role name needs quoting can never act: add_member
-- stores regrole::text ('"Mg Gv Quoted"', with quotes) but the actor is
-- current_setting('role') ('Mg Gv Quoted', without them).
SELECT is((SELECT role_name FROM modelgov.members WHERE identity = 'quoted@company.com'), 'Mg Gv Quoted',
		  'a member''s role_name is the role name as current_setting(''role'') gives it');
SET ROLE "Mg Gv Quoted";
SELECT is(pg_temp.error_of($$SELECT modelgov.propose('bug_fix', 'quoted role', '{}')$$), 'no error',
		  'a member whose role name needs quoting can propose');
RESET ROLE;

-- (b) Removing a feature other than the last is refused whatever the
-- declared type: the later features "move", so the change also counts as
-- feature_modification, and no single declared type covers both.
SET ROLE mg_gv_alice;
SET client_min_messages = error;	-- propose warns of other open proposals changing the same keys (day_two.sql)
SELECT is(pg_temp.error_of($$SELECT modelgov.propose('feature_removal', 'Drop f2',
		'{"features": [{"name": "f1"}, {"name": "f3"}, {"name": "f4"}], "weights": [0.30, 0.20, 0.20]}')$$),
		  'no error', 'removing the middle feature f2 can be proposed as a feature_removal');
RESET client_min_messages;

-- (c) Weights are compared only up to the first feature that differs, so a
-- weights_update hidden in a feature_modification goes unnoticed.
SELECT throws_ok($$SELECT modelgov.propose('feature_modification', 'Swap f1 and f2, and quietly move w3',
		'{"features": [{"name": "f2"}, {"name": "f1"}, {"name": "f3"}, {"name": "f4"}],
		  "weights": [0.30, 0.30, 0.25, 0.20]}')$$,
				 '22023', 'declared change type feature_modification does not cover the change',
				 'a changed weight of an unmoved feature is detected alongside a feature_modification');
RESET ROLE;

-- (d) The target version ignores versions that already exist: after
-- 1.0.1 was rolled back, every new patch proposal targets 1.0.1 again and
-- its last approval fails with 55000 "version 1.0.1 already exists".
SET ROLE mg_gv_frank;
SELECT is(modelgov.rollback('Roll back 1.0.1 again')::text, '1.0.0', 'production is back on 1.0.0');
RESET ROLE;
SET ROLE mg_gv_alice;
SET client_min_messages = error;	-- propose warns of other open proposals changing the same keys (day_two.sql)
SELECT pg_temp.attempt($$SELECT modelgov.propose('threshold_change', 'Retry after the rollback',
		'{"threshold_auto": 0.17}', '{"sample_size": 5000}', 'roll back', 'daily metrics')$$, '') AS retry_id \gset
SELECT pg_temp.attempt($$SELECT modelgov.propose('feature_removal', 'Drop f4 again',
		'{"features": [{"name": "f1"}, {"name": "f2"}, {"name": "f3"}], "weights": [0.30, 0.30, 0.20]}',
		'{"sample_size": 5000}', 'roll back', 'daily metrics')$$, '') AS again_id \gset
RESET client_min_messages;
RESET ROLE;
SELECT ok(EXISTS (SELECT 1 FROM modelgov.proposals p WHERE p.proposal_id = :'retry_id')
		  AND NOT EXISTS (SELECT 1 FROM modelgov.versions v JOIN modelgov.proposals p
							  ON p.target_version::text = v.version::text WHERE p.proposal_id = :'retry_id'),
		  'a patch proposal after 1.0.1 was rolled back targets a version that does not exist yet');
SELECT ok(EXISTS (SELECT 1 FROM modelgov.proposals p WHERE p.proposal_id = :'again_id')
		  AND NOT EXISTS (SELECT 1 FROM modelgov.versions v JOIN modelgov.proposals p
							  ON p.target_version::text = v.version::text WHERE p.proposal_id = :'again_id'),
		  'a major proposal after 2.0.0 was withdrawn targets a version that does not exist yet');

-- (e) Ids: lpad(n, 3) truncates, so the 1000th proposal of a month is
-- PROP_YYYYMM_100 again and fails with 23505.
SET modelgov.clock = '2025-01-15 12:00:00+00';
SET ROLE mg_gv_alice;
SELECT is((SELECT count(modelgov.propose('bug_fix', 'filler ' || i, '{}'))
			 FROM pg_catalog.generate_series(1, 999) AS i),
		  999::bigint, '999 proposals in January 2025');
SELECT is((SELECT proposal_id FROM modelgov.proposals ORDER BY proposed_at DESC, proposal_id DESC LIMIT 1),
		  'PROP_202501_999', 'the 999th is PROP_202501_999');
SELECT is(pg_temp.attempt($$SELECT modelgov.propose('bug_fix', 'the 1000th', '{}')$$),
		  'ok:PROP_202501_1000', 'the 1000th proposal of a month is PROP_202501_1000');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
