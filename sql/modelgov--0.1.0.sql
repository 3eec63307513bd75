/* modelgov--0.1.0.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION modelgov" to load this file. \quit

--
-- The semver type: Semantic Versioning 2.0.0
--

CREATE TYPE modelgov.semver;

CREATE FUNCTION modelgov.semver_in(cstring) RETURNS modelgov.semver
	AS 'MODULE_PATHNAME', 'mg_semver_in'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION modelgov.semver_out(modelgov.semver) RETURNS cstring
	AS 'MODULE_PATHNAME', 'mg_semver_out'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION modelgov.semver_recv(internal) RETURNS modelgov.semver
	AS 'MODULE_PATHNAME', 'mg_semver_recv'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION modelgov.semver_send(modelgov.semver) RETURNS bytea
	AS 'MODULE_PATHNAME', 'mg_semver_send'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- STORAGE plain keeps every value with a 4-byte header at its alignment,
-- so comparisons read stored values in place, without copying.
CREATE TYPE modelgov.semver (
	INPUT = modelgov.semver_in,
	OUTPUT = modelgov.semver_out,
	RECEIVE = modelgov.semver_recv,
	SEND = modelgov.semver_send,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = double,
	STORAGE = plain,
	CATEGORY = 'U'
);

COMMENT ON TYPE modelgov.semver IS
	'Semantic Versioning 2.0.0 version: MAJOR.MINOR.PATCH[-prerelease][+build]';
COMMENT ON FUNCTION modelgov.semver_in(cstring) IS 'semver text input';
COMMENT ON FUNCTION modelgov.semver_out(modelgov.semver) IS 'semver text output';
COMMENT ON FUNCTION modelgov.semver_recv(internal) IS 'semver binary input';
COMMENT ON FUNCTION modelgov.semver_send(modelgov.semver) IS 'semver binary output';

CREATE CAST (text AS modelgov.semver) WITH INOUT AS ASSIGNMENT;
CREATE CAST (modelgov.semver AS text) WITH INOUT AS ASSIGNMENT;
COMMENT ON CAST (text AS modelgov.semver) IS 'parse text as a semver';
COMMENT ON CAST (modelgov.semver AS text) IS 'canonical text of a semver';

-- comparison support

CREATE FUNCTION modelgov.semver_cmp(modelgov.semver, modelgov.semver) RETURNS integer
	AS 'MODULE_PATHNAME', 'mg_semver_cmp'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION modelgov.semver_eq(modelgov.semver, modelgov.semver) RETURNS boolean
	AS 'MODULE_PATHNAME', 'mg_semver_eq'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION modelgov.semver_ne(modelgov.semver, modelgov.semver) RETURNS boolean
	AS 'MODULE_PATHNAME', 'mg_semver_ne'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION modelgov.semver_lt(modelgov.semver, modelgov.semver) RETURNS boolean
	AS 'MODULE_PATHNAME', 'mg_semver_lt'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION modelgov.semver_le(modelgov.semver, modelgov.semver) RETURNS boolean
	AS 'MODULE_PATHNAME', 'mg_semver_le'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION modelgov.semver_gt(modelgov.semver, modelgov.semver) RETURNS boolean
	AS 'MODULE_PATHNAME', 'mg_semver_gt'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION modelgov.semver_ge(modelgov.semver, modelgov.semver) RETURNS boolean
	AS 'MODULE_PATHNAME', 'mg_semver_ge'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION modelgov.semver_hash(modelgov.semver) RETURNS integer
	AS 'MODULE_PATHNAME', 'mg_semver_hash'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION modelgov.semver_hash_extended(modelgov.semver, bigint) RETURNS bigint
	AS 'MODULE_PATHNAME', 'mg_semver_hash_extended'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION modelgov.semver_smaller(modelgov.semver, modelgov.semver) RETURNS modelgov.semver
	AS 'MODULE_PATHNAME', 'mg_semver_smaller'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION modelgov.semver_larger(modelgov.semver, modelgov.semver) RETURNS modelgov.semver
	AS 'MODULE_PATHNAME', 'mg_semver_larger'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION modelgov.semver_cmp(modelgov.semver, modelgov.semver) IS
	'SemVer 2.0.0 precedence: -1, 0 or 1 (build metadata ignored)';
COMMENT ON FUNCTION modelgov.semver_eq(modelgov.semver, modelgov.semver) IS 'implementation of = operator';
COMMENT ON FUNCTION modelgov.semver_ne(modelgov.semver, modelgov.semver) IS 'implementation of <> operator';
COMMENT ON FUNCTION modelgov.semver_lt(modelgov.semver, modelgov.semver) IS 'implementation of < operator';
COMMENT ON FUNCTION modelgov.semver_le(modelgov.semver, modelgov.semver) IS 'implementation of <= operator';
COMMENT ON FUNCTION modelgov.semver_gt(modelgov.semver, modelgov.semver) IS 'implementation of > operator';
COMMENT ON FUNCTION modelgov.semver_ge(modelgov.semver, modelgov.semver) IS 'implementation of >= operator';
COMMENT ON FUNCTION modelgov.semver_hash(modelgov.semver) IS
	'32-bit hash, equal for versions that differ only in build metadata';
COMMENT ON FUNCTION modelgov.semver_hash_extended(modelgov.semver, bigint) IS
	'seeded 64-bit hash, equal for versions that differ only in build metadata';
COMMENT ON FUNCTION modelgov.semver_smaller(modelgov.semver, modelgov.semver) IS 'the lower of two versions';
COMMENT ON FUNCTION modelgov.semver_larger(modelgov.semver, modelgov.semver) IS 'the higher of two versions';

CREATE OPERATOR modelgov.= (
	LEFTARG = modelgov.semver, RIGHTARG = modelgov.semver,
	FUNCTION = modelgov.semver_eq,
	COMMUTATOR = OPERATOR(modelgov.=), NEGATOR = OPERATOR(modelgov.<>),
	RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES
);
CREATE OPERATOR modelgov.<> (
	LEFTARG = modelgov.semver, RIGHTARG = modelgov.semver,
	FUNCTION = modelgov.semver_ne,
	COMMUTATOR = OPERATOR(modelgov.<>), NEGATOR = OPERATOR(modelgov.=),
	RESTRICT = neqsel, JOIN = neqjoinsel
);
CREATE OPERATOR modelgov.< (
	LEFTARG = modelgov.semver, RIGHTARG = modelgov.semver,
	FUNCTION = modelgov.semver_lt,
	COMMUTATOR = OPERATOR(modelgov.>), NEGATOR = OPERATOR(modelgov.>=),
	RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);
CREATE OPERATOR modelgov.<= (
	LEFTARG = modelgov.semver, RIGHTARG = modelgov.semver,
	FUNCTION = modelgov.semver_le,
	COMMUTATOR = OPERATOR(modelgov.>=), NEGATOR = OPERATOR(modelgov.>),
	RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);
CREATE OPERATOR modelgov.> (
	LEFTARG = modelgov.semver, RIGHTARG = modelgov.semver,
	FUNCTION = modelgov.semver_gt,
	COMMUTATOR = OPERATOR(modelgov.<), NEGATOR = OPERATOR(modelgov.<=),
	RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);
CREATE OPERATOR modelgov.>= (
	LEFTARG = modelgov.semver, RIGHTARG = modelgov.semver,
	FUNCTION = modelgov.semver_ge,
	COMMUTATOR = OPERATOR(modelgov.<=), NEGATOR = OPERATOR(modelgov.<),
	RESTRICT = scalargesel, JOIN = scalargejoinsel
);

COMMENT ON OPERATOR modelgov.= (modelgov.semver, modelgov.semver) IS 'equal precedence';
COMMENT ON OPERATOR modelgov.<> (modelgov.semver, modelgov.semver) IS 'different precedence';
COMMENT ON OPERATOR modelgov.< (modelgov.semver, modelgov.semver) IS 'lower precedence';
COMMENT ON OPERATOR modelgov.<= (modelgov.semver, modelgov.semver) IS 'lower or equal precedence';
COMMENT ON OPERATOR modelgov.> (modelgov.semver, modelgov.semver) IS 'higher precedence';
COMMENT ON OPERATOR modelgov.>= (modelgov.semver, modelgov.semver) IS 'higher or equal precedence';

CREATE OPERATOR CLASS modelgov.semver_ops
	DEFAULT FOR TYPE modelgov.semver USING btree AS
		OPERATOR 1 modelgov.<,
		OPERATOR 2 modelgov.<=,
		OPERATOR 3 modelgov.=,
		OPERATOR 4 modelgov.>=,
		OPERATOR 5 modelgov.>,
		FUNCTION 1 modelgov.semver_cmp(modelgov.semver, modelgov.semver);

CREATE OPERATOR CLASS modelgov.semver_ops
	DEFAULT FOR TYPE modelgov.semver USING hash AS
		OPERATOR 1 modelgov.=,
		FUNCTION 1 modelgov.semver_hash(modelgov.semver),
		FUNCTION 2 modelgov.semver_hash_extended(modelgov.semver, bigint);

COMMENT ON OPERATOR CLASS modelgov.semver_ops USING btree IS 'SemVer 2.0.0 precedence order';
COMMENT ON OPERATOR CLASS modelgov.semver_ops USING hash IS 'hashing consistent with semver equality';

CREATE AGGREGATE modelgov.min(modelgov.semver) (
	SFUNC = modelgov.semver_smaller,
	STYPE = modelgov.semver,
	COMBINEFUNC = modelgov.semver_smaller,
	SORTOP = OPERATOR(modelgov.<),
	PARALLEL = SAFE
);
CREATE AGGREGATE modelgov.max(modelgov.semver) (
	SFUNC = modelgov.semver_larger,
	STYPE = modelgov.semver,
	COMBINEFUNC = modelgov.semver_larger,
	SORTOP = OPERATOR(modelgov.>),
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE modelgov.min(modelgov.semver) IS 'lowest version';
COMMENT ON AGGREGATE modelgov.max(modelgov.semver) IS 'highest version';

-- accessors

CREATE FUNCTION modelgov.semver_major(modelgov.semver) RETURNS bigint
	AS 'MODULE_PATHNAME', 'mg_semver_major'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION modelgov.semver_minor(modelgov.semver) RETURNS bigint
	AS 'MODULE_PATHNAME', 'mg_semver_minor'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION modelgov.semver_patch(modelgov.semver) RETURNS bigint
	AS 'MODULE_PATHNAME', 'mg_semver_patch'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION modelgov.semver_prerelease(modelgov.semver) RETURNS text
	AS 'MODULE_PATHNAME', 'mg_semver_prerelease'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION modelgov.semver_build(modelgov.semver) RETURNS text
	AS 'MODULE_PATHNAME', 'mg_semver_build'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION modelgov.is_semver(text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'mg_is_semver'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION modelgov.semver_major(modelgov.semver) IS 'major version number';
COMMENT ON FUNCTION modelgov.semver_minor(modelgov.semver) IS 'minor version number';
COMMENT ON FUNCTION modelgov.semver_patch(modelgov.semver) IS 'patch version number';
COMMENT ON FUNCTION modelgov.semver_prerelease(modelgov.semver) IS
	'prerelease identifiers without the leading "-", or NULL';
COMMENT ON FUNCTION modelgov.semver_build(modelgov.semver) IS
	'build metadata without the leading "+", or NULL';
COMMENT ON FUNCTION modelgov.is_semver(text) IS
	'true when the text is a valid semver; never raises an error';

--
-- Enumerations
--

CREATE TYPE modelgov.bump_level AS ENUM ('patch', 'minor', 'major');
COMMENT ON TYPE modelgov.bump_level IS
	'size of a version bump, ordered patch < minor < major';

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

CREATE TYPE modelgov.decision AS ENUM ('AUTO', 'ASK', 'ESCALATE');
COMMENT ON TYPE modelgov.decision IS
	'outcome of scoring, ordered from least to most cautious';

--
-- Bumps and ranges
--

CREATE FUNCTION modelgov.semver_bump(modelgov.semver, modelgov.bump_level)
	RETURNS modelgov.semver
	AS 'MODULE_PATHNAME', 'mg_semver_bump'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION modelgov.semver_bump(modelgov.semver, modelgov.bump_level) IS
	'next version at the given level, with npm semantics for prereleases';

CREATE TYPE modelgov.semverrange AS RANGE (
	SUBTYPE = modelgov.semver,
	SUBTYPE_OPCLASS = modelgov.semver_ops
);
COMMENT ON TYPE modelgov.semverrange IS 'range of semver values, ordered by precedence';

CREATE FUNCTION modelgov.semver_caret(modelgov.semver) RETURNS modelgov.semverrange
	AS 'MODULE_PATHNAME', 'mg_semver_caret'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION modelgov.semver_tilde(modelgov.semver) RETURNS modelgov.semverrange
	AS 'MODULE_PATHNAME', 'mg_semver_tilde'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION modelgov.semver_caret(modelgov.semver) IS
	'npm caret range ^v: changes that keep the left-most non-zero number';
COMMENT ON FUNCTION modelgov.semver_tilde(modelgov.semver) IS
	'npm tilde range ~v: patch-level changes';

--
-- Identity and privileges
--
-- The actor of every action is the calling role: the role set with SET ROLE
-- when there is one, else the session user.  Inside a SECURITY DEFINER
-- function current_user is the owner, so it is never used for that.
--

GRANT USAGE ON SCHEMA modelgov TO PUBLIC;

CREATE FUNCTION modelgov._actor() RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT CASE WHEN pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) 'none'
				THEN pg_catalog.session_user()::text
				ELSE pg_catalog.current_setting('role') END
$$;
COMMENT ON FUNCTION modelgov._actor() IS
	'internal: the calling role (SET ROLE if set, else the session user)';

CREATE FUNCTION modelgov._require_admin(action text) RETURNS void
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	actor text := modelgov._actor();
	owner oid;
BEGIN
	SELECT e.extowner INTO owner FROM pg_catalog.pg_extension e
	 WHERE e.extname OPERATOR(pg_catalog.=) 'modelgov';
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r
					WHERE r.rolname OPERATOR(pg_catalog.=) actor
					  AND (r.rolsuper OR pg_catalog.pg_has_role(r.oid, owner, 'MEMBER'))) THEN
		RAISE EXCEPTION 'permission denied to %', action
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = pg_catalog.format('Role %I is neither a superuser nor a member of the extension owner %I.',
											 actor, owner::regrole::text),
				  HINT = 'Ask a modelgov administrator to do it.';
	END IF;
END
$$;
COMMENT ON FUNCTION modelgov._require_admin(text) IS
	'internal: raise 42501 unless the calling role administers modelgov';

REVOKE ALL ON FUNCTION modelgov._actor() FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov._require_admin(text) FROM PUBLIC;

--
-- Bump policy: the least version bump each change type requires
--
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

CREATE FUNCTION modelgov.required_bump(modelgov.change_type)
	RETURNS modelgov.bump_level
	LANGUAGE sql STABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT h.bump FROM modelgov.bump_policy_history h
	 WHERE h.change_type OPERATOR(pg_catalog.=) $1
	 ORDER BY h.id DESC LIMIT 1
$$;
COMMENT ON FUNCTION modelgov.required_bump(modelgov.change_type) IS
	'least version bump the current policy requires for a change type';

CREATE FUNCTION modelgov.set_bump_policy(change_type modelgov.change_type,
										 bump modelgov.bump_level)
	RETURNS void
	LANGUAGE plpgsql VOLATILE STRICT SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	actor text := modelgov._actor();
BEGIN
	PERFORM modelgov._require_admin('set the bump policy');
	-- one policy change at a time, so that concurrent identical changes
	-- are recorded once
	LOCK TABLE modelgov.bump_policy_history IN SHARE ROW EXCLUSIVE MODE;
	IF modelgov.required_bump(change_type) OPERATOR(pg_catalog.=) bump THEN
		RETURN;
	END IF;
	INSERT INTO modelgov.bump_policy_history (change_type, bump, set_at, set_by)
		VALUES (set_bump_policy.change_type, set_bump_policy.bump,
				pg_catalog.now(), actor);
END
$$;
COMMENT ON FUNCTION modelgov.set_bump_policy(modelgov.change_type, modelgov.bump_level) IS
	'change the bump a change type requires (administrators only)';
REVOKE ALL ON FUNCTION modelgov.set_bump_policy(modelgov.change_type, modelgov.bump_level) FROM PUBLIC;
GRANT SELECT ON modelgov.bump_policy, modelgov.bump_policy_history TO PUBLIC;
