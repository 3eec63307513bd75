--
-- Identity and privileges
--
-- The actor of every action is the calling role: the role set with SET ROLE
-- when there is one, else the session user.  Inside a SECURITY DEFINER
-- function current_user is the owner, so it is never used for that.
--

/* A caller's text in a message: at most 80 characters of it. */
CREATE FUNCTION modelgov_internal.excerpt(t text) RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT CASE WHEN length(t) > 80 THEN left(t, 80) || '...' ELSE t END
$$;
COMMENT ON FUNCTION modelgov_internal.excerpt(text) IS
	'internal: a caller''s text cut to 80 characters, for error messages';

/*
 * Blank: NULL, empty, or only white space, Unicode's included (no-break,
 * en and em spaces, zero-width space, ideographic space, byte order mark).
 */
CREATE FUNCTION modelgov_internal.is_blank(t text) RETURNS boolean
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT t IS NULL
		OR t !~ '[^[:space:]\u00a0\u1680\u180e\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff]'
$$;
COMMENT ON FUNCTION modelgov_internal.is_blank(text) IS
	'internal: NULL, empty, or only white space (Unicode spaces included)';

/*
 * 54000 when a text a member writes into the record is longer than its
 * limit: every audit entry copies it.
 */
CREATE FUNCTION modelgov_internal.check_length(what text, t text, max_chars integer) RETURNS void
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	IF length(t) > max_chars THEN
		RAISE EXCEPTION '% is too long', what
			USING ERRCODE = 'program_limit_exceeded',
				  DETAIL = format('It has %s characters; at most %s are allowed.', length(t), max_chars);
	END IF;
END
$$;
COMMENT ON FUNCTION modelgov_internal.check_length(text, text, integer) IS
	'internal: 54000 when a text is longer than its limit';

CREATE FUNCTION modelgov_internal.actor() RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT CASE WHEN current_setting('role') = 'none'
				THEN session_user::text
				ELSE current_setting('role') END
$$;
COMMENT ON FUNCTION modelgov_internal.actor() IS
	'internal: the calling role (SET ROLE if set, else the session user)';

/*
 * Governance calls run in READ COMMITTED.  They append to the audit log one
 * at a time; a REPEATABLE READ or SERIALIZABLE transaction whose snapshot
 * predates an append it waited for can never chain onto it, and under
 * steady load its retries would keep failing.  Refused at once instead.
 */
CREATE FUNCTION modelgov_internal.require_read_committed() RETURNS void
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	IF current_setting('transaction_isolation') <> 'read committed' THEN
		RAISE EXCEPTION 'governance calls run in READ COMMITTED, not %', upper(current_setting('transaction_isolation'))
			USING ERRCODE = 'invalid_transaction_state',
				  DETAIL = 'They append to the audit log one at a time: a transaction whose snapshot predates an append it waited for could never chain onto it.',
				  HINT = 'Run it in a READ COMMITTED transaction (the default): BEGIN ISOLATION LEVEL READ COMMITTED.';
	END IF;
END
$$;
COMMENT ON FUNCTION modelgov_internal.require_read_committed() IS
	'internal: 25000 unless the transaction is READ COMMITTED';

CREATE FUNCTION modelgov_internal.require_admin(action text) RETURNS void
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	actor text := modelgov_internal.actor();
	owner oid;
BEGIN
	PERFORM modelgov_internal.require_read_committed();
	SELECT e.extowner INTO owner FROM pg_extension e
	 WHERE e.extname = 'modelgov';
	IF NOT EXISTS (SELECT 1 FROM pg_roles r
					WHERE r.rolname = actor
					  AND (r.rolsuper OR pg_has_role(r.oid, owner, 'MEMBER'))) THEN
		RAISE EXCEPTION 'permission denied to %', action
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = format('Role %s is neither a superuser nor a member of the extension owner %s.',
											 actor, owner::regrole::text),
				  HINT = 'Ask a modelgov administrator to do it.';
	END IF;
END
$$;
COMMENT ON FUNCTION modelgov_internal.require_admin(text) IS
	'internal: raise 42501 unless the calling role administers modelgov';

--
-- Members: database roles mapped to the identities and duties of the
-- governance process
--

CREATE TYPE modelgov.member_role AS ENUM (
	'model_science_lead',
	'product_manager',
	'engineering_lead',
	'customer_success_lead',
	'deployer'
);
COMMENT ON TYPE modelgov.member_role IS
	'committee roles, and deployer (may deploy, record smoke tests and roll back)';

CREATE TABLE modelgov.members (
	role_name	text PRIMARY KEY,
	-- an e-mail address, or "automation": the process's name for an
	-- account no person acts through (its deployments say deployed_by
	-- "automation")
	identity	text NOT NULL UNIQUE CHECK (identity OPERATOR(pg_catalog.~) '^[^@[:space:]]+@[^@[:space:]]+$'
										OR identity OPERATOR(pg_catalog.=) 'automation'),
	roles		modelgov.member_role[] NOT NULL DEFAULT '{}',
	added_at	timestamptz NOT NULL,
	added_by	text NOT NULL,
	-- the role itself: a membership never passes to another role that
	-- later takes the name (dumped as the role's name, restored by it)
	role_id		regrole NOT NULL
);
COMMENT ON TABLE modelgov.members IS
	'database roles that take part in governance, with their identity (an e-mail address, or automation for an account no person acts through) and the duties they hold for every model';
COMMENT ON COLUMN modelgov.members.roles IS
	'the duties the member holds for every model (modelgov.duties holds those for one model)';
COMMENT ON COLUMN modelgov.members.role_id IS
	'the role the membership was given to; a membership whose role was dropped (or renamed) is stale and counts for nobody';
SELECT pg_catalog.pg_extension_config_dump('modelgov.members', '');

--
-- Administration of members
--

/*
 * Add a member.  An existing member is never changed here: duties are
 * granted and revoked one by one (registry.sql), so that no call replaces
 * them silently.  roles, if given, are granted for every model.
 */
CREATE FUNCTION modelgov_internal.add_member(member regrole, identity text,
									roles modelgov.member_role[] DEFAULT '{}')
	RETURNS text
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	-- the role's name as current_setting('role') gives it: never quoted
	name text := (SELECT r.rolname FROM pg_roles r WHERE r.oid = member);
	old modelgov.members;
	now timestamptz := modelgov.clock_now();
BEGIN
	PERFORM modelgov_internal.require_admin('add members');
	IF member IS NULL OR identity IS NULL OR roles IS NULL THEN
		RAISE EXCEPTION 'member, identity and roles must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF array_position(roles, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'roles must not contain null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	-- one person, one identity: compared in lower case, and without the
	-- invisible characters that make two addresses look alike
	identity := lower(identity);
	IF (identity !~ '^[^@[:space:]]+@[^@[:space:]]+$' AND identity <> 'automation')
	   OR identity ~ '[[:cntrl:]\u00a0\u00ad\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064\u3000\ufeff]'
	   OR length(identity) > 254 THEN
		RAISE EXCEPTION 'invalid identity "%"', modelgov_internal.excerpt(identity)
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'An identity is an e-mail address of at most 254 characters, such as alice@company.com, without spaces, control or format characters, or "automation" for the one account no person acts through.';
	END IF;
	SELECT * INTO old FROM modelgov.members m WHERE m.role_name = name FOR UPDATE;
	IF FOUND AND old.role_id::oid <> member::oid THEN
		RAISE EXCEPTION 'role % has a stale membership', name
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = format('The membership of %s (%s) was given to a role of that name that has since been dropped.',
								  name, old.identity),
				  HINT = 'Remove it with modelgov.remove_stale_members(), then add the member again.';
	END IF;
	IF FOUND THEN
		RAISE EXCEPTION 'role % is already a modelgov member', name
			USING ERRCODE = 'duplicate_object',
				  DETAIL = format('%s is a member as %s, with the duties %s.', name, old.identity,
								  modelgov_internal.duties_of(name)),
				  HINT = 'Change duties with modelgov.grant_duty() and modelgov.revoke_duty(); add_member never replaces them.';
	END IF;
	IF EXISTS (SELECT 1 FROM modelgov.members x
				WHERE lower(x.identity) = add_member.identity) THEN
		RAISE EXCEPTION 'identity "%" already belongs to another member', modelgov_internal.excerpt(identity)
			USING ERRCODE = 'unique_violation', CONSTRAINT = 'members_identity_key',
				  HINT = 'Each member has an identity of their own.';
	END IF;
	-- a stable, duplicate-free order
	roles := ARRAY(SELECT DISTINCT r FROM unnest(roles) AS r ORDER BY r);
	INSERT INTO modelgov.members VALUES (name, identity, roles, now, modelgov_internal.actor(), member);
	PERFORM modelgov_internal.audit('member_added',
							details => jsonb_build_object(
								'member', name, 'identity', identity, 'roles', to_jsonb(roles)));
	RETURN format('member %s added as %s%s', name, identity,
				  CASE WHEN cardinality(roles) = 0 THEN ', with no duty yet'
					   ELSE format(', %s for every model', array_to_string(roles, ', ')) END);
EXCEPTION WHEN unique_violation THEN
	DECLARE
		conflict text;
	BEGIN
		GET STACKED DIAGNOSTICS conflict = CONSTRAINT_NAME;
		IF conflict = 'members_identity_key' THEN
			RAISE EXCEPTION 'identity "%" already belongs to another member', modelgov_internal.excerpt(identity)
				USING ERRCODE = 'unique_violation',
					  HINT = 'Each member has an identity of their own.';
		END IF;
		RAISE EXCEPTION 'role % was added as a member concurrently', name
			USING ERRCODE = 'serialization_failure',
				  HINT = 'Retry the transaction.';
	END;
END
$$;
CREATE FUNCTION modelgov.add_member(member regrole, identity text,
									roles modelgov.member_role[] DEFAULT '{}')
	RETURNS text
	AS 'MODULE_PATHNAME', 'mg_governance_call'
	LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION modelgov_internal.add_member(regrole, text, modelgov.member_role[]) IS
	'internal: the body of modelgov.add_member, which runs it for the role that acts (src/governance.c)';
COMMENT ON FUNCTION modelgov.add_member(regrole, text, modelgov.member_role[]) IS
	'make a database role a governance member with an identity (an e-mail address, or automation), and grant it roles for every model (administrators only); an existing member is refused; returns what was done';

CREATE FUNCTION modelgov_internal.remove_member(member regrole)
	RETURNS void
	LANGUAGE plpgsql VOLATILE STRICT SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	old modelgov.members;
	-- the duties held for one model go with the membership (ON DELETE CASCADE)
	duties jsonb := (SELECT jsonb_agg(jsonb_build_object('duty', d.duty, 'model', d.model) ORDER BY d.model, d.duty)
					   FROM modelgov.duties d
					  WHERE d.role_name = (SELECT r.rolname FROM pg_roles r WHERE r.oid = member));
BEGIN
	PERFORM modelgov_internal.require_admin('remove members');
	DELETE FROM modelgov.members m
	 WHERE m.role_name = (SELECT r.rolname FROM pg_roles r
												 WHERE r.oid = member)
	RETURNING * INTO old;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'role % is not a modelgov member',
			(SELECT r.rolname FROM pg_roles r WHERE r.oid = member)
			USING ERRCODE = 'undefined_object';
	END IF;
	PERFORM modelgov_internal.audit('member_removed',
							details => jsonb_build_object(
								'member', old.role_name, 'identity', old.identity,
								'roles', to_jsonb(old.roles))
						   || CASE WHEN duties IS NULL THEN '{}' ELSE jsonb_build_object('duties', duties) END);
END
$$;
CREATE FUNCTION modelgov.remove_member(member regrole)
	RETURNS void
	AS 'MODULE_PATHNAME', 'mg_governance_call'
	LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION modelgov_internal.remove_member(regrole) IS
	'internal: the body of modelgov.remove_member, which runs it for the role that acts (src/governance.c)';
COMMENT ON FUNCTION modelgov.remove_member(regrole) IS
	'remove a governance member (administrators only); the audit log keeps their past actions';

REVOKE ALL ON FUNCTION modelgov.add_member(regrole, text, modelgov.member_role[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.remove_member(regrole) FROM PUBLIC;

CREATE FUNCTION modelgov_internal.remove_stale_members()
	RETURNS SETOF text
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	old modelgov.members;
	duties jsonb;
BEGIN
	PERFORM modelgov_internal.require_admin('remove members');
	FOR old IN SELECT * FROM modelgov.members m
				WHERE NOT modelgov_internal.is_live_member(m) FOR UPDATE LOOP
		-- the duties held for one model go with the membership (ON DELETE CASCADE)
		duties := (SELECT jsonb_agg(jsonb_build_object('duty', d.duty, 'model', d.model) ORDER BY d.model, d.duty)
					 FROM modelgov.duties d WHERE d.role_name = old.role_name);
		DELETE FROM modelgov.members m WHERE m.role_name = old.role_name;
		PERFORM modelgov_internal.audit('member_removed',
								details => jsonb_build_object(
									'member', old.role_name, 'identity', old.identity,
									'roles', to_jsonb(old.roles), 'stale', true)
						   || CASE WHEN duties IS NULL THEN '{}' ELSE jsonb_build_object('duties', duties) END);
		RETURN NEXT old.role_name;
	END LOOP;
END
$$;
CREATE FUNCTION modelgov.remove_stale_members()
	RETURNS SETOF text
	AS 'MODULE_PATHNAME', 'mg_governance_call'
	LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION modelgov_internal.remove_stale_members() IS
	'internal: the body of modelgov.remove_stale_members, which runs it for the role that acts (src/governance.c)';
COMMENT ON FUNCTION modelgov.remove_stale_members() IS
	'remove the memberships whose role was dropped or renamed, and return their names (administrators only)';
REVOKE ALL ON FUNCTION modelgov.remove_stale_members() FROM PUBLIC;

/*
 * Identity helpers.  They are not SECURITY DEFINER: they only read, and are
 * called from the functions below, which are.
 */
CREATE FUNCTION modelgov_internal.is_live_member(m modelgov.members) RETURNS boolean
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$SELECT EXISTS (SELECT 1 FROM pg_roles r WHERE r.oid = m.role_id AND r.rolname = m.role_name)$$;
COMMENT ON FUNCTION modelgov_internal.is_live_member(modelgov.members) IS
	'internal: whether the role a membership was given to still exists under its name';

CREATE FUNCTION modelgov_internal.require_member(action text) RETURNS modelgov.members
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	m modelgov.members;
BEGIN
	PERFORM modelgov_internal.require_read_committed();
	SELECT * INTO m FROM modelgov.members x WHERE x.role_name = modelgov_internal.actor();
	IF NOT FOUND THEN
		RAISE EXCEPTION 'permission denied to %', action
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = format('Role %s is not a modelgov member.', modelgov_internal.actor()),
				  HINT = 'An administrator adds members with modelgov.add_member().';
	END IF;
	IF NOT modelgov_internal.is_live_member(m) THEN
		RAISE EXCEPTION 'permission denied to %', action
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = format('The membership of %s was given to another role of that name, since dropped.',
								  modelgov_internal.actor()),
				  HINT = 'An administrator removes it with modelgov.remove_stale_members() and adds the member again.';
	END IF;
	RETURN m;
END
$$;
COMMENT ON FUNCTION modelgov_internal.require_member(text) IS
	'internal: the calling member, or 42501';

/*
 * What only a person may do (review, approve, acknowledge an alert, attest
 * a code review, record a root cause): the automation account is refused.
 */
CREATE FUNCTION modelgov_internal.require_person(m modelgov.members, action text) RETURNS void
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	IF m.identity = 'automation' THEN
		RAISE EXCEPTION 'permission denied to %', action
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = format('Member %s is the automation account, through which no person acts.', m.role_name),
				  HINT = 'A person does this, as a member with an identity of their own.';
	END IF;
END
$$;
COMMENT ON FUNCTION modelgov_internal.require_person(modelgov.members, text) IS
	'internal: 42501 unless the member is a person (not the automation account)';

CREATE FUNCTION modelgov_internal.require_duty(duty modelgov.member_role, action text, model text)
	RETURNS modelgov.members
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	m modelgov.members := modelgov_internal.require_member(action);
BEGIN
	IF NOT modelgov_internal.holds(m.role_name, duty, model) THEN
		RAISE EXCEPTION 'permission denied to %', action
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = format('Member %s (%s) does not hold the %s duty for model %s.', m.role_name, m.identity,
								  duty, model),
				  HINT = 'An administrator grants duties with modelgov.grant_duty().';
	END IF;
	RETURN m;
END
$$;
COMMENT ON FUNCTION modelgov_internal.require_duty(modelgov.member_role, text, text) IS
	'internal: the calling member if they hold the duty for the model (or for every model), or 42501';
