-- fit_logistic against the scan of the same columns.
--
--   psql -X -q -At -v rows=1000000 -f bench/fitting.sql
--
-- Builds :rows rows with 4 features and a label, VACUUM ANALYZE, then runs
-- the baseline (a scan reading x and the label) and fit_logistic three
-- times each, alternating, and prints the medians and their ratio.  JIT
-- off, no parallel workers (the Newton iterations run in one process
-- whatever the plan).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS modelgov;
SET jit = off;
SET max_parallel_workers_per_gather = 0;

DROP TABLE IF EXISTS fit_bench;
SELECT setseed(0.2024) AS seed \gset
CREATE TABLE fit_bench AS
SELECT x, random() < 1 / (1 + exp(-(-0.3 + 1.2 * x[1] - 0.8 * x[2] + 0.5 * x[3] - 0.2 * x[4]))) AS label
  FROM (SELECT ARRAY[random(), random(), random() * 2 - 1, random() * 3]::float8[] AS x
		  FROM generate_series(1, :rows)) s;
VACUUM ANALYZE fit_bench;

CREATE FUNCTION pg_temp.ms(q text) RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
	t0 timestamptz;
	r text;
BEGIN
	t0 := clock_timestamp();
	EXECUTE q INTO r;
	RETURN extract(epoch FROM clock_timestamp() - t0) * 1000;
END
$$;

\set B 'SELECT count(x) FILTER (WHERE label) FROM fit_bench'
\set F 'SELECT modelgov.fit_logistic(x, label) FROM fit_bench'

-- warm the cache, and show the fit (a benchmark of a wrong answer is worth nothing)
SELECT pg_temp.ms(:'B') IS NOT NULL AS warm \gset
SELECT 'fit: converged ' || (f->>'converged') || ' in ' || (f->>'iterations') || ' iterations, n ' || (f->>'n') ||
	   ', weights ' || (f->'weights')::text || ', intercept ' || (f->>'intercept')
  FROM (SELECT modelgov.fit_logistic(x, label) AS f FROM fit_bench) s;

CREATE TEMP TABLE fit_times (q text, ms float8);
INSERT INTO fit_times VALUES ('B', pg_temp.ms(:'B'));
INSERT INTO fit_times VALUES ('F', pg_temp.ms(:'F'));
INSERT INTO fit_times VALUES ('B', pg_temp.ms(:'B'));
INSERT INTO fit_times VALUES ('F', pg_temp.ms(:'F'));
INSERT INTO fit_times VALUES ('B', pg_temp.ms(:'B'));
INSERT INTO fit_times VALUES ('F', pg_temp.ms(:'F'));

SELECT 'scan ' || round(b::numeric, 1) || ' ms, fit_logistic ' || round(f::numeric, 1) || ' ms (medians of 3, ' || :rows || ' rows)'
  FROM (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE q = 'B') AS b,
			   percentile_disc(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE q = 'F') AS f FROM fit_times) m;
SELECT 'fit_logistic (4 features) / scan: ' || to_char(f / b, 'FM990.00') || 'x (target <= 10x)'
  FROM (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE q = 'B') AS b,
			   percentile_disc(0.5) WITHIN GROUP (ORDER BY ms) FILTER (WHERE q = 'F') AS f FROM fit_times) m;
DROP TABLE fit_bench;
