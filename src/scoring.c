/*-------------------------------------------------------------------------
 *
 * scoring.c
 *		score(), decide() and explain(): the model evaluated inside queries.
 *
 * Versions are immutable, so each is compiled once per backend into an
 * MgModel (model_core.h) kept in a hash table for the life of the backend.
 * Each compiled model has a memory context of its own under "modelgov
 * models"; a compilation that fails deletes its context.  All of them go
 * when the extension is dropped and created again, and a generation
 * counter then tells the call sites that their pinned model is gone: a
 * statement still running (a cursor) fails rather than score its next rows
 * with another model.
 * Only "which version is active" changes; that pointer is cached too, and
 * marked stale by the relcache invalidation of modelgov.environments that
 * every deployment and rollback queues (active.c).  The invalidation is
 * sent at commit, and replayed by hot standbys.
 *
 * Each call site pins the model it resolved on its first call in
 * fn_extra, so one statement (and one cursor, across FETCHes) evaluates
 * every row with one version even if a deployment commits meanwhile; all
 * call sites of one statement resolve the same version.  On the warm path
 * a row costs no catalog access, no SPI and no allocation.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/parallel.h"
#include "access/sysattr.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_enum.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "portability/instr_time.h"
#include "storage/lmgr.h"
#include "storage/proc.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "compat.h"
#include "config_core.h"
#include "model_core.h"
#include "modelgov.h"
#include "semver.h"

typedef struct ModelEntry
{
	char		key[MG_SEMVER_MAX_LEN + 1];	/* version without build */
	MgModel    *model;			/* in a context of its own, under model_cxt */
	bool		provisional;	/* compiled from a row this transaction wrote */
	uint64		last_used;		/* use_clock when last looked up */
} ModelEntry;

/* backend state */
static MemoryContext model_cxt = NULL;

/*
 * Bumped whenever model_cxt is reset: a model pinned in fn_extra (which can
 * outlive a statement, in a cursor) is valid only in its generation.
 */
static uint32 model_generation = 0;
static HTAB *model_cache = NULL;

/*
 * A version compiled from a row that the current transaction wrote (a
 * version created and scored in one transaction) is provisional: should
 * the transaction, or the subtransaction that wrote it, roll back, the
 * same version number may later hold another configuration.  Provisional
 * entries leave the cache when a subtransaction aborts and when the
 * transaction ends; their models move to retired_cxt, still valid for a
 * statement that pinned one, and are freed when the transaction ends.
 */
static bool have_provisional = false;
static MemoryContext retired_cxt = NULL;

/*
 * At most max_cached_versions compiled versions stay in the cache; beyond
 * that the least recently used ones (never the active one, nor the one the
 * current statement scores with) are retired like provisional ones: freed
 * when the transaction ends.  Lookups happen once per call site and
 * statement, never per row.
 */
static int	max_cached_versions = 100;
static uint64 use_clock = 0;
static int64 stat_evictions = 0;
static Oid	cached_env_relid = InvalidOid;
static MgModel *active_model = NULL;
static bool active_valid = false;
static Oid	decision_oids[3];
static bool decision_oids_valid = false;

/* the version resolved for the current statement */
static LocalTransactionId stmt_lxid = InvalidLocalTransactionId;
static TimestampTz stmt_start = 0;
static MgModel *stmt_model = NULL;

/*
 * The version a parallel statement scores with, resolved by the leader
 * before its workers start (scoring_executor_run) and handed to them in
 * the hidden setting modelgov.statement_version, which parallel workers
 * receive with every other setting.  Its value is "pid:start:key": the
 * leader's process id and the statement's start, which a worker checks
 * against its own leader and statement, so that a value set any other way
 * (by a superuser, or left from another statement) is never used.  An
 * empty key: the leader resolved none, and every process of the statement
 * reads the active version with the statement's snapshot.
 */
static char *statement_version = NULL;
static bool par_active = false;		/* the leader runs a parallel plan it armed */
static char par_key[MG_SEMVER_MAX_LEN + 1];
static ExecutorRun_hook_type prev_executor_run = NULL;

/* statistics, for cache_stats() */
static int64 stat_loads = 0;
static int64 stat_hits = 0;
static int64 stat_invalidations = 0;
static double stat_last_load_ms = 0.0;	/* read and compile, wall clock */

/* per call site state, in fn_mcxt */
typedef struct CallState
{
	MgModel    *model;			/* pinned model, or the last given version's */
	uint32		generation;		/* model_generation when model was set */
	struct varlena *given;		/* the last version argument, as passed */
	int			nbuf;
	double	   *x;
	bool	   *present;
} CallState;

static void
scoring_relcache_callback(Datum arg, Oid relid)
{
	/* only mark state stale here: no catalog access, no errors */
	if (relid == InvalidOid || (OidIsValid(cached_env_relid) && relid == cached_env_relid))
	{
		active_valid = false;
		stat_invalidations++;
	}
}

static void
retire_entry(ModelEntry *entry)
{
	if (retired_cxt == NULL)
		retired_cxt = AllocSetContextCreate(TopMemoryContext, "modelgov retired models",
											ALLOCSET_SMALL_SIZES);
	if (entry->model != NULL)
	{
		if (entry->model == active_model)
		{
			active_model = NULL;
			active_valid = false;
		}
		MemoryContextSetParent(GetMemoryChunkContext(entry->model), retired_cxt);
	}
	hash_search(model_cache, entry->key, HASH_REMOVE, NULL);
}

/* Retire least recently used versions while there are too many. */
static void
evict_versions(const MgModel *keep)
{
	while (hash_get_num_entries(model_cache) > max_cached_versions)
	{
		HASH_SEQ_STATUS seq;
		ModelEntry *entry;
		ModelEntry *oldest = NULL;

		hash_seq_init(&seq, model_cache);
		while ((entry = (ModelEntry *) hash_seq_search(&seq)) != NULL)
		{
			if (entry->model == NULL || entry->model == keep ||
				entry->model == active_model || entry->model == stmt_model)
				continue;
			if (oldest == NULL || entry->last_used < oldest->last_used)
				oldest = entry;
		}
		if (oldest == NULL)
			break;				/* only what is in use is left */
		retire_entry(oldest);
		stat_evictions++;
	}
}

/* Take the provisional entries out of the cache; keep their memory. */
static void
retire_provisional(void)
{
	HASH_SEQ_STATUS seq;
	ModelEntry *entry;

	if (!have_provisional || model_cache == NULL)
		return;
	hash_seq_init(&seq, model_cache);
	while ((entry = (ModelEntry *) hash_seq_search(&seq)) != NULL)
	{
		if (entry->provisional)
			retire_entry(entry);
	}
	have_provisional = false;
}

static void
scoring_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			/* no statement of the transaction runs any more */
			retire_provisional();
			if (retired_cxt != NULL)
				MemoryContextReset(retired_cxt);
			stmt_model = NULL;
			break;
		default:
			break;
	}
}

static void
scoring_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						 SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		retire_provisional();
}

static void scoring_executor_run(QueryDesc *queryDesc, ScanDirection direction,
								 uint64 count, bool execute_once);
static const char *key_from_leader(void);

void
mg_scoring_init(void)
{
	DefineCustomIntVariable("modelgov.max_cached_versions",
							"Most compiled model versions a backend keeps.",
							"Beyond it the least recently used are freed, never the active one.",
							&max_cached_versions,
							100, 2, 100000,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
	DefineCustomStringVariable("modelgov.statement_version",
							   "The version a parallel statement scores with (internal).",
							   "Set by the leader of a parallel plan for its workers.",
							   &statement_version,
							   "",
							   PGC_SUSET,
							   GUC_NO_SHOW_ALL | GUC_NO_RESET_ALL | GUC_NOT_IN_SAMPLE |
							   GUC_DISALLOW_IN_FILE | GUC_DISALLOW_IN_AUTO_FILE,
							   NULL, NULL, NULL);
	prev_executor_run = ExecutorRun_hook;
	ExecutorRun_hook = scoring_executor_run;
	CacheRegisterRelcacheCallback(scoring_relcache_callback, (Datum) 0);
	RegisterXactCallback(scoring_xact_callback, NULL);
	RegisterSubXactCallback(scoring_subxact_callback, NULL);
}

/*
 * Forget every compiled version when the extension was dropped and created
 * again: the same version number may then hold another configuration.
 */
static void
check_extension_identity(void)
{
	Oid			relid = mg_environments_relid();
	HASHCTL		ctl;

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("modelgov is not installed in this database")));
	if (relid == cached_env_relid && model_cache != NULL)
		return;

	if (model_cxt == NULL)
		model_cxt = AllocSetContextCreate(TopMemoryContext, "modelgov models",
										  ALLOCSET_DEFAULT_SIZES);
	else
		MemoryContextReset(model_cxt);	/* deletes every model's context */
	model_generation++;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = MG_SEMVER_MAX_LEN + 1;
	ctl.entrysize = sizeof(ModelEntry);
	ctl.hcxt = model_cxt;
	model_cache = hash_create("modelgov compiled versions", 16, &ctl,
							  HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	have_provisional = false;
	cached_env_relid = relid;
	active_model = NULL;
	active_valid = false;
	decision_oids_valid = false;
	stmt_model = NULL;
}

/* ---- compiling a configuration ------------------------------------- */

/* an allocator for config_core.c: out of memory is an ERROR */
static void *
model_alloc(void *ctx, size_t size)
{
	return MemoryContextAllocHuge((MemoryContext) ctx, size);
}

/*
 * Compile the configuration of a version (checked by the same rules when
 * it was created, see config.c) into a memory context of its own under
 * model_cxt.  The parse happens in a scratch context, and only the model
 * is copied out of it; on any error both contexts are deleted, leaving
 * nothing behind.
 */
static MgModel *
compile_model(const char *version, Jsonb *config)
{
	MemoryContext cxt = AllocSetContextCreate(model_cxt, "modelgov model",
											  ALLOCSET_SMALL_SIZES);
	MemoryContext scratch = AllocSetContextCreate(CurrentMemoryContext,
												  "modelgov compile",
												  ALLOCSET_DEFAULT_SIZES);
	MemoryContext caller = CurrentMemoryContext;
	MgModel    *m = NULL;

	PG_TRY();
	{
		MemoryContext old = MemoryContextSwitchTo(scratch);
		char	   *text = JsonbToCString(NULL, &config->root, VARSIZE(config));
		MgModel		parsed;
		MgConfigError err;

		MemoryContextSwitchTo(old);
		memset(&parsed, 0, sizeof(parsed));
		/*
		 * Only a version made by 0.1.0, whose checks were not the
		 * compiler's, can fail here: versions_config_compiles keeps it out
		 * of staging and production.
		 */
		if (mg_config_parse(text, strlen(text), model_alloc, scratch, &parsed, &err) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("version %s cannot be scored: its configuration cannot be compiled", version),
					 errdetail("%s", err.message),
					 errhint("The version was created by modelgov 0.1.0, which accepted configurations its compiler refuses.")));
		m = mg_model_copy(&parsed, model_alloc, cxt);
		strlcpy(m->version, version, sizeof(m->version));
		MemoryContextSetIdentifier(cxt, m->version);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(caller);
		MemoryContextDelete(scratch);
		MemoryContextDelete(cxt);
		PG_RE_THROW();
	}
	PG_END_TRY();
	MemoryContextDelete(scratch);
	return m;
}

/* ---- loading ----------------------------------------------------------- */

/* count a load and note how long it took */
static void
note_load(instr_time start)
{
	instr_time	duration;

	INSTR_TIME_SET_CURRENT(duration);
	INSTR_TIME_SUBTRACT(duration, start);
	stat_last_load_ms = INSTR_TIME_GET_MILLISEC(duration);
	stat_loads++;
}

static AttrNumber
attnum_of(Relation rel, const char *name)
{
	TupleDesc	desc = RelationGetDescr(rel);

	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (!att->attisdropped && strcmp(NameStr(att->attname), name) == 0)
			return att->attnum;
	}
	elog(ERROR, "column \"%s\" of \"%s\" does not exist", name, RelationGetRelationName(rel));
	return InvalidAttrNumber;	/* keep compiler quiet */
}

/*
 * The key of the production version that snap sees in environments (relid),
 * into want; false when there is none.
 */
static bool
read_active_key(Oid env_relid, Snapshot snap, char *want)
{
	AttrNumber	att_env,
				att_version;
	Oid			production;
	bool		found = false;
	Relation	rel;
	TableScanDesc scan;
	TupleTableSlot *slot;

	rel = table_open(env_relid, AccessShareLock);
	att_env = attnum_of(rel, "env");
	att_version = attnum_of(rel, "version");
	production = GetSysCacheOid2(ENUMTYPOIDNAME, Anum_pg_enum_oid,
								 ObjectIdGetDatum(TupleDescAttr(RelationGetDescr(rel), att_env - 1)->atttypid),
								 CStringGetDatum("production"));
	slot = table_slot_create(rel, NULL);
	scan = table_beginscan(rel, snap, 0, NULL);
	while (!found && table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		bool		isnull;
		Datum		env = slot_getattr(slot, att_env, &isnull);

		if (!isnull && DatumGetObjectId(env) == production)
		{
			Datum		v = slot_getattr(slot, att_version, &isnull);

			if (!isnull)
			{
				mg_semver_key(v, want);
				found = true;
			}
		}
	}
	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	table_close(rel, AccessShareLock);
	return found;
}

/*
 * Read the version to score with, and compile it unless it is compiled
 * already: the active production version when key is NULL, else the one
 * named by key.  The tables are read directly (a handful of rows), with no
 * SPI and no planning, so a cold load stays well under a millisecond.
 *
 * The leader reads with the latest snapshot, so that once an invalidation
 * was processed the reload sees the commit that sent it.  In parallel mode
 * no new snapshot may be taken: the active version is read with the
 * statement's snapshot (only when the leader resolved none, see
 * active_for_statement), and a version by its key with SnapshotSelf, which
 * sees every committed row: the leader may have resolved a version that
 * was created after the snapshot of a REPEATABLE READ transaction.  A
 * version's configuration never changes once written, so any visible row
 * of that key holds the same configuration.
 */
static MgModel *
load_model(const char *key)
{
	Oid			nsp = mg_extension_namespace();
	Oid			env_relid = OidIsValid(nsp) ? get_relname_relid("environments", nsp) : InvalidOid;
	Oid			ver_relid = OidIsValid(nsp) ? get_relname_relid("versions", nsp) : InvalidOid;
	Snapshot	snap;
	char		want[MG_SEMVER_MAX_LEN + 1];
	bool		found = false;
	bool		provisional = false;
	Jsonb	   *config = NULL;
	ModelEntry *entry;
	bool		exists;
	Relation	rel;
	TableScanDesc scan;
	TupleTableSlot *slot;
	instr_time	start;

	INSTR_TIME_SET_CURRENT(start);
	if (!OidIsValid(env_relid) || !OidIsValid(ver_relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("modelgov is not installed in this database")));
	snap = RegisterSnapshot(IsInParallelMode() ? GetActiveSnapshot() : GetLatestSnapshot());

	if (key == NULL)
	{
		if (!read_active_key(env_relid, snap, want))
		{
			UnregisterSnapshot(snap);
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("there is no active model version"),
					 errhint("An administrator creates the first version with modelgov.init_model().")));
		}
	}
	else
		strlcpy(want, key, sizeof(want));

	entry = hash_search(model_cache, want, HASH_FIND, NULL);
	if (entry != NULL && entry->model != NULL)
	{
		entry->last_used = ++use_clock;
		UnregisterSnapshot(snap);
		note_load(start);
		return entry->model;
	}

	/* find the configuration of that version */
	found = false;
	rel = table_open(ver_relid, AccessShareLock);
	{
		AttrNumber	att_version = attnum_of(rel, "version");
		AttrNumber	att_config = attnum_of(rel, "config");

		slot = table_slot_create(rel, NULL);
		scan = table_beginscan(rel, IsInParallelMode() ? SnapshotSelf : snap, 0, NULL);
		while (!found && table_scan_getnextslot(scan, ForwardScanDirection, slot))
		{
			bool		isnull;
			Datum		v = slot_getattr(slot, att_version, &isnull);
			char		k[MG_SEMVER_MAX_LEN + 1];

			if (isnull)
				continue;
			mg_semver_key(v, k);
			if (strcmp(k, want) == 0)
			{
				Datum		c = slot_getattr(slot, att_config, &isnull);

				if (!isnull)
				{
					Datum		xmin = slot_getsysattr(slot, MinTransactionIdAttributeNumber,
													   &isnull);

					config = DatumGetJsonbPCopy(c);
					found = true;
					provisional = !isnull &&
						TransactionIdIsCurrentTransactionId(DatumGetTransactionId(xmin));
				}
			}
		}
		table_endscan(scan);
		ExecDropSingleTupleTableSlot(slot);
	}
	table_close(rel, AccessShareLock);
	UnregisterSnapshot(snap);
	if (!found)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("version %s does not exist", want)));

	entry = hash_search(model_cache, want, HASH_ENTER, &exists);
	entry->model = NULL;
	entry->provisional = provisional;
	entry->last_used = ++use_clock;
	if (provisional)
		have_provisional = true;
	PG_TRY();
	{
		entry->model = compile_model(want, config);
	}
	PG_CATCH();
	{
		hash_search(model_cache, want, HASH_REMOVE, NULL);
		PG_RE_THROW();
	}
	PG_END_TRY();
	pfree(config);
	note_load(start);
	{
		MgModel    *model = entry->model;

		evict_versions(model);	/* entry may move: keep the model */
		return model;
	}
}

static MgModel *
load_active(void)
{
	return load_model(NULL);
}

static MgModel *
model_for_version(const char *key)
{
	ModelEntry *entry;

	check_extension_identity();
	entry = hash_search(model_cache, key, HASH_FIND, NULL);
	if (entry != NULL && entry->model != NULL)
	{
		entry->last_used = ++use_clock;
		return entry->model;
	}
	return load_model(key);
}

/*
 * The active version for this statement: the same for every call site of
 * one statement, from the backend cache unless an invalidation arrived.
 *
 * Every process of a parallel statement scores with the version its leader
 * resolved before the workers started: a worker's cache may be older than
 * the leader's, and its snapshot may predate a deployment the leader has
 * already seen (REPEATABLE READ, or a commit whose invalidation had not
 * reached the leader yet).
 */
static MgModel *
active_for_statement(void)
{
	LocalTransactionId lxid = MG_MY_LXID;
	TimestampTz start = GetCurrentStatementStartTimestamp();
	const char *leader_key = NULL;

	if (stmt_model != NULL && stmt_lxid == lxid && stmt_start == start)
		return stmt_model;

	if (IsParallelWorker())
		leader_key = key_from_leader();
	else if (IsInParallelMode() && par_active)
		leader_key = par_key;

	/*
	 * A new statement: take in the invalidations that arrived since the last
	 * one (cheap when there are none), so that it sees every deployment
	 * committed before it, even if it locks no table.
	 */
	AcceptInvalidationMessages();
	check_extension_identity();
	if (leader_key != NULL && leader_key[0] != '\0')
		stmt_model = model_for_version(leader_key);
	else if (IsInParallelMode())
	{
		/* no version resolved by the leader: the statement's snapshot */
		stmt_model = load_active();
	}
	else
	{
		if (active_valid && active_model != NULL)
			stat_hits++;
		else
		{
			/* mark valid first: an invalidation during the load wins */
			active_valid = true;
			active_model = NULL;
			PG_TRY();
			{
				active_model = load_active();
			}
			PG_CATCH();
			{
				active_valid = false;
				PG_RE_THROW();
			}
			PG_END_TRY();
		}
		stmt_model = active_model;
	}
	stmt_lxid = lxid;
	stmt_start = start;
	return stmt_model;
}

/*
 * The key of the version this statement scores with, without compiling it,
 * without raising an error and without waiting for a lock: false when
 * there is none (no extension, no active version) or when environments is
 * locked by a session that changes it (DROP EXTENSION, an update).  Then
 * the statement reads the active version with its snapshot, in every
 * process alike.  Outside parallel mode only; a parallel plan that does not
 * score pays this too, so the cached answer comes first.
 */
static bool
resolve_statement_key(char *want)
{
	Oid			env_relid;
	Snapshot	snap;
	bool		found;

	if (stmt_model != NULL && stmt_lxid == MG_MY_LXID &&
		stmt_start == GetCurrentStatementStartTimestamp())
	{
		strlcpy(want, stmt_model->version, MG_SEMVER_MAX_LEN + 1);
		return true;
	}
	env_relid = mg_environments_relid();
	if (!OidIsValid(env_relid))
		return false;
	AcceptInvalidationMessages();
	if (env_relid == cached_env_relid && model_cache != NULL &&
		active_valid && active_model != NULL)
	{
		strlcpy(want, active_model->version, MG_SEMVER_MAX_LEN + 1);
		return true;
	}
	if (!ConditionalLockRelationOid(env_relid, AccessShareLock))
		return false;
	if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(env_relid)))
	{
		UnlockRelationOid(env_relid, AccessShareLock);
		return false;
	}
	snap = RegisterSnapshot(GetLatestSnapshot());
	found = read_active_key(env_relid, snap, want);
	UnregisterSnapshot(snap);
	UnlockRelationOid(env_relid, AccessShareLock);
	return found;
}

/*
 * In a parallel worker: the key its leader resolved for this statement, or
 * NULL when the setting was not made by the leader for this statement.
 */
static const char *
key_from_leader(void)
{
	const char *v = statement_version;
	char	   *end;
	long		pid;
	long long	start;

	if (v == NULL || MyProc->lockGroupLeader == NULL)
		return NULL;
	errno = 0;
	pid = strtol(v, &end, 10);
	if (errno != 0 || *end != ':' || pid != MyProc->lockGroupLeader->pid)
		return NULL;
	start = strtoll(end + 1, &end, 10);
	if (errno != 0 || *end != ':' || start != (long long) GetCurrentStatementStartTimestamp())
		return NULL;
	return end + 1;
}

/*
 * Before a parallel plan runs (ExecutorRun enters parallel mode, after which
 * no setting may change, and starts the workers): resolve the version its
 * rows score with, for the leader and for the workers.  ExecutorRun rather
 * than ExecutorStart: the statement that loads this library is already in
 * ExecutorStart when the hooks are installed, and over the extended
 * protocol Bind (ExecutorStart) and Execute are two messages, other
 * portals' in between.  Serial plans pay nothing.
 */
static inline void
next_executor_run(QueryDesc *queryDesc, ScanDirection direction,
				  uint64 count, bool execute_once)
{
	if (prev_executor_run)
		prev_executor_run(queryDesc, direction, count, execute_once);
	else
		standard_ExecutorRun(queryDesc, direction, count, execute_once);
}

static void
scoring_executor_run(QueryDesc *queryDesc, ScanDirection direction,
					 uint64 count, bool execute_once)
{
	char		key[MG_SEMVER_MAX_LEN + 1];
	char		value[MG_SEMVER_MAX_LEN + 64];

	if (!queryDesc->plannedstmt->parallelModeNeeded ||
		IsInParallelMode() || IsParallelWorker())
	{
		/* a serial plan, or one inside a parallel statement: nothing to do */
		next_executor_run(queryDesc, direction, count, execute_once);
		return;
	}

	if (!resolve_statement_key(key))
		key[0] = '\0';
	snprintf(value, sizeof(value), "%d:%lld:%s", MyProcPid,
			 (long long) GetCurrentStatementStartTimestamp(), key);
	if (statement_version == NULL || strcmp(statement_version, value) != 0)
		SetConfigOption("modelgov.statement_version", value, PGC_SUSET, PGC_S_SESSION);
	strlcpy(par_key, key, sizeof(par_key));
	par_active = true;
	PG_TRY();
	{
		next_executor_run(queryDesc, direction, count, execute_once);
	}
	PG_FINALLY();
	{
		par_active = false;
	}
	PG_END_TRY();
}

static Datum
decision_datum(FunctionCallInfo fcinfo, MgDecision d)
{
	if (!decision_oids_valid)
	{
		Oid			typoid = get_fn_expr_rettype(fcinfo->flinfo);
		static const char *const labels[3] = {"AUTO", "ASK", "ESCALATE"};

		for (int i = 0; i < 3; i++)
		{
			decision_oids[i] = GetSysCacheOid2(ENUMTYPOIDNAME, Anum_pg_enum_oid,
											   ObjectIdGetDatum(typoid),
											   CStringGetDatum(labels[i]));
			if (!OidIsValid(decision_oids[i]))
				elog(ERROR, "modelgov.decision has no label %s", labels[i]);
		}
		decision_oids_valid = true;
	}
	return ObjectIdGetDatum(decision_oids[d]);
}

/* ---- per call ------------------------------------------------------------ */

static CallState *
call_state(FunctionCallInfo fcinfo, MgModel *model)
{
	CallState  *st = (CallState *) fcinfo->flinfo->fn_extra;

	if (st == NULL)
	{
		st = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(CallState));
		fcinfo->flinfo->fn_extra = st;
	}
	if (model != NULL && st->nbuf < model->nfeatures)
	{
		st->x = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(double) * model->nfeatures);
		st->present = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(bool) * model->nfeatures);
		st->nbuf = model->nfeatures;
	}
	return st;
}

/*
 * A call site that pinned a model in an earlier generation is a statement
 * that was running (a cursor) when the extension was dropped and created
 * again: the model it scored with is gone, and scoring its next rows with
 * whatever the new extension holds would mix two models in one statement.
 */
static void
check_pin_generation(const CallState *st)
{
	if (st != NULL && st->model != NULL && st->generation != model_generation)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("modelgov was dropped and created again while this statement was scoring"),
				 errdetail("The model version this statement scored its first rows with no longer exists."),
				 errhint("Run the statement again.")));
}

/* the first call of a call site: pin the statement's active model */
static pg_noinline MgModel *
pin_active(FunctionCallInfo fcinfo, CallState **stp)
{
	CallState  *st = (CallState *) fcinfo->flinfo->fn_extra;
	MgModel    *model;

	check_pin_generation(st);
	model = active_for_statement();
	st = call_state(fcinfo, model);
	st->model = model;
	st->generation = model_generation;
	*stp = st;
	return model;
}

/*
 * The model of a call site of an active-version function, pinned: on every
 * row but the first, two loads and two comparisons.
 */
static inline MgModel *
pinned_active(FunctionCallInfo fcinfo, CallState **stp)
{
	CallState  *st = (CallState *) fcinfo->flinfo->fn_extra;

	if (likely(st != NULL && st->model != NULL && st->generation == model_generation))
	{
		*stp = st;
		return st->model;
	}
	return pin_active(fcinfo, stp);
}

static MgModel *
given_version(FunctionCallInfo fcinfo, int argno, CallState **stp)
{
	char		key[MG_SEMVER_MAX_LEN + 1];
	CallState  *st = (CallState *) fcinfo->flinfo->fn_extra;
	struct varlena *arg = PG_DETOAST_DATUM(PG_GETARG_DATUM(argno));
	MgModel    *model;

	check_pin_generation(st);
	/* the same version as on the previous row: compare bytes, no formatting */
	if (st != NULL && st->model != NULL && st->given != NULL &&
		VARSIZE(st->given) == VARSIZE(arg) && memcmp(st->given, arg, VARSIZE(arg)) == 0)
	{
		*stp = st;
		return st->model;
	}
	mg_semver_key(PointerGetDatum(arg), key);
	model = model_for_version(key);
	st = call_state(fcinfo, model);
	st->model = model;
	st->generation = model_generation;
	if (st->given != NULL)
		pfree(st->given);
	st->given = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, VARSIZE(arg));
	memcpy(st->given, arg, VARSIZE(arg));
	*stp = st;
	return model;
}

static void
too_many_features(const MgModel *m, int n)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("too many features for model version %s", m->version),
			 errdetail("Version %s has %d features; %d were given.", m->version, m->nfeatures, n)));
}

/* Fill st->x/present from the given features and the declared defaults. */
static void
complete_features(const MgModel *m, CallState *st, int n)
{
	if (n > m->nfeatures)
		too_many_features(m, n);
	if (n < m->nrequired)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("too few features for model version %s", m->version),
				 errdetail("Version %s needs at least %d of its %d features; %d were given, and feature \"%s\" has no default.",
						   m->version, m->nrequired, m->nfeatures, n, m->feature_names[n])));
	for (int i = n; i < m->nfeatures; i++)
	{
		st->x[i] = m->defaults[i];
		st->present[i] = true;
	}
}

static void
features_from_array(FunctionCallInfo fcinfo, int argno, const MgModel *m, CallState *st)
{
	ArrayType  *a;
	int			n;
	double	   *data;
	bits8	   *nulls;

	if (PG_ARGISNULL(argno))
	{
		for (int i = 0; i < m->nfeatures; i++)
			st->present[i] = false;
		return;
	}
	a = PG_GETARG_ARRAYTYPE_P(argno);
	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("features must be a one-dimensional array"),
				 errdetail("The array has %d dimensions; version %s takes a list of %d features.",
						   ARR_NDIM(a), m->version, m->nfeatures)));
	n = ARR_NDIM(a) == 0 ? 0 : ARR_DIMS(a)[0];
	complete_features(m, st, n);
	data = (double *) ARR_DATA_PTR(a);
	nulls = ARR_NULLBITMAP(a);
	for (int i = 0, k = 0; i < n; i++)
	{
		if (nulls && !(nulls[i / 8] & (1 << (i % 8))))
			st->present[i] = false;
		else
		{
			st->present[i] = true;
			st->x[i] = data[k++];
		}
	}
}

static void
features_from_args(FunctionCallInfo fcinfo, const MgModel *m, CallState *st)
{
	complete_features(m, st, 4);
	for (int i = 0; i < 4; i++)
	{
		st->present[i] = !PG_ARGISNULL(i);
		if (st->present[i])
			st->x[i] = PG_GETARG_FLOAT8(i);
	}
}

static MgDecision
evaluate(FunctionCallInfo fcinfo, int candarg, const MgModel *m, CallState *st, double *p)
{
	const char *cand = NULL;
	size_t		candlen = 0;

	if (!PG_ARGISNULL(candarg))
	{
		text	   *t = PG_GETARG_TEXT_PP(candarg);

		cand = VARDATA_ANY(t);
		candlen = VARSIZE_ANY_EXHDR(t);
	}
	return mg_model_evaluate(m, st->x, st->present, cand, candlen, p, NULL);
}

/* score(features float8[], candidate text) -> float8, active version */
PG_FUNCTION_INFO_V1(mg_score);
Datum
mg_score(PG_FUNCTION_ARGS)
{
	CallState  *st;
	MgModel    *m = pinned_active(fcinfo, &st);
	double		p;

	features_from_array(fcinfo, 0, m, st);
	evaluate(fcinfo, 1, m, st, &p);
	if (isnan(p))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(p);
}

PG_FUNCTION_INFO_V1(mg_decide);
Datum
mg_decide(PG_FUNCTION_ARGS)
{
	CallState  *st;
	MgModel    *m = pinned_active(fcinfo, &st);

	features_from_array(fcinfo, 0, m, st);
	return decision_datum(fcinfo, evaluate(fcinfo, 1, m, st, NULL));
}

/* score(f1, f2, f3, f4, candidate) and decide(...): no array per row */
PG_FUNCTION_INFO_V1(mg_score4);
Datum
mg_score4(PG_FUNCTION_ARGS)
{
	CallState  *st;
	MgModel    *m = pinned_active(fcinfo, &st);
	double		p;

	features_from_args(fcinfo, m, st);
	evaluate(fcinfo, 4, m, st, &p);
	if (isnan(p))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(p);
}

PG_FUNCTION_INFO_V1(mg_decide4);
Datum
mg_decide4(PG_FUNCTION_ARGS)
{
	CallState  *st;
	MgModel    *m = pinned_active(fcinfo, &st);

	features_from_args(fcinfo, m, st);
	return decision_datum(fcinfo, evaluate(fcinfo, 4, m, st, NULL));
}

/* score(version, features, candidate) and decide(...): a given version */
PG_FUNCTION_INFO_V1(mg_score_version);
Datum
mg_score_version(PG_FUNCTION_ARGS)
{
	CallState  *st;
	MgModel    *m;
	double		p;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	m = given_version(fcinfo, 0, &st);
	features_from_array(fcinfo, 1, m, st);
	evaluate(fcinfo, 2, m, st, &p);
	if (isnan(p))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(p);
}

PG_FUNCTION_INFO_V1(mg_decide_version);
Datum
mg_decide_version(PG_FUNCTION_ARGS)
{
	CallState  *st;
	MgModel    *m;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	m = given_version(fcinfo, 0, &st);
	features_from_array(fcinfo, 1, m, st);
	return decision_datum(fcinfo, evaluate(fcinfo, 2, m, st, NULL));
}

static const char *
decision_label(MgDecision d)
{
	return d == MG_AUTO ? "AUTO" : d == MG_ASK ? "ASK" : "ESCALATE";
}

static void
append_number(StringInfo buf, double v)
{
	if (isnan(v) || isinf(v))
		appendStringInfoString(buf, "null");
	else
		appendStringInfoString(buf, float8out_internal(v));
}

static void
append_json_string(StringInfo buf, const char *s)
{
	escape_json(buf, s);
}

/* explain(features, candidate, version) -> jsonb */
PG_FUNCTION_INFO_V1(mg_explain);
Datum
mg_explain(PG_FUNCTION_ARGS)
{
	CallState  *st;
	MgModel    *m;
	MgTrace		trace;
	StringInfoData buf;
	const char *cand = NULL;
	size_t		candlen = 0;
	int			given;

	if (PG_ARGISNULL(2))
	{
		/* a call site may alternate between a given version and none */
		CallState  *prev = (CallState *) fcinfo->flinfo->fn_extra;

		if (prev != NULL && prev->given != NULL)
		{
			pfree(prev->given);
			prev->given = NULL;
			prev->model = NULL;
		}
		m = pinned_active(fcinfo, &st);
	}
	else
		m = given_version(fcinfo, 2, &st);
	features_from_array(fcinfo, 0, m, st);
	/* a NULL array gives no features, so none of them is a default */
	given = PG_ARGISNULL(0) ? m->nfeatures
		: (ARR_NDIM(PG_GETARG_ARRAYTYPE_P(0)) == 0 ? 0
		   : ARR_DIMS(PG_GETARG_ARRAYTYPE_P(0))[0]);
	if (!PG_ARGISNULL(1))
	{
		text	   *t = PG_GETARG_TEXT_PP(1);

		cand = VARDATA_ANY(t);
		candlen = VARSIZE_ANY_EXHDR(t);
	}
	mg_model_evaluate(m, st->x, st->present, cand, candlen, NULL, &trace);

	initStringInfo(&buf);
	appendStringInfoString(&buf, "{\"version\": ");
	append_json_string(&buf, m->version);
	appendStringInfoString(&buf, ", \"candidate\": ");
	if (cand)
		append_json_string(&buf, text_to_cstring(PG_GETARG_TEXT_PP(1)));
	else
		appendStringInfoString(&buf, "null");
	appendStringInfoString(&buf, ", \"features\": [");
	for (int i = 0; i < m->nfeatures; i++)
	{
		bool		ok = st->present[i] && isfinite(st->x[i]);

		if (i > 0)
			appendStringInfoString(&buf, ", ");
		appendStringInfoString(&buf, "{\"name\": ");
		append_json_string(&buf, m->feature_names[i]);
		appendStringInfoString(&buf, ", \"value\": ");
		append_number(&buf, st->present[i] ? st->x[i] : NAN);
		appendStringInfo(&buf, ", \"missing\": %s, \"default_used\": %s, \"weight\": ",
						 ok ? "false" : "true", i >= given ? "true" : "false");
		append_number(&buf, m->weights[i]);
		appendStringInfoString(&buf, ", \"contribution\": ");
		append_number(&buf, ok ? m->weights[i] * st->x[i] : NAN);
		appendStringInfoChar(&buf, '}');
	}
	appendStringInfoString(&buf, "], \"bias\": ");
	append_number(&buf, trace.bias);
	appendStringInfoString(&buf, ", \"z\": ");
	append_number(&buf, trace.z);
	appendStringInfo(&buf, ", \"calibration\": \"%s\", \"p\": ",
					 m->calibration == MG_CAL_TEMPERATURE ? "temperature"
					 : m->calibration == MG_CAL_PLATT ? "platt" : "none");
	append_number(&buf, trace.p);
	appendStringInfoString(&buf, ", \"thresholds\": {\"auto\": ");
	append_number(&buf, m->threshold_auto);
	appendStringInfoString(&buf, ", \"escalate\": ");
	append_number(&buf, m->threshold_escalate);
	appendStringInfoString(&buf, "}, \"threshold_decision\": ");
	if (trace.complete)
		appendStringInfo(&buf, "\"%s\"", decision_label(trace.threshold_decision));
	else
		appendStringInfoString(&buf, "null");
	appendStringInfoString(&buf, ", \"missing_feature_decision\": ");
	if (trace.complete)
		appendStringInfoString(&buf, "null");
	else
		appendStringInfo(&buf, "\"%s\"", decision_label(m->missing_decision));
	appendStringInfoString(&buf, ", \"rules_fired\": [");
	for (int r = 0, k = 0; r < m->nrules && r < 64; r++)
	{
		if (!(trace.rules_fired & (UINT64_C(1) << r)))
			continue;
		if (k++ > 0)
			appendStringInfoString(&buf, ", ");
		appendStringInfoString(&buf, "{\"name\": ");
		append_json_string(&buf, m->rules[r].name);
		appendStringInfo(&buf, ", \"decision\": \"%s\"}", decision_label(m->rules[r].decision));
	}
	appendStringInfo(&buf, "], \"decision\": \"%s\"}", decision_label(trace.decision));

	return DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data));
}

/* cache_stats() -> (loads, hits, invalidations, compiled_versions, active_version, last_load_ms) */
PG_FUNCTION_INFO_V1(mg_cache_stats);
Datum
mg_cache_stats(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[8];
	bool		nulls[8] = {false, false, false, false, false, false, false, false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	values[0] = Int64GetDatum(stat_loads);
	values[1] = Int64GetDatum(stat_hits);
	values[2] = Int64GetDatum(stat_invalidations);
	values[3] = Int32GetDatum(model_cache ? (int32) hash_get_num_entries(model_cache) : 0);
	if (active_valid && active_model != NULL)
		values[4] = CStringGetTextDatum(active_model->version);
	else
		nulls[4] = true;
	values[5] = Float8GetDatum(stat_last_load_ms);
	nulls[5] = stat_loads == 0;
	values[6] = Int64GetDatum(stat_evictions);
	values[7] = Int64GetDatum(model_cxt ? (int64) MemoryContextMemAllocated(model_cxt, true) : 0);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}
