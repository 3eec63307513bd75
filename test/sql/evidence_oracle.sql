--
-- The evidence aggregates against independent implementations in plain
-- SQL: evaluation (auc as the Mann-Whitney U counted pair by pair, brier
-- and log_loss by their formulas, Youden by a brute-force search over every
-- distinct p), optimize_thresholds (brute force, with the resolution of
-- crossed optima), impact (count(*) FILTER).  Fixed small sets (printed in
-- full), random sets (setseed), the empty, one-row, all-positive,
-- all-negative and all-ties cases, NULL rows, window and shared-state
-- calls of the final functions, and a forced parallel plan against a
-- serial one.
--
-- Tie-breaks, as documented: among equal J (compared exactly as
-- TP * negatives - FP * positives) the smallest threshold wins; crossed
-- optima (auto > escalate) both become the t maximizing the float8 sum
-- J_auto(t) + J_escalate(t), ties to the smallest t.
--
CREATE DATABASE modelgov_evidence_regress;
\c modelgov_evidence_regress
SET client_min_messages = warning;
CREATE EXTENSION modelgov;
RESET client_min_messages;
SET search_path = public, modelgov;
SET extra_float_digits = 0;		-- the jsonb text does not depend on it

--
-- evaluation
--
CREATE TABLE ev (set_id int, p float8, label boolean);

-- fixed sets
INSERT INTO ev VALUES
	-- 1: perfect separation
	(1, 0.1, false), (1, 0.35, false), (1, 0.4, true), (1, 0.8, true),
	-- 2: inverted
	(2, 0.1, true), (2, 0.35, true), (2, 0.4, false), (2, 0.8, false),
	-- 3: all ties: one p for every row
	(3, 0.5, true), (3, 0.5, false), (3, 0.5, false), (3, 0.5, true), (3, 0.5, true),
	-- 4: only rows with a NULL: n = 0
	(4, NULL, true), (4, 0.3, NULL), (4, NULL, NULL),
	-- 5: one row
	(5, 0.7, true),
	-- 6: all positive
	(6, 0.2, true), (6, 0.9, true), (6, 0.9, true),
	-- 7: all negative, with the clamp of log_loss at 0 and 1
	(7, 0, false), (7, 1, false), (7, 0.25, false),
	-- 8: a textbook U: positives 0.9 0.8 0.6, negatives 0.7 0.5 0.6: U = 3 + 3 + 1.5 = 7.5 of 9
	(8, 0.9, true), (8, 0.8, true), (8, 0.6, true), (8, 0.7, false), (8, 0.5, false), (8, 0.6, false),
	-- 9: equal J at t = 0.2 and t = 0.6 (J = 2/3 both): the smallest t, 0.2, wins; NULLs skipped
	(9, 0.1, false), (9, 0.1, false), (9, 0.2, true), (9, 0.4, false), (9, 0.6, true), (9, 0.9, true),
	(9, NULL, false), (9, 0.5, NULL),
	-- 10: p = 0 and p = 1 with both labels: the clamp matters for log_loss
	(10, 0, true), (10, 1, false), (10, 0, false), (10, 1, true);

-- random sets, reproducible
SELECT setseed(0.13);
-- 20: 2,000 continuous risks, labels drawn with probability p
INSERT INTO ev SELECT 20, r, random() < r FROM (SELECT random() AS r FROM generate_series(1, 2000)) s;
-- 21: 3,000 risks on a grid of 0.01 (many ties)
INSERT INTO ev SELECT 21, round(r::numeric, 2)::float8, random() < r
  FROM (SELECT random() AS r FROM generate_series(1, 3000)) s;
-- 22: 600 risks in {0, 0.5, 1}
INSERT INTO ev SELECT 22, (floor(random() * 3) / 2)::float8, random() < 0.4 FROM generate_series(1, 600);
-- 23: 1,500 risks with 5% NULL p and 5% NULL labels
INSERT INTO ev SELECT 23, CASE WHEN random() < 0.05 THEN NULL ELSE r END,
					  CASE WHEN random() < 0.05 THEN NULL ELSE random() < r * r END
  FROM (SELECT random() AS r FROM generate_series(1, 1500)) s;
-- 24: 1,000 tiny and near-one risks (the clamp of log_loss)
INSERT INTO ev SELECT 24, CASE WHEN random() < 0.5 THEN random() * 1e-100 ELSE 1 - random() * 1e-17 END,
					  random() < 0.5
  FROM generate_series(1, 1000);

-- The oracle, per set.
CREATE VIEW ev_oracle AS
WITH d AS (SELECT set_id, p, label FROM ev WHERE p IS NOT NULL AND label IS NOT NULL),
sets AS (SELECT DISTINCT set_id FROM ev),
tot AS (
	SELECT s.set_id, count(d.p) AS n,
		   count(d.p) FILTER (WHERE d.label) AS pos,
		   count(d.p) FILTER (WHERE NOT d.label) AS neg,
		   avg((d.p - d.label::int) * (d.p - d.label::int)) AS brier,
		   avg(-CASE WHEN d.label THEN ln(least(greatest(d.p, 1e-15), 1 - 1e-15))
					 ELSE ln(1 - least(greatest(d.p, 1e-15), 1 - 1e-15)) END) AS log_loss
	  FROM sets s LEFT JOIN d ON d.set_id = s.set_id
	 GROUP BY s.set_id),
skipped AS (SELECT set_id, count(*) FILTER (WHERE p IS NULL OR label IS NULL) AS skipped FROM ev GROUP BY set_id),
-- U pair by pair: a positive above a negative counts 1, a tie 1/2
u AS (
	SELECT a.set_id, sum(CASE WHEN a.p > b.p THEN 1.0 WHEN a.p = b.p THEN 0.5 ELSE 0 END) AS u
	  FROM d a JOIN d b ON b.set_id = a.set_id AND a.label AND NOT b.label
	 GROUP BY a.set_id),
-- every distinct p as a threshold of "p >= t"
cand AS (
	SELECT t.set_id, t.t,
		   count(*) FILTER (WHERE d.label AND d.p >= t.t) AS tp,
		   count(*) FILTER (WHERE NOT d.label AND d.p >= t.t) AS fp
	  FROM (SELECT DISTINCT set_id, p AS t FROM d) t JOIN d ON d.set_id = t.set_id
	 GROUP BY t.set_id, t.t),
best AS (
	SELECT DISTINCT ON (c.set_id) c.set_id, c.t, c.tp, c.fp
	  FROM cand c JOIN tot USING (set_id)
	 ORDER BY c.set_id, c.tp * tot.neg - c.fp * tot.pos DESC, c.t)
SELECT tot.set_id, tot.n, tot.pos, tot.neg, tot.brier, tot.log_loss, sk.skipped,
	   CASE WHEN tot.pos > 0 AND tot.neg > 0 THEN u.u END AS u,
	   CASE WHEN tot.pos > 0 AND tot.neg > 0 THEN best.t END AS youden_threshold,
	   CASE WHEN tot.pos > 0 AND tot.neg > 0
			THEN best.tp::float8 / tot.pos::float8 - best.fp::float8 / tot.neg::float8 END AS youden_j
  FROM tot JOIN skipped sk USING (set_id) LEFT JOIN u USING (set_id) LEFT JOIN best USING (set_id);

CREATE TABLE ev_result AS SELECT set_id, modelgov.evaluation(p, label) AS r FROM ev GROUP BY set_id;

-- the fixed sets in full
SELECT set_id, r FROM ev_result WHERE set_id < 20 ORDER BY set_id;

-- every set against the oracle: every column true
SELECT o.set_id, o.n,
	   (r ->> 'n')::bigint = o.n AND (r ->> 'positives')::bigint = o.pos AND (r ->> 'skipped')::bigint = o.skipped AS counts,
	   -- auc is U / (pos * neg), U computed pair by pair
	   CASE WHEN o.u IS NULL THEN r -> 'auc' = 'null' AND r ? 'note'
			ELSE abs((r ->> 'auc')::float8 - (o.u / (o.pos * o.neg))::float8) < 1e-15 END AS auc,
	   CASE WHEN o.n = 0 THEN r -> 'brier' = 'null'
			ELSE abs((r ->> 'brier')::float8 - o.brier) < 1e-12 END AS brier,
	   CASE WHEN o.n = 0 THEN r -> 'log_loss' = 'null'
			ELSE abs((r ->> 'log_loss')::float8 - o.log_loss) < 1e-12 END AS log_loss,
	   (r ->> 'youden_threshold')::float8 IS NOT DISTINCT FROM o.youden_threshold AS threshold,
	   (r ->> 'youden_j')::float8 IS NOT DISTINCT FROM o.youden_j AS youden_j
  FROM ev_oracle o JOIN ev_result USING (set_id)
 ORDER BY o.set_id;

-- the random sets are not degenerate: a real spread of auc and thresholds
SELECT set_id, round((r ->> 'auc')::numeric, 4) AS auc, round((r ->> 'youden_threshold')::numeric, 4) AS t,
	   round((r ->> 'youden_j')::numeric, 4) AS j, r ->> 'skipped' AS skipped
  FROM ev_result WHERE set_id >= 20 ORDER BY set_id;

-- no rows at all: the same object as n = 0
SELECT modelgov.evaluation(p, label) FROM ev WHERE false;

-- the final function runs more than once on one state: a running window
-- (transitions continue after each final call) equals the aggregate of
-- each prefix, and two identical calls (one shared state) agree
CREATE TABLE ev_seq AS SELECT row_number() OVER () AS id, p, label FROM ev WHERE set_id = 8;
INSERT INTO ev_seq SELECT 6 + row_number() OVER (), p, label FROM ev WHERE set_id = 9;
SELECT count(*) AS prefixes,
	   count(*) FILTER (WHERE w = (SELECT modelgov.evaluation(b.p, b.label) FROM ev_seq b WHERE b.id <= a.id)) AS equal
  FROM (SELECT id, modelgov.evaluation(p, label) OVER (ORDER BY id) AS w FROM ev_seq) a;
SELECT modelgov.evaluation(p, label) = modelgov.evaluation(p, label) AS shared,
	   modelgov.evaluation(p, label) ->> 'auc' AS auc
  FROM ev WHERE set_id = 8;

--
-- optimize_thresholds
--
CREATE TABLE opt (set_id int, p float8, correct modelgov.decision);
INSERT INTO opt VALUES
	-- 1: clean bands: AUTO below 0.3, ASK in [0.3, 0.6), ESCALATE from 0.6
	(1, 0.1, 'AUTO'), (1, 0.2, 'AUTO'), (1, 0.3, 'ASK'), (1, 0.5, 'ASK'), (1, 0.6, 'ESCALATE'), (1, 0.9, 'ESCALATE'),
	-- 2: crossed: ESCALATE cases low, ASK cases high, so escalate's optimum (0.2) is below auto's (0.7)
	(2, 0.1, 'AUTO'), (2, 0.2, 'ESCALATE'), (2, 0.3, 'ESCALATE'), (2, 0.4, 'AUTO'), (2, 0.5, 'AUTO'),
	(2, 0.6, 'AUTO'), (2, 0.7, 'ASK'), (2, 0.8, 'ASK'), (2, 0.9, 'ASK'), (2, 0.95, 'ASK'),
	-- 3: every correct decision AUTO: both undefined
	(3, 0.1, 'AUTO'), (3, 0.5, 'AUTO'),
	-- 4: no ESCALATE: escalate undefined, auto defined
	(4, 0.1, 'AUTO'), (4, 0.4, 'ASK'), (4, 0.2, 'AUTO'), (4, 0.7, 'ASK'),
	-- 5: only NULL rows
	(5, NULL, 'AUTO'), (5, 0.5, NULL),
	-- 6: all ties
	(6, 0.4, 'AUTO'), (6, 0.4, 'ASK'), (6, 0.4, 'ESCALATE'), (6, 0.4, 'AUTO'),
	-- 7: one row
	(7, 0.4, 'ESCALATE');

SELECT setseed(0.31);
-- 20: 3,000 risks, correct decision drawn around the risk
INSERT INTO opt SELECT 20, r, CASE WHEN r + (random() - 0.5) * 0.6 < 0.25 THEN 'AUTO'
								   WHEN r + (random() - 0.5) * 0.6 < 0.6 THEN 'ASK' ELSE 'ESCALATE' END::modelgov.decision
  FROM (SELECT random() AS r FROM generate_series(1, 3000)) s;
-- 21: 2,000 risks on a grid of 0.05, with NULLs
INSERT INTO opt SELECT 21, CASE WHEN random() < 0.03 THEN NULL ELSE round(r::numeric * 20) / 20 END,
					   CASE WHEN random() < 0.03 THEN NULL
							WHEN random() < 1 - r THEN 'AUTO' WHEN random() < 0.5 THEN 'ASK' ELSE 'ESCALATE' END::modelgov.decision
  FROM (SELECT random() AS r FROM generate_series(1, 2000)) s;
-- 22: 1,000 rows that cross: ESCALATE drawn low, ASK high
INSERT INTO opt SELECT 22, r, CASE WHEN r BETWEEN 0.1 AND 0.3 AND random() < 0.7 THEN 'ESCALATE'
								   WHEN r > 0.6 AND random() < 0.8 THEN 'ASK' ELSE 'AUTO' END::modelgov.decision
  FROM (SELECT random() AS r FROM generate_series(1, 1000)) s;

CREATE VIEW opt_oracle AS
WITH d AS (SELECT set_id, p, correct FROM opt WHERE p IS NOT NULL AND correct IS NOT NULL),
sets AS (SELECT DISTINCT set_id FROM opt),
tot AS (
	SELECT s.set_id, count(d.p) AS n,
		   count(d.p) FILTER (WHERE d.correct <> 'AUTO') AS pa, count(d.p) FILTER (WHERE d.correct = 'AUTO') AS na,
		   count(d.p) FILTER (WHERE d.correct = 'ESCALATE') AS pe, count(d.p) FILTER (WHERE d.correct <> 'ESCALATE') AS ne
	  FROM sets s LEFT JOIN d ON d.set_id = s.set_id GROUP BY s.set_id),
cand AS (
	SELECT t.set_id, t.t,
		   count(*) FILTER (WHERE d.correct <> 'AUTO' AND d.p >= t.t) AS tpa,
		   count(*) FILTER (WHERE d.correct = 'AUTO' AND d.p >= t.t) AS fpa,
		   count(*) FILTER (WHERE d.correct = 'ESCALATE' AND d.p >= t.t) AS tpe,
		   count(*) FILTER (WHERE d.correct <> 'ESCALATE' AND d.p >= t.t) AS fpe
	  FROM (SELECT DISTINCT set_id, p AS t FROM d) t JOIN d ON d.set_id = t.set_id
	 GROUP BY t.set_id, t.t),
j AS (
	SELECT c.*, tot.pa, tot.na, tot.pe, tot.ne,
		   c.tpa::float8 / tot.pa::float8 - c.fpa::float8 / tot.na::float8 AS ja,
		   c.tpe::float8 / tot.pe::float8 - c.fpe::float8 / tot.ne::float8 AS je
	  FROM cand c JOIN tot USING (set_id)
	 WHERE tot.pa > 0 AND tot.na > 0 AND tot.pe > 0 AND tot.ne > 0
	UNION ALL
	SELECT c.*, tot.pa, tot.na, tot.pe, tot.ne,
		   CASE WHEN tot.pa > 0 AND tot.na > 0 THEN c.tpa::float8 / tot.pa::float8 - c.fpa::float8 / tot.na::float8 END,
		   CASE WHEN tot.pe > 0 AND tot.ne > 0 THEN c.tpe::float8 / tot.pe::float8 - c.fpe::float8 / tot.ne::float8 END
	  FROM cand c JOIN tot USING (set_id)
	 WHERE NOT (tot.pa > 0 AND tot.na > 0 AND tot.pe > 0 AND tot.ne > 0)),
ba AS (SELECT DISTINCT ON (set_id) set_id, t, ja FROM j WHERE ja IS NOT NULL
		ORDER BY set_id, tpa * na - fpa * pa DESC, t),
be AS (SELECT DISTINCT ON (set_id) set_id, t, je FROM j WHERE je IS NOT NULL
		ORDER BY set_id, tpe * ne - fpe * pe DESC, t),
bs AS (SELECT DISTINCT ON (set_id) set_id, t, ja, je FROM j WHERE ja IS NOT NULL AND je IS NOT NULL
		ORDER BY set_id, ja + je DESC, t)
SELECT tot.set_id, tot.n, ba.t AS auto_alone, be.t AS escalate_alone,
	   coalesce(ba.t > be.t, false) AS crossed,
	   CASE WHEN ba.t > be.t THEN bs.t ELSE ba.t END AS auto,
	   CASE WHEN ba.t > be.t THEN bs.t ELSE be.t END AS escalate,
	   CASE WHEN ba.t > be.t THEN bs.ja ELSE ba.ja END AS youden_auto,
	   CASE WHEN ba.t > be.t THEN bs.je ELSE be.je END AS youden_escalate,
	   (SELECT count(*) FROM opt o WHERE o.set_id = tot.set_id AND (o.p IS NULL OR o.correct IS NULL)) AS skipped
  FROM tot LEFT JOIN ba USING (set_id) LEFT JOIN be USING (set_id) LEFT JOIN bs USING (set_id);

CREATE TABLE opt_result AS SELECT set_id, modelgov.optimize_thresholds(p, correct) AS r FROM opt GROUP BY set_id;

SELECT set_id, r FROM opt_result WHERE set_id < 20 ORDER BY set_id;

SELECT o.set_id, o.n, o.crossed,
	   (r ->> 'n')::bigint = o.n AND (r ->> 'skipped')::bigint = o.skipped AS counts,
	   (r ->> 'auto')::float8 IS NOT DISTINCT FROM o.auto AS auto,
	   (r ->> 'escalate')::float8 IS NOT DISTINCT FROM o.escalate AS escalate,
	   (r ->> 'youden_auto')::float8 IS NOT DISTINCT FROM o.youden_auto AS youden_auto,
	   (r ->> 'youden_escalate')::float8 IS NOT DISTINCT FROM o.youden_escalate AS youden_escalate,
	   coalesce(r ->> 'note' LIKE 'the optima crossed%', false) = o.crossed AS note
  FROM opt_oracle o JOIN opt_result USING (set_id)
 ORDER BY o.set_id;

SELECT set_id, r ->> 'auto' AS auto, r ->> 'escalate' AS escalate,
	   round((r ->> 'youden_auto')::numeric, 4) AS youden_auto,
	   round((r ->> 'youden_escalate')::numeric, 4) AS youden_escalate, r ->> 'note' AS note
  FROM opt_result WHERE set_id >= 20 ORDER BY set_id;

SELECT modelgov.optimize_thresholds(p, correct) FROM opt WHERE false;

--
-- impact
--
CREATE TABLE imp (set_id int, old modelgov.decision, new modelgov.decision, correct modelgov.decision);
INSERT INTO imp VALUES
	-- 1: the new thresholds move one ASK to AUTO, correctly, and one AUTO to ASK
	(1, 'AUTO', 'AUTO', 'AUTO'), (1, 'ASK', 'AUTO', 'AUTO'), (1, 'AUTO', 'ASK', 'ASK'),
	(1, 'ESCALATE', 'ESCALATE', 'ESCALATE'), (1, 'ASK', 'ASK', 'ESCALATE'), (1, 'AUTO', 'AUTO', 'ASK'),
	-- 2: no AUTO decision under old: correct_auto_before is null
	(2, 'ASK', 'AUTO', 'AUTO'), (2, 'ESCALATE', 'ASK', 'ASK'),
	-- 3: every correct decision AUTO: youden undefined
	(3, 'AUTO', 'ASK', 'AUTO'), (3, 'AUTO', 'AUTO', 'AUTO'),
	-- 4: only rows with a NULL
	(4, NULL, 'AUTO', 'AUTO'), (4, 'AUTO', NULL, 'AUTO'), (4, 'AUTO', 'AUTO', NULL),
	-- 5: one row, with NULL rows beside it
	(5, 'ESCALATE', 'AUTO', 'ASK'), (5, NULL, NULL, NULL);

SELECT setseed(0.57);
INSERT INTO imp SELECT 20, (ARRAY['AUTO', 'ASK', 'ESCALATE'])[1 + floor(random() * 3)]::modelgov.decision,
					   (ARRAY['AUTO', 'ASK', 'ESCALATE'])[1 + floor(random() * 3)]::modelgov.decision,
					   (ARRAY['AUTO', 'AUTO', 'ASK', 'ESCALATE'])[1 + floor(random() * 4)]::modelgov.decision
  FROM generate_series(1, 5000);
INSERT INTO imp SELECT 21, CASE WHEN random() < 0.02 THEN NULL ELSE (ARRAY['AUTO', 'ASK', 'ESCALATE'])[1 + floor(random() * 3)] END::modelgov.decision,
					   CASE WHEN random() < 0.02 THEN NULL ELSE (ARRAY['AUTO', 'ASK'])[1 + floor(random() * 2)] END::modelgov.decision,
					   CASE WHEN random() < 0.02 THEN NULL ELSE (ARRAY['AUTO', 'ASK', 'ESCALATE'])[1 + floor(random() * 3)] END::modelgov.decision
  FROM generate_series(1, 3000);

CREATE VIEW imp_oracle AS
WITH s AS (SELECT DISTINCT set_id FROM imp),
d AS (SELECT * FROM imp WHERE old IS NOT NULL AND new IS NOT NULL AND correct IS NOT NULL),
c AS (
	SELECT s.set_id, count(d.old) AS n,
		   count(d.old) FILTER (WHERE d.new = 'AUTO') AS new_auto,
		   count(d.old) FILTER (WHERE d.new = 'ESCALATE') AS new_esc,
		   count(d.old) FILTER (WHERE d.old = 'AUTO') AS old_auto,
		   count(d.old) FILTER (WHERE d.old = 'ESCALATE') AS old_esc,
		   count(d.old) FILTER (WHERE d.old = 'AUTO' AND d.correct = 'AUTO') AS old_auto_ok,
		   count(d.old) FILTER (WHERE d.new = 'AUTO' AND d.correct = 'AUTO') AS new_auto_ok,
		   count(d.old) FILTER (WHERE d.correct <> 'AUTO') AS pos,
		   count(d.old) FILTER (WHERE d.correct = 'AUTO') AS neg,
		   count(d.old) FILTER (WHERE d.old <> 'AUTO' AND d.correct <> 'AUTO') AS old_tp,
		   count(d.old) FILTER (WHERE d.old <> 'AUTO' AND d.correct = 'AUTO') AS old_fp,
		   count(d.old) FILTER (WHERE d.new <> 'AUTO' AND d.correct <> 'AUTO') AS new_tp,
		   count(d.old) FILTER (WHERE d.new <> 'AUTO' AND d.correct = 'AUTO') AS new_fp
	  FROM s LEFT JOIN d ON d.set_id = s.set_id GROUP BY s.set_id),
tr AS (
	SELECT s.set_id, jsonb_object_agg(o.l || '->' || w.l,
									  (SELECT count(*) FROM d WHERE d.set_id = s.set_id
														AND d.old::text = o.l AND d.new::text = w.l)) AS transitions
	  FROM s, unnest(enum_range(NULL::modelgov.decision)::text[]) o(l), unnest(enum_range(NULL::modelgov.decision)::text[]) w(l)
	 GROUP BY s.set_id)
SELECT c.set_id, c.n AS sample_size,
	   c.new_auto::float8 / nullif(c.n, 0)::float8 AS expected_auto_resolve_rate,
	   c.new_esc::float8 / nullif(c.n, 0)::float8 AS expected_escalate_rate,
	   c.old_auto::float8 / nullif(c.n, 0)::float8 AS old_auto_resolve_rate,
	   c.old_esc::float8 / nullif(c.n, 0)::float8 AS old_escalate_rate,
	   c.old_auto_ok::float8 / nullif(c.old_auto, 0)::float8 AS correct_auto_before,
	   c.new_auto_ok::float8 / nullif(c.new_auto, 0)::float8 AS correct_auto_after,
	   CASE WHEN c.pos > 0 AND c.neg > 0 THEN c.old_tp::float8 / c.pos::float8 - c.old_fp::float8 / c.neg::float8 END AS youden_old,
	   CASE WHEN c.pos > 0 AND c.neg > 0 THEN c.new_tp::float8 / c.pos::float8 - c.new_fp::float8 / c.neg::float8 END AS youden_new,
	   tr.transitions,
	   (SELECT count(*) FROM imp i WHERE i.set_id = c.set_id AND (i.old IS NULL OR i.new IS NULL OR i.correct IS NULL)) AS skipped
  FROM c JOIN tr USING (set_id);

CREATE TABLE imp_result AS SELECT set_id, modelgov.impact(old, new, correct) AS r FROM imp GROUP BY set_id;

SELECT set_id, r FROM imp_result WHERE set_id < 20 ORDER BY set_id;

SELECT o.set_id, o.sample_size,
	   (r ->> 'sample_size')::bigint = o.sample_size AND (r ->> 'skipped')::bigint = o.skipped AS counts,
	   (r ->> 'expected_auto_resolve_rate')::float8 IS NOT DISTINCT FROM o.expected_auto_resolve_rate
	   AND (r ->> 'expected_escalate_rate')::float8 IS NOT DISTINCT FROM o.expected_escalate_rate
	   AND (r ->> 'old_auto_resolve_rate')::float8 IS NOT DISTINCT FROM o.old_auto_resolve_rate
	   AND (r ->> 'old_escalate_rate')::float8 IS NOT DISTINCT FROM o.old_escalate_rate AS rates,
	   (r ->> 'correct_auto_before')::float8 IS NOT DISTINCT FROM o.correct_auto_before
	   AND (r ->> 'correct_auto_after')::float8 IS NOT DISTINCT FROM o.correct_auto_after AS correct_auto,
	   (r ->> 'youden_old')::float8 IS NOT DISTINCT FROM o.youden_old
	   AND (r ->> 'youden_new')::float8 IS NOT DISTINCT FROM o.youden_new
	   AND (r ->> 'youden_improvement')::float8 IS NOT DISTINCT FROM o.youden_new - o.youden_old AS youden,
	   r -> 'transitions' = o.transitions AS transitions
  FROM imp_oracle o JOIN imp_result USING (set_id)
 ORDER BY o.set_id;

SELECT modelgov.impact(old, new, correct) FROM imp WHERE false;

--
-- A forced parallel plan gives exactly the result of a serial one
--
CREATE TABLE big (id int, p float8, label boolean, old modelgov.decision, new modelgov.decision,
				  correct modelgov.decision) WITH (parallel_workers = 2);
SELECT setseed(0.77);
INSERT INTO big
SELECT i, CASE WHEN i % 997 = 0 THEN NULL ELSE r END, random() < r,
	   CASE WHEN r < 0.15 THEN 'AUTO' WHEN r < 0.5 THEN 'ASK' ELSE 'ESCALATE' END::modelgov.decision,
	   CASE WHEN r < 0.18 THEN 'AUTO' WHEN r < 0.48 THEN 'ASK' ELSE 'ESCALATE' END::modelgov.decision,
	   CASE WHEN r + (random() - 0.5) * 0.4 < 0.2 THEN 'AUTO'
			WHEN r + (random() - 0.5) * 0.4 < 0.5 THEN 'ASK' ELSE 'ESCALATE' END::modelgov.decision
  FROM (SELECT i, random() AS r FROM generate_series(1, 200000) i) s;
VACUUM ANALYZE big;

SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE serial AS
SELECT modelgov.evaluation(p, label) AS e, modelgov.optimize_thresholds(p, correct) AS o,
	   modelgov.impact(old, new, correct) AS i FROM big;
CREATE TEMP TABLE serial_g AS SELECT id % 3 AS g, modelgov.evaluation(p, label) AS e FROM big GROUP BY 1;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF)
SELECT modelgov.evaluation(p, label), modelgov.optimize_thresholds(p, correct), modelgov.impact(old, new, correct) FROM big;
CREATE TEMP TABLE parallel AS
SELECT modelgov.evaluation(p, label) AS e, modelgov.optimize_thresholds(p, correct) AS o,
	   modelgov.impact(old, new, correct) AS i FROM big;
SELECT s.e = p.e AS evaluation, s.o = p.o AS optimize_thresholds, s.i = p.i AS impact,
	   (s.e ->> 'n')::int + (s.e ->> 'skipped')::int AS rows
  FROM serial s, parallel p;
-- and by group (partial aggregation per group)
EXPLAIN (COSTS OFF)
SELECT id % 3, modelgov.evaluation(p, label) FROM big GROUP BY 1;
SELECT count(*) AS groups, count(*) FILTER (WHERE a.e = b.e) AS equal
  FROM (SELECT id % 3 AS g, modelgov.evaluation(p, label) AS e FROM big GROUP BY 1) a
  JOIN serial_g b USING (g);
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

\c contrib_regression
DROP DATABASE modelgov_evidence_regress;
