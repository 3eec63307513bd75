--
-- fit_logistic(x, label [, l2]): logistic regression with an intercept by
-- Newton's method, as an aggregate (src/logistic.c, src/logistic_core.c)
--

-- The state (internal) holds every row: 8 bytes per column of x and one
-- byte per label.  Parallel workers' states are serialized to bytea and
-- concatenated by the combine function.
CREATE FUNCTION modelgov_internal.fit_logistic_add(state internal, x float8[], label boolean) RETURNS internal
	AS 'MODULE_PATHNAME', 'mg_fit_logistic_add'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION modelgov_internal.fit_logistic_add(state internal, x float8[], label boolean, l2 float8) RETURNS internal
	AS 'MODULE_PATHNAME', 'mg_fit_logistic_add_l2'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION modelgov_internal.fit_logistic_combine(a internal, b internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'mg_fit_logistic_combine'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION modelgov_internal.fit_logistic_serialize(state internal) RETURNS bytea
	AS 'MODULE_PATHNAME', 'mg_fit_logistic_serialize'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION modelgov_internal.fit_logistic_deserialize(data bytea, dummy internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'mg_fit_logistic_deserialize'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION modelgov_internal.fit_logistic_final(state internal) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'mg_fit_logistic_final'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION modelgov_internal.fit_logistic_add(internal, float8[], boolean) IS
	'internal: fit_logistic transition (holds the row)';
COMMENT ON FUNCTION modelgov_internal.fit_logistic_add(internal, float8[], boolean, float8) IS
	'internal: fit_logistic transition with an l2 penalty (holds the row)';
COMMENT ON FUNCTION modelgov_internal.fit_logistic_combine(internal, internal) IS
	'internal: fit_logistic combine (concatenates the rows of two partial states)';
COMMENT ON FUNCTION modelgov_internal.fit_logistic_serialize(internal) IS
	'internal: fit_logistic partial state to bytea';
COMMENT ON FUNCTION modelgov_internal.fit_logistic_deserialize(bytea, internal) IS
	'internal: fit_logistic partial state from bytea';
COMMENT ON FUNCTION modelgov_internal.fit_logistic_final(internal) IS
	'internal: fit_logistic final (runs the Newton iterations)';

CREATE AGGREGATE modelgov.fit_logistic(x float8[], label boolean) (
	SFUNC = modelgov_internal.fit_logistic_add,
	STYPE = internal,
	FINALFUNC = modelgov_internal.fit_logistic_final,
	COMBINEFUNC = modelgov_internal.fit_logistic_combine,
	SERIALFUNC = modelgov_internal.fit_logistic_serialize,
	DESERIALFUNC = modelgov_internal.fit_logistic_deserialize,
	PARALLEL = SAFE
);
CREATE AGGREGATE modelgov.fit_logistic(x float8[], label boolean, l2 float8) (
	SFUNC = modelgov_internal.fit_logistic_add,
	STYPE = internal,
	FINALFUNC = modelgov_internal.fit_logistic_final,
	COMBINEFUNC = modelgov_internal.fit_logistic_combine,
	SERIALFUNC = modelgov_internal.fit_logistic_serialize,
	DESERIALFUNC = modelgov_internal.fit_logistic_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE modelgov.fit_logistic(float8[], boolean) IS
	'logistic regression of label on x with an intercept (Newton/IRLS): weights, intercept, converged, iterations, n, log_loss, skipped, reason';
COMMENT ON AGGREGATE modelgov.fit_logistic(float8[], boolean, float8) IS
	'logistic regression of label on x with an intercept and a ridge penalty (l2 / 2) * sum(w^2) on the weights, l2 the same on every row';
