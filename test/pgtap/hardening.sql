--
-- hardening.sql
--		Items of the hardening issue that need no concurrency: identities
--		normalized, Unicode spaces are blank, texts written into the record
--		have a limit, the rollback trigger at exactly 2 sigma, the bound on
--		the compiled versions a backend keeps, the committee as it is at the
--		final approval, the actor who is not the caller (also for the
--		administration of duties and models), a stale membership that counts
--		for no model's committee.  (The digest with NULLs and a z that is not
--		finite are in edge_cases.sql; a smoke test of a version staging no
--		longer runs in governance.sql; two rollbacks at once in
--		rollback_race.spec.)
--
BEGIN;
\ir helpers.psql
SELECT plan(64);

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
		  '22023 invalid identity "' || E'alice@company.com\u200b' || '" | An identity is an e-mail address of at most 254 characters, such as alice@company.com, without spaces, control or format characters, or "automation" for the one account no person acts through.',
		  'a zero-width space makes no new identity (22023)');
SELECT is(pg_temp.error_of(format('SELECT modelgov.add_member(%L, %L)', 'mg_hd_alice3', E'ali\u00adce@company.com')),
		  '22023 invalid identity "' || E'ali\u00adce@company.com' || '" | An identity is an e-mail address of at most 254 characters, such as alice@company.com, without spaces, control or format characters, or "automation" for the one account no person acts through.',
		  'nor does a soft hyphen (22023)');
SELECT is((SELECT count(*) FROM modelgov.members WHERE role_name LIKE 'mg_hd_alice_'), 0::bigint,
		  'the refused calls added nobody');

-- blank means blank, Unicode's spaces included
SELECT ok(modelgov_internal.is_blank(E'\u00a0\u2003\u200b\u3000\ufeff \t'), 'Unicode spaces are blank');
SELECT ok(NOT modelgov_internal.is_blank(E'\u00a0x'), 'a letter is not');
SELECT throws_ok(format('SELECT modelgov_internal.rollback(%L, %L, NULL, %L)', 'default', E'\u00a0\u2003', 'x'),
				 '22004', 'a rollback needs a reason',
				 'a reason of no-break and em spaces is no reason (22004)');

-- texts written into the record have a limit
SELECT throws_ok($$SELECT modelgov_internal.rollback('default', repeat('x', 10001), NULL, 'x')$$,
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
-- that and triggers (rows of the model "default" that init_model created)
INSERT INTO modelgov.daily_metrics (version, day, revision, metrics, recorded_at, recorded_by, model)
SELECT '1.0.0', d, 1, jsonb_build_object('decisions', 100, 'auto', 10, 'escalate', 10, 'errors', 0,
										 'correct_auto', c), now(), 'test', 'default'
  FROM (VALUES ('2024-01-15'::date, 0.5), ('2024-01-16', 0.75), ('2024-01-17', 1.0)) AS x(d, c);
SET LOCAL modelgov.clock = '2024-01-18 00:00:00+00';
INSERT INTO modelgov.versions (version, config, created_at, status, model)
SELECT '1.0.1', v.config, now(), 'approved', v.model FROM modelgov.versions v WHERE v.version::text = '1.0.0';
SELECT modelgov_internal.promote(v, 'deploy', NULL, 'test', '{}') FROM modelgov.versions v
 WHERE v.version::text = '1.0.1';
INSERT INTO modelgov.daily_metrics (version, day, revision, metrics, recorded_at, recorded_by, model)
SELECT '1.0.1', d, 1, jsonb_build_object('decisions', 100, 'auto', 10, 'escalate', 10, 'errors', 0,
										 'correct_auto', c), now(), 'test', 'default'
  FROM (VALUES ('2024-01-18'::date, 0.25), ('2024-01-19', 0.2421875)) AS x(d, c);
SET LOCAL modelgov.clock = '2024-01-19 23:00:00+00';
CREATE TEMP TABLE mon ON COMMIT DROP AS SELECT * FROM modelgov.monitor();
SELECT results_eq(
	$$SELECT day::text, observed, expected, passed FROM mon WHERE check_name = 'trigger:correct_auto' ORDER BY day$$,
	$$VALUES ('2024-01-18', 0.25::float8, '>= 0.7500 - 2 sigma (0.2500)', true),
			 ('2024-01-19', 0.2421875::float8, '>= 0.7500 - 2 sigma (0.2500)', false)$$,
	'exactly 2 sigma from the mean passes the rollback trigger; beyond it fails');
-- a backend keeps at most modelgov.max_cached_versions compiled versions,
-- the least recently used evicted, never the active one; an evicted one
-- compiles again when it is used
INSERT INTO modelgov.versions (version, config, created_at, status, model)
SELECT '2.0.' || i, jsonb_set(v.config, '{weights,0}', to_jsonb(i / 10.0)), now(), 'approved', v.model
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
SELECT is(modelgov.score('2.0.1'::modelgov.semver, ARRAY[1, 0, 0, 0]::float8[]), 0.1::float8,
		  'an evicted version compiles again when it is used');
-- the committee at the final approval: an approval counts while its member
-- still holds the role, a review while its author is a member
CREATE ROLE mg_hd_bob;
CREATE ROLE mg_hd_carol;
CREATE ROLE mg_hd_dave;
CREATE ROLE mg_hd_lead;
CREATE ROLE mg_hd_pm;
CREATE ROLE mg_hd_pm2;
CREATE ROLE mg_hd_eng;
GRANT USAGE ON SCHEMA modelgov TO mg_hd_bob, mg_hd_carol, mg_hd_dave, mg_hd_lead, mg_hd_pm, mg_hd_pm2, mg_hd_eng;
GRANT EXECUTE ON FUNCTION modelgov.review(text, jsonb, boolean, text),
	modelgov.approve(text, text, timestamptz)
	TO mg_hd_bob, mg_hd_carol, mg_hd_dave, mg_hd_lead, mg_hd_pm, mg_hd_pm2, mg_hd_eng;
SELECT modelgov.add_member('mg_hd_bob', 'bob@company.com');
SELECT modelgov.add_member('mg_hd_carol', 'carol@company.com');
SELECT modelgov.add_member('mg_hd_dave', 'dave@company.com');
SELECT modelgov.add_member('mg_hd_lead', 'lead@company.com', '{model_science_lead}');
SELECT modelgov.add_member('mg_hd_pm', 'pm@company.com', '{product_manager}');
SELECT modelgov.add_member('mg_hd_pm2', 'pm2@company.com', '{product_manager}');
SELECT modelgov.add_member('mg_hd_eng', 'eng@company.com', '{engineering_lead}');
SET client_min_messages = error;	-- propose warns of other open proposals changing the same keys (day_two.sql)
SELECT modelgov.propose('threshold_change', 'committee', '{"threshold_auto": 0.17}', '{"sample_size": 5000}',
						'roll back', 'watch') AS pid1 \gset
RESET client_min_messages;
SET ROLE mg_hd_bob;
SELECT modelgov.review(:'pid1', pg_temp.ck(), true);
SET ROLE mg_hd_carol;
SELECT modelgov.review(:'pid1', pg_temp.ck(), true);
SET ROLE mg_hd_lead;
SELECT modelgov.approve(:'pid1', 'model_science_lead');
SET ROLE mg_hd_pm;
SELECT modelgov.approve(:'pid1', 'product_manager');
RESET ROLE;
SELECT modelgov.remove_member('mg_hd_pm');
SET ROLE mg_hd_eng;
SELECT modelgov.approve(:'pid1', 'engineering_lead');
RESET ROLE;
SELECT is((SELECT status FROM modelgov.proposals WHERE proposal_id = :'pid1'), 'reviewed',
		  'the approval of a removed member does not count: no consensus yet');
SET ROLE mg_hd_pm2;
SELECT lives_ok(format('SELECT modelgov.approve(%L, %L)', :'pid1', 'product_manager'),
				'another product manager may approve in the role the removed member left open');
RESET ROLE;
SELECT results_eq(
	format($$SELECT status, jsonb_array_length(
					(SELECT a.details -> 'approved_by' FROM modelgov.audit_log a
					  WHERE a.event_type = 'approved' AND a.proposal_id = %L))
			   FROM modelgov.proposals WHERE proposal_id = %L$$, :'pid1', :'pid1'),
	$$VALUES ('approved'::text, 3)$$,
	'consensus of the members who hold the roles now; the removed member is not among the approvers');

SELECT modelgov.propose('threshold_change', 'committee again', '{"threshold_escalate": 0.55}',
						'{"sample_size": 5000}', 'roll back', 'watch') AS pid2 \gset
SET ROLE mg_hd_bob;
SELECT modelgov.review(:'pid2', pg_temp.ck(), true);
SET ROLE mg_hd_carol;
SELECT modelgov.review(:'pid2', pg_temp.ck(), true);
SET ROLE mg_hd_lead;
SELECT modelgov.approve(:'pid2', 'model_science_lead');
SET ROLE mg_hd_pm2;
SELECT modelgov.approve(:'pid2', 'product_manager');
RESET ROLE;
SELECT modelgov.remove_member('mg_hd_carol');
SET ROLE mg_hd_eng;
SELECT is(pg_temp.error_of(format('SELECT modelgov.approve(%L, %L)', :'pid2', 'engineering_lead')),
		  format('55000 proposal %s no longer has two reviews by members | A reviewer was removed since reviewing it; reviews count while their author is a member.', :'pid2'),
		  'the final approval is refused when a reviewer was removed (55000)');
SET ROLE mg_hd_dave;
SELECT modelgov.review(:'pid2', pg_temp.ck(), true);
SET ROLE mg_hd_eng;
SELECT lives_ok(format('SELECT modelgov.approve(%L, %L)', :'pid2', 'engineering_lead'),
				'with another member''s review the final approval goes through');
RESET ROLE;
SELECT is((SELECT status FROM modelgov.proposals WHERE proposal_id = :'pid2'), 'approved', 'approved');
-- the actor is the caller: a call acts only when the role whose rights run
-- it is the one it would act for.  bob's SECURITY DEFINER functions run
-- with bob's rights whoever calls them.
GRANT EXECUTE ON FUNCTION modelgov.propose(modelgov.change_type, text, jsonb, jsonb, text, text),
	modelgov.add_member(regrole, text, modelgov.member_role[]),
	modelgov.grant_duty(regrole, text, text),
	modelgov.revoke_duty(regrole, text, text),
	modelgov.create_model(text, jsonb, text),
	modelgov.retire_model(text, text) TO mg_hd_bob;
CREATE SCHEMA mg_hd_evil AUTHORIZATION mg_hd_bob;
GRANT USAGE ON SCHEMA mg_hd_evil TO PUBLIC;
SET ROLE mg_hd_bob;
SET client_min_messages = error;	-- propose warns of other open proposals changing the same keys (day_two.sql)
SELECT modelgov.propose('threshold_change', 'bob''s own', '{"threshold_auto": 0.18}', '{"sample_size": 5000}',
						'roll back', 'watch') AS pid3 \gset
RESET client_min_messages;
CREATE FUNCTION mg_hd_evil.open_proposals() RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog AS $f$
BEGIN
	PERFORM modelgov.approve(p.proposal_id, 'product_manager') FROM modelgov.proposals p
	  WHERE p.proposer = 'mg_hd_bob' AND p.status = 'reviewed';
	RETURN (SELECT count(*) FROM modelgov.proposals p WHERE p.status = 'reviewed');
END $f$;
-- an administrator's calls that bob would like made in his favour: duties
-- for himself (for every model, and for one), a model of his own, the
-- retirement of the model, a duty taken from a colleague
CREATE FUNCTION mg_hd_evil.cleanup() RETURNS void LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog AS $f$
BEGIN
	PERFORM modelgov.grant_duty('mg_hd_bob', 'deployer');
END $f$;
CREATE FUNCTION mg_hd_evil.tidy_duties() RETURNS void LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog AS $f$
BEGIN
	PERFORM modelgov.grant_duty('mg_hd_bob', 'product_manager', 'default');
END $f$;
CREATE FUNCTION mg_hd_evil.tidy_colleague() RETURNS void LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog AS $f$
BEGIN
	PERFORM modelgov.revoke_duty('mg_hd_lead', 'model_science_lead');
END $f$;
CREATE FUNCTION mg_hd_evil.new_model() RETURNS void LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog AS $f$
BEGIN
	PERFORM modelgov.create_model('bobs_model', '{"weights": [1], "thresholds": {"auto": 0.1, "escalate": 0.5}}');
END $f$;
CREATE FUNCTION mg_hd_evil.end_model() RETURNS void LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog AS $f$
BEGIN
	PERFORM modelgov.retire_model('default', 'bob says so');
END $f$;
RESET ROLE;
SET ROLE mg_hd_dave;
SELECT modelgov.review(:'pid3', pg_temp.ck(), true);
SET ROLE mg_hd_eng;
SELECT modelgov.review(:'pid3', pg_temp.ck(), true);
SET ROLE mg_hd_pm2;
SELECT is(pg_temp.error_of('SELECT mg_hd_evil.open_proposals()'),
		  '42501 permission denied to act as role mg_hd_pm2 | This call runs with the rights of role mg_hd_bob '
		  || '(inside a SECURITY DEFINER function, a trigger or a view''s function), not with those of role '
		  || 'mg_hd_pm2, in whose name it would act.',
		  'a member''s SECURITY DEFINER function cannot approve in the name of whoever runs it (42501)');
RESET ROLE;
SELECT is((SELECT count(*) FROM modelgov.approvals WHERE proposal_id = :'pid3'), 0::bigint,
		  'no approval was recorded');
SELECT pg_temp.registry_state() AS registry_before \gset
SELECT throws_ok('SELECT mg_hd_evil.cleanup()', '42501', 'permission denied to act as role ' || session_user,
				 'an administrator who runs a member''s function does not grant that member duties (42501)');
SELECT throws_ok('SELECT mg_hd_evil.tidy_duties()', '42501', 'permission denied to act as role ' || session_user,
				 'nor a duty for one model (42501)');
SELECT throws_ok('SELECT mg_hd_evil.tidy_colleague()', '42501', 'permission denied to act as role ' || session_user,
				 'nor revoke another member''s duty (42501)');
SELECT throws_ok('SELECT mg_hd_evil.new_model()', '42501', 'permission denied to act as role ' || session_user,
				 'nor create a model (42501)');
SELECT throws_ok('SELECT mg_hd_evil.end_model()', '42501', 'permission denied to act as role ' || session_user,
				 'nor retire one (42501)');
SELECT is((SELECT roles FROM modelgov.members WHERE role_name = 'mg_hd_bob'), '{}'::modelgov.member_role[],
		  'bob still holds no duty');
SELECT is(pg_temp.registry_state(), :'registry_before',
		  'the models, the duties and the audit log are as they were');
-- a SECURITY DEFINER trigger function of bob's runs with bob's rights too
SET ROLE mg_hd_bob;
CREATE TABLE mg_hd_evil.inbox (x int);
CREATE FUNCTION mg_hd_evil.on_insert() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog AS $f$
BEGIN
	PERFORM modelgov.approve(p.proposal_id, 'product_manager') FROM modelgov.proposals p
	  WHERE p.proposer = 'mg_hd_bob' AND p.status = 'reviewed';
	RETURN NEW;
END $f$;
CREATE TRIGGER inbox_approve BEFORE INSERT ON mg_hd_evil.inbox FOR EACH ROW EXECUTE FUNCTION mg_hd_evil.on_insert();
GRANT INSERT ON mg_hd_evil.inbox TO mg_hd_pm2;
RESET ROLE;
SET ROLE mg_hd_pm2;
SELECT throws_ok('INSERT INTO mg_hd_evil.inbox VALUES (1)', '42501', 'permission denied to act as role mg_hd_pm2',
				 'nor can a member''s SECURITY DEFINER trigger function (42501)');
SELECT lives_ok(format('SELECT modelgov.approve(%L, %L)', :'pid3', 'product_manager'),
				'the product manager approves, called directly');
RESET ROLE;

-- approved_by names one approval per role: the latest by a member who
-- holds it at the final approval (a duty taken away and given back)
CREATE ROLE mg_hd_pm3;
GRANT USAGE ON SCHEMA modelgov TO mg_hd_pm3;
GRANT EXECUTE ON FUNCTION modelgov.approve(text, text, timestamptz) TO mg_hd_pm3;
SELECT modelgov.add_member('mg_hd_pm3', 'pm3@company.com', '{product_manager}');
SET client_min_messages = error;	-- propose warns of other open proposals changing the same keys (day_two.sql)
SELECT modelgov.propose('threshold_change', 'one per role', '{"threshold_escalate": 0.56}',
						'{"sample_size": 5000}', 'roll back', 'watch') AS pid4 \gset
RESET client_min_messages;
SET ROLE mg_hd_bob;
SELECT modelgov.review(:'pid4', pg_temp.ck(), true);
SET ROLE mg_hd_dave;
SELECT modelgov.review(:'pid4', pg_temp.ck(), true);
SET ROLE mg_hd_pm2;
SELECT modelgov.approve(:'pid4', 'product_manager');
RESET ROLE;
-- add_member no longer replaces an existing member's duties: it refuses
-- (42710), and the duty is revoked and granted again one call at a time
SELECT is(pg_temp.error_of($$SELECT modelgov.add_member('mg_hd_pm2', 'pm2@company.com', '{}')$$),
		  '42710 role mg_hd_pm2 is already a modelgov member | mg_hd_pm2 is a member as pm2@company.com, '
		  || 'with the duties [{"duty": "product_manager", "model": null}].',
		  'add_member refuses an existing member instead of replacing its duties (42710)');
SELECT is(pg_temp.hint_of($$SELECT modelgov.add_member('mg_hd_pm2', 'pm2@company.com', '{}')$$),
		  '42710 Change duties with modelgov.grant_duty() and modelgov.revoke_duty(); add_member never replaces them.',
		  'the refusal points to grant_duty and revoke_duty');
SELECT is((SELECT roles FROM modelgov.members WHERE role_name = 'mg_hd_pm2'), '{product_manager}'::modelgov.member_role[],
		  'the refused add_member left the duties as they were');
SELECT modelgov.revoke_duty('mg_hd_pm2', 'product_manager');
SET LOCAL modelgov.clock = '2024-01-20 00:00:00+00';
SET ROLE mg_hd_pm3;
SELECT modelgov.approve(:'pid4', 'product_manager');
RESET ROLE;
SELECT modelgov.grant_duty('mg_hd_pm2', 'product_manager');
SET ROLE mg_hd_lead;
SELECT modelgov.approve(:'pid4', 'model_science_lead');
SET ROLE mg_hd_eng;
SELECT modelgov.approve(:'pid4', 'engineering_lead');
RESET ROLE;
SELECT is((SELECT a.details -> 'approved_by' FROM modelgov.audit_log a
			WHERE a.event_type = 'approved' AND a.proposal_id = :'pid4'),
		  '["lead@company.com", "pm3@company.com", "eng@company.com"]'::jsonb,
		  'approved_by names the three approvals that count, one per role');

-- a membership belongs to the role, not to its name: a dropped role's
-- membership is not inherited by a new role of the same name
CREATE ROLE mg_hd_leaver;
SELECT modelgov.add_member('mg_hd_leaver', 'leaver@company.com', '{deployer}');
DROP ROLE mg_hd_leaver;
CREATE ROLE mg_hd_leaver;
GRANT USAGE ON SCHEMA modelgov TO mg_hd_leaver;
GRANT EXECUTE ON FUNCTION modelgov.rollback(text, modelgov.semver) TO mg_hd_leaver;
SET ROLE mg_hd_leaver;
SELECT is(pg_temp.error_of($$SELECT modelgov.rollback('take over')$$),
		  '42501 permission denied to roll back | The membership of mg_hd_leaver was given to another role of that name, since dropped.',
		  'a new role with a dropped member''s name has none of its duties (42501)');
RESET ROLE;
SELECT is(pg_temp.error_of($$SELECT modelgov.add_member('mg_hd_leaver', 'newcomer@company.com')$$),
		  '55000 role mg_hd_leaver has a stale membership | The membership of mg_hd_leaver (leaver@company.com) was given to a role of that name that has since been dropped.',
		  'add_member does not hand the stale membership to the new role (55000)');
SELECT results_eq($$SELECT * FROM modelgov.remove_stale_members()$$, $$VALUES ('mg_hd_leaver'::text)$$,
				  'an administrator removes the stale membership; its name is returned');
SELECT is((SELECT count(*) FROM modelgov.members WHERE role_name = 'mg_hd_leaver'), 0::bigint,
		  'the stale membership is gone');
SELECT is((SELECT details ->> 'stale' FROM modelgov.audit_log WHERE event_type = 'member_removed'
			ORDER BY seq DESC LIMIT 1), 'true', 'its removal is audited as stale');
SELECT lives_ok($$SELECT modelgov.add_member('mg_hd_leaver', 'newcomer@company.com')$$,
				'then the new role can be made a member of its own');
REVOKE ALL ON FUNCTION modelgov.rollback(text, modelgov.semver) FROM mg_hd_leaver;
REVOKE ALL ON SCHEMA modelgov FROM mg_hd_leaver;

-- a stale membership counts for no model's committee, neither by the
-- duties it held for every model nor by those it held for one.  gone
-- approves a proposal of each of two models, then its role is dropped
SELECT modelgov.create_model('second', '{"weights": [0.3, 0.3, 0.2, 0.2], "thresholds": {"auto": 0.15, "escalate": 0.5}}')
	AS second_version \gset
CREATE ROLE mg_hd_gone;
GRANT USAGE ON SCHEMA modelgov TO mg_hd_gone;
GRANT EXECUTE ON FUNCTION modelgov.approve(text, text, timestamptz) TO mg_hd_gone;
SELECT modelgov.add_member('mg_hd_gone', 'gone@company.com', '{engineering_lead}');
SELECT modelgov.grant_duty('mg_hd_gone', 'product_manager', 'second');
SELECT results_eq($$SELECT i.model, d.key FROM modelgov.inventory i, jsonb_each(i.duties) d
					 WHERE d.value ? 'mg_hd_gone' ORDER BY 1, 2$$,
				  $$VALUES ('default'::text, 'engineering_lead'::text), ('second', 'engineering_lead'),
						   ('second', 'product_manager')$$,
				  'while its role exists, the inventory lists gone''s duties: one for every model, one for the second');
SET client_min_messages = error;	-- propose warns of other open proposals changing the same keys (day_two.sql)
SELECT modelgov.propose('default', 'threshold_change', 'stale, first model', '{"threshold_auto": 0.12}',
						'{"sample_size": 5000}', 'roll back', 'watch') AS pid5 \gset
SELECT modelgov.propose('second', 'threshold_change', 'stale, second model', '{"threshold_auto": 0.12}',
						'{"sample_size": 5000}', 'roll back', 'watch') AS pid6 \gset
RESET client_min_messages;
SET ROLE mg_hd_bob;
SELECT modelgov.review(:'pid5', pg_temp.ck(), true), modelgov.review(:'pid6', pg_temp.ck(), true);
SET ROLE mg_hd_dave;
SELECT modelgov.review(:'pid5', pg_temp.ck(), true), modelgov.review(:'pid6', pg_temp.ck(), true);
SET ROLE mg_hd_gone;
SELECT modelgov.approve(:'pid5', 'engineering_lead'), modelgov.approve(:'pid6', 'product_manager');
RESET ROLE;
REVOKE ALL ON FUNCTION modelgov.approve(text, text, timestamptz) FROM mg_hd_gone;
REVOKE ALL ON SCHEMA modelgov FROM mg_hd_gone;
DROP ROLE mg_hd_gone;
SET ROLE mg_hd_lead;
SELECT modelgov.approve(:'pid5', 'model_science_lead'), modelgov.approve(:'pid6', 'model_science_lead');
SET ROLE mg_hd_pm2;
SELECT modelgov.approve(:'pid5', 'product_manager');
SET ROLE mg_hd_eng;
SELECT modelgov.approve(:'pid6', 'engineering_lead');
RESET ROLE;
SELECT results_eq(format('SELECT proposal_id, status FROM modelgov.proposals WHERE proposal_id IN (%L, %L) ORDER BY 1',
						 :'pid5', :'pid6'),
				  format('VALUES (%L, %L), (%L, %L)', :'pid5', 'reviewed', :'pid6', 'reviewed'),
				  'an approval by a member whose role was dropped counts for neither model: no consensus yet');
SELECT is_empty($$SELECT i.model, d.key FROM modelgov.inventory i, jsonb_each(i.duties) d
				   WHERE d.value ? 'mg_hd_gone'$$,
				'the inventory lists the stale member among no model''s duty holders');
-- a new role of the same name takes over none of it, for either model
CREATE ROLE mg_hd_gone;
GRANT USAGE ON SCHEMA modelgov TO mg_hd_gone;
GRANT EXECUTE ON FUNCTION modelgov.approve(text, text, timestamptz) TO mg_hd_gone;
SET ROLE mg_hd_gone;
SELECT is(pg_temp.error_of(format('SELECT modelgov.approve(%L, %L)', :'pid5', 'engineering_lead')),
		  '42501 permission denied to approve as engineering_lead | The membership of mg_hd_gone was given to another role of that name, since dropped.',
		  'a new role with the dropped member''s name may not approve in its duty for every model (42501)');
SELECT is(pg_temp.error_of(format('SELECT modelgov.approve(%L, %L)', :'pid6', 'product_manager')),
		  '42501 permission denied to approve as product_manager | The membership of mg_hd_gone was given to another role of that name, since dropped.',
		  'nor in its duty for the second model (42501)');
RESET ROLE;
REVOKE ALL ON FUNCTION modelgov.approve(text, text, timestamptz) FROM mg_hd_gone;
REVOKE ALL ON SCHEMA modelgov FROM mg_hd_gone;
-- the roles the stale member left open are filled by members who hold them
SET ROLE mg_hd_eng;
SELECT lives_ok(format('SELECT modelgov.approve(%L, %L)', :'pid5', 'engineering_lead'),
				'an engineering lead approves the first model''s proposal in the role left open');
SET ROLE mg_hd_pm2;
SELECT lives_ok(format('SELECT modelgov.approve(%L, %L)', :'pid6', 'product_manager'),
				'a product manager approves the second model''s proposal in the role left open');
RESET ROLE;
SELECT results_eq(
	format($$SELECT p.proposal_id, p.model, p.status, a.details -> 'approved_by'
			   FROM modelgov.proposals p JOIN modelgov.audit_log a
				 ON a.event_type = 'approved' AND a.proposal_id = p.proposal_id
			  WHERE p.proposal_id IN (%L, %L) ORDER BY 1$$, :'pid5', :'pid6'),
	format($$VALUES (%L, 'default', 'approved', '["lead@company.com", "pm2@company.com", "eng@company.com"]'::jsonb),
					(%L, 'second', 'approved', '["lead@company.com", "pm2@company.com", "eng@company.com"]'::jsonb)$$,
		   :'pid5', :'pid6'),
	'both proposals are approved by members who hold the roles (in the order of the roles: the clock stood '
	'still); the stale member is among no approvers');

-- the C verification and the SQL definition agree on an entry whose time
-- was made infinite (appends record finite times)
SELECT encode(hash, 'hex') AS h2 FROM modelgov.audit_log WHERE seq = 2 \gset
SELECT encode(hash, 'hex') AS h5 FROM modelgov.audit_log WHERE seq = 5 \gset
SELECT max(seq) AS last_seq FROM modelgov.audit_log \gset
SELECT results_eq(format('SELECT ok, entries, first_bad_seq FROM modelgov.verify_audit_log_since(5, %L)', :'h5'),
				  format('VALUES (true, %s::bigint, NULL::bigint)', :last_seq - 4),
				  'verify_audit_log_since() verifies the entries from the digest''s on');
ALTER TABLE modelgov.audit_log DISABLE TRIGGER audit_log_append_only;
UPDATE modelgov.audit_log SET recorded_at = 'infinity' WHERE seq = 3;
SELECT results_eq($$SELECT ok, first_bad_seq FROM modelgov.verify_audit_log()$$,
				  $$VALUES (false, 3::bigint)$$,
				  'verify_audit_log() reports an entry with an infinite time as altered');
SELECT results_eq(format('SELECT ok, first_bad_seq FROM modelgov.verify_audit_log_since(2, %L)', :'h2'),
				  $$VALUES (false, 3::bigint)$$,
				  'verify_audit_log_since() finds an entry altered after the digest');
SELECT results_eq(format('SELECT ok, first_bad_seq FROM modelgov.verify_audit_log_since(5, %L)', :'h5'),
				  $$VALUES (true, NULL::bigint)$$,
				  'and, as documented, not one before it: that takes the full check');
UPDATE modelgov.audit_log SET details = details || '{"x": 1}' WHERE seq = 6;
SELECT results_eq(format('SELECT ok, first_bad_seq, detail FROM modelgov.verify_audit_log_since(5, %L)', :'h5'),
				  $$VALUES (false, 6::bigint, 'Entry 6 was altered: its content does not match its hash.'::text)$$,
				  'an entry after the digest whose content changed');
SELECT results_eq(format('SELECT ok, first_bad_seq, detail FROM modelgov.verify_audit_log_since(5, %L)', repeat('0', 64)),
				  $$VALUES (false, 5::bigint, 'Entry 5 does not match the digest: the chain was rewritten from there or earlier.'::text)$$,
				  'a digest the entry does not hold');
SELECT results_eq(format('SELECT ok, first_bad_seq FROM modelgov.verify_audit_log_since(%s, %L)', :last_seq + 1, :'h5'),
				  format('VALUES (false, %s::bigint)', :last_seq + 1),
				  'a digest past the end of the log: its entry is missing');
SELECT is(pg_temp.error_of(format('SELECT modelgov.verify_audit_log_since(NULL, %L)', :'h5')),
		  '22004 digest_seq and digest_hash must not be null | ', 'a NULL digest is an error (22004), never a NULL row');
SELECT is(pg_temp.error_of($$SELECT modelgov.verify_audit_log_since(5, 'xyz')$$),
		  '22023 invalid audit digest hash "xyz" | A digest hash is 64 hexadecimal digits, as modelgov.audit_digest() returns it.',
		  'a digest hash that is not 64 hexadecimal digits (22023)');
SELECT is(pg_temp.error_of(format('SELECT modelgov.verify_audit_log_since(0, %L)', :'h5')),
		  '22023 invalid audit digest position 0 | Audit entries are numbered from 1.', 'a position below 1 (22023)');
SELECT * FROM finish();
ROLLBACK;
