--
-- Bump policy: the least version bump each change type requires
--

CREATE TYPE modelgov.change_type AS ENUM (
	'weights_update',
	'threshold_change',
	'bias_update',
	'feature_addition',
	'feature_removal',
	'feature_modification',
	'calibration_update',
	'safety_rule_change',
	'bug_fix',
	'performance_fix'
);
COMMENT ON TYPE modelgov.change_type IS
	'category of a model change, as in the governance process';

-- The policy is kept as a history.  The rows the install script writes are
-- the defaults (set_by IS NULL); every later change is a new row, and the
-- latest row for a change type is the policy in force.  Only changed rows
-- are dumped, so CREATE EXTENSION on restore writes the defaults again and
-- the dump adds the changes after them, without key conflicts.
--

CREATE SEQUENCE modelgov.bump_policy_history_id_seq;

CREATE TABLE modelgov.bump_policy_history (
	id			bigint PRIMARY KEY
				DEFAULT nextval('modelgov.bump_policy_history_id_seq'),
	change_type	modelgov.change_type NOT NULL,
	bump		modelgov.bump_level NOT NULL,
	set_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	set_by		text
);
ALTER SEQUENCE modelgov.bump_policy_history_id_seq
	OWNED BY modelgov.bump_policy_history.id;
CREATE INDEX ON modelgov.bump_policy_history (change_type, id);

COMMENT ON TABLE modelgov.bump_policy_history IS
	'every bump policy ever in force; the latest row per change type applies';
COMMENT ON COLUMN modelgov.bump_policy_history.set_by IS
	'role that set this policy; NULL for the defaults of the install script';

INSERT INTO modelgov.bump_policy_history (change_type, bump, set_at) VALUES
	('weights_update', 'minor', '-infinity'),
	('threshold_change', 'patch', '-infinity'),
	('bias_update', 'patch', '-infinity'),
	('feature_addition', 'minor', '-infinity'),
	('feature_removal', 'major', '-infinity'),
	('feature_modification', 'major', '-infinity'),
	('calibration_update', 'patch', '-infinity'),
	('safety_rule_change', 'minor', '-infinity'),
	('bug_fix', 'patch', '-infinity'),
	('performance_fix', 'patch', '-infinity');

SELECT pg_catalog.pg_extension_config_dump('modelgov.bump_policy_history',
										   'WHERE set_by IS NOT NULL');
SELECT pg_catalog.pg_extension_config_dump('modelgov.bump_policy_history_id_seq', '');

CREATE VIEW modelgov.bump_policy AS
	SELECT DISTINCT ON (h.change_type)
		   h.change_type, h.bump, h.set_by IS NULL AS is_default, h.set_at, h.set_by
	  FROM modelgov.bump_policy_history h
	 ORDER BY h.change_type, h.id DESC;
COMMENT ON VIEW modelgov.bump_policy IS
	'the bump each change type requires now';

CREATE FUNCTION modelgov.required_bump(change_type modelgov.change_type)
	RETURNS modelgov.bump_level
	LANGUAGE sql STABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT h.bump FROM modelgov.bump_policy_history h
	 WHERE h.change_type = required_bump.change_type
	 ORDER BY h.id DESC LIMIT 1
$$;
COMMENT ON FUNCTION modelgov.required_bump(modelgov.change_type) IS
	'least version bump the current policy requires for a change type';

CREATE FUNCTION modelgov_internal.set_bump_policy(change_type modelgov.change_type,
										 bump modelgov.bump_level)
	RETURNS void
	LANGUAGE plpgsql VOLATILE STRICT SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	old modelgov.bump_level;
BEGIN
	PERFORM modelgov_internal.require_admin('set the bump policy');
	-- One policy change at a time, in order.  Every call is recorded, also
	-- one that restates the policy in force: under REPEATABLE READ the
	-- policy this transaction sees may already be out of date, and the
	-- audit append below then fails with a retryable 40001 rather than a
	-- change being skipped.
	LOCK TABLE modelgov.bump_policy_history IN SHARE ROW EXCLUSIVE MODE;
	old := modelgov.required_bump(change_type);
	INSERT INTO modelgov.bump_policy_history (change_type, bump, set_at, set_by)
		VALUES (set_bump_policy.change_type, set_bump_policy.bump,
				modelgov.clock_now(), modelgov_internal.actor());
	PERFORM modelgov_internal.audit('policy_changed', change_type => set_bump_policy.change_type,
							details => jsonb_build_object(
								'old_values', jsonb_build_object('bump', old),
								'new_values', jsonb_build_object('bump', bump)));
END
$$;
CREATE FUNCTION modelgov.set_bump_policy(change_type modelgov.change_type,
										 bump modelgov.bump_level)
	RETURNS void
	AS 'MODULE_PATHNAME', 'mg_governance_call'
	LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION modelgov_internal.set_bump_policy(modelgov.change_type, modelgov.bump_level) IS
	'internal: the body of modelgov.set_bump_policy, which runs it for the role that acts (src/governance.c)';
COMMENT ON FUNCTION modelgov.set_bump_policy(modelgov.change_type, modelgov.bump_level) IS
	'change the bump a change type requires (administrators only)';
REVOKE ALL ON FUNCTION modelgov.set_bump_policy(modelgov.change_type, modelgov.bump_level) FROM PUBLIC;
GRANT SELECT ON modelgov.bump_policy, modelgov.bump_policy_history TO PUBLIC;
COMMENT ON SEQUENCE modelgov.bump_policy_history_id_seq IS 'ids of bump policy rows';
