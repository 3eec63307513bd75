--
-- Scoring against an independent implementation: 100,000 generated rows,
-- with NULL, NaN and infinite features, unknown and NULL candidates,
-- defaulted features, every calibration method and safety rules that fire,
-- scored in C and by the formula of docs/reference.md ("How a version
-- evaluates") written in plain SQL.
--
CREATE DATABASE modelgov_oracle_regress;
\c modelgov_oracle_regress
SET client_min_messages = warning;
CREATE EXTENSION modelgov;
RESET client_min_messages;
SET search_path = public, modelgov;

-- Three versions, inserted directly by the superuser (the governance
-- process is tested elsewhere); configurations normalized as the process
-- does.  200 candidates have biases.
SELECT modelgov.init_model(jsonb_build_object(
	'version', '1.0.0',
	'weights', jsonb_build_array(0.30, 0.30, 0.20, 0.20),
	'biases', (SELECT jsonb_object_agg('c' || i, round((i % 21 - 10) / 100.0, 2)) FROM generate_series(1, 200) i)
			  || '{"default": 0.01}',
	'thresholds', jsonb_build_object('auto', 0.18, 'escalate', 0.48),
	'safety_rules', jsonb_build_array(
		jsonb_build_object('name', 'fraud', 'feature', 'f3', 'op', '>=', 'value', 0.9, 'decision', 'ESCALATE'),
		jsonb_build_object('name', 'low_f1', 'feature', 'f1', 'op', '<', 'value', 0.05, 'decision', 'ASK'))));
INSERT INTO modelgov.versions (version, config, created_at, released_at, status, model)
SELECT v, modelgov_internal.normalize_config(c), now(), now(), 'superseded', 'default'
  FROM (VALUES
	('1.1.0'::modelgov.semver, jsonb_build_object(
		'features', jsonb_build_array(jsonb_build_object('name', 'f1'), jsonb_build_object('name', 'f2'),
									  jsonb_build_object('name', 'f3'), jsonb_build_object('name', 'f4'),
									  jsonb_build_object('name', 'f5', 'default', 0.25)),
		'weights', jsonb_build_array(0.45, 0.38, 0.22, 0.15, -0.4),
		'biases', (SELECT jsonb_object_agg('c' || i, round((i % 13 - 6) / 50.0, 2)) FROM generate_series(1, 200) i),
		'thresholds', jsonb_build_object('auto', 0.2, 'escalate', 0.6),
		'calibration', jsonb_build_object('method', 'temperature', 'T', 1.7),
		'safety_rules', jsonb_build_array(
			jsonb_build_object('name', 'f4_high', 'feature', 'f4', 'op', '>', 'value', 0.95, 'decision', 'ESCALATE'),
			jsonb_build_object('name', 'f5_low', 'feature', 'f5', 'op', '<=', 'value', 0.0, 'decision', 'ASK')),
		'missing_feature_decision', 'ESCALATE')),
	('2.0.0'::modelgov.semver, jsonb_build_object(
		'weights', jsonb_build_array(1.5, -0.7, 2.2, 0.4),
		'biases', (SELECT jsonb_object_agg('c' || i, round((i % 7 - 3) / 10.0, 2)) FROM generate_series(1, 200) i)
				  || '{"default": -0.3}',
		'thresholds', jsonb_build_object('auto', 0.3, 'escalate', 0.3),
		'calibration', jsonb_build_object('method', 'platt', 'a', 2.5, 'b', -1.25),
		'safety_rules', jsonb_build_array(
			jsonb_build_object('name', 'f2_neg', 'feature', 'f2', 'op', '<', 'value', 0.1, 'decision', 'ASK'))))) AS t(v, c);

-- the rows: features in [0, 1.2) with about 2% NULL, 1% NaN, 0.5% infinite,
-- the fifth feature given for a third of them, candidates known, unknown
-- or NULL
CREATE TABLE rows AS
SELECT i AS id,
	   (ARRAY['1.0.0', '1.1.0', '2.0.0'])[1 + i % 3]::modelgov.semver AS version,
	   CASE WHEN i % 3 = 1 AND i % 9 = 4 THEN
			ARRAY[x1, x2, x3, x4, x5]
		ELSE ARRAY[x1, x2, x3, x4] END AS x,
	   CASE WHEN i % 17 = 0 THEN NULL WHEN i % 11 = 0 THEN 'unknown' || i ELSE 'c' || (i % 230) END AS candidate
  FROM (SELECT i,
			   CASE WHEN h1 < 0.02 THEN NULL WHEN h1 < 0.03 THEN 'NaN' WHEN h1 < 0.035 THEN 'Infinity' ELSE r1 END AS x1,
			   r2 AS x2,
			   CASE WHEN h2 < 0.01 THEN NULL WHEN h2 < 0.015 THEN '-Infinity' ELSE r3 END AS x3,
			   r4 AS x4,
			   CASE WHEN h3 < 0.3 THEN 0.0 ELSE r5 END AS x5
		  FROM (SELECT i,
					   (hashint4(i) & 65535) / 65536.0 AS h1,
					   (hashint4(i + 1000000) & 65535) / 65536.0 AS h2,
					   (hashint4(i + 2000000) & 65535) / 65536.0 AS h3,
					   1.2 * (hashint4(i + 3000000) & 1048575) / 1048576.0 AS r1,
					   1.2 * (hashint4(i + 4000000) & 1048575) / 1048576.0 AS r2,
					   1.2 * (hashint4(i + 5000000) & 1048575) / 1048576.0 AS r3,
					   1.2 * (hashint4(i + 6000000) & 1048575) / 1048576.0 AS r4,
					   (hashint4(i + 7000000) & 1048575) / 1048576.0 AS r5
				  FROM generate_series(1, 100000) AS i) h) f;

-- the documented formula in plain SQL, independent of the C code
CREATE TABLE cfg AS
SELECT v.version,
	   ARRAY(SELECT (w)::text::float8 FROM jsonb_array_elements(v.config -> 'weights') AS w) AS w,
	   ARRAY(SELECT (f ->> 'default')::float8 FROM jsonb_array_elements(v.config -> 'features') AS f) AS d,
	   v.config -> 'biases' AS biases,
	   (v.config #>> '{thresholds,auto}')::float8 AS t_auto,
	   (v.config #>> '{thresholds,escalate}')::float8 AS t_esc,
	   v.config #>> '{calibration,method}' AS method,
	   (v.config #>> '{calibration,T}')::float8 AS t,
	   (v.config #>> '{calibration,a}')::float8 AS a,
	   (v.config #>> '{calibration,b}')::float8 AS b,
	   v.config -> 'features' AS features,
	   v.config -> 'safety_rules' AS rules,
	   v.config ->> 'missing_feature_decision' AS missing
  FROM modelgov.versions v;

CREATE TABLE expected AS
SELECT r.id, r.version, pp.p, e.decision
  FROM rows r JOIN cfg c ON c.version = r.version,
  LATERAL (SELECT ARRAY(SELECT COALESCE(r.x[i], c.d[i]) FROM generate_subscripts(c.w, 1) AS i
						 WHERE i <= cardinality(r.x) OR c.d[i] IS NOT NULL) AS x
		  ) xs,
  LATERAL (SELECT bool_and(v IS NOT NULL AND v NOT IN ('NaN', 'Infinity', '-Infinity')) AS complete
			 FROM unnest(xs.x) AS v) k,
  LATERAL (SELECT sum(c.w[i] * xs.x[i]) + COALESCE((c.biases ->> r.candidate)::float8,
												   (c.biases ->> 'default')::float8, 0) AS z
			 FROM generate_subscripts(c.w, 1) AS i) zz,
  LATERAL (SELECT CASE WHEN NOT k.complete THEN NULL
					   WHEN c.method = 'none' THEN greatest(0, least(1, zz.z))
					   WHEN c.method = 'temperature' THEN
							1 / (1 + exp(-(ln(greatest(1e-9, least(1 - 1e-9, zz.z))
											  / (1 - greatest(1e-9, least(1 - 1e-9, zz.z)))) / c.t)))
					   ELSE 1 / (1 + exp(-(c.a * zz.z + c.b))) END AS p) pp,
  LATERAL (SELECT max(CASE rl ->> 'decision' WHEN 'ASK' THEN 1 ELSE 2 END) AS fired
			 FROM jsonb_array_elements(c.rules) AS rl,
				  LATERAL (SELECT xs.x[(SELECT o FROM jsonb_array_elements(c.features) WITH ORDINALITY AS f(e, o)
										 WHERE f.e ->> 'name' = rl ->> 'feature')] AS v) fv
			WHERE fv.v IS NOT NULL AND fv.v NOT IN ('NaN', 'Infinity', '-Infinity')
			  AND CASE rl ->> 'op' WHEN '<' THEN fv.v < (rl ->> 'value')::float8
								   WHEN '<=' THEN fv.v <= (rl ->> 'value')::float8
								   WHEN '>' THEN fv.v > (rl ->> 'value')::float8
								   ELSE fv.v >= (rl ->> 'value')::float8 END) ff,
  LATERAL (SELECT (ARRAY['AUTO', 'ASK', 'ESCALATE'])[1 + greatest(
				   CASE WHEN pp.p IS NULL THEN CASE c.missing WHEN 'ASK' THEN 1 ELSE 2 END
						WHEN pp.p < c.t_auto THEN 0 WHEN pp.p >= c.t_esc THEN 2 ELSE 1 END,
				   COALESCE(ff.fired, 0))] AS decision) e;

-- coverage: the data exercise what they should
SELECT r.version,
	   count(*) AS rows,
	   count(*) FILTER (WHERE e.p IS NULL) AS missing_features,
	   count(*) FILTER (WHERE r.candidate IS NULL OR r.candidate LIKE 'unknown%') AS default_bias,
	   count(*) FILTER (WHERE cardinality(r.x) = 5) AS five_features,
	   count(*) FILTER (WHERE e.decision = 'AUTO') > 0 AS any_auto,
	   count(*) FILTER (WHERE e.decision = 'ASK') > 0 AS any_ask,
	   count(*) FILTER (WHERE e.decision = 'ESCALATE') > 0 AS any_escalate
  FROM rows r JOIN expected e USING (id)
 GROUP BY r.version ORDER BY r.version;

-- the C implementation agrees on every row, in the 0.1.0 form and by the
-- model's name
SELECT count(*) AS compared,
	   count(*) FILTER (WHERE modelgov.decide(r.version, r.x, r.candidate)::text IS DISTINCT FROM e.decision) AS decision_mismatches,
	   count(*) FILTER (WHERE (modelgov.score(r.version, r.x, r.candidate) IS NULL) <> (e.p IS NULL)
						   OR abs(modelgov.score(r.version, r.x, r.candidate) - e.p) > 1e-12) AS score_mismatches,
	   count(*) FILTER (WHERE modelgov.decide('default', r.version, r.x, r.candidate)::text IS DISTINCT FROM e.decision
						   OR (modelgov.score('default', r.version, r.x, r.candidate) IS NULL) <> (e.p IS NULL)
						   OR abs(modelgov.score('default', r.version, r.x, r.candidate) - e.p) > 1e-12) AS named_mismatches
  FROM rows r JOIN expected e USING (id);

-- and the active-version forms, unnamed and named, agree with the
-- versioned one for 1.0.0
SELECT count(*) AS compared,
	   count(*) FILTER (WHERE modelgov.decide(r.x, r.candidate) IS DISTINCT FROM modelgov.decide(r.version, r.x, r.candidate)
						   OR modelgov.decide(r.x[1], r.x[2], r.x[3], r.x[4], r.candidate) IS DISTINCT FROM modelgov.decide(r.version, r.x, r.candidate)
						   OR modelgov.score(r.x[1], r.x[2], r.x[3], r.x[4], r.candidate) IS DISTINCT FROM modelgov.score(r.version, r.x, r.candidate)
						   OR (modelgov.explain(r.x, r.candidate) ->> 'decision') IS DISTINCT FROM e.decision) AS mismatches,
	   count(*) FILTER (WHERE modelgov.decide('default', r.x, r.candidate)::text IS DISTINCT FROM e.decision
						   OR modelgov.decide('default', r.x[1], r.x[2], r.x[3], r.x[4], r.candidate)::text IS DISTINCT FROM e.decision
						   OR modelgov.score('default', r.x, r.candidate) IS DISTINCT FROM modelgov.score(r.version, r.x, r.candidate)
						   OR modelgov.score('default', r.x[1], r.x[2], r.x[3], r.x[4], r.candidate) IS DISTINCT FROM modelgov.score(r.version, r.x, r.candidate)
						   OR (modelgov.explain('default', r.x, r.candidate) ->> 'decision') IS DISTINCT FROM e.decision) AS named_mismatches
  FROM rows r JOIN expected e USING (id)
 WHERE r.version = '1.0.0' AND cardinality(r.x) = 4;

-- decide() skips the calibration when z is clearly on one side of a
-- threshold; right at the thresholds it must still agree with the
-- decision taken from score().  Sweep z in steps of 1e-12 and of 1e-8
-- across each threshold of the temperature (1.1.0) and Platt (2.0.0)
-- versions, with features that fire no rule.
CREATE TABLE sweep AS
SELECT c.version, t.name, t.threshold, k, step,
	   CASE WHEN c.method = 'temperature'
			THEN 1 / (1 + exp(-(c.t * ln(t.threshold / (1 - t.threshold)))))	-- z where p = threshold
			ELSE (ln(t.threshold / (1 - t.threshold)) - c.b) / c.a END AS z
  FROM cfg c
 CROSS JOIN LATERAL (VALUES ('auto', c.t_auto), ('escalate', c.t_esc)) AS t(name, threshold)
 CROSS JOIN generate_series(-2000, 2000) AS k
 CROSS JOIN (VALUES (1e-12), (1e-8)) AS s(step)
 WHERE c.method <> 'none';
-- 1.1.0: z = 0.45 f1 - 0.4 * 0.25 (f5 default), no bias for candidate NULL
-- 2.0.0: z = 1.5 f1 - 0.7 * 0.5 - 0.3 (default bias); f2 = 0.5 keeps its rule quiet
SELECT version, name, count(*) AS points,
	   count(*) FILTER (WHERE d <> expected) AS mismatches,
	   count(DISTINCT expected) AS decisions_seen
  FROM (SELECT s.version, s.name,
			   modelgov.decide(s.version, x)::text AS d,
			   CASE WHEN p < c.t_auto THEN 'AUTO' WHEN p >= c.t_esc THEN 'ESCALATE' ELSE 'ASK' END AS expected
		  FROM sweep s JOIN cfg c USING (version),
			   LATERAL (SELECT CASE WHEN s.version = '1.1.0'
									THEN ARRAY[(s.z + k * step + 0.1) / 0.45, 0, 0, 0]
									ELSE ARRAY[(s.z + k * step + 0.65) / 1.5, 0.5, 0, 0] END::float8[] AS x) xx,
			   LATERAL (SELECT modelgov.score(s.version, xx.x) AS p) pp) r
 GROUP BY version, name ORDER BY version, name;

\c contrib_regression
DROP DATABASE modelgov_oracle_regress;
