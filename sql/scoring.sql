--
-- Scoring: the model evaluated inside queries
--
-- Active-version functions are STABLE: one statement evaluates every row
-- with one version.  Versioned ones are IMMUTABLE: a version never
-- changes.  All are PARALLEL SAFE, and none is STRICT: NULL features give
-- the documented result instead of failing a batch.
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
	LANGUAGE C IMMUTABLE PARALLEL SAFE COST 10;
CREATE FUNCTION modelgov.decide(version modelgov.semver, features float8[], candidate text DEFAULT NULL)
	RETURNS modelgov.decision
	AS 'MODULE_PATHNAME', 'mg_decide_version'
	LANGUAGE C IMMUTABLE PARALLEL SAFE COST 10;
CREATE FUNCTION modelgov.explain(features float8[], candidate text DEFAULT NULL,
								 version modelgov.semver DEFAULT NULL)
	RETURNS jsonb
	AS 'MODULE_PATHNAME', 'mg_explain'
	LANGUAGE C STABLE PARALLEL SAFE COST 100;
CREATE FUNCTION modelgov.cache_stats(OUT loads bigint, OUT hits bigint, OUT invalidations bigint,
									 OUT compiled_versions integer, OUT active_version text,
									 OUT last_load_ms float8, OUT evictions bigint, OUT cache_bytes bigint)
	AS 'MODULE_PATHNAME', 'mg_cache_stats'
	LANGUAGE C VOLATILE PARALLEL SAFE;

COMMENT ON FUNCTION modelgov.score(float8[], text) IS
	'calibrated risk in [0, 1] of the active production version; NULL when a feature is missing';
COMMENT ON FUNCTION modelgov.decide(float8[], text) IS
	'AUTO, ASK or ESCALATE by the active production version';
COMMENT ON FUNCTION modelgov.score(float8, float8, float8, float8, text) IS
	'score() of four features passed separately, with no array per row';
COMMENT ON FUNCTION modelgov.decide(float8, float8, float8, float8, text) IS
	'decide() of four features passed separately, with no array per row';
COMMENT ON FUNCTION modelgov.score(modelgov.semver, float8[], text) IS
	'score() by a given version, for backtests and shadow scoring';
COMMENT ON FUNCTION modelgov.decide(modelgov.semver, float8[], text) IS
	'decide() by a given version, for backtests and shadow scoring';
COMMENT ON FUNCTION modelgov.explain(float8[], text, modelgov.semver) IS
	'how a decision was reached: contributions, bias, z, p, thresholds, rules fired';
COMMENT ON FUNCTION modelgov.cache_stats() IS
	'this backend''s model cache: loads, statement hits, invalidations, compiled versions, active version, duration of the last load, versions evicted (modelgov.max_cached_versions), bytes held';
