--
-- release.sql
--		The lifecycle after deployment: the eleven-item release checklist
--		(computed and attested items), attest() and release(), support
--		windows from the deployment history, and the generated changelog.
--		The seed's story runs first: 1.0.0 on 2024-01-15, the threshold
--		change 1.0.1 proposed, reviewed, approved, staged, smoke tested,
--		deployed on 2024-03-01 and rolled back on 2024-03-08.  Three more
--		versions follow (a feature addition, a bug fix, a MAJOR feature
--		removal) for the other changelog sections and the MAJOR-only items,
--		then the named forms of 0.2.0 (the model first) on the same story.
--
-- Everything made here is rolled back with the transaction.  Run as a
-- superuser (pg_prove connects as postgres).  modelgov.clock is
-- superuser-only: it is always set with no role set.
--
BEGIN;
\ir helpers.psql
SELECT plan(149);

SET modelgov.clock = '2024-01-15 00:00:00+00';

CREATE ROLE mg_rl_alice NOLOGIN;	-- proposer, no duties
CREATE ROLE mg_rl_bob NOLOGIN;		-- reviewer
CREATE ROLE mg_rl_carol NOLOGIN;	-- reviewer
CREATE ROLE mg_rl_charlie NOLOGIN;	-- model_science_lead
CREATE ROLE mg_rl_diana NOLOGIN;	-- product_manager
CREATE ROLE mg_rl_eve NOLOGIN;		-- engineering_lead
CREATE ROLE mg_rl_ops NOLOGIN;		-- deployer
CREATE ROLE mg_rl_zed NOLOGIN;		-- not a member
GRANT USAGE ON SCHEMA modelgov TO mg_rl_alice, mg_rl_bob, mg_rl_carol, mg_rl_charlie, mg_rl_diana,
	mg_rl_eve, mg_rl_ops, mg_rl_zed;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA modelgov TO mg_rl_alice, mg_rl_bob, mg_rl_carol, mg_rl_charlie,
	mg_rl_diana, mg_rl_eve, mg_rl_ops, mg_rl_zed;

--
-- Helpers of this suite (the shared ones are in helpers.psql; pg_temp
-- functions are called schema-qualified).
--
-- one row of a version's checklist: state | evidence
CREATE FUNCTION pg_temp.item(v text, i text) RETURNS text
	LANGUAGE sql AS $$
	SELECT c.state || ' | ' || coalesce(c.evidence, '(null)')
	  FROM modelgov.release_checklist(v::modelgov.semver) c WHERE c.item = i
$$;
-- the states of a version's checklist, in order
CREATE FUNCTION pg_temp.states(v text) RETURNS text
	LANGUAGE sql AS $$
	SELECT string_agg(c.item || '=' || c.state, ', ' ORDER BY n)
	  FROM modelgov.release_checklist(v::modelgov.semver) WITH ORDINALITY AS c(item, state, evidence, n)
$$;
-- support_status as one line: status | maintenance_until | migration_until (UTC)
CREATE FUNCTION pg_temp.support(v text, at timestamptz DEFAULT NULL) RETURNS text
	LANGUAGE sql AS $$
	SELECT concat_ws(' | ', s.status,
					 coalesce(to_char(s.maintenance_until AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), '-'),
					 coalesce(to_char(s.migration_until AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), '-'))
	  FROM modelgov.support_status(v::modelgov.semver, at) s
$$;
-- a change from proposal to production at one time, by the usual cast
CREATE FUNCTION pg_temp.ship(ct modelgov.change_type, description text, new_values jsonb,
							 impact jsonb, at timestamptz) RETURNS text
	LANGUAGE plpgsql AS $$
DECLARE
	id text;
	v text;
BEGIN
	RESET ROLE;
	PERFORM set_config('modelgov.clock', at::text, false);
	SET ROLE mg_rl_alice;
	id := modelgov.propose(ct, description, new_values, impact,
						   'Roll back with modelgov.rollback().', 'Daily checks for 7 days.');
	SET ROLE mg_rl_bob;
	PERFORM modelgov.review(id, pg_temp.ck(), true);
	SET ROLE mg_rl_carol;
	PERFORM modelgov.review(id, pg_temp.ck(), true);
	SET ROLE mg_rl_charlie;
	PERFORM modelgov.approve(id, 'model_science_lead');
	SET ROLE mg_rl_diana;
	PERFORM modelgov.approve(id, 'product_manager');
	SET ROLE mg_rl_eve;
	PERFORM modelgov.approve(id, 'engineering_lead');
	SET ROLE mg_rl_ops;
	v := modelgov.deploy(id, 'staging')::text;
	PERFORM modelgov.record_smoke_test(v::modelgov.semver, true);
	v := modelgov.deploy(id, 'production')::text;
	RESET ROLE;
	RETURN v;
END
$$;

------------------------------------------------------------------------------
-- 1. The first version, 2024-01-15
------------------------------------------------------------------------------
SELECT is(modelgov.init_model('{"version": "1.0.0", "weights": [0.30, 0.30, 0.20, 0.20],
								"biases": {"default": 0.0}, "thresholds": {"auto": 0.15, "escalate": 0.50}}')::text,
		  '1.0.0', 'init_model creates 1.0.0 on 2024-01-15');
DO $$
BEGIN
	PERFORM modelgov.add_member('mg_rl_alice', 'alice@company.com');
	PERFORM modelgov.add_member('mg_rl_bob', 'bob@company.com');
	PERFORM modelgov.add_member('mg_rl_carol', 'carol@company.com');
	PERFORM modelgov.add_member('mg_rl_charlie', 'charlie@company.com', '{model_science_lead}');
	PERFORM modelgov.add_member('mg_rl_diana', 'diana@company.com', '{product_manager}');
	PERFORM modelgov.add_member('mg_rl_eve', 'eve@company.com', '{engineering_lead}');
	PERFORM modelgov.add_member('mg_rl_ops', 'automation@company.com', '{deployer}');
END
$$;

-- the objects, their privileges, and pg_dump
SELECT has_table('modelgov', 'releases', 'modelgov.releases exists');
SELECT col_is_pk('modelgov', 'releases', ARRAY['model', 'version'], 'a version of a model is released at most once');
SELECT table_privs_are('modelgov', 'releases', 'public', ARRAY['SELECT'], 'PUBLIC reads releases, and only reads');
SELECT table_privs_are('modelgov', 'release_attestations', 'public', ARRAY['SELECT'],
					   'PUBLIC reads attestations, and only reads');
SELECT function_privs_are('modelgov', 'attest', ARRAY['modelgov.semver', 'text', 'text'], 'public', '{}'::name[],
						  'PUBLIC may not execute attest');
SELECT function_privs_are('modelgov', 'release', ARRAY['modelgov.semver'], 'public', '{}'::name[],
						  'PUBLIC may not execute release');
SELECT is_empty(
	$$SELECT p.oid::regprocedure::text FROM pg_catalog.pg_proc p
	   WHERE p.oid IN ('modelgov_internal.attest(modelgov.semver, text, text)'::regprocedure,
					   'modelgov_internal.release(modelgov.semver)'::regprocedure,
					   'modelgov_internal.attest(text, modelgov.semver, text, text)'::regprocedure,
					   'modelgov_internal.release(text, modelgov.semver)'::regprocedure)
		 AND NOT (p.prosecdef AND p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp'])$$,
	'attest and release run SECURITY DEFINER bodies with search_path pinned, behind the actor check');
SELECT is_empty(
	$$SELECT p.oid::regprocedure::text FROM pg_catalog.pg_proc p
	   WHERE p.oid IN ('modelgov.release_checklist(modelgov.semver)'::regprocedure,
					   'modelgov.support_status(modelgov.semver, timestamptz)'::regprocedure,
					   'modelgov.changelog(modelgov.semver)'::regprocedure,
					   'modelgov.release_checklist(text, modelgov.semver)'::regprocedure,
					   'modelgov.support_status(text, modelgov.semver, timestamptz)'::regprocedure,
					   'modelgov.changelog(text, modelgov.semver)'::regprocedure)
		 AND (p.provolatile <> 's' OR NOT p.prosecdef
			  OR NOT p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp'])$$,
	'release_checklist, support_status and changelog are STABLE, SECURITY DEFINER (they call internals) with search_path pinned');
SELECT set_eq(
	$$SELECT c::regclass::text FROM pg_catalog.pg_extension e, pg_catalog.unnest(e.extconfig) AS c
	   WHERE e.extname = 'modelgov'
		 AND c IN ('modelgov.releases'::regclass, 'modelgov.release_attestations'::regclass,
				   'modelgov.release_attestations_id_seq'::regclass)$$,
	ARRAY['modelgov.releases', 'modelgov.release_attestations', 'modelgov.release_attestations_id_seq'],
	'pg_dump dumps releases, attestations and their id sequence');

-- the initial version
SELECT is(pg_temp.support('1.0.0'), 'current | - | -', 'support_status: 1.0.0 is current once initialized');
SELECT is(modelgov.changelog(), E'# Changelog\n\n## [1.0.0] - 2024-01-15\n### Added\n- Initial version\n',
		  'the changelog of the initial version');
SELECT results_eq(
	$$SELECT item FROM modelgov.release_checklist('1.0.0')$$,
	$$VALUES ('tests_pass'), ('code_reviewed'), ('documentation_updated'), ('changelog_updated'),
			 ('breaking_changes_marked'), ('migration_guide'), ('performance_benchmarks'),
			 ('committee_approved'), ('tagged'), ('audit_entry'), ('release_notes_published')$$,
	'the checklist has the eleven items of the process, in its order');
SELECT is(pg_temp.item('1.0.0', 'committee_approved'),
		  format('not_applicable | the initial version: created by the administrator %s with the model at 2024-01-15T00:00:00Z; no committee approved it',
				 session_user),
		  'committee_approved: no committee approved the initial version, the administrator who ran init_model made it');
SELECT is(pg_temp.item('1.0.0', 'audit_entry'), 'verified | audit entry #1',
		  'audit_entry: the init entry of the initial version');
SELECT is(pg_temp.item('1.0.0', 'tagged'), 'verified | version 1.0.0, first in production at 2024-01-15T00:00:00Z',
		  'tagged: the initial version is in production');
SELECT is(pg_temp.item('1.0.0', 'breaking_changes_marked'),
		  'not_applicable | the initial version has no earlier version to be incompatible with',
		  'breaking_changes_marked does not apply to the initial version');
SELECT is(pg_temp.item('1.0.0', 'performance_benchmarks'), 'missing | no daily metrics with latency_p99_ms',
		  'performance_benchmarks is missing without daily metrics');
SELECT is(pg_temp.item('1.0.0', 'tests_pass'), 'missing | not attested', 'an attested item is missing until attested');
SET ROLE mg_rl_alice;
SELECT is(pg_temp.error_of($$SELECT modelgov.release('1.0.0')$$),
		  '55000 cannot release version 1.0.0: the release checklist is incomplete | These checklist items are missing: tests_pass, code_reviewed, documentation_updated, changelog_updated, performance_benchmarks, release_notes_published.',
		  'release of the initial version names every missing item (55000)');
RESET ROLE;

-- argument errors
SELECT throws_ok($$SELECT * FROM modelgov.release_checklist('9.9.9')$$, '42704', 'version 9.9.9 of model "default" does not exist',
				 'release_checklist of an unknown version (42704)');
SELECT throws_ok($$SELECT * FROM modelgov.release_checklist(NULL)$$, '22004', 'version must not be null',
				 'release_checklist of NULL (22004)');
SELECT throws_ok($$SELECT * FROM modelgov.support_status('9.9.9')$$, '42704', 'version 9.9.9 of model "default" does not exist',
				 'support_status of an unknown version (42704)');
SELECT throws_ok($$SELECT * FROM modelgov.support_status(NULL)$$, '22004', 'version must not be null',
				 'support_status of NULL (22004)');

------------------------------------------------------------------------------
-- 2. The seed's change: proposed 2024-02-16, approved 2024-02-29
------------------------------------------------------------------------------
SET modelgov.clock = '2024-02-16 10:00:00+00';
SET ROLE mg_rl_alice;
SELECT is(modelgov.propose('threshold_change', 'Monthly threshold optimization (ROC/Youden)',
	'{"threshold_auto": 0.18, "threshold_escalate": 0.48}',
	'{"expected_auto_resolve_rate": 0.12, "expected_escalate_rate": 0.08, "youden_improvement": 0.032, "sample_size": 5400}',
	'Roll back to 1.0.0 with modelgov.rollback().', 'Daily checks for 7 days after deployment.'),
	'PROP_202402_001', 'alice proposes the threshold change');
SET ROLE mg_rl_bob;
SELECT lives_ok($$SELECT modelgov.review('PROP_202402_001', pg_temp.ck(), true)$$, 'bob reviews');
SET ROLE mg_rl_carol;
SELECT lives_ok($$SELECT modelgov.review('PROP_202402_001', pg_temp.ck(), true, 'Youden gain is solid.')$$,
				'carol reviews');
RESET ROLE;
SELECT throws_ok($$SELECT * FROM modelgov.support_status('1.0.1')$$, '42704', 'version 1.0.1 of model "default" does not exist',
				 'a proposal is no version yet: support_status refuses it');

SET modelgov.clock = '2024-02-29 14:30:00+00';
SET ROLE mg_rl_charlie;
SELECT lives_ok($$SELECT modelgov.approve('PROP_202402_001', 'model_science_lead', '2024-03-01 00:00:00+00')$$,
				'charlie approves as model science lead, scheduled for 2024-03-01');
SET ROLE mg_rl_diana;
SELECT lives_ok($$SELECT modelgov.approve('PROP_202402_001', 'product_manager')$$, 'diana approves');
SET ROLE mg_rl_eve;
SELECT lives_ok($$SELECT modelgov.approve('PROP_202402_001', 'engineering_lead')$$, 'eve approves: 1.0.1 exists');
SET ROLE mg_rl_ops;
SELECT is(modelgov.deploy('PROP_202402_001', 'staging')::text, '1.0.1', 'ops deploys 1.0.1 to staging');
SELECT lives_ok($$SELECT modelgov.record_smoke_test('1.0.1', true, '{"command": "pytest tests/ -v", "failures": 0}')$$,
				'the smoke test passes');
RESET ROLE;

SELECT is(pg_temp.support('1.0.1'), 'not_released | - | -', 'support_status: a staged version is not_released');
SELECT results_eq(
	$$SELECT item, state, evidence FROM modelgov.release_checklist('1.0.1')$$,
	$$VALUES ('tests_pass', 'missing', 'not attested'),
			 ('code_reviewed', 'missing', 'not attested'),
			 ('documentation_updated', 'missing', 'not attested'),
			 ('changelog_updated', 'missing', 'not attested'),
			 ('breaking_changes_marked', 'not_applicable', 'not a major version: 1.0.1 keeps major version 1 of 1.0.0'),
			 ('migration_guide', 'not_applicable', 'not a major version: 1.0.1 keeps major version 1 of 1.0.0'),
			 ('performance_benchmarks', 'missing', 'no daily metrics with latency_p99_ms'),
			 ('committee_approved', 'verified',
			  'PROP_202402_001 approved by charlie@company.com (model_science_lead), diana@company.com (product_manager), eve@company.com (engineering_lead)'),
			 ('tagged', 'missing', 'version 1.0.1 has not run in production (it is staged)'),
			 ('audit_entry', 'missing', 'no production deployment of the version in the audit log'),
			 ('release_notes_published', 'missing', 'not attested')$$,
	'the checklist of the staged 1.0.1: approved by the committee, not tagged, no audit entry for production');
SET ROLE mg_rl_alice;
SELECT is(pg_temp.error_of($$SELECT modelgov.release('1.0.1')$$),
		  '55000 cannot release version 1.0.1: the release checklist is incomplete | These checklist items are missing: tests_pass, code_reviewed, documentation_updated, changelog_updated, performance_benchmarks, tagged, audit_entry, release_notes_published.',
		  'release of the staged 1.0.1 names every missing item, computed and attested (55000)');
RESET ROLE;

------------------------------------------------------------------------------
-- 3. Production on 2024-03-01; the support windows
------------------------------------------------------------------------------
SET modelgov.clock = '2024-03-01 00:00:00+00';
SET ROLE mg_rl_ops;
SELECT is(modelgov.deploy('PROP_202402_001', 'production')::text, '1.0.1', 'ops deploys 1.0.1 to production on schedule');
RESET ROLE;

SELECT is(pg_temp.item('1.0.1', 'tagged'), 'verified | version 1.0.1, first in production at 2024-03-01T00:00:00Z',
		  'tagged: 1.0.1 has run in production');
SELECT is(pg_temp.item('1.0.1', 'audit_entry'),
		  (SELECT 'verified | audit entry #' || a.seq FROM modelgov.audit_log a
			WHERE a.event_type = 'deployment' AND a.status = 'active' AND a.version::text = '1.0.1'),
		  'audit_entry: the production deployment entry (status active)');
SELECT isnt(pg_temp.item('1.0.1', 'audit_entry'),
			(SELECT 'verified | audit entry #' || a.seq FROM modelgov.audit_log a
			  WHERE a.event_type = 'deployment' AND a.status = 'staged' AND a.version::text = '1.0.1'),
			'audit_entry is not the staging deployment entry');

-- 1.0.1 is a PATCH: a drop-in replacement, it opens no window for 1.0.0
-- (the process's example reads so under its rule; release_rules.sql has
-- the windows of a MINOR release on that day)
SELECT is(pg_temp.support('1.0.0', '2024-02-01 00:00:00+00'), 'current | - | -',
		  'before 1.0.1: 1.0.0 is current');
SELECT is(pg_temp.support('1.0.1', '2024-02-01 00:00:00+00'), 'not_released | - | -',
		  'before 1.0.1: 1.0.1 is not_released');
SELECT is(pg_temp.support('1.0.1', '2024-02-29 23:59:59+00'), 'not_released | - | -',
		  'a second before its deployment 1.0.1 is not_released');
SELECT is(pg_temp.support('1.0.1', '2024-03-01 00:00:00+00'), 'current | - | -',
		  'at the instant of its deployment 1.0.1 is current');
SELECT is(pg_temp.support('1.0.0'), 'unsupported | - | -',
		  'at modelgov.clock_now() (at NULL) 1.0.0, replaced by the PATCH 1.0.1, is unsupported');
SELECT is(pg_temp.support('1.0.1', '2024-03-02 00:00:00+00'), 'current | - | -', '2024-03-02: 1.0.1 is current');
SELECT is(pg_temp.support('1.0.0', '2024-03-02 00:00:00+00'), 'unsupported | - | -',
		  '2024-03-02: 1.0.0 has no maintenance window (not "until 2024-03-28" as in the process''s example)');
SELECT is(pg_temp.support('1.0.0', '2024-03-01 00:00:00+00'), 'unsupported | - | -',
		  '2024-03-01 00:00: unsupported from the instant 1.0.1 runs');
SELECT is(pg_temp.support('1.0.1', '2024-04-27 00:00:00+00'), 'current | - | -',
		  '2024-04-27, as known today: 1.0.1 is still current');
SET LOCAL TimeZone = 'America/New_York';
SELECT is(pg_temp.item('1.0.1', 'tagged'), 'verified | version 1.0.1, first in production at 2024-03-01T00:00:00Z',
		  'checklist times are UTC whatever the session TimeZone');
RESET TimeZone;

------------------------------------------------------------------------------
-- 4. Metrics, attestations and the release, 2024-03-04
------------------------------------------------------------------------------
SET modelgov.clock = '2024-03-04 09:00:00+00';
SET ROLE mg_rl_ops;
SELECT lives_ok($$SELECT modelgov.record_metrics('1.0.1', '2024-03-01',
	'{"decisions": 1000, "auto": 125, "ask": 725, "escalate": 150, "errors": 2, "correct_auto": 0.953, "latency_p99_ms": 42}')$$,
	'ops records the metrics of 2024-03-01, with latency');
SELECT lives_ok($$SELECT modelgov.record_metrics('1.0.1', '2024-03-02',
	'{"decisions": 1000, "auto": 115, "ask": 745, "escalate": 140, "errors": 1, "correct_auto": 0.951, "latency_p99_ms": 45}')$$,
	'ops records the metrics of 2024-03-02, with latency');
SELECT lives_ok($$SELECT modelgov.record_metrics('1.0.1', '2024-03-03',
	'{"decisions": 1000, "auto": 110, "ask": 730, "escalate": 160, "errors": 0, "correct_auto": 0.949}')$$,
	'ops records the metrics of 2024-03-03, without latency');
RESET ROLE;
SELECT is(pg_temp.item('1.0.1', 'performance_benchmarks'),
		  'verified | latency_p99_ms below the target of 100 ms (latency_p99_max_ms): 42 on 2024-03-01, 45 on 2024-03-02',
		  'performance_benchmarks: verified, with the days that measured latency_p99_ms below the target');
SET ROLE mg_rl_ops;
SELECT lives_ok($$SELECT modelgov.correct_metrics('1.0.1', '2024-03-02',
	'{"decisions": 1000, "auto": 115, "ask": 745, "escalate": 140, "errors": 1, "correct_auto": 0.951}',
	'latency was measured on the wrong host')$$, 'ops corrects 2024-03-02: its latency is withdrawn');
RESET ROLE;
SELECT is(pg_temp.item('1.0.1', 'performance_benchmarks'),
		  'verified | latency_p99_ms below the target of 100 ms (latency_p99_max_ms): 42 on 2024-03-01',
		  'performance_benchmarks reads the metrics in force (the latest revision)');

-- attest: who may, what, and with what
SET ROLE mg_rl_zed;
SELECT throws_ok($$SELECT modelgov.attest('1.0.1', 'tests_pass', 'CI run 4411')$$,
				 '42501', 'permission denied to attest release checklist items',
				 'a non-member may not attest (42501)');
SELECT throws_ok($$SELECT modelgov.release('1.0.1')$$, '42501', 'permission denied to release versions',
				 'a non-member may not release (42501)');
RESET ROLE;
SET ROLE mg_rl_bob;
SELECT is(pg_temp.error_of($$SELECT modelgov.attest('1.0.1', 'smoke_tested', 'CI run 4411')$$),
		  '22023 unknown release checklist item "smoke_tested" | The items members attest are tests_pass, code_reviewed, documentation_updated, changelog_updated, breaking_changes_marked, migration_guide, release_notes_published.',
		  'an unknown item is refused, listing the items to attest (22023)');
SELECT is(pg_temp.error_of($$SELECT modelgov.attest('1.0.1', 'committee_approved', 'we all agreed')$$),
		  '22023 release checklist item "committee_approved" is computed | The database verifies committee_approved from its own records; it cannot be attested.',
		  'a computed item cannot be attested (22023)');
SELECT throws_ok($$SELECT modelgov.attest('1.0.1', 'tagged', 'v1.0.1 is tagged')$$,
				 '22023', 'release checklist item "tagged" is computed', 'tagged cannot be attested (22023)');
SELECT throws_ok($$SELECT modelgov.attest('1.0.1', 'breaking_changes_marked', 'none')$$,
				 '22023', 'release checklist item "breaking_changes_marked" does not apply to version 1.0.1',
				 'breaking_changes_marked of a version that is not MAJOR is refused (22023)');
SELECT throws_ok($$SELECT modelgov.attest('1.0.1', 'tests_pass', '')$$,
				 '22004', 'an attestation needs evidence', 'empty evidence is refused (22004)');
SELECT throws_ok($$SELECT modelgov.attest('1.0.1', 'tests_pass', E' \t ')$$,
				 '22004', 'an attestation needs evidence', 'blank evidence is refused (22004)');
SELECT throws_ok($$SELECT modelgov.attest('1.0.1', 'tests_pass', NULL)$$,
				 '22004', 'an attestation needs evidence', 'NULL evidence is refused (22004)');
SELECT throws_ok($$SELECT modelgov.attest('9.9.9', 'tests_pass', 'CI run 4411')$$,
				 '42704', 'version 9.9.9 of model "default" does not exist', 'attesting an unknown version (42704)');
SELECT is((SELECT count(*) FROM modelgov.release_attestations), 0::bigint, 'refused attestations leave nothing behind');

SELECT lives_ok($$SELECT modelgov.attest('1.0.1', 'tests_pass', 'CI run 4411: unit, integration, end-to-end')$$,
				'bob attests tests_pass');
SELECT is(pg_temp.last_event(), 'attestation|mg_rl_bob|1.0.1|attested', 'the attestation is audited');
SELECT is((SELECT a.details FROM modelgov.audit_log a ORDER BY a.seq DESC LIMIT 1),
		  '{"item": "tests_pass", "evidence": "CI run 4411: unit, integration, end-to-end", "attested_by": "bob@company.com"}'::jsonb,
		  'the audit entry holds the item, the evidence and who attested');
SELECT is(pg_temp.item('1.0.1', 'tests_pass'),
		  'attested | CI run 4411: unit, integration, end-to-end (attested by bob@company.com at 2024-03-04T09:00:00Z)',
		  'tests_pass is attested, with evidence, by whom and when');
RESET ROLE;
SET modelgov.clock = '2024-03-04 10:00:00+00';
SET ROLE mg_rl_carol;
SELECT lives_ok($$SELECT modelgov.attest('1.0.1', 'tests_pass', 'CI run 4417 after the flaky test fix')$$,
				'carol attests tests_pass again');
SELECT is(pg_temp.item('1.0.1', 'tests_pass'),
		  'attested | CI run 4417 after the flaky test fix (attested by carol@company.com at 2024-03-04T10:00:00Z)',
		  'the latest attestation wins');
SELECT is((SELECT string_agg(a.attested_by_identity, ',' ORDER BY a.id) FROM modelgov.release_attestations a
			WHERE a.version::text = '1.0.1' AND a.item = 'tests_pass'),
		  'bob@company.com,carol@company.com', 'attesting again appends: both attestations are kept');
SELECT lives_ok($$SELECT modelgov.attest('1.0.1', 'code_reviewed', 'PR #87 reviewed by bob and carol')$$,
				'carol attests code_reviewed');
SELECT is(pg_temp.item('1.0.1', 'code_reviewed'),
		  'missing | PR #87 reviewed by bob and carol (attested by carol@company.com at 2024-03-04T10:00:00Z); a second member other than the proposer must attest it',
		  'code_reviewed needs a second member (2+ engineers), whatever the evidence says');
RESET ROLE;
SET ROLE mg_rl_alice;
SELECT is(pg_temp.error_of($$SELECT modelgov.attest('1.0.1', 'code_reviewed', 'PR #87')$$),
		  '42501 permission denied to attest code_reviewed of version 1.0.1 | Code review must be independent: alice@company.com proposed PROP_202402_001 and cannot attest its code review.',
		  'the proposer may not be one of them (42501)');
RESET ROLE;
SET ROLE mg_rl_bob;
SELECT lives_ok($$SELECT modelgov.attest('1.0.1', 'code_reviewed', 'PR #87 approved')$$,
				'bob attests code_reviewed');
RESET ROLE;
SET ROLE mg_rl_carol;
SELECT lives_ok($$SELECT modelgov.attest('1.0.1', 'documentation_updated', 'docs/thresholds.md updated')$$,
				'carol attests documentation_updated');
SELECT throws_ok($$INSERT INTO modelgov.release_attestations (version, item, evidence, attested_at, attested_by,
				   attested_by_identity, audit_seq, model)
				   VALUES ('1.0.1', 'changelog_updated', 'x', now(), 'mg_rl_carol', 'carol@company.com', 1, 'default')$$,
				 '42501', 'permission denied for table release_attestations',
				 'a member may not write attestations directly (42501)');
SELECT is(pg_temp.error_of($$SELECT modelgov.release('1.0.1')$$),
		  '55000 cannot release version 1.0.1: the release checklist is incomplete | These checklist items are missing: changelog_updated, release_notes_published.',
		  'release still fails, naming exactly the two items left (55000)');
SELECT throws_ok($$INSERT INTO modelgov.releases VALUES ('1.0.1', now(), 'mg_rl_carol', 'carol@company.com', '[]', 1, 'default')$$,
				 '42501', 'permission denied for table releases', 'a member may not write releases directly (42501)');
RESET ROLE;
SET ROLE mg_rl_diana;
SELECT lives_ok($$SELECT modelgov.attest('1.0.1', 'changelog_updated', 'CHANGELOG.md from modelgov.changelog()')$$,
				'diana attests changelog_updated');
SELECT lives_ok($$SELECT modelgov.attest('1.0.1', 'release_notes_published', 'https://wiki.company.com/model/1.0.1')$$,
				'diana attests release_notes_published');
RESET ROLE;
SELECT is(pg_temp.states('1.0.1'),
		  'tests_pass=attested, code_reviewed=attested, documentation_updated=attested, changelog_updated=attested, breaking_changes_marked=not_applicable, migration_guide=not_applicable, performance_benchmarks=verified, committee_approved=verified, tagged=verified, audit_entry=verified, release_notes_published=attested',
		  'every item of 1.0.1 is verified, attested or not applicable');

SET modelgov.clock = '2024-03-04 11:00:00+00';
SET ROLE mg_rl_alice;
SELECT lives_ok($$SELECT modelgov.release('1.0.1')$$, 'alice, a member without duties, releases 1.0.1');
RESET ROLE;
SELECT results_eq(
	$$SELECT version::text, released_at, released_by, released_by_identity, jsonb_array_length(checklist)
		FROM modelgov.releases$$,
	$$VALUES ('1.0.1', '2024-03-04 11:00:00+00'::timestamptz, 'mg_rl_alice', 'alice@company.com', 11)$$,
	'releases records the version, the time, who released it and the checklist');
SELECT is((SELECT r.checklist -> 0 FROM modelgov.releases r),
		  '{"item": "tests_pass", "state": "attested", "evidence": "CI run 4417 after the flaky test fix (attested by carol@company.com at 2024-03-04T10:00:00Z)"}'::jsonb,
		  'the checklist is kept as it stood at the release');
SELECT is(pg_temp.last_event(), 'released|mg_rl_alice|1.0.1|released', 'the release is audited');
SELECT is((SELECT a.details -> 'checklist' FROM modelgov.audit_log a ORDER BY a.seq DESC LIMIT 1),
		  (SELECT r.checklist FROM modelgov.releases r), 'the audit entry of the release holds the checklist');
SELECT is((SELECT r.audit_seq FROM modelgov.releases r), (SELECT max(a.seq) FROM modelgov.audit_log a),
		  'the release row points at its audit entry');
SET ROLE mg_rl_bob;
SELECT is(pg_temp.error_of($$SELECT modelgov.release('1.0.1')$$),
		  '55000 version 1.0.1 is already released | alice@company.com released it at 2024-03-04T11:00:00Z.',
		  'releasing twice is refused (55000)');
SELECT lives_ok($$SELECT modelgov.attest('1.0.1', 'release_notes_published', 'https://wiki.company.com/model/1.0.1#v2')$$,
				'attesting after the release is allowed (a correction)');
RESET ROLE;
SELECT is(pg_temp.item('1.0.1', 'release_notes_published'),
		  'attested | https://wiki.company.com/model/1.0.1#v2 (attested by bob@company.com at 2024-03-04T11:00:00Z)',
		  'the checklist shows the correction');
SELECT is((SELECT r.checklist -> 10 ->> 'evidence' FROM modelgov.releases r),
		  'https://wiki.company.com/model/1.0.1 (attested by diana@company.com at 2024-03-04T10:00:00Z)',
		  'the release keeps the checklist as it stood when it was released');
SET ROLE mg_rl_bob;
SELECT throws_ok($$SELECT modelgov.release('9.9.9')$$, '42704', 'version 9.9.9 of model "default" does not exist',
				 'releasing an unknown version (42704)');
SELECT throws_ok($$SELECT modelgov.release(NULL)$$, '22004', 'version must not be null', 'releasing NULL (22004)');
RESET ROLE;

------------------------------------------------------------------------------
-- 5. Rollback on 2024-03-08
------------------------------------------------------------------------------
SET modelgov.clock = '2024-03-08 06:45:00+00';
SET ROLE mg_rl_ops;
SELECT is(modelgov.rollback('Escalate rate increased to 15% (expected 8%)')::text, '1.0.0',
		  'ops rolls back to 1.0.0');
RESET ROLE;
SELECT is(pg_temp.support('1.0.0'), 'current | - | -', 'after the rollback 1.0.0 is current again');
SELECT is(pg_temp.support('1.0.1'), 'unsupported | - | -',
		  'after the rollback 1.0.1, rolled back from, is unsupported (not in maintenance)');
SELECT is(pg_temp.support('1.0.0', '2024-03-30 00:00:00+00'), 'current | - | -',
		  '2024-03-30 after the rollback: 1.0.0 is current');
SELECT is(pg_temp.support('1.0.1', '2024-03-30 00:00:00+00'), 'unsupported | - | -',
		  '2024-03-30 after the rollback: 1.0.1 is unsupported');
SELECT is(pg_temp.support('1.0.1', '2024-03-08 06:44:59+00'), 'current | - | -',
		  'the history is kept: a second before the rollback 1.0.1 was current');
SELECT is(pg_temp.support('1.0.0', '2024-03-02 00:00:00+00'), 'unsupported | - | -',
		  'the history is kept: on 2024-03-02 1.0.0 was unsupported (replaced by the PATCH 1.0.1)');
SELECT is(pg_temp.item('1.0.1', 'tagged'), 'verified | version 1.0.1, first in production at 2024-03-01T00:00:00Z',
		  'a rollback does not untag 1.0.1');

SELECT is(modelgov.changelog(),
'# Changelog

## [1.0.1] - 2024-03-01
### Changed
- Monthly threshold optimization (ROC/Youden)
- threshold_auto: 0.15 → 0.18
- threshold_escalate: 0.50 → 0.48

### Metrics
- Youden index improved by 0.032
- Auto-resolve accuracy: 95.1%

### Rolled back
- 2024-03-08: rolled back to 1.0.0 (Escalate rate increased to 15% (expected 8%))

## [1.0.0] - 2024-01-15
### Added
- Initial version
', 'the changelog of the seed''s story, exactly');
-- since => : an untyped literal in the first place is a model's name
-- (changelog(model, since) of 0.2.0), see the end of this section
SELECT is(modelgov.changelog(since => '1.0.0'),
		  replace(modelgov.changelog(), E'\n\n## [1.0.0] - 2024-01-15\n### Added\n- Initial version\n', E'\n'),
		  'changelog(since => 1.0.0) leaves out 1.0.0 and keeps what is newer');
SELECT is(modelgov.changelog(since => '1.0.1'), E'# Changelog\n', 'changelog(since => 1.0.1): nothing newer');
SELECT is(modelgov.changelog(since => '0.1.0'), modelgov.changelog(), 'since need not be a version that exists');
SELECT is(modelgov.changelog('1.0.1'::modelgov.semver), E'# Changelog\n', 'the 0.1.0 form with a typed version');
SELECT is(pg_temp.error_of($$SELECT modelgov.changelog('1.0.1')$$),
		  '42704 model "1.0.1" does not exist | 1.0.1 is a version; since modelgov 0.2.0 the calls that start from a model take its name first: name the model before the version (''default'', ''1.0.1''), or type the version in a call without a model (''1.0.1''::modelgov.semver).',
		  'an untyped version alone reads as a model name since 0.2.0 (42704), and the detail shows both ways to write the call');

------------------------------------------------------------------------------
-- 6. Three more versions: a feature addition (1.1.0), a bug fix (1.1.1)
--    and a MAJOR feature removal (2.0.0)
------------------------------------------------------------------------------
SELECT is(pg_temp.ship('feature_addition', 'Add feature f5 (account age)',
		  '{"features": [{"name": "f1"}, {"name": "f2"}, {"name": "f3"}, {"name": "f4"}, {"name": "f5", "default": 0.0}],
			"weights": [0.30, 0.30, 0.20, 0.20, 0.05]}',
		  '{"expected_auto_resolve_rate": 0.12, "sample_size": 2500}', '2024-04-01 00:00:00+00'),
		  '1.1.0', 'a feature addition, 1.1.0, reaches production on 2024-04-01');
SELECT is(pg_temp.support('1.1.0'), 'current | - | -', '1.1.0 is current');
SELECT is(pg_temp.support('1.0.0'), 'maintenance | 2024-04-29 00:00:00 | 2024-05-27 00:00:00',
		  '1.0.0, which 1.1.0 replaced, is in maintenance again, from 1.1.0''s deployment');
SELECT is(pg_temp.support('1.0.1'), 'unsupported | - | -', '1.0.1 stays unsupported');
SELECT is(pg_temp.item('1.1.0', 'migration_guide'), 'not_applicable | not a major version: 1.1.0 keeps major version 1 of 1.0.0',
		  'a MINOR version needs no migration guide');

SELECT is(pg_temp.ship('bug_fix', 'Fix rounding of calibrated scores', '{}', '{"sample_size": 2000}',
					   '2024-04-10 00:00:00+00'),
		  '1.1.1', 'a bug fix without a configuration change, 1.1.1, reaches production on 2024-04-10');
SELECT is(pg_temp.support('1.1.0'), 'unsupported | - | -',
		  'after the PATCH 1.1.1, 1.1.0 (its drop-in predecessor) is unsupported');
SELECT is(pg_temp.support('1.0.0'), 'maintenance | 2024-04-29 00:00:00 | 2024-05-27 00:00:00',
		  'after 1.1.1, the window the MINOR 1.1.0 opened for 1.0.0 carries on');
-- weeks are 7 x 24 hours: a DST change in the session's time zone moves nothing
SET LOCAL TimeZone = 'Australia/Sydney';
SELECT is((SELECT s.maintenance_until FROM modelgov.support_status('1.0.0') s), '2024-04-29 00:00:00+00'::timestamptz,
		  'the windows do not depend on the session TimeZone (Sydney leaves DST on 2024-04-07)');
RESET TimeZone;
SELECT is(pg_temp.support('1.0.0', '2024-04-09 23:59:59+00'), 'maintenance | 2024-04-29 00:00:00 | 2024-05-27 00:00:00',
		  'a second before 1.1.1, 1.0.0 was still in maintenance');

SELECT is(pg_temp.ship('feature_removal', 'Remove feature f5 (account age)',
		  '{"features": [{"name": "f1"}, {"name": "f2"}, {"name": "f3"}, {"name": "f4"}], "weights": [0.30, 0.30, 0.20, 0.20]}',
		  '{"sample_size": 3000}', '2024-05-01 00:00:00+00'),
		  '2.0.0', 'a feature removal, MAJOR version 2.0.0, reaches production on 2024-05-01');
SELECT is(pg_temp.states('2.0.0'),
		  'tests_pass=missing, code_reviewed=missing, documentation_updated=missing, changelog_updated=missing, breaking_changes_marked=missing, migration_guide=missing, performance_benchmarks=missing, committee_approved=verified, tagged=verified, audit_entry=verified, release_notes_published=missing',
		  'a MAJOR version must attest breaking_changes_marked and migration_guide');
SET modelgov.clock = '2024-05-02 09:00:00+00';
SET ROLE mg_rl_eve;
SELECT is(pg_temp.error_of($$SELECT modelgov.release('2.0.0')$$),
		  '55000 cannot release version 2.0.0: the release checklist is incomplete | These checklist items are missing: tests_pass, code_reviewed, documentation_updated, changelog_updated, breaking_changes_marked, migration_guide, performance_benchmarks, release_notes_published.',
		  'release of 2.0.0 names every missing item, the MAJOR ones included (55000)');
SELECT throws_ok($$SELECT modelgov.attest('1.1.0', 'migration_guide', 'none needed')$$,
				 '22023', 'release checklist item "migration_guide" does not apply to version 1.1.0',
				 'migration_guide of a MINOR version is refused (22023)');
SELECT throws_ok($$SELECT modelgov.attest('1.0.0', 'breaking_changes_marked', 'none')$$,
				 '22023', 'release checklist item "breaking_changes_marked" does not apply to version 1.0.0',
				 'breaking_changes_marked of the initial version is refused (22023)');
SELECT lives_ok($$SELECT modelgov.attest('2.0.0', 'breaking_changes_marked', 'Release notes open with the removal of f5')$$,
				'eve attests breaking_changes_marked for 2.0.0');
SELECT lives_ok($$SELECT modelgov.attest('2.0.0', 'migration_guide', 'docs/migrations/2.0.0.md')$$,
				'eve attests migration_guide for 2.0.0');
RESET ROLE;
SELECT is(pg_temp.item('2.0.0', 'migration_guide'),
		  'attested | docs/migrations/2.0.0.md (attested by eve@company.com at 2024-05-02T09:00:00Z)',
		  'migration_guide of 2.0.0 is attested');
SELECT is(pg_temp.support('1.1.1'), 'maintenance | 2024-05-29 00:00:00 | 2024-06-26 00:00:00',
		  'after 2.0.0, 1.1.1 is in maintenance');
SELECT is(pg_temp.support('1.1.0'), 'unsupported | - | -', 'after 2.0.0, 1.1.0 is unsupported');

SELECT is(modelgov.changelog(),
'# Changelog

## [2.0.0] - 2024-05-01
### ⚠ Breaking changes
- Not backward compatible with 1.1.1
- Migration guide: docs/migrations/2.0.0.md

### Removed
- Remove feature f5 (account age)
- features: [{"name": "f1"}, {"name": "f2"}, {"name": "f3"}, {"name": "f4"}, {"name": "f5", "default": 0.0}] → [{"name": "f1"}, {"name": "f2"}, {"name": "f3"}, {"name": "f4"}]
- weights: [0.30, 0.30, 0.20, 0.20, 0.05] → [0.30, 0.30, 0.20, 0.20]

## [1.1.1] - 2024-04-10
### Fixed
- Fix rounding of calibrated scores

## [1.1.0] - 2024-04-01
### Added
- Add feature f5 (account age)
- features: [{"name": "f1"}, {"name": "f2"}, {"name": "f3"}, {"name": "f4"}] → [{"name": "f1"}, {"name": "f2"}, {"name": "f3"}, {"name": "f4"}, {"name": "f5", "default": 0.0}]
- weights: [0.30, 0.30, 0.20, 0.20] → [0.30, 0.30, 0.20, 0.20, 0.05]

## [1.0.1] - 2024-03-01
### Changed
- Monthly threshold optimization (ROC/Youden)
- threshold_auto: 0.15 → 0.18
- threshold_escalate: 0.50 → 0.48

### Metrics
- Youden index improved by 0.032
- Auto-resolve accuracy: 95.1%

### Rolled back
- 2024-03-08: rolled back to 1.0.0 (Escalate rate increased to 15% (expected 8%))

## [1.0.0] - 2024-01-15
### Added
- Initial version
', 'the whole changelog, exactly: Breaking changes, Removed, Fixed, Added, Changed, Metrics, Rolled back');
SELECT is(modelgov.changelog(since => '1.1.0'),
'# Changelog

## [2.0.0] - 2024-05-01
### ⚠ Breaking changes
- Not backward compatible with 1.1.1
- Migration guide: docs/migrations/2.0.0.md

### Removed
- Remove feature f5 (account age)
- features: [{"name": "f1"}, {"name": "f2"}, {"name": "f3"}, {"name": "f4"}, {"name": "f5", "default": 0.0}] → [{"name": "f1"}, {"name": "f2"}, {"name": "f3"}, {"name": "f4"}]
- weights: [0.30, 0.30, 0.20, 0.20, 0.05] → [0.30, 0.30, 0.20, 0.20]

## [1.1.1] - 2024-04-10
### Fixed
- Fix rounding of calibrated scores
', 'changelog(since => 1.1.0): the two newer versions');
CREATE TEMP TABLE utc_changelog AS SELECT modelgov.changelog() AS md;
SET LOCAL TimeZone = 'America/Los_Angeles';
SET LOCAL DateStyle = 'SQL, DMY';
SELECT is(modelgov.changelog(), (SELECT u.md FROM utc_changelog u),
		  'the changelog does not depend on the session TimeZone (UTC-8: 2024-03-01 00:00 UTC is 29 February there) or DateStyle');
SELECT is(pg_temp.item('1.0.1', 'performance_benchmarks'),
		  'verified | latency_p99_ms below the target of 100 ms (latency_p99_max_ms): 42 on 2024-03-01',
		  'checklist days do not depend on DateStyle');
RESET TimeZone;
RESET DateStyle;
SET ROLE mg_rl_zed;
SELECT lives_ok($$SELECT modelgov.changelog(), modelgov.support_status('1.0.0'), modelgov.release_checklist('1.0.1'),
						 modelgov.changelog('default'), modelgov.support_status('default', '1.0.0', NULL),
						 modelgov.release_checklist('default', '1.0.1')$$,
				'anybody with USAGE reads the changelog, support windows and checklists, in both forms');
RESET ROLE;

------------------------------------------------------------------------------
-- 7. The named forms of 0.2.0: the model first, the same answers
------------------------------------------------------------------------------
SELECT is(modelgov.changelog('default'), modelgov.changelog(), 'changelog(model) is changelog() of the one model');
SELECT is(modelgov.changelog('default', '1.1.0'), modelgov.changelog(since => '1.1.0'), 'changelog(model, since)');
SELECT results_eq($$SELECT * FROM modelgov.release_checklist('default', '2.0.0')$$,
				  $$SELECT * FROM modelgov.release_checklist('2.0.0'::modelgov.semver)$$,
				  'release_checklist(model, version)');
SELECT results_eq($$SELECT * FROM modelgov.support_status('default', '1.1.1', '2024-05-02 09:00:00+00')$$,
				  $$SELECT * FROM modelgov.support_status('1.1.1'::modelgov.semver, '2024-05-02 09:00:00+00')$$,
				  'support_status(model, version, at)');
SET ROLE mg_rl_eve;
SELECT lives_ok($$SELECT modelgov.attest('default', '2.0.0', 'tests_pass', 'CI run 5120')$$,
				'eve attests tests_pass for 2.0.0 with attest(model, version, item, evidence)');
SELECT throws_ok($$SELECT modelgov.attest('default', '9.9.9', 'tests_pass', 'x')$$, '42704',
				 'version 9.9.9 of model "default" does not exist', 'attest(model, ...) of an unknown version (42704)');
SELECT throws_ok($$SELECT modelgov.release('nope', '2.0.0')$$, '42704', 'model "nope" does not exist',
				 'release(model, version) of an unknown model (42704)');
SELECT is(pg_temp.error_of($$SELECT modelgov.release('default', '2.0.0')$$),
		  '55000 cannot release version 2.0.0: the release checklist is incomplete | These checklist items are missing: code_reviewed, documentation_updated, changelog_updated, performance_benchmarks, release_notes_published.',
		  'release(model, version) checks the checklist: tests_pass is attested now (55000)');
RESET ROLE;
SELECT is(pg_temp.item('2.0.0', 'tests_pass'),
		  'attested | CI run 5120 (attested by eve@company.com at 2024-05-02T09:00:00Z)',
		  'the named attestation is the model''s');
SELECT is((SELECT ok FROM modelgov.verify_audit_log()), true, 'the audit chain still verifies');

-- release history is append-only, also for the owner
RESET ROLE;
SELECT throws_ok($$UPDATE modelgov.releases SET released_by = 'someone else'$$, '42501',
				 'modelgov.releases is append-only', 'releases refuse UPDATE');
SELECT throws_ok($$DELETE FROM modelgov.release_attestations$$, '42501',
				 'modelgov.release_attestations is append-only', 'release attestations refuse DELETE');
SET LOCAL session_replication_role = replica;
SELECT throws_ok($$DELETE FROM modelgov.releases$$, '42501',
				 'modelgov.releases is append-only', 'also under session_replication_role = replica');
RESET session_replication_role;

SELECT * FROM finish();
ROLLBACK;
