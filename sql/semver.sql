/*
 * modelgov install script.  The Makefile assembles it from the parts in
 * sql/ (SQL_PARTS); this part comes first.
 */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION modelgov" to load this file. \quit

--
-- Schemas.  modelgov holds the API.  modelgov_internal holds the helpers
-- the API is built from: it belongs to the extension, nobody else can
-- create objects in it, and nothing in it is granted to PUBLIC (the last
-- part revokes EXECUTE on all of it).
--

-- CREATE EXTENSION takes the schema modelgov as it finds it, and a restore
-- makes it before the extension.  Whoever owns it, or may create in it,
-- could plant functions that modelgov's SECURITY DEFINER functions would
-- run with the installer's rights; default privileges of the installer
-- would grant rights on modelgov's tables.  A schema that holds anything
-- is refused; an empty one that another role (not a superuser) owns is
-- taken over; one that others may create in, or an installer with default
-- privileges, is refused.
DO $$
DECLARE
	me oid := (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) current_user);
	nsp pg_catalog.pg_namespace;
	creators text;
BEGIN
	SELECT * INTO nsp FROM pg_catalog.pg_namespace n WHERE n.nspname OPERATOR(pg_catalog.=) 'modelgov';
	IF EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.relnamespace OPERATOR(pg_catalog.=) nsp.oid)
	   OR EXISTS (SELECT 1 FROM pg_catalog.pg_proc p WHERE p.pronamespace OPERATOR(pg_catalog.=) nsp.oid)
	   OR EXISTS (SELECT 1 FROM pg_catalog.pg_type t WHERE t.typnamespace OPERATOR(pg_catalog.=) nsp.oid)
	   OR EXISTS (SELECT 1 FROM pg_catalog.pg_operator o WHERE o.oprnamespace OPERATOR(pg_catalog.=) nsp.oid)
	   OR EXISTS (SELECT 1 FROM pg_catalog.pg_opfamily f WHERE f.opfnamespace OPERATOR(pg_catalog.=) nsp.oid)
	   OR EXISTS (SELECT 1 FROM pg_catalog.pg_opclass c WHERE c.opcnamespace OPERATOR(pg_catalog.=) nsp.oid)
	   OR EXISTS (SELECT 1 FROM pg_catalog.pg_collation c WHERE c.collnamespace OPERATOR(pg_catalog.=) nsp.oid)
	   OR EXISTS (SELECT 1 FROM pg_catalog.pg_conversion c WHERE c.connamespace OPERATOR(pg_catalog.=) nsp.oid)
	   OR EXISTS (SELECT 1 FROM pg_catalog.pg_statistic_ext x WHERE x.stxnamespace OPERATOR(pg_catalog.=) nsp.oid)
	   OR EXISTS (SELECT 1 FROM pg_catalog.pg_ts_config c WHERE c.cfgnamespace OPERATOR(pg_catalog.=) nsp.oid)
	   OR EXISTS (SELECT 1 FROM pg_catalog.pg_ts_dict d WHERE d.dictnamespace OPERATOR(pg_catalog.=) nsp.oid)
	   OR EXISTS (SELECT 1 FROM pg_catalog.pg_ts_parser t WHERE t.prsnamespace OPERATOR(pg_catalog.=) nsp.oid)
	   OR EXISTS (SELECT 1 FROM pg_catalog.pg_ts_template t WHERE t.tmplnamespace OPERATOR(pg_catalog.=) nsp.oid) THEN
		RAISE EXCEPTION 'schema modelgov is not empty'
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'modelgov installs into a schema of its own; objects found there would mix with it.',
				  HINT = 'Drop or move what is in the schema modelgov, or drop the schema, and run CREATE EXTENSION modelgov again.';
	END IF;
	IF nsp.nspowner OPERATOR(pg_catalog.<>) me
	   AND NOT (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.oid OPERATOR(pg_catalog.=) nsp.nspowner) THEN
		RAISE WARNING 'schema modelgov belonged to role %; it now belongs to role %, who installs modelgov',
					 pg_catalog.pg_get_userbyid(nsp.nspowner), current_user
			USING DETAIL = 'Its owner could have created objects in it that modelgov''s functions would call with the installer''s rights.';
		EXECUTE pg_catalog.format('ALTER SCHEMA modelgov OWNER TO %I', current_user);
		SELECT * INTO nsp FROM pg_catalog.pg_namespace n WHERE n.nspname OPERATOR(pg_catalog.=) 'modelgov';
	END IF;
	SELECT pg_catalog.string_agg(CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
									  ELSE pg_catalog.pg_get_userbyid(a.grantee) END, ', ')
	  INTO creators
	  FROM pg_catalog.aclexplode(nsp.nspacl) a
	 WHERE a.privilege_type OPERATOR(pg_catalog.=) 'CREATE'
	   AND a.grantee OPERATOR(pg_catalog.<>) nsp.nspowner
	   AND NOT COALESCE((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.oid OPERATOR(pg_catalog.=) a.grantee), false);
	IF creators IS NOT NULL THEN
		RAISE EXCEPTION 'other roles may create objects in schema modelgov: %', creators
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'They could plant objects that modelgov''s functions would call with the installer''s rights.',
				  HINT = 'Revoke CREATE on the schema modelgov from them (or drop the schema), and run CREATE EXTENSION modelgov again.';
	END IF;
	IF EXISTS (SELECT 1 FROM pg_catalog.pg_default_acl d
				WHERE d.defaclrole OPERATOR(pg_catalog.=) me
				  AND d.defaclnamespace OPERATOR(pg_catalog.=) ANY (ARRAY[0, nsp.oid])) THEN
		RAISE EXCEPTION 'role % has default privileges that would apply to modelgov''s objects', current_user
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'ALTER DEFAULT PRIVILEGES of the installing role would grant or revoke rights on the tables, functions and schemas modelgov creates, beside the ones it sets itself.',
				  HINT = 'Run CREATE EXTENSION modelgov as a superuser without default privileges (see \ddp in psql).';
	END IF;
END
$$;

GRANT USAGE ON SCHEMA modelgov TO PUBLIC;

CREATE SCHEMA modelgov_internal;
COMMENT ON SCHEMA modelgov_internal IS 'modelgov internals: helpers of the API, not an API';
REVOKE ALL ON SCHEMA modelgov_internal FROM PUBLIC;

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
-- Version bumps and ranges
--

CREATE TYPE modelgov.bump_level AS ENUM ('patch', 'minor', 'major');
COMMENT ON TYPE modelgov.bump_level IS
	'size of a version bump, ordered patch < minor < major';

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

-- comments on the objects PostgreSQL generates for the types above
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
