--
-- privileges.sql
--		Who may do what: PUBLIC reads the policy and uses the semver type;
--		only superusers and members of the extension owner change the bump
--		policy, whatever EXECUTE grants say; the history records the calling
--		role (the SET ROLE role, not the session user); a hostile
--		search_path cannot change what the functions do; and the model
--		registry of 0.2.0: PUBLIC reads the models, the inventory and the
--		open work (open_work, my_work) but not the duties, executes the
--		readers that name a model, and none of the governance calls that
--		change the registry or name a model (rebase among them).
--
-- The roles and the schema made here are rolled back with the transaction.
-- Run as a superuser (pg_prove connects as postgres).
--
BEGIN;
\ir helpers.psql
SELECT plan(104);

--
-- Setup: a plain role, a role granted EXECUTE on set_bump_policy, a member
-- of the extension owner, a second superuser; the owner's name; a helper
-- that returns the SQLSTATE, message and detail of a failing statement.
--
CREATE ROLE mg_tap_plain NOLOGIN;
CREATE ROLE mg_tap_granted NOLOGIN;
CREATE ROLE mg_tap_admin NOLOGIN;
CREATE ROLE mg_tap_super NOLOGIN SUPERUSER;
GRANT EXECUTE ON FUNCTION modelgov.set_bump_policy(modelgov.change_type, modelgov.bump_level)
	TO mg_tap_granted;

CREATE TEMP TABLE ext_owner ON COMMIT DROP AS
	SELECT r.rolname::text AS name
	  FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_roles r ON r.oid = e.extowner
	 WHERE e.extname = 'modelgov';
GRANT SELECT ON ext_owner TO PUBLIC;
DO $$
BEGIN
	EXECUTE pg_catalog.format('GRANT %I TO mg_tap_admin', (SELECT name FROM ext_owner));
END
$$;

-- sanity of the setup: the owner role exists and is the one we joined
SELECT isnt((SELECT name FROM ext_owner), NULL, 'the extension owner is known');
SELECT ok(pg_catalog.pg_has_role('mg_tap_admin', (SELECT name FROM ext_owner), 'MEMBER')
		  AND NOT (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = 'mg_tap_admin'),
		  'mg_tap_admin is a member of the extension owner but no superuser');

--
-- Privileges in the catalogs.  "public" stands for PUBLIC.
--
SELECT schema_privs_are('modelgov', 'public', ARRAY['USAGE']);
SELECT is_empty(
	$$SELECT m.objid::regtype::text FROM pg_catalog.pg_depend m
	   WHERE m.refclassid = 'pg_catalog.pg_extension'::regclass AND m.deptype = 'e'
		 AND m.refobjid = (SELECT e.oid FROM pg_catalog.pg_extension e WHERE e.extname = 'modelgov')
		 AND m.classid = 'pg_catalog.pg_type'::regclass
		 AND NOT pg_catalog.has_type_privilege('public', m.objid, 'USAGE')$$,
	'PUBLIC may use every type of the extension');
SELECT table_privs_are('modelgov', 'bump_policy', 'public', ARRAY['SELECT']);
SELECT table_privs_are('modelgov', 'bump_policy_history', 'public', ARRAY['SELECT']);
SELECT sequence_privs_are('modelgov', 'bump_policy_history_id_seq', 'public', '{}'::name[]);
SELECT function_privs_are('modelgov', 'set_bump_policy',
						  ARRAY['modelgov.change_type', 'modelgov.bump_level'], 'public', '{}'::name[]);
SELECT function_privs_are('modelgov_internal', 'actor', '{}'::name[], 'public', '{}'::name[]);
SELECT function_privs_are('modelgov_internal', 'require_admin', ARRAY['text'], 'public', '{}'::name[]);
SELECT function_privs_are('modelgov', 'required_bump', ARRAY['modelgov.change_type'],
						  'public', ARRAY['EXECUTE']);
SELECT is_empty(
	$$SELECT p.oid::regprocedure::text FROM pg_catalog.pg_proc p
	   WHERE p.pronamespace = 'modelgov'::regnamespace
		 AND (p.proname LIKE 'semver%' OR p.proname IN ('is_semver', 'required_bump', 'min', 'max'))
		 AND NOT pg_catalog.has_function_privilege('public', p.oid, 'EXECUTE')$$,
	'PUBLIC may execute every semver function, the aggregates and required_bump');
-- nobody but the owner holds a write privilege on the policy relations
SELECT is_empty(
	$$SELECT c.relname, a.privilege_type, a.grantee::regrole
		FROM pg_catalog.pg_class c,
			 pg_catalog.aclexplode(coalesce(c.relacl, pg_catalog.acldefault(
				CASE c.relkind WHEN 'S' THEN 's'::"char" ELSE 'r'::"char" END, c.relowner))) a
	   WHERE c.oid IN ('modelgov.bump_policy_history'::regclass, 'modelgov.bump_policy'::regclass,
					   'modelgov.bump_policy_history_id_seq'::regclass)
		 AND a.grantee <> c.relowner
		 AND a.privilege_type <> 'SELECT'$$,
	'only the owner may write to bump_policy_history, bump_policy or the id sequence');
SELECT table_privs_are('modelgov', 'bump_policy_history', 'mg_tap_granted', ARRAY['SELECT'],
					   'EXECUTE on set_bump_policy gives no write privilege on the history');

--
-- A plain role: uses semver, reads the policy, calls required_bump, and is
-- refused everything else with 42501.
--
SET ROLE mg_tap_plain;
SELECT is(current_user::text, 'mg_tap_plain', 'now acting as mg_tap_plain');
SELECT lives_ok($$CREATE TEMP TABLE plain_versions (v modelgov.semver)$$,
				'a plain role may declare a semver column');
SELECT lives_ok($$INSERT INTO plain_versions VALUES ('1.2.3'), ('1.10.0'), ('1.9.0+b')$$,
				'a plain role may store semver values');
SELECT is((SELECT modelgov.max(v)::text FROM plain_versions), '1.10.0',
		  'a plain role may compare and aggregate semver values');
SELECT is((SELECT pg_catalog.count(*) FROM modelgov.bump_policy),
		  (SELECT pg_catalog.count(*) FROM pg_catalog.unnest(pg_catalog.enum_range(NULL::modelgov.change_type))),
		  'a plain role reads bump_policy, one row per change type');
SELECT is((SELECT pg_catalog.count(*) FROM modelgov.bump_policy_history WHERE set_by IS NULL),
		  (SELECT pg_catalog.count(*) FROM pg_catalog.unnest(pg_catalog.enum_range(NULL::modelgov.change_type))),
		  'a plain role reads bump_policy_history, one default per change type');
SELECT is(modelgov.required_bump('feature_removal')::text, 'major',
		  'a plain role calls required_bump');
SELECT throws_ok($$SELECT modelgov.set_bump_policy('bias_update', 'minor')$$,
				 '42501', 'permission denied for function set_bump_policy',
				 'a plain role may not execute set_bump_policy');
SELECT throws_ok($$SELECT modelgov_internal.actor()$$,
				 '42501', 'permission denied for schema modelgov_internal',
				 'a plain role may not execute the internal actor()');
SELECT throws_ok($$SELECT modelgov_internal.require_admin('x')$$,
				 '42501', 'permission denied for schema modelgov_internal',
				 'a plain role may not execute the internal require_admin()');
SELECT throws_ok($$INSERT INTO modelgov.bump_policy_history (change_type, bump, set_by)
				   VALUES ('bias_update', 'major', 'mg_tap_plain')$$,
				 '42501', 'permission denied for table bump_policy_history',
				 'a plain role may not INSERT into bump_policy_history');
SELECT throws_ok($$UPDATE modelgov.bump_policy_history SET bump = 'major'$$,
				 '42501', 'permission denied for table bump_policy_history',
				 'a plain role may not UPDATE bump_policy_history');
SELECT throws_ok($$DELETE FROM modelgov.bump_policy_history$$,
				 '42501', 'permission denied for table bump_policy_history',
				 'a plain role may not DELETE from bump_policy_history');
SELECT throws_ok($$TRUNCATE modelgov.bump_policy_history$$,
				 '42501', 'permission denied for table bump_policy_history',
				 'a plain role may not TRUNCATE bump_policy_history');
SELECT throws_ok($$SELECT pg_catalog.nextval('modelgov.bump_policy_history_id_seq')$$,
				 '42501', 'permission denied for sequence bump_policy_history_id_seq',
				 'a plain role may not advance the id sequence');
RESET ROLE;

--
-- EXECUTE is not enough: a granted non-admin reaches set_bump_policy and is
-- refused by its own check, which names the calling role, not the owner the
-- function runs as.
--
SET ROLE mg_tap_granted;
SELECT throws_ok($$SELECT modelgov.set_bump_policy('bias_update', 'minor')$$,
				 '42501', 'permission denied to set the bump policy',
				 'a non-admin granted EXECUTE still gets 42501 from set_bump_policy');
SELECT is(pg_temp.error_of($$SELECT modelgov.set_bump_policy('bias_update', 'minor')$$),
		  pg_catalog.format('42501 permission denied to set the bump policy | '
							'Role mg_tap_granted is neither a superuser nor a member of the extension owner %s.',
							(SELECT name FROM ext_owner)),
		  'the refusal names the calling role');
SELECT throws_ok($$INSERT INTO modelgov.bump_policy_history (change_type, bump, set_by)
				   VALUES ('bias_update', 'major', 'mg_tap_granted')$$,
				 '42501', 'permission denied for table bump_policy_history',
				 'the granted role may not INSERT into bump_policy_history either');
RESET ROLE;
SELECT is(modelgov.required_bump('bias_update')::text, 'patch',
		  'the refused calls changed nothing');
SELECT is((SELECT pg_catalog.count(*) FROM modelgov.bump_policy_history WHERE set_by IS NOT NULL), 0::bigint,
		  'the refused calls recorded nothing');

--
-- A superuser sets the policy; the history records the calling role.
--
SELECT lives_ok($$SELECT modelgov.set_bump_policy('bias_update', 'minor')$$,
				'the session superuser sets bias_update to minor');
SELECT results_eq(
	$$SELECT bump::text, set_by, set_at = pg_catalog.now()
		FROM modelgov.bump_policy_history WHERE change_type = 'bias_update'
	   ORDER BY id DESC LIMIT 1$$,
	$$SELECT 'minor', session_user::text COLLATE "default", true$$,
	'the new row records the session user and the transaction time');
SELECT is(modelgov.required_bump('bias_update')::text, 'minor', 'required_bump follows the change');
SELECT results_eq(
	$$SELECT bump::text, is_default, set_by FROM modelgov.bump_policy WHERE change_type = 'bias_update'$$,
	$$SELECT 'minor', false, session_user::text COLLATE "default"$$,
	'bump_policy shows the change as not the default');

SET ROLE mg_tap_super;
SELECT lives_ok($$SELECT modelgov.set_bump_policy('bias_update', 'major')$$,
				'another superuser, through SET ROLE, sets bias_update to major');
RESET ROLE;
SELECT is((SELECT set_by FROM modelgov.bump_policy_history WHERE change_type = 'bias_update'
			ORDER BY id DESC LIMIT 1),
		  'mg_tap_super', 'the row records the SET ROLE superuser');

--
-- A member of the extension owner (not a superuser) acting through SET ROLE
-- is an administrator, and is the actor rather than the session user.
--
SET ROLE mg_tap_admin;
SELECT is(modelgov_internal.actor(), 'mg_tap_admin', 'actor() is the SET ROLE role');
SELECT lives_ok($$SELECT modelgov.set_bump_policy('threshold_change', 'minor')$$,
				'a member of the extension owner sets threshold_change to minor');
RESET ROLE;
SELECT is((SELECT set_by FROM modelgov.bump_policy_history WHERE change_type = 'threshold_change'
			ORDER BY id DESC LIMIT 1),
		  'mg_tap_admin', 'the row records the SET ROLE role');
SELECT isnt((SELECT set_by FROM modelgov.bump_policy_history WHERE change_type = 'threshold_change'
			  ORDER BY id DESC LIMIT 1),
			session_user::text, 'the row does not record the session user');
SELECT is(modelgov.required_bump('threshold_change')::text, 'minor', 'required_bump follows the change');
SELECT is(modelgov_internal.actor(), session_user::text, 'after RESET ROLE, actor() is the session user');

--
-- A hostile search_path.  Schema evil holds look-alikes of what the
-- functions use: now(), current_setting() (claiming the caller is the
-- owner), pg_has_role() (always true) and = operators on change_type and
-- bump_level that are always true; pg_temp holds a pg_roles view that makes
-- everybody a superuser and a bump_policy_history table with a bogus row.
-- Both are put before pg_catalog.  pgTAP itself compares only text here,
-- which evil does not touch.
--
CREATE SCHEMA evil;
GRANT USAGE ON SCHEMA evil TO PUBLIC;
CREATE FUNCTION evil.now() RETURNS timestamptz
	LANGUAGE sql AS $$SELECT '2000-01-01 00:00:00+00'::timestamptz$$;
DO $$
BEGIN
	EXECUTE pg_catalog.format(
		'CREATE FUNCTION evil.current_setting(text) RETURNS text LANGUAGE sql AS %L',
		pg_catalog.format('SELECT %L::text', (SELECT name FROM ext_owner)));
END
$$;
CREATE FUNCTION evil.pg_has_role(oid, oid, text) RETURNS boolean
	LANGUAGE sql AS $$SELECT true$$;
CREATE FUNCTION evil.same_change(modelgov.change_type, modelgov.change_type) RETURNS boolean
	LANGUAGE sql AS $$SELECT true$$;
CREATE OPERATOR evil.= (LEFTARG = modelgov.change_type, RIGHTARG = modelgov.change_type,
						FUNCTION = evil.same_change);
CREATE FUNCTION evil.same_bump(modelgov.bump_level, modelgov.bump_level) RETURNS boolean
	LANGUAGE sql AS $$SELECT true$$;
CREATE OPERATOR evil.= (LEFTARG = modelgov.bump_level, RIGHTARG = modelgov.bump_level,
						FUNCTION = evil.same_bump);
CREATE TEMP VIEW pg_roles AS
	SELECT r.oid, r.rolname, true AS rolsuper FROM pg_catalog.pg_roles r;
CREATE TEMP TABLE bump_policy_history ON COMMIT DROP AS
	SELECT 999999::bigint AS id, 'bug_fix'::modelgov.change_type AS change_type,
		   'major'::modelgov.bump_level AS bump,
		   pg_catalog.now() AS set_at, 'evil'::text AS set_by;
GRANT SELECT ON pg_roles, bump_policy_history TO PUBLIC;

SET search_path = pg_temp, evil, pg_catalog, public;

-- the traps are armed: unqualified names reach them
SELECT ok(now() = '2000-01-01 00:00:00+00', 'now() resolves to evil.now');
SELECT is(current_setting('role'), (SELECT name FROM ext_owner), 'current_setting resolves to evil');
SELECT ok('bug_fix'::modelgov.change_type = 'weights_update'::modelgov.change_type,
		  '= on change_type resolves to the always-true evil operator');
SELECT ok('patch'::modelgov.bump_level = 'major'::modelgov.bump_level,
		  '= on bump_level resolves to the always-true evil operator');
SELECT ok((SELECT rolsuper FROM pg_roles WHERE rolname::text = 'mg_tap_plain'),
		  'pg_roles resolves to the temporary view');

-- an administrator changes the policy under the hostile path
SET ROLE mg_tap_admin;
SELECT lives_ok($$SELECT modelgov.set_bump_policy('weights_update', 'major')$$,
				'set_bump_policy works under a hostile search_path');
SELECT is(modelgov.required_bump('weights_update')::text, 'major',
		  'required_bump sees the change under a hostile search_path');
SELECT is(modelgov.required_bump('bug_fix')::text, 'patch',
		  'required_bump keeps change types apart under a hostile search_path');
SELECT is((SELECT p.bump::text FROM modelgov.bump_policy p WHERE p.change_type::text = 'bug_fix'), 'patch',
		  'bump_policy is right under a hostile search_path');
RESET ROLE;

-- a non-admin cannot use the traps to pass the admin check
SET ROLE mg_tap_granted;
SELECT is(current_setting('role'), (SELECT name FROM ext_owner),
		  'the granted role sees the evil current_setting too');
SELECT throws_ok($$SELECT modelgov.set_bump_policy('bug_fix', 'major')$$,
				 '42501', 'permission denied to set the bump policy',
				 'a hostile search_path does not make a non-admin an administrator');
SELECT is(modelgov.required_bump('bug_fix')::text, 'patch',
		  'required_bump ignores the temporary bump_policy_history');
RESET ROLE;

-- with the path restored, the recorded row is exactly what it should be
RESET search_path;
SELECT results_eq(
	$$SELECT bump::text, set_by, set_at = pg_catalog.now()
		FROM modelgov.bump_policy_history WHERE change_type = 'weights_update'
	   ORDER BY id DESC LIMIT 1$$,
	$$SELECT 'major', 'mg_tap_admin', true$$,
	'the row set under the hostile path has the right bump, actor and time');
SELECT is((SELECT pg_catalog.count(*) FROM modelgov.bump_policy_history WHERE change_type = 'bug_fix'),
		  1::bigint, 'bug_fix still has only its default row');
SELECT is((SELECT pg_catalog.count(*) FROM modelgov.bump_policy_history WHERE set_by IS NOT NULL),
		  4::bigint, 'the history holds exactly the four changes made in this file');

--
-- The model registry and the calls that name a model (0.2.0).  Like
-- set_bump_policy, every governance call is executable only by the roles
-- an administrator grants EXECUTE (the docs' grants), and checks the actor
-- itself; the readers are SECURITY DEFINER (they call internals of
-- modelgov_internal, which PUBLIC may not use), executable by PUBLIC, and
-- pin search_path.
--
SELECT table_privs_are('modelgov', 'models', 'public', ARRAY['SELECT'], 'PUBLIC reads models, and only reads');
SELECT table_privs_are('modelgov', 'inventory', 'public', ARRAY['SELECT'], 'PUBLIC reads the inventory, and only reads');
SELECT table_privs_are('modelgov', 'duties', 'public', '{}'::name[],
					   'PUBLIC has no privilege on duties (like members; the inventory shows the holders)');
SELECT function_privs_are('modelgov', 'create_model', ARRAY['text', 'jsonb', 'text'], 'public', '{}'::name[],
						  'PUBLIC may not execute create_model');
SELECT function_privs_are('modelgov', 'retire_model', ARRAY['text', 'text'], 'public', '{}'::name[],
						  'PUBLIC may not execute retire_model');
SELECT function_privs_are('modelgov', 'grant_duty', ARRAY['regrole', 'text', 'text'],
						  'public', '{}'::name[], 'PUBLIC may not execute grant_duty');
SELECT function_privs_are('modelgov', 'revoke_duty', ARRAY['regrole', 'text', 'text'],
						  'public', '{}'::name[], 'PUBLIC may not execute revoke_duty');
SELECT function_privs_are('modelgov', 'propose',
						  ARRAY['text', 'modelgov.change_type', 'text', 'jsonb', 'jsonb', 'text', 'text'],
						  'public', '{}'::name[], 'PUBLIC may not execute propose(model, ...)');
SELECT function_privs_are('modelgov', 'record_smoke_test', ARRAY['text', 'modelgov.semver', 'boolean', 'jsonb'],
						  'public', '{}'::name[], 'PUBLIC may not execute record_smoke_test(model, ...)');
SELECT function_privs_are('modelgov', 'rollback', ARRAY['text', 'text', 'modelgov.semver'],
						  'public', '{}'::name[], 'PUBLIC may not execute rollback(model, ...)');
SELECT function_privs_are('modelgov', 'record_metrics', ARRAY['text', 'modelgov.semver', 'date', 'jsonb'],
						  'public', '{}'::name[], 'PUBLIC may not execute record_metrics(model, ...)');
SELECT function_privs_are('modelgov', 'correct_metrics', ARRAY['text', 'modelgov.semver', 'date', 'jsonb', 'text'],
						  'public', '{}'::name[], 'PUBLIC may not execute correct_metrics(model, ...)');
SELECT function_privs_are('modelgov', 'monitor', ARRAY['text', 'boolean'],
						  'public', '{}'::name[], 'PUBLIC may not execute monitor(model, ...)');
SELECT function_privs_are('modelgov', 'attest', ARRAY['text', 'modelgov.semver', 'text', 'text'],
						  'public', '{}'::name[], 'PUBLIC may not execute attest(model, ...)');
SELECT function_privs_are('modelgov', 'release', ARRAY['text', 'modelgov.semver'],
						  'public', '{}'::name[], 'PUBLIC may not execute release(model, ...)');
SELECT function_privs_are('modelgov', 'rebase', ARRAY['text'],
						  'public', '{}'::name[], 'PUBLIC may not execute rebase');
SELECT function_privs_are('modelgov', 'approve', ARRAY['text', 'text', 'timestamptz'],
						  'public', '{}'::name[], 'PUBLIC may not execute approve (as_role as text)');
SELECT function_privs_are('modelgov', 'deploy', ARRAY['text', 'text'],
						  'public', '{}'::name[], 'PUBLIC may not execute deploy (env as text)');
SELECT table_privs_are('modelgov', 'open_work', 'public', ARRAY['SELECT'], 'PUBLIC reads open_work, and only reads');
SELECT table_privs_are('modelgov', 'my_work', 'public', ARRAY['SELECT'], 'PUBLIC reads my_work, and only reads');
SELECT is_empty(
	$$SELECT p.oid::regprocedure::text FROM pg_catalog.pg_proc p
	   WHERE p.pronamespace = 'modelgov'::regnamespace AND p.prosrc = 'mg_governance_call'
		 AND pg_catalog.has_function_privilege('public', p.oid, 'EXECUTE')$$,
	'PUBLIC may execute no governance call at all (every function that runs its body through the actor check)');
-- the readers: to_regprocedure gives NULL for a reader that is missing,
-- which the first test reports
CREATE TEMP TABLE named_readers ON COMMIT DROP AS
	SELECT r.sig, pg_catalog.to_regprocedure(r.sig) AS fn
	  FROM (VALUES ('modelgov.active_version(text, modelgov.environment)'),
				   ('modelgov.model_config(text, modelgov.semver)'),
				   ('modelgov.health_check(text, modelgov.semver, date)'),
				   ('modelgov.release_checklist(text, modelgov.semver)'),
				   ('modelgov.support_status(text, modelgov.semver, timestamptz)'),
				   ('modelgov.changelog(text, modelgov.semver)')) AS r(sig);
SELECT is_empty($$SELECT sig FROM named_readers WHERE fn IS NULL$$,
				'the six readers that name a model exist');
SELECT is_empty(
	$$SELECT r.sig FROM named_readers r JOIN pg_catalog.pg_proc p ON p.oid = r.fn
	   WHERE NOT (p.prosecdef AND p.provolatile = 's'
				  AND p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp']
				  AND pg_catalog.has_function_privilege('public', p.oid, 'EXECUTE'))$$,
	'the readers that name a model are STABLE, SECURITY DEFINER with search_path pinned, and executable by PUBLIC');

-- the same as a plain role, on a database with a model
SELECT lives_ok($$SELECT modelgov.init_model('{"weights": [0.5, 0.5], "thresholds": {"auto": 0.3, "escalate": 0.7}}')$$,
				'the superuser initializes the model "default"');
SET ROLE mg_tap_plain;
SELECT results_eq($$SELECT (SELECT pg_catalog.string_agg(m.name, ',') FROM modelgov.models m),
						   (SELECT pg_catalog.string_agg(i.model || ' ' || i.production_version::text, ',')
							  FROM modelgov.inventory i)$$,
				  $$VALUES ('default'::text, 'default 1.0.0'::text)$$,
				  'a plain role reads models and the inventory');
SELECT throws_ok($$SELECT pg_catalog.count(*) FROM modelgov.duties$$,
				 '42501', 'permission denied for table duties', 'a plain role may not read duties');
SELECT results_eq($$SELECT (SELECT pg_catalog.count(*) FROM modelgov.open_work),
						   (SELECT pg_catalog.count(*) FROM modelgov.my_work)$$,
				  $$VALUES (0::bigint, 0::bigint)$$,
				  'a plain role reads open_work and my_work (nothing is open)');
SELECT throws_ok($$SELECT modelgov.rebase('PROP_202401_001')$$,
				 '42501', 'permission denied for function rebase', 'a plain role may not execute rebase');
SELECT results_eq(
	$$SELECT modelgov.active_version('default', 'production')::text,
			 modelgov.model_config('default', NULL) OPERATOR(pg_catalog.->) 'thresholds' OPERATOR(pg_catalog.->>) 'auto',
			 (SELECT s.status FROM modelgov.support_status('default', '1.0.0', NULL) s),
			 (SELECT c.state FROM modelgov.release_checklist('default', '1.0.0') c WHERE c.item = 'tagged'),
			 pg_catalog.starts_with(modelgov.changelog('default', NULL), '# Changelog')$$,
	$$VALUES ('1.0.0'::text, '0.3'::text, 'current'::text, 'verified'::text, true)$$,
	'a plain role calls the readers that name a model');
SELECT is(pg_temp.error_of($$SELECT * FROM modelgov.health_check('default', NULL, NULL)$$),
		  '42704 no metrics of version 1.0.0 for any day | ',
		  'health_check(model, ...) runs for a plain role too (no metrics yet: 42704, not 42501)');
SELECT throws_ok($$SELECT modelgov.create_model('other', '{"weights": [1.0], "thresholds": {"auto": 0.3, "escalate": 0.7}}')$$,
				 '42501', 'permission denied for function create_model', 'a plain role may not execute create_model');
SELECT throws_ok($$SELECT modelgov.grant_duty('mg_tap_plain', 'deployer', 'default')$$,
				 '42501', 'permission denied for function grant_duty', 'a plain role may not execute grant_duty');
SELECT throws_ok($$SELECT * FROM modelgov.monitor(NULL)$$,
				 '42501', 'permission denied for function monitor', 'a plain role may not execute monitor(model, ...)');
RESET ROLE;
-- EXECUTE is not enough: the calls check the actor themselves
GRANT EXECUTE ON FUNCTION modelgov.create_model(text, jsonb, text),
	modelgov.grant_duty(regrole, text, text) TO mg_tap_granted;
SET ROLE mg_tap_granted;
SELECT throws_ok($$SELECT modelgov.create_model('other', '{"weights": [1.0], "thresholds": {"auto": 0.3, "escalate": 0.7}}')$$,
				 '42501', 'permission denied to create models',
				 'a non-admin granted EXECUTE still gets 42501 from create_model');
SELECT throws_ok($$SELECT modelgov.grant_duty('mg_tap_granted', 'deployer', 'default')$$,
				 '42501', 'permission denied to grant duties',
				 'and from grant_duty');
RESET ROLE;
SELECT is((SELECT pg_catalog.string_agg(m.name, ',') FROM modelgov.models m), 'default',
		  'the refused calls created no model');

-- The internals live in modelgov_internal, out of the API's way: \df
-- modelgov.* lists no "_" helper, the schema belongs to the extension, no
-- role but its owner may use or create in it, and nothing in it is
-- executable by PUBLIC.
SELECT is_empty(
	$$SELECT p.oid::regprocedure::text FROM pg_catalog.pg_proc p
	   WHERE p.pronamespace = 'modelgov'::regnamespace AND p.proname LIKE '\_%'$$,
	'no function of the API schema modelgov starts with "_"');
SELECT ok(EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
				   WHERE d.classid = 'pg_catalog.pg_namespace'::regclass
					 AND d.objid = 'modelgov_internal'::regnamespace
					 AND d.refobjid = (SELECT e.oid FROM pg_catalog.pg_extension e WHERE e.extname = 'modelgov')
					 AND d.deptype = 'e'),
		  'modelgov_internal belongs to the extension');
SELECT schema_owner_is('modelgov_internal',
					   (SELECT r.rolname FROM pg_catalog.pg_extension e
						  JOIN pg_catalog.pg_roles r ON r.oid = e.extowner WHERE e.extname = 'modelgov'),
					   'modelgov_internal is owned by the extension''s owner');
SELECT schema_privs_are('modelgov_internal', 'public', '{}'::name[],
						'PUBLIC has neither USAGE nor CREATE on modelgov_internal');
SELECT is_empty(
	$$SELECT p.oid::regprocedure::text FROM pg_catalog.pg_proc p
	   WHERE p.pronamespace = 'modelgov_internal'::regnamespace
		 AND pg_catalog.has_function_privilege('mg_tap_plain', p.oid, 'EXECUTE')$$,
	'PUBLIC may execute no function of modelgov_internal');
SELECT cmp_ok((SELECT pg_catalog.count(*)::int FROM pg_catalog.pg_proc p
				WHERE p.pronamespace = 'modelgov_internal'::regnamespace), '>=', 30,
			  'the internals are all in modelgov_internal (guards against a vacuous pass above)');
SELECT is_empty(
	$$SELECT p.oid::regprocedure::text FROM pg_catalog.pg_proc p
	   WHERE p.pronamespace = 'modelgov'::regnamespace AND p.proname LIKE '%internal%'$$,
	'nothing internal is left in modelgov');

SELECT * FROM finish();
ROLLBACK;
