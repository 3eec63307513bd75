--
-- semver ordering: SemVer 2.0.0 precedence, a total order that btree
-- indexes can trust, and hashing consistent with equality
--
SET search_path = public, modelgov;

-- The precedence chain of semver.org, item 11
WITH chain(n, v) AS (VALUES
	(1, '1.0.0-alpha'::semver), (2, '1.0.0-alpha.1'), (3, '1.0.0-alpha.beta'),
	(4, '1.0.0-beta'), (5, '1.0.0-beta.2'), (6, '1.0.0-beta.11'),
	(7, '1.0.0-rc.1'), (8, '1.0.0'), (9, '2.0.0'), (10, '2.1.0'), (11, '2.1.1'))
SELECT a.v AS lower, b.v AS higher, a.v < b.v AS lt, b.v > a.v AS gt,
	   semver_cmp(a.v, b.v) AS cmp, semver_cmp(b.v, a.v) AS rcmp
  FROM chain a JOIN chain b ON b.n = a.n + 1
 ORDER BY a.n;

-- Numeric identifiers compare as numbers of any length, numeric below
-- alphanumeric, digit-leading alphanumerics as text, build ignored
SELECT x, y, semver_cmp(x::semver, y::semver) AS cmp,
	   x::semver = y::semver AS eq, x::semver <> y::semver AS ne
  FROM (VALUES
	('1.0.0-2', '1.0.0-10'),
	('1.0.0-99999999999999999999', '1.0.0-100000000000000000000'),
	('1.0.0-99999999999999999999', '1.0.0-99999999999999999998'),
	('1.0.0-1a', '1.0.0-1'),
	('1.0.0-1a', '1.0.0-2'),
	('1.0.0-1a', '1.0.0-10a'),
	('1.0.0-10a', '1.0.0-9a'),
	('1.0.0-01a', '1.0.0-1a'),
	('1.0.0-a', '1.0.0-A'),
	('1.0.0-alpha', '1.0.0-alpha-'),
	('1.0.0--', '1.0.0-0'),
	('1.0.0-alpha.1', '1.0.0-alpha.1.0'),
	('1.0.0-0', '1.0.0'),
	('1.0.0+build.1', '1.0.0+build.2'),
	('1.0.0-rc.1+a', '1.0.0-rc.1+b'),
	('1.0.0', '1.0.0+x'),
	('9223372036854775807.0.0', '9223372036854775806.9223372036854775807.9223372036854775807'),
	('2.0.0', '10.0.0'),
	('1.10.0', '1.9.0')) AS t(x, y);

-- An independent reference comparator written in SQL, straight from the
-- specification, to check the C comparator against.
CREATE FUNCTION pg_temp.ref_cmp(a text, b text) RETURNS int
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	an text[] := regexp_split_to_array(split_part(split_part(a, '+', 1), '-', 1), '\.');
	bn text[] := regexp_split_to_array(split_part(split_part(b, '+', 1), '-', 1), '\.');
	ap text := substring(split_part(a, '+', 1) from '^[0-9]+\.[0-9]+\.[0-9]+-(.*)$');
	bp text := substring(split_part(b, '+', 1) from '^[0-9]+\.[0-9]+\.[0-9]+-(.*)$');
	ai text[];
	bi text[];
	x text;
	y text;
BEGIN
	FOR i IN 1..3 LOOP
		IF an[i]::numeric <> bn[i]::numeric THEN
			RETURN sign(an[i]::numeric - bn[i]::numeric);
		END IF;
	END LOOP;
	IF ap IS NULL OR bp IS NULL THEN
		RETURN (ap IS NULL)::int - (bp IS NULL)::int;
	END IF;
	ai := string_to_array(ap, '.');
	bi := string_to_array(bp, '.');
	FOR i IN 1..least(cardinality(ai), cardinality(bi)) LOOP
		x := ai[i];
		y := bi[i];
		IF x ~ '^[0-9]+$' AND y ~ '^[0-9]+$' THEN
			IF x::numeric <> y::numeric THEN
				RETURN sign(x::numeric - y::numeric);
			END IF;
		ELSIF x ~ '^[0-9]+$' THEN
			RETURN -1;
		ELSIF y ~ '^[0-9]+$' THEN
			RETURN 1;
		ELSIF x COLLATE "C" <> y COLLATE "C" THEN
			RETURN CASE WHEN x COLLATE "C" < y COLLATE "C" THEN -1 ELSE 1 END;
		END IF;
	END LOOP;
	RETURN sign(cardinality(ai) - cardinality(bi));
END
$$;

-- A sample of versions chosen to stress the comparator: digit-leading
-- alphanumerics, long numbers, hyphens, prefixes, build metadata.
CREATE TEMP TABLE sample AS
SELECT DISTINCT format('%s.%s.%s%s%s', ma, mi, pa,
					   CASE WHEN pre = '' THEN '' ELSE '-' || pre END,
					   CASE WHEN b THEN '+b.' || ma ELSE '' END) AS t
  FROM (VALUES (0), (1), (10)) AS x(ma),
	   (VALUES (0), (2)) AS y(mi),
	   (VALUES (1)) AS z(pa),
	   (VALUES (''), ('0'), ('1'), ('1a'), ('01a'), ('10'), ('9'), ('1a.1'),
			   ('1.1a'), ('a'), ('a.1'), ('a.1.1'), ('a-'), ('-'), ('--1'),
			   ('A'), ('9a.10'), ('10a'), ('99999999999999999999'),
			   ('100000000000000000000'), ('rc.1'), ('rc.1.0')) AS p(pre),
	   (VALUES (false), (true)) AS bb(b);
SELECT count(*) AS sample_size FROM sample;

-- The C comparator agrees with the reference on every ordered pair, and is
-- antisymmetric, and each operator agrees with it.
SELECT count(*) AS pairs,
	   count(*) FILTER (WHERE semver_cmp(a.t::semver, b.t::semver) <> pg_temp.ref_cmp(a.t, b.t)) AS disagree_with_reference,
	   count(*) FILTER (WHERE semver_cmp(a.t::semver, b.t::semver) <> -semver_cmp(b.t::semver, a.t::semver)) AS not_antisymmetric,
	   count(*) FILTER (WHERE semver_cmp(a.t::semver, b.t::semver) NOT IN (-1, 0, 1)) AS out_of_range,
	   count(*) FILTER (WHERE (a.t::semver < b.t::semver) <> (semver_cmp(a.t::semver, b.t::semver) < 0)
						   OR (a.t::semver <= b.t::semver) <> (semver_cmp(a.t::semver, b.t::semver) <= 0)
						   OR (a.t::semver = b.t::semver) <> (semver_cmp(a.t::semver, b.t::semver) = 0)
						   OR (a.t::semver <> b.t::semver) <> (semver_cmp(a.t::semver, b.t::semver) <> 0)
						   OR (a.t::semver >= b.t::semver) <> (semver_cmp(a.t::semver, b.t::semver) >= 0)
						   OR (a.t::semver > b.t::semver) <> (semver_cmp(a.t::semver, b.t::semver) > 0)) AS operator_mismatch,
	   count(*) FILTER (WHERE a.t::semver = b.t::semver
						  AND (semver_hash(a.t::semver) <> semver_hash(b.t::semver)
							   OR semver_hash_extended(a.t::semver, 42) <> semver_hash_extended(b.t::semver, 42))) AS equal_but_hash_differs
  FROM sample a, sample b;

-- Transitivity over every triple of a third of the sample
CREATE TEMP TABLE small AS SELECT t::semver AS v FROM sample WHERE t !~ '\+' ORDER BY t LIMIT 60;
SELECT count(*) AS triples,
	   count(*) FILTER (WHERE a.v <= b.v AND b.v <= c.v AND NOT a.v <= c.v) AS not_transitive
  FROM small a, small b, small c;

-- Sorting agrees with the reference comparator: each version is below its
-- successor in ORDER BY order.
SELECT count(*) AS adjacent_pairs,
	   count(*) FILTER (WHERE pg_temp.ref_cmp(t, nxt) > 0) AS out_of_order
  FROM (SELECT t, lead(t) OVER (ORDER BY t::semver) AS nxt FROM sample) s
 WHERE nxt IS NOT NULL;

-- A btree index over 12,000 versions full of digit-leading prerelease
-- identifiers passes amcheck, including the parent and heap checks.
CREATE EXTENSION amcheck;
CREATE TABLE versions AS
SELECT format('%s.%s.%s-%s', i % 4, (i / 4) % 3, (i / 12) % 5,
			  (ARRAY['1a', '01a', '1', '10', '9a', 'a1', '1a.1', '1a.01b', '2', '1-',
					 '10a.1', '1.1a', 'rc.1a', '0a.0', '99999999999999999999a'])[1 + (i / 60) % 15]
			  || '.' || (i / 900))::semver AS v
  FROM generate_series(1, 12000) AS i;
CREATE INDEX versions_v ON versions (v);
SELECT count(*), count(DISTINCT v) FROM versions;
SELECT bt_index_check('versions_v', true);
SELECT bt_index_parent_check('versions_v', true);

-- The index returns exactly what a sequential scan returns
SET enable_seqscan = off;
SET enable_bitmapscan = off;
SELECT count(*) FROM versions WHERE v < '1.1.1-1a.5';
SELECT count(*) FROM versions WHERE v >= '2.0.0-10' AND v < '2.0.0-9a';
RESET enable_seqscan;
RESET enable_bitmapscan;
SET enable_indexscan = off;
SET enable_indexonlyscan = off;
SET enable_bitmapscan = off;
SELECT count(*) FROM versions WHERE v < '1.1.1-1a.5';
SELECT count(*) FROM versions WHERE v >= '2.0.0-10' AND v < '2.0.0-9a';
RESET enable_indexscan;
RESET enable_indexonlyscan;
RESET enable_bitmapscan;

-- min and max aggregates
SELECT min(v), max(v) FROM versions;
SELECT min(t::semver), max(t::semver) FROM sample;

-- Hashing: versions that differ only in build metadata hash alike; the
-- hash spreads the values; hash aggregation and hash joins give the same
-- answers as sorting.
SELECT semver_hash('1.0.0+a') = semver_hash('1.0.0+b') AS same_32,
	   semver_hash_extended('1.0.0+a', 7) = semver_hash_extended('1.0.0+b', 7) AS same_64,
	   semver_hash_extended('1.0.0', 0) <> semver_hash_extended('1.0.0', 1) AS seed_matters,
	   semver_hash('1.0.1') <> semver_hash('1.1.1') AS minor_matters,
	   semver_hash('1.0.1') <> semver_hash('2.0.1') AS major_matters,
	   semver_hash('1.0.1-a') <> semver_hash('1.0.1-b') AS prerelease_matters;
SELECT count(DISTINCT v) AS versions, count(DISTINCT semver_hash(v)) AS hashes,
	   count(DISTINCT semver_hash_extended(v, 0)) AS hashes64
  FROM versions;
SET enable_sort = off;
EXPLAIN (COSTS OFF) SELECT v, count(*) FROM versions GROUP BY v;
SELECT count(*) FROM (SELECT v, count(*) FROM versions GROUP BY v) s;
SET enable_mergejoin = off;
SET enable_nestloop = off;
SET max_parallel_workers_per_gather = 0;
CREATE FUNCTION pg_temp.plan_uses(query text, node text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE line text;
BEGIN
	FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
		IF line LIKE '%' || node || '%' THEN
			RETURN true;
		END IF;
	END LOOP;
	RETURN false;
END
$$;
SELECT pg_temp.plan_uses('SELECT count(*) FROM versions a JOIN versions b USING (v)', 'Hash Join') AS hash_join;
SELECT count(*) FROM versions a JOIN versions b USING (v);
RESET enable_sort;
RESET enable_mergejoin;
RESET enable_nestloop;
RESET max_parallel_workers_per_gather;

-- hash partitioning uses the extended hash
CREATE TABLE parted (v semver) PARTITION BY HASH (v);
CREATE TABLE parted_0 PARTITION OF parted FOR VALUES WITH (MODULUS 3, REMAINDER 0);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES WITH (MODULUS 3, REMAINDER 1);
CREATE TABLE parted_2 PARTITION OF parted FOR VALUES WITH (MODULUS 3, REMAINDER 2);
INSERT INTO parted SELECT v FROM versions;
INSERT INTO parted VALUES ('1.0.0+a'), ('1.0.0+b'), ('1.0.0');
SELECT count(DISTINCT tableoid) AS partitions_holding_1_0_0 FROM parted WHERE v = '1.0.0';
SELECT count(*) > 3000 AS spread FROM parted_0;
SELECT count(*) FROM parted WHERE v = '1.0.0+zzz';

-- The planner estimates "<" from the histogram, not with a fixed fraction
-- (the defaults would be 1/3 or 1/2 of the 12,000 rows)
ANALYZE versions;
CREATE FUNCTION pg_temp.estimate(cond text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE p json;
BEGIN
	EXECUTE 'EXPLAIN (FORMAT JSON) SELECT * FROM versions WHERE ' || cond INTO p;
	RETURN (p -> 0 -> 'Plan' ->> 'Plan Rows')::float8;
END
$$;
CREATE FUNCTION pg_temp.actual(cond text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
	EXECUTE 'SELECT count(*) FROM versions WHERE ' || cond INTO n;
	RETURN n;
END
$$;
SELECT cond, actual,
	   abs(est - actual) <= 0.05 * 12000 AS estimate_within_5pct,
	   est NOT IN (4000, 6000) AS not_a_default_fraction
  FROM (VALUES ('v < ''0.1.0-1a.0'''), ('v < ''1.0.0'''), ('v < ''2.1.3-1'''),
			   ('v <= ''3.0.0'''), ('v > ''3.2.4-9a'''), ('v >= ''1.0.0-a1''')) AS c(cond),
	   LATERAL (SELECT pg_temp.estimate(cond) AS est, pg_temp.actual(cond) AS actual) s;
