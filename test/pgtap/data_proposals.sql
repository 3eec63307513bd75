--
-- data_proposals.sql
--		Proposals from data (issue 13), on a dated story (2024-04-01, the
--		seed's monthly optimization): read_sample (its arrays, the
--		order-independent fingerprint, read-only), simplest_threshold
--		(properties over random pairs, setseed), propose_thresholds (the
--		proposal it files against optimize_thresholds, simplest_threshold
--		and impact computed here on the same rows, safety rules and
--		missing features included; who may call it; every refusal; the
--		sample query runs read-only with the caller's rights), review()'s
--		data_quality_sufficient reading sample.rows, and recheck_impact
--		(right after, after the data changed, after a withdrawal, who may
--		run it, read-only for a stored query).
--
-- The story: the model "dp" (two features, weights 0.5 and 0.5,
-- thresholds 0.15 and 0.5, a safety rule "hot": f1 >= 0.9 escalates, a
-- missing feature escalates) and 1,200 labelled rows in public.dp_lab,
-- every 50th with f2 missing.  The defects found while writing this suite
-- have tests of their own, at the end.
--
-- Everything made here is rolled back with the transaction.  Run as a
-- superuser (pg_prove connects as postgres); modelgov.clock is
-- superuser-only, so it is set with no role set.
--
BEGIN;
\ir helpers.psql
SELECT plan(111);

SET TimeZone = 'UTC';
SET modelgov.clock = '2024-04-01 09:00:00+00';

CREATE ROLE mg_dp_alice NOLOGIN;	-- proposer, no duties; reads dp_lab
CREATE ROLE mg_dp_bob NOLOGIN;		-- reviewer, model_science_lead; does NOT read dp_lab
CREATE ROLE mg_dp_carol NOLOGIN;	-- reviewer, product_manager; reads dp_lab
CREATE ROLE mg_dp_hank NOLOGIN;		-- member without EXECUTE on modelgov.propose
CREATE ROLE mg_dp_ivy NOLOGIN;		-- member without EXECUTE on modelgov.propose_thresholds
CREATE ROLE mg_dp_zed NOLOGIN;		-- not a member; reads dp_lab
GRANT USAGE ON SCHEMA modelgov TO mg_dp_alice, mg_dp_bob, mg_dp_carol, mg_dp_hank, mg_dp_ivy, mg_dp_zed;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA modelgov TO mg_dp_alice, mg_dp_bob, mg_dp_carol, mg_dp_hank,
	mg_dp_ivy, mg_dp_zed;
REVOKE EXECUTE ON FUNCTION modelgov.propose(text, modelgov.change_type, text, jsonb, jsonb, text, text)
	FROM mg_dp_hank;
REVOKE EXECUTE ON FUNCTION modelgov.propose_thresholds(text, text, text) FROM mg_dp_ivy;
SELECT modelgov.add_member('mg_dp_alice', 'alice@company.com', '{}') IS NOT NULL AS added \gset
SELECT modelgov.add_member('mg_dp_bob', 'bob@company.com', '{model_science_lead}') IS NOT NULL AS added \gset
SELECT modelgov.add_member('mg_dp_carol', 'carol@company.com', '{product_manager}') IS NOT NULL AS added \gset
SELECT modelgov.add_member('mg_dp_hank', 'hank@company.com', '{}') IS NOT NULL AS added \gset
SELECT modelgov.add_member('mg_dp_ivy', 'ivy@company.com', '{}') IS NOT NULL AS added \gset

--
-- Helpers of this suite
--
-- A statement run as a role: "ok:" and what it returned, or the SQLSTATE
-- and message of its error (what it did stays).
CREATE FUNCTION pg_temp.run(who text, stmt text) RETURNS text
	LANGUAGE plpgsql AS $$
DECLARE
	r text;
BEGIN
	EXECUTE format('SET LOCAL ROLE %I', who);
	r := pg_temp.attempt(stmt);
	RESET ROLE;
	RETURN r;
END
$$;
-- The error of a statement run as a role: "SQLSTATE message | detail"
-- ('no error' when it ran; what it did stays then).
CREATE FUNCTION pg_temp.err(who text, stmt text) RETURNS text
	LANGUAGE plpgsql AS $$
DECLARE
	r text;
BEGIN
	EXECUTE format('SET LOCAL ROLE %I', who);
	r := pg_temp.error_of(stmt);
	RESET ROLE;
	RETURN r;
END
$$;
-- A role reviews a proposal, approving, with a checklist (every item true
-- unless given): "ok:" and the status, or the SQLSTATE and message.
CREATE FUNCTION pg_temp.review_as(who text, proposal text, checklist jsonb DEFAULT pg_temp.ck()) RETURNS text
	LANGUAGE sql AS $$
	SELECT pg_temp.run(who, format('SELECT modelgov.review(%L, %L::jsonb, true)', proposal, checklist))
$$;
-- The SQL of the evaluation rules of "dp" with thresholds a and e, for a
-- row: the threshold decision of p, made more cautious by the rule "hot";
-- a row without p (a feature missing) keeps old.
CREATE FUNCTION pg_temp.dp_decision(f float8[], a float8, e float8, old modelgov.decision) RETURNS modelgov.decision
	LANGUAGE sql AS $$
	SELECT CASE WHEN f[1] IS NULL OR f[2] IS NULL THEN old
				ELSE greatest(CASE WHEN (0.5 * f[1] + 0.5 * f[2]) < a THEN 'AUTO'::modelgov.decision
								   WHEN (0.5 * f[1] + 0.5 * f[2]) >= e THEN 'ESCALATE'::modelgov.decision
								   ELSE 'ASK'::modelgov.decision END,
							  CASE WHEN f[1] >= 0.9 THEN 'ESCALATE'::modelgov.decision END) END
$$;

--
-- The story's model and labelled rows
--
SELECT modelgov.create_model('dp', '{"weights": [0.5, 0.5], "thresholds": {"auto": 0.15, "escalate": 0.5},
	"missing_feature_decision": "ESCALATE",
	"safety_rules": [{"name": "hot", "feature": "f1", "op": ">=", "value": 0.9, "decision": "ESCALATE"}]}',
	'data proposals suite') IS NOT NULL AS created \gset
SELECT setseed(0.13) IS NULL AS seeded \gset
-- p = (f1 + f2) / 2; the correct decision is the p of the row with some
-- noise cut at 0.3 and 0.65; every 50th row has f2 missing (correct ASK)
CREATE TABLE public.dp_lab AS
SELECT id, ARRAY[f1, CASE WHEN id % 50 = 0 THEN NULL ELSE f2 END] AS features, 'team' || id % 3 AS candidate,
	   (CASE WHEN id % 50 = 0 THEN 'ASK' WHEN (f1 + f2) / 2 + nz < 0.3 THEN 'AUTO'
			 WHEN (f1 + f2) / 2 + nz >= 0.65 THEN 'ESCALATE' ELSE 'ASK' END)::modelgov.decision AS correct
  FROM (SELECT id, random() AS f1, random() AS f2, (random() - 0.5) * 0.2 AS nz
		  FROM generate_series(1, 1200) AS id) s;
GRANT SELECT ON public.dp_lab TO mg_dp_alice, mg_dp_carol, mg_dp_hank, mg_dp_ivy, mg_dp_zed;
-- the same rows nobody but the owner reads
CREATE TABLE public.dp_secret AS SELECT * FROM public.dp_lab;
-- a table everybody writes, and a function that writes it with the
-- caller's rights
CREATE TABLE public.dp_sink (who text);
GRANT SELECT, INSERT ON public.dp_sink TO PUBLIC;
CREATE FUNCTION public.dp_write() RETURNS int
	LANGUAGE plpgsql SECURITY INVOKER AS $$
BEGIN
	INSERT INTO public.dp_sink VALUES (current_user);
	RETURN 1;
END
$$;
\set q 'SELECT features, candidate, correct FROM public.dp_lab'

------------------------------------------------------------------------------
-- read_sample
------------------------------------------------------------------------------
CREATE TEMP TABLE rs AS
SELECT * FROM modelgov.read_sample('dp', :'q' || ' ORDER BY id', '1.0.0');
SELECT is((SELECT array[cardinality(p), cardinality(decided), cardinality(rules), cardinality(proposed_decided),
						cardinality(correct)]::bigint[] FROM rs),
		  array_fill(1200::bigint, ARRAY[5]), 'read_sample: each of the five arrays has one element a row');
SELECT is((SELECT n FROM rs), 1200::bigint, 'read_sample: n counts the rows');
SELECT is((SELECT p FROM rs),
		  (SELECT array_agg(modelgov.score('dp', '1.0.0', features, candidate) ORDER BY id) FROM public.dp_lab),
		  'read_sample: p is the version''s score of each row, in the query''s order (NULL where a feature is missing)');
SELECT is((SELECT decided FROM rs),
		  (SELECT array_agg(modelgov.decide('dp', '1.0.0', features, candidate) ORDER BY id) FROM public.dp_lab),
		  'read_sample: decided is the version''s decision of each row');
SELECT is((SELECT rules FROM rs),
		  (SELECT array_agg(CASE WHEN features[1] >= 0.9 THEN 'ESCALATE'::modelgov.decision END ORDER BY id)
			 FROM public.dp_lab),
		  'read_sample: rules is the decision of the safety rule where it fired, NULL elsewhere');
SELECT is((SELECT correct FROM rs), (SELECT array_agg(correct ORDER BY id) FROM public.dp_lab),
		  'read_sample: correct is the sample''s correct decision of each row');
SELECT is((SELECT array_remove(proposed_decided, NULL) FROM rs), '{}'::modelgov.decision[],
		  'read_sample: without a proposed version, proposed_decided holds only NULLs');
SELECT is((SELECT hash FROM modelgov.read_sample('dp', :'q' || ' ORDER BY id DESC', '1.0.0')),
		  (SELECT hash FROM rs), 'read_sample: the hash does not depend on the order of the rows');
SELECT is((SELECT hash FROM rs),
		  (SELECT ((sum(hashtextextended(ROW(features, candidate, correct)::text, 0)::numeric)
					% 18446744073709551616 + 18446744073709551616) % 18446744073709551616)::text
			 FROM public.dp_lab),
		  'read_sample: the hash is the sum modulo 2^64 of the rows'' 64-bit hashes');
SELECT isnt(pg_temp.probe(ARRAY['UPDATE public.dp_lab SET candidate = ''team9'' WHERE id = 7'],
						  format('SELECT hash FROM modelgov.read_sample(''dp'', %L, ''1.0.0'')', :'q')),
			(SELECT hash FROM rs), 'read_sample: the hash changes when one row changes');
SELECT is(pg_temp.probe(ARRAY['UPDATE public.dp_lab SET candidate = ''team9'' WHERE id = 7',
							  'UPDATE public.dp_lab SET candidate = ''team1'' WHERE id = 7'],
						format('SELECT hash FROM modelgov.read_sample(''dp'', %L, ''1.0.0'')', :'q')),
		  (SELECT hash FROM rs), 'read_sample: and is the same again when the row is back');
SELECT is((SELECT ARRAY[pg_temp.error_of($$SELECT modelgov.read_sample(NULL, 'SELECT 1', '1.0.0')$$),
						pg_temp.error_of($$SELECT modelgov.read_sample('dp', NULL, '1.0.0')$$),
						pg_temp.error_of($$SELECT modelgov.read_sample('dp', 'SELECT 1', NULL)$$)]),
		  ARRAY['22004 modelgov.read_sample() needs model | ', '22004 modelgov.read_sample() needs sample | ',
				'22004 modelgov.read_sample() needs version | '],
		  'read_sample: a NULL model, sample or version is 22004, named');
-- writes the query makes to a temporary table (which read-only allows)
-- are rolled back with the block that read the rows
CREATE TEMP TABLE tmp_sink (x int);
CREATE FUNCTION pg_temp.tmp_write() RETURNS int LANGUAGE sql AS $$INSERT INTO pg_temp.tmp_sink VALUES (1) RETURNING 1$$;
SELECT is((SELECT n FROM modelgov.read_sample('dp', :'q' || ' WHERE pg_temp.tmp_write() = 1', '1.0.0')),
		  1200::bigint, 'read_sample: a query writing a temporary table (allowed read-only) reads its rows');
SELECT is((SELECT count(*) FROM pg_temp.tmp_sink), 0::bigint,
		  'read_sample: and what it wrote is rolled back once the rows are read');

------------------------------------------------------------------------------
-- simplest_threshold
------------------------------------------------------------------------------
-- random pairs below < t, the gap from 1 down to 1e-8
SELECT setseed(0.42) IS NULL AS seeded \gset
CREATE TEMP TABLE st AS
SELECT i, b AS below, b + g AS t, modelgov.simplest_threshold(b + g, b) AS d
  FROM (SELECT i, random() AS b, random() * 10 ^ (-floor(random() * 9)) AS g
		  FROM generate_series(1, 3000) AS i) s
 WHERE g > 0;
-- the decimal places of d, and the decimals of t and below (their
-- shortest text, exact in numeric)
CREATE TEMP TABLE st_n AS
SELECT i, below, t, d, scale(d::text::numeric) AS k, t::text::numeric AS tn, below::text::numeric AS bn
  FROM st;
SELECT cmp_ok((SELECT count(*) FROM st), '>', 2900::bigint, 'simplest_threshold: about 3000 random pairs');
SELECT is((SELECT count(*) FROM st WHERE NOT (below < d AND d <= t)), 0::bigint,
		  'simplest_threshold: below < d <= t on every random pair');
SELECT is((SELECT count(*) FROM st_n, generate_series(0, k - 1) AS j
			WHERE floor(tn * 10::numeric ^ j) / 10::numeric ^ j > bn),
		  0::bigint, 'simplest_threshold: no decimal with fewer places than d lies in (below, t]');
SELECT is((SELECT count(*) FROM st_n WHERE d::text::numeric + 10::numeric ^ (-k) <= tn), 0::bigint,
		  'simplest_threshold: d is the closest to t of the decimals with its places');
SELECT cmp_ok((SELECT count(DISTINCT k) FROM st_n), '>=', 8::bigint,
			  'simplest_threshold: the pairs give results from few to many places');
SELECT is(ARRAY[modelgov.simplest_threshold(0.3, NULL), modelgov.simplest_threshold(0.3, 0.3),
				modelgov.simplest_threshold(0.3, 0.5), modelgov.simplest_threshold(NULL, 0.1),
				modelgov.simplest_threshold(0.25, 0.2), modelgov.simplest_threshold(0.25, 0.1),
				modelgov.simplest_threshold(1, 0.3), modelgov.simplest_threshold(0.33969564083735826, 0.3396),
				modelgov.simplest_threshold(0.7, 0.69999999999999996)],
		  ARRAY[0.3, 0.3, 0.3, NULL, 0.25, 0.2, 1, 0.33969, 0.7]::float8[],
		  'simplest_threshold: below NULL, equal or above gives t; NULL t gives NULL; 0.25 above 0.2 stays, above 0.1 is 0.2');

------------------------------------------------------------------------------
-- propose_thresholds: the proposal it files
------------------------------------------------------------------------------
-- computed here from the rows: the optimization, the simplest thresholds
SELECT modelgov.optimize_thresholds(modelgov.score('dp', '1.0.0', features, candidate), correct) AS opt
  FROM public.dp_lab \gset
SELECT modelgov.simplest_threshold((:'opt'::jsonb ->> 'auto')::float8,
		(SELECT max(modelgov.score('dp', '1.0.0', features, candidate)) FROM public.dp_lab
		  WHERE modelgov.score('dp', '1.0.0', features, candidate) < (:'opt'::jsonb ->> 'auto')::float8)) AS ta,
	   modelgov.simplest_threshold((:'opt'::jsonb ->> 'escalate')::float8,
		(SELECT max(modelgov.score('dp', '1.0.0', features, candidate)) FROM public.dp_lab
		  WHERE modelgov.score('dp', '1.0.0', features, candidate) < (:'opt'::jsonb ->> 'escalate')::float8)) AS te \gset
SELECT (SELECT hash FROM rs) AS h1 \gset
-- a model with the same scores whose thresholds are already those
SELECT modelgov.create_model('dp_same', jsonb_build_object('weights', '[0.5, 0.5]'::jsonb,
	'thresholds', jsonb_build_object('auto', :'ta'::float8, 'escalate', :'te'::float8),
	'missing_feature_decision', 'ESCALATE')) IS NOT NULL AS created \gset

SELECT pg_temp.state() AS st0 \gset
SELECT is(pg_temp.run('mg_dp_alice', format('SELECT modelgov.propose_thresholds(''dp'', %L)', :'q')),
		  'ok:PROP_202404_001', 'alice files the optimization of dp in one call');
\set p1 PROP_202404_001
SELECT is(current_setting('transaction_read_only'), 'off', 'read-only ended with the reading of the sample');
SELECT results_eq(
	$$SELECT proposer::text, change_type::text, base_version::text, target_version::text, status::text, description
		FROM modelgov.proposals WHERE proposal_id = 'PROP_202404_001'$$,
	$$VALUES ('mg_dp_alice', 'threshold_change', '1.0.0', '1.0.1', 'proposed',
			  'Monthly threshold optimization (ROC/Youden) on 1200 labelled rows')$$,
	'a threshold_change proposal from 1.0.0 to 1.0.1, filed as the caller, described by default');
SELECT is((SELECT new_values FROM modelgov.proposals WHERE proposal_id = :'p1'),
		  jsonb_build_object('threshold_auto', :'ta'::float8, 'threshold_escalate', :'te'::float8),
		  'new_values are the simplest thresholds of optimize_thresholds computed here on the same rows');
SELECT is((SELECT new_values FROM modelgov.proposals WHERE proposal_id = :'p1'),
		  '{"threshold_auto": 0.3396, "threshold_escalate": 0.5902}'::jsonb,
		  'that is auto 0.3396 (optimum 0.33969...) and escalate 0.5902 (optimum 0.59029...)');
SELECT is((SELECT old_values FROM modelgov.proposals WHERE proposal_id = :'p1'),
		  '{"threshold_auto": 0.15, "threshold_escalate": 0.5}'::jsonb, 'old_values are those of 1.0.0');
SELECT is((SELECT ARRAY[count(*) FILTER (WHERE s >= :'ta'::float8), count(*) FILTER (WHERE s >= (:'opt'::jsonb ->> 'auto')::float8),
						count(*) FILTER (WHERE s >= :'te'::float8), count(*) FILTER (WHERE s >= (:'opt'::jsonb ->> 'escalate')::float8)]
			 FROM (SELECT modelgov.score('dp', '1.0.0', features, candidate) AS s FROM public.dp_lab) x),
		  (SELECT ARRAY[count(*) FILTER (WHERE s >= (:'opt'::jsonb ->> 'auto')::float8),
						count(*) FILTER (WHERE s >= (:'opt'::jsonb ->> 'auto')::float8),
						count(*) FILTER (WHERE s >= (:'opt'::jsonb ->> 'escalate')::float8),
						count(*) FILTER (WHERE s >= (:'opt'::jsonb ->> 'escalate')::float8)]
			 FROM (SELECT modelgov.score('dp', '1.0.0', features, candidate) AS s FROM public.dp_lab) x),
		  'the simple thresholds split the sample exactly as the optima do');
-- the impact, computed here: the decisions of 1.0.0, the new thresholds
-- with the rule and the missing features in SQL
SELECT modelgov.impact(d, pg_temp.dp_decision(features, :'ta'::float8, :'te'::float8, d), correct) AS imp
  FROM (SELECT *, modelgov.decide('dp', '1.0.0', features, candidate) AS d FROM public.dp_lab) x \gset
SELECT is((SELECT impact_analysis - 'sample' - 'youden_auto' - 'youden_escalate' FROM modelgov.proposals
			WHERE proposal_id = :'p1'),
		  :'imp'::jsonb || jsonb_build_object('sample_size', 1200),
		  'the impact analysis is modelgov.impact of the decisions of 1.0.0 and of the new thresholds with the rule, computed here');
SELECT is((SELECT impact_analysis - 'sample' - 'youden_auto' - 'youden_escalate' FROM modelgov.proposals
			WHERE proposal_id = :'p1'),
		  (SELECT modelgov.impact(modelgov.decide('dp', '1.0.0', features, candidate),
								  modelgov.decide('dp', '1.0.1', features, candidate), correct)
			 FROM public.dp_lab),
		  'and equals the impact of 1.0.0 against the target 1.0.1 scored before approval (backtest)');
SELECT is((SELECT count(*) FROM public.dp_lab
			WHERE features[1] >= 0.9 AND 0.5 * features[1] + 0.5 * features[2] < :'te'::float8),
		  24::bigint, '24 rows where the safety rule overrides the new thresholds');
SELECT isnt(:'imp'::jsonb -> 'transitions',
			(SELECT modelgov.impact(d, CASE WHEN s IS NULL THEN d WHEN s < :'ta'::float8 THEN 'AUTO'
											WHEN s >= :'te'::float8 THEN 'ESCALATE' ELSE 'ASK' END::modelgov.decision,
									correct) -> 'transitions'
			   FROM (SELECT *, modelgov.score('dp', '1.0.0', features, candidate) AS s,
							modelgov.decide('dp', '1.0.0', features, candidate) AS d FROM public.dp_lab) x),
			'control: ignoring the safety rule would give other transitions');
SELECT isnt(:'imp'::jsonb -> 'transitions',
			(SELECT modelgov.impact(d, CASE WHEN features[2] IS NULL THEN 'ASK'
											ELSE pg_temp.dp_decision(features, :'ta'::float8, :'te'::float8, d) END,
									correct) -> 'transitions'
			   FROM (SELECT *, modelgov.decide('dp', '1.0.0', features, candidate) AS d FROM public.dp_lab) x),
			'control: deciding the 24 rows with a feature missing by thresholds (ASK) would give other transitions');
SELECT is((SELECT ARRAY[count(*), count(*) FILTER (WHERE modelgov.decide('dp', '1.0.1', features, candidate) = 'ESCALATE')]
			 FROM public.dp_lab WHERE features[2] IS NULL),
		  ARRAY[24, 24]::bigint[], 'the 24 rows with a feature missing keep ESCALATE, the model''s missing_feature_decision');
SELECT is((SELECT ARRAY[impact_analysis -> 'youden_auto', impact_analysis -> 'youden_escalate'] FROM modelgov.proposals
			WHERE proposal_id = :'p1'),
		  ARRAY[:'opt'::jsonb -> 'youden_auto', :'opt'::jsonb -> 'youden_escalate'],
		  'youden_auto and youden_escalate are those of the optimization');
SELECT is((SELECT impact_analysis -> 'sample' FROM modelgov.proposals WHERE proposal_id = :'p1'),
		  jsonb_build_object('query', :'q', 'rows', 1200, 'hash', :'h1', 'version', '1.0.0',
							 'computed_by', 'propose_thresholds', 'optimization', :'opt'::jsonb),
		  'the sample block: the query, its rows, their hash, the version optimized, the function, the optimization');
SELECT is(pg_temp.last_event(true), 'proposal|mg_dp_alice|PROP_202404_001|1.0.1|proposed',
		  'the audit entry names alice as its actor');
SELECT is((SELECT details ->> 'proposer' FROM modelgov.audit_log ORDER BY seq DESC LIMIT 1), 'alice@company.com',
		  'and her identity as the proposer');
SET client_min_messages = error;	-- propose() warns of the other open proposal changing the thresholds
SELECT is(pg_temp.probe(ARRAY[$$SET LOCAL ROLE mg_dp_alice$$,
							  format('SELECT modelgov.propose_thresholds(''dp'', %L, %L)',
									 :'q' || ' WHERE id <= 1100', 'April, first 1100 rows'),
							  $$RESET ROLE$$],
						$$SELECT string_agg(concat_ws(' / ', proposal_id, description, impact_analysis #>> '{sample,rows}'), ', ')
							FROM modelgov.proposals WHERE proposal_id <> 'PROP_202404_001'$$),
		  'PROP_202404_002 / April, first 1100 rows / 1100',
		  'a description given is kept, with the proposal''s own sample (undone: one proposal targets 1.0.1)');
RESET client_min_messages;

------------------------------------------------------------------------------
-- propose_thresholds: refusals
------------------------------------------------------------------------------
SELECT pg_temp.state() AS st1 \gset
SELECT is(pg_temp.err('mg_dp_zed', format('SELECT modelgov.propose_thresholds(''dp'', %L)', :'q')),
		  '42501 permission denied to propose changes | Role mg_dp_zed is not a modelgov member.',
		  'a role that is no member is refused (42501)');
SELECT is(pg_temp.run('mg_dp_hank', format('SELECT modelgov.propose_thresholds(''dp'', %L)', :'q')),
		  '42501 permission denied for function propose',
		  'a member without EXECUTE on modelgov.propose is refused (42501)');
SELECT is(pg_temp.run('mg_dp_ivy', format('SELECT modelgov.propose_thresholds(''dp'', %L)', :'q')),
		  '42501 permission denied for function propose_thresholds',
		  'a member without EXECUTE on propose_thresholds is refused (42501)');
SELECT is(ARRAY[pg_temp.run('mg_dp_alice', format('SELECT modelgov.propose_thresholds(NULL, %L)', :'q')),
				pg_temp.run('mg_dp_alice', $$SELECT modelgov.propose_thresholds('dp', NULL)$$)],
		  ARRAY['22004 modelgov.propose_thresholds() needs model', '22004 modelgov.propose_thresholds() needs sample'],
		  'a NULL model or sample is 22004, named');
SELECT is(pg_temp.run('mg_dp_alice', format('SELECT modelgov.propose_thresholds(''nosuch'', %L)', :'q')),
		  '42704 model "nosuch" does not exist', 'an unknown model is 42704');
SELECT is(pg_temp.run('mg_dp_alice', format('SELECT modelgov.propose_thresholds(''dp'', %L)', :'q' || ' WHERE false')),
		  'P0002 the sample query returned no rows', 'a query returning no rows is P0002');
SELECT is(pg_temp.run('mg_dp_alice', $$SELECT modelgov.propose_thresholds('dp', 'SELECT 1 AS x')$$),
		  '42703 the sample query does not return the columns of a sample, or not of their types: column s.features does not exist',
		  'a query without the columns of a sample: 42703, said so');
SELECT is(pg_temp.run('mg_dp_alice',
		  $$SELECT modelgov.propose_thresholds('dp', 'SELECT 1 AS features, ''a'' AS candidate, ''ASK'' AS correct')$$),
		  '42846 the sample query does not return the columns of a sample, or not of their types: cannot cast type integer to double precision[]',
		  'features of another type: 42846, said so');
SELECT is(pg_temp.run('mg_dp_alice',
		  $$SELECT modelgov.propose_thresholds('dp', 'SELECT features, candidate, 1 AS correct FROM public.dp_lab')$$),
		  '42846 the sample query does not return the columns of a sample, or not of their types: cannot cast type integer to modelgov.decision',
		  'a correct column of another type: 42846, said so');
SELECT is(pg_temp.run('mg_dp_alice',
		  $$SELECT modelgov.propose_thresholds('dp', 'SELECT ''x''::text AS features, ''a'' AS candidate, ''ASK'' AS correct')$$),
		  '22P02 the sample query does not return the columns of a sample, or not of their types: malformed array literal: "x"',
		  'text that is no array: 22P02, said so');
SELECT is(pg_temp.err('mg_dp_alice', format('SELECT modelgov.propose_thresholds(''dp_same'', %L)', :'q')),
		  '55000 the optimized thresholds are those of version 1.0.0: nothing to propose | auto 0.3396, escalate 0.5902 on 1200 rows.',
		  'thresholds already optimal: 55000, nothing to propose');
SELECT is(pg_temp.run('mg_dp_alice', $$SELECT modelgov.propose_thresholds('dp', 'SELECT features, candidate, correct FROM public.dp_secret')$$),
		  '42501 permission denied for table dp_secret',
		  'a sample the caller may not read: 42501 from the table');
SELECT is((SELECT n FROM modelgov.read_sample('dp', 'SELECT features, candidate, correct FROM public.dp_secret', '1.0.0')),
		  1200::bigint, 'which the extension owner reads: the query runs with the caller''s rights');
-- read-only
SELECT is(pg_temp.run('mg_dp_alice', format('SELECT modelgov.propose_thresholds(''dp'', %L)',
											 :'q' || ' WHERE public.dp_write() = 1')),
		  '25006 cannot execute INSERT in a read-only transaction',
		  'a sample query calling a function that writes a table: 25006');
SELECT is((SELECT count(*) FROM public.dp_sink), 0::bigint, 'and nothing is written');
SELECT is(current_setting('transaction_read_only'), 'off', 'read-only is undone after the failure');
SELECT is(pg_temp.run('mg_dp_alice', 'SELECT public.dp_write()'), 'ok:1', 'alice writes the table herself');
SELECT is((SELECT string_agg(who, ',') FROM public.dp_sink), 'mg_dp_alice', 'the next statement writes fine');
SELECT is(pg_temp.run('mg_dp_alice', format('SELECT modelgov.propose_thresholds(''dp'', %L)',
		  :'q' || $$ WHERE set_config('transaction_read_only', 'off', true) IS NOT NULL AND public.dp_write() = 1$$)),
		  '25001 cannot set transaction read-write mode inside a read-only transaction',
		  'a sample query cannot turn read-only off (25001)');
SELECT is((SELECT count(*) FROM public.dp_sink), 1::bigint, 'and writes nothing');
SELECT is(pg_temp.state(), :'st1', 'the refusals left no trace in the governance tables');

------------------------------------------------------------------------------
-- review(): data_quality_sufficient reads sample.rows when it is a number
------------------------------------------------------------------------------
SELECT modelgov.create_model('dp2', '{"weights": [0.5, 0.5], "thresholds": {"auto": 0.15, "escalate": 0.5}}')
	IS NOT NULL AS created \gset
SELECT modelgov.create_model('dp3', '{"weights": [0.5, 0.5], "thresholds": {"auto": 0.15, "escalate": 0.5}}')
	IS NOT NULL AS created \gset
SELECT modelgov.create_model('dp4', '{"weights": [0.5, 0.5], "thresholds": {"auto": 0.15, "escalate": 0.5}}')
	IS NOT NULL AS created \gset
SELECT pg_temp.run('mg_dp_alice', $$SELECT modelgov.propose('dp2', 'threshold_change', 'by hand: sample_size 5000',
	'{"threshold_auto": 0.2, "threshold_escalate": 0.5}', '{"sample": {"rows": 500}, "sample_size": 5000}',
	'Roll back.', 'Daily checks.')$$) AS h5000 \gset
SELECT pg_temp.run('mg_dp_alice', $$SELECT modelgov.propose('dp3', 'threshold_change', 'by hand: sample_size 500',
	'{"threshold_auto": 0.2, "threshold_escalate": 0.5}', '{"sample": {"rows": 5000}, "sample_size": 500}',
	'Roll back.', 'Daily checks.')$$) AS h500 \gset
SELECT is(ARRAY[:'h5000', :'h500']::text[], ARRAY['ok:PROP_202404_002', 'ok:PROP_202404_003'], 'alice files two proposals by hand');
\set h5000 PROP_202404_002
\set h500 PROP_202404_003
SELECT is(pg_temp.err('mg_dp_bob', format('SELECT modelgov.review(%L, %L::jsonb, true)', :'h500', pg_temp.ck())),
		  '23514 data quality is not sufficient | The impact analysis has sample_size 500; more than 1000 is required.',
		  'sample_size 500 refuses data_quality_sufficient (23514), though sample.rows says 5000: the review reads the rows the analysis counted');
SELECT is(pg_temp.run('mg_dp_bob', format('SELECT modelgov.review(%L, %L::jsonb, false)', :'h500',
										  pg_temp.ck('{"data_quality_sufficient": false}'))),
		  'ok:in review: blocked by the negative review of bob@company.com; the reviewer may replace it with modelgov.review(), the proposer withdraw the proposal, or a committee member reject it',
		  'the same checklist without that item is accepted (a negative review)');
SELECT is(pg_temp.review_as('mg_dp_bob', :'h5000'), 'ok:in review: 1 of two approving reviews',
		  'sample_size 5000 accepts data_quality_sufficient (sample.rows, the rows the query returned, is not the count)');
SELECT is(pg_temp.review_as('mg_dp_carol', :'h5000'),
		  'ok:reviewed: waiting for approvals as model_science_lead, product_manager, engineering_lead',
		  'carol reviews it too');
SELECT is(pg_temp.review_as('mg_dp_bob', :'p1'), 'ok:in review: 1 of two approving reviews',
		  'the computed proposal (1200 rows read) accepts data_quality_sufficient');

------------------------------------------------------------------------------
-- A sample query cannot approve: as the caller of propose_thresholds, nor
-- as a reviewer rechecking a stored query
------------------------------------------------------------------------------
SELECT pg_temp.state() AS st2 \gset
SELECT is(pg_temp.run('mg_dp_carol', format('SELECT modelgov.propose_thresholds(''dp'', %L)',
		  :'q' || format(' WHERE (SELECT modelgov.approve(%L, ''product_manager'')) IS NOT NULL', :'h5000'))),
		  '25006 cannot execute SELECT FOR UPDATE in a read-only transaction',
		  'a sample query whose subquery calls approve() as carol: 25006');
SELECT is(pg_temp.state(), :'st2', 'and approves nothing');
SELECT is(current_setting('transaction_read_only'), 'off', 'read-only is undone');
-- alice stores a query that approves her proposal as whoever rechecks it
SELECT pg_temp.run('mg_dp_alice', format($$SELECT modelgov.propose('dp4', 'threshold_change', 'the trap',
	'{"threshold_auto": 0.2, "threshold_escalate": 0.5}', %L::jsonb, 'Roll back.', 'Daily checks.')$$,
	jsonb_build_object('sample', jsonb_build_object('rows', 1, 'hash', '0'::text, 'query',
		format($$SELECT ARRAY[0.1, 0.1]::float8[] AS features, NULL::text AS candidate, 'AUTO'::modelgov.decision AS correct
				  WHERE (SELECT modelgov.approve(%L, 'model_science_lead')) IS NOT NULL AND public.dp_write() = 1$$,
			   :'h5000'))))) AS trap \gset
SELECT is(:'trap'::text, 'ok:PROP_202404_004', 'alice files a proposal with a stored query that approves as the caller');
SELECT pg_temp.state() AS st3 \gset
SELECT is(pg_temp.run('mg_dp_bob', $$SELECT modelgov.recheck_impact('PROP_202404_004')$$),
		  '25006 cannot execute SELECT FOR UPDATE in a read-only transaction',
		  'bob rechecking it: 25006');
SELECT is(pg_temp.state(), :'st3', 'and approves nothing');
SELECT is((SELECT count(*) FROM public.dp_sink), 1::bigint, 'and writes nothing');
SELECT is(current_setting('transaction_read_only'), 'off', 'read-only is undone');
SELECT is(pg_temp.run('mg_dp_carol', format($$SELECT modelgov.approve(%L, 'product_manager')$$, :'h5000')),
		  'ok:reviewed: waiting for approvals as model_science_lead, engineering_lead',
		  'carol approves herself right after: the transaction writes');
SELECT is(pg_temp.run('mg_dp_bob', format($$SELECT modelgov.approve(%L, 'model_science_lead')$$, :'h5000')),
		  'ok:reviewed: waiting for approvals as engineering_lead', 'and so does bob');

------------------------------------------------------------------------------
-- recheck_impact
------------------------------------------------------------------------------
CREATE TEMP TABLE rc (step text, r jsonb);
GRANT SELECT, INSERT ON rc TO PUBLIC;
SELECT is(pg_temp.run('mg_dp_carol', format('INSERT INTO pg_temp.rc SELECT ''fresh'', modelgov.recheck_impact(%L) RETURNING step', :'p1')),
		  'ok:fresh', 'carol rechecks the proposal right after it was filed');
SELECT is((SELECT r -> 'data_matches' FROM rc WHERE step = 'fresh'), 'true'::jsonb, 'the data matches');
SELECT is((SELECT r -> 'differences' FROM rc WHERE step = 'fresh'), '{}'::jsonb, 'no differences');
SELECT is((SELECT r - 'recorded' - 'now' FROM rc WHERE step = 'fresh'),
		  jsonb_build_object('proposal_id', :'p1', 'data_matches', true, 'differences', '{}'::jsonb,
							 'rows', jsonb_build_object('recorded', 1200, 'now', 1200),
							 'hash', jsonb_build_object('recorded', :'h1', 'now', :'h1')),
		  'the proposal, the rows and the hash, recorded and now');
SELECT is((SELECT r -> 'recorded' FROM rc WHERE step = 'fresh'),
		  (SELECT impact_analysis - 'sample' - 'youden_auto' - 'youden_escalate' FROM modelgov.proposals
			WHERE proposal_id = :'p1'),
		  'recorded is the impact analysis of the proposal without its sample block and the optimization''s J');
SELECT is((SELECT r -> 'now' FROM rc WHERE step = 'fresh'), :'imp'::jsonb,
		  'now is the impact computed here');
SELECT is(current_setting('transaction_read_only'), 'off', 'read-only ended with the recheck');
SELECT is(pg_temp.run('mg_dp_bob', format('SELECT modelgov.recheck_impact(%L)', :'p1')),
		  '42501 permission denied for table dp_lab', 'bob, who does not read dp_lab, gets 42501');
SELECT is(pg_temp.err('mg_dp_bob', format('SELECT modelgov.recheck_impact(%L)', :'h5000')),
		  '55000 proposal PROP_202404_002 has no sample query to recheck | Its impact analysis was written, not computed from a sample.',
		  'a proposal whose impact analysis has no sample query: 55000');
SELECT is(ARRAY[pg_temp.run('mg_dp_carol', 'SELECT modelgov.recheck_impact(NULL)'),
				pg_temp.run('mg_dp_carol', $$SELECT modelgov.recheck_impact('PROP_209912_999')$$)],
		  ARRAY['22004 modelgov.recheck_impact() needs proposal_id', '42704 proposal "PROP_209912_999" does not exist'],
		  'NULL is 22004, an unknown proposal 42704');

-- one label changes: a row 1.0.0 and 1.0.1 both decide AUTO turns out to
-- need a person
SELECT min(id) AS uid FROM public.dp_lab
 WHERE features[2] IS NOT NULL AND 0.5 * features[1] + 0.5 * features[2] < 0.15 AND correct = 'AUTO' \gset
UPDATE public.dp_lab SET correct = 'ESCALATE' WHERE id = :uid;
SELECT is(pg_temp.run('mg_dp_carol', format('INSERT INTO pg_temp.rc SELECT ''changed'', modelgov.recheck_impact(%L) RETURNING step', :'p1')),
		  'ok:changed', 'carol rechecks after one row of the sample changed');
SELECT is((SELECT r -> 'data_matches' FROM rc WHERE step = 'changed'), 'false'::jsonb, 'the data no longer matches');
SELECT is((SELECT ARRAY[r #> '{rows,now}', r #> '{hash,recorded}'] FROM rc WHERE step = 'changed'),
		  ARRAY['1200'::jsonb, to_jsonb(:'h1'::text)], 'as many rows, the recorded hash');
SELECT isnt((SELECT r #>> '{hash,now}' FROM rc WHERE step = 'changed'), :'h1', 'another hash now');
SELECT is((SELECT array_agg(k ORDER BY k) FROM rc, jsonb_object_keys(r -> 'differences') k WHERE step = 'changed'),
		  ARRAY['correct_auto_after', 'correct_auto_before', 'youden_improvement', 'youden_new', 'youden_old'],
		  'the keys that differ: the share of correct AUTO and the J of the AUTO boundary, before and after');
SELECT is((SELECT r -> 'differences' FROM rc WHERE step = 'changed'),
		  (SELECT jsonb_object_agg(k.key, jsonb_build_object('recorded', :'imp'::jsonb -> k.key, 'now', k.value))
			 FROM (SELECT modelgov.impact(d, pg_temp.dp_decision(features, :'ta'::float8, :'te'::float8, d), correct) AS i
					 FROM (SELECT *, modelgov.decide('dp', '1.0.0', features, candidate) AS d FROM public.dp_lab) x) n,
				  jsonb_each(n.i) k
			WHERE k.value IS DISTINCT FROM :'imp'::jsonb -> k.key),
		  'each with the recorded value and the one computed here now');

-- withdrawn, the proposal still rechecks: its target still scores
SELECT is(pg_temp.run('mg_dp_alice', format($$SELECT modelgov.withdraw(%L, 'after the relabelling')$$, :'p1')),
		  'ok:withdrawn: after the relabelling', 'alice withdraws the proposal');
SELECT is(pg_temp.run('mg_dp_carol', format('INSERT INTO pg_temp.rc SELECT ''withdrawn'', modelgov.recheck_impact(%L) RETURNING step', :'p1')),
		  'ok:withdrawn', 'carol rechecks the withdrawn proposal');
SELECT is((SELECT r -> 'now' FROM rc WHERE step = 'withdrawn'),
		  (SELECT modelgov.impact(modelgov.decide('dp', '1.0.0', features, candidate),
								  modelgov.decide('dp', '1.0.1', features, candidate), correct)
			 FROM public.dp_lab),
		  'now is the impact of 1.0.0 against the withdrawn target 1.0.1, scored here');
SELECT is((SELECT r -> 'now' FROM rc WHERE step = 'withdrawn'), (SELECT r -> 'now' FROM rc WHERE step = 'changed'),
		  'the same as before the withdrawal');
UPDATE public.dp_lab SET correct = 'AUTO' WHERE id = :uid;
SELECT is(pg_temp.run('mg_dp_carol', format('INSERT INTO pg_temp.rc SELECT ''restored'', modelgov.recheck_impact(%L) RETURNING step', :'p1')),
		  'ok:restored', 'carol rechecks once the label is back');
SELECT is((SELECT ARRAY[r -> 'data_matches', r -> 'differences'] FROM rc WHERE step = 'restored'),
		  ARRAY['true'::jsonb, '{}'::jsonb], 'the data matches again, no differences');

------------------------------------------------------------------------------
-- Defects found while writing this suite, fixed
------------------------------------------------------------------------------
SELECT is(pg_temp.probe(ARRAY['SET LOCAL extra_float_digits = 0'],
						format('SELECT modelgov.recheck_impact(%L) ->> ''data_matches''', :'p1')),
		  'true', 'a reviewer with extra_float_digits = 0 finds unchanged data unchanged');
CREATE FUNCTION public.dp_mg001() RETURNS int
	LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'the query''s own error' USING ERRCODE = 'MG001'; END$$;
SELECT is(pg_temp.error_of(format('SELECT modelgov.read_sample(''dp'', %L, ''1.0.0'')', :'q' || ' WHERE public.dp_mg001() = 1')),
		  'MG001 the query''s own error | ', 'the query''s error reaches the caller');
SELECT is(pg_temp.probe(ARRAY[
			$$SET LOCAL ROLE mg_dp_alice$$,
			format('SELECT modelgov.propose_thresholds(''dp'', %L)', :'q'),
			$$SELECT modelgov.propose('dp', 'bias_update', 'another open proposal', '{"biases": {"team1": 0.3}}', NULL, 'r', 'm')$$,
			$$RESET ROLE$$],
			$$SELECT modelgov.recheck_impact((SELECT proposal_id FROM modelgov.proposals
											   WHERE model = 'dp' AND change_type = 'threshold_change' AND status = 'proposed'))
					 ->> 'data_matches'$$),
		  'true', 'a proposal rechecks while another open proposal targets the same number');
SELECT is(pg_temp.probe(ARRAY[
			$$SET LOCAL ROLE mg_dp_alice$$,
			$$SELECT modelgov.propose('dp', 'bias_update', 'another open proposal', '{"biases": {"team1": 0.3}}', NULL, 'r', 'm')$$,
			$$RESET ROLE$$],
			format('SELECT modelgov.recheck_impact(%L) -> ''now'' = (SELECT r -> ''now'' FROM pg_temp.rc WHERE step = ''restored'')', :'p1')),
		  'true', 'a withdrawn proposal rechecks with its own configuration while an open one targets its number');
SELECT is(pg_temp.probe(ARRAY[
			$$SET LOCAL ROLE mg_dp_alice$$,
			$$SELECT modelgov.withdraw(modelgov.propose('dp', 'bias_update', 'another proposal', '{"biases": {"team1": 0.3}}', NULL, 'r', 'm'), 'no')$$,
			$$RESET ROLE$$],
			format('SELECT modelgov.recheck_impact(%L) ->> ''data_matches''', :'p1')),
		  'true', 'a withdrawn proposal rechecks while another withdrawn one had its number');

------------------------------------------------------------------------------
-- The hostile review's: a sample is exactly one query of its own; the
-- advisory locks it takes are released; sample_size counts labelled rows
------------------------------------------------------------------------------
SELECT is(pg_temp.error_of(format($$SELECT n FROM modelgov.read_sample('dp', %L, '1.0.0')$$,
			:'q' || ') s) SELECT 1; SELECT 2')),
		  '42601 the sample query is not one query: syntax error at or near ")" | ',
		  'a sample that closes the parentheses around it is refused (42601), before anything runs');
SELECT is(pg_temp.error_of(format($$SELECT n FROM modelgov.read_sample('dp', %L, '1.0.0')$$,
			:'q' || '; SELECT 1 AS features')),
		  '42P11 the sample query is not one query: cannot open multi-query plan as cursor | ',
		  'two statements are refused (42P11)');
SELECT is((SELECT n FROM modelgov.read_sample('dp', :'q' || ' -- a comment at its end', '1.0.0')), 1200::bigint,
		  'a comment at the end of the query ends with its line: the query reads its 1200 rows');
SELECT pg_advisory_lock(77) IS NOT NULL AS held \gset
SELECT string_agg(concat_ws('/', classid, objid, objsubid, mode), ',' ORDER BY 1) AS locks_before
  FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() \gset
SELECT is((SELECT n FROM modelgov.read_sample('dp', :'q' || ' WHERE pg_try_advisory_lock(424242) AND pg_try_advisory_lock(-5, -7)
														AND pg_try_advisory_lock_shared(3000000000) AND pg_try_advisory_lock(77)', '1.0.0')),
		  1200::bigint, 'a sample that takes advisory locks as the reader (read-only does not stop it)');
SELECT is((SELECT string_agg(concat_ws('/', classid, objid, objsubid, mode), ',' ORDER BY 1)
			 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()),
		  :'locks_before',
		  'leaves none of them behind (a lock key could carry what the reader may read), and keeps the reader''s own (77 among them)');
SELECT ok(:'locks_before' LIKE '%/77/1/ExclusiveLock%', 'control: the reader''s own lock 77 was among them');
SELECT pg_advisory_unlock(77) AS unlocked \gset
SELECT is((SELECT r.n || ' ' || (i ->> 'sample_size')
			 FROM modelgov.read_sample('dp', :'q' || ' WHERE id % 3 = 0 OR true', '1.0.0') AS r,
				  LATERAL (SELECT modelgov.impact(x.d, x.d, CASE WHEN x.k % 4 = 0 THEN x.y END) AS i
							 FROM unnest(r.decided, r.correct) WITH ORDINALITY AS x(d, y, k)) j),
		  '1200 300', 'impact() counts the labelled rows only (sample_size), not every row the query returned');

SELECT is((SELECT string_agg(proposal_id || ' ' || status, ', ') FROM modelgov.proposals WHERE model = 'dp'),
		  'PROP_202404_001 withdrawn', 'dp has the one proposal of this suite, withdrawn');
SELECT results_eq($$SELECT ok, first_bad_seq FROM modelgov.verify_audit_log()$$,
				  $$VALUES (true, NULL::bigint)$$, 'the audit chain verifies after everything');

SELECT * FROM finish();
ROLLBACK;
