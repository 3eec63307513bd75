--
-- Models: creating and retiring them, and the inventory
--

CREATE FUNCTION modelgov_internal.create_model(name text, config jsonb, description text DEFAULT NULL)
	RETURNS modelgov.semver
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	v modelgov.semver;
	cfg jsonb;
	now timestamptz := modelgov.clock_now();
	seq bigint;
BEGIN
	PERFORM modelgov_internal.require_admin('create models');
	IF name IS NULL OR config IS NULL THEN
		PERFORM modelgov_internal.missing('create_model', CASE WHEN name IS NULL THEN 'name' ELSE 'config' END,
										  'name, config, description');
	END IF;
	IF name !~ '^[a-z][a-z0-9_]{0,62}$' THEN
		RAISE EXCEPTION 'invalid model name "%"', modelgov_internal.excerpt(name)
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'A model''s name is a lower-case letter, then up to 62 lower-case letters, digits or underscores.';
	END IF;
	PERFORM modelgov_internal.check_length('description', description, 10000);
	IF jsonb_typeof(config -> 'version') IS DISTINCT FROM 'string' AND config ? 'version' THEN
		RAISE EXCEPTION 'invalid model configuration'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = '"version" must be a string such as "1.0.0".',
				  HINT = 'See "Configuration" in docs/reference.md for the keys a configuration holds.';
	END IF;
	v := COALESCE(config ->> 'version', '1.0.0')::modelgov.semver;
	cfg := modelgov_internal.normalize_config(config - 'version' - 'released_at');

	BEGIN
		INSERT INTO modelgov.models (name, description, created_at, created_by)
			VALUES (name, description, now, modelgov_internal.actor());
	EXCEPTION WHEN unique_violation THEN
		RAISE EXCEPTION 'model "%" already exists', name
			USING ERRCODE = 'duplicate_object',
				  DETAIL = CASE WHEN (SELECT m.retired_at FROM modelgov.models m WHERE m.name = create_model.name) IS NOT NULL
								THEN 'It is retired; a retired model keeps its name and history.'
								ELSE 'Model names are unique in a database.' END,
				  HINT = 'New versions of a model come from proposals: modelgov.propose().';
	END;
	INSERT INTO modelgov.versions (version, config, created_at, released_at, status, model)
		VALUES (v, cfg, now, now, 'active', name);
	INSERT INTO modelgov.environments (env, version, since, model)
		VALUES ('staging', v, now, name), ('production', v, now, name);
	seq := modelgov_internal.audit('init', version => v, status => 'active', model => name,
						   details => jsonb_build_object(
							   'new_values', modelgov_internal.config_values(cfg),
							   'description', description,
							   'deployed_by', COALESCE((SELECT m.identity FROM modelgov.members m
														 WHERE m.role_name = modelgov_internal.actor()),
													   modelgov_internal.actor())));
	INSERT INTO modelgov.deployments (env, kind, version, deployed_at, deployed_by, reason, audit_seq, model)
		VALUES ('staging', 'init', v, now, modelgov_internal.actor(), 'initial version', seq, name),
			   ('production', 'init', v, now, modelgov_internal.actor(), 'initial version', seq, name);
	PERFORM modelgov_internal.active_changed();
	RETURN v;
END
$$;
CREATE FUNCTION modelgov.create_model(name text DEFAULT NULL, config jsonb DEFAULT NULL, description text DEFAULT NULL)
	RETURNS modelgov.semver
	AS 'MODULE_PATHNAME', 'mg_governance_call'
	LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION modelgov_internal.create_model(text, jsonb, text) IS
	'internal: the body of modelgov.create_model, which runs it for the role that acts (src/governance.c)';
COMMENT ON FUNCTION modelgov.create_model(text, jsonb, text) IS
	'create a model with its first version (the configuration''s "version" key, default 1.0.0), active in staging and production at once (administrators only; audited)';

CREATE FUNCTION modelgov_internal.retire_model(name text, reason text) RETURNS text
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	m modelgov.models;
	p modelgov.proposals;
	open_proposals text;
BEGIN
	PERFORM modelgov_internal.require_admin('retire models');
	IF name IS NULL THEN
		PERFORM modelgov_internal.missing('retire_model', 'name', 'name, reason');
	END IF;
	IF modelgov_internal.is_blank(reason) THEN
		RAISE EXCEPTION 'retiring a model needs a reason' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM modelgov_internal.check_length('reason', reason, 10000);
	PERFORM modelgov_internal.require_model(name, false);
	SELECT * INTO m FROM modelgov.models x WHERE x.name = retire_model.name FOR UPDATE;
	IF m.retired_at IS NOT NULL THEN
		RAISE EXCEPTION 'model "%" is already retired', m.name
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = format('It was retired at %s by %s: %s', m.retired_at, m.retired_by, m.retired_reason);
	END IF;
	-- its production row is what scoring reads: lock it against a deployment
	PERFORM 1 FROM modelgov.environments e WHERE e.model = m.name FOR UPDATE;
	SELECT string_agg(x.proposal_id, ', ' ORDER BY x.proposal_id) INTO open_proposals
	  FROM modelgov.proposals x
	 WHERE x.model = m.name AND x.status = ANY (ARRAY['proposed', 'in_review', 'reviewed', 'approved', 'staged']);
	UPDATE modelgov.models x
	   SET retired_at = modelgov.clock_now(), retired_by = modelgov_internal.actor(), retired_reason = reason
	 WHERE x.name = m.name;
	PERFORM modelgov_internal.audit('model_retired', model => m.name,
							version => modelgov.active_version(m.name, 'production'::modelgov.environment),
							details => jsonb_build_object('reason', reason, 'open_proposals', open_proposals));
	-- its open proposals end with it: nothing could take them further, nor
	-- withdraw them, once it is retired; staging goes back to production's
	PERFORM modelgov_internal.reset_staging(m.name, format('model %s retired', m.name), x.target_version)
	   FROM modelgov.proposals x WHERE x.model = m.name AND x.status = 'staged';
	FOR p IN UPDATE modelgov.proposals x
				SET status = 'withdrawn', closed_at = modelgov.clock_now(),
					closed_reason = format('model %s retired: %s', m.name, reason)
			  WHERE x.model = m.name
				AND x.status = ANY (ARRAY['proposed', 'in_review', 'reviewed', 'approved', 'staged'])
			RETURNING x.* LOOP
		UPDATE modelgov.versions v SET status = 'withdrawn' WHERE v.proposal_id = p.proposal_id;
		PERFORM modelgov_internal.audit('withdrawn', version => p.target_version, proposal_id => p.proposal_id,
								change_type => p.change_type, status => 'withdrawn', model => m.name,
								details => jsonb_build_object('withdrawn_by', modelgov_internal.actor(),
															  'reason', p.closed_reason));
	END LOOP;
	PERFORM modelgov_internal.active_changed();
	RETURN format('retired: %s, no longer scored%s', m.name,
				  CASE WHEN open_proposals IS NULL THEN ''
					   ELSE format('; its open proposals %s are withdrawn', open_proposals) END);
END
$$;
CREATE FUNCTION modelgov.retire_model(name text DEFAULT NULL, reason text DEFAULT NULL) RETURNS text
	AS 'MODULE_PATHNAME', 'mg_governance_call'
	LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION modelgov_internal.retire_model(text, text) IS
	'internal: the body of modelgov.retire_model, which runs it for the role that acts (src/governance.c)';
COMMENT ON FUNCTION modelgov.retire_model(text, text) IS
	'retire a model: its history stays, its open proposals are withdrawn, nothing changes it any more and it is no longer scored (administrators only; audited); returns what was done';

REVOKE ALL ON FUNCTION modelgov.create_model(text, jsonb, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.retire_model(text, text) FROM PUBLIC;

/*
 * The inventory: one row per model, what runs where, what waits, what
 * happened last, and who holds each duty for it.
 */
CREATE VIEW modelgov.inventory AS
	SELECT m.name AS model,
		   m.description,
		   CASE WHEN m.retired_at IS NULL THEN 'active' ELSE 'retired' END AS status,
		   prod.version AS production_version,
		   prod.since AS production_since,
		   stg.version AS staging_version,
		   props.open_proposals,
		   lastdep.last_deployment,
		   lastrb.last_rollback,
		   lastalert.last_alert,
		   prev.previous_version,
		   prev.previous_support,
		   duties.duties,
		   m.created_at,
		   m.retired_at
	  FROM modelgov.models m
	  LEFT JOIN modelgov.environments prod
		ON prod.model OPERATOR(pg_catalog.=) m.name AND prod.env OPERATOR(pg_catalog.=) 'production'
	  LEFT JOIN modelgov.environments stg
		ON stg.model OPERATOR(pg_catalog.=) m.name AND stg.env OPERATOR(pg_catalog.=) 'staging'
	  LEFT JOIN LATERAL (
		SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
				   'proposal_id', p.proposal_id, 'target_version', p.target_version::text,
				   'status', p.status,
				   'waits_for', CASE p.status
									WHEN 'proposed' THEN 'two approving reviews'
									WHEN 'in_review' THEN 'two approving reviews'
									WHEN 'reviewed' THEN 'committee approvals'
									WHEN 'approved' THEN 'deployment to staging'
									WHEN 'staged' THEN 'a passing smoke test and deployment to production' END)
				   ORDER BY p.proposal_id) AS open_proposals
		  FROM modelgov.proposals p
		 WHERE p.model OPERATOR(pg_catalog.=) m.name
		   AND p.status OPERATOR(pg_catalog.=) ANY (ARRAY['proposed', 'in_review', 'reviewed', 'approved', 'staged'])) props ON true
	  LEFT JOIN LATERAL (
		SELECT pg_catalog.jsonb_build_object('version', d.version::text, 'from_version', d.from_version::text,
											 'at', d.deployed_at, 'by', d.deployed_by) AS last_deployment
		  FROM modelgov.deployments d
		 WHERE d.model OPERATOR(pg_catalog.=) m.name AND d.env OPERATOR(pg_catalog.=) 'production'
		   AND d.kind OPERATOR(pg_catalog.=) ANY (ARRAY['init', 'deploy'])
		 ORDER BY d.id DESC LIMIT 1) lastdep ON true
	  LEFT JOIN LATERAL (
		SELECT pg_catalog.jsonb_build_object('version', d.version::text, 'from_version', d.from_version::text,
											 'at', d.deployed_at, 'by', d.deployed_by, 'reason', d.reason) AS last_rollback
		  FROM modelgov.deployments d
		 WHERE d.model OPERATOR(pg_catalog.=) m.name AND d.env OPERATOR(pg_catalog.=) 'production'
		   AND d.kind OPERATOR(pg_catalog.=) 'rollback'
		 ORDER BY d.id DESC LIMIT 1) lastrb ON true
	  LEFT JOIN LATERAL (
		SELECT pg_catalog.jsonb_build_object('seq', a.seq, 'version', a.version::text, 'at', a.recorded_at,
											 'kind', a.status, 'check', a.details OPERATOR(pg_catalog.->>) 'check',
											 'day', a.details OPERATOR(pg_catalog.->>) 'day') AS last_alert
		  FROM modelgov.audit_log a
		 WHERE a.model OPERATOR(pg_catalog.=) m.name AND a.event_type OPERATOR(pg_catalog.=) 'alert'
		 ORDER BY a.seq DESC LIMIT 1) lastalert ON true
	  LEFT JOIN LATERAL (
		SELECT d.from_version AS previous_version,
			   CASE WHEN d.from_version IS NOT NULL
					THEN (SELECT s.status FROM modelgov.support_status(m.name, d.from_version, NULL) s) END
				   AS previous_support
		  FROM (SELECT CASE WHEN x.kind OPERATOR(pg_catalog.=) 'deploy' THEN x.from_version END AS from_version,
					   x.model, x.env, x.id
				  FROM modelgov.deployments x) d
		 WHERE d.model OPERATOR(pg_catalog.=) m.name AND d.env OPERATOR(pg_catalog.=) 'production'
		 ORDER BY d.id DESC LIMIT 1) prev ON true
	  LEFT JOIN LATERAL (
		SELECT pg_catalog.jsonb_object_agg(r.duty, r.holders) AS duties
		  FROM (SELECT dt.duty, pg_catalog.jsonb_agg(dt.role_name ORDER BY dt.role_name) AS holders
				  FROM (SELECT DISTINCT d.duty, mm.role_name
						  FROM modelgov.members mm
						  JOIN (SELECT x.role_name, x.duty FROM modelgov.duties x
								 WHERE x.model OPERATOR(pg_catalog.=) m.name
								UNION ALL
								SELECT y.role_name, r.duty FROM modelgov.members y, pg_catalog.unnest(y.roles) AS r(duty)) d
							ON d.role_name OPERATOR(pg_catalog.=) mm.role_name
						 WHERE true
						   -- a live membership (modelgov_internal.is_live_member, which
						   -- the caller of the view may not execute)
						   AND EXISTS (SELECT 1 FROM pg_catalog.pg_roles ro
										WHERE ro.oid OPERATOR(pg_catalog.=) mm.role_id
										  AND ro.rolname OPERATOR(pg_catalog.=) mm.role_name)) dt
				 GROUP BY dt.duty) r) duties ON true;
COMMENT ON VIEW modelgov.inventory IS
	'one row per model: the production version and since when, the staging version, open proposals and what each '
	'waits for, the last deployment and rollback, the last alert, the previous version and its support status, and '
	'the members (roles) holding each duty for it';
GRANT SELECT ON modelgov.inventory TO PUBLIC;

/*
 * Open work: one row per step an open proposal waits for, with the members
 * who can take it (role names).  A view runs with its owner's rights on the
 * tables but checks the caller's right to execute functions, so the rules
 * of holds() and is_live_member() are written out here.
 */
CREATE VIEW modelgov.open_work AS
	WITH live AS (
		SELECT m.role_name, m.roles
		  FROM modelgov.members m
		 WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_roles r
						WHERE r.oid OPERATOR(pg_catalog.=) m.role_id
						  AND r.rolname OPERATOR(pg_catalog.=) m.role_name)),
	duty AS (
		SELECT l.role_name, r.duty, NULL::text AS model
		  FROM live l, pg_catalog.unnest(l.roles) AS r(duty)
		UNION ALL
		SELECT d.role_name, d.duty, d.model
		  FROM modelgov.duties d JOIN live l ON l.role_name OPERATOR(pg_catalog.=) d.role_name),
	open AS (
		SELECT p.*,
			   (SELECT pg_catalog.count(*) FROM modelgov.reviews r
				 WHERE r.proposal_id OPERATOR(pg_catalog.=) p.proposal_id AND r.approve) AS good,
			   (SELECT pg_catalog.array_agg(r.reviewer ORDER BY r.reviewer) FROM modelgov.reviews r
				 WHERE r.proposal_id OPERATOR(pg_catalog.=) p.proposal_id AND NOT r.approve) AS against,
			   (SELECT s.passed FROM modelgov.smoke_tests s
				 WHERE s.model OPERATOR(pg_catalog.=) p.model
				   AND s.version OPERATOR(modelgov.=) p.target_version
				 ORDER BY s.id DESC LIMIT 1) AS smoke
		  FROM modelgov.proposals p
		 WHERE p.status OPERATOR(pg_catalog.=) ANY (ARRAY['proposed', 'in_review', 'reviewed', 'approved', 'staged']))
	-- reviews
	SELECT o.model, o.proposal_id, o.status, o.target_version, 'review'::text AS step,
		   pg_catalog.format('two approving reviews (%s so far)', o.good) AS waits_for,
		   ARRAY(SELECT l.role_name FROM live l
				  WHERE l.role_name OPERATOR(pg_catalog.<>) o.proposer
					AND NOT EXISTS (SELECT 1 FROM modelgov.reviews r
									 WHERE r.proposal_id OPERATOR(pg_catalog.=) o.proposal_id
									   AND r.reviewer OPERATOR(pg_catalog.=) l.role_name)
				  ORDER BY l.role_name) AS who,
		   NULL::timestamptz AS due
	  FROM open o
	 WHERE o.status OPERATOR(pg_catalog.=) ANY (ARRAY['proposed', 'in_review']) AND o.against IS NULL
	UNION ALL
	-- a negative review blocks the proposal
	SELECT o.model, o.proposal_id, o.status, o.target_version, 'unblock',
		   'the negative review to be replaced by its reviewer, or the proposal withdrawn or rejected',
		   o.against OPERATOR(pg_catalog.||) o.proposer, NULL
	  FROM open o
	 WHERE o.status OPERATOR(pg_catalog.=) ANY (ARRAY['proposed', 'in_review', 'reviewed']) AND o.against IS NOT NULL
	UNION ALL
	-- approvals, one row per committee duty still open
	SELECT o.model, o.proposal_id, o.status, o.target_version, 'approve as ' OPERATOR(pg_catalog.||) req.duty,
		   pg_catalog.format('approval as %s', req.duty),
		   ARRAY(SELECT DISTINCT d.role_name FROM duty d
				  WHERE d.duty OPERATOR(pg_catalog.=) req.duty
					AND (d.model IS NULL OR d.model OPERATOR(pg_catalog.=) o.model)
					AND d.role_name OPERATOR(pg_catalog.<>) o.proposer
					AND NOT EXISTS (SELECT 1 FROM modelgov.approvals a
									 WHERE a.proposal_id OPERATOR(pg_catalog.=) o.proposal_id
									   AND a.member OPERATOR(pg_catalog.=) d.role_name)
				  ORDER BY d.role_name),
		   NULL
	  FROM open o,
		   pg_catalog.unnest(ARRAY['model_science_lead', 'product_manager',
								   'engineering_lead']::modelgov.member_role[]) AS req(duty)
	 WHERE o.status OPERATOR(pg_catalog.=) 'reviewed' AND o.against IS NULL
	   AND NOT EXISTS (SELECT 1 FROM modelgov.approvals a
						 JOIN duty d ON d.role_name OPERATOR(pg_catalog.=) a.member
									AND d.duty OPERATOR(pg_catalog.=) a.as_role
									AND (d.model IS NULL OR d.model OPERATOR(pg_catalog.=) o.model)
						WHERE a.proposal_id OPERATOR(pg_catalog.=) o.proposal_id
						  AND a.as_role OPERATOR(pg_catalog.=) req.duty)
	UNION ALL
	-- a proposal made against a version production no longer runs: staging
	-- refuses it; its proposer rebases it (or withdraws it)
	SELECT o.model, o.proposal_id, o.status, o.target_version, 'rebase',
		   pg_catalog.format('a rebase onto %s: it was made against %s', e.version, o.base_version),
		   ARRAY[o.proposer], NULL
	  FROM open o
	  JOIN modelgov.environments e ON e.model OPERATOR(pg_catalog.=) o.model AND e.env OPERATOR(pg_catalog.=) 'production'
	 WHERE e.version OPERATOR(modelgov.<>) o.base_version
	UNION ALL
	-- the seed's rollback procedure, step 5: a root-cause analysis for every
	-- production rollback, until annotate() records the cause
	SELECT a.model, NULL::text, 'rolled back', (a.details OPERATOR(pg_catalog.->>) 'from_version')::modelgov.semver,
		   'root-cause analysis',
		   pg_catalog.format('the root cause of the rollback from %s to %s (audit entry %s), recorded with modelgov.annotate(%s, root_cause)',
							 a.details OPERATOR(pg_catalog.->>) 'from_version', a.version, a.seq, a.seq),
		   ARRAY(SELECT DISTINCT d.role_name FROM duty d
				  WHERE d.duty OPERATOR(pg_catalog.=) 'model_science_lead'
					AND (d.model IS NULL OR d.model OPERATOR(pg_catalog.=) a.model)
				  ORDER BY d.role_name),
		   (a.details OPERATOR(pg_catalog.->>) 'rca_due')::timestamptz
	  FROM modelgov.audit_log a
	 WHERE a.event_type OPERATOR(pg_catalog.=) 'rollback'
	   AND NOT EXISTS (SELECT 1 FROM modelgov.audit_log n
						WHERE n.event_type OPERATOR(pg_catalog.=) 'annotation'
						  AND (n.details OPERATOR(pg_catalog.->>) 'annotates')::bigint OPERATOR(pg_catalog.=) a.seq)
	UNION ALL
	-- the deployer's steps
	SELECT o.model, o.proposal_id, o.status, o.target_version,
		   CASE WHEN o.status OPERATOR(pg_catalog.=) 'approved' THEN 'deploy to staging'
				WHEN o.smoke IS NOT TRUE THEN 'record a smoke test'
				ELSE 'deploy to production' END,
		   CASE WHEN o.status OPERATOR(pg_catalog.=) 'approved' THEN 'deployment to staging'
				WHEN o.smoke IS NULL THEN pg_catalog.format('a smoke test of %s in staging', o.target_version)
				WHEN NOT o.smoke THEN pg_catalog.format('a passing smoke test of %s (the last one failed)', o.target_version)
				ELSE 'deployment to production' END,
		   ARRAY(SELECT DISTINCT d.role_name FROM duty d
				  WHERE d.duty OPERATOR(pg_catalog.=) 'deployer'
					AND (d.model IS NULL OR d.model OPERATOR(pg_catalog.=) o.model)
				  ORDER BY d.role_name),
		   CASE WHEN o.status OPERATOR(pg_catalog.=) 'staged' AND o.smoke
				THEN COALESCE(o.scheduled_deployment, o.approved_at) END
	  FROM open o
	  JOIN modelgov.environments e ON e.model OPERATOR(pg_catalog.=) o.model AND e.env OPERATOR(pg_catalog.=) 'production'
	 WHERE o.status OPERATOR(pg_catalog.=) ANY (ARRAY['approved', 'staged'])
	   AND e.version OPERATOR(modelgov.=) o.base_version;
COMMENT ON VIEW modelgov.open_work IS
	'every step open proposals wait for, per model: the step, what it waits for, the members (roles) who can take it, '
	'and for a production deployment when it is due';
GRANT SELECT ON modelgov.open_work TO PUBLIC;

/* The steps the calling member can take now. */
CREATE VIEW modelgov.my_work AS
	SELECT w.model, w.proposal_id, w.status, w.target_version, w.step, w.waits_for, w.due,
		   w.due IS NOT NULL AND w.due OPERATOR(pg_catalog.<=) modelgov.clock_now() AS due_now
	  FROM modelgov.open_work w
	 WHERE (CASE WHEN pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) 'none'
				 THEN SESSION_USER::text ELSE pg_catalog.current_setting('role') END) OPERATOR(pg_catalog.=) ANY (w.who);
COMMENT ON VIEW modelgov.my_work IS
	'the steps of open proposals the calling member (the role set with SET ROLE, else the session user) can take now: '
	'reviews, approvals for a duty they hold, smoke tests and deployments; due_now for a production deployment whose time has come';
GRANT SELECT ON modelgov.my_work TO PUBLIC;
