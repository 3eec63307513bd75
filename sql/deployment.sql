--
-- Deployment: smoke tests, staging, production and rollback
--

CREATE FUNCTION modelgov_internal.record_smoke_test(model text, version modelgov.semver, passed boolean,
												   details jsonb DEFAULT NULL)
	RETURNS text
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	mdl modelgov.models := modelgov_internal.lock_model(model);
	m modelgov.members := modelgov_internal.require_duty('deployer', 'record smoke tests', mdl.name);
	v modelgov.versions;
	staging modelgov.semver;
BEGIN
	IF version IS NULL OR passed IS NULL THEN
		RAISE EXCEPTION 'version and passed must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	SELECT * INTO v FROM modelgov.versions x
	 WHERE x.model = mdl.name AND x.version OPERATOR(modelgov.=) version FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'version % of model "%" does not exist', version, mdl.name USING ERRCODE = 'undefined_object';
	END IF;
	IF v.status <> 'staged' THEN
		RAISE EXCEPTION 'cannot record a smoke test for version %', version
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = format('Version %s is %s; smoke tests run on a version in staging.', version, v.status);
	END IF;
	-- a smoke test counts for the version staging runs at that moment
	SELECT e.version INTO staging FROM modelgov.environments e
	 WHERE e.model = mdl.name AND e.env = 'staging' FOR SHARE;
	IF staging OPERATOR(modelgov.<>) v.version THEN
		RAISE EXCEPTION 'cannot record a smoke test for version %', version
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = format('Staging runs %s now; a smoke test counts only for the version staging runs.', staging);
	END IF;
	INSERT INTO modelgov.smoke_tests (version, passed, details, recorded_at, recorded_by, model)
		VALUES (v.version, passed, details, modelgov.clock_now(), m.role_name, mdl.name);
	PERFORM modelgov_internal.audit('smoke_test', version => v.version, proposal_id => v.proposal_id,
							status => CASE WHEN passed THEN 'passed' ELSE 'failed' END, model => mdl.name,
							details => jsonb_build_object('recorded_by', m.identity, 'details', details));
	RETURN CASE WHEN v.proposal_id IS NULL THEN format('smoke test %s', CASE WHEN passed THEN 'passed' ELSE 'failed' END)
				ELSE modelgov_internal.state_of(v.proposal_id) END;
END
$$;
CREATE FUNCTION modelgov.record_smoke_test(model text, version modelgov.semver, passed boolean,
										   details jsonb DEFAULT NULL)
	RETURNS text
	AS 'MODULE_PATHNAME', 'mg_governance_call'
	LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION modelgov_internal.record_smoke_test(text, modelgov.semver, boolean, jsonb) IS
	'internal: the body of modelgov.record_smoke_test, which runs it for the role that acts (src/governance.c)';
COMMENT ON FUNCTION modelgov.record_smoke_test(text, modelgov.semver, boolean, jsonb) IS
	'record a smoke test of a staged version of a model (deployers of the model only); returns where its proposal stands';

CREATE FUNCTION modelgov_internal.record_smoke_test(version modelgov.semver, passed boolean, details jsonb DEFAULT NULL)
	RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	PERFORM modelgov_internal.record_smoke_test(modelgov_internal.sole_model('record_smoke_test'), version, passed,
												details);
END
$$;
CREATE FUNCTION modelgov.record_smoke_test(version modelgov.semver, passed boolean, details jsonb DEFAULT NULL)
	RETURNS void
	AS 'MODULE_PATHNAME', 'mg_governance_call'
	LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION modelgov_internal.record_smoke_test(modelgov.semver, boolean, jsonb) IS
	'internal: the body of the deprecated modelgov.record_smoke_test without a model (src/governance.c)';
COMMENT ON FUNCTION modelgov.record_smoke_test(modelgov.semver, boolean, jsonb) IS
	'deprecated since 0.2.0: record_smoke_test(model, ...) for the database''s only model';

/*
 * What changes for applications between two versions of different MAJOR
 * numbers: their inputs, in words.
 */
CREATE FUNCTION modelgov_internal.major_break(model text, from_version modelgov.semver, to_version modelgov.semver)
	RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT format('%s takes the features (%s); %s takes (%s). Applications that pass the features of %s score other inputs, or fail with too few or too many features.',
				  from_version, f.names, to_version, t.names, from_version)
	  FROM (SELECT string_agg(x.value ->> 'name', ', ' ORDER BY x.n) AS names
			  FROM modelgov.versions v, jsonb_array_elements(v.config -> 'features') WITH ORDINALITY AS x(value, n)
			 WHERE v.model = major_break.model AND v.version OPERATOR(modelgov.=) from_version) f,
		   (SELECT string_agg(x.value ->> 'name', ', ' ORDER BY x.n) AS names
			  FROM modelgov.versions v, jsonb_array_elements(v.config -> 'features') WITH ORDINALITY AS x(value, n)
			 WHERE v.model = major_break.model AND v.version OPERATOR(modelgov.=) to_version) t
$$;
COMMENT ON FUNCTION modelgov_internal.major_break(text, modelgov.semver, modelgov.semver) IS
	'internal: what changes for applications between two versions of different MAJOR numbers (their features)';

/*
 * Staging back to what production runs, recorded as a staging reset: after
 * the proposal whose version staging runs was withdrawn or rebased.  Only
 * when staging still runs that version: another proposal may have been
 * staged since.
 */
CREATE FUNCTION modelgov_internal.reset_staging(model text, reason text, version modelgov.semver) RETURNS boolean
	LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	staged modelgov.semver;
	prod modelgov.semver;
	now timestamptz := modelgov.clock_now();
	seq bigint;
BEGIN
	SELECT e.version INTO staged FROM modelgov.environments e
	 WHERE e.model = model AND e.env = 'staging' FOR UPDATE;
	SELECT e.version INTO prod FROM modelgov.environments e
	 WHERE e.model = model AND e.env = 'production';
	IF staged OPERATOR(modelgov.=) prod OR staged OPERATOR(modelgov.<>) version THEN
		RETURN false;
	END IF;
	UPDATE modelgov.environments e SET version = prod, since = now
	 WHERE e.model = model AND e.env = 'staging';
	seq := modelgov_internal.audit('staging_reset', version => prod, status => 'completed', model => model,
						   details => jsonb_build_object('environment', 'staging', 'from_version', staged::text,
														 'to_version', prod::text, 'reason', reason));
	INSERT INTO modelgov.deployments (env, kind, version, from_version, deployed_at, deployed_by, reason, audit_seq,
									  model)
		VALUES ('staging', 'rollback', prod, staged, now, modelgov_internal.actor(), reason, seq, model);
	RETURN true;
END
$$;
COMMENT ON FUNCTION modelgov_internal.reset_staging(text, text, modelgov.semver) IS
	'internal: staging back to the production version of a model when it runs a given version, recorded as a staging reset; whether it did';

/*
 * Make a version the active production version, in this transaction:
 * the old one becomes superseded (deploy) or rolled_back (rollback).
 */
CREATE FUNCTION modelgov_internal.promote(target modelgov.versions, kind text, proposal_id text, reason text,
								  audit_details jsonb)
	RETURNS bigint
	LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	now timestamptz := modelgov.clock_now();
	old modelgov.semver;
	seq bigint;
BEGIN
	PERFORM modelgov_internal.lock_model(target.model);
	PERFORM modelgov_internal.require_compiles(target);
	SELECT e.version INTO old FROM modelgov.environments e
	 WHERE e.model = target.model AND e.env = 'production' FOR UPDATE;
	UPDATE modelgov.versions v
	   SET status = CASE WHEN kind = 'rollback' THEN 'rolled_back' ELSE 'superseded' END,
		   superseded_by = CASE WHEN kind = 'rollback' THEN v.superseded_by ELSE target.version END
	 WHERE v.model = target.model AND v.version OPERATOR(modelgov.=) old;
	-- superseded_by stays: a version rolled back to was superseded once, and
	-- the historical record keeps by what (the seed's "superseded_by")
	UPDATE modelgov.versions v
	   SET status = 'active', released_at = COALESCE(v.released_at, now)
	 WHERE v.model = target.model AND v.version OPERATOR(modelgov.=) target.version;
	UPDATE modelgov.environments e SET version = target.version, since = now
	 WHERE e.model = target.model AND e.env = 'production';
	seq := modelgov_internal.audit(CASE WHEN kind = 'rollback' THEN 'rollback' ELSE 'deployment' END,
						   version => target.version, proposal_id => proposal_id,
						   change_type => (SELECT p.change_type FROM modelgov.proposals p
											WHERE p.proposal_id = proposal_id),
						   status => CASE WHEN kind = 'rollback' THEN 'completed' ELSE 'active' END,
						   model => target.model,
						   details => audit_details || jsonb_build_object(
							   'environment', 'production', 'from_version', old::text,
							   'to_version', target.version::text));
	INSERT INTO modelgov.deployments (env, kind, version, from_version, proposal_id, deployed_at,
									  deployed_by, reason, audit_seq, model)
		VALUES ('production', kind, target.version, old, proposal_id, now, modelgov_internal.actor(), reason, seq,
				target.model);
	PERFORM modelgov_internal.active_changed();
	RETURN seq;
END
$$;
COMMENT ON FUNCTION modelgov_internal.promote(modelgov.versions, text, text, text, jsonb) IS
	'internal: switch the active production version and record it';

CREATE FUNCTION modelgov_internal.deploy(proposal_id text, env text) RETURNS modelgov.semver
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	target_env modelgov.environment := modelgov_internal.enum_value('modelgov.environment', env, 'env')::modelgov.environment;
	m modelgov.members;
	p modelgov.proposals;
	v modelgov.versions;
	now timestamptz := modelgov.clock_now();
	active modelgov.semver;
	smoke modelgov.smoke_tests;
	seq bigint;
BEGIN
	IF proposal_id IS NULL OR target_env IS NULL THEN
		PERFORM modelgov_internal.missing('deploy', CASE WHEN proposal_id IS NULL THEN 'proposal_id'
														 ELSE 'env (staging or production)' END,
										  'proposal_id, env');
	END IF;
	PERFORM modelgov_internal.require_member('deploy');
	p := modelgov_internal.proposal_for_update(proposal_id);
	m := modelgov_internal.require_duty('deployer', 'deploy', p.model);
	SELECT * INTO v FROM modelgov.versions x WHERE x.proposal_id = p.proposal_id FOR UPDATE;

	IF target_env = 'staging' THEN
		IF p.status <> 'approved' THEN
			PERFORM modelgov_internal.wrong_state('deploy to staging', p, 'approved by the committee and not yet deployed');
		END IF;
		PERFORM modelgov_internal.lock_model(v.model);
		-- a proposal made against a version production no longer runs would
		-- be refused at the production deployment: say so now, before a
		-- staging deployment and a smoke test are spent on it
		SELECT e.version INTO active FROM modelgov.environments e
		 WHERE e.model = v.model AND e.env = 'production';
		IF active OPERATOR(modelgov.<>) p.base_version THEN
			RAISE EXCEPTION 'cannot deploy % to staging: proposal % changes %, but % is active in production',
				v.version, p.proposal_id, p.base_version, active
				USING ERRCODE = 'object_not_in_prerequisite_state',
					  DETAIL = 'Staging would run a version that production has already left behind.',
					  HINT = format('Carry it onto %s with modelgov.rebase(%L) (its reviews and approvals stay when the keys it changes did not move), or withdraw it.',
									active, p.proposal_id);
		END IF;
		PERFORM modelgov_internal.require_compiles(v);
		UPDATE modelgov.versions x SET status = 'staged', staged_at = now
		 WHERE x.model = v.model AND x.version OPERATOR(modelgov.=) v.version;
		UPDATE modelgov.proposals x SET status = 'staged' WHERE x.proposal_id = p.proposal_id;
		UPDATE modelgov.environments e SET version = v.version, since = now
		 WHERE e.model = v.model AND e.env = 'staging';
		seq := modelgov_internal.audit('deployment', version => v.version, proposal_id => p.proposal_id,
							   change_type => p.change_type, status => 'staged', model => v.model,
							   details => jsonb_build_object('environment', 'staging',
																		'deployed_by', m.identity));
		INSERT INTO modelgov.deployments (env, kind, version, proposal_id, deployed_at, deployed_by, audit_seq, model)
			VALUES ('staging', 'deploy', v.version, p.proposal_id, now, m.role_name, seq, v.model);
		RETURN v.version;
	END IF;

	-- production
	IF p.status <> 'staged' THEN
		PERFORM modelgov_internal.wrong_state('deploy to production', p, 'staged');
	END IF;
	SELECT * INTO smoke FROM modelgov.smoke_tests s
	 WHERE s.model = v.model AND s.version OPERATOR(modelgov.=) v.version ORDER BY s.id DESC LIMIT 1;
	IF NOT FOUND OR NOT smoke.passed THEN
		RAISE EXCEPTION 'cannot deploy % to production without a passing smoke test', v.version
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = CASE WHEN smoke.id IS NULL THEN 'No smoke test is recorded for it.'
								ELSE format('The last smoke test, recorded at %s, failed.', smoke.recorded_at) END,
				  HINT = 'Record one with modelgov.record_smoke_test().';
	END IF;
	IF now < p.scheduled_deployment THEN
		RAISE EXCEPTION 'cannot deploy % before its scheduled deployment', v.version
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = format('It is scheduled for %s.', p.scheduled_deployment);
	END IF;
	SELECT e.version INTO active FROM modelgov.environments e
	 WHERE e.model = v.model AND e.env = 'production' FOR UPDATE;
	IF active OPERATOR(modelgov.<>) p.base_version THEN
		RAISE EXCEPTION 'cannot deploy % over %', v.version, active
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = format('Proposal %s changes %s, but %s is active in production%s.',
											 p.proposal_id, p.base_version, active,
											 CASE WHEN active OPERATOR(modelgov.>) v.version
												  THEN ', a newer version' ELSE '' END),
				  HINT = format('Carry it onto %s with modelgov.rebase(%L) (its reviews and approvals stay when the keys it changes did not move), or withdraw it.',
								active, p.proposal_id);
	END IF;

	PERFORM modelgov_internal.promote(v, 'deploy', p.proposal_id, p.description,
		jsonb_build_object(
			'old_values', p.old_values, 'new_values', p.new_values,
			'approved_by', (SELECT jsonb_agg(a.member_identity ORDER BY a.decided_at, a.as_role)
							  FROM modelgov.approvals a WHERE a.proposal_id = p.proposal_id),
			'deployed_by', m.identity, 'reason', p.description,
			-- the replaced version's measured performance, as the seed records it
			'metrics_before', (SELECT h.performance - 'days' FROM modelgov.version_history h
								WHERE h.model = v.model AND h.version OPERATOR(modelgov.=) p.base_version)));
	UPDATE modelgov.proposals x SET status = 'deployed', closed_at = now
	 WHERE x.proposal_id = p.proposal_id;
	RETURN v.version;
END
$$;
CREATE FUNCTION modelgov.deploy(proposal_id text DEFAULT NULL, env text DEFAULT NULL)
	RETURNS modelgov.semver
	AS 'MODULE_PATHNAME', 'mg_governance_call'
	LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION modelgov_internal.deploy(text, text) IS
	'internal: the body of modelgov.deploy, which runs it for the role that acts (src/governance.c)';
COMMENT ON FUNCTION modelgov.deploy(text, text) IS
	'deploy an approved proposal to staging, or a staged one with a passing smoke test to production (deployers only)';

/* deploy(proposal_id, env) with a typed environment, as 0.1.0 took it */
CREATE FUNCTION modelgov_internal.deploy(proposal_id text, env modelgov.environment) RETURNS modelgov.semver
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	RETURN modelgov_internal.deploy(proposal_id, env::text);
END
$$;
CREATE FUNCTION modelgov.deploy(proposal_id text, env modelgov.environment) RETURNS modelgov.semver
	AS 'MODULE_PATHNAME', 'mg_governance_call'
	LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION modelgov_internal.deploy(text, modelgov.environment) IS
	'internal: the body of modelgov.deploy with a typed environment (src/governance.c)';
COMMENT ON FUNCTION modelgov.deploy(text, modelgov.environment) IS
	'deploy(proposal_id, env) with env of type modelgov.environment, as 0.1.0 took it';
REVOKE ALL ON FUNCTION modelgov.deploy(text, modelgov.environment) FROM PUBLIC;

/*
 * Roll back production.  rolled_back_by is the identity recorded: the
 * member for rollback(), "automation" for the monitor.
 */
CREATE FUNCTION modelgov_internal.rollback(model text, reason text, to_version modelgov.semver, rolled_back_by text)
	RETURNS modelgov.semver
	LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	seen modelgov.semver;
	active modelgov.semver;
	target modelgov.versions;
	explicit boolean := to_version IS NOT NULL;
	breaks text;
BEGIN
	IF modelgov_internal.is_blank(reason) THEN
		RAISE EXCEPTION 'a rollback needs a reason' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM modelgov_internal.check_length('reason', reason, 10000);
	-- the version this rollback is about: what production runs as it
	-- begins, before it waits for a concurrent rollback or deployment
	SELECT e.version INTO seen FROM modelgov.environments e WHERE e.model = model AND e.env = 'production';
	SELECT e.version INTO active FROM modelgov.environments e
	 WHERE e.model = model AND e.env = 'production' FOR UPDATE;
	IF active IS NULL THEN
		RAISE EXCEPTION 'there is no active version to roll back' USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	IF seen OPERATOR(modelgov.<>) active THEN
		RAISE EXCEPTION 'production changed while this rollback waited'
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = format('Production ran %s when the rollback began and runs %s now: another rollback or deployment committed first.',
								  seen, active),
				  HINT = format('Look at modelgov.deployments; roll back again only if %s must go too.', active);
	END IF;
	IF to_version IS NULL THEN
		-- the version the active one replaced when it was last deployed
		SELECT d.from_version INTO to_version FROM modelgov.deployments d
		 WHERE d.model = model AND d.env = 'production' AND d.kind = 'deploy'
		   AND d.version OPERATOR(modelgov.=) active
		 ORDER BY d.id DESC LIMIT 1;
		IF to_version IS NULL THEN
			RAISE EXCEPTION 'version % has no previous version to roll back to', active
				USING ERRCODE = 'object_not_in_prerequisite_state',
					  HINT = 'Name the version with the to_version argument.';
		END IF;
	END IF;
	SELECT * INTO target FROM modelgov.versions v
	 WHERE v.model = model AND v.version OPERATOR(modelgov.=) to_version FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'version % of model "%" does not exist', to_version, model USING ERRCODE = 'undefined_object';
	END IF;
	IF target.version OPERATOR(modelgov.=) active THEN
		RAISE EXCEPTION 'version % is already active', active USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	IF target.released_at IS NULL THEN
		RAISE EXCEPTION 'cannot roll back to version %', target.version
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'It has never run in production; a rollback only returns to a version with a known record.';
	END IF;
	-- across a MAJOR version the inputs change: applications written for
	-- the active version may fail or score other features; only a named
	-- target does it, and it says what changes
	IF modelgov.semver_major(target.version) <> modelgov.semver_major(active) THEN
		breaks := modelgov_internal.major_break(model, active, target.version);
		IF NOT explicit THEN
			RAISE EXCEPTION 'rolling back % from % to % crosses a MAJOR version', model, active, target.version
				USING ERRCODE = 'object_not_in_prerequisite_state',
					  DETAIL = breaks,
					  HINT = format('Name the version to roll back to: modelgov.rollback(%L, reason, %L).',
									model, target.version);
		END IF;
		RAISE WARNING 'rolling back % from % to % crosses a MAJOR version', model, active, target.version
			USING DETAIL = breaks;
	END IF;
	PERFORM modelgov_internal.promote(target, 'rollback', NULL, reason,
		-- the seed's step 5: every rollback opens a root-cause analysis, owned
		-- by the model's science lead and due in rca_due_days, until
		-- annotate() records the cause (open_work shows it meanwhile)
		jsonb_build_object('reason', reason, 'rolled_back_by', rolled_back_by,
						   'root_cause', 'TBD - scheduled analysis',
						   'rca_owner', (SELECT jsonb_agg(x.role_name ORDER BY x.role_name)
										   FROM modelgov.members x
										  WHERE modelgov_internal.is_live_member(x)
											AND modelgov_internal.holds(x.role_name, 'model_science_lead', model)),
						   'rca_due', modelgov_internal.utc_text(modelgov.clock_now()
								+ make_interval(days => modelgov_internal.monitoring_setting('rca_due_days')::int)))
		|| CASE WHEN breaks IS NULL THEN '{}' ELSE jsonb_build_object('crosses_major', breaks) END);
	RETURN target.version;
END
$$;
COMMENT ON FUNCTION modelgov_internal.rollback(text, text, modelgov.semver, text) IS
	'internal: roll production of a model back, recording who or what did it';

CREATE FUNCTION modelgov_internal.rollback(model text, reason text, to_version modelgov.semver DEFAULT NULL)
	RETURNS modelgov.semver
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	mdl modelgov.models := modelgov_internal.lock_model(model);
	m modelgov.members := modelgov_internal.require_duty('deployer', 'roll back', mdl.name);
BEGIN
	RETURN modelgov_internal.rollback(mdl.name, reason, to_version, m.identity);
END
$$;
CREATE FUNCTION modelgov.rollback(model text, reason text, to_version modelgov.semver DEFAULT NULL)
	RETURNS modelgov.semver
	AS 'MODULE_PATHNAME', 'mg_governance_call'
	LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION modelgov_internal.rollback(text, text, modelgov.semver) IS
	'internal: the body of modelgov.rollback, which runs it for the role that acts (src/governance.c)';
COMMENT ON FUNCTION modelgov.rollback(text, text, modelgov.semver) IS
	'roll a model''s production back to the version the active one replaced, or to a named earlier version (deployers of the model only)';

CREATE FUNCTION modelgov_internal.rollback(reason text, to_version modelgov.semver DEFAULT NULL)
	RETURNS modelgov.semver
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	-- rollback('m') of one who meant rollback('m', reason): not a reason
	IF EXISTS (SELECT 1 FROM modelgov.models x WHERE x.name = reason) THEN
		RAISE EXCEPTION 'the reason of the rollback is the name of model %', reason
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = format('Give the model and the reason: modelgov.rollback(%L, reason).', reason);
	END IF;
	RETURN modelgov_internal.rollback(modelgov_internal.sole_model('rollback'), reason, to_version);
END
$$;
CREATE FUNCTION modelgov.rollback(reason text, to_version modelgov.semver DEFAULT NULL)
	RETURNS modelgov.semver
	AS 'MODULE_PATHNAME', 'mg_governance_call'
	LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION modelgov_internal.rollback(text, modelgov.semver) IS
	'internal: the body of the deprecated modelgov.rollback without a model (src/governance.c)';
COMMENT ON FUNCTION modelgov.rollback(text, modelgov.semver) IS
	'deprecated since 0.2.0: rollback(model, reason, to_version) for the database''s only model';

REVOKE ALL ON FUNCTION modelgov.deploy(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.record_smoke_test(modelgov.semver, boolean, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.rollback(text, modelgov.semver) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.record_smoke_test(text, modelgov.semver, boolean, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.rollback(text, text, modelgov.semver) FROM PUBLIC;
