--
-- fit_logistic against independent computations: the gradient and the log
-- loss written in plain SQL at the returned coefficients, a separate
-- Newton method in PL/pgSQL (aggregates in SQL, Gaussian elimination with
-- partial pivoting), the degenerate inputs, and a parallel plan against a
-- serial one.
--
CREATE DATABASE modelgov_logistic_regress;
\c modelgov_logistic_regress
SET client_min_messages = warning;
CREATE EXTENSION modelgov;
RESET client_min_messages;
SET search_path = public, modelgov;

-- 600 rows, 3 features, labels drawn from a known logistic model
SELECT setseed(0.13);
CREATE TABLE t (id int PRIMARY KEY, x float8[], y boolean);
INSERT INTO t
SELECT i, ARRAY[random(), random() * 2 - 1, random() * 4], NULL FROM generate_series(1, 600) i;
UPDATE t SET y = random() < 1 / (1 + exp(-(-0.5 + 1.5 * x[1] - 2.0 * x[2] + 0.4 * x[3])));
SELECT count(*) FILTER (WHERE y) AS positives, count(*) AS n FROM t;

-- b[1] is the intercept, b[2..] the weights; z = 1 || x
CREATE FUNCTION coef(r jsonb) RETURNS float8[] LANGUAGE sql AS $$
	SELECT ARRAY[(r->>'intercept')::float8]
		   || ARRAY(SELECT w::float8 FROM jsonb_array_elements_text(r->'weights') WITH ORDINALITY a(w, o) ORDER BY o)
$$;
CREATE FUNCTION eta(b float8[], x float8[]) RETURNS float8 LANGUAGE sql AS $$
	SELECT b[1] + coalesce((SELECT sum(b[j + 1] * x[j]) FROM generate_subscripts(x, 1) j), 0)
$$;
-- the gradient of sum(log loss) + (l2 / 2) * sum(w^2), divided by n, over t
CREATE FUNCTION grad_max(b float8[], l2 float8 DEFAULT 0) RETURNS float8 LANGUAGE sql AS $$
	WITH e AS (SELECT 1 || x AS z, y::int AS yy, 1 / (1 + exp(-eta(b, x))) AS p FROM t),
	g AS (SELECT j, sum((p - yy) * z[j]) + CASE WHEN j > 1 THEN l2 * b[j] ELSE 0 END AS gj
			FROM e, generate_series(1, array_length(b, 1)) j GROUP BY j)
	SELECT max(abs(gj)) / (SELECT count(*) FROM t) FROM g
$$;
-- the mean log loss in plain SQL
CREATE FUNCTION sql_log_loss(b float8[]) RETURNS float8 LANGUAGE sql AS $$
	SELECT avg(CASE WHEN y THEN -ln(1 / (1 + exp(-eta(b, x)))) ELSE -ln(1 - 1 / (1 + exp(-eta(b, x)))) END) FROM t
$$;

-- An independent Newton method: gradient and Hessian by SQL aggregates,
-- the step by Gaussian elimination with partial pivoting, full steps.
CREATE FUNCTION newton_ref(l2 float8 DEFAULT 0) RETURNS float8[] LANGUAGE plpgsql AS $$
DECLARE
	p int := (SELECT array_length(x, 1) + 1 FROM t LIMIT 1);
	b float8[] := array_fill(0::float8, ARRAY[p]);
	g float8[];
	a float8[];					-- the augmented matrix [H | g], p x (p + 1)
	d float8[];
	piv int;
	f float8;
	tmp float8;
BEGIN
	FOR it IN 1..50 LOOP
		SELECT array_agg(s ORDER BY j) INTO g
		  FROM (SELECT j, sum((1 / (1 + exp(-eta(b, x))) - y::int) * (1 || x)[j])
						  + CASE WHEN j > 1 THEN l2 * b[j] ELSE 0 END AS s
				  FROM t, generate_series(1, p) j GROUP BY j) q;
		a := array_fill(0::float8, ARRAY[p, p + 1]);
		FOR i IN 1..p LOOP
			FOR j IN 1..p LOOP
				SELECT sum(pr * (1 - pr) * (1 || x)[i] * (1 || x)[j]) INTO tmp
				  FROM (SELECT x, 1 / (1 + exp(-eta(b, x))) AS pr FROM t) q;
				a[i][j] := tmp + CASE WHEN i = j AND i > 1 THEN l2 ELSE 0 END;
			END LOOP;
			a[i][p + 1] := g[i];
		END LOOP;
		FOR c IN 1..p LOOP
			piv := c;
			FOR r IN c + 1..p LOOP
				IF abs(a[r][c]) > abs(a[piv][c]) THEN piv := r; END IF;
			END LOOP;
			FOR j IN 1..p + 1 LOOP
				tmp := a[c][j]; a[c][j] := a[piv][j]; a[piv][j] := tmp;
			END LOOP;
			FOR r IN c + 1..p LOOP
				f := a[r][c] / a[c][c];
				FOR j IN c..p + 1 LOOP
					a[r][j] := a[r][j] - f * a[c][j];
				END LOOP;
			END LOOP;
		END LOOP;
		d := array_fill(0::float8, ARRAY[p]);
		FOR r IN REVERSE p..1 LOOP
			tmp := a[r][p + 1];
			FOR j IN r + 1..p LOOP
				tmp := tmp - a[r][j] * d[j];
			END LOOP;
			d[r] := tmp / a[r][r];
		END LOOP;
		FOR j IN 1..p LOOP
			b[j] := b[j] - d[j];
		END LOOP;
		EXIT WHEN (SELECT max(abs(v)) FROM unnest(d) v) < 1e-13;
	END LOOP;
	RETURN b;
END
$$;

-- well-conditioned data: converged, gradient ~ 0, log_loss = its formula,
-- coefficients = the PL/pgSQL Newton's
CREATE TABLE r AS SELECT modelgov.fit_logistic(x, y) AS fit FROM t;
SELECT fit->'converged' AS converged, fit->'n' AS n, fit->'skipped' AS skipped,
	   fit ? 'reason' AS has_reason, jsonb_array_length(fit->'weights') AS weights,
	   (fit->>'iterations')::int BETWEEN 3 AND 10 AS few_iterations
  FROM r;
SELECT grad_max(coef(fit)) < 1e-8 AS gradient_vanishes FROM r;
SELECT abs((fit->>'log_loss')::float8 - sql_log_loss(coef(fit))) < 1e-12 AS log_loss_matches FROM r;
SELECT (SELECT max(abs(c - o)) FROM unnest(coef(fit), newton_ref()) u(c, o)) < 1e-6 AS matches_reference,
	   (SELECT array_agg(round(c::numeric, 3)) FROM unnest(coef(fit)) c) AS rounded_coefficients
  FROM r;

-- the l2 form: the penalized gradient vanishes (the intercept unpenalized),
-- the reference with the same penalty agrees, and the weights shrink
CREATE TABLE r2 AS SELECT modelgov.fit_logistic(x, y, 5.0) AS fit FROM t;
SELECT fit->'converged' AS converged, fit->'l2' AS l2 FROM r2;
SELECT grad_max(coef(fit), 5.0) < 1e-8 AS penalized_gradient_vanishes,
	   grad_max(coef(fit)) > 1e-3 AS unpenalized_gradient_does_not
  FROM r2;
SELECT (SELECT max(abs(c - o)) FROM unnest(coef(fit), newton_ref(5.0)) u(c, o)) < 1e-6 AS matches_reference FROM r2;
SELECT (SELECT sum(w * w) FROM unnest(coef(r2.fit)) WITH ORDINALITY u(w, o) WHERE o > 1)
	   < (SELECT sum(w * w) FROM unnest(coef(r.fit)) WITH ORDINALITY u(w, o) WHERE o > 1) AS weights_shrink
  FROM r, r2;
SELECT abs((fit->>'log_loss')::float8 - sql_log_loss(coef(fit))) < 1e-12 AS unpenalized_log_loss FROM r2;
-- l2 = 0 is the plain fit
SELECT (SELECT max(abs(a - b)) FROM unnest(coef(r.fit), coef(s.fit)) u(a, b)) < 1e-12 AS l2_zero_is_plain
  FROM r, (SELECT modelgov.fit_logistic(x, y, 0) AS fit FROM t) s;

-- separable data: converged false, reason separable, never a hang
SELECT fit->'converged' AS converged, fit->>'reason' AS reason, (fit->>'log_loss')::float8 < 0.1 AS small_loss
  FROM (SELECT modelgov.fit_logistic(x, x[1] + x[2] > 0.7) AS fit FROM t) s;
-- quasi-complete separation: separable except two tied rows with both labels
SELECT fit->'converged' AS converged, fit->>'reason' AS reason
  FROM (SELECT modelgov.fit_logistic(x, y) AS fit
		  FROM (SELECT x, x[1] > 0.5 AS y FROM t
				UNION ALL VALUES (ARRAY[0.5, 0, 1]::float8[], true), (ARRAY[0.5, 0, 1]::float8[], false)) q) s;
-- with l2 the separable data has a finite penalized optimum
SELECT fit->'converged' AS converged, grad_max_sep < 1e-8 AS gradient_vanishes
  FROM (SELECT modelgov.fit_logistic(x, x[1] + x[2] > 0.7, 0.5) AS fit FROM t) s,
	   LATERAL (SELECT max(abs(gj)) / 600 AS grad_max_sep
				  FROM (SELECT j, sum((1 / (1 + exp(-eta(coef(s.fit), x))) - (x[1] + x[2] > 0.7)::int) * (1 || x)[j])
								  + CASE WHEN j > 1 THEN 0.5 * (coef(s.fit))[j] ELSE 0 END AS gj
						  FROM t, generate_series(1, 4) j GROUP BY j) g) q;

-- a constant column and a collinear one: singular without l2, fitted with it
SELECT fit->'converged' AS converged, fit->>'reason' AS reason
  FROM (SELECT modelgov.fit_logistic(x || 2.0::float8, y) AS fit FROM t) s;
SELECT fit->'converged' AS converged, fit->>'reason' AS reason
  FROM (SELECT modelgov.fit_logistic(x || (2 * x[1] - x[2]), y) AS fit FROM t) s;
SELECT fit->'converged' AS converged, fit->>'reason' AS reason
  FROM (SELECT modelgov.fit_logistic(x || 0.0::float8, y) AS fit FROM t) s;
SELECT fit->'converged' AS converged, (fit->'weights'->>3)::float8 = 0 AS zero_column_weight_zero
  FROM (SELECT modelgov.fit_logistic(x || 0.0::float8, y, 1.0) AS fit FROM t) s;
SELECT fit->'converged' AS converged
  FROM (SELECT modelgov.fit_logistic(x || 2.0::float8, y, 1.0) AS fit FROM t) s;

-- the empty, one-row, all-positive, all-negative cases
SELECT modelgov.fit_logistic(x, y) FROM t WHERE false;
SELECT modelgov.fit_logistic(x, y) FROM t WHERE id = 1;
SELECT fit->'converged' AS converged, fit->>'reason' AS reason, fit->'n' AS n
  FROM (SELECT modelgov.fit_logistic(x, true) AS fit FROM t) s;
SELECT fit->'converged' AS converged, fit->>'reason' AS reason, fit->'n' AS n
  FROM (SELECT modelgov.fit_logistic(x, false, 1.0) AS fit FROM t) s;
-- no column: the intercept alone is the log-odds of the positive share
SELECT fit->'converged' AS converged,
	   abs((fit->>'intercept')::float8 - ln(pos / (n - pos))) < 1e-12 AS intercept_is_log_odds
  FROM (SELECT modelgov.fit_logistic('{}'::float8[], y) AS fit, count(*) FILTER (WHERE y)::float8 AS pos,
			   count(*)::float8 AS n FROM t) s;

-- NULL rows are skipped and counted; the fit is the one without them
SELECT f->'n' AS n, f->'skipped' AS skipped,
	   (SELECT max(abs(a - b)) FROM unnest(coef(f), coef(r.fit)) u(a, b)) < 1e-12 AS same_fit
  FROM (SELECT modelgov.fit_logistic(x, y) AS f
		  FROM (SELECT x, y FROM t
				UNION ALL VALUES (NULL::float8[], true), (ARRAY[1, 2, 3]::float8[], NULL),
								 (ARRAY[1, NULL, 3]::float8[], false)) q) s, r;

-- serial and parallel plans: 60,000 rows (and some NULLs), 4 features
SELECT setseed(0.77);
CREATE TABLE big (x float8[], y boolean) WITH (parallel_workers = 2);
INSERT INTO big
SELECT ARRAY[random(), random(), random() * 2 - 1, random()], NULL FROM generate_series(1, 60000);
UPDATE big SET y = random() < 1 / (1 + exp(-(0.2 + x[1] - 2 * x[2] + 0.5 * x[3] + 0.1 * x[4])));
INSERT INTO big SELECT NULL, true FROM generate_series(1, 7);
VACUUM ANALYZE big;
SET max_parallel_workers_per_gather = 0;
CREATE TABLE serial AS SELECT modelgov.fit_logistic(x, y) AS a, modelgov.fit_logistic(x, y, 2.5) AS b FROM big;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT modelgov.fit_logistic(x, y), modelgov.fit_logistic(x, y, 2.5) FROM big;
CREATE TABLE parallel AS SELECT modelgov.fit_logistic(x, y) AS a, modelgov.fit_logistic(x, y, 2.5) AS b FROM big;
RESET max_parallel_workers_per_gather;
SELECT s.a->'converged' AS converged, s.a->'n' AS n, s.a->'skipped' AS skipped,
	   p.a->'n' AS parallel_n, p.a->'skipped' AS parallel_skipped,
	   (SELECT max(abs(u - v)) FROM unnest(coef(s.a), coef(p.a)) q(u, v)) < 1e-9 AS same_plain,
	   (SELECT max(abs(u - v)) FROM unnest(coef(s.b), coef(p.b)) q(u, v)) < 1e-9 AS same_l2,
	   abs((s.a->>'log_loss')::float8 - (p.a->>'log_loss')::float8) < 1e-12 AS same_log_loss
  FROM serial s, parallel p;

-- A long fit stops at a cancel: statement_timeout ends it (the core calls
-- the backend's interrupt check every 65,536 rows of each pass).  100,000
-- rows of 60 columns, separated by the first, with a vanishing l2 take
-- tens of seconds of Newton steps; the statement is cancelled after 300 ms.
CREATE TEMP TABLE wide AS
SELECT x, x[1] > 0.5 AS l
  FROM (SELECT ARRAY(SELECT random() FROM generate_series(1, 60) WHERE g > 0) AS x
		  FROM generate_series(1, 100000) AS g) s;
SET statement_timeout = '300ms';
SELECT modelgov.fit_logistic(x, l, 1e-300) ->> 'converged' FROM wide;
RESET statement_timeout;
DROP TABLE wide;

\c contrib_regression
DROP DATABASE modelgov_logistic_regress;

