--
-- incidents.sql
--		Issue 12 on dated stories (modelgov.clock), one model per story:
--		monitoring that cannot pass vacuously (item 1), a rollback trigger
--		that fires on degradation only (item 2), the history it compares
--		with (item 3), and the seed's rollback procedure: the alerts view
--		and acknowledge(), incident_review(), and the root-cause analysis
--		every rollback opens in open_work until annotate() records it.
--		Then the hostile review's findings: a corrected day is checked again,
--		who may acknowledge, what the automation account may not do, the
--		baseline day by day, and a huge value in it.
--
-- The history of a model with history: 1.0.0 from 2024-06-01, three days
-- of 10,000 decisions,
--
--		day          auto    escalate   errors   correct_auto   latency   availability
--		2024-06-01   0.095   0.095      0.004    0.94           48 ms     0.994
--		2024-06-02   0.100   0.100      0.005    0.95           50 ms     0.995
--		2024-06-03   0.105   0.105      0.006    0.96           52 ms     0.996
--
-- (sigma 0.005 for AUTO and ESCALATE, 0.001 errors, 0.01 correct_auto,
-- 2 ms latency, 0.001 availability), and 1.0.1 in production from
-- 2024-06-04 00:00 UTC.
--
-- Everything made here is rolled back with the transaction.  Run as a
-- superuser; modelgov.clock is superuser-only, so it is set with no role set.
--
BEGIN;
\ir helpers.psql
SELECT plan(135);

SET TimeZone = 'UTC';
SET DateStyle = 'ISO, MDY';
SET modelgov.clock = '2024-04-01 00:00:00+00';

CREATE ROLE mg_in_alice NOLOGIN;	-- proposer
CREATE ROLE mg_in_bob NOLOGIN;		-- reviewer, model_science_lead of every model
CREATE ROLE mg_in_carol NOLOGIN;	-- reviewer, product_manager
CREATE ROLE mg_in_dave NOLOGIN;		-- engineering_lead
CREATE ROLE mg_in_frank NOLOGIN;	-- deployer of every model
CREATE ROLE mg_in_hank NOLOGIN;		-- member without duties
CREATE ROLE mg_in_ivy NOLOGIN;		-- deployer of the model "blank" only
CREATE ROLE mg_in_jane NOLOGIN;		-- model_science_lead of the model "incident" only
CREATE ROLE mg_in_zed NOLOGIN;		-- not a member
GRANT USAGE ON SCHEMA modelgov TO mg_in_alice, mg_in_bob, mg_in_carol, mg_in_dave, mg_in_frank, mg_in_hank,
	mg_in_ivy, mg_in_jane, mg_in_zed;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA modelgov TO mg_in_alice, mg_in_bob, mg_in_carol, mg_in_dave, mg_in_frank,
	mg_in_hank, mg_in_ivy, mg_in_jane, mg_in_zed;
DO $$
BEGIN
	PERFORM modelgov.add_member('mg_in_alice', 'alice@company.com', '{}');
	PERFORM modelgov.add_member('mg_in_bob', 'bob@company.com', '{model_science_lead}');
	PERFORM modelgov.add_member('mg_in_carol', 'carol@company.com', '{product_manager}');
	PERFORM modelgov.add_member('mg_in_dave', 'dave@company.com', '{engineering_lead}');
	PERFORM modelgov.add_member('mg_in_frank', 'automation@company.com', '{deployer}');
	PERFORM modelgov.add_member('mg_in_hank', 'hank@company.com', '{}');
	PERFORM modelgov.add_member('mg_in_ivy', 'ivy@company.com', '{}');
	PERFORM modelgov.add_member('mg_in_jane', 'jane@company.com', '{}');
END
$$;

--
-- Helpers of this suite
--
-- a day of 10,000 decisions at these rates
CREATE FUNCTION pg_temp.day(auto float8, esc float8, err float8 DEFAULT 0.005, ca float8 DEFAULT 0.95,
							lat float8 DEFAULT 50, fa float8 DEFAULT 0.995) RETURNS jsonb
	LANGUAGE sql AS $$
	SELECT jsonb_build_object('decisions', 10000, 'auto', round(auto * 10000), 'escalate', round(esc * 10000),
							  'ask', 10000 - round(auto * 10000) - round(esc * 10000), 'errors', round(err * 10000),
							  'correct_auto', ca, 'latency_p99_ms', lat, 'feature_availability', fa)
$$;
-- the deployer records a version's metrics for consecutive days, the clock
-- at the next day's 00:30
CREATE FUNCTION pg_temp.rec(model text, version text, first date, metrics jsonb[]) RETURNS int
	LANGUAGE plpgsql AS $$
DECLARE
	i int;
BEGIN
	FOR i IN 1 .. cardinality(metrics) LOOP
		RESET ROLE;
		PERFORM set_config('modelgov.clock', ((first + i)::timestamp + interval '30 minutes')::text || '+00', false);
		SET LOCAL ROLE mg_in_frank;
		PERFORM modelgov.record_metrics(model, version::modelgov.semver, first + i - 1, metrics[i]);
	END LOOP;
	RESET ROLE;
	RETURN cardinality(metrics);
END
$$;
-- the three days of history of 1.0.0 (2024-06-01 to 03)
CREATE FUNCTION pg_temp.history(model text) RETURNS int
	LANGUAGE sql AS $$
	SELECT pg_temp.rec(model, '1.0.0', '2024-06-01',
		ARRAY[pg_temp.day(0.095, 0.095, 0.004, 0.94, 48, 0.994), pg_temp.day(0.100, 0.100, 0.005, 0.95, 50, 0.995),
			  pg_temp.day(0.105, 0.105, 0.006, 0.96, 52, 0.996)])
$$;
-- a change of a model through the whole process to production, at the clock
CREATE FUNCTION pg_temp.to_production(model text, changes jsonb, impact jsonb) RETURNS text
	LANGUAGE plpgsql AS $$
DECLARE
	p text;
	ck jsonb := pg_temp.ck();
	v text;
BEGIN
	SET LOCAL ROLE mg_in_alice;
	p := modelgov.propose(model, 'threshold_change', model || ': new thresholds', changes, impact,
						  'Roll back with modelgov.rollback().', 'Daily checks for 7 days after deployment.');
	SET LOCAL ROLE mg_in_bob;
	PERFORM modelgov.review(p, ck, true);
	SET LOCAL ROLE mg_in_carol;
	PERFORM modelgov.review(p, ck, true);
	PERFORM modelgov.approve(p, 'product_manager');
	SET LOCAL ROLE mg_in_bob;
	PERFORM modelgov.approve(p, 'model_science_lead');
	SET LOCAL ROLE mg_in_dave;
	PERFORM modelgov.approve(p, 'engineering_lead');
	SET LOCAL ROLE mg_in_frank;
	v := modelgov.deploy(p, 'staging')::text;
	PERFORM modelgov.record_smoke_test(model, v::modelgov.semver, true);
	v := modelgov.deploy(p, 'production')::text;
	RESET ROLE;
	RETURN v;
END
$$;
-- the deployer's monitor of one model (with or without automatic rollback)
CREATE TEMP TABLE mon_out (run text, model_name text, day date, check_name text, observed float8, expected text,
						   passed boolean, action text);
GRANT ALL ON mon_out TO PUBLIC;
CREATE FUNCTION pg_temp.mon(run text, model text, auto_rollback boolean DEFAULT false) RETURNS bigint
	LANGUAGE plpgsql AS $$
DECLARE
	n bigint;
BEGIN
	SET LOCAL ROLE mg_in_frank;
	INSERT INTO pg_temp.mon_out SELECT run, r.* FROM modelgov.monitor(model, auto_rollback) r;
	GET DIAGNOSTICS n = ROW_COUNT;
	RESET ROLE;
	RETURN n;
END
$$;
-- the audit entries of a model of one type, and the alerts of one kind
CREATE FUNCTION pg_temp.n(model text, type text) RETURNS bigint
	LANGUAGE sql AS $$SELECT count(*) FROM modelgov.audit_log a WHERE a.model = n.model AND a.event_type = type$$;
CREATE FUNCTION pg_temp.alerts_of(model text, kind text) RETURNS bigint
	LANGUAGE sql AS $$
	SELECT count(*) FROM modelgov.audit_log a WHERE a.model = alerts_of.model AND a.event_type = 'alert' AND a.status = kind
$$;
-- the model's production version and its number of rollbacks
CREATE FUNCTION pg_temp.prod(model text) RETURNS text
	LANGUAGE sql AS $$
	SELECT modelgov.active_version(model, 'production')::text || ' ' || pg_temp.n(model, 'rollback')
$$;

CREATE FUNCTION pg_temp.cfg() RETURNS jsonb
	LANGUAGE sql AS $$SELECT '{"weights": [0.5, 0.5], "threshold_auto": 0.15, "threshold_escalate": 0.5}'::jsonb$$;

------------------------------------------------------------------------------
-- Item 1: a version is validated only when its checks were made
------------------------------------------------------------------------------
-- "blank": {} as every day's metrics for seven days
-- "esc50": 50% escalations every day (no expected rates, no history)
-- "newbie": good days, but no history and no expected rates
SET modelgov.clock = '2024-05-01 00:00:00+00';
SELECT results_eq($$SELECT modelgov.create_model('blank', pg_temp.cfg())::text, modelgov.create_model('esc50', pg_temp.cfg())::text,
						   modelgov.create_model('newbie', pg_temp.cfg())::text$$,
				  $$VALUES ('1.0.0', '1.0.0', '1.0.0')$$, 'three models created on 2024-05-01');
SELECT lives_ok($$SELECT modelgov.grant_duty('mg_in_ivy', 'deployer', 'blank')$$, 'ivy deploys blank only');
SELECT is(pg_temp.rec('blank', '1.0.0', '2024-05-01', array_fill('{}'::jsonb, ARRAY[7])), 7,
		  'blank: {} recorded as the metrics of each of its first seven days');
SELECT is(pg_temp.rec('esc50', '1.0.0', '2024-05-01', array_fill(pg_temp.day(0.10, 0.50), ARRAY[7])), 7,
		  'esc50: 50% escalations each of its first seven days');
SELECT is(pg_temp.rec('newbie', '1.0.0', '2024-05-01', array_fill(pg_temp.day(0.10, 0.10), ARRAY[7])), 7,
		  'newbie: seven ordinary days');
SET modelgov.clock = '2024-05-08 01:00:00+00';
SELECT is(pg_temp.mon('blank', 'blank') + pg_temp.mon('esc50', 'esc50') + pg_temp.mon('newbie', 'newbie') > 0, true,
		  'the deployer monitors the three models once the seven days are over');
SELECT is(pg_temp.n('blank', 'validated'), 0::bigint, '{} as every day''s metrics is not validated');
SELECT is(pg_temp.n('esc50', 'validated'), 0::bigint, '50% escalations are not validated');
SELECT is(pg_temp.n('newbie', 'validated'), 0::bigint, 'seven days that could not be checked are not validated before a person looks');
SELECT results_eq(
	$$SELECT a.details->>'check', a.details->>'expected', count(*) FROM modelgov.audit_log a
	   WHERE a.model = 'blank' AND a.event_type = 'alert' AND a.status = 'not_checked'
	   GROUP BY 1, 2 ORDER BY 1$$,
	$$VALUES ('decision_distribution'::text, 'not checked: no expected rates in the impact analysis'::text, 7::bigint),
			 ('error_rate', 'not checked: errors (with decisions) not reported', 7),
			 ('escalation_spike', 'not checked: escalate (with decisions) not reported', 7),
			 ('feature_availability', 'not checked: feature_availability not reported', 7),
			 ('latency_p99_ms', 'not checked: latency_p99_ms not reported', 7),
			 ('trigger:correct_auto', 'not checked: correct_auto not reported', 7),
			 ('trigger:error_rate', 'not checked: errors (with decisions) not reported', 7),
			 ('trigger:escalate_rate', 'not checked: escalate (with decisions) not reported', 7),
			 ('trigger:feature_availability', 'not checked: feature_availability not reported', 7),
			 ('trigger:latency_p99_ms', 'not checked: latency_p99_ms not reported', 7)$$,
	'blank: each check that could not be made is a not_checked alert for each day, naming what is not reported, the rollback trigger''s metrics too');
SELECT results_eq(
	$$SELECT a.status, a.details->>'check', count(*) FROM modelgov.audit_log a
	   WHERE a.model = 'esc50' AND a.event_type = 'alert' GROUP BY 1, 2 ORDER BY 1, 2$$,
	$$VALUES ('not_armed'::text, 'trigger:correct_auto'::text, 1::bigint), ('not_armed', 'trigger:error_rate', 1),
			 ('not_armed', 'trigger:escalate_rate', 1), ('not_armed', 'trigger:feature_availability', 1),
			 ('not_armed', 'trigger:latency_p99_ms', 1),
			 ('not_checked', 'decision_distribution', 7), ('not_checked', 'escalation_spike', 7)$$,
	'esc50: no expected rates and no history: not_checked alerts each day, the trigger not armed once per metric');
SELECT is((SELECT a.details->>'expected' FROM modelgov.audit_log a
			WHERE a.model = 'esc50' AND a.status = 'not_checked' AND a.details->>'check' = 'escalation_spike'
			ORDER BY a.seq LIMIT 1),
		  'not checked: not enough history before the deployment (0 days, 3 needed)', 'saying why there is no baseline');

-- validation after acknowledgement only: every one of newbie's alerts
SELECT is(pg_temp.alerts_of('newbie', 'not_checked') + pg_temp.alerts_of('newbie', 'not_armed'), 19::bigint,
		  'newbie: 14 checks not made and 5 triggers not armed');
SET modelgov.clock = '2024-05-08 09:00:00+00';
SET ROLE mg_in_bob;
SELECT is((SELECT count(modelgov.acknowledge(a.seq, 'New model, no baseline yet; the week was watched by hand.'))
			 FROM modelgov.audit_log a
			WHERE a.model = 'newbie' AND a.event_type = 'alert'
			  AND a.seq < (SELECT max(b.seq) FROM modelgov.audit_log b WHERE b.model = 'newbie' AND b.event_type = 'alert')),
		  18::bigint, 'the science lead acknowledges all but one of them');
RESET ROLE;
SELECT is(pg_temp.mon('newbie-18', 'newbie') > 0, true, 'the deployer monitors newbie again');
SELECT is(pg_temp.n('newbie', 'validated'), 0::bigint, 'with one alert not acknowledged, newbie is not validated');
SET ROLE mg_in_bob;
SELECT lives_ok($$SELECT modelgov.acknowledge((SELECT max(b.seq) FROM modelgov.audit_log b
												WHERE b.model = 'newbie' AND b.event_type = 'alert'), 'Checked too.')$$,
				'the last one is acknowledged');
RESET ROLE;
SELECT is(pg_temp.mon('newbie-19', 'newbie') > 0, true, 'the deployer monitors again');
SELECT results_eq($$SELECT a.actor, a.details->>'first_day', a.details->>'days' FROM modelgov.audit_log a
					 WHERE a.model = 'newbie' AND a.event_type = 'validated'$$,
				  $$VALUES ('mg_in_frank'::text, '2024-05-01'::text, '7'::text)$$,
				  'then newbie is validated, once every alert is acknowledged');
SET ROLE mg_in_bob;
SELECT is(pg_temp.probe(
		ARRAY[$$SELECT count(modelgov.acknowledge(a.seq, 'seen')) FROM modelgov.audit_log a
				 WHERE a.model = 'esc50' AND a.event_type = 'alert'$$,
			  'RESET ROLE', 'SET LOCAL ROLE mg_in_frank', $$SELECT count(*) FROM modelgov.monitor('esc50')$$],
		$$SELECT count(*)::text FROM modelgov.audit_log a WHERE a.model = 'esc50' AND a.event_type = 'validated'$$),
	  '1', 'control: acknowledging esc50''s alerts is a person''s call, which then validates it (dry run)');
RESET ROLE;

------------------------------------------------------------------------------
-- Item 2: the trigger fires on degradation only
------------------------------------------------------------------------------
SET modelgov.clock = '2024-06-01 00:00:00+00';
SELECT is((SELECT count(modelgov.create_model(m, pg_temp.cfg()))
			 FROM unnest(ARRAY['fewer', 'autoup', 'escup', 'lessok', 'slow', 'again', 'thin', 'incident']) m),
		  8::bigint, 'eight more models on 2024-06-01');
SELECT lives_ok($$SELECT modelgov.grant_duty('mg_in_jane', 'model_science_lead', 'incident')$$,
				'jane is science lead of incident only');
SELECT is((SELECT sum(pg_temp.history(m)) FROM unnest(ARRAY['fewer', 'autoup', 'escup', 'lessok', 'slow', 'again', 'incident']) m),
		  21::bigint, 'three days of history of 1.0.0 for seven of them');
SET modelgov.clock = '2024-06-04 00:00:00+00';
SELECT results_eq(
	$$SELECT pg_temp.to_production('fewer', '{"threshold_escalate": 0.55}',
								   '{"expected_auto_resolve_rate": 0.10, "expected_escalate_rate": 0.10, "sample_size": 5000}'),
			 pg_temp.to_production('autoup', '{"threshold_auto": 0.18}', '{"sample_size": 5000}'),
			 pg_temp.to_production('escup', '{"threshold_escalate": 0.48}',
								   '{"expected_auto_resolve_rate": 0.10, "expected_escalate_rate": 0.08, "sample_size": 5000}'),
			 pg_temp.to_production('lessok', '{"threshold_auto": 0.18}', '{"sample_size": 5000}'),
			 pg_temp.to_production('slow', '{"threshold_auto": 0.18}', '{"sample_size": 5000}')$$,
	$$VALUES ('1.0.1', '1.0.1', '1.0.1', '1.0.1', '1.0.1')$$,
	'1.0.1 of fewer, autoup, escup, lessok and slow in production on 2024-06-04');
SELECT is(pg_temp.rec('fewer', '1.0.1', '2024-06-04', ARRAY[pg_temp.day(0.10, 0.05)])
		  + pg_temp.rec('autoup', '1.0.1', '2024-06-04', ARRAY[pg_temp.day(0.12, 0.10, ca => 0.97)])
		  + pg_temp.rec('escup', '1.0.1', '2024-06-04', ARRAY[pg_temp.day(0.10, 0.15)])
		  + pg_temp.rec('lessok', '1.0.1', '2024-06-04', ARRAY[pg_temp.day(0.10, 0.10, ca => 0.90)])
		  + pg_temp.rec('slow', '1.0.1', '2024-06-04', ARRAY[pg_temp.day(0.10, 0.10, lat => 70)]),
		  5, 'their first day: escalations 10% to 5%; AUTO 10% to 12% with correct_auto 0.97; escalations 15%; '
			 'correct_auto 0.90; latency 70 ms');
SET modelgov.clock = '2024-06-05 06:00:00+00';
SELECT is((SELECT sum(pg_temp.mon('item2', m, true)) > 0 FROM unnest(ARRAY['fewer', 'autoup', 'escup', 'lessok', 'slow']) m),
		  true, 'the automatic monitor runs for each');
SELECT is(pg_temp.prod('fewer'), '1.0.1 0', 'escalations falling from 10% to 5% do not roll back');
SELECT results_eq(
	$$SELECT check_name, passed, action FROM pg_temp.mon_out
	   WHERE run = 'item2' AND model_name = 'fewer' AND passed IS DISTINCT FROM true ORDER BY check_name$$,
	$$VALUES ('decision_distribution'::text, false, 'alert'::text)$$,
	'the distance from the expected 10% is the daily decision_distribution check: an alert for a person');
SELECT is(pg_temp.prod('autoup'), '1.0.1 0', 'AUTO rising from 10% to 12% with better accuracy does not roll back');
SELECT is(pg_temp.alerts_of('autoup', 'rollback_trigger') + pg_temp.alerts_of('fewer', 'rollback_trigger'), 0::bigint,
		  'and neither fires a trigger');
SELECT is(pg_temp.prod('escup'), '1.0.0 1', 'escalations rising to 15% roll back');
SELECT is(pg_temp.prod('lessok'), '1.0.0 1', 'correct_auto falling to 0.90 rolls back');
SELECT is(pg_temp.prod('slow'), '1.0.0 1', 'latency rising from 50 to 70 ms rolls back');
SELECT results_eq(
	$$SELECT a.model, a.details->>'reason', a.details->>'root_cause' FROM modelgov.audit_log a
	   WHERE a.event_type = 'rollback' AND a.model IN ('escup', 'lessok', 'slow') ORDER BY a.model$$,
	$$VALUES ('escup'::text, 'Escalate rate increased to 15% (expected 8%)'::text, 'TBD - scheduled analysis'::text),
			 ('lessok', 'Correct auto rate decreased to 90% (expected 95%)', 'TBD - scheduled analysis'),
			 ('slow', 'Latency p99 increased to 70 ms (expected 50 ms)', 'TBD - scheduled analysis')$$,
	'each rollback says why in the seed''s words, its root cause "TBD - scheduled analysis"');

------------------------------------------------------------------------------
-- Item 3: which history
------------------------------------------------------------------------------
-- "again": 1.0.1 escalates 30% for three days and is rolled back by hand;
-- 1.0.0 runs a day; 1.0.2 then escalates 25% against 10% expected
SET modelgov.clock = '2024-06-04 00:00:00+00';
SELECT is(pg_temp.to_production('again', '{"threshold_escalate": 0.40}',
								'{"expected_auto_resolve_rate": 0.10, "expected_escalate_rate": 0.10, "sample_size": 5000}'),
		  '1.0.1', 'again: 1.0.1 in production on 2024-06-04');
SELECT is(pg_temp.rec('again', '1.0.1', '2024-06-04', array_fill(pg_temp.day(0.10, 0.30), ARRAY[3])), 3,
		  'three days of 30% escalations');
SET modelgov.clock = '2024-06-07 08:00:00+00';
SET ROLE mg_in_frank;
SELECT is(modelgov.rollback('again', 'escalations at 30%')::text, '1.0.0', 'rolled back by hand to 1.0.0');
RESET ROLE;
SELECT is(pg_temp.rec('again', '1.0.0', '2024-06-07', ARRAY[pg_temp.day(0.10, 0.10)]), 1, 'a day of 1.0.0 again');
SET modelgov.clock = '2024-06-08 00:00:00+00';
SELECT is(pg_temp.to_production('again', '{"threshold_escalate": 0.45}',
								'{"expected_auto_resolve_rate": 0.10, "expected_escalate_rate": 0.10, "sample_size": 5000}'),
		  '1.0.2', 'again: 1.0.2 in production on 2024-06-08');
SELECT results_eq($$SELECT h.days, round(h.mean::numeric, 4), round(h.sigma::numeric, 4)
					  FROM modelgov_internal.history('again', 'escalate_rate', '2024-06-08') h$$,
				  $$VALUES (4::bigint, 0.1::numeric, 0.0041::numeric)$$,
				  'its history: the four days of 1.0.0, none of the rolled-back 1.0.1');
SELECT is(pg_temp.rec('again', '1.0.2', '2024-06-08', ARRAY[pg_temp.day(0.10, 0.25)]), 1, '1.0.2 escalates 25%');
SET modelgov.clock = '2024-06-09 06:00:00+00';
SELECT is(pg_temp.mon('again', 'again', true) > 0, true, 'the automatic monitor runs');
SELECT is(pg_temp.prod('again'), '1.0.0 2', 'the bad days of the rolled-back 1.0.1 do not inflate sigma: 1.0.2 is rolled back');
SELECT is((SELECT a.details->>'reason' FROM modelgov.audit_log a WHERE a.model = 'again' AND a.event_type = 'rollback'
			ORDER BY a.seq DESC LIMIT 1),
		  'Escalate rate increased to 25% (expected 10%)', 'escalations at 25% against 10% expected');

-- "thin": two days of history, under baseline_min_days (3)
SET modelgov.clock = '2024-06-01 00:00:00+00';
SELECT is(pg_temp.rec('thin', '1.0.0', '2024-06-01', ARRAY[pg_temp.day(0.10, 0.10), pg_temp.day(0.10, 0.10)]), 2,
		  'thin: two days of history');
SET modelgov.clock = '2024-06-09 07:00:00+00';
SELECT is(pg_temp.to_production('thin', '{"threshold_auto": 0.18}', '{"sample_size": 5000}'), '1.0.1',
		  'thin: 1.0.1 in production on 2024-06-09');
SELECT is(pg_temp.rec('thin', '1.0.1', '2024-06-09', ARRAY[pg_temp.day(0.10, 0.10)]), 1, 'its first day');
SELECT is(pg_temp.mon('thin', 'thin') > 0, true, 'the deployer''s monitor');
SELECT results_eq(
	$$SELECT a.details->>'day', a.details->>'check', a.details->>'expected' FROM modelgov.audit_log a
	   WHERE a.model = 'thin' AND a.event_type = 'alert' AND a.status = 'not_armed' ORDER BY a.details->>'check'$$,
	$$VALUES ('2024-06-09'::text, 'trigger:correct_auto'::text,
			  'not armed: 2 days of history in the 28 days before the deployment, 3 needed'::text),
			 ('2024-06-09', 'trigger:error_rate', 'not armed: 2 days of history in the 28 days before the deployment, 3 needed'),
			 ('2024-06-09', 'trigger:escalate_rate', 'not armed: 2 days of history in the 28 days before the deployment, 3 needed'),
			 ('2024-06-09', 'trigger:feature_availability',
			  'not armed: 2 days of history in the 28 days before the deployment, 3 needed'),
			 ('2024-06-09', 'trigger:latency_p99_ms', 'not armed: 2 days of history in the 28 days before the deployment, 3 needed')$$,
	'under baseline_min_days of history the trigger is not armed: an alert per metric on the first day, not silence');

-- days older than baseline_days do not count: "blank" and "esc50" ran in May
SELECT results_eq($$SELECT h.days FROM modelgov_internal.history('newbie', 'escalate_rate', '2024-05-29') h
					UNION ALL
					SELECT h.days FROM modelgov_internal.history('newbie', 'escalate_rate', '2024-06-30') h$$,
				  $$VALUES (7::bigint), (0::bigint)$$,
				  'newbie''s seven days of May are its history before 2024-05-29, not 28 days after them');
SELECT is(pg_temp.probe(ARRAY[$$SELECT modelgov.set_monitoring_setting('baseline_days', 60)$$],
						$$SELECT h.days::text FROM modelgov_internal.history('newbie', 'escalate_rate', '2024-06-30') h$$),
		  '7', 'with baseline_days 60 they count again (dry run)');

------------------------------------------------------------------------------
-- The procedure: alerts, acknowledgement, the 24-hour review, the RCA
------------------------------------------------------------------------------
-- "incident": 1.0.1 expects 8% escalations; its second day escalates 15%
SET modelgov.clock = '2024-06-04 00:00:00+00';
SELECT is(pg_temp.to_production('incident', '{"threshold_escalate": 0.48}',
								'{"expected_auto_resolve_rate": 0.10, "expected_escalate_rate": 0.08, "sample_size": 5000}'),
		  '1.0.1', 'incident: 1.0.1 in production on 2024-06-04');
SELECT is(pg_temp.rec('incident', '1.0.1', '2024-06-04', ARRAY[pg_temp.day(0.10, 0.08), pg_temp.day(0.10, 0.15)]), 2,
		  'a good first day, then 15% escalations on 2024-06-05');
SET modelgov.clock = '2024-06-06 02:00:00+00';
SELECT is(pg_temp.mon('incident-alert', 'incident') > 0, true, 'the deployer''s monitor at 02:00, without automatic rollback');
SELECT results_eq(
	$$SELECT model, version::text, day, check_name, kind, round(observed::numeric, 6)::float8, expected, recorded_at, acknowledged,
			 acknowledged_by, acknowledged_at, note
		FROM modelgov.alerts WHERE model = 'incident' ORDER BY seq$$,
	$$VALUES ('incident'::text, '1.0.1'::text, '2024-06-05'::date, 'decision_distribution'::text, 'daily_check'::text,
			  0.07::float8, 'AUTO 0.1 and ESCALATE 0.08, each within 0.03'::text, '2024-06-06 02:00:00+00'::timestamptz,
			  false, NULL::text, NULL::timestamptz, NULL::text),
			 ('incident', '1.0.1', '2024-06-05', 'escalation_spike', 'daily_check', 0.15,
			  '<= 0.0900 (0.08 + 2 sigma of 0.0050)', '2024-06-06 02:00:00+00', false, NULL, NULL, NULL),
			 ('incident', '1.0.1', '2024-06-05', 'trigger:escalate_rate', 'rollback_trigger', 0.15,
			  '<= 0.1000 + 2 sigma (0.0050)', '2024-06-06 02:00:00+00', false, NULL, NULL, NULL)$$,
	'the alerts view: the two daily checks and the trigger of 2024-06-05, not acknowledged');
SELECT seq AS trig_seq FROM modelgov.alerts WHERE model = 'incident' AND kind = 'rollback_trigger' \gset
SELECT seq AS metrics_seq FROM modelgov.audit_log WHERE model = 'incident' AND event_type = 'metrics'
 ORDER BY seq DESC LIMIT 1 \gset

-- step 2: the last 24 hours in one call, at 03:00
SET modelgov.clock = '2024-06-06 03:00:00+00';
SET ROLE mg_in_hank;
SELECT modelgov.incident_review('incident')::text AS review \gset
RESET ROLE;
SELECT results_eq(
	format($$SELECT r->>'model', r->>'at', r->>'version', r->>'in_production_since', r->'deployment'->>'kind',
					r->'deployment'->>'from_version', r->'change'->>'change_type', r->'change'->'new_values',
					r->'days'->0->>'day', r->'days'->0->'metrics'->>'escalate',
					jsonb_array_length(r->'days'->0->'checks'), r->'days'->1->>'day', r->'days'->1->>'metrics',
					jsonb_array_length(r->'alerts')
			   FROM (SELECT %L::jsonb AS r) x$$, :'review'),
	$$VALUES ('incident'::text, '2024-06-06T03:00:00Z'::text, '1.0.1'::text, '2024-06-04T00:00:00Z'::text, 'deploy'::text,
			  '1.0.0'::text, 'threshold_change'::text, '{"threshold_escalate": 0.48}'::jsonb,
			  '2024-06-05'::text, '1500'::text, 5, '2024-06-06'::text, NULL::text, 3)$$,
	'incident_review: the version in force, its deployment and change, the day before with its metrics and five checks, '
	'today, and the three alerts of the last 24 hours');
SELECT is((SELECT count(*) FROM jsonb_array_elements(:'review'::jsonb->'days'->0->'checks') c WHERE (c->>'passed')::boolean),
		  3::bigint, 'of the five checks of 2024-06-05, three passed');
SELECT throws_ok($$SELECT modelgov.incident_review('incident', '2024-01-01 00:00:00+00')$$, '55000', NULL,
				 'before any production deployment there is nothing to review (55000)');

-- step 1: acknowledgement, by members holding a duty for the model
SET ROLE mg_in_zed;
SELECT throws_ok(format('SELECT modelgov.acknowledge(%s, %L)', :trig_seq, 'seen'), '42501', NULL,
				 'a non-member may not acknowledge (42501)');
RESET ROLE;
SET ROLE mg_in_hank;
SELECT throws_ok(format('SELECT modelgov.acknowledge(%s, %L)', :trig_seq, 'seen'), '42501',
				 'permission denied to acknowledge alerts of model incident', 'a member without a duty may not (42501)');
RESET ROLE;
SET ROLE mg_in_ivy;
SELECT throws_ok(format('SELECT modelgov.acknowledge(%s, %L)', :trig_seq, 'seen'), '42501',
				 'permission denied to acknowledge alerts of model incident', 'nor the deployer of another model (42501)');
RESET ROLE;
SET ROLE mg_in_jane;
SELECT throws_ok('SELECT modelgov.acknowledge(NULL, ''seen'')', '22004', NULL, 'no alert: 22004');
SELECT throws_ok(format('SELECT modelgov.acknowledge(%s, %L)', :trig_seq, E' \t\n'), '22004',
				 'an acknowledgement needs a note', 'a blank note: 22004');
SELECT throws_ok(format('SELECT modelgov.acknowledge(%s, %L)', :metrics_seq, 'seen'), '42704',
				 format('audit entry %s is not an alert', :metrics_seq), 'an entry that is not an alert: 42704');
SELECT is(modelgov.acknowledge(:trig_seq, 'Paged; reviewing the last 24 hours.'),
		  format('acknowledged: alert %s (trigger:escalate_rate, rollback_trigger of incident 1.0.1)', :trig_seq),
		  'jane, science lead of incident, acknowledges the trigger');
RESET ROLE;
SELECT results_eq($$SELECT a.event_type, a.actor, a.model, a.version::text, a.status, a.details FROM modelgov.audit_log a
					 ORDER BY a.seq DESC LIMIT 1$$,
				  format($$VALUES ('acknowledged'::text, 'mg_in_jane'::text, 'incident'::text, '1.0.1'::text,
								   'rollback_trigger'::text, %L::jsonb)$$,
						 jsonb_build_object('alert_seq', :trig_seq, 'check', 'trigger:escalate_rate',
											'note', 'Paged; reviewing the last 24 hours.', 'acknowledged_by', 'jane@company.com')),
				  'audited: acknowledged, with the alert, the check, the note and the member''s identity');
SELECT results_eq(format('SELECT acknowledged, acknowledged_by, acknowledged_at, note FROM modelgov.alerts WHERE seq = %s',
						 :trig_seq),
				  $$VALUES (true, 'mg_in_jane'::text, '2024-06-06 03:00:00+00'::timestamptz, 'Paged; reviewing the last 24 hours.'::text)$$,
				  'the alerts view shows who acknowledged it, when, and the note');
SET ROLE mg_in_bob;
SELECT throws_ok(format('SELECT modelgov.acknowledge(%s, %L)', :trig_seq, 'again'), '23505',
				 format('alert %s is already acknowledged', :trig_seq), 'an alert is acknowledged once (23505)');
RESET ROLE;

-- steps 4 and 5: the automatic rollback opens a root-cause analysis
SET modelgov.clock = '2024-06-06 04:00:00+00';
SELECT is(pg_temp.mon('incident-rollback', 'incident', true) > 0, true, 'the automatic monitor at 04:00');
SELECT is(pg_temp.prod('incident'), '1.0.0 1', 'rolls incident back to 1.0.0, the trigger acknowledged or not');
SELECT seq AS rb_seq FROM modelgov.audit_log WHERE model = 'incident' AND event_type = 'rollback' \gset
SELECT results_eq(
	format('SELECT details->>''reason'', details->>''root_cause'', details->''rca_owner'', details->>''rca_due'' '
		   'FROM modelgov.audit_log WHERE seq = %s', :rb_seq),
	$$VALUES ('Escalate rate increased to 15% (expected 8%)'::text, 'TBD - scheduled analysis'::text,
			  '["mg_in_bob", "mg_in_jane"]'::jsonb, '2024-06-11T04:00:00Z'::text)$$,
	'the rollback entry: the seed''s reason, root cause "TBD - scheduled analysis", the science leads as owners, due in 5 days');
SELECT results_eq(
	$$SELECT model, proposal_id, status, target_version::text, who, due FROM modelgov.open_work
	   WHERE step = 'root-cause analysis' AND model = 'incident'$$,
	$$VALUES ('incident'::text, NULL::text, 'rolled back'::text, '1.0.1'::text, '{mg_in_bob,mg_in_jane}'::text[],
			  '2024-06-11 04:00:00+00'::timestamptz)$$,
	'open_work: a root-cause analysis of the rollback from 1.0.1, for the science leads, due 2024-06-11');
SET ROLE mg_in_jane;
SELECT is((SELECT string_agg(w.model || ' ' || w.step, ', ') FROM modelgov.my_work w WHERE w.step = 'root-cause analysis'),
		  'incident root-cause analysis', 'it is in jane''s work');
RESET ROLE;
SELECT is(modelgov.incident_review('incident', '2024-06-06 03:00:00+00') - 'alerts', :'review'::jsonb - 'alerts',
		  'the review of 03:00 reads the same after the rollback (but for the acknowledgements, which are as of now)');
SET modelgov.clock = '2024-06-10 10:00:00+00';
SET ROLE mg_in_jane;
SELECT lives_ok(format('SELECT modelgov.annotate(%s, %L)', :rb_seq, 'Threshold 0.48 sent billing tickets to ESCALATE'),
				'the root cause is annotated by the analysis'' owner');
RESET ROLE;
SELECT is((SELECT count(*) FROM modelgov.open_work WHERE step = 'root-cause analysis' AND model = 'incident'), 0::bigint,
		  'and the root-cause analysis leaves open_work');
SELECT is((SELECT details->>'root_cause' FROM modelgov.audit_log WHERE seq = :rb_seq), 'TBD - scheduled analysis',
		  'the rollback entry itself is unchanged');
SELECT results_eq($$SELECT ok FROM modelgov.verify_audit_log()$$, $$VALUES (true)$$, 'the audit chain verifies');


------------------------------------------------------------------------------
-- Review fixes: corrected days, who acknowledges, the automation account,
-- the baseline day by day, a huge value in the baseline
------------------------------------------------------------------------------
-- July 2024, four more models, each with three days of 1.0.0 before 1.0.1
-- goes to production on 2024-07-04 00:00:
-- "redo": 2024-07-06 reports no errors; acknowledged, then corrected to 50%
-- "mend": 2024-07-06 has 50% errors; corrected to 0.5%
-- "base": 1.0.0 gets a fake day of 100% escalations while 1.0.1 runs; 1.0.2
--         then goes to production
-- "huge": one day of 1.0.0 has a p99 latency of 1e300 ms
-- and mg_in_robot, the automation account (identity "automation")
SET modelgov.clock = '2024-07-01 00:00:00+00';
CREATE ROLE mg_in_robot NOLOGIN;
GRANT USAGE ON SCHEMA modelgov TO mg_in_robot;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA modelgov TO mg_in_robot;
SELECT is((SELECT count(modelgov.create_model(m, pg_temp.cfg())) FROM unnest(ARRAY['redo', 'mend', 'base', 'huge']) m),
		  4::bigint, 'four more models on 2024-07-01');
SELECT lives_ok($$SELECT modelgov.add_member('mg_in_robot', 'automation', '{}')$$,
				'robot is the automation account, a member with identity automation');
SELECT lives_ok($$SELECT modelgov.grant_duty('mg_in_robot', 'deployer', 'redo')$$, 'robot deploys redo');
SELECT is((SELECT sum(pg_temp.rec(m, '1.0.0', '2024-07-01',
				ARRAY[pg_temp.day(0.095, 0.095, 0.004, 0.94, 48, 0.994), pg_temp.day(0.100, 0.100, 0.005, 0.95, 50, 0.995),
					  pg_temp.day(0.105, 0.105, 0.006, 0.96, 52, 0.996)]))
			 FROM unnest(ARRAY['redo', 'mend', 'base']) m)
		  + pg_temp.rec('huge', '1.0.0', '2024-07-01',
				ARRAY[pg_temp.day(0.10, 0.10, lat => 48), pg_temp.day(0.10, 0.10, lat => 1e300), pg_temp.day(0.10, 0.10, lat => 52)]),
		  12::bigint, 'three days of history of 1.0.0 for each, huge''s second day at 1e300 ms');
SET modelgov.clock = '2024-07-04 00:00:00+00';
SELECT results_eq(
	$$SELECT pg_temp.to_production('redo', '{"threshold_escalate": 0.55}',
								   '{"expected_auto_resolve_rate": 0.10, "expected_escalate_rate": 0.10, "sample_size": 5000}'),
			 pg_temp.to_production('mend', '{"threshold_escalate": 0.55}',
								   '{"expected_auto_resolve_rate": 0.10, "expected_escalate_rate": 0.10, "sample_size": 5000}'),
			 pg_temp.to_production('base', '{"threshold_escalate": 0.55}', '{"sample_size": 5000}'),
			 pg_temp.to_production('huge', '{"threshold_escalate": 0.55}', '{"sample_size": 5000}')$$,
	$$VALUES ('1.0.1', '1.0.1', '1.0.1', '1.0.1')$$, '1.0.1 of redo, mend, base and huge in production on 2024-07-04');

-- a day's metrics corrected after the checks read them
SELECT is(pg_temp.rec('redo', '1.0.1', '2024-07-04',
					  ARRAY[pg_temp.day(0.10, 0.10), pg_temp.day(0.10, 0.10), pg_temp.day(0.10, 0.10) - 'errors',
							pg_temp.day(0.10, 0.10), pg_temp.day(0.10, 0.10), pg_temp.day(0.10, 0.10), pg_temp.day(0.10, 0.10)])
		  + pg_temp.rec('mend', '1.0.1', '2024-07-04',
						ARRAY[pg_temp.day(0.10, 0.10), pg_temp.day(0.10, 0.10), pg_temp.day(0.10, 0.10, err => 0.5),
							  pg_temp.day(0.10, 0.10), pg_temp.day(0.10, 0.10), pg_temp.day(0.10, 0.10), pg_temp.day(0.10, 0.10)]),
		  14, 'seven good days of each, but for 2024-07-06: redo reports no errors, mend 50% errors');
SET modelgov.clock = '2024-07-11 01:00:00+00';
SELECT is(pg_temp.mon('redo-1', 'redo') + pg_temp.mon('mend-1', 'mend') > 0, true, 'the deployer monitors both after the week');
SELECT results_eq(
	$$SELECT a.model, a.details->>'day', a.details->>'check', a.status FROM modelgov.audit_log a
	   WHERE a.model IN ('redo', 'mend') AND a.event_type = 'alert' ORDER BY 1 DESC, 3$$,
	$$VALUES ('redo'::text, '2024-07-06'::text, 'error_rate'::text, 'not_checked'::text),
			 ('redo', '2024-07-06', 'trigger:error_rate', 'not_checked'),
			 ('mend', '2024-07-06', 'error_rate', 'daily_check'),
			 ('mend', '2024-07-06', 'trigger:error_rate', 'rollback_trigger')$$,
	'redo: the error checks of 2024-07-06 not made; mend: they failed');
SELECT is(pg_temp.n('redo', 'validated') + pg_temp.n('mend', 'validated'), 0::bigint, 'neither is validated');
SET modelgov.clock = '2024-07-11 02:00:00+00';
SET ROLE mg_in_bob;
SELECT is((SELECT count(modelgov.acknowledge(a.seq, 'Errors were not exported that day; the rest looked fine.'))
			 FROM modelgov.audit_log a WHERE a.model = 'redo' AND a.event_type = 'alert'),
		  2::bigint, 'the science lead acknowledges redo''s two not_checked alerts');
RESET ROLE;
SELECT is(pg_temp.probe(ARRAY['SET LOCAL ROLE mg_in_frank', $$SELECT count(*) FROM modelgov.monitor('redo')$$],
						$$SELECT count(*)::text FROM modelgov.audit_log a WHERE a.model = 'redo' AND a.event_type = 'validated'$$),
		  '1', 'control: as the metrics stand, redo would now be validated (dry run)');
SET ROLE mg_in_frank;
SELECT is(modelgov.correct_metrics('redo', '1.0.1', '2024-07-06', pg_temp.day(0.10, 0.10, err => 0.5),
								   'errors of 2024-07-06 found: half the decisions'),
		  2, 'then the deployer corrects redo''s 2024-07-06: 50% errors');
SELECT is(modelgov.correct_metrics('mend', '1.0.1', '2024-07-06', pg_temp.day(0.10, 0.10),
								   'the error count of 2024-07-06 was a double export'),
		  2, 'and mend''s 2024-07-06 to 0.5% errors');
RESET ROLE;
SET modelgov.clock = '2024-07-11 03:00:00+00';
SELECT is(pg_temp.mon('redo-2', 'redo') + pg_temp.mon('mend-2', 'mend') > 0, true, 'the deployer monitors both again');
SELECT results_eq(
	$$SELECT check_name, passed, action FROM pg_temp.mon_out
	   WHERE run = 'redo-2' AND day = '2024-07-06' AND check_name IN ('error_rate', 'trigger:error_rate') ORDER BY 1$$,
	$$VALUES ('error_rate'::text, false, 'alert'::text), ('trigger:error_rate', false, 'alert')$$,
	'redo''s corrected day fails: new alerts, not "already alerted" by the acknowledged not_checked ones');
SELECT results_eq(
	$$SELECT a.details->>'check', a.status, round((a.details->>'observed')::numeric, 2) FROM modelgov.audit_log a
	   WHERE a.model = 'redo' AND a.event_type = 'alert' AND a.status IN ('daily_check', 'rollback_trigger') ORDER BY 1$$,
	$$VALUES ('error_rate'::text, 'daily_check'::text, 0.50::numeric), ('trigger:error_rate', 'rollback_trigger', 0.50)$$,
	'audited as a daily_check and a rollback_trigger alert at 50%');
SELECT is(pg_temp.n('redo', 'validated'), 0::bigint, 'and redo is not validated: the acknowledgement was of a check not made');
SELECT results_eq($$SELECT a.actor, a.details->>'first_day', a.details->>'days' FROM modelgov.audit_log a
					 WHERE a.model = 'mend' AND a.event_type = 'validated'$$,
				  $$VALUES ('mg_in_frank'::text, '2024-07-04'::text, '7'::text)$$,
				  'mend, corrected to good values, is validated: the checks read the metrics as they stand');
SELECT seq AS redo_alert FROM modelgov.audit_log
 WHERE model = 'redo' AND event_type = 'alert' AND status = 'daily_check' \gset

-- who acknowledges: not the proposer, not the automation account
SELECT lives_ok($$SELECT modelgov.grant_duty('mg_in_alice', 'product_manager', 'redo')$$,
				'alice, who proposed redo 1.0.1, is made product manager of redo');
SET ROLE mg_in_alice;
SELECT is(pg_temp.error_of(format('SELECT modelgov.acknowledge(%s, %L)', :redo_alert, 'fine by me')),
		  format('42501 permission denied to acknowledge alert %s | alice@company.com proposed version 1.0.1 of model redo; '
				 'its alerts are acknowledged by someone else.', :redo_alert),
		  'the proposer of the version, holding a duty for the model, may not acknowledge its alert (42501)');
RESET ROLE;
SET ROLE mg_in_robot;
SELECT is(pg_temp.error_of(format('SELECT modelgov.acknowledge(%s, %L)', :redo_alert, 'auto-ack')),
		  '42501 permission denied to acknowledge alerts | Member mg_in_robot is the automation account, through which no person acts.',
		  'nor the automation account, deployer of the model (42501)');
RESET ROLE;
SELECT is((SELECT count(*) FROM modelgov.alerts WHERE seq = :redo_alert AND acknowledged), 0::bigint,
		  'the alert stays unacknowledged');

-- what only a person does: review, approve, attest a code review, annotate
SET modelgov.clock = '2024-07-12 09:00:00+00';
SET ROLE mg_in_alice;
SELECT modelgov.propose('redo', 'threshold_change', 'redo: auto threshold', '{"threshold_auto": 0.16}',
						'{"sample_size": 5000}', 'Roll back with modelgov.rollback().', 'Daily checks for 7 days.')
	   AS redo_prop \gset
RESET ROLE;
SET ROLE mg_in_robot;
SELECT throws_ok(format('SELECT modelgov.review(%L, pg_temp.ck(), true)', :'redo_prop'), '42501',
				 'permission denied to review proposals', 'the automation account may not review (42501)');
RESET ROLE;
SET ROLE mg_in_bob;
SELECT lives_ok(format('SELECT modelgov.review(%L, pg_temp.ck(), true)', :'redo_prop'), 'bob reviews');
RESET ROLE;
SET ROLE mg_in_carol;
SELECT lives_ok(format('SELECT modelgov.review(%L, pg_temp.ck(), true)', :'redo_prop'), 'carol reviews');
RESET ROLE;
SELECT lives_ok($$SELECT modelgov.grant_duty('mg_in_robot', 'engineering_lead', 'redo')$$,
				'robot is made engineering lead of redo');
SET ROLE mg_in_robot;
SELECT is(pg_temp.error_of(format('SELECT modelgov.approve(%L, %L)', :'redo_prop', 'engineering_lead')),
		  '42501 permission denied to approve as engineering_lead | Member mg_in_robot is the automation account, through which no person acts.',
		  'the automation account may not approve, even holding the committee duty (42501)');
SELECT throws_ok($$SELECT modelgov.attest('redo', '1.0.1', 'code_reviewed', 'CI bot review #12')$$, '42501',
				 'permission denied to attest code_reviewed', 'nor attest code_reviewed (42501)');
SELECT lives_ok($$SELECT modelgov.attest('redo', '1.0.1', 'tests_pass', 'CI run #4711 green')$$,
				'but it attests tests_pass');
RESET ROLE;
SELECT results_eq($$SELECT item, attested_by_identity FROM modelgov.release_attestations WHERE model = 'redo'$$,
				  $$VALUES ('tests_pass'::text, 'automation'::text)$$, 'its one attestation');
SET ROLE mg_in_dave;
SELECT lives_ok(format('SELECT modelgov.approve(%L, %L)', :'redo_prop', 'engineering_lead'),
				'control: the engineering lead, a person, approves');
RESET ROLE;
SET modelgov.clock = '2024-07-12 10:00:00+00';
SET ROLE mg_in_robot;
SELECT is(modelgov.rollback('redo', 'errors at 50% on 2024-07-06')::text, '1.0.0', 'the automation account rolls redo back');
RESET ROLE;
SELECT seq AS redo_rb FROM modelgov.audit_log WHERE model = 'redo' AND event_type = 'rollback' \gset
SET ROLE mg_in_robot;
SELECT throws_ok(format('SELECT modelgov.annotate(%s, %L)', :redo_rb, 'the exporter'), '42501',
				 'permission denied to annotate rollbacks', 'but does not annotate it (42501)');
RESET ROLE;
SET ROLE mg_in_hank;
SELECT throws_ok(format('SELECT modelgov.annotate(%s, %L)', :redo_rb, 'the exporter'), '42501',
				 'permission denied to annotate rollbacks of model redo', 'nor does a member without a duty for redo (42501)');
RESET ROLE;
SET ROLE mg_in_bob;
SELECT lives_ok(format('SELECT modelgov.annotate(%s, %L)', :redo_rb, 'The error exporter dropped a day'),
				'the science lead annotates it');
RESET ROLE;

-- the baseline takes each day from the version production ran that day
SET modelgov.clock = '2024-07-04 00:00:00+00';
SELECT is(pg_temp.rec('base', '1.0.1', '2024-07-04', array_fill(pg_temp.day(0.10, 0.10), ARRAY[3])), 3,
		  'base: three days of 1.0.1 at 10% escalations');
SELECT is(pg_temp.rec('base', '1.0.0', '2024-07-05', ARRAY[pg_temp.day(0.0, 1.0)]), 1,
		  'and a fake day of 1.0.0 on 2024-07-05, while 1.0.1 ran: 100% escalations');
SET modelgov.clock = '2024-07-07 00:00:00+00';
SELECT is(pg_temp.to_production('base', '{"threshold_escalate": 0.56}', '{"sample_size": 5000}'), '1.0.2',
		  'base: 1.0.2 in production on 2024-07-07');
SELECT is(pg_temp.rec('base', '1.0.2', '2024-07-07', ARRAY[pg_temp.day(0.10, 0.10)]), 1, 'its first day');
SELECT is((SELECT expected FROM modelgov.health_check('base', '1.0.2', '2024-07-07') WHERE check_name = 'escalation_spike'),
		  '<= 0.1063 (0.1 + 2 sigma of 0.0032)',
		  'escalation_spike: mean and sigma of 1.0.0''s three days and 1.0.1''s three, not the fake day');
SET modelgov.clock = '2024-07-08 06:00:00+00';
SELECT is(pg_temp.mon('base', 'base') > 0, true, 'the deployer''s monitor');
SELECT results_eq($$SELECT expected, passed FROM pg_temp.mon_out WHERE run = 'base' AND check_name = 'trigger:escalate_rate'$$,
				  $$VALUES ('<= 0.1000 + 2 sigma (0.0032)'::text, true)$$,
				  'the trigger of 1.0.2 compares with the same baseline');

-- a huge value in the baseline
SET modelgov.clock = '2024-07-04 00:00:00+00';
SELECT is(pg_temp.rec('huge', '1.0.1', '2024-07-04', ARRAY[pg_temp.day(0.10, 0.10)]), 1, 'huge: 1.0.1''s first day');
SET modelgov.clock = '2024-07-05 06:00:00+00';
SELECT lives_ok($$SELECT pg_temp.mon('huge', 'huge')$$, 'the monitor runs with 1e300 ms in the baseline (no overflow)');
SELECT results_eq($$SELECT count(*), count(*) FILTER (WHERE check_name = 'trigger:latency_p99_ms' AND passed)
					  FROM pg_temp.mon_out WHERE run = 'huge'$$,
				  $$VALUES (10::bigint, 1::bigint)$$,
				  'and returns its ten rows, the latency trigger among them');
SELECT results_eq($$SELECT ok FROM modelgov.verify_audit_log()$$, $$VALUES (true)$$, 'the audit chain still verifies');

------------------------------------------------------------------------------
-- A history that does not vary: errors at 25 in 10,000 every day, and
-- correct_auto at 0.95.  Its sigma is 0, but the day's rates vary by
-- sampling: the trigger's sigma is never below the sampling deviation of
-- the day's decisions (of its AUTO decisions for correct_auto).
------------------------------------------------------------------------------
SET modelgov.clock = '2024-08-01 00:00:00+00';
SELECT is(modelgov.create_model('steady', pg_temp.cfg())::text, '1.0.0', 'steady on 2024-08-01');
SELECT is(pg_temp.rec('steady', '1.0.0', '2024-08-01',
			ARRAY[pg_temp.day(0.095, 0.095, 0.0025, 0.95, 48, 0.995), pg_temp.day(0.100, 0.100, 0.0025, 0.95, 50, 0.995),
				  pg_temp.day(0.105, 0.105, 0.0025, 0.95, 52, 0.995)]), 3,
		  'three days of 1.0.0: errors, correct_auto and availability the same each day');
SET modelgov.clock = '2024-08-04 00:00:00+00';
SELECT is(pg_temp.to_production('steady', '{"threshold_escalate": 0.55}', '{"sample_size": 5000}'), '1.0.1',
		  'steady 1.0.1 in production on 2024-08-04');
SELECT is(pg_temp.rec('steady', '1.0.1', '2024-08-04', ARRAY[pg_temp.day(0.10, 0.10, 0.0026, 0.945, 50, 0.995)]), 1,
		  'its first day: 26 errors instead of 25, correct_auto 0.945 instead of 0.95');
SET modelgov.clock = '2024-08-05 06:00:00+00';
SELECT is(pg_temp.mon('steady1', 'steady', true) > 0, true, 'the deployer''s monitor, with automatic rollback');
SELECT results_eq(
	$$SELECT check_name, expected, passed, action FROM pg_temp.mon_out
	   WHERE run = 'steady1' AND check_name IN ('trigger:error_rate', 'trigger:correct_auto') ORDER BY check_name$$,
	$$VALUES ('trigger:correct_auto'::text,
			  '>= 0.9500 - 2 sigma (0.0069, the sampling deviation of 1000 AUTO decisions)'::text, true, NULL::text),
			 ('trigger:error_rate', '<= 0.0025 + 2 sigma (0.0005, the sampling deviation of 10000 decisions)', true, NULL)$$,
	'one error more, or a correct_auto within sampling, is no rollback: sigma is the sampling deviation, not 0');
SELECT is(pg_temp.prod('steady'), '1.0.1 0', 'steady still runs 1.0.1');
SELECT is(pg_temp.rec('steady', '1.0.1', '2024-08-05', ARRAY[pg_temp.day(0.10, 0.10, 0.0040, 0.95, 50, 0.995)]), 1,
		  'its second day: 40 errors in 10,000');
SET modelgov.clock = '2024-08-06 06:00:00+00';
SELECT is(pg_temp.mon('steady2', 'steady', true) > 0, true, 'the next monitor');
SELECT results_eq(
	$$SELECT day, expected, passed, action FROM pg_temp.mon_out
	   WHERE run = 'steady2' AND check_name = 'trigger:error_rate' ORDER BY day$$,
	$$VALUES ('2024-08-04'::date, '<= 0.0025 + 2 sigma (0.0005, the sampling deviation of 10000 decisions)'::text, true,
			  NULL::text),
			 ('2024-08-05', '<= 0.0025 + 2 sigma (0.0005, the sampling deviation of 10000 decisions)', false,
			  'rolled back to 1.0.0')$$,
	'40 errors, 0.0040 against 0.0025 + 2 * 0.0005: the trigger fires and rolls back');
SELECT is(pg_temp.prod('steady'), '1.0.0 1', 'steady runs 1.0.0 again');

SELECT * FROM finish();
ROLLBACK;
