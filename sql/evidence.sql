--
-- Evidence from labelled rows (issue 13): the aggregates evaluation,
-- optimize_thresholds and impact.  In C (src/evidence.c, with the
-- computations in src/evidence_core.c), parallel safe: each has combine,
-- serialize and deserialize functions.  The support functions live in
-- modelgov_internal (not executable by PUBLIC: an aggregate calls them
-- with its owner's rights).
--
-- evaluation and optimize_thresholds hold every row (8 bytes a row, at
-- most 100,000,000 rows: 54000 past it) to be exact; their final function
-- sorts the held rows in place, once, which may run again on the same
-- state, hence FINALFUNC_MODIFY = READ_ONLY.
--

CREATE FUNCTION modelgov_internal.evaluation_add(state internal, p float8, label boolean) RETURNS internal
	AS 'MODULE_PATHNAME', 'mg_evaluation_add'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION modelgov_internal.evaluation_final(state internal) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'mg_evaluation_final'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION modelgov_internal.optimize_thresholds_add(state internal, p float8, correct modelgov.decision)
	RETURNS internal
	AS 'MODULE_PATHNAME', 'mg_optimize_thresholds_add'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION modelgov_internal.optimize_thresholds_final(state internal) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'mg_optimize_thresholds_final'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION modelgov_internal.evidence_points_combine(a internal, b internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'mg_evidence_points_combine'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION modelgov_internal.evidence_points_serialize(state internal) RETURNS bytea
	AS 'MODULE_PATHNAME', 'mg_evidence_points_serialize'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION modelgov_internal.evidence_points_deserialize(state bytea, dummy internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'mg_evidence_points_deserialize'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION modelgov_internal.impact_add(state internal, old modelgov.decision, new modelgov.decision,
											 correct modelgov.decision) RETURNS internal
	AS 'MODULE_PATHNAME', 'mg_impact_add'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION modelgov_internal.impact_combine(a internal, b internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'mg_impact_combine'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION modelgov_internal.impact_serialize(state internal) RETURNS bytea
	AS 'MODULE_PATHNAME', 'mg_impact_serialize'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION modelgov_internal.impact_deserialize(state bytea, dummy internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'mg_impact_deserialize'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION modelgov_internal.impact_final(state internal) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'mg_impact_final'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION modelgov_internal.evaluation_add(internal, float8, boolean) IS 'internal: evaluation transition';
COMMENT ON FUNCTION modelgov_internal.evaluation_final(internal) IS 'internal: evaluation final';
COMMENT ON FUNCTION modelgov_internal.optimize_thresholds_add(internal, float8, modelgov.decision) IS
	'internal: optimize_thresholds transition';
COMMENT ON FUNCTION modelgov_internal.optimize_thresholds_final(internal) IS 'internal: optimize_thresholds final';
COMMENT ON FUNCTION modelgov_internal.evidence_points_combine(internal, internal) IS
	'internal: evaluation and optimize_thresholds combine';
COMMENT ON FUNCTION modelgov_internal.evidence_points_serialize(internal) IS
	'internal: evaluation and optimize_thresholds serialize';
COMMENT ON FUNCTION modelgov_internal.evidence_points_deserialize(bytea, internal) IS
	'internal: evaluation and optimize_thresholds deserialize';
COMMENT ON FUNCTION modelgov_internal.impact_add(internal, modelgov.decision, modelgov.decision, modelgov.decision) IS
	'internal: impact transition';
COMMENT ON FUNCTION modelgov_internal.impact_combine(internal, internal) IS 'internal: impact combine';
COMMENT ON FUNCTION modelgov_internal.impact_serialize(internal) IS 'internal: impact serialize';
COMMENT ON FUNCTION modelgov_internal.impact_deserialize(bytea, internal) IS 'internal: impact deserialize';
COMMENT ON FUNCTION modelgov_internal.impact_final(internal) IS 'internal: impact final';

CREATE AGGREGATE modelgov.evaluation(p float8, label boolean) (
	SFUNC = modelgov_internal.evaluation_add,
	STYPE = internal,
	SSPACE = 8192,
	FINALFUNC = modelgov_internal.evaluation_final,
	FINALFUNC_MODIFY = READ_ONLY,
	COMBINEFUNC = modelgov_internal.evidence_points_combine,
	SERIALFUNC = modelgov_internal.evidence_points_serialize,
	DESERIALFUNC = modelgov_internal.evidence_points_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE modelgov.evaluation(float8, boolean) IS
	'how well a risk p separates the rows that needed a person (label true): n, positives, auc, brier, log_loss, '
	'youden_j, youden_threshold, skipped (rows with a NULL), note; holds 8 bytes a row, at most 100,000,000 rows';

CREATE AGGREGATE modelgov.optimize_thresholds(p float8, correct modelgov.decision) (
	SFUNC = modelgov_internal.optimize_thresholds_add,
	STYPE = internal,
	SSPACE = 8192,
	FINALFUNC = modelgov_internal.optimize_thresholds_final,
	FINALFUNC_MODIFY = READ_ONLY,
	COMBINEFUNC = modelgov_internal.evidence_points_combine,
	SERIALFUNC = modelgov_internal.evidence_points_serialize,
	DESERIALFUNC = modelgov_internal.evidence_points_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE modelgov.optimize_thresholds(float8, modelgov.decision) IS
	'the ROC/Youden thresholds of a version from labelled risks: auto, escalate, youden_auto, youden_escalate, '
	'n, skipped, note (crossed optima, undefined thresholds); holds 8 bytes a row, at most 100,000,000 rows';

CREATE AGGREGATE modelgov.impact(old modelgov.decision, new modelgov.decision, correct modelgov.decision) (
	SFUNC = modelgov_internal.impact_add,
	STYPE = internal,
	SSPACE = 224,
	FINALFUNC = modelgov_internal.impact_final,
	COMBINEFUNC = modelgov_internal.impact_combine,
	SERIALFUNC = modelgov_internal.impact_serialize,
	DESERIALFUNC = modelgov_internal.impact_deserialize,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE modelgov.impact(modelgov.decision, modelgov.decision, modelgov.decision) IS
	'the impact analysis of a change from a labelled sample: sample_size, expected_auto_resolve_rate, '
	'expected_escalate_rate, old_auto_resolve_rate, old_escalate_rate, correct_auto_before, correct_auto_after, '
	'youden_old, youden_new, youden_improvement, transitions (all nine old->new pairs), skipped, note';
