-- The seed's story, PROP_202402_001 from proposal to production and back.
-- make demo runs it in a throwaway cluster; the governance regression test
-- runs the same file and checks every line of its output.
--
-- Time comes from modelgov.clock, never from sleeping.

\set SHOW_CONTEXT never
\echo '== The committee and the first version (2024-01-15)'
SET modelgov.clock = '2024-01-15 00:00:00+00';
CREATE ROLE alice;
CREATE ROLE bob;
CREATE ROLE carol;
CREATE ROLE charlie;
CREATE ROLE diana;
CREATE ROLE eve;
CREATE ROLE ops;
GRANT USAGE ON SCHEMA modelgov TO alice, bob, carol, charlie, diana, eve, ops;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA modelgov TO alice, bob, carol, charlie, diana, eve, ops;
SELECT modelgov.add_member('alice', 'alice@company.com');
SELECT modelgov.add_member('bob', 'bob@company.com');
SELECT modelgov.add_member('carol', 'carol@company.com');
SELECT modelgov.add_member('charlie', 'charlie@company.com', '{model_science_lead}');
SELECT modelgov.add_member('diana', 'diana@company.com', '{product_manager}');
SELECT modelgov.add_member('eve', 'eve@company.com', '{engineering_lead}');
SELECT modelgov.add_member('ops', 'automation@company.com', '{deployer}');
SELECT role_name, identity, roles FROM modelgov.members ORDER BY role_name;

SELECT modelgov.init_model('{"version": "1.0.0",
							 "weights": [0.30, 0.30, 0.20, 0.20],
							 "biases": {"default": 0.0},
							 "thresholds": {"auto": 0.15, "escalate": 0.50}}');
SELECT modelgov.model_config();

\echo '== 2024-02-16: alice proposes the seed''s change, declared as the seed declares it'
SET modelgov.clock = '2024-02-16 10:00:00+00';
SET ROLE alice;
SELECT modelgov.propose('weights_update', 'Monthly optimization using logistic regression on Feb data',
	'{"threshold_auto": 0.18, "threshold_escalate": 0.48}',
	'{"expected_auto_resolve_rate": 0.12, "expected_escalate_rate": 0.08, "youden_improvement": 0.032, "sample_size": 5400}',
	'Roll back to 1.0.0 with modelgov.rollback().', 'Daily checks for 7 days after deployment.');
\echo '   Refused: the change moves only thresholds.  Declared as what it is:'
SELECT modelgov.propose('threshold_change', 'Monthly threshold optimization (ROC/Youden)',
	'{"threshold_auto": 0.18, "threshold_escalate": 0.48}',
	'{"expected_auto_resolve_rate": 0.12, "expected_escalate_rate": 0.08, "youden_improvement": 0.032, "sample_size": 5400}',
	'Roll back to 1.0.0 with modelgov.rollback().', 'Daily checks for 7 days after deployment.');
RESET ROLE;
SELECT proposal_id, proposer_identity, change_type, base_version, target_version, old_values, new_values, status
  FROM modelgov.proposals;

\echo '== Analysis: two independent reviews with the six-item checklist'
SET ROLE alice;
SELECT modelgov.review('PROP_202402_001', '{"aligns_with_business_goals": true, "data_quality_sufficient": true,
	"impact_analysis_completed": true, "no_regressions_observed": true, "rollback_plan_documented": true,
	"monitoring_plan_documented": true}', true);
SET ROLE bob;
SELECT modelgov.review('PROP_202402_001', '{"aligns_with_business_goals": true, "data_quality_sufficient": true,
	"impact_analysis_completed": true, "no_regressions_observed": true, "rollback_plan_documented": true,
	"monitoring_plan_documented": true}', true, 'Youden gain is solid.');
SET ROLE carol;
SELECT modelgov.review('PROP_202402_001', '{"aligns_with_business_goals": true, "data_quality_sufficient": true,
	"impact_analysis_completed": true, "no_regressions_observed": true, "rollback_plan_documented": true,
	"monitoring_plan_documented": true}', true);
RESET ROLE;
SELECT reviewer_identity, approve FROM modelgov.reviews ORDER BY reviewer;

\echo '== 2024-02-29 14:30: the committee approves'
SET modelgov.clock = '2024-02-29 14:30:00+00';
SET ROLE charlie;
SELECT modelgov.approve('PROP_202402_001', 'product_manager');
SELECT modelgov.approve('PROP_202402_001', 'model_science_lead', '2024-03-01 00:00:00+00');
SET ROLE diana;
SELECT modelgov.approve('PROP_202402_001', 'product_manager');
SET ROLE eve;
SELECT modelgov.approve('PROP_202402_001', 'engineering_lead');
RESET ROLE;
SELECT proposal_id, status, approved_at, scheduled_deployment FROM modelgov.proposals;

\echo '== Deployment: staging, smoke tests, then production on schedule'
SET ROLE ops;
SELECT modelgov.deploy('PROP_202402_001', 'production');
SELECT modelgov.deploy('PROP_202402_001', 'staging');
SELECT modelgov.deploy('PROP_202402_001', 'production');
SELECT modelgov.record_smoke_test('1.0.1', true, '{"command": "pytest tests/ -v", "failures": 0}');
SELECT modelgov.deploy('PROP_202402_001', 'production');
RESET ROLE;
SET modelgov.clock = '2024-03-01 00:00:00+00';
SET ROLE ops;
SELECT modelgov.deploy('PROP_202402_001', 'production');
RESET ROLE;
SELECT modelgov.active_version() AS production, modelgov.active_version('staging') AS staging;
SELECT modelgov.model_config();

\echo '== 2024-03-08 06:45: escalations at 15% against 8% expected; roll back'
SET modelgov.clock = '2024-03-08 06:45:00+00';
SET ROLE ops;
SELECT modelgov.rollback('Escalate rate increased to 15% (expected 8%)');
RESET ROLE;
SELECT modelgov.active_version();

\echo '== The record'
SELECT version, status, released_at, weights, thresholds, superseded_by, proposal
  FROM modelgov.version_history ORDER BY version;
SELECT seq, recorded_at, event_type, actor, version, proposal_id, change_type, status
  FROM modelgov.audit_log ORDER BY seq;
SELECT jsonb_pretty(details) AS deployment FROM modelgov.audit_log WHERE event_type = 'deployment' AND status = 'active';
SELECT jsonb_pretty(details) AS rollback FROM modelgov.audit_log WHERE event_type = 'rollback';
SELECT * FROM modelgov.verify_audit_log();
RESET modelgov.clock;
