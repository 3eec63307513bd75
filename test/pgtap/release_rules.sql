--
-- release_rules.sql
--		The process's rules for support windows and for the release
--		checklist, on dated stories (issue 12, items 5 and 6).
--
--		Support windows: a new MINOR or MAJOR release puts the previous
--		version in maintenance for 4 weeks with a migration path for 8 and
--		leaves older versions unsupported; a PATCH release is a drop-in
--		replacement and opens no window.  Model "seed" replays the
--		process's own example (1.0.1, a PATCH, replacing 1.0.0 on
--		2024-03-01); model "line" has a MINOR release on that day, a PATCH
--		and rollbacks after it.
--
--		The release checklist passes nothing for want of records: the
--		initial version was approved by no committee, benchmarks must meet
--		the latency target, code is reviewed by two members other than the
--		proposer, and a rolled-back version is not released.
--
-- Everything made here is rolled back with the transaction.  Run as a
-- superuser (pg_prove connects as postgres).  modelgov.clock is
-- superuser-only: it is always set with no role set.
--
BEGIN;
\ir helpers.psql
SELECT plan(51);

SET modelgov.clock = '2024-01-15 00:00:00+00';

CREATE ROLE mg_rr_alice NOLOGIN;	-- proposer, no duties
CREATE ROLE mg_rr_bob NOLOGIN;		-- reviewer
CREATE ROLE mg_rr_carol NOLOGIN;	-- reviewer
CREATE ROLE mg_rr_charlie NOLOGIN;	-- model_science_lead
CREATE ROLE mg_rr_diana NOLOGIN;	-- product_manager
CREATE ROLE mg_rr_eve NOLOGIN;		-- engineering_lead
CREATE ROLE mg_rr_ops NOLOGIN;		-- deployer
GRANT USAGE ON SCHEMA modelgov TO mg_rr_alice, mg_rr_bob, mg_rr_carol, mg_rr_charlie, mg_rr_diana,
	mg_rr_eve, mg_rr_ops;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA modelgov TO mg_rr_alice, mg_rr_bob, mg_rr_carol, mg_rr_charlie,
	mg_rr_diana, mg_rr_eve, mg_rr_ops;

-- support_status as one line: status | maintenance_until | migration_until (UTC)
CREATE FUNCTION pg_temp.support(m text, v text, at timestamptz) RETURNS text
	LANGUAGE sql AS $$
	SELECT concat_ws(' | ', s.status,
					 coalesce(to_char(s.maintenance_until AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), '-'),
					 coalesce(to_char(s.migration_until AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), '-'))
	  FROM modelgov.support_status(m, v::modelgov.semver, at) s
$$;
-- one row of a version's checklist: state | evidence
CREATE FUNCTION pg_temp.item(m text, v text, i text) RETURNS text
	LANGUAGE sql AS $$
	SELECT c.state || ' | ' || coalesce(c.evidence, '(null)')
	  FROM modelgov.release_checklist(m, v::modelgov.semver) c WHERE c.item = i
$$;
-- a statement run as a role: pg_temp.attempt's answer
CREATE FUNCTION pg_temp.as_role(r text, q text) RETURNS text
	LANGUAGE plpgsql AS $$
DECLARE
	res text;
BEGIN
	EXECUTE format('SET LOCAL ROLE %I', r);
	res := pg_temp.attempt(q);
	RESET ROLE;
	RETURN res;
END
$$;
-- a change of a model from proposal to production at one time, by the usual cast
CREATE FUNCTION pg_temp.ship(m text, ct modelgov.change_type, description text, new_values jsonb,
							 at timestamptz) RETURNS text
	LANGUAGE plpgsql AS $$
DECLARE
	id text;
	v text;
BEGIN
	RESET ROLE;
	PERFORM set_config('modelgov.clock', at::text, false);
	SET ROLE mg_rr_alice;
	id := modelgov.propose(m, ct, description, new_values, '{"sample_size": 5000}',
						   'Roll back with modelgov.rollback().', 'Daily checks for 7 days.');
	SET ROLE mg_rr_bob;
	PERFORM modelgov.review(id, pg_temp.ck(), true);
	SET ROLE mg_rr_carol;
	PERFORM modelgov.review(id, pg_temp.ck(), true);
	SET ROLE mg_rr_charlie;
	PERFORM modelgov.approve(id, 'model_science_lead');
	SET ROLE mg_rr_diana;
	PERFORM modelgov.approve(id, 'product_manager');
	SET ROLE mg_rr_eve;
	PERFORM modelgov.approve(id, 'engineering_lead');
	SET ROLE mg_rr_ops;
	v := modelgov.deploy(id, 'staging')::text;
	PERFORM modelgov.record_smoke_test(m, v::modelgov.semver, true);
	v := modelgov.deploy(id, 'production')::text;
	RESET ROLE;
	RETURN v;
END
$$;

DO $$
BEGIN
	PERFORM modelgov.add_member('mg_rr_alice', 'alice@company.com');
	PERFORM modelgov.add_member('mg_rr_bob', 'bob@company.com');
	PERFORM modelgov.add_member('mg_rr_carol', 'carol@company.com');
	PERFORM modelgov.add_member('mg_rr_charlie', 'charlie@company.com', '{model_science_lead}');
	PERFORM modelgov.add_member('mg_rr_diana', 'diana@company.com', '{product_manager}');
	PERFORM modelgov.add_member('mg_rr_eve', 'eve@company.com', '{engineering_lead}');
	PERFORM modelgov.add_member('mg_rr_ops', 'automation@company.com', '{deployer}');
	PERFORM modelgov.create_model('seed', '{"version": "1.0.0", "weights": [0.30, 0.30, 0.20, 0.20],
								  "biases": {"default": 0.0}, "thresholds": {"auto": 0.15, "escalate": 0.50}}');
	PERFORM modelgov.create_model('line', '{"version": "1.0.0", "weights": [0.30, 0.30, 0.20, 0.20],
								  "biases": {"default": 0.0}, "thresholds": {"auto": 0.15, "escalate": 0.50}}');
END
$$;

------------------------------------------------------------------------------
-- Item 5. The process's example: 1.0.1, a PATCH, replaces 1.0.0 on 2024-03-01
------------------------------------------------------------------------------
SELECT is(pg_temp.ship('seed', 'threshold_change', 'Monthly threshold optimization (ROC/Youden)',
					   '{"threshold_auto": 0.18, "threshold_escalate": 0.48}', '2024-03-01 00:00:00+00'),
		  '1.0.1', 'seed: the threshold change 1.0.1, a PATCH, reaches production on 2024-03-01');
SELECT is(pg_temp.support('seed', '1.0.0', '2024-02-29 23:59:59+00'), 'current | - | -',
		  'seed: a second before, 1.0.0 is current');
SELECT is(pg_temp.support('seed', '1.0.1', '2024-03-02 00:00:00+00'), 'current | - | -',
		  'seed: 1.0.1 is current (full support)');
SELECT is(pg_temp.support('seed', '1.0.0', '2024-03-02 00:00:00+00'), 'unsupported | - | -',
		  'seed: a PATCH is a drop-in replacement and opens no window: 1.0.0 is unsupported, not in maintenance until 2024-03-28');
SELECT is(pg_temp.support('seed', '1.0.0', '2024-03-01 00:00:00+00'), 'unsupported | - | -',
		  'seed: from the instant 1.0.1 runs');

------------------------------------------------------------------------------
-- Item 5. A MINOR release on the example's day, then a PATCH and rollbacks
------------------------------------------------------------------------------
SELECT is(pg_temp.ship('line', 'weights_update', 'Monthly optimization using logistic regression on Feb data',
					   '{"weights": [0.45, 0.38, 0.22, 0.15]}', '2024-03-01 00:00:00+00'),
		  '1.1.0', 'line: the weights update 1.1.0, a MINOR release, reaches production on 2024-03-01');
SELECT is(pg_temp.support('line', '1.0.0', '2024-03-28 23:59:59+00'), 'maintenance | 2024-03-29 00:00:00 | 2024-04-26 00:00:00',
		  'line: 1.0.0, the previous version, is in maintenance all of 2024-03-28 (the example''s "until 2024-03-28")');
SELECT is(pg_temp.support('line', '1.0.0', '2024-03-29 00:00:00+00'), 'migration | 2024-03-29 00:00:00 | 2024-04-26 00:00:00',
		  'line: then it has a migration path (maintenance ends exclusive)');
SELECT is(pg_temp.support('line', '1.0.0', '2024-04-26 00:00:00+00'), 'unsupported | 2024-03-29 00:00:00 | 2024-04-26 00:00:00',
		  'line: after 8 weeks it is unsupported, its windows still returned');

SELECT is(pg_temp.ship('line', 'bug_fix', 'Fix rounding of calibrated scores', '{}', '2024-03-10 00:00:00+00'),
		  '1.1.1', 'line: the bug fix 1.1.1, a PATCH, reaches production on 2024-03-10');
SELECT is(pg_temp.support('line', '1.1.0', '2024-03-11 00:00:00+00'), 'unsupported | - | -',
		  'line: 1.1.0, replaced by a drop-in PATCH, gets no window: unsupported');
SELECT is(pg_temp.support('line', '1.0.0', '2024-03-11 00:00:00+00'), 'maintenance | 2024-03-29 00:00:00 | 2024-04-26 00:00:00',
		  'line: the window 1.1.0 opened for 1.0.0 carries on across the PATCH');
SET LOCAL TimeZone = 'America/New_York';
SELECT is((SELECT s.maintenance_until FROM modelgov.support_status('line', '1.0.0', '2024-03-11 00:00:00+00') s),
		  '2024-03-29 00:00:00+00'::timestamptz,
		  'line: the window does not depend on the session TimeZone (New York changes to DST on 2024-03-10)');
RESET TimeZone;

SET modelgov.clock = '2024-03-12 00:00:00+00';
SELECT is(pg_temp.as_role('mg_rr_ops', $$SELECT modelgov.rollback('line', 'Rounding fix misbehaves')$$), 'ok:1.1.0',
		  'line: ops rolls back from 1.1.1 to 1.1.0 on 2024-03-12, within the 1.1 line');
SELECT is(pg_temp.support('line', '1.1.0', '2024-03-13 00:00:00+00'), 'current | - | -', 'line: 1.1.0 is current again');
SELECT is(pg_temp.support('line', '1.1.1', '2024-03-13 00:00:00+00'), 'unsupported | - | -',
		  'line: 1.1.1, rolled back from, is unsupported');
SELECT is(pg_temp.support('line', '1.0.0', '2024-03-13 00:00:00+00'), 'maintenance | 2024-03-29 00:00:00 | 2024-04-26 00:00:00',
		  'line: a rollback within the release''s line keeps the window of 1.0.0');

SELECT is(pg_temp.ship('line', 'weights_update', 'April optimization', '{"weights": [0.40, 0.35, 0.20, 0.20]}',
					   '2024-03-20 00:00:00+00'),
		  '1.2.0', 'line: the weights update 1.2.0, MINOR, reaches production on 2024-03-20');
SELECT is(pg_temp.support('line', '1.1.0', '2024-03-21 00:00:00+00'), 'maintenance | 2024-04-17 00:00:00 | 2024-05-15 00:00:00',
		  'line: 1.1.0, which 1.2.0 replaced, is the previous version');
SELECT is(pg_temp.support('line', '1.0.0', '2024-03-21 00:00:00+00'), 'unsupported | - | -',
		  'line: 1.0.0 is an older version now: unsupported, before its earlier window ended');

SET modelgov.clock = '2024-03-22 00:00:00+00';
SELECT is(pg_temp.as_role('mg_rr_ops', $$SELECT modelgov.rollback('line', '1.2.0 escalates too much')$$), 'ok:1.1.0',
		  'line: ops rolls back from 1.2.0 to 1.1.0 on 2024-03-22, out of the 1.2 line');
SELECT is(pg_temp.support('line', '1.1.0', '2024-03-23 00:00:00+00'), 'current | - | -', 'line: 1.1.0 is current');
SELECT is(pg_temp.support('line', '1.2.0', '2024-03-23 00:00:00+00'), 'unsupported | - | -',
		  'line: 1.2.0, rolled back from, is unsupported');
SELECT is(pg_temp.support('line', '1.0.0', '2024-03-23 00:00:00+00'), 'unsupported | - | -',
		  'line: a rollback gives no support back: 1.0.0 stays unsupported');
SELECT is(pg_temp.support('line', '1.1.0', '2024-03-21 00:00:00+00'), 'maintenance | 2024-04-17 00:00:00 | 2024-05-15 00:00:00',
		  'line: the history is kept: on 2024-03-21 1.1.0 was in maintenance');

------------------------------------------------------------------------------
-- Item 6. The initial version: no committee approved it
------------------------------------------------------------------------------
SELECT is(pg_temp.item('seed', '1.0.0', 'committee_approved'),
		  format('not_applicable | the initial version: created by the administrator %s with the model at 2024-01-15T00:00:00Z; no committee approved it',
				 session_user),
		  'committee_approved of the initial version is not_applicable and says no committee approved it, not verified');

------------------------------------------------------------------------------
-- Item 6. Performance benchmarks meet the latency target
------------------------------------------------------------------------------
SET modelgov.clock = '2024-03-03 09:00:00+00';
SELECT is(pg_temp.as_role('mg_rr_ops', $$SELECT modelgov.record_metrics('seed', '1.0.1', '2024-03-01',
		  '{"decisions": 1000, "auto": 120, "ask": 800, "escalate": 80, "errors": 2, "correct_auto": 0.953, "latency_p99_ms": 150}')$$),
		  'ok:', 'seed: the metrics of 2024-03-01, p99 150 ms');
SELECT is(pg_temp.as_role('mg_rr_ops', $$SELECT modelgov.record_metrics('seed', '1.0.1', '2024-03-02',
		  '{"decisions": 1000, "auto": 120, "ask": 800, "escalate": 80, "errors": 1, "correct_auto": 0.951, "latency_p99_ms": 45}')$$),
		  'ok:', 'seed: the metrics of 2024-03-02, p99 45 ms');
SELECT is(pg_temp.item('seed', '1.0.1', 'performance_benchmarks'),
		  'failed | latency_p99_ms not below the target of 100 ms (latency_p99_max_ms): 150 on 2024-03-01',
		  'a recorded p99 above the target does not verify performance_benchmarks: failed, naming the day');
SELECT is(pg_temp.support('seed', '1.0.1', NULL), 'current | - | -', 'seed: 1.0.1 is current');
SELECT lives_ok($$SELECT modelgov.set_monitoring_setting('latency_p99_max_ms', 200)$$,
				'the administrator moves the latency target to 200 ms');
SELECT is(pg_temp.item('seed', '1.0.1', 'performance_benchmarks'),
		  'verified | latency_p99_ms below the target of 200 ms (latency_p99_max_ms): 150 on 2024-03-01, 45 on 2024-03-02',
		  'the target is the monitoring policy''s latency_p99_max_ms');
SELECT lives_ok($$SELECT modelgov.set_monitoring_setting('latency_p99_max_ms', 100)$$, 'and back to the process''s 100 ms');
SELECT is(pg_temp.as_role('mg_rr_ops', $$SELECT modelgov.correct_metrics('seed', '1.0.1', '2024-03-01',
		  '{"decisions": 1000, "auto": 120, "ask": 800, "escalate": 80, "errors": 2, "correct_auto": 0.953, "latency_p99_ms": 100}',
		  'p99 was measured with the cold start')$$),
		  'ok:2', 'seed: 2024-03-01 corrected to p99 100 ms (its second revision)');
SELECT is(pg_temp.item('seed', '1.0.1', 'performance_benchmarks'),
		  'failed | latency_p99_ms not below the target of 100 ms (latency_p99_max_ms): 100 on 2024-03-01',
		  'exactly the target is not below it (p99 < 100ms)');
SELECT is(pg_temp.as_role('mg_rr_ops', $$SELECT modelgov.correct_metrics('seed', '1.0.1', '2024-03-01',
		  '{"decisions": 1000, "auto": 120, "ask": 800, "escalate": 80, "errors": 2, "correct_auto": 0.953, "latency_p99_ms": 62.5}',
		  'p99 of the warm service')$$),
		  'ok:3', 'seed: 2024-03-01 corrected to p99 62.5 ms (its third revision)');
SELECT is(pg_temp.item('seed', '1.0.1', 'performance_benchmarks'),
		  'verified | latency_p99_ms below the target of 100 ms (latency_p99_max_ms): 62.5 on 2024-03-01, 45 on 2024-03-02',
		  'every recorded day meets the target: verified, with each day''s p99');

------------------------------------------------------------------------------
-- Item 6. Code reviewed by 2+ engineers: two members, not the proposer
------------------------------------------------------------------------------
SELECT is(pg_temp.as_role('mg_rr_alice', $$SELECT modelgov.attest('seed', '1.0.1', 'code_reviewed', 'I reviewed my own PR')$$),
		  '42501 permission denied to attest code_reviewed of version 1.0.1',
		  'the proposer may not attest the code review of their own change (42501)');
SELECT is(pg_temp.as_role('mg_rr_bob', $$SELECT modelgov.attest('seed', '1.0.1', 'code_reviewed', 'PR #87 reviewed')$$),
		  'ok:', 'bob attests code_reviewed');
SELECT is(pg_temp.item('seed', '1.0.1', 'code_reviewed'),
		  'missing | PR #87 reviewed (attested by bob@company.com at 2024-03-03T09:00:00Z); a second member other than the proposer must attest it',
		  'one attester is not 2+ engineers: missing');
SELECT is(pg_temp.as_role('mg_rr_bob', $$SELECT modelgov.attest('seed', '1.0.1', 'code_reviewed', 'PR #87 reviewed again')$$),
		  'ok:', 'bob attests code_reviewed a second time');
SELECT is(pg_temp.item('seed', '1.0.1', 'code_reviewed'),
		  'missing | PR #87 reviewed again (attested by bob@company.com at 2024-03-03T09:00:00Z); a second member other than the proposer must attest it',
		  'the same member twice is still one attester: missing');
SELECT is(pg_temp.as_role('mg_rr_carol', $$SELECT modelgov.attest('seed', '1.0.1', 'code_reviewed', 'PR #87 approved')$$),
		  'ok:', 'carol attests code_reviewed');
SELECT is(pg_temp.item('seed', '1.0.1', 'code_reviewed'),
		  'attested | PR #87 reviewed again (attested by bob@company.com at 2024-03-03T09:00:00Z); PR #87 approved (attested by carol@company.com at 2024-03-03T09:00:00Z)',
		  'two members other than the proposer: attested, with each one''s latest evidence');

------------------------------------------------------------------------------
-- Item 6. A rolled-back version is not released; the initial one is
------------------------------------------------------------------------------
SELECT is(pg_temp.as_role('mg_rr_eve',
		$$SELECT count(modelgov.attest('seed', '1.0.1', a.item, a.evidence))
			FROM (VALUES ('tests_pass', 'CI 1'), ('documentation_updated', 'docs'), ('changelog_updated', 'CHANGELOG.md'),
						 ('release_notes_published', 'wiki')) AS a(item, evidence)$$),
		  'ok:4', 'eve attests the other items of seed 1.0.1');
SELECT is((SELECT string_agg(c.item, ', ') FROM modelgov.release_checklist('seed', '1.0.1') c
			WHERE c.state NOT IN ('verified', 'attested', 'not_applicable')),
		  NULL, 'every item of seed 1.0.1 is verified, attested or not applicable');
SET modelgov.clock = '2024-03-08 06:45:00+00';
SELECT is(pg_temp.as_role('mg_rr_ops', $$SELECT modelgov.rollback('seed', 'Escalate rate increased to 15% (expected 8%)')$$),
		  'ok:1.0.0', 'seed: ops rolls back from 1.0.1 to 1.0.0 on 2024-03-08');
SET ROLE mg_rr_eve;
SELECT is(pg_temp.error_of($$SELECT modelgov.release('seed', '1.0.1')$$),
		  '55000 cannot release version 1.0.1: it was rolled back | automation@company.com rolled production back from 1.0.1 to 1.0.0 at 2024-03-08T06:45:00Z: Escalate rate increased to 15% (expected 8%)',
		  'a rolled-back version cannot be released, even with a complete checklist (55000)');
RESET ROLE;
SELECT is(pg_temp.as_role('mg_rr_eve',
		$$SELECT count(modelgov.attest('seed', '1.0.0', a.item, a.evidence))
			FROM (VALUES ('tests_pass', 'CI 0'), ('code_reviewed', 'PR #1 reviewed by eve'), ('documentation_updated', 'docs'),
						 ('changelog_updated', 'CHANGELOG.md'), ('release_notes_published', 'wiki')) AS a(item, evidence)$$)
		  || ' ' || pg_temp.as_role('mg_rr_bob', $$SELECT modelgov.attest('seed', '1.0.0', 'code_reviewed', 'PR #1 reviewed by bob')$$)
		  || ' ' || pg_temp.as_role('mg_rr_ops', $$SELECT modelgov.record_metrics('seed', '1.0.0', '2024-03-08', '{"latency_p99_ms": 40}')$$),
		  'ok:5 ok: ok:', 'seed 1.0.0: the attested items, two code reviewers, a benchmark that meets the target');
SELECT is(pg_temp.as_role('mg_rr_eve', $$SELECT modelgov.release('seed', '1.0.0')$$),
		  'ok:released: seed 1.0.0, active in production',
		  'the initial version is released without a committee (created by the administrator)');
SELECT is((SELECT r.checklist -> 7 FROM modelgov.releases r WHERE r.model = 'seed' AND r.version::text = '1.0.0'),
		  jsonb_build_object('item', 'committee_approved', 'state', 'not_applicable', 'evidence',
							 format('the initial version: created by the administrator %s with the model at 2024-01-15T00:00:00Z; no committee approved it',
									session_user)),
		  'the release records that no committee approved the initial version');

SELECT * FROM finish();
ROLLBACK;
