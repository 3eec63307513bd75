--
-- hardening.sql
--		Items of the hardening issue that need no concurrency: identities
--		normalized, Unicode spaces are blank, texts written into the record
--		have a limit, the rollback trigger at exactly 2 sigma, the bound on
--		the compiled versions a backend keeps.  (The digest with NULLs and a z that is not finite are
--		in edge_cases.sql; a smoke test of a version staging no longer runs
--		in governance.sql; two rollbacks at once in rollback_race.spec.)
--
BEGIN;
\ir helpers.psql
SELECT plan(19);

SET LOCAL modelgov.clock = '2024-01-15 00:00:00+00';
CREATE ROLE mg_hd_alice;
CREATE ROLE mg_hd_alice2;
CREATE ROLE mg_hd_alice3;
SELECT modelgov.init_model('{"weights": [0.3, 0.3, 0.2, 0.2], "thresholds": {"auto": 0.15, "escalate": 0.5}}');

-- identities: one person, one identity
SELECT lives_ok($$SELECT modelgov.add_member('mg_hd_alice', 'Alice@Company.com')$$, 'a member with a mixed-case identity');
SELECT is((SELECT identity FROM modelgov.members WHERE role_name = 'mg_hd_alice'), 'alice@company.com',
		  'identities are stored in lower case');
SELECT is(pg_temp.error_of($$SELECT modelgov.add_member('mg_hd_alice2', 'ALICE@company.com')$$),
		  '23505 identity "alice@company.com" already belongs to another member | ',
		  'the same address in other case is the same identity (23505)');
SELECT is(pg_temp.error_of(format('SELECT modelgov.add_member(%L, %L)', 'mg_hd_alice3', E'alice@company.com\u200b')),
		  '22023 invalid identity "' || E'alice@company.com\u200b' || '" | An identity is an e-mail address of at most 254 characters, such as alice@company.com, without spaces, control or format characters.',
		  'a zero-width space makes no new identity (22023)');
SELECT is(pg_temp.error_of(format('SELECT modelgov.add_member(%L, %L)', 'mg_hd_alice3', E'ali\u00adce@company.com')),
		  '22023 invalid identity "' || E'ali\u00adce@company.com' || '" | An identity is an e-mail address of at most 254 characters, such as alice@company.com, without spaces, control or format characters.',
		  'nor does a soft hyphen (22023)');
SELECT is((SELECT count(*) FROM modelgov.members WHERE role_name LIKE 'mg_hd_alice_'), 0::bigint,
		  'the refused calls added nobody');

-- blank means blank, Unicode's spaces included
SELECT ok(modelgov_internal.is_blank(E'\u00a0\u2003\u200b\u3000\ufeff \t'), 'Unicode spaces are blank');
SELECT ok(NOT modelgov_internal.is_blank(E'\u00a0x'), 'a letter is not');
SELECT throws_ok(format('SELECT modelgov_internal.rollback(%L, NULL, %L)', E'\u00a0\u2003', 'x'),
				 '22004', 'a rollback needs a reason',
				 'a reason of no-break and em spaces is no reason (22004)');

-- texts written into the record have a limit
SELECT throws_ok($$SELECT modelgov_internal.rollback(repeat('x', 10001), NULL, 'x')$$,
				 '54000', 'reason is too long', 'a reason of 10,001 characters is refused (54000)');
SELECT modelgov.add_member(current_user::regrole, 'admin@company.com');
SELECT is(pg_temp.error_of($$SELECT modelgov.propose('threshold_change', repeat('d', 10001), '{"threshold_auto": 0.16}')$$),
		  '54000 description is too long | It has 10001 characters; at most 10000 are allowed.',
		  'a description of 10,001 characters is refused (54000)');
SELECT is(pg_temp.error_of($$SELECT modelgov.propose('threshold_change', 'x', '{"threshold_auto": 0.16}', NULL,
														repeat('r', 10001))$$),
		  '54000 rollback_plan is too long | It has 10001 characters; at most 10000 are allowed.',
		  'a rollback plan of 10,001 characters is refused (54000)');
SELECT is(pg_temp.error_of($$SELECT modelgov.propose('threshold_change', repeat('d', 10000), '{"threshold_auto": 0.16}')$$),
		  'no error', 'a description of exactly 10,000 characters is accepted');
SELECT is((SELECT length(description) FROM modelgov.proposals), 10000, 'and stored whole');

-- the rollback trigger at exactly 2 sigma: correct_auto's history before
-- 1.0.1 is 0.5, 0.75, 1.0 (mean 0.75, sample sigma 0.25, all exact in
-- binary); 0.25 is exactly 2 sigma below and passes, 0.2421875 is below
-- that and triggers
INSERT INTO modelgov.daily_metrics (version, day, revision, metrics, recorded_at, recorded_by)
SELECT '1.0.0', d, 1, jsonb_build_object('decisions', 100, 'auto', 10, 'escalate', 10, 'errors', 0,
										 'correct_auto', c), now(), 'test'
  FROM (VALUES ('2024-01-15'::date, 0.5), ('2024-01-16', 0.75), ('2024-01-17', 1.0)) AS x(d, c);
SET LOCAL modelgov.clock = '2024-01-18 00:00:00+00';
INSERT INTO modelgov.versions (version, config, created_at, status)
SELECT '1.0.1', v.config, now(), 'approved' FROM modelgov.versions v WHERE v.version::text = '1.0.0';
SELECT modelgov_internal.promote(v, 'deploy', NULL, 'test', 'test', '{}') FROM modelgov.versions v
 WHERE v.version::text = '1.0.1';
INSERT INTO modelgov.daily_metrics (version, day, revision, metrics, recorded_at, recorded_by)
SELECT '1.0.1', d, 1, jsonb_build_object('decisions', 100, 'auto', 10, 'escalate', 10, 'errors', 0,
										 'correct_auto', c), now(), 'test'
  FROM (VALUES ('2024-01-18'::date, 0.25), ('2024-01-19', 0.2421875)) AS x(d, c);
SET LOCAL modelgov.clock = '2024-01-19 23:00:00+00';
CREATE TEMP TABLE mon ON COMMIT DROP AS SELECT * FROM modelgov.monitor();
SELECT results_eq(
	$$SELECT day::text, observed, expected, passed FROM mon WHERE check_name = 'trigger:correct_auto' ORDER BY day$$,
	$$VALUES ('2024-01-18', 0.25::float8, 'within 2 sigma (0.2500) of 0.7500', true),
			 ('2024-01-19', 0.2421875::float8, 'within 2 sigma (0.2500) of 0.7500', false)$$,
	'exactly 2 sigma from the mean passes the rollback trigger; beyond it fails');
-- a backend keeps at most modelgov.max_cached_versions compiled versions,
-- the least recently used evicted, never the active one; an evicted one
-- compiles again when it is used
INSERT INTO modelgov.versions (version, config, created_at, status)
SELECT '2.0.' || i, jsonb_set(v.config, '{weights,0}', to_jsonb(i / 10.0)), now(), 'approved'
  FROM modelgov.versions v, generate_series(1, 4) i WHERE v.version::text = '1.0.0';
SET LOCAL modelgov.max_cached_versions = 2;
SELECT is(modelgov.score(ARRAY[1, 0, 0, 0]::float8[]), 0.3::float8, 'the active version scores');
SELECT results_eq(
	$$SELECT modelgov.score(('2.0.' || i)::modelgov.semver, ARRAY[1, 0, 0, 0]::float8[]) FROM generate_series(1, 4) i$$,
	$$VALUES (0.1::float8), (0.2), (0.3), (0.4)$$,
	'four more versions score, each with its own weights');
SELECT results_eq(
	$$SELECT compiled_versions, evictions > 0, active_version FROM modelgov.cache_stats()$$,
	$$VALUES (2, true, '1.0.1'::text)$$,
	'two compiled versions are kept, the active one among them');
SELECT is(modelgov.score('2.0.1', ARRAY[1, 0, 0, 0]::float8[]), 0.1::float8,
		  'an evicted version compiles again when it is used');
SELECT * FROM finish();
ROLLBACK;
