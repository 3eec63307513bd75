--
-- Scoring clusters fed by logical replication (src/subscriber.c).  The
-- primary publishes the tables a scoring cluster needs, or the whole
-- record; a database that subscribes to them scores with what it receives,
-- and nothing but the subscription's apply worker writes the record there.
--

CREATE FUNCTION modelgov_internal.subscriber_guard() RETURNS trigger
	AS 'MODULE_PATHNAME', 'mg_subscriber_guard'
	LANGUAGE C;
COMMENT ON FUNCTION modelgov_internal.subscriber_guard() IS
	'internal: on a subscriber of the record, refuses every change of the extension''s tables but the apply worker''s (25006)';

CREATE FUNCTION modelgov_internal.replica_changed() RETURNS trigger
	AS 'MODULE_PATHNAME', 'mg_replica_changed'
	LANGUAGE C;
COMMENT ON FUNCTION modelgov_internal.replica_changed() IS
	'internal: a replicated change of environments, versions or models wakes the scoring caches, as active_changed() does on the primary';

CREATE FUNCTION modelgov_internal.replicating() RETURNS boolean
	AS 'MODULE_PATHNAME', 'mg_replicating'
	LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION modelgov_internal.replicating() IS
	'internal: whether this process is a logical replication worker applying the publisher''s changes';

/*
 * The guard on every table of the extension, first of the BEFORE triggers
 * (by name), firing whatever session_replication_role says.  A table that
 * has them is left alone, so an update script that adds a table calls this
 * again.
 */
CREATE FUNCTION modelgov_internal.add_subscriber_guards() RETURNS void
	LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	t regclass;
BEGIN
	FOR t IN SELECT c.oid::regclass FROM pg_class c
			  WHERE c.relnamespace = 'modelgov'::regnamespace AND c.relkind = 'r'
				AND NOT EXISTS (SELECT 1 FROM pg_trigger g
								 WHERE g.tgrelid = c.oid AND g.tgname = 'a_subscriber_guard')
			  ORDER BY c.relname LOOP
		EXECUTE format('CREATE TRIGGER a_subscriber_guard BEFORE INSERT OR UPDATE OR DELETE ON %s '
					   'FOR EACH ROW EXECUTE FUNCTION modelgov_internal.subscriber_guard()', t);
		EXECUTE format('CREATE TRIGGER a_subscriber_guard_truncate BEFORE TRUNCATE ON %s '
					   'FOR EACH STATEMENT EXECUTE FUNCTION modelgov_internal.subscriber_guard()', t);
		EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER a_subscriber_guard', t);
		EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER a_subscriber_guard_truncate', t);
	END LOOP;
END
$$;
COMMENT ON FUNCTION modelgov_internal.add_subscriber_guards() IS
	'internal: create the subscriber guard triggers, ENABLE ALWAYS, on every table of the extension that lacks them';
SELECT modelgov_internal.add_subscriber_guards();

-- the scoring caches woken by the apply worker's changes
CREATE TRIGGER replica_changed AFTER INSERT OR UPDATE OR DELETE ON modelgov.environments
	FOR EACH ROW EXECUTE FUNCTION modelgov_internal.replica_changed();
CREATE TRIGGER replica_changed AFTER INSERT OR UPDATE OR DELETE ON modelgov.versions
	FOR EACH ROW EXECUTE FUNCTION modelgov_internal.replica_changed();
CREATE TRIGGER replica_changed AFTER INSERT OR UPDATE OR DELETE ON modelgov.models
	FOR EACH ROW EXECUTE FUNCTION modelgov_internal.replica_changed();
ALTER TABLE modelgov.environments ENABLE REPLICA TRIGGER replica_changed;
ALTER TABLE modelgov.versions ENABLE REPLICA TRIGGER replica_changed;
ALTER TABLE modelgov.models ENABLE REPLICA TRIGGER replica_changed;

-- the rows every install writes are not published (a row filter on a
-- table whose updates and deletes are published needs the whole row as
-- its replica identity; the history is never updated)
ALTER TABLE modelgov.bump_policy_history REPLICA IDENTITY FULL;

/*
 * The publication of the record, on the primary: the tables a scoring
 * cluster needs (the registry, the versions, what production and staging
 * run, the proposals whose target versions can be scored), or every table
 * of the extension for a reporting cluster.  Of the bump policy history
 * only the changes are published: a subscriber's own install writes the
 * defaults.
 */
CREATE FUNCTION modelgov.create_publication(publication name DEFAULT 'modelgov_scoring',
											whole_record boolean DEFAULT false) RETURNS text
	LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
	SET search_path = pg_catalog, pg_temp
	AS $$
#variable_conflict use_variable
DECLARE
	stmt text;
BEGIN
	IF publication IS NULL OR whole_record IS NULL THEN
		RAISE EXCEPTION 'modelgov.create_publication() needs %',
			CASE WHEN publication IS NULL THEN 'publication' ELSE 'whole_record' END
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Call it as modelgov.create_publication(publication [, whole_record]).';
	END IF;
	IF btrim(publication::text) = '' THEN
		RAISE EXCEPTION 'a publication needs a name, not "%"', publication
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	SELECT format('CREATE PUBLICATION %I FOR TABLE %s', publication,
				  string_agg(CASE WHEN c.relname = 'bump_policy_history'
								  THEN c.oid::regclass::text || ' WHERE (set_by IS NOT NULL)'
								  ELSE c.oid::regclass::text END, ', ' ORDER BY c.relname))
	  INTO stmt
	  FROM pg_class c
	 WHERE c.relnamespace = 'modelgov'::regnamespace AND c.relkind = 'r'
	   AND (whole_record OR c.relname = ANY (ARRAY['models', 'versions', 'environments', 'proposals']));
	EXECUTE stmt;
	RETURN stmt;
END
$$;
COMMENT ON FUNCTION modelgov.create_publication(name, boolean) IS
	'on the primary, as a role that owns the extension''s tables: create the publication of the tables a scoring cluster needs (models, versions, environments, proposals), or with whole_record of every table (the bump policy history without the rows every install writes); returns the statement it ran';
REVOKE ALL ON FUNCTION modelgov.create_publication(name, boolean) FROM PUBLIC;
