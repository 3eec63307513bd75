--
-- semver accessors, bumps, npm ranges and binary I/O
--
SET search_path = public, modelgov;

SELECT v, semver_major(v), semver_minor(v), semver_patch(v),
	   semver_prerelease(v), semver_build(v)
  FROM (VALUES ('1.2.3'::semver), ('0.0.0-alpha.1'), ('4.5.6+build.007'),
			   ('1.0.0-rc.1+sha.5114f85'),
			   ('9223372036854775807.9223372036854775807.9223372036854775807')) AS t(v);

-- bumps: npm semantics
SELECT v, level, semver_bump(v, level)
  FROM (VALUES ('1.2.3'::semver), ('1.2.3+build.5'), ('1.0.0-rc.1'), ('1.2.0-rc.1'),
			   ('1.2.3-rc.1'), ('0.0.0-0'), ('2.3.0-beta+b')) AS t(v),
	   unnest(enum_range(NULL::bump_level)) AS level
 ORDER BY v, v::text, level;

-- bumping past the largest number is refused with 22003
SELECT semver_bump('9223372036854775807.0.0', 'major');
SELECT semver_bump('1.9223372036854775807.0', 'minor');
SELECT semver_bump('1.2.9223372036854775807', 'patch');
-- but finishing a prerelease never overflows
SELECT semver_bump('9223372036854775807.0.0-rc.1', 'major');

-- npm caret and tilde ranges
SELECT v, semver_caret(v) AS caret, semver_tilde(v) AS tilde
  FROM (VALUES ('1.2.3'::semver), ('0.2.3'), ('0.0.3'), ('0.0.0'), ('1.2.3-beta.2'),
			   ('1.2.3+build'), ('0.9223372036854775807.1'), ('0.0.9223372036854775807'),
			   ('1.9223372036854775807.2'),
			   ('9223372036854775807.9223372036854775807.1')) AS t(v);

-- containment follows precedence
SELECT x, x <@ semver_caret('1.2.3') AS in_caret_1_2_3, x <@ semver_tilde('1.2.3') AS in_tilde_1_2_3,
	   x <@ semver_caret('0.2.3') AS in_caret_0_2_3
  FROM (VALUES ('1.2.2'::semver), ('1.2.3'), ('1.2.4'), ('1.3.0-alpha'), ('1.3.0'),
			   ('1.9.9'), ('2.0.0-0'), ('2.0.0-alpha'), ('2.0.0'),
			   ('0.2.5'), ('0.3.0')) AS t(x);

-- ranges can be built by hand, indexed and compared
SELECT '[1.0.0,2.0.0)'::semverrange @> '1.5.0'::semver AS contains,
	   '[1.0.0,2.0.0)'::semverrange @> '2.0.0-rc.1'::semver AS contains_prerelease;
SELECT semverrange('1.0.0', '1.0.0-rc.1');
CREATE TEMP TABLE deps (name text, wants semverrange);
INSERT INTO deps VALUES ('a', semver_caret('1.2.0')), ('b', semver_tilde('1.4.1')), ('c', semver_caret('0.3.0'));
CREATE INDEX ON deps USING gist (wants);
SELECT name FROM deps WHERE wants @> '1.4.2'::semver ORDER BY name;
SELECT semverrange('1.0.0-rc.1', '1.0.0') * semver_caret('1.0.0-alpha') AS intersection;

-- binary I/O: the send format is one format byte, then the canonical text
SELECT semver_send('1.2.3-rc.1+b');

-- binary COPY round trip
CREATE TEMP TABLE src (v semver);
INSERT INTO src VALUES ('1.2.3'), ('0.0.0-0'), ('1.0.0-rc.1+build.007'),
	('9223372036854775807.9223372036854775807.9223372036854775807'),
	('1.0.0-' || repeat('a', 250));
\copy src TO 'test/results/semver_copy.bin' WITH (FORMAT binary)
CREATE TEMP TABLE dst (v semver);
\copy dst FROM 'test/results/semver_copy.bin' WITH (FORMAT binary)
SELECT count(*) AS rows,
	   count(*) FILTER (WHERE s.v::text = d.v::text) AS identical
  FROM (SELECT v, row_number() OVER () AS n FROM src) s
  JOIN (SELECT v, row_number() OVER () AS n FROM dst) d USING (n);
-- text COPY round trip
\copy src TO 'test/results/semver_copy.txt'
TRUNCATE dst;
\copy dst FROM 'test/results/semver_copy.txt'
SELECT count(*) AS rows, count(*) FILTER (WHERE v::text IN (SELECT v::text FROM src)) AS identical FROM dst;

-- Bad binary input is refused with 22P03.  Build binary COPY files by hand
-- (signature, flags, header extension, one tuple of one field, trailer) in
-- the data directory of the throwaway cluster.
CREATE FUNCTION pg_temp.write_copy_file(path text, field bytea) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE lo oid;
BEGIN
	lo := lo_from_bytea(0, '\x5047434f50590aff0d0a00'::bytea || '\x0000000000000000'::bytea
						   || '\x0001'::bytea || int4send(length(field)) || field
						   || '\xffff'::bytea);
	PERFORM lo_export(lo, path);
	PERFORM lo_unlink(lo);
END
$$;
-- a valid file, to show that the files are right
SELECT pg_temp.write_copy_file('modelgov_regress_ok.bin', '\x01'::bytea || convert_to('4.5.6-x', 'SQL_ASCII'));
COPY dst FROM 'modelgov_regress_ok.bin' WITH (FORMAT binary);
SELECT v FROM dst WHERE v = '4.5.6-x';
-- unknown format byte
SELECT pg_temp.write_copy_file('modelgov_regress_fmt.bin', '\x02'::bytea || convert_to('4.5.6', 'SQL_ASCII'));
COPY dst FROM 'modelgov_regress_fmt.bin' WITH (FORMAT binary);
SELECT pg_temp.write_copy_file('modelgov_regress_fmt0.bin', '\x00'::bytea || convert_to('4.5.6', 'SQL_ASCII'));
COPY dst FROM 'modelgov_regress_fmt0.bin' WITH (FORMAT binary);
-- text that is not a valid semver
SELECT pg_temp.write_copy_file('modelgov_regress_text.bin', '\x01'::bytea || convert_to('1.2.03', 'SQL_ASCII'));
COPY dst FROM 'modelgov_regress_text.bin' WITH (FORMAT binary);
-- a number out of range is bad binary input too
SELECT pg_temp.write_copy_file('modelgov_regress_range.bin', '\x01'::bytea || convert_to('1.2.9223372036854775808', 'SQL_ASCII'));
COPY dst FROM 'modelgov_regress_range.bin' WITH (FORMAT binary);
-- an empty field
SELECT pg_temp.write_copy_file('modelgov_regress_empty.bin', ''::bytea);
COPY dst FROM 'modelgov_regress_empty.bin' WITH (FORMAT binary);
SELECT count(*) AS rows_after_failures FROM dst;

-- every function of the type is IMMUTABLE, STRICT and PARALLEL SAFE (but
-- the range constructors, which PostgreSQL makes non-strict)
SELECT p.proname, p.provolatile, p.proisstrict, p.proparallel
  FROM pg_proc p
 WHERE p.pronamespace = 'modelgov'::regnamespace
   AND (p.proname LIKE 'semver%' OR p.proname = 'is_semver')
   AND (p.provolatile <> 'i' OR NOT p.proisstrict OR p.proparallel <> 's')
   AND p.proname <> 'semverrange'
 ORDER BY 1;
SELECT count(*) AS semver_functions FROM pg_proc p
 WHERE p.pronamespace = 'modelgov'::regnamespace
   AND (p.proname LIKE 'semver%' OR p.proname = 'is_semver');

-- operators are wired for the planner
SELECT o.oprname, o.oprcom::regoperator AS commutator, o.oprnegate::regoperator AS negator,
	   o.oprrest, o.oprjoin, o.oprcanhash, o.oprcanmerge
  FROM pg_operator o
 WHERE o.oprleft = 'semver'::regtype AND o.oprright = 'semver'::regtype
 ORDER BY o.oprname;
