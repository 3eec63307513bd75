--
-- semver_api.sql
--		The public surface of modelgov, as seen in the catalogs: types,
--		functions and their properties, operators, operator classes,
--		aggregates, casts, enum labels, comments and search_path pinning.
--
-- Lists are open: objects added to the extension later do not break the
-- checks of the objects named here, but the invariants (comments, pinned
-- search_path) apply to every member.
--
-- No search_path is set here on purpose: pgTAP compares type names with
-- format_type() and regtype output, which qualify modelgov types as
-- "modelgov.semver" when modelgov is not on the path.
--
BEGIN;
\ir helpers.psql
SELECT plan(158);

--
-- Types and relations
--
SELECT has_schema('modelgov');
SELECT has_type('modelgov', 'semver', 'type modelgov.semver exists');
-- pgTAP's has_type() does not look at range types (typtype 'r')
SELECT ok(
	EXISTS (SELECT 1 FROM pg_catalog.pg_type t
			 WHERE t.typnamespace = 'modelgov'::regnamespace
			   AND t.typname = 'semverrange' AND t.typtype = 'r'),
	'range type modelgov.semverrange exists');
SELECT has_type('modelgov', 'bump_level', 'type modelgov.bump_level exists');
SELECT has_type('modelgov', 'change_type', 'type modelgov.change_type exists');
SELECT has_type('modelgov', 'decision', 'type modelgov.decision exists');
SELECT ok(
	EXISTS (SELECT 1 FROM pg_catalog.pg_range r
			 WHERE r.rngtypid = 'modelgov.semverrange'::regtype
			   AND r.rngsubtype = 'modelgov.semver'::regtype),
	'semverrange is a range over semver');
-- the comparator reads stored values in place: varlena, plain storage,
-- double alignment (see the install script)
SELECT results_eq(
	$$SELECT t.typlen::int, t.typstorage::text, t.typalign::text, t.typcategory::text
		FROM pg_catalog.pg_type t WHERE t.oid = 'modelgov.semver'::regtype$$,
	$$VALUES (-1, 'p', 'd', 'U')$$,
	'semver is a plain-storage, double-aligned varlena of category U');
SELECT has_table('modelgov', 'bump_policy_history', 'table bump_policy_history exists');
SELECT has_view('modelgov', 'bump_policy', 'view bump_policy exists');
SELECT has_sequence('modelgov', 'bump_policy_history_id_seq', 'sequence bump_policy_history_id_seq exists');

--
-- Every semver function: it exists with these arguments, returns this type,
-- and is IMMUTABLE and STRICT.  Four assertions per row, 24 rows.
--
CREATE TEMP TABLE semver_funcs (fname name, args name[], rettype text) ON COMMIT DROP;
INSERT INTO semver_funcs VALUES
	('semver_in', '{cstring}', 'modelgov.semver'),
	('semver_out', '{modelgov.semver}', 'cstring'),
	('semver_recv', '{internal}', 'modelgov.semver'),
	('semver_send', '{modelgov.semver}', 'bytea'),
	('semver_cmp', '{modelgov.semver,modelgov.semver}', 'integer'),
	('semver_eq', '{modelgov.semver,modelgov.semver}', 'boolean'),
	('semver_ne', '{modelgov.semver,modelgov.semver}', 'boolean'),
	('semver_lt', '{modelgov.semver,modelgov.semver}', 'boolean'),
	('semver_le', '{modelgov.semver,modelgov.semver}', 'boolean'),
	('semver_gt', '{modelgov.semver,modelgov.semver}', 'boolean'),
	('semver_ge', '{modelgov.semver,modelgov.semver}', 'boolean'),
	('semver_hash', '{modelgov.semver}', 'integer'),
	('semver_hash_extended', '{modelgov.semver,bigint}', 'bigint'),
	('semver_smaller', '{modelgov.semver,modelgov.semver}', 'modelgov.semver'),
	('semver_larger', '{modelgov.semver,modelgov.semver}', 'modelgov.semver'),
	('semver_major', '{modelgov.semver}', 'bigint'),
	('semver_minor', '{modelgov.semver}', 'bigint'),
	('semver_patch', '{modelgov.semver}', 'bigint'),
	('semver_prerelease', '{modelgov.semver}', 'text'),
	('semver_build', '{modelgov.semver}', 'text'),
	('is_semver', '{text}', 'boolean'),
	('semver_bump', '{modelgov.semver,modelgov.bump_level}', 'modelgov.semver'),
	('semver_caret', '{modelgov.semver}', 'modelgov.semverrange'),
	('semver_tilde', '{modelgov.semver}', 'modelgov.semverrange');

SELECT has_function('modelgov', fname, args) FROM semver_funcs ORDER BY fname;
SELECT function_returns('modelgov', fname, args, rettype) FROM semver_funcs ORDER BY fname;
SELECT volatility_is('modelgov', fname, args, 'immutable') FROM semver_funcs ORDER BY fname;
SELECT is_strict('modelgov', fname, args) FROM semver_funcs ORDER BY fname;

-- all of them may run in parallel workers
SELECT is_empty(
	$$SELECT p.oid::regprocedure::text FROM pg_catalog.pg_proc p
	   WHERE p.pronamespace = 'modelgov'::regnamespace
		 AND (p.proname LIKE 'semver\_%' OR p.proname = 'is_semver')
		 AND p.proparallel <> 's'$$,
	'every semver function is PARALLEL SAFE');
-- exactly the six comparison operators' functions are LEAKPROOF
SELECT set_eq(
	$$SELECT p.proname::text FROM pg_catalog.pg_proc p
	   WHERE p.pronamespace = 'modelgov'::regnamespace AND p.proleakproof$$,
	ARRAY['semver_eq', 'semver_ne', 'semver_lt', 'semver_le', 'semver_gt', 'semver_ge'],
	'the comparison functions, and only they, are LEAKPROOF');

--
-- The bump policy functions and the internal helpers
--
SELECT has_function('modelgov', 'required_bump', ARRAY['modelgov.change_type']);
SELECT function_returns('modelgov', 'required_bump', ARRAY['modelgov.change_type'], 'modelgov.bump_level');
SELECT volatility_is('modelgov', 'required_bump', ARRAY['modelgov.change_type'], 'stable');
SELECT is_strict('modelgov', 'required_bump', ARRAY['modelgov.change_type']);
SELECT isnt_definer('modelgov', 'required_bump', ARRAY['modelgov.change_type']);

SELECT has_function('modelgov', 'set_bump_policy', ARRAY['modelgov.change_type', 'modelgov.bump_level']);
SELECT function_returns('modelgov', 'set_bump_policy', ARRAY['modelgov.change_type', 'modelgov.bump_level'], 'void');
SELECT volatility_is('modelgov', 'set_bump_policy', ARRAY['modelgov.change_type', 'modelgov.bump_level'], 'volatile');
SELECT is_strict('modelgov', 'set_bump_policy', ARRAY['modelgov.change_type', 'modelgov.bump_level']);
SELECT isnt_definer('modelgov', 'set_bump_policy', ARRAY['modelgov.change_type', 'modelgov.bump_level']);

SELECT has_function('modelgov_internal', 'actor', '{}'::name[]);
SELECT function_returns('modelgov_internal', 'actor', '{}'::name[], 'text');
SELECT isnt_definer('modelgov_internal', 'actor', '{}'::name[]);
SELECT has_function('modelgov_internal', 'require_admin', ARRAY['text']);
SELECT function_returns('modelgov_internal', 'require_admin', ARRAY['text'], 'void');
SELECT isnt_definer('modelgov_internal', 'require_admin', ARRAY['text']);

--
-- Aggregates
--
SELECT is_aggregate('modelgov', 'min', ARRAY['modelgov.semver']);
SELECT is_aggregate('modelgov', 'max', ARRAY['modelgov.semver']);
SELECT function_returns('modelgov', 'min', ARRAY['modelgov.semver'], 'modelgov.semver');
SELECT function_returns('modelgov', 'max', ARRAY['modelgov.semver'], 'modelgov.semver');
-- a sort operator lets the planner answer min/max from a btree index
SELECT results_eq(
	$$SELECT a.aggfnoid::regprocedure::text, a.aggtransfn::regproc::text,
			 a.aggcombinefn::regproc::text, a.aggsortop::regoperator::text
		FROM pg_catalog.pg_aggregate a
	   WHERE a.aggfnoid IN ('modelgov.min(modelgov.semver)'::regprocedure,
							'modelgov.max(modelgov.semver)'::regprocedure)
	   ORDER BY 1$$,
	$$VALUES ('modelgov.max(modelgov.semver)', 'modelgov.semver_larger',
			  'modelgov.semver_larger', 'modelgov.>(modelgov.semver,modelgov.semver)'),
			 ('modelgov.min(modelgov.semver)', 'modelgov.semver_smaller',
			  'modelgov.semver_smaller', 'modelgov.<(modelgov.semver,modelgov.semver)')$$,
	'min and max use the right transition functions and sort operators');

--
-- Operators
--
SELECT has_operator('modelgov.semver', 'modelgov', '=', 'modelgov.semver', 'boolean',
	'operator modelgov.= (semver, semver) returns boolean');
SELECT has_operator('modelgov.semver', 'modelgov', '<>', 'modelgov.semver', 'boolean',
	'operator modelgov.<> (semver, semver) returns boolean');
SELECT has_operator('modelgov.semver', 'modelgov', '<', 'modelgov.semver', 'boolean',
	'operator modelgov.< (semver, semver) returns boolean');
SELECT has_operator('modelgov.semver', 'modelgov', '<=', 'modelgov.semver', 'boolean',
	'operator modelgov.<= (semver, semver) returns boolean');
SELECT has_operator('modelgov.semver', 'modelgov', '>', 'modelgov.semver', 'boolean',
	'operator modelgov.> (semver, semver) returns boolean');
SELECT has_operator('modelgov.semver', 'modelgov', '>=', 'modelgov.semver', 'boolean',
	'operator modelgov.>= (semver, semver) returns boolean');
-- commutators, negators, implementation functions, hash and merge support
SELECT results_eq(
	$$SELECT o.oprname::text COLLATE "default", o.oprcode::regproc::text,
			 c.oprname::text COLLATE "default", n.oprname::text COLLATE "default", o.oprcanhash, o.oprcanmerge
		FROM pg_catalog.pg_operator o
		JOIN pg_catalog.pg_operator c ON c.oid = o.oprcom
		JOIN pg_catalog.pg_operator n ON n.oid = o.oprnegate
	   WHERE o.oprnamespace = 'modelgov'::regnamespace
		 AND o.oprleft = 'modelgov.semver'::regtype
		 AND o.oprright = 'modelgov.semver'::regtype
	   ORDER BY 1$$,
	$$VALUES ('<', 'modelgov.semver_lt', '>', '>=', false, false),
			 ('<=', 'modelgov.semver_le', '>=', '>', false, false),
			 ('<>', 'modelgov.semver_ne', '<>', '=', false, false),
			 ('=', 'modelgov.semver_eq', '=', '<>', true, true),
			 ('>', 'modelgov.semver_gt', '<', '<=', false, false),
			 ('>=', 'modelgov.semver_ge', '<=', '<', false, false)$$,
	'semver operators have the right functions, commutators and negators; = hashes and merges');

--
-- Operator classes: a default btree and a default hash class
--
SELECT has_opclass('modelgov', 'semver_ops', 'operator class modelgov.semver_ops exists');
SELECT ok(
	EXISTS (SELECT 1 FROM pg_catalog.pg_opclass c JOIN pg_catalog.pg_am a ON a.oid = c.opcmethod
			 WHERE c.opcnamespace = 'modelgov'::regnamespace AND c.opcname = 'semver_ops'
			   AND a.amname = 'btree' AND c.opcdefault
			   AND c.opcintype = 'modelgov.semver'::regtype),
	'semver_ops is the default btree operator class of semver');
SELECT ok(
	EXISTS (SELECT 1 FROM pg_catalog.pg_opclass c JOIN pg_catalog.pg_am a ON a.oid = c.opcmethod
			 WHERE c.opcnamespace = 'modelgov'::regnamespace AND c.opcname = 'semver_ops'
			   AND a.amname = 'hash' AND c.opcdefault
			   AND c.opcintype = 'modelgov.semver'::regtype),
	'semver_ops is the default hash operator class of semver');
SELECT results_eq(
	$$SELECT a.amname::text COLLATE "default", 'operator' AS kind, o.amopstrategy::int AS num, o.amopopr::regoperator::text
		FROM pg_catalog.pg_amop o
		JOIN pg_catalog.pg_opfamily f ON f.oid = o.amopfamily
		JOIN pg_catalog.pg_am a ON a.oid = f.opfmethod
	   WHERE f.opfnamespace = 'modelgov'::regnamespace AND f.opfname = 'semver_ops'
	  UNION ALL
	  SELECT a.amname::text COLLATE "default", 'function', p.amprocnum::int, p.amproc::regprocedure::text
		FROM pg_catalog.pg_amproc p
		JOIN pg_catalog.pg_opfamily f ON f.oid = p.amprocfamily
		JOIN pg_catalog.pg_am a ON a.oid = f.opfmethod
	   WHERE f.opfnamespace = 'modelgov'::regnamespace AND f.opfname = 'semver_ops'
	   ORDER BY 1, 2, 3$$,
	$$VALUES ('btree', 'function', 1, 'modelgov.semver_cmp(modelgov.semver,modelgov.semver)'),
			 ('btree', 'operator', 1, 'modelgov.<(modelgov.semver,modelgov.semver)'),
			 ('btree', 'operator', 2, 'modelgov.<=(modelgov.semver,modelgov.semver)'),
			 ('btree', 'operator', 3, 'modelgov.=(modelgov.semver,modelgov.semver)'),
			 ('btree', 'operator', 4, 'modelgov.>=(modelgov.semver,modelgov.semver)'),
			 ('btree', 'operator', 5, 'modelgov.>(modelgov.semver,modelgov.semver)'),
			 ('hash', 'function', 1, 'modelgov.semver_hash(modelgov.semver)'),
			 ('hash', 'function', 2, 'modelgov.semver_hash_extended(modelgov.semver,bigint)'),
			 ('hash', 'operator', 1, 'modelgov.=(modelgov.semver,modelgov.semver)')$$,
	'the btree and hash operator families hold exactly the expected members');

--
-- Casts to and from text: I/O conversion, allowed in assignments
--
SELECT has_cast('text', 'modelgov.semver', 'cast text -> semver exists');
SELECT has_cast('modelgov.semver', 'text', 'cast semver -> text exists');
SELECT results_eq(
	$$SELECT c.castsource::regtype::text, c.casttarget::regtype::text,
			 c.castcontext::text, c.castmethod::text
		FROM pg_catalog.pg_cast c
	   WHERE 'modelgov.semver'::regtype IN (c.castsource, c.casttarget)
	   ORDER BY 1$$,
	$$VALUES ('modelgov.semver', 'text', 'a', 'i'),
			 ('text', 'modelgov.semver', 'a', 'i')$$,
	'the text casts are assignment casts through I/O');

--
-- Enum labels, in sort order
--
SELECT enum_has_labels('modelgov', 'bump_level', ARRAY['patch', 'minor', 'major']);
SELECT enum_has_labels('modelgov', 'change_type', ARRAY[
	'weights_update', 'threshold_change', 'bias_update', 'feature_addition',
	'feature_removal', 'feature_modification', 'calibration_update',
	'safety_rule_change', 'bug_fix', 'performance_fix']);
SELECT enum_has_labels('modelgov', 'decision', ARRAY['AUTO', 'ASK', 'ESCALATE']);

--
-- Comments.  Members of the extension are the objects with a pg_depend row
-- of deptype 'e' on it.  CREATE TYPE ... AS RANGE also makes constructor
-- functions, a multirange type and a cast, which hang off the range type
-- with deptype 'i'; the install script does not comment those (see the
-- TODO test at the end of this group), so the strict checks leave them out.
--
CREATE TEMP VIEW ext_members AS
	SELECT d.classid, d.objid,
		   pg_catalog.pg_describe_object(d.classid, d.objid, 0) AS what,
		   pg_catalog.obj_description(d.objid, d.classid::regclass::name) AS comment,
		   EXISTS (SELECT 1 FROM pg_catalog.pg_depend g
					WHERE g.classid = d.classid AND g.objid = d.objid
					  AND g.refclassid = 'pg_catalog.pg_type'::regclass
					  AND g.deptype = 'i') AS generated
	  FROM pg_catalog.pg_depend d
	 WHERE d.refclassid = 'pg_catalog.pg_extension'::regclass
	   AND d.refobjid = (SELECT e.oid FROM pg_catalog.pg_extension e WHERE e.extname = 'modelgov')
	   AND d.deptype = 'e';

-- guard against a vacuous pass: the view finds the functions written in
-- the install script (aggregates included), and only those as non-generated
SELECT set_has(
	$$SELECT p.proname::text COLLATE "default" FROM ext_members m JOIN pg_catalog.pg_proc p ON p.oid = m.objid
	   WHERE m.classid = 'pg_catalog.pg_proc'::regclass AND NOT m.generated$$,
	$$SELECT pg_catalog.unnest(ARRAY[
		'actor', 'require_admin', 'is_semver', 'max', 'min', 'required_bump',
		'semver_build', 'semver_bump', 'semver_caret', 'semver_cmp', 'semver_eq',
		'semver_ge', 'semver_gt', 'semver_hash', 'semver_hash_extended',
		'semver_in', 'semver_larger', 'semver_le', 'semver_lt', 'semver_major',
		'semver_minor', 'semver_ne', 'semver_out', 'semver_patch',
		'semver_prerelease', 'semver_recv', 'semver_send', 'semver_smaller',
		'semver_tilde', 'set_bump_policy'])$$,
	'the member list holds the functions of the install script');
SELECT set_has(
	$$SELECT p.proname::text COLLATE "default" FROM ext_members m JOIN pg_catalog.pg_proc p ON p.oid = m.objid
	   WHERE m.classid = 'pg_catalog.pg_proc'::regclass AND m.generated$$,
	$$SELECT pg_catalog.unnest(ARRAY['semverrange', 'semvermultirange'])$$,
	'the member list tells the generated range constructors apart');
SELECT is_empty(
	$$SELECT m.what FROM ext_members m JOIN pg_catalog.pg_proc p ON p.oid = m.objid
	   WHERE m.classid = 'pg_catalog.pg_proc'::regclass AND NOT m.generated
		 AND m.comment IS NULL$$,
	'every function of the extension has a COMMENT');
SELECT is_empty(
	$$SELECT m.what FROM ext_members m
	   WHERE m.classid = 'pg_catalog.pg_type'::regclass AND NOT m.generated
		 AND m.comment IS NULL$$,
	'every type of the extension has a COMMENT');
SELECT is_empty(
	$$SELECT m.what FROM ext_members m JOIN pg_catalog.pg_class c ON c.oid = m.objid
	   WHERE m.classid = 'pg_catalog.pg_class'::regclass
		 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
		 AND m.comment IS NULL$$,
	'every table and view of the extension has a COMMENT');
SELECT is_empty(
	$$SELECT m.what FROM ext_members m
	   WHERE m.classid IN ('pg_catalog.pg_operator'::regclass, 'pg_catalog.pg_opclass'::regclass,
						   'pg_catalog.pg_cast'::regclass)
		 AND NOT m.generated AND m.comment IS NULL$$,
	'every operator, operator class and cast of the extension has a COMMENT');
SELECT is_empty(
	$$SELECT m.what FROM ext_members m WHERE m.comment IS NULL ORDER BY 1$$,
	'every member of the extension, generated or not, has a COMMENT');

--
-- search_path pinning.  SECURITY DEFINER functions must pin it exactly to
-- pg_catalog, pg_temp (pg_temp last, so that temporary objects of the
-- caller cannot capture a name); the SQL and PL/pgSQL functions of the
-- extension do so too, since they run inside the definer ones.
--
-- guard: the check below does see set_bump_policy
SELECT set_has(
	$$SELECT p.oid::regprocedure::text FROM ext_members m JOIN pg_catalog.pg_proc p ON p.oid = m.objid
	   WHERE m.classid = 'pg_catalog.pg_proc'::regclass AND p.prosecdef$$,
	$$SELECT pg_catalog.unnest(ARRAY['modelgov_internal.set_bump_policy(modelgov.change_type,modelgov.bump_level)'])$$,
	'the body of set_bump_policy is among the SECURITY DEFINER functions');
SELECT is_empty(
	$$SELECT p.oid::regprocedure::text FROM ext_members m JOIN pg_catalog.pg_proc p ON p.oid = m.objid
	   WHERE m.classid = 'pg_catalog.pg_proc'::regclass AND p.prosecdef
		 AND NOT coalesce(p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp'], false)$$,
	'every SECURITY DEFINER function has SET search_path = pg_catalog, pg_temp');
SELECT is_empty(
	$$SELECT p.oid::regprocedure::text FROM ext_members m JOIN pg_catalog.pg_proc p ON p.oid = m.objid
	   WHERE m.classid = 'pg_catalog.pg_proc'::regclass
		 AND p.prolang IN (SELECT l.oid FROM pg_catalog.pg_language l
							WHERE l.lanname IN ('sql', 'plpgsql'))
		 AND NOT coalesce(p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp'], false)
		 -- the three that run the caller's sample query, in the caller's path
		 AND p.oid::regprocedure::text <> ALL (ARRAY[
				'modelgov.read_sample(text,text,modelgov.semver,modelgov.semver)',
				'modelgov.propose_thresholds(text,text,text)', 'modelgov.recheck_impact(text)'])$$,
	'every SQL and PL/pgSQL function has SET search_path = pg_catalog, pg_temp, but those that run the caller''s sample query');
SELECT is_empty(
	$$SELECT p.oid::regprocedure::text FROM pg_catalog.pg_proc p
	   WHERE p.oid IN ('modelgov.read_sample(text,text,modelgov.semver,modelgov.semver)'::regprocedure,
					   'modelgov.propose_thresholds(text,text,text)'::regprocedure,
					   'modelgov.recheck_impact(text)'::regprocedure)
		 AND (p.prosecdef OR p.proconfig IS NOT NULL)$$,
	'and those run with the caller''s rights and settings: SECURITY INVOKER, no SET clause');

SELECT * FROM finish();
ROLLBACK;
