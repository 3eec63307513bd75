--
-- backtest.sql
--		Backtest before approval (issue 13): the target version of a
--		proposal that no version holds yet scores, decides and explains
--		with the proposal's configuration.  Checked here: the decisions of
--		a target equal the evaluation rules computed in SQL from the
--		proposal's configuration, on random rows (setseed); an open
--		proposal comes before withdrawn ones of the same number; several of
--		a kind are 55000; a cursor keeps the configuration it started with
--		while a new statement of the same transaction reads the number
--		again; a role that is no member scores; the versioned forms are
--		STABLE.
--
-- Everything made here is rolled back with the transaction.  Run as a
-- superuser (pg_prove connects as postgres).
--
BEGIN;
\ir helpers.psql
SELECT plan(17);

SET LOCAL modelgov.clock = '2024-02-16 10:00:00+00';
CREATE ROLE mg_bt_alice NOLOGIN;
CREATE ROLE mg_bt_bob NOLOGIN;
CREATE ROLE mg_bt_nobody NOLOGIN;
GRANT USAGE ON SCHEMA modelgov TO mg_bt_alice, mg_bt_bob, mg_bt_nobody;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA modelgov TO mg_bt_alice, mg_bt_bob;
SELECT modelgov.create_model('bt',
	'{"features": [{"name": "f1"}, {"name": "f2"}], "weights": [0.5, 0.5],
	  "biases": {"default": 0.0, "vip": -0.05},
	  "thresholds": {"auto": 0.15, "escalate": 0.5}}', 'backtest suite') IS NOT NULL AS created \gset
SELECT modelgov.add_member('mg_bt_alice', 'alice@bt.com') IS NOT NULL AS added \gset
SELECT modelgov.add_member('mg_bt_bob', 'bob@bt.com') IS NOT NULL AS added \gset

SET LOCAL ROLE mg_bt_alice;
SELECT modelgov.propose('bt', 'threshold_change', 'higher auto, lower escalate',
	'{"threshold_auto": 0.3, "threshold_escalate": 0.4}', NULL, NULL, NULL) AS a \gset
RESET ROLE;

SELECT is((SELECT target_version::text FROM modelgov.proposals WHERE proposal_id = :'a'), '1.0.1',
	'the proposal targets 1.0.1, which no version holds');

-- random rows: two features in [0, 1), a candidate vip or not
SELECT setseed(0.13);
CREATE TEMP TABLE rows AS
SELECT i, ARRAY[random(), random()] AS x, CASE WHEN random() < 0.5 THEN 'vip' END AS c
  FROM generate_series(1, 500) AS i;

-- the evaluation rules in SQL, from the proposal's stored configuration
SELECT is((SELECT count(*) FROM rows r, modelgov.proposals p,
				LATERAL (SELECT greatest(0, least(1, 0.5 * r.x[1] + 0.5 * r.x[2]
						 + coalesce((p.config -> 'biases' ->> r.c)::float8,
									(p.config -> 'biases' ->> 'default')::float8)))) AS s(pr)
			WHERE p.proposal_id = :'a'
			  AND modelgov.decide('bt', '1.0.1', r.x, r.c)::text IS DISTINCT FROM
				  CASE WHEN s.pr < (p.config -> 'thresholds' ->> 'auto')::float8 THEN 'AUTO'
					   WHEN s.pr >= (p.config -> 'thresholds' ->> 'escalate')::float8 THEN 'ESCALATE'
					   ELSE 'ASK' END),
	0::bigint, 'decide of the target follows the proposal''s configuration on 500 random rows');
SELECT cmp_ok((SELECT count(*) FROM rows r
				WHERE modelgov.decide('bt', '1.0.1', r.x, r.c) <> modelgov.decide('bt', r.x, r.c)),
	'>', 0::bigint, 'and differs from the active version on some of them');
SELECT is((SELECT count(*) FROM rows r
			WHERE abs(modelgov.score('bt', '1.0.1', r.x, r.c) - modelgov.score('bt', r.x, r.c)) > 1e-12),
	0::bigint, 'a threshold change leaves the risk as it is');
SELECT is(modelgov.explain('bt', ARRAY[0.2, 0.2], NULL, '1.0.1') ->> 'proposal', :'a',
	'explain of the target names the proposal');
SELECT is(modelgov.explain('bt', ARRAY[0.2, 0.2], NULL, '1.0.0') ? 'proposal', false,
	'explain of a version has no proposal key');

-- a role that is no member scores: scoring is PUBLIC
SET LOCAL ROLE mg_bt_nobody;
SELECT is(modelgov.decide('bt', '1.0.1', ARRAY[0.2, 0.2])::text, 'AUTO', 'a role that is no member scores the target');
RESET ROLE;

-- a second open proposal of the same number
SET LOCAL ROLE mg_bt_bob;
SELECT modelgov.propose('bt', 'bias_update', 'vip calmer still',
	'{"biases": {"vip": -0.2}}', NULL, NULL, NULL) AS b \gset
RESET ROLE;
SELECT throws_ok($$SELECT modelgov.decide('bt', '1.0.1', ARRAY[0.2, 0.2])$$, '55000',
	'version 1.0.1 of model "bt" is the target of several open proposals',
	'two open proposals with one target: 55000');
SELECT is(pg_temp.error_of($$SELECT modelgov.score('bt', '1.0.1', ARRAY[0.2, 0.2])$$),
	format('55000 version 1.0.1 of model "bt" is the target of several open proposals | No version 1.0.1 exists yet, and %s (proposed), %s (proposed) all target it: the number does not say which configuration to score.', :'a', :'b'),
	'the error names both');

-- alice withdraws: bob's open proposal comes before her withdrawn one
SET LOCAL ROLE mg_bt_alice;
SELECT modelgov.withdraw(:'a', 'bob first') IS NOT NULL AS withdrawn \gset
RESET ROLE;
SELECT is(modelgov.explain('bt', ARRAY[0.2, 0.2], 'vip', '1.0.1') ->> 'proposal', :'b',
	'an open proposal comes before a withdrawn one of the same number');
SELECT is(modelgov.score('bt', '1.0.1', ARRAY[0.4, 0.4], 'vip')::numeric(10, 6), 0.2::numeric(10, 6),
	'and scores with its configuration (vip bias -0.2)');

-- a cursor keeps the configuration it started with; a new statement of
-- the same transaction reads the number again
DECLARE cur CURSOR FOR
	SELECT i, modelgov.score('bt', '1.0.1', ARRAY[0.4, 0.4], 'vip') AS p FROM generate_series(1, 2) AS i;
FETCH 1 FROM cur \gset first_
SELECT is(:'first_p'::numeric(10, 6), 0.2::numeric(10, 6), 'the cursor''s first row scores the open proposal');
SET LOCAL ROLE mg_bt_bob;
SELECT modelgov.withdraw(:'b', 'not now') IS NOT NULL AS withdrawn \gset
SELECT modelgov.propose('bt', 'bias_update', 'vip a little calmer',
	'{"biases": {"vip": -0.1}}', NULL, NULL, NULL) AS c \gset
RESET ROLE;
SELECT is((SELECT proposal_id FROM modelgov.proposals WHERE target_version::text = '1.0.1'
			AND status = 'proposed'), :'c', 'a third proposal targets 1.0.1, the only open one');
CREATE TEMP TABLE fetched (i int, p float8);
CREATE FUNCTION pg_temp.fetch_rest() RETURNS SETOF record LANGUAGE plpgsql AS $$
DECLARE
	r record;
	c refcursor := 'cur';
BEGIN
	FETCH c INTO r;
	RETURN NEXT r;
END
$$;
SELECT is((SELECT p::numeric(10, 6) FROM pg_temp.fetch_rest() AS f(i int, p float8)), 0.2::numeric(10, 6),
	'the cursor''s next row keeps the configuration it started with');
CLOSE cur;
SELECT is(modelgov.score('bt', '1.0.1', ARRAY[0.4, 0.4], 'vip')::numeric(10, 6), 0.3::numeric(10, 6),
	'a new statement scores the open proposal that targets the number now');

SELECT throws_ok($$SELECT modelgov.decide('bt', '1.0.7', ARRAY[0.2, 0.2])$$, '42704',
	'version 1.0.7 of model "bt" does not exist', 'a number nothing targets: 42704');

-- the versioned forms are STABLE (since 0.2.0), never IMMUTABLE: a
-- proposal's target may name another configuration in the next statement,
-- so no plan may fold a call with constant arguments
SELECT is((SELECT string_agg(DISTINCT provolatile::text, '') FROM pg_proc
			WHERE oid = ANY (ARRAY['modelgov.decide(text, modelgov.semver, float8[], text)'::regprocedure,
								   'modelgov.score(text, modelgov.semver, float8[], text)'::regprocedure])),
	's', 'the versioned forms are STABLE');

SELECT * FROM finish();
ROLLBACK;
