--
-- edge_cases.sql
--		Corners found in review: numbers beyond float8 in a configuration,
--		a null missing_feature_decision, an infinite clock, the audit digest
--		of an empty log and malformed digests, explain() of a NULL array,
--		role names that need quoting in error messages.
--
BEGIN;
\ir helpers.psql
SELECT plan(27);

-- the audit log is empty in a fresh database: no digest row at all
SELECT is((SELECT count(*) FROM modelgov.audit_digest()), 0::bigint,
		  'audit_digest() of an empty log returns no row');

-- a malformed digest is an error, and so is a NULL one
SELECT throws_ok($$SELECT * FROM modelgov.verify_audit_log(1, 'not-a-hash')$$,
				 '22023', 'invalid audit digest hash "not-a-hash"',
				 'verify_audit_log refuses a digest hash that is not 64 hex digits');
SELECT throws_ok($$SELECT * FROM modelgov.verify_audit_log(NULL, NULL)$$,
				 '22004', 'digest_seq and digest_hash must not be null',
				 'verify_audit_log refuses a NULL digest: a monitor never gets a NULL row');
SELECT throws_ok($$SELECT * FROM modelgov.verify_audit_log(1, NULL)$$,
				 '22004', 'digest_seq and digest_hash must not be null',
				 'verify_audit_log refuses a NULL digest hash');

-- numbers a float8 cannot hold are a configuration error, not 22003
SELECT throws_ok($$SELECT modelgov_internal.normalize_config('{"weights": [1e400, 0.1], "thresholds": {"auto": 0.1, "escalate": 0.5}}')$$,
				 '22023', 'invalid model configuration',
				 'a weight of 1e400 is refused as an invalid configuration');
SELECT throws_ok($$SELECT modelgov_internal.normalize_config('{"weights": [0.1], "biases": {"x": -1e301}, "thresholds": {"auto": 0.1, "escalate": 0.5}}')$$,
				 '22023', 'invalid model configuration',
				 'a bias of -1e301 is refused as an invalid configuration');
SELECT lives_ok($$SELECT modelgov_internal.normalize_config('{"weights": [1e300, 1e-300], "thresholds": {"auto": 0.1, "escalate": 0.5}}')$$,
				'1e300 and 1e-300 are accepted');

-- missing_feature_decision: absent means ASK, null is an error
SELECT is(modelgov_internal.normalize_config('{"weights": [0.1], "thresholds": {"auto": 0.1, "escalate": 0.5}}')
		  ->> 'missing_feature_decision', 'ASK', 'an absent missing_feature_decision is ASK');
SELECT throws_ok($$SELECT modelgov_internal.normalize_config('{"weights": [0.1], "thresholds": {"auto": 0.1, "escalate": 0.5}, "missing_feature_decision": null}')$$,
				 '22023', 'invalid model configuration',
				 'a null missing_feature_decision is refused');

-- the clock takes finite times only
SET LOCAL modelgov.clock = 'infinity';
SELECT throws_ok($$SELECT modelgov.clock_now()$$, '22023',
				 'modelgov.clock must be a finite time, not "infinity"',
				 'an infinite modelgov.clock is refused when read');
RESET modelgov.clock;

-- explain() of a NULL array: every feature missing, none a default
SELECT is(modelgov.init_model('{"weights": [0.5, 0.5], "features": [{"name": "a"}, {"name": "b", "default": 0.1}],
								"thresholds": {"auto": 0.2, "escalate": 0.8}}')::text, '1.0.0', 'a model to explain');
SELECT is((SELECT count(*) FROM jsonb_array_elements(modelgov.explain(NULL) -> 'features') f
			WHERE (f ->> 'default_used')::boolean), 0::bigint,
		  'explain(NULL) uses no default');
SELECT is((SELECT count(*) FROM jsonb_array_elements(modelgov.explain(NULL) -> 'features') f
			WHERE (f ->> 'missing')::boolean), 2::bigint,
		  'explain(NULL) reports every feature missing');
SELECT is(modelgov.explain(ARRAY[0.3]) -> 'features' -> 1 ->> 'default_used', 'true',
		  'explain() of a short array reports the default it used');

-- a role whose name needs quoting: stored and reported unquoted
CREATE ROLE "Mg Edge Role";
SELECT lives_ok($$SELECT modelgov.add_member('"Mg Edge Role"', 'edge@company.com')$$, 'add a member whose role name needs quoting');
SELECT is((SELECT role_name FROM modelgov.members WHERE identity = 'edge@company.com'), 'Mg Edge Role',
		  'the member''s role name is stored unquoted');
SELECT lives_ok($$SELECT modelgov.remove_member('"Mg Edge Role"')$$, 'remove that member');
SELECT throws_ok($$SELECT modelgov.remove_member('"Mg Edge Role"')$$, '42704',
				 'role Mg Edge Role is not a modelgov member',
				 'remove_member names the role as it is stored');

-- release history is append-only, also for the owner (UPDATE and DELETE
-- are tested in release.sql, where there are rows)
SELECT throws_ok($$TRUNCATE modelgov.releases$$, '42501', NULL, 'releases refuse TRUNCATE');

-- a caller's long text is cut in error messages (the statement itself is
-- still logged as it was sent)
SELECT throws_ok($$SELECT * FROM modelgov.verify_audit_log(1, repeat('x', 1000000))$$,
				 '22023', 'invalid audit digest hash "' || repeat('x', 80) || '..."',
				 'a 1 MB digest hash is cut to 80 characters in the error');
SELECT throws_ok($$SELECT modelgov.add_member('"Mg Edge Role"', repeat('a', 100000) || ' @company.com')$$,
				 '22023', 'invalid identity "' || repeat('a', 80) || '..."',
				 'a 100 kB identity is cut to 80 characters in the error');

-- a proposal's description is one line in the changelog: it cannot open
-- a section of its own (a 1.0.1 written here directly, as if deployed, in
-- the model "default" that init_model created)
INSERT INTO modelgov.proposals (proposal_id, proposed_at, proposer, proposer_identity, change_type,
								description, base_version, target_version, old_values, new_values,
								config, status, model)
SELECT 'PROP_202401_001', now(), 'x', 'x@company.com', 'threshold_change',
	   E'Tiny tweak\n\n## [9.0.0] - 2024-01-01\r\n### Breaking changes\n- Approved by the CEO',
	   '1.0.0', '1.0.1', '{}', '{}', v.config, 'deployed', v.model
  FROM modelgov.versions v WHERE v.version::text = '1.0.0';
INSERT INTO modelgov.versions (version, config, proposal_id, created_at, released_at, status, model)
SELECT '1.0.1', v.config, 'PROP_202401_001', now(), now(), 'superseded', v.model
  FROM modelgov.versions v WHERE v.version::text = '1.0.0';
-- and a performance_fix goes under "### Fixed" (a 1.0.3 written the same way)
INSERT INTO modelgov.proposals (proposal_id, proposed_at, proposer, proposer_identity, change_type,
								description, base_version, target_version, old_values, new_values,
								config, status, model)
SELECT 'PROP_202401_002', now(), 'x', 'x@company.com', 'performance_fix', 'Faster scoring',
	   '1.0.1', '1.0.3', '{}', '{}', v.config, 'deployed', v.model
  FROM modelgov.versions v WHERE v.version::text = '1.0.0';
INSERT INTO modelgov.versions (version, config, proposal_id, created_at, released_at, status, model)
SELECT '1.0.3', v.config, 'PROP_202401_002', now(), now(), 'superseded', v.model
  FROM modelgov.versions v WHERE v.version::text = '1.0.0';
SELECT ok(modelgov.changelog() LIKE E'%## [1.0.3] - %\n### Fixed\n- Faster scoring\n%',
		  'a performance_fix is listed under "### Fixed"');
SELECT ok(modelgov.changelog() LIKE
		  E'%\n- Tiny tweak ## [9.0.0] - 2024-01-01 ### Breaking changes - Approved by the CEO\n%',
		  'the changelog writes a multi-line description on one line');
SELECT is((SELECT count(*) FROM regexp_split_to_table(modelgov.changelog(), E'\n') l WHERE l LIKE '## [%'),
		  3::bigint, 'the changelog has a section per version and no other');
-- finite features whose products overflow: z is not finite, which counts
-- as a missing feature (score NULL, decide the missing_feature_decision)
-- (the version typed: an untyped literal would be read as a model's name)
INSERT INTO modelgov.versions (version, config, created_at, status, model)
VALUES ('1.0.2', modelgov_internal.normalize_config('{"weights": [10, -10], "thresholds": {"auto": 0.3, "escalate": 0.7},
													  "missing_feature_decision": "ESCALATE"}'), now(), 'approved',
		'default');
SELECT is(modelgov.score('1.0.2'::modelgov.semver, ARRAY[1e308, 1e308]::float8[]), NULL,
		  'a z that is not finite gives no score');
SELECT is(modelgov.decide('1.0.2'::modelgov.semver, ARRAY[1e308, 1e308]::float8[])::text, 'ESCALATE',
		  'a z that is not finite decides the missing_feature_decision, not ASK');
SELECT is(modelgov.explain(ARRAY[1e308, 1e308]::float8[], NULL, '1.0.2') ->> 'missing_feature_decision', 'ESCALATE',
		  'explain() shows the missing_feature_decision for a z that is not finite');
SELECT * FROM finish();
ROLLBACK;
