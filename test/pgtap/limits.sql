--
-- limits.sql
--		Every documented limit, at the limit and one past it: a version's
--		text (256 bytes), an identity (254 characters), a configuration
--		(1,000 features, 1,000 safety rules, 16 levels of nesting, 16 MB of
--		text) and every text a member writes into the record (10,000
--		characters).  At the limit the call may still fail for another
--		reason (an unknown proposal, say), never 54000; one past it, it
--		fails with the limit's error, which shows that the limit is checked
--		on that path.
--
BEGIN;
\ir helpers.psql
SELECT plan(23);

SET LOCAL modelgov.clock = '2024-01-15 00:00:00+00';
SELECT modelgov.init_model('{"weights": [0.3, 0.3, 0.2, 0.2], "thresholds": {"auto": 0.15, "escalate": 0.5}}');
SELECT modelgov.add_member(current_user::regrole, 'admin@company.com',
						   '{model_science_lead,product_manager,engineering_lead,deployer}');

-- the SQLSTATE of a statement, undone; 'ok' when it ran
CREATE FUNCTION pg_temp.state_of(q text) RETURNS text
	LANGUAGE sql AS $$SELECT coalesce(c.err_state, 'ok') FROM pg_temp.caught(ARRAY[q], NULL, true) c$$;

-- a version's text: 256 bytes
SELECT is(pg_temp.state_of($$SELECT ('1.0.0-' || repeat('a', 250))::modelgov.semver$$), 'ok',
		  'a version of 256 bytes is accepted');
SELECT is(pg_temp.state_of($$SELECT ('1.0.0-' || repeat('a', 251))::modelgov.semver$$), '22P02',
		  'a version of 257 bytes is refused (22P02)');

-- an identity: 254 characters, given to a role that is not a member yet
-- (add_member refuses an existing member, 42710, whatever the identity)
CREATE ROLE mg_lim_new NOLOGIN;
SELECT is(pg_temp.state_of(format('SELECT modelgov.add_member(%L, %L)', 'mg_lim_new',
								  repeat('a', 254 - length('@company.com')) || '@company.com')), 'ok',
		  'an identity of 254 characters is accepted');
SELECT is(pg_temp.state_of(format('SELECT modelgov.add_member(%L, %L)', 'mg_lim_new',
								  repeat('a', 255 - length('@company.com')) || '@company.com')), '22023',
		  'an identity of 255 characters is refused (22023)');

-- a configuration: 1,000 features (weights)
CREATE FUNCTION pg_temp.cfg_features(n int) RETURNS jsonb LANGUAGE sql AS $$
	SELECT jsonb_build_object('weights', (SELECT jsonb_agg(0.001) FROM generate_series(1, n)),
							  'thresholds', jsonb_build_object('auto', 0.15, 'escalate', 0.5))
$$;
SELECT is(pg_temp.state_of('SELECT modelgov_internal.normalize_config(pg_temp.cfg_features(1000))'), 'ok',
		  'a configuration of 1,000 features is accepted');
SELECT is(pg_temp.state_of('SELECT modelgov_internal.normalize_config(pg_temp.cfg_features(1001))'), '54000',
		  'a configuration of 1,001 features is refused (54000)');

-- 1,000 safety rules
CREATE FUNCTION pg_temp.cfg_rules(n int) RETURNS jsonb LANGUAGE sql AS $$
	SELECT jsonb_build_object('weights', jsonb_build_array(0.3, 0.3, 0.2, 0.2),
							  'thresholds', jsonb_build_object('auto', 0.15, 'escalate', 0.5),
							  'safety_rules', (SELECT jsonb_agg(jsonb_build_object('name', 'r' || g, 'feature', 'f1', 'op', '>',
																				   'value', g, 'decision', 'ESCALATE'))
												 FROM generate_series(1, n) g))
$$;
SELECT is(pg_temp.state_of('SELECT modelgov_internal.normalize_config(pg_temp.cfg_rules(1000))'), 'ok',
		  'a configuration of 1,000 safety rules is accepted');
SELECT is(pg_temp.state_of('SELECT modelgov_internal.normalize_config(pg_temp.cfg_rules(1001))'), '54000',
		  'a configuration of 1,001 safety rules is refused (54000)');

-- 16 levels of nesting below the top-level object; a key the
-- configuration does not know is refused (22023) once parsed
CREATE FUNCTION pg_temp.cfg_nested(levels int) RETURNS jsonb LANGUAGE sql AS $$
	SELECT jsonb_build_object('weights', jsonb_build_array(0.3, 0.3, 0.2, 0.2),
							  'thresholds', jsonb_build_object('auto', 0.15, 'escalate', 0.5),
							  'deep', (repeat('[', levels) || repeat(']', levels))::jsonb)
$$;
SELECT is(pg_temp.state_of('SELECT modelgov_internal.normalize_config(pg_temp.cfg_nested(16))'), '22023',
		  'a configuration nested 16 levels deep is parsed (then refused for its unknown key, 22023)');
SELECT is(pg_temp.state_of('SELECT modelgov_internal.normalize_config(pg_temp.cfg_nested(17))'), '54000',
		  'a configuration nested 17 levels deep is refused (54000)');

-- 16 MB of text: padded with a key the configuration does not know
CREATE FUNCTION pg_temp.cfg_bytes(n int) RETURNS jsonb LANGUAGE sql AS $$
	SELECT jsonb_build_object('weights', jsonb_build_array(0.3, 0.3, 0.2, 0.2),
							  'thresholds', jsonb_build_object('auto', 0.15, 'escalate', 0.5),
							  'pad', repeat('p', n - octet_length(jsonb_build_object(
									'weights', jsonb_build_array(0.3, 0.3, 0.2, 0.2),
									'thresholds', jsonb_build_object('auto', 0.15, 'escalate', 0.5),
									'pad', '')::text)))
$$;
SELECT is(octet_length(pg_temp.cfg_bytes(16777216)::text), 16777216, 'the padded configuration is 16 MB of text');
SELECT is(pg_temp.state_of('SELECT modelgov_internal.normalize_config(pg_temp.cfg_bytes(16777216))'), '22023',
		  'a configuration of exactly 16 MB is parsed (then refused for its unknown key, 22023)');
SELECT is(pg_temp.state_of('SELECT modelgov_internal.normalize_config(pg_temp.cfg_bytes(16777217))'), '54000',
		  'a configuration one byte over 16 MB is refused (54000)');

-- every text a member writes into the record: 10,000 characters
SELECT modelgov.propose('threshold_change', 'limits', '{"threshold_auto": 0.16}') AS pid \gset
CREATE FUNCTION pg_temp.at_and_past(call text, OUT at_limit text, OUT past_limit text) LANGUAGE sql AS $$
	SELECT pg_temp.state_of(format(call, repeat('x', 10000))), pg_temp.state_of(format(call, repeat('x', 10001)))
$$;
SET client_min_messages = error;	-- propose warns of other open proposals changing the same keys (day_two.sql)
SELECT results_eq(format($$SELECT * FROM pg_temp.at_and_past(%L)$$,
						 $$SELECT modelgov.propose('threshold_change', %L, '{"threshold_auto": 0.17}')$$),
				  $$VALUES ('ok', '54000')$$, 'propose: description');
SELECT results_eq(format($$SELECT * FROM pg_temp.at_and_past(%L)$$,
						 $$SELECT modelgov.propose('threshold_change', 'd', '{"threshold_auto": 0.17}', NULL, %L)$$),
				  $$VALUES ('ok', '54000')$$, 'propose: rollback_plan');
SELECT results_eq(format($$SELECT * FROM pg_temp.at_and_past(%L)$$,
						 $$SELECT modelgov.propose('threshold_change', 'd', '{"threshold_auto": 0.17}', NULL, NULL, %L)$$),
				  $$VALUES ('ok', '54000')$$, 'propose: monitoring_plan');
RESET client_min_messages;
SELECT results_eq(format($$SELECT * FROM pg_temp.at_and_past(%L)$$,
						 format($$SELECT modelgov.review(%L, '{}', false, %%L)$$, :'pid')),
				  $$VALUES ('42501', '54000')$$, 'review: comment (the proposer may not review: 42501 at the limit)');
SELECT results_eq(format($$SELECT * FROM pg_temp.at_and_past(%L)$$,
						 format($$SELECT modelgov.reject(%L, %%L)$$, :'pid')),
				  $$VALUES ('42501', '54000')$$, 'reject: reason (the proposer may not reject: 42501 at the limit)');
SELECT results_eq(format($$SELECT * FROM pg_temp.at_and_past(%L)$$,
						 format($$SELECT modelgov.withdraw(%L, %%L)$$, :'pid')),
				  $$VALUES ('ok', '54000')$$, 'withdraw: reason');
SELECT results_eq(format($$SELECT * FROM pg_temp.at_and_past(%L)$$, $$SELECT modelgov.rollback(%L)$$),
				  $$VALUES ('55000', '54000')$$, 'rollback: reason (nothing to roll back to: 55000 at the limit)');
SELECT results_eq(format($$SELECT * FROM pg_temp.at_and_past(%L)$$,
						 $$SELECT modelgov.correct_metrics('1.0.0', '2024-01-14', '{"decisions": 1}', %L)$$),
				  $$VALUES ('42704', '54000')$$, 'correct_metrics: reason (no metrics to correct: 42704 at the limit)');
SELECT results_eq(format($$SELECT * FROM pg_temp.at_and_past(%L)$$, $$SELECT modelgov.annotate(1, %L)$$),
				  $$VALUES ('22023', '54000')$$, 'annotate: root_cause (entry 1 is no rollback: 22023 at the limit)');
SELECT results_eq(format($$SELECT * FROM pg_temp.at_and_past(%L)$$,
						 $$SELECT modelgov.attest('1.0.0', 'tests_pass', %L)$$),
				  $$VALUES ('ok', '54000')$$, 'attest: evidence');

SELECT * FROM finish();
ROLLBACK;
