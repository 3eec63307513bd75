--
-- governance_security.sql
--		Who can do what to the governance data: members with the documented
--		grants (USAGE on the schema, EXECUTE on every function) write only
--		through the functions; non-members can do nothing; modelgov.clock is
--		superuser-only; a hostile search_path (a member's own schema and
--		pg_temp objects shadowing what the functions use) changes nothing
--		the functions do or record; and with several models a duty held for
--		one model is no duty for another.
--
-- The roles, schema and data made here are rolled back with the
-- transaction.  Run as a superuser (pg_prove connects as postgres).
--
BEGIN;
\ir helpers.psql
SELECT plan(160);

CREATE ROLE mg_gs_alice NOLOGIN;	-- model_science_lead, the proposer
CREATE ROLE mg_gs_bob NOLOGIN;		-- model_science_lead
CREATE ROLE mg_gs_carol NOLOGIN;	-- product_manager
CREATE ROLE mg_gs_dave NOLOGIN;		-- engineering_lead
CREATE ROLE mg_gs_frank NOLOGIN;	-- deployer
CREATE ROLE mg_gs_mallory NOLOGIN;	-- the same grants, but not a member
CREATE ROLE mg_gs_plain NOLOGIN;	-- no grants at all
GRANT USAGE ON SCHEMA modelgov TO mg_gs_alice, mg_gs_bob, mg_gs_carol, mg_gs_dave, mg_gs_frank, mg_gs_mallory;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA modelgov
	TO mg_gs_alice, mg_gs_bob, mg_gs_carol, mg_gs_dave, mg_gs_frank, mg_gs_mallory;

------------------------------------------------------------------------------
-- 1. modelgov.clock is superuser-only
------------------------------------------------------------------------------
-- Before this session has loaded the library, modelgov.clock is only a
-- placeholder that anybody may SET; loading the library must discard the
-- value a non-superuser gave it (or the SET is refused outright when the
-- library is already loaded).
SET client_min_messages = error;	-- the discarded placeholder draws a WARNING
SET ROLE mg_gs_mallory;
SELECT pg_temp.error_of($$SET modelgov.clock = '1999-01-01 00:00:00+00'$$) AS placeholder_set \gset
RESET ROLE;
SELECT ok(NOT modelgov.clock_overridden(),
		  'a value a non-superuser gave modelgov.clock before the library was loaded is not used');
RESET client_min_messages;
SELECT ok(modelgov.clock_now() = pg_catalog.now(), 'clock_now() is the transaction time');

SET modelgov.clock = '2024-02-16 10:00:00+00';
SELECT is(modelgov.clock_now(), '2024-02-16 10:00:00+00'::timestamptz, 'the superuser sets modelgov.clock');

SET ROLE mg_gs_alice;
SELECT throws_ok($$SET modelgov.clock = '2030-01-01 00:00:00+00'$$,
				 '42501', 'permission denied to set parameter "modelgov.clock"',
				 'a member may not SET modelgov.clock (42501)');
SELECT throws_ok($$SET LOCAL modelgov.clock = '2030-01-01 00:00:00+00'$$,
				 '42501', 'permission denied to set parameter "modelgov.clock"',
				 'a member may not SET LOCAL modelgov.clock (42501)');
SELECT throws_ok($$SELECT pg_catalog.set_config('modelgov.clock', '2030-01-01 00:00:00+00', true)$$,
				 '42501', 'permission denied to set parameter "modelgov.clock"',
				 'a member may not set_config modelgov.clock (42501)');
SELECT throws_ok($$SELECT pg_catalog.set_config('modelgov.clock', '', true)$$,
				 '42501', 'permission denied to set parameter "modelgov.clock"',
				 'a member may not clear modelgov.clock either (42501)');
SELECT throws_ok($$CREATE FUNCTION pg_temp.time_travel() RETURNS int LANGUAGE sql
				   SET modelgov.clock = '2030-01-01 00:00:00+00' AS 'SELECT 1'$$,
				 '42501', 'permission denied to set parameter "modelgov.clock"',
				 'a member may not attach modelgov.clock to a function (42501)');
SELECT is(modelgov.clock_now(), '2024-02-16 10:00:00+00'::timestamptz,
		  'the member still sees the superuser''s clock');
RESET ROLE;

------------------------------------------------------------------------------
-- Setup: the model, the members, one proposal
------------------------------------------------------------------------------
SELECT is(modelgov.init_model('{"weights": [0.30, 0.30, 0.20, 0.20], "threshold_auto": 0.15,
								"threshold_escalate": 0.50}')::text,
		  '1.0.0', 'init_model creates 1.0.0');
DO $$
BEGIN
	PERFORM modelgov.add_member('mg_gs_alice', 'alice@company.com', '{model_science_lead}');
	PERFORM modelgov.add_member('mg_gs_bob', 'bob@company.com', '{model_science_lead}');
	PERFORM modelgov.add_member('mg_gs_carol', 'carol@company.com', '{product_manager}');
	PERFORM modelgov.add_member('mg_gs_dave', 'dave@company.com', '{engineering_lead}');
	PERFORM modelgov.add_member('mg_gs_frank', 'frank@company.com', '{deployer}');
END
$$;
SET ROLE mg_gs_alice;
SELECT is(modelgov.propose('threshold_change', 'Raise auto', '{"threshold_auto": 0.17}',
						   '{"sample_size": 5000}', 'roll back', 'daily metrics'),
		  'PROP_202402_001', 'a member with the documented grants proposes');
RESET ROLE;

------------------------------------------------------------------------------
-- 2. Members write only through the functions
------------------------------------------------------------------------------
SELECT table_privs_are('modelgov', 'proposals', 'mg_gs_alice', ARRAY['SELECT'],
					   'a member may only SELECT proposals');
SELECT table_privs_are('modelgov', 'versions', 'mg_gs_alice', ARRAY['SELECT'],
					   'a member may only SELECT versions');
SELECT table_privs_are('modelgov', 'environments', 'mg_gs_alice', ARRAY['SELECT'],
					   'a member may only SELECT environments');
SELECT table_privs_are('modelgov', 'audit_log', 'mg_gs_alice', ARRAY['SELECT'],
					   'a member may only SELECT audit_log');
SELECT table_privs_are('modelgov', 'models', 'mg_gs_alice', ARRAY['SELECT'],
					   'a member may only SELECT models');
SELECT table_privs_are('modelgov', 'inventory', 'mg_gs_alice', ARRAY['SELECT'],
					   'a member may only SELECT the inventory');
-- who holds which duty for which model is not for everybody to read, like
-- the members and their identities (the inventory shows the holders)
SELECT table_privs_are('modelgov', 'duties', 'mg_gs_alice', '{}'::text[],
					   'a member may not even SELECT duties');
SELECT table_privs_are('modelgov', 'members', 'mg_gs_alice', '{}'::text[],
					   'a member may not even SELECT members');
SELECT results_eq(
	$$SELECT t, pg_catalog.has_table_privilege('public', ('modelgov.' || t)::regclass, 'SELECT')
		FROM pg_catalog.unnest(ARRAY['models', 'inventory', 'duties', 'members']) AS t$$,
	$$VALUES ('models'::text, true), ('inventory', true), ('duties', false), ('members', false)$$,
	'PUBLIC may read models and the inventory, not duties nor members');
SELECT is_empty(
	$$SELECT c.relname, p.priv
		FROM pg_catalog.pg_class c,
			 pg_catalog.unnest(ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) AS p(priv)
	   WHERE c.relnamespace = 'modelgov'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
		 AND pg_catalog.has_table_privilege('mg_gs_alice', c.oid, p.priv)$$,
	'a member holds no write privilege on any modelgov table or view');
SELECT is_empty(
	$$SELECT c.relname, p.priv
		FROM pg_catalog.pg_class c, pg_catalog.unnest(ARRAY['USAGE', 'UPDATE']) AS p(priv)
	   WHERE c.relnamespace = 'modelgov'::regnamespace AND c.relkind = 'S'
		 AND pg_catalog.has_sequence_privilege('mg_gs_alice', c.oid, p.priv)$$,
	'a member may not use or set any modelgov sequence');
SELECT is((SELECT count(*)::int FROM pg_catalog.pg_class c
			WHERE c.relnamespace = 'modelgov'::regnamespace
			  AND c.relname IN ('proposals', 'reviews', 'approvals', 'versions', 'environments',
								'deployments', 'smoke_tests', 'audit_log', 'members', 'models', 'duties')),
		  11, 'the governance tables the checks above cover exist');

SELECT pg_temp.state() AS st_direct, pg_temp.registry_state() AS reg_direct \gset
SET ROLE mg_gs_alice;
SELECT throws_ok($$INSERT INTO modelgov.proposals (proposal_id, proposed_at, proposer, proposer_identity,
					   change_type, description, base_version, target_version, old_values, new_values, config, status)
				   SELECT 'PROP_202402_999', now(), 'mg_gs_alice', 'alice@company.com', 'bug_fix', 'forged',
						  '1.0.0', '1.0.1', '{}', '{}', config, 'approved'
					 FROM modelgov.versions$$,
				 '42501', 'permission denied for table proposals',
				 'a member may not INSERT into proposals (42501)');
SELECT throws_ok($$INSERT INTO modelgov.versions (version, config, created_at, status)
				   SELECT '1.0.9', config, now(), 'approved' FROM modelgov.versions$$,
				 '42501', 'permission denied for table versions',
				 'a member may not INSERT into versions (42501)');
SELECT throws_ok($$INSERT INTO modelgov.environments VALUES ('staging', '1.0.0', now())$$,
				 '42501', 'permission denied for table environments',
				 'a member may not INSERT into environments (42501)');
SELECT throws_ok($$INSERT INTO modelgov.audit_log (seq, recorded_at, event_type, actor, prev_hash, hash)
				   VALUES (1000, now(), 'forged', 'mg_gs_bob', '\x00', '\x00')$$,
				 '42501', 'permission denied for table audit_log',
				 'a member may not INSERT into audit_log (42501)');
SELECT throws_ok($$UPDATE modelgov.proposals SET status = 'approved'$$,
				 '42501', 'permission denied for table proposals',
				 'a member may not UPDATE proposals (42501)');
SELECT throws_ok($$UPDATE modelgov.versions SET config = '{}'$$,
				 '42501', 'permission denied for table versions',
				 'a member may not UPDATE a frozen configuration (42501)');
SELECT throws_ok($$UPDATE modelgov.environments SET version = '1.0.0'$$,
				 '42501', 'permission denied for table environments',
				 'a member may not UPDATE environments (42501)');
SELECT throws_ok($$DELETE FROM modelgov.audit_log$$,
				 '42501', 'permission denied for table audit_log',
				 'a member may not DELETE from audit_log (42501)');
SELECT throws_ok($$TRUNCATE modelgov.audit_log$$,
				 '42501', 'permission denied for table audit_log',
				 'a member may not TRUNCATE audit_log (42501)');
SELECT throws_ok($$INSERT INTO modelgov.approvals VALUES ('PROP_202402_001', 'product_manager', 'mg_gs_bob',
												 'bob@company.com', now(), NULL)$$,
				 '42501', 'permission denied for table approvals',
				 'a member may not forge an approval (42501)');
SELECT throws_ok($$INSERT INTO modelgov.reviews VALUES ('PROP_202402_001', 'mg_gs_bob', 'bob@company.com',
											   '{}', true, NULL, now())$$,
				 '42501', 'permission denied for table reviews',
				 'a member may not forge a review (42501)');
SELECT throws_ok($$UPDATE modelgov.members SET roles = '{deployer}'$$,
				 '42501', 'permission denied for table members',
				 'a member may not give themselves duties (42501)');
SELECT throws_ok($$INSERT INTO modelgov.duties VALUES ('mg_gs_alice', 'deployer', 'default', now(), 'mg_gs_alice')$$,
				 '42501', 'permission denied for table duties',
				 'a member may not give themselves a duty for one model (42501)');
SELECT throws_ok($$DELETE FROM modelgov.duties$$,
				 '42501', 'permission denied for table duties',
				 'a member may not DELETE from duties (42501)');
SELECT throws_ok($$SELECT count(*) FROM modelgov.duties$$,
				 '42501', 'permission denied for table duties',
				 'a member may not read duties (42501)');
SELECT throws_ok($$INSERT INTO modelgov.models (name, created_at, created_by) VALUES ('mine', now(), 'mg_gs_alice')$$,
				 '42501', 'permission denied for table models',
				 'a member may not INSERT into models (42501)');
SELECT throws_ok($$UPDATE modelgov.models SET retired_at = now(), retired_reason = 'forged'$$,
				 '42501', 'permission denied for table models',
				 'a member may not retire a model by UPDATE (42501)');
SELECT throws_ok($$DELETE FROM modelgov.models$$,
				 '42501', 'permission denied for table models',
				 'a member may not DELETE from models (42501)');
SELECT throws_ok($$SELECT pg_catalog.nextval('modelgov.deployments_id_seq')$$,
				 '42501', 'permission denied for sequence deployments_id_seq',
				 'a member may not advance a modelgov sequence (42501)');
SELECT throws_ok($$CREATE TABLE modelgov.mine (a int)$$,
				 '42501', 'permission denied for schema modelgov',
				 'a member may not create objects in schema modelgov (42501)');
-- EXECUTE on every function does not open the internal helpers
SELECT throws_ok($$SELECT modelgov_internal.audit('forged', model => 'default')$$,
				 '42501', 'permission denied for schema modelgov_internal',
				 'a member calling the internal audit() directly is refused (42501)');
SELECT throws_ok($$SELECT modelgov_internal.rollback('default', 'forged', '1.0.0', 'bob@company.com')$$,
				 '42501', 'permission denied for schema modelgov_internal',
				 'a member calling the internal rollback() directly is refused (42501)');
SELECT throws_ok($$SELECT modelgov_internal.promote(v, 'deploy', NULL, 'forged', '{}')
					 FROM modelgov.versions v$$,
				 '42501', 'permission denied for schema modelgov_internal',
				 'a member calling the internal promote() directly is refused (42501)');
SELECT throws_ok($$SELECT modelgov_internal.proposal_for_update('PROP_202402_001')$$,
				 '42501', 'permission denied for schema modelgov_internal',
				 'a member may not lock proposals through the internal proposal_for_update() (42501)');
SELECT throws_ok($$SELECT modelgov_internal.grant_duty('mg_gs_alice', 'deployer', 'default')$$,
				 '42501', 'permission denied for schema modelgov_internal',
				 'a member calling the body of grant_duty() directly is refused (42501)');
SELECT throws_ok($$SELECT modelgov.add_member('mg_gs_alice', 'alice@company.com', '{deployer}')$$,
				 '42501', 'permission denied to add members',
				 'EXECUTE on add_member does not let a member change duties (42501)');
SELECT throws_ok($$SELECT modelgov.set_bump_policy('weights_update', 'patch')$$,
				 '42501', 'permission denied to set the bump policy',
				 'EXECUTE on set_bump_policy does not let a member change the policy (42501)');
SELECT throws_ok($$SELECT modelgov.init_model('{"weights": [1]}')$$,
				 '42501', 'permission denied to initialize the model',
				 'EXECUTE on init_model does not let a member initialize the model (42501)');
SELECT throws_ok($$SELECT modelgov.grant_duty('mg_gs_alice', 'deployer')$$,
				 '42501', 'permission denied to grant duties',
				 'EXECUTE on grant_duty does not let a member take a duty for every model (42501)');
SELECT throws_ok($$SELECT modelgov.grant_duty('mg_gs_alice', 'deployer', 'default')$$,
				 '42501', 'permission denied to grant duties',
				 'nor for one model (42501)');
SELECT throws_ok($$SELECT modelgov.revoke_duty('mg_gs_bob', 'model_science_lead')$$,
				 '42501', 'permission denied to revoke duties',
				 'EXECUTE on revoke_duty does not let a member take a colleague''s duty away (42501)');
SELECT throws_ok($$SELECT modelgov.create_model('mine', '{"weights": [1], "thresholds": {"auto": 0.1, "escalate": 0.5}}')$$,
				 '42501', 'permission denied to create models',
				 'EXECUTE on create_model does not let a member create a model (42501)');
SELECT throws_ok($$SELECT modelgov.retire_model('default', 'mine now')$$,
				 '42501', 'permission denied to retire models',
				 'EXECUTE on retire_model does not let a member retire a model (42501)');
RESET ROLE;
SELECT is(pg_temp.state(), :'st_direct', 'the refused writes changed nothing');
SELECT is(pg_temp.registry_state(), :'reg_direct', 'nor the models, the duties or the audit log');

------------------------------------------------------------------------------
-- 3. A non-member with the same grants can do nothing
------------------------------------------------------------------------------
SET ROLE mg_gs_mallory;
SELECT throws_ok($$SELECT modelgov.propose('bug_fix', 'x', '{}')$$,
				 '42501', 'permission denied to propose changes', 'a non-member may not propose (42501)');
SELECT throws_ok($$SELECT modelgov.review('PROP_202402_001', pg_temp.ck(), true)$$,
				 '42501', 'permission denied to review proposals', 'a non-member may not review (42501)');
SELECT throws_ok($$SELECT modelgov.approve('PROP_202402_001', 'model_science_lead')$$,
				 '42501', 'permission denied to approve as model_science_lead', 'a non-member may not approve (42501)');
SELECT throws_ok($$SELECT modelgov.reject('PROP_202402_001', 'no')$$,
				 '42501', 'permission denied to reject proposals', 'a non-member may not reject (42501)');
SELECT throws_ok($$SELECT modelgov.withdraw('PROP_202402_001', 'no')$$,
				 '42501', 'permission denied to withdraw proposals', 'a non-member may not withdraw (42501)');
SELECT throws_ok($$SELECT modelgov.deploy('PROP_202402_001', 'staging')$$,
				 '42501', 'permission denied to deploy', 'a non-member may not deploy (42501)');
SELECT throws_ok($$SELECT modelgov.record_smoke_test('1.0.0', true)$$,
				 '42501', 'permission denied to record smoke tests', 'a non-member may not record smoke tests (42501)');
-- (the version typed: two untyped literals would call rollback(model, reason))
SELECT throws_ok($$SELECT modelgov.rollback('no', '1.0.0'::modelgov.semver)$$,
				 '42501', 'permission denied to roll back', 'a non-member may not roll back (42501)');
-- the calls that name the model
SELECT throws_ok($$SELECT modelgov.propose('default', 'bug_fix', 'x', '{}', NULL, NULL, NULL)$$,
				 '42501', 'permission denied to propose changes',
				 'a non-member may not propose for a model by name (42501)');
SELECT throws_ok($$SELECT modelgov.record_smoke_test('default', '1.0.0', true)$$,
				 '42501', 'permission denied to record smoke tests',
				 'nor record a smoke test of a model by name (42501)');
SELECT throws_ok($$SELECT modelgov.rollback('default', 'no', '1.0.0')$$,
				 '42501', 'permission denied to roll back',
				 'nor roll a model back by name (42501)');
SELECT throws_ok($$SELECT modelgov.record_metrics('default', '1.0.0', '2024-02-16', '{"decisions": 10}')$$,
				 '42501', 'permission denied to record metrics',
				 'nor record metrics of a model (42501)');
SELECT throws_ok($$SELECT modelgov.correct_metrics('default', '1.0.0', '2024-02-16', '{"decisions": 10}', 'no')$$,
				 '42501', 'permission denied to correct metrics',
				 'nor correct them (42501)');
SELECT throws_ok($$SELECT * FROM modelgov.monitor('default', true)$$,
				 '42501', 'permission denied to monitor with automatic rollback',
				 'nor monitor a model with automatic rollback (42501)');
SELECT throws_ok($$SELECT modelgov.attest('default', '1.0.0', 'tests_pass', 'trust me')$$,
				 '42501', 'permission denied to attest release checklist items',
				 'nor attest a release checklist item of a model (42501)');
SELECT throws_ok($$SELECT modelgov.release('default', '1.0.0')$$,
				 '42501', 'permission denied to release versions',
				 'nor release a version of a model (42501)');
SELECT throws_ok($$SELECT modelgov.grant_duty('mg_gs_mallory', 'deployer', 'default')$$,
				 '42501', 'permission denied to grant duties', 'a non-member may not grant itself a duty (42501)');
SELECT throws_ok($$SELECT modelgov.create_model('mallory', '{"weights": [1], "thresholds": {"auto": 0.1, "escalate": 0.5}}')$$,
				 '42501', 'permission denied to create models', 'nor create a model (42501)');
SELECT throws_ok($$INSERT INTO modelgov.duties VALUES ('mg_gs_mallory', 'deployer', 'default', now(), 'x')$$,
				 '42501', 'permission denied for table duties', 'nor INSERT into duties (42501)');
-- what everybody may read
SELECT results_eq($$SELECT (SELECT pg_catalog.string_agg(m.name, ',') FROM modelgov.models m),
						   (SELECT pg_catalog.string_agg(i.model || ' ' || i.production_version::text, ',')
							  FROM modelgov.inventory i)$$,
				  $$VALUES ('default'::text, 'default 1.0.0'::text)$$,
				  'a non-member reads the models and the inventory');
SELECT throws_ok($$SELECT modelgov.add_member('mg_gs_mallory', 'mallory@company.com', '{deployer}')$$,
				 '42501', 'permission denied to add members', 'a non-member may not make itself a member (42501)');
SELECT throws_ok($$INSERT INTO modelgov.members VALUES ('mg_gs_mallory', 'mallory@company.com', '{deployer}', now(), 'x')$$,
				 '42501', 'permission denied for table members', 'a non-member may not INSERT into members (42501)');
RESET ROLE;
SET ROLE mg_gs_plain;
SELECT throws_ok($$SELECT modelgov.propose('bug_fix', 'x', '{}')$$,
				 '42501', 'permission denied for function propose',
				 'without the EXECUTE grant the functions are not even callable (42501)');
RESET ROLE;
SELECT is(pg_temp.state(), :'st_direct', 'the non-members changed nothing');
SELECT is(pg_temp.registry_state(), :'reg_direct', 'nor the models, the duties or the audit log');

------------------------------------------------------------------------------
-- 4. A hostile search_path
------------------------------------------------------------------------------
-- alice builds traps in a schema of her own: look-alikes of the clock,
-- now(), current_setting() (claiming to be bob), pg_has_role(), to_char(),
-- lpad(), "=" on text that is always true, "<>" on text and jsonb that are
-- always false, a type named jsonb, and a members table that makes mallory
-- a full member; and in pg_temp a members table, a pg_roles view and
-- functions.
SELECT is_empty(
	$$SELECT p.oid::regprocedure::text FROM pg_catalog.pg_proc p
	   WHERE p.pronamespace IN ('modelgov'::regnamespace, 'modelgov_internal'::regnamespace) AND p.prosecdef
		 AND NOT coalesce(p.proconfig, '{}') @> ARRAY['search_path=pg_catalog, pg_temp']$$,
	'every SECURITY DEFINER function pins search_path to pg_catalog, pg_temp');
SELECT cmp_ok((SELECT count(*)::int FROM pg_catalog.pg_proc p
				WHERE p.pronamespace = 'modelgov_internal'::regnamespace AND p.prosecdef
				  AND EXISTS (SELECT 1 FROM pg_catalog.pg_proc api
							   WHERE api.pronamespace = 'modelgov'::regnamespace AND api.proname = p.proname
								 AND api.proargtypes = p.proargtypes AND api.prosrc = 'mg_governance_call'
								 AND NOT api.prosecdef)), '=', 36,
			  'the 36 governance functions (acknowledge among them) run their SECURITY DEFINER bodies through the actor check');
SELECT is_empty(
	$$SELECT p.oid::regprocedure::text FROM pg_catalog.pg_proc p
	   WHERE p.pronamespace = 'modelgov_internal'::regnamespace AND p.prosecdef
		 AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_proc api
						  WHERE api.pronamespace = 'modelgov'::regnamespace AND api.proname = p.proname
							AND api.proargtypes = p.proargtypes AND api.prosrc = 'mg_governance_call'
							AND NOT api.prosecdef)$$,
	'every SECURITY DEFINER body is reached only through the actor check (grant_duty, create_model and the '
	'calls naming a model among them)');
DO $$
BEGIN
	EXECUTE pg_catalog.format('GRANT CREATE ON DATABASE %I TO mg_gs_alice', pg_catalog.current_database());
END
$$;
SET ROLE mg_gs_alice;
CREATE SCHEMA mg_gs_evil;
GRANT USAGE ON SCHEMA mg_gs_evil TO PUBLIC;
CREATE FUNCTION mg_gs_evil.clock_now() RETURNS timestamptz
	LANGUAGE sql AS $$SELECT '2000-01-01 00:00:00+00'::timestamptz$$;
CREATE FUNCTION mg_gs_evil.now() RETURNS timestamptz
	LANGUAGE sql AS $$SELECT '2000-01-01 00:00:00+00'::timestamptz$$;
CREATE FUNCTION mg_gs_evil.current_setting(text) RETURNS text
	LANGUAGE sql AS $$SELECT 'mg_gs_bob'::text$$;
CREATE FUNCTION mg_gs_evil.current_setting(text, boolean) RETURNS text
	LANGUAGE sql AS $$SELECT 'mg_gs_bob'::text$$;
CREATE FUNCTION mg_gs_evil.pg_has_role(oid, oid, text) RETURNS boolean
	LANGUAGE sql AS $$SELECT true$$;
CREATE FUNCTION mg_gs_evil.to_char(timestamp, text) RETURNS text
	LANGUAGE sql AS $$SELECT '209912'::text$$;
CREATE FUNCTION mg_gs_evil.to_char(timestamptz, text) RETURNS text
	LANGUAGE sql AS $$SELECT '209912'::text$$;
CREATE FUNCTION mg_gs_evil.lpad(text, integer, text) RETURNS text
	LANGUAGE sql AS $$SELECT '666'::text$$;
CREATE FUNCTION mg_gs_evil.text_eq(text, text) RETURNS boolean LANGUAGE sql AS $$SELECT true$$;
CREATE OPERATOR mg_gs_evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = mg_gs_evil.text_eq);
CREATE FUNCTION mg_gs_evil.text_ne(text, text) RETURNS boolean LANGUAGE sql AS $$SELECT false$$;
CREATE OPERATOR mg_gs_evil.<> (LEFTARG = text, RIGHTARG = text, FUNCTION = mg_gs_evil.text_ne);
CREATE FUNCTION mg_gs_evil.jsonb_ne(jsonb, jsonb) RETURNS boolean LANGUAGE sql AS $$SELECT false$$;
CREATE OPERATOR mg_gs_evil.<> (LEFTARG = jsonb, RIGHTARG = jsonb, FUNCTION = mg_gs_evil.jsonb_ne);
CREATE TYPE mg_gs_evil.jsonb AS (evil int);	-- shadows the type of variables and casts
CREATE TABLE mg_gs_evil.members (role_name text, identity text, roles text[], added_at timestamptz, added_by text);
INSERT INTO mg_gs_evil.members VALUES ('mg_gs_mallory', 'mallory@company.com',
	'{model_science_lead,product_manager,engineering_lead,deployer}', '2000-01-01', 'mg_gs_alice');
GRANT SELECT ON mg_gs_evil.members TO PUBLIC;
CREATE TEMP TABLE members ON COMMIT DROP AS SELECT * FROM mg_gs_evil.members;
CREATE TEMP VIEW pg_roles AS SELECT r.oid, r.rolname, true AS rolsuper FROM pg_catalog.pg_roles r;
CREATE FUNCTION pg_temp.clock_now() RETURNS timestamptz
	LANGUAGE sql AS $$SELECT '2000-01-01 00:00:00+00'::timestamptz$$;
CREATE FUNCTION pg_temp.now() RETURNS timestamptz
	LANGUAGE sql AS $$SELECT '2000-01-01 00:00:00+00'::timestamptz$$;
GRANT SELECT ON members, pg_roles TO PUBLIC;
RESET ROLE;

-- The path is hostile from here to RESET search_path.  pgTAP's own
-- functions compare text, so nothing is asserted while it is set: results
-- are kept in psql variables and checked afterwards.
SET search_path = mg_gs_evil, pg_temp, pg_catalog, public;
SELECT ('alice'::text = 'bob'::text)::text AS trap_eq, ('a'::text <> 'b'::text)::text AS trap_ne,
	   now()::date::text AS trap_now, current_setting('role') AS trap_role,
	   (SELECT count(*) FROM members)::text AS trap_members,
	   ('jsonb'::regtype::oid OPERATOR(pg_catalog.=) 'pg_catalog.jsonb'::regtype::oid)::text AS trap_type \gset

SET ROLE mg_gs_alice;
SET client_min_messages = error;	-- propose warns of other open proposals changing the same keys (day_two.sql)
SELECT pg_temp.attempt($$SELECT modelgov.propose('threshold_change', 'hostile path', '{"threshold_auto": 0.18}',
		'{"sample_size": 5000}', 'roll back', 'daily metrics')$$) AS h_propose \gset
RESET client_min_messages;
SELECT pg_temp.attempt($$SELECT modelgov.propose('weights_update', 'only thresholds', '{"threshold_auto": 0.19}')$$) AS h_cover \gset
SELECT pg_temp.attempt($$SELECT modelgov.propose('threshold_change', 'no change', '{"threshold_auto": 0.15}')$$) AS h_nochange \gset
SELECT pg_temp.attempt($$SELECT modelgov.review('PROP_202402_002', pg_temp.ck(), true)$$) AS h_self_review \gset
RESET ROLE;
SET ROLE mg_gs_bob;
SELECT pg_temp.attempt($$SELECT modelgov.review('PROP_202402_002', pg_temp.ck('{"no_regressions_observed": "yes"}'), true)$$) AS h_review_bad \gset
SELECT pg_temp.attempt($$SELECT modelgov.review('PROP_202402_002', pg_temp.ck() - 'monitoring_plan_documented', true)$$) AS h_review_missing \gset
SELECT pg_temp.attempt($$SELECT modelgov.review('PROP_202402_002', pg_temp.ck(), true)$$) AS h_review_bob \gset
SELECT pg_temp.attempt($$SELECT modelgov.review('PROP_202402_002', pg_temp.ck(), true, 'again')$$) AS h_review_bob_again \gset
SELECT pg_temp.attempt($$SELECT modelgov.withdraw('PROP_202402_002', 'not mine')$$) AS h_withdraw_bob \gset
RESET ROLE;
SET ROLE mg_gs_dave;
SELECT pg_temp.attempt($$SELECT modelgov.approve('PROP_202402_002', 'engineering_lead')$$) AS h_approve_early \gset
RESET ROLE;
SET ROLE mg_gs_carol;
SELECT pg_temp.attempt($$SELECT modelgov.review('PROP_202402_002', pg_temp.ck(), true)$$) AS h_review_carol \gset
RESET ROLE;
SET ROLE mg_gs_alice;
SELECT pg_temp.attempt($$SELECT modelgov.approve('PROP_202402_002', 'model_science_lead')$$) AS h_approve_self \gset
RESET ROLE;
SET ROLE mg_gs_bob;
SELECT pg_temp.attempt($$SELECT modelgov.approve('PROP_202402_002', 'product_manager')$$) AS h_approve_bob_pm \gset
SELECT pg_temp.attempt($$SELECT modelgov.approve('PROP_202402_002', 'model_science_lead')$$) AS h_approve_bob \gset
RESET ROLE;
SET ROLE mg_gs_carol;
SELECT pg_temp.attempt($$SELECT modelgov.approve('PROP_202402_002', 'product_manager')$$) AS h_approve_carol \gset
RESET ROLE;
SET ROLE mg_gs_dave;
SELECT pg_temp.attempt($$SELECT modelgov.approve('PROP_202402_002', 'engineering_lead')$$) AS h_approve_dave \gset
RESET ROLE;
SET ROLE mg_gs_mallory;
SELECT pg_temp.attempt($$SELECT modelgov.propose('bug_fix', 'mallory', '{}')$$) AS h_mallory_propose \gset
SELECT pg_temp.attempt($$SELECT modelgov.approve('PROP_202402_001', 'product_manager')$$) AS h_mallory_approve \gset
SELECT pg_temp.attempt($$SELECT modelgov.add_member('mg_gs_mallory', 'mallory@company.com', '{deployer}')$$) AS h_mallory_admin \gset
RESET ROLE;
SET ROLE mg_gs_frank;
SELECT pg_temp.attempt($$SELECT modelgov.deploy('PROP_202402_002', 'staging')$$) AS h_stage \gset
RESET ROLE;
RESET search_path;

SELECT is(:'trap_eq'::text, 'true', 'trap armed: "=" on text resolved to the always-true look-alike');
SELECT is(:'trap_ne'::text, 'false', 'trap armed: "<>" on text resolved to the always-false look-alike');
SELECT is(:'trap_now'::text, '2000-01-01', 'trap armed: now() resolved to the look-alike');
SELECT is(:'trap_role'::text, 'mg_gs_bob', 'trap armed: current_setting() resolved to the look-alike');
SELECT is(:'trap_members'::text, '1', 'trap armed: members resolved to alice''s table');
SELECT is(:'trap_type'::text, 'false', 'trap armed: the type name jsonb resolved to alice''s type');
SELECT is(:'h_propose'::text, 'ok:PROP_202402_002', 'under the hostile path propose returns the right id');
SELECT matches(:'h_cover'::text, '^22023 declared change type weights_update does not cover the change',
			   'under the hostile path the change type is still checked (22023)');
SELECT matches(:'h_nochange'::text, '^22023 proposal changes nothing',
			   'under the hostile path a change of nothing is still refused (22023)');
SELECT matches(:'h_self_review'::text, '^42501 permission denied to review proposal PROP_202402_002',
			   'under the hostile path the proposer still may not review (42501)');
SELECT matches(:'h_review_bad'::text, '^22023 invalid review checklist',
			   'under the hostile path a checklist item that is not a boolean is refused (22023)');
SELECT matches(:'h_review_missing'::text, '^22023 invalid review checklist',
			   'under the hostile path a checklist missing an item is refused (22023)');
SELECT is(:'h_review_bob'::text, 'ok:in review: 1 of two approving reviews', 'under the hostile path bob reviews');
SELECT is(:'h_review_bob_again'::text, 'ok:in review: 1 of two approving reviews',
		  'under the hostile path a second review by bob replaces his own: still one review');
SELECT matches(:'h_withdraw_bob'::text, '^42501 permission denied to withdraw proposal PROP_202402_002',
			   'under the hostile path only the proposer may withdraw (42501)');
SELECT matches(:'h_approve_early'::text, '^55000 cannot approve proposal PROP_202402_002',
			   'under the hostile path approval needs two reviews (55000)');
SELECT is(:'h_review_carol'::text,
		  'ok:reviewed: waiting for approvals as model_science_lead, product_manager, engineering_lead',
		  'under the hostile path carol reviews');
SELECT matches(:'h_approve_self'::text, '^42501 permission denied to approve proposal PROP_202402_002',
			   'under the hostile path the proposer may not approve (42501)');
SELECT matches(:'h_approve_bob_pm'::text, '^42501 permission denied to approve as product_manager',
			   'under the hostile path a role one does not hold is refused (42501)');
SELECT is(:'h_approve_bob'::text, 'ok:reviewed: waiting for approvals as product_manager, engineering_lead',
		  'under the hostile path bob approves as model_science_lead');
SELECT is(:'h_approve_carol'::text, 'ok:reviewed: waiting for approvals as engineering_lead',
		  'under the hostile path carol approves as product_manager');
SELECT is(:'h_approve_dave'::text, 'ok:approved: 1.0.1 created, waiting for staging',
		  'under the hostile path dave approves as engineering_lead');
SELECT matches(:'h_mallory_propose'::text, '^42501 permission denied to propose changes',
			   'under the hostile path a non-member listed in a look-alike members table may not propose (42501)');
SELECT matches(:'h_mallory_approve'::text, '^42501 permission denied to approve as product_manager',
			   'nor approve (42501)');
SELECT matches(:'h_mallory_admin'::text, '^42501 permission denied to add members',
			   'nor pass the administrator check with a look-alike pg_roles and pg_has_role (42501)');
SELECT is(:'h_stage'::text, 'ok:1.0.1', 'under the hostile path the deployer stages 1.0.1');

SELECT results_eq(
	$$SELECT proposer, proposer_identity, proposed_at, status, base_version::text, target_version::text,
			 old_values, new_values
		FROM modelgov.proposals WHERE proposal_id = 'PROP_202402_002'$$,
	$$VALUES ('mg_gs_alice'::text, 'alice@company.com'::text, '2024-02-16 10:00:00+00'::timestamptz,
			  'staged'::text, '1.0.0'::text, '1.0.1'::text,
			  '{"threshold_auto": 0.15}'::jsonb, '{"threshold_auto": 0.18}'::jsonb)$$,
	'the proposal made under the hostile path is exactly right');
SELECT results_eq(
	$$SELECT reviewer, reviewer_identity, approve, comment FROM modelgov.reviews
	   WHERE proposal_id = 'PROP_202402_002' ORDER BY reviewer$$,
	$$VALUES ('mg_gs_bob'::text, 'bob@company.com'::text, true, 'again'::text),
			 ('mg_gs_carol', 'carol@company.com', true, NULL)$$,
	'the reviews made under the hostile path name the right reviewers; bob''s replaced his first');
SELECT results_eq(
	$$SELECT as_role::text, member, member_identity FROM modelgov.approvals
	   WHERE proposal_id = 'PROP_202402_002' ORDER BY member$$,
	$$VALUES ('model_science_lead'::text, 'mg_gs_bob'::text, 'bob@company.com'::text),
			 ('product_manager', 'mg_gs_carol', 'carol@company.com'),
			 ('engineering_lead', 'mg_gs_dave', 'dave@company.com')$$,
	'the approvals made under the hostile path are one per role, by the right members');
SELECT results_eq(
	$$SELECT status, config #>> '{thresholds,auto}', created_at, staged_at FROM modelgov.versions
	   WHERE proposal_id = 'PROP_202402_002'$$,
	$$VALUES ('staged'::text, '0.18'::text, '2024-02-16 10:00:00+00'::timestamptz,
			  '2024-02-16 10:00:00+00'::timestamptz)$$,
	'version 1.0.1 has the frozen configuration and the modelgov.clock times');
SELECT results_eq(
	$$SELECT a.event_type, a.actor, a.recorded_at FROM modelgov.audit_log a
	   WHERE a.proposal_id = 'PROP_202402_002' ORDER BY a.seq$$,
	$$VALUES ('proposal'::text, 'mg_gs_alice'::text, '2024-02-16 10:00:00+00'::timestamptz),
			 ('review', 'mg_gs_bob', '2024-02-16 10:00:00+00'),
			 ('review', 'mg_gs_bob', '2024-02-16 10:00:00+00'),		-- the replacement
			 ('review', 'mg_gs_carol', '2024-02-16 10:00:00+00'),
			 ('approval', 'mg_gs_bob', '2024-02-16 10:00:00+00'),
			 ('approval', 'mg_gs_carol', '2024-02-16 10:00:00+00'),
			 ('approval', 'mg_gs_dave', '2024-02-16 10:00:00+00'),
			 ('approved', 'mg_gs_dave', '2024-02-16 10:00:00+00'),
			 ('deployment', 'mg_gs_frank', '2024-02-16 10:00:00+00')$$,
	'the audit entries made under the hostile path have the right actors and times, and nothing more');
SELECT results_eq(
	$$SELECT a.details #>> '{replaces,approve}', a.details #>> '{replaces,comment}', a.details ->> 'comment'
		FROM modelgov.audit_log a
	   WHERE a.proposal_id = 'PROP_202402_002' AND a.event_type = 'review' AND a.details ? 'replaces'$$,
	$$VALUES ('true'::text, NULL::text, 'again'::text)$$,
	'the replacement made under the hostile path records the one review it replaces');
SELECT is((SELECT count(*) FROM modelgov.proposals), 2::bigint, 'no other proposal was created');
SELECT is((SELECT count(*) FROM modelgov.members WHERE role_name = 'mg_gs_mallory'), 0::bigint,
		  'mallory did not become a member');

-- pg_temp first: its members table comes before everything for relations
SET search_path = pg_temp, mg_gs_evil, pg_catalog, public;
SELECT (SELECT count(*) FROM members)::text AS trap_temp_members \gset
SET ROLE mg_gs_alice;
SELECT pg_temp.attempt($$SELECT modelgov.propose('bias_update', 'temp first', '{"biases": {"billing": -0.05}}')$$) AS t_propose \gset
RESET ROLE;
SET ROLE mg_gs_mallory;
SELECT pg_temp.attempt($$SELECT modelgov.propose('bug_fix', 'mallory', '{}')$$) AS t_mallory \gset
SELECT pg_temp.attempt($$SELECT modelgov.deploy('PROP_202402_002', 'production')$$) AS t_mallory_deploy \gset
RESET ROLE;
SET ROLE mg_gs_frank;
SELECT pg_temp.attempt($$SELECT modelgov.deploy('PROP_202402_002', 'production')$$) AS t_deploy_nosmoke \gset
SELECT pg_temp.attempt($$SELECT modelgov.record_smoke_test('1.0.1', true)$$) AS t_smoke \gset
SELECT pg_temp.attempt($$SELECT modelgov.deploy('PROP_202402_002', 'production')$$) AS t_deploy \gset
SELECT pg_temp.attempt($$SELECT modelgov.rollback('hostile rollback')$$) AS t_rollback \gset
RESET ROLE;
SET ROLE mg_gs_carol;
SELECT pg_temp.attempt($$SELECT modelgov.reject('PROP_202402_003', 'not now')$$) AS t_reject \gset
RESET ROLE;
RESET search_path;

SELECT is(:'trap_temp_members'::text, '1', 'trap armed: members resolved to the temporary table');
SELECT is(:'t_propose'::text, 'ok:PROP_202402_003', 'with pg_temp first propose returns the right id');
SELECT matches(:'t_mallory'::text, '^42501 permission denied to propose changes',
			   'with pg_temp first a non-member in the temporary members table may not propose (42501)');
SELECT matches(:'t_mallory_deploy'::text, '^42501 permission denied to deploy',
			   'nor deploy (42501)');
SELECT matches(:'t_deploy_nosmoke'::text, '^55000 cannot deploy 1\.0\.1 to production without a passing smoke test',
			   'with pg_temp first production still needs a smoke test (55000)');
SELECT is(:'t_smoke'::text, 'ok:', 'with pg_temp first the deployer records a smoke test');
SELECT is(:'t_deploy'::text, 'ok:1.0.1', 'with pg_temp first the deployer deploys 1.0.1 to production');
SELECT is(:'t_rollback'::text, 'ok:1.0.0', 'with pg_temp first the deployer rolls back to 1.0.0');
SELECT is(:'t_reject'::text, 'ok:rejected: not now', 'with pg_temp first a committee member rejects');
SELECT results_eq(
	$$SELECT a.event_type, a.actor, a.recorded_at, a.details ->> 'rolled_back_by'
		FROM modelgov.audit_log a WHERE a.seq > (SELECT max(b.seq) FROM modelgov.audit_log b
												  WHERE b.event_type = 'deployment' AND b.status = 'staged')
	   ORDER BY a.seq$$,
	$$VALUES ('proposal'::text, 'mg_gs_alice'::text, '2024-02-16 10:00:00+00'::timestamptz, NULL::text),
			 ('smoke_test', 'mg_gs_frank', '2024-02-16 10:00:00+00', NULL),
			 ('deployment', 'mg_gs_frank', '2024-02-16 10:00:00+00', NULL),
			 ('rollback', 'mg_gs_frank', '2024-02-16 10:00:00+00', 'frank@company.com'),
			 ('rejected', 'mg_gs_carol', '2024-02-16 10:00:00+00', NULL)$$,
	'the entries made with pg_temp first have the right actors and times, and nothing more');
SELECT results_eq(
	$$SELECT version::text, status FROM modelgov.versions ORDER BY 1$$,
	$$VALUES ('1.0.0', 'active'), ('1.0.1', 'rolled_back')$$,
	'versions: 1.0.0 active again, 1.0.1 rolled back');
SELECT is((SELECT status FROM modelgov.proposals WHERE proposal_id = 'PROP_202402_003'), 'rejected',
		  'the proposal made with pg_temp first was rejected');
SELECT results_eq($$SELECT ok, first_bad_seq FROM modelgov.verify_audit_log()$$,
				  $$VALUES (true, NULL::bigint)$$,
				  'the audit chain verifies after everything done under hostile paths');

------------------------------------------------------------------------------
-- 5. Duties per model
------------------------------------------------------------------------------
-- A second model, churn.  gwen is a deployer of churn only, hugo its
-- product manager only; the members above hold their duties for every
-- model.  Whatever gwen and hugo may do for churn they may not do for
-- default, and a refusal leaves no trace.
SELECT is(modelgov.create_model('churn', '{"weights": [0.5, 0.5], "thresholds": {"auto": 0.2, "escalate": 0.6}}',
								'who is about to leave')::text,
		  '1.0.0', 'the administrator creates a second model, churn');
CREATE ROLE mg_gs_gwen NOLOGIN;		-- deployer of churn only
CREATE ROLE mg_gs_hugo NOLOGIN;		-- product_manager of churn only
GRANT USAGE ON SCHEMA modelgov TO mg_gs_gwen, mg_gs_hugo;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA modelgov TO mg_gs_gwen, mg_gs_hugo;
DO $$
BEGIN
	PERFORM modelgov.add_member('mg_gs_gwen', 'gwen@company.com');
	PERFORM modelgov.grant_duty('mg_gs_gwen', 'deployer', 'churn');
	PERFORM modelgov.add_member('mg_gs_hugo', 'hugo@company.com');
	PERFORM modelgov.grant_duty('mg_gs_hugo', 'product_manager', 'churn');
END
$$;
SELECT results_eq($$SELECT role_name, roles::text FROM modelgov.members WHERE role_name IN ('mg_gs_gwen', 'mg_gs_hugo')
					 ORDER BY 1$$,
				  $$VALUES ('mg_gs_gwen'::text, '{}'::text), ('mg_gs_hugo', '{}')$$,
				  'gwen and hugo hold no duty for every model');
SELECT results_eq($$SELECT role_name, duty::text, model FROM modelgov.duties ORDER BY 1$$,
				  $$VALUES ('mg_gs_gwen'::text, 'deployer'::text, 'churn'::text),
						   ('mg_gs_hugo', 'product_manager', 'churn')$$,
				  'they hold one duty each, for churn');

-- a proposal of each model, both reviewed (any member reviews)
SET ROLE mg_gs_alice;
SET client_min_messages = error;	-- propose warns of other open proposals changing the same keys (day_two.sql)
SELECT modelgov.propose('default', 'threshold_change', 'Per model, default', '{"threshold_auto": 0.16}',
						'{"sample_size": 5000}', 'roll back', 'daily metrics') AS pd,
	   modelgov.propose('churn', 'threshold_change', 'Per model, churn', '{"threshold_auto": 0.25}',
						'{"sample_size": 5000}', 'roll back', 'daily metrics') AS pc \gset
RESET client_min_messages;
RESET ROLE;
SET ROLE mg_gs_bob;
SELECT modelgov.review(:'pd', pg_temp.ck(), true), modelgov.review(:'pc', pg_temp.ck(), true);
RESET ROLE;
SET ROLE mg_gs_carol;
SELECT modelgov.review(:'pd', pg_temp.ck(), true), modelgov.review(:'pc', pg_temp.ck(), true);
RESET ROLE;

-- hugo, product manager of churn, in the committee of default
SELECT pg_temp.state() AS st_model \gset
SET ROLE mg_gs_hugo;
SELECT is(pg_temp.error_of(format('SELECT modelgov.approve(%L, %L)', :'pd', 'product_manager')),
		  '42501 permission denied to approve as product_manager | Member mg_gs_hugo (hugo@company.com) does not '
		  'hold the product_manager duty for model default.',
		  'a product manager of churn may not approve a proposal of default as product manager (42501)');
SELECT throws_ok(format('SELECT modelgov.reject(%L, %L)', :'pd', 'not my model'),
				 '42501', 'permission denied to reject proposals',
				 'nor reject it: no committee duty for default (42501)');
RESET ROLE;
SELECT is(pg_temp.state(), :'st_model', 'hugo''s refused calls left no trace');

-- the committee of each model
SET ROLE mg_gs_hugo;
SELECT lives_ok(format('SELECT modelgov.approve(%L, %L)', :'pc', 'product_manager'),
				'hugo approves the proposal of churn as its product manager');
RESET ROLE;
SET ROLE mg_gs_bob;
SELECT modelgov.approve(:'pd', 'model_science_lead'), modelgov.approve(:'pc', 'model_science_lead');
RESET ROLE;
SET ROLE mg_gs_carol;
SELECT modelgov.approve(:'pd', 'product_manager');
RESET ROLE;
SET ROLE mg_gs_dave;
SELECT modelgov.approve(:'pd', 'engineering_lead'), modelgov.approve(:'pc', 'engineering_lead');
RESET ROLE;
SELECT results_eq(format($$SELECT p.model, p.status, v.version::text, v.status
							 FROM modelgov.proposals p JOIN modelgov.versions v USING (proposal_id)
							WHERE p.proposal_id IN (%L, %L) ORDER BY 1$$, :'pd', :'pc'),
				  $$VALUES ('churn'::text, 'approved'::text, '1.0.1'::text, 'approved'::text),
						   ('default', 'approved', '1.0.2', 'approved')$$,
				  'both proposals are approved, each as a version of its own model');

-- gwen, deployer of churn, and the versions of default
SELECT pg_temp.state() AS st_model \gset
SET ROLE mg_gs_gwen;
SELECT is(pg_temp.error_of(format('SELECT modelgov.deploy(%L, %L)', :'pd', 'staging')),
		  '42501 permission denied to deploy | Member mg_gs_gwen (gwen@company.com) does not hold the deployer duty '
		  'for model default.',
		  'a deployer of churn may not stage an approved proposal of default (42501)');
RESET ROLE;
SELECT is(pg_temp.state(), :'st_model', 'the refused deployment left no trace');
SET ROLE mg_gs_frank;
SELECT is(modelgov.deploy(:'pd', 'staging')::text, '1.0.2', 'a deployer of every model stages it');
RESET ROLE;
SELECT pg_temp.state() AS st_model, pg_temp.registry_state() AS reg_model \gset
SET ROLE mg_gs_gwen;
SELECT throws_ok($$SELECT modelgov.record_smoke_test('default', '1.0.2', true)$$,
				 '42501', 'permission denied to record smoke tests',
				 'a deployer of churn may not record a smoke test of default, staged as it is (42501)');
SELECT throws_ok($$SELECT modelgov.rollback('default', 'not mine', '1.0.1')$$,
				 '42501', 'permission denied to roll back',
				 'nor roll default back to a released version (42501)');
SELECT throws_ok($$SELECT modelgov.record_metrics('default', '1.0.0', '2024-02-16',
												  '{"decisions": 100, "auto": 10, "errors": 0}')$$,
				 '42501', 'permission denied to record metrics',
				 'nor record metrics of default (42501)');
SELECT throws_ok($$SELECT modelgov.correct_metrics('default', '1.0.0', '2024-02-16', '{"decisions": 100}', 'fix')$$,
				 '42501', 'permission denied to correct metrics',
				 'nor correct them (42501)');
SELECT throws_ok($$SELECT * FROM modelgov.monitor('default', true)$$,
				 '42501', 'permission denied to monitor with automatic rollback',
				 'nor monitor default with automatic rollback (42501)');
RESET ROLE;
SELECT is(pg_temp.state(), :'st_model', 'gwen''s refused calls left no trace in the governance tables');
SELECT is(pg_temp.registry_state(), :'reg_model', 'nor in the audit log');

-- what gwen may do for churn
SET ROLE mg_gs_gwen;
SELECT is(modelgov.deploy(:'pc', 'staging')::text, '1.0.1', 'gwen stages the version of churn');
SELECT lives_ok($$SELECT modelgov.record_smoke_test('churn', '1.0.1', true)$$, 'records its smoke test');
SELECT is(modelgov.deploy(:'pc', 'production')::text, '1.0.1', 'deploys it to production');
SELECT lives_ok($$SELECT modelgov.record_metrics('churn', '1.0.1', '2024-02-16',
												 '{"decisions": 100, "auto": 10, "errors": 0}')$$,
				'records its metrics');
SELECT is(modelgov.rollback('churn', 'per-model rollback')::text, '1.0.0', 'and rolls it back');
RESET ROLE;
SELECT results_eq($$SELECT model, production_version::text, staging_version::text FROM modelgov.inventory ORDER BY 1$$,
				  $$VALUES ('churn'::text, '1.0.0'::text, '1.0.1'::text), ('default', '1.0.0', '1.0.2')$$,
				  'each model runs its own versions: churn rolled back, default untouched');
SELECT results_eq($$SELECT a.model, a.event_type, a.actor FROM modelgov.audit_log a
					 WHERE a.actor = 'mg_gs_gwen' ORDER BY a.seq$$,
				  $$VALUES ('churn'::text, 'deployment'::text, 'mg_gs_gwen'::text), ('churn', 'smoke_test', 'mg_gs_gwen'),
						   ('churn', 'deployment', 'mg_gs_gwen'), ('churn', 'metrics', 'mg_gs_gwen'),
						   ('churn', 'rollback', 'mg_gs_gwen')$$,
				  'everything gwen did is in the audit log, all of it for churn');

-- a duty revoked for churn is no duty any more
SELECT modelgov.revoke_duty('mg_gs_hugo', 'product_manager', 'churn');
SET ROLE mg_gs_alice;
SELECT modelgov.propose('churn', 'threshold_change', 'After the revocation', '{"threshold_auto": 0.22}',
						'{"sample_size": 5000}', 'roll back', 'daily metrics') AS pc2 \gset
RESET ROLE;
SET ROLE mg_gs_bob;
SELECT modelgov.review(:'pc2', pg_temp.ck(), true);
RESET ROLE;
SET ROLE mg_gs_dave;
SELECT modelgov.review(:'pc2', pg_temp.ck(), true);
RESET ROLE;
SET ROLE mg_gs_hugo;
SELECT throws_ok(format('SELECT modelgov.approve(%L, %L)', :'pc2', 'product_manager'),
				 '42501', 'permission denied to approve as product_manager',
				 'once the duty for churn is revoked, hugo may not approve for churn either (42501)');
RESET ROLE;
SELECT results_eq($$SELECT ok, first_bad_seq FROM modelgov.verify_audit_log()$$,
				  $$VALUES (true, NULL::bigint)$$,
				  'the audit chain verifies after the work on two models');

SELECT * FROM finish();
ROLLBACK;
