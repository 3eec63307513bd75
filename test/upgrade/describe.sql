-- The catalog description of the modelgov extension: every object that
-- belongs to it (pg_depend deptype 'e', in any schema), with what defines
-- it, one fact per line:
--
--     <kind> <object>: <fact> = <value>
--
-- test/shell/upgrade.sh prints it for a database updated from the previous
-- version and for a fresh install, and diffs the two.  Names only, never
-- OIDs: regprocedure / regtype / regclass / regoperator text printed with
-- search_path = pg_catalog, so that every object outside pg_catalog is
-- schema-qualified.  Objects are in sorted order; a value that spans lines
-- (function source, view definition) gives one line per source line, in
-- order, each line naming its object.
--
-- Privileges are the effective ones (a NULL ACL is expanded to the
-- built-in default of its owner), one line per grantee and grantor.
-- Grants to the roles listed in the setting describe.ignore_grantees
-- (comma-separated, optional) are left out: a test's own story may grant
-- privileges on extension objects to its roles.  pg_init_privs (what
-- pg_dump takes as the extension's own privileges) is printed as well,
-- in full: a story's grant found there would be left out of every dump.
--
-- Also described: the parts of member tables (columns, constraints,
-- indexes, triggers, policies, rules, statistics, identity sequences), the
-- extension's own schema, comments on all of these, which tables and
-- sequences pg_dump dumps (pg_extension_config_dump), and objects in the
-- extension's schemas that do not belong to it ("non-member ...").
--
-- Not described: the state of the objects (sequence values, table
-- contents, statistics), security labels, the pg_attver column option this
-- PostgreSQL build stamps on every column, and anything the extension
-- script does outside its own objects (roles, settings of the database).
-- A member of an object class this file does not know is still listed
-- ("member ..."), and flagged "not described in detail".
--
--     psql -X -q -At -d DB -f test/upgrade/describe.sql

SET search_path = pg_catalog;
SET jit = off;				-- compiling this one big query would take seconds

WITH
ext AS (
	SELECT e.oid, e.extname, e.extnamespace, e.extrelocatable, e.extversion,
		   e.extconfig, e.extcondition
	  FROM pg_extension e WHERE e.extname = 'modelgov'),
ign AS (
	SELECT coalesce(string_to_array(replace(nullif(current_setting('describe.ignore_grantees', true), ''),
											' ', ''), ','),
					'{}') AS roles),
mem AS (
	SELECT d.classid, d.objid
	  FROM pg_depend d JOIN ext ON d.refobjid = ext.oid
	 WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'),
-- schemas: the extension's own and those it created
nsp AS (
	SELECT n.oid, n.nspname, n.nspowner, n.nspacl,
		   CASE WHEN n.oid = ext.extnamespace THEN 'extension schema' ELSE 'member' END AS role
	  FROM pg_namespace n, ext
	 WHERE n.oid = ext.extnamespace
		OR n.oid IN (SELECT objid FROM mem WHERE classid = 'pg_namespace'::regclass)),
rel AS (
	SELECT c.*, c.oid::regclass::text AS name,
		   CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'table' WHEN 'v' THEN 'view'
						  WHEN 'm' THEN 'materialized view' WHEN 'S' THEN 'sequence'
						  WHEN 'f' THEN 'foreign table' WHEN 'c' THEN 'composite type'
						  ELSE 'relation' END AS kind
	  FROM pg_class c
	 WHERE c.oid IN (SELECT objid FROM mem WHERE classid = 'pg_class'::regclass)
		-- the relation of a composite type that belongs to the extension
		OR c.oid IN (SELECT t.typrelid FROM pg_type t
					  WHERE t.oid IN (SELECT objid FROM mem WHERE classid = 'pg_type'::regclass)
						AND t.typtype = 'c')
		-- the sequence of an identity column of a member table
		OR (c.relkind = 'S'
			AND c.oid IN (SELECT d.objid FROM pg_depend d
						   WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
							 AND d.deptype = 'i'
							 AND d.refobjid IN (SELECT objid FROM mem WHERE classid = 'pg_class'::regclass)))),
pro AS (
	SELECT p.*, p.oid::regprocedure::text AS name,
		   CASE p.prokind WHEN 'a' THEN 'aggregate' WHEN 'p' THEN 'procedure'
						  WHEN 'w' THEN 'window function' ELSE 'function' END AS kind
	  FROM pg_proc p
	 WHERE p.oid IN (SELECT objid FROM mem WHERE classid = 'pg_proc'::regclass)),
typ AS (
	SELECT t.*, t.oid::regtype::text AS name
	  FROM pg_type t
	 WHERE t.oid IN (SELECT objid FROM mem WHERE classid = 'pg_type'::regclass)),
opf AS (
	SELECT f.*, format('%s.%s USING %s', quote_ident(n.nspname), quote_ident(f.opfname), a.amname) AS name
	  FROM pg_opfamily f JOIN pg_namespace n ON n.oid = f.opfnamespace JOIN pg_am a ON a.oid = f.opfmethod
	 WHERE f.oid IN (SELECT objid FROM mem WHERE classid = 'pg_opfamily'::regclass)
		OR f.oid IN (SELECT c.opcfamily FROM pg_opclass c
					  WHERE c.oid IN (SELECT objid FROM mem WHERE classid = 'pg_opclass'::regclass))),
-- the objects whose comments are printed: the members, the extension and
-- its schema, and the parts of member relations and types
described AS (
	SELECT classid, objid FROM mem
	UNION SELECT 'pg_extension'::regclass, oid FROM ext
	UNION SELECT 'pg_namespace'::regclass, oid FROM nsp
	UNION SELECT 'pg_class'::regclass, oid FROM rel
	UNION SELECT 'pg_opfamily'::regclass, oid FROM opf
	UNION SELECT 'pg_constraint'::regclass, oid FROM pg_constraint
		   WHERE conrelid IN (SELECT oid FROM rel) OR contypid IN (SELECT oid FROM typ)
	UNION SELECT 'pg_class'::regclass, indexrelid FROM pg_index WHERE indrelid IN (SELECT oid FROM rel)
	UNION SELECT 'pg_trigger'::regclass, oid FROM pg_trigger WHERE tgrelid IN (SELECT oid FROM rel)
	UNION SELECT 'pg_policy'::regclass, oid FROM pg_policy WHERE polrelid IN (SELECT oid FROM rel)
	UNION SELECT 'pg_rewrite'::regclass, oid FROM pg_rewrite WHERE ev_class IN (SELECT oid FROM rel)
	UNION SELECT 'pg_statistic_ext'::regclass, oid FROM pg_statistic_ext WHERE stxrelid IN (SELECT oid FROM rel)),
-- (kind, object, fact, value); a NULL fact prints the object alone
facts(kind, obj, fact, val) AS (
	-- the extension
	SELECT 'extension', ext.extname::text, j.key, j.value
	  FROM ext, jsonb_each_text(jsonb_build_object(
			'version', ext.extversion,
			'schema', ext.extnamespace::regnamespace::text,
			'relocatable', ext.extrelocatable,
			'requires', (SELECT string_agg(r.extname, ', ' ORDER BY r.extname)
						   FROM pg_depend d JOIN pg_extension r ON r.oid = d.refobjid
						  WHERE d.classid = 'pg_extension'::regclass AND d.objid = ext.oid
							AND d.refclassid = 'pg_extension'::regclass))) j
	UNION ALL
	-- which tables and sequences pg_dump dumps (pg_extension_config_dump)
	SELECT 'extension', ext.extname, 'config dump ' || c.cfg::regclass::text,
		   coalesce(quote_literal(ext.extcondition[c.i]), 'NULL')
	  FROM ext, unnest(ext.extconfig) WITH ORDINALITY c(cfg, i)
	UNION ALL
	-- every member, by its identity: the list that the rest details
	SELECT 'member', o.type || ' ' || o.identity, NULL, NULL
	  FROM mem, pg_identify_object(mem.classid, mem.objid, 0) o
	UNION ALL
	SELECT 'member', o.type || ' ' || o.identity, 'not described in detail', NULL
	  FROM mem, pg_identify_object(mem.classid, mem.objid, 0) o
	 WHERE mem.classid NOT IN ('pg_namespace'::regclass, 'pg_class'::regclass, 'pg_proc'::regclass,
							   'pg_type'::regclass, 'pg_operator'::regclass, 'pg_opclass'::regclass,
							   'pg_opfamily'::regclass, 'pg_cast'::regclass)
	UNION ALL
	-- objects in the extension's schemas that do not belong to it
	SELECT 'non-member', o.type || ' ' || o.identity, NULL, NULL
	  FROM (SELECT 'pg_class'::regclass AS classid, c.oid AS objid FROM pg_class c
			 WHERE c.relnamespace IN (SELECT oid FROM nsp) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
			   AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
								  AND d.objid = c.oid AND d.deptype = 'i')
			UNION ALL
			SELECT 'pg_proc'::regclass, p.oid FROM pg_proc p WHERE p.pronamespace IN (SELECT oid FROM nsp)
			UNION ALL
			SELECT 'pg_type'::regclass, t.oid FROM pg_type t
			 WHERE t.typnamespace IN (SELECT oid FROM nsp)
			   AND (t.typrelid = 0 OR t.typrelid IN (SELECT oid FROM pg_class WHERE relkind = 'c'))
			   AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
								  AND d.objid = t.oid AND d.deptype = 'i')
			UNION ALL
			SELECT 'pg_operator'::regclass, o.oid FROM pg_operator o WHERE o.oprnamespace IN (SELECT oid FROM nsp)
			UNION ALL
			SELECT 'pg_opclass'::regclass, c.oid FROM pg_opclass c WHERE c.opcnamespace IN (SELECT oid FROM nsp)
			UNION ALL
			SELECT 'pg_opfamily'::regclass, f.oid FROM pg_opfamily f WHERE f.opfnamespace IN (SELECT oid FROM nsp)
			UNION ALL
			SELECT 'pg_collation'::regclass, c.oid FROM pg_collation c WHERE c.collnamespace IN (SELECT oid FROM nsp)
			UNION ALL
			SELECT 'pg_conversion'::regclass, c.oid FROM pg_conversion c WHERE c.connamespace IN (SELECT oid FROM nsp)
			UNION ALL
			SELECT 'pg_statistic_ext'::regclass, s.oid FROM pg_statistic_ext s WHERE s.stxnamespace IN (SELECT oid FROM nsp)
		   ) x, pg_identify_object(x.classid, x.objid, 0) o
	 WHERE (x.classid, x.objid) NOT IN (SELECT classid, objid FROM mem)
	UNION ALL
	-- schemas
	SELECT 'schema', quote_ident(nsp.nspname), j.key, j.value
	  FROM nsp, jsonb_each_text(jsonb_build_object('owner', pg_get_userbyid(nsp.nspowner), 'role', nsp.role)) j
	UNION ALL
	-- functions, procedures, aggregates
	SELECT pro.kind, pro.name, j.key, j.value
	  FROM pro, jsonb_each_text(jsonb_build_object(
			'arguments', pg_get_function_arguments(pro.oid),
			'result', pg_get_function_result(pro.oid),
			'language', (SELECT l.lanname FROM pg_language l WHERE l.oid = pro.prolang),
			'source', pro.prosrc,
			'sql body', CASE WHEN pro.prosqlbody IS NOT NULL THEN pg_get_function_sqlbody(pro.oid) END,
			'binary', pro.probin,
			'volatility', pro.provolatile,
			'parallel', pro.proparallel,
			'strict', pro.proisstrict,
			'security definer', pro.prosecdef,
			'leakproof', pro.proleakproof,
			'cost', pro.procost,
			'rows', pro.prorows,
			'config', pro.proconfig::text,
			'support', nullif(pro.prosupport::oid, 0)::regprocedure::text,
			'owner', pg_get_userbyid(pro.proowner))) j
	UNION ALL
	SELECT 'aggregate', pro.name, j.key, j.value
	  FROM pro JOIN pg_aggregate a ON a.aggfnoid = pro.oid,
		   jsonb_each_text(jsonb_build_object(
			'aggregate kind', a.aggkind,
			'direct arguments', a.aggnumdirectargs,
			'transition function', nullif(a.aggtransfn::oid, 0)::regprocedure::text,
			'final function', nullif(a.aggfinalfn::oid, 0)::regprocedure::text,
			'combine function', nullif(a.aggcombinefn::oid, 0)::regprocedure::text,
			'serial function', nullif(a.aggserialfn::oid, 0)::regprocedure::text,
			'deserial function', nullif(a.aggdeserialfn::oid, 0)::regprocedure::text,
			'moving transition function', nullif(a.aggmtransfn::oid, 0)::regprocedure::text,
			'moving inverse function', nullif(a.aggminvtransfn::oid, 0)::regprocedure::text,
			'moving final function', nullif(a.aggmfinalfn::oid, 0)::regprocedure::text,
			'final extra', a.aggfinalextra,
			'moving final extra', a.aggmfinalextra,
			'final modify', a.aggfinalmodify,
			'moving final modify', a.aggmfinalmodify,
			'sort operator', nullif(a.aggsortop, 0)::regoperator::text,
			'state type', a.aggtranstype::regtype::text,
			'state space', a.aggtransspace,
			'moving state type', nullif(a.aggmtranstype, 0)::regtype::text,
			'moving state space', a.aggmtransspace,
			'initcond', a.agginitval,
			'moving initcond', a.aggminitval)) j
	UNION ALL
	-- types
	SELECT 'type', typ.name, j.key, j.value
	  FROM typ, jsonb_each_text(jsonb_build_object(
			'type kind', typ.typtype,
			'category', typ.typcategory,
			'preferred', typ.typispreferred,
			'length', typ.typlen,
			'by value', typ.typbyval,
			'alignment', typ.typalign,
			'storage', typ.typstorage,
			'delimiter', typ.typdelim,
			'input', nullif(typ.typinput::oid, 0)::regprocedure::text,
			'output', nullif(typ.typoutput::oid, 0)::regprocedure::text,
			'receive', nullif(typ.typreceive::oid, 0)::regprocedure::text,
			'send', nullif(typ.typsend::oid, 0)::regprocedure::text,
			'typmod in', nullif(typ.typmodin::oid, 0)::regprocedure::text,
			'typmod out', nullif(typ.typmodout::oid, 0)::regprocedure::text,
			'analyze', nullif(typ.typanalyze::oid, 0)::regprocedure::text,
			'subscript', nullif(typ.typsubscript::oid, 0)::regprocedure::text,
			'element', nullif(typ.typelem, 0)::regtype::text,
			'array type', nullif(typ.typarray, 0)::regtype::text,
			'base type', CASE WHEN typ.typtype = 'd' THEN format_type(typ.typbasetype, typ.typtypmod) END,
			'not null', typ.typnotnull,
			'default', coalesce(pg_get_expr(typ.typdefaultbin, 0), typ.typdefault),
			'collation', (SELECT c.oid::regcollation::text FROM pg_collation c WHERE c.oid = typ.typcollation),
			'enum labels', (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder)
							  FROM pg_enum e WHERE e.enumtypid = typ.oid),
			'owner', pg_get_userbyid(typ.typowner))) j
	UNION ALL
	SELECT 'type', typ.name, j.key, j.value
	  FROM typ JOIN pg_range r ON r.rngtypid = typ.oid,
		   jsonb_each_text(jsonb_build_object(
			'range subtype', r.rngsubtype::regtype::text,
			'range subtype opclass', (SELECT format('%s.%s USING %s', quote_ident(n.nspname), quote_ident(c.opcname), a.amname)
										FROM pg_opclass c JOIN pg_namespace n ON n.oid = c.opcnamespace
										JOIN pg_am a ON a.oid = c.opcmethod WHERE c.oid = r.rngsubopc),
			'range collation', (SELECT c.oid::regcollation::text FROM pg_collation c WHERE c.oid = r.rngcollation),
			'range canonical', nullif(r.rngcanonical::oid, 0)::regprocedure::text,
			'range subdiff', nullif(r.rngsubdiff::oid, 0)::regprocedure::text,
			'multirange type', nullif(r.rngmultitypid, 0)::regtype::text)) j
	UNION ALL
	-- constraints of domains
	SELECT 'type', typ.name, 'constraint ' || quote_ident(c.conname), pg_get_constraintdef(c.oid)
	  FROM typ JOIN pg_constraint c ON c.contypid = typ.oid
	UNION ALL
	-- relations: tables, views, sequences, composite types
	SELECT rel.kind, rel.name, j.key, j.value
	  FROM rel, jsonb_each_text(jsonb_build_object(
			'relation kind', rel.relkind,
			'owner', pg_get_userbyid(rel.relowner),
			'persistence', rel.relpersistence,
			'access method', (SELECT a.amname FROM pg_am a WHERE a.oid = rel.relam),
			'tablespace', (SELECT s.spcname FROM pg_tablespace s WHERE s.oid = rel.reltablespace),
			'options', rel.reloptions::text,
			'row level security', rel.relrowsecurity,
			'force row level security', rel.relforcerowsecurity,
			'replica identity', rel.relreplident,
			'partition key', CASE WHEN rel.relkind = 'p' THEN pg_get_partkeydef(rel.oid) END,
			'partition bound', pg_get_expr(rel.relpartbound, rel.oid),
			'inherits', (SELECT string_agg(i.inhparent::regclass::text, ', ' ORDER BY i.inhseqno)
						   FROM pg_inherits i WHERE i.inhrelid = rel.oid),
			'definition', CASE WHEN rel.relkind IN ('v', 'm') THEN pg_get_viewdef(rel.oid, true) END)) j
	 WHERE rel.relkind <> 'c'
	UNION ALL
	-- columns
	SELECT 'column', rel.name || '.' || quote_ident(a.attname), j.key, j.value
	  FROM rel JOIN (SELECT a.*, row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum) AS position
					   FROM pg_attribute a WHERE a.attnum > 0 AND NOT a.attisdropped) a ON a.attrelid = rel.oid
		   LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum,
		   jsonb_each_text(jsonb_build_object(
			'position', a.position,
			'type', format_type(a.atttypid, a.atttypmod),
			'not null', a.attnotnull,
			'default', pg_get_expr(d.adbin, d.adrelid),
			'identity', nullif(a.attidentity, ''),
			'generated', nullif(a.attgenerated, ''),
			'collation', (SELECT c.oid::regcollation::text FROM pg_collation c WHERE c.oid = a.attcollation),
			'storage', a.attstorage,
			'compression', nullif(a.attcompression, ''),
			'statistics target', a.attstattarget,
			-- pg_attver=<n>, which this PostgreSQL build adds to every
			-- column it creates, is where the WAL was when the column was
			-- made: it differs between any two databases, and is left out
			'options', (SELECT array_agg(o ORDER BY o)::text FROM unnest(a.attoptions) o
						 WHERE o NOT LIKE 'pg_attver=%'))) j
	 WHERE rel.relkind <> 'S'
	UNION ALL
	-- sequences
	SELECT 'sequence', rel.name, j.key, j.value
	  FROM rel JOIN pg_sequence s ON s.seqrelid = rel.oid,
		   jsonb_each_text(jsonb_build_object(
			'data type', s.seqtypid::regtype::text,
			'start', s.seqstart,
			'increment', s.seqincrement,
			'minimum', s.seqmin,
			'maximum', s.seqmax,
			'cache', s.seqcache,
			'cycle', s.seqcycle,
			'owned by', (SELECT string_agg(d.refobjid::regclass::text || '.' || quote_ident(a.attname)
										   || CASE d.deptype WHEN 'i' THEN ' (identity)' ELSE '' END, ', ')
						   FROM pg_depend d
						   JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
						  WHERE d.classid = 'pg_class'::regclass AND d.objid = rel.oid
							AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0
							AND d.deptype IN ('a', 'i')))) j
	UNION ALL
	-- constraints, indexes, triggers, policies, rules, statistics of relations
	SELECT rel.kind, rel.name, 'constraint ' || quote_ident(c.conname), pg_get_constraintdef(c.oid)
	  FROM rel JOIN pg_constraint c ON c.conrelid = rel.oid
	UNION ALL
	SELECT rel.kind, rel.name, 'index ' || i.indexrelid::regclass::text,
		   pg_get_indexdef(i.indexrelid)
		   || CASE WHEN i.indisclustered THEN ' [clustered]' ELSE '' END
		   || CASE WHEN i.indisreplident THEN ' [replica identity]' ELSE '' END
		   || CASE WHEN NOT i.indisvalid THEN ' [invalid]' ELSE '' END
	  FROM rel JOIN pg_index i ON i.indrelid = rel.oid
	UNION ALL
	SELECT rel.kind, rel.name, 'trigger ' || quote_ident(t.tgname), pg_get_triggerdef(t.oid)
	  FROM rel JOIN pg_trigger t ON t.tgrelid = rel.oid AND NOT t.tgisinternal
	UNION ALL
	SELECT rel.kind, rel.name, 'trigger ' || quote_ident(t.tgname) || ' enabled',
		   t.tgenabled::text || CASE t.tgenabled WHEN 'O' THEN ' (origin)' WHEN 'D' THEN ' (disabled)'
										   WHEN 'R' THEN ' (replica)' WHEN 'A' THEN ' (always)' ELSE '' END
	  FROM rel JOIN pg_trigger t ON t.tgrelid = rel.oid AND NOT t.tgisinternal
	UNION ALL
	SELECT rel.kind, rel.name, 'policy ' || quote_ident(p.polname),
		   format('%s FOR %s TO %s USING (%s) WITH CHECK (%s)',
				  CASE WHEN p.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,
				  CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'
								WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
				  (SELECT string_agg(CASE WHEN r = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(r) END, ', ' ORDER BY 1)
					 FROM unnest(p.polroles) r),
				  pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid))
	  FROM rel JOIN pg_policy p ON p.polrelid = rel.oid
	UNION ALL
	SELECT rel.kind, rel.name, 'rule ' || quote_ident(r.rulename), r.ev_enabled::text || ' ' || pg_get_ruledef(r.oid, true)
	  FROM rel JOIN pg_rewrite r ON r.ev_class = rel.oid AND r.rulename <> '_RETURN'
	UNION ALL
	SELECT rel.kind, rel.name, 'statistics ' || quote_ident(s.stxname), pg_get_statisticsobjdef(s.oid)
	  FROM rel JOIN pg_statistic_ext s ON s.stxrelid = rel.oid
	UNION ALL
	-- operators
	SELECT 'operator', o.oid::regoperator::text, j.key, j.value
	  FROM pg_operator o, jsonb_each_text(jsonb_build_object(
			'kind', o.oprkind,
			'result', o.oprresult::regtype::text,
			'function', nullif(o.oprcode::oid, 0)::regprocedure::text,
			'commutator', nullif(o.oprcom, 0)::regoperator::text,
			'negator', nullif(o.oprnegate, 0)::regoperator::text,
			'restrict', nullif(o.oprrest::oid, 0)::regprocedure::text,
			'join', nullif(o.oprjoin::oid, 0)::regprocedure::text,
			'hashes', o.oprcanhash,
			'merges', o.oprcanmerge,
			'owner', pg_get_userbyid(o.oprowner))) j
	 WHERE o.oid IN (SELECT objid FROM mem WHERE classid = 'pg_operator'::regclass)
	UNION ALL
	-- operator classes
	SELECT 'operator class', format('%s.%s USING %s', quote_ident(n.nspname), quote_ident(c.opcname), a.amname),
		   j.key, j.value
	  FROM pg_opclass c JOIN pg_namespace n ON n.oid = c.opcnamespace JOIN pg_am a ON a.oid = c.opcmethod
		   JOIN pg_opfamily f ON f.oid = c.opcfamily JOIN pg_namespace fn ON fn.oid = f.opfnamespace,
		   jsonb_each_text(jsonb_build_object(
			'input type', c.opcintype::regtype::text,
			'default', c.opcdefault,
			'storage type', nullif(c.opckeytype, 0)::regtype::text,
			'family', format('%s.%s', quote_ident(fn.nspname), quote_ident(f.opfname)),
			'owner', pg_get_userbyid(c.opcowner))) j
	 WHERE c.oid IN (SELECT objid FROM mem WHERE classid = 'pg_opclass'::regclass)
	UNION ALL
	-- operator families and their members
	SELECT 'operator family', opf.name, 'owner', pg_get_userbyid(opf.opfowner)
	  FROM opf
	UNION ALL
	SELECT 'operator family', opf.name,
		   format('operator %s (%s, %s)', o.amopstrategy, o.amoplefttype::regtype, o.amoprighttype::regtype),
		   o.amopopr::regoperator::text
		   || CASE o.amoppurpose WHEN 'o' THEN ' FOR ORDER BY ' || (SELECT format('%s.%s', quote_ident(n.nspname), quote_ident(sf.opfname))
																	  FROM pg_opfamily sf JOIN pg_namespace n ON n.oid = sf.opfnamespace
																	 WHERE sf.oid = o.amopsortfamily)
								 ELSE '' END
	  FROM opf JOIN pg_amop o ON o.amopfamily = opf.oid
	UNION ALL
	SELECT 'operator family', opf.name,
		   format('function %s (%s, %s)', p.amprocnum, p.amproclefttype::regtype, p.amprocrighttype::regtype),
		   p.amproc::oid::regprocedure::text
	  FROM opf JOIN pg_amproc p ON p.amprocfamily = opf.oid
	UNION ALL
	-- casts
	SELECT 'cast', format('(%s AS %s)', c.castsource::regtype, c.casttarget::regtype), j.key, j.value
	  FROM pg_cast c, jsonb_each_text(jsonb_build_object(
			'function', nullif(c.castfunc, 0)::regprocedure::text,
			'context', CASE c.castcontext WHEN 'e' THEN 'explicit' WHEN 'a' THEN 'assignment'
										  WHEN 'i' THEN 'implicit' END,
			'method', CASE c.castmethod WHEN 'f' THEN 'function' WHEN 'i' THEN 'inout'
										WHEN 'b' THEN 'binary' END)) j
	 WHERE c.oid IN (SELECT objid FROM mem WHERE classid = 'pg_cast'::regclass)
	UNION ALL
	-- comments, on every described object and on the columns of relations
	SELECT 'comment', o.type || ' ' || o.identity, NULL, d.description
	  FROM pg_description d, pg_identify_object(d.classoid, d.objoid, d.objsubid) o
	 WHERE (d.classoid, d.objoid) IN (SELECT classid, objid FROM described)
	UNION ALL
	-- privileges: effective (NULL is the owner's default), and the initial
	-- ones of pg_init_privs
	SELECT x.kind, x.obj, x.what || coalesce(' ' || g.grantee, ''),
		   coalesce(g.privs, 'none')
	  FROM (SELECT 'schema' AS kind, quote_ident(nspname) AS obj, 'acl' AS what,
				   coalesce(nspacl, acldefault('n', nspowner)) AS acl
			  FROM nsp
			UNION ALL
			SELECT pro.kind, pro.name, 'acl', coalesce(proacl, acldefault('f', proowner)) FROM pro
			UNION ALL
			SELECT 'type', typ.name, 'acl', coalesce(typacl, acldefault('T', typowner)) FROM typ
			UNION ALL
			SELECT rel.kind, rel.name, 'acl',
				   coalesce(relacl, acldefault(CASE WHEN relkind = 'S' THEN 's' ELSE 'r' END::"char", relowner))
			  FROM rel WHERE relkind <> 'c'
			UNION ALL
			SELECT 'column', rel.name || '.' || quote_ident(a.attname), 'acl', a.attacl
			  FROM rel JOIN pg_attribute a ON a.attrelid = rel.oid AND a.attnum > 0 AND NOT a.attisdropped
			 WHERE rel.relkind <> 'S' AND a.attacl IS NOT NULL
			UNION ALL
			SELECT 'schema', quote_ident(nsp.nspname),
				   format('default acl for %s created by %s',
						  CASE da.defaclobjtype WHEN 'r' THEN 'tables' WHEN 'S' THEN 'sequences'
												WHEN 'f' THEN 'functions' WHEN 'T' THEN 'types'
												WHEN 'n' THEN 'schemas' END,
						  pg_get_userbyid(da.defaclrole)),
				   da.defaclacl
			  FROM nsp JOIN pg_default_acl da ON da.defaclnamespace = nsp.oid
			UNION ALL
			SELECT 'initial privileges', o.type || ' ' || o.identity, 'acl', ip.initprivs
			  FROM pg_init_privs ip, pg_identify_object(ip.classoid, ip.objoid, ip.objsubid) o
			 WHERE (ip.classoid, ip.objoid) IN (SELECT classid, objid FROM described)
		   ) x
		   LEFT JOIN LATERAL (
			SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END AS grantee,
				   string_agg(a.privilege_type || CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END,
							  ', ' ORDER BY a.privilege_type)
				   || ' (granted by ' || pg_get_userbyid(a.grantor) || ')' AS privs
			  FROM aclexplode(CASE WHEN cardinality(x.acl) > 0 THEN x.acl END) a, ign
			 WHERE a.grantee = 0 OR x.kind = 'initial privileges'
				OR pg_get_userbyid(a.grantee) <> ALL (ign.roles)
			 GROUP BY a.grantee, a.grantor) g ON true
)
SELECT line FROM (
	SELECT f.kind, f.obj, f.fact, l.n,
		   f.kind || ' ' || f.obj
		   || CASE WHEN f.fact IS NULL AND f.val IS NULL THEN ''
				   WHEN f.fact IS NULL THEN ': ' || l.line
				   WHEN strpos(f.val, E'\n') > 0 THEN ': ' || f.fact || ' | ' || l.line
				   ELSE ': ' || f.fact || ' = ' || coalesce(l.line, 'NULL') END AS line
	  FROM facts f
		   LEFT JOIN LATERAL regexp_split_to_table(f.val, E'\n') WITH ORDINALITY AS l(line, n) ON true
	) lines
 ORDER BY kind COLLATE "C", obj COLLATE "C", fact COLLATE "C" NULLS FIRST, n, line COLLATE "C";
