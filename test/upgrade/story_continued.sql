-- The seed story, continued after ALTER EXTENSION modelgov UPDATE: the
-- model 0.1.0 governed is now "default"; its members keep their duties
-- for every model; a second model joins it, with a committee member of its
-- own.  Both are governed with the named calls, and every step must work
-- (test/shell/upgrade.sh runs this with ON_ERROR_STOP).
\set ON_ERROR_STOP 1
SET modelgov.clock = '2024-04-01 09:00:00+00';

SELECT modelgov.create_model('refunds',
	'{"weights": [0.5, 0.2], "biases": {"default": -0.4}, "thresholds": {"auto": 0.3, "escalate": 0.7}}',
	'Refund approvals') AS refunds_first_version;
-- the functions 0.2.0 added are granted like the others were
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA modelgov TO alice, bob, carol, charlie, diana, eve, ops;
CREATE ROLE frank;
GRANT USAGE ON SCHEMA modelgov TO frank;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA modelgov TO frank;
SELECT modelgov.add_member('frank', 'frank@company.com');
SELECT modelgov.grant_duty('frank', 'product_manager', 'refunds');

-- one change to each model, through the whole process
SET ROLE alice;
SELECT modelgov.propose('default', 'threshold_change', 'April thresholds',
	'{"threshold_auto": 0.16}',
	'{"expected_auto_resolve_rate": 0.12, "expected_escalate_rate": 0.08, "sample_size": 5400}',
	'Roll back with modelgov.rollback().', 'Daily checks for 7 days.') AS default_proposal \gset
SELECT modelgov.propose('refunds', 'threshold_change', 'Fewer refunds decided alone',
	'{"threshold_auto": 0.25}',
	'{"expected_auto_resolve_rate": 0.30, "expected_escalate_rate": 0.10, "sample_size": 2000}',
	'Roll back with modelgov.rollback().', 'Daily checks for 7 days.') AS refunds_proposal \gset
\set checklist '{"aligns_with_business_goals": true, "data_quality_sufficient": true, "impact_analysis_completed": true, "no_regressions_observed": true, "rollback_plan_documented": true, "monitoring_plan_documented": true}'
SET ROLE bob;
SELECT modelgov.review(:'default_proposal', :'checklist', true), modelgov.review(:'refunds_proposal', :'checklist', true);
SET ROLE carol;
SELECT modelgov.review(:'default_proposal', :'checklist', true), modelgov.review(:'refunds_proposal', :'checklist', true);
SET ROLE charlie;
SELECT modelgov.approve(:'default_proposal', 'model_science_lead'), modelgov.approve(:'refunds_proposal', 'model_science_lead');
SET ROLE diana;
SELECT modelgov.approve(:'default_proposal', 'product_manager');
SET ROLE frank;
SELECT modelgov.approve(:'refunds_proposal', 'product_manager');
SET ROLE eve;
SELECT modelgov.approve(:'default_proposal', 'engineering_lead'), modelgov.approve(:'refunds_proposal', 'engineering_lead');
SET ROLE ops;
SELECT modelgov.deploy(:'default_proposal', 'staging'), modelgov.deploy(:'refunds_proposal', 'staging');
SELECT modelgov.record_smoke_test('default', '1.0.2', true), modelgov.record_smoke_test('refunds', '1.0.1', true);
SELECT modelgov.deploy(:'default_proposal', 'production'), modelgov.deploy(:'refunds_proposal', 'production');
RESET ROLE;
RESET modelgov.clock;
