--
-- semver_errors.sql
--		Behaviour of the semver type: which inputs are refused and with which
--		SQLSTATE, is_semver() on hostile text, precedence order (sort, btree
--		index, min/max), npm bump semantics, caret and tilde ranges, and
--		hashing that agrees with equality when only build metadata differs.
--
BEGIN;
\ir helpers.psql
SELECT plan(91);

SET search_path = modelgov, public;

-- a pg_temp helper of this suite (pg_temp.plan_of, EXPLAIN output of a
-- query, is in helpers.psql): whether the input function accepts a text
-- (catching only the two errors it may raise)
CREATE FUNCTION pg_temp.accepts(input text) RETURNS boolean
	LANGUAGE plpgsql AS $$
BEGIN
	PERFORM input::modelgov.semver;
	RETURN true;
EXCEPTION WHEN invalid_text_representation OR numeric_value_out_of_range THEN
	RETURN false;
END
$$;

--
-- Malformed text: 22P02 with the standard message.  One assertion per input.
--
SELECT throws_ok(
		pg_catalog.format('SELECT %L::semver', bad),
		'22P02',
		pg_catalog.format('invalid input syntax for type semver: "%s"', bad),
		pg_catalog.format('%s is refused with 22P02 (%s)',
						  pg_catalog.replace(pg_catalog.quote_literal(bad), E'\n', '\n'), why))
  FROM (VALUES
		('01.2.3', 'leading zero in major'),
		('1.02.3', 'leading zero in minor'),
		('1.2.03', 'leading zero in patch'),
		('v1.2.3', 'a "v" prefix'),
		('1.2.3+', 'empty build metadata'),
		('1.2.3-', 'empty prerelease'),
		('1.2', 'no patch number'),
		('1.2.3.4', 'a fourth number'),
		('', 'empty text'),
		(' 1.2.3', 'leading space'),
		('1.2.3 ', 'trailing space'),
		(E'1.2.3\n', 'trailing newline'),
		('1.2.3-a..b', 'empty prerelease identifier'),
		('1.2.3-01', 'leading zero in a numeric prerelease identifier'),
		('1.2.3-rc.1+b..1', 'empty build identifier'),
		('1.2.3-beta+exp+sha', 'a second "+"'),
		('1.2.3-b' || pg_catalog.chr(234) || 'ta', 'a non-ASCII letter'),
		('-1.2.3', 'a sign'),
		('9223372036854775808.0.0-01', 'syntax errors win over out-of-range numbers')
	   ) AS t(bad, why);

-- the text -> semver cast goes through the same parser
SELECT throws_ok($$SELECT '1.2'::text::semver$$, '22P02', NULL,
				 'the text cast refuses malformed text with 22P02');

-- the text form is limited to 256 bytes
SELECT is(('1.0.0-' || pg_catalog.repeat('a', 250))::semver::text,
		  '1.0.0-' || pg_catalog.repeat('a', 250),
		  'a 256-byte version is accepted');
SELECT throws_ok(pg_catalog.format('SELECT %L::semver', '1.0.0-' || pg_catalog.repeat('a', 251)),
				 '22P02', NULL,
				 'a 257-byte version is refused with 22P02');

--
-- Numbers above 9223372036854775807: 22003.  One assertion per input.
--
SELECT throws_ok(
		pg_catalog.format('SELECT %L::semver', big),
		'22003',
		pg_catalog.format('value "%s" is out of range for type semver', big),
		pg_catalog.format('%s is refused with 22003', big))
  FROM (VALUES
		('9223372036854775808.0.0'),
		('0.9223372036854775808.0'),
		('0.0.9223372036854775808'),
		('99999999999999999999999999.1.1'),
		('1.2.18446744073709551616-rc.1+build')
	   ) AS t(big);
SELECT is('9223372036854775807.9223372036854775807.9223372036854775807'::semver::text,
		  '9223372036854775807.9223372036854775807.9223372036854775807',
		  'the largest numbers are accepted');
-- numeric prerelease identifiers have no size limit
SELECT is('1.0.0-99999999999999999999999'::semver::text, '1.0.0-99999999999999999999999',
		  'a numeric prerelease identifier beyond bigint is accepted');

--
-- Bump overflow at each level: 22003.  Where the number is not incremented
-- (a lower part is reset, or a prerelease is finished) there is no error.
--
SELECT throws_ok($$SELECT semver_bump('9223372036854775807.0.0', 'major')$$,
				 '22003', 'semver major version out of range',
				 'bumping the largest major raises 22003');
SELECT throws_ok($$SELECT semver_bump('0.9223372036854775807.0', 'minor')$$,
				 '22003', 'semver minor version out of range',
				 'bumping the largest minor raises 22003');
SELECT throws_ok($$SELECT semver_bump('0.0.9223372036854775807', 'patch')$$,
				 '22003', 'semver patch version out of range',
				 'bumping the largest patch raises 22003');
SELECT is(semver_bump('0.9223372036854775807.9223372036854775807', 'major')::text, '1.0.0',
		  'a major bump resets the largest minor and patch without error');
SELECT is(semver_bump('9223372036854775807.0.0-rc.1', 'major')::text, '9223372036854775807.0.0',
		  'finishing a prerelease at the largest major is no overflow');

--
-- is_semver(): never raises, whatever the text; agrees with the input
-- function on every sample.
--
CREATE TEMP TABLE odd_inputs (input text, valid boolean) ON COMMIT DROP;
INSERT INTO odd_inputs VALUES
	('1.2.3', true),
	('0.0.0', true),
	('1.2.3+0001', true),					-- build identifiers may have leading zeros
	('1.2.3---', true),					-- "--" is a valid identifier
	('1.2.3-a.-.b+-', true),
	('1.0.0-' || pg_catalog.repeat('a', 250), true),
	('1.0.0-' || pg_catalog.repeat('a', 251), false),
	('9223372036854775807.0.0', true),
	('9223372036854775808.0.0', false),	-- out of range: false, no error
	('', false),
	(' ', false),
	(E'\t1.2.3', false),
	('1.2.3-0001', false),
	('1.2.3-+', false),
	('+1.2.3', false),
	('1.2.3-' || pg_catalog.chr(233), false),
	(pg_catalog.chr(1635) || '.1.1', false),	-- ARABIC-INDIC DIGIT THREE
	(pg_catalog.repeat('9', 100000), false),
	(pg_catalog.repeat('1.', 1000) || '1', false),
	(pg_catalog.repeat('1', 30) || '.' || pg_catalog.repeat('2', 30) || '.3-', false);

SELECT lives_ok($$SELECT pg_catalog.count(is_semver(input)) FROM odd_inputs$$,
				'is_semver raises no error on any sample');
SELECT is_empty(
	$$SELECT pg_catalog.left(input, 40), valid FROM odd_inputs
	   WHERE is_semver(input) IS DISTINCT FROM valid$$,
	'is_semver gives the expected answer for every sample');
SELECT is_empty(
	$$SELECT pg_catalog.left(input, 40) FROM odd_inputs
	   WHERE is_semver(input) IS DISTINCT FROM pg_temp.accepts(input)$$,
	'is_semver is true exactly when the input function accepts the text');
SELECT is(is_semver(NULL), NULL::boolean, 'is_semver(NULL) is NULL');

--
-- Precedence order.  The chain holds the example of semver.org item 11
-- plus numbers compared numerically, long numeric identifiers, identifiers
-- with hyphens and upper case, and the largest major.
--
CREATE TEMP TABLE chain (pos int, v text) ON COMMIT DROP;
INSERT INTO chain
SELECT pos, v
  FROM pg_catalog.unnest(ARRAY[
		'0.0.0-0', '0.0.0', '0.0.1', '0.1.0',
		'1.0.0-0', '1.0.0-2', '1.0.0-10', '1.0.0-99999999999999999999999',
		'1.0.0--1', '1.0.0-0a', '1.0.0-Beta',
		'1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-alpha-1',
		'1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0-rc.1.0',
		'1.0.0', '1.0.1', '1.2.0', '1.10.0', '2.0.0', '10.0.0',
		'9223372036854775807.0.0'
	   ]) WITH ORDINALITY AS u(v, pos);

CREATE TEMP TABLE shuffled (v semver) ON COMMIT DROP;
INSERT INTO shuffled
SELECT v::semver FROM pg_catalog.unnest(ARRAY[
		'1.0.0-beta.11', '10.0.0', '1.0.0-alpha-1', '0.0.1', '1.0.0-rc.1.0',
		'1.0.0-0a', '2.0.0', '1.0.0-alpha', '1.0.0-10', '0.0.0',
		'9223372036854775807.0.0', '1.0.0-Beta', '1.0.0-beta', '1.10.0',
		'1.0.0-2', '0.1.0', '1.0.0-alpha.beta', '1.0.0', '1.0.0--1',
		'1.0.0-rc.1', '0.0.0-0', '1.2.0', '1.0.0-99999999999999999999999',
		'1.0.0-beta.2', '1.0.1', '1.0.0-alpha.1', '1.0.0-0'
	   ]) AS u(v);

SELECT results_eq(
	$$SELECT s.v::text FROM shuffled s ORDER BY s.v$$,
	$$SELECT v FROM chain ORDER BY pos$$,
	'ORDER BY sorts a shuffled list into SemVer precedence');
SELECT results_eq(
	$$SELECT s.v::text FROM shuffled s ORDER BY s.v DESC$$,
	$$SELECT v FROM chain ORDER BY pos DESC$$,
	'ORDER BY ... DESC gives the reverse precedence');
-- every adjacent pair of the chain compares as < with semver_cmp -1
SELECT is_empty(
	$$SELECT a.v, b.v FROM chain a JOIN chain b ON b.pos = a.pos + 1
	   WHERE NOT (a.v::semver < b.v::semver AND b.v::semver > a.v::semver
				  AND a.v::semver <= b.v::semver AND a.v::semver <> b.v::semver
				  AND semver_cmp(a.v::semver, b.v::semver) = -1
				  AND semver_cmp(b.v::semver, a.v::semver) = 1)$$,
	'the operators and semver_cmp agree with the chain');
SELECT is(min(v)::text, '0.0.0-0', 'min() is the lowest version') FROM shuffled;
SELECT is(max(v)::text, '9223372036854775807.0.0', 'max() is the highest version') FROM shuffled;

-- the same order read from a btree index
CREATE INDEX ON shuffled (v);
ANALYZE shuffled;
SET LOCAL enable_seqscan = off;
SET LOCAL enable_bitmapscan = off;
SET LOCAL enable_sort = off;
SELECT ok(
	EXISTS (SELECT 1 FROM pg_temp.plan_of('SELECT v FROM shuffled ORDER BY v') p
			 WHERE p LIKE '%Index Only Scan%'),
	'the ordered query reads the btree index');
SELECT results_eq(
	$$SELECT s.v::text FROM shuffled s ORDER BY s.v$$,
	$$SELECT v FROM chain ORDER BY pos$$,
	'the btree index returns SemVer precedence order');
RESET enable_seqscan;
RESET enable_bitmapscan;
RESET enable_sort;

--
-- semver_bump: npm semantics.  A prerelease already at the requested level
-- is finished, anything else is incremented with lower parts reset; the
-- prerelease and build metadata are dropped.  Texts are compared, since =
-- ignores build metadata.  One assertion per row.
--
SELECT is(semver_bump(v::semver, level::bump_level)::text, want,
		  pg_catalog.format('%s bumped at %s is %s', v, level, want))
  FROM (VALUES
		('1.0.0-rc.1', 'major', '1.0.0'),
		('1.2.0-rc.1', 'minor', '1.2.0'),
		('1.2.3-rc.1', 'patch', '1.2.3'),
		('1.2.3', 'minor', '1.3.0'),
		('1.2.3', 'major', '2.0.0'),
		('1.2.3', 'patch', '1.2.4'),
		('1.2.3+build.5', 'patch', '1.2.4'),
		('1.2.3+build.5', 'minor', '1.3.0'),
		('1.2.0-rc.1', 'major', '2.0.0'),
		('1.2.3-rc.1', 'minor', '1.3.0'),
		('1.2.3-rc.1+b', 'major', '2.0.0'),
		('1.0.0-rc.1', 'minor', '1.0.0'),
		('1.0.0-rc.1+b', 'patch', '1.0.0'),
		('0.0.0-0', 'patch', '0.0.0'),
		('9.9.9', 'major', '10.0.0')
	   ) AS t(v, level, want);
SELECT is(semver_bump('1.2.3', NULL), NULL, 'semver_bump is strict');

--
-- Caret and tilde ranges, compared as text (build metadata of the input is
-- dropped from the lower bound).  One assertion per row.
--
SELECT is(got, want, pg_catalog.format('%s is %s', what, want))
  FROM (VALUES
		('^1.2.3', semver_caret('1.2.3')::text, '[1.2.3,2.0.0-0)'),
		('^0.2.3', semver_caret('0.2.3')::text, '[0.2.3,0.3.0-0)'),
		('^0.0.3', semver_caret('0.0.3')::text, '[0.0.3,0.0.4-0)'),
		('^0.0.0', semver_caret('0.0.0')::text, '[0.0.0,0.0.1-0)'),
		('^1.2.3-beta.2+b', semver_caret('1.2.3-beta.2+b')::text, '[1.2.3-beta.2,2.0.0-0)'),
		('~1.2.3', semver_tilde('1.2.3')::text, '[1.2.3,1.3.0-0)'),
		('~0.0.3', semver_tilde('0.0.3')::text, '[0.0.3,0.1.0-0)'),
		('~1.2.3+b', semver_tilde('1.2.3+b')::text, '[1.2.3,1.3.0-0)'),
		('^9223372036854775807.1.1', semver_caret('9223372036854775807.1.1')::text,
		 '[9223372036854775807.1.1,)'),
		('~1.9223372036854775807.5', semver_tilde('1.9223372036854775807.5')::text,
		 '[1.9223372036854775807.5,2.0.0-0)')
	   ) AS t(what, got, want);
-- membership, at and around the bounds
SELECT is_empty(
	$$SELECT v, r, want FROM (VALUES
		('1.2.3', '^1.2.3', true),
		('1.99.99', '^1.2.3', true),
		('1.2.2', '^1.2.3', false),
		('1.2.3-rc.1', '^1.2.3', false),
		('2.0.0-0', '^1.2.3', false),
		('2.0.0-alpha', '^1.2.3', false),
		('0.2.99+b', '^0.2.3', true),
		('0.3.0-0', '^0.2.3', false),
		('0.0.4', '^0.0.3', false),
		('1.2.99', '~1.2.3', true),
		('1.3.0-alpha', '~1.2.3', false)
	) AS t(v, r, want)
	 WHERE (v::semver <@ CASE pg_catalog.left(r, 1)
						  WHEN '^' THEN semver_caret(pg_catalog.substr(r, 2)::semver)
						  ELSE semver_tilde(pg_catalog.substr(r, 2)::semver) END)
		   IS DISTINCT FROM want$$,
	'caret and tilde ranges contain exactly the expected versions');

--
-- Build metadata: equal under =, different as text, hashed alike
--
SELECT ok('1.0.0+a'::semver = '1.0.0+b'::semver, '1.0.0+a = 1.0.0+b');
SELECT ok(NOT ('1.0.0+a'::semver <> '1.0.0+b'::semver), 'NOT 1.0.0+a <> 1.0.0+b');
SELECT is(semver_cmp('1.0.0+a', '1.0.0+b'), 0, 'semver_cmp(1.0.0+a, 1.0.0+b) = 0');
SELECT isnt('1.0.0+a'::semver::text, '1.0.0+b'::semver::text,
			'1.0.0+a and 1.0.0+b keep different texts');
SELECT is(semver_build('1.0.0+a'), 'a', 'the build metadata is kept');
SELECT is(semver_hash('1.0.0+a'), semver_hash('1.0.0+b'),
		  'semver_hash is equal for 1.0.0+a and 1.0.0+b');
SELECT is(semver_hash('1.0.0+a'), semver_hash('1.0.0'),
		  'semver_hash is equal for 1.0.0+a and 1.0.0');
SELECT is(semver_hash('1.0.0-rc.1+x.y'), semver_hash('1.0.0-rc.1'),
		  'semver_hash is equal for 1.0.0-rc.1+x.y and 1.0.0-rc.1');
SELECT isnt(semver_hash('1.0.0-rc.1'), semver_hash('1.0.0'),
			'semver_hash covers the prerelease');
SELECT isnt(semver_hash('1.0.1'), semver_hash('1.0.0'),
			'semver_hash covers the numbers');
SELECT is(semver_hash_extended('1.0.0+a', 42), semver_hash_extended('1.0.0+b', 42),
		  'semver_hash_extended is equal for 1.0.0+a and 1.0.0+b');
SELECT is(semver_hash_extended('1.0.0-rc.1+a', 0), semver_hash_extended('1.0.0-rc.1', 0),
		  'semver_hash_extended is equal for 1.0.0-rc.1+a and 1.0.0-rc.1');
SELECT isnt(semver_hash_extended('1.0.0', 0), semver_hash_extended('1.0.0', 1),
			'semver_hash_extended depends on the seed');
-- PostgreSQL's rule: with seed 0, the low 32 bits are the standard hash
SELECT is(semver_hash_extended(v::semver, 0) & 4294967295,
		  semver_hash(v::semver)::bigint & 4294967295,
		  pg_catalog.format('low 32 bits of semver_hash_extended(%s, 0) = semver_hash', v))
  FROM (VALUES ('1.0.0'), ('1.2.3-rc.1+b')) AS t(v);

-- hashed GROUP BY and a hash index see one value per precedence
CREATE TEMP TABLE builds (v semver) ON COMMIT DROP;
INSERT INTO builds VALUES ('1.0.0'), ('1.0.0+a'), ('1.0.0+b'), ('1.0.0-rc.1'), ('1.0.0-rc.1+x');
CREATE INDEX ON builds USING hash (v);
ANALYZE builds;
SET LOCAL enable_sort = off;
SELECT ok(
	EXISTS (SELECT 1 FROM pg_temp.plan_of('SELECT v, count(*) FROM builds GROUP BY v') p
			 WHERE p LIKE '%HashAggregate%'),
	'GROUP BY semver can hash');
SELECT set_eq(
	$$SELECT semver_prerelease(v), count(*) FROM builds GROUP BY v$$,
	$$VALUES (NULL::text, 3::bigint), ('rc.1', 2)$$,
	'a hashed GROUP BY puts versions that differ only in build metadata together');
RESET enable_sort;
SET LOCAL enable_seqscan = off;
SET LOCAL enable_bitmapscan = off;
SELECT ok(
	EXISTS (SELECT 1 FROM pg_temp.plan_of($q$SELECT v FROM builds WHERE v = '1.0.0+zzz'$q$) p
			 WHERE p LIKE '%Index Scan using builds_v_idx%'),
	'an equality lookup reads the hash index');
SELECT set_eq(
	$$SELECT v::text FROM builds WHERE v = '1.0.0+zzz'$$,
	ARRAY['1.0.0', '1.0.0+a', '1.0.0+b'],
	'the hash index finds every version equal to 1.0.0+zzz');
RESET enable_seqscan;
RESET enable_bitmapscan;

SELECT * FROM finish();
ROLLBACK;
