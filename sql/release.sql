--
-- Lifecycle: releases, support windows and the changelog (part of the
-- install script, see the Makefile)
--

/* A time as the process writes it: UTC, ISO 8601, "2024-03-01T00:00:00Z". */
CREATE FUNCTION modelgov_internal.utc_text(t timestamptz) RETURNS text
	LANGUAGE sql STABLE STRICT PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT to_char(timezone('UTC', t), 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;
COMMENT ON FUNCTION modelgov_internal.utc_text(timestamptz) IS
	'internal: a time in UTC as 2024-03-01T00:00:00Z, whatever the session''s TimeZone and DateStyle';

--
-- The release checklist: the eleven items of the process, in its order.
-- Items the database can verify from its own records are computed; the
-- others are attested by a member.  breaking_changes_marked and
-- migration_guide apply to MAJOR versions only.
--

CREATE FUNCTION modelgov_internal.release_items(OUT ord integer, OUT item text, OUT kind text, OUT description text)
	RETURNS SETOF record
	LANGUAGE sql IMMUTABLE PARALLEL SAFE ROWS 11
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT i.ord, i.item, i.kind, i.description FROM (VALUES
		(1, 'tests_pass', 'attested', 'All tests pass (unit, integration, end-to-end)'),
		(2, 'code_reviewed', 'attested', 'Code reviewed by 2+ engineers'),
		(3, 'documentation_updated', 'attested', 'Documentation updated'),
		(4, 'changelog_updated', 'attested', 'Changelog updated with clear description'),
		(5, 'breaking_changes_marked', 'attested_if_major', 'Breaking changes (if any) clearly marked'),
		(6, 'migration_guide', 'attested_if_major', 'Migration guide provided (if needed)'),
		(7, 'performance_benchmarks', 'computed', 'Performance benchmarks run'),
		(8, 'committee_approved', 'computed', 'Approved by model committee'),
		(9, 'tagged', 'computed', 'Tagged in version control'),
		(10, 'audit_entry', 'computed', 'Audit log entry created'),
		(11, 'release_notes_published', 'attested', 'Release notes published')) AS i(ord, item, kind, description)
$$;
COMMENT ON FUNCTION modelgov_internal.release_items() IS
	'internal: the eleven release checklist items in the process''s order; kind is computed, attested or attested_if_major';

CREATE SEQUENCE modelgov.release_attestations_id_seq;
CREATE TABLE modelgov.release_attestations (
	id				bigint PRIMARY KEY DEFAULT pg_catalog.nextval('modelgov.release_attestations_id_seq'),
	version			modelgov.semver NOT NULL,
	item			text NOT NULL
					CHECK (item OPERATOR(pg_catalog.=) ANY (ARRAY['tests_pass', 'code_reviewed', 'documentation_updated',
																   'changelog_updated', 'breaking_changes_marked',
																   'migration_guide', 'release_notes_published'])),
	evidence		text NOT NULL CHECK (evidence OPERATOR(pg_catalog.~) '[^[:space:]]'),
	attested_at		timestamptz NOT NULL,
	attested_by		text NOT NULL,
	attested_by_identity text NOT NULL,
	audit_seq		bigint NOT NULL REFERENCES modelgov.audit_log,
	model			text NOT NULL REFERENCES modelgov.models,
	FOREIGN KEY (model, version) REFERENCES modelgov.versions (model, version)
);
ALTER SEQUENCE modelgov.release_attestations_id_seq OWNED BY modelgov.release_attestations.id;
CREATE INDEX ON modelgov.release_attestations (model, version, item, id);
COMMENT ON TABLE modelgov.release_attestations IS
	'every attestation of a release checklist item, in order; the latest per version and item counts';
COMMENT ON COLUMN modelgov.release_attestations.attested_by IS 'the member''s database role';
COMMENT ON COLUMN modelgov.release_attestations.attested_by_identity IS 'the member''s e-mail identity';
COMMENT ON COLUMN modelgov.release_attestations.audit_seq IS 'the attestation event in the audit log';
COMMENT ON SEQUENCE modelgov.release_attestations_id_seq IS 'ids of release attestations';

CREATE TABLE modelgov.releases (
	version			modelgov.semver NOT NULL,
	released_at		timestamptz NOT NULL,
	released_by		text NOT NULL,
	released_by_identity text NOT NULL,
	checklist		jsonb NOT NULL,
	audit_seq		bigint NOT NULL REFERENCES modelgov.audit_log,
	model			text NOT NULL REFERENCES modelgov.models,
	changelog		text,
	PRIMARY KEY (model, version),
	FOREIGN KEY (model, version) REFERENCES modelgov.versions (model, version)
);
COMMENT ON TABLE modelgov.releases IS
	'versions marked RELEASED once their release checklist was complete; one row per version, never changed';
COMMENT ON COLUMN modelgov.releases.released_at IS
	'when the version was marked RELEASED (modelgov.versions.released_at is when it first ran in production)';
COMMENT ON COLUMN modelgov.releases.released_by IS 'the member''s database role';
COMMENT ON COLUMN modelgov.releases.released_by_identity IS 'the member''s e-mail identity';
COMMENT ON COLUMN modelgov.releases.checklist IS
	'the checklist as it stood at the release: an array of {item, state, evidence} in the process''s order';
COMMENT ON COLUMN modelgov.releases.audit_seq IS 'the released event in the audit log';
COMMENT ON COLUMN modelgov.releases.changelog IS
	'the version''s section of the changelog, frozen at the release (NULL for a release made before 0.2.0: changelog() writes it as it reads now)';

SELECT pg_catalog.pg_extension_config_dump('modelgov.release_attestations', '');
SELECT pg_catalog.pg_extension_config_dump('modelgov.release_attestations_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('modelgov.releases', '');
GRANT SELECT ON modelgov.release_attestations, modelgov.releases TO PUBLIC;

CREATE FUNCTION modelgov.release_checklist(model text, version modelgov.semver)
	RETURNS TABLE (item text, state text, evidence text)
	LANGUAGE plpgsql STABLE PARALLEL SAFE ROWS 11 SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	mdl modelgov.models := modelgov_internal.require_model(model, false);
	v modelgov.versions;
	p modelgov.proposals;
	major boolean;
	r record;
	att modelgov.release_attestations;
	init_actor text;
	init_at timestamptz;
	target float8;
	reviewers bigint;
	found_seq bigint;
	txt text;
	absent text;
BEGIN
	IF version IS NULL THEN
		RAISE EXCEPTION 'version must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	v := modelgov_internal.require_version(mdl.name, version);
	IF v.proposal_id IS NOT NULL THEN
		SELECT * INTO p FROM modelgov.proposals x WHERE x.proposal_id = v.proposal_id;
	END IF;
	-- MAJOR: the major number differs from the version it was proposed against
	major := p.proposal_id IS NOT NULL
			 AND modelgov.semver_major(v.version) <> modelgov.semver_major(p.base_version);

	FOR r IN SELECT * FROM modelgov_internal.release_items() i ORDER BY i.ord LOOP
		item := r.item;
		state := 'missing';
		evidence := NULL;

		IF r.item = 'committee_approved' THEN
			IF p.proposal_id IS NULL THEN
				-- the initial version: created by an administrator, no committee
				-- (never approved by a committee: not verified, not applicable)
				SELECT a.actor, a.recorded_at INTO init_actor, init_at FROM modelgov.audit_log a
				 WHERE a.event_type = 'init' AND a.version OPERATOR(modelgov.=) v.version
				   AND (a.model = v.model OR (a.encoding = 1 AND a.model IS NULL))
				 ORDER BY a.seq LIMIT 1;
				IF init_actor IS NOT NULL THEN
					state := 'not_applicable';
					evidence := format('the initial version: created by the administrator %s with the model at %s; no committee approved it',
									   init_actor, modelgov_internal.utc_text(init_at));
				ELSE
					evidence := 'the version has no proposal and no init entry in the audit log';
				END IF;
			ELSE
				SELECT string_agg(format('%s (%s)', a.member_identity, a.as_role), ', '
											 ORDER BY a.as_role)
				  INTO txt
				  FROM modelgov.approvals a WHERE a.proposal_id = p.proposal_id;
				SELECT string_agg(req.needed::text, ', ' ORDER BY req.needed) INTO absent
				  FROM unnest(ARRAY['model_science_lead', 'product_manager',
											   'engineering_lead']::modelgov.member_role[]) AS req(needed)
				 WHERE NOT EXISTS (SELECT 1 FROM modelgov.approvals a
									WHERE a.proposal_id = p.proposal_id
									  AND a.as_role = req.needed);
				IF absent IS NULL THEN
					state := 'verified';
					evidence := format('%s approved by %s', p.proposal_id, txt);
				ELSE
					evidence := format('%s has no approval by its %s%s', p.proposal_id, absent,
												  CASE WHEN txt IS NULL THEN ''
													   ELSE format('; approved by %s', txt) END);
				END IF;
			END IF;

		ELSIF r.item = 'audit_entry' THEN
			SELECT a.seq INTO found_seq FROM modelgov.audit_log a
			 WHERE a.version OPERATOR(modelgov.=) v.version AND a.model = v.model
			   AND ((a.event_type = 'deployment' AND a.status = 'active')
					OR a.event_type = 'init')
			 ORDER BY a.seq LIMIT 1;
			IF found_seq IS NOT NULL THEN
				state := 'verified';
				evidence := format('audit entry #%s', found_seq);
			ELSE
				evidence := 'no production deployment of the version in the audit log';
			END IF;

		ELSIF r.item = 'tagged' THEN
			IF v.released_at IS NOT NULL THEN
				state := 'verified';
				evidence := format('version %s, first in production at %s', v.version,
											  modelgov_internal.utc_text(v.released_at));
			ELSE
				evidence := format('version %s has not run in production (it is %s)', v.version, v.status);
			END IF;

		ELSIF r.item = 'performance_benchmarks' THEN
			-- the benchmark results are the daily latencies in force; each
			-- must meet the latency target of the monitoring policy (the
			-- process: p99 < 100ms)
			target := modelgov_internal.monitoring_setting('latency_p99_max_ms');
			SELECT string_agg(format('%s on %s', x.metrics -> 'latency_p99_ms', to_char(x.day::timestamp, 'YYYY-MM-DD')),
							  ', ' ORDER BY x.day) FILTER (WHERE NOT (x.metrics ->> 'latency_p99_ms')::float8 < target),
				   string_agg(format('%s on %s', x.metrics -> 'latency_p99_ms', to_char(x.day::timestamp, 'YYYY-MM-DD')),
							  ', ' ORDER BY x.day)
			  INTO absent, txt
			  FROM modelgov.metrics x
			 WHERE x.model = v.model AND x.version OPERATOR(modelgov.=) v.version
			   AND x.metrics ? 'latency_p99_ms';
			IF absent IS NOT NULL THEN
				state := 'failed';
				evidence := format('latency_p99_ms not below the target of %s ms (latency_p99_max_ms): %s', target, absent);
			ELSIF txt IS NOT NULL THEN
				state := 'verified';
				evidence := format('latency_p99_ms below the target of %s ms (latency_p99_max_ms): %s', target, txt);
			ELSE
				evidence := 'no daily metrics with latency_p99_ms';
			END IF;

		ELSIF r.item = 'code_reviewed' THEN
			-- 2+ engineers: two members other than the proposer, each
			-- with their latest attestation
			SELECT count(*), string_agg(format('%s (attested by %s at %s)', y.evidence, y.attested_by_identity,
											   modelgov_internal.utc_text(y.attested_at)), '; ' ORDER BY y.id)
			  INTO reviewers, txt
			  FROM (SELECT DISTINCT ON (x.attested_by_identity) x.*
					  FROM modelgov.release_attestations x
					 WHERE x.model = v.model AND x.version OPERATOR(modelgov.=) v.version AND x.item = r.item
					   AND (p.proposal_id IS NULL
							OR (x.attested_by <> p.proposer AND x.attested_by_identity <> p.proposer_identity))
					 ORDER BY x.attested_by_identity, x.id DESC) y;
			IF reviewers >= 2 THEN
				state := 'attested';
				evidence := txt;
			ELSIF reviewers = 1 THEN
				evidence := format('%s; a second member other than the proposer must attest it', txt);
			ELSE
				evidence := 'not attested';
			END IF;

		ELSIF r.kind = 'attested_if_major' AND NOT major THEN
			state := 'not_applicable';
			evidence := CASE WHEN p.proposal_id IS NULL
							 THEN 'the initial version has no earlier version to be incompatible with'
							 ELSE format('not a major version: %s keeps major version %s of %s',
													v.version, modelgov.semver_major(v.version), p.base_version) END;

		ELSE
			-- attested: the latest attestation counts
			SELECT * INTO att FROM modelgov.release_attestations x
			 WHERE x.model = v.model AND x.version OPERATOR(modelgov.=) v.version AND x.item = r.item
			 ORDER BY x.id DESC LIMIT 1;
			IF FOUND THEN
				state := 'attested';
				evidence := format('%s (attested by %s at %s)', att.evidence, att.attested_by_identity,
											  modelgov_internal.utc_text(att.attested_at));
			ELSE
				evidence := 'not attested';
			END IF;
		END IF;
		RETURN NEXT;
	END LOOP;
END
$$;
COMMENT ON FUNCTION modelgov.release_checklist(text, modelgov.semver) IS
	'the eleven-item release checklist of a version of a model, in the process''s order: item, state (verified, attested, '
	'not_applicable, failed or missing) and evidence; no item passes for want of records.  Computed: committee_approved '
	'(approvals by the model science lead, product manager and engineering lead; not_applicable for the initial version, '
	'which the administrator who created the model made and no committee approved, as its evidence says), audit_entry '
	'(a deployment entry with status active, or the init entry), tagged (the version ran in production), '
	'performance_benchmarks (daily metrics with latency_p99_ms, each below the monitoring policy''s latency_p99_max_ms, '
	'the process''s "p99 < 100ms": verified when every recorded day meets it, failed naming the days that do not, '
	'missing without any).  Attested with modelgov.attest(): the others, the latest attestation counting; code_reviewed '
	'("2+ engineers") needs two members other than the proposer, the latest attestation of each counting; '
	'breaking_changes_marked and migration_guide only for a MAJOR version (major number differs from the base version '
	'of its proposal), else not_applicable, as for the initial version.  Times in the evidence are UTC';

CREATE FUNCTION modelgov.release_checklist(version modelgov.semver)
	RETURNS TABLE (item text, state text, evidence text)
	LANGUAGE sql STABLE PARALLEL SAFE ROWS 11 SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT * FROM modelgov.release_checklist(modelgov_internal.sole_model('release_checklist'), version)
$$;
COMMENT ON FUNCTION modelgov.release_checklist(modelgov.semver) IS
	'deprecated since 0.2.0: release_checklist(model, version) of the database''s only model';

CREATE FUNCTION modelgov_internal.attest(model text, version modelgov.semver, item text, evidence text) RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	m modelgov.members := modelgov_internal.require_member('attest release checklist items');
	mdl modelgov.models := modelgov_internal.lock_model(model);
	v modelgov.versions;
	p modelgov.proposals;
	kind text;
	attestable text;
	now timestamptz := modelgov.clock_now();
	seq bigint;
BEGIN
	IF version IS NULL OR item IS NULL THEN
		RAISE EXCEPTION 'version and item must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	v := modelgov_internal.require_version(mdl.name, version);
	IF v.proposal_id IS NOT NULL THEN
		SELECT * INTO p FROM modelgov.proposals x WHERE x.proposal_id = v.proposal_id;
	END IF;

	SELECT i.kind INTO kind FROM modelgov_internal.release_items() i WHERE i.item = item;
	SELECT string_agg(i.item, ', ' ORDER BY i.ord) INTO attestable
	  FROM modelgov_internal.release_items() i WHERE i.kind <> 'computed';
	IF kind IS NULL THEN
		RAISE EXCEPTION 'unknown release checklist item "%"', modelgov_internal.excerpt(item)
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = format('The items members attest are %s.', attestable),
				  HINT = 'modelgov.release_checklist() lists every item of a version.';
	END IF;
	IF kind = 'computed' THEN
		RAISE EXCEPTION 'release checklist item "%" is computed', item
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = format('The database verifies %s from its own records; it cannot be attested.', item),
				  HINT = format('The items members attest are %s.', attestable);
	END IF;
	IF kind = 'attested_if_major'
	   AND (p.proposal_id IS NULL
			OR modelgov.semver_major(v.version) = modelgov.semver_major(p.base_version)) THEN
		RAISE EXCEPTION 'release checklist item "%" does not apply to version %', item, v.version
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = CASE WHEN p.proposal_id IS NULL
								THEN 'It is the initial version; breaking changes and a migration guide apply to major versions only.'
								ELSE format('Version %s is not a major version (it was proposed against %s); breaking changes and a migration guide apply to major versions only.',
													   v.version, p.base_version) END;
	END IF;
	-- engineers review code: not the automation account
	IF item = 'code_reviewed' THEN
		PERFORM modelgov_internal.require_person(m, 'attest code_reviewed');
	END IF;
	-- the code review is independent of the change, as the reviews are
	IF item = 'code_reviewed' AND p.proposal_id IS NOT NULL
	   AND (p.proposer = m.role_name OR p.proposer_identity = m.identity) THEN
		RAISE EXCEPTION 'permission denied to attest code_reviewed of version %', v.version
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = format('Code review must be independent: %s proposed %s and cannot attest its code review.',
								  p.proposer_identity, p.proposal_id),
				  HINT = 'Two other members attest code_reviewed, each with their own evidence.';
	END IF;
	-- blank is also tabs and line breaks, not only spaces
	IF modelgov_internal.is_blank(evidence) THEN
		RAISE EXCEPTION 'an attestation needs evidence' USING ERRCODE = 'null_value_not_allowed',
			HINT = 'Say where it can be checked: a CI run, a review, a document, a link.';
	END IF;
	PERFORM modelgov_internal.check_length('evidence', evidence, 10000);

	seq := modelgov_internal.audit('attestation', version => v.version, proposal_id => v.proposal_id,
						   change_type => p.change_type, status => 'attested', model => v.model,
						   details => jsonb_build_object('item', item, 'evidence', evidence,
																	'attested_by', m.identity));
	INSERT INTO modelgov.release_attestations (version, item, evidence, attested_at, attested_by,
											   attested_by_identity, audit_seq, model)
		VALUES (v.version, item, evidence, now, m.role_name, m.identity, seq, v.model);
END
$$;
CREATE FUNCTION modelgov.attest(model text, version modelgov.semver, item text, evidence text) RETURNS void
	AS 'MODULE_PATHNAME', 'mg_governance_call'
	LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION modelgov_internal.attest(text, modelgov.semver, text, text) IS
	'internal: the body of modelgov.attest, which runs it for the role that acts (src/governance.c)';

CREATE FUNCTION modelgov_internal.attest(version modelgov.semver, item text, evidence text) RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	PERFORM modelgov_internal.attest(modelgov_internal.sole_model('attest'), version, item, evidence);
END
$$;
CREATE FUNCTION modelgov.attest(version modelgov.semver, item text, evidence text) RETURNS void
	AS 'MODULE_PATHNAME', 'mg_governance_call'
	LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION modelgov_internal.attest(modelgov.semver, text, text) IS
	'internal: the body of the deprecated modelgov.attest without a model (src/governance.c)';
COMMENT ON FUNCTION modelgov.attest(modelgov.semver, text, text) IS
	'deprecated since 0.2.0: attest(model, version, item, evidence) for the database''s only model';
COMMENT ON FUNCTION modelgov.attest(text, modelgov.semver, text, text) IS
	'attest a release checklist item of a version of a model a person checks, with evidence (members only; audited).  Attesting again appends, '
	'the latest attestation counts.  Computed items, unknown items, and breaking_changes_marked or migration_guide '
	'of a version that is not MAJOR are refused (22023); the proposer of a version may not attest its code_reviewed (42501)';

CREATE FUNCTION modelgov_internal.release(model text, version modelgov.semver) RETURNS text
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	m modelgov.members := modelgov_internal.require_member('release versions');
	mdl modelgov.models := modelgov_internal.lock_model(model);
	v modelgov.versions;
	p modelgov.proposals;
	done modelgov.releases;
	rb modelgov.deployments;
	missing text[];
	failed text[];
	checklist jsonb;
	now timestamptz := modelgov.clock_now();
	seq bigint;
BEGIN
	IF version IS NULL THEN
		RAISE EXCEPTION 'version must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	-- one release of a version at a time; FK inserts (metrics, deployments)
	-- are not blocked
	SELECT * INTO v FROM modelgov.versions x
	 WHERE x.model = mdl.name AND x.version OPERATOR(modelgov.=) version FOR NO KEY UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'version % of model "%" does not exist', version, mdl.name USING ERRCODE = 'undefined_object';
	END IF;
	SELECT * INTO done FROM modelgov.releases x WHERE x.model = v.model AND x.version OPERATOR(modelgov.=) v.version;
	IF FOUND THEN
		RAISE EXCEPTION 'version % is already released', v.version
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = format('%s released it at %s.', done.released_by_identity,
											 modelgov_internal.utc_text(done.released_at));
	END IF;
	IF v.proposal_id IS NOT NULL THEN
		SELECT * INTO p FROM modelgov.proposals x WHERE x.proposal_id = v.proposal_id;
	END IF;
	-- production was rolled back from it (and it has not run there since)
	IF v.status = 'rolled_back' THEN
		SELECT * INTO rb FROM modelgov.deployments d
		 WHERE d.model = v.model AND d.env = 'production' AND d.kind = 'rollback'
		   AND d.from_version OPERATOR(modelgov.=) v.version
		 ORDER BY d.deployed_at DESC, d.id DESC LIMIT 1;
		RAISE EXCEPTION 'cannot release version %: it was rolled back', v.version
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = format('%s rolled production back from %s to %s at %s: %s',
								  COALESCE((SELECT a.details ->> 'rolled_back_by' FROM modelgov.audit_log a
											 WHERE a.seq = rb.audit_seq), rb.deployed_by), v.version, rb.version,
								  modelgov_internal.utc_text(rb.deployed_at), rb.reason),
				  HINT = 'A rolled-back version is not released: propose the fix as a new version.';
	END IF;

	SELECT array_agg(c.item ORDER BY c.n) FILTER (WHERE c.state = 'missing'),
		   array_agg(c.item ORDER BY c.n) FILTER (WHERE c.state NOT IN ('missing', 'verified', 'attested', 'not_applicable')),
		   jsonb_agg(jsonb_build_object('item', c.item, 'state', c.state,
															  'evidence', c.evidence) ORDER BY c.n)
	  INTO missing, failed, checklist
	  FROM modelgov.release_checklist(v.model, v.version) WITH ORDINALITY AS c(item, state, evidence, n);
	IF missing IS NOT NULL OR failed IS NOT NULL THEN
		RAISE EXCEPTION 'cannot release version %: the release checklist is incomplete', v.version
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = concat_ws(' ',
									 CASE WHEN missing IS NOT NULL
										  THEN format('These checklist items are missing: %s.', array_to_string(missing, ', ')) END,
									 CASE WHEN failed IS NOT NULL
										  THEN format('These checklist items failed: %s.', array_to_string(failed, ', ')) END),
				  HINT = 'Attest what people check with modelgov.attest(); modelgov.release_checklist() shows the evidence the database found for the others.';
	END IF;

	seq := modelgov_internal.audit('released', version => v.version, proposal_id => v.proposal_id,
						   change_type => p.change_type, status => 'released', model => v.model,
						   details => jsonb_build_object('released_by', m.identity,
																	'checklist', checklist));
	BEGIN
		INSERT INTO modelgov.releases VALUES (v.version, now, m.role_name, m.identity, checklist, seq, v.model,
											  modelgov_internal.changelog_section(v.model, v.version));
	EXCEPTION WHEN unique_violation THEN
		-- under REPEATABLE READ the snapshot can miss a release that
		-- committed while this transaction waited for the lock
		RAISE EXCEPTION 'could not release version %: another transaction released it first', v.version
			USING ERRCODE = 'serialization_failure',
				  HINT = 'Retry the transaction.';
	END;
	RETURN format('released: %s %s, %s', v.model, v.version,
				  CASE WHEN v.status = 'active' THEN 'active in production' ELSE v.status END);
END
$$;
CREATE FUNCTION modelgov.release(model text, version modelgov.semver) RETURNS text
	AS 'MODULE_PATHNAME', 'mg_governance_call'
	LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION modelgov_internal.release(text, modelgov.semver) IS
	'internal: the body of modelgov.release, which runs it for the role that acts (src/governance.c)';

CREATE FUNCTION modelgov_internal.release(version modelgov.semver) RETURNS void
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	PERFORM modelgov_internal.release(modelgov_internal.sole_model('release'), version);
END
$$;
CREATE FUNCTION modelgov.release(version modelgov.semver) RETURNS void
	AS 'MODULE_PATHNAME', 'mg_governance_call'
	LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION modelgov_internal.release(modelgov.semver) IS
	'internal: the body of the deprecated modelgov.release without a model (src/governance.c)';
COMMENT ON FUNCTION modelgov.release(modelgov.semver) IS
	'deprecated since 0.2.0: release(model, version) for the database''s only model';
COMMENT ON FUNCTION modelgov.release(text, modelgov.semver) IS
	'mark a version of a model RELEASED once every item of its release checklist is verified, attested or not applicable '
	'(members only; audited); otherwise 55000 naming every missing and failed item.  A version is released once; a '
	'rolled-back version (production was rolled back from it and it has not run there since) is not released (55000).  '
	'The initial version is released without a committee''s approval (committee_approved is not_applicable).  Returns '
	'what was released';

REVOKE ALL ON FUNCTION modelgov.attest(modelgov.semver, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.release(modelgov.semver) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.attest(text, modelgov.semver, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION modelgov.release(text, modelgov.semver) FROM PUBLIC;

--
-- Support windows
--

/*
 * No default for at: support_status(version, at) of 0.1.0 takes two, and
 * two untyped literals would match both.  NULL: modelgov.clock_now().
 */
CREATE FUNCTION modelgov.support_status(model text, version modelgov.semver, at timestamptz)
	RETURNS TABLE (status text, maintenance_until timestamptz, migration_until timestamptz)
	LANGUAGE plpgsql STABLE PARALLEL SAFE ROWS 1 SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	mdl modelgov.models := modelgov_internal.require_model(model, false);
	t timestamptz := COALESCE(at, modelgov.clock_now());
	cur modelgov.deployments;
	rel modelgov.deployments;
	first_run timestamptz;
BEGIN
	IF version IS NULL THEN
		RAISE EXCEPTION 'version must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM modelgov_internal.require_version(mdl.name, version);
	maintenance_until := NULL;
	migration_until := NULL;

	SELECT min(d.deployed_at) INTO first_run FROM modelgov.deployments d
	 WHERE d.model = mdl.name AND d.env = 'production' AND d.version OPERATOR(modelgov.=) version;
	IF first_run IS NULL OR first_run > t THEN
		status := 'not_released';
		RETURN NEXT;
		RETURN;
	END IF;

	-- the production deployment, rollback or init in force at t
	SELECT * INTO cur FROM modelgov.deployments d
	 WHERE d.model = mdl.name AND d.env = 'production' AND d.deployed_at <= t
	 ORDER BY d.deployed_at DESC, d.id DESC LIMIT 1;
	IF cur.version OPERATOR(modelgov.=) version THEN
		status := 'current';
		RETURN NEXT;
		RETURN;
	END IF;

	-- the latest MINOR or MAJOR release at t: a production deployment (not
	-- a rollback) into another MAJOR.MINOR line than the version it
	-- replaced.  A PATCH stays in its line: a drop-in replacement, it opens
	-- no window, and the window of its line's release carries on.
	SELECT * INTO rel FROM modelgov.deployments d
	 WHERE d.model = mdl.name AND d.env = 'production' AND d.kind = 'deploy' AND d.deployed_at <= t
	   AND (modelgov.semver_major(d.version) <> modelgov.semver_major(d.from_version)
			OR modelgov.semver_minor(d.version) <> modelgov.semver_minor(d.from_version))
	 ORDER BY d.deployed_at DESC, d.id DESC LIMIT 1;
	-- the version it replaced is the previous version while production
	-- stays in the release's line: a rollback out of it ends the window
	IF rel.from_version OPERATOR(modelgov.=) version
	   AND NOT EXISTS (SELECT 1 FROM modelgov.deployments d
						WHERE d.model = mdl.name AND d.env = 'production' AND d.deployed_at <= t
						  AND (d.deployed_at > rel.deployed_at OR (d.deployed_at = rel.deployed_at AND d.id > rel.id))
						  AND (modelgov.semver_major(d.version) <> modelgov.semver_major(rel.version)
							   OR modelgov.semver_minor(d.version) <> modelgov.semver_minor(rel.version))) THEN
		-- weeks of 7 x 24 hours, whatever the TimeZone
		maintenance_until := rel.deployed_at + '672 hours'::interval;
		migration_until := rel.deployed_at + '1344 hours'::interval;
		status := CASE WHEN t < maintenance_until THEN 'maintenance'
					   WHEN t < migration_until THEN 'migration'
					   ELSE 'unsupported' END;
	ELSE
		-- older versions, a version a PATCH replaced, one rolled back from
		status := 'unsupported';
	END IF;
	RETURN NEXT;
END
$$;
COMMENT ON FUNCTION modelgov.support_status(text, modelgov.semver, timestamptz) IS
	'support of a version of a model at a time (default modelgov.clock_now()), from the production deployment history, '
	'by the process''s rule: a new MINOR or MAJOR release puts the previous version in maintenance for 4 weeks with a '
	'migration path for 8, and leaves older versions unsupported; a PATCH release is a drop-in replacement and opens no '
	'window.  current: active in production at that time.  maintenance, then migration: the previous version, the one '
	'the latest MINOR or MAJOR release replaced (a production deployment into another MAJOR.MINOR line; rollbacks are no '
	'releases), until that release + 4 weeks and + 8 weeks, both returned (weeks of 7 x 24 hours, ends exclusive); the '
	'window carries on across PATCH releases and rollbacks within the release''s line, and ends when production is rolled '
	'back out of that line.  unsupported: every other version that ran in production (older versions, a version a PATCH '
	'replaced, one rolled back from, the previous version after 8 weeks, with its windows returned).  not_released: not '
	'yet in production at that time.  The process''s own example (1.0.1 replacing 1.0.0 on 2024-03-01) is a PATCH: under '
	'the rule 1.0.0 is unsupported from then on; a MINOR release on that day would give 1.0.0 maintenance until '
	'2024-03-29T00:00:00Z (all of the example''s "until 2024-03-28") and a migration path until 2024-04-26T00:00:00Z.  '
	'A time after the latest deployment projects the windows known now';

CREATE FUNCTION modelgov.support_status(version modelgov.semver, at timestamptz DEFAULT NULL)
	RETURNS TABLE (status text, maintenance_until timestamptz, migration_until timestamptz)
	LANGUAGE sql STABLE PARALLEL SAFE ROWS 1 SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT * FROM modelgov.support_status(modelgov_internal.sole_model('support_status'), version, at)
$$;
COMMENT ON FUNCTION modelgov.support_status(modelgov.semver, timestamptz) IS
	'deprecated since 0.2.0: support_status(model, version, at) of the database''s only model';

--
-- The changelog
--

/* A value in a changelog line: strings bare, numbers as written, arrays
 * and objects as compact one-line JSON (jsonb's text form). */
CREATE FUNCTION modelgov_internal.changelog_value(v jsonb) RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT CASE WHEN v IS NULL THEN '(none)'
				WHEN jsonb_typeof(v) = 'string' THEN v #>> '{}'
				ELSE v::text END
$$;
COMMENT ON FUNCTION modelgov_internal.changelog_value(jsonb) IS
	'internal: a JSON value as the changelog prints it: strings bare, numbers as written, arrays and objects as one-line JSON';

/*
 * One version's section of the changelog, in the process's words: what
 * release() freezes into modelgov.releases.changelog, and what changelog()
 * shows for a version not released yet.  Rollbacks are added by
 * changelog(): they happen after the text is frozen.
 */
CREATE FUNCTION modelgov_internal.changelog_section(model text, version modelgov.semver) RETURNS text
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	nl text := chr(10);
	-- U+2192 and U+26A0; a database that cannot hold them gets ASCII
	arrow text := CASE WHEN getdatabaseencoding() = 'UTF8'
					   THEN chr(8594) ELSE '->' END;
	warn text := CASE WHEN getdatabaseencoding() = 'UTF8'
					  THEN chr(9888) || ' ' ELSE '' END;
	r record;
	parts text[] := '{}'::text[];
	lines text[];
	guide text;
	youden numeric;
	accuracy numeric;
BEGIN
	SELECT x.version, x.released_at, p.proposal_id, p.change_type, p.description, p.base_version,
		   p.old_values, p.new_values, p.impact_analysis
	  INTO r
	  FROM modelgov.versions x
	  LEFT JOIN modelgov.proposals p ON p.proposal_id = x.proposal_id
	 WHERE x.model = model AND x.version OPERATOR(modelgov.=) version;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;

	-- a MAJOR version breaks compatibility with the version it changed
	IF r.proposal_id IS NOT NULL
	   AND modelgov.semver_major(r.version) <> modelgov.semver_major(r.base_version) THEN
		SELECT a.evidence INTO guide FROM modelgov.release_attestations a
		 WHERE a.model = model AND a.version OPERATOR(modelgov.=) r.version AND a.item = 'migration_guide'
		 ORDER BY a.id DESC LIMIT 1;
		parts := parts || concat_ws(nl,
			format('### %sBreaking changes', warn),
			format('- Not backward compatible with %s', r.base_version),
			CASE WHEN jsonb_typeof(r.impact_analysis #> '{breaking,migration}') = 'string'
				 THEN format('- Migration: %s', regexp_replace(r.impact_analysis #>> '{breaking,migration}',
															   '[\r\n]+', ' ', 'g')) END,
			CASE WHEN guide IS NOT NULL
				 THEN format('- Migration guide: %s', regexp_replace(guide, '[\r\n]+', ' ', 'g')) END);
	END IF;

	-- what changed, under the heading of its change type
	IF r.proposal_id IS NULL THEN
		parts := parts || concat_ws(nl, '### Added', '- Initial version');
	ELSE
		lines := ARRAY[format('### %s',
							 CASE WHEN r.change_type = 'feature_addition' THEN 'Added'
								  WHEN r.change_type = 'feature_removal' THEN 'Removed'
								  WHEN r.change_type = ANY (ARRAY['bug_fix', 'performance_fix']::modelgov.change_type[])
								  THEN 'Fixed'
								  ELSE 'Changed' END),
					   -- one line: a description cannot open a section of its own
					   format('- %s', regexp_replace(r.description, '[\r\n]+', ' ', 'g'))];
		lines := lines || ARRAY(
			SELECT format('- %s: %s %s %s', k.key,
						  modelgov_internal.changelog_value(r.old_values -> k.key), arrow,
						  modelgov_internal.changelog_value(r.new_values -> k.key))
			  FROM (SELECT jsonb_object_keys(r.old_values) AS key
					 UNION
					SELECT jsonb_object_keys(r.new_values)) k
			 ORDER BY k.key);
		parts := parts || array_to_string(lines, nl);
	END IF;

	-- the metrics, in the process's words: the Youden improvement the
	-- analysis found, the accuracy of AUTO decisions production measured
	lines := '{}'::text[];
	IF jsonb_typeof(r.impact_analysis -> 'youden_improvement') = 'number' THEN
		youden := (r.impact_analysis ->> 'youden_improvement')::numeric;
		lines := lines || CASE WHEN youden > 0 THEN format('- Youden index improved by %s', youden)
							   WHEN youden < 0 THEN format('- Youden index worsened by %s', -youden)
							   ELSE '- Youden index unchanged' END;
	END IF;
	SELECT avg((x.metrics ->> 'correct_auto')::numeric) INTO accuracy
	  FROM modelgov.metrics x
	 WHERE x.model = model AND x.version OPERATOR(modelgov.=) r.version
	   AND jsonb_typeof(x.metrics -> 'correct_auto') = 'number';
	IF accuracy IS NOT NULL THEN
		lines := lines || format('- Auto-resolve accuracy: %s%%', round(accuracy * 100, 1));
	END IF;
	IF cardinality(lines) > 0 THEN
		parts := parts || array_to_string(ARRAY['### Metrics'] || lines, nl);
	END IF;

	RETURN concat(format('## [%s] - %s', r.version, to_char(timezone('UTC', r.released_at), 'YYYY-MM-DD')),
				  nl, array_to_string(parts, nl || nl));
END
$$;
COMMENT ON FUNCTION modelgov_internal.changelog_section(text, modelgov.semver) IS
	'internal: a version''s section of the changelog as it reads now (release() freezes it)';

CREATE FUNCTION modelgov.changelog(model text, since modelgov.semver DEFAULT NULL) RETURNS text
	LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	-- changelog(NULL) of 0.1.0 (every version) reads NULL as the model: the
	-- database's only model, as in the 0.1.0 forms
	mdl modelgov.models := modelgov_internal.require_model(COALESCE(model, modelgov_internal.sole_model('changelog')),
														   false);
	nl text := chr(10);
	r record;
	blocks text[] := '{}'::text[];
	lines text[];
BEGIN
	FOR r IN SELECT x.version, rel.changelog AS frozen
			   FROM modelgov.versions x
			   LEFT JOIN modelgov.releases rel ON rel.model = x.model AND rel.version OPERATOR(modelgov.=) x.version
			  WHERE x.model = mdl.name AND x.released_at IS NOT NULL
				AND (since IS NULL OR x.version OPERATOR(modelgov.>) since)
			  ORDER BY x.version DESC LOOP
		-- rollbacks away from this version, which come after its text
		-- was frozen
		lines := ARRAY(SELECT format('- %s: rolled back to %s (%s)',
									 to_char(timezone('UTC', d.deployed_at), 'YYYY-MM-DD'), d.version, d.reason)
						 FROM modelgov.deployments d
						WHERE d.model = mdl.name AND d.env = 'production' AND d.kind = 'rollback'
						  AND d.from_version OPERATOR(modelgov.=) r.version
						ORDER BY d.deployed_at, d.id);
		blocks := blocks || concat_ws(nl || nl,
									  COALESCE(r.frozen, modelgov_internal.changelog_section(mdl.name, r.version)),
									  CASE WHEN cardinality(lines) > 0
										   THEN array_to_string(ARRAY['### Rolled back'] || lines, nl) END);
	END LOOP;

	IF cardinality(blocks) = 0 THEN
		RETURN '# Changelog' || nl;
	END IF;
	RETURN concat('# Changelog', nl, nl, array_to_string(blocks, nl || nl), nl);
END
$$;
COMMENT ON FUNCTION modelgov.changelog(text, modelgov.semver) IS
	'the changelog of a model (NULL: the database''s only model) in the process''s Markdown and words, newest first: one '
	'section per version that ran in production and is greater than since (all when NULL), "## [version] - date" (its '
	'first day in production, UTC).  A released version''s section is the text frozen at its release; a version not '
	'released yet reads as it would now.  In a section: "### <U+26A0> Breaking changes" for a MAJOR version (with the '
	'declared migration and the attested migration guide); the proposal under Added (feature_addition), Removed '
	'(feature_removal), Fixed (bug_fix, performance_fix) or Changed (the others): its description on one line, then '
	'"- key: old -> new" for each changed value, sorted by key (U+2192 as the arrow; arrays and objects as one-line '
	'JSON); "### Metrics": "Youden index improved by" the analysis''s youden_improvement (worsened by, unchanged), and '
	'"Auto-resolve accuracy:" the average correct_auto production measured, in percent with one decimal.  The initial '
	'version is "### Added / - Initial version".  After it, not frozen: "### Rolled back", each rollback away from the '
	'version, dated, with its target and reason.  In a database whose encoding is not UTF8 the arrow is "->" and the '
	'warning sign is left out';

CREATE FUNCTION modelgov.changelog(since modelgov.semver DEFAULT NULL) RETURNS text
	LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT modelgov.changelog(modelgov_internal.sole_model('changelog'), since)
$$;
COMMENT ON FUNCTION modelgov.changelog(modelgov.semver) IS
	'deprecated since 0.2.0: changelog(model, since) of the database''s only model';

/*
 * Releases and attestations are history: rows are added, never changed or
 * removed (a later attestation supersedes an earlier one).
 */
CREATE TRIGGER releases_append_only BEFORE UPDATE OR DELETE ON modelgov.releases
	FOR EACH ROW EXECUTE FUNCTION modelgov_internal.append_only_guard();
CREATE TRIGGER releases_no_truncate BEFORE TRUNCATE ON modelgov.releases
	FOR EACH STATEMENT EXECUTE FUNCTION modelgov_internal.append_only_guard();
CREATE TRIGGER release_attestations_append_only BEFORE UPDATE OR DELETE ON modelgov.release_attestations
	FOR EACH ROW EXECUTE FUNCTION modelgov_internal.append_only_guard();
CREATE TRIGGER release_attestations_no_truncate BEFORE TRUNCATE ON modelgov.release_attestations
	FOR EACH STATEMENT EXECUTE FUNCTION modelgov_internal.append_only_guard();
ALTER TABLE modelgov.releases ENABLE ALWAYS TRIGGER releases_append_only;
ALTER TABLE modelgov.releases ENABLE ALWAYS TRIGGER releases_no_truncate;
ALTER TABLE modelgov.release_attestations ENABLE ALWAYS TRIGGER release_attestations_append_only;
ALTER TABLE modelgov.release_attestations ENABLE ALWAYS TRIGGER release_attestations_no_truncate;
