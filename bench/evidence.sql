--
-- bench/evidence.sql
--		The evidence aggregates against a scan of the same columns.
--
--	psql -X -q -At -v rows=1000000 -f bench/evidence.sql
--
-- in a database with the extension.  Builds a table of :rows labelled rows
-- (p float8, label boolean, old/new/correct decisions), then times each
-- query three times (clock_timestamp() around EXECUTE, after one warm-up
-- run) and prints the medians and the ratios to the scans.  Serial plans
-- (max_parallel_workers_per_gather = 0): the ratio is the per-row cost.
-- Everything it makes is temporary.
--
\set ON_ERROR_STOP on
SET max_parallel_workers_per_gather = 0;
SET client_min_messages = warning;

SELECT setseed(0.2024) \g /dev/null
CREATE TEMP TABLE bench_evidence AS
SELECT r AS p, random() < r AS label,
	   CASE WHEN r < 0.15 THEN 'AUTO' WHEN r < 0.50 THEN 'ASK' ELSE 'ESCALATE' END::modelgov.decision AS old,
	   CASE WHEN r < 0.18 THEN 'AUTO' WHEN r < 0.48 THEN 'ASK' ELSE 'ESCALATE' END::modelgov.decision AS new,
	   CASE WHEN r + (random() - 0.5) * 0.4 < 0.2 THEN 'AUTO'
			WHEN r + (random() - 0.5) * 0.4 < 0.5 THEN 'ASK' ELSE 'ESCALATE' END::modelgov.decision AS correct
  FROM (SELECT random() AS r FROM generate_series(1, :rows)) s;
VACUUM ANALYZE bench_evidence;

-- the median of three timed runs of query, in milliseconds, after a warm-up
CREATE FUNCTION pg_temp.median_ms(query text) RETURNS float8
	LANGUAGE plpgsql AS $$
DECLARE
	t0 timestamptz;
	runs float8[] := '{}';
BEGIN
	EXECUTE query;
	FOR i IN 1 .. 3 LOOP
		t0 := clock_timestamp();
		EXECUTE query;
		runs := runs || (extract(epoch FROM clock_timestamp() - t0) * 1000)::float8;
	END LOOP;
	RETURN (SELECT r FROM unnest(runs) r ORDER BY r OFFSET 1 LIMIT 1);
END
$$;

CREATE TEMP TABLE bench_times AS
SELECT name, pg_temp.median_ms(query) AS ms
  FROM (VALUES
	(1, 'scan p, label', 'SELECT count(p), count(label) FROM bench_evidence'),
	(2, 'evaluation', 'SELECT modelgov.evaluation(p, label) FROM bench_evidence'),
	(3, 'scan p, correct', 'SELECT count(p), count(correct) FROM bench_evidence'),
	(4, 'optimize_thresholds', 'SELECT modelgov.optimize_thresholds(p, correct) FROM bench_evidence'),
	(5, 'scan old, new, correct', 'SELECT count(old), count(new), count(correct) FROM bench_evidence'),
	(6, 'impact', 'SELECT modelgov.impact(old, new, correct) FROM bench_evidence')) q(ord, name, query)
 ORDER BY ord;

SELECT format('%s rows', :rows);
SELECT format('%-24s %9s ms', name, to_char(ms, 'FM999990.0')) FROM bench_times;
SELECT format('%s / scan: %sx (target <= %sx)', a.name, to_char(a.ms / b.ms, 'FM990.00'), target)
  FROM (VALUES ('evaluation', 'scan p, label', 4), ('optimize_thresholds', 'scan p, correct', 4),
			   ('impact', 'scan old, new, correct', 2)) t(agg, scan, target)
  JOIN bench_times a ON a.name = t.agg JOIN bench_times b ON b.name = t.scan;
