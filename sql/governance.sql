--
-- Governance: proposals, reviews, approvals (deployment.sql deploys them)
--

CREATE TYPE modelgov.environment AS ENUM ('staging', 'production');
COMMENT ON TYPE modelgov.environment IS 'deployment environment';

--
-- Governance tables.  Written only by the functions below; readable by
-- everybody with USAGE on the schema (members, which holds identities, is
-- not).
--

CREATE TABLE modelgov.proposals (
	proposal_id		text PRIMARY KEY CHECK (proposal_id OPERATOR(pg_catalog.~) '^PROP_[0-9]{6}_[0-9]{3,}$'),
	proposed_at		timestamptz NOT NULL,
	proposer		text NOT NULL,
	proposer_identity text NOT NULL,
	change_type		modelgov.change_type NOT NULL,
	description		text NOT NULL,
	base_version	modelgov.semver NOT NULL,
	target_version	modelgov.semver NOT NULL,
	old_values		jsonb NOT NULL,
	new_values		jsonb NOT NULL,
	config			jsonb NOT NULL,
	impact_analysis	jsonb,
	rollback_plan	text,
	monitoring_plan	text,
	status			text NOT NULL DEFAULT 'proposed'
					CHECK (status OPERATOR(pg_catalog.=) ANY (ARRAY['proposed', 'in_review', 'reviewed', 'approved',
																	 'staged', 'deployed', 'rejected', 'withdrawn'])),
	approved_at		timestamptz,
	scheduled_deployment timestamptz,
	closed_at		timestamptz,
	closed_reason	text,
	model			text NOT NULL REFERENCES modelgov.models
);
COMMENT ON TABLE modelgov.proposals IS
	'proposed changes to a model, from proposal to deployment, rejection or withdrawal';
CREATE INDEX ON modelgov.proposals (model, status);

CREATE TABLE modelgov.reviews (
	proposal_id		text NOT NULL REFERENCES modelgov.proposals,
	reviewer		text NOT NULL,
	reviewer_identity text NOT NULL,
	checklist		jsonb NOT NULL,
	approve			boolean NOT NULL,
	comment			text,
	reviewed_at		timestamptz NOT NULL,
	PRIMARY KEY (proposal_id, reviewer),
	model			text NOT NULL REFERENCES modelgov.models
);
COMMENT ON TABLE modelgov.reviews IS 'independent reviews of proposals, with the six-item checklist';

CREATE TABLE modelgov.approvals (
	proposal_id		text NOT NULL REFERENCES modelgov.proposals,
	as_role			modelgov.member_role NOT NULL,
	member			text NOT NULL,
	member_identity	text NOT NULL,
	decided_at		timestamptz NOT NULL,
	scheduled_deployment timestamptz,
	PRIMARY KEY (proposal_id, as_role, member),
	UNIQUE (proposal_id, member),
	model			text NOT NULL REFERENCES modelgov.models
);
COMMENT ON TABLE modelgov.approvals IS
	'committee approvals, each by a different member; one counts while its member holds its role';

CREATE TABLE modelgov.versions (
	version			modelgov.semver NOT NULL,
	config			jsonb NOT NULL,
	proposal_id		text UNIQUE REFERENCES modelgov.proposals,
	created_at		timestamptz NOT NULL,
	staged_at		timestamptz,
	released_at		timestamptz,
	status			text NOT NULL
					CHECK (status OPERATOR(pg_catalog.=) ANY (ARRAY['approved', 'staged', 'active', 'superseded',
																	 'rolled_back', 'withdrawn'])),
	superseded_by	modelgov.semver,
	-- what runs in staging or production can be scored: the C parser that
	-- validated it at propose compiles it (src/config_core.c)
	CONSTRAINT versions_config_compiles
		CHECK (status OPERATOR(pg_catalog.<>) ALL (ARRAY['staged', 'active'])
			   OR modelgov_internal.config_compiles(config)),
	model			text NOT NULL REFERENCES modelgov.models,
	PRIMARY KEY (model, version)
);
COMMENT ON TABLE modelgov.versions IS
	'every version of every model, its frozen configuration and its state';
-- exactly one active production version per model: at most one by this
-- index, at least one because every change of it is one transaction
CREATE UNIQUE INDEX versions_one_active ON modelgov.versions (model)
	WHERE status OPERATOR(pg_catalog.=) 'active';

CREATE TABLE modelgov.environments (
	env				modelgov.environment NOT NULL,
	version			modelgov.semver NOT NULL,
	since			timestamptz NOT NULL,
	model			text NOT NULL REFERENCES modelgov.models,
	PRIMARY KEY (model, env),
	FOREIGN KEY (model, version) REFERENCES modelgov.versions (model, version)
);
COMMENT ON TABLE modelgov.environments IS 'the version each environment of each model runs now';

CREATE SEQUENCE modelgov.deployments_id_seq;
CREATE TABLE modelgov.deployments (
	id				bigint PRIMARY KEY DEFAULT pg_catalog.nextval('modelgov.deployments_id_seq'),
	env				modelgov.environment NOT NULL,
	kind			text NOT NULL CHECK (kind OPERATOR(pg_catalog.=) ANY (ARRAY['init', 'deploy', 'rollback'])),
	version			modelgov.semver NOT NULL,
	from_version	modelgov.semver,
	proposal_id		text REFERENCES modelgov.proposals,
	deployed_at		timestamptz NOT NULL,
	deployed_by		text NOT NULL,
	reason			text,
	audit_seq		bigint NOT NULL REFERENCES modelgov.audit_log,
	model			text NOT NULL REFERENCES modelgov.models,
	FOREIGN KEY (model, version) REFERENCES modelgov.versions (model, version),
	FOREIGN KEY (model, from_version) REFERENCES modelgov.versions (model, version)
);
CREATE INDEX ON modelgov.deployments (model, env, id);
ALTER SEQUENCE modelgov.deployments_id_seq OWNED BY modelgov.deployments.id;
COMMENT ON TABLE modelgov.deployments IS 'every deployment and rollback, in order';

CREATE SEQUENCE modelgov.smoke_tests_id_seq;
CREATE TABLE modelgov.smoke_tests (
	id				bigint PRIMARY KEY DEFAULT pg_catalog.nextval('modelgov.smoke_tests_id_seq'),
	version			modelgov.semver NOT NULL,
	passed			boolean NOT NULL,
	details			jsonb,
	recorded_at		timestamptz NOT NULL,
	recorded_by		text NOT NULL,
	model			text NOT NULL REFERENCES modelgov.models,
	FOREIGN KEY (model, version) REFERENCES modelgov.versions (model, version)
);
ALTER SEQUENCE modelgov.smoke_tests_id_seq OWNED BY modelgov.smoke_tests.id;
COMMENT ON TABLE modelgov.smoke_tests IS 'smoke test results recorded against staged versions';

SELECT pg_catalog.pg_extension_config_dump('modelgov.proposals', '');
SELECT pg_catalog.pg_extension_config_dump('modelgov.reviews', '');
SELECT pg_catalog.pg_extension_config_dump('modelgov.approvals', '');
SELECT pg_catalog.pg_extension_config_dump('modelgov.versions', '');
SELECT pg_catalog.pg_extension_config_dump('modelgov.environments', '');
SELECT pg_catalog.pg_extension_config_dump('modelgov.deployments', '');
SELECT pg_catalog.pg_extension_config_dump('modelgov.deployments_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('modelgov.smoke_tests', '');
SELECT pg_catalog.pg_extension_config_dump('modelgov.smoke_tests_id_seq', '');
COMMENT ON SEQUENCE modelgov.deployments_id_seq IS 'ids of deployments';
COMMENT ON SEQUENCE modelgov.smoke_tests_id_seq IS 'ids of smoke tests';

GRANT SELECT ON modelgov.proposals, modelgov.reviews, modelgov.approvals, modelgov.versions,
	modelgov.environments, modelgov.deployments, modelgov.smoke_tests TO PUBLIC;

/*
 * Lock a proposal, or 42704.  A proposal of a retired model goes no
 * further (55000).
 */
CREATE FUNCTION modelgov_internal.proposal_for_update(id text) RETURNS modelgov.proposals
	LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	p modelgov.proposals;
BEGIN
	SELECT * INTO p FROM modelgov.proposals x WHERE x.proposal_id = id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'proposal "%" does not exist', modelgov_internal.excerpt(id)
			USING ERRCODE = 'undefined_object';
	END IF;
	PERFORM modelgov_internal.lock_model(p.model);
	RETURN p;
END
$$;
COMMENT ON FUNCTION modelgov_internal.proposal_for_update(text) IS
	'internal: lock a proposal, or 42704; 55000 when its model is retired';

/*
 * A configuration with changes applied, before normalization: the seed's
 * flat threshold_auto and threshold_escalate, thresholds key by key, and
 * with merge_biases the biases key by key too (a candidate whose bias is
 * null loses it); any other key is replaced whole.  rebase() applies a
 * proposal's recorded new values, whose biases are the whole new object,
 * without merging them.
 */
CREATE FUNCTION modelgov_internal.apply_changes(base jsonb, changes jsonb, merge_biases boolean) RETURNS jsonb
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	merged jsonb := modelgov_internal.config_values(base) - 'threshold_auto' - 'threshold_escalate'
					|| jsonb_build_object('thresholds', base -> 'thresholds');
	k text;
BEGIN
	FOR k IN SELECT jsonb_object_keys(changes) LOOP
		IF k = ANY (ARRAY['threshold_auto', 'threshold_escalate']) THEN
			merged := jsonb_set(merged, ARRAY['thresholds', substr(k, 11)], changes -> k);
		ELSIF k = 'thresholds' AND jsonb_typeof(changes -> k) = 'object' THEN
			merged := jsonb_set(merged, '{thresholds}', (merged -> 'thresholds') || (changes -> k));
		ELSIF k = 'biases' AND merge_biases AND jsonb_typeof(changes -> k) = 'object'
			  AND jsonb_typeof(merged -> 'biases') = 'object' THEN
			merged := jsonb_set(merged, '{biases}',
								(SELECT COALESCE(jsonb_object_agg(b.key, b.value), '{}')
								   FROM jsonb_each((merged -> 'biases') || (changes -> k)) b
								  WHERE jsonb_typeof(b.value) <> 'null'));
		ELSE
			merged := merged || jsonb_build_object(k, changes -> k);
		END IF;
	END LOOP;
	RETURN merged;
END
$$;
COMMENT ON FUNCTION modelgov_internal.apply_changes(jsonb, jsonb, boolean) IS
	'internal: a configuration with changes applied (thresholds, and with merge_biases biases, key by key), before normalization';

CREATE FUNCTION modelgov_internal.require_version(model text, version modelgov.semver) RETURNS modelgov.versions
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	v modelgov.versions;
BEGIN
	SELECT * INTO v FROM modelgov.versions x
	 WHERE x.model = require_version.model AND x.version OPERATOR(modelgov.=) require_version.version;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'version % of model "%" does not exist', require_version.version, require_version.model
			USING ERRCODE = 'undefined_object';
	END IF;
	RETURN v;
END
$$;
COMMENT ON FUNCTION modelgov_internal.require_version(text, modelgov.semver) IS
	'internal: the row of a version of a model, or 42704';


/*
 * What goes to staging or production must compile.  Only a version made
 * by 0.1.0, whose checks were not the compiler's, can fail: say so before
 * versions_config_compiles refuses the row with the whole configuration
 * in its detail.
 */
CREATE FUNCTION modelgov_internal.require_compiles(v modelgov.versions) RETURNS void
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	IF NOT modelgov_internal.config_compiles(v.config) THEN
		RAISE EXCEPTION 'version % cannot be deployed: its configuration cannot be compiled', v.version
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'It was created by modelgov 0.1.0, which accepted configurations its compiler refuses; it could not be scored.',
				  HINT = 'Deploy or roll back to another version.';
	END IF;
END
$$;
COMMENT ON FUNCTION modelgov_internal.require_compiles(modelgov.versions) IS
	'internal: 55000 unless a version''s configuration compiles (before it is staged or made active)';
CREATE FUNCTION modelgov_internal.wrong_state(what text, p modelgov.proposals, expected text) RETURNS void
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	RAISE EXCEPTION 'cannot % proposal %', what, p.proposal_id
		USING ERRCODE = 'object_not_in_prerequisite_state',
			  DETAIL = format('The proposal is %s; it must be %s.', p.status, expected);
END
$$;
COMMENT ON FUNCTION modelgov_internal.wrong_state(text, modelgov.proposals, text) IS 'internal: raise 55000 for a step out of order';

/*
 * A version's configuration never changes once approved, nor does what a
 * proposal proposed; not even the extension's own functions may change
 * them, so scoring can compile a version once and keep it.
 */
CREATE FUNCTION modelgov_internal.version_frozen() RETURNS trigger
	LANGUAGE plpgsql
	SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	-- on a subscriber, the apply worker replays what the primary allowed
	IF modelgov_internal.replicating() THEN
		RETURN NEW;
	END IF;
	IF NEW.config <> OLD.config
	   OR NEW.version::text <> OLD.version::text THEN
		RAISE EXCEPTION 'version % is frozen', OLD.version
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'An approved version and its configuration never change; propose a new version instead.';
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION modelgov_internal.version_frozen() IS
	'internal: refuses changes to an approved version''s number or configuration';

CREATE FUNCTION modelgov_internal.proposal_frozen() RETURNS trigger
	LANGUAGE plpgsql
	SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	-- rebase() carries a proposal onto the production version: the change
	-- it proposes stays the same (the keys it changes did not move), its
	-- base, target and the values it changes from follow production.  Any
	-- role can set this setting, but only the extension's owner can update
	-- the table (members act through the owner's functions, none of which
	-- lets a caller steer an update), and the owner could as well disable
	-- the trigger.  On a subscriber, the apply worker replays what the
	-- primary allowed.
	IF modelgov_internal.replicating() THEN
		RETURN NEW;
	END IF;
	IF current_setting('modelgov_rebase.proposal', true) = OLD.proposal_id
	   AND NEW.change_type = OLD.change_type AND NEW.proposer = OLD.proposer THEN
		RETURN NEW;
	END IF;
	IF NEW.config <> OLD.config
	   OR NEW.new_values <> OLD.new_values
	   OR NEW.old_values <> OLD.old_values
	   OR NEW.change_type <> OLD.change_type
	   OR NEW.proposer <> OLD.proposer
	   OR NEW.target_version::text <> OLD.target_version::text
	   OR NEW.base_version::text <> OLD.base_version::text THEN
		RAISE EXCEPTION 'proposal % cannot be edited', OLD.proposal_id
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'What a proposal proposes never changes; withdraw it and propose again.';
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION modelgov_internal.proposal_frozen() IS
	'internal: refuses changes to what a proposal proposes';

CREATE TRIGGER versions_frozen BEFORE UPDATE ON modelgov.versions
	FOR EACH ROW EXECUTE FUNCTION modelgov_internal.version_frozen();
CREATE TRIGGER proposals_frozen BEFORE UPDATE ON modelgov.proposals
	FOR EACH ROW EXECUTE FUNCTION modelgov_internal.proposal_frozen();
ALTER TABLE modelgov.versions ENABLE ALWAYS TRIGGER versions_frozen;
ALTER TABLE modelgov.proposals ENABLE ALWAYS TRIGGER proposals_frozen;

--
-- The process
--

CREATE FUNCTION modelgov_internal.active_changed() RETURNS void
	AS 'MODULE_PATHNAME', 'mg_active_changed'
	LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION modelgov_internal.active_changed() IS
	'internal: at commit, tell every backend (and hot standbys) that the active version changed';

/*
 * The 0.1.0 way to start: create the model "default" with its first
 * version, in a database that holds no model yet.
 */
CREATE FUNCTION modelgov_internal.init_model(config jsonb) RETURNS modelgov.semver
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	PERFORM modelgov_internal.require_admin('initialize the model');
	LOCK TABLE modelgov.models IN SHARE ROW EXCLUSIVE MODE;
	IF EXISTS (SELECT 1 FROM modelgov.models) THEN
		RAISE EXCEPTION 'the model is already initialized'
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = format('This database holds the models %s; later versions come from proposals.',
								  modelgov_internal.model_list()),
				  HINT = 'Use modelgov.propose(), or create another model with modelgov.create_model().';
	END IF;
	RETURN modelgov_internal.create_model('default', config, NULL);
END
$$;
CREATE FUNCTION modelgov.init_model(config jsonb) RETURNS modelgov.semver
	AS 'MODULE_PATHNAME', 'mg_governance_call'
	LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION modelgov_internal.init_model(jsonb) IS
	'internal: the body of modelgov.init_model, which runs it for the role that acts (src/governance.c)';
COMMENT ON FUNCTION modelgov.init_model(jsonb) IS
	'deprecated since 0.2.0 (use create_model): create the model "default" and its first version (its "version" key, default 1.0.0), active at once, in a database without models (administrators only)';

/*
 * No default for env: active_version('staging') of 0.1.0 would read
 * 'staging' as a model's name.
 */
CREATE FUNCTION modelgov.active_version(model text, env modelgov.environment)
	RETURNS modelgov.semver
	LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	v modelgov.semver;
BEGIN
	IF env IS NULL THEN
		RETURN NULL;
	END IF;
	PERFORM modelgov_internal.require_model(model, false);
	SELECT e.version INTO v FROM modelgov.environments e WHERE e.model = model AND e.env = env;
	RETURN v;
END
$$;
COMMENT ON FUNCTION modelgov.active_version(text, modelgov.environment) IS
	'the version an environment (staging or production) of a model runs now; 42704 for an unknown model';

CREATE FUNCTION modelgov.active_version(env modelgov.environment DEFAULT 'production')
	RETURNS modelgov.semver
	LANGUAGE sql STABLE STRICT PARALLEL SAFE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT e.version FROM modelgov.environments e
	 WHERE e.env = active_version.env
	   AND e.model = (SELECT CASE WHEN count(*) <= 1 THEN min(m.name)
								  ELSE modelgov_internal.sole_model('active_version') END
						FROM modelgov.models m)
$$;
COMMENT ON FUNCTION modelgov.active_version(modelgov.environment) IS
	'deprecated since 0.2.0: active_version(model, env) of the database''s only model (NULL when there is none; 55000 when there are several)';

CREATE FUNCTION modelgov.model_config(model text, version modelgov.semver DEFAULT NULL) RETURNS jsonb
	LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	v modelgov.versions;
	want modelgov.semver;
BEGIN
	-- model_config(NULL) of 0.1.0 (the active version) reads NULL as the
	-- model: the database's only model, as in the 0.1.0 forms
	model := COALESCE(model, modelgov_internal.sole_model('model_config'));
	PERFORM modelgov_internal.require_model(model, false);
	want := COALESCE(version, modelgov.active_version(model, 'production'::modelgov.environment));
	SELECT * INTO v FROM modelgov.versions x WHERE x.model = model AND x.version OPERATOR(modelgov.=) want;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'version % of model "%" does not exist', COALESCE(want::text, '(none active)'), model
			USING ERRCODE = 'undefined_object';
	END IF;
	RETURN jsonb_build_object('version', v.version::text,
										 'released_at', to_char(timezone('UTC', v.released_at),
																		   'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
		   || v.config;
END
$$;
COMMENT ON FUNCTION modelgov.model_config(text, modelgov.semver) IS
	'the configuration file of a version of a model (the active one by default), as in the governance process; a NULL model is the database''s only model';

CREATE FUNCTION modelgov.model_config(version modelgov.semver DEFAULT NULL) RETURNS jsonb
	LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT modelgov.model_config(modelgov_internal.sole_model('model_config'), version)
$$;
COMMENT ON FUNCTION modelgov.model_config(modelgov.semver) IS
	'deprecated since 0.2.0: model_config(model, version) of the database''s only model';

/*
 * What a proposal declares besides its change_type argument.  Both live in
 * its impact_analysis, so that every form of propose takes them (the 0.1.0
 * form without a model too), no 0.1.0 call changes meaning, and the
 * proposal keeps them as they were written:
 *
 *	"change_types": ["weights_update", "threshold_change"]
 *		every change type the change contains, when it contains several;
 *		the change_type argument counts as declared whether listed or not
 *	"breaking": {"cause": "architecture" | "incompatible_api" | "process",
 *				 "migration": "how callers move to the new version"}
 *		the seed's MAJOR causes a configuration cannot show (architecture
 *		changes, incompatible API changes, major process changes): the
 *		version is MAJOR, whatever its change types require
 */
CREATE FUNCTION modelgov_internal.declared_change_types(change_type modelgov.change_type, impact_analysis jsonb)
	RETURNS modelgov.change_type[]
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	listed jsonb := impact_analysis -> 'change_types';
	e jsonb;
	declared modelgov.change_type[] := ARRAY[change_type];
BEGIN
	IF listed IS NULL OR listed = 'null'::jsonb THEN
		RETURN declared;
	END IF;
	IF jsonb_typeof(listed) <> 'array' OR jsonb_array_length(listed) > 10 THEN
		RAISE EXCEPTION 'invalid impact_analysis'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'change_types is an array of change types, like ["weights_update", "threshold_change"].',
				  HINT = 'List every change type the change contains; the change_type argument counts whether it is listed or not.';
	END IF;
	FOR e IN SELECT x FROM jsonb_array_elements(listed) AS x LOOP
		IF jsonb_typeof(e) <> 'string'
		   OR NOT (e #>> '{}') = ANY (enum_range(NULL::modelgov.change_type)::text[]) THEN
			RAISE EXCEPTION 'invalid impact_analysis'
				USING ERRCODE = 'invalid_parameter_value',
					  DETAIL = format('change_types lists change types (modelgov.change_type), not %s.', left(e::text, 40)),
					  HINT = format('The change types are %s.', array_to_string(enum_range(NULL::modelgov.change_type), ', '));
		END IF;
		declared := declared || (e #>> '{}')::modelgov.change_type;
	END LOOP;
	RETURN ARRAY(SELECT DISTINCT t FROM unnest(declared) AS t ORDER BY t);
END
$$;
COMMENT ON FUNCTION modelgov_internal.declared_change_types(modelgov.change_type, jsonb) IS
	'internal: the change types a proposal declares, its change_type and its impact_analysis "change_types" (enum order), or 22023';

CREATE FUNCTION modelgov_internal.breaking_change(impact_analysis jsonb) RETURNS jsonb
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	b jsonb := impact_analysis -> 'breaking';
	k text;
	shape constant text := '{"cause": "architecture" | "incompatible_api" | "process", "migration": "..."}';
BEGIN
	IF b IS NULL OR b = 'null'::jsonb THEN
		RETURN NULL;
	END IF;
	IF jsonb_typeof(b) <> 'object' THEN
		RAISE EXCEPTION 'invalid impact_analysis'
			USING ERRCODE = 'invalid_parameter_value', DETAIL = format('breaking is an object: %s.', shape),
				  HINT = 'A breaking change names its cause and tells callers how to migrate; it makes the version MAJOR.';
	END IF;
	SELECT x INTO k FROM jsonb_object_keys(b) AS x WHERE x <> ALL (ARRAY['cause', 'migration']) ORDER BY x LIMIT 1;
	IF k IS NOT NULL THEN
		RAISE EXCEPTION 'invalid impact_analysis'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = format('breaking holds only "cause" and "migration", not %s.', left(to_jsonb(k)::text, 40));
	END IF;
	IF NOT COALESCE(b ->> 'cause' = ANY (ARRAY['architecture', 'incompatible_api', 'process']), false)
	   OR jsonb_typeof(b -> 'cause') <> 'string' THEN
		RAISE EXCEPTION 'invalid impact_analysis'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = CASE WHEN b ? 'cause'
								THEN format('breaking.cause is "architecture", "incompatible_api" or "process", not %s.',
											left((b -> 'cause')::text, 40))
								ELSE format('breaking needs a cause: %s.', shape) END,
				  HINT = 'The seed''s other MAJOR cause, feature removal, is the change type feature_removal.';
	END IF;
	IF jsonb_typeof(b -> 'migration') IS DISTINCT FROM 'string' OR btrim(b ->> 'migration', E' \t\r\n') = '' THEN
		RAISE EXCEPTION 'invalid impact_analysis'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = format('breaking needs a migration note: %s.', shape),
				  HINT = 'Tell the callers of the model what they must change to use the new version.';
	END IF;
	PERFORM modelgov_internal.check_length('breaking.migration', b ->> 'migration', 10000);
	RETURN b;
END
$$;
COMMENT ON FUNCTION modelgov_internal.breaking_change(jsonb) IS
	'internal: a proposal''s breaking declaration, its impact_analysis "breaking" ({"cause", "migration"}), NULL for none, or 22023';

/*
 * The bump of a change: the largest of what its declared and detected
 * change types require under the policy in force, what its feature changes
 * require (a feature appended without a default, or inserted, removed,
 * reordered or redefined, is MAJOR), and MAJOR when it is declared
 * breaking.
 */
CREATE FUNCTION modelgov_internal.change_bump(declared modelgov.change_type[], found modelgov.change_type[],
											  feature_bump modelgov.bump_level, breaking jsonb)
	RETURNS modelgov.bump_level
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT greatest(max(modelgov.required_bump(t)), feature_bump,
					CASE WHEN breaking IS NOT NULL THEN 'major'::modelgov.bump_level END)
	  FROM unnest(declared || found) AS t
$$;
COMMENT ON FUNCTION modelgov_internal.change_bump(modelgov.change_type[], modelgov.change_type[], modelgov.bump_level, jsonb) IS
	'internal: the bump of a change: the largest of its change types'' policy bumps, its feature changes'' and MAJOR when breaking';

/*
 * No defaults: the 0.1.0 form below takes three to six arguments, and a
 * call with six untyped literals would match both.
 */
CREATE FUNCTION modelgov_internal.propose(model text, change_type modelgov.change_type, description text,
								 new_values jsonb, impact_analysis jsonb, rollback_plan text, monitoring_plan text)
	RETURNS text
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	m modelgov.members := modelgov_internal.require_member('propose changes');
	mdl modelgov.models := modelgov_internal.lock_model(model);
	now timestamptz := modelgov.clock_now();
	base modelgov.versions;
	cfg jsonb;
	k text;
	found_types modelgov.change_type[];
	declared modelgov.change_type[];
	over modelgov.change_type[];
	breaking jsonb;
	-- the change types that describe a change in code, which the
	-- configuration need not show
	code_types constant modelgov.change_type[] := ARRAY['bug_fix', 'performance_fix', 'feature_modification']::modelgov.change_type[];
	feature_bump modelgov.bump_level;
	bump modelgov.bump_level;
	target modelgov.semver;
	id text;
	month text;
	n int;
	old_vals jsonb := '{}'::jsonb;
	new_vals jsonb := '{}'::jsonb;
BEGIN
	IF change_type IS NULL OR description IS NULL OR new_values IS NULL THEN
		RAISE EXCEPTION 'change_type, description and new_values must not be null'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM modelgov_internal.check_length('description', description, 10000);
	PERFORM modelgov_internal.check_length('rollback_plan', rollback_plan, 10000);
	PERFORM modelgov_internal.check_length('monitoring_plan', monitoring_plan, 10000);
	IF jsonb_typeof(new_values) <> 'object' THEN
		RAISE EXCEPTION 'invalid new_values'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'new_values is a JSON object holding the configuration keys that change.',
				  HINT = 'See "Configuration" in docs/reference.md for the keys a configuration holds.';
	END IF;
	IF impact_analysis IS NOT NULL AND jsonb_typeof(impact_analysis) <> 'object' THEN
		RAISE EXCEPTION 'invalid impact_analysis'
			USING ERRCODE = 'invalid_parameter_value', DETAIL = 'impact_analysis is a JSON object.',
				  HINT = 'See "Configuration" in docs/reference.md for the keys a configuration holds.';
	END IF;
	-- the rates the monitor compares with are rates
	FOR k IN SELECT x FROM unnest(ARRAY['expected_auto_resolve_rate', 'expected_escalate_rate']) AS x
			  WHERE impact_analysis ? x LOOP
		IF jsonb_typeof(impact_analysis -> k) <> 'number'
		   OR (impact_analysis ->> k)::numeric NOT BETWEEN 0 AND 1 THEN
			RAISE EXCEPTION 'invalid impact_analysis'
				USING ERRCODE = 'invalid_parameter_value',
					  DETAIL = format('%s is a rate between 0 and 1, not %s.', k, left((impact_analysis -> k)::text, 40)),
					  HINT = 'The monitor compares the daily rates with it.';
		END IF;
	END LOOP;
	declared := modelgov_internal.declared_change_types(change_type, impact_analysis);
	breaking := modelgov_internal.breaking_change(impact_analysis);

	SELECT v.* INTO base FROM modelgov.environments e
	  JOIN modelgov.versions v ON v.model = e.model AND v.version OPERATOR(modelgov.=) e.version
	 WHERE e.model = mdl.name AND e.env = 'production';

	-- the active version as the model uses it: one stored by 0.1.0 may hold
	-- a number written with more digits than its float8, which would read
	-- as a change against the normalized proposal
	base.config := modelgov_internal.normalize_config(base.config);

	-- old values come from the active version, never from the caller
	cfg := modelgov_internal.normalize_config(modelgov_internal.apply_changes(base.config, new_values, true));

	SELECT c.change_types, c.feature_bump INTO found_types, feature_bump
	  FROM modelgov_internal.config_changes(base.config, cfg) c;
	-- a change in code (a bug fixed, speed, a feature's logic) may leave
	-- the configuration as it is; every other declared type must be in it
	IF cardinality(found_types) = 0 AND NOT (declared && code_types) THEN
		RAISE EXCEPTION 'proposal changes nothing'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = format('new_values leave the configuration of %s as it is.', base.version),
				  HINT = 'Only bug_fix, performance_fix and feature_modification proposals may keep the configuration unchanged.';
	END IF;
	IF NOT found_types <@ declared THEN
		RAISE EXCEPTION '%', format(CASE WHEN cardinality(declared) = 1
										 THEN 'declared change type %s does not cover the change'
										 ELSE 'declared change types %s do not cover the change' END,
									array_to_string(declared, ', '))
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = format('The change from %s contains: %s.', base.version,
											 array_to_string(found_types, ', ')),
				  HINT = CASE WHEN cardinality(found_types) = 1
							  THEN 'Declare the change type the change really is, or split it into several proposals.'
							  ELSE 'Declare every change type the change contains (impact_analysis "change_types" lists the others), or split it into several proposals.' END;
	END IF;
	over := ARRAY(SELECT t FROM unnest(declared) AS t
				   WHERE NOT t = ANY (found_types) AND NOT t = ANY (code_types) ORDER BY t);
	IF cardinality(over) > 0 THEN
		RAISE EXCEPTION '%', format(CASE WHEN cardinality(over) = 1
										 THEN 'declared change type %s is not in the change'
										 ELSE 'declared change types %s are not in the change' END,
									array_to_string(over, ', '))
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = format('The change from %s contains: %s.', base.version,
								  COALESCE(NULLIF(array_to_string(found_types, ', '), ''), 'no configuration change')),
				  HINT = 'Declare only the change types the change contains.';
	END IF;

	-- the largest bump of the declared change types under the policy, of
	-- the feature changes (a feature appended without a default is a new
	-- required input: MAJOR) and of a breaking declaration (MAJOR)
	bump := modelgov_internal.change_bump(declared, found_types, feature_bump, breaking);
	-- the next version at that level that does not exist yet (a rolled
	-- back or withdrawn version keeps its number)
	target := modelgov.semver_bump(base.version, bump);
	WHILE EXISTS (SELECT 1 FROM modelgov.versions v
				   WHERE v.model = mdl.name AND v.version OPERATOR(modelgov.=) target) LOOP
		target := modelgov.semver_bump(target, bump);
	END LOOP;

	-- ids like PROP_202402_001: month of the proposal, then a sequence
	PERFORM pg_advisory_xact_lock(hashtext('modelgov.proposals'));
	month := to_char(timezone('UTC', now), 'YYYYMM');
	SELECT count(*) + 1 INTO n FROM modelgov.proposals p
	 WHERE p.proposal_id ~~ ('PROP_' || month || '\_%');
	id := format('PROP_%s_%s', month,
							CASE WHEN n < 1000 THEN lpad(n::text, 3, '0') ELSE n::text END);

	-- old and new values of the keys that change, in the seed's form
	SELECT COALESCE(jsonb_object_agg(o.key, o.value), '{}'),
		   COALESCE(jsonb_object_agg(o.key, nv.value), '{}')
	  INTO old_vals, new_vals
	  FROM jsonb_each(modelgov_internal.config_values(base.config)) o
	  JOIN jsonb_each(modelgov_internal.config_values(cfg)) nv ON nv.key = o.key
	 WHERE o.value <> nv.value;

	-- another open proposal of the model that changes the same keys: the
	-- one that reaches production second will have to be rebased or withdrawn
	SELECT string_agg(format('%s (%s) changes %s', x.proposal_id, x.status, x.keys), '; ' ORDER BY x.proposal_id)
	  INTO k
	  FROM (SELECT o.proposal_id, o.status, string_agg(ok, ', ' ORDER BY ok) AS keys
			  FROM modelgov.proposals o, jsonb_object_keys(o.new_values) AS ok
			 WHERE o.model = mdl.name
			   AND o.status = ANY (ARRAY['proposed', 'in_review', 'reviewed', 'approved', 'staged'])
			   AND new_vals ? ok
			 GROUP BY o.proposal_id, o.status) x;
	IF k IS NOT NULL THEN
		RAISE WARNING 'another open proposal of model % changes the same configuration keys', mdl.name
			USING DETAIL = k || '.',
				  HINT = 'Whichever reaches production second must then be rebased (modelgov.rebase()) or withdrawn; coordinate, or combine the changes in one proposal.';
	END IF;

	BEGIN
		INSERT INTO modelgov.proposals (proposal_id, proposed_at, proposer, proposer_identity, change_type,
										description, base_version, target_version, old_values, new_values,
										config, impact_analysis, rollback_plan, monitoring_plan, model)
			VALUES (id, now, m.role_name, m.identity, change_type, description, base.version, target,
					old_vals, new_vals, cfg, impact_analysis, rollback_plan, monitoring_plan, mdl.name);
	EXCEPTION WHEN unique_violation THEN
		-- under REPEATABLE READ the count above may miss a proposal that
		-- committed while this transaction waited for the lock
		RAISE EXCEPTION 'could not assign a proposal id: another proposal took %', id
			USING ERRCODE = 'serialization_failure',
				  HINT = 'Retry the transaction.';
	END;
	PERFORM modelgov_internal.audit('proposal', version => target, proposal_id => id,
							change_type => change_type, status => 'proposed', model => mdl.name,
							details => jsonb_build_object(
								'proposer', m.identity, 'description', description,
								'base_version', base.version::text,
								'old_values', old_vals, 'new_values', new_vals,
								'impact_analysis', impact_analysis,
								'change_types', to_jsonb(declared::text[]), 'bump', bump::text)
							|| CASE WHEN breaking IS NOT NULL
									THEN jsonb_build_object('breaking', breaking) ELSE '{}' END);
	RETURN id;
END
$$;
CREATE FUNCTION modelgov.propose(model text, change_type modelgov.change_type, description text, new_values jsonb,
								 impact_analysis jsonb, rollback_plan text, monitoring_plan text)
	RETURNS text
	AS 'MODULE_PATHNAME', 'mg_governance_call'
	LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION modelgov_internal.propose(text, modelgov.change_type, text, jsonb, jsonb, text, text) IS
	'internal: the body of modelgov.propose, which runs it for the role that acts (src/governance.c)';
COMMENT ON FUNCTION modelgov.propose(text, modelgov.change_type, text, jsonb, jsonb, text, text) IS
	'propose a change to the active version of a model; returns the proposal id (members only).  Every argument is '
	'given (NULL for none), so that no call of the 0.1.0 form without a model can match it.  impact_analysis may '
	'declare "change_types" (every change type a change contains, when several; the bump is the largest) and '
	'"breaking": {"cause": "architecture" | "incompatible_api" | "process", "migration": "..."} (a MAJOR version); '
	'the proposal keeps them in its impact_analysis, its audit entry in change_types, bump and breaking';

CREATE FUNCTION modelgov_internal.propose(change_type modelgov.change_type, description text, new_values jsonb,
								 impact_analysis jsonb DEFAULT NULL, rollback_plan text DEFAULT NULL,
								 monitoring_plan text DEFAULT NULL)
	RETURNS text
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	RETURN modelgov_internal.propose(modelgov_internal.sole_model('propose'), change_type, description, new_values,
									 impact_analysis, rollback_plan, monitoring_plan);
END
$$;
CREATE FUNCTION modelgov.propose(change_type modelgov.change_type, description text, new_values jsonb,
								 impact_analysis jsonb DEFAULT NULL, rollback_plan text DEFAULT NULL,
								 monitoring_plan text DEFAULT NULL)
	RETURNS text
	AS 'MODULE_PATHNAME', 'mg_governance_call'
	LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION modelgov_internal.propose(modelgov.change_type, text, jsonb, jsonb, text, text) IS
	'internal: the body of the deprecated modelgov.propose without a model (src/governance.c)';
COMMENT ON FUNCTION modelgov.propose(modelgov.change_type, text, jsonb, jsonb, text, text) IS
	'deprecated since 0.2.0: propose(model, ...) for the database''s only model (impact_analysis declares '
	'"change_types" and "breaking" as there)';

/*
 * 22004 naming the argument a call is missing, with the call's form: the
 * governance calls give their arguments defaults so that a call without
 * one reaches here instead of "function does not exist".
 */
CREATE FUNCTION modelgov_internal.missing(call text, arg text, usage text) RETURNS void
	LANGUAGE plpgsql VOLATILE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	RAISE EXCEPTION 'modelgov.%() needs %', call, arg
		USING ERRCODE = 'null_value_not_allowed',
			  HINT = format('Call it as modelgov.%s(%s).', call, usage);
END
$$;
COMMENT ON FUNCTION modelgov_internal.missing(text, text, text) IS
	'internal: 22004 naming the argument a governance call is missing, with the call''s form';

/*
 * Where a proposal stands and what it waits for, in words a person reads
 * in psql: what the governance calls return.
 */
CREATE FUNCTION modelgov_internal.state_of(id text) RETURNS text
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	p modelgov.proposals;
	good int;
	blocked text;
	missing text;
	smoke boolean;
BEGIN
	SELECT * INTO p FROM modelgov.proposals x WHERE x.proposal_id = id;
	SELECT count(*) FILTER (WHERE r.approve), string_agg(r.reviewer_identity, ', ' ORDER BY r.reviewer) FILTER (WHERE NOT r.approve)
	  INTO good, blocked
	  FROM modelgov.reviews r WHERE r.proposal_id = id;
	IF blocked IS NOT NULL AND p.status = ANY (ARRAY['proposed', 'in_review', 'reviewed']) THEN
		RETURN format('%s: blocked by the negative review of %s; the reviewer may replace it with modelgov.review(), the proposer withdraw the proposal, or a committee member reject it',
					  replace(p.status, '_', ' '), blocked);
	END IF;
	CASE p.status
		WHEN 'proposed', 'in_review' THEN
			RETURN format('%s: %s of two approving reviews', replace(p.status, '_', ' '), good);
		WHEN 'reviewed' THEN
			SELECT string_agg(req.duty::text, ', ' ORDER BY req.duty) INTO missing
			  FROM unnest(ARRAY['model_science_lead', 'product_manager', 'engineering_lead']::modelgov.member_role[]) AS req(duty)
			 WHERE NOT EXISTS (SELECT 1 FROM modelgov.approvals a
								 JOIN modelgov.members mm ON mm.role_name = a.member AND modelgov_internal.is_live_member(mm)
								WHERE a.proposal_id = id AND a.as_role = req.duty
								  AND modelgov_internal.holds(mm.role_name, a.as_role, p.model));
			RETURN format('reviewed: waiting for approvals as %s', missing);
		WHEN 'approved' THEN
			RETURN format('approved: %s created, waiting for staging%s', p.target_version,
						  CASE WHEN p.scheduled_deployment > modelgov.clock_now()
							   THEN format(' (production scheduled for %s)', modelgov_internal.utc_text(p.scheduled_deployment))
							   ELSE '' END);
		WHEN 'staged' THEN
			SELECT s.passed INTO smoke FROM modelgov.smoke_tests s
			 WHERE s.model = p.model AND s.version OPERATOR(modelgov.=) p.target_version ORDER BY s.id DESC LIMIT 1;
			RETURN format('staged: %s in staging, %s', p.target_version,
						  CASE WHEN smoke IS NULL THEN 'waiting for a smoke test'
							   WHEN NOT smoke THEN 'its last smoke test failed'
							   WHEN p.scheduled_deployment > modelgov.clock_now()
							   THEN format('smoke test passed, production deployment scheduled for %s',
										   modelgov_internal.utc_text(p.scheduled_deployment))
							   ELSE 'smoke test passed, waiting for the production deployment' END);
		WHEN 'deployed' THEN
			RETURN format('deployed: %s runs in production', p.target_version);
		ELSE
			RETURN format('%s: %s', p.status, p.closed_reason);
	END CASE;
END
$$;
COMMENT ON FUNCTION modelgov_internal.state_of(text) IS
	'internal: where a proposal stands and what it waits for, in words';

CREATE FUNCTION modelgov_internal.review(proposal_id text, checklist jsonb, approve boolean, comment text DEFAULT NULL)
	RETURNS text
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	m modelgov.members := modelgov_internal.require_member('review proposals');
	p modelgov.proposals;
	old modelgov.reviews;
	items text[] := ARRAY['aligns_with_business_goals', 'data_quality_sufficient', 'impact_analysis_completed',
						  'no_regressions_observed', 'rollback_plan_documented', 'monitoring_plan_documented'];
	k text;
	good int;
	sample numeric;
BEGIN
	IF proposal_id IS NULL OR checklist IS NULL OR approve IS NULL THEN
		PERFORM modelgov_internal.missing('review',
			CASE WHEN proposal_id IS NULL THEN 'proposal_id' WHEN checklist IS NULL THEN 'checklist' ELSE 'approve' END,
			'proposal_id, checklist, approve, comment');
	END IF;
	p := modelgov_internal.proposal_for_update(proposal_id);
	PERFORM modelgov_internal.require_person(m, 'review proposals');
	PERFORM modelgov_internal.check_length('comment', comment, 10000);
	IF NOT p.status = ANY (ARRAY['proposed', 'in_review', 'reviewed']) THEN
		PERFORM modelgov_internal.wrong_state('review', p, 'proposed, in review or reviewed');
	END IF;
	IF p.proposer = m.role_name THEN
		RAISE EXCEPTION 'permission denied to review proposal %', p.proposal_id
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'Reviews must be independent: the proposer cannot review their own proposal.';
	END IF;
	-- a reviewer may replace their own review until the proposal is
	-- approved (its status is checked above): the replacement is audited
	SELECT * INTO old FROM modelgov.reviews r
	 WHERE r.proposal_id = p.proposal_id AND r.reviewer = m.role_name FOR UPDATE;

	-- the six items of the checklist, as booleans, nothing else
	IF jsonb_typeof(checklist) IS DISTINCT FROM 'object' THEN
		RAISE EXCEPTION 'invalid review checklist' USING ERRCODE = 'invalid_parameter_value',
			DETAIL = 'The checklist is a JSON object of six booleans.';
	END IF;
	FOR k IN SELECT jsonb_object_keys(checklist) LOOP
		IF NOT k = ANY (items) THEN
			RAISE EXCEPTION 'invalid review checklist' USING ERRCODE = 'invalid_parameter_value',
				DETAIL = format('Unknown checklist item "%s".', k),
				HINT = 'The items are ' || array_to_string(items, ', ') || '.';
		END IF;
	END LOOP;
	FOREACH k IN ARRAY items LOOP
		IF jsonb_typeof(checklist -> k) IS DISTINCT FROM 'boolean' THEN
			RAISE EXCEPTION 'invalid review checklist' USING ERRCODE = 'invalid_parameter_value',
				DETAIL = format('Checklist item "%s" must be true or false.', k);
		END IF;
	END LOOP;
	IF approve THEN
		FOREACH k IN ARRAY items LOOP
			IF NOT (checklist -> k)::boolean THEN
				RAISE EXCEPTION 'an approving review needs every checklist item' USING ERRCODE = 'invalid_parameter_value',
					DETAIL = format('Checklist item "%s" is false.', k),
					HINT = 'Record a review with approve => false instead.';
			END IF;
		END LOOP;
	END IF;

	-- items the database can check itself
	IF (checklist -> 'data_quality_sufficient')::boolean THEN
		-- sample_size: the labelled rows impact() counted when the analysis
		-- was computed (modelgov.recheck_impact() counts them again), else
		-- what the proposer wrote
		IF jsonb_typeof(p.impact_analysis -> 'sample_size') IS DISTINCT FROM 'number' THEN
			sample := NULL;
		ELSE
			sample := (p.impact_analysis ->> 'sample_size')::numeric;
		END IF;
		IF sample IS NULL OR sample <= 1000 THEN
			RAISE EXCEPTION 'data quality is not sufficient' USING ERRCODE = 'check_violation',
				DETAIL = format('The impact analysis has sample_size %s; more than 1000 is required.',
								COALESCE(sample::text, 'missing'));
		END IF;
	END IF;
	IF (checklist -> 'impact_analysis_completed')::boolean AND p.impact_analysis IS NULL THEN
		RAISE EXCEPTION 'the impact analysis is missing' USING ERRCODE = 'check_violation',
			DETAIL = 'The proposal has no impact_analysis.';
	END IF;
	IF (checklist -> 'rollback_plan_documented')::boolean
	   AND modelgov_internal.is_blank(p.rollback_plan) THEN
		RAISE EXCEPTION 'the rollback plan is missing' USING ERRCODE = 'check_violation',
			DETAIL = 'The proposal has no rollback_plan.';
	END IF;
	IF (checklist -> 'monitoring_plan_documented')::boolean
	   AND modelgov_internal.is_blank(p.monitoring_plan) THEN
		RAISE EXCEPTION 'the monitoring plan is missing' USING ERRCODE = 'check_violation',
			DETAIL = 'The proposal has no monitoring_plan.';
	END IF;

	IF old.proposal_id IS NULL THEN
		INSERT INTO modelgov.reviews VALUES (p.proposal_id, m.role_name, m.identity, checklist, approve,
											 comment, modelgov.clock_now(), p.model);
	ELSE
		UPDATE modelgov.reviews r
		   SET checklist = review.checklist, approve = review.approve, comment = review.comment,
			   reviewed_at = modelgov.clock_now()
		 WHERE r.proposal_id = p.proposal_id AND r.reviewer = m.role_name;
	END IF;
	SELECT count(*) INTO good FROM modelgov.reviews r
	 WHERE r.proposal_id = p.proposal_id AND r.approve;
	UPDATE modelgov.proposals x
	   SET status = CASE WHEN good >= 2 THEN 'reviewed' ELSE 'in_review' END
	 WHERE x.proposal_id = p.proposal_id;
	PERFORM modelgov_internal.audit('review', version => p.target_version, proposal_id => p.proposal_id,
							change_type => p.change_type, model => p.model,
							status => CASE WHEN good >= 2 THEN 'reviewed' ELSE 'in_review' END,
							details => jsonb_build_object('reviewer', m.identity, 'approve', approve,
																	 'checklist', checklist, 'comment', comment)
									   || CASE WHEN old.proposal_id IS NULL THEN '{}'
											   ELSE jsonb_build_object('replaces', jsonb_build_object(
														'approve', old.approve, 'checklist', old.checklist,
														'comment', old.comment,
														'reviewed_at', modelgov_internal.utc_text(old.reviewed_at))) END);
	RETURN modelgov_internal.state_of(p.proposal_id);
END
$$;
CREATE FUNCTION modelgov.review(proposal_id text DEFAULT NULL, checklist jsonb DEFAULT NULL,
								approve boolean DEFAULT NULL, comment text DEFAULT NULL)
	RETURNS text
	AS 'MODULE_PATHNAME', 'mg_governance_call'
	LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION modelgov_internal.review(text, jsonb, boolean, text) IS
	'internal: the body of modelgov.review, which runs it for the role that acts (src/governance.c)';
COMMENT ON FUNCTION modelgov.review(text, jsonb, boolean, text) IS
	'record an independent review with the six-item checklist (members other than the proposer), or replace one''s own until the proposal is approved; returns where the proposal stands';

CREATE FUNCTION modelgov_internal.approve(proposal_id text, as_role text,
								 scheduled_deployment timestamptz DEFAULT NULL)
	RETURNS text
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	role modelgov.member_role;
	m modelgov.members;
	p modelgov.proposals;
	now timestamptz := modelgov.clock_now();
	required modelgov.member_role[] := ARRAY['model_science_lead', 'product_manager',
											 'engineering_lead']::modelgov.member_role[];
	approved_by jsonb;
	schedule timestamptz;
	target modelgov.semver;
	level modelgov.bump_level;
BEGIN
	role := modelgov_internal.enum_value('modelgov.member_role', as_role, 'as_role')::modelgov.member_role;
	IF proposal_id IS NULL OR role IS NULL THEN
		PERFORM modelgov_internal.missing('approve', CASE WHEN proposal_id IS NULL THEN 'proposal_id' ELSE 'as_role' END,
										  'proposal_id, as_role, scheduled_deployment');
	END IF;
	IF role = 'deployer' THEN
		RAISE EXCEPTION 'cannot approve as %', COALESCE(role::text, 'no role')
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'Approvals are given in a committee role: model_science_lead, product_manager, engineering_lead or customer_success_lead.';
	END IF;
	p := modelgov_internal.proposal_for_update(proposal_id);
	m := modelgov_internal.require_duty(role, format('approve as %s', role), p.model);
	PERFORM modelgov_internal.require_person(m, format('approve as %s', role));
	IF p.status <> 'reviewed' THEN
		PERFORM modelgov_internal.wrong_state('approve', p, 'reviewed by at least two members');
	END IF;
	IF p.proposer = m.role_name THEN
		RAISE EXCEPTION 'permission denied to approve proposal %', p.proposal_id
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'The proposer cannot approve their own proposal.';
	END IF;
	-- an approval counts while its member still holds the role: one whose
	-- member was removed, or lost the duty, leaves the role open
	IF EXISTS (SELECT 1 FROM modelgov.approvals a
				 JOIN modelgov.members mm ON mm.role_name = a.member AND modelgov_internal.is_live_member(mm)
				  AND modelgov_internal.holds(mm.role_name, a.as_role, p.model)
				WHERE a.proposal_id = p.proposal_id AND a.as_role = role) THEN
		RAISE EXCEPTION 'proposal % is already approved by its %', p.proposal_id, role
			USING ERRCODE = 'unique_violation';
	END IF;
	IF EXISTS (SELECT 1 FROM modelgov.approvals a WHERE a.proposal_id = p.proposal_id
				  AND a.member = m.role_name) THEN
		RAISE EXCEPTION '% has already approved proposal %', m.identity, p.proposal_id
			USING ERRCODE = 'unique_violation',
				  DETAIL = 'Each committee role is approved by a different member.';
	END IF;
	IF EXISTS (SELECT 1 FROM modelgov.reviews r WHERE r.proposal_id = p.proposal_id
				  AND NOT r.approve) THEN
		RAISE EXCEPTION 'cannot approve proposal % over a negative review', p.proposal_id
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = format('%s reviewed it negatively.',
								  (SELECT string_agg(r.reviewer_identity, ', ' ORDER BY r.reviewer)
									 FROM modelgov.reviews r WHERE r.proposal_id = p.proposal_id AND NOT r.approve)),
				  HINT = 'The reviewer may replace the review with modelgov.review(); otherwise reject the proposal, or have it withdrawn.';
	END IF;

	INSERT INTO modelgov.approvals VALUES (p.proposal_id, role, m.role_name, m.identity, now, scheduled_deployment,
										   p.model);
	PERFORM modelgov_internal.audit('approval', version => p.target_version, proposal_id => p.proposal_id,
							change_type => p.change_type, status => 'reviewed', model => p.model,
							details => jsonb_build_object('approver', m.identity, 'as_role', role,
																	 'scheduled_deployment', modelgov_internal.utc_text(scheduled_deployment)));

	-- consensus: every required role has approved, by a member who still
	-- holds it now, at the final approval
	IF (SELECT count(DISTINCT a.as_role) FROM modelgov.approvals a
		  JOIN modelgov.members mm ON mm.role_name = a.member AND modelgov_internal.is_live_member(mm)
				  AND modelgov_internal.holds(mm.role_name, a.as_role, p.model)
		 WHERE a.proposal_id = p.proposal_id
		   AND a.as_role = ANY (required)) < cardinality(required) THEN
		RETURN modelgov_internal.state_of(p.proposal_id);
	END IF;
	-- and the two reviews it needs are still by members
	IF (SELECT count(*) FROM modelgov.reviews r
		  JOIN modelgov.members mm ON mm.role_name = r.reviewer AND modelgov_internal.is_live_member(mm)
		 WHERE r.proposal_id = p.proposal_id AND r.approve) < 2 THEN
		RAISE EXCEPTION 'proposal % no longer has two reviews by members', p.proposal_id
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'A reviewer was removed since reviewing it; reviews count while their author is a member.',
				  HINT = 'Another member reviews it, then the approval is given again.';
	END IF;
	-- one approval per role: the latest by a member who holds it now
	SELECT jsonb_agg(c.member_identity ORDER BY c.decided_at, c.as_role),
		   COALESCE(max(c.scheduled_deployment), now)
	  INTO approved_by, schedule
	  FROM (SELECT DISTINCT ON (a.as_role) a.*
			  FROM modelgov.approvals a
			  JOIN modelgov.members mm ON mm.role_name = a.member AND modelgov_internal.is_live_member(mm)
				  AND modelgov_internal.holds(mm.role_name, a.as_role, p.model)
			 WHERE a.proposal_id = p.proposal_id
			 ORDER BY a.as_role, a.decided_at DESC, a.member) c;
	-- the number a proposal targets is the next one at its level that did
	-- not exist when it was proposed; another proposal of the model may
	-- have taken it since: the version takes the next free one
	target := p.target_version;
	level := CASE WHEN modelgov.semver_major(target) <> modelgov.semver_major(p.base_version) THEN 'major'
				  WHEN modelgov.semver_minor(target) <> modelgov.semver_minor(p.base_version) THEN 'minor'
				  ELSE 'patch' END::modelgov.bump_level;
	WHILE EXISTS (SELECT 1 FROM modelgov.versions v
				   WHERE v.model = p.model AND v.version OPERATOR(modelgov.=) target) LOOP
		target := modelgov.semver_bump(target, level);
	END LOOP;
	IF target OPERATOR(modelgov.<>) p.target_version THEN
		PERFORM set_config('modelgov_rebase.proposal', p.proposal_id, true);
		UPDATE modelgov.proposals x SET target_version = target WHERE x.proposal_id = p.proposal_id;
		PERFORM set_config('modelgov_rebase.proposal', '', true);
	END IF;
	INSERT INTO modelgov.versions (version, config, proposal_id, created_at, status, model)
		VALUES (target, p.config, p.proposal_id, now, 'approved', p.model);
	UPDATE modelgov.proposals x SET status = 'approved', approved_at = now, scheduled_deployment = schedule
	 WHERE x.proposal_id = p.proposal_id;
	PERFORM modelgov_internal.audit('approved', version => target, proposal_id => p.proposal_id,
							change_type => p.change_type, status => 'approved', model => p.model,
							details => jsonb_build_object('approved_by', approved_by,
																	 'approved_at', modelgov_internal.utc_text(now),
																	 'scheduled_deployment', modelgov_internal.utc_text(schedule))
									   || CASE WHEN target OPERATOR(modelgov.<>) p.target_version
											   THEN jsonb_build_object('renumbered_from', p.target_version::text)
											   ELSE '{}' END);
	RETURN modelgov_internal.state_of(p.proposal_id);
END
$$;
CREATE FUNCTION modelgov.approve(proposal_id text DEFAULT NULL, as_role text DEFAULT NULL,
								 scheduled_deployment timestamptz DEFAULT NULL)
	RETURNS text
	AS 'MODULE_PATHNAME', 'mg_governance_call'
	LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION modelgov_internal.approve(text, text, timestamptz) IS
	'internal: the body of modelgov.approve, which runs it for the role that acts (src/governance.c)';
COMMENT ON FUNCTION modelgov.approve(text, text, timestamptz) IS
	'approve a reviewed proposal in a committee role; the last required role freezes it as a version; returns where the proposal stands';

/* approve(proposal_id, as_role, ...) with a typed member_role, as 0.1.0 took it */
CREATE FUNCTION modelgov_internal.approve(proposal_id text, as_role modelgov.member_role,
										  scheduled_deployment timestamptz)
	RETURNS text
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	RETURN modelgov_internal.approve(proposal_id, as_role::text, scheduled_deployment);
END
$$;
CREATE FUNCTION modelgov.approve(proposal_id text, as_role modelgov.member_role,
								 scheduled_deployment timestamptz DEFAULT NULL)
	RETURNS text
	AS 'MODULE_PATHNAME', 'mg_governance_call'
	LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION modelgov_internal.approve(text, modelgov.member_role, timestamptz) IS
	'internal: the body of modelgov.approve with a typed member_role (src/governance.c)';
COMMENT ON FUNCTION modelgov.approve(text, modelgov.member_role, timestamptz) IS
	'approve(proposal_id, as_role, scheduled_deployment) with as_role of type modelgov.member_role, as 0.1.0 took it';
REVOKE ALL ON FUNCTION modelgov.approve(text, modelgov.member_role, timestamptz) FROM PUBLIC;

CREATE FUNCTION modelgov_internal.reject(proposal_id text, reason text) RETURNS text
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	m modelgov.members := modelgov_internal.require_member('reject proposals');
	p modelgov.proposals;
BEGIN
	IF proposal_id IS NULL THEN
		PERFORM modelgov_internal.missing('reject', 'proposal_id', 'proposal_id, reason');
	END IF;
	p := modelgov_internal.proposal_for_update(proposal_id);
	IF modelgov_internal.is_blank(reason) THEN
		RAISE EXCEPTION 'a rejection needs a reason' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM modelgov_internal.check_length('reason', reason, 10000);
	IF NOT EXISTS (SELECT 1 FROM unnest(ARRAY['model_science_lead', 'product_manager', 'engineering_lead',
											  'customer_success_lead']::modelgov.member_role[]) AS r
					WHERE modelgov_internal.holds(m.role_name, r, p.model)) THEN
		RAISE EXCEPTION 'permission denied to reject proposals' USING ERRCODE = 'insufficient_privilege',
			DETAIL = format('Member %s holds no committee duty for model %s.', m.identity, p.model);
	END IF;
	IF p.proposer = m.role_name THEN
		RAISE EXCEPTION 'permission denied to reject proposal %', p.proposal_id
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'The proposer cannot reject their own proposal.', HINT = 'Use modelgov.withdraw().';
	END IF;
	IF NOT p.status = ANY (ARRAY['proposed', 'in_review', 'reviewed']) THEN
		PERFORM modelgov_internal.wrong_state('reject', p, 'proposed, in review or reviewed');
	END IF;
	UPDATE modelgov.proposals x SET status = 'rejected', closed_at = modelgov.clock_now(), closed_reason = reason
	 WHERE x.proposal_id = p.proposal_id;
	PERFORM modelgov_internal.audit('rejected', version => p.target_version, proposal_id => p.proposal_id,
							change_type => p.change_type, status => 'rejected', model => p.model,
							details => jsonb_build_object('rejected_by', m.identity, 'reason', reason));
	RETURN modelgov_internal.state_of(p.proposal_id);
END
$$;
CREATE FUNCTION modelgov.reject(proposal_id text DEFAULT NULL, reason text DEFAULT NULL) RETURNS text
	AS 'MODULE_PATHNAME', 'mg_governance_call'
	LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION modelgov_internal.reject(text, text) IS
	'internal: the body of modelgov.reject, which runs it for the role that acts (src/governance.c)';
COMMENT ON FUNCTION modelgov.reject(text, text) IS
	'reject a proposal as a committee member; a rejection ends it; returns where the proposal stands';

CREATE FUNCTION modelgov_internal.withdraw(proposal_id text, reason text) RETURNS text
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	m modelgov.members := modelgov_internal.require_member('withdraw proposals');
	p modelgov.proposals;
	reset boolean;
BEGIN
	IF proposal_id IS NULL THEN
		PERFORM modelgov_internal.missing('withdraw', 'proposal_id', 'proposal_id, reason');
	END IF;
	p := modelgov_internal.proposal_for_update(proposal_id);
	IF modelgov_internal.is_blank(reason) THEN
		RAISE EXCEPTION 'a withdrawal needs a reason' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM modelgov_internal.check_length('reason', reason, 10000);
	IF p.proposer <> m.role_name THEN
		RAISE EXCEPTION 'permission denied to withdraw proposal %', p.proposal_id
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = format('Only the proposer, %s, can withdraw it.', p.proposer_identity);
	END IF;
	IF NOT p.status = ANY (ARRAY['proposed', 'in_review', 'reviewed', 'approved', 'staged']) THEN
		PERFORM modelgov_internal.wrong_state('withdraw', p, 'proposed, in review, reviewed, approved or staged');
	END IF;
	UPDATE modelgov.proposals x SET status = 'withdrawn', closed_at = modelgov.clock_now(), closed_reason = reason
	 WHERE x.proposal_id = p.proposal_id;
	UPDATE modelgov.versions v SET status = 'withdrawn'
	 WHERE v.proposal_id = p.proposal_id;
	PERFORM modelgov_internal.audit('withdrawn', version => p.target_version, proposal_id => p.proposal_id,
							change_type => p.change_type, status => 'withdrawn', model => p.model,
							details => jsonb_build_object('withdrawn_by', m.identity, 'reason', reason));
	-- staging must not run a withdrawn version: it goes back to production's
	reset := p.status = 'staged'
			 AND modelgov_internal.reset_staging(p.model, format('proposal %s withdrawn', p.proposal_id),
												 p.target_version);
	RETURN modelgov_internal.state_of(p.proposal_id)
		   || CASE WHEN reset
				   THEN format('; staging runs %s again', modelgov.active_version(p.model, 'production'))
				   ELSE '' END;
END
$$;
CREATE FUNCTION modelgov.withdraw(proposal_id text DEFAULT NULL, reason text DEFAULT NULL) RETURNS text
	AS 'MODULE_PATHNAME', 'mg_governance_call'
	LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION modelgov_internal.withdraw(text, text) IS
	'internal: the body of modelgov.withdraw, which runs it for the role that acts (src/governance.c)';
COMMENT ON FUNCTION modelgov.withdraw(text, text) IS
	'withdraw one''s own proposal before it reaches production (a staged one takes staging back to the production version); returns where the proposal stands';

REVOKE ALL ON FUNCTION modelgov.init_model(jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.propose(modelgov.change_type, text, jsonb, jsonb, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.propose(text, modelgov.change_type, text, jsonb, jsonb, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.review(text, jsonb, boolean, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.approve(text, text, timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.reject(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.withdraw(text, text) FROM PUBLIC;

/*
 * Carry an open proposal onto the version production runs now, when none
 * of the keys it changes moved since the version it was made against: the
 * reviewed change is the same, so its reviews and approvals stay.  An
 * approved or staged proposal gets a new version (the old one, which never
 * ran in production, is withdrawn), and a staged one goes back to approved
 * (staging back to production's) for a new staging deployment and smoke
 * test.  Otherwise the keys that conflict are named.
 */
CREATE FUNCTION modelgov_internal.rebase(proposal_id text) RETURNS text
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	m modelgov.members := modelgov_internal.require_member('rebase proposals');
	p modelgov.proposals;
	base modelgov.versions;
	prod modelgov.versions;
	base_values jsonb;
	prod_values jsonb;
	conflicts text;
	cfg jsonb;
	found_types modelgov.change_type[];
	declared modelgov.change_type[];
	feature_bump modelgov.bump_level;
	bump modelgov.bump_level;
	target modelgov.semver;
	old_vals jsonb;
	new_vals jsonb;
	changes jsonb;
	status text;
BEGIN
	IF proposal_id IS NULL THEN
		PERFORM modelgov_internal.missing('rebase', 'proposal_id', 'proposal_id');
	END IF;
	p := modelgov_internal.proposal_for_update(proposal_id);
	IF p.proposer <> m.role_name THEN
		RAISE EXCEPTION 'permission denied to rebase proposal %', p.proposal_id
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = format('Only the proposer, %s, can rebase it.', p.proposer_identity);
	END IF;
	IF NOT p.status = ANY (ARRAY['proposed', 'in_review', 'reviewed', 'approved', 'staged']) THEN
		PERFORM modelgov_internal.wrong_state('rebase', p, 'proposed, in review, reviewed, approved or staged');
	END IF;
	-- production's row first, in a statement of its own: a deployment that
	-- commits while this waits is then seen whole
	SELECT e.version INTO prod.version FROM modelgov.environments e
	 WHERE e.model = p.model AND e.env = 'production' FOR UPDATE;
	prod := modelgov_internal.require_version(p.model, prod.version);
	IF prod.version OPERATOR(modelgov.=) p.base_version THEN
		RAISE EXCEPTION 'proposal % is already made against %, the production version', p.proposal_id, prod.version
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	base := modelgov_internal.require_version(p.model, p.base_version);
	-- across a MAJOR version the inputs changed: what was reviewed and
	-- approved was a change to another model's inputs
	IF modelgov.semver_major(prod.version) <> modelgov.semver_major(base.version) THEN
		RAISE EXCEPTION 'cannot rebase proposal % onto %: it was made against %, of another MAJOR version',
			p.proposal_id, prod.version, base.version
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = modelgov_internal.major_break(p.model, base.version, prod.version),
				  HINT = format('Withdraw it and propose the change again against %s.', prod.version);
	END IF;
	base_values := modelgov_internal.config_values(modelgov_internal.normalize_config(base.config));
	prod_values := modelgov_internal.config_values(modelgov_internal.normalize_config(prod.config));
	-- the keys it changes, and for biases the candidates whose bias it
	-- changes: another proposal may have changed other candidates' since
	changes := p.new_values - 'biases';
	IF p.new_values ? 'biases' THEN
		changes := changes || jsonb_build_object('biases',
			(SELECT COALESCE(jsonb_object_agg(c.key, p.new_values -> 'biases' -> c.key), '{}')
			   FROM (SELECT jsonb_object_keys(p.new_values -> 'biases') AS key
					  UNION
					 SELECT jsonb_object_keys(p.old_values -> 'biases')) c
			  WHERE p.new_values -> 'biases' -> c.key IS DISTINCT FROM p.old_values -> 'biases' -> c.key));
	END IF;
	SELECT string_agg(x.what, ', ' ORDER BY x.what) INTO conflicts
	  FROM (SELECT format('%s (%s in %s, %s in %s)', k.key, base_values -> k.key, base.version,
						  prod_values -> k.key, prod.version) AS what
			  FROM jsonb_object_keys(changes - 'biases') AS k(key)
			 WHERE base_values -> k.key IS DISTINCT FROM prod_values -> k.key
			UNION ALL
			SELECT format('biases.%s (%s in %s, %s in %s)', c.key, COALESCE(base_values -> 'biases' -> c.key, 'null'),
						  base.version, COALESCE(prod_values -> 'biases' -> c.key, 'null'), prod.version)
			  FROM jsonb_object_keys(COALESCE(changes -> 'biases', '{}')) AS c(key)
			 WHERE base_values -> 'biases' -> c.key IS DISTINCT FROM prod_values -> 'biases' -> c.key) x;
	IF conflicts IS NOT NULL THEN
		RAISE EXCEPTION 'cannot rebase proposal % onto %: keys it changes moved', p.proposal_id, prod.version
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = format('Changed since %s: %s.', base.version, conflicts),
				  HINT = format('Withdraw it and propose the change again against %s, so that it is reviewed as it now is.',
								prod.version);
	END IF;

	-- the same change, on production's configuration
	cfg := modelgov_internal.normalize_config(modelgov_internal.apply_changes(prod.config, changes, true));
	SELECT c.change_types, c.feature_bump INTO found_types, feature_bump
	  FROM modelgov_internal.config_changes(modelgov_internal.normalize_config(prod.config), cfg) c;
	-- the change types and the breaking declaration propose() read from
	-- the proposal (its impact_analysis), and the bump as propose() makes it
	declared := modelgov_internal.declared_change_types(p.change_type, p.impact_analysis);
	bump := modelgov_internal.change_bump(declared, found_types, feature_bump,
										  modelgov_internal.breaking_change(p.impact_analysis));
	IF NOT found_types <@ declared THEN
		RAISE EXCEPTION 'cannot rebase proposal % onto %: the change is not the same there', p.proposal_id, prod.version
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = format('On %s it contains: %s.', prod.version, array_to_string(found_types, ', ')),
				  HINT = format('Withdraw it and propose the change again against %s.', prod.version);
	END IF;
	target := modelgov.semver_bump(prod.version, bump);
	WHILE EXISTS (SELECT 1 FROM modelgov.versions v
				   WHERE v.model = p.model AND v.version OPERATOR(modelgov.=) target) LOOP
		target := modelgov.semver_bump(target, bump);
	END LOOP;
	SELECT COALESCE(jsonb_object_agg(o.key, o.value), '{}'), COALESCE(jsonb_object_agg(o.key, nv.value), '{}')
	  INTO old_vals, new_vals
	  FROM jsonb_each(prod_values) o
	  JOIN jsonb_each(modelgov_internal.config_values(cfg)) nv ON nv.key = o.key
	 WHERE o.value <> nv.value;

	status := CASE WHEN p.status = 'staged' THEN 'approved' ELSE p.status END;
	IF p.status = 'staged' THEN
		PERFORM modelgov_internal.reset_staging(p.model, format('proposal %s rebased', p.proposal_id),
												p.target_version);
	END IF;
	IF p.status = ANY (ARRAY['approved', 'staged']) THEN
		-- the version made at the approval never ran in production
		UPDATE modelgov.versions v SET status = 'withdrawn', proposal_id = NULL
		 WHERE v.proposal_id = p.proposal_id;
		INSERT INTO modelgov.versions (version, config, proposal_id, created_at, status, model)
			VALUES (target, cfg, p.proposal_id, modelgov.clock_now(), 'approved', p.model);
	END IF;
	PERFORM set_config('modelgov_rebase.proposal', p.proposal_id, true);
	UPDATE modelgov.proposals x
	   SET base_version = prod.version, target_version = target, old_values = old_vals, new_values = new_vals,
		   config = cfg, status = status
	 WHERE x.proposal_id = p.proposal_id;
	PERFORM set_config('modelgov_rebase.proposal', '', true);
	PERFORM modelgov_internal.audit('rebased', version => target, proposal_id => p.proposal_id,
							change_type => p.change_type, status => status, model => p.model,
							details => jsonb_build_object('rebased_by', m.identity,
														  'from_base', p.base_version::text, 'from_target', p.target_version::text,
														  'to_base', prod.version::text, 'to_target', target::text,
														  'old_values', old_vals, 'new_values', new_vals));
	RETURN format('rebased: %s now changes %s into %s; %s', p.proposal_id, prod.version, target,
				  CASE status WHEN 'approved' THEN format('version %s created, waiting for staging', target)
							  WHEN 'reviewed' THEN 'its reviews stay, waiting for approvals'
							  ELSE 'its reviews stay, waiting for reviews' END);
END
$$;
CREATE FUNCTION modelgov.rebase(proposal_id text DEFAULT NULL) RETURNS text
	AS 'MODULE_PATHNAME', 'mg_governance_call'
	LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION modelgov_internal.rebase(text) IS
	'internal: the body of modelgov.rebase, which runs it for the role that acts (src/governance.c)';
COMMENT ON FUNCTION modelgov.rebase(text) IS
	'carry one''s open proposal onto the production version when the keys it changes did not move since its base, keeping its reviews and approvals (audited); otherwise name the keys that conflict';
REVOKE ALL ON FUNCTION modelgov.rebase(text) FROM PUBLIC;
