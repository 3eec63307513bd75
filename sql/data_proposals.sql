--
-- Proposals from data: the seed's monthly ROC/Youden optimization in one
-- call, with the impact analysis computed by the database and stored with
-- the sample query that gave it, and a recheck any reviewer can run.
--
-- The sample query is the caller's SQL and runs with the caller's rights
-- and search_path: these two functions are SECURITY INVOKER and, unlike
-- every other function of the extension, do not pin search_path (a pinned
-- path would hide the caller's tables from the query).  Their bodies name
-- everything with its schema.  The query runs read-only, in a
-- subtransaction that is rolled back once its rows are read: a stored
-- query that a reviewer rechecks cannot change anything as the reviewer
-- (modelgov.approve() in a sample query fails with 25006).
--

/*
 * Read a sample: run the query read-only with the caller's rights and
 * search_path, score each row with a version of the model, and return
 * what the evidence needs, as arrays in the rows' order: p, the version's
 * decision, the most cautious decision of the safety rules that fired
 * (NULL when none), the decision of the proposal's version when one is
 * given, the correct decision; and the fingerprint of the rows (their
 * count and an order-independent hash).
 */
CREATE FUNCTION modelgov.read_sample(model text, sample text, version modelgov.semver,
									 proposed modelgov.semver DEFAULT NULL,
									 OUT p float8[], OUT decided modelgov.decision[],
									 OUT rules modelgov.decision[], OUT proposed_decided modelgov.decision[],
									 OUT correct modelgov.decision[], OUT n bigint, OUT hash text)
	LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
	AS $$
#variable_conflict use_variable
DECLARE
	read boolean := false;
	probe refcursor;
	locks_before text[];
	l record;
BEGIN
	IF model IS NULL OR sample IS NULL OR version IS NULL THEN
		RAISE EXCEPTION 'modelgov.read_sample() needs %',
			CASE WHEN model IS NULL THEN 'model' WHEN sample IS NULL THEN 'sample' ELSE 'version' END
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Call it as modelgov.read_sample(model, sample, version [, proposed]).';
	END IF;
	-- one statement, whatever ends the text
	sample := pg_catalog.regexp_replace(sample, '[[:space:];]+$', '');
	-- the session's advisory locks before the query: the query's own go
	-- with it (a lock taken as the reader outlives the rollback)
	SELECT pg_catalog.array_agg(pg_catalog.concat_ws('/', x.classid, x.objid, x.objsubid, x.mode))
	  INTO locks_before
	  FROM pg_catalog.pg_locks x
	 WHERE x.locktype = 'advisory' AND x.pid = pg_catalog.pg_backend_pid();
	BEGIN
		-- read-only from here to the end of this block, which is rolled
		-- back: nothing the query calls can write.  Floats print exactly,
		-- whatever the session says, so that the hash of the rows is the
		-- same in every session.
		PERFORM pg_catalog.set_config('transaction_read_only', 'on', true);
		PERFORM pg_catalog.set_config('extra_float_digits', '3', true);
		-- exactly one query of its own: opening it as a cursor parses the
		-- text alone (nothing runs before the first fetch), so text that
		-- closes the parentheses around it below, or holds several
		-- statements, is refused here
		BEGIN
			OPEN probe FOR EXECUTE sample;
			CLOSE probe;
		EXCEPTION
			WHEN syntax_error OR invalid_cursor_definition OR feature_not_supported THEN
				RAISE EXCEPTION 'the sample query is not one query: %', SQLERRM
					USING ERRCODE = SQLSTATE,
						  HINT = 'A sample is one SELECT (or VALUES, or WITH ... SELECT) returning features, candidate and correct.';
		END;
		EXECUTE pg_catalog.format(
			'WITH s AS (SELECT s.features::float8[] AS f, s.candidate::text AS c,'
			'                  s.correct::modelgov.decision AS y FROM (%s) s),'
			'     e AS (SELECT f, c, y, modelgov.explain(%L, f, c, %L::modelgov.semver) AS x,'
			'                  CASE WHEN %L::modelgov.semver IS NOT NULL'
			'                       THEN modelgov.decide(%L, %L::modelgov.semver, f, c) END AS d2'
			'             FROM s)'
			' SELECT pg_catalog.array_agg((x ->> ''p'')::float8),'
			'        pg_catalog.array_agg((x ->> ''decision'')::modelgov.decision),'
			'        pg_catalog.array_agg((SELECT pg_catalog.max((r ->> ''decision'')::modelgov.decision)'
			'                                FROM pg_catalog.jsonb_array_elements(x -> ''rules_fired'') r)),'
			'        pg_catalog.array_agg(d2), pg_catalog.array_agg(y), pg_catalog.count(*),'
			'        ((COALESCE(pg_catalog.sum(pg_catalog.hashtextextended('
			'              ROW(f, c, y)::text, 0)::numeric), 0)'
			'          %% 18446744073709551616 + 18446744073709551616) %% 18446744073709551616)::text'
			'   FROM e',
			-- on lines of its own: a comment at its end ends with its line
			pg_catalog.chr(10) || sample || pg_catalog.chr(10), model, version, proposed, model, proposed)
			INTO p, decided, rules, proposed_decided, correct, n, hash;
		read := true;
		RAISE EXCEPTION USING ERRCODE = 'MG001';
	EXCEPTION
		WHEN SQLSTATE 'MG001' THEN
			IF NOT read THEN
				RAISE;			-- the query's own MG001
			END IF;
			-- the rows are read; read-only is undone
		WHEN undefined_column OR cannot_coerce OR datatype_mismatch OR invalid_text_representation THEN
			RAISE EXCEPTION 'the sample query does not return the columns of a sample, or not of their types: %', SQLERRM
				USING ERRCODE = SQLSTATE,
					  HINT = 'A sample query returns the columns features (float8[]), candidate (text) and correct (modelgov.decision).';
	END;
	-- release the advisory locks the query took (session locks survive
	-- the rollback of the block: a lock's key could carry what the reader
	-- may read to whoever wrote the query)
	FOR l IN SELECT x.classid, x.objid, x.objsubid, x.mode FROM pg_catalog.pg_locks x
			  WHERE x.locktype = 'advisory' AND x.pid = pg_catalog.pg_backend_pid()
				AND pg_catalog.concat_ws('/', x.classid, x.objid, x.objsubid, x.mode)
					<> ALL (COALESCE(locks_before, '{}')) LOOP
		-- a lock taken n times is held until it is released n times
		WHILE EXISTS (SELECT 1 FROM pg_catalog.pg_locks x
					   WHERE x.locktype = 'advisory' AND x.pid = pg_catalog.pg_backend_pid()
						 AND x.classid = l.classid AND x.objid = l.objid AND x.objsubid = l.objsubid
						 AND x.mode = l.mode) LOOP
			IF l.objsubid = 1 AND l.mode = 'ShareLock' THEN
				PERFORM pg_catalog.pg_advisory_unlock_shared((l.classid::bigint << 32) | l.objid::bigint);
			ELSIF l.objsubid = 1 THEN
				PERFORM pg_catalog.pg_advisory_unlock((l.classid::bigint << 32) | l.objid::bigint);
			ELSIF l.mode = 'ShareLock' THEN
				PERFORM pg_catalog.pg_advisory_unlock_shared(((l.classid::bigint + 2147483648) % 4294967296 - 2147483648)::int,
													 ((l.objid::bigint + 2147483648) % 4294967296 - 2147483648)::int);
			ELSE
				PERFORM pg_catalog.pg_advisory_unlock(((l.classid::bigint + 2147483648) % 4294967296 - 2147483648)::int,
													 ((l.objid::bigint + 2147483648) % 4294967296 - 2147483648)::int);
			END IF;
		END LOOP;
	END LOOP;
END
$$;
COMMENT ON FUNCTION modelgov.read_sample(text, text, modelgov.semver, modelgov.semver) IS
	'the rows of a sample query (features float8[], candidate text, correct modelgov.decision), run read-only with the caller''s rights and search_path, scored with a version of the model (and a proposed one): arrays of p, the decision, the safety rules'' most cautious decision, the proposed version''s decision and the correct one, with the rows'' count and an order-independent hash';

/*
 * The shortest decimal d with below < d <= t, the closest to t among the
 * shortest (t when below is NULL or nothing shorter fits): a threshold t
 * optimized on a sample whose largest p under t is below splits that
 * sample exactly as d does ("p >= d"), and reads as a person writes it
 * (0.2, not 0.21000000000000002).
 */
CREATE FUNCTION modelgov.simplest_threshold(t float8, below float8) RETURNS float8
	LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	d float8;
BEGIN
	IF t IS NULL OR below IS NULL OR NOT below < t THEN
		RETURN t;
	END IF;
	FOR k IN 0 .. 17 LOOP
		d := floor(t * 10 ^ k) / 10 ^ k;
		IF d > below AND d <= t THEN
			RETURN d;
		END IF;
	END LOOP;
	RETURN t;
END
$$;
COMMENT ON FUNCTION modelgov.simplest_threshold(float8, float8) IS
	'the shortest decimal d with below < d <= t, the closest to t among them: the threshold a person writes that splits a sample as t does, when below is the sample''s largest p under t';

/*
 * The seed's monthly optimization: thresholds from a labelled sample, for
 * the version production runs, and a threshold_change proposal carrying
 * the impact analysis computed on the same rows, filed as the caller.
 */
CREATE FUNCTION modelgov.propose_thresholds(model text, sample text, description text DEFAULT NULL)
	RETURNS text
	LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
	AS $$
#variable_conflict use_variable
DECLARE
	active modelgov.semver;
	cfg jsonb;
	r record;
	opt jsonb;
	imp jsonb;
	a float8;
	e float8;
BEGIN
	IF model IS NULL OR sample IS NULL THEN
		RAISE EXCEPTION 'modelgov.propose_thresholds() needs %', CASE WHEN model IS NULL THEN 'model' ELSE 'sample' END
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Call it as modelgov.propose_thresholds(model, sample [, description]).';
	END IF;
	active := modelgov.active_version(model, 'production'::modelgov.environment);
	IF active IS NULL THEN
		RAISE EXCEPTION 'model "%" does not exist', model USING ERRCODE = 'undefined_object';
	END IF;
	SELECT * INTO r FROM modelgov.read_sample(model, sample, active);
	IF r.n = 0 THEN
		RAISE EXCEPTION 'the sample query returned no rows' USING ERRCODE = 'no_data_found',
			HINT = 'Thresholds are optimized on labelled rows: features, candidate and the correct decision.';
	END IF;

	-- the thresholds: Youden's J of "p >= t" against the correct decisions
	SELECT modelgov.optimize_thresholds(x.p, x.y) INTO opt
	  FROM ROWS FROM (pg_catalog.unnest(r.p), pg_catalog.unnest(r.correct)) AS x(p, y);
	a := (opt ->> 'auto')::float8;
	e := (opt ->> 'escalate')::float8;
	IF a IS NULL OR e IS NULL THEN
		RAISE EXCEPTION 'no thresholds can be optimized on this sample'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = pg_catalog.format('The optimization gave %s.', opt),
				  HINT = 'The sample needs rows that the version scores, correct decisions of more than one kind.';
	END IF;
	-- the simplest numbers that split the sample as the optimum does: the
	-- shortest decimal above the largest p below each threshold
	a := modelgov.simplest_threshold(a, (SELECT pg_catalog.max(x.p) FROM pg_catalog.unnest(r.p) AS x(p) WHERE x.p < a));
	e := modelgov.simplest_threshold(e, (SELECT pg_catalog.max(x.p) FROM pg_catalog.unnest(r.p) AS x(p) WHERE x.p < e));
	cfg := modelgov.model_config(model, active);
	IF a = (cfg #>> '{thresholds,auto}')::float8 AND e = (cfg #>> '{thresholds,escalate}')::float8 THEN
		RAISE EXCEPTION 'the optimized thresholds are those of version %: nothing to propose', active
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = pg_catalog.format('auto %s, escalate %s on %s rows.', a, e, r.n);
	END IF;

	-- the impact on the same rows: the thresholds decide where the version
	-- had a p; safety rules that fired still have the last word, and a row
	-- with a feature missing keeps its decision
	SELECT modelgov.impact(x.d, CASE WHEN x.p IS NULL THEN x.d
								 ELSE GREATEST(CASE WHEN x.p < a THEN 'AUTO'::modelgov.decision
													WHEN x.p >= e THEN 'ESCALATE'::modelgov.decision
													ELSE 'ASK'::modelgov.decision END, x.rl) END,
						   x.y)
	  INTO imp
	  FROM ROWS FROM (pg_catalog.unnest(r.p), pg_catalog.unnest(r.decided), pg_catalog.unnest(r.rules),
					 pg_catalog.unnest(r.correct)) AS x(p, d, rl, y);

	RETURN modelgov.propose(model, 'threshold_change',
		COALESCE(description, pg_catalog.format('Monthly threshold optimization (ROC/Youden) on %s labelled rows', r.n)),
		pg_catalog.jsonb_build_object('threshold_auto', a, 'threshold_escalate', e),
		-- sample_size is the impact's: the labelled rows it counted
		imp || pg_catalog.jsonb_build_object(
			'youden_auto', opt -> 'youden_auto', 'youden_escalate', opt -> 'youden_escalate',
			'sample', pg_catalog.jsonb_build_object('query', sample, 'rows', r.n, 'hash', r.hash,
													 'version', active::text, 'computed_by', 'propose_thresholds',
													 'optimization', opt)),
		pg_catalog.format('Roll back to %s with modelgov.rollback().', active),
		'Daily checks for 7 days after deployment: the decision rates against the expected ones.');
END
$$;
REVOKE ALL ON FUNCTION modelgov.propose_thresholds(text, text, text) FROM PUBLIC;
COMMENT ON FUNCTION modelgov.propose_thresholds(text, text, text) IS
	'the seed''s monthly ROC/Youden optimization in one call: run the sample query (features float8[], candidate text, correct modelgov.decision) read-only with the caller''s rights, optimize both thresholds for the active version (optimize_thresholds), compute the impact analysis of the change on the same rows (impact), and file a threshold_change proposal carrying it, with the sample query and the rows'' fingerprint, as the calling member (modelgov.propose)';

/*
 * A proposal's impact analysis computed again from its stored sample
 * query, next to the one recorded, for a reviewer.
 */
CREATE FUNCTION modelgov.recheck_impact(proposal_id text) RETURNS jsonb
	LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
	AS $$
#variable_conflict use_variable
DECLARE
	pr modelgov.proposals;
	sample jsonb;
	base_cfg jsonb;
	a float8;
	e float8;
	r record;
	now_ jsonb;
	recorded jsonb;
	diff jsonb;
BEGIN
	IF proposal_id IS NULL THEN
		RAISE EXCEPTION 'modelgov.recheck_impact() needs proposal_id' USING ERRCODE = 'null_value_not_allowed',
			HINT = 'Call it as modelgov.recheck_impact(proposal_id).';
	END IF;
	SELECT * INTO pr FROM modelgov.proposals x WHERE x.proposal_id OPERATOR(pg_catalog.=) recheck_impact.proposal_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'proposal "%" does not exist', proposal_id USING ERRCODE = 'undefined_object';
	END IF;
	sample := pr.impact_analysis -> 'sample';
	IF pg_catalog.jsonb_typeof(sample -> 'query') IS DISTINCT FROM 'string' THEN
		RAISE EXCEPTION 'proposal % has no sample query to recheck', pr.proposal_id
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  DETAIL = 'Its impact analysis was written, not computed from a sample.',
				  HINT = 'modelgov.propose_thresholds() files proposals whose impact can be rechecked.';
	END IF;
	-- the old decisions are those of the version the proposal changes.
	-- The new ones come from the proposal's own configuration: when it
	-- changes the thresholds only, its thresholds decide where the old
	-- version had a p (as propose_thresholds computed them); otherwise
	-- its target version is scored (a proposal's target is scorable
	-- before any approval, but its number may be another proposal's too)
	base_cfg := modelgov.model_config(pr.model, pr.base_version);
	IF pr.config - 'thresholds' = base_cfg - 'thresholds' - 'version' - 'released_at' THEN
		a := (pr.config #>> '{thresholds,auto}')::float8;
		e := (pr.config #>> '{thresholds,escalate}')::float8;
		SELECT * INTO r FROM modelgov.read_sample(pr.model, sample ->> 'query', pr.base_version);
		SELECT modelgov.impact(x.d, CASE WHEN x.p IS NULL THEN x.d
									 ELSE GREATEST(CASE WHEN x.p < a THEN 'AUTO'::modelgov.decision
														WHEN x.p >= e THEN 'ESCALATE'::modelgov.decision
														ELSE 'ASK'::modelgov.decision END, x.rl) END,
							   x.y)
		  INTO now_
		  FROM ROWS FROM (pg_catalog.unnest(r.p), pg_catalog.unnest(r.decided), pg_catalog.unnest(r.rules),
						 pg_catalog.unnest(r.correct)) AS x(p, d, rl, y);
	ELSE
		-- the number must name this proposal's configuration: its version,
		-- or its proposal while no version has the number
		IF NOT EXISTS (SELECT 1 FROM modelgov.versions v
						WHERE v.model OPERATOR(pg_catalog.=) pr.model
						  AND v.version OPERATOR(modelgov.=) pr.target_version
						  AND v.proposal_id OPERATOR(pg_catalog.=) pr.proposal_id)
		   AND (modelgov.explain(pr.model, NULL::float8[], NULL, pr.target_version) ->> 'proposal')
			   IS DISTINCT FROM pr.proposal_id THEN
			RAISE EXCEPTION 'version % of model "%" is not the configuration of proposal %',
				pr.target_version, pr.model, pr.proposal_id
				USING ERRCODE = 'object_not_in_prerequisite_state',
					  DETAIL = 'Another version or proposal has the number the proposal targeted.',
					  HINT = 'A proposal that changes more than thresholds is rechecked by its target version: rebase it, or recheck it before another takes its number.';
		END IF;
		SELECT * INTO r FROM modelgov.read_sample(pr.model, sample ->> 'query', pr.base_version, pr.target_version);
		SELECT modelgov.impact(x.d, x.d2, x.y) INTO now_
		  FROM ROWS FROM (pg_catalog.unnest(r.decided), pg_catalog.unnest(r.proposed_decided),
						 pg_catalog.unnest(r.correct)) AS x(d, d2, y);
	END IF;
	recorded := pr.impact_analysis - 'sample' - 'youden_auto' - 'youden_escalate';
	SELECT COALESCE(pg_catalog.jsonb_object_agg(k.key, pg_catalog.jsonb_build_object('recorded', recorded -> k.key,
																					 'now', now_ -> k.key)), '{}')
	  INTO diff
	  FROM pg_catalog.jsonb_object_keys(now_) AS k(key)
	 WHERE (recorded -> k.key) IS DISTINCT FROM (now_ -> k.key)
	   AND recorded ? k.key;
	RETURN pg_catalog.jsonb_build_object(
		'proposal_id', pr.proposal_id,
		'data_matches', pg_catalog.jsonb_typeof(sample -> 'rows') = 'number'
						AND r.n = (sample ->> 'rows')::numeric AND r.hash = sample ->> 'hash',
		'rows', pg_catalog.jsonb_build_object('recorded', sample -> 'rows', 'now', r.n),
		'hash', pg_catalog.jsonb_build_object('recorded', sample -> 'hash', 'now', r.hash),
		'recorded', recorded,
		'now', now_,
		'differences', diff);
END
$$;
COMMENT ON FUNCTION modelgov.recheck_impact(text) IS
	'a proposal''s impact analysis computed again from its stored sample query (run read-only with the caller''s rights), next to the one recorded: whether the rows still match the fingerprint, both analyses, and the keys that differ';
