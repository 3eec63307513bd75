--
-- models.sql
--		Many models in one database: the registry, duties per model, three
--		models side by side (separate committees, independent deployments
--		and rollbacks, one query scoring two models, the monitor rolling back
--		only the model whose metrics went wrong), retirement, and the 0.1.0
--		calls without a model once there are several.
--
BEGIN;
\ir helpers.psql
SELECT plan(92);

SET LOCAL modelgov.clock = '2024-01-01 00:00:00+00';
CREATE ROLE mg_mm_admin;
CREATE ROLE mg_mm_alice;			-- proposes
CREATE ROLE mg_mm_bob;				-- reviews
CREATE ROLE mg_mm_carol;			-- reviews
CREATE ROLE mg_mm_msl;				-- model science lead, every model
CREATE ROLE mg_mm_el;				-- engineering lead, every model
CREATE ROLE mg_mm_pm_t;				-- product manager of tickets only
CREATE ROLE mg_mm_pm_f;				-- product manager of fraud only
CREATE ROLE mg_mm_dep_t;			-- deployer of tickets only
CREATE ROLE mg_mm_dep;				-- deployer of every model
CREATE ROLE mg_mm_outsider;
GRANT USAGE ON SCHEMA modelgov TO mg_mm_admin, mg_mm_alice, mg_mm_bob, mg_mm_carol, mg_mm_msl, mg_mm_el,
	mg_mm_pm_t, mg_mm_pm_f, mg_mm_dep_t, mg_mm_dep, mg_mm_outsider;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA modelgov TO mg_mm_admin, mg_mm_alice, mg_mm_bob, mg_mm_carol, mg_mm_msl,
	mg_mm_el, mg_mm_pm_t, mg_mm_pm_f, mg_mm_dep_t, mg_mm_dep, mg_mm_outsider;
SELECT extowner::regrole::text AS owner FROM pg_extension WHERE extname = 'modelgov' \gset
GRANT :"owner" TO mg_mm_admin;

\set cfg '{"weights": [0.5, 0.5], "thresholds": {"auto": 0.3, "escalate": 0.7}}'
\set checklist '{"aligns_with_business_goals": true, "data_quality_sufficient": true, "impact_analysis_completed": true, "no_regressions_observed": true, "rollback_plan_documented": true, "monitoring_plan_documented": true}'

-- 1. the registry
SET LOCAL ROLE mg_mm_admin;
SELECT is(modelgov.create_model('tickets', :'cfg', 'Support tickets')::text, '1.0.0',
		  'create_model returns the first version');
RESET ROLE;
-- while tickets is the only model, the 0.1.0 NULL arguments keep their meaning
SELECT is(modelgov.model_config(NULL) ->> 'version', '1.0.0', 'model_config(NULL): the only model''s active version');
SELECT ok(modelgov.changelog(NULL) LIKE '# Changelog%## [1.0.0]%', 'changelog(NULL): the only model''s changelog');
SET LOCAL ROLE mg_mm_admin;
SELECT is(modelgov.create_model('fraud', '{"version": "2.0.0", "weights": [1.0, -1.0], "thresholds": {"auto": 0.2, "escalate": 0.6}}')::text,
		  '2.0.0', 'its "version" key names the first version');
SELECT lives_ok($$SELECT modelgov.create_model('churn', '{"weights": [0.1, 0.1], "thresholds": {"auto": 0.3, "escalate": 0.7}}')$$,
				'a third model');
RESET ROLE;
SELECT results_eq($$SELECT name, description, created_by FROM modelgov.models ORDER BY name$$,
				  $$VALUES ('churn', NULL::text, 'mg_mm_admin'), ('fraud', NULL, 'mg_mm_admin'),
						   ('tickets', 'Support tickets', 'mg_mm_admin')$$,
				  'modelgov.models holds the three, with who created them');
-- ORDER BY e.env: the enum's order (staging first), not the text of the output column
SELECT results_eq($$SELECT e.model, e.env::text, e.version::text FROM modelgov.environments e ORDER BY e.model, e.env$$,
				  $$VALUES ('churn', 'staging', '1.0.0'), ('churn', 'production', '1.0.0'),
						   ('fraud', 'staging', '2.0.0'), ('fraud', 'production', '2.0.0'),
						   ('tickets', 'staging', '1.0.0'), ('tickets', 'production', '1.0.0')$$,
				  'each model has its own staging and production');
SELECT results_eq($$SELECT model, version::text FROM modelgov.audit_log WHERE event_type = 'init' ORDER BY seq$$,
				  $$VALUES ('tickets', '1.0.0'), ('fraud', '2.0.0'), ('churn', '1.0.0')$$,
				  'each creation is audited with its model');
SELECT is(pg_temp.error_of($$SELECT modelgov.create_model('Tickets', '{"weights": [1]}')$$),
		  '22023 invalid model name "Tickets" | A model''s name is a lower-case letter, then up to 62 lower-case letters, digits or underscores.',
		  'a name that is not a lower-case identifier (22023)');
SELECT is(pg_temp.error_of($$SELECT modelgov.create_model(repeat('a', 64), '{"weights": [1]}')$$),
		  '22023 invalid model name "' || repeat('a', 64) || '" | A model''s name is a lower-case letter, then up to 62 lower-case letters, digits or underscores.',
		  'a name of 64 characters (22023)');
SELECT is(pg_temp.error_of(format('SELECT modelgov.create_model(%L, %L)', 'tickets', :'cfg')),
		  '42710 model "tickets" already exists | Model names are unique in a database.', 'a name taken (42710)');
SELECT throws_ok($$SELECT modelgov.create_model(NULL, '{"weights": [1]}')$$, '22004', NULL, 'a NULL name (22004)');
SELECT throws_ok($$SELECT modelgov.create_model('x', '{"weights": "no"}')$$, '22023', NULL,
				 'an invalid configuration (22023)');
SELECT is((SELECT count(*) FROM modelgov.models), 3::bigint, 'the refused calls created nothing');
SET LOCAL ROLE mg_mm_outsider;
SELECT throws_ok($$SELECT modelgov.create_model('x', '{"weights": [1]}')$$, '42501', 'permission denied to create models',
				 'only administrators create models (42501)');
RESET ROLE;

-- 2. the 0.1.0 calls without a model: one model is needed
SELECT is(pg_temp.error_of($$SELECT modelgov.active_version()$$),
		  '55000 modelgov.active_version() without a model name needs a database with one model | This database holds 3 models: churn, fraud, tickets.',
		  'active_version() with three models (55000), the models listed');
SELECT is(pg_temp.hint_of($$SELECT modelgov.model_config()$$),
		  '55000 Name the model as the first argument: modelgov.model_config(''churn'', ...).',
		  'the hint shows the named call');
SELECT is(pg_temp.error_of($$SELECT modelgov.init_model('{"weights": [1]}')$$),
		  '55000 the model is already initialized | This database holds the models churn, fraud, tickets; later versions come from proposals.',
		  'init_model() once there are models (55000)');
SELECT throws_ok($$SELECT modelgov.changelog()$$, '55000', NULL, 'changelog() (55000)');
SELECT throws_ok($$SELECT * FROM modelgov.health_check()$$, '55000', NULL, 'health_check() (55000)');
SELECT throws_ok($$SELECT modelgov.decide(ARRAY[0.1, 0.2])$$, '55000', NULL, 'decide() without a model (55000)');

-- 3. members and duties
SELECT modelgov.add_member('mg_mm_alice', 'alice@mm.com'), modelgov.add_member('mg_mm_bob', 'bob@mm.com'),
	   modelgov.add_member('mg_mm_carol', 'carol@mm.com'),
	   modelgov.add_member('mg_mm_msl', 'msl@mm.com', '{model_science_lead}'),
	   modelgov.add_member('mg_mm_el', 'el@mm.com', '{engineering_lead}'),
	   modelgov.add_member('mg_mm_pm_t', 'pmt@mm.com'), modelgov.add_member('mg_mm_pm_f', 'pmf@mm.com'),
	   modelgov.add_member('mg_mm_dep_t', 'dept@mm.com'), modelgov.add_member('mg_mm_dep', 'dep@mm.com', '{deployer}');
SELECT is(pg_temp.error_of($$SELECT modelgov.add_member('mg_mm_msl', 'msl@mm.com', '{product_manager}')$$),
		  '42710 role mg_mm_msl is already a modelgov member | mg_mm_msl is a member as msl@mm.com, with the duties [{"duty": "model_science_lead", "model": null}].',
		  'add_member never changes an existing member (42710)');
SELECT is((SELECT roles::text FROM modelgov.members WHERE role_name = 'mg_mm_msl'), '{model_science_lead}',
		  'and its duties are as they were');
SET LOCAL ROLE mg_mm_admin;
SELECT lives_ok($$SELECT modelgov.grant_duty('mg_mm_pm_t', 'product_manager', 'tickets')$$,
				'grant_duty for one model');
SELECT lives_ok($$SELECT modelgov.grant_duty('mg_mm_pm_f', 'product_manager', 'fraud')$$, 'another');
SELECT lives_ok($$SELECT modelgov.grant_duty('mg_mm_dep_t', 'deployer', 'tickets')$$, 'a deployer of one model');
RESET ROLE;
SELECT results_eq($$SELECT role_name, duty::text, model, granted_by FROM modelgov.duties ORDER BY role_name$$,
				  $$VALUES ('mg_mm_dep_t', 'deployer', 'tickets', 'mg_mm_admin'),
						   ('mg_mm_pm_f', 'product_manager', 'fraud', 'mg_mm_admin'),
						   ('mg_mm_pm_t', 'product_manager', 'tickets', 'mg_mm_admin')$$,
				  'modelgov.duties holds the duties for one model, with who granted them');
SELECT results_eq($$SELECT model, details ->> 'member', details ->> 'duty' FROM modelgov.audit_log
					 WHERE event_type = 'duty_granted' ORDER BY seq$$,
				  $$VALUES ('tickets', 'mg_mm_pm_t', 'product_manager'), ('fraud', 'mg_mm_pm_f', 'product_manager'),
						   ('tickets', 'mg_mm_dep_t', 'deployer')$$,
				  'each grant is audited, naming its model');
SELECT is(pg_temp.error_of($$SELECT modelgov.grant_duty('mg_mm_pm_t', 'product_manager', 'tickets')$$),
		  '42710 member mg_mm_pm_t already holds the product_manager duty for model tickets | ',
		  'a duty held already (42710)');
SELECT is(pg_temp.error_of($$SELECT modelgov.grant_duty('mg_mm_pm_t', 'product_manager', 'nope')$$),
		  '42704 model "nope" does not exist | Since modelgov 0.2.0 the calls that start from a model take its name first.',
		  'an unknown model (42704)');
SELECT is(pg_temp.error_of($$SELECT modelgov.grant_duty('mg_mm_outsider', 'deployer')$$),
		  '42704 role mg_mm_outsider is not a modelgov member | ', 'a role that is not a member (42704)');
SELECT is(pg_temp.error_of($$SELECT modelgov.revoke_duty('mg_mm_pm_t', 'product_manager')$$),
		  '42704 member mg_mm_pm_t does not hold the product_manager duty for every model | mg_mm_pm_t holds it for: tickets.',
		  'revoking a duty for a scope it was not granted for (42704), with what is held');
SET LOCAL ROLE mg_mm_pm_t;
SELECT throws_ok($$SELECT modelgov.grant_duty('mg_mm_pm_t', 'product_manager')$$, '42501', 'permission denied to grant duties',
				 'only administrators grant duties (42501)');
SELECT throws_ok($$SELECT modelgov.revoke_duty('mg_mm_pm_t', 'product_manager', 'tickets')$$, '42501', NULL,
				 'or revoke them (42501)');
RESET ROLE;

-- 4. one change to each of two models; separate committees
SET LOCAL ROLE mg_mm_alice;
SELECT modelgov.propose('tickets', 'threshold_change', 'tickets: lower auto',
	'{"threshold_auto": 0.25}', '{"sample_size": 5000, "expected_auto_resolve_rate": 0.5, "expected_escalate_rate": 0.1}',
	'roll back', 'watch') AS p_t \gset
SELECT modelgov.propose('fraud', 'threshold_change', 'fraud: lower auto',
	'{"threshold_auto": 0.15}', '{"sample_size": 5000, "expected_auto_resolve_rate": 0.5, "expected_escalate_rate": 0.1}',
	'roll back', 'watch') AS p_f \gset
RESET ROLE;
SELECT results_eq($$SELECT proposal_id, model, base_version::text, target_version::text FROM modelgov.proposals ORDER BY proposal_id$$,
				  $$VALUES ('PROP_202401_001', 'tickets', '1.0.0', '1.0.1'), ('PROP_202401_002', 'fraud', '2.0.0', '2.0.1')$$,
				  'proposal ids run across models; each proposal changes its model''s active version');
SET LOCAL ROLE mg_mm_bob;
SELECT modelgov.review(:'p_t', :'checklist', true), modelgov.review(:'p_f', :'checklist', true);
SET LOCAL ROLE mg_mm_carol;
SELECT modelgov.review(:'p_t', :'checklist', true), modelgov.review(:'p_f', :'checklist', true);
SET LOCAL ROLE mg_mm_pm_t;
SELECT is(pg_temp.error_of(format('SELECT modelgov.approve(%L, %L)', :'p_f', 'product_manager')),
		  '42501 permission denied to approve as product_manager | Member mg_mm_pm_t (pmt@mm.com) does not hold the product_manager duty for model fraud.',
		  'the product manager of tickets cannot approve for fraud (42501)');
SELECT is(pg_temp.error_of(format('SELECT modelgov.reject(%L, %L)', :'p_f', 'no')),
		  '42501 permission denied to reject proposals | Member pmt@mm.com holds no committee duty for model fraud.',
		  'nor reject its proposals (42501)');
SELECT lives_ok(format('SELECT modelgov.approve(%L, %L)', :'p_t', 'product_manager'), 'but approves for tickets');
SET LOCAL ROLE mg_mm_pm_f;
SELECT lives_ok(format('SELECT modelgov.approve(%L, %L)', :'p_f', 'product_manager'), 'the product manager of fraud approves for fraud');
SET LOCAL ROLE mg_mm_msl;
SELECT modelgov.approve(:'p_t', 'model_science_lead'), modelgov.approve(:'p_f', 'model_science_lead');
SET LOCAL ROLE mg_mm_el;
SELECT modelgov.approve(:'p_t', 'engineering_lead'), modelgov.approve(:'p_f', 'engineering_lead');
RESET ROLE;
SELECT results_eq($$SELECT model, version::text, status FROM modelgov.versions WHERE proposal_id IS NOT NULL ORDER BY model$$,
				  $$VALUES ('fraud', '2.0.1', 'approved'), ('tickets', '1.0.1', 'approved')$$,
				  'a database-wide duty counts for every model: both are approved');

-- 5. deployments: a deployer of one model, of every model
SET LOCAL ROLE mg_mm_dep_t;
SELECT is(pg_temp.error_of(format('SELECT modelgov.deploy(%L, %L)', :'p_f', 'staging')),
		  '42501 permission denied to deploy | Member mg_mm_dep_t (dept@mm.com) does not hold the deployer duty for model fraud.',
		  'the deployer of tickets cannot deploy fraud (42501)');
SELECT lives_ok(format('SELECT modelgov.deploy(%L, %L)', :'p_t', 'staging'), 'but deploys tickets to staging');
SELECT lives_ok($$SELECT modelgov.record_smoke_test('tickets', '1.0.1', true)$$, 'records its smoke test');
SELECT throws_ok($$SELECT modelgov.record_smoke_test('fraud', '2.0.1', true)$$, '42501', NULL,
				 'not fraud''s (42501)');
-- only a superuser sets the clock
RESET ROLE;
SET LOCAL modelgov.clock = '2024-01-06 00:00:00+00';
SET LOCAL ROLE mg_mm_dep_t;
SELECT is(modelgov.deploy(:'p_t', 'production')::text, '1.0.1', 'and deploys tickets to production');
SET LOCAL ROLE mg_mm_dep;
SELECT modelgov.deploy(:'p_f', 'staging');
SELECT throws_ok($$SELECT modelgov.record_smoke_test('fraud', '1.0.1', true)$$, '42704',
				 'version 1.0.1 of model "fraud" does not exist', 'a version of another model is not this model''s (42704)');
SELECT modelgov.record_smoke_test('fraud', '2.0.1', true);
SELECT is(modelgov.deploy(:'p_f', 'production')::text, '2.0.1', 'a deployer of every model deploys fraud');
RESET ROLE;
SELECT results_eq($$SELECT model, production_version::text, staging_version::text FROM modelgov.inventory ORDER BY model$$,
				  $$VALUES ('churn', '1.0.0', '1.0.0'), ('fraud', '2.0.1', '2.0.1'), ('tickets', '1.0.1', '1.0.1')$$,
				  'the inventory: each model''s production and staging version');
SELECT is(modelgov.active_version('fraud', 'production')::text, '2.0.1', 'active_version(model, env)');
SELECT is(pg_temp.error_of($$SELECT modelgov.active_version('nope', 'production')$$),
		  '42704 model "nope" does not exist | Since modelgov 0.2.0 the calls that start from a model take its name first.',
		  'active_version of an unknown model (42704)');
SELECT is(pg_temp.hint_of($$SELECT modelgov.active_version('nope', 'production')$$),
		  '42704 The models are: churn, fraud, tickets.', 'its hint lists the models');
SELECT is(modelgov.model_config('tickets') -> 'thresholds' ->> 'auto', '0.25', 'model_config(model) of the active version');
SELECT is(modelgov.model_config('tickets', '1.0.0') ->> 'version', '1.0.0', 'model_config(model, version)');

-- 6. scoring two models in one query
-- The scores fall between the auto thresholds of each model's two versions
-- (tickets: 0.27, between 0.25 and 0.3; fraud: 0.17, between 0.15 and 0.2):
-- ASK under the active versions, AUTO under the superseded ones.
SELECT results_eq($$SELECT modelgov.decide('tickets', ARRAY[0.27, 0.27])::text, modelgov.decide('fraud', ARRAY[0.17, 0.0])::text,
						   modelgov.explain('fraud', ARRAY[0.17, 0.0]) ->> 'version',
						   modelgov.decide('tickets', '1.0.0'::modelgov.semver, ARRAY[0.27, 0.27])::text$$,
				  $$VALUES ('ASK', 'ASK', '2.0.1', 'AUTO')$$,
				  'one query scores two models, each with its active version');
SELECT is(modelgov.score('fraud', '2.0.0', ARRAY[1.0, 0.0]), modelgov.score('fraud', ARRAY[1.0, 0.0]),
		  'a given version of a model scores like the active one when their weights agree');
SELECT throws_ok($$SELECT modelgov.decide('nope', ARRAY[0.1, 0.2])$$, '42704', NULL, 'an unknown model is not scored (42704)');
SELECT throws_ok($$SELECT modelgov.decide('1.0.0', ARRAY[0.1, 0.2], 'x')$$, '42704', NULL,
				 'an untyped version in the 0.1.0 form reads as a model name: 42704');

-- 7. one model rolls back; the others keep their versions
SET LOCAL ROLE mg_mm_dep_t;
SELECT is(modelgov.rollback('tickets', 'tickets went wrong')::text, '1.0.0', 'rollback(model, reason)');
RESET ROLE;
SELECT results_eq($$SELECT model, production_version::text FROM modelgov.inventory ORDER BY model$$,
				  $$VALUES ('churn', '1.0.0'), ('fraud', '2.0.1'), ('tickets', '1.0.0')$$,
				  'the rollback of tickets leaves fraud and churn as they were');
SELECT is((SELECT last_rollback ->> 'reason' FROM modelgov.inventory WHERE model = 'tickets'), 'tickets went wrong',
		  'the inventory shows the last rollback');
SELECT is((SELECT previous_support FROM modelgov.inventory WHERE model = 'fraud'), 'unsupported',
		  'and the support status of the version fraud''s active version replaced (2.0.1 is a PATCH: no window)');
SELECT results_eq($$SELECT model, kind, version::text, from_version::text FROM modelgov.deployments
					 WHERE env = 'production' ORDER BY id$$,
				  $$VALUES ('tickets', 'init', '1.0.0', NULL), ('fraud', 'init', '2.0.0', NULL), ('churn', 'init', '1.0.0', NULL),
						   ('tickets', 'deploy', '1.0.1', '1.0.0'), ('fraud', 'deploy', '2.0.1', '2.0.0'),
						   ('tickets', 'rollback', '1.0.0', '1.0.1')$$,
				  'deployments carry their model');
SELECT results_eq($$SELECT model, version::text, status FROM modelgov.version_history ORDER BY model, version$$,
				  $$VALUES ('churn', '1.0.0', 'active'), ('fraud', '2.0.0', 'superseded'), ('fraud', '2.0.1', 'active'),
						   ('tickets', '1.0.0', 'active'), ('tickets', '1.0.1', 'rolled_back')$$,
				  'version_history, per model');

-- 8. the monitor judges each model on its own history, and rolls back only
-- the model whose metrics went wrong
SET LOCAL ROLE mg_mm_alice;
SELECT modelgov.propose('tickets', 'threshold_change', 'tickets again', '{"threshold_auto": 0.26}',
	'{"sample_size": 5000, "expected_auto_resolve_rate": 0.5, "expected_escalate_rate": 0.1}', 'roll back', 'watch') AS p_t2 \gset
RESET ROLE;
SET LOCAL ROLE mg_mm_bob;
SELECT modelgov.review(:'p_t2', :'checklist', true);
SET LOCAL ROLE mg_mm_carol;
SELECT modelgov.review(:'p_t2', :'checklist', true);
SET LOCAL ROLE mg_mm_pm_t;
SELECT modelgov.approve(:'p_t2', 'product_manager');
SET LOCAL ROLE mg_mm_msl;
SELECT modelgov.approve(:'p_t2', 'model_science_lead');
SET LOCAL ROLE mg_mm_el;
SELECT modelgov.approve(:'p_t2', 'engineering_lead');
RESET ROLE;
SET LOCAL modelgov.clock = '2024-01-06 01:00:00+00';
SET LOCAL ROLE mg_mm_dep;
-- five days of history of tickets 1.0.0 and fraud 2.0.0 before the deployments: escalation near 10%
SELECT count(modelgov.record_metrics(m, v, d, jsonb_build_object('decisions', 100, 'auto', 50, 'escalate', e, 'errors', 0)))
  FROM (VALUES ('tickets', '1.0.0'::modelgov.semver), ('fraud', '2.0.0')) AS x(m, v),
	   (VALUES ('2024-01-01'::date, 9), ('2024-01-02', 10), ('2024-01-03', 11), ('2024-01-04', 10), ('2024-01-05', 10)) AS y(d, e);
SELECT modelgov.deploy(:'p_t2', 'staging'), modelgov.record_smoke_test('tickets', '1.0.2', true),
	   modelgov.deploy(:'p_t2', 'production');
RESET ROLE;
SET LOCAL modelgov.clock = '2024-01-06 23:00:00+00';
SET LOCAL ROLE mg_mm_dep;
-- the day after: tickets 1.0.2 escalates 40%, fraud 2.0.1 10%
SELECT modelgov.record_metrics('tickets', '1.0.2', '2024-01-06', '{"decisions": 100, "auto": 50, "escalate": 40, "errors": 0}'),
	   modelgov.record_metrics('fraud', '2.0.1', '2024-01-06', '{"decisions": 100, "auto": 50, "escalate": 10, "errors": 0}');
CREATE TEMP TABLE mon ON COMMIT DROP AS SELECT * FROM modelgov.monitor(NULL, true);
RESET ROLE;
SELECT results_eq($$SELECT model_name, action FROM mon WHERE check_name = 'trigger:escalate_rate' ORDER BY model_name$$,
				  $$VALUES ('fraud', NULL::text), ('tickets', 'rolled back to 1.0.0')$$,
				  'monitor(NULL, true): tickets rolls back, fraud does not');
SELECT results_eq($$SELECT model, production_version::text FROM modelgov.inventory ORDER BY model$$,
				  $$VALUES ('churn', '1.0.0'), ('fraud', '2.0.1'), ('tickets', '1.0.0')$$,
				  'after the monitor: only tickets changed');
SELECT is((SELECT count(DISTINCT model_name) FROM mon), 2::bigint,
		  'the monitor reported on the two models with metrics since their deployment, and not on churn');
SELECT is((SELECT last_alert ->> 'check' FROM modelgov.inventory WHERE model = 'tickets'),
		  (SELECT a.details ->> 'check' FROM modelgov.audit_log a
			WHERE a.model = 'tickets' AND a.event_type = 'alert' AND a.details ->> 'check' LIKE 'trigger:%'
			ORDER BY a.seq DESC LIMIT 1),
		  'the inventory shows the last alert (after the escalation trigger: a trigger metric tickets did not report)');
SELECT is((SELECT details ->> 'rolled_back_by' FROM modelgov.audit_log WHERE event_type = 'rollback' AND model = 'tickets'
			ORDER BY seq DESC LIMIT 1), 'automation', 'the rollback is the automation''s, naming its model');
SET LOCAL ROLE mg_mm_dep_t;
SELECT is(pg_temp.error_of($$SELECT * FROM modelgov.monitor('fraud', true)$$),
		  '42501 permission denied to monitor with automatic rollback | Member mg_mm_dep_t (dept@mm.com) does not hold the deployer duty for model fraud.',
		  'a deployer of tickets cannot run the automatic rollback of fraud (42501)');
SELECT lives_ok($$SELECT * FROM modelgov.monitor('fraud')$$, 'but reads its checks');
RESET ROLE;

-- 8b. a model whose record cannot be checked keeps no other model from
-- its checks: an impact analysis whose expected rate is not a number (0.1.0
-- took one; propose now refuses it) makes fraud's run fail, in an error row
SET LOCAL ROLE mg_mm_alice;
SELECT is(pg_temp.error_of($$SELECT modelgov.propose('fraud', 'threshold_change', 'x', '{"threshold_auto": 0.16}',
														'{"expected_escalate_rate": "about 8%"}', NULL, NULL)$$),
		  '22023 invalid impact_analysis | expected_escalate_rate is a rate between 0 and 1, not "about 8%".',
		  'propose refuses an expected rate that is not a rate (22023)');
RESET ROLE;
UPDATE modelgov.proposals SET impact_analysis = '{"expected_auto_resolve_rate": "about 12%"}' WHERE proposal_id = :'p_f';
-- a day of tickets 1.0.0, active again since the rollback, for the monitor to check
SET LOCAL ROLE mg_mm_dep;
SELECT modelgov.record_metrics('tickets', '1.0.0', '2024-01-06', '{"decisions": 100, "auto": 50, "escalate": 10, "errors": 0}');
RESET ROLE;
SET LOCAL ROLE mg_mm_alice;
CREATE TEMP TABLE mon2 ON COMMIT DROP AS SELECT * FROM modelgov.monitor(NULL);
RESET ROLE;
SELECT results_eq($$SELECT model_name, passed, expected, action FROM mon2 WHERE check_name = 'error'$$,
				  $$VALUES ('fraud', false, 'invalid input syntax for type double precision: "about 12%" (SQLSTATE 22P02)',
							'not checked: run monitor(''fraud'') for the error')$$,
				  'monitor(NULL): the model whose record cannot be checked gets an error row');
SELECT ok((SELECT count(*) FROM mon2 WHERE model_name = 'tickets') > 0, 'and the other models are checked');
SET LOCAL ROLE mg_mm_alice;
SELECT throws_ok($$SELECT * FROM modelgov.monitor('fraud')$$, '22P02', NULL,
				 'monitor(model) of that model fails with its error');
RESET ROLE;

-- 9. retirement: an open proposal of churn is withdrawn with it
SET LOCAL ROLE mg_mm_alice;
SELECT modelgov.propose('churn', 'threshold_change', 'churn: lower auto', '{"threshold_auto": 0.05}', NULL, NULL, NULL)
	AS p_c \gset
RESET ROLE;
SET LOCAL ROLE mg_mm_admin;
SELECT lives_ok($$SELECT modelgov.retire_model('churn', 'replaced by a vendor score')$$, 'retire_model');
RESET ROLE;
SELECT results_eq(format('SELECT status, closed_reason FROM modelgov.proposals WHERE proposal_id = %L', :'p_c'),
				  $$VALUES ('withdrawn', 'model churn retired: replaced by a vendor score')$$,
				  'its open proposal is withdrawn with it');
SELECT results_eq($$SELECT event_type, proposal_id FROM modelgov.audit_log WHERE model = 'churn' AND seq > (SELECT max(seq) - 2 FROM modelgov.audit_log) ORDER BY seq$$,
				  format('VALUES (%L, NULL::text), (%L, %L)', 'model_retired', 'withdrawn', :'p_c'),
				  'the retirement, then the withdrawal, are audited');
SET LOCAL ROLE mg_mm_admin;
SELECT is(pg_temp.error_of($$SELECT modelgov.revoke_duty('mg_mm_pm_t', 'product_manager', 'nope')$$),
		  '42704 model "nope" does not exist | Since modelgov 0.2.0 the calls that start from a model take its name first.',
		  'revoke_duty for an unknown model (42704)');
SELECT is(pg_temp.error_of($$SELECT modelgov.retire_model('churn', 'again')$$),
		  '55000 model "churn" is already retired | It was retired at 2024-01-06 23:00:00+00 by mg_mm_admin: replaced by a vendor score',
		  'a model is retired once (55000)');
SELECT throws_ok($$SELECT modelgov.retire_model('fraud', ' ')$$, '22004', NULL, 'retiring needs a reason (22004)');
SELECT is(pg_temp.error_of(format('SELECT modelgov.create_model(%L, %L)', 'churn', :'cfg')),
		  '42710 model "churn" already exists | It is retired; a retired model keeps its name and history.',
		  'a retired model keeps its name (42710)');
RESET ROLE;
SET LOCAL ROLE mg_mm_outsider;
SELECT throws_ok($$SELECT modelgov.retire_model('fraud', 'x')$$, '42501', NULL, 'only administrators retire models (42501)');
RESET ROLE;
SET LOCAL ROLE mg_mm_alice;
SELECT throws_ok($$SELECT modelgov.propose('churn', 'threshold_change', 'x', '{"threshold_auto": 0.2}', NULL, NULL, NULL)$$,
				 '55000', 'model "churn" is retired', 'a retired model takes no proposal (55000)');
RESET ROLE;
SELECT throws_ok($$SELECT modelgov.decide('churn', ARRAY[0.1, 0.1])$$, '42704', NULL,
				 'a retired model is not scored (42704)');
SELECT results_eq($$SELECT model, status, production_version::text FROM modelgov.inventory WHERE model = 'churn'$$,
				  $$VALUES ('churn', 'retired', '1.0.0')$$, 'its history stays: the inventory shows it retired');
SELECT is(modelgov.changelog('churn'), E'# Changelog\n\n## [1.0.0] - 2024-01-01\n### Added\n- Initial version\n',
		  'its changelog is still there');
SELECT is((SELECT count(*) FROM modelgov.audit_log WHERE event_type = 'model_retired' AND model = 'churn'), 1::bigint,
		  'the retirement is audited');
SELECT is(pg_temp.hint_of($$SELECT modelgov.model_config()$$),
		  '55000 Name the model as the first argument: modelgov.model_config(''fraud'', ...).',
		  'the hint of a 0.1.0 form names a model that is not retired');

-- a membership whose role was dropped takes its duties for one model with
-- it, and the audit entry of its removal lists them
CREATE ROLE mg_mm_gone;
SELECT modelgov.add_member('mg_mm_gone', 'gone@mm.com'), modelgov.grant_duty('mg_mm_gone', 'deployer', 'fraud');
DROP ROLE mg_mm_gone;
SELECT is(ARRAY(SELECT modelgov.remove_stale_members()), ARRAY['mg_mm_gone'], 'remove_stale_members() removes it');
SELECT is((SELECT details -> 'duties' FROM modelgov.audit_log WHERE event_type = 'member_removed' ORDER BY seq DESC LIMIT 1),
		  '[{"duty": "deployer", "model": "fraud"}]'::jsonb, 'its removal records the duties it held for one model');

-- 10. the record
SELECT is((SELECT count(*) FROM modelgov.audit_log WHERE model IS NULL AND event_type NOT IN ('member_added', 'member_removed', 'duty_granted')),
		  0::bigint, 'every entry but those about members names its model');
SELECT is((SELECT ok FROM modelgov.verify_audit_log()), true, 'the one chain of the database verifies');

SELECT * FROM finish();
ROLLBACK;
