--
-- DROP EXTENSION and CREATE EXTENSION while a cursor that scores is open
-- in the same session.  The cursor's model is gone with the extension: its
-- next FETCH fails, never scores with the new extension's model (here one
-- of 1,000 features, whose buffers the old call site never had), and the
-- backend stays up.  Statements that start afterwards use the new model.
-- A version written and scored in a transaction that rolls back is
-- forgotten with it.
--
CREATE DATABASE modelgov_redefine_regress;
\c modelgov_redefine_regress
SET client_min_messages = warning;
CREATE EXTENSION modelgov;
RESET client_min_messages;
\set SHOW_CONTEXT never

SELECT modelgov.init_model('{"weights": [0.25, 0.25, 0.25, 0.25], "thresholds": {"auto": 0.15, "escalate": 0.5}}');

BEGIN;
DECLARE active_cur CURSOR FOR
	SELECT g, modelgov.score(0.3, 0.3, 0.3, 0.3), modelgov.decide(ARRAY[0.3, 0.3, 0.3, 0.3])
	  FROM generate_series(1, 100) g;
-- (g * 0 makes the features a per-row expression, so that no plan can
-- evaluate the versioned call once, whatever its volatility label)
DECLARE versioned_cur CURSOR FOR
	SELECT g, modelgov.score('1.0.0'::modelgov.semver, ARRAY[g * 0 + 0.3, 0.3, 0.3, 0.3])
	  FROM generate_series(1, 100) g;
-- the named forms pin the model "default" by name
DECLARE named_cur CURSOR FOR
	SELECT g, modelgov.score('default', 0.3, 0.3, 0.3, 0.3),
		   modelgov.decide('default', '1.0.0', ARRAY[g * 0 + 0.3, 0.3, 0.3, 0.3])
	  FROM generate_series(1, 100) g;
FETCH 2 FROM active_cur;
FETCH 2 FROM versioned_cur;
FETCH 2 FROM named_cur;
DROP EXTENSION modelgov;
CREATE EXTENSION modelgov;
-- 1.0.0 again, now with 1,000 features (996 of them defaulted)
SELECT modelgov.init_model(jsonb_build_object(
	'features', (SELECT jsonb_agg(CASE WHEN i <= 4 THEN jsonb_build_object('name', 'f' || i)
									   ELSE jsonb_build_object('name', 'f' || i, 'default', 1e10) END
								  ORDER BY i)
				   FROM generate_series(1, 1000) i),
	'weights', (SELECT jsonb_agg(0.001) FROM generate_series(1, 1000)),
	'thresholds', '{"auto": 0.1, "escalate": 0.2}'::jsonb));
-- a new statement scores with the new model
SELECT modelgov.score(0.3, 0.3, 0.3, 0.3) AS new_model;
SAVEPOINT s;
FETCH 5 FROM active_cur;
ROLLBACK TO s;
FETCH 5 FROM versioned_cur;
ROLLBACK TO s;
FETCH 5 FROM named_cur;
ROLLBACK;

-- the backend is alive; the rollback brought the first extension back, and
-- its model scores
SELECT modelgov.score(0.3, 0.3, 0.3, 0.3) AS first_model, modelgov.decide(0.3, 0.3, 0.3, 0.3),
	   modelgov.score('default', 0.3, 0.3, 0.3, 0.3) AS by_name;

-- A version written and scored in a transaction, or a subtransaction, that
-- rolls back is forgotten with it: the same number later holds another
-- configuration, and this backend scores with that one.
CREATE TABLE one_row AS SELECT 0.9::float8 AS f1, 0.1::float8 AS f2, 0.2::float8 AS f3, 0.1::float8 AS f4;
BEGIN;
INSERT INTO modelgov.versions (version, config, created_at, status, model)
	VALUES ('2.0.0', modelgov_internal.normalize_config(
		'{"weights": [1, 0, 0, 0], "thresholds": {"auto": 0.15, "escalate": 0.5}}'), now(), 'approved', 'default');
SELECT modelgov.score('2.0.0'::modelgov.semver, ARRAY[f1, f2, f3, f4]) AS rolled_back_version FROM one_row;
ROLLBACK;
BEGIN;
SAVEPOINT s;
INSERT INTO modelgov.versions (version, config, created_at, status, model)
	VALUES ('2.0.0', modelgov_internal.normalize_config(
		'{"weights": [0, 1, 0, 0], "thresholds": {"auto": 0.15, "escalate": 0.5}}'), now(), 'approved', 'default');
SELECT modelgov.score('2.0.0'::modelgov.semver, ARRAY[f1, f2, f3, f4]) AS rolled_back_subtransaction FROM one_row;
ROLLBACK TO s;
INSERT INTO modelgov.versions (version, config, created_at, status, model)
	VALUES ('2.0.0', modelgov_internal.normalize_config(
		'{"weights": [0, 0, 1, 0], "thresholds": {"auto": 0.15, "escalate": 0.5}}'), now(), 'approved', 'default');
SELECT modelgov.score('2.0.0'::modelgov.semver, ARRAY[f1, f2, f3, f4]) AS this_one FROM one_row;
COMMIT;
SELECT modelgov.score('2.0.0'::modelgov.semver, ARRAY[f1, f2, f3, f4]) AS after_commit,
	   modelgov.score('default', '2.0.0', ARRAY[f1, f2, f3, f4]) AS after_commit_by_name
  FROM one_row;
-- the first version too: init_model rolled back, then another 1.0.0
DROP EXTENSION modelgov;
CREATE EXTENSION modelgov;
BEGIN;
SELECT modelgov.init_model('{"weights": [1, 0, 0, 0], "thresholds": {"auto": 0.15, "escalate": 0.5}}');
SELECT modelgov.score(f1, f2, f3, f4) AS rolled_back_init FROM one_row;
ROLLBACK;
SELECT modelgov.init_model('{"weights": [0, 0, 0, 1], "thresholds": {"auto": 0.15, "escalate": 0.5}}');
SELECT modelgov.score(f1, f2, f3, f4) AS active, modelgov.score('1.0.0'::modelgov.semver, ARRAY[f1, f2, f3, f4]) AS versioned,
	   modelgov.score('default', '1.0.0', ARRAY[f1, f2, f3, f4]) AS versioned_by_name
  FROM one_row;

\c contrib_regression
DROP DATABASE modelgov_redefine_regress;
