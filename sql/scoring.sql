--
-- Scoring: the model evaluated inside queries
--
-- Each function names its model as its first argument; the 0.1.0 forms
-- without one score the only model of a database that holds one model.
-- All are STABLE: one statement evaluates every row of a model with one
-- version.  The versioned ones too, although a version never changes:
-- retiring its model, or creating a second model (for the 0.1.0 forms),
-- changes their outcome, which a plan must not have folded.  All are
-- PARALLEL SAFE, and none is STRICT: NULL features give
-- the documented result instead of failing a batch, and a NULL model name
-- gives NULL.
--

CREATE TYPE modelgov.decision AS ENUM ('AUTO', 'ASK', 'ESCALATE');
COMMENT ON TYPE modelgov.decision IS
	'outcome of scoring, ordered from least to most cautious';

CREATE FUNCTION modelgov.score(features float8[], candidate text DEFAULT NULL)
	RETURNS float8
	AS 'MODULE_PATHNAME', 'mg_score'
	LANGUAGE C STABLE PARALLEL SAFE COST 10;
CREATE FUNCTION modelgov.decide(features float8[], candidate text DEFAULT NULL)
	RETURNS modelgov.decision
	AS 'MODULE_PATHNAME', 'mg_decide'
	LANGUAGE C STABLE PARALLEL SAFE COST 10;
CREATE FUNCTION modelgov.score(f1 float8, f2 float8, f3 float8, f4 float8, candidate text DEFAULT NULL)
	RETURNS float8
	AS 'MODULE_PATHNAME', 'mg_score4'
	LANGUAGE C STABLE PARALLEL SAFE COST 5;
CREATE FUNCTION modelgov.decide(f1 float8, f2 float8, f3 float8, f4 float8, candidate text DEFAULT NULL)
	RETURNS modelgov.decision
	AS 'MODULE_PATHNAME', 'mg_decide4'
	LANGUAGE C STABLE PARALLEL SAFE COST 5;
CREATE FUNCTION modelgov.score(version modelgov.semver, features float8[], candidate text DEFAULT NULL)
	RETURNS float8
	AS 'MODULE_PATHNAME', 'mg_score_version'
	LANGUAGE C STABLE PARALLEL SAFE COST 10;
CREATE FUNCTION modelgov.decide(version modelgov.semver, features float8[], candidate text DEFAULT NULL)
	RETURNS modelgov.decision
	AS 'MODULE_PATHNAME', 'mg_decide_version'
	LANGUAGE C STABLE PARALLEL SAFE COST 10;
CREATE FUNCTION modelgov.explain(features float8[], candidate text DEFAULT NULL,
								 version modelgov.semver DEFAULT NULL)
	RETURNS jsonb
	AS 'MODULE_PATHNAME', 'mg_explain'
	LANGUAGE C STABLE PARALLEL SAFE COST 100;
CREATE FUNCTION modelgov.score(model text, features float8[], candidate text DEFAULT NULL)
	RETURNS float8
	AS 'MODULE_PATHNAME', 'mg_score_model'
	LANGUAGE C STABLE PARALLEL SAFE COST 10;
CREATE FUNCTION modelgov.decide(model text, features float8[], candidate text DEFAULT NULL)
	RETURNS modelgov.decision
	AS 'MODULE_PATHNAME', 'mg_decide_model'
	LANGUAGE C STABLE PARALLEL SAFE COST 10;
CREATE FUNCTION modelgov.score(model text, f1 float8, f2 float8, f3 float8, f4 float8,
							   candidate text DEFAULT NULL)
	RETURNS float8
	AS 'MODULE_PATHNAME', 'mg_score4_model'
	LANGUAGE C STABLE PARALLEL SAFE COST 5;
CREATE FUNCTION modelgov.decide(model text, f1 float8, f2 float8, f3 float8, f4 float8,
								candidate text DEFAULT NULL)
	RETURNS modelgov.decision
	AS 'MODULE_PATHNAME', 'mg_decide4_model'
	LANGUAGE C STABLE PARALLEL SAFE COST 5;
CREATE FUNCTION modelgov.score(model text, version modelgov.semver, features float8[],
							   candidate text DEFAULT NULL)
	RETURNS float8
	AS 'MODULE_PATHNAME', 'mg_score_model_version'
	LANGUAGE C STABLE PARALLEL SAFE COST 10;
CREATE FUNCTION modelgov.decide(model text, version modelgov.semver, features float8[],
								candidate text DEFAULT NULL)
	RETURNS modelgov.decision
	AS 'MODULE_PATHNAME', 'mg_decide_model_version'
	LANGUAGE C STABLE PARALLEL SAFE COST 10;
CREATE FUNCTION modelgov.explain(model text, features float8[], candidate text DEFAULT NULL,
								 version modelgov.semver DEFAULT NULL)
	RETURNS jsonb
	AS 'MODULE_PATHNAME', 'mg_explain_model'
	LANGUAGE C STABLE PARALLEL SAFE COST 100;
CREATE FUNCTION modelgov.cache_stats(OUT loads bigint, OUT hits bigint, OUT invalidations bigint,
									 OUT compiled_versions integer, OUT active_version text,
									 OUT last_load_ms float8, OUT evictions bigint, OUT cache_bytes bigint,
									 OUT active_versions jsonb)
	AS 'MODULE_PATHNAME', 'mg_cache_stats'
	LANGUAGE C VOLATILE PARALLEL SAFE;

COMMENT ON FUNCTION modelgov.score(text, float8[], text) IS
	'calibrated risk in [0, 1] by the active production version of the named model; NULL when a feature is missing';
COMMENT ON FUNCTION modelgov.decide(text, float8[], text) IS
	'AUTO, ASK or ESCALATE by the active production version of the named model';
COMMENT ON FUNCTION modelgov.score(text, float8, float8, float8, float8, text) IS
	'score() of the named model with four features passed separately, with no array per row';
COMMENT ON FUNCTION modelgov.decide(text, float8, float8, float8, float8, text) IS
	'decide() of the named model with four features passed separately, with no array per row';
COMMENT ON FUNCTION modelgov.score(text, modelgov.semver, float8[], text) IS
	'score() by a given version of the named model, for backtests and shadow scoring';
COMMENT ON FUNCTION modelgov.decide(text, modelgov.semver, float8[], text) IS
	'decide() by a given version of the named model, for backtests and shadow scoring';
COMMENT ON FUNCTION modelgov.explain(text, float8[], text, modelgov.semver) IS
	'how the named model reached a decision: contributions, bias, z, p, thresholds, rules fired';
COMMENT ON FUNCTION modelgov.score(float8[], text) IS
	'deprecated: score() of the only model of a database that holds one model';
COMMENT ON FUNCTION modelgov.decide(float8[], text) IS
	'deprecated: decide() of the only model of a database that holds one model';
COMMENT ON FUNCTION modelgov.score(float8, float8, float8, float8, text) IS
	'deprecated: the four-feature score() of the only model of a database that holds one model';
COMMENT ON FUNCTION modelgov.decide(float8, float8, float8, float8, text) IS
	'deprecated: the four-feature decide() of the only model of a database that holds one model';
COMMENT ON FUNCTION modelgov.score(modelgov.semver, float8[], text) IS
	'deprecated: score() by a given version of the only model of a database that holds one model';
COMMENT ON FUNCTION modelgov.decide(modelgov.semver, float8[], text) IS
	'deprecated: decide() by a given version of the only model of a database that holds one model';
COMMENT ON FUNCTION modelgov.explain(float8[], text, modelgov.semver) IS
	'deprecated: explain() of the only model of a database that holds one model';
COMMENT ON FUNCTION modelgov.cache_stats() IS
	'this backend''s model cache: loads, statement hits, invalidations, compiled versions, active version (when it resolved one model), duration of the last load, versions evicted (modelgov.max_cached_versions), bytes held, and the active version of each model it resolved';
