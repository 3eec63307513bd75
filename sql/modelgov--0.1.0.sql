/* modelgov install script, assembled by the Makefile from sql/core.sql, sql/monitoring.sql and sql/release.sql */

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
				  DETAIL = pg_catalog.format('Role %s is neither a superuser nor a member of the extension owner %s.',
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
	old modelgov.bump_level;
BEGIN
	PERFORM modelgov._require_admin('set the bump policy');
	-- One policy change at a time, in order.  Every call is recorded, also
	-- one that restates the policy in force: under REPEATABLE READ the
	-- policy this transaction sees may already be out of date, and the
	-- audit append below then fails with a retryable 40001 rather than a
	-- change being skipped.
	LOCK TABLE modelgov.bump_policy_history IN SHARE ROW EXCLUSIVE MODE;
	old := modelgov.required_bump(change_type);
	INSERT INTO modelgov.bump_policy_history (change_type, bump, set_at, set_by)
		VALUES (set_bump_policy.change_type, set_bump_policy.bump,
				modelgov.clock_now(), modelgov._actor());
	PERFORM modelgov._audit('policy_changed', change_type => set_bump_policy.change_type,
							details => pg_catalog.jsonb_build_object(
								'old_values', pg_catalog.jsonb_build_object('bump', old),
								'new_values', pg_catalog.jsonb_build_object('bump', bump)));
END
$$;
COMMENT ON FUNCTION modelgov.set_bump_policy(modelgov.change_type, modelgov.bump_level) IS
	'change the bump a change type requires (administrators only)';
REVOKE ALL ON FUNCTION modelgov.set_bump_policy(modelgov.change_type, modelgov.bump_level) FROM PUBLIC;
GRANT SELECT ON modelgov.bump_policy, modelgov.bump_policy_history TO PUBLIC;

--
-- Time
--

CREATE FUNCTION modelgov.clock_now() RETURNS timestamptz
	AS 'MODULE_PATHNAME', 'mg_clock_now'
	LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION modelgov.clock_overridden() RETURNS boolean
	AS 'MODULE_PATHNAME', 'mg_clock_is_overridden'
	LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION modelgov.clock_now() IS
	'"now" for governance: modelgov.clock when a superuser set it, else the transaction start time';
COMMENT ON FUNCTION modelgov.clock_overridden() IS
	'true while modelgov.clock replaces the current time';

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
	identity	text NOT NULL UNIQUE CHECK (identity OPERATOR(pg_catalog.~) '^[^@[:space:]]+@[^@[:space:]]+$'),
	roles		modelgov.member_role[] NOT NULL DEFAULT '{}',
	added_at	timestamptz NOT NULL,
	added_by	text NOT NULL
);
COMMENT ON TABLE modelgov.members IS
	'database roles that take part in governance, with their e-mail identity and duties';
SELECT pg_catalog.pg_extension_config_dump('modelgov.members', '');

--
-- The audit log: append-only and hash-chained
--
-- Each entry stores prev_hash, the hash of the entry before it (32 zero
-- bytes for the first), and hash = SHA-256(prev_hash || canonical entry).
-- The canonical encoding is length-prefixed text that no session setting
-- changes: times as integer microseconds since the Unix epoch, jsonb in its
-- normalized text form.  prev_hash is unique, so two appends that read the
-- same head can never both commit.
--

CREATE TABLE modelgov.audit_log (
	seq				bigint PRIMARY KEY CHECK (seq > 0),
	recorded_at		timestamptz NOT NULL,
	event_type		text NOT NULL,
	actor			text NOT NULL,
	version			modelgov.semver,
	proposal_id		text,
	change_type		modelgov.change_type,
	status			text,
	details			jsonb NOT NULL DEFAULT '{}',
	clock_overridden boolean NOT NULL DEFAULT false,
	prev_hash		bytea NOT NULL UNIQUE,
	hash			bytea NOT NULL
);
COMMENT ON TABLE modelgov.audit_log IS
	'append-only, hash-chained record of every governance action';
COMMENT ON COLUMN modelgov.audit_log.seq IS 'position in the chain, from 1, without gaps';
COMMENT ON COLUMN modelgov.audit_log.details IS
	'the other fields of the event: old_values, new_values, approved_by, deployed_by, reason, ...';
COMMENT ON COLUMN modelgov.audit_log.clock_overridden IS
	'true when the entry was made while modelgov.clock replaced the current time';
COMMENT ON COLUMN modelgov.audit_log.prev_hash IS 'hash of the previous entry; 32 zero bytes for the first';
COMMENT ON COLUMN modelgov.audit_log.hash IS 'SHA-256 of prev_hash and the canonical encoding of this entry';
SELECT pg_catalog.pg_extension_config_dump('modelgov.audit_log', '');
GRANT SELECT ON modelgov.audit_log TO PUBLIC;

CREATE FUNCTION modelgov._audit_canonical(e modelgov.audit_log) RETURNS bytea
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT pg_catalog.convert_to(pg_catalog.string_agg(
			   CASE WHEN f IS NULL THEN '-'
					ELSE pg_catalog.octet_length(f)::text OPERATOR(pg_catalog.||) ':' OPERATOR(pg_catalog.||) f END,
			   '|' ORDER BY n), 'UTF8')
	  FROM pg_catalog.unnest(ARRAY[
			   e.seq::text,
			   (EXTRACT(epoch FROM e.recorded_at) OPERATOR(pg_catalog.*) 1000000)::bigint::text,
			   e.event_type,
			   e.actor,
			   e.version::text,
			   e.proposal_id,
			   e.change_type::text,
			   e.status,
			   e.details::text,
			   e.clock_overridden::text]) WITH ORDINALITY AS u(f, n)
$$;
COMMENT ON FUNCTION modelgov._audit_canonical(modelgov.audit_log) IS
	'internal: the session-independent encoding of an audit entry that its hash covers';

CREATE FUNCTION modelgov._audit_hash(e modelgov.audit_log) RETURNS bytea
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT pg_catalog.sha256(e.prev_hash OPERATOR(pg_catalog.||) modelgov._audit_canonical(e))
$$;
COMMENT ON FUNCTION modelgov._audit_hash(modelgov.audit_log) IS
	'internal: SHA-256 of an entry''s prev_hash and canonical encoding';

/*
 * Append one entry.  Called only from the extension's SECURITY DEFINER
 * functions: it is not SECURITY DEFINER itself, so a direct call by
 * anybody else fails for want of INSERT privilege.
 */
CREATE FUNCTION modelgov._audit(event_type text,
								version modelgov.semver DEFAULT NULL,
								proposal_id text DEFAULT NULL,
								change_type modelgov.change_type DEFAULT NULL,
								status text DEFAULT NULL,
								details jsonb DEFAULT '{}')
	RETURNS bigint
	LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	e modelgov.audit_log;
	head record;
BEGIN
	-- one appender at a time; in READ COMMITTED the next statement then
	-- sees the head the previous appender committed
	PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('modelgov.audit_log'));
	SELECT a.seq, a.hash INTO head
	  FROM modelgov.audit_log a ORDER BY a.seq DESC LIMIT 1;

	e.seq := COALESCE(head.seq, 0) OPERATOR(pg_catalog.+) 1;
	e.prev_hash := COALESCE(head.hash, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);
	e.recorded_at := modelgov.clock_now();
	e.event_type := _audit.event_type;
	e.actor := modelgov._actor();
	e.version := _audit.version;
	e.proposal_id := _audit.proposal_id;
	e.change_type := _audit.change_type;
	e.status := _audit.status;
	e.details := COALESCE(_audit.details, '{}');
	e.clock_overridden := modelgov.clock_overridden();
	e.hash := modelgov._audit_hash(e);

	BEGIN
		INSERT INTO modelgov.audit_log VALUES (e.*);
	EXCEPTION WHEN unique_violation THEN
		-- Under REPEATABLE READ or SERIALIZABLE the snapshot can predate
		-- the head another transaction appended while we waited.
		RAISE EXCEPTION 'could not append to the audit log: another transaction appended first'
			USING ERRCODE = 'serialization_failure',
				  DETAIL = pg_catalog.format('Entry %s was written by a transaction that committed after this transaction''s snapshot was taken.', e.seq),
				  HINT = 'Retry the transaction.';
	END;
	RETURN e.seq;
END
$$;
COMMENT ON FUNCTION modelgov._audit(text, modelgov.semver, text, modelgov.change_type, text, jsonb) IS
	'internal: append an entry to the audit log, chained to the head';

CREATE FUNCTION modelgov._audit_log_guard() RETURNS trigger
	LANGUAGE plpgsql
	SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	RAISE EXCEPTION 'modelgov.audit_log is append-only'
		USING ERRCODE = 'insufficient_privilege',
			  DETAIL = pg_catalog.format('%s is not allowed on the audit log; history is never rewritten.', TG_OP),
			  HINT = 'Record a correction as a new event instead.';
END
$$;
COMMENT ON FUNCTION modelgov._audit_log_guard() IS
	'internal: refuses UPDATE, DELETE and TRUNCATE on the audit log';

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON modelgov.audit_log
	FOR EACH ROW EXECUTE FUNCTION modelgov._audit_log_guard();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON modelgov.audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION modelgov._audit_log_guard();
-- ALWAYS: also under session_replication_role = replica
ALTER TABLE modelgov.audit_log ENABLE ALWAYS TRIGGER audit_log_append_only;
ALTER TABLE modelgov.audit_log ENABLE ALWAYS TRIGGER audit_log_no_truncate;

CREATE FUNCTION modelgov.verify_audit_log(OUT ok boolean, OUT entries bigint,
										  OUT first_bad_seq bigint, OUT detail text)
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	e modelgov.audit_log;
	expected_seq bigint := 1;
	prev bytea := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
BEGIN
	ok := true;
	entries := 0;
	FOR e IN SELECT * FROM modelgov.audit_log a ORDER BY a.seq LOOP
		entries := entries OPERATOR(pg_catalog.+) 1;
		IF ok THEN
			IF e.seq OPERATOR(pg_catalog.<>) expected_seq THEN
				ok := false;
				first_bad_seq := expected_seq;
				detail := pg_catalog.format('Entry %s is missing; the next entry is %s.', expected_seq, e.seq);
			ELSIF e.prev_hash OPERATOR(pg_catalog.<>) prev THEN
				ok := false;
				first_bad_seq := e.seq;
				detail := pg_catalog.format('Entry %s does not follow entry %s: its prev_hash differs from that entry''s hash.',
											e.seq, e.seq OPERATOR(pg_catalog.-) 1);
			ELSIF e.hash OPERATOR(pg_catalog.<>) modelgov._audit_hash(e) THEN
				ok := false;
				first_bad_seq := e.seq;
				detail := pg_catalog.format('Entry %s was altered: its content does not match its hash.', e.seq);
			END IF;
		END IF;
		expected_seq := e.seq OPERATOR(pg_catalog.+) 1;
		prev := e.hash;
	END LOOP;
	IF ok THEN
		detail := pg_catalog.format('%s entries verified.', entries);
	END IF;
END
$$;
COMMENT ON FUNCTION modelgov.verify_audit_log() IS
	'recompute the hash chain; name the first altered, removed or reordered entry';

CREATE FUNCTION modelgov.audit_digest(OUT seq bigint, OUT hash text, OUT recorded_at timestamptz)
	RETURNS SETOF record
	LANGUAGE sql STABLE PARALLEL SAFE ROWS 1
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT a.seq, pg_catalog.encode(a.hash, 'hex'), a.recorded_at
	  FROM modelgov.audit_log a ORDER BY a.seq DESC LIMIT 1
$$;
COMMENT ON FUNCTION modelgov.audit_digest() IS
	'the head of the audit chain (position, hash, time), to keep outside the database; no row for an empty log';

CREATE FUNCTION modelgov.verify_audit_log(digest_seq bigint, digest_hash text,
										  OUT ok boolean, OUT entries bigint,
										  OUT first_bad_seq bigint, OUT detail text)
	LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	anchored bytea;
BEGIN
	IF digest_hash OPERATOR(pg_catalog.!~) '^[0-9A-Fa-f]{64}$' THEN
		RAISE EXCEPTION 'invalid audit digest hash "%"', digest_hash
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'A digest hash is 64 hexadecimal digits, as modelgov.audit_digest() returns it.';
	END IF;
	SELECT v.ok, v.entries, v.first_bad_seq, v.detail
	  INTO ok, entries, first_bad_seq, detail
	  FROM modelgov.verify_audit_log() v;
	IF NOT ok THEN
		RETURN;
	END IF;
	SELECT a.hash INTO anchored FROM modelgov.audit_log a
	 WHERE a.seq OPERATOR(pg_catalog.=) digest_seq;
	IF anchored IS NULL THEN
		ok := false;
		first_bad_seq := digest_seq;
		detail := pg_catalog.format('Entry %s of the digest is missing; the log has %s entries.', digest_seq, entries);
	ELSIF anchored OPERATOR(pg_catalog.<>) pg_catalog.decode(pg_catalog.lower(digest_hash), 'hex') THEN
		ok := false;
		first_bad_seq := digest_seq;
		detail := pg_catalog.format('Entry %s does not match the digest: the chain was rewritten from there or earlier.', digest_seq);
	ELSE
		detail := pg_catalog.format('%s entries verified; entry %s matches the digest.', entries, digest_seq);
	END IF;
END
$$;
COMMENT ON FUNCTION modelgov.verify_audit_log(bigint, text) IS
	'verify the chain and that the entry at a kept digest still has the kept hash';

REVOKE ALL ON FUNCTION modelgov._audit(text, modelgov.semver, text, modelgov.change_type, text, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov._audit_log_guard() FROM PUBLIC;

--
-- Administration of members
--

CREATE FUNCTION modelgov.add_member(member regrole, identity text,
									roles modelgov.member_role[] DEFAULT '{}')
	RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	-- the role's name as current_setting('role') gives it: never quoted
	name text := (SELECT r.rolname FROM pg_catalog.pg_roles r WHERE r.oid OPERATOR(pg_catalog.=) member);
	old modelgov.members;
BEGIN
	PERFORM modelgov._require_admin('add members');
	IF member IS NULL OR identity IS NULL OR roles IS NULL THEN
		RAISE EXCEPTION 'member, identity and roles must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF pg_catalog.array_position(roles, NULL) IS NOT NULL THEN
		RAISE EXCEPTION 'roles must not contain null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF identity OPERATOR(pg_catalog.!~) '^[^@[:space:]]+@[^@[:space:]]+$' THEN
		RAISE EXCEPTION 'invalid identity "%"', identity
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'An identity is an e-mail address, such as alice@company.com.';
	END IF;
	-- a stable, duplicate-free order
	roles := ARRAY(SELECT DISTINCT r FROM pg_catalog.unnest(roles) AS r ORDER BY r);
	SELECT * INTO old FROM modelgov.members m WHERE m.role_name OPERATOR(pg_catalog.=) name FOR UPDATE;
	IF FOUND THEN
		UPDATE modelgov.members m SET identity = add_member.identity, roles = add_member.roles
		 WHERE m.role_name OPERATOR(pg_catalog.=) name;
	ELSE
		INSERT INTO modelgov.members VALUES (name, identity, roles, modelgov.clock_now(), modelgov._actor());
	END IF;
	PERFORM modelgov._audit(CASE WHEN old.role_name IS NULL THEN 'member_added' ELSE 'member_changed' END,
							details => pg_catalog.jsonb_build_object(
								'member', name, 'identity', identity, 'roles', pg_catalog.to_jsonb(roles),
								'old_values', CASE WHEN old.role_name IS NULL THEN NULL
												   ELSE pg_catalog.jsonb_build_object('identity', old.identity,
																					  'roles', pg_catalog.to_jsonb(old.roles)) END));
EXCEPTION WHEN unique_violation THEN
	DECLARE
		conflict text;
	BEGIN
		GET STACKED DIAGNOSTICS conflict = CONSTRAINT_NAME;
		IF conflict OPERATOR(pg_catalog.=) 'members_identity_key' THEN
			RAISE EXCEPTION 'identity "%" already belongs to another member', identity
				USING ERRCODE = 'unique_violation',
					  HINT = 'Each member has an identity of their own.';
		END IF;
		RAISE EXCEPTION 'role % was added as a member concurrently', name
			USING ERRCODE = 'serialization_failure',
				  HINT = 'Retry the transaction.';
	END;
END
$$;
COMMENT ON FUNCTION modelgov.add_member(regrole, text, modelgov.member_role[]) IS
	'make a database role a governance member with an e-mail identity and duties, or change them (administrators only)';

CREATE FUNCTION modelgov.remove_member(member regrole)
	RETURNS void
	LANGUAGE plpgsql VOLATILE STRICT SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	old modelgov.members;
BEGIN
	PERFORM modelgov._require_admin('remove members');
	DELETE FROM modelgov.members m
	 WHERE m.role_name OPERATOR(pg_catalog.=) (SELECT r.rolname FROM pg_catalog.pg_roles r
												 WHERE r.oid OPERATOR(pg_catalog.=) member)
	RETURNING * INTO old;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'role % is not a modelgov member',
			(SELECT r.rolname FROM pg_catalog.pg_roles r WHERE r.oid OPERATOR(pg_catalog.=) member)
			USING ERRCODE = 'undefined_object';
	END IF;
	PERFORM modelgov._audit('member_removed',
							details => pg_catalog.jsonb_build_object(
								'member', old.role_name, 'identity', old.identity,
								'roles', pg_catalog.to_jsonb(old.roles)));
END
$$;
COMMENT ON FUNCTION modelgov.remove_member(regrole) IS
	'remove a governance member (administrators only); the audit log keeps their past actions';

REVOKE ALL ON FUNCTION modelgov.add_member(regrole, text, modelgov.member_role[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.remove_member(regrole) FROM PUBLIC;

--
-- Governance: versions, proposals, reviews, approvals, deployments
--

CREATE TYPE modelgov.environment AS ENUM ('staging', 'production');
COMMENT ON TYPE modelgov.environment IS 'deployment environment';

/*
 * Identity helpers.  They are not SECURITY DEFINER: they only read, and are
 * called from the functions below, which are.
 */
CREATE FUNCTION modelgov._require_member(action text) RETURNS modelgov.members
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	m modelgov.members;
BEGIN
	SELECT * INTO m FROM modelgov.members x WHERE x.role_name OPERATOR(pg_catalog.=) modelgov._actor();
	IF NOT FOUND THEN
		RAISE EXCEPTION 'permission denied to %', action
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = pg_catalog.format('Role %s is not a modelgov member.', modelgov._actor()),
				  HINT = 'An administrator adds members with modelgov.add_member().';
	END IF;
	RETURN m;
END
$$;
COMMENT ON FUNCTION modelgov._require_member(text) IS
	'internal: the calling member, or 42501';

CREATE FUNCTION modelgov._require_duty(duty modelgov.member_role, action text) RETURNS modelgov.members
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	m modelgov.members := modelgov._require_member(action);
BEGIN
	IF NOT duty OPERATOR(pg_catalog.=) ANY (m.roles) THEN
		RAISE EXCEPTION 'permission denied to %', action
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = pg_catalog.format('Member %s (%s) does not hold the %s role.', m.role_name, m.identity, duty),
				  HINT = 'An administrator grants roles with modelgov.add_member().';
	END IF;
	RETURN m;
END
$$;
COMMENT ON FUNCTION modelgov._require_duty(modelgov.member_role, text) IS
	'internal: the calling member if they hold the role, or 42501';

/*
 * Configuration.  A version's configuration is kept normalized: every key
 * present, features named, in this key order (jsonb sorts keys anyway):
 *
 *	{"features": [{"name": "f1"}, {"name": "f5", "default": 0.0}, ...],
 *	 "weights": [...], "biases": {"default": 0.0, "<candidate>": ...},
 *	 "thresholds": {"auto": a, "escalate": e},
 *	 "calibration": {"method": "none"} | {"method": "temperature", "T": t}
 *				  | {"method": "platt", "a": a, "b": b},
 *	 "safety_rules": [{"name", "feature", "op", "value", "decision"}, ...],
 *	 "missing_feature_decision": "ASK"}
 */
CREATE FUNCTION modelgov._config_error(message text, detail text) RETURNS void
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	RAISE EXCEPTION '%', message
		USING ERRCODE = 'invalid_parameter_value', DETAIL = detail,
			  HINT = 'See "Configuration" in docs/reference.md for the keys a configuration holds.';
END
$$;
COMMENT ON FUNCTION modelgov._config_error(text, text) IS 'internal: raise 22023 for a bad configuration';

CREATE FUNCTION modelgov._config_number(v jsonb, what text, lo float8 DEFAULT NULL, hi float8 DEFAULT NULL)
	RETURNS float8
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	x float8;
BEGIN
	IF v IS NULL OR pg_catalog.jsonb_typeof(v) OPERATOR(pg_catalog.<>) 'number' THEN
		PERFORM modelgov._config_error('invalid model configuration',
			pg_catalog.format('%s must be a number, not %s.', what, COALESCE(v::text, 'missing')));
	END IF;
	-- JSON numbers are exact; the model computes in float8
	IF pg_catalog.abs(v::text::numeric) OPERATOR(pg_catalog.>) 1e300 THEN
		PERFORM modelgov._config_error('invalid model configuration',
			pg_catalog.format('%s is too large: %s.', what, pg_catalog.left(v::text, 40)));
	END IF;
	x := v::text::float8;
	IF (lo IS NOT NULL AND x OPERATOR(pg_catalog.<) lo) OR (hi IS NOT NULL AND x OPERATOR(pg_catalog.>) hi) THEN
		PERFORM modelgov._config_error('invalid model configuration',
			pg_catalog.format('%s must be between %s and %s, not %s.', what, lo, hi, v::text));
	END IF;
	RETURN x;
END
$$;
COMMENT ON FUNCTION modelgov._config_number(jsonb, text, float8, float8) IS
	'internal: a finite JSON number, optionally within bounds, or 22023';

CREATE FUNCTION modelgov._normalize_config(cfg jsonb) RETURNS jsonb
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	k text;
	weights jsonb;
	features jsonb := '[]';
	biases jsonb;
	thresholds jsonb;
	calibration jsonb;
	rules jsonb := '[]';
	missing text;
	n int;
	f jsonb;
	r jsonb;
	names text[] := '{}';
	rule_names text[] := '{}';
	method text;
	t_auto float8;
	t_esc float8;
BEGIN
	IF cfg IS NULL OR pg_catalog.jsonb_typeof(cfg) OPERATOR(pg_catalog.<>) 'object' THEN
		PERFORM modelgov._config_error('invalid model configuration', 'A configuration is a JSON object.');
	END IF;
	FOR k IN SELECT pg_catalog.jsonb_object_keys(cfg) LOOP
		IF NOT k OPERATOR(pg_catalog.=) ANY (ARRAY['features', 'weights', 'biases', 'thresholds',
										   'threshold_auto', 'threshold_escalate', 'calibration',
										   'safety_rules', 'missing_feature_decision']) THEN
			PERFORM modelgov._config_error('invalid model configuration',
				pg_catalog.format('Unknown key "%s".', k));
		END IF;
	END LOOP;

	-- weights
	weights := cfg OPERATOR(pg_catalog.->) 'weights';
	IF weights IS NULL OR pg_catalog.jsonb_typeof(weights) OPERATOR(pg_catalog.<>) 'array'
	   OR pg_catalog.jsonb_array_length(weights) OPERATOR(pg_catalog.=) 0 THEN
		PERFORM modelgov._config_error('invalid model configuration',
			'"weights" must be a non-empty array of numbers.');
	END IF;
	n := pg_catalog.jsonb_array_length(weights);
	IF n OPERATOR(pg_catalog.>) 1000 THEN
		PERFORM modelgov._config_error('invalid model configuration',
			pg_catalog.format('A model has at most 1000 features, not %s.', n));
	END IF;
	FOR i IN 0 .. n OPERATOR(pg_catalog.-) 1 LOOP
		PERFORM modelgov._config_number(weights OPERATOR(pg_catalog.->) i, pg_catalog.format('weights[%s]', i));
	END LOOP;

	-- features: named f1..fn when not given
	IF cfg OPERATOR(pg_catalog.?) 'features' THEN
		IF pg_catalog.jsonb_typeof(cfg OPERATOR(pg_catalog.->) 'features') OPERATOR(pg_catalog.<>) 'array'
		   OR pg_catalog.jsonb_array_length(cfg OPERATOR(pg_catalog.->) 'features') OPERATOR(pg_catalog.<>) n THEN
			PERFORM modelgov._config_error('invalid model configuration',
				pg_catalog.format('"features" must be an array with one entry per weight (%s).', n));
		END IF;
		FOR i IN 0 .. n OPERATOR(pg_catalog.-) 1 LOOP
			f := cfg OPERATOR(pg_catalog.->) 'features' OPERATOR(pg_catalog.->) i;
			IF pg_catalog.jsonb_typeof(f) OPERATOR(pg_catalog.<>) 'object'
			   OR pg_catalog.jsonb_typeof(f OPERATOR(pg_catalog.->) 'name') IS DISTINCT FROM 'string'
			   OR (f OPERATOR(pg_catalog.-) 'name' OPERATOR(pg_catalog.-) 'default') OPERATOR(pg_catalog.<>) '{}'::jsonb THEN
				PERFORM modelgov._config_error('invalid model configuration',
					pg_catalog.format('features[%s] must be an object with a "name" and an optional "default".', i));
			END IF;
			IF (f OPERATOR(pg_catalog.->>) 'name') OPERATOR(pg_catalog.!~) '^[A-Za-z_][A-Za-z0-9_]{0,62}$' THEN
				PERFORM modelgov._config_error('invalid model configuration',
					pg_catalog.format('Feature name %s is not an identifier.', f OPERATOR(pg_catalog.->) 'name'));
			END IF;
			IF (f OPERATOR(pg_catalog.->>) 'name') OPERATOR(pg_catalog.=) ANY (names) THEN
				PERFORM modelgov._config_error('invalid model configuration',
					pg_catalog.format('Feature "%s" is declared twice.', f OPERATOR(pg_catalog.->>) 'name'));
			END IF;
			names := names OPERATOR(pg_catalog.||) (f OPERATOR(pg_catalog.->>) 'name');
			IF f OPERATOR(pg_catalog.?) 'default' THEN
				PERFORM modelgov._config_number(f OPERATOR(pg_catalog.->) 'default',
												pg_catalog.format('features[%s].default', i));
			END IF;
			features := features OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_array(f);
		END LOOP;
	ELSE
		FOR i IN 1 .. n LOOP
			names := names OPERATOR(pg_catalog.||) ('f' OPERATOR(pg_catalog.||) i);
			features := features OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_array(
							pg_catalog.jsonb_build_object('name', 'f' OPERATOR(pg_catalog.||) i));
		END LOOP;
	END IF;

	-- biases: per candidate, "default" for the others
	biases := COALESCE(cfg OPERATOR(pg_catalog.->) 'biases', '{}');
	IF pg_catalog.jsonb_typeof(biases) OPERATOR(pg_catalog.<>) 'object' THEN
		PERFORM modelgov._config_error('invalid model configuration',
			'"biases" must be an object mapping candidates to numbers.');
	END IF;
	FOR k IN SELECT pg_catalog.jsonb_object_keys(biases) LOOP
		PERFORM modelgov._config_number(biases OPERATOR(pg_catalog.->) k, pg_catalog.format('biases.%s', k));
	END LOOP;
	IF NOT biases OPERATOR(pg_catalog.?) 'default' THEN
		biases := biases OPERATOR(pg_catalog.||) '{"default": 0.0}';
	END IF;

	-- thresholds, nested or in the seed's flat form
	IF cfg OPERATOR(pg_catalog.?) 'thresholds'
	   AND (cfg OPERATOR(pg_catalog.?) 'threshold_auto' OR cfg OPERATOR(pg_catalog.?) 'threshold_escalate') THEN
		PERFORM modelgov._config_error('invalid model configuration',
			'Give "thresholds" or "threshold_auto" and "threshold_escalate", not both.');
	END IF;
	thresholds := COALESCE(cfg OPERATOR(pg_catalog.->) 'thresholds',
						   pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
							   'auto', cfg OPERATOR(pg_catalog.->) 'threshold_auto',
							   'escalate', cfg OPERATOR(pg_catalog.->) 'threshold_escalate')));
	IF pg_catalog.jsonb_typeof(thresholds) OPERATOR(pg_catalog.<>) 'object'
	   OR (thresholds OPERATOR(pg_catalog.-) 'auto' OPERATOR(pg_catalog.-) 'escalate') OPERATOR(pg_catalog.<>) '{}'::jsonb THEN
		PERFORM modelgov._config_error('invalid model configuration',
			'"thresholds" must be an object with "auto" and "escalate".');
	END IF;
	t_auto := modelgov._config_number(thresholds OPERATOR(pg_catalog.->) 'auto', 'thresholds.auto', 0, 1);
	t_esc := modelgov._config_number(thresholds OPERATOR(pg_catalog.->) 'escalate', 'thresholds.escalate', 0, 1);
	IF t_auto OPERATOR(pg_catalog.>) t_esc THEN
		PERFORM modelgov._config_error('invalid model configuration',
			pg_catalog.format('thresholds.auto (%s) must not exceed thresholds.escalate (%s).', t_auto, t_esc));
	END IF;

	-- calibration
	calibration := COALESCE(cfg OPERATOR(pg_catalog.->) 'calibration', '{"method": "none"}');
	method := calibration OPERATOR(pg_catalog.->>) 'method';
	IF pg_catalog.jsonb_typeof(calibration) OPERATOR(pg_catalog.<>) 'object' OR method IS NULL THEN
		PERFORM modelgov._config_error('invalid model configuration',
			'"calibration" must be an object with a "method".');
	END IF;
	IF method OPERATOR(pg_catalog.=) 'none' THEN
		IF calibration OPERATOR(pg_catalog.<>) '{"method": "none"}'::jsonb THEN
			PERFORM modelgov._config_error('invalid model configuration',
				'Calibration "none" takes no parameters.');
		END IF;
	ELSIF method OPERATOR(pg_catalog.=) 'temperature' THEN
		IF (calibration OPERATOR(pg_catalog.-) 'method' OPERATOR(pg_catalog.-) 'T') OPERATOR(pg_catalog.<>) '{}'::jsonb THEN
			PERFORM modelgov._config_error('invalid model configuration',
				'Calibration "temperature" takes one parameter, "T".');
		END IF;
		IF modelgov._config_number(calibration OPERATOR(pg_catalog.->) 'T', 'calibration.T') OPERATOR(pg_catalog.<=) 0 THEN
			PERFORM modelgov._config_error('invalid model configuration',
				pg_catalog.format('calibration.T must be positive, not %s.', calibration OPERATOR(pg_catalog.->) 'T'));
		END IF;
	ELSIF method OPERATOR(pg_catalog.=) 'platt' THEN
		IF (calibration OPERATOR(pg_catalog.-) 'method' OPERATOR(pg_catalog.-) 'a' OPERATOR(pg_catalog.-) 'b') OPERATOR(pg_catalog.<>) '{}'::jsonb THEN
			PERFORM modelgov._config_error('invalid model configuration',
				'Calibration "platt" takes two parameters, "a" and "b".');
		END IF;
		PERFORM modelgov._config_number(calibration OPERATOR(pg_catalog.->) 'a', 'calibration.a');
		PERFORM modelgov._config_number(calibration OPERATOR(pg_catalog.->) 'b', 'calibration.b');
	ELSE
		PERFORM modelgov._config_error('invalid model configuration',
			pg_catalog.format('Unknown calibration method "%s"; use none, temperature or platt.', method));
	END IF;

	-- safety rules
	IF cfg OPERATOR(pg_catalog.?) 'safety_rules' THEN
		IF pg_catalog.jsonb_typeof(cfg OPERATOR(pg_catalog.->) 'safety_rules') OPERATOR(pg_catalog.<>) 'array' THEN
			PERFORM modelgov._config_error('invalid model configuration', '"safety_rules" must be an array.');
		END IF;
		FOR r IN SELECT * FROM pg_catalog.jsonb_array_elements(cfg OPERATOR(pg_catalog.->) 'safety_rules') LOOP
			IF pg_catalog.jsonb_typeof(r) OPERATOR(pg_catalog.<>) 'object'
			   OR (r OPERATOR(pg_catalog.-) ARRAY['name', 'feature', 'op', 'value', 'decision']) OPERATOR(pg_catalog.<>) '{}'::jsonb
			   OR NOT r OPERATOR(pg_catalog.?&) ARRAY['name', 'feature', 'op', 'value', 'decision'] THEN
				PERFORM modelgov._config_error('invalid model configuration',
					pg_catalog.format('Safety rule %s must have exactly "name", "feature", "op", "value" and "decision".', r));
			END IF;
			IF pg_catalog.jsonb_typeof(r OPERATOR(pg_catalog.->) 'name') OPERATOR(pg_catalog.<>) 'string'
			   OR (r OPERATOR(pg_catalog.->>) 'name') OPERATOR(pg_catalog.=) ANY (rule_names) THEN
				PERFORM modelgov._config_error('invalid model configuration',
					pg_catalog.format('Safety rule names must be distinct strings: %s.', r OPERATOR(pg_catalog.->) 'name'));
			END IF;
			rule_names := rule_names OPERATOR(pg_catalog.||) (r OPERATOR(pg_catalog.->>) 'name');
			IF NOT (r OPERATOR(pg_catalog.->>) 'feature') OPERATOR(pg_catalog.=) ANY (names) THEN
				PERFORM modelgov._config_error('invalid model configuration',
					pg_catalog.format('Safety rule "%s" refers to unknown feature %s.',
									  r OPERATOR(pg_catalog.->>) 'name', r OPERATOR(pg_catalog.->) 'feature'));
			END IF;
			IF NOT (r OPERATOR(pg_catalog.->>) 'op') OPERATOR(pg_catalog.=) ANY (ARRAY['<', '<=', '>', '>=']) THEN
				PERFORM modelgov._config_error('invalid model configuration',
					pg_catalog.format('Safety rule "%s" has operator %s; use <, <=, > or >=.',
									  r OPERATOR(pg_catalog.->>) 'name', r OPERATOR(pg_catalog.->) 'op'));
			END IF;
			PERFORM modelgov._config_number(r OPERATOR(pg_catalog.->) 'value',
				pg_catalog.format('Safety rule "%s" value', r OPERATOR(pg_catalog.->>) 'name'));
			IF NOT (r OPERATOR(pg_catalog.->>) 'decision') OPERATOR(pg_catalog.=) ANY (ARRAY['ASK', 'ESCALATE']) THEN
				PERFORM modelgov._config_error('invalid model configuration',
					pg_catalog.format('Safety rule "%s" decides %s; a rule can only ASK or ESCALATE.',
									  r OPERATOR(pg_catalog.->>) 'name', r OPERATOR(pg_catalog.->) 'decision'));
			END IF;
			rules := rules OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_array(r);
		END LOOP;
	END IF;

	missing := CASE WHEN cfg OPERATOR(pg_catalog.?) 'missing_feature_decision'
					THEN cfg OPERATOR(pg_catalog.->>) 'missing_feature_decision' ELSE 'ASK' END;
	IF missing IS NULL OR NOT missing OPERATOR(pg_catalog.=) ANY (ARRAY['ASK', 'ESCALATE']) THEN
		PERFORM modelgov._config_error('invalid model configuration',
			pg_catalog.format('"missing_feature_decision" is %s; it must be ASK or ESCALATE.',
							  cfg OPERATOR(pg_catalog.->) 'missing_feature_decision'));
	END IF;

	RETURN pg_catalog.jsonb_build_object(
		'features', features, 'weights', weights, 'biases', biases,
		'thresholds', pg_catalog.jsonb_build_object('auto', thresholds OPERATOR(pg_catalog.->) 'auto',
													'escalate', thresholds OPERATOR(pg_catalog.->) 'escalate'),
		'calibration', calibration, 'safety_rules', rules,
		'missing_feature_decision', missing);
END
$$;
COMMENT ON FUNCTION modelgov._normalize_config(jsonb) IS
	'internal: validate a model configuration completely and return it normalized, or 22023';

/* The seed's view of a configuration, for old_values and new_values. */
CREATE FUNCTION modelgov._config_values(cfg jsonb) RETURNS jsonb
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT cfg OPERATOR(pg_catalog.-) 'thresholds' OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object(
		'threshold_auto', cfg OPERATOR(pg_catalog.->) 'thresholds' OPERATOR(pg_catalog.->) 'auto',
		'threshold_escalate', cfg OPERATOR(pg_catalog.->) 'thresholds' OPERATOR(pg_catalog.->) 'escalate')
$$;
COMMENT ON FUNCTION modelgov._config_values(jsonb) IS
	'internal: a normalized configuration with the seed''s flat threshold keys';

/*
 * The change types a configuration change really contains, and the least
 * bump its feature changes allow.
 */
CREATE FUNCTION modelgov._config_changes(old jsonb, new jsonb,
										 OUT change_types modelgov.change_type[],
										 OUT feature_bump modelgov.bump_level)
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	onames text[];
	nnames text[];
	kept_old text[];
	kept_new text[];
	appended_with_defaults boolean;
BEGIN
	change_types := '{}';
	feature_bump := 'patch';
	SELECT pg_catalog.array_agg(e OPERATOR(pg_catalog.->>) 'name' ORDER BY i) INTO onames
	  FROM pg_catalog.jsonb_array_elements(old OPERATOR(pg_catalog.->) 'features') WITH ORDINALITY AS x(e, i);
	SELECT pg_catalog.array_agg(e OPERATOR(pg_catalog.->>) 'name' ORDER BY i) INTO nnames
	  FROM pg_catalog.jsonb_array_elements(new OPERATOR(pg_catalog.->) 'features') WITH ORDINALITY AS x(e, i);
	-- the features both lists keep, each in its own list's order
	kept_old := ARRAY(SELECT n FROM pg_catalog.unnest(onames) WITH ORDINALITY AS u(n, i)
					   WHERE n OPERATOR(pg_catalog.=) ANY (nnames) ORDER BY i);
	kept_new := ARRAY(SELECT n FROM pg_catalog.unnest(nnames) WITH ORDINALITY AS u(n, i)
					   WHERE n OPERATOR(pg_catalog.=) ANY (onames) ORDER BY i);

	IF pg_catalog.cardinality(kept_old) OPERATOR(pg_catalog.<) pg_catalog.cardinality(onames) THEN
		change_types := change_types OPERATOR(pg_catalog.||) 'feature_removal'::modelgov.change_type;
	END IF;
	IF pg_catalog.cardinality(kept_new) OPERATOR(pg_catalog.<) pg_catalog.cardinality(nnames) THEN
		change_types := change_types OPERATOR(pg_catalog.||) 'feature_addition'::modelgov.change_type;
	END IF;
	-- a kept feature redefined (its default), or the kept ones reordered
	IF kept_old OPERATOR(pg_catalog.<>) kept_new
	   OR EXISTS (SELECT 1 FROM pg_catalog.jsonb_array_elements(old OPERATOR(pg_catalog.->) 'features') AS o(e)
				  JOIN pg_catalog.jsonb_array_elements(new OPERATOR(pg_catalog.->) 'features') AS n(e)
					ON (o.e OPERATOR(pg_catalog.->>) 'name') OPERATOR(pg_catalog.=) (n.e OPERATOR(pg_catalog.->>) 'name')
				  WHERE o.e OPERATOR(pg_catalog.<>) n.e) THEN
		change_types := change_types OPERATOR(pg_catalog.||) 'feature_modification'::modelgov.change_type;
	END IF;

	-- Compatibility: old inputs keep working only when the old list is a
	-- prefix of the new one and every appended feature has a default.
	IF onames OPERATOR(pg_catalog.<>) nnames THEN
		SELECT COALESCE(pg_catalog.bool_and(e OPERATOR(pg_catalog.?) 'default'), true) INTO appended_with_defaults
		  FROM pg_catalog.jsonb_array_elements(new OPERATOR(pg_catalog.->) 'features') WITH ORDINALITY AS x(e, i)
		 WHERE i OPERATOR(pg_catalog.>) pg_catalog.cardinality(onames);
		feature_bump := CASE WHEN nnames[1:pg_catalog.cardinality(onames)] OPERATOR(pg_catalog.=) onames
								  AND NOT 'feature_modification'::modelgov.change_type OPERATOR(pg_catalog.=) ANY (change_types)
								  AND appended_with_defaults
							 THEN 'minor' ELSE 'major' END;
	ELSIF 'feature_modification'::modelgov.change_type OPERATOR(pg_catalog.=) ANY (change_types) THEN
		feature_bump := 'major';
	END IF;

	-- weights of the kept features, compared by name
	IF EXISTS (SELECT 1 FROM pg_catalog.unnest(onames) WITH ORDINALITY AS o(name, i)
				 JOIN pg_catalog.unnest(nnames) WITH ORDINALITY AS n(name, i)
				   ON n.name OPERATOR(pg_catalog.=) o.name
				WHERE (old OPERATOR(pg_catalog.->) 'weights' OPERATOR(pg_catalog.->) (o.i::int OPERATOR(pg_catalog.-) 1))
					  OPERATOR(pg_catalog.<>)
					  (new OPERATOR(pg_catalog.->) 'weights' OPERATOR(pg_catalog.->) (n.i::int OPERATOR(pg_catalog.-) 1))) THEN
		change_types := change_types OPERATOR(pg_catalog.||) 'weights_update'::modelgov.change_type;
	END IF;
	IF (old OPERATOR(pg_catalog.->) 'thresholds') OPERATOR(pg_catalog.<>) (new OPERATOR(pg_catalog.->) 'thresholds') THEN
		change_types := change_types OPERATOR(pg_catalog.||) 'threshold_change'::modelgov.change_type;
	END IF;
	IF (old OPERATOR(pg_catalog.->) 'biases') OPERATOR(pg_catalog.<>) (new OPERATOR(pg_catalog.->) 'biases') THEN
		change_types := change_types OPERATOR(pg_catalog.||) 'bias_update'::modelgov.change_type;
	END IF;
	IF (old OPERATOR(pg_catalog.->) 'calibration') OPERATOR(pg_catalog.<>) (new OPERATOR(pg_catalog.->) 'calibration') THEN
		change_types := change_types OPERATOR(pg_catalog.||) 'calibration_update'::modelgov.change_type;
	END IF;
	IF (old OPERATOR(pg_catalog.->) 'safety_rules') OPERATOR(pg_catalog.<>) (new OPERATOR(pg_catalog.->) 'safety_rules')
	   OR (old OPERATOR(pg_catalog.->) 'missing_feature_decision') OPERATOR(pg_catalog.<>) (new OPERATOR(pg_catalog.->) 'missing_feature_decision') THEN
		change_types := change_types OPERATOR(pg_catalog.||) 'safety_rule_change'::modelgov.change_type;
	END IF;
	change_types := ARRAY(SELECT DISTINCT c FROM pg_catalog.unnest(change_types) AS c ORDER BY c);
END
$$;
COMMENT ON FUNCTION modelgov._config_changes(jsonb, jsonb) IS
	'internal: the change types between two normalized configurations, and the least bump the feature changes allow';

--
-- Governance tables.  Written only by the functions below; readable by
-- everybody with USAGE on the schema (members, which holds identities, is
-- not).
--

CREATE TABLE modelgov.proposals (
	proposal_id		text PRIMARY KEY CHECK (proposal_id OPERATOR(pg_catalog.~) '^PROP_[0-9]{6}_[0-9]{3,}$'),
	proposed_at		timestamptz NOT NULL,
	proposer		text NOT NULL,
	proposer_identity text NOT NULL,
	change_type		modelgov.change_type NOT NULL,
	description		text NOT NULL,
	base_version	modelgov.semver NOT NULL,
	target_version	modelgov.semver NOT NULL,
	old_values		jsonb NOT NULL,
	new_values		jsonb NOT NULL,
	config			jsonb NOT NULL,
	impact_analysis	jsonb,
	rollback_plan	text,
	monitoring_plan	text,
	status			text NOT NULL DEFAULT 'proposed'
					CHECK (status OPERATOR(pg_catalog.=) ANY (ARRAY['proposed', 'in_review', 'reviewed', 'approved',
																	 'staged', 'deployed', 'rejected', 'withdrawn'])),
	approved_at		timestamptz,
	scheduled_deployment timestamptz,
	closed_at		timestamptz,
	closed_reason	text
);
COMMENT ON TABLE modelgov.proposals IS
	'proposed changes to the model, from proposal to deployment, rejection or withdrawal';

CREATE TABLE modelgov.reviews (
	proposal_id		text NOT NULL REFERENCES modelgov.proposals,
	reviewer		text NOT NULL,
	reviewer_identity text NOT NULL,
	checklist		jsonb NOT NULL,
	approve			boolean NOT NULL,
	comment			text,
	reviewed_at		timestamptz NOT NULL,
	PRIMARY KEY (proposal_id, reviewer)
);
COMMENT ON TABLE modelgov.reviews IS 'independent reviews of proposals, with the six-item checklist';

CREATE TABLE modelgov.approvals (
	proposal_id		text NOT NULL REFERENCES modelgov.proposals,
	as_role			modelgov.member_role NOT NULL,
	member			text NOT NULL,
	member_identity	text NOT NULL,
	decided_at		timestamptz NOT NULL,
	scheduled_deployment timestamptz,
	PRIMARY KEY (proposal_id, as_role),
	UNIQUE (proposal_id, member)
);
COMMENT ON TABLE modelgov.approvals IS 'committee approvals: one per role, each by a different member';

CREATE TABLE modelgov.versions (
	version			modelgov.semver PRIMARY KEY,
	config			jsonb NOT NULL,
	proposal_id		text UNIQUE REFERENCES modelgov.proposals,
	created_at		timestamptz NOT NULL,
	staged_at		timestamptz,
	released_at		timestamptz,
	status			text NOT NULL
					CHECK (status OPERATOR(pg_catalog.=) ANY (ARRAY['approved', 'staged', 'active', 'superseded',
																	 'rolled_back', 'withdrawn'])),
	superseded_by	modelgov.semver
);
COMMENT ON TABLE modelgov.versions IS
	'every version of the model, its frozen configuration and its state';
-- exactly one active production version: at most one by this index, at
-- least one because every change of the active version is one transaction
CREATE UNIQUE INDEX versions_one_active ON modelgov.versions ((true))
	WHERE status OPERATOR(pg_catalog.=) 'active';

CREATE TABLE modelgov.environments (
	env				modelgov.environment PRIMARY KEY,
	version			modelgov.semver NOT NULL REFERENCES modelgov.versions,
	since			timestamptz NOT NULL
);
COMMENT ON TABLE modelgov.environments IS 'the version each environment runs now';

CREATE SEQUENCE modelgov.deployments_id_seq;
CREATE TABLE modelgov.deployments (
	id				bigint PRIMARY KEY DEFAULT pg_catalog.nextval('modelgov.deployments_id_seq'),
	env				modelgov.environment NOT NULL,
	kind			text NOT NULL CHECK (kind OPERATOR(pg_catalog.=) ANY (ARRAY['init', 'deploy', 'rollback'])),
	version			modelgov.semver NOT NULL REFERENCES modelgov.versions,
	from_version	modelgov.semver REFERENCES modelgov.versions,
	proposal_id		text REFERENCES modelgov.proposals,
	deployed_at		timestamptz NOT NULL,
	deployed_by		text NOT NULL,
	reason			text,
	audit_seq		bigint NOT NULL REFERENCES modelgov.audit_log
);
ALTER SEQUENCE modelgov.deployments_id_seq OWNED BY modelgov.deployments.id;
COMMENT ON TABLE modelgov.deployments IS 'every deployment and rollback, in order';

CREATE SEQUENCE modelgov.smoke_tests_id_seq;
CREATE TABLE modelgov.smoke_tests (
	id				bigint PRIMARY KEY DEFAULT pg_catalog.nextval('modelgov.smoke_tests_id_seq'),
	version			modelgov.semver NOT NULL REFERENCES modelgov.versions,
	passed			boolean NOT NULL,
	details			jsonb,
	recorded_at		timestamptz NOT NULL,
	recorded_by		text NOT NULL
);
ALTER SEQUENCE modelgov.smoke_tests_id_seq OWNED BY modelgov.smoke_tests.id;
COMMENT ON TABLE modelgov.smoke_tests IS 'smoke test results recorded against staged versions';

SELECT pg_catalog.pg_extension_config_dump('modelgov.proposals', '');
SELECT pg_catalog.pg_extension_config_dump('modelgov.reviews', '');
SELECT pg_catalog.pg_extension_config_dump('modelgov.approvals', '');
SELECT pg_catalog.pg_extension_config_dump('modelgov.versions', '');
SELECT pg_catalog.pg_extension_config_dump('modelgov.environments', '');
SELECT pg_catalog.pg_extension_config_dump('modelgov.deployments', '');
SELECT pg_catalog.pg_extension_config_dump('modelgov.deployments_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('modelgov.smoke_tests', '');
SELECT pg_catalog.pg_extension_config_dump('modelgov.smoke_tests_id_seq', '');

GRANT SELECT ON modelgov.proposals, modelgov.reviews, modelgov.approvals, modelgov.versions,
	modelgov.environments, modelgov.deployments, modelgov.smoke_tests TO PUBLIC;

CREATE FUNCTION modelgov._proposal_for_update(id text) RETURNS modelgov.proposals
	LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	p modelgov.proposals;
BEGIN
	SELECT * INTO p FROM modelgov.proposals x WHERE x.proposal_id OPERATOR(pg_catalog.=) id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'proposal "%" does not exist', id
			USING ERRCODE = 'undefined_object';
	END IF;
	RETURN p;
END
$$;
COMMENT ON FUNCTION modelgov._proposal_for_update(text) IS 'internal: lock a proposal, or 42704';

CREATE FUNCTION modelgov._require_version(version modelgov.semver) RETURNS modelgov.versions
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	v modelgov.versions;
BEGIN
	SELECT * INTO v FROM modelgov.versions x WHERE x.version OPERATOR(modelgov.=) $1;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'version % does not exist', $1 USING ERRCODE = 'undefined_object';
	END IF;
	RETURN v;
END
$$;
COMMENT ON FUNCTION modelgov._require_version(modelgov.semver) IS 'internal: a version''s row, or 42704';

CREATE FUNCTION modelgov._wrong_state(what text, p modelgov.proposals, expected text) RETURNS void
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	RAISE EXCEPTION 'cannot % proposal %', what, p.proposal_id
		USING ERRCODE = 'object_not_in_prerequisite_state',
			  DETAIL = pg_catalog.format('The proposal is %s; it must be %s.', p.status, expected);
END
$$;
COMMENT ON FUNCTION modelgov._wrong_state(text, modelgov.proposals, text) IS 'internal: raise 55000 for a step out of order';

--
-- The process
--

CREATE FUNCTION modelgov._active_changed() RETURNS void
	AS 'MODULE_PATHNAME', 'mg_active_changed'
	LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION modelgov._active_changed() IS
	'internal: at commit, tell every backend (and hot standbys) that the active version changed';
REVOKE ALL ON FUNCTION modelgov._active_changed() FROM PUBLIC;

CREATE FUNCTION modelgov.init_model(config jsonb) RETURNS modelgov.semver
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_column
DECLARE
	v modelgov.semver;
	cfg jsonb;
	now timestamptz := modelgov.clock_now();
	seq bigint;
BEGIN
	PERFORM modelgov._require_admin('initialize the model');
	IF config IS NULL THEN
		RAISE EXCEPTION 'config must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	LOCK TABLE modelgov.versions IN EXCLUSIVE MODE;
	IF EXISTS (SELECT 1 FROM modelgov.versions) THEN
		RAISE EXCEPTION 'the model is already initialized'
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = pg_catalog.format('Version %s exists; later versions come from proposals.',
											 (SELECT modelgov.min(x.version) FROM modelgov.versions x)),
				  HINT = 'Use modelgov.propose().';
	END IF;
	IF pg_catalog.jsonb_typeof(init_model.config OPERATOR(pg_catalog.->) 'version') IS DISTINCT FROM 'string'
	   AND init_model.config OPERATOR(pg_catalog.?) 'version' THEN
		PERFORM modelgov._config_error('invalid model configuration', '"version" must be a string such as "1.0.0".');
	END IF;
	v := COALESCE(init_model.config OPERATOR(pg_catalog.->>) 'version', '1.0.0')::modelgov.semver;
	cfg := modelgov._normalize_config(init_model.config OPERATOR(pg_catalog.-) 'version' OPERATOR(pg_catalog.-) 'released_at');

	INSERT INTO modelgov.versions (version, config, created_at, released_at, status)
		VALUES (v, cfg, now, now, 'active');
	INSERT INTO modelgov.environments VALUES ('staging', v, now), ('production', v, now);
	seq := modelgov._audit('init', version => v, status => 'active',
						   details => pg_catalog.jsonb_build_object(
							   'new_values', modelgov._config_values(cfg),
							   'deployed_by', COALESCE((SELECT m.identity FROM modelgov.members m
														 WHERE m.role_name OPERATOR(pg_catalog.=) modelgov._actor()),
													   modelgov._actor())));
	INSERT INTO modelgov.deployments (env, kind, version, deployed_at, deployed_by, reason, audit_seq)
		VALUES ('staging', 'init', v, now, modelgov._actor(), 'initial version', seq),
			   ('production', 'init', v, now, modelgov._actor(), 'initial version', seq);
	PERFORM modelgov._active_changed();
	RETURN v;
END
$$;
COMMENT ON FUNCTION modelgov.init_model(jsonb) IS
	'create the first version (its "version" key, default 1.0.0), active at once (administrators only)';

CREATE FUNCTION modelgov.active_version(env modelgov.environment DEFAULT 'production')
	RETURNS modelgov.semver
	LANGUAGE sql STABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT e.version FROM modelgov.environments e WHERE e.env OPERATOR(pg_catalog.=) $1
$$;
COMMENT ON FUNCTION modelgov.active_version(modelgov.environment) IS
	'the version an environment runs now (NULL before init_model)';

CREATE FUNCTION modelgov.model_config(version modelgov.semver DEFAULT NULL) RETURNS jsonb
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	v modelgov.versions;
	want modelgov.semver := COALESCE(model_config.version, modelgov.active_version('production'));
BEGIN
	SELECT * INTO v FROM modelgov.versions x WHERE x.version OPERATOR(modelgov.=) want;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'version % does not exist', COALESCE(want::text, '(none active)')
			USING ERRCODE = 'undefined_object';
	END IF;
	RETURN pg_catalog.jsonb_build_object('version', v.version::text,
										 'released_at', pg_catalog.to_char(pg_catalog.timezone('UTC', v.released_at),
																		   'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
		   OPERATOR(pg_catalog.||) v.config;
END
$$;
COMMENT ON FUNCTION modelgov.model_config(modelgov.semver) IS
	'the configuration file of a version (the active one by default), as in the governance process';

CREATE FUNCTION modelgov.propose(change_type modelgov.change_type, description text, new_values jsonb,
								 impact_analysis jsonb DEFAULT NULL, rollback_plan text DEFAULT NULL,
								 monitoring_plan text DEFAULT NULL)
	RETURNS text
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	m modelgov.members := modelgov._require_member('propose changes');
	now timestamptz := modelgov.clock_now();
	base modelgov.versions;
	merged jsonb;
	cfg jsonb;
	k text;
	found_types modelgov.change_type[];
	feature_bump modelgov.bump_level;
	bump modelgov.bump_level;
	target modelgov.semver;
	id text;
	month text;
	n int;
	old_vals jsonb := '{}';
	new_vals jsonb := '{}';
BEGIN
	IF change_type IS NULL OR description IS NULL OR new_values IS NULL THEN
		RAISE EXCEPTION 'change_type, description and new_values must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF pg_catalog.jsonb_typeof(new_values) OPERATOR(pg_catalog.<>) 'object' THEN
		PERFORM modelgov._config_error('invalid new_values',
			'new_values is a JSON object holding the configuration keys that change.');
	END IF;
	IF impact_analysis IS NOT NULL AND pg_catalog.jsonb_typeof(impact_analysis) OPERATOR(pg_catalog.<>) 'object' THEN
		PERFORM modelgov._config_error('invalid impact_analysis', 'impact_analysis is a JSON object.');
	END IF;

	SELECT v.* INTO base FROM modelgov.environments e
	  JOIN modelgov.versions v ON v.version OPERATOR(modelgov.=) e.version
	 WHERE e.env OPERATOR(pg_catalog.=) 'production';
	IF NOT FOUND THEN
		RAISE EXCEPTION 'there is no active version to change'
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'An administrator creates the first version with modelgov.init_model().';
	END IF;

	-- old values come from the active version, never from the caller
	merged := modelgov._config_values(base.config) OPERATOR(pg_catalog.-) 'threshold_auto' OPERATOR(pg_catalog.-) 'threshold_escalate';
	merged := merged OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object(
		'thresholds', base.config OPERATOR(pg_catalog.->) 'thresholds');
	FOR k IN SELECT pg_catalog.jsonb_object_keys(new_values) LOOP
		IF k OPERATOR(pg_catalog.=) ANY (ARRAY['threshold_auto', 'threshold_escalate']) THEN
			merged := pg_catalog.jsonb_set(merged, ARRAY['thresholds', pg_catalog.substr(k, 11)],
										   new_values OPERATOR(pg_catalog.->) k);
		ELSIF k OPERATOR(pg_catalog.=) 'thresholds' AND pg_catalog.jsonb_typeof(new_values OPERATOR(pg_catalog.->) k) OPERATOR(pg_catalog.=) 'object' THEN
			merged := pg_catalog.jsonb_set(merged, '{thresholds}',
										   (merged OPERATOR(pg_catalog.->) 'thresholds') OPERATOR(pg_catalog.||) (new_values OPERATOR(pg_catalog.->) k));
		ELSE
			merged := merged OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object(k, new_values OPERATOR(pg_catalog.->) k);
		END IF;
	END LOOP;
	cfg := modelgov._normalize_config(merged);

	SELECT c.change_types, c.feature_bump INTO found_types, feature_bump
	  FROM modelgov._config_changes(base.config, cfg) c;
	IF pg_catalog.cardinality(found_types) OPERATOR(pg_catalog.=) 0
	   AND NOT change_type OPERATOR(pg_catalog.=) ANY (ARRAY['bug_fix', 'performance_fix']::modelgov.change_type[]) THEN
		RAISE EXCEPTION 'proposal changes nothing'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('new_values leave the configuration of %s as it is.', base.version),
				  HINT = 'Only bug_fix and performance_fix proposals may keep the configuration unchanged.';
	END IF;
	IF NOT found_types OPERATOR(pg_catalog.<@) ARRAY[change_type] THEN
		RAISE EXCEPTION 'declared change type % does not cover the change', change_type
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('The change from %s contains: %s.', base.version,
											 pg_catalog.array_to_string(found_types, ', ')),
				  HINT = 'Declare the change type the change really is, or split it into several proposals.';
	END IF;

	-- the target version follows from the policy; compatibility rules then
	-- bound what the feature list may do at that level
	SELECT pg_catalog.max(modelgov.required_bump(t)) INTO bump
	  FROM pg_catalog.unnest(found_types OPERATOR(pg_catalog.||) change_type) AS t;
	IF feature_bump OPERATOR(pg_catalog.>) bump THEN
		RAISE EXCEPTION 'a % version cannot make this feature change', bump
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = CASE WHEN bump OPERATOR(pg_catalog.=) 'patch'
								THEN 'A patch version keeps the feature list unchanged.'
								ELSE 'A minor version may only append features that have defaults; removing, reordering or redefining features, or adding one without a default, needs a major version.' END,
				  HINT = 'Give appended features a "default"; other feature changes need a change type whose policy bump is major.';
	END IF;
	-- the next version at that level that does not exist yet (a rolled
	-- back or withdrawn version keeps its number)
	target := modelgov.semver_bump(base.version, bump);
	WHILE EXISTS (SELECT 1 FROM modelgov.versions v WHERE v.version OPERATOR(modelgov.=) target) LOOP
		target := modelgov.semver_bump(target, bump);
	END LOOP;

	-- ids like PROP_202402_001: month of the proposal, then a sequence
	PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('modelgov.proposals'));
	month := pg_catalog.to_char(pg_catalog.timezone('UTC', now), 'YYYYMM');
	SELECT pg_catalog.count(*) OPERATOR(pg_catalog.+) 1 INTO n FROM modelgov.proposals p
	 WHERE p.proposal_id OPERATOR(pg_catalog.~~) ('PROP_' OPERATOR(pg_catalog.||) month OPERATOR(pg_catalog.||) '\_%');
	id := pg_catalog.format('PROP_%s_%s', month,
							CASE WHEN n OPERATOR(pg_catalog.<) 1000 THEN pg_catalog.lpad(n::text, 3, '0') ELSE n::text END);

	-- old and new values of the keys that change, in the seed's form
	SELECT COALESCE(pg_catalog.jsonb_object_agg(o.key, o.value), '{}'),
		   COALESCE(pg_catalog.jsonb_object_agg(o.key, nv.value), '{}')
	  INTO old_vals, new_vals
	  FROM pg_catalog.jsonb_each(modelgov._config_values(base.config)) o
	  JOIN pg_catalog.jsonb_each(modelgov._config_values(cfg)) nv ON nv.key OPERATOR(pg_catalog.=) o.key
	 WHERE o.value OPERATOR(pg_catalog.<>) nv.value;

	BEGIN
		INSERT INTO modelgov.proposals (proposal_id, proposed_at, proposer, proposer_identity, change_type,
										description, base_version, target_version, old_values, new_values,
										config, impact_analysis, rollback_plan, monitoring_plan)
			VALUES (id, now, m.role_name, m.identity, change_type, description, base.version, target,
					old_vals, new_vals, cfg, impact_analysis, rollback_plan, monitoring_plan);
	EXCEPTION WHEN unique_violation THEN
		-- under REPEATABLE READ the count above may miss a proposal that
		-- committed while this transaction waited for the lock
		RAISE EXCEPTION 'could not assign a proposal id: another proposal took %', id
			USING ERRCODE = 'serialization_failure',
				  HINT = 'Retry the transaction.';
	END;
	PERFORM modelgov._audit('proposal', version => target, proposal_id => id,
							change_type => change_type, status => 'proposed',
							details => pg_catalog.jsonb_build_object(
								'proposer', m.identity, 'description', description,
								'base_version', base.version::text,
								'old_values', old_vals, 'new_values', new_vals,
								'impact_analysis', impact_analysis));
	RETURN id;
END
$$;
COMMENT ON FUNCTION modelgov.propose(modelgov.change_type, text, jsonb, jsonb, text, text) IS
	'propose a change to the active version; returns the proposal id (members only)';

CREATE FUNCTION modelgov.review(proposal_id text, checklist jsonb, approve boolean, comment text DEFAULT NULL)
	RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	m modelgov.members := modelgov._require_member('review proposals');
	p modelgov.proposals := modelgov._proposal_for_update(proposal_id);
	items text[] := ARRAY['aligns_with_business_goals', 'data_quality_sufficient', 'impact_analysis_completed',
						  'no_regressions_observed', 'rollback_plan_documented', 'monitoring_plan_documented'];
	k text;
	good int;
	sample numeric;
BEGIN
	IF checklist IS NULL OR approve IS NULL THEN
		RAISE EXCEPTION 'checklist and approve must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF NOT p.status OPERATOR(pg_catalog.=) ANY (ARRAY['proposed', 'in_review', 'reviewed']) THEN
		PERFORM modelgov._wrong_state('review', p, 'proposed, in review or reviewed');
	END IF;
	IF p.proposer OPERATOR(pg_catalog.=) m.role_name THEN
		RAISE EXCEPTION 'permission denied to review proposal %', p.proposal_id
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'Reviews must be independent: the proposer cannot review their own proposal.';
	END IF;
	IF EXISTS (SELECT 1 FROM modelgov.reviews r WHERE r.proposal_id OPERATOR(pg_catalog.=) p.proposal_id
				  AND r.reviewer OPERATOR(pg_catalog.=) m.role_name) THEN
		RAISE EXCEPTION '% has already reviewed proposal %', m.identity, p.proposal_id
			USING ERRCODE = 'unique_violation';
	END IF;

	-- the six items of the checklist, as booleans, nothing else
	IF pg_catalog.jsonb_typeof(checklist) IS DISTINCT FROM 'object' THEN
		RAISE EXCEPTION 'invalid review checklist' USING ERRCODE = 'invalid_parameter_value',
			DETAIL = 'The checklist is a JSON object of six booleans.';
	END IF;
	FOR k IN SELECT pg_catalog.jsonb_object_keys(checklist) LOOP
		IF NOT k OPERATOR(pg_catalog.=) ANY (items) THEN
			RAISE EXCEPTION 'invalid review checklist' USING ERRCODE = 'invalid_parameter_value',
				DETAIL = pg_catalog.format('Unknown checklist item "%s".', k),
				HINT = 'The items are ' OPERATOR(pg_catalog.||) pg_catalog.array_to_string(items, ', ') OPERATOR(pg_catalog.||) '.';
		END IF;
	END LOOP;
	FOREACH k IN ARRAY items LOOP
		IF pg_catalog.jsonb_typeof(checklist OPERATOR(pg_catalog.->) k) IS DISTINCT FROM 'boolean' THEN
			RAISE EXCEPTION 'invalid review checklist' USING ERRCODE = 'invalid_parameter_value',
				DETAIL = pg_catalog.format('Checklist item "%s" must be true or false.', k);
		END IF;
	END LOOP;
	IF approve THEN
		FOREACH k IN ARRAY items LOOP
			IF NOT (checklist OPERATOR(pg_catalog.->) k)::boolean THEN
				RAISE EXCEPTION 'an approving review needs every checklist item' USING ERRCODE = 'invalid_parameter_value',
					DETAIL = pg_catalog.format('Checklist item "%s" is false.', k),
					HINT = 'Record a review with approve => false instead.';
			END IF;
		END LOOP;
	END IF;

	-- items the database can check itself
	IF (checklist OPERATOR(pg_catalog.->) 'data_quality_sufficient')::boolean THEN
		IF pg_catalog.jsonb_typeof(p.impact_analysis OPERATOR(pg_catalog.->) 'sample_size') IS DISTINCT FROM 'number' THEN
			sample := NULL;
		ELSE
			sample := (p.impact_analysis OPERATOR(pg_catalog.->>) 'sample_size')::numeric;
		END IF;
		IF sample IS NULL OR sample OPERATOR(pg_catalog.<=) 1000 THEN
			RAISE EXCEPTION 'data quality is not sufficient' USING ERRCODE = 'check_violation',
				DETAIL = pg_catalog.format('The impact analysis has sample_size %s; more than 1000 is required.',
										   COALESCE(sample::text, 'missing'));
		END IF;
	END IF;
	IF (checklist OPERATOR(pg_catalog.->) 'impact_analysis_completed')::boolean AND p.impact_analysis IS NULL THEN
		RAISE EXCEPTION 'the impact analysis is missing' USING ERRCODE = 'check_violation',
			DETAIL = 'The proposal has no impact_analysis.';
	END IF;
	IF (checklist OPERATOR(pg_catalog.->) 'rollback_plan_documented')::boolean
	   AND COALESCE(p.rollback_plan, '') OPERATOR(pg_catalog.!~) '[^[:space:]]' THEN
		RAISE EXCEPTION 'the rollback plan is missing' USING ERRCODE = 'check_violation',
			DETAIL = 'The proposal has no rollback_plan.';
	END IF;
	IF (checklist OPERATOR(pg_catalog.->) 'monitoring_plan_documented')::boolean
	   AND COALESCE(p.monitoring_plan, '') OPERATOR(pg_catalog.!~) '[^[:space:]]' THEN
		RAISE EXCEPTION 'the monitoring plan is missing' USING ERRCODE = 'check_violation',
			DETAIL = 'The proposal has no monitoring_plan.';
	END IF;

	INSERT INTO modelgov.reviews VALUES (p.proposal_id, m.role_name, m.identity, checklist, approve,
										 comment, modelgov.clock_now());
	SELECT pg_catalog.count(*) INTO good FROM modelgov.reviews r
	 WHERE r.proposal_id OPERATOR(pg_catalog.=) p.proposal_id AND r.approve;
	UPDATE modelgov.proposals x
	   SET status = CASE WHEN good OPERATOR(pg_catalog.>=) 2 THEN 'reviewed' ELSE 'in_review' END
	 WHERE x.proposal_id OPERATOR(pg_catalog.=) p.proposal_id;
	PERFORM modelgov._audit('review', version => p.target_version, proposal_id => p.proposal_id,
							change_type => p.change_type,
							status => CASE WHEN good OPERATOR(pg_catalog.>=) 2 THEN 'reviewed' ELSE 'in_review' END,
							details => pg_catalog.jsonb_build_object('reviewer', m.identity, 'approve', approve,
																	 'checklist', checklist, 'comment', comment));
END
$$;
COMMENT ON FUNCTION modelgov.review(text, jsonb, boolean, text) IS
	'record an independent review with the six-item checklist (members other than the proposer)';

CREATE FUNCTION modelgov.approve(proposal_id text, as_role modelgov.member_role,
								 scheduled_deployment timestamptz DEFAULT NULL)
	RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	m modelgov.members;
	p modelgov.proposals;
	now timestamptz := modelgov.clock_now();
	required modelgov.member_role[] := ARRAY['model_science_lead', 'product_manager', 'engineering_lead'];
	approved_by jsonb;
	schedule timestamptz;
BEGIN
	IF as_role IS NULL OR as_role OPERATOR(pg_catalog.=) 'deployer' THEN
		RAISE EXCEPTION 'cannot approve as %', COALESCE(as_role::text, 'no role')
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'Approvals are given in a committee role: model_science_lead, product_manager, engineering_lead or customer_success_lead.';
	END IF;
	m := modelgov._require_duty(as_role, pg_catalog.format('approve as %s', as_role));
	p := modelgov._proposal_for_update(proposal_id);
	IF p.status OPERATOR(pg_catalog.<>) 'reviewed' THEN
		PERFORM modelgov._wrong_state('approve', p, 'reviewed by at least two members');
	END IF;
	IF p.proposer OPERATOR(pg_catalog.=) m.role_name THEN
		RAISE EXCEPTION 'permission denied to approve proposal %', p.proposal_id
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'The proposer cannot approve their own proposal.';
	END IF;
	IF EXISTS (SELECT 1 FROM modelgov.approvals a WHERE a.proposal_id OPERATOR(pg_catalog.=) p.proposal_id
				  AND a.as_role OPERATOR(pg_catalog.=) as_role) THEN
		RAISE EXCEPTION 'proposal % is already approved by its %', p.proposal_id, as_role
			USING ERRCODE = 'unique_violation';
	END IF;
	IF EXISTS (SELECT 1 FROM modelgov.approvals a WHERE a.proposal_id OPERATOR(pg_catalog.=) p.proposal_id
				  AND a.member OPERATOR(pg_catalog.=) m.role_name) THEN
		RAISE EXCEPTION '% has already approved proposal %', m.identity, p.proposal_id
			USING ERRCODE = 'unique_violation',
				  DETAIL = 'Each committee role is approved by a different member.';
	END IF;
	IF EXISTS (SELECT 1 FROM modelgov.reviews r WHERE r.proposal_id OPERATOR(pg_catalog.=) p.proposal_id
				  AND NOT r.approve) THEN
		RAISE EXCEPTION 'cannot approve proposal % over a negative review', p.proposal_id
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Reject the proposal, or have it withdrawn and proposed again.';
	END IF;

	INSERT INTO modelgov.approvals VALUES (p.proposal_id, as_role, m.role_name, m.identity, now, scheduled_deployment);
	PERFORM modelgov._audit('approval', version => p.target_version, proposal_id => p.proposal_id,
							change_type => p.change_type, status => 'reviewed',
							details => pg_catalog.jsonb_build_object('approver', m.identity, 'as_role', as_role,
																	 'scheduled_deployment', scheduled_deployment));

	-- consensus: every required role has approved
	IF (SELECT pg_catalog.count(*) FROM modelgov.approvals a
		 WHERE a.proposal_id OPERATOR(pg_catalog.=) p.proposal_id
		   AND a.as_role OPERATOR(pg_catalog.=) ANY (required)) OPERATOR(pg_catalog.<) pg_catalog.cardinality(required) THEN
		RETURN;
	END IF;
	SELECT pg_catalog.jsonb_agg(a.member_identity ORDER BY a.decided_at, a.as_role),
		   COALESCE(pg_catalog.max(a.scheduled_deployment), now)
	  INTO approved_by, schedule
	  FROM modelgov.approvals a WHERE a.proposal_id OPERATOR(pg_catalog.=) p.proposal_id;
	IF EXISTS (SELECT 1 FROM modelgov.versions v WHERE v.version OPERATOR(modelgov.=) p.target_version) THEN
		RAISE EXCEPTION 'version % already exists', p.target_version
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = pg_catalog.format('Proposal %s targets %s, which another proposal created first.',
											 p.proposal_id, p.target_version),
				  HINT = 'Withdraw this proposal and propose the change again against the active version.';
	END IF;
	INSERT INTO modelgov.versions (version, config, proposal_id, created_at, status)
		VALUES (p.target_version, p.config, p.proposal_id, now, 'approved');
	UPDATE modelgov.proposals x SET status = 'approved', approved_at = now, scheduled_deployment = schedule
	 WHERE x.proposal_id OPERATOR(pg_catalog.=) p.proposal_id;
	PERFORM modelgov._audit('approved', version => p.target_version, proposal_id => p.proposal_id,
							change_type => p.change_type, status => 'approved',
							details => pg_catalog.jsonb_build_object('approved_by', approved_by,
																	 'approved_at', now,
																	 'scheduled_deployment', schedule));
END
$$;
COMMENT ON FUNCTION modelgov.approve(text, modelgov.member_role, timestamptz) IS
	'approve a reviewed proposal in a committee role; the last required role freezes it as a version';

CREATE FUNCTION modelgov.reject(proposal_id text, reason text) RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	m modelgov.members := modelgov._require_member('reject proposals');
	p modelgov.proposals := modelgov._proposal_for_update(proposal_id);
BEGIN
	IF COALESCE(reason, '') OPERATOR(pg_catalog.!~) '[^[:space:]]' THEN
		RAISE EXCEPTION 'a rejection needs a reason' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF NOT m.roles OPERATOR(pg_catalog.&&) ARRAY['model_science_lead', 'product_manager', 'engineering_lead',
												  'customer_success_lead']::modelgov.member_role[] THEN
		RAISE EXCEPTION 'permission denied to reject proposals' USING ERRCODE = 'insufficient_privilege',
			DETAIL = pg_catalog.format('Member %s holds no committee role.', m.identity);
	END IF;
	IF p.proposer OPERATOR(pg_catalog.=) m.role_name THEN
		RAISE EXCEPTION 'permission denied to reject proposal %', p.proposal_id
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'The proposer cannot reject their own proposal.', HINT = 'Use modelgov.withdraw().';
	END IF;
	IF NOT p.status OPERATOR(pg_catalog.=) ANY (ARRAY['proposed', 'in_review', 'reviewed']) THEN
		PERFORM modelgov._wrong_state('reject', p, 'proposed, in review or reviewed');
	END IF;
	UPDATE modelgov.proposals x SET status = 'rejected', closed_at = modelgov.clock_now(), closed_reason = reason
	 WHERE x.proposal_id OPERATOR(pg_catalog.=) p.proposal_id;
	PERFORM modelgov._audit('rejected', version => p.target_version, proposal_id => p.proposal_id,
							change_type => p.change_type, status => 'rejected',
							details => pg_catalog.jsonb_build_object('rejected_by', m.identity, 'reason', reason));
END
$$;
COMMENT ON FUNCTION modelgov.reject(text, text) IS
	'reject a proposal as a committee member; a rejection ends it';

CREATE FUNCTION modelgov.withdraw(proposal_id text, reason text) RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	m modelgov.members := modelgov._require_member('withdraw proposals');
	p modelgov.proposals := modelgov._proposal_for_update(proposal_id);
BEGIN
	IF COALESCE(reason, '') OPERATOR(pg_catalog.!~) '[^[:space:]]' THEN
		RAISE EXCEPTION 'a withdrawal needs a reason' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF p.proposer OPERATOR(pg_catalog.<>) m.role_name THEN
		RAISE EXCEPTION 'permission denied to withdraw proposal %', p.proposal_id
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = pg_catalog.format('Only the proposer, %s, can withdraw it.', p.proposer_identity);
	END IF;
	IF NOT p.status OPERATOR(pg_catalog.=) ANY (ARRAY['proposed', 'in_review', 'reviewed', 'approved', 'staged']) THEN
		PERFORM modelgov._wrong_state('withdraw', p, 'proposed, in review, reviewed, approved or staged');
	END IF;
	UPDATE modelgov.proposals x SET status = 'withdrawn', closed_at = modelgov.clock_now(), closed_reason = reason
	 WHERE x.proposal_id OPERATOR(pg_catalog.=) p.proposal_id;
	UPDATE modelgov.versions v SET status = 'withdrawn'
	 WHERE v.proposal_id OPERATOR(pg_catalog.=) p.proposal_id;
	PERFORM modelgov._audit('withdrawn', version => p.target_version, proposal_id => p.proposal_id,
							change_type => p.change_type, status => 'withdrawn',
							details => pg_catalog.jsonb_build_object('withdrawn_by', m.identity, 'reason', reason));
END
$$;
COMMENT ON FUNCTION modelgov.withdraw(text, text) IS
	'withdraw one''s own proposal before it reaches production';

CREATE FUNCTION modelgov.record_smoke_test(version modelgov.semver, passed boolean, details jsonb DEFAULT NULL)
	RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	m modelgov.members := modelgov._require_duty('deployer', 'record smoke tests');
	v modelgov.versions;
BEGIN
	IF version IS NULL OR passed IS NULL THEN
		RAISE EXCEPTION 'version and passed must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	SELECT * INTO v FROM modelgov.versions x WHERE x.version OPERATOR(modelgov.=) version FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'version % does not exist', version USING ERRCODE = 'undefined_object';
	END IF;
	IF v.status OPERATOR(pg_catalog.<>) 'staged' THEN
		RAISE EXCEPTION 'cannot record a smoke test for version %', version
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = pg_catalog.format('Version %s is %s; smoke tests run on a version in staging.', version, v.status);
	END IF;
	INSERT INTO modelgov.smoke_tests (version, passed, details, recorded_at, recorded_by)
		VALUES (v.version, passed, details, modelgov.clock_now(), m.role_name);
	PERFORM modelgov._audit('smoke_test', version => v.version, proposal_id => v.proposal_id,
							status => CASE WHEN passed THEN 'passed' ELSE 'failed' END,
							details => pg_catalog.jsonb_build_object('recorded_by', m.identity, 'details', details));
END
$$;
COMMENT ON FUNCTION modelgov.record_smoke_test(modelgov.semver, boolean, jsonb) IS
	'record a smoke test of a staged version (deployers only)';

/*
 * Make a version the active production version, in this transaction:
 * the old one becomes superseded (deploy) or rolled_back (rollback).
 */
CREATE FUNCTION modelgov._promote(target modelgov.versions, kind text, proposal_id text, reason text,
								  actor_identity text, audit_details jsonb)
	RETURNS bigint
	LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	now timestamptz := modelgov.clock_now();
	old modelgov.semver;
	seq bigint;
BEGIN
	SELECT e.version INTO old FROM modelgov.environments e
	 WHERE e.env OPERATOR(pg_catalog.=) 'production' FOR UPDATE;
	UPDATE modelgov.versions v
	   SET status = CASE WHEN kind OPERATOR(pg_catalog.=) 'rollback' THEN 'rolled_back' ELSE 'superseded' END,
		   superseded_by = CASE WHEN kind OPERATOR(pg_catalog.=) 'rollback' THEN v.superseded_by ELSE target.version END
	 WHERE v.version OPERATOR(modelgov.=) old;
	UPDATE modelgov.versions v
	   SET status = 'active', released_at = COALESCE(v.released_at, now),
		   superseded_by = NULL
	 WHERE v.version OPERATOR(modelgov.=) target.version;
	UPDATE modelgov.environments e SET version = target.version, since = now
	 WHERE e.env OPERATOR(pg_catalog.=) 'production';
	seq := modelgov._audit(CASE WHEN kind OPERATOR(pg_catalog.=) 'rollback' THEN 'rollback' ELSE 'deployment' END,
						   version => target.version, proposal_id => proposal_id,
						   change_type => (SELECT p.change_type FROM modelgov.proposals p
											WHERE p.proposal_id OPERATOR(pg_catalog.=) proposal_id),
						   status => CASE WHEN kind OPERATOR(pg_catalog.=) 'rollback' THEN 'completed' ELSE 'active' END,
						   details => audit_details OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object(
							   'environment', 'production', 'from_version', old::text,
							   'to_version', target.version::text));
	INSERT INTO modelgov.deployments (env, kind, version, from_version, proposal_id, deployed_at,
									  deployed_by, reason, audit_seq)
		VALUES ('production', kind, target.version, old, proposal_id, now, modelgov._actor(), reason, seq);
	PERFORM modelgov._active_changed();
	RETURN seq;
END
$$;
COMMENT ON FUNCTION modelgov._promote(modelgov.versions, text, text, text, text, jsonb) IS
	'internal: switch the active production version and record it';

CREATE FUNCTION modelgov.deploy(proposal_id text, env modelgov.environment) RETURNS modelgov.semver
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	m modelgov.members := modelgov._require_duty('deployer', 'deploy');
	p modelgov.proposals;
	v modelgov.versions;
	now timestamptz := modelgov.clock_now();
	active modelgov.semver;
	smoke modelgov.smoke_tests;
	seq bigint;
BEGIN
	IF env IS NULL THEN
		RAISE EXCEPTION 'env must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	p := modelgov._proposal_for_update(proposal_id);
	SELECT * INTO v FROM modelgov.versions x WHERE x.proposal_id OPERATOR(pg_catalog.=) p.proposal_id FOR UPDATE;

	IF env OPERATOR(pg_catalog.=) 'staging' THEN
		IF p.status OPERATOR(pg_catalog.<>) 'approved' THEN
			PERFORM modelgov._wrong_state('deploy to staging', p, 'approved by the committee and not yet deployed');
		END IF;
		UPDATE modelgov.versions x SET status = 'staged', staged_at = now
		 WHERE x.version OPERATOR(modelgov.=) v.version;
		UPDATE modelgov.proposals x SET status = 'staged' WHERE x.proposal_id OPERATOR(pg_catalog.=) p.proposal_id;
		UPDATE modelgov.environments e SET version = v.version, since = now
		 WHERE e.env OPERATOR(pg_catalog.=) 'staging';
		seq := modelgov._audit('deployment', version => v.version, proposal_id => p.proposal_id,
							   change_type => p.change_type, status => 'staged',
							   details => pg_catalog.jsonb_build_object('environment', 'staging',
																		'deployed_by', m.identity));
		INSERT INTO modelgov.deployments (env, kind, version, proposal_id, deployed_at, deployed_by, audit_seq)
			VALUES ('staging', 'deploy', v.version, p.proposal_id, now, m.role_name, seq);
		RETURN v.version;
	END IF;

	-- production
	IF p.status OPERATOR(pg_catalog.<>) 'staged' THEN
		PERFORM modelgov._wrong_state('deploy to production', p, 'staged');
	END IF;
	SELECT * INTO smoke FROM modelgov.smoke_tests s
	 WHERE s.version OPERATOR(modelgov.=) v.version ORDER BY s.id DESC LIMIT 1;
	IF NOT FOUND OR NOT smoke.passed THEN
		RAISE EXCEPTION 'cannot deploy % to production without a passing smoke test', v.version
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = CASE WHEN smoke.id IS NULL THEN 'No smoke test is recorded for it.'
								ELSE pg_catalog.format('The last smoke test, recorded at %s, failed.', smoke.recorded_at) END,
				  HINT = 'Record one with modelgov.record_smoke_test().';
	END IF;
	IF now OPERATOR(pg_catalog.<) p.scheduled_deployment THEN
		RAISE EXCEPTION 'cannot deploy % before its scheduled deployment', v.version
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = pg_catalog.format('It is scheduled for %s.', p.scheduled_deployment);
	END IF;
	SELECT e.version INTO active FROM modelgov.environments e
	 WHERE e.env OPERATOR(pg_catalog.=) 'production' FOR UPDATE;
	IF active OPERATOR(modelgov.<>) p.base_version THEN
		RAISE EXCEPTION 'cannot deploy % over %', v.version, active
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = pg_catalog.format('Proposal %s changes %s, but %s is active in production%s.',
											 p.proposal_id, p.base_version, active,
											 CASE WHEN active OPERATOR(modelgov.>) v.version
												  THEN ', a newer version' ELSE '' END),
				  HINT = 'Withdraw this proposal and propose the change again against the active version.';
	END IF;

	PERFORM modelgov._promote(v, 'deploy', p.proposal_id, p.description, m.identity,
		pg_catalog.jsonb_build_object(
			'old_values', p.old_values, 'new_values', p.new_values,
			'approved_by', (SELECT pg_catalog.jsonb_agg(a.member_identity ORDER BY a.decided_at, a.as_role)
							  FROM modelgov.approvals a WHERE a.proposal_id OPERATOR(pg_catalog.=) p.proposal_id),
			'deployed_by', m.identity, 'reason', p.description,
			-- the replaced version's measured performance, as the seed records it
			'metrics_before', (SELECT h.performance OPERATOR(pg_catalog.-) 'days' FROM modelgov.version_history h
								WHERE h.version OPERATOR(modelgov.=) p.base_version)));
	UPDATE modelgov.proposals x SET status = 'deployed', closed_at = now
	 WHERE x.proposal_id OPERATOR(pg_catalog.=) p.proposal_id;
	RETURN v.version;
END
$$;
COMMENT ON FUNCTION modelgov.deploy(text, modelgov.environment) IS
	'deploy an approved proposal to staging, or a staged one with a passing smoke test to production (deployers only)';

/*
 * Roll back production.  rolled_back_by is the identity recorded: the
 * member for rollback(), "automation" for the monitor.
 */
CREATE FUNCTION modelgov._rollback(reason text, to_version modelgov.semver, rolled_back_by text)
	RETURNS modelgov.semver
	LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	active modelgov.semver;
	target modelgov.versions;
BEGIN
	IF COALESCE(reason, '') OPERATOR(pg_catalog.!~) '[^[:space:]]' THEN
		RAISE EXCEPTION 'a rollback needs a reason' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	SELECT e.version INTO active FROM modelgov.environments e
	 WHERE e.env OPERATOR(pg_catalog.=) 'production' FOR UPDATE;
	IF active IS NULL THEN
		RAISE EXCEPTION 'there is no active version to roll back' USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	IF to_version IS NULL THEN
		-- the version the active one replaced when it was last deployed
		SELECT d.from_version INTO to_version FROM modelgov.deployments d
		 WHERE d.env OPERATOR(pg_catalog.=) 'production' AND d.kind OPERATOR(pg_catalog.=) 'deploy'
		   AND d.version OPERATOR(modelgov.=) active
		 ORDER BY d.id DESC LIMIT 1;
		IF to_version IS NULL THEN
			RAISE EXCEPTION 'version % has no previous version to roll back to', active
				USING ERRCODE = 'object_not_in_prerequisite_state',
					  HINT = 'Name the version with the to_version argument.';
		END IF;
	END IF;
	SELECT * INTO target FROM modelgov.versions v WHERE v.version OPERATOR(modelgov.=) to_version FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'version % does not exist', to_version USING ERRCODE = 'undefined_object';
	END IF;
	IF target.version OPERATOR(modelgov.=) active THEN
		RAISE EXCEPTION 'version % is already active', active USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	IF target.released_at IS NULL THEN
		RAISE EXCEPTION 'cannot roll back to version %', target.version
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'It has never run in production; a rollback only returns to a version with a known record.';
	END IF;
	PERFORM modelgov._promote(target, 'rollback', NULL, reason, rolled_back_by,
		pg_catalog.jsonb_build_object('reason', reason, 'rolled_back_by', rolled_back_by,
									  'root_cause', 'TBD'));
	RETURN target.version;
END
$$;
COMMENT ON FUNCTION modelgov._rollback(text, modelgov.semver, text) IS
	'internal: roll production back, recording who or what did it';

CREATE FUNCTION modelgov.rollback(reason text, to_version modelgov.semver DEFAULT NULL)
	RETURNS modelgov.semver
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	m modelgov.members := modelgov._require_duty('deployer', 'roll back');
BEGIN
	RETURN modelgov._rollback(reason, to_version, m.identity);
END
$$;
COMMENT ON FUNCTION modelgov.rollback(text, modelgov.semver) IS
	'roll production back to the version the active one replaced, or to a named earlier version (deployers only)';

-- modelgov.version_history is defined in sql/monitoring.sql, with performance.

REVOKE ALL ON FUNCTION modelgov.init_model(jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.propose(modelgov.change_type, text, jsonb, jsonb, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.review(text, jsonb, boolean, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.approve(text, modelgov.member_role, timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.reject(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.withdraw(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.deploy(text, modelgov.environment) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.record_smoke_test(modelgov.semver, boolean, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.rollback(text, modelgov.semver) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov._promote(modelgov.versions, text, text, text, text, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov._rollback(text, modelgov.semver, text) FROM PUBLIC;

--
-- Comments on what PostgreSQL generates for the objects above
--
COMMENT ON FUNCTION modelgov.semverrange(modelgov.semver, modelgov.semver) IS 'semverrange constructor, [) bounds';
COMMENT ON FUNCTION modelgov.semverrange(modelgov.semver, modelgov.semver, text) IS 'semverrange constructor with explicit bounds';
COMMENT ON TYPE modelgov.semvermultirange IS 'multirange of semver values';
COMMENT ON FUNCTION modelgov.semvermultirange() IS 'empty semvermultirange';
COMMENT ON FUNCTION modelgov.semvermultirange(modelgov.semverrange) IS 'semvermultirange of one range';
COMMENT ON FUNCTION modelgov.semvermultirange(VARIADIC modelgov.semverrange[]) IS 'semvermultirange of several ranges';
COMMENT ON CAST (modelgov.semverrange AS modelgov.semvermultirange) IS 'a range as a multirange';
COMMENT ON OPERATOR FAMILY modelgov.semver_ops USING btree IS 'SemVer 2.0.0 precedence order';
COMMENT ON OPERATOR FAMILY modelgov.semver_ops USING hash IS 'hashing consistent with semver equality';
COMMENT ON SEQUENCE modelgov.bump_policy_history_id_seq IS 'ids of bump policy rows';
COMMENT ON SEQUENCE modelgov.deployments_id_seq IS 'ids of deployments';
COMMENT ON SEQUENCE modelgov.smoke_tests_id_seq IS 'ids of smoke tests';

/*
 * A version's configuration never changes once approved, nor does what a
 * proposal proposed; not even the extension's own functions may change
 * them, so scoring can compile a version once and keep it.
 */
CREATE FUNCTION modelgov._version_frozen() RETURNS trigger
	LANGUAGE plpgsql
	SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	IF NEW.config OPERATOR(pg_catalog.<>) OLD.config
	   OR NEW.version::text OPERATOR(pg_catalog.<>) OLD.version::text THEN
		RAISE EXCEPTION 'version % is frozen', OLD.version
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'An approved version and its configuration never change; propose a new version instead.';
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION modelgov._version_frozen() IS
	'internal: refuses changes to an approved version''s number or configuration';

CREATE FUNCTION modelgov._proposal_frozen() RETURNS trigger
	LANGUAGE plpgsql
	SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	IF NEW.config OPERATOR(pg_catalog.<>) OLD.config
	   OR NEW.new_values OPERATOR(pg_catalog.<>) OLD.new_values
	   OR NEW.old_values OPERATOR(pg_catalog.<>) OLD.old_values
	   OR NEW.change_type OPERATOR(pg_catalog.<>) OLD.change_type
	   OR NEW.proposer OPERATOR(pg_catalog.<>) OLD.proposer
	   OR NEW.target_version::text OPERATOR(pg_catalog.<>) OLD.target_version::text
	   OR NEW.base_version::text OPERATOR(pg_catalog.<>) OLD.base_version::text THEN
		RAISE EXCEPTION 'proposal % cannot be edited', OLD.proposal_id
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'What a proposal proposes never changes; withdraw it and propose again.';
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION modelgov._proposal_frozen() IS
	'internal: refuses changes to what a proposal proposes';
REVOKE ALL ON FUNCTION modelgov._version_frozen() FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov._proposal_frozen() FROM PUBLIC;

CREATE TRIGGER versions_frozen BEFORE UPDATE ON modelgov.versions
	FOR EACH ROW EXECUTE FUNCTION modelgov._version_frozen();
CREATE TRIGGER proposals_frozen BEFORE UPDATE ON modelgov.proposals
	FOR EACH ROW EXECUTE FUNCTION modelgov._proposal_frozen();
ALTER TABLE modelgov.versions ENABLE ALWAYS TRIGGER versions_frozen;
ALTER TABLE modelgov.proposals ENABLE ALWAYS TRIGGER proposals_frozen;

--
-- Scoring: the model evaluated inside queries
--
-- Active-version functions are STABLE: one statement evaluates every row
-- with one version.  Versioned ones are IMMUTABLE: a version never
-- changes.  All are PARALLEL SAFE, and none is STRICT: NULL features give
-- the documented result instead of failing a batch.
--

CREATE FUNCTION modelgov.score(features float8[], candidate text DEFAULT NULL)
	RETURNS float8
	AS 'MODULE_PATHNAME', 'mg_score'
	LANGUAGE C STABLE PARALLEL SAFE COST 10;
CREATE FUNCTION modelgov.decide(features float8[], candidate text DEFAULT NULL)
	RETURNS modelgov.decision
	AS 'MODULE_PATHNAME', 'mg_decide'
	LANGUAGE C STABLE PARALLEL SAFE COST 10;
CREATE FUNCTION modelgov.score(f1 float8, f2 float8, f3 float8, f4 float8, candidate text DEFAULT NULL)
	RETURNS float8
	AS 'MODULE_PATHNAME', 'mg_score4'
	LANGUAGE C STABLE PARALLEL SAFE COST 5;
CREATE FUNCTION modelgov.decide(f1 float8, f2 float8, f3 float8, f4 float8, candidate text DEFAULT NULL)
	RETURNS modelgov.decision
	AS 'MODULE_PATHNAME', 'mg_decide4'
	LANGUAGE C STABLE PARALLEL SAFE COST 5;
CREATE FUNCTION modelgov.score(version modelgov.semver, features float8[], candidate text DEFAULT NULL)
	RETURNS float8
	AS 'MODULE_PATHNAME', 'mg_score_version'
	LANGUAGE C IMMUTABLE PARALLEL SAFE COST 10;
CREATE FUNCTION modelgov.decide(version modelgov.semver, features float8[], candidate text DEFAULT NULL)
	RETURNS modelgov.decision
	AS 'MODULE_PATHNAME', 'mg_decide_version'
	LANGUAGE C IMMUTABLE PARALLEL SAFE COST 10;
CREATE FUNCTION modelgov.explain(features float8[], candidate text DEFAULT NULL,
								 version modelgov.semver DEFAULT NULL)
	RETURNS jsonb
	AS 'MODULE_PATHNAME', 'mg_explain'
	LANGUAGE C STABLE PARALLEL SAFE COST 100;
CREATE FUNCTION modelgov.cache_stats(OUT loads bigint, OUT hits bigint, OUT invalidations bigint,
									 OUT compiled_versions integer, OUT active_version text,
									 OUT last_load_ms float8)
	AS 'MODULE_PATHNAME', 'mg_cache_stats'
	LANGUAGE C VOLATILE PARALLEL SAFE;

COMMENT ON FUNCTION modelgov.score(float8[], text) IS
	'calibrated risk in [0, 1] of the active production version; NULL when a feature is missing';
COMMENT ON FUNCTION modelgov.decide(float8[], text) IS
	'AUTO, ASK or ESCALATE by the active production version';
COMMENT ON FUNCTION modelgov.score(float8, float8, float8, float8, text) IS
	'score() of four features passed separately, with no array per row';
COMMENT ON FUNCTION modelgov.decide(float8, float8, float8, float8, text) IS
	'decide() of four features passed separately, with no array per row';
COMMENT ON FUNCTION modelgov.score(modelgov.semver, float8[], text) IS
	'score() by a given version, for backtests and shadow scoring';
COMMENT ON FUNCTION modelgov.decide(modelgov.semver, float8[], text) IS
	'decide() by a given version, for backtests and shadow scoring';
COMMENT ON FUNCTION modelgov.explain(float8[], text, modelgov.semver) IS
	'how a decision was reached: contributions, bias, z, p, thresholds, rules fired';
COMMENT ON FUNCTION modelgov.cache_stats() IS
	'this backend''s model cache: loads, statement hits, invalidations, compiled versions, active version, duration of the last load';
--
-- Lifecycle: monitoring (part of the install script, see the Makefile)
--

--
-- Daily metrics.  One row per version and day; recording a day again is
-- refused, and a correction is an explicit, audited new revision.
--

CREATE TABLE modelgov.daily_metrics (
	version			modelgov.semver NOT NULL REFERENCES modelgov.versions,
	day				date NOT NULL,
	revision		integer NOT NULL CHECK (revision OPERATOR(pg_catalog.>) 0),
	metrics			jsonb NOT NULL,
	recorded_at		timestamptz NOT NULL,
	recorded_by		text NOT NULL,
	reason			text,
	PRIMARY KEY (version, day, revision),
	CHECK ((revision OPERATOR(pg_catalog.=) 1) OPERATOR(pg_catalog.=) (reason IS NULL))
);
COMMENT ON TABLE modelgov.daily_metrics IS
	'daily production metrics per version; corrections are later revisions with a reason';
COMMENT ON COLUMN modelgov.daily_metrics.revision IS '1 as recorded, then one more per correction';
SELECT pg_catalog.pg_extension_config_dump('modelgov.daily_metrics', '');
GRANT SELECT ON modelgov.daily_metrics TO PUBLIC;

CREATE VIEW modelgov.metrics AS
	SELECT DISTINCT ON (m.version, m.day)
		   m.version, m.day, m.metrics, m.revision, m.recorded_at, m.recorded_by
	  FROM modelgov.daily_metrics m
	 ORDER BY m.version, m.day, m.revision DESC;
COMMENT ON VIEW modelgov.metrics IS 'the metrics in force for each version and day (the latest revision)';
GRANT SELECT ON modelgov.metrics TO PUBLIC;

/* Validate a metrics object: known keys, counts, rates and times. */
CREATE FUNCTION modelgov._check_metrics(metrics jsonb) RETURNS jsonb
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	k text;
	v jsonb;
	n numeric;
BEGIN
	IF metrics IS NULL OR pg_catalog.jsonb_typeof(metrics) OPERATOR(pg_catalog.<>) 'object' THEN
		RAISE EXCEPTION 'invalid metrics' USING ERRCODE = 'invalid_parameter_value',
			DETAIL = 'Metrics are a JSON object of numbers.';
	END IF;
	FOR k, v IN SELECT * FROM pg_catalog.jsonb_each(metrics) LOOP
		IF pg_catalog.jsonb_typeof(v) OPERATOR(pg_catalog.<>) 'number' THEN
			RAISE EXCEPTION 'invalid metrics' USING ERRCODE = 'invalid_parameter_value',
				DETAIL = pg_catalog.format('Metric "%s" must be a number, not %s.', k, v);
		END IF;
		n := v::text::numeric;
		IF pg_catalog.abs(n) OPERATOR(pg_catalog.>) 1e300 THEN
			RAISE EXCEPTION 'invalid metrics' USING ERRCODE = 'invalid_parameter_value',
				DETAIL = pg_catalog.format('Metric "%s" is too large: %s.', k, pg_catalog.left(v::text, 40));
		END IF;
		IF k OPERATOR(pg_catalog.=) ANY (ARRAY['decisions', 'auto', 'ask', 'escalate', 'errors'])
		   AND (n OPERATOR(pg_catalog.<) 0 OR n OPERATOR(pg_catalog.<>) pg_catalog.trunc(n)) THEN
			RAISE EXCEPTION 'invalid metrics' USING ERRCODE = 'invalid_parameter_value',
				DETAIL = pg_catalog.format('Metric "%s" is a count, not %s.', k, v);
		END IF;
		IF k OPERATOR(pg_catalog.=) 'latency_p99_ms' AND n OPERATOR(pg_catalog.<) 0 THEN
			RAISE EXCEPTION 'invalid metrics' USING ERRCODE = 'invalid_parameter_value',
				DETAIL = pg_catalog.format('Metric "latency_p99_ms" cannot be negative: %s.', v);
		END IF;
		IF k NOT IN ('decisions', 'auto', 'ask', 'escalate', 'errors', 'latency_p99_ms')
		   AND (n OPERATOR(pg_catalog.<) 0 OR n OPERATOR(pg_catalog.>) 1) THEN
			RAISE EXCEPTION 'invalid metrics' USING ERRCODE = 'invalid_parameter_value',
				DETAIL = pg_catalog.format('Metric "%s" is a rate between 0 and 1, not %s.', k, v);
		END IF;
	END LOOP;
	IF metrics OPERATOR(pg_catalog.?) 'decisions' AND
	   (COALESCE((metrics OPERATOR(pg_catalog.->>) 'auto')::numeric, 0)
		OPERATOR(pg_catalog.+) COALESCE((metrics OPERATOR(pg_catalog.->>) 'ask')::numeric, 0)
		OPERATOR(pg_catalog.+) COALESCE((metrics OPERATOR(pg_catalog.->>) 'escalate')::numeric, 0))
	   OPERATOR(pg_catalog.>) (metrics OPERATOR(pg_catalog.->>) 'decisions')::numeric THEN
		RAISE EXCEPTION 'invalid metrics' USING ERRCODE = 'invalid_parameter_value',
			DETAIL = 'auto + ask + escalate exceed decisions.';
	END IF;
	IF (metrics OPERATOR(pg_catalog.->>) 'errors')::numeric OPERATOR(pg_catalog.>) (metrics OPERATOR(pg_catalog.->>) 'decisions')::numeric THEN
		RAISE EXCEPTION 'invalid metrics' USING ERRCODE = 'invalid_parameter_value',
			DETAIL = 'errors exceed decisions.';
	END IF;
	RETURN metrics;
END
$$;
COMMENT ON FUNCTION modelgov._check_metrics(jsonb) IS
	'internal: validate daily metrics (counts, rates in [0, 1], latency), or 22023';

CREATE FUNCTION modelgov.record_metrics(version modelgov.semver, day date, metrics jsonb)
	RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	m modelgov.members := modelgov._require_duty('deployer', 'record metrics');
	v modelgov.versions;
BEGIN
	IF version IS NULL OR day IS NULL THEN
		RAISE EXCEPTION 'version and day must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	v := modelgov._require_version(version);
	IF v.released_at IS NULL THEN
		RAISE EXCEPTION 'version % has never run in production', version
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	IF day OPERATOR(pg_catalog.>) pg_catalog.timezone('UTC', modelgov.clock_now())::date THEN
		RAISE EXCEPTION 'cannot record metrics for %, a day in the future', day
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('Today is %s (UTC).', pg_catalog.timezone('UTC', modelgov.clock_now())::date);
	END IF;
	IF day OPERATOR(pg_catalog.<) pg_catalog.timezone('UTC', v.released_at)::date THEN
		RAISE EXCEPTION 'version % was not in production on %', v.version, day
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('It first ran in production on %s (UTC).',
											 pg_catalog.timezone('UTC', v.released_at)::date);
	END IF;
	PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('modelgov.daily_metrics'));
	IF EXISTS (SELECT 1 FROM modelgov.daily_metrics d
				WHERE d.version OPERATOR(modelgov.=) v.version AND d.day OPERATOR(pg_catalog.=) day) THEN
		RAISE EXCEPTION 'metrics of version % for % are already recorded', v.version, day
			USING ERRCODE = 'unique_violation',
				  HINT = 'Recorded metrics are not replaced; use modelgov.correct_metrics() with a reason.';
	END IF;
	INSERT INTO modelgov.daily_metrics VALUES (v.version, day, 1, modelgov._check_metrics(metrics),
											   modelgov.clock_now(), m.role_name, NULL);
	PERFORM modelgov._audit('metrics', version => v.version, proposal_id => v.proposal_id,
							details => pg_catalog.jsonb_build_object('day', day, 'metrics', metrics,
																	 'recorded_by', m.identity));
END
$$;
COMMENT ON FUNCTION modelgov.record_metrics(modelgov.semver, date, jsonb) IS
	'record a day''s production metrics of a version, once (deployers only)';

CREATE FUNCTION modelgov.correct_metrics(version modelgov.semver, day date, metrics jsonb, reason text)
	RETURNS integer
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	m modelgov.members := modelgov._require_duty('deployer', 'correct metrics');
	last modelgov.daily_metrics;
BEGIN
	IF COALESCE(reason, '') OPERATOR(pg_catalog.!~) '[^[:space:]]' THEN
		RAISE EXCEPTION 'a correction needs a reason' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('modelgov.daily_metrics'));
	SELECT * INTO last FROM modelgov.daily_metrics d
	 WHERE d.version OPERATOR(modelgov.=) version AND d.day OPERATOR(pg_catalog.=) day
	 ORDER BY d.revision DESC LIMIT 1;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no metrics of version % for % to correct', version, day
			USING ERRCODE = 'undefined_object', HINT = 'Record them with modelgov.record_metrics().';
	END IF;
	INSERT INTO modelgov.daily_metrics VALUES (last.version, day, last.revision OPERATOR(pg_catalog.+) 1,
											   modelgov._check_metrics(metrics), modelgov.clock_now(),
											   m.role_name, reason);
	PERFORM modelgov._audit('metrics_corrected', version => last.version,
							proposal_id => (SELECT x.proposal_id FROM modelgov.versions x
											 WHERE x.version OPERATOR(modelgov.=) last.version),
							details => pg_catalog.jsonb_build_object(
								'day', day, 'revision', last.revision OPERATOR(pg_catalog.+) 1,
								'old_values', last.metrics, 'new_values', metrics,
								'reason', reason, 'recorded_by', m.identity));
	RETURN last.revision OPERATOR(pg_catalog.+) 1;
END
$$;
COMMENT ON FUNCTION modelgov.correct_metrics(modelgov.semver, date, jsonb, text) IS
	'correct a day''s metrics as a new, audited revision (deployers only)';

REVOKE ALL ON FUNCTION modelgov.record_metrics(modelgov.semver, date, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.correct_metrics(modelgov.semver, date, jsonb, text) FROM PUBLIC;

--
-- decision_counts(d): the daily counts of an application's decisions
--

CREATE FUNCTION modelgov._decision_counts_add(state bigint[], d modelgov.decision) RETURNS bigint[]
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT ARRAY[state[1] OPERATOR(pg_catalog.+) 1,
				 state[2] OPERATOR(pg_catalog.+) (d IS NOT DISTINCT FROM 'AUTO'::modelgov.decision)::int,
				 state[3] OPERATOR(pg_catalog.+) (d IS NOT DISTINCT FROM 'ASK'::modelgov.decision)::int,
				 state[4] OPERATOR(pg_catalog.+) (d IS NOT DISTINCT FROM 'ESCALATE'::modelgov.decision)::int,
				 state[5] OPERATOR(pg_catalog.+) (d IS NULL)::int]
$$;
CREATE FUNCTION modelgov._decision_counts_combine(a bigint[], b bigint[]) RETURNS bigint[]
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT ARRAY[a[1] OPERATOR(pg_catalog.+) b[1], a[2] OPERATOR(pg_catalog.+) b[2],
				 a[3] OPERATOR(pg_catalog.+) b[3], a[4] OPERATOR(pg_catalog.+) b[4],
				 a[5] OPERATOR(pg_catalog.+) b[5]]
$$;
CREATE FUNCTION modelgov._decision_counts_final(state bigint[]) RETURNS jsonb
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT pg_catalog.jsonb_build_object('decisions', state[1], 'auto', state[2], 'ask', state[3],
										 'escalate', state[4], 'errors', state[5])
$$;
COMMENT ON FUNCTION modelgov._decision_counts_add(bigint[], modelgov.decision) IS 'internal: decision_counts transition';
COMMENT ON FUNCTION modelgov._decision_counts_combine(bigint[], bigint[]) IS 'internal: decision_counts combine';
COMMENT ON FUNCTION modelgov._decision_counts_final(bigint[]) IS 'internal: decision_counts final';

CREATE AGGREGATE modelgov.decision_counts(d modelgov.decision) (
	SFUNC = modelgov._decision_counts_add,
	STYPE = bigint[],
	INITCOND = '{0,0,0,0,0}',
	COMBINEFUNC = modelgov._decision_counts_combine,
	FINALFUNC = modelgov._decision_counts_final,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE modelgov.decision_counts(modelgov.decision) IS
	'the counts record_metrics takes, in one pass: decisions, auto, ask, escalate, and errors (NULL decisions)';

--
-- The historical record: one row per version, with its measured performance
--

CREATE VIEW modelgov.version_history AS
	SELECT v.version, v.status, v.released_at,
		   v.config OPERATOR(pg_catalog.->) 'weights' AS weights,
		   v.config OPERATOR(pg_catalog.->) 'thresholds' AS thresholds,
		   perf.performance,
		   v.superseded_by,
		   v.proposal_id AS proposal,
		   p.change_type,
		   v.created_at,
		   v.staged_at
	  FROM modelgov.versions v
	  LEFT JOIN modelgov.proposals p ON p.proposal_id OPERATOR(pg_catalog.=) v.proposal_id
	  LEFT JOIN LATERAL (
		SELECT pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
				   'days', pg_catalog.count(*),
				   'correct_auto', pg_catalog.round(pg_catalog.avg((m.metrics OPERATOR(pg_catalog.->>) 'correct_auto')::numeric), 4),
				   'auto_rate', pg_catalog.round(pg_catalog.avg((m.metrics OPERATOR(pg_catalog.->>) 'auto')::numeric
											  OPERATOR(pg_catalog./) NULLIF((m.metrics OPERATOR(pg_catalog.->>) 'decisions')::numeric, 0)), 4),
				   'escalate_rate', pg_catalog.round(pg_catalog.avg((m.metrics OPERATOR(pg_catalog.->>) 'escalate')::numeric
												  OPERATOR(pg_catalog./) NULLIF((m.metrics OPERATOR(pg_catalog.->>) 'decisions')::numeric, 0)), 4)))
				   AS performance
		  FROM modelgov.metrics m
		 WHERE m.version OPERATOR(modelgov.=) v.version
		HAVING pg_catalog.count(*) OPERATOR(pg_catalog.>) 0) perf ON true;
COMMENT ON VIEW modelgov.version_history IS
	'one row per version: the historical record, with averages of its daily metrics as performance';
GRANT SELECT ON modelgov.version_history TO PUBLIC;

--
-- Monitoring policy: defaults in _monitoring_setting(), overrides in a
-- table that holds only what an administrator changed (so a restore adds
-- them to a fresh install without conflicts).
--

CREATE TABLE modelgov.monitoring_settings (
	name		text PRIMARY KEY
				CHECK (name OPERATOR(pg_catalog.=) ANY (ARRAY['rate_tolerance', 'error_rate_max',
															 'feature_availability_min', 'latency_p99_max_ms',
															 'sigma', 'monitoring_days'])),
	value		float8 NOT NULL,
	set_at		timestamptz NOT NULL,
	set_by		text NOT NULL
);
COMMENT ON TABLE modelgov.monitoring_settings IS
	'monitoring thresholds an administrator changed; modelgov.monitoring_policy shows all of them';
SELECT pg_catalog.pg_extension_config_dump('modelgov.monitoring_settings', '');
GRANT SELECT ON modelgov.monitoring_settings TO PUBLIC;

CREATE VIEW modelgov.monitoring_policy AS
	SELECT d.name, COALESCE(s.value, d.value) AS value, s.value IS NULL AS is_default, d.meaning
	  FROM (VALUES ('rate_tolerance', 0.03::float8,
					'largest distance of the daily AUTO and ESCALATE rates from the proposal''s expected rates'),
				   ('error_rate_max', 0.05, 'errors / decisions must stay below this'),
				   ('feature_availability_min', 0.99, 'feature_availability must stay above this'),
				   ('latency_p99_max_ms', 100, 'latency_p99_ms must stay below this'),
				   ('sigma', 2, 'the rollback trigger: a metric this many standard deviations from its mean'),
				   ('monitoring_days', 7, 'days after a deployment that monitor() checks')) AS d(name, value, meaning)
	  LEFT JOIN modelgov.monitoring_settings s ON s.name OPERATOR(pg_catalog.=) d.name;
COMMENT ON VIEW modelgov.monitoring_policy IS 'the monitoring thresholds in force, defaults included';
GRANT SELECT ON modelgov.monitoring_policy TO PUBLIC;

CREATE FUNCTION modelgov._monitoring_setting(name text) RETURNS float8
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT p.value FROM modelgov.monitoring_policy p WHERE p.name OPERATOR(pg_catalog.=) $1
$$;
COMMENT ON FUNCTION modelgov._monitoring_setting(text) IS 'internal: a monitoring threshold in force';

CREATE FUNCTION modelgov.set_monitoring_setting(name text, value float8) RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	old float8;
BEGIN
	PERFORM modelgov._require_admin('change the monitoring policy');
	IF name IS NULL OR value IS NULL THEN
		RAISE EXCEPTION 'name and value must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	old := modelgov._monitoring_setting(name);
	IF old IS NULL THEN
		RAISE EXCEPTION 'unknown monitoring setting "%"', name
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'modelgov.monitoring_policy lists the settings.';
	END IF;
	-- NaN compares above every number in PostgreSQL, so it would disable a check
	IF value OPERATOR(pg_catalog.=) 'NaN'::float8 OR value OPERATOR(pg_catalog.<) 0 OR value OPERATOR(pg_catalog.>) 1e6
	   OR (name OPERATOR(pg_catalog.=) ANY (ARRAY['rate_tolerance', 'error_rate_max', 'feature_availability_min'])
		   AND value OPERATOR(pg_catalog.>) 1)
	   OR (name OPERATOR(pg_catalog.=) 'monitoring_days'
		   AND (value OPERATOR(pg_catalog.<) 1 OR value OPERATOR(pg_catalog.>) 366
				OR value OPERATOR(pg_catalog.<>) pg_catalog.trunc(value))) THEN
		RAISE EXCEPTION 'invalid value % for monitoring setting "%"', value, name
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'Rates are between 0 and 1, monitoring_days a whole number of days from 1 to 366, the others between 0 and 1000000.';
	END IF;
	INSERT INTO modelgov.monitoring_settings VALUES (name, value, modelgov.clock_now(), modelgov._actor())
	ON CONFLICT ON CONSTRAINT monitoring_settings_pkey
	DO UPDATE SET value = EXCLUDED.value, set_at = EXCLUDED.set_at, set_by = EXCLUDED.set_by;
	PERFORM modelgov._audit('monitoring_policy_changed',
							details => pg_catalog.jsonb_build_object('setting', name,
								'old_values', pg_catalog.jsonb_build_object(name, old),
								'new_values', pg_catalog.jsonb_build_object(name, value)));
END
$$;
COMMENT ON FUNCTION modelgov.set_monitoring_setting(text, float8) IS
	'change a monitoring threshold (administrators only; audited)';
REVOKE ALL ON FUNCTION modelgov.set_monitoring_setting(text, float8) FROM PUBLIC;

--
-- Daily checks and the rollback trigger
--

/* A metric of a day: counts as a fraction of decisions, others as they are. */
CREATE FUNCTION modelgov._metric(metrics jsonb, name text) RETURNS float8
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT CASE WHEN name OPERATOR(pg_catalog.=) ANY (ARRAY['auto_rate', 'ask_rate', 'escalate_rate', 'error_rate'])
				THEN (metrics OPERATOR(pg_catalog.->>) pg_catalog.replace(pg_catalog.replace(name, '_rate', ''), 'error', 'errors'))::float8
					 OPERATOR(pg_catalog./) NULLIF((metrics OPERATOR(pg_catalog.->>) 'decisions')::float8, 0)
				ELSE (metrics OPERATOR(pg_catalog.->>) name)::float8 END
$$;
COMMENT ON FUNCTION modelgov._metric(jsonb, text) IS
	'internal: auto_rate, ask_rate, escalate_rate, error_rate (of decisions), or a recorded metric';

/* The production deployment that made a version active most recently. */
CREATE FUNCTION modelgov._active_since(version modelgov.semver) RETURNS timestamptz
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT d.deployed_at FROM modelgov.deployments d
	 WHERE d.env OPERATOR(pg_catalog.=) 'production' AND d.version OPERATOR(modelgov.=) $1
	 ORDER BY d.id DESC LIMIT 1
$$;
COMMENT ON FUNCTION modelgov._active_since(modelgov.semver) IS
	'internal: when a version last became active in production';

/*
 * Mean and standard deviation of a metric over the days recorded before a
 * date (of any version): the history the 2 sigma rule compares with.
 */
CREATE FUNCTION modelgov._history(name text, before date, OUT days bigint, OUT mean float8, OUT sigma float8)
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT pg_catalog.count(x), pg_catalog.avg(x), pg_catalog.stddev_samp(x)
	  FROM (SELECT modelgov._metric(m.metrics, $1) AS x
			  FROM modelgov.metrics m WHERE m.day OPERATOR(pg_catalog.<) $2) h
	 WHERE x IS NOT NULL
$$;
COMMENT ON FUNCTION modelgov._history(text, date) IS
	'internal: days, mean and sample standard deviation of a metric before a date';

CREATE FUNCTION modelgov._pct(x float8) RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT pg_catalog.rtrim(pg_catalog.rtrim(pg_catalog.round((x OPERATOR(pg_catalog.*) 100)::numeric, 1)::text, '0'), '.')
		   OPERATOR(pg_catalog.||) '%'
$$;
COMMENT ON FUNCTION modelgov._pct(float8) IS 'internal: a rate as a percentage for messages, 0.15 -> 15%';

CREATE FUNCTION modelgov.health_check(version modelgov.semver DEFAULT NULL, day date DEFAULT NULL)
	RETURNS TABLE (check_name text, observed float8, expected text, passed boolean)
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	v modelgov.semver := COALESCE(version, modelgov.active_version('production'));
	d date := day;
	m jsonb;
	ia jsonb;
	exp_auto float8;
	exp_esc float8;
	tol float8 := modelgov._monitoring_setting('rate_tolerance');
	k float8 := modelgov._monitoring_setting('sigma');
	since timestamptz;
	h record;
	x float8;
	limit_ float8;
BEGIN
	IF v IS NULL THEN
		RAISE EXCEPTION 'there is no active version to check' USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	IF d IS NULL THEN
		SELECT pg_catalog.max(x.day) INTO d FROM modelgov.metrics x WHERE x.version OPERATOR(modelgov.=) v;
	END IF;
	SELECT x.metrics INTO m FROM modelgov.metrics x
	 WHERE x.version OPERATOR(modelgov.=) v AND x.day OPERATOR(pg_catalog.=) d;
	IF m IS NULL THEN
		RAISE EXCEPTION 'no metrics of version % for %', v, COALESCE(d::text, 'any day')
			USING ERRCODE = 'undefined_object', HINT = 'Record them with modelgov.record_metrics().';
	END IF;
	SELECT p.impact_analysis INTO ia FROM modelgov.versions y
	  JOIN modelgov.proposals p ON p.proposal_id OPERATOR(pg_catalog.=) y.proposal_id
	 WHERE y.version OPERATOR(modelgov.=) v;
	exp_auto := (ia OPERATOR(pg_catalog.->>) 'expected_auto_resolve_rate')::float8;
	exp_esc := (ia OPERATOR(pg_catalog.->>) 'expected_escalate_rate')::float8;

	-- 1. the decision distribution, against the proposal's expected rates
	check_name := 'decision_distribution';
	IF exp_auto IS NULL OR exp_esc IS NULL THEN
		observed := NULL;
		expected := 'no expected rates in the impact analysis';
		passed := NULL;
	ELSE
		observed := GREATEST(pg_catalog.abs(modelgov._metric(m, 'auto_rate') OPERATOR(pg_catalog.-) exp_auto),
							 pg_catalog.abs(modelgov._metric(m, 'escalate_rate') OPERATOR(pg_catalog.-) exp_esc));
		expected := pg_catalog.format('AUTO %s and ESCALATE %s, each within %s', exp_auto, exp_esc, tol);
		passed := observed OPERATOR(pg_catalog.<=) tol;
	END IF;
	RETURN NEXT;

	-- 2. error rate
	check_name := 'error_rate';
	observed := modelgov._metric(m, 'error_rate');
	expected := '< ' OPERATOR(pg_catalog.||) modelgov._monitoring_setting('error_rate_max');
	passed := observed OPERATOR(pg_catalog.<) modelgov._monitoring_setting('error_rate_max');
	RETURN NEXT;

	-- 3. no spike in escalations: within sigma standard deviations of
	-- the expected rate, the deviation measured before this deployment
	check_name := 'escalation_spike';
	observed := modelgov._metric(m, 'escalate_rate');
	-- the deployment in force that day, not a later one
	SELECT x.deployed_at INTO since FROM modelgov.deployments x
	 WHERE x.env OPERATOR(pg_catalog.=) 'production' AND x.version OPERATOR(modelgov.=) v
	   AND x.deployed_at OPERATOR(pg_catalog.<) pg_catalog.timezone('UTC', (d OPERATOR(pg_catalog.+) 1)::timestamp)
	 ORDER BY x.id DESC LIMIT 1;
	SELECT * INTO h FROM modelgov._history('escalate_rate', COALESCE(pg_catalog.timezone('UTC', since)::date, d));
	IF h.days OPERATOR(pg_catalog.<) 2 THEN
		expected := pg_catalog.format('not enough history before the deployment (%s days)', h.days);
		passed := NULL;
	ELSE
		limit_ := COALESCE(exp_esc, h.mean) OPERATOR(pg_catalog.+) (k OPERATOR(pg_catalog.*) h.sigma);
		expected := pg_catalog.format('<= %s (%s + %s sigma of %s)', pg_catalog.round(limit_::numeric, 4),
									  COALESCE(exp_esc, pg_catalog.round(h.mean::numeric, 4)), k,
									  pg_catalog.round(h.sigma::numeric, 4));
		passed := observed OPERATOR(pg_catalog.<=) limit_;
	END IF;
	RETURN NEXT;

	-- 4. feature availability
	check_name := 'feature_availability';
	observed := modelgov._metric(m, 'feature_availability');
	expected := '> ' OPERATOR(pg_catalog.||) modelgov._monitoring_setting('feature_availability_min');
	passed := observed OPERATOR(pg_catalog.>) modelgov._monitoring_setting('feature_availability_min');
	RETURN NEXT;

	-- 5. latency
	check_name := 'latency_p99_ms';
	observed := modelgov._metric(m, 'latency_p99_ms');
	expected := '< ' OPERATOR(pg_catalog.||) modelgov._monitoring_setting('latency_p99_max_ms');
	passed := observed OPERATOR(pg_catalog.<) modelgov._monitoring_setting('latency_p99_max_ms');
	RETURN NEXT;
END
$$;
COMMENT ON FUNCTION modelgov.health_check(modelgov.semver, date) IS
	'the five daily checks of a version and day (the active version and its latest day by default)';

CREATE FUNCTION modelgov.monitor(auto_rollback boolean DEFAULT false)
	RETURNS TABLE (day date, check_name text, observed float8, expected text, passed boolean, action text)
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	mem modelgov.members := CASE WHEN auto_rollback THEN modelgov._require_duty('deployer', 'monitor with automatic rollback')
								 ELSE modelgov._require_member('monitor') END;
	v modelgov.semver;
	since timestamptz;
	first_day date;
	ndays int := modelgov._monitoring_setting('monitoring_days')::int;
	today date := pg_catalog.timezone('UTC', modelgov.clock_now())::date;
	ia jsonb;
	k float8 := modelgov._monitoring_setting('sigma');
	d date;
	m jsonb;
	c record;
	h record;
	metric text;
	x float8;
	mean float8;
	rolled_back boolean := false;
	reason text;
	clean_days int;
BEGIN
	-- one monitor at a time, so that alerts and the rollback happen once;
	-- what is active is read after the lock, so a monitor that waited sees
	-- the rollback of the one it waited for
	PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('modelgov.monitor'));
	v := modelgov.active_version('production');
	IF v IS NULL THEN
		RETURN;
	END IF;
	since := modelgov._active_since(v);
	first_day := pg_catalog.timezone('UTC', since)::date;
	SELECT p.impact_analysis INTO ia FROM modelgov.versions y
	  JOIN modelgov.proposals p ON p.proposal_id OPERATOR(pg_catalog.=) y.proposal_id
	 WHERE y.version OPERATOR(modelgov.=) v;

	-- every day of metrics since the deployment: the daily checks for the
	-- first ndays days, the rollback trigger for as long as it is active
	FOR d, m IN SELECT x.day, x.metrics FROM modelgov.metrics x
				 WHERE x.version OPERATOR(modelgov.=) v
				   AND x.day OPERATOR(pg_catalog.>=) first_day
				   AND x.day OPERATOR(pg_catalog.<=) today
				 ORDER BY x.day LOOP
		day := d;
		IF d OPERATOR(pg_catalog.<) (first_day OPERATOR(pg_catalog.+) ndays) THEN
			FOR c IN SELECT * FROM modelgov.health_check(v, d) LOOP
				check_name := c.check_name;
				observed := c.observed;
				expected := c.expected;
				passed := c.passed;
				action := NULL;
				IF c.passed IS FALSE THEN
					action := modelgov._alert(v, d, c.check_name, c.observed, c.expected, 'daily_check');
				END IF;
				RETURN NEXT;
			END LOOP;
		END IF;

		-- the rollback trigger: more than sigma standard deviations from
		-- the historical mean (for decision rates, from the rate the
		-- approved change expected)
		FOREACH metric IN ARRAY ARRAY['escalate_rate', 'auto_rate', 'error_rate', 'correct_auto'] LOOP
			x := modelgov._metric(m, metric);
			CONTINUE WHEN x IS NULL;
			SELECT * INTO h FROM modelgov._history(metric, first_day);
			mean := CASE metric WHEN 'escalate_rate' THEN COALESCE((ia OPERATOR(pg_catalog.->>) 'expected_escalate_rate')::float8, h.mean)
								WHEN 'auto_rate' THEN COALESCE((ia OPERATOR(pg_catalog.->>) 'expected_auto_resolve_rate')::float8, h.mean)
								ELSE h.mean END;
			check_name := 'trigger:' OPERATOR(pg_catalog.||) metric;
			observed := x;
			action := NULL;
			IF h.days OPERATOR(pg_catalog.<) 2 THEN
				expected := pg_catalog.format('not enough history before the deployment (%s days)', h.days);
				passed := NULL;
			ELSE
				-- a constant history (sigma 0) tolerates no deviation at all,
				-- but for rounding
				expected := pg_catalog.format('within %s sigma (%s) of %s', k, pg_catalog.round(h.sigma::numeric, 4),
											  pg_catalog.round(mean::numeric, 4));
				-- decision rates may move either way; a quality metric only
				-- triggers when it gets worse
				passed := CASE metric
							  WHEN 'error_rate' THEN x OPERATOR(pg_catalog.-) mean
							  WHEN 'correct_auto' THEN mean OPERATOR(pg_catalog.-) x
							  ELSE pg_catalog.abs(x OPERATOR(pg_catalog.-) mean) END
						  OPERATOR(pg_catalog.<=) GREATEST(k OPERATOR(pg_catalog.*) h.sigma, 1e-12);
				IF NOT passed THEN
					action := modelgov._alert(v, d, check_name, x, expected, 'rollback_trigger');
					-- only a new trigger rolls back: one already alerted was
					-- seen by a person, who may have chosen to keep the version
					IF auto_rollback AND NOT rolled_back AND action OPERATOR(pg_catalog.=) 'alert'
					   AND modelgov.active_version('production') OPERATOR(modelgov.=) v
					   AND NOT EXISTS (SELECT 1 FROM modelgov.deployments dd
									    WHERE dd.env OPERATOR(pg_catalog.=) 'production'
										  AND dd.kind OPERATOR(pg_catalog.=) 'deploy'
										  AND dd.version OPERATOR(modelgov.=) v
										  AND dd.from_version IS NOT NULL) THEN
						action := 'alert; no earlier version to roll back to';
					ELSIF auto_rollback AND NOT rolled_back AND action OPERATOR(pg_catalog.=) 'alert'
					   AND modelgov.active_version('production') OPERATOR(modelgov.=) v THEN
						reason := pg_catalog.format('%s %s to %s (expected %s)',
							CASE metric WHEN 'escalate_rate' THEN 'Escalate rate' WHEN 'auto_rate' THEN 'Auto rate'
										WHEN 'error_rate' THEN 'Error rate' ELSE 'Correct auto rate' END,
							CASE WHEN x OPERATOR(pg_catalog.>) mean THEN 'increased' ELSE 'decreased' END,
							modelgov._pct(x), modelgov._pct(mean));
						action := 'rolled back to ' OPERATOR(pg_catalog.||) modelgov._rollback(reason, NULL, 'automation')::text;
						rolled_back := true;
					END IF;
				END IF;
			END IF;
			day := d;
			RETURN NEXT;
		END LOOP;
	END LOOP;

	-- seven clean days validate the deployment, once, after they are over
	IF NOT rolled_back
	   -- days of 24 hours, whatever the session's time zone
	   AND modelgov.clock_now() OPERATOR(pg_catalog.>=) (since OPERATOR(pg_catalog.+) pg_catalog.make_interval(hours => 24 OPERATOR(pg_catalog.*) ndays)) THEN
		SELECT pg_catalog.count(*) INTO clean_days FROM modelgov.metrics x
		 WHERE x.version OPERATOR(modelgov.=) v
		   AND x.day OPERATOR(pg_catalog.>=) first_day
		   AND x.day OPERATOR(pg_catalog.<) (first_day OPERATOR(pg_catalog.+) ndays);
		IF clean_days OPERATOR(pg_catalog.=) ndays
		   AND NOT EXISTS (SELECT 1 FROM modelgov.audit_log a
							WHERE a.event_type OPERATOR(pg_catalog.=) 'alert' AND a.version OPERATOR(modelgov.=) v
							  AND (a.details OPERATOR(pg_catalog.->>) 'day')::date OPERATOR(pg_catalog.>=) first_day)
		   AND NOT EXISTS (SELECT 1 FROM modelgov.audit_log a
							WHERE a.event_type OPERATOR(pg_catalog.=) 'validated' AND a.version OPERATOR(modelgov.=) v
							  AND a.recorded_at OPERATOR(pg_catalog.>=) since) THEN
			PERFORM modelgov._audit('validated', version => v, status => 'validated',
									details => pg_catalog.jsonb_build_object(
										'first_day', first_day, 'days', ndays, 'validated_by', mem.identity));
			day := first_day OPERATOR(pg_catalog.+) ndays OPERATOR(pg_catalog.-) 1;
			check_name := 'validated';
			observed := NULL;
			expected := pg_catalog.format('%s clean days', ndays);
			passed := true;
			action := 'validated';
			RETURN NEXT;
		END IF;
	END IF;
END
$$;
COMMENT ON FUNCTION modelgov.monitor(boolean) IS
	'daily checks over the active version''s first days and the 2 sigma rollback trigger on every day since its deployment; alerts, and with auto_rollback rolls back as automation';

/* Append an alert once per version, day and check; say what was done. */
CREATE FUNCTION modelgov._alert(version modelgov.semver, day date, check_name text, observed float8,
								expected text, kind text)
	RETURNS text
	LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM modelgov.audit_log a
				WHERE a.event_type OPERATOR(pg_catalog.=) 'alert' AND a.version OPERATOR(modelgov.=) $1
				  AND (a.details OPERATOR(pg_catalog.->>) 'day')::date OPERATOR(pg_catalog.=) $2
				  AND a.details OPERATOR(pg_catalog.->>) 'check' OPERATOR(pg_catalog.=) $3) THEN
		RETURN 'already alerted';
	END IF;
	PERFORM modelgov._audit('alert', version => $1, status => kind,
							details => pg_catalog.jsonb_build_object('day', $2, 'check', $3,
																	 'observed', $4, 'expected', $5));
	RETURN 'alert';
END
$$;
COMMENT ON FUNCTION modelgov._alert(modelgov.semver, date, text, float8, text, text) IS
	'internal: append an alert event once per version, day and check';

CREATE FUNCTION modelgov.annotate(seq bigint, root_cause text) RETURNS bigint
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	m modelgov.members := modelgov._require_member('annotate rollbacks');
	e modelgov.audit_log;
BEGIN
	IF COALESCE(root_cause, '') OPERATOR(pg_catalog.!~) '[^[:space:]]' THEN
		RAISE EXCEPTION 'an annotation needs a root cause' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	SELECT * INTO e FROM modelgov.audit_log a WHERE a.seq OPERATOR(pg_catalog.=) annotate.seq;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'audit entry % does not exist', seq USING ERRCODE = 'undefined_object';
	END IF;
	IF e.event_type OPERATOR(pg_catalog.<>) 'rollback' THEN
		RAISE EXCEPTION 'audit entry % is not a rollback', seq
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('Entry %s is a %s event; root causes annotate rollbacks.', seq, e.event_type);
	END IF;
	RETURN modelgov._audit('annotation', version => e.version,
						   details => pg_catalog.jsonb_build_object('annotates', seq, 'root_cause', root_cause,
																	'annotated_by', m.identity));
END
$$;
COMMENT ON FUNCTION modelgov.annotate(bigint, text) IS
	'record the root cause of an earlier rollback as a new audit entry (members only)';

REVOKE ALL ON FUNCTION modelgov.monitor(boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.annotate(bigint, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov._alert(modelgov.semver, date, text, float8, text, text) FROM PUBLIC;
--
-- Lifecycle: releases, support windows and the changelog (part of the
-- install script, see the Makefile)
--

/* A time as the process writes it: UTC, ISO 8601, "2024-03-01T00:00:00Z". */
CREATE FUNCTION modelgov._utc_text(t timestamptz) RETURNS text
	LANGUAGE sql STABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT pg_catalog.to_char(pg_catalog.timezone('UTC', t), 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;
COMMENT ON FUNCTION modelgov._utc_text(timestamptz) IS
	'internal: a time in UTC as 2024-03-01T00:00:00Z, whatever the session''s TimeZone and DateStyle';

--
-- The release checklist: the eleven items of the process, in its order.
-- Items the database can verify from its own records are computed; the
-- others are attested by a member.  breaking_changes_marked and
-- migration_guide apply to MAJOR versions only.
--

CREATE FUNCTION modelgov._release_items(OUT ord integer, OUT item text, OUT kind text, OUT description text)
	RETURNS SETOF record
	LANGUAGE sql IMMUTABLE PARALLEL SAFE ROWS 11
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT i.ord, i.item, i.kind, i.description FROM (VALUES
		(1, 'tests_pass', 'attested', 'All tests pass (unit, integration, end-to-end)'),
		(2, 'code_reviewed', 'attested', 'Code reviewed by 2+ engineers'),
		(3, 'documentation_updated', 'attested', 'Documentation updated'),
		(4, 'changelog_updated', 'attested', 'Changelog updated with clear description'),
		(5, 'breaking_changes_marked', 'attested_if_major', 'Breaking changes (if any) clearly marked'),
		(6, 'migration_guide', 'attested_if_major', 'Migration guide provided (if needed)'),
		(7, 'performance_benchmarks', 'computed', 'Performance benchmarks run'),
		(8, 'committee_approved', 'computed', 'Approved by model committee'),
		(9, 'tagged', 'computed', 'Tagged in version control'),
		(10, 'audit_entry', 'computed', 'Audit log entry created'),
		(11, 'release_notes_published', 'attested', 'Release notes published')) AS i(ord, item, kind, description)
$$;
COMMENT ON FUNCTION modelgov._release_items() IS
	'internal: the eleven release checklist items in the process''s order; kind is computed, attested or attested_if_major';

CREATE SEQUENCE modelgov.release_attestations_id_seq;
CREATE TABLE modelgov.release_attestations (
	id				bigint PRIMARY KEY DEFAULT pg_catalog.nextval('modelgov.release_attestations_id_seq'),
	version			modelgov.semver NOT NULL REFERENCES modelgov.versions,
	item			text NOT NULL
					CHECK (item OPERATOR(pg_catalog.=) ANY (ARRAY['tests_pass', 'code_reviewed', 'documentation_updated',
																   'changelog_updated', 'breaking_changes_marked',
																   'migration_guide', 'release_notes_published'])),
	evidence		text NOT NULL CHECK (evidence OPERATOR(pg_catalog.~) '[^[:space:]]'),
	attested_at		timestamptz NOT NULL,
	attested_by		text NOT NULL,
	attested_by_identity text NOT NULL,
	audit_seq		bigint NOT NULL REFERENCES modelgov.audit_log
);
ALTER SEQUENCE modelgov.release_attestations_id_seq OWNED BY modelgov.release_attestations.id;
CREATE INDEX ON modelgov.release_attestations (version, item, id);
COMMENT ON TABLE modelgov.release_attestations IS
	'every attestation of a release checklist item, in order; the latest per version and item counts';
COMMENT ON COLUMN modelgov.release_attestations.attested_by IS 'the member''s database role';
COMMENT ON COLUMN modelgov.release_attestations.attested_by_identity IS 'the member''s e-mail identity';
COMMENT ON COLUMN modelgov.release_attestations.audit_seq IS 'the attestation event in the audit log';
COMMENT ON SEQUENCE modelgov.release_attestations_id_seq IS 'ids of release attestations';

CREATE TABLE modelgov.releases (
	version			modelgov.semver PRIMARY KEY REFERENCES modelgov.versions,
	released_at		timestamptz NOT NULL,
	released_by		text NOT NULL,
	released_by_identity text NOT NULL,
	checklist		jsonb NOT NULL,
	audit_seq		bigint NOT NULL REFERENCES modelgov.audit_log
);
COMMENT ON TABLE modelgov.releases IS
	'versions marked RELEASED once their release checklist was complete; one row per version, never changed';
COMMENT ON COLUMN modelgov.releases.released_at IS
	'when the version was marked RELEASED (modelgov.versions.released_at is when it first ran in production)';
COMMENT ON COLUMN modelgov.releases.released_by IS 'the member''s database role';
COMMENT ON COLUMN modelgov.releases.released_by_identity IS 'the member''s e-mail identity';
COMMENT ON COLUMN modelgov.releases.checklist IS
	'the checklist as it stood at the release: an array of {item, state, evidence} in the process''s order';
COMMENT ON COLUMN modelgov.releases.audit_seq IS 'the released event in the audit log';

SELECT pg_catalog.pg_extension_config_dump('modelgov.release_attestations', '');
SELECT pg_catalog.pg_extension_config_dump('modelgov.release_attestations_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('modelgov.releases', '');
GRANT SELECT ON modelgov.release_attestations, modelgov.releases TO PUBLIC;

CREATE FUNCTION modelgov.release_checklist(version modelgov.semver)
	RETURNS TABLE (item text, state text, evidence text)
	LANGUAGE plpgsql STABLE PARALLEL SAFE ROWS 11
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	v modelgov.versions;
	p modelgov.proposals;
	major boolean;
	r record;
	att modelgov.release_attestations;
	init_actor text;
	found_seq bigint;
	txt text;
	absent text;
BEGIN
	IF version IS NULL THEN
		RAISE EXCEPTION 'version must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	v := modelgov._require_version(version);
	IF v.proposal_id IS NOT NULL THEN
		SELECT * INTO p FROM modelgov.proposals x WHERE x.proposal_id OPERATOR(pg_catalog.=) v.proposal_id;
	END IF;
	-- MAJOR: the major number differs from the version it was proposed against
	major := p.proposal_id IS NOT NULL
			 AND modelgov.semver_major(v.version) OPERATOR(pg_catalog.<>) modelgov.semver_major(p.base_version);

	FOR r IN SELECT * FROM modelgov._release_items() i ORDER BY i.ord LOOP
		item := r.item;
		state := 'missing';
		evidence := NULL;

		IF r.item OPERATOR(pg_catalog.=) 'committee_approved' THEN
			IF p.proposal_id IS NULL THEN
				-- the initial version: created by an administrator, no committee
				SELECT a.actor INTO init_actor FROM modelgov.audit_log a
				 WHERE a.event_type OPERATOR(pg_catalog.=) 'init' AND a.version OPERATOR(modelgov.=) v.version
				 ORDER BY a.seq LIMIT 1;
				IF init_actor IS NOT NULL THEN
					state := 'verified';
					evidence := pg_catalog.format('initial version created by %s with init_model', init_actor);
				ELSE
					evidence := 'the version has no proposal and no init entry in the audit log';
				END IF;
			ELSE
				SELECT pg_catalog.string_agg(pg_catalog.format('%s (%s)', a.member_identity, a.as_role), ', '
											 ORDER BY a.as_role)
				  INTO txt
				  FROM modelgov.approvals a WHERE a.proposal_id OPERATOR(pg_catalog.=) p.proposal_id;
				SELECT pg_catalog.string_agg(req.needed::text, ', ' ORDER BY req.needed) INTO absent
				  FROM pg_catalog.unnest(ARRAY['model_science_lead', 'product_manager',
											   'engineering_lead']::modelgov.member_role[]) AS req(needed)
				 WHERE NOT EXISTS (SELECT 1 FROM modelgov.approvals a
									WHERE a.proposal_id OPERATOR(pg_catalog.=) p.proposal_id
									  AND a.as_role OPERATOR(pg_catalog.=) req.needed);
				IF absent IS NULL THEN
					state := 'verified';
					evidence := pg_catalog.format('%s approved by %s', p.proposal_id, txt);
				ELSE
					evidence := pg_catalog.format('%s has no approval by its %s%s', p.proposal_id, absent,
												  CASE WHEN txt IS NULL THEN ''
													   ELSE pg_catalog.format('; approved by %s', txt) END);
				END IF;
			END IF;

		ELSIF r.item OPERATOR(pg_catalog.=) 'audit_entry' THEN
			SELECT a.seq INTO found_seq FROM modelgov.audit_log a
			 WHERE a.version OPERATOR(modelgov.=) v.version
			   AND ((a.event_type OPERATOR(pg_catalog.=) 'deployment' AND a.status OPERATOR(pg_catalog.=) 'active')
					OR a.event_type OPERATOR(pg_catalog.=) 'init')
			 ORDER BY a.seq LIMIT 1;
			IF found_seq IS NOT NULL THEN
				state := 'verified';
				evidence := pg_catalog.format('audit entry #%s', found_seq);
			ELSE
				evidence := 'no production deployment of the version in the audit log';
			END IF;

		ELSIF r.item OPERATOR(pg_catalog.=) 'tagged' THEN
			IF v.released_at IS NOT NULL THEN
				state := 'verified';
				evidence := pg_catalog.format('version %s, first in production at %s', v.version,
											  modelgov._utc_text(v.released_at));
			ELSE
				evidence := pg_catalog.format('version %s has not run in production (it is %s)', v.version, v.status);
			END IF;

		ELSIF r.item OPERATOR(pg_catalog.=) 'performance_benchmarks' THEN
			SELECT pg_catalog.string_agg(pg_catalog.to_char(x.day::timestamp, 'YYYY-MM-DD'), ', ' ORDER BY x.day) INTO txt
			  FROM modelgov.metrics x
			 WHERE x.version OPERATOR(modelgov.=) v.version
			   AND x.metrics OPERATOR(pg_catalog.?) 'latency_p99_ms';
			IF txt IS NOT NULL THEN
				state := 'verified';
				evidence := pg_catalog.format('latency_p99_ms recorded for %s', txt);
			ELSE
				evidence := 'no daily metrics with latency_p99_ms';
			END IF;

		ELSIF r.kind OPERATOR(pg_catalog.=) 'attested_if_major' AND NOT major THEN
			state := 'not_applicable';
			evidence := CASE WHEN p.proposal_id IS NULL
							 THEN 'the initial version has no earlier version to be incompatible with'
							 ELSE pg_catalog.format('not a major version: %s keeps major version %s of %s',
													v.version, modelgov.semver_major(v.version), p.base_version) END;

		ELSE
			-- attested: the latest attestation counts
			SELECT * INTO att FROM modelgov.release_attestations x
			 WHERE x.version OPERATOR(modelgov.=) v.version AND x.item OPERATOR(pg_catalog.=) r.item
			 ORDER BY x.id DESC LIMIT 1;
			IF FOUND THEN
				state := 'attested';
				evidence := pg_catalog.format('%s (attested by %s at %s)', att.evidence, att.attested_by_identity,
											  modelgov._utc_text(att.attested_at));
			ELSE
				evidence := 'not attested';
			END IF;
		END IF;
		RETURN NEXT;
	END LOOP;
END
$$;
COMMENT ON FUNCTION modelgov.release_checklist(modelgov.semver) IS
	'the eleven-item release checklist of a version, in the process''s order: item, state (verified, attested, '
	'not_applicable or missing) and evidence.  Computed: committee_approved (approvals by the model science lead, '
	'product manager and engineering lead; the initial version counts as approved by the administrator who ran '
	'init_model), audit_entry (a deployment entry with status active, or the init entry), tagged (the version ran in '
	'production), performance_benchmarks (daily metrics with latency_p99_ms).  Attested with modelgov.attest(): the '
	'others, the latest attestation counting; breaking_changes_marked and migration_guide only for a MAJOR version '
	'(major number differs from the base version of its proposal), else not_applicable, as for the initial version.  '
	'Times in the evidence are UTC';

CREATE FUNCTION modelgov.attest(version modelgov.semver, item text, evidence text) RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	m modelgov.members := modelgov._require_member('attest release checklist items');
	v modelgov.versions;
	p modelgov.proposals;
	kind text;
	attestable text;
	now timestamptz := modelgov.clock_now();
	seq bigint;
BEGIN
	IF version IS NULL OR item IS NULL THEN
		RAISE EXCEPTION 'version and item must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	v := modelgov._require_version(version);
	IF v.proposal_id IS NOT NULL THEN
		SELECT * INTO p FROM modelgov.proposals x WHERE x.proposal_id OPERATOR(pg_catalog.=) v.proposal_id;
	END IF;

	SELECT i.kind INTO kind FROM modelgov._release_items() i WHERE i.item OPERATOR(pg_catalog.=) item;
	SELECT pg_catalog.string_agg(i.item, ', ' ORDER BY i.ord) INTO attestable
	  FROM modelgov._release_items() i WHERE i.kind OPERATOR(pg_catalog.<>) 'computed';
	IF kind IS NULL THEN
		RAISE EXCEPTION 'unknown release checklist item "%"', item
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('The items members attest are %s.', attestable),
				  HINT = 'modelgov.release_checklist() lists every item of a version.';
	END IF;
	IF kind OPERATOR(pg_catalog.=) 'computed' THEN
		RAISE EXCEPTION 'release checklist item "%" is computed', item
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('The database verifies %s from its own records; it cannot be attested.', item),
				  HINT = pg_catalog.format('The items members attest are %s.', attestable);
	END IF;
	IF kind OPERATOR(pg_catalog.=) 'attested_if_major'
	   AND (p.proposal_id IS NULL
			OR modelgov.semver_major(v.version) OPERATOR(pg_catalog.=) modelgov.semver_major(p.base_version)) THEN
		RAISE EXCEPTION 'release checklist item "%" does not apply to version %', item, v.version
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = CASE WHEN p.proposal_id IS NULL
								THEN 'It is the initial version; breaking changes and a migration guide apply to major versions only.'
								ELSE pg_catalog.format('Version %s is not a major version (it was proposed against %s); breaking changes and a migration guide apply to major versions only.',
													   v.version, p.base_version) END;
	END IF;
	-- blank is also tabs and line breaks, not only spaces
	IF evidence IS NULL OR evidence OPERATOR(pg_catalog.!~) '[^[:space:]]' THEN
		RAISE EXCEPTION 'an attestation needs evidence' USING ERRCODE = 'null_value_not_allowed',
			HINT = 'Say where it can be checked: a CI run, a review, a document, a link.';
	END IF;

	seq := modelgov._audit('attestation', version => v.version, proposal_id => v.proposal_id,
						   change_type => p.change_type, status => 'attested',
						   details => pg_catalog.jsonb_build_object('item', item, 'evidence', evidence,
																	'attested_by', m.identity));
	INSERT INTO modelgov.release_attestations (version, item, evidence, attested_at, attested_by,
											   attested_by_identity, audit_seq)
		VALUES (v.version, item, evidence, now, m.role_name, m.identity, seq);
END
$$;
COMMENT ON FUNCTION modelgov.attest(modelgov.semver, text, text) IS
	'attest a release checklist item a person checks, with evidence (members only; audited).  Attesting again appends, '
	'the latest attestation counts.  Computed items, unknown items, and breaking_changes_marked or migration_guide '
	'of a version that is not MAJOR are refused (22023)';

CREATE FUNCTION modelgov.release(version modelgov.semver) RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	m modelgov.members := modelgov._require_member('release versions');
	v modelgov.versions;
	p modelgov.proposals;
	done modelgov.releases;
	missing text[];
	checklist jsonb;
	now timestamptz := modelgov.clock_now();
	seq bigint;
BEGIN
	IF version IS NULL THEN
		RAISE EXCEPTION 'version must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	-- one release of a version at a time; FK inserts (metrics, deployments)
	-- are not blocked
	SELECT * INTO v FROM modelgov.versions x WHERE x.version OPERATOR(modelgov.=) version FOR NO KEY UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'version % does not exist', version USING ERRCODE = 'undefined_object';
	END IF;
	SELECT * INTO done FROM modelgov.releases x WHERE x.version OPERATOR(modelgov.=) v.version;
	IF FOUND THEN
		RAISE EXCEPTION 'version % is already released', v.version
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = pg_catalog.format('%s released it at %s.', done.released_by_identity,
											 modelgov._utc_text(done.released_at));
	END IF;
	IF v.proposal_id IS NOT NULL THEN
		SELECT * INTO p FROM modelgov.proposals x WHERE x.proposal_id OPERATOR(pg_catalog.=) v.proposal_id;
	END IF;

	SELECT pg_catalog.array_agg(c.item ORDER BY c.n) FILTER (WHERE c.state OPERATOR(pg_catalog.=) 'missing'),
		   pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('item', c.item, 'state', c.state,
															  'evidence', c.evidence) ORDER BY c.n)
	  INTO missing, checklist
	  FROM modelgov.release_checklist(v.version) WITH ORDINALITY AS c(item, state, evidence, n);
	IF missing IS NOT NULL THEN
		RAISE EXCEPTION 'cannot release version %: the release checklist is incomplete', v.version
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = pg_catalog.format('These checklist items are missing: %s.', pg_catalog.array_to_string(missing, ', ')),
				  HINT = 'Attest what people check with modelgov.attest(); modelgov.release_checklist() shows the evidence the database found for the others.';
	END IF;

	seq := modelgov._audit('released', version => v.version, proposal_id => v.proposal_id,
						   change_type => p.change_type, status => 'released',
						   details => pg_catalog.jsonb_build_object('released_by', m.identity,
																	'checklist', checklist));
	BEGIN
		INSERT INTO modelgov.releases VALUES (v.version, now, m.role_name, m.identity, checklist, seq);
	EXCEPTION WHEN unique_violation THEN
		-- under REPEATABLE READ the snapshot can miss a release that
		-- committed while this transaction waited for the lock
		RAISE EXCEPTION 'could not release version %: another transaction released it first', v.version
			USING ERRCODE = 'serialization_failure',
				  HINT = 'Retry the transaction.';
	END;
END
$$;
COMMENT ON FUNCTION modelgov.release(modelgov.semver) IS
	'mark a version RELEASED once every item of its release checklist is verified, attested or not applicable '
	'(members only; audited); otherwise 55000 naming every missing item.  A version is released once';

REVOKE ALL ON FUNCTION modelgov.attest(modelgov.semver, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.release(modelgov.semver) FROM PUBLIC;

--
-- Support windows
--

CREATE FUNCTION modelgov.support_status(version modelgov.semver, at timestamptz DEFAULT NULL)
	RETURNS TABLE (status text, maintenance_until timestamptz, migration_until timestamptz)
	LANGUAGE plpgsql STABLE PARALLEL SAFE ROWS 1
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	t timestamptz := COALESCE(at, modelgov.clock_now());
	cur modelgov.deployments;
	first_run timestamptz;
BEGIN
	IF version IS NULL THEN
		RAISE EXCEPTION 'version must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM modelgov._require_version(version);
	maintenance_until := NULL;
	migration_until := NULL;

	SELECT pg_catalog.min(d.deployed_at) INTO first_run FROM modelgov.deployments d
	 WHERE d.env OPERATOR(pg_catalog.=) 'production' AND d.version OPERATOR(modelgov.=) version;
	IF first_run IS NULL OR first_run OPERATOR(pg_catalog.>) t THEN
		status := 'not_released';
		RETURN NEXT;
		RETURN;
	END IF;

	-- the production deployment, rollback or init in force at t
	SELECT * INTO cur FROM modelgov.deployments d
	 WHERE d.env OPERATOR(pg_catalog.=) 'production' AND d.deployed_at OPERATOR(pg_catalog.<=) t
	 ORDER BY d.deployed_at DESC, d.id DESC LIMIT 1;

	IF cur.version OPERATOR(modelgov.=) version THEN
		status := 'current';
	ELSIF cur.kind OPERATOR(pg_catalog.=) 'deploy' AND cur.from_version OPERATOR(modelgov.=) version THEN
		-- the previous version: weeks of 7 x 24 hours, whatever the TimeZone
		maintenance_until := cur.deployed_at OPERATOR(pg_catalog.+) '672 hours'::interval;
		migration_until := cur.deployed_at OPERATOR(pg_catalog.+) '1344 hours'::interval;
		status := CASE WHEN t OPERATOR(pg_catalog.<) maintenance_until THEN 'maintenance'
					   WHEN t OPERATOR(pg_catalog.<) migration_until THEN 'migration'
					   ELSE 'unsupported' END;
	ELSE
		status := 'unsupported';
	END IF;
	RETURN NEXT;
END
$$;
COMMENT ON FUNCTION modelgov.support_status(modelgov.semver, timestamptz) IS
	'support of a version at a time (default modelgov.clock_now()), from the production deployment history: '
	'current (active in production at that time); maintenance, then migration (the previous version, the one the '
	'deployment in force replaced: maintenance until that deployment + 4 weeks, a migration path until + 8 weeks, '
	'both returned; weeks of 7 x 24 hours, ends exclusive); unsupported (every other version that ran in production, '
	'also one rolled back from, and the previous version after 8 weeks); not_released (not yet in production at that '
	'time).  After a rollback no version is previous.  The windows follow every deployment, PATCH ones too, as '
	'in the process''s own example (1.0.1 replacing 1.0.0), though its rule speaks of MINOR and MAJOR releases.  '
	'The process''s example says "until 2024-03-28" for a release '
	'on 2024-03-01, while 4 weeks from 2024-03-01T00:00:00Z end at 2024-03-29T00:00:00Z: maintenance covers all of '
	'2024-03-28, and the returned time is that exact end.  A time after the latest deployment projects the windows '
	'known now';

--
-- The changelog
--

/* A value in a changelog line: strings bare, numbers as written, arrays
 * and objects as compact one-line JSON (jsonb's text form). */
CREATE FUNCTION modelgov._changelog_value(v jsonb) RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT CASE WHEN v IS NULL THEN '(none)'
				WHEN pg_catalog.jsonb_typeof(v) OPERATOR(pg_catalog.=) 'string' THEN v OPERATOR(pg_catalog.#>>) '{}'
				ELSE v::text END
$$;
COMMENT ON FUNCTION modelgov._changelog_value(jsonb) IS
	'internal: a JSON value as the changelog prints it: strings bare, numbers as written, arrays and objects as one-line JSON';

CREATE FUNCTION modelgov.changelog(since modelgov.semver DEFAULT NULL) RETURNS text
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	nl text := pg_catalog.chr(10);
	-- U+2192 and U+26A0; a database that cannot hold them gets ASCII
	arrow text := CASE WHEN pg_catalog.getdatabaseencoding() OPERATOR(pg_catalog.=) 'UTF8'
					   THEN pg_catalog.chr(8594) ELSE '->' END;
	warn text := CASE WHEN pg_catalog.getdatabaseencoding() OPERATOR(pg_catalog.=) 'UTF8'
					  THEN pg_catalog.chr(9888) OPERATOR(pg_catalog.||) ' ' ELSE '' END;
	r record;
	blocks text[] := '{}';
	parts text[];
	lines text[];
	guide text;
	perf record;
BEGIN
	FOR r IN SELECT x.version, x.released_at, p.proposal_id, p.change_type, p.description, p.base_version,
					p.old_values, p.new_values, p.impact_analysis
			   FROM modelgov.versions x
			   LEFT JOIN modelgov.proposals p ON p.proposal_id OPERATOR(pg_catalog.=) x.proposal_id
			  WHERE x.released_at IS NOT NULL
				AND (since IS NULL OR x.version OPERATOR(modelgov.>) since)
			  ORDER BY x.version DESC LOOP
		parts := '{}';

		-- a MAJOR version breaks compatibility with the version it changed
		IF r.proposal_id IS NOT NULL
		   AND modelgov.semver_major(r.version) OPERATOR(pg_catalog.<>) modelgov.semver_major(r.base_version) THEN
			SELECT a.evidence INTO guide FROM modelgov.release_attestations a
			 WHERE a.version OPERATOR(modelgov.=) r.version AND a.item OPERATOR(pg_catalog.=) 'migration_guide'
			 ORDER BY a.id DESC LIMIT 1;
			parts := parts OPERATOR(pg_catalog.||) pg_catalog.concat_ws(nl,
				pg_catalog.format('### %sBreaking changes', warn),
				pg_catalog.format('- Not backward compatible with %s', r.base_version),
				CASE WHEN guide IS NOT NULL THEN pg_catalog.format('- Migration guide: %s', guide) END);
		END IF;

		-- what changed, under the heading of its change type
		IF r.proposal_id IS NULL THEN
			parts := parts OPERATOR(pg_catalog.||) pg_catalog.concat_ws(nl, '### Added', '- Initial version');
		ELSE
			lines := ARRAY[pg_catalog.format('### %s',
								 CASE WHEN r.change_type OPERATOR(pg_catalog.=) 'feature_addition' THEN 'Added'
									  WHEN r.change_type OPERATOR(pg_catalog.=) 'feature_removal' THEN 'Removed'
									  WHEN r.change_type OPERATOR(pg_catalog.=) ANY (ARRAY['bug_fix', 'performance_fix']::modelgov.change_type[])
									  THEN 'Fixed'
									  ELSE 'Changed' END),
						   pg_catalog.format('- %s', r.description)];
			lines := lines OPERATOR(pg_catalog.||) ARRAY(
				SELECT pg_catalog.format('- %s: %s %s %s', k.key,
										 modelgov._changelog_value(r.old_values OPERATOR(pg_catalog.->) k.key), arrow,
										 modelgov._changelog_value(r.new_values OPERATOR(pg_catalog.->) k.key))
				  FROM (SELECT pg_catalog.jsonb_object_keys(r.old_values) AS key
						 UNION
						SELECT pg_catalog.jsonb_object_keys(r.new_values)) k
				 ORDER BY k.key);
			parts := parts OPERATOR(pg_catalog.||) pg_catalog.array_to_string(lines, nl);
		END IF;

		-- the impact analysis, then what the daily metrics measured
		lines := ARRAY(SELECT pg_catalog.format('- %s: %s', e.key, modelgov._changelog_value(e.value))
						 FROM pg_catalog.jsonb_each(COALESCE(r.impact_analysis, '{}')) e
						ORDER BY e.key);
		SELECT pg_catalog.count(*) AS days,
			   pg_catalog.avg((x.metrics OPERATOR(pg_catalog.->>) 'correct_auto')::numeric) AS correct_auto,
			   pg_catalog.avg((x.metrics OPERATOR(pg_catalog.->>) 'auto')::numeric
							  OPERATOR(pg_catalog./) NULLIF((x.metrics OPERATOR(pg_catalog.->>) 'decisions')::numeric, 0)) AS auto_rate,
			   pg_catalog.avg((x.metrics OPERATOR(pg_catalog.->>) 'escalate')::numeric
							  OPERATOR(pg_catalog./) NULLIF((x.metrics OPERATOR(pg_catalog.->>) 'decisions')::numeric, 0)) AS escalate_rate
		  INTO perf
		  FROM modelgov.metrics x WHERE x.version OPERATOR(modelgov.=) r.version;
		lines := lines OPERATOR(pg_catalog.||) ARRAY(
			SELECT pg_catalog.format('- %s: %s (average of %s day%s)', a.name,
									 pg_catalog.trim_scale(pg_catalog.round(a.value, 4)), perf.days,
									 CASE WHEN perf.days OPERATOR(pg_catalog.=) 1 THEN '' ELSE 's' END)
			  FROM (VALUES (1, 'correct_auto', perf.correct_auto), (2, 'auto_rate', perf.auto_rate),
						   (3, 'escalate_rate', perf.escalate_rate)) AS a(n, name, value)
			 WHERE a.value IS NOT NULL
			 ORDER BY a.n);
		IF pg_catalog.cardinality(lines) OPERATOR(pg_catalog.>) 0 THEN
			parts := parts OPERATOR(pg_catalog.||) pg_catalog.array_to_string(
				ARRAY['### Metrics'] OPERATOR(pg_catalog.||) lines, nl);
		END IF;

		-- rollbacks away from this version
		lines := ARRAY(SELECT pg_catalog.format('- %s: rolled back to %s (%s)',
												pg_catalog.to_char(pg_catalog.timezone('UTC', d.deployed_at), 'YYYY-MM-DD'),
												d.version, d.reason)
						 FROM modelgov.deployments d
						WHERE d.env OPERATOR(pg_catalog.=) 'production' AND d.kind OPERATOR(pg_catalog.=) 'rollback'
						  AND d.from_version OPERATOR(modelgov.=) r.version
						ORDER BY d.deployed_at, d.id);
		IF pg_catalog.cardinality(lines) OPERATOR(pg_catalog.>) 0 THEN
			parts := parts OPERATOR(pg_catalog.||) pg_catalog.array_to_string(
				ARRAY['### Rolled back'] OPERATOR(pg_catalog.||) lines, nl);
		END IF;

		blocks := blocks OPERATOR(pg_catalog.||) pg_catalog.concat(
			pg_catalog.format('## [%s] - %s', r.version,
							  pg_catalog.to_char(pg_catalog.timezone('UTC', r.released_at), 'YYYY-MM-DD')),
			nl, pg_catalog.array_to_string(parts, nl OPERATOR(pg_catalog.||) nl));
	END LOOP;

	IF pg_catalog.cardinality(blocks) OPERATOR(pg_catalog.=) 0 THEN
		RETURN '# Changelog' OPERATOR(pg_catalog.||) nl;
	END IF;
	RETURN pg_catalog.concat('# Changelog', nl, nl,
							 pg_catalog.array_to_string(blocks, nl OPERATOR(pg_catalog.||) nl), nl);
END
$$;
COMMENT ON FUNCTION modelgov.changelog(modelgov.semver) IS
	'the changelog in the process''s Markdown, newest first: one section per version that ran in production and is '
	'greater than since (all when NULL), dated by its first day in production (UTC).  Under it: "### '
	'<U+26A0> Breaking changes" for a MAJOR version (with the attested migration guide); the proposal under Added '
	'(feature_addition), Removed (feature_removal), Fixed (bug_fix, performance_fix) or Changed (the others): its '
	'description, then "- key: old -> new" for each changed value, sorted by key (U+2192 as the arrow; arrays and '
	'objects as one-line JSON); "### Metrics": the impact analysis, one line per key, sorted, then the averages of '
	'correct_auto, auto_rate and escalate_rate over the daily metrics; "### Rolled back": each rollback away from the '
	'version, dated, with its target and reason.  The initial version is "### Added / - Initial version".  In a '
	'database whose encoding is not UTF8 the arrow is "->" and the warning sign is left out';

/*
 * Releases and attestations are history: rows are added, never changed or
 * removed (a later attestation supersedes an earlier one).
 */
CREATE FUNCTION modelgov._append_only_guard() RETURNS trigger
	LANGUAGE plpgsql
	SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	RAISE EXCEPTION 'modelgov.% is append-only', TG_TABLE_NAME
		USING ERRCODE = 'insufficient_privilege',
			  DETAIL = pg_catalog.format('%s is not allowed on modelgov.%s; history is never rewritten.',
										 TG_OP, TG_TABLE_NAME);
END
$$;
COMMENT ON FUNCTION modelgov._append_only_guard() IS
	'internal: refuses UPDATE, DELETE and TRUNCATE on release history';
REVOKE ALL ON FUNCTION modelgov._append_only_guard() FROM PUBLIC;

CREATE TRIGGER releases_append_only BEFORE UPDATE OR DELETE ON modelgov.releases
	FOR EACH ROW EXECUTE FUNCTION modelgov._append_only_guard();
CREATE TRIGGER releases_no_truncate BEFORE TRUNCATE ON modelgov.releases
	FOR EACH STATEMENT EXECUTE FUNCTION modelgov._append_only_guard();
CREATE TRIGGER release_attestations_append_only BEFORE UPDATE OR DELETE ON modelgov.release_attestations
	FOR EACH ROW EXECUTE FUNCTION modelgov._append_only_guard();
CREATE TRIGGER release_attestations_no_truncate BEFORE TRUNCATE ON modelgov.release_attestations
	FOR EACH STATEMENT EXECUTE FUNCTION modelgov._append_only_guard();
ALTER TABLE modelgov.releases ENABLE ALWAYS TRIGGER releases_append_only;
ALTER TABLE modelgov.releases ENABLE ALWAYS TRIGGER releases_no_truncate;
ALTER TABLE modelgov.release_attestations ENABLE ALWAYS TRIGGER release_attestations_append_only;
ALTER TABLE modelgov.release_attestations ENABLE ALWAYS TRIGGER release_attestations_no_truncate;
