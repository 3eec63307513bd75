-- The benchmark table and model "default": 4 features, biases for 200
-- candidates, two safety rules, temperature calibration.  queries.sql
-- creates a second model once the forms without a model name are measured.
SET client_min_messages = warning;
CREATE EXTENSION modelgov;
SELECT modelgov.create_model('default', jsonb_build_object(
	'weights', jsonb_build_array(0.45, 0.38, 0.22, 0.15),
	'biases', (SELECT jsonb_object_agg('c' || i, round((i % 21 - 10) / 100.0, 2)) FROM generate_series(0, 199) i)
			  || '{"default": 0.0}',
	'thresholds', jsonb_build_object('auto', 0.35, 'escalate', 0.75),
	'calibration', jsonb_build_object('method', 'temperature', 'T', 1.5),
	'safety_rules', jsonb_build_array(
		jsonb_build_object('name', 'fraud', 'feature', 'f3', 'op', '>=', 'value', 0.95, 'decision', 'ESCALATE'),
		jsonb_build_object('name', 'low_f1', 'feature', 'f1', 'op', '<', 'value', 0.02, 'decision', 'ASK'))),
	'the benchmark model') \gset

CREATE TABLE t AS
SELECT random() AS f1, random() AS f2, random() AS f3, random() AS f4, 'c' || (g % 200) AS candidate
  FROM generate_series(1, :rows) AS g;
VACUUM ANALYZE t;

-- an audit log of 50,000 entries, for verify_audit_log() against a plain
-- SQL pass of sha256() over the same rows
DO $$
BEGIN
	FOR i IN 1..50000 LOOP
		PERFORM modelgov_internal.audit('bench', details => jsonb_build_object('i', i, 'note', 'a benchmark entry'));
	END LOOP;
END
$$;
VACUUM ANALYZE modelgov.audit_log;

-- the decisions of every row, for the decision_counts aggregate against
-- count(*) FILTER
CREATE TABLE dec AS SELECT modelgov.decide(f1, f2, f3, f4, candidate) AS d FROM t;
VACUUM ANALYZE dec;

-- the hand-written SQL baseline: the same decision with literals and a
-- join to a bias table
CREATE TABLE biases AS
SELECT key AS candidate, value::text::float8 AS bias
  FROM jsonb_each((SELECT config -> 'biases' FROM modelgov.versions WHERE model = 'default')) WHERE key <> 'default';
CREATE UNIQUE INDEX ON biases (candidate);
ANALYZE biases;

-- the PL/pgSQL baseline: reads the active version from the tables per call
CREATE FUNCTION plpgsql_decide(x1 float8, x2 float8, x3 float8, x4 float8, cand text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
	cfg jsonb;
	z float8;
	p float8;
	q float8;
	d int;
BEGIN
	SELECT v.config INTO cfg FROM modelgov.environments e
	  JOIN modelgov.versions v ON v.model = e.model AND v.version OPERATOR(modelgov.=) e.version
	 WHERE e.model = 'default' AND e.env = 'production';
	z := (cfg -> 'weights' ->> 0)::float8 * x1 + (cfg -> 'weights' ->> 1)::float8 * x2
		 + (cfg -> 'weights' ->> 2)::float8 * x3 + (cfg -> 'weights' ->> 3)::float8 * x4
		 + COALESCE((cfg -> 'biases' ->> cand)::float8, (cfg -> 'biases' ->> 'default')::float8, 0);
	q := greatest(1e-9, least(1 - 1e-9, z));
	p := 1 / (1 + exp(-(ln(q / (1 - q)) / (cfg #>> '{calibration,T}')::float8)));
	d := CASE WHEN p < (cfg #>> '{thresholds,auto}')::float8 THEN 0
			  WHEN p >= (cfg #>> '{thresholds,escalate}')::float8 THEN 2 ELSE 1 END;
	IF x3 >= 0.95 THEN d := 2; END IF;
	IF x1 < 0.02 THEN d := greatest(d, 1); END IF;
	RETURN (ARRAY['AUTO', 'ASK', 'ESCALATE'])[d + 1];
END
$$;

-- median time in milliseconds of runs executions of a query, in the server
CREATE FUNCTION bench(q text, runs int) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
	t0 timestamptz;
	times float8[] := '{}';
BEGIN
	EXECUTE q;		-- warm-up
	FOR i IN 1 .. runs LOOP
		t0 := clock_timestamp();
		EXECUTE q;
		times := times || extract(epoch FROM clock_timestamp() - t0) * 1000;
	END LOOP;
	RETURN (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(times) AS x);
END
$$;
