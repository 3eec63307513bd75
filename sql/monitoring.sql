--
-- Lifecycle: monitoring (part of the install script, see the Makefile)
--

--
-- Daily metrics.  One row per version and day; recording a day again is
-- refused, and a correction is an explicit, audited new revision.
--

CREATE TABLE modelgov.daily_metrics (
	version			modelgov.semver NOT NULL,
	day				date NOT NULL,
	revision		integer NOT NULL CHECK (revision OPERATOR(pg_catalog.>) 0),
	metrics			jsonb NOT NULL,
	recorded_at		timestamptz NOT NULL,
	recorded_by		text NOT NULL,
	reason			text,
	CHECK ((revision OPERATOR(pg_catalog.=) 1) OPERATOR(pg_catalog.=) (reason IS NULL)),
	model			text NOT NULL REFERENCES modelgov.models,
	PRIMARY KEY (model, version, day, revision),
	FOREIGN KEY (model, version) REFERENCES modelgov.versions (model, version)
);
COMMENT ON TABLE modelgov.daily_metrics IS
	'daily production metrics per model and version; corrections are later revisions with a reason';
COMMENT ON COLUMN modelgov.daily_metrics.revision IS '1 as recorded, then one more per correction';
SELECT pg_catalog.pg_extension_config_dump('modelgov.daily_metrics', '');
GRANT SELECT ON modelgov.daily_metrics TO PUBLIC;

CREATE VIEW modelgov.metrics AS
	SELECT DISTINCT ON (m.model, m.version, m.day)
		   m.model, m.version, m.day, m.metrics, m.revision, m.recorded_at, m.recorded_by
	  FROM modelgov.daily_metrics m
	 ORDER BY m.model, m.version, m.day, m.revision DESC;
COMMENT ON VIEW modelgov.metrics IS 'the metrics in force for each model, version and day (the latest revision)';
GRANT SELECT ON modelgov.metrics TO PUBLIC;

/* Validate a metrics object: known keys, counts, rates and times. */
CREATE FUNCTION modelgov_internal.check_metrics(metrics jsonb) RETURNS jsonb
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	k text;
	v jsonb;
	n numeric;
BEGIN
	IF metrics IS NULL OR jsonb_typeof(metrics) <> 'object' THEN
		RAISE EXCEPTION 'invalid metrics' USING ERRCODE = 'invalid_parameter_value',
			DETAIL = 'Metrics are a JSON object of numbers.';
	END IF;
	FOR k, v IN SELECT * FROM jsonb_each(metrics) LOOP
		IF jsonb_typeof(v) <> 'number' THEN
			RAISE EXCEPTION 'invalid metrics' USING ERRCODE = 'invalid_parameter_value',
				DETAIL = format('Metric "%s" must be a number, not %s.', k, v);
		END IF;
		n := v::text::numeric;
		IF abs(n) > 1e300 THEN
			RAISE EXCEPTION 'invalid metrics' USING ERRCODE = 'invalid_parameter_value',
				DETAIL = format('Metric "%s" is too large: %s.', k, left(v::text, 40));
		END IF;
		IF k = ANY (ARRAY['decisions', 'auto', 'ask', 'escalate', 'errors'])
		   AND (n < 0 OR n <> trunc(n)) THEN
			RAISE EXCEPTION 'invalid metrics' USING ERRCODE = 'invalid_parameter_value',
				DETAIL = format('Metric "%s" is a count, not %s.', k, v);
		END IF;
		IF k = 'latency_p99_ms' AND n < 0 THEN
			RAISE EXCEPTION 'invalid metrics' USING ERRCODE = 'invalid_parameter_value',
				DETAIL = format('Metric "latency_p99_ms" cannot be negative: %s.', v);
		END IF;
		IF k NOT IN ('decisions', 'auto', 'ask', 'escalate', 'errors', 'latency_p99_ms')
		   AND (n < 0 OR n > 1) THEN
			RAISE EXCEPTION 'invalid metrics' USING ERRCODE = 'invalid_parameter_value',
				DETAIL = format('Metric "%s" is a rate between 0 and 1, not %s.', k, v);
		END IF;
	END LOOP;
	IF metrics ? 'decisions' AND
	   (COALESCE((metrics ->> 'auto')::numeric, 0)
		+ COALESCE((metrics ->> 'ask')::numeric, 0)
		+ COALESCE((metrics ->> 'escalate')::numeric, 0))
	   > (metrics ->> 'decisions')::numeric THEN
		RAISE EXCEPTION 'invalid metrics' USING ERRCODE = 'invalid_parameter_value',
			DETAIL = 'auto + ask + escalate exceed decisions.';
	END IF;
	IF (metrics ->> 'errors')::numeric > (metrics ->> 'decisions')::numeric THEN
		RAISE EXCEPTION 'invalid metrics' USING ERRCODE = 'invalid_parameter_value',
			DETAIL = 'errors exceed decisions.';
	END IF;
	RETURN metrics;
END
$$;
COMMENT ON FUNCTION modelgov_internal.check_metrics(jsonb) IS
	'internal: validate daily metrics (counts, rates in [0, 1], latency), or 22023';

CREATE FUNCTION modelgov_internal.record_metrics(model text, version modelgov.semver, day date, metrics jsonb)
	RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	mdl modelgov.models := modelgov_internal.lock_model(model);
	m modelgov.members := modelgov_internal.require_duty('deployer', 'record metrics', mdl.name);
	v modelgov.versions;
BEGIN
	IF version IS NULL OR day IS NULL THEN
		RAISE EXCEPTION 'version and day must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	v := modelgov_internal.require_version(mdl.name, version);
	IF v.released_at IS NULL THEN
		RAISE EXCEPTION 'version % has never run in production', version
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	IF day > timezone('UTC', modelgov.clock_now())::date THEN
		RAISE EXCEPTION 'cannot record metrics for %, a day in the future', day
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = format('Today is %s (UTC).', timezone('UTC', modelgov.clock_now())::date);
	END IF;
	IF day < timezone('UTC', v.released_at)::date THEN
		RAISE EXCEPTION 'version % was not in production on %', v.version, day
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = format('It first ran in production on %s (UTC).',
											 timezone('UTC', v.released_at)::date);
	END IF;
	PERFORM pg_advisory_xact_lock(hashtext('modelgov.daily_metrics'));
	IF EXISTS (SELECT 1 FROM modelgov.daily_metrics d
				WHERE d.model = mdl.name AND d.version OPERATOR(modelgov.=) v.version AND d.day = day) THEN
		RAISE EXCEPTION 'metrics of version % for % are already recorded', v.version, day
			USING ERRCODE = 'unique_violation',
				  HINT = 'Recorded metrics are not replaced; use modelgov.correct_metrics() with a reason.';
	END IF;
	INSERT INTO modelgov.daily_metrics (version, day, revision, metrics, recorded_at, recorded_by, reason, model)
		VALUES (v.version, day, 1, modelgov_internal.check_metrics(metrics), modelgov.clock_now(), m.role_name,
				NULL, mdl.name);
	PERFORM modelgov_internal.audit('metrics', version => v.version, proposal_id => v.proposal_id, model => mdl.name,
							details => jsonb_build_object('day', day, 'metrics', metrics,
																	 'recorded_by', m.identity));
END
$$;
CREATE FUNCTION modelgov.record_metrics(model text, version modelgov.semver, day date, metrics jsonb)
	RETURNS void
	AS 'MODULE_PATHNAME', 'mg_governance_call'
	LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION modelgov_internal.record_metrics(text, modelgov.semver, date, jsonb) IS
	'internal: the body of modelgov.record_metrics, which runs it for the role that acts (src/governance.c)';
COMMENT ON FUNCTION modelgov.record_metrics(text, modelgov.semver, date, jsonb) IS
	'record a day''s production metrics of a version of a model, once (deployers of the model only)';

CREATE FUNCTION modelgov_internal.record_metrics(version modelgov.semver, day date, metrics jsonb)
	RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	PERFORM modelgov_internal.record_metrics(modelgov_internal.sole_model('record_metrics'), version, day, metrics);
END
$$;
CREATE FUNCTION modelgov.record_metrics(version modelgov.semver, day date, metrics jsonb)
	RETURNS void
	AS 'MODULE_PATHNAME', 'mg_governance_call'
	LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION modelgov_internal.record_metrics(modelgov.semver, date, jsonb) IS
	'internal: the body of the deprecated modelgov.record_metrics without a model (src/governance.c)';
COMMENT ON FUNCTION modelgov.record_metrics(modelgov.semver, date, jsonb) IS
	'deprecated since 0.2.0: record_metrics(model, ...) for the database''s only model';

CREATE FUNCTION modelgov_internal.correct_metrics(model text, version modelgov.semver, day date, metrics jsonb,
												 reason text)
	RETURNS integer
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	mdl modelgov.models := modelgov_internal.lock_model(model);
	m modelgov.members := modelgov_internal.require_duty('deployer', 'correct metrics', mdl.name);
	last modelgov.daily_metrics;
BEGIN
	IF modelgov_internal.is_blank(reason) THEN
		RAISE EXCEPTION 'a correction needs a reason' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM modelgov_internal.check_length('reason', reason, 10000);
	PERFORM pg_advisory_xact_lock(hashtext('modelgov.daily_metrics'));
	SELECT * INTO last FROM modelgov.daily_metrics d
	 WHERE d.model = mdl.name AND d.version OPERATOR(modelgov.=) version AND d.day = day
	 ORDER BY d.revision DESC LIMIT 1;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no metrics of version % for % to correct', version, day
			USING ERRCODE = 'undefined_object', HINT = 'Record them with modelgov.record_metrics().';
	END IF;
	INSERT INTO modelgov.daily_metrics (version, day, revision, metrics, recorded_at, recorded_by, reason, model)
		VALUES (last.version, day, last.revision + 1, modelgov_internal.check_metrics(metrics), modelgov.clock_now(),
				m.role_name, reason, mdl.name);
	PERFORM modelgov_internal.audit('metrics_corrected', version => last.version, model => mdl.name,
							proposal_id => (SELECT x.proposal_id FROM modelgov.versions x
											 WHERE x.model = mdl.name AND x.version OPERATOR(modelgov.=) last.version),
							details => jsonb_build_object(
								'day', day, 'revision', last.revision + 1,
								'old_values', last.metrics, 'new_values', metrics,
								'reason', reason, 'recorded_by', m.identity));
	RETURN last.revision + 1;
END
$$;
CREATE FUNCTION modelgov.correct_metrics(model text, version modelgov.semver, day date, metrics jsonb, reason text)
	RETURNS integer
	AS 'MODULE_PATHNAME', 'mg_governance_call'
	LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION modelgov_internal.correct_metrics(text, modelgov.semver, date, jsonb, text) IS
	'internal: the body of modelgov.correct_metrics, which runs it for the role that acts (src/governance.c)';
COMMENT ON FUNCTION modelgov.correct_metrics(text, modelgov.semver, date, jsonb, text) IS
	'correct a day''s metrics of a version of a model as a new, audited revision (deployers of the model only)';

CREATE FUNCTION modelgov_internal.correct_metrics(version modelgov.semver, day date, metrics jsonb, reason text)
	RETURNS integer
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	RETURN modelgov_internal.correct_metrics(modelgov_internal.sole_model('correct_metrics'), version, day, metrics,
											 reason);
END
$$;
CREATE FUNCTION modelgov.correct_metrics(version modelgov.semver, day date, metrics jsonb, reason text)
	RETURNS integer
	AS 'MODULE_PATHNAME', 'mg_governance_call'
	LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION modelgov_internal.correct_metrics(modelgov.semver, date, jsonb, text) IS
	'internal: the body of the deprecated modelgov.correct_metrics without a model (src/governance.c)';
COMMENT ON FUNCTION modelgov.correct_metrics(modelgov.semver, date, jsonb, text) IS
	'deprecated since 0.2.0: correct_metrics(model, ...) for the database''s only model';

REVOKE ALL ON FUNCTION modelgov.record_metrics(modelgov.semver, date, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.correct_metrics(modelgov.semver, date, jsonb, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.record_metrics(text, modelgov.semver, date, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.correct_metrics(text, modelgov.semver, date, jsonb, text) FROM PUBLIC;

--
-- decision_counts(d): the daily counts of an application's decisions
--

-- in C (src/aggregates.c): a SQL transition function with its search_path
-- pinned costs a function call per row
CREATE FUNCTION modelgov_internal.decision_counts_add(state bigint[], d modelgov.decision) RETURNS bigint[]
	AS 'MODULE_PATHNAME', 'mg_decision_counts_add'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION modelgov_internal.decision_counts_combine(a bigint[], b bigint[]) RETURNS bigint[]
	AS 'MODULE_PATHNAME', 'mg_decision_counts_combine'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION modelgov_internal.decision_counts_final(state bigint[]) RETURNS jsonb
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT jsonb_build_object('decisions', state[1], 'auto', state[2], 'ask', state[3],
										 'escalate', state[4], 'errors', state[5])
$$;
COMMENT ON FUNCTION modelgov_internal.decision_counts_add(bigint[], modelgov.decision) IS 'internal: decision_counts transition';
COMMENT ON FUNCTION modelgov_internal.decision_counts_combine(bigint[], bigint[]) IS 'internal: decision_counts combine';
COMMENT ON FUNCTION modelgov_internal.decision_counts_final(bigint[]) IS 'internal: decision_counts final';

CREATE AGGREGATE modelgov.decision_counts(d modelgov.decision) (
	SFUNC = modelgov_internal.decision_counts_add,
	STYPE = bigint[],
	INITCOND = '{0,0,0,0,0}',
	COMBINEFUNC = modelgov_internal.decision_counts_combine,
	FINALFUNC = modelgov_internal.decision_counts_final,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE modelgov.decision_counts(modelgov.decision) IS
	'the counts record_metrics takes, in one pass: decisions, auto, ask, escalate, and errors (NULL decisions)';

--
-- The historical record: one row per version, with its measured performance
--

CREATE VIEW modelgov.version_history AS
	SELECT v.model, v.version, v.status, v.released_at,
		   v.config OPERATOR(pg_catalog.->) 'weights' AS weights,
		   v.config OPERATOR(pg_catalog.->) 'thresholds' AS thresholds,
		   perf.performance,
		   v.superseded_by,
		   v.proposal_id AS proposal,
		   p.change_type,
		   v.created_at,
		   v.staged_at
	  FROM modelgov.versions v
	  LEFT JOIN modelgov.proposals p ON p.proposal_id OPERATOR(pg_catalog.=) v.proposal_id
	  LEFT JOIN LATERAL (
		SELECT pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
				   'days', pg_catalog.count(*),
				   'correct_auto', pg_catalog.round(pg_catalog.avg((m.metrics OPERATOR(pg_catalog.->>) 'correct_auto')::numeric), 4),
				   'auto_rate', pg_catalog.round(pg_catalog.avg((m.metrics OPERATOR(pg_catalog.->>) 'auto')::numeric
											  OPERATOR(pg_catalog./) NULLIF((m.metrics OPERATOR(pg_catalog.->>) 'decisions')::numeric, 0)), 4),
				   'escalate_rate', pg_catalog.round(pg_catalog.avg((m.metrics OPERATOR(pg_catalog.->>) 'escalate')::numeric
												  OPERATOR(pg_catalog./) NULLIF((m.metrics OPERATOR(pg_catalog.->>) 'decisions')::numeric, 0)), 4)))
				   AS performance
		  FROM modelgov.metrics m
		 WHERE m.model OPERATOR(pg_catalog.=) v.model AND m.version OPERATOR(modelgov.=) v.version
		HAVING pg_catalog.count(*) OPERATOR(pg_catalog.>) 0) perf ON true;
COMMENT ON VIEW modelgov.version_history IS
	'one row per version of each model: the historical record, with averages of its daily metrics as performance';
GRANT SELECT ON modelgov.version_history TO PUBLIC;

--
-- Monitoring policy: defaults in monitoring_setting(), overrides in a
-- table that holds only what an administrator changed (so a restore adds
-- them to a fresh install without conflicts).
--

CREATE TABLE modelgov.monitoring_settings (
	name		text PRIMARY KEY
				CHECK (name OPERATOR(pg_catalog.=) ANY (ARRAY['rate_tolerance', 'error_rate_max',
															 'feature_availability_min', 'latency_p99_max_ms',
															 'sigma', 'monitoring_days', 'baseline_days',
															 'baseline_min_days', 'rca_due_days'])),
	value		float8 NOT NULL,
	set_at		timestamptz NOT NULL,
	set_by		text NOT NULL
);
COMMENT ON TABLE modelgov.monitoring_settings IS
	'monitoring thresholds an administrator changed; modelgov.monitoring_policy shows all of them';
SELECT pg_catalog.pg_extension_config_dump('modelgov.monitoring_settings', '');
GRANT SELECT ON modelgov.monitoring_settings TO PUBLIC;

CREATE VIEW modelgov.monitoring_policy AS
	SELECT d.name, COALESCE(s.value, d.value) AS value, s.value IS NULL AS is_default, d.meaning
	  FROM (VALUES ('rate_tolerance', 0.03::float8,
					'largest distance of the daily AUTO and ESCALATE rates from the proposal''s expected rates'),
				   ('error_rate_max', 0.05, 'errors / decisions must stay below this'),
				   ('feature_availability_min', 0.99, 'feature_availability must stay above this'),
				   ('latency_p99_max_ms', 100, 'latency_p99_ms must stay below this'),
				   ('sigma', 2, 'the rollback trigger: a metric this many standard deviations from its mean'),
				   ('monitoring_days', 7, 'days after a deployment that monitor() checks'),
				   ('baseline_days', 28, 'the days before a deployment whose metrics are the rollback trigger''s history (the versions production ran then, never rolled-back ones)'),
				   ('baseline_min_days', 3, 'fewer days of history than this leave the rollback trigger not armed (an alert)'),
				   ('rca_due_days', 5, 'days after a rollback by which its root-cause analysis is due')) AS d(name, value, meaning)
	  LEFT JOIN modelgov.monitoring_settings s ON s.name OPERATOR(pg_catalog.=) d.name;
COMMENT ON VIEW modelgov.monitoring_policy IS 'the monitoring thresholds in force, defaults included';
GRANT SELECT ON modelgov.monitoring_policy TO PUBLIC;

CREATE FUNCTION modelgov_internal.monitoring_setting(name text) RETURNS float8
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT p.value FROM modelgov.monitoring_policy p WHERE p.name = monitoring_setting.name
$$;
COMMENT ON FUNCTION modelgov_internal.monitoring_setting(text) IS 'internal: a monitoring threshold in force';

CREATE FUNCTION modelgov_internal.set_monitoring_setting(name text, value float8) RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	old float8;
BEGIN
	PERFORM modelgov_internal.require_admin('change the monitoring policy');
	IF name IS NULL OR value IS NULL THEN
		RAISE EXCEPTION 'name and value must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	old := modelgov_internal.monitoring_setting(name);
	IF old IS NULL THEN
		RAISE EXCEPTION 'unknown monitoring setting "%"', modelgov_internal.excerpt(name)
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'modelgov.monitoring_policy lists the settings.';
	END IF;
	-- NaN compares above every number in PostgreSQL, so it would disable a check
	IF value = 'NaN'::float8 OR value < 0 OR value > 1e6
	   OR (name = ANY (ARRAY['rate_tolerance', 'error_rate_max', 'feature_availability_min'])
		   AND value > 1)
	   OR (name = ANY (ARRAY['monitoring_days', 'baseline_days', 'baseline_min_days', 'rca_due_days'])
		   AND (value < 1 OR value > 366
				OR value <> trunc(value))) THEN
		RAISE EXCEPTION 'invalid value % for monitoring setting "%"', value, name
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'Rates are between 0 and 1, monitoring_days, baseline_days, baseline_min_days and rca_due_days whole numbers of days from 1 to 366, the others between 0 and 1000000.';
	END IF;
	INSERT INTO modelgov.monitoring_settings VALUES (name, value, modelgov.clock_now(), modelgov_internal.actor())
	ON CONFLICT ON CONSTRAINT monitoring_settings_pkey
	DO UPDATE SET value = EXCLUDED.value, set_at = EXCLUDED.set_at, set_by = EXCLUDED.set_by;
	PERFORM modelgov_internal.audit('monitoring_policy_changed',
							details => jsonb_build_object('setting', name,
								'old_values', jsonb_build_object(name, old),
								'new_values', jsonb_build_object(name, value)));
END
$$;
CREATE FUNCTION modelgov.set_monitoring_setting(name text, value float8) RETURNS void
	AS 'MODULE_PATHNAME', 'mg_governance_call'
	LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION modelgov_internal.set_monitoring_setting(text, float8) IS
	'internal: the body of modelgov.set_monitoring_setting, which runs it for the role that acts (src/governance.c)';
COMMENT ON FUNCTION modelgov.set_monitoring_setting(text, float8) IS
	'change a monitoring threshold (administrators only; audited)';
REVOKE ALL ON FUNCTION modelgov.set_monitoring_setting(text, float8) FROM PUBLIC;

--
-- Daily checks and the rollback trigger
--

/* A metric of a day: counts as a fraction of decisions, others as they are. */
CREATE FUNCTION modelgov_internal.metric(metrics jsonb, name text) RETURNS float8
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT CASE WHEN name = ANY (ARRAY['auto_rate', 'ask_rate', 'escalate_rate', 'error_rate'])
				THEN (metrics ->> replace(replace(name, '_rate', ''), 'error', 'errors'))::float8
					 / NULLIF((metrics ->> 'decisions')::float8, 0)
				ELSE (metrics ->> name)::float8 END
$$;
COMMENT ON FUNCTION modelgov_internal.metric(jsonb, text) IS
	'internal: auto_rate, ask_rate, escalate_rate, error_rate (of decisions), or a recorded metric';

/*
 * The least standard deviation a rate has from day to day: the sampling
 * deviation sqrt(p (1 - p) / n) of a share p of the day's n decisions (of
 * its AUTO decisions for correct_auto), p the history's mean kept at least
 * one decision from 0 and 1.  A history that happened not to vary (errors
 * at 25 a day for weeks) would otherwise make one more error a rollback.
 * NULL for latency, which is no share, and when the day reports no n.
 */
CREATE FUNCTION modelgov_internal.sampling_sigma(metrics jsonb, name text, mean float8) RETURNS float8
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	n float8;
	p float8;
BEGIN
	IF name NOT IN ('escalate_rate', 'error_rate', 'feature_availability', 'correct_auto') OR mean IS NULL THEN
		RETURN NULL;
	END IF;
	n := CASE WHEN name = 'correct_auto' THEN (metrics ->> 'auto')::float8
			  ELSE (metrics ->> 'decisions')::float8 END;
	IF n IS NULL OR n < 1 THEN
		RETURN NULL;
	END IF;
	p := LEAST(GREATEST(mean, 1 / n), 1 - 1 / n);
	RETURN sqrt(GREATEST(p * (1 - p), 0) / n);
END
$$;
COMMENT ON FUNCTION modelgov_internal.sampling_sigma(jsonb, text, float8) IS
	'internal: the sampling standard deviation of a rate of the day''s decisions, the least sigma the rollback trigger and the escalation check use';

/* What a person must report for a metric to be known (an alert names it). */
CREATE FUNCTION modelgov_internal.metric_inputs(name text) RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT CASE name WHEN 'auto_rate' THEN 'auto (with decisions)'
					 WHEN 'ask_rate' THEN 'ask (with decisions)'
					 WHEN 'escalate_rate' THEN 'escalate (with decisions)'
					 WHEN 'escalation_spike' THEN 'escalate (with decisions)'
					 WHEN 'error_rate' THEN 'errors (with decisions)'
					 ELSE name END
$$;
COMMENT ON FUNCTION modelgov_internal.metric_inputs(text) IS
	'internal: the recorded metrics a rate or a check is computed from, as an alert names them';

/* The production deployment that made a version active most recently. */
CREATE FUNCTION modelgov_internal.active_since(model text, version modelgov.semver) RETURNS timestamptz
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT d.deployed_at FROM modelgov.deployments d
	 WHERE d.model = active_since.model AND d.env = 'production'
	   AND d.version OPERATOR(modelgov.=) active_since.version
	 ORDER BY d.id DESC LIMIT 1
$$;
COMMENT ON FUNCTION modelgov_internal.active_since(text, modelgov.semver) IS
	'internal: when a version of a model last became active in production';

/*
 * Mean and standard deviation of a metric over the days recorded before a
 * date (of any version): the history the 2 sigma rule compares with.
 */
CREATE FUNCTION modelgov_internal.history(model text, name text, before date,
										  OUT days bigint, OUT mean float8, OUT sigma float8)
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
	-- in numeric: one huge value cannot overflow the squares
	SELECT count(x), avg(x)::float8, stddev_samp(x)::float8
	  FROM (SELECT modelgov_internal.metric(m.metrics, history.name)::numeric AS x
			  FROM modelgov.metrics m
			  JOIN modelgov.versions v ON v.model = m.model AND v.version OPERATOR(modelgov.=) m.version
			 WHERE m.model = history.model AND m.day < history.before
			   AND m.day >= history.before - modelgov_internal.monitoring_setting('baseline_days')::int
			   AND v.status <> 'rolled_back'
			   -- a day counts for the version production ran that day (UTC):
			   -- a deployment of it before the day ended, and none after it
			   -- by the time the day began; metrics recorded for a version
			   -- on a day it did not run are no history
			   AND EXISTS (SELECT 1 FROM modelgov.deployments d
							WHERE d.model = m.model AND d.env = 'production'
							  AND d.version OPERATOR(modelgov.=) m.version
							  AND d.deployed_at < timezone('UTC', (m.day + 1)::timestamp)
							  AND NOT EXISTS (SELECT 1 FROM modelgov.deployments n
											   WHERE n.model = d.model AND n.env = 'production'
												 AND (n.deployed_at > d.deployed_at
													  OR (n.deployed_at = d.deployed_at AND n.id > d.id))
												 AND n.deployed_at <= timezone('UTC', m.day::timestamp)))) h
	 WHERE x IS NOT NULL
$$;
COMMENT ON FUNCTION modelgov_internal.history(text, text, date) IS
	'internal: days, mean and sample standard deviation of a model''s metric over the baseline_days before a date: '
	'the days of the versions production ran then, each day of the version it ran that day, never those of a '
	'rolled-back version';

CREATE FUNCTION modelgov_internal.pct(x float8) RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT rtrim(rtrim(round((x * 100)::numeric, 1)::text, '0'), '.')
		   || '%'
$$;
COMMENT ON FUNCTION modelgov_internal.pct(float8) IS 'internal: a rate as a percentage for messages, 0.15 -> 15%';

/*
 * No defaults: health_check(version, day) of 0.1.0 takes up to two, and two
 * untyped literals would match both.  NULL: the active version, its
 * latest day.
 */
CREATE FUNCTION modelgov.health_check(model text, version modelgov.semver, day date)
	RETURNS TABLE (check_name text, observed float8, expected text, passed boolean)
	LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	mdl modelgov.models := modelgov_internal.require_model(model, false);
	v modelgov.semver := COALESCE(version, modelgov.active_version(mdl.name, 'production'::modelgov.environment));
	d date := day;
	m jsonb;
	ia jsonb;
	exp_auto float8;
	exp_esc float8;
	tol float8 := modelgov_internal.monitoring_setting('rate_tolerance');
	k float8 := modelgov_internal.monitoring_setting('sigma');
	since timestamptz;
	h record;
	limit_ float8;
	sig float8;
BEGIN
	IF v IS NULL THEN
		RAISE EXCEPTION 'there is no active version to check' USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	IF d IS NULL THEN
		SELECT max(x.day) INTO d FROM modelgov.metrics x
		 WHERE x.model = mdl.name AND x.version OPERATOR(modelgov.=) v;
	END IF;
	SELECT x.metrics INTO m FROM modelgov.metrics x
	 WHERE x.model = mdl.name AND x.version OPERATOR(modelgov.=) v AND x.day = d;
	IF m IS NULL THEN
		RAISE EXCEPTION 'no metrics of version % for %', v, COALESCE(d::text, 'any day')
			USING ERRCODE = 'undefined_object', HINT = 'Record them with modelgov.record_metrics().';
	END IF;
	SELECT p.impact_analysis INTO ia FROM modelgov.versions y
	  JOIN modelgov.proposals p ON p.proposal_id = y.proposal_id
	 WHERE y.model = mdl.name AND y.version OPERATOR(modelgov.=) v;
	exp_auto := (ia ->> 'expected_auto_resolve_rate')::float8;
	exp_esc := (ia ->> 'expected_escalate_rate')::float8;

	-- 1. the decision distribution, against the proposal's expected rates
	check_name := 'decision_distribution';
	IF exp_auto IS NULL OR exp_esc IS NULL THEN
		observed := NULL;
		expected := 'no expected rates in the impact analysis';
		passed := NULL;
	ELSIF modelgov_internal.metric(m, 'auto_rate') IS NULL
		  OR modelgov_internal.metric(m, 'escalate_rate') IS NULL THEN
		-- both rates or no check: one rate alone passes nothing
		observed := NULL;
		expected := format('%s not reported',
						   concat_ws(' and ',
									 CASE WHEN modelgov_internal.metric(m, 'auto_rate') IS NULL
										  THEN modelgov_internal.metric_inputs('auto_rate') END,
									 CASE WHEN modelgov_internal.metric(m, 'escalate_rate') IS NULL
										  THEN modelgov_internal.metric_inputs('escalate_rate') END));
		passed := NULL;
	ELSE
		observed := GREATEST(abs(modelgov_internal.metric(m, 'auto_rate') - exp_auto),
							 abs(modelgov_internal.metric(m, 'escalate_rate') - exp_esc));
		expected := format('AUTO %s and ESCALATE %s, each within %s', exp_auto, exp_esc, tol);
		passed := observed <= tol;
	END IF;
	RETURN NEXT;

	-- 2. error rate
	check_name := 'error_rate';
	observed := modelgov_internal.metric(m, 'error_rate');
	expected := '< ' || modelgov_internal.monitoring_setting('error_rate_max');
	passed := observed < modelgov_internal.monitoring_setting('error_rate_max');
	RETURN NEXT;

	-- 3. no spike in escalations: within sigma standard deviations of
	-- the expected rate, the deviation measured before this deployment
	check_name := 'escalation_spike';
	observed := modelgov_internal.metric(m, 'escalate_rate');
	-- the deployment in force that day, not a later one
	SELECT x.deployed_at INTO since FROM modelgov.deployments x
	 WHERE x.model = mdl.name AND x.env = 'production' AND x.version OPERATOR(modelgov.=) v
	   AND x.deployed_at < timezone('UTC', (d + 1)::timestamp)
	 ORDER BY x.id DESC LIMIT 1;
	SELECT * INTO h FROM modelgov_internal.history(mdl.name, 'escalate_rate',
												   COALESCE(timezone('UTC', since)::date, d));
	IF h.days < modelgov_internal.monitoring_setting('baseline_min_days') THEN
		expected := format('not enough history before the deployment (%s days, %s needed)', h.days,
						   modelgov_internal.monitoring_setting('baseline_min_days'));
		passed := NULL;
	ELSE
		-- never below the sampling deviation of the day's decisions
		sig := GREATEST(h.sigma, modelgov_internal.sampling_sigma(m, 'escalate_rate', COALESCE(exp_esc, h.mean)));
		limit_ := COALESCE(exp_esc, h.mean) + (k * sig);
		expected := format('<= %s (%s + %s sigma of %s%s)', round(limit_::numeric, 4),
						   COALESCE(exp_esc, round(h.mean::numeric, 4)), k, round(sig::numeric, 4),
						   CASE WHEN sig > h.sigma
								THEN format(', the sampling deviation of %s decisions', m ->> 'decisions') ELSE '' END);
		passed := observed <= limit_;
	END IF;
	RETURN NEXT;

	-- 4. feature availability
	check_name := 'feature_availability';
	observed := modelgov_internal.metric(m, 'feature_availability');
	expected := '> ' || modelgov_internal.monitoring_setting('feature_availability_min');
	passed := observed > modelgov_internal.monitoring_setting('feature_availability_min');
	RETURN NEXT;

	-- 5. latency
	check_name := 'latency_p99_ms';
	observed := modelgov_internal.metric(m, 'latency_p99_ms');
	expected := '< ' || modelgov_internal.monitoring_setting('latency_p99_max_ms');
	passed := observed < modelgov_internal.monitoring_setting('latency_p99_max_ms');
	RETURN NEXT;
END
$$;
COMMENT ON FUNCTION modelgov.health_check(text, modelgov.semver, date) IS
	'the five daily checks of a version of a model and a day (version NULL: the active one; day NULL: its latest day of metrics)';

CREATE FUNCTION modelgov.health_check(version modelgov.semver DEFAULT NULL, day date DEFAULT NULL)
	RETURNS TABLE (check_name text, observed float8, expected text, passed boolean)
	LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT * FROM modelgov.health_check(modelgov_internal.sole_model('health_check'), version, day)
$$;
COMMENT ON FUNCTION modelgov.health_check(modelgov.semver, date) IS
	'deprecated since 0.2.0: health_check(model, version, day) of the database''s only model';

/*
 * The monitor of one model, for modelgov.monitor(): records tells whether
 * the caller's run records (a deployer of the model), mem is the caller.
 * Each model is judged on its own history.
 */
CREATE FUNCTION modelgov_internal.monitor_model(mdl text, auto_rollback boolean, records boolean, mem modelgov.members)
	RETURNS TABLE (model_name text, day date, check_name text, observed float8, expected text, passed boolean,
				   action text)
	LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	v modelgov.semver;
	since timestamptz;
	first_day date;
	ndays int := modelgov_internal.monitoring_setting('monitoring_days')::int;
	today date := timezone('UTC', modelgov.clock_now())::date;
	ia jsonb;
	k float8 := modelgov_internal.monitoring_setting('sigma');
	d date;
	m jsonb;
	c record;
	h record;
	metric text;
	x float8;
	mean float8;
	sig float8;
	rolled_back boolean := false;
	reason text;
	clean_days int;
	-- a monitoring day whose check failed, or could not be made and was
	-- not acknowledged, as the metrics read now (after any correction)
	unclean boolean := false;
	worse_up boolean;
	min_days int := modelgov_internal.monitoring_setting('baseline_min_days')::int;
BEGIN
	model_name := mdl;
	v := modelgov.active_version(mdl, 'production'::modelgov.environment);
	IF v IS NULL THEN
		RETURN;
	END IF;
	since := modelgov_internal.active_since(mdl, v);
	first_day := timezone('UTC', since)::date;
	SELECT p.impact_analysis INTO ia FROM modelgov.versions y
	  JOIN modelgov.proposals p ON p.proposal_id = y.proposal_id
	 WHERE y.model = mdl AND y.version OPERATOR(modelgov.=) v;

	-- every day of metrics since the deployment: the daily checks for the
	-- first ndays days, the rollback trigger for as long as it is active
	FOR d, m IN SELECT x.day, x.metrics FROM modelgov.metrics x
				 WHERE x.model = mdl AND x.version OPERATOR(modelgov.=) v
				   AND x.day >= first_day
				   AND x.day <= today
				 ORDER BY x.day LOOP
		day := d;
		IF d < (first_day + ndays) THEN
			FOR c IN SELECT * FROM modelgov.health_check(mdl, v, d) LOOP
				check_name := c.check_name;
				observed := c.observed;
				expected := c.expected;
				passed := c.passed;
				action := NULL;
				IF c.passed IS FALSE THEN
					unclean := true;
					action := CASE WHEN records
								   THEN modelgov_internal.alert(mdl, v, d, c.check_name, c.observed, c.expected, 'daily_check')
								   ELSE 'not recorded (reporting only)' END;
				ELSIF c.passed IS NULL THEN
					-- a check that cannot be made is not a clean one: an alert
					-- a person acknowledges before the version is validated
					action := CASE WHEN records
								   THEN modelgov_internal.alert(mdl, v, d, c.check_name, c.observed,
																CASE WHEN c.observed IS NULL AND c.check_name <> 'decision_distribution'
																	 THEN format('not checked: %s not reported',
																				 modelgov_internal.metric_inputs(c.check_name))
																	 ELSE 'not checked: ' || c.expected END,
																'not_checked')
								   ELSE 'not recorded (reporting only)' END;
					IF NOT modelgov_internal.acknowledged(mdl, v, d, c.check_name, 'not_checked') THEN
						unclean := true;
					END IF;
				END IF;
				RETURN NEXT;
			END LOOP;
		END IF;

		-- the rollback trigger, the seed's: a quality metric more than sigma
		-- standard deviations from its historical mean, in the direction in
		-- which it gets worse (escalations, errors and latency up;
		-- correct_auto and feature availability down).  The distance from
		-- the proposal's expected decision rates is the daily
		-- decision_distribution check: for a person, not a rollback.
		FOREACH metric IN ARRAY ARRAY['escalate_rate', 'error_rate', 'latency_p99_ms', 'correct_auto',
									  'feature_availability'] LOOP
			x := modelgov_internal.metric(m, metric);
			SELECT * INTO h FROM modelgov_internal.history(mdl, metric, first_day);
			worse_up := metric = ANY (ARRAY['escalate_rate', 'error_rate', 'latency_p99_ms']);
			mean := h.mean;
			check_name := 'trigger:' || metric;
			observed := x;
			action := NULL;
			IF x IS NULL THEN
				-- a metric not reported leaves the trigger blind that day:
				-- an alert, never a silent pass
				expected := format('not checked: %s not reported', modelgov_internal.metric_inputs(metric));
				passed := NULL;
				action := CASE WHEN records
							   THEN modelgov_internal.alert(mdl, v, d, check_name, NULL, expected, 'not_checked')
							   ELSE 'not recorded (reporting only)' END;
				IF d < (first_day + ndays)
				   AND NOT modelgov_internal.acknowledged(mdl, v, d, check_name, 'not_checked') THEN
					unclean := true;
				END IF;
			ELSIF h.days < min_days THEN
				-- never silently off: the trigger is not armed, which is an
				-- alert of its own (once per version and metric)
				expected := format('not armed: %s days of history in the %s days before the deployment, %s needed',
								   h.days, modelgov_internal.monitoring_setting('baseline_days'), min_days);
				passed := NULL;
				action := CASE WHEN records
							   THEN modelgov_internal.alert(mdl, v, first_day, check_name, NULL, expected, 'not_armed')
							   ELSE 'not recorded (reporting only)' END;
				IF NOT modelgov_internal.acknowledged(mdl, v, first_day, check_name, 'not_armed') THEN
					unclean := true;
				END IF;
			ELSE
				-- sigma is never below the sampling deviation of the day's
				-- rate: a history that did not vary does not make the
				-- smallest worsening a rollback (latency, which is no
				-- rate, keeps its history's sigma)
				sig := GREATEST(h.sigma, modelgov_internal.sampling_sigma(m, metric, mean));
				expected := format('%s %s %s %s sigma (%s%s)', CASE WHEN worse_up THEN '<=' ELSE '>=' END,
								   round(mean::numeric, 4), CASE WHEN worse_up THEN '+' ELSE '-' END, k,
								   round(sig::numeric, 4),
								   CASE WHEN sig > h.sigma
										THEN format(', the sampling deviation of %s %s',
													CASE WHEN metric = 'correct_auto' THEN m ->> 'auto' ELSE m ->> 'decisions' END,
													CASE WHEN metric = 'correct_auto' THEN 'AUTO decisions' ELSE 'decisions' END)
										ELSE '' END);
				passed := CASE WHEN worse_up THEN x - mean ELSE mean - x END <= GREATEST(k * sig, 1e-12);
				IF NOT passed THEN
					unclean := true;
					action := CASE WHEN records
								   THEN modelgov_internal.alert(mdl, v, d, check_name, x, expected, 'rollback_trigger')
								   ELSE 'not recorded (reporting only)' END;
					-- a trigger is acted on by the next automatic run, however
					-- many runs alerted it before: reading never disarms it
					IF auto_rollback AND NOT rolled_back
					   AND modelgov.active_version(mdl, 'production'::modelgov.environment) OPERATOR(modelgov.=) v
					   AND NOT EXISTS (SELECT 1 FROM modelgov.deployments dd
									    WHERE dd.model = mdl AND dd.env = 'production'
										  AND dd.kind = 'deploy'
										  AND dd.version OPERATOR(modelgov.=) v
										  AND dd.from_version IS NOT NULL) THEN
						action := 'alert; no earlier version to roll back to';
					ELSIF auto_rollback AND NOT rolled_back
					   AND modelgov.active_version(mdl, 'production'::modelgov.environment) OPERATOR(modelgov.=) v
					   AND modelgov.semver_major(v) <> (SELECT modelgov.semver_major(dd.from_version)
														   FROM modelgov.deployments dd
														  WHERE dd.model = mdl AND dd.env = 'production'
															AND dd.kind = 'deploy'
															AND dd.version OPERATOR(modelgov.=) v
														  ORDER BY dd.id DESC LIMIT 1) THEN
						-- the inputs change across a MAJOR version: a person decides
						action := 'alert; no automatic rollback across a MAJOR version: roll back by hand with modelgov.rollback(model, reason, to_version)';
					ELSIF auto_rollback AND NOT rolled_back
					   AND modelgov.active_version(mdl, 'production'::modelgov.environment) OPERATOR(modelgov.=) v THEN
						-- in the seed's words: the rate the approved change
						-- expected, where it gave one, else the history's mean
						reason := format('%s %s to %s (expected %s)',
							CASE metric WHEN 'escalate_rate' THEN 'Escalate rate' WHEN 'error_rate' THEN 'Error rate'
										WHEN 'latency_p99_ms' THEN 'Latency p99' WHEN 'correct_auto' THEN 'Correct auto rate'
										ELSE 'Feature availability' END,
							CASE WHEN worse_up THEN 'increased' ELSE 'decreased' END,
							CASE WHEN metric = 'latency_p99_ms' THEN round(x::numeric)::text || ' ms' ELSE modelgov_internal.pct(x) END,
							CASE WHEN metric = 'escalate_rate' AND jsonb_typeof(ia -> 'expected_escalate_rate') = 'number'
								 THEN modelgov_internal.pct((ia ->> 'expected_escalate_rate')::float8)
								 WHEN metric = 'latency_p99_ms' THEN round(mean::numeric)::text || ' ms'
								 ELSE modelgov_internal.pct(mean) END);
						action := 'rolled back to ' || modelgov_internal.rollback(mdl, reason, NULL, 'automation')::text;
						rolled_back := true;
					END IF;
				END IF;
			END IF;
			day := d;
			RETURN NEXT;
		END LOOP;
	END LOOP;

	-- seven clean days validate the deployment, once, after they are over
	IF NOT rolled_back AND records
	   -- days of 24 hours, whatever the session's time zone
	   AND modelgov.clock_now() >= (since + make_interval(hours => 24 * ndays)) THEN
		SELECT count(*) INTO clean_days FROM modelgov.metrics x
		 WHERE x.model = mdl AND x.version OPERATOR(modelgov.=) v
		   AND x.day >= first_day
		   AND x.day < (first_day + ndays);
		-- every day recorded, and, on the metrics as they read now, no
		-- check failed, no trigger fired, and every check that could not
		-- be made acknowledged by a person
		IF clean_days = ndays AND NOT unclean
		   AND NOT EXISTS (SELECT 1 FROM modelgov.audit_log a
							WHERE a.event_type = 'validated' AND a.model = mdl AND a.version OPERATOR(modelgov.=) v
							  AND a.recorded_at >= since) THEN
			PERFORM modelgov_internal.audit('validated', version => v, status => 'validated', model => mdl,
									details => jsonb_build_object(
										'first_day', first_day, 'days', ndays, 'validated_by', mem.identity));
			day := first_day + ndays - 1;
			check_name := 'validated';
			observed := NULL;
			expected := format('%s clean days', ndays);
			passed := true;
			action := 'validated';
			RETURN NEXT;
		END IF;
	END IF;
END
$$;
COMMENT ON FUNCTION modelgov_internal.monitor_model(text, boolean, boolean, modelgov.members) IS
	'internal: the checks, alerts, automatic rollback and validation of one model, for modelgov.monitor';

/*
 * The model comes without a default: the 0.1.0 form monitor(auto_rollback
 * DEFAULT false), which scheduled jobs call, keeps its signature and its
 * grants, and monitor() stays that call.
 */
CREATE FUNCTION modelgov_internal.monitor(model text, auto_rollback boolean DEFAULT false)
	RETURNS TABLE (model_name text, day date, check_name text, observed float8, expected text, passed boolean,
				   action text)
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	mem modelgov.members := modelgov_internal.require_member(CASE WHEN auto_rollback
																  THEN 'monitor with automatic rollback'
																  ELSE 'monitor' END);
	name text;
	records boolean;
	locked boolean := false;
	failure text;
	failure_state text;
BEGIN
	IF auto_rollback IS NULL THEN
		RAISE EXCEPTION 'auto_rollback must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF model IS NOT NULL THEN
		PERFORM modelgov_internal.require_model(model);
		IF auto_rollback AND NOT modelgov_internal.holds(mem.role_name, 'deployer', model) THEN
			PERFORM modelgov_internal.require_duty('deployer', 'monitor with automatic rollback', model);
		END IF;
	ELSIF auto_rollback AND NOT EXISTS (SELECT 1 FROM modelgov.models x
										 WHERE x.retired_at IS NULL
										   AND modelgov_internal.holds(mem.role_name, 'deployer', x.name)) THEN
		RAISE EXCEPTION 'permission denied to monitor with automatic rollback'
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = format('Member %s (%s) holds the deployer duty for no model.', mem.role_name, mem.identity),
				  HINT = 'An administrator grants duties with modelgov.grant_duty().';
	END IF;
	-- every model that is not retired, each on its own; the named one only
	FOR name IN SELECT x.name FROM modelgov.models x
				 WHERE x.retired_at IS NULL AND (model IS NULL OR x.name = model)
				 ORDER BY x.name LOOP
		-- a member without the deployer duty of a model reads its checks and
		-- writes nothing: an alert it recorded would keep the automatic run
		-- from acting on the trigger, and a validation is a deployer's call
		records := modelgov_internal.holds(mem.role_name, 'deployer', name);
		-- one recording monitor at a time, so that alerts and the rollback
		-- happen once; what is active is read after the lock, so a monitor
		-- that waited sees the rollback of the one it waited for.  A reader
		-- writes nothing and takes no lock: it never holds up the automatic run.
		IF records AND NOT locked THEN
			PERFORM pg_advisory_xact_lock(hashtext('modelgov.monitor'));
			locked := true;
		END IF;
		-- a model whose record cannot be checked (a 0.1.0 impact analysis
		-- whose expected rate is not a number) must not keep the others
		-- from theirs: its work is undone and an error row says why.  When
		-- a single model is named, its error is the call's.
		IF model IS NOT NULL THEN
			RETURN QUERY SELECT * FROM modelgov_internal.monitor_model(name, auto_rollback AND records, records, mem);
		ELSE
			BEGIN
				RETURN QUERY SELECT * FROM modelgov_internal.monitor_model(name, auto_rollback AND records, records, mem);
			EXCEPTION WHEN OTHERS THEN
				GET STACKED DIAGNOSTICS failure = MESSAGE_TEXT, failure_state = RETURNED_SQLSTATE;
				model_name := name;
				day := NULL;
				check_name := 'error';
				observed := NULL;
				expected := format('%s (SQLSTATE %s)', failure, failure_state);
				passed := false;
				action := 'not checked: run monitor(''' || name || ''') for the error';
				RETURN NEXT;
			END;
		END IF;
	END LOOP;
END
$$;
CREATE FUNCTION modelgov.monitor(model text, auto_rollback boolean DEFAULT false)
	RETURNS TABLE (model_name text, day date, check_name text, observed float8, expected text, passed boolean,
				   action text)
	AS 'MODULE_PATHNAME', 'mg_governance_call'
	LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION modelgov_internal.monitor(text, boolean) IS
	'internal: the body of modelgov.monitor, which runs it for the role that acts (src/governance.c)';
COMMENT ON FUNCTION modelgov.monitor(text, boolean) IS
	'daily checks over the active version''s first days and the 2 sigma rollback trigger on every day since its deployment, of one model or (model NULL) of every model that is not retired, each on its own history; a run by a deployer of a model records alerts and the validation, and with auto_rollback rolls back as automation; other members'' runs only report';

CREATE FUNCTION modelgov_internal.monitor(auto_rollback boolean DEFAULT false)
	RETURNS TABLE (day date, check_name text, observed float8, expected text, passed boolean, action text)
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	RETURN QUERY SELECT r.day, r.check_name, r.observed, r.expected, r.passed, r.action
				   FROM modelgov_internal.monitor(modelgov_internal.sole_model('monitor'), auto_rollback) r;
END
$$;
CREATE FUNCTION modelgov.monitor(auto_rollback boolean DEFAULT false)
	RETURNS TABLE (day date, check_name text, observed float8, expected text, passed boolean, action text)
	AS 'MODULE_PATHNAME', 'mg_governance_call'
	LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION modelgov_internal.monitor(boolean) IS
	'internal: the body of the deprecated modelgov.monitor(auto_rollback) without a model (src/governance.c)';
COMMENT ON FUNCTION modelgov.monitor(boolean) IS
	'deprecated since 0.2.0: monitor(model, auto_rollback) of the database''s only model, in the 0.1.0 columns (monitor(NULL) checks every model)';

/* Append an alert once per model, version, day and check; say what was done. */
CREATE FUNCTION modelgov_internal.alert(model text, version modelgov.semver, day date, check_name text,
								observed float8, expected text, kind text)
	RETURNS text
	LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM modelgov.audit_log a
				WHERE a.event_type = 'alert' AND a.model = alert.model
				  AND a.version OPERATOR(modelgov.=) alert.version
				  AND (a.details ->> 'day')::date = alert.day
				  AND a.details ->> 'check' = alert.check_name
				  AND a.status = kind) THEN
		RETURN 'already alerted';
	END IF;
	PERFORM modelgov_internal.audit('alert', version => alert.version, status => kind, model => alert.model,
									details => jsonb_build_object('day', alert.day, 'check', alert.check_name,
																  'observed', observed, 'expected', expected));
	RETURN 'alert';
END
$$;
COMMENT ON FUNCTION modelgov_internal.alert(text, modelgov.semver, date, text, float8, text, text) IS
	'internal: append an alert event once per model, version, day, check and kind';

/* Whether a person acknowledged the alert of a day and check. */
CREATE FUNCTION modelgov_internal.acknowledged(model text, version modelgov.semver, day date, check_name text,
											   kind text) RETURNS boolean
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT EXISTS (SELECT 1 FROM modelgov.audit_log a
					JOIN modelgov.audit_log k ON k.event_type = 'acknowledged'
											 AND (k.details ->> 'alert_seq')::bigint = a.seq
				   WHERE a.event_type = 'alert' AND a.model = acknowledged.model
					 AND a.version OPERATOR(modelgov.=) acknowledged.version
					 AND (a.details ->> 'day')::date = acknowledged.day
					 AND a.details ->> 'check' = acknowledged.check_name
					 AND a.status = kind)
$$;
COMMENT ON FUNCTION modelgov_internal.acknowledged(text, modelgov.semver, date, text, text) IS
	'internal: whether the alert of a model, version, day, check and kind was acknowledged';

CREATE FUNCTION modelgov_internal.annotate(seq bigint, root_cause text) RETURNS bigint
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	m modelgov.members := modelgov_internal.require_member('annotate rollbacks');
	e modelgov.audit_log;
BEGIN
	IF seq IS NULL THEN
		PERFORM modelgov_internal.missing('annotate', 'seq (the rollback''s audit entry)', 'seq, root_cause');
	END IF;
	IF modelgov_internal.is_blank(root_cause) THEN
		RAISE EXCEPTION 'an annotation needs a root cause' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM modelgov_internal.check_length('root_cause', root_cause, 10000);
	SELECT * INTO e FROM modelgov.audit_log a WHERE a.seq = annotate.seq;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'audit entry % does not exist', seq USING ERRCODE = 'undefined_object';
	END IF;
	IF e.event_type <> 'rollback' THEN
		RAISE EXCEPTION 'audit entry % is not a rollback', seq
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = format('Entry %s is a %s event; root causes annotate rollbacks.', seq, e.event_type);
	END IF;
	PERFORM modelgov_internal.require_person(m, 'annotate rollbacks');
	PERFORM modelgov_internal.require_any_duty(m, 'annotate rollbacks', e.model);
	RETURN modelgov_internal.audit('annotation', version => e.version, model => e.model,
						   details => jsonb_build_object('annotates', seq, 'root_cause', root_cause,
																	'annotated_by', m.identity));
END
$$;
CREATE FUNCTION modelgov.annotate(seq bigint DEFAULT NULL, root_cause text DEFAULT NULL) RETURNS bigint
	AS 'MODULE_PATHNAME', 'mg_governance_call'
	LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION modelgov_internal.annotate(bigint, text) IS
	'internal: the body of modelgov.annotate, which runs it for the role that acts (src/governance.c)';
COMMENT ON FUNCTION modelgov.annotate(bigint, text) IS
	'record the root cause of an earlier rollback as a new audit entry (members only)';

--
-- Alerts reach people: a view of every alert with its acknowledgement, and
-- the acknowledgement itself (the seed's rollback procedure, step 1)
--

CREATE VIEW modelgov.alerts AS
	SELECT a.seq, a.model, a.version, (a.details OPERATOR(pg_catalog.->>) 'day')::date AS day,
		   a.details OPERATOR(pg_catalog.->>) 'check' AS check_name, a.status AS kind,
		   (a.details OPERATOR(pg_catalog.->>) 'observed')::float8 AS observed,
		   a.details OPERATOR(pg_catalog.->>) 'expected' AS expected, a.recorded_at,
		   k.seq IS NOT NULL AS acknowledged, k.actor AS acknowledged_by, k.recorded_at AS acknowledged_at,
		   k.details OPERATOR(pg_catalog.->>) 'note' AS note
	  FROM modelgov.audit_log a
	  LEFT JOIN modelgov.audit_log k
		ON k.event_type OPERATOR(pg_catalog.=) 'acknowledged'
	   AND (k.details OPERATOR(pg_catalog.->>) 'alert_seq')::bigint OPERATOR(pg_catalog.=) a.seq
	 WHERE a.event_type OPERATOR(pg_catalog.=) 'alert';
COMMENT ON VIEW modelgov.alerts IS
	'every alert of the monitor (kind daily_check, rollback_trigger, not_checked or not_armed), with its acknowledgement';
GRANT SELECT ON modelgov.alerts TO PUBLIC;

CREATE FUNCTION modelgov_internal.acknowledge(alert_seq bigint, note text) RETURNS text
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	m modelgov.members := modelgov_internal.require_member('acknowledge alerts');
	e modelgov.audit_log;
BEGIN
	IF alert_seq IS NULL THEN
		PERFORM modelgov_internal.missing('acknowledge', 'alert_seq', 'alert_seq, note');
	END IF;
	IF modelgov_internal.is_blank(note) THEN
		RAISE EXCEPTION 'an acknowledgement needs a note' USING ERRCODE = 'null_value_not_allowed',
			HINT = 'Say what was looked at and why the version can go on: the metric that is not reported, the baseline that is missing.';
	END IF;
	PERFORM modelgov_internal.check_length('note', note, 10000);
	SELECT * INTO e FROM modelgov.audit_log a WHERE a.seq = alert_seq AND a.event_type = 'alert';
	IF NOT FOUND THEN
		RAISE EXCEPTION 'audit entry % is not an alert', alert_seq USING ERRCODE = 'undefined_object',
			HINT = 'modelgov.alerts lists the alerts.';
	END IF;
	-- one acknowledgement per alert: acknowledgers of a model wait for
	-- each other, and the check below sees the one that went first (a
	-- lock that leaves the model's foreign keys alone)
	PERFORM 1 FROM modelgov.models x WHERE x.name = e.model FOR NO KEY UPDATE;
	PERFORM modelgov_internal.lock_model(e.model);
	PERFORM modelgov_internal.require_person(m, 'acknowledge alerts');
	PERFORM modelgov_internal.require_any_duty(m, 'acknowledge alerts', e.model);
	-- the person who proposed the version does not wave its checks through
	IF EXISTS (SELECT 1 FROM modelgov.versions v JOIN modelgov.proposals p ON p.proposal_id = v.proposal_id
				WHERE v.model = e.model AND v.version OPERATOR(modelgov.=) e.version
				  AND (p.proposer = m.role_name OR p.proposer_identity = m.identity)) THEN
		RAISE EXCEPTION 'permission denied to acknowledge alert %', alert_seq
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = format('%s proposed version %s of model %s; its alerts are acknowledged by someone else.',
								  m.identity, e.version, e.model),
				  HINT = 'Another member holding a duty for the model acknowledges it.';
	END IF;
	IF EXISTS (SELECT 1 FROM modelgov.audit_log k
				WHERE k.event_type = 'acknowledged' AND (k.details ->> 'alert_seq')::bigint = alert_seq) THEN
		RAISE EXCEPTION 'alert % is already acknowledged', alert_seq USING ERRCODE = 'unique_violation';
	END IF;
	PERFORM modelgov_internal.audit('acknowledged', version => e.version, status => e.status, model => e.model,
							details => jsonb_build_object('alert_seq', alert_seq, 'check', e.details ->> 'check',
														  'note', note, 'acknowledged_by', m.identity));
	RETURN format('acknowledged: alert %s (%s, %s of %s %s)', alert_seq, e.details ->> 'check', e.status, e.model,
				  e.version);
END
$$;
CREATE FUNCTION modelgov.acknowledge(alert_seq bigint DEFAULT NULL, note text DEFAULT NULL) RETURNS text
	AS 'MODULE_PATHNAME', 'mg_governance_call'
	LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION modelgov_internal.acknowledge(bigint, text) IS
	'internal: the body of modelgov.acknowledge, which runs it for the role that acts (src/governance.c)';
COMMENT ON FUNCTION modelgov.acknowledge(bigint, text) IS
	'acknowledge an alert with a note (members holding a duty for its model; audited): a check that could not be made, '
	'or a trigger not armed, then no longer holds up the validation';
REVOKE ALL ON FUNCTION modelgov.acknowledge(bigint, text) FROM PUBLIC;

/*
 * The seed's rollback procedure, step 2: the last 24 hours of decisions and
 * outcomes in one call.  The version production ran at the time, the
 * deployment that made it run and what it changed, the metrics of that day
 * and the day before with their daily checks, and the alerts of the 24
 * hours up to it.
 */
CREATE FUNCTION modelgov.incident_review(model text, at timestamptz DEFAULT NULL) RETURNS jsonb
	LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	mdl modelgov.models := modelgov_internal.require_model(model, false);
	t timestamptz := COALESCE(at, modelgov.clock_now());
	dep modelgov.deployments;
	p modelgov.proposals;
	d date := timezone('UTC', t)::date;
	days jsonb := '[]'::jsonb;
	x date;
BEGIN
	-- the version in force just before the time: a rollback at that very
	-- time is what the review is about, not what it reviews
	SELECT * INTO dep FROM modelgov.deployments y
	 WHERE y.model = mdl.name AND y.env = 'production' AND y.deployed_at < t
	 ORDER BY y.deployed_at DESC, y.id DESC LIMIT 1;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'model % ran no version in production at %', mdl.name, modelgov_internal.utc_text(t)
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	IF dep.proposal_id IS NOT NULL THEN
		SELECT * INTO p FROM modelgov.proposals y WHERE y.proposal_id = dep.proposal_id;
	END IF;
	FOREACH x IN ARRAY ARRAY[d - 1, d] LOOP
		days := days || jsonb_build_array(jsonb_build_object(
			'day', x,
			'metrics', (SELECT y.metrics FROM modelgov.metrics y
						 WHERE y.model = mdl.name AND y.version OPERATOR(modelgov.=) dep.version AND y.day = x),
			'checks', CASE WHEN EXISTS (SELECT 1 FROM modelgov.metrics y
										 WHERE y.model = mdl.name AND y.version OPERATOR(modelgov.=) dep.version
										   AND y.day = x)
						   THEN (SELECT jsonb_agg(jsonb_build_object('check', c.check_name, 'observed', c.observed,
																	'expected', c.expected, 'passed', c.passed))
								   FROM modelgov.health_check(mdl.name, dep.version, x) c) END));
	END LOOP;
	RETURN jsonb_build_object(
		'model', mdl.name,
		'at', modelgov_internal.utc_text(t),
		'version', dep.version::text,
		'in_production_since', modelgov_internal.utc_text(dep.deployed_at),
		'deployment', jsonb_build_object('kind', dep.kind, 'from_version', dep.from_version::text,
										 'proposal_id', dep.proposal_id, 'deployed_by', dep.deployed_by,
										 'reason', dep.reason),
		'change', CASE WHEN p.proposal_id IS NULL THEN NULL
					   ELSE jsonb_build_object('change_type', p.change_type, 'description', p.description,
											   'old_values', p.old_values, 'new_values', p.new_values,
											   'impact_analysis', p.impact_analysis) END,
		'days', days,
		'alerts', (SELECT COALESCE(jsonb_agg(jsonb_build_object('seq', a.seq, 'day', a.day, 'check', a.check_name,
																'kind', a.kind, 'observed', a.observed,
																'expected', a.expected, 'acknowledged', a.acknowledged)
											 ORDER BY a.seq), '[]')
					 FROM modelgov.alerts a
					WHERE a.model = mdl.name AND a.recorded_at > t - interval '24 hours' AND a.recorded_at <= t));
END
$$;
COMMENT ON FUNCTION modelgov.incident_review(text, timestamptz) IS
	'the last 24 hours of a model up to a time (default now), in one call: the version production ran just before it, the deployment '
	'that made it run and what it changed, the metrics and daily checks of that day and the day before, and the alerts';

REVOKE ALL ON FUNCTION modelgov.monitor(boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.monitor(text, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.annotate(bigint, text) FROM PUBLIC;
