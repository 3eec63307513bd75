--
-- config_gate.sql
--		The C configuration parser is the one gate for configurations.  In
--		0.1.0 three configurations passed propose, review, approval and the
--		deployments, and then every decide() failed with XX000 because the
--		compiler refused them: 1,001 safety rules, a weight written with
--		more than 400 digits, a configuration over 16 MB.  Now the first two
--		limits are 54000 when the configuration is created (init_model,
--		propose), the long number is stored as the float8 the model uses,
--		and versions_config_compiles makes a staged or active version that
--		cannot be compiled impossible.
--
BEGIN;
\ir helpers.psql
SELECT plan(30);

SET LOCAL modelgov.clock = '2024-01-15 00:00:00+00';

-- The configurations, built here rather than written out
CREATE TEMP TABLE cfg ON COMMIT DROP AS
SELECT jsonb_build_object(
		   'weights', '[0.3, 0.3, 0.2, 0.2]'::jsonb,
		   'thresholds', '{"auto": 0.15, "escalate": 0.5}'::jsonb,
		   'safety_rules', (SELECT jsonb_agg(jsonb_build_object('name', 'r' || i, 'feature', 'f1', 'op', '>=',
																 'value', 0.99, 'decision', 'ASK'))
							  FROM generate_series(1, 1000) i)) AS rules_1000,
	   jsonb_build_object(
		   'weights', '[0.3, 0.3, 0.2, 0.2]'::jsonb,
		   'thresholds', '{"auto": 0.15, "escalate": 0.5}'::jsonb,
		   'safety_rules', (SELECT jsonb_agg(jsonb_build_object('name', 'r' || i, 'feature', 'f1', 'op', '>=',
																 'value', 0.99, 'decision', 'ASK'))
							  FROM generate_series(1, 1001) i)) AS rules_1001,
	   -- 0.1234567890... with 500 digits after the point
	   ('{"weights": [0.' || repeat('1234567890', 50) || ', 0.3, 0.2, 0.2],'
		' "thresholds": {"auto": 0.15, "escalate": 0.5}}')::jsonb AS long_weight,
	   ('0.' || repeat('1234567890', 50))::float8 AS long_weight_value,
	   -- 170,000 candidates with 96-character names: about 18 MB of text
	   jsonb_build_object(
		   'weights', '[0.3, 0.3, 0.2, 0.2]'::jsonb,
		   'thresholds', '{"auto": 0.15, "escalate": 0.5}'::jsonb,
		   'biases', (SELECT jsonb_object_agg(md5(i::text) || md5((-i)::text) || md5((i * 7)::text), 0.001)
						FROM generate_series(1, 170000) i)) AS many_biases;

SELECT cmp_ok((SELECT octet_length(many_biases::text) FROM cfg), '>', 16 * 1024 * 1024,
			  'the configuration with 170,000 biases is over 16 MB');

--
-- The gate itself
--
SELECT is((SELECT jsonb_array_length(modelgov_internal.normalize_config(rules_1000) -> 'safety_rules') FROM cfg),
		  1000, '1,000 safety rules are accepted');
SELECT is(pg_temp.error_of($$SELECT modelgov_internal.normalize_config(rules_1001) FROM cfg$$),
		  '54000 model configuration exceeds a limit | A model has at most 1000 safety rules, not 1001.',
		  '1,001 safety rules exceed a limit (54000), and the detail says which');
SELECT is(pg_temp.error_of($$SELECT modelgov_internal.normalize_config(many_biases) FROM cfg$$),
		  '54000 model configuration exceeds a limit | The configuration text is '
		  || (SELECT octet_length(many_biases::text) FROM cfg) || ' bytes; at most 16777216 are allowed.',
		  'a configuration over 16 MB exceeds a limit (54000)');
SELECT is(jsonb_array_length(modelgov_internal.normalize_config(jsonb_build_object(
			  'weights', (SELECT jsonb_agg(0.001) FROM generate_series(1, 1000)),
			  'thresholds', '{"auto": 0.15, "escalate": 0.5}'::jsonb)) -> 'features'),
		  1000, '1,000 features are accepted');
SELECT is(pg_temp.error_of($$SELECT modelgov_internal.normalize_config(jsonb_build_object(
			  'weights', (SELECT jsonb_agg(0.001) FROM generate_series(1, 1001)),
			  'thresholds', '{"auto": 0.15, "escalate": 0.5}'::jsonb))$$),
		  '54000 model configuration exceeds a limit | A model has at most 1000 features, not 1001.',
		  '1,001 features exceed a limit (54000)');
SELECT is((SELECT modelgov_internal.normalize_config(long_weight) -> 'weights' -> 0 FROM cfg),
		  (SELECT to_jsonb(long_weight_value) FROM cfg),
		  'a weight written with 500 digits is stored as the float8 the model uses');
SELECT is((SELECT modelgov_internal.normalize_config(long_weight) -> 'weights' ->> 1 FROM cfg), '0.3',
		  'a number that a float8 holds exactly enough keeps its text');
SELECT is(modelgov_internal.normalize_config('{"weights": [0.30], "thresholds": {"auto": 0.15, "escalate": 0.5}}')
		  -> 'weights' ->> 0, '0.30', 'trailing zeros are kept: 0.30 is the float8 0.3');
SELECT ok((SELECT bool_and(modelgov_internal.config_compiles(modelgov_internal.normalize_config(c)))
			 FROM cfg, LATERAL (VALUES (rules_1000), (long_weight)) AS x(c)),
		  'every configuration the gate accepts compiles');
SELECT is((SELECT modelgov_internal.normalize_config(modelgov_internal.normalize_config(long_weight))
				  = modelgov_internal.normalize_config(long_weight) FROM cfg), true,
		  'normalizing a normalized configuration changes nothing');
SELECT is(pg_temp.error_of($$SELECT modelgov_internal.normalize_config(
								'{"weights": [0.1], "thresholds": {"auto": 0.1, "escalate": 0.5}, "nope": 1}')$$),
		  '22023 invalid model configuration | Unknown key "nope".',
		  'an invalid configuration is 22023, with the key in the detail');
SELECT is(pg_temp.hint_of($$SELECT modelgov_internal.normalize_config('[]')$$),
		  '22023 See "Configuration" in docs/reference.md for the keys a configuration holds.',
		  'configuration errors point to the documentation');

--
-- init_model: the first version
--
SELECT is(pg_temp.error_of($$SELECT modelgov.init_model(rules_1001) FROM cfg$$),
		  '54000 model configuration exceeds a limit | A model has at most 1000 safety rules, not 1001.',
		  'init_model refuses 1,001 safety rules (54000)');
SELECT is(pg_temp.error_of($$SELECT modelgov.init_model(many_biases) FROM cfg$$),
		  '54000 model configuration exceeds a limit | The configuration text is '
		  || (SELECT octet_length(many_biases::text) FROM cfg) || ' bytes; at most 16777216 are allowed.',
		  'init_model refuses a configuration over 16 MB (54000)');
SELECT is((SELECT count(*) FROM modelgov.versions), 0::bigint, 'the refused calls left no version');
SELECT is((SELECT modelgov.init_model(long_weight)::text FROM cfg), '1.0.0',
		  'init_model takes the configuration with a 500-digit weight');
SELECT is((modelgov.model_config() -> 'weights' ->> 0)::float8, (SELECT long_weight_value FROM cfg),
		  'the active configuration holds the float8 value of the long weight');
-- with calibration none and one feature at 1, the score is the weight itself
SELECT is(modelgov.score(ARRAY[1, 0, 0, 0]::float8[]), (SELECT long_weight_value FROM cfg),
		  'the active version scores with exactly the stored weight');
SELECT is(modelgov.decide(ARRAY[1, 0, 0, 0]::float8[])::text, 'AUTO',
		  'decide() works on it (0.1234... is under thresholds.auto, 0.15)');

--
-- propose: later versions
--
CREATE ROLE mg_cg_alice NOLOGIN;
GRANT USAGE ON SCHEMA modelgov TO mg_cg_alice;
GRANT EXECUTE ON FUNCTION modelgov.propose(modelgov.change_type, text, jsonb, jsonb, text, text) TO mg_cg_alice;
SELECT modelgov.add_member('mg_cg_alice', 'alice@company.com');
GRANT SELECT ON cfg TO mg_cg_alice;

SET ROLE mg_cg_alice;
SELECT is(pg_temp.error_of($$SELECT modelgov.propose('safety_rule_change', 'a rule per ticket type',
														jsonb_build_object('safety_rules', rules_1001 -> 'safety_rules'))
							   FROM cfg$$),
		  '54000 model configuration exceeds a limit | A model has at most 1000 safety rules, not 1001.',
		  'propose refuses 1,001 safety rules (54000), before any review');
SELECT alike(pg_temp.error_of($$SELECT modelgov.propose('bias_update', 'a bias per customer',
														jsonb_build_object('biases', many_biases -> 'biases'))
							   FROM cfg$$),
		  '54000 model configuration exceeds a limit | The configuration text is % bytes; at most 16777216 are allowed.',
		  'propose refuses a configuration that would be over 16 MB (54000)');
SELECT is(pg_temp.error_of($$SELECT modelgov.propose('weights_update', 'weights with many digits',
														('{"weights": [0.3, 0.' || repeat('9876543210', 50) || ', 0.2, 0.2]}')::jsonb)$$),
		  'no error', 'propose takes a weight written with 500 digits');
RESET ROLE;
SELECT is((SELECT p.config -> 'weights' -> 1 FROM modelgov.proposals p),
		  to_jsonb(('0.' || repeat('9876543210', 50))::float8),
		  'the proposal holds the float8 value of the long weight');
SELECT is((SELECT p.new_values -> 'weights' -> 1 FROM modelgov.proposals p),
		  to_jsonb(('0.' || repeat('9876543210', 50))::float8),
		  'its new_values show the value that will be scored');
SELECT ok((SELECT modelgov_internal.config_compiles(p.config) FROM modelgov.proposals p),
		  'the proposed configuration compiles');
SELECT is((SELECT count(*) FROM modelgov.proposals), 1::bigint, 'the refused proposals left nothing behind');

--
-- The table itself: what is staged or active compiles, whoever writes it
-- (init_model named the model "default")
--
SELECT throws_ok($$INSERT INTO modelgov.versions (version, config, created_at, status, model)
				   SELECT '9.0.0', rules_1001, now(), 'staged', 'default' FROM cfg$$,
				 '23514', 'new row for relation "versions" violates check constraint "versions_config_compiles"',
				 'a staged version that cannot be compiled is refused by the table (23514)');
SELECT lives_ok($$INSERT INTO modelgov.versions (version, config, created_at, status, model)
				  SELECT '9.0.0', rules_1001, now(), 'withdrawn', 'default' FROM cfg$$,
				'the constraint is about what runs: a withdrawn row is not checked');
SELECT throws_ok($$UPDATE modelgov.versions SET status = 'staged'
				   WHERE model = 'default' AND version::text = '9.0.0'$$,
				 '23514', 'new row for relation "versions" violates check constraint "versions_config_compiles"',
				 'nor can such a version become staged later');

SELECT * FROM finish();
ROLLBACK;
