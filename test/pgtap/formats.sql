--
-- formats.sql
--		Issue 12, items 7 and 8: the governance process's own formats on
--		dated stories (modelgov.clock).  format_json's layout; audit_entry
--		(the flat shape of each kind of entry, UTC times, rates as the
--		process writes them, "automation"); audit_export and its filters;
--		config_file and version_record; the changelog frozen at release
--		(and an unreleased version's section, which reads as now); the
--		identity "automation"; and who may call the read functions.
--
-- The stories (every time UTC):
--	fm   1.0.0 on 2024-01-15, three days of metrics in February (AUTO 0.10,
--		 ESCALATE 0.12, 0.125, 0.13, correct_auto 0.950, 0.953, 0.956);
--		 the seed's threshold change PROP_202402_001 approved on 2024-02-29
--		 14:30 (in a session in New York), deployed on 2024-03-01 by the
--		 deployment pipeline's account (identity "automation"), released on
--		 2024-03-04 after three days (correct_auto 0.953, 0.951, 0.955), a
--		 fourth day (0.948) after the release, then 15% escalations on
--		 2024-03-05: the monitor rolls it back on 2024-03-06, and the root
--		 cause is annotated on 2024-03-08.
--	fm2  1.0.0 on 2024-01-15; 1.0.1 (Youden worsened) and 1.0.2 (Youden
--		 unchanged) deployed by frank, a person, who rolls 1.0.2 back by
--		 hand; then a breaking 2.0.0 with a migration note, and 2.0.1
--		 approved but never in production.
--	fmr  a model whose configuration holds what is not a default
--		 (features with a default, calibration, safety rules, the missing
--		 feature decision).
--
-- Everything made here is rolled back with the transaction.  Run as a
-- superuser (pg_prove connects as postgres); modelgov.clock is
-- superuser-only, so it is always set with no role set.
--
BEGIN;
\ir helpers.psql
SELECT plan(120);

SET TimeZone = 'UTC';
SET DateStyle = 'ISO, MDY';
SET modelgov.clock = '2024-01-15 00:00:00+00';

CREATE ROLE mg_fm_alice NOLOGIN;	-- proposer, no duties
CREATE ROLE mg_fm_bob NOLOGIN;		-- reviewer, model_science_lead
CREATE ROLE mg_fm_carol NOLOGIN;	-- reviewer, product_manager
CREATE ROLE mg_fm_dave NOLOGIN;		-- engineering_lead
CREATE ROLE mg_fm_ops NOLOGIN;		-- deployer: the pipeline's account, identity "automation"
CREATE ROLE mg_fm_frank NOLOGIN;	-- deployer, a person
CREATE ROLE mg_fm_ops2 NOLOGIN;		-- a second account that would be "automation"
CREATE ROLE mg_fm_zed NOLOGIN;		-- not a member, and granted nothing
GRANT USAGE ON SCHEMA modelgov TO mg_fm_alice, mg_fm_bob, mg_fm_carol, mg_fm_dave, mg_fm_ops, mg_fm_frank;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA modelgov TO mg_fm_alice, mg_fm_bob, mg_fm_carol, mg_fm_dave, mg_fm_ops,
	mg_fm_frank;

--
-- Helpers of this suite
--
-- the keys of a JSON object, in their order
CREATE FUNCTION pg_temp.keys(j json) RETURNS text
	LANGUAGE sql AS $$
	SELECT string_agg(k, ',' ORDER BY n) FROM json_object_keys(j) WITH ORDINALITY AS x(k, n)
$$;
-- the newest audit entry of a type (of a model, of a status)
CREATE FUNCTION pg_temp.seq_of(type text, mdl text DEFAULT NULL, st text DEFAULT NULL) RETURNS bigint
	LANGUAGE sql AS $$
	SELECT max(a.seq) FROM modelgov.audit_log a
	 WHERE a.event_type = type AND (mdl IS NULL OR a.model = mdl) AND (st IS NULL OR a.status = st)
$$;
-- 10,000 decisions at these rates
CREATE FUNCTION pg_temp.day(auto float8, esc float8, ca float8) RETURNS jsonb
	LANGUAGE sql AS $$
	SELECT jsonb_build_object('decisions', 10000, 'auto', round(auto * 10000), 'escalate', round(esc * 10000),
							  'ask', 10000 - round(auto * 10000) - round(esc * 10000), 'errors', 50,
							  'correct_auto', ca, 'latency_p99_ms', 50, 'feature_availability', 0.995)
$$;
-- a deployer records a day's metrics, the clock at the next day's 00:30
CREATE FUNCTION pg_temp.rec(who text, model text, version text, d date, metrics jsonb) RETURNS void
	LANGUAGE plpgsql AS $$
BEGIN
	RESET ROLE;
	PERFORM set_config('modelgov.clock', ((d + 1)::timestamp + interval '30 minutes')::text || '+00', false);
	EXECUTE format('SET ROLE %I', who);
	PERFORM modelgov.record_metrics(model, version::modelgov.semver, d, metrics);
	RESET ROLE;
END
$$;
-- a change proposed, reviewed and approved at one time: its proposal id
CREATE FUNCTION pg_temp.approved(model text, ct modelgov.change_type, description text, new_values jsonb,
								 impact jsonb, at timestamptz) RETURNS text
	LANGUAGE plpgsql AS $$
DECLARE
	id text;
BEGIN
	RESET ROLE;
	PERFORM set_config('modelgov.clock', at::text, false);
	SET ROLE mg_fm_alice;
	id := modelgov.propose(model, ct, description, new_values, impact,
						   'Roll back with modelgov.rollback().', 'Daily checks for 7 days.');
	SET ROLE mg_fm_bob;
	PERFORM modelgov.review(id, pg_temp.ck(), true);
	SET ROLE mg_fm_carol;
	PERFORM modelgov.review(id, pg_temp.ck(), true);
	PERFORM modelgov.approve(id, 'product_manager');
	SET ROLE mg_fm_bob;
	PERFORM modelgov.approve(id, 'model_science_lead');
	SET ROLE mg_fm_dave;
	PERFORM modelgov.approve(id, 'engineering_lead');
	RESET ROLE;
	RETURN id;
END
$$;
-- the same, then staged and deployed to production by a deployer: the version
CREATE FUNCTION pg_temp.ship(model text, ct modelgov.change_type, description text, new_values jsonb,
							 impact jsonb, at timestamptz, deployer text) RETURNS text
	LANGUAGE plpgsql AS $$
DECLARE
	id text := pg_temp.approved(model, ct, description, new_values, impact, at);
	v text;
BEGIN
	EXECUTE format('SET ROLE %I', deployer);
	v := modelgov.deploy(id, 'staging')::text;
	PERFORM modelgov.record_smoke_test(model, v::modelgov.semver, true);
	v := modelgov.deploy(id, 'production')::text;
	RESET ROLE;
	RETURN v;
END
$$;

------------------------------------------------------------------------------
-- 1. format_json: the process's layout
------------------------------------------------------------------------------
SELECT is(modelgov.format_json('{"b": 1, "a": 2, "c": 3}'), E'{\n  "b": 1,\n  "a": 2,\n  "c": 3\n}',
		  'keys stay in the order written, one per line, two spaces in');
SELECT is(modelgov.format_json('[0.30, 0.30, 0.20, 0.20]'), '[0.30, 0.30, 0.20, 0.20]',
		  'an array of numbers on one line, numbers as written');
SELECT is(modelgov.format_json('{"default": 0.0}'), '{ "default": 0.0 }', 'an object of one scalar: { "k": v }');
SELECT is(modelgov.format_json('["charlie@company.com"]'), '["charlie@company.com"]', 'an array of one scalar: ["x"]');
SELECT is(modelgov.format_json('["a", "b"]'), E'[\n  "a",\n  "b"\n]', 'an array of two strings: one per line');
SELECT is(modelgov.format_json('[1, null]'), E'[\n  1,\n  null\n]', 'an array of a number and null is not all numbers');
SELECT is(modelgov.format_json('{"a": {"b": 1}}'), E'{\n  "a": { "b": 1 }\n}',
		  'an object holding one object is not a container of one scalar');
SELECT is(modelgov.format_json('[{"a": 1}]'), E'[\n  { "a": 1 }\n]', 'nor is an array holding one object');
SELECT is(modelgov.format_json('{"e": {}, "f": []}'), E'{\n  "e": {},\n  "f": []\n}', 'empty {} and []');
SELECT is(modelgov.format_json('{}'), '{}', 'an empty object alone');
SELECT is(modelgov.format_json('{"version": "1.0.1", "thresholds": {"auto": 0.18, "escalate": 0.48}, "x": [[1, 2], ["p", "q"]]}'),
		  E'{\n  "version": "1.0.1",\n  "thresholds": {\n    "auto": 0.18,\n    "escalate": 0.48\n  },\n'
		  || E'  "x": [\n    [1, 2],\n    [\n      "p",\n      "q"\n    ]\n  ]\n}',
		  'nested: two more spaces per level, closing brackets at their opener''s level');
SELECT is(modelgov.format_json('{"a": 1, "b": 2}', 4), E'{\n      "a": 1,\n      "b": 2\n    }',
		  'indent: the members at indent + 2, the closing brace at indent, the first line not padded');
SELECT is(modelgov.format_json(json_build_object('q"uote', E'a"b\\c\n\u00e9\u0001')),
		  E'{ "q\\"uote": "a\\"b\\\\c\\n\u00e9\\u0001" }',
		  'quotes, backslashes, newlines and control characters escaped as JSON; é kept');
SELECT is(modelgov.format_json(E'{"k\\u00e9": "\\u00e9"}')::jsonb, E'{"k\\u00e9": "\\u00e9"}'::jsonb,
		  'escapes in the input give the same JSON');
SELECT is(modelgov.format_json('  {"a" :   1 ,"b":"x"  }  '), E'{\n  "a": 1,\n  "b": "x"\n}',
		  'the white space of the input is not kept');
SELECT is(modelgov.format_json('null'), 'null', 'JSON null is null');
SELECT is(modelgov.format_json('{}', 1000), '{}', 'an indent of 1000 is accepted');
SELECT is(modelgov.format_json((repeat('[', 600) || '1, 2' || repeat(']', 600))::json)::jsonb,
		  (repeat('[', 600) || '1, 2' || repeat(']', 600))::jsonb,
		  'a value nested 600 deep is laid out too, and reads back the same');
SELECT is(modelgov.format_json((repeat('{"a": ', 101) || '[1, 2]' || repeat('}', 101))::json),
		  (SELECT string_agg(E'{\n' || repeat(' ', 2 * i + 2) || '"a": ', '' ORDER BY i) FROM generate_series(0, 99) i)
		  || '{"a": [1, 2]}' || (SELECT string_agg(E'\n' || repeat(' ', 2 * i) || '}', '' ORDER BY i DESC)
								   FROM generate_series(0, 99) i),
		  'deeper than 100 levels a value is written on one line as it is (jsonb''s text form)');
SELECT is(modelgov.format_json(NULL), NULL, 'SQL NULL in, NULL out');
SELECT throws_ok($$SELECT modelgov.format_json('{}', -1)$$, '22023', 'indent must be between 0 and 1000, not -1',
				 'a negative indent is refused (22023)');
SELECT throws_ok($$SELECT modelgov.format_json('{}', 1001)$$, '22023', 'indent must be between 0 and 1000, not 1001',
				 'an indent over 1000 is refused (22023)');
SELECT throws_ok($$SELECT modelgov.format_json('{}', NULL)$$, '22023', 'indent must be between 0 and 1000, not null',
				 'a NULL indent is refused (22023)');

------------------------------------------------------------------------------
-- 2. The identity "automation"
------------------------------------------------------------------------------
DO $$
BEGIN
	PERFORM modelgov.add_member('mg_fm_alice', 'alice@company.com');
	PERFORM modelgov.add_member('mg_fm_bob', 'bob@company.com', '{model_science_lead}');
	PERFORM modelgov.add_member('mg_fm_carol', 'carol@company.com', '{product_manager}');
	PERFORM modelgov.add_member('mg_fm_dave', 'dave@company.com', '{engineering_lead}');
	PERFORM modelgov.add_member('mg_fm_frank', 'frank@company.com', '{deployer}');
END
$$;
SELECT lives_ok($$SELECT modelgov.add_member('mg_fm_ops', 'AUTOMATION', '{deployer}')$$,
				'the pipeline''s account is added as AUTOMATION');
SELECT is((SELECT identity FROM modelgov.members WHERE role_name = 'mg_fm_ops'), 'automation', 'stored in lower case');
SELECT is(pg_temp.error_of($$SELECT modelgov.add_member('mg_fm_ops2', 'automation')$$),
		  '23505 identity "automation" already belongs to another member | ',
		  'a second account with it is refused: one account no person acts through (23505)');
SELECT is(pg_temp.error_of($$SELECT modelgov.add_member('mg_fm_ops2', 'automation2')$$),
		  '22023 invalid identity "automation2" | An identity is an e-mail address of at most 254 characters, such as alice@company.com, without spaces, control or format characters, or "automation" for the one account no person acts through.',
		  '"automation2" is no e-mail address (22023)');
SELECT is(pg_temp.error_of($$SELECT modelgov.add_member('mg_fm_ops2', 'automation@')$$),
		  '22023 invalid identity "automation@" | An identity is an e-mail address of at most 254 characters, such as alice@company.com, without spaces, control or format characters, or "automation" for the one account no person acts through.',
		  'nor is "automation@" (22023)');
SELECT is(pg_temp.error_of($$SELECT modelgov.add_member('mg_fm_ops2', ' automation')$$),
		  '22023 invalid identity " automation" | An identity is an e-mail address of at most 254 characters, such as alice@company.com, without spaces, control or format characters, or "automation" for the one account no person acts through.',
		  'nor " automation", with a space (22023)');
SELECT is(pg_temp.error_of($$SELECT modelgov.add_member('mg_fm_ops2', 'automation@company.com')$$), 'no error',
		  '"automation@company.com" is an e-mail address like any other');
SELECT is(pg_temp.error_of($$INSERT INTO modelgov.members VALUES ('mg_fm_zed', 'automation2', '{}', '2024-01-15 00:00:00+00', 'test',
																   'mg_fm_zed'::regrole)$$),
		  '23514 new row for relation "members" violates check constraint "members_identity_check" | Failing row contains (mg_fm_zed, automation2, {}, 2024-01-15 00:00:00+00, test, mg_fm_zed).',
		  'the CHECK constraint refuses a direct INSERT of "automation2", even by a superuser (23514)');
SELECT is(pg_temp.error_of($$INSERT INTO modelgov.members VALUES ('mg_fm_zed', 'automation', '{}', '2024-01-15 00:00:00+00', 'test',
																   'mg_fm_zed'::regrole)$$),
		  '23505 duplicate key value violates unique constraint "members_identity_key" | Key (identity)=(automation) already exists.',
		  'and the unique constraint a second "automation" (23505)');
SELECT is((SELECT count(*) FROM modelgov.members WHERE role_name = 'mg_fm_zed'), 0::bigint, 'zed is no member');

------------------------------------------------------------------------------
-- 3. fm: the seed's story
------------------------------------------------------------------------------
SELECT is(modelgov.create_model('fm', '{"weights": [0.30, 0.30, 0.20, 0.20], "biases": {"default": 0.0},
										"thresholds": {"auto": 0.15, "escalate": 0.50}}')::text, '1.0.0',
		  'fm 1.0.0 on 2024-01-15');
SELECT is(modelgov.create_model('fm2', '{"weights": [0.30, 0.30, 0.20, 0.20], "biases": {"default": 0.0},
										 "thresholds": {"auto": 0.15, "escalate": 0.50}}')::text, '1.0.0',
		  'fm2 1.0.0 on 2024-01-15');
SELECT is(modelgov.version_record('fm', '1.0.0') ->> 'performance', NULL, 'version_record: performance null before metrics');
SELECT pg_temp.rec('mg_fm_ops', 'fm', '1.0.0', d, pg_temp.day(0.10, e, c))
  FROM (VALUES ('2024-02-26'::date, 0.12, 0.950), ('2024-02-27', 0.125, 0.953), ('2024-02-28', 0.13, 0.956)) AS x(d, e, c);

SET modelgov.clock = '2024-02-16 10:00:00+00';
SET ROLE mg_fm_alice;
SELECT is(modelgov.propose('fm', 'threshold_change', 'Monthly threshold optimization (ROC/Youden)',
						   '{"threshold_auto": 0.18, "threshold_escalate": 0.48}',
						   '{"expected_auto_resolve_rate": 0.10, "expected_escalate_rate": 0.125, "youden_improvement": 0.032, "sample_size": 5400}',
						   'Roll back with modelgov.rollback().', 'Daily checks for 7 days.'),
		  'PROP_202402_001', 'alice proposes the seed''s threshold change');
SET ROLE mg_fm_bob;
SELECT modelgov.review('PROP_202402_001', pg_temp.ck(), true);
SET ROLE mg_fm_carol;
SELECT modelgov.review('PROP_202402_001', pg_temp.ck(), true);
SET ROLE mg_fm_ops;
SELECT is(pg_temp.error_of($$SELECT modelgov.review('PROP_202402_001', pg_temp.ck(), true)$$),
		  '42501 permission denied to review proposals | Member mg_fm_ops is the automation account, through which no person acts.',
		  'the automation account may not review: no person acts through it (42501)');
RESET ROLE;
-- the approval at 2024-02-29 14:30 UTC, from a session in New York
SET modelgov.clock = '2024-02-29 14:30:00+00';
SET TimeZone = 'America/New_York';
SET ROLE mg_fm_carol;
SELECT modelgov.approve('PROP_202402_001', 'product_manager');
SET ROLE mg_fm_bob;
SELECT modelgov.approve('PROP_202402_001', 'model_science_lead', '2024-03-01 00:00:00+00');
SET ROLE mg_fm_dave;
SELECT modelgov.approve('PROP_202402_001', 'engineering_lead');
RESET ROLE;
SELECT pg_temp.seq_of('approved', 'fm') AS approved_seq \gset
SELECT is(modelgov.format_json(modelgov.audit_entry(:approved_seq)),
		  E'{\n  "timestamp": "2024-02-29T14:30:00Z",\n  "event_type": "approved",\n  "proposal_id": "PROP_202402_001",\n'
		  || E'  "status": "approved",\n  "approved_by": [\n    "bob@company.com",\n    "carol@company.com",\n'
		  || E'    "dave@company.com"\n  ],\n  "approved_at": "2024-02-29T14:30:00Z",\n'
		  || E'  "scheduled_deployment": "2024-03-01T00:00:00Z"\n}',
		  'the approval entry: the seed''s approval record after timestamp and event_type, times in UTC in a New York session');
RESET TimeZone;
SET TimeZone = 'UTC';

SET ROLE mg_fm_ops;
SELECT is(modelgov.deploy('PROP_202402_001', 'staging')::text, '1.0.1', 'the pipeline stages 1.0.1');
SELECT modelgov.record_smoke_test('fm', '1.0.1', true);
RESET ROLE;
SET modelgov.clock = '2024-03-01 00:00:00+00';
SET ROLE mg_fm_ops;
SELECT is(modelgov.deploy('PROP_202402_001', 'production')::text, '1.0.1', 'and deploys it to production on 2024-03-01');
RESET ROLE;
SELECT pg_temp.seq_of('deployment', 'fm', 'active') AS deploy_seq \gset
SELECT is(pg_temp.keys(modelgov.audit_entry(:deploy_seq)),
		  'timestamp,event_type,version,change_type,proposal_id,old_values,new_values,approved_by,deployed_by,reason,metrics_before,status',
		  'a production deployment has the seed''s keys, in its order');
SELECT is(modelgov.format_json(modelgov.audit_entry(:deploy_seq)),
		  E'{\n  "timestamp": "2024-03-01T00:00:00Z",\n  "event_type": "deployment",\n  "version": "1.0.1",\n'
		  || E'  "change_type": "threshold_change",\n  "proposal_id": "PROP_202402_001",\n'
		  || E'  "old_values": {\n    "threshold_auto": 0.15,\n    "threshold_escalate": 0.50\n  },\n'
		  || E'  "new_values": {\n    "threshold_auto": 0.18,\n    "threshold_escalate": 0.48\n  },\n'
		  || E'  "approved_by": [\n    "bob@company.com",\n    "carol@company.com",\n    "dave@company.com"\n  ],\n'
		  || E'  "deployed_by": "automation",\n  "reason": "Monthly threshold optimization (ROC/Youden)",\n'
		  || E'  "metrics_before": {\n    "correct_auto": 0.953,\n    "auto_rate": 0.10,\n    "escalate_rate": 0.125\n  },\n'
		  || E'  "status": "active"\n}',
		  'the deployment entry: deployed_by "automation", metrics_before as plain numbers (0.10 keeps one trailing zero)');
SELECT is(modelgov.audit_entry(:deploy_seq) -> 'metrics_before' ->> 'auto_rate', '0.10',
		  'a rate of 0.1 is written 0.10, three decimals with a trailing zero dropped');
SELECT is(modelgov.audit_entry(-1)::text, NULL, 'audit_entry of a seq that does not exist: NULL');
SELECT is(modelgov.audit_entry(NULL)::text, NULL, 'audit_entry(NULL): NULL');

-- any other entry: its columns that are set, then its details
SELECT is(pg_temp.keys(modelgov.audit_entry(pg_temp.seq_of('proposal', 'fm'))),
		  'timestamp,event_type,version,change_type,proposal_id,actor,bump,proposer,new_values,old_values,description,'
		  'base_version,change_types,impact_analysis,status',
		  'another entry (proposal): version, change_type, proposal_id, actor, its details (in jsonb''s order), status');
SELECT is(modelgov.audit_entry(pg_temp.seq_of('proposal', 'fm'))::jsonb - 'timestamp' - 'impact_analysis',
		  '{"event_type": "proposal", "version": "1.0.1", "change_type": "threshold_change", "proposal_id": "PROP_202402_001",
			"actor": "mg_fm_alice", "bump": "patch", "proposer": "alice@company.com",
			"new_values": {"threshold_auto": 0.18, "threshold_escalate": 0.48},
			"old_values": {"threshold_auto": 0.15, "threshold_escalate": 0.50},
			"description": "Monthly threshold optimization (ROC/Youden)", "base_version": "1.0.0",
			"change_types": ["threshold_change"], "status": "proposed"}',
		  'its values: the actor is the role, the proposer its identity');
SELECT is(pg_temp.keys(modelgov.audit_entry(pg_temp.seq_of('member_added'))),
		  'timestamp,event_type,actor,roles,member,identity',
		  'member_added: no version, change type, proposal or status; the actor, then the details in jsonb''s order');
SELECT is(modelgov.audit_entry(pg_temp.seq_of('member_added'))::jsonb - 'timestamp',
		  jsonb_build_object('event_type', 'member_added', 'actor', session_user, 'roles', '[]'::jsonb,
							 'member', 'mg_fm_ops2', 'identity', 'automation@company.com'),
		  'member_added: the member, the identity and the roles the administrator gave');

-- 1.0.1's first three days, then the release on 2024-03-04
SELECT pg_temp.rec('mg_fm_ops', 'fm', '1.0.1', d, pg_temp.day(0.10, 0.125, c))
  FROM (VALUES ('2024-03-01'::date, 0.953), ('2024-03-02', 0.951), ('2024-03-03', 0.955)) AS x(d, c);
SET modelgov.clock = '2024-03-04 10:00:00+00';
SET ROLE mg_fm_alice;
SELECT modelgov.attest('fm', '1.0.1', i, 'done')
  FROM unnest(ARRAY['tests_pass', 'documentation_updated', 'changelog_updated', 'release_notes_published']) i;
SET ROLE mg_fm_bob;
SELECT modelgov.attest('fm', '1.0.1', 'code_reviewed', 'PR 1');
SET ROLE mg_fm_carol;
SELECT modelgov.attest('fm', '1.0.1', 'code_reviewed', 'PR 1');
SET ROLE mg_fm_alice;
SELECT is(modelgov.release('fm', '1.0.1'), 'released: fm 1.0.1, active in production', 'alice releases fm 1.0.1');
RESET ROLE;
SELECT is((SELECT r.changelog FROM modelgov.releases r WHERE r.model = 'fm'),
		  E'## [1.0.1] - 2024-03-01\n### Changed\n- Monthly threshold optimization (ROC/Youden)\n'
		  || E'- threshold_auto: 0.15 \u2192 0.18\n- threshold_escalate: 0.50 \u2192 0.48\n\n'
		  || E'### Metrics\n- Youden index improved by 0.032\n- Auto-resolve accuracy: 95.3%',
		  'the release froze the section of 1.0.1 in the seed''s words (accuracy: the average 0.953)');
SELECT is(modelgov.changelog('fm'),
		  E'# Changelog\n\n' || (SELECT r.changelog FROM modelgov.releases r WHERE r.model = 'fm')
		  || E'\n\n## [1.0.0] - 2024-01-15\n### Added\n- Initial version\n\n### Metrics\n- Auto-resolve accuracy: 95.3%\n',
		  'changelog() shows the frozen section');
-- a fourth day after the release moves the average to 0.95175
SELECT pg_temp.rec('mg_fm_ops', 'fm', '1.0.1', '2024-03-04', pg_temp.day(0.10, 0.125, 0.948));
SELECT is(modelgov_internal.changelog_section('fm', '1.0.1'),
		  replace((SELECT r.changelog FROM modelgov.releases r WHERE r.model = 'fm'), '95.3%', '95.2%'),
		  'control: the section as it would read now has the new average, 95.2%');
SELECT is(modelgov.changelog('fm'),
		  E'# Changelog\n\n' || (SELECT r.changelog FROM modelgov.releases r WHERE r.model = 'fm')
		  || E'\n\n## [1.0.0] - 2024-01-15\n### Added\n- Initial version\n\n### Metrics\n- Auto-resolve accuracy: 95.3%\n',
		  'but changelog() keeps the section frozen at the release: 95.3%');

-- 2024-03-05: 15% escalations; the monitor rolls back on 2024-03-06
SELECT pg_temp.rec('mg_fm_ops', 'fm', '1.0.1', '2024-03-05', pg_temp.day(0.10, 0.15, 0.953));
SET modelgov.clock = '2024-03-06 06:45:00+00';
SET ROLE mg_fm_ops;
SELECT ok((SELECT count(*) FROM modelgov.monitor('fm', true)) > 0, 'the pipeline''s monitor with automatic rollback');
RESET ROLE;
SELECT is(modelgov.active_version('fm', 'production')::text, '1.0.0', 'it rolled fm back to 1.0.0');
SELECT pg_temp.seq_of('rollback', 'fm') AS rb_seq \gset
SELECT is(pg_temp.keys(modelgov.audit_entry(:rb_seq)),
		  'timestamp,event_type,from_version,to_version,reason,rolled_back_by,root_cause,status',
		  'a rollback has exactly the seed''s keys, in its order');
SELECT is(modelgov.audit_entry(:rb_seq)::jsonb,
		  '{"timestamp": "2024-03-06T06:45:00Z", "event_type": "rollback", "from_version": "1.0.1", "to_version": "1.0.0",
			"reason": "Escalate rate increased to 15% (expected 12.5%)", "rolled_back_by": "automation",
			"root_cause": "TBD - scheduled analysis", "status": "completed"}'::jsonb,
		  'the monitor''s rollback: rolled_back_by "automation", root cause TBD, status completed');
SELECT is(modelgov.changelog('fm'),
		  E'# Changelog\n\n' || (SELECT r.changelog FROM modelgov.releases r WHERE r.model = 'fm')
		  || E'\n\n### Rolled back\n- 2024-03-06: rolled back to 1.0.0 (Escalate rate increased to 15% (expected 12.5%))'
		  || E'\n\n## [1.0.0] - 2024-01-15\n### Added\n- Initial version\n\n### Metrics\n- Auto-resolve accuracy: 95.3%\n',
		  'the Rolled back block comes after the frozen section');

-- the root cause, annotated on 2024-03-08
SET modelgov.clock = '2024-03-08 09:00:00+00';
SET ROLE mg_fm_bob;
SELECT modelgov.annotate(:rb_seq, 'Upstream schema change shifted f3') AS ann_seq \gset
RESET ROLE;
SELECT is(modelgov.audit_entry(:rb_seq) ->> 'root_cause', 'TBD - scheduled analysis',
		  'after annotate the rollback entry still says "TBD - scheduled analysis"');
SELECT is(modelgov.audit_entry(:ann_seq) ->> 'event_type', 'annotation', 'the annotation is an entry of its own');
SELECT is(modelgov.audit_entry(:ann_seq) ->> 'timestamp', '2024-03-08T09:00:00Z', 'dated when it was annotated');
SELECT ok(modelgov.audit_entry(:ann_seq)::text LIKE '%Upstream schema change shifted f3%', 'and holds the root cause');

-- version_record and config_file of fm
SELECT is(modelgov.format_json(modelgov.version_record('fm', '1.0.0')),
		  E'{\n  "version": "1.0.0",\n  "released_at": "2024-01-15T00:00:00Z",\n  "weights": [0.30, 0.30, 0.20, 0.20],\n'
		  || E'  "threshold_auto": 0.15,\n  "threshold_escalate": 0.50,\n'
		  || E'  "performance": {\n    "correct_auto": 0.953,\n    "auto_rate": 0.10,\n    "escalate_rate": 0.125\n  },\n'
		  || E'  "status": "active",\n  "superseded_by": "1.0.1"\n}',
		  'version_record of 1.0.0: the seed''s shape; superseded_by kept after the rollback made it active again');
SELECT is(pg_temp.keys(modelgov.version_record('fm', '1.0.1')),
		  'version,released_at,weights,threshold_auto,threshold_escalate,performance,status,superseded_by',
		  'version_record: the seed''s keys in its order');
SELECT is(modelgov.version_record('fm', '1.0.1')::jsonb - 'weights',
		  '{"version": "1.0.1", "released_at": "2024-03-01T00:00:00Z", "threshold_auto": 0.18, "threshold_escalate": 0.48,
			"performance": {"correct_auto": 0.952, "auto_rate": 0.10, "escalate_rate": 0.13}, "status": "rolled_back",
			"superseded_by": null}'::jsonb,
		  'version_record of the rolled-back 1.0.1: five days averaged (0.952, 0.10, 0.13)');
SELECT throws_ok($$SELECT modelgov.version_record('fm', '9.9.9')$$, '42704', 'version 9.9.9 of model "fm" does not exist',
				 'version_record of an unknown version (42704)');
SELECT throws_ok($$SELECT modelgov.version_record('nope', '1.0.0')$$, '42704', 'model "nope" does not exist',
				 'version_record of an unknown model (42704)');
SELECT throws_ok($$SELECT modelgov.version_record('fm', NULL)$$, '22004', 'modelgov.version_record() needs version',
				 'version_record of a NULL version (22004, as a call missing an argument)');
SELECT is(modelgov.config_file('fm', '1.0.1'),
		  E'{\n  "version": "1.0.1",\n  "released_at": "2024-03-01T00:00:00Z",\n  "weights": [0.30, 0.30, 0.20, 0.20],\n'
		  || E'  "biases": { "default": 0.0 },\n  "thresholds": {\n    "auto": 0.18,\n    "escalate": 0.48\n  }\n}',
		  'config_file of 1.0.1: the seed''s model configuration file, byte for byte');
SELECT is(modelgov.config_file('fm'), modelgov.config_file('fm', '1.0.0'), 'config_file(model): the active version, 1.0.0');
SELECT is(modelgov.config_file('fm') ::jsonb ->> 'version', '1.0.0', 'which is 1.0.0');
SELECT throws_ok($$SELECT modelgov.config_file('fm', '9.9.9')$$, '42704', 'version 9.9.9 of model "fm" does not exist',
				 'config_file of an unknown version (42704)');
SELECT throws_ok($$SELECT modelgov.config_file('nope')$$, '42704', 'model "nope" does not exist',
				 'config_file of an unknown model (42704)');

------------------------------------------------------------------------------
-- 4. fm2: a person deploys and rolls back; Youden worsened and unchanged;
--    an unreleased section reads as now; a breaking version's migration
------------------------------------------------------------------------------
SELECT is(pg_temp.ship('fm2', 'threshold_change', 'Fewer automatic decisions', '{"threshold_auto": 0.14}',
					   '{"youden_improvement": -0.01, "sample_size": 5000}', '2024-04-01 00:00:00+00', 'mg_fm_frank'),
		  '1.0.1', 'frank deploys fm2 1.0.1 on 2024-04-01');
SELECT is(modelgov.audit_entry(pg_temp.seq_of('deployment', 'fm2', 'active')) ->> 'deployed_by', 'frank@company.com',
		  'deployed_by is the person''s identity');
SELECT is(modelgov.audit_entry(pg_temp.seq_of('deployment', 'fm2', 'active'))::jsonb -> 'metrics_before', 'null'::jsonb,
		  'metrics_before is null when the replaced version has no metrics');
SELECT is(modelgov_internal.changelog_section('fm2', '1.0.1'),
		  E'## [1.0.1] - 2024-04-01\n### Changed\n- Fewer automatic decisions\n- threshold_auto: 0.15 \u2192 0.14\n\n'
		  || E'### Metrics\n- Youden index worsened by 0.01',
		  'Youden worsened; no accuracy line before any metrics');
SELECT pg_temp.rec('mg_fm_frank', 'fm2', '1.0.1', '2024-04-01', pg_temp.day(0.09, 0.10, 0.90));
SELECT is(modelgov.changelog('fm2'),
		  E'# Changelog\n\n## [1.0.1] - 2024-04-01\n### Changed\n- Fewer automatic decisions\n- threshold_auto: 0.15 \u2192 0.14\n\n'
		  || E'### Metrics\n- Youden index worsened by 0.01\n- Auto-resolve accuracy: 90.0%\n\n'
		  || E'## [1.0.0] - 2024-01-15\n### Added\n- Initial version\n',
		  'an unreleased version reads as now: one day, 90.0% (one decimal)');
SELECT pg_temp.rec('mg_fm_frank', 'fm2', '1.0.1', '2024-04-02', pg_temp.day(0.09, 0.10, 0.8));
SELECT ok(modelgov.changelog('fm2') LIKE E'%- Youden index worsened by 0.01\n- Auto-resolve accuracy: 85.0%\n%',
		  'and changes with its metrics: two days, 85.0%');
SELECT is(pg_temp.ship('fm2', 'threshold_change', 'Back a little', '{"threshold_auto": 0.145}',
					   '{"youden_improvement": 0, "sample_size": 5000}', '2024-04-10 00:00:00+00', 'mg_fm_frank'),
		  '1.0.2', 'frank deploys fm2 1.0.2 on 2024-04-10');
SELECT is(modelgov_internal.changelog_section('fm2', '1.0.2'),
		  E'## [1.0.2] - 2024-04-10\n### Changed\n- Back a little\n- threshold_auto: 0.14 \u2192 0.145\n\n'
		  || E'### Metrics\n- Youden index unchanged',
		  'a youden_improvement of 0: "Youden index unchanged"');
SELECT is(modelgov.version_record('fm2', '1.0.2') ::jsonb -> 'performance', 'null'::jsonb, 'version_record of 1.0.2 before metrics: null');
SET modelgov.clock = '2024-04-11 08:00:00+00';
SET ROLE mg_fm_frank;
SELECT is(modelgov.rollback('fm2', 'Too many questions')::text, '1.0.1', 'frank rolls fm2 back by hand');
RESET ROLE;
SELECT is(modelgov.audit_entry(pg_temp.seq_of('rollback', 'fm2')) ->> 'rolled_back_by', 'frank@company.com',
		  'a manual rollback: rolled_back_by is the member''s identity');
SELECT is(modelgov.version_record('fm2', '1.0.1') ->> 'superseded_by', '1.0.2',
		  'version_record: superseded_by of 1.0.1 is kept after the rollback to it');
SELECT is(modelgov.version_record('fm2', '1.0.1') ->> 'status', 'active', 'and it is active again');
SELECT is(pg_temp.ship('fm2', 'bug_fix', 'New scoring service',
					   '{}', '{"breaking": {"cause": "architecture", "migration": "Send f1 in percent,\nnot as a fraction"}, "sample_size": 5000}',
					   '2024-05-01 00:00:00+00', 'mg_fm_frank'),
		  '2.0.0', 'a breaking change is MAJOR: fm2 2.0.0 on 2024-05-01');
SELECT is(modelgov_internal.changelog_section('fm2', '2.0.0'),
		  E'## [2.0.0] - 2024-05-01\n### \u26a0 Breaking changes\n- Not backward compatible with 1.0.1\n'
		  || E'- Migration: Send f1 in percent, not as a fraction\n\n### Fixed\n- New scoring service',
		  'a MAJOR section shows the declared migration, on one line; no Metrics without youden or metrics');
SELECT pg_temp.approved('fm2', 'threshold_change', 'Not yet', '{"threshold_auto": 0.16}', '{"sample_size": 5000}',
						'2024-05-02 00:00:00+00') AS pending_id \gset
SELECT is((SELECT target_version::text || ' ' || status FROM modelgov.proposals WHERE proposal_id = :'pending_id'),
		  '2.0.1 approved', 'fm2 2.0.1 is approved, never deployed');
SELECT is(modelgov.config_file('fm2', '2.0.1'),
		  E'{\n  "version": "2.0.1",\n  "released_at": null,\n  "weights": [0.30, 0.30, 0.20, 0.20],\n'
		  || E'  "biases": { "default": 0.0 },\n  "thresholds": {\n    "auto": 0.16,\n    "escalate": 0.50\n  }\n}',
		  'config_file of a version never in production: released_at null');
SELECT is(modelgov.version_record('fm2', '2.0.1') ::jsonb -> 'released_at', 'null'::jsonb, 'version_record too');

------------------------------------------------------------------------------
-- 5. fmr: config_file keeps what is not a default, after the seed's keys
------------------------------------------------------------------------------
SELECT is(modelgov.create_model('fmr',
	'{"safety_rules": [{"name": "fraud", "feature": "f2", "op": ">=", "value": 0.9, "decision": "ESCALATE"}],
	  "missing_feature_decision": "ESCALATE", "calibration": {"method": "temperature", "T": 1.5},
	  "thresholds": {"auto": 0.2, "escalate": 0.6}, "biases": {"default": 0.0, "billing": -0.05},
	  "features": [{"name": "f1"}, {"name": "f2"}, {"name": "f3", "default": 0.5}], "weights": [0.5, 0.3, 0.2]}')::text,
		  '1.0.0', 'fmr 1.0.0 with a safety rule, a calibration, a feature default and ESCALATE when one is missing');
SELECT is(pg_temp.keys(modelgov.config_file('fmr')::json),
		  'version,released_at,weights,biases,thresholds,calibration,features,missing_feature_decision,safety_rules',
		  'config_file: version, released_at, weights, biases, thresholds, then the keys that are not defaults');
SELECT is(modelgov.config_file('fmr')::jsonb,
		  modelgov.model_config('fmr') || '{"version": "1.0.0", "released_at": "2024-05-02T00:00:00Z"}',
		  'and nothing else: the configuration, version and released_at');
SELECT is(modelgov.config_file('fmr')::jsonb -> 'features', '[{"name": "f1"}, {"name": "f2"}, {"name": "f3", "default": 0.5}]',
		  'features are kept when one has a default');
SELECT is(pg_temp.keys(modelgov.config_file('fmr')::json -> 'biases'), 'default,billing',
		  'the biases with "default" first, as the seed writes it (jsonb would put billing first)');
SELECT is(pg_temp.keys(modelgov.config_file('fm', '1.0.1')::json), 'version,released_at,weights,biases,thresholds',
		  'a configuration of defaults has only the seed''s keys');
SELECT is(modelgov.model_config('fm', '1.0.1') - ARRAY['weights', 'biases', 'thresholds', 'version', 'released_at'],
		  '{"features": [{"name": "f1"}, {"name": "f2"}, {"name": "f3"}, {"name": "f4"}], "calibration": {"method": "none"},
			"safety_rules": [], "missing_feature_decision": "ASK"}',
		  'control: its configuration holds the defaults config_file leaves out');

------------------------------------------------------------------------------
-- 6. audit_export
------------------------------------------------------------------------------
SELECT throws_ok($$SELECT modelgov.audit_export('nope')$$, '42704', 'model "nope" does not exist',
				 'a model that does not exist is an error, not an empty log (42704)');
SELECT is(modelgov.audit_export('fm', ARRAY['no_such_event']), '[]', 'no entry of that type: []');
SELECT is(modelgov.audit_export(first_seq => 1000000), '[]', 'nothing from a seq past the end: []');
SELECT is(modelgov.audit_export('fm'),
		  modelgov.format_json((SELECT json_agg(modelgov.audit_entry(a.seq) ORDER BY a.seq) FROM modelgov.audit_log a
								 WHERE a.model = 'fm')),
		  'audit_export(model): the model''s entries, in order, laid out by format_json');
SELECT is(json_array_length(modelgov.audit_export('fm')::json), (SELECT count(*)::int FROM modelgov.audit_log WHERE model = 'fm'),
		  'it parses as JSON: one element per entry of fm');
SELECT is(modelgov.audit_export()::jsonb,
		  (SELECT jsonb_agg(modelgov.audit_entry(a.seq)::jsonb ORDER BY a.seq) FROM modelgov.audit_log a),
		  'audit_export(): every entry, the database-wide ones too');
SELECT ok(modelgov.audit_export() LIKE '%"event_type": "member_added"%', 'for instance the members added');
SELECT is(modelgov.audit_export(NULL, ARRAY['rollback', 'annotation'])::jsonb,
		  (SELECT jsonb_agg(modelgov.audit_entry(a.seq)::jsonb ORDER BY a.seq) FROM modelgov.audit_log a
			WHERE a.event_type IN ('rollback', 'annotation')),
		  'event_types: the entries of those types');
SELECT is(json_array_length(modelgov.audit_export(NULL, ARRAY['rollback', 'annotation'])::json), 3,
		  'two rollbacks and an annotation');
SELECT is(modelgov.audit_export('fm', first_seq => :deploy_seq, last_seq => :rb_seq)::jsonb,
		  (SELECT jsonb_agg(modelgov.audit_entry(a.seq)::jsonb ORDER BY a.seq) FROM modelgov.audit_log a
			WHERE a.model = 'fm' AND a.seq BETWEEN :deploy_seq AND :rb_seq),
		  'first_seq and last_seq, both included');
SELECT is(modelgov.audit_export('fm', ARRAY['deployment', 'rollback'], :deploy_seq),
		  E'[\n  ' || replace(modelgov.format_json(modelgov.audit_entry(:deploy_seq)), E'\n', E'\n  ') || E',\n  '
		  || replace(modelgov.format_json(modelgov.audit_entry(:rb_seq)), E'\n', E'\n  ') || E'\n]',
		  'the seed''s audit log: the deployment and the rollback, two spaces in');
SELECT modelgov.audit_export() AS export_utc \gset
SET TimeZone = 'Asia/Kolkata';
SET DateStyle = 'SQL, DMY';
SELECT is(modelgov.audit_export(), :'export_utc', 'the export does not depend on TimeZone or DateStyle');
SELECT is(modelgov.audit_entry(:approved_seq) ->> 'approved_at', '2024-02-29T14:30:00Z', 'approved_at in UTC with Z');
SELECT is(modelgov.config_file('fm', '1.0.1')::json ->> 'released_at', '2024-03-01T00:00:00Z', 'released_at in UTC with Z');
SELECT is(modelgov.changelog('fm2', '1.0.2'), E'# Changelog\n\n' || modelgov_internal.changelog_section('fm2', '2.0.0') || E'\n',
		  'changelog dates in UTC');
RESET TimeZone;
RESET DateStyle;
SET TimeZone = 'UTC';

------------------------------------------------------------------------------
-- 7. Privileges: read functions anybody may call
------------------------------------------------------------------------------
SELECT is_empty(
	$$SELECT p.oid::regprocedure::text FROM pg_catalog.pg_proc p
	   WHERE p.oid IN ('modelgov.format_json(json, integer)'::regprocedure, 'modelgov.audit_entry(bigint)'::regprocedure,
					   'modelgov.audit_export(text, text[], bigint, bigint)'::regprocedure,
					   'modelgov.config_file(text, modelgov.semver)'::regprocedure,
					   'modelgov.version_record(text, modelgov.semver)'::regprocedure)
		 AND NOT has_function_privilege('public', p.oid, 'EXECUTE')$$,
	'PUBLIC may execute format_json, audit_entry, audit_export, config_file and version_record');
SET ROLE mg_fm_zed;
SELECT is(pg_temp.error_of($$SELECT modelgov.annotate(1, 'x')$$), '42501 permission denied for function annotate | ',
		  'control: zed, granted nothing, may not annotate (42501)');
SELECT lives_ok(format($$SELECT modelgov.format_json('{}'), modelgov.audit_entry(%s), modelgov.audit_export('fm'),
							   modelgov.config_file('fm'), modelgov.version_record('fm', '1.0.0')$$, :rb_seq),
				'zed may read every format');
SELECT is(modelgov.audit_entry(:rb_seq)::jsonb ->> 'rolled_back_by', 'automation', 'and reads what the owner reads');
RESET ROLE;
SELECT results_eq($$SELECT ok FROM modelgov.verify_audit_log()$$, $$VALUES (true)$$, 'the audit chain verifies');

SELECT * FROM finish();
ROLLBACK;
