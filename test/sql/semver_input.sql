--
-- semver text input and output: what is accepted, what is refused and why
--
CREATE EXTENSION modelgov;
SET search_path = public, modelgov;

-- Report the SQLSTATE and detail of a failed conversion instead of failing.
CREATE FUNCTION pg_temp.try_semver(input text, OUT state text, OUT message text, OUT detail text)
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM input::modelgov.semver;
	state := '00000';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE,
							message = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL;
END
$$;

-- Valid versions: each comes back unchanged (the text form is canonical),
-- and is_semver agrees.
CREATE TEMP TABLE valid (n serial, input text);
INSERT INTO valid (input) VALUES
	('0.0.0'), ('0.0.1'), ('0.1.0'), ('1.0.0'), ('1.2.3'), ('10.20.30'),
	('1.1.2-prerelease+meta'), ('1.1.2+meta'), ('1.1.2+meta-valid'),
	('1.0.0-alpha'), ('1.0.0-beta'), ('1.0.0-alpha.beta'), ('1.0.0-alpha.beta.1'),
	('1.0.0-alpha.1'), ('1.0.0-alpha0.valid'), ('1.0.0-alpha.0valid'),
	('1.0.0-alpha-a.b-c-somethinglong+build.1-aef.1-its-okay'),
	('1.0.0-rc.1+build.1'), ('2.0.0-rc.1+build.123'), ('1.2.3-beta'),
	('10.2.3-DEV-SNAPSHOT'), ('1.2.3-SNAPSHOT-123'), ('2.0.0+build.1848'),
	('2.0.1-alpha.1227'), ('1.0.0-alpha+beta'), ('1.2.3----RC-SNAPSHOT.12.9.1--.12+788'),
	('1.2.3----R-S.12.9.1--.12+meta'), ('1.2.3----RC-SNAPSHOT.12.9.1--.12'),
	('1.0.0+0.build.1-rc.10000aaa-kk-0.1'), ('1.0.0-0A.is.legal'),
	('9223372036854775807.9223372036854775807.9223372036854775807'),
	('9223372036854775807.0.0'), ('0.9223372036854775807.0'), ('0.0.9223372036854775807'),
	('1.0.0-0'), ('1.0.0-0.0.0'), ('1.0.0-1a'), ('1.0.0-01a'), ('1.0.0-0a.00b'),
	('1.0.0--'), ('1.0.0--1'), ('1.0.0-a-'), ('1.0.0+-'), ('1.0.0+007'),
	('1.0.0+00.01.002'), ('1.0.0-99999999999999999999999999999999'),
	('1.0.0-x.7.z.92'), ('1.0.0-x-y-z.--'), ('1.0.0+21AF26D3----117B344092BD'),
	('1.0.0-beta+exp.sha.5114f85'), ('1.0.0-rc.1+20130313144700'),
	('0.0.0-A.Z.a.z.0.9'), ('0.0.0+A.Z.a.z.0.9'), ('123.456.789'),
	('1.0.0-ALPHA'), ('1.0.0-Alpha.1'), ('3.0.0-rc.1.2.3.4.5.6.7.8.9.10'),
	('1.0.0-9.8.7-6'), ('4.5.6-a.b.c+d.e.f'), ('1.2.3-z'),
	-- 256 bytes exactly
	('1.0.0-' || repeat('a', 250)),
	('1.0.0+' || repeat('0', 250));

SELECT n, input::semver AS canonical,
	   input::semver::text = input AS round_trip,
	   is_semver(input)
  FROM valid
 WHERE length(input) < 80
 ORDER BY n;

SELECT n, length(input), input::semver::text = input AS round_trip, is_semver(input)
  FROM valid
 WHERE length(input) >= 80
 ORDER BY n;

SELECT count(*) AS valid_inputs,
	   count(*) FILTER (WHERE (pg_temp.try_semver(input)).state = '00000') AS accepted
  FROM valid;

-- Invalid versions: each refused with its SQLSTATE and a detail that says
-- what is wrong and where; is_semver says false and never raises.
CREATE TEMP TABLE invalid (n serial, input text);
INSERT INTO invalid (input) VALUES
	(''), ('1'), ('1.2'), ('1.2.3.4'), ('1.2.'), ('1..3'), ('.1.2'), ('1.2.3.'),
	('01.2.3'), ('1.02.3'), ('1.2.03'), ('00.0.0'), ('1.2.00'),
	('v1.2.3'), ('V1.2.3'), ('=1.2.3'), (' 1.2.3'), ('1.2.3 '), ('1 .2.3'), ('1. 2.3'),
	(E'1.2.3\n'), (E'\t1.2.3'), ('+1.2.3'), ('-1.2.3'), ('1.-2.3'), ('1. -2.3'), ('1.2.+3'),
	('1.2.3-'), ('1.2.3+'), ('1.2.3-+'), ('1.2.3-+123'), ('1.2.3-.'), ('1.2.3-a.'),
	('1.2.3-.a'), ('1.2.3-a..b'), ('1.2.3+a..b'), ('1.2.3+.a'), ('1.2.3+a.'),
	('1.2.3-01'), ('1.2.3-a.01'), ('1.2.3-00'), ('1.0.0-alpha.01'), ('1.2.3-0.00'),
	('1.2.3-a_b'), ('1.2.3+a_b'), ('1.2.3-a b'), ('1.2.3-é'), ('1.2.3+ü'), ('1.2.3-a$'),
	('1.2.3-a+b+c'), ('1.2.3+a+b'), ('1.2.3+a-b+c'), ('1.2.3#1'), ('1.2.3.DEV'),
	('1.2-SNAPSHOT'), ('1.2.31.2.3----RC-SNAPSHOT.12.09.1--..12+788'),
	('alpha'), ('alpha.beta'), ('1.0.0-alpha_beta'), ('-alpha.'), ('1.2.3.beta'),
	('9.8.7-whatever+meta+meta'), ('99999999999999999999999.999999999999999999.99999999999999999----RC-SNAPSHOT.12.09.1--------------------------------..12'),
	('1.2.3-0123'), ('1.2.3-0123.0123'), ('1.1.2+.123'), ('+invalid'), ('-invalid'),
	('-invalid+invalid'), ('-invalid.01'), ('1.2.3-rc..'), ('1.1e2.3'), ('0x1.2.3'),
	('１.2.3'),
	-- limits: numbers above bigint, and text above 256 bytes
	('9223372036854775808.0.0'), ('0.9223372036854775808.0'), ('0.0.9223372036854775808'),
	('99999999999999999999.0.0'), ('1.0.0-' || repeat('a', 251)), ('1.0.0+' || repeat('0', 251));

SELECT n, left(input, 40) AS input, r.state, r.detail, is_semver(input)
  FROM invalid, LATERAL pg_temp.try_semver(input) AS r
 ORDER BY n;

SELECT count(*) AS invalid_inputs,
	   count(*) FILTER (WHERE (pg_temp.try_semver(input)).state IN ('22P02', '22003')) AS refused,
	   count(*) FILTER (WHERE is_semver(input)) AS is_semver_true
  FROM invalid;

-- is_semver never raises, whatever it is given
SELECT is_semver(NULL), is_semver(''), is_semver(repeat('1.', 100000)),
	   is_semver(E'1.2.3\\x00'), is_semver(chr(1));

-- the error as a client sees it
SELECT '1.2.3-01'::semver;
SELECT '1.2.3 '::semver;
SELECT '9223372036854775808.0.0'::semver;

-- casts to and from text
SELECT '1.2.3'::text::semver, ('2.0.0-rc.1'::semver)::text;
CREATE TEMP TABLE cast_target (v semver);
INSERT INTO cast_target VALUES ('1.2.3'::text);	-- assignment cast
SELECT * FROM cast_target;
