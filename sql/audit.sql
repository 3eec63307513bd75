--
-- The audit log: append-only and hash-chained
--
-- Each entry stores prev_hash, the hash of the entry before it (32 zero
-- bytes for the first), and hash = SHA-256(prev_hash || canonical entry).
-- The canonical encoding is length-prefixed text that no session setting
-- changes: times as integer microseconds since the Unix epoch, jsonb in its
-- normalized text form.  prev_hash is unique, so two appends that read the
-- same head can never both commit.
--
-- Encoding 1 is the encoding of the entries modelgov 0.1.0 wrote, which
-- keep their hashes; encoding 2 (from 0.2.0) adds the model.
--

CREATE TABLE modelgov.audit_log (
	seq				bigint PRIMARY KEY CHECK (seq > 0),
	recorded_at		timestamptz NOT NULL,
	event_type		text NOT NULL,
	actor			text NOT NULL,
	version			modelgov.semver,
	proposal_id		text,
	change_type		modelgov.change_type,
	status			text,
	details			jsonb NOT NULL DEFAULT '{}',
	clock_overridden boolean NOT NULL DEFAULT false,
	prev_hash		bytea NOT NULL UNIQUE,
	hash			bytea NOT NULL,
	encoding		smallint NOT NULL DEFAULT 2 CHECK (encoding OPERATOR(pg_catalog.=) ANY (ARRAY[1, 2])),
	model			text
);
COMMENT ON TABLE modelgov.audit_log IS
	'append-only, hash-chained record of every governance action';
COMMENT ON COLUMN modelgov.audit_log.seq IS 'position in the chain, from 1, without gaps';
COMMENT ON COLUMN modelgov.audit_log.details IS
	'the other fields of the event: old_values, new_values, approved_by, deployed_by, reason, ...';
COMMENT ON COLUMN modelgov.audit_log.clock_overridden IS
	'true when the entry was made while modelgov.clock replaced the current time';
COMMENT ON COLUMN modelgov.audit_log.prev_hash IS 'hash of the previous entry; 32 zero bytes for the first';
COMMENT ON COLUMN modelgov.audit_log.hash IS 'SHA-256 of prev_hash and the canonical encoding of this entry';
COMMENT ON COLUMN modelgov.audit_log.encoding IS
	'the canonical encoding the hash covers: 1 for entries written by modelgov 0.1.0 (without the model), 2 from 0.2.0';
COMMENT ON COLUMN modelgov.audit_log.model IS
	'the model the event is about; NULL for database-wide events (members, duties, policies)';
SELECT pg_catalog.pg_extension_config_dump('modelgov.audit_log', '');
GRANT SELECT ON modelgov.audit_log TO PUBLIC;

CREATE FUNCTION modelgov_internal.audit_canonical(e modelgov.audit_log) RETURNS bytea
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT convert_to(string_agg(
			   CASE WHEN f IS NULL THEN '-'
					ELSE octet_length(f)::text || ':' || f END,
			   '|' ORDER BY n), 'UTF8')
	  FROM unnest(ARRAY[
			   e.seq::text,
			   (EXTRACT(epoch FROM e.recorded_at) * 1000000)::bigint::text,
			   e.event_type,
			   e.actor,
			   e.version::text,
			   e.proposal_id,
			   e.change_type::text,
			   e.status,
			   e.details::text,
			   e.clock_overridden::text]
			   || CASE WHEN e.encoding >= 2 THEN ARRAY[e.model] ELSE '{}'::text[] END)
		   WITH ORDINALITY AS u(f, n)
$$;
COMMENT ON FUNCTION modelgov_internal.audit_canonical(modelgov.audit_log) IS
	'internal: the session-independent encoding of an audit entry that its hash covers';

CREATE FUNCTION modelgov_internal.audit_hash(e modelgov.audit_log) RETURNS bytea
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT sha256(e.prev_hash || modelgov_internal.audit_canonical(e))
$$;
COMMENT ON FUNCTION modelgov_internal.audit_hash(modelgov.audit_log) IS
	'internal: SHA-256 of an entry''s prev_hash and canonical encoding';

/*
 * Append one entry.  Called only from the extension's SECURITY DEFINER
 * functions: it is not SECURITY DEFINER itself, so a direct call by
 * anybody else fails for want of INSERT privilege.
 *
 * Each entry is also announced on the channel modelgov and, when it names
 * a model, on the channel named like the model (a model name is an
 * identifier of at most 63 bytes, a valid channel name).  The payload is
 * {"seq", "model", "event_type", "version", "proposal_id", "status"}, null
 * for an absent field.  PostgreSQL delivers a notification when its
 * transaction commits, and never when it (or the subtransaction that sent
 * it) rolls back: listeners hear of exactly the entries that are in the
 * log, in the order of seq.  seq makes every payload distinct, so none is
 * folded into another (but a model named modelgov shares the channel
 * modelgov, where PostgreSQL folds its identical second notification).
 * The payload stays far under NOTIFY's 8000-byte limit: about 500 bytes at
 * most (a version is at most 256 bytes of [0-9A-Za-z.+-], none escaped; a
 * model 63; a proposal id about 15; event types and statuses are the
 * extension's own short words).
 */
CREATE FUNCTION modelgov_internal.audit(event_type text,
								version modelgov.semver DEFAULT NULL,
								proposal_id text DEFAULT NULL,
								change_type modelgov.change_type DEFAULT NULL,
								status text DEFAULT NULL,
								details jsonb DEFAULT '{}',
								model text DEFAULT NULL)
	RETURNS bigint
	LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	e modelgov.audit_log;
	head record;
	lock_key bigint := hashtext('modelgov.audit_log');
	blockers text;
	saved text;
	payload text;
BEGIN
	PERFORM modelgov_internal.require_read_committed();
	-- one appender at a time; in READ COMMITTED the next statement then
	-- sees the head the previous appender committed.  Another transaction
	-- that appended and has not ended holds the log: wait for it at most
	-- modelgov.lock_timeout, then say who it is.
	IF NOT pg_try_advisory_xact_lock(lock_key) THEN
		SELECT string_agg(format('%s (%s, %s since %s)', a.pid, a.usename, a.state,
								 to_char(a.xact_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS "UTC"')),
						  ', ' ORDER BY a.pid)
		  INTO blockers
		  FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
		 WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT d.oid FROM pg_database d
																	   WHERE d.datname = current_database())
		   AND l.objid = (lock_key & 4294967295)::oid AND l.objsubid = 1;
		saved := current_setting('lock_timeout');
		BEGIN
			PERFORM set_config('lock_timeout', current_setting('modelgov.lock_timeout'), true);
			PERFORM pg_advisory_xact_lock(lock_key);
			PERFORM set_config('lock_timeout', saved, true);
		EXCEPTION WHEN lock_not_available THEN
			RAISE EXCEPTION 'could not append to the audit log: another session holds it'
				USING ERRCODE = 'lock_not_available',
					  DETAIL = format('Session %s appended to the audit log in a transaction that has not ended; this call waited %s for it.',
									  COALESCE(blockers, '(gone)'), current_setting('modelgov.lock_timeout')),
					  HINT = 'Retry.  A transaction left open after a governance call blocks every other one: end it, and set idle_in_transaction_session_timeout for the roles that govern.';
		END;
	END IF;
	SELECT a.seq, a.hash INTO head
	  FROM modelgov.audit_log a ORDER BY a.seq DESC LIMIT 1;

	e.seq := COALESCE(head.seq, 0) + 1;
	e.prev_hash := COALESCE(head.hash, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);
	e.recorded_at := modelgov.clock_now();
	e.event_type := audit.event_type;
	e.actor := modelgov_internal.actor();
	e.version := audit.version;
	e.proposal_id := audit.proposal_id;
	e.change_type := audit.change_type;
	e.status := audit.status;
	e.details := COALESCE(audit.details, '{}');
	e.clock_overridden := modelgov.clock_overridden();
	e.encoding := 2;
	e.model := audit.model;
	e.hash := modelgov_internal.audit_hash(e);

	BEGIN
		INSERT INTO modelgov.audit_log VALUES (e.*);
	EXCEPTION WHEN unique_violation THEN
		-- Under REPEATABLE READ or SERIALIZABLE the snapshot can predate
		-- the head another transaction appended while we waited.
		RAISE EXCEPTION 'could not append to the audit log: another transaction appended first'
			USING ERRCODE = 'serialization_failure',
				  DETAIL = format('Entry %s was written by a transaction that committed after this transaction''s snapshot was taken.', e.seq),
				  HINT = 'Retry the transaction.';
	END;

	payload := json_build_object('seq', e.seq, 'model', e.model, 'event_type', e.event_type,
								 'version', e.version, 'proposal_id', e.proposal_id,
								 'status', e.status)::text;
	PERFORM pg_notify('modelgov', payload);
	IF e.model IS NOT NULL THEN
		PERFORM pg_notify(e.model, payload);
	END IF;
	RETURN e.seq;
END
$$;
COMMENT ON FUNCTION modelgov_internal.audit(text, modelgov.semver, text, modelgov.change_type, text, jsonb, text) IS
	'internal: append an entry to the audit log, chained to the head, and notify channel modelgov and the model''s channel at commit';

/*
 * The one guard of every append-only table (the audit log, releases and
 * attestations): rows are added, never changed or removed.
 */
CREATE FUNCTION modelgov_internal.append_only_guard() RETURNS trigger
	LANGUAGE plpgsql
	SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	-- on a subscriber of the record, its apply worker replays what the
	-- primary did (an update script rewrites history there, once)
	IF modelgov_internal.replicating() THEN
		RETURN CASE WHEN TG_OP = 'UPDATE' THEN NEW WHEN TG_OP = 'DELETE' THEN OLD END;
	END IF;
	RAISE EXCEPTION 'modelgov.% is append-only', TG_TABLE_NAME
		USING ERRCODE = 'insufficient_privilege',
			  DETAIL = format('%s is not allowed on modelgov.%s; history is never rewritten.',
							  TG_OP, TG_TABLE_NAME),
			  HINT = 'Record a correction as a new event instead.';
END
$$;
COMMENT ON FUNCTION modelgov_internal.append_only_guard() IS
	'internal: refuses UPDATE, DELETE and TRUNCATE on an append-only table';

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON modelgov.audit_log
	FOR EACH ROW EXECUTE FUNCTION modelgov_internal.append_only_guard();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON modelgov.audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION modelgov_internal.append_only_guard();
-- ALWAYS: also under session_replication_role = replica
ALTER TABLE modelgov.audit_log ENABLE ALWAYS TRIGGER audit_log_append_only;
ALTER TABLE modelgov.audit_log ENABLE ALWAYS TRIGGER audit_log_no_truncate;

-- in C (src/audit.c): one pass, no SQL function call per entry; the
-- canonical encoding is audit_canonical()'s
CREATE FUNCTION modelgov.verify_audit_log(OUT ok boolean, OUT entries bigint,
										  OUT first_bad_seq bigint, OUT detail text)
	AS 'MODULE_PATHNAME', 'mg_verify_audit_log'
	LANGUAGE C STABLE PARALLEL SAFE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION modelgov.verify_audit_log() IS
	'recompute the hash chain; name the first altered, removed or reordered entry';

CREATE FUNCTION modelgov.audit_digest(OUT seq bigint, OUT hash text, OUT recorded_at timestamptz)
	RETURNS SETOF record
	LANGUAGE sql STABLE PARALLEL SAFE ROWS 1
	SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT a.seq, encode(a.hash, 'hex'), a.recorded_at
	  FROM modelgov.audit_log a ORDER BY a.seq DESC LIMIT 1
$$;
COMMENT ON FUNCTION modelgov.audit_digest() IS
	'the head of the audit chain (position, hash, time), to keep outside the database; no row for an empty log';

CREATE FUNCTION modelgov.verify_audit_log(digest_seq bigint, digest_hash text,
										  OUT ok boolean, OUT entries bigint,
										  OUT first_bad_seq bigint, OUT detail text)
	LANGUAGE plpgsql STABLE PARALLEL SAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	anchored bytea;
BEGIN
	-- a monitor that alerts on ok = false must never get a NULL row
	IF digest_seq IS NULL OR digest_hash IS NULL THEN
		RAISE EXCEPTION 'digest_seq and digest_hash must not be null'
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Pass the seq and hash that modelgov.audit_digest() returned.';
	END IF;
	IF digest_hash !~ '^[0-9A-Fa-f]{64}$' THEN
		RAISE EXCEPTION 'invalid audit digest hash "%"', modelgov_internal.excerpt(digest_hash)
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'A digest hash is 64 hexadecimal digits, as modelgov.audit_digest() returns it.';
	END IF;
	SELECT v.ok, v.entries, v.first_bad_seq, v.detail
	  INTO ok, entries, first_bad_seq, detail
	  FROM modelgov.verify_audit_log() v;
	IF NOT ok THEN
		RETURN;
	END IF;
	SELECT a.hash INTO anchored FROM modelgov.audit_log a
	 WHERE a.seq = digest_seq;
	IF anchored IS NULL THEN
		ok := false;
		first_bad_seq := digest_seq;
		detail := format('Entry %s of the digest is missing; the log has %s entries.', digest_seq, entries);
	ELSIF anchored <> decode(lower(digest_hash), 'hex') THEN
		ok := false;
		first_bad_seq := digest_seq;
		detail := format('Entry %s does not match the digest: the chain was rewritten from there or earlier.', digest_seq);
	ELSE
		detail := format('%s entries verified; entry %s matches the digest.', entries, digest_seq);
	END IF;
END
$$;
COMMENT ON FUNCTION modelgov.verify_audit_log(bigint, text) IS
	'verify the chain and that the entry at a kept digest still has the kept hash';

-- the incremental check: from a kept digest on, in C like the full one
CREATE FUNCTION modelgov.verify_audit_log_since(digest_seq bigint, digest_hash text,
												OUT ok boolean, OUT entries bigint,
												OUT first_bad_seq bigint, OUT detail text)
	AS 'MODULE_PATHNAME', 'mg_verify_audit_log_since'
	LANGUAGE C STABLE PARALLEL SAFE SECURITY DEFINER
	SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION modelgov.verify_audit_log_since(bigint, text) IS
	'verify the chain from the entry of a kept digest on, without reading the entries before it';
