--
-- The governance process's documents in its own formats: each audit entry
-- in the flat JSON of its audit log, the model configuration file and the
-- historical record of a version, laid out as the process writes JSON.
--
-- jsonb keeps no key order, so these are built as json, whose text keeps
-- the order in which the keys were written.
--

/*
 * A rate as the process writes one: three decimals, a trailing zero of the
 * third dropped (0.953, 0.125, 0.10).
 */
CREATE FUNCTION modelgov_internal.seed_rate(x numeric) RETURNS numeric
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT CASE WHEN round(x, 3) = round(x, 2) THEN round(x, 2) ELSE round(x, 3) END
$$;
COMMENT ON FUNCTION modelgov_internal.seed_rate(numeric) IS
	'internal: a rate rounded as the governance process writes one (0.953, 0.10)';

/*
 * The layout of the process's JSON: two spaces per level, keys in the
 * order written, ", " between the numbers of an array and one line for an
 * array of numbers or a container of one scalar ("biases": { "default":
 * 0.0 }, "approved_by": ["charlie@company.com"]); anything else one member
 * per line.  Below 100 levels a value is written on one line as it is:
 * the audit log keeps whatever a proposal held, and its export must not
 * fail on it.
 */
CREATE FUNCTION modelgov_internal.format_json(value json, indent integer, depth integer) RETURNS text
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	pad text := repeat(' ', indent);
	inner_pad text := repeat(' ', indent + 2);
	kind text := json_typeof(value);
	items text[];
	scalars boolean;
	numbers boolean;
	n integer;
BEGIN
	IF kind = 'object' AND depth < 100 THEN
		SELECT count(*), bool_and(json_typeof(e.value) NOT IN ('object', 'array')),
			   array_agg(to_json(e.key)::text || ': ' || modelgov_internal.format_json(e.value, indent + 2, depth + 1)
						 ORDER BY e.n)
		  INTO n, scalars, items
		  FROM json_each(value) WITH ORDINALITY AS e(key, value, n);
		IF n = 0 THEN
			RETURN '{}';
		ELSIF n = 1 AND scalars THEN
			RETURN '{ ' || items[1] || ' }';
		END IF;
		RETURN '{' || chr(10) || inner_pad || array_to_string(items, ',' || chr(10) || inner_pad)
			   || chr(10) || pad || '}';
	ELSIF kind = 'array' AND depth < 100 THEN
		SELECT count(*), bool_and(json_typeof(e.value) NOT IN ('object', 'array')),
			   bool_and(json_typeof(e.value) = 'number'),
			   array_agg(modelgov_internal.format_json(e.value, indent + 2, depth + 1) ORDER BY e.n)
		  INTO n, scalars, numbers, items
		  FROM json_array_elements(value) WITH ORDINALITY AS e(value, n);
		IF n = 0 THEN
			RETURN '[]';
		ELSIF numbers OR (n = 1 AND scalars) THEN
			RETURN '[' || array_to_string(items, ', ') || ']';
		END IF;
		RETURN '[' || chr(10) || inner_pad || array_to_string(items, ',' || chr(10) || inner_pad)
			   || chr(10) || pad || ']';
	END IF;
	-- a scalar, or a value too deep to lay out: its JSON text on one line
	-- (jsonb's text form, which has no line breaks)
	IF kind IN ('object', 'array') THEN
		RETURN value::jsonb::text;
	END IF;
	RETURN btrim(value::text, E' \t\r\n');
END
$$;
COMMENT ON FUNCTION modelgov_internal.format_json(json, integer, integer) IS
	'internal: the body of modelgov.format_json, one level of nesting at a time';

CREATE FUNCTION modelgov.format_json(value json, indent integer DEFAULT 0) RETURNS text
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	IF indent IS NULL OR indent < 0 OR indent > 1000 THEN
		RAISE EXCEPTION 'indent must be between 0 and 1000, not %', COALESCE(indent::text, 'null')
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	RETURN modelgov_internal.format_json(value, indent, 0);
END
$$;
COMMENT ON FUNCTION modelgov.format_json(json, integer) IS
	'JSON laid out as the governance process writes it: keys in their order, two spaces per level (from indent, 0 to 1000), arrays of numbers and containers of one scalar on one line; what is nested deeper than 100 levels on one line';

/*
 * One audit entry in the flat shape of the process's audit log.  The first
 * two keys of every entry are timestamp (UTC, with Z) and event_type; a
 * production deployment and a rollback have exactly the process's keys; the
 * committee's approval has those of its approval record; any other entry
 * has its version, proposal, change type, the member who acted, its
 * details and its status.  The model is not a key: an export is of one
 * model, or says which entries it holds.
 */
CREATE FUNCTION modelgov.audit_entry(seq bigint) RETURNS json
	LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	a modelgov.audit_log;
	d jsonb;
	head json;
	body json;
	mb jsonb;
BEGIN
	SELECT * INTO a FROM modelgov.audit_log x WHERE x.seq = seq;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	d := a.details;
	head := json_build_object('timestamp', modelgov_internal.utc_text(a.recorded_at), 'event_type', a.event_type);

	IF a.event_type = 'deployment' AND a.status = 'active' THEN
		mb := d -> 'metrics_before';
		body := json_build_object(
			'version', a.version::text, 'change_type', a.change_type::text, 'proposal_id', a.proposal_id,
			'old_values', d -> 'old_values', 'new_values', d -> 'new_values',
			'approved_by', COALESCE(d -> 'approved_by', '[]'), 'deployed_by', d -> 'deployed_by',
			'reason', d -> 'reason',
			'metrics_before', CASE WHEN jsonb_typeof(mb) = 'object' THEN
				json_strip_nulls(json_build_object(
					'correct_auto', modelgov_internal.seed_rate((mb ->> 'correct_auto')::numeric),
					'auto_rate', modelgov_internal.seed_rate((mb ->> 'auto_rate')::numeric),
					'escalate_rate', modelgov_internal.seed_rate((mb ->> 'escalate_rate')::numeric))) END,
			'status', a.status);
	ELSIF a.event_type = 'rollback' THEN
		body := json_build_object(
			'from_version', d -> 'from_version', 'to_version', d -> 'to_version', 'reason', d -> 'reason',
			'rolled_back_by', d -> 'rolled_back_by', 'root_cause', d -> 'root_cause', 'status', a.status);
	ELSIF a.event_type = 'approved' THEN
		body := json_build_object(
			'proposal_id', a.proposal_id, 'status', a.status, 'approved_by', COALESCE(d -> 'approved_by', '[]'),
			'approved_at', d -> 'approved_at', 'scheduled_deployment', d -> 'scheduled_deployment');
	ELSE
		-- the columns that are set, then the details (in jsonb's order)
		SELECT json_object_agg(k.key, k.value ORDER BY k.n) INTO body
		  FROM (SELECT 1 AS n, 'version' AS key, to_jsonb(a.version::text) AS value WHERE a.version IS NOT NULL
				UNION ALL
				SELECT 2, 'change_type', to_jsonb(a.change_type::text) WHERE a.change_type IS NOT NULL
				UNION ALL
				SELECT 3, 'proposal_id', to_jsonb(a.proposal_id) WHERE a.proposal_id IS NOT NULL
				UNION ALL
				SELECT 4, 'actor', to_jsonb(a.actor)
				UNION ALL
				SELECT 4 + e.n, e.key, e.value
				  FROM jsonb_each(d) WITH ORDINALITY AS e(key, value, n)
				 WHERE e.key NOT IN ('version', 'change_type', 'proposal_id', 'actor', 'status', 'timestamp',
									 'event_type')
				UNION ALL
				SELECT 1000000, 'status', to_jsonb(a.status) WHERE a.status IS NOT NULL) k;
	END IF;
	-- one object: the head's keys, then the body's
	RETURN (left(head::text, -1) || ', ' || substr(body::text, 2))::json;
END
$$;
COMMENT ON FUNCTION modelgov.audit_entry(bigint) IS
	'an audit entry in the flat JSON of the governance process''s audit log (timestamp in UTC, event_type, then the event''s keys in the process''s order); NULL when there is no such entry';

CREATE FUNCTION modelgov.audit_export(model text DEFAULT NULL, event_types text[] DEFAULT NULL,
									  first_seq bigint DEFAULT NULL, last_seq bigint DEFAULT NULL) RETURNS text
	LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
BEGIN
	-- a model that does not exist is an error, not an empty log
	IF model IS NOT NULL THEN
		PERFORM modelgov_internal.require_model(model, false);
	END IF;
	RETURN (SELECT COALESCE('[' || chr(10) || '  '
							|| string_agg(modelgov_internal.format_json(modelgov.audit_entry(a.seq), 2, 0),
										  ',' || chr(10) || '  ' ORDER BY a.seq)
							|| chr(10) || ']', '[]')
			  FROM modelgov.audit_log a
			 WHERE (model IS NULL OR a.model = model)
			   AND (event_types IS NULL OR a.event_type = ANY (event_types))
			   AND a.seq >= COALESCE(first_seq, 1)
			   AND a.seq <= COALESCE(last_seq, 9223372036854775807));
END
$$;
COMMENT ON FUNCTION modelgov.audit_export(text, text[], bigint, bigint) IS
	'the audit log as the governance process writes it: a JSON array of modelgov.audit_entry(seq) laid out by modelgov.format_json, in order, of one model (NULL: every entry, database-wide ones too; 42704 for a model that does not exist), of the event types given (NULL: all), from first_seq to last_seq';

/*
 * The model configuration file of a version: version, released_at (its
 * first day in production, UTC), weights, biases, thresholds, then what
 * else its configuration holds that is not a default (model_config() has
 * every key).
 */
CREATE FUNCTION modelgov.config_file(model text, version modelgov.semver DEFAULT NULL) RETURNS text
	LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	mdl modelgov.models := modelgov_internal.require_model(model, false);
	want modelgov.semver := COALESCE(version, modelgov.active_version(mdl.name, 'production'::modelgov.environment));
	v modelgov.versions;
	doc json;
BEGIN
	IF want IS NULL THEN
		RAISE EXCEPTION 'model "%" has no active version', mdl.name USING ERRCODE = 'undefined_object';
	END IF;
	v := modelgov_internal.require_version(mdl.name, want);
	SELECT json_object_agg(k.key, k.value ORDER BY k.n, k.key) INTO doc
	  FROM (SELECT 1 AS n, 'version' AS key, to_json(v.version::text) AS value
			UNION ALL
			SELECT 2, 'released_at', to_json(modelgov_internal.utc_text(v.released_at))
			UNION ALL
			SELECT CASE e.key WHEN 'weights' THEN 3 WHEN 'biases' THEN 4 WHEN 'thresholds' THEN 5 ELSE 6 END,
				   e.key,
				   -- the biases with "default" first, as the process writes it
				   CASE WHEN e.key = 'biases' AND jsonb_typeof(e.value) = 'object'
						THEN (SELECT json_object_agg(b.key, b.value ORDER BY b.key <> 'default', b.key)
								FROM jsonb_each(e.value) b)
						ELSE e.value::json END
			  FROM jsonb_each(v.config) e
			 WHERE e.key NOT IN ('version', 'released_at')
			   -- a key that holds its default is left out, as the process's
			   -- file leaves it out: reading the file gives the same model
			   AND NOT (e.key = 'calibration' AND e.value = '{"method": "none"}'
						OR e.key = 'safety_rules' AND e.value = '[]'
						OR e.key = 'missing_feature_decision' AND e.value = '"ASK"'
						OR e.key = 'features'
						   AND e.value = (SELECT jsonb_agg(jsonb_build_object('name', 'f' || i) ORDER BY i)
											FROM generate_series(1, jsonb_array_length(v.config -> 'weights')) i))) k;
	RETURN modelgov_internal.format_json(doc, 0, 0);
END
$$;
COMMENT ON FUNCTION modelgov.config_file(text, modelgov.semver) IS
	'the model configuration file of a version (the active one by default) as the governance process writes it: version, released_at (UTC), weights, biases (default first), thresholds, then the rest of its configuration, without the keys that hold their defaults (calibration none, no safety rules, missing_feature_decision ASK, features f1, f2, ... without defaults)';

/*
 * The historical record of a version: version, released_at, weights,
 * threshold_auto, threshold_escalate, performance (correct_auto, auto_rate,
 * escalate_rate over its days of metrics; null before any), status and
 * superseded_by.
 */
CREATE FUNCTION modelgov.version_record(model text, version modelgov.semver) RETURNS json
	LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	mdl modelgov.models := modelgov_internal.require_model(model, false);
	v modelgov.versions;
	perf jsonb;
BEGIN
	IF version IS NULL THEN
		PERFORM modelgov_internal.missing('version_record', 'version', 'model, version');
	END IF;
	v := modelgov_internal.require_version(mdl.name, version);
	SELECT h.performance INTO perf FROM modelgov.version_history h
	 WHERE h.model = mdl.name AND h.version OPERATOR(modelgov.=) v.version;
	RETURN json_build_object(
		'version', v.version::text,
		'released_at', modelgov_internal.utc_text(v.released_at),
		'weights', v.config -> 'weights',
		'threshold_auto', v.config #> '{thresholds,auto}',
		'threshold_escalate', v.config #> '{thresholds,escalate}',
		'performance', CASE WHEN perf IS NOT NULL THEN
			json_build_object('correct_auto', modelgov_internal.seed_rate((perf ->> 'correct_auto')::numeric),
							  'auto_rate', modelgov_internal.seed_rate((perf ->> 'auto_rate')::numeric),
							  'escalate_rate', modelgov_internal.seed_rate((perf ->> 'escalate_rate')::numeric)) END,
		'status', v.status,
		'superseded_by', v.superseded_by::text);
END
$$;
COMMENT ON FUNCTION modelgov.version_record(text, modelgov.semver) IS
	'the historical record of a version in the governance process''s shape: version, released_at (UTC), weights, threshold_auto, threshold_escalate, performance (averages of its daily metrics, rates to three decimals), status, superseded_by; lay it out with modelgov.format_json';
