--
-- The model registry: the models a database governs, and the duties of
-- members per model
--
-- A model is the unit of governance: versions, environments, proposals,
-- metrics and releases belong to one.  Its name is an identifier, so it
-- fits in messages and channel names.  The functions that create and retire
-- models (models.sql) come after the tables they write.
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

/*
 * Duties held for one model.  A member holds a duty for every model in
 * modelgov.members.roles (as in 0.1.0), and for one model here.  A model's
 * committee is whoever holds each duty for it.  Like members, the table is
 * not readable by everybody; modelgov.inventory shows the holders.
 */
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

/* The models by name, for messages: "a, b, c", or "(none)". */
CREATE FUNCTION modelgov_internal.model_list(scorable_only boolean DEFAULT false) RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT COALESCE(string_agg(m.name, ', ' ORDER BY m.name), '(none)')
	  FROM modelgov.models m
	 WHERE NOT scorable_only OR m.retired_at IS NULL
$$;
COMMENT ON FUNCTION modelgov_internal.model_list(boolean) IS
	'internal: the names of the models (only those not retired when asked), for messages';

/*
 * The model a call names, or 42704.  for_change: the call changes the
 * model's record, which a retired model refuses (55000).
 */
CREATE FUNCTION modelgov_internal.require_model(name text, for_change boolean DEFAULT true)
	RETURNS modelgov.models
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	m modelgov.models;
BEGIN
	IF name IS NULL THEN
		RAISE EXCEPTION 'model must not be null' USING ERRCODE = 'null_value_not_allowed',
			HINT = format('The models are: %s.', modelgov_internal.model_list());
	END IF;
	SELECT * INTO m FROM modelgov.models x WHERE x.name = require_model.name;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'model "%" does not exist', modelgov_internal.excerpt(name)
			USING ERRCODE = 'undefined_object',
				  DETAIL = CASE WHEN name = ANY (ARRAY['staging', 'production'])
								THEN format('%s is an environment; since modelgov 0.2.0 the calls that start from a model take its name first, as in modelgov.active_version(''<model>'', ''%s'').', name, name)
								WHEN modelgov.is_semver(name)
								THEN format('%s is a version; since modelgov 0.2.0 the calls that start from a model take its name first: name the model before the version (''%s'', ''%s''), or type the version in a call without a model (''%s''::modelgov.semver).',
											name, COALESCE((SELECT min(x.name) FROM modelgov.models x HAVING count(*) = 1), '<model>'),
											name, name)
								ELSE 'Since modelgov 0.2.0 the calls that start from a model take its name first.' END,
				  HINT = CASE WHEN NOT EXISTS (SELECT 1 FROM modelgov.models)
							  THEN 'An administrator creates one with modelgov.create_model().'
							  ELSE format('The models are: %s.', modelgov_internal.model_list()) END;
	END IF;
	IF for_change AND m.retired_at IS NOT NULL THEN
		RAISE EXCEPTION 'model "%" is retired', m.name
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = format('It was retired at %s: %s', m.retired_at, m.retired_reason),
				  HINT = 'A retired model keeps its history; nothing changes it any more.';
	END IF;
	RETURN m;
END
$$;
COMMENT ON FUNCTION modelgov_internal.require_model(text, boolean) IS
	'internal: the model of that name, or 42704 (55000 when it is retired and the call changes it)';

/*
 * The model a call changes, locked against its retirement until the call's
 * transaction ends: retire_model locks the row for update, so one of the
 * two waits, and a call that waited sees the retirement (55000).  Every
 * call that writes into a model's record goes through here.
 */
CREATE FUNCTION modelgov_internal.lock_model(name text) RETURNS modelgov.models
	LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	PERFORM 1 FROM modelgov.models m WHERE m.name = lock_model.name FOR SHARE;
	RETURN modelgov_internal.require_model(name);
END
$$;
COMMENT ON FUNCTION modelgov_internal.lock_model(text) IS
	'internal: the model a call changes, locked against its retirement (42704 when unknown, 55000 when retired)';

/*
 * The one model of a database, for the 0.1.0 calls that name none: they
 * work while the database holds exactly one model.
 */
CREATE FUNCTION modelgov_internal.sole_model(call text) RETURNS text
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	n bigint;
	first text;
BEGIN
	SELECT count(*), COALESCE(min(m.name) FILTER (WHERE m.retired_at IS NULL), min(m.name))
	  INTO n, first FROM modelgov.models m;
	IF n = 1 THEN
		RETURN first;
	ELSIF n = 0 THEN
		RAISE EXCEPTION 'there is no model'
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'An administrator creates one with modelgov.create_model().';
	END IF;
	RAISE EXCEPTION 'modelgov.%() without a model name needs a database with one model', call
		USING ERRCODE = 'object_not_in_prerequisite_state',
			  DETAIL = format('This database holds %s models: %s.', n, modelgov_internal.model_list()),
			  HINT = format('Name the model as the first argument: modelgov.%s(''%s'', ...).', call, first);
END
$$;
COMMENT ON FUNCTION modelgov_internal.sole_model(text) IS
	'internal: the name of the database''s only model, for the 0.1.0 calls without one; 55000 otherwise';

/*
 * The label an argument names, or 22P02 listing the labels: the calls take
 * these arguments as text, so that a typo reaches here instead of the enum
 * type's own message, which lists nothing.
 */
CREATE FUNCTION modelgov_internal.enum_value(type regtype, value text, arg text) RETURNS text
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	IF value IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_enum e WHERE e.enumtypid = type AND e.enumlabel = value) THEN
		RAISE EXCEPTION 'invalid % "%"', arg, modelgov_internal.excerpt(value)
			USING ERRCODE = 'invalid_text_representation',
				  HINT = format('The values of %s are: %s.', arg,
								(SELECT string_agg(e.enumlabel, ', ' ORDER BY e.enumsortorder)
								   FROM pg_enum e WHERE e.enumtypid = type));
	END IF;
	RETURN value;
END
$$;
COMMENT ON FUNCTION modelgov_internal.enum_value(regtype, text, text) IS
	'internal: an argument that names a label of an enum type, or 22P02 listing its labels';

/* Whether a member holds a duty for a model (or for every model). */
CREATE FUNCTION modelgov_internal.holds(role_name text, duty modelgov.member_role, model text) RETURNS boolean
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT EXISTS (SELECT 1 FROM modelgov.members m
					WHERE m.role_name = holds.role_name AND holds.duty = ANY (m.roles))
		OR EXISTS (SELECT 1 FROM modelgov.duties d
					WHERE d.role_name = holds.role_name AND d.duty = holds.duty AND d.model = holds.model)
$$;
COMMENT ON FUNCTION modelgov_internal.holds(text, modelgov.member_role, text) IS
	'internal: whether a member holds a duty for a model, or for every model';

/*
 * A member holding some duty for a model, for what its committee does
 * beyond its duties (acknowledge its alerts, record a root cause), or 42501.
 */
CREATE FUNCTION modelgov_internal.require_any_duty(m modelgov.members, action text, model text) RETURNS void
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM unnest(enum_range(NULL::modelgov.member_role)) AS r
					WHERE modelgov_internal.holds(m.role_name, r, model)) THEN
		RAISE EXCEPTION 'permission denied to % of model %', action, model
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = format('Member %s holds no duty for model %s.', m.identity, model);
	END IF;
END
$$;
COMMENT ON FUNCTION modelgov_internal.require_any_duty(modelgov.members, text, text) IS
	'internal: 42501 unless the member holds some duty for the model (or for every model)';

/* A member's duties as the audit log records them. */
CREATE FUNCTION modelgov_internal.duties_of(role_name text) RETURNS jsonb
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT COALESCE(jsonb_agg(jsonb_build_object('duty', x.duty, 'model', x.model)
							  ORDER BY x.duty, x.model NULLS FIRST), '[]')
	  FROM (SELECT r AS duty, NULL::text AS model
			  FROM modelgov.members m, unnest(m.roles) AS r
			 WHERE m.role_name = duties_of.role_name
			UNION ALL
			SELECT d.duty, d.model FROM modelgov.duties d WHERE d.role_name = duties_of.role_name) x
$$;
COMMENT ON FUNCTION modelgov_internal.duties_of(text) IS
	'internal: a member''s duties as [{duty, model}], model null for every model';

--
-- Granting and revoking duties
--

/* The member of a role, locked, for the administration of its duties. */
CREATE FUNCTION modelgov_internal.member_for_update(member regrole) RETURNS modelgov.members
	LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	name text := (SELECT r.rolname FROM pg_roles r WHERE r.oid = member);
	m modelgov.members;
BEGIN
	SELECT * INTO m FROM modelgov.members x WHERE x.role_name = name FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'role % is not a modelgov member', name
			USING ERRCODE = 'undefined_object',
				  HINT = 'Add it with modelgov.add_member(member, identity).';
	END IF;
	IF NOT modelgov_internal.is_live_member(m) THEN
		RAISE EXCEPTION 'role % has a stale membership', name
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = format('The membership of %s (%s) was given to a role of that name that has since been dropped.',
								  name, m.identity),
				  HINT = 'Remove it with modelgov.remove_stale_members(), then add the member again.';
	END IF;
	RETURN m;
END
$$;
COMMENT ON FUNCTION modelgov_internal.member_for_update(regrole) IS
	'internal: lock the membership of a role, or 42704 (55000 when stale)';

CREATE FUNCTION modelgov_internal.grant_duty(member regrole, duty text, model text DEFAULT NULL)
	RETURNS text
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	m modelgov.members;
	role modelgov.member_role := modelgov_internal.enum_value('modelgov.member_role', duty, 'duty')::modelgov.member_role;
BEGIN
	PERFORM modelgov_internal.require_admin('grant duties');
	IF member IS NULL OR role IS NULL THEN
		PERFORM modelgov_internal.missing('grant_duty', CASE WHEN member IS NULL THEN 'member' ELSE 'duty' END,
										  'member, duty, model');
	END IF;
	m := modelgov_internal.member_for_update(member);
	IF model IS NOT NULL THEN
		PERFORM modelgov_internal.lock_model(model);
	END IF;
	IF (model IS NULL AND role = ANY (m.roles))
	   OR EXISTS (SELECT 1 FROM modelgov.duties d
				   WHERE d.role_name = m.role_name AND d.duty = role AND d.model = model) THEN
		RAISE EXCEPTION 'member % already holds the % duty %', m.role_name, role,
			CASE WHEN model IS NULL THEN 'for every model' ELSE format('for model %s', model) END
			USING ERRCODE = 'duplicate_object';
	END IF;
	IF model IS NULL THEN
		UPDATE modelgov.members x
		   SET roles = ARRAY(SELECT DISTINCT r FROM unnest(x.roles || role) AS r ORDER BY r)
		 WHERE x.role_name = m.role_name;
	ELSE
		INSERT INTO modelgov.duties VALUES (m.role_name, role, model, modelgov.clock_now(), modelgov_internal.actor());
	END IF;
	PERFORM modelgov_internal.audit('duty_granted', model => model,
							details => jsonb_build_object('member', m.role_name, 'identity', m.identity,
														  'duty', role, 'model', model));
	RETURN format('%s is %s %s', m.role_name, role,
				  CASE WHEN model IS NULL THEN 'for every model' ELSE format('for model %s', model) END);
END
$$;
CREATE FUNCTION modelgov.grant_duty(member regrole DEFAULT NULL, duty text DEFAULT NULL, model text DEFAULT NULL)
	RETURNS text
	AS 'MODULE_PATHNAME', 'mg_governance_call'
	LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION modelgov_internal.grant_duty(regrole, text, text) IS
	'internal: the body of modelgov.grant_duty, which runs it for the role that acts (src/governance.c)';
COMMENT ON FUNCTION modelgov.grant_duty(regrole, text, text) IS
	'grant a member a duty for one model, or for every model when model is NULL (administrators only; audited)';

CREATE FUNCTION modelgov_internal.revoke_duty(member regrole, duty text, model text DEFAULT NULL)
	RETURNS text
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	m modelgov.members;
	role modelgov.member_role := modelgov_internal.enum_value('modelgov.member_role', duty, 'duty')::modelgov.member_role;
	held text;
BEGIN
	PERFORM modelgov_internal.require_admin('revoke duties');
	IF member IS NULL OR role IS NULL THEN
		PERFORM modelgov_internal.missing('revoke_duty', CASE WHEN member IS NULL THEN 'member' ELSE 'duty' END,
										  'member, duty, model');
	END IF;
	m := modelgov_internal.member_for_update(member);
	IF model IS NOT NULL THEN
		PERFORM modelgov_internal.require_model(model, false);
	END IF;
	IF model IS NULL THEN
		UPDATE modelgov.members x SET roles = array_remove(x.roles, role)
		 WHERE x.role_name = m.role_name AND role = ANY (x.roles);
	ELSE
		DELETE FROM modelgov.duties d
		 WHERE d.role_name = m.role_name AND d.duty = role AND d.model = model;
	END IF;
	IF NOT FOUND THEN
		SELECT string_agg(COALESCE(x.value ->> 'model', 'every model'), ', ') INTO held
		  FROM jsonb_array_elements(modelgov_internal.duties_of(m.role_name)) x
		 WHERE x.value ->> 'duty' = role::text;
		RAISE EXCEPTION 'member % does not hold the % duty %', m.role_name, role,
			CASE WHEN model IS NULL THEN 'for every model' ELSE format('for model %s', model) END
			USING ERRCODE = 'undefined_object',
				  DETAIL = CASE WHEN held IS NULL THEN format('%s holds the %s duty for no model.', m.role_name, role)
								ELSE format('%s holds it for: %s.', m.role_name, held) END,
				  HINT = 'A duty is revoked for the scope it was granted for: a model, or every model (NULL).';
	END IF;
	PERFORM modelgov_internal.audit('duty_revoked', model => model,
							details => jsonb_build_object('member', m.role_name, 'identity', m.identity,
														  'duty', role, 'model', model));
	RETURN format('%s is no longer %s %s', m.role_name, role,
				  CASE WHEN model IS NULL THEN 'for every model' ELSE format('for model %s', model) END);
END
$$;
CREATE FUNCTION modelgov.revoke_duty(member regrole DEFAULT NULL, duty text DEFAULT NULL, model text DEFAULT NULL)
	RETURNS text
	AS 'MODULE_PATHNAME', 'mg_governance_call'
	LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION modelgov_internal.revoke_duty(regrole, text, text) IS
	'internal: the body of modelgov.revoke_duty, which runs it for the role that acts (src/governance.c)';
COMMENT ON FUNCTION modelgov.revoke_duty(regrole, text, text) IS
	'revoke a duty a member holds for one model, or for every model when model is NULL (administrators only; audited)';

REVOKE ALL ON FUNCTION modelgov.grant_duty(regrole, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.revoke_duty(regrole, text, text) FROM PUBLIC;
