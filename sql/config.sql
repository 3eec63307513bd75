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
 *
 * The C configuration parser is the only judge of what is valid: the same
 * rules compile a version for scoring, so anything that can be proposed
 * and approved can be scored.  Numbers are stored as the float8 the model
 * uses (a number written with more digits than a float8 holds is stored as
 * its shortest round-trip decimal).
 */
CREATE FUNCTION modelgov_internal.normalize_config(cfg jsonb) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'mg_normalize_config'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION modelgov_internal.normalize_config(jsonb) IS
	'internal: the one gate for configurations (src/config_core.c): validate completely and return the '
	'normalized configuration, or 22023 (invalid) / 54000 (a limit), the key in the detail';

CREATE FUNCTION modelgov_internal.config_compiles(cfg jsonb) RETURNS boolean
	AS 'MODULE_PATHNAME', 'mg_config_compiles'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION modelgov_internal.config_compiles(jsonb) IS
	'internal: true when a stored (normalized) configuration compiles into a model that scoring can use';

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
