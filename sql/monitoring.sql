--
-- Lifecycle: monitoring (part of the install script, see the Makefile)
--

--
-- Daily metrics.  One row per version and day; recording a day again is
-- refused, and a correction is an explicit, audited new revision.
--

CREATE TABLE modelgov.daily_metrics (
	version			modelgov.semver NOT NULL REFERENCES modelgov.versions,
	day				date NOT NULL,
	revision		integer NOT NULL CHECK (revision OPERATOR(pg_catalog.>) 0),
	metrics			jsonb NOT NULL,
	recorded_at		timestamptz NOT NULL,
	recorded_by		text NOT NULL,
	reason			text,
	PRIMARY KEY (version, day, revision),
	CHECK ((revision OPERATOR(pg_catalog.=) 1) OPERATOR(pg_catalog.=) (reason IS NULL))
);
COMMENT ON TABLE modelgov.daily_metrics IS
	'daily production metrics per version; corrections are later revisions with a reason';
COMMENT ON COLUMN modelgov.daily_metrics.revision IS '1 as recorded, then one more per correction';
SELECT pg_catalog.pg_extension_config_dump('modelgov.daily_metrics', '');
GRANT SELECT ON modelgov.daily_metrics TO PUBLIC;

CREATE VIEW modelgov.metrics AS
	SELECT DISTINCT ON (m.version, m.day)
		   m.version, m.day, m.metrics, m.revision, m.recorded_at, m.recorded_by
	  FROM modelgov.daily_metrics m
	 ORDER BY m.version, m.day, m.revision DESC;
COMMENT ON VIEW modelgov.metrics IS 'the metrics in force for each version and day (the latest revision)';
GRANT SELECT ON modelgov.metrics TO PUBLIC;

/* Validate a metrics object: known keys, counts, rates and times. */
CREATE FUNCTION modelgov._check_metrics(metrics jsonb) RETURNS jsonb
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	k text;
	v jsonb;
	n numeric;
BEGIN
	IF metrics IS NULL OR pg_catalog.jsonb_typeof(metrics) OPERATOR(pg_catalog.<>) 'object' THEN
		RAISE EXCEPTION 'invalid metrics' USING ERRCODE = 'invalid_parameter_value',
			DETAIL = 'Metrics are a JSON object of numbers.';
	END IF;
	FOR k, v IN SELECT * FROM pg_catalog.jsonb_each(metrics) LOOP
		IF pg_catalog.jsonb_typeof(v) OPERATOR(pg_catalog.<>) 'number' THEN
			RAISE EXCEPTION 'invalid metrics' USING ERRCODE = 'invalid_parameter_value',
				DETAIL = pg_catalog.format('Metric "%s" must be a number, not %s.', k, v);
		END IF;
		n := v::text::numeric;
		IF k OPERATOR(pg_catalog.=) ANY (ARRAY['decisions', 'auto', 'ask', 'escalate', 'errors'])
		   AND (n OPERATOR(pg_catalog.<) 0 OR n OPERATOR(pg_catalog.<>) pg_catalog.trunc(n)) THEN
			RAISE EXCEPTION 'invalid metrics' USING ERRCODE = 'invalid_parameter_value',
				DETAIL = pg_catalog.format('Metric "%s" is a count, not %s.', k, v);
		END IF;
		IF k OPERATOR(pg_catalog.=) 'latency_p99_ms' AND n OPERATOR(pg_catalog.<) 0 THEN
			RAISE EXCEPTION 'invalid metrics' USING ERRCODE = 'invalid_parameter_value',
				DETAIL = pg_catalog.format('Metric "latency_p99_ms" cannot be negative: %s.', v);
		END IF;
		IF k NOT IN ('decisions', 'auto', 'ask', 'escalate', 'errors', 'latency_p99_ms')
		   AND (n OPERATOR(pg_catalog.<) 0 OR n OPERATOR(pg_catalog.>) 1) THEN
			RAISE EXCEPTION 'invalid metrics' USING ERRCODE = 'invalid_parameter_value',
				DETAIL = pg_catalog.format('Metric "%s" is a rate between 0 and 1, not %s.', k, v);
		END IF;
	END LOOP;
	IF metrics OPERATOR(pg_catalog.?) 'decisions' AND
	   (COALESCE((metrics OPERATOR(pg_catalog.->>) 'auto')::numeric, 0)
		OPERATOR(pg_catalog.+) COALESCE((metrics OPERATOR(pg_catalog.->>) 'ask')::numeric, 0)
		OPERATOR(pg_catalog.+) COALESCE((metrics OPERATOR(pg_catalog.->>) 'escalate')::numeric, 0))
	   OPERATOR(pg_catalog.>) (metrics OPERATOR(pg_catalog.->>) 'decisions')::numeric THEN
		RAISE EXCEPTION 'invalid metrics' USING ERRCODE = 'invalid_parameter_value',
			DETAIL = 'auto + ask + escalate exceed decisions.';
	END IF;
	RETURN metrics;
END
$$;
COMMENT ON FUNCTION modelgov._check_metrics(jsonb) IS
	'internal: validate daily metrics (counts, rates in [0, 1], latency), or 22023';

CREATE FUNCTION modelgov.record_metrics(version modelgov.semver, day date, metrics jsonb)
	RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	m modelgov.members := modelgov._require_duty('deployer', 'record metrics');
	v modelgov.versions;
BEGIN
	IF version IS NULL OR day IS NULL THEN
		RAISE EXCEPTION 'version and day must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	SELECT * INTO v FROM modelgov.versions x WHERE x.version OPERATOR(modelgov.=) version;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'version % does not exist', version USING ERRCODE = 'undefined_object';
	END IF;
	IF v.released_at IS NULL THEN
		RAISE EXCEPTION 'version % has never run in production', version
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('modelgov.daily_metrics'));
	IF EXISTS (SELECT 1 FROM modelgov.daily_metrics d
				WHERE d.version OPERATOR(modelgov.=) v.version AND d.day OPERATOR(pg_catalog.=) day) THEN
		RAISE EXCEPTION 'metrics of version % for % are already recorded', v.version, day
			USING ERRCODE = 'unique_violation',
				  HINT = 'Recorded metrics are not replaced; use modelgov.correct_metrics() with a reason.';
	END IF;
	INSERT INTO modelgov.daily_metrics VALUES (v.version, day, 1, modelgov._check_metrics(metrics),
											   modelgov.clock_now(), m.role_name, NULL);
	PERFORM modelgov._audit('metrics', version => v.version, proposal_id => v.proposal_id,
							details => pg_catalog.jsonb_build_object('day', day, 'metrics', metrics,
																	 'recorded_by', m.identity));
END
$$;
COMMENT ON FUNCTION modelgov.record_metrics(modelgov.semver, date, jsonb) IS
	'record a day''s production metrics of a version, once (deployers only)';

CREATE FUNCTION modelgov.correct_metrics(version modelgov.semver, day date, metrics jsonb, reason text)
	RETURNS integer
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	m modelgov.members := modelgov._require_duty('deployer', 'correct metrics');
	last modelgov.daily_metrics;
BEGIN
	IF COALESCE(pg_catalog.btrim(reason), '') OPERATOR(pg_catalog.=) '' THEN
		RAISE EXCEPTION 'a correction needs a reason' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('modelgov.daily_metrics'));
	SELECT * INTO last FROM modelgov.daily_metrics d
	 WHERE d.version OPERATOR(modelgov.=) version AND d.day OPERATOR(pg_catalog.=) day
	 ORDER BY d.revision DESC LIMIT 1;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no metrics of version % for % to correct', version, day
			USING ERRCODE = 'undefined_object', HINT = 'Record them with modelgov.record_metrics().';
	END IF;
	INSERT INTO modelgov.daily_metrics VALUES (last.version, day, last.revision OPERATOR(pg_catalog.+) 1,
											   modelgov._check_metrics(metrics), modelgov.clock_now(),
											   m.role_name, reason);
	PERFORM modelgov._audit('metrics_corrected', version => last.version,
							details => pg_catalog.jsonb_build_object(
								'day', day, 'revision', last.revision OPERATOR(pg_catalog.+) 1,
								'old_values', last.metrics, 'new_values', metrics,
								'reason', reason, 'recorded_by', m.identity));
	RETURN last.revision OPERATOR(pg_catalog.+) 1;
END
$$;
COMMENT ON FUNCTION modelgov.correct_metrics(modelgov.semver, date, jsonb, text) IS
	'correct a day''s metrics as a new, audited revision (deployers only)';

REVOKE ALL ON FUNCTION modelgov.record_metrics(modelgov.semver, date, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.correct_metrics(modelgov.semver, date, jsonb, text) FROM PUBLIC;

--
-- decision_counts(d): the daily counts of an application's decisions
--

CREATE FUNCTION modelgov._decision_counts_add(state bigint[], d modelgov.decision) RETURNS bigint[]
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT ARRAY[state[1] OPERATOR(pg_catalog.+) 1,
				 state[2] OPERATOR(pg_catalog.+) (d IS NOT DISTINCT FROM 'AUTO'::modelgov.decision)::int,
				 state[3] OPERATOR(pg_catalog.+) (d IS NOT DISTINCT FROM 'ASK'::modelgov.decision)::int,
				 state[4] OPERATOR(pg_catalog.+) (d IS NOT DISTINCT FROM 'ESCALATE'::modelgov.decision)::int,
				 state[5] OPERATOR(pg_catalog.+) (d IS NULL)::int]
$$;
CREATE FUNCTION modelgov._decision_counts_combine(a bigint[], b bigint[]) RETURNS bigint[]
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT ARRAY[a[1] OPERATOR(pg_catalog.+) b[1], a[2] OPERATOR(pg_catalog.+) b[2],
				 a[3] OPERATOR(pg_catalog.+) b[3], a[4] OPERATOR(pg_catalog.+) b[4],
				 a[5] OPERATOR(pg_catalog.+) b[5]]
$$;
CREATE FUNCTION modelgov._decision_counts_final(state bigint[]) RETURNS jsonb
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT pg_catalog.jsonb_build_object('decisions', state[1], 'auto', state[2], 'ask', state[3],
										 'escalate', state[4], 'errors', state[5])
$$;
COMMENT ON FUNCTION modelgov._decision_counts_add(bigint[], modelgov.decision) IS 'internal: decision_counts transition';
COMMENT ON FUNCTION modelgov._decision_counts_combine(bigint[], bigint[]) IS 'internal: decision_counts combine';
COMMENT ON FUNCTION modelgov._decision_counts_final(bigint[]) IS 'internal: decision_counts final';

CREATE AGGREGATE modelgov.decision_counts(d modelgov.decision) (
	SFUNC = modelgov._decision_counts_add,
	STYPE = bigint[],
	INITCOND = '{0,0,0,0,0}',
	COMBINEFUNC = modelgov._decision_counts_combine,
	FINALFUNC = modelgov._decision_counts_final,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE modelgov.decision_counts(modelgov.decision) IS
	'the counts record_metrics takes, in one pass: decisions, auto, ask, escalate, and errors (NULL decisions)';
