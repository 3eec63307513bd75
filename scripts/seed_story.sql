-- The seed's story, PROP_202402_001 from proposal to production and back,
-- for the seed's support-ticket model, then a second model beside it.
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
SELECT modelgov.add_member('diana', 'diana@company.com');
SELECT modelgov.add_member('eve', 'eve@company.com', '{engineering_lead}');
-- ops is the deployment pipeline's account: "automation", as the seed's
-- audit log names it
SELECT modelgov.add_member('ops', 'automation', '{deployer}');

SELECT modelgov.create_model('support_tickets', '{"version": "1.0.0",
							 "weights": [0.30, 0.30, 0.20, 0.20],
							 "biases": {"default": 0.0},
							 "thresholds": {"auto": 0.15, "escalate": 0.50}}',
							 'Routes support tickets: AUTO, ASK or ESCALATE');
-- charlie, eve and ops hold their duties for every model; diana is the
-- product manager of this model only
SELECT modelgov.grant_duty('diana', 'product_manager', 'support_tickets');
SELECT role_name, identity, roles AS every_model FROM modelgov.members ORDER BY role_name;
SELECT role_name, duty, model FROM modelgov.duties ORDER BY role_name;
SELECT modelgov.model_config('support_tickets');

\echo '== The application''s tickets, 5,000 a day from 2024-02-16 to 2024-03-08'
-- Each day's features are laid out so that the version active that day
-- gives the day's target rates exactly: in February 1.0.0 with 10%
-- AUTO and 10% ESCALATE, from March 1.0.1 with 12% and 8%, and on
-- 2024-03-08 a drift to 15% ESCALATE.  25 tickets a day fail in the
-- application (a feature is missing), 0.5%.
CREATE TABLE tickets AS
WITH days AS (
	SELECT d::date AS day, k,
		   CASE WHEN d < '2024-03-01' THEN 0.15 ELSE 0.18 END AS t_auto,
		   CASE WHEN d < '2024-03-01' THEN 0.50 ELSE 0.48 END AS t_esc,
		   CASE WHEN d < '2024-03-01' THEN 500 + 20 * (k % 7 - 3)
				WHEN d < '2024-03-08' THEN 600 + 10 * (k % 3 - 1) ELSE 500 END AS n_auto,
		   CASE WHEN d < '2024-03-01' THEN 500 + 20 * ((3 * k) % 7 - 3)
				WHEN d < '2024-03-08' THEN 400 + 10 * ((k + 1) % 3 - 1) ELSE 750 END AS n_esc
	  FROM generate_series('2024-02-16'::timestamp, '2024-03-08', '1 day') WITH ORDINALITY AS g(d, k))
SELECT row_number() OVER (ORDER BY day, j) AS id, day, z AS f1, z AS f2, z AS f3, z AS f4,
	   'team' || j % 5 AS team
  FROM days,
	   LATERAL (SELECT j,
					   CASE WHEN j < n_auto THEN t_auto * 0.5 * j / n_auto
							WHEN j >= 4975 - n_esc THEN t_esc + (1 - t_esc) * 0.5 * (j - (4975 - n_esc)) / n_esc
							ELSE t_auto + (t_esc - t_auto) * (0.1 + 0.8 * (j - n_auto) / (4975 - n_auto - n_esc)) END AS z
				  FROM generate_series(0, 4974) AS j) s
UNION ALL
SELECT 1000000 + row_number() OVER (), day, NULL, NULL, NULL, NULL, 'team0'
  FROM days, generate_series(1, 25);
GRANT SELECT ON tickets TO ops;
SELECT count(*) AS tickets, min(day), max(day) FROM tickets;

-- what the application reports each day: the counts of its decisions, and
-- what only it can measure (availability, latency, correctness)
CREATE VIEW daily_report AS
SELECT day,
	   modelgov.decision_counts(CASE WHEN f1 IS NULL THEN NULL
									 ELSE modelgov.decide('support_tickets', f1, f2, f3, f4, team) END)
	   || jsonb_build_object(
			'feature_availability', round(avg((f1 IS NOT NULL)::int), 4),
			'latency_p99_ms', 40 + extract(day FROM day)::int % 7,
			'correct_auto', CASE WHEN day < '2024-03-01' THEN 0.948 + 0.002 * (extract(day FROM day)::int % 3 - 1)
								 ELSE 0.953 + 0.001 * (extract(day FROM day)::int % 3 - 1) END) AS metrics
  FROM tickets GROUP BY day;
GRANT SELECT ON daily_report TO ops;

\echo '== 2024-02-16: alice proposes the seed''s change, declared as the seed declares it'
SET modelgov.clock = '2024-02-16 10:00:00+00';
SET ROLE alice;
SELECT modelgov.propose('support_tickets', 'weights_update', 'Monthly optimization using logistic regression on Feb data',
	'{"threshold_auto": 0.18, "threshold_escalate": 0.48}',
	'{"expected_auto_resolve_rate": 0.12, "expected_escalate_rate": 0.08, "youden_improvement": 0.032, "sample_size": 5400}',
	'Roll back to 1.0.0 with modelgov.rollback().', 'Daily checks for 7 days after deployment.');
\echo '   Refused: the change moves only thresholds.  Declared as what it is:'
SELECT modelgov.propose('support_tickets', 'threshold_change', 'Monthly threshold optimization (ROC/Youden)',
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
\echo '   The approval as the audit log records it, in the seed''s shape:'
\pset format unaligned
\pset tuples_only on
SELECT modelgov.format_json(modelgov.audit_entry(seq)) FROM modelgov.audit_log
 WHERE event_type = 'approved' AND proposal_id = 'PROP_202402_001';
\pset format aligned
\pset tuples_only off

\echo '== February''s metrics of 1.0.0 come in: the history the monitor compares with'
SET modelgov.clock = '2024-02-29 23:00:00+00';
SET ROLE ops;
SELECT count(modelgov.record_metrics('support_tickets', '1.0.0', day, metrics)) AS days_recorded
  FROM daily_report WHERE day < '2024-03-01';
RESET ROLE;
SELECT version, performance FROM modelgov.version_history WHERE version::text = '1.0.0';

\echo '== Deployment: staging, smoke tests, then production on schedule'
SET ROLE ops;
SELECT modelgov.deploy('PROP_202402_001', 'production');
SELECT modelgov.deploy('PROP_202402_001', 'staging');
SELECT modelgov.deploy('PROP_202402_001', 'production');
SELECT modelgov.record_smoke_test('support_tickets', '1.0.1', true, '{"command": "pytest tests/ -v", "failures": 0}');
SELECT modelgov.deploy('PROP_202402_001', 'production');
RESET ROLE;
SET modelgov.clock = '2024-03-01 00:00:00+00';
SET ROLE ops;
SELECT modelgov.deploy('PROP_202402_001', 'production');
RESET ROLE;
SELECT modelgov.active_version('support_tickets', 'production') AS production,
	   modelgov.active_version('support_tickets', 'staging') AS staging;
SELECT modelgov.model_config('support_tickets');
\echo '   The seed''s model configuration file of 1.0.1, and the historical record of 1.0.0:'
\pset format unaligned
\pset tuples_only on
SELECT modelgov.config_file('support_tickets', '1.0.1');
SELECT modelgov.format_json(modelgov.version_record('support_tickets', '1.0.0'));
\pset format aligned
\pset tuples_only off

-- formats: 1.0.1 is in production (test/sql/seed_formats.sql stops here once)
\echo '== 2024-03-01 to 2024-03-07: 1.0.1 in production, the daily metrics come in'
SET modelgov.clock = '2024-03-08 06:00:00+00';
SET ROLE ops;
SELECT count(modelgov.record_metrics('support_tickets', '1.0.1', day, metrics)) AS days_recorded
  FROM daily_report WHERE day BETWEEN '2024-03-01' AND '2024-03-07';
SELECT * FROM modelgov.health_check('support_tickets', '1.0.1', '2024-03-07');
SELECT * FROM modelgov.monitor('support_tickets') WHERE passed IS NOT TRUE OR action IS NOT NULL;
RESET ROLE;

\echo '== 2024-03-08 06:10: seven clean days; the release checklist of 1.0.1'
SET modelgov.clock = '2024-03-08 06:10:00+00';
SELECT * FROM modelgov.release_checklist('support_tickets', '1.0.1');
SET ROLE eve;
SELECT modelgov.release('support_tickets', '1.0.1');
SELECT count(modelgov.attest('support_tickets', '1.0.1', item, evidence)) AS attested
  FROM (VALUES ('tests_pass', 'pytest tests/ -v: 412 passed'),
			   ('documentation_updated', 'docs/thresholds.md updated'),
			   ('changelog_updated', 'CHANGELOG.md: [1.0.1] - 2024-03-01'),
			   ('release_notes_published', 'release notes sent to #model-committee')) AS a(item, evidence);
\echo '   Code reviewed by 2+ engineers: two members other than the proposer attest it'
SET ROLE bob;
SELECT modelgov.attest('support_tickets', '1.0.1', 'code_reviewed', 'PR #87 reviewed');
SET ROLE carol;
SELECT modelgov.attest('support_tickets', '1.0.1', 'code_reviewed', 'PR #87 reviewed');
SET ROLE eve;
SELECT modelgov.release('support_tickets', '1.0.1');
RESET ROLE;
SELECT version, released_by FROM modelgov.releases;
\echo '   The release froze the changelog of 1.0.1 in the seed''s words:'
\pset format unaligned
\pset tuples_only on
SELECT changelog FROM modelgov.releases WHERE model = 'support_tickets' AND version::text = '1.0.1';
\pset format aligned
\pset tuples_only off

\echo '== 2024-03-08 06:45: escalations at 15% against 8% expected; the monitor rolls back'
SET modelgov.clock = '2024-03-08 06:45:00+00';
SET ROLE ops;
SELECT modelgov.record_metrics('support_tickets', '1.0.1', '2024-03-08', metrics) FROM daily_report WHERE day = '2024-03-08';
SELECT * FROM modelgov.monitor(NULL, auto_rollback => true) WHERE passed IS NOT TRUE OR action IS NOT NULL;
\echo '   Running the monitor again changes nothing:'
SELECT * FROM modelgov.monitor(NULL, auto_rollback => true) WHERE passed IS NOT TRUE OR action IS NOT NULL;
RESET ROLE;
SELECT modelgov.active_version('support_tickets', 'production');
\echo '   The alert, as the on-call engineer sees it (the events of the audit log are NOTIFYed too):'
SELECT seq, model, version, day, check_name, kind, observed, expected, acknowledged
  FROM modelgov.alerts ORDER BY seq;
\echo '   The last 24 hours in one call: the version, its change, two days of metrics and checks, the alerts'
SELECT jsonb_pretty(modelgov.incident_review('support_tickets', '2024-03-08 06:45:00+00')) AS incident_review;
\echo '   The rollback opened a root-cause analysis, owned by the science lead:'
SELECT model, step, waits_for, who, due FROM modelgov.open_work WHERE step = 'root-cause analysis';

\echo '== 2024-03-11: the root cause, annotated'
SET modelgov.clock = '2024-03-11 10:00:00+00';
SET ROLE eve;
SELECT modelgov.annotate((SELECT seq FROM modelgov.audit_log WHERE event_type = 'rollback'),
						 'Upstream schema change shifted f3 for billing tickets') AS annotation;
RESET ROLE;
\echo '   The deployment and the rollback, exported in the seed''s audit-log shape (the rollback entry'
\echo '   keeps "TBD - scheduled analysis"; the annotation is an entry of its own):'
\pset format unaligned
\pset tuples_only on
SELECT modelgov.audit_export('support_tickets', '{deployment,rollback}',
							 first_seq => (SELECT seq FROM modelgov.audit_log
											WHERE event_type = 'deployment' AND status = 'active'
											  AND proposal_id = 'PROP_202402_001'));
\pset format aligned
\pset tuples_only off

\echo '== 2024-03-11 11:00: a second model, refunds, with a product manager of its own'
SET modelgov.clock = '2024-03-11 11:00:00+00';
SELECT modelgov.create_model('refunds', '{"weights": [0.60, 0.40],
										  "biases": {"default": -0.20, "team0": -0.05, "team4": 0.10},
										  "thresholds": {"auto": 0.30, "escalate": 0.70},
										  "safety_rules": [{"name": "large_amount", "feature": "f2", "op": ">=",
															"value": 0.95, "decision": "ESCALATE"}]}',
							 'Approves refund requests');
CREATE ROLE frank;
GRANT USAGE ON SCHEMA modelgov TO frank;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA modelgov TO frank;
SELECT modelgov.add_member('frank', 'frank@company.com');
SELECT modelgov.grant_duty('frank', 'product_manager', 'refunds');
SET ROLE alice;
SELECT modelgov.propose('refunds', 'threshold_change', 'Fewer refunds decided without a person',
	'{"threshold_auto": 0.25}',
	'{"expected_auto_resolve_rate": 0.30, "expected_escalate_rate": 0.10, "sample_size": 2000}',
	'Roll back to 1.0.0 with modelgov.rollback(''refunds'', reason).', 'Daily checks for 7 days after deployment.');
SET ROLE bob;
SELECT modelgov.review('PROP_202403_001', '{"aligns_with_business_goals": true, "data_quality_sufficient": true,
	"impact_analysis_completed": true, "no_regressions_observed": true, "rollback_plan_documented": true,
	"monitoring_plan_documented": true}', true);
SET ROLE carol;
SELECT modelgov.review('PROP_202403_001', '{"aligns_with_business_goals": true, "data_quality_sufficient": true,
	"impact_analysis_completed": true, "no_regressions_observed": true, "rollback_plan_documented": true,
	"monitoring_plan_documented": true}', true);
\echo '   Refused: diana is the product manager of support_tickets, not of refunds.'
SET ROLE diana;
SELECT modelgov.approve('PROP_202403_001', 'product_manager');
SET ROLE frank;
SELECT modelgov.approve('PROP_202403_001', 'product_manager');
SET ROLE charlie;
SELECT modelgov.approve('PROP_202403_001', 'model_science_lead');
SET ROLE eve;
SELECT modelgov.approve('PROP_202403_001', 'engineering_lead');
SET ROLE ops;
SELECT modelgov.deploy('PROP_202403_001', 'staging');
SELECT modelgov.record_smoke_test('refunds', '1.0.1', true);
SELECT modelgov.deploy('PROP_202403_001', 'production');
RESET ROLE;
\echo '   One query scores both models, each with its own active version:'
SELECT modelgov.decide('support_tickets', f1, f2, f3, f4, team) AS ticket,
	   modelgov.decide('refunds', ARRAY[f1, f2], team) AS refund, count(*)
  FROM tickets WHERE day = '2024-03-08'
 GROUP BY 1, 2 ORDER BY 1, 2;
\echo '   The inventory: one row per model'
SELECT model, production_version, staging_version, production_since, open_proposals,
	   last_deployment ->> 'version' AS last_deployed, last_rollback ->> 'version' AS last_rolled_back_to,
	   last_alert ->> 'check' AS last_alert, previous_version, previous_support, duties
  FROM modelgov.inventory ORDER BY model;

\echo '== The record'
SELECT model, version, status, released_at, weights, thresholds, performance, superseded_by, proposal
  FROM modelgov.version_history ORDER BY model, version;
SELECT seq, recorded_at, event_type, actor, model, version, proposal_id, change_type, status
  FROM modelgov.audit_log ORDER BY seq;
SELECT jsonb_pretty(details) AS deployment FROM modelgov.audit_log WHERE event_type = 'deployment' AND status = 'active';
SELECT jsonb_pretty(details) AS rollback FROM modelgov.audit_log WHERE event_type = 'rollback';
SELECT * FROM modelgov.verify_audit_log();

\echo '== The changelog, generated'
\pset format unaligned
\pset tuples_only on
SELECT modelgov.changelog('support_tickets');
\pset format aligned
\pset tuples_only off

\echo '== Support windows'
SELECT v.version, at, s.*
  FROM (VALUES ('1.0.0'::modelgov.semver), ('1.0.1')) AS v(version),
	   (VALUES ('2024-02-20 00:00:00+00'::timestamptz), ('2024-03-05 00:00:00+00'),
			   ('2024-03-11 10:00:00+00')) AS t(at),
	   LATERAL modelgov.support_status('support_tickets', v.version, t.at) AS s
 ORDER BY at, v.version::text;

\echo '== 2024-04-01: the monthly optimization, computed by the database'
\echo '   The tickets of March, labelled with the decision a person found right:'
SET modelgov.clock = '2024-04-01 09:00:00+00';
CREATE VIEW labelled_tickets AS
SELECT ARRAY[f1, f2, f3, f4] AS features, team AS candidate,
	   (CASE WHEN id % 13 = 0 THEN 'ASK'
			 WHEN f1 < 0.25 THEN 'AUTO' WHEN f1 >= 0.40 THEN 'ESCALATE' ELSE 'ASK' END)::modelgov.decision AS correct
  FROM tickets
 WHERE day BETWEEN '2024-03-01' AND '2024-03-07' AND f1 IS NOT NULL;
GRANT SELECT ON labelled_tickets TO alice, bob;
SELECT correct, count(*) FROM labelled_tickets GROUP BY correct ORDER BY correct;
\echo '   How well 1.0.0 separates them (p >= t means a person), in one pass:'
SELECT jsonb_pretty(modelgov.evaluation(modelgov.score('support_tickets', '1.0.0', features, candidate),
										correct <> 'AUTO')) AS evaluation
  FROM labelled_tickets;
\echo '   alice files the optimization in one call: thresholds, impact analysis, sample fingerprint'
SET ROLE alice;
SELECT modelgov.propose_thresholds('support_tickets', 'SELECT * FROM public.labelled_tickets') AS proposal;
RESET ROLE;
SELECT proposal_id, change_type, base_version, target_version, old_values, new_values
  FROM modelgov.proposals WHERE proposal_id = 'PROP_202404_001';
SELECT jsonb_pretty(impact_analysis - 'sample' - 'transitions') AS impact_analysis,
	   impact_analysis -> 'transitions' AS transitions
  FROM modelgov.proposals WHERE proposal_id = 'PROP_202404_001';
SELECT impact_analysis #> '{sample,query}' AS query, impact_analysis #> '{sample,rows}' AS rows
  FROM modelgov.proposals WHERE proposal_id = 'PROP_202404_001';
\echo '   bob, reviewing, computes it again from the stored query: the rows and the analysis match'
SET ROLE bob;
SELECT r ->> 'data_matches' AS data_matches, r -> 'rows' AS rows, r -> 'differences' AS differences
  FROM modelgov.recheck_impact('PROP_202404_001') AS r;
\echo '   and backtests the proposed version against the active one on the same rows, before any approval:'
SELECT modelgov.decide('support_tickets', '1.0.0', features, candidate) AS active_1_0_0,
	   modelgov.decide('support_tickets', '1.0.2', features, candidate) AS proposed_1_0_2,
	   count(*), count(*) FILTER (WHERE correct = modelgov.decide('support_tickets', '1.0.2', features, candidate)) AS proposed_right
  FROM labelled_tickets GROUP BY 1, 2 ORDER BY 1, 2;
RESET ROLE;
RESET modelgov.clock;
