--
-- Configuration: validation, normalization and the change types a change contains
--

/*
 * Configuration.  A version's configuration is kept normalized: every key
 * present, features named, in this key order (jsonb sorts keys anyway):
 *
 *	{"features": [{"name": "f1"}, {"name": "f5", "default": 0.0}, ...],
 *	 "weights": [...], "biases": {"default": 0.0, "<candidate>": ...},
 *	 "thresholds": {"auto": a, "escalate": e},
 *	 "calibration": {"method": "none"} | {"method": "temperature", "T": t}
 *				  | {"method": "platt", "a": a, "b": b},
 *	 "safety_rules": [{"name", "feature", "op", "value", "decision"}, ...],
 *	 "missing_feature_decision": "ASK"}
 */
CREATE FUNCTION modelgov_internal.config_error(message text, detail text) RETURNS void
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	RAISE EXCEPTION '%', message
		USING ERRCODE = 'invalid_parameter_value', DETAIL = detail,
			  HINT = 'See "Configuration" in docs/reference.md for the keys a configuration holds.';
END
$$;
COMMENT ON FUNCTION modelgov_internal.config_error(text, text) IS 'internal: raise 22023 for a bad configuration';

CREATE FUNCTION modelgov_internal.config_number(v jsonb, what text, lo float8 DEFAULT NULL, hi float8 DEFAULT NULL)
	RETURNS float8
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	x float8;
BEGIN
	IF v IS NULL OR jsonb_typeof(v) <> 'number' THEN
		PERFORM modelgov_internal.config_error('invalid model configuration',
			format('%s must be a number, not %s.', what, COALESCE(v::text, 'missing')));
	END IF;
	-- JSON numbers are exact; the model computes in float8
	IF abs(v::text::numeric) > 1e300 THEN
		PERFORM modelgov_internal.config_error('invalid model configuration',
			format('%s is too large: %s.', what, left(v::text, 40)));
	END IF;
	x := v::text::float8;
	IF (lo IS NOT NULL AND x < lo) OR (hi IS NOT NULL AND x > hi) THEN
		PERFORM modelgov_internal.config_error('invalid model configuration',
			format('%s must be between %s and %s, not %s.', what, lo, hi, v::text));
	END IF;
	RETURN x;
END
$$;
COMMENT ON FUNCTION modelgov_internal.config_number(jsonb, text, float8, float8) IS
	'internal: a finite JSON number, optionally within bounds, or 22023';

CREATE FUNCTION modelgov_internal.normalize_config(cfg jsonb) RETURNS jsonb
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	k text;
	weights jsonb;
	features jsonb := '[]';
	biases jsonb;
	thresholds jsonb;
	calibration jsonb;
	rules jsonb := '[]';
	missing text;
	n int;
	f jsonb;
	r jsonb;
	names text[] := '{}';
	rule_names text[] := '{}';
	method text;
	t_auto float8;
	t_esc float8;
BEGIN
	IF cfg IS NULL OR jsonb_typeof(cfg) <> 'object' THEN
		PERFORM modelgov_internal.config_error('invalid model configuration', 'A configuration is a JSON object.');
	END IF;
	FOR k IN SELECT jsonb_object_keys(cfg) LOOP
		IF NOT k = ANY (ARRAY['features', 'weights', 'biases', 'thresholds',
										   'threshold_auto', 'threshold_escalate', 'calibration',
										   'safety_rules', 'missing_feature_decision']) THEN
			PERFORM modelgov_internal.config_error('invalid model configuration',
				format('Unknown key "%s".', k));
		END IF;
	END LOOP;

	-- weights
	weights := cfg -> 'weights';
	IF weights IS NULL OR jsonb_typeof(weights) <> 'array'
	   OR jsonb_array_length(weights) = 0 THEN
		PERFORM modelgov_internal.config_error('invalid model configuration',
			'"weights" must be a non-empty array of numbers.');
	END IF;
	n := jsonb_array_length(weights);
	IF n > 1000 THEN
		PERFORM modelgov_internal.config_error('invalid model configuration',
			format('A model has at most 1000 features, not %s.', n));
	END IF;
	FOR i IN 0 .. n - 1 LOOP
		PERFORM modelgov_internal.config_number(weights -> i, format('weights[%s]', i));
	END LOOP;

	-- features: named f1..fn when not given
	IF cfg ? 'features' THEN
		IF jsonb_typeof(cfg -> 'features') <> 'array'
		   OR jsonb_array_length(cfg -> 'features') <> n THEN
			PERFORM modelgov_internal.config_error('invalid model configuration',
				format('"features" must be an array with one entry per weight (%s).', n));
		END IF;
		FOR i IN 0 .. n - 1 LOOP
			f := cfg -> 'features' -> i;
			IF jsonb_typeof(f) <> 'object'
			   OR jsonb_typeof(f -> 'name') IS DISTINCT FROM 'string'
			   OR (f - 'name' - 'default') <> '{}'::jsonb THEN
				PERFORM modelgov_internal.config_error('invalid model configuration',
					format('features[%s] must be an object with a "name" and an optional "default".', i));
			END IF;
			IF (f ->> 'name') !~ '^[A-Za-z_][A-Za-z0-9_]{0,62}$' THEN
				PERFORM modelgov_internal.config_error('invalid model configuration',
					format('Feature name %s is not an identifier.', f -> 'name'));
			END IF;
			IF (f ->> 'name') = ANY (names) THEN
				PERFORM modelgov_internal.config_error('invalid model configuration',
					format('Feature "%s" is declared twice.', f ->> 'name'));
			END IF;
			names := names || (f ->> 'name');
			IF f ? 'default' THEN
				PERFORM modelgov_internal.config_number(f -> 'default',
												format('features[%s].default', i));
			END IF;
			features := features || jsonb_build_array(f);
		END LOOP;
	ELSE
		FOR i IN 1 .. n LOOP
			names := names || ('f' || i);
			features := features || jsonb_build_array(
							jsonb_build_object('name', 'f' || i));
		END LOOP;
	END IF;

	-- biases: per candidate, "default" for the others
	biases := COALESCE(cfg -> 'biases', '{}');
	IF jsonb_typeof(biases) <> 'object' THEN
		PERFORM modelgov_internal.config_error('invalid model configuration',
			'"biases" must be an object mapping candidates to numbers.');
	END IF;
	FOR k IN SELECT jsonb_object_keys(biases) LOOP
		PERFORM modelgov_internal.config_number(biases -> k, format('biases.%s', k));
	END LOOP;
	IF NOT biases ? 'default' THEN
		biases := biases || '{"default": 0.0}';
	END IF;

	-- thresholds, nested or in the seed's flat form
	IF cfg ? 'thresholds'
	   AND (cfg ? 'threshold_auto' OR cfg ? 'threshold_escalate') THEN
		PERFORM modelgov_internal.config_error('invalid model configuration',
			'Give "thresholds" or "threshold_auto" and "threshold_escalate", not both.');
	END IF;
	thresholds := COALESCE(cfg -> 'thresholds',
						   jsonb_strip_nulls(jsonb_build_object(
							   'auto', cfg -> 'threshold_auto',
							   'escalate', cfg -> 'threshold_escalate')));
	IF jsonb_typeof(thresholds) <> 'object'
	   OR (thresholds - 'auto' - 'escalate') <> '{}'::jsonb THEN
		PERFORM modelgov_internal.config_error('invalid model configuration',
			'"thresholds" must be an object with "auto" and "escalate".');
	END IF;
	t_auto := modelgov_internal.config_number(thresholds -> 'auto', 'thresholds.auto', 0, 1);
	t_esc := modelgov_internal.config_number(thresholds -> 'escalate', 'thresholds.escalate', 0, 1);
	IF t_auto > t_esc THEN
		PERFORM modelgov_internal.config_error('invalid model configuration',
			format('thresholds.auto (%s) must not exceed thresholds.escalate (%s).', t_auto, t_esc));
	END IF;

	-- calibration
	calibration := COALESCE(cfg -> 'calibration', '{"method": "none"}');
	method := calibration ->> 'method';
	IF jsonb_typeof(calibration) <> 'object' OR method IS NULL THEN
		PERFORM modelgov_internal.config_error('invalid model configuration',
			'"calibration" must be an object with a "method".');
	END IF;
	IF method = 'none' THEN
		IF calibration <> '{"method": "none"}'::jsonb THEN
			PERFORM modelgov_internal.config_error('invalid model configuration',
				'Calibration "none" takes no parameters.');
		END IF;
	ELSIF method = 'temperature' THEN
		IF (calibration - 'method' - 'T') <> '{}'::jsonb THEN
			PERFORM modelgov_internal.config_error('invalid model configuration',
				'Calibration "temperature" takes one parameter, "T".');
		END IF;
		IF modelgov_internal.config_number(calibration -> 'T', 'calibration.T') <= 0 THEN
			PERFORM modelgov_internal.config_error('invalid model configuration',
				format('calibration.T must be positive, not %s.', calibration -> 'T'));
		END IF;
	ELSIF method = 'platt' THEN
		IF (calibration - 'method' - 'a' - 'b') <> '{}'::jsonb THEN
			PERFORM modelgov_internal.config_error('invalid model configuration',
				'Calibration "platt" takes two parameters, "a" and "b".');
		END IF;
		PERFORM modelgov_internal.config_number(calibration -> 'a', 'calibration.a');
		PERFORM modelgov_internal.config_number(calibration -> 'b', 'calibration.b');
	ELSE
		PERFORM modelgov_internal.config_error('invalid model configuration',
			format('Unknown calibration method "%s"; use none, temperature or platt.', method));
	END IF;

	-- safety rules
	IF cfg ? 'safety_rules' THEN
		IF jsonb_typeof(cfg -> 'safety_rules') <> 'array' THEN
			PERFORM modelgov_internal.config_error('invalid model configuration', '"safety_rules" must be an array.');
		END IF;
		FOR r IN SELECT * FROM jsonb_array_elements(cfg -> 'safety_rules') LOOP
			IF jsonb_typeof(r) <> 'object'
			   OR (r - ARRAY['name', 'feature', 'op', 'value', 'decision']) <> '{}'::jsonb
			   OR NOT r ?& ARRAY['name', 'feature', 'op', 'value', 'decision'] THEN
				PERFORM modelgov_internal.config_error('invalid model configuration',
					format('Safety rule %s must have exactly "name", "feature", "op", "value" and "decision".', r));
			END IF;
			IF jsonb_typeof(r -> 'name') <> 'string'
			   OR (r ->> 'name') = ANY (rule_names) THEN
				PERFORM modelgov_internal.config_error('invalid model configuration',
					format('Safety rule names must be distinct strings: %s.', r -> 'name'));
			END IF;
			rule_names := rule_names || (r ->> 'name');
			IF NOT (r ->> 'feature') = ANY (names) THEN
				PERFORM modelgov_internal.config_error('invalid model configuration',
					format('Safety rule "%s" refers to unknown feature %s.',
									  r ->> 'name', r -> 'feature'));
			END IF;
			IF NOT (r ->> 'op') = ANY (ARRAY['<', '<=', '>', '>=']) THEN
				PERFORM modelgov_internal.config_error('invalid model configuration',
					format('Safety rule "%s" has operator %s; use <, <=, > or >=.',
									  r ->> 'name', r -> 'op'));
			END IF;
			PERFORM modelgov_internal.config_number(r -> 'value',
				format('Safety rule "%s" value', r ->> 'name'));
			IF NOT (r ->> 'decision') = ANY (ARRAY['ASK', 'ESCALATE']) THEN
				PERFORM modelgov_internal.config_error('invalid model configuration',
					format('Safety rule "%s" decides %s; a rule can only ASK or ESCALATE.',
									  r ->> 'name', r -> 'decision'));
			END IF;
			rules := rules || jsonb_build_array(r);
		END LOOP;
	END IF;

	missing := CASE WHEN cfg ? 'missing_feature_decision'
					THEN cfg ->> 'missing_feature_decision' ELSE 'ASK' END;
	IF missing IS NULL OR NOT missing = ANY (ARRAY['ASK', 'ESCALATE']) THEN
		PERFORM modelgov_internal.config_error('invalid model configuration',
			format('"missing_feature_decision" is %s; it must be ASK or ESCALATE.',
							  cfg -> 'missing_feature_decision'));
	END IF;

	RETURN jsonb_build_object(
		'features', features, 'weights', weights, 'biases', biases,
		'thresholds', jsonb_build_object('auto', thresholds -> 'auto',
													'escalate', thresholds -> 'escalate'),
		'calibration', calibration, 'safety_rules', rules,
		'missing_feature_decision', missing);
END
$$;
COMMENT ON FUNCTION modelgov_internal.normalize_config(jsonb) IS
	'internal: validate a model configuration completely and return it normalized, or 22023';

/* The seed's view of a configuration, for old_values and new_values. */
CREATE FUNCTION modelgov_internal.config_values(cfg jsonb) RETURNS jsonb
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT cfg - 'thresholds' || jsonb_build_object(
		'threshold_auto', cfg -> 'thresholds' -> 'auto',
		'threshold_escalate', cfg -> 'thresholds' -> 'escalate')
$$;
COMMENT ON FUNCTION modelgov_internal.config_values(jsonb) IS
	'internal: a normalized configuration with the seed''s flat threshold keys';

/*
 * The change types a configuration change really contains, and the least
 * bump its feature changes allow.
 */
CREATE FUNCTION modelgov_internal.config_changes(old jsonb, new jsonb,
										 OUT change_types modelgov.change_type[],
										 OUT feature_bump modelgov.bump_level)
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	onames text[];
	nnames text[];
	kept_old text[];
	kept_new text[];
	appended_with_defaults boolean;
BEGIN
	change_types := '{}';
	feature_bump := 'patch';
	SELECT array_agg(e ->> 'name' ORDER BY i) INTO onames
	  FROM jsonb_array_elements(old -> 'features') WITH ORDINALITY AS x(e, i);
	SELECT array_agg(e ->> 'name' ORDER BY i) INTO nnames
	  FROM jsonb_array_elements(new -> 'features') WITH ORDINALITY AS x(e, i);
	-- the features both lists keep, each in its own list's order
	kept_old := ARRAY(SELECT n FROM unnest(onames) WITH ORDINALITY AS u(n, i)
					   WHERE n = ANY (nnames) ORDER BY i);
	kept_new := ARRAY(SELECT n FROM unnest(nnames) WITH ORDINALITY AS u(n, i)
					   WHERE n = ANY (onames) ORDER BY i);

	IF cardinality(kept_old) < cardinality(onames) THEN
		change_types := change_types || 'feature_removal'::modelgov.change_type;
	END IF;
	IF cardinality(kept_new) < cardinality(nnames) THEN
		change_types := change_types || 'feature_addition'::modelgov.change_type;
	END IF;
	-- a kept feature redefined (its default), or the kept ones reordered
	IF kept_old <> kept_new
	   OR EXISTS (SELECT 1 FROM jsonb_array_elements(old -> 'features') AS o(e)
				  JOIN jsonb_array_elements(new -> 'features') AS n(e)
					ON (o.e ->> 'name') = (n.e ->> 'name')
				  WHERE o.e <> n.e) THEN
		change_types := change_types || 'feature_modification'::modelgov.change_type;
	END IF;

	-- Compatibility: old inputs keep working only when the old list is a
	-- prefix of the new one and every appended feature has a default.
	IF onames <> nnames THEN
		SELECT COALESCE(bool_and(e ? 'default'), true) INTO appended_with_defaults
		  FROM jsonb_array_elements(new -> 'features') WITH ORDINALITY AS x(e, i)
		 WHERE i > cardinality(onames);
		feature_bump := CASE WHEN nnames[1:cardinality(onames)] = onames
								  AND NOT 'feature_modification'::modelgov.change_type = ANY (change_types)
								  AND appended_with_defaults
							 THEN 'minor'::modelgov.bump_level ELSE 'major' END;
	ELSIF 'feature_modification'::modelgov.change_type = ANY (change_types) THEN
		feature_bump := 'major';
	END IF;

	-- weights of the kept features, compared by name
	IF EXISTS (SELECT 1 FROM unnest(onames) WITH ORDINALITY AS o(name, i)
				 JOIN unnest(nnames) WITH ORDINALITY AS n(name, i)
				   ON n.name = o.name
				WHERE (old -> 'weights' -> (o.i::int - 1))
					  <>
					  (new -> 'weights' -> (n.i::int - 1))) THEN
		change_types := change_types || 'weights_update'::modelgov.change_type;
	END IF;
	IF (old -> 'thresholds') <> (new -> 'thresholds') THEN
		change_types := change_types || 'threshold_change'::modelgov.change_type;
	END IF;
	IF (old -> 'biases') <> (new -> 'biases') THEN
		change_types := change_types || 'bias_update'::modelgov.change_type;
	END IF;
	IF (old -> 'calibration') <> (new -> 'calibration') THEN
		change_types := change_types || 'calibration_update'::modelgov.change_type;
	END IF;
	IF (old -> 'safety_rules') <> (new -> 'safety_rules')
	   OR (old -> 'missing_feature_decision') <> (new -> 'missing_feature_decision') THEN
		change_types := change_types || 'safety_rule_change'::modelgov.change_type;
	END IF;
	change_types := ARRAY(SELECT DISTINCT c FROM unnest(change_types) AS c ORDER BY c);
END
$$;
COMMENT ON FUNCTION modelgov_internal.config_changes(jsonb, jsonb) IS
	'internal: the change types between two normalized configurations, and the least bump the feature changes allow';
