-- modelgov 0.1.0 -> 0.2.0
--
-- The Makefile builds sql/modelgov--0.1.0--0.2.0.sql from this file: the
-- line "-- @functions@" becomes every function of the 0.2.0 install script
-- (scripts/upgrade-script.pl).  Everything else an update must change is
-- written here, so that an updated database equals a fresh 0.2.0 install;
-- test/shell/upgrade.sh proves it.

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION modelgov UPDATE TO '0.2.0'" to load this file. \quit

--
-- The same guards as a fresh install (sql/semver.sql): nobody but the
-- extension's owner owns or may create in the schema modelgov, nothing in
-- it is foreign to the extension, and the role running the update has no
-- default privileges that would apply to the objects it creates.
--
DO $$
DECLARE
	owner oid := (SELECT e.extowner FROM pg_catalog.pg_extension e WHERE e.extname OPERATOR(pg_catalog.=) 'modelgov');
	me oid := (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) current_user);
	nsp pg_catalog.pg_namespace;
	found text;
BEGIN
	SELECT * INTO nsp FROM pg_catalog.pg_namespace n WHERE n.nspname OPERATOR(pg_catalog.=) 'modelgov';
	IF nsp.nspowner OPERATOR(pg_catalog.<>) owner
	   AND NOT (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.oid OPERATOR(pg_catalog.=) nsp.nspowner) THEN
		RAISE EXCEPTION 'schema modelgov belongs to role %, not to the extension''s owner % nor to a superuser',
						pg_catalog.pg_get_userbyid(nsp.nspowner), pg_catalog.pg_get_userbyid(owner)
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'Its owner could create objects in it that modelgov''s functions would call with their owner''s rights.',
				  HINT = 'ALTER SCHEMA modelgov OWNER TO the extension''s owner, then update again.';
	END IF;
	SELECT pg_catalog.string_agg(CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
									  ELSE pg_catalog.pg_get_userbyid(a.grantee) END, ', ')
	  INTO found
	  FROM pg_catalog.aclexplode(nsp.nspacl) a
	 WHERE a.privilege_type OPERATOR(pg_catalog.=) 'CREATE' AND a.grantee OPERATOR(pg_catalog.<>) owner;
	IF found IS NOT NULL THEN
		RAISE EXCEPTION 'other roles may create objects in schema modelgov: %', found
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'They could plant objects that modelgov''s functions would call with their owner''s rights.',
				  HINT = 'REVOKE CREATE ON SCHEMA modelgov FROM them, then update again.';
	END IF;
	SELECT pg_catalog.string_agg(p.oid::pg_catalog.regprocedure::text, ', ')
	  INTO found
	  FROM pg_catalog.pg_proc p
	 WHERE p.pronamespace OPERATOR(pg_catalog.=) nsp.oid
	   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
						WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid OPERATOR(pg_catalog.=) p.oid
						  AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
						  AND d.deptype OPERATOR(pg_catalog.=) 'e');
	IF found IS NOT NULL THEN
		RAISE EXCEPTION 'schema modelgov holds functions that are not modelgov''s: %', found
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'A function beside modelgov''s own can take the place of one of them in a call.',
				  HINT = 'Drop or move those functions, then update again.';
	END IF;
	IF EXISTS (SELECT 1 FROM pg_catalog.pg_default_acl d
				WHERE d.defaclrole OPERATOR(pg_catalog.=) me AND d.defaclnamespace OPERATOR(pg_catalog.=) ANY (ARRAY[0, nsp.oid])) THEN
		RAISE EXCEPTION 'role % has default privileges that would apply to modelgov''s objects', current_user
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'ALTER DEFAULT PRIVILEGES of the role running the update would grant or revoke rights on the objects it creates.',
				  HINT = 'Run ALTER EXTENSION modelgov UPDATE as a superuser without default privileges (see \ddp in psql).';
	END IF;
END
$$;

--
-- The internals move out of the API schema into modelgov_internal, and
-- lose their "_" prefix.
--
-- owned by the extension's owner from the start, as on a fresh install,
-- whoever runs the update (so are its initial privileges)
DO $$
BEGIN
	EXECUTE pg_catalog.format('CREATE SCHEMA modelgov_internal AUTHORIZATION %I',
							  (SELECT pg_catalog.pg_get_userbyid(e.extowner) FROM pg_catalog.pg_extension e
								WHERE e.extname OPERATOR(pg_catalog.=) 'modelgov'));
END
$$;
COMMENT ON SCHEMA modelgov_internal IS 'modelgov internals: helpers of the API, not an API';
REVOKE ALL ON SCHEMA modelgov_internal FROM PUBLIC;

ALTER FUNCTION modelgov._active_changed() SET SCHEMA modelgov_internal;
ALTER FUNCTION modelgov._active_since(modelgov.semver) SET SCHEMA modelgov_internal;
ALTER FUNCTION modelgov._actor() SET SCHEMA modelgov_internal;
ALTER FUNCTION modelgov._alert(modelgov.semver, date, text, float8, text, text) SET SCHEMA modelgov_internal;
ALTER FUNCTION modelgov._append_only_guard() SET SCHEMA modelgov_internal;
ALTER FUNCTION modelgov._audit(text, modelgov.semver, text, modelgov.change_type, text, jsonb) SET SCHEMA modelgov_internal;
ALTER FUNCTION modelgov._audit_canonical(modelgov.audit_log) SET SCHEMA modelgov_internal;
ALTER FUNCTION modelgov._audit_hash(modelgov.audit_log) SET SCHEMA modelgov_internal;
ALTER FUNCTION modelgov._changelog_value(jsonb) SET SCHEMA modelgov_internal;
ALTER FUNCTION modelgov._check_metrics(jsonb) SET SCHEMA modelgov_internal;
ALTER FUNCTION modelgov._config_changes(jsonb, jsonb) SET SCHEMA modelgov_internal;
ALTER FUNCTION modelgov._config_values(jsonb) SET SCHEMA modelgov_internal;
ALTER FUNCTION modelgov._decision_counts_add(bigint[], modelgov.decision) SET SCHEMA modelgov_internal;
ALTER FUNCTION modelgov._decision_counts_combine(bigint[], bigint[]) SET SCHEMA modelgov_internal;
ALTER FUNCTION modelgov._decision_counts_final(bigint[]) SET SCHEMA modelgov_internal;
ALTER FUNCTION modelgov._history(text, date) SET SCHEMA modelgov_internal;
ALTER FUNCTION modelgov._metric(jsonb, text) SET SCHEMA modelgov_internal;
ALTER FUNCTION modelgov._monitoring_setting(text) SET SCHEMA modelgov_internal;
ALTER FUNCTION modelgov._normalize_config(jsonb) SET SCHEMA modelgov_internal;
ALTER FUNCTION modelgov._pct(float8) SET SCHEMA modelgov_internal;
ALTER FUNCTION modelgov._promote(modelgov.versions, text, text, text, text, jsonb) SET SCHEMA modelgov_internal;
ALTER FUNCTION modelgov._proposal_for_update(text) SET SCHEMA modelgov_internal;
ALTER FUNCTION modelgov._proposal_frozen() SET SCHEMA modelgov_internal;
ALTER FUNCTION modelgov._release_items() SET SCHEMA modelgov_internal;
ALTER FUNCTION modelgov._require_admin(text) SET SCHEMA modelgov_internal;
ALTER FUNCTION modelgov._require_duty(modelgov.member_role, text) SET SCHEMA modelgov_internal;
ALTER FUNCTION modelgov._require_member(text) SET SCHEMA modelgov_internal;
ALTER FUNCTION modelgov._require_version(modelgov.semver) SET SCHEMA modelgov_internal;
ALTER FUNCTION modelgov._rollback(text, modelgov.semver, text) SET SCHEMA modelgov_internal;
ALTER FUNCTION modelgov._utc_text(timestamptz) SET SCHEMA modelgov_internal;
ALTER FUNCTION modelgov._version_frozen() SET SCHEMA modelgov_internal;
ALTER FUNCTION modelgov._wrong_state(text, modelgov.proposals, text) SET SCHEMA modelgov_internal;

ALTER FUNCTION modelgov_internal._active_changed() RENAME TO active_changed;
ALTER FUNCTION modelgov_internal._active_since(modelgov.semver) RENAME TO active_since;
ALTER FUNCTION modelgov_internal._actor() RENAME TO actor;
ALTER FUNCTION modelgov_internal._alert(modelgov.semver, date, text, float8, text, text) RENAME TO alert;
ALTER FUNCTION modelgov_internal._append_only_guard() RENAME TO append_only_guard;
ALTER FUNCTION modelgov_internal._audit(text, modelgov.semver, text, modelgov.change_type, text, jsonb) RENAME TO audit;
ALTER FUNCTION modelgov_internal._audit_canonical(modelgov.audit_log) RENAME TO audit_canonical;
ALTER FUNCTION modelgov_internal._audit_hash(modelgov.audit_log) RENAME TO audit_hash;
ALTER FUNCTION modelgov_internal._changelog_value(jsonb) RENAME TO changelog_value;
ALTER FUNCTION modelgov_internal._check_metrics(jsonb) RENAME TO check_metrics;
ALTER FUNCTION modelgov_internal._config_changes(jsonb, jsonb) RENAME TO config_changes;
ALTER FUNCTION modelgov_internal._config_values(jsonb) RENAME TO config_values;
ALTER FUNCTION modelgov_internal._decision_counts_add(bigint[], modelgov.decision) RENAME TO decision_counts_add;
ALTER FUNCTION modelgov_internal._decision_counts_combine(bigint[], bigint[]) RENAME TO decision_counts_combine;
ALTER FUNCTION modelgov_internal._decision_counts_final(bigint[]) RENAME TO decision_counts_final;
ALTER FUNCTION modelgov_internal._history(text, date) RENAME TO history;
ALTER FUNCTION modelgov_internal._metric(jsonb, text) RENAME TO metric;
ALTER FUNCTION modelgov_internal._monitoring_setting(text) RENAME TO monitoring_setting;
ALTER FUNCTION modelgov_internal._normalize_config(jsonb) RENAME TO normalize_config;
ALTER FUNCTION modelgov_internal._pct(float8) RENAME TO pct;
ALTER FUNCTION modelgov_internal._promote(modelgov.versions, text, text, text, text, jsonb) RENAME TO promote;
ALTER FUNCTION modelgov_internal._proposal_for_update(text) RENAME TO proposal_for_update;
ALTER FUNCTION modelgov_internal._proposal_frozen() RENAME TO proposal_frozen;
ALTER FUNCTION modelgov_internal._release_items() RENAME TO release_items;
ALTER FUNCTION modelgov_internal._require_admin(text) RENAME TO require_admin;
ALTER FUNCTION modelgov_internal._require_duty(modelgov.member_role, text) RENAME TO require_duty;
ALTER FUNCTION modelgov_internal._require_member(text) RENAME TO require_member;
ALTER FUNCTION modelgov_internal._require_version(modelgov.semver) RENAME TO require_version;
ALTER FUNCTION modelgov_internal._rollback(text, modelgov.semver, text) RENAME TO rollback;
ALTER FUNCTION modelgov_internal._utc_text(timestamptz) RENAME TO utc_text;
ALTER FUNCTION modelgov_internal._version_frozen() RENAME TO version_frozen;
ALTER FUNCTION modelgov_internal._wrong_state(text, modelgov.proposals, text) RENAME TO wrong_state;

--
-- The C configuration parser is the one gate for configurations: the
-- PL/pgSQL checks are gone, normalize_config becomes C (below).
--
DROP FUNCTION modelgov._config_error(text, text);
DROP FUNCTION modelgov._config_number(jsonb, text, float8, float8);

--
-- The audit log and the release history share one append-only guard.
--
DROP TRIGGER audit_log_append_only ON modelgov.audit_log;
DROP TRIGGER audit_log_no_truncate ON modelgov.audit_log;
DROP FUNCTION modelgov._audit_log_guard();

--
-- An approval counts while its member holds the role: a role whose approver
-- was removed can be approved again, by another member.
--
ALTER TABLE modelgov.approvals DROP CONSTRAINT approvals_pkey;
ALTER TABLE modelgov.approvals ADD PRIMARY KEY (proposal_id, as_role, member);
COMMENT ON TABLE modelgov.approvals IS
	'committee approvals, each by a different member; one counts while its member holds its role';

--
-- cache_stats() reports evictions and the bytes the cache holds: two more
-- OUT parameters, so it is made again.
--
DROP FUNCTION modelgov.cache_stats();

--
-- A membership belongs to the role it was given to, not to the name: a
-- role dropped and created again under that name is not a member.  A
-- membership whose role no longer exists gets the invalid OID 0 (shown as
-- "-"): it counts for nobody, and remove_stale_members() removes it.
--
ALTER TABLE modelgov.members ADD COLUMN role_id pg_catalog.regrole;
UPDATE modelgov.members m
   SET role_id = COALESCE((SELECT r.oid FROM pg_catalog.pg_roles r
							WHERE r.rolname OPERATOR(pg_catalog.=) m.role_name), 0)::pg_catalog.regrole;
ALTER TABLE modelgov.members ALTER COLUMN role_id SET NOT NULL;
COMMENT ON COLUMN modelgov.members.role_id IS
	'the role the membership was given to; a membership whose role was dropped (or renamed) is stale and counts for nobody';

--
-- Many models (0.2.0): the registry, duties per model, and a model column
-- in every table keyed by a version.  A 0.1.0 database governs one model:
-- it becomes the model named "default", and its members keep their duties
-- for every model.
--
CREATE TABLE modelgov.models (
	name			text PRIMARY KEY
					CHECK (name OPERATOR(pg_catalog.~) '^[a-z][a-z0-9_]{0,62}$'),
	description		text,
	created_at		timestamptz NOT NULL,
	created_by		text NOT NULL,
	retired_at		timestamptz,
	retired_by		text,
	retired_reason	text,
	CHECK ((retired_at IS NULL) OPERATOR(pg_catalog.=) (retired_reason IS NULL))
);
COMMENT ON TABLE modelgov.models IS
	'the models this database governs; a retired model keeps its history and takes no new proposals';
COMMENT ON COLUMN modelgov.models.name IS
	'an identifier: a lower-case letter, then up to 62 lower-case letters, digits or underscores';
SELECT pg_catalog.pg_extension_config_dump('modelgov.models', '');
GRANT SELECT ON modelgov.models TO PUBLIC;

-- the model of an initialized 0.1.0 database, created when its first
-- version was, by whoever ran init_model
INSERT INTO modelgov.models (name, created_at, created_by)
SELECT 'default', v.created_at,
	   COALESCE((SELECT a.actor FROM modelgov.audit_log a
				  WHERE a.event_type OPERATOR(pg_catalog.=) 'init' ORDER BY a.seq LIMIT 1), pg_catalog.current_user())
  FROM modelgov.versions v
 ORDER BY v.created_at LIMIT 1;

CREATE TABLE modelgov.duties (
	role_name		text NOT NULL REFERENCES modelgov.members ON DELETE CASCADE,
	duty			modelgov.member_role NOT NULL,
	model			text NOT NULL REFERENCES modelgov.models,
	granted_at		timestamptz NOT NULL,
	granted_by		text NOT NULL,
	PRIMARY KEY (role_name, duty, model)
);
COMMENT ON TABLE modelgov.duties IS
	'the duties members hold for one model (modelgov.members.roles holds those for every model)';
SELECT pg_catalog.pg_extension_config_dump('modelgov.duties', '');
COMMENT ON TABLE modelgov.members IS
	'database roles that take part in governance, with their e-mail identity and the duties they hold for every model';
COMMENT ON COLUMN modelgov.members.roles IS
	'the duties the member holds for every model (modelgov.duties holds those for one model)';

-- the keys that name a version become (model, version): the foreign keys
-- that point at versions go first
ALTER TABLE modelgov.environments DROP CONSTRAINT environments_version_fkey;
ALTER TABLE modelgov.deployments DROP CONSTRAINT deployments_version_fkey;
ALTER TABLE modelgov.deployments DROP CONSTRAINT deployments_from_version_fkey;
ALTER TABLE modelgov.smoke_tests DROP CONSTRAINT smoke_tests_version_fkey;
ALTER TABLE modelgov.daily_metrics DROP CONSTRAINT daily_metrics_version_fkey;
ALTER TABLE modelgov.release_attestations DROP CONSTRAINT release_attestations_version_fkey;
ALTER TABLE modelgov.releases DROP CONSTRAINT releases_version_fkey;

ALTER TABLE modelgov.proposals ADD COLUMN model text;
UPDATE modelgov.proposals SET model = 'default';
ALTER TABLE modelgov.proposals ALTER COLUMN model SET NOT NULL,
	ADD FOREIGN KEY (model) REFERENCES modelgov.models;
CREATE INDEX ON modelgov.proposals (model, status);
COMMENT ON TABLE modelgov.proposals IS
	'proposed changes to a model, from proposal to deployment, rejection or withdrawal';

ALTER TABLE modelgov.reviews ADD COLUMN model text;
UPDATE modelgov.reviews SET model = 'default';
ALTER TABLE modelgov.reviews ALTER COLUMN model SET NOT NULL,
	ADD FOREIGN KEY (model) REFERENCES modelgov.models;

ALTER TABLE modelgov.approvals ADD COLUMN model text;
UPDATE modelgov.approvals SET model = 'default';
ALTER TABLE modelgov.approvals ALTER COLUMN model SET NOT NULL,
	ADD FOREIGN KEY (model) REFERENCES modelgov.models;

ALTER TABLE modelgov.versions ADD COLUMN model text;
UPDATE modelgov.versions SET model = 'default';
ALTER TABLE modelgov.versions ALTER COLUMN model SET NOT NULL,
	ADD FOREIGN KEY (model) REFERENCES modelgov.models,
	DROP CONSTRAINT versions_pkey,
	ADD PRIMARY KEY (model, version);
DROP INDEX modelgov.versions_one_active;
CREATE UNIQUE INDEX versions_one_active ON modelgov.versions (model)
	WHERE status OPERATOR(pg_catalog.=) 'active';
COMMENT ON TABLE modelgov.versions IS
	'every version of every model, its frozen configuration and its state';

ALTER TABLE modelgov.environments ADD COLUMN model text;
UPDATE modelgov.environments SET model = 'default';
ALTER TABLE modelgov.environments ALTER COLUMN model SET NOT NULL,
	ADD FOREIGN KEY (model) REFERENCES modelgov.models,
	DROP CONSTRAINT environments_pkey,
	ADD PRIMARY KEY (model, env),
	ADD FOREIGN KEY (model, version) REFERENCES modelgov.versions (model, version);
COMMENT ON TABLE modelgov.environments IS 'the version each environment of each model runs now';

ALTER TABLE modelgov.deployments ADD COLUMN model text;
UPDATE modelgov.deployments SET model = 'default';
ALTER TABLE modelgov.deployments ALTER COLUMN model SET NOT NULL,
	ADD FOREIGN KEY (model) REFERENCES modelgov.models,
	ADD FOREIGN KEY (model, version) REFERENCES modelgov.versions (model, version),
	ADD FOREIGN KEY (model, from_version) REFERENCES modelgov.versions (model, version);
CREATE INDEX ON modelgov.deployments (model, env, id);

ALTER TABLE modelgov.smoke_tests ADD COLUMN model text;
UPDATE modelgov.smoke_tests SET model = 'default';
ALTER TABLE modelgov.smoke_tests ALTER COLUMN model SET NOT NULL,
	ADD FOREIGN KEY (model) REFERENCES modelgov.models,
	ADD FOREIGN KEY (model, version) REFERENCES modelgov.versions (model, version);

ALTER TABLE modelgov.daily_metrics ADD COLUMN model text;
UPDATE modelgov.daily_metrics SET model = 'default';
ALTER TABLE modelgov.daily_metrics ALTER COLUMN model SET NOT NULL,
	ADD FOREIGN KEY (model) REFERENCES modelgov.models,
	DROP CONSTRAINT daily_metrics_pkey,
	ADD PRIMARY KEY (model, version, day, revision),
	ADD FOREIGN KEY (model, version) REFERENCES modelgov.versions (model, version);
COMMENT ON TABLE modelgov.daily_metrics IS
	'daily production metrics per model and version; corrections are later revisions with a reason';

-- releases and attestations are append-only: their guards step aside for
-- the one update that names the model of their rows
ALTER TABLE modelgov.release_attestations DISABLE TRIGGER release_attestations_append_only;
ALTER TABLE modelgov.release_attestations ADD COLUMN model text;
UPDATE modelgov.release_attestations SET model = 'default';
ALTER TABLE modelgov.release_attestations ALTER COLUMN model SET NOT NULL,
	ADD FOREIGN KEY (model) REFERENCES modelgov.models,
	ADD FOREIGN KEY (model, version) REFERENCES modelgov.versions (model, version);
ALTER TABLE modelgov.release_attestations ENABLE ALWAYS TRIGGER release_attestations_append_only;
DROP INDEX modelgov.release_attestations_version_item_id_idx;
CREATE INDEX ON modelgov.release_attestations (model, version, item, id);

ALTER TABLE modelgov.releases DISABLE TRIGGER releases_append_only;
ALTER TABLE modelgov.releases ADD COLUMN model text;
UPDATE modelgov.releases SET model = 'default';
ALTER TABLE modelgov.releases ALTER COLUMN model SET NOT NULL,
	ADD FOREIGN KEY (model) REFERENCES modelgov.models,
	DROP CONSTRAINT releases_pkey,
	ADD PRIMARY KEY (model, version),
	ADD FOREIGN KEY (model, version) REFERENCES modelgov.versions (model, version);
ALTER TABLE modelgov.releases ENABLE ALWAYS TRIGGER releases_append_only;

-- The audit log names the model of each entry.  The entries 0.1.0 wrote
-- keep their hashes: their encoding, 1, does not cover the model, which
-- is filled in for every event about the model (its guards are dropped
-- above and made again below).
ALTER TABLE modelgov.audit_log
	ADD COLUMN encoding smallint NOT NULL DEFAULT 1 CHECK (encoding OPERATOR(pg_catalog.=) ANY (ARRAY[1, 2])),
	ADD COLUMN model text;
ALTER TABLE modelgov.audit_log ALTER COLUMN encoding SET DEFAULT 2;
UPDATE modelgov.audit_log a SET model = 'default'
 WHERE a.event_type OPERATOR(pg_catalog.<>) ALL (ARRAY['member_added', 'member_changed', 'member_removed',
												 'policy_changed', 'monitoring_policy_changed']);
COMMENT ON COLUMN modelgov.audit_log.encoding IS
	'the canonical encoding the hash covers: 1 for entries written by modelgov 0.1.0 (without the model), 2 from 0.2.0';
COMMENT ON COLUMN modelgov.audit_log.model IS
	'the model the event is about; NULL for database-wide events (members, duties, policies)';

-- the monitoring policy has three more settings (0.2.0: the baseline of the
-- rollback trigger and the due date of a root-cause analysis)
ALTER TABLE modelgov.monitoring_settings DROP CONSTRAINT monitoring_settings_name_check,
	ADD CONSTRAINT monitoring_settings_name_check
		CHECK (name OPERATOR(pg_catalog.=) ANY (ARRAY['rate_tolerance', 'error_rate_max',
													 'feature_availability_min', 'latency_p99_max_ms',
													 'sigma', 'monitoring_days', 'baseline_days',
													 'baseline_min_days', 'rca_due_days']));

-- an identity may be "automation", the process's name for an account no
-- person acts through
ALTER TABLE modelgov.members DROP CONSTRAINT members_identity_check,
	ADD CONSTRAINT members_identity_check
		CHECK (identity OPERATOR(pg_catalog.~) '^[^@[:space:]]+@[^@[:space:]]+$'
			   OR identity OPERATOR(pg_catalog.=) 'automation');
COMMENT ON TABLE modelgov.members IS
	'database roles that take part in governance, with their identity (an e-mail address, or automation for an account no person acts through) and the duties they hold for every model';

-- a release freezes the version's section of the changelog; releases made
-- before keep NULL and changelog() writes theirs as it reads now
ALTER TABLE modelgov.releases ADD COLUMN changelog text;
COMMENT ON COLUMN modelgov.releases.changelog IS
	'the version''s section of the changelog, frozen at the release (NULL for a release made before 0.2.0: changelog() writes it as it reads now)';

-- internals whose arguments changed, and the views (made again below)
DROP FUNCTION modelgov_internal.require_duty(modelgov.member_role, text);
DROP FUNCTION modelgov_internal.audit(text, modelgov.semver, text, modelgov.change_type, text, jsonb);
DROP FUNCTION modelgov_internal.require_version(modelgov.semver);
DROP FUNCTION modelgov_internal.rollback(text, modelgov.semver, text);
DROP FUNCTION modelgov_internal.active_since(modelgov.semver);
DROP FUNCTION modelgov_internal.history(text, date);
DROP FUNCTION modelgov_internal.alert(modelgov.semver, date, text, float8, text, text);
DROP FUNCTION modelgov_internal.promote(modelgov.versions, text, text, text, text, jsonb);
-- What an administrator granted or revoked on the views stays: their
-- privileges are kept here and given back to the views made again, last
-- of all (the setting lasts until the update's transaction ends).
SELECT pg_catalog.set_config('modelgov_update.view_acls',
							 (SELECT pg_catalog.jsonb_object_agg(c.relname, c.relacl::text)::text
								FROM pg_catalog.pg_class c
							   WHERE c.relnamespace OPERATOR(pg_catalog.=) 'modelgov'::pg_catalog.regnamespace
								 AND c.relkind OPERATOR(pg_catalog.=) 'v' AND c.relacl IS NOT NULL),
							 true);
DROP VIEW modelgov.version_history;
DROP VIEW modelgov.metrics;
DROP VIEW modelgov.monitoring_policy;
DROP VIEW modelgov.bump_policy;

-- The governance calls that now return where a proposal stands (text,
-- not void), and take their enum arguments as text (so that a typo lists
-- the labels), are made again: what was granted on them stays, given back
-- last of all like the views' privileges (each name has one function).
SELECT pg_catalog.set_config('modelgov_update.function_acls',
							 (SELECT pg_catalog.jsonb_object_agg(p.proname, p.proacl::text)::text
								FROM pg_catalog.pg_proc p
							   WHERE p.oid OPERATOR(pg_catalog.=) ANY (ARRAY[
										 'modelgov.review(text, jsonb, boolean, text)'::pg_catalog.regprocedure,
										 'modelgov.approve(text, modelgov.member_role, timestamptz)'::pg_catalog.regprocedure,
										 'modelgov.reject(text, text)'::pg_catalog.regprocedure,
										 'modelgov.withdraw(text, text)'::pg_catalog.regprocedure,
										 'modelgov.deploy(text, modelgov.environment)'::pg_catalog.regprocedure,
										 'modelgov.add_member(regrole, text, modelgov.member_role[])'::pg_catalog.regprocedure])
								 AND p.proacl IS NOT NULL),
							 true);
DROP FUNCTION modelgov.review(text, jsonb, boolean, text);
DROP FUNCTION modelgov.approve(text, modelgov.member_role, timestamptz);
DROP FUNCTION modelgov.reject(text, text);
DROP FUNCTION modelgov.withdraw(text, text);
DROP FUNCTION modelgov.add_member(regrole, text, modelgov.member_role[]);

-- @functions@

-- @views@

GRANT SELECT ON modelgov.bump_policy, modelgov.metrics, modelgov.version_history, modelgov.monitoring_policy,
	modelgov.inventory, modelgov.open_work, modelgov.my_work, modelgov.alerts TO PUBLIC;
REVOKE ALL ON FUNCTION modelgov.acknowledge(bigint, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.propose_thresholds(text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.create_publication(name, boolean) FROM PUBLIC;

-- logical replication (sql/replication.sql): the guard of a subscriber on
-- every table, the scoring caches woken by the apply worker, and the bump
-- policy history published without the rows every install writes
SELECT modelgov_internal.add_subscriber_guards();
CREATE TRIGGER replica_changed AFTER INSERT OR UPDATE OR DELETE ON modelgov.environments
	FOR EACH ROW EXECUTE FUNCTION modelgov_internal.replica_changed();
CREATE TRIGGER replica_changed AFTER INSERT OR UPDATE OR DELETE ON modelgov.versions
	FOR EACH ROW EXECUTE FUNCTION modelgov_internal.replica_changed();
CREATE TRIGGER replica_changed AFTER INSERT OR UPDATE OR DELETE ON modelgov.models
	FOR EACH ROW EXECUTE FUNCTION modelgov_internal.replica_changed();
ALTER TABLE modelgov.environments ENABLE REPLICA TRIGGER replica_changed;
ALTER TABLE modelgov.versions ENABLE REPLICA TRIGGER replica_changed;
ALTER TABLE modelgov.models ENABLE REPLICA TRIGGER replica_changed;
ALTER TABLE modelgov.bump_policy_history REPLICA IDENTITY FULL;
REVOKE ALL ON FUNCTION modelgov.create_model(text, jsonb, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.retire_model(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.grant_duty(regrole, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.revoke_duty(regrole, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.propose(text, modelgov.change_type, text, jsonb, jsonb, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.record_smoke_test(text, modelgov.semver, boolean, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.rollback(text, text, modelgov.semver) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.record_metrics(text, modelgov.semver, date, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.correct_metrics(text, modelgov.semver, date, jsonb, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.monitor(text, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.attest(text, modelgov.semver, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.release(text, modelgov.semver) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.rebase(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.review(text, jsonb, boolean, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.approve(text, text, timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.approve(text, modelgov.member_role, timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.deploy(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.add_member(regrole, text, modelgov.member_role[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.reject(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.withdraw(text, text) FROM PUBLIC;

REVOKE ALL ON FUNCTION modelgov.remove_stale_members() FROM PUBLIC;


--
-- What runs in staging or production can be scored.  0.1.0 let some
-- configurations through that its compiler refused (1,001 safety rules,
-- a weight of more than 400 digits, over 16 MB); such a version cannot be
-- kept staged or active.
--
DO $$
DECLARE
	bad text;
BEGIN
	SELECT pg_catalog.string_agg(v.version::text || ' (' || v.status || ')', ', ' ORDER BY v.created_at)
	  INTO bad
	  FROM modelgov.versions v
	 WHERE v.status OPERATOR(pg_catalog.=) ANY (ARRAY['staged', 'active'])
	   AND NOT modelgov_internal.config_compiles(v.config);
	IF bad IS NOT NULL THEN
		RAISE EXCEPTION 'cannot update modelgov to 0.2.0: version % cannot be compiled', bad
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'Scoring has failed since that version was deployed: its configuration is one the 0.1.0 compiler refuses.',
				  HINT = 'Deploy a version that compiles to production and to staging (the 0.1.0 process still works: propose a change, or roll back), then update again.';
	END IF;
END
$$;
ALTER TABLE modelgov.versions ADD CONSTRAINT versions_config_compiles
	CHECK (status OPERATOR(pg_catalog.<>) ALL (ARRAY['staged', 'active'])
		   OR modelgov_internal.config_compiles(config));

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON modelgov.audit_log
	FOR EACH ROW EXECUTE FUNCTION modelgov_internal.append_only_guard();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON modelgov.audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION modelgov_internal.append_only_guard();
ALTER TABLE modelgov.audit_log ENABLE ALWAYS TRIGGER audit_log_append_only;
ALTER TABLE modelgov.audit_log ENABLE ALWAYS TRIGGER audit_log_no_truncate;

--
-- Owners and privileges, last.
--
-- The functions the update created belong to the extension's owner, as on a
-- fresh install, whoever runs the update: the owner's SECURITY DEFINER functions
-- call them.
DO $$
DECLARE
	owner name := (SELECT pg_catalog.pg_get_userbyid(e.extowner)
					 FROM pg_catalog.pg_extension e WHERE e.extname OPERATOR(pg_catalog.=) 'modelgov');
	r record;
BEGIN
	FOR r IN SELECT p.oid::pg_catalog.regprocedure AS fn, p.prokind
			   FROM pg_catalog.pg_proc p
			  WHERE p.pronamespace OPERATOR(pg_catalog.=) ANY (ARRAY['modelgov'::pg_catalog.regnamespace,
												'modelgov_internal'::pg_catalog.regnamespace])
				AND p.proowner OPERATOR(pg_catalog.<>) (SELECT e.extowner FROM pg_catalog.pg_extension e WHERE e.extname OPERATOR(pg_catalog.=) 'modelgov')
	LOOP
		EXECUTE pg_catalog.format('ALTER %s %s OWNER TO %I',
								  CASE WHEN r.prokind OPERATOR(pg_catalog.=) 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END, r.fn, owner);
	END LOOP;
END
$$;

-- So do the tables and views it created (models, duties, the views made
-- again): the owner's SECURITY DEFINER functions write and read them.
DO $$
DECLARE
	owner name := (SELECT pg_catalog.pg_get_userbyid(e.extowner)
					 FROM pg_catalog.pg_extension e WHERE e.extname OPERATOR(pg_catalog.=) 'modelgov');
	r record;
BEGIN
	FOR r IN SELECT c.oid::pg_catalog.regclass AS rel, c.relkind
			   FROM pg_catalog.pg_class c
			  WHERE c.relnamespace OPERATOR(pg_catalog.=) 'modelgov'::pg_catalog.regnamespace
				AND c.relkind OPERATOR(pg_catalog.=) ANY (ARRAY['r', 'v', 'S'])
				AND c.relowner OPERATOR(pg_catalog.<>) (SELECT e.extowner FROM pg_catalog.pg_extension e
														 WHERE e.extname OPERATOR(pg_catalog.=) 'modelgov')
	LOOP
		EXECUTE pg_catalog.format('ALTER %s %s OWNER TO %I',
								  CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,
								  r.rel, owner);
	END LOOP;
END
$$;

-- The views and functions made again get back the privileges they had.  Written to the
-- catalog, not with GRANT: a GRANT in an update script would make them the
-- views' initial privileges, which pg_dump leaves out.
DO $$
DECLARE
	r record;
BEGIN
	FOR r IN SELECT j.key, j.value
			   FROM pg_catalog.jsonb_each_text(COALESCE(NULLIF(pg_catalog.current_setting('modelgov_update.view_acls', true), ''),
														'{}')::pg_catalog.jsonb) j LOOP
		UPDATE pg_catalog.pg_class c SET relacl = r.value::pg_catalog.aclitem[]
		 WHERE c.relnamespace OPERATOR(pg_catalog.=) 'modelgov'::pg_catalog.regnamespace
		   AND c.relname OPERATOR(pg_catalog.=) r.key AND c.relkind OPERATOR(pg_catalog.=) 'v';
	END LOOP;
	FOR r IN SELECT j.key, j.value
			   FROM pg_catalog.jsonb_each_text(COALESCE(NULLIF(pg_catalog.current_setting('modelgov_update.function_acls', true), ''),
														'{}')::pg_catalog.jsonb) j LOOP
		UPDATE pg_catalog.pg_proc p SET proacl = r.value::pg_catalog.aclitem[]
		 WHERE p.pronamespace OPERATOR(pg_catalog.=) 'modelgov'::pg_catalog.regnamespace
		   AND p.proname OPERATOR(pg_catalog.=) r.key;
	END LOOP;
END
$$;

-- In 0.1.0 the internals were in the API schema, so a grant of EXECUTE ON
-- ALL FUNCTIONS IN SCHEMA modelgov reached them too: nobody but the owner
-- keeps any right on them (CASCADE: also what was granted on from a grant
-- option).  No privilege of the API functions is touched: the grants the
-- administrator made stay, and stay in dumps.
DO $$
DECLARE
	r record;
BEGIN
	FOR r IN SELECT DISTINCT p.oid::pg_catalog.regprocedure AS fn, x.grantee
			   FROM pg_catalog.pg_proc p, pg_catalog.aclexplode(p.proacl) x
			  WHERE p.pronamespace OPERATOR(pg_catalog.=) 'modelgov_internal'::pg_catalog.regnamespace
				AND x.grantee OPERATOR(pg_catalog.<>) p.proowner AND x.grantee OPERATOR(pg_catalog.<>) 0
	LOOP
		EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION %s FROM %I CASCADE', r.fn,
								  pg_catalog.pg_get_userbyid(r.grantee));
	END LOOP;
END
$$;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA modelgov_internal FROM PUBLIC;
