/*-------------------------------------------------------------------------
 *
 * scoring.c
 *		score(), decide() and explain(): the models evaluated inside queries.
 *
 * A database holds several models (modelgov.models); each has its own
 * versions and its own active production version.  Versions are
 * immutable, so each is compiled once per backend into an MgModel
 * (model_core.h) kept in a hash table keyed by "model/version" for the
 * life of the backend.  Each compiled version has a memory context of its
 * own under "modelgov models"; a compilation that fails deletes its
 * context.  All of them go when the extension is dropped and created
 * again, and a generation counter then tells the call sites that their
 * pinned version is gone: a statement still running (a cursor) fails
 * rather than score its next rows with another version.
 *
 * Only "which version of each model is active" changes.  A small backend
 * map, model name -> production version (and whether the model is
 * retired), is read by one scan of modelgov.models and
 * modelgov.environments, and marked stale by the relcache invalidation of
 * modelgov.environments that every deployment, rollback, create_model and
 * retire_model queues (active.c).  The invalidation is sent at commit, and
 * replayed by hot standbys.  A deployment of one model only makes the
 * backends read the map again: the compiled versions of every model stay.
 *
 * Inputs beyond a version's features are ignored up to the most features
 * of any version of the same model and MAJOR (evaluation rule 6), so that
 * an application written for 1.2 keeps scoring after a rollback to 1.1.
 * Reading the map also scans modelgov.versions once and notes, per model,
 * the most features of its versions of each MAJOR; a call site computes its
 * version's limit when it pins the version, and keeps it with the version
 * (a cursor across FETCHes too).  A version created after the map was read
 * (none is deployed without an invalidation) accepts at least its own
 * features.
 *
 * One statement scores each model with one version: the first call site
 * of a statement that scores model a pins a's version for the statement,
 * and every call site pins its model's version in fn_extra, so one
 * statement (and one cursor, across FETCHes) evaluates every row of a
 * model with one version even if a deployment commits meanwhile.  A call
 * site whose model argument changes from row to row compares the name's
 * bytes with the last one and resolves again only when it changed.  On the
 * warm path a row costs no catalog access, no SPI, no hash look-up and no
 * allocation.
 *
 * The 0.1.0 forms without a model name score "the" model of a database
 * that holds exactly one.
 *
 * Backtest before approval: a given version that no row of
 * modelgov.versions holds may be the target of a proposal
 * (modelgov.proposals.target_version, with the configuration the proposal
 * would create in modelgov.proposals.config); it then scores with that
 * configuration, whatever the proposal's status, so that a reviewer
 * compares the active and the proposed configuration in one query and a
 * withdrawn or rejected proposal stays scorable.  A proposal's target is
 * not a version: a final approval renumbers it when another proposal took
 * the number first, a rebase moves it.  So a compiled proposal is never
 * trusted beyond the statement that read it: the next statement that
 * resolves the number reads the tables again, and compiles again only when
 * the number now names another configuration (see load_model).  The
 * active versions never come from a proposal.
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
#include "mb/pg_wchar.h"
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
#include "utils/timestamp.h"

#include "compat.h"
#include "config_core.h"
#include "model_core.h"
#include "modelgov.h"
#include "semver.h"

/* longest model name (the CHECK of modelgov.models.name) */
#define MG_MODEL_NAME_MAX	63

/* "model/version": a compiled version's key */
#define MG_ENTRY_KEY_LEN	(MG_MODEL_NAME_MAX + 1 + MG_SEMVER_MAX_LEN + 1)

/* longest proposal id kept: PROP_YYYYMM_ and a sequence of up to 20 digits */
#define MG_PROPOSAL_ID_MAX	32

typedef struct ModelEntry
{
	char		key[MG_ENTRY_KEY_LEN];	/* model/version, without build */
	char		name[MG_MODEL_NAME_MAX + 1];	/* the model */
	MgModel    *model;			/* in a context of its own, under model_cxt */
	bool		provisional;	/* compiled from a row this transaction wrote */
	bool		from_proposal;	/* the target of a proposal, not a version */
	char		proposal[MG_PROPOSAL_ID_MAX + 1];	/* that proposal */
	Jsonb	   *source;			/* from_proposal: the configuration compiled */
	LocalTransactionId checked_lxid;	/* the statement that read it last */
	TimestampTz checked_start;
	uint64		last_used;		/* use_clock when last looked up */
	LocalTransactionId pin_lxid;	/* the statement that pinned it last */
	TimestampTz pin_start;
} ModelEntry;

/* the most features of a model's versions of one MAJOR */
typedef struct MajorWidth
{
	int64		major;
	int			nfeatures;
} MajorWidth;

/*
 * What a map says of one model: its production version, whether it is
 * retired, and, for each MAJOR of its versions, the most features of a
 * version of that MAJOR: a version of the MAJOR accepts (and ignores)
 * inputs up to it (evaluation rule 6).  A map holds every row of
 * modelgov.models, sorted by name.
 */
typedef struct ActiveModel
{
	char		name[MG_MODEL_NAME_MAX + 1];
	char		key[MG_SEMVER_MAX_LEN + 1]; /* production version; "" if none */
	bool		retired;
	TimestampTz retired_at;
	MgModel    *model;			/* key compiled, once resolved (backend map) */
	int			nwidths;
	int			capwidths;
	MajorWidth *widths;			/* in the map's context */
} ActiveModel;

typedef struct ModelMap
{
	MemoryContext cxt;			/* holds models */
	int			n;
	ActiveModel *models;
} ModelMap;

/* a model's version pinned for the current statement */
typedef struct StatementPin
{
	char		name[MG_MODEL_NAME_MAX + 1];
	MgModel    *model;
	int			limit;			/* most inputs it accepts (see map_width) */
	LocalTransactionId lxid;
	TimestampTz start;
} StatementPin;

/* backend state */
static MemoryContext model_cxt = NULL;

/*
 * Bumped whenever model_cxt is reset: a version pinned in fn_extra (which
 * can outlive a statement, in a cursor) is valid only in its generation.
 */
static uint32 model_generation = 0;
static HTAB *model_cache = NULL;
static HTAB *stmt_pins = NULL;

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
 * that the least recently used ones (never a model's active one, nor one
 * the current statement scores with) are retired like provisional ones:
 * freed when the transaction ends.  Lookups happen once per call site and
 * statement, never per row.
 */
static int	max_cached_versions = 100;
static uint64 use_clock = 0;
static int64 stat_evictions = 0;
static Oid	cached_env_relid = InvalidOid;
static Oid	decision_oids[3];
static bool decision_oids_valid = false;

/* the active versions of every model, and whether that map is current */
static ModelMap backend_map = {NULL, 0, NULL};
static bool active_valid = false;

/*
 * The current statement, which pins one version per model; in parallel
 * mode, the map the whole statement scores with (stmt_map).
 */
static LocalTransactionId stmt_lxid = InvalidLocalTransactionId;
static TimestampTz stmt_start = 0;
static ModelMap stmt_map = {NULL, 0, NULL};
static bool stmt_map_ready = false;

/*
 * The versions a parallel statement scores with, resolved by the leader
 * before its workers start (scoring_executor_run) and handed to them in
 * the hidden setting modelgov.statement_version, which parallel workers
 * receive with every other setting.  The leader does not know which models
 * the plan scores, so it hands over its whole map.  The value is
 * "pid:start:" followed by the map, "[~]name=version[@retired_at],..."
 * ("~" marks a retired model), or by "-" when the leader resolved none:
 * then every process of the statement reads the map with the statement's
 * snapshot.  pid and start are the leader's process id and the statement's
 * start, which a worker checks against its own leader and statement, so
 * that a value set any other way (by a superuser, or left from another
 * statement) is never used.
 */
static char *statement_version = NULL;
static bool par_active = false;		/* the leader runs a parallel plan it armed */
static ExecutorRun_hook_type prev_executor_run = NULL;

/* statistics, for cache_stats() */
static int64 stat_loads = 0;
static int64 stat_hits = 0;
static int64 stat_invalidations = 0;
static double stat_last_load_ms = 0.0;	/* read and compile, wall clock */

/*
 * The versions one query execution pinned, one per model, shared by its
 * call sites (whose fn_mcxt is the query's context) and kept across the
 * FETCHes of a cursor.  Allocated in that context, and forgotten when it is
 * reset or deleted.
 */
typedef struct QueryPin
{
	char		name[MG_MODEL_NAME_MAX + 1];
	MgModel    *model;
	int			limit;
	uint32		generation;
} QueryPin;

typedef struct QueryPins
{
	MemoryContext cxt;
	int			n;
	int			cap;
	QueryPin   *pins;
	struct QueryPins *next;
	MemoryContextCallback forget;
} QueryPins;

static QueryPins *query_pins_list = NULL;

/* per call site state, in fn_mcxt */
typedef struct CallState
{
	MgModel    *model;			/* pinned version, or the last given one */
	int			limit;			/* most inputs model accepts (see map_width) */
	uint32		generation;		/* model_generation when model was set */
	int			namelen;		/* length of name; -1 before the first call */
	char		name[MG_MODEL_NAME_MAX + 1];	/* the model of model */
	struct varlena *given;		/* the last version argument, as passed */
	char		proposal[MG_PROPOSAL_ID_MAX + 1];	/* given is the target of
													 * this proposal; "" if
													 * it is a version */
	int			nbuf;
	double	   *x;
	bool	   *present;
} CallState;

static ActiveModel *map_find(const ModelMap *map, const char *name);

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

static inline bool
pinned_by_statement(const ModelEntry *entry)
{
	return entry->pin_lxid == stmt_lxid && entry->pin_start == stmt_start &&
		stmt_lxid == MG_MY_LXID;
}

/* the backend map's entry that holds this compiled version as active */
static ActiveModel *
active_holder(const ModelEntry *entry)
{
	ActiveModel *am;

	if (entry->model == NULL)
		return NULL;
	am = map_find(&backend_map, entry->name);
	return (am != NULL && am->model == entry->model) ? am : NULL;
}

static void
retire_entry(ModelEntry *entry)
{
	if (retired_cxt == NULL)
		retired_cxt = AllocSetContextCreate(TopMemoryContext, "modelgov retired models",
											ALLOCSET_SMALL_SIZES);
	if (entry->model != NULL)
	{
		ActiveModel *am = active_holder(entry);

		if (am != NULL)
			am->model = NULL;
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
				pinned_by_statement(entry) ||
				(active_valid && active_holder(entry) != NULL))
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
			stmt_lxid = InvalidLocalTransactionId;
			stmt_map_ready = false;
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

void
mg_scoring_init(void)
{
	DefineCustomIntVariable("modelgov.max_cached_versions",
							"Most compiled model versions a backend keeps.",
							"Beyond it the least recently used are freed, never an active one.",
							&max_cached_versions,
							100, 2, 100000,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
	DefineCustomStringVariable("modelgov.statement_version",
							   "The versions a parallel statement scores with (internal).",
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

static void
map_init(ModelMap *map)
{
	if (map->cxt == NULL)
		map->cxt = AllocSetContextCreate(TopMemoryContext, "modelgov version map",
										 ALLOCSET_SMALL_SIZES);
	else
		MemoryContextReset(map->cxt);
	map->n = 0;
	map->models = NULL;
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
	ctl.keysize = MG_ENTRY_KEY_LEN;
	ctl.entrysize = sizeof(ModelEntry);
	ctl.hcxt = model_cxt;
	model_cache = hash_create("modelgov compiled versions", 16, &ctl,
							  HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = MG_MODEL_NAME_MAX + 1;
	ctl.entrysize = sizeof(StatementPin);
	ctl.hcxt = model_cxt;
	stmt_pins = hash_create("modelgov statement versions", 8, &ctl,
							HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	have_provisional = false;
	cached_env_relid = relid;
	map_init(&backend_map);
	active_valid = false;
	map_init(&stmt_map);
	stmt_map_ready = false;
	decision_oids_valid = false;
}

/* ---- compiling a configuration ------------------------------------- */

/* the MAJOR of a version key; -1 if it is not a version (never seen) */
static int64
key_major(const char *key)
{
	MgSemver	v;
	MgSemverError err;

	if (mg_semver_parse(key, strlen(key), &v, &err) != MG_SEMVER_OK)
		return -1;
	return v.major;
}

/* an allocator for config_core.c: out of memory is an ERROR */
static void *
model_alloc(void *ctx, size_t size)
{
	return MemoryContextAllocHuge((MemoryContext) ctx, size);
}

/*
 * Compile the configuration of a version (key ekey, "model/version") (checked by the same rules when
 * it was created, see config.c) into a memory context of its own under
 * model_cxt.  The parse happens in a scratch context, and only the model
 * is copied out of it; on any error both contexts are deleted, leaving
 * nothing behind.
 */
static MgModel *
compile_model(const char *version, const char *ekey, Jsonb *config)
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
		m->major = key_major(version);
		MemoryContextSetIdentifier(cxt, MemoryContextStrdup(cxt, ekey));
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

/* the number of a column, or InvalidAttrNumber when there is none */
static AttrNumber
attnum_opt(Relation rel, const char *name)
{
	TupleDesc	desc = RelationGetDescr(rel);

	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (!att->attisdropped && strcmp(NameStr(att->attname), name) == 0)
			return att->attnum;
	}
	return InvalidAttrNumber;
}

static AttrNumber
attnum_of(Relation rel, const char *name)
{
	AttrNumber	attnum = attnum_opt(rel, name);

	if (attnum == InvalidAttrNumber)
		elog(ERROR, "column \"%s\" of \"%s\" does not exist", name, RelationGetRelationName(rel));
	return attnum;
}

/* ---- the map of active versions ------------------------------------------ */

static int
active_model_cmp(const void *a, const void *b)
{
	return strcmp(((const ActiveModel *) a)->name, ((const ActiveModel *) b)->name);
}

static ActiveModel *
map_find(const ModelMap *map, const char *name)
{
	ActiveModel probe;

	if (map->n == 0 || strlen(name) > MG_MODEL_NAME_MAX)
		return NULL;
	strlcpy(probe.name, name, sizeof(probe.name));
	return bsearch(&probe, map->models, map->n, sizeof(ActiveModel), active_model_cmp);
}

static ActiveModel *
map_add(ModelMap *map, int *cap)
{
	ActiveModel *am;

	if (map->n == *cap)
	{
		*cap = *cap == 0 ? 8 : *cap * 2;
		map->models = map->models == NULL
			? MemoryContextAlloc(map->cxt, sizeof(ActiveModel) * *cap)
			: repalloc(map->models, sizeof(ActiveModel) * *cap);
	}
	am = &map->models[map->n++];
	memset(am, 0, sizeof(*am));
	return am;
}

/* copy a text Datum of at most MG_MODEL_NAME_MAX bytes; false if longer */
static bool
name_from_datum(Datum d, char *buf)
{
	text	   *t = DatumGetTextPP(d);
	int			len = VARSIZE_ANY_EXHDR(t);

	if (len > MG_MODEL_NAME_MAX)
		return false;
	memcpy(buf, VARDATA_ANY(t), len);
	buf[len] = '\0';
	return true;
}

/* note that a version of am of MAJOR major has nfeatures features */
static void
map_note_width(ModelMap *map, ActiveModel *am, int64 major, int nfeatures)
{
	for (int i = 0; i < am->nwidths; i++)
	{
		if (am->widths[i].major == major)
		{
			if (nfeatures > am->widths[i].nfeatures)
				am->widths[i].nfeatures = nfeatures;
			return;
		}
	}
	if (am->nwidths == am->capwidths)
	{
		am->capwidths = am->capwidths == 0 ? 4 : am->capwidths * 2;
		am->widths = am->widths == NULL
			? MemoryContextAlloc(map->cxt, sizeof(MajorWidth) * am->capwidths)
			: repalloc(am->widths, sizeof(MajorWidth) * am->capwidths);
	}
	am->widths[am->nwidths].major = major;
	am->widths[am->nwidths].nfeatures = nfeatures;
	am->nwidths++;
}

/*
 * The number of features of a stored configuration: the length of its
 * weights (which the compiler requires), or of its features; -1 if it has
 * neither (a 0.1.0 version that cannot be scored anyway).
 */
static int
config_width(Jsonb *config)
{
	static const char *const keys[2] = {"weights", "features"};

	if (!JB_ROOT_IS_OBJECT(config))
		return -1;
	for (int k = 0; k < 2; k++)
	{
		JsonbValue	buf;
		JsonbValue *v = getKeyJsonValueFromContainer(&config->root, keys[k],
													 strlen(keys[k]), &buf);

		if (v != NULL && v->type == jbvBinary && JsonContainerIsArray(v->val.binary.data))
			return (int) JsonContainerSize(v->val.binary.data);
	}
	return -1;
}

/*
 * Note, for each model of map, the most features of its versions of each
 * MAJOR: one scan of versions, with snap.  A version's configuration never
 * changes once written.  Configurations are read in a scratch context,
 * one at a time.
 */
static void
map_read_widths(ModelMap *map, Oid versions_relid, Snapshot snap)
{
	Relation	rel;
	TableScanDesc scan;
	TupleTableSlot *slot;
	AttrNumber	att_version,
				att_config,
				att_model,
				att_released;
	MemoryContext scratch;

	if (!OidIsValid(versions_relid) || map->n == 0)
		return;
	scratch = AllocSetContextCreate(CurrentMemoryContext, "modelgov version widths",
									ALLOCSET_SMALL_SIZES);
	rel = table_open(versions_relid, AccessShareLock);
	att_version = attnum_of(rel, "version");
	att_config = attnum_of(rel, "config");
	att_model = attnum_opt(rel, "model");	/* none in 0.1.0 */
	att_released = attnum_of(rel, "released_at");
	slot = table_slot_create(rel, NULL);
	scan = table_beginscan(rel, snap, 0, NULL);
	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		bool		isnull;
		Datum		d;
		ActiveModel *am;
		char		key[MG_SEMVER_MAX_LEN + 1];
		int64		major;
		int			width;
		MemoryContext old;

		/*
		 * Only versions that ran in production widen what the others
		 * accept: applications were written for those.  A version first
		 * deployed sends the invalidation that makes every backend read
		 * this again; one approved or withdrawn without running changes
		 * nothing.
		 */
		(void) slot_getattr(slot, att_released, &isnull);
		if (isnull)
			continue;

		if (att_model == InvalidAttrNumber)
			am = &map->models[0];	/* 0.1.0: the one model */
		else
		{
			char		buf[MG_MODEL_NAME_MAX + 1];

			d = slot_getattr(slot, att_model, &isnull);
			if (isnull || !name_from_datum(d, buf) || (am = map_find(map, buf)) == NULL)
				continue;
		}
		old = MemoryContextSwitchTo(scratch);
		d = slot_getattr(slot, att_version, &isnull);
		if (isnull)
		{
			MemoryContextSwitchTo(old);
			continue;
		}
		mg_semver_key(d, key);
		major = key_major(key);
		d = slot_getattr(slot, att_config, &isnull);
		width = isnull ? -1 : config_width(DatumGetJsonbP(d));
		MemoryContextSwitchTo(old);
		MemoryContextReset(scratch);
		if (major >= 0 && width >= 0)
			map_note_width(map, am, major, width);
	}
	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	table_close(rel, AccessShareLock);
	MemoryContextDelete(scratch);
}

/*
 * Fill map with what snap sees: every model, the production version of
 * each from environments, and the widths of each MAJOR of its versions.
 * A handful of rows, read directly.
 *
 * A database still at modelgov 0.1.0 (this library is installed, ALTER
 * EXTENSION UPDATE has not run yet) has no modelgov.models and no model
 * columns: its one model is "default", the name the update gives it, so
 * that it scores as it did until it is updated.
 */
static void
map_read(ModelMap *map, Oid env_relid, Oid models_relid, Oid versions_relid, Snapshot snap)
{
	Relation	rel;
	TableScanDesc scan;
	TupleTableSlot *slot;
	AttrNumber	att_name,
				att_retired,
				att_env,
				att_version,
				att_model;
	Oid			production;
	int			cap = 0;

	map_init(map);

	if (!OidIsValid(models_relid))
	{
		ActiveModel *am = map_add(map, &cap);

		strlcpy(am->name, "default", sizeof(am->name));
		am->retired = false;
		am->retired_at = 0;
	}
	else
	{
		rel = table_open(models_relid, AccessShareLock);
		att_name = attnum_of(rel, "name");
		att_retired = attnum_of(rel, "retired_at");
		slot = table_slot_create(rel, NULL);
		scan = table_beginscan(rel, snap, 0, NULL);
		while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
		{
			bool		isnull;
			Datum		name = slot_getattr(slot, att_name, &isnull);
			char		buf[MG_MODEL_NAME_MAX + 1];
			ActiveModel *am;

			if (isnull || !name_from_datum(name, buf))
				continue;
			am = map_add(map, &cap);
			strlcpy(am->name, buf, sizeof(am->name));
			{
				Datum		r = slot_getattr(slot, att_retired, &isnull);

				am->retired = !isnull;
				am->retired_at = isnull ? 0 : DatumGetTimestampTz(r);
			}
		}
		table_endscan(scan);
		ExecDropSingleTupleTableSlot(slot);
		table_close(rel, AccessShareLock);
	}
	if (map->n > 1)
		qsort(map->models, map->n, sizeof(ActiveModel), active_model_cmp);

	rel = table_open(env_relid, AccessShareLock);
	att_env = attnum_of(rel, "env");
	att_version = attnum_of(rel, "version");
	att_model = attnum_opt(rel, "model");
	production = GetSysCacheOid2(ENUMTYPOIDNAME, Anum_pg_enum_oid,
								 ObjectIdGetDatum(TupleDescAttr(RelationGetDescr(rel), att_env - 1)->atttypid),
								 CStringGetDatum("production"));
	slot = table_slot_create(rel, NULL);
	scan = table_beginscan(rel, snap, 0, NULL);
	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		bool		isnull;
		Datum		env = slot_getattr(slot, att_env, &isnull);
		Datum		model;
		Datum		v;
		char		buf[MG_MODEL_NAME_MAX + 1];
		ActiveModel *am;

		if (isnull || DatumGetObjectId(env) != production)
			continue;
		if (att_model == InvalidAttrNumber)
			am = &map->models[0];	/* 0.1.0: the one model */
		else
		{
			model = slot_getattr(slot, att_model, &isnull);
			if (isnull || !name_from_datum(model, buf) || (am = map_find(map, buf)) == NULL)
				continue;
		}
		v = slot_getattr(slot, att_version, &isnull);
		if (!isnull)
			mg_semver_key(v, am->key);
	}
	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	table_close(rel, AccessShareLock);

	map_read_widths(map, versions_relid, snap);
}

/*
 * "[~]name=version[@retired_at][#major:width]..." for each model,
 * separated by commas.
 */
static void
map_serialize(const ModelMap *map, StringInfo buf, bool with_pins)
{
	for (int i = 0; i < map->n; i++)
	{
		const ActiveModel *am = &map->models[i];
		const char *key = am->key;
		StatementPin *pin = NULL;
		bool		pin_width = false;

		if (with_pins)
		{
			pin = hash_search(stmt_pins, am->name, HASH_FIND, NULL);
			/* a version this statement pinned already stays its version */
			if (pin != NULL && pin->lxid == stmt_lxid && pin->start == stmt_start)
				key = pin->model->version;
			else
				pin = NULL;
		}
		if (i > 0)
			appendStringInfoChar(buf, ',');
		appendStringInfo(buf, "%s%s=%s", am->retired ? "~" : "", am->name, key);
		if (am->retired)
			appendStringInfo(buf, "@" INT64_FORMAT, (int64) am->retired_at);
		for (int w = 0; w < am->nwidths; w++)
		{
			int			width = am->widths[w].nfeatures;

			/* and the pinned version keeps the limit it was pinned with */
			if (pin != NULL && am->widths[w].major == pin->model->major)
			{
				width = pin->limit;
				pin_width = true;
			}
			appendStringInfo(buf, "#" INT64_FORMAT ":%d", am->widths[w].major, width);
		}
		if (pin != NULL && !pin_width)
			appendStringInfo(buf, "#" INT64_FORMAT ":%d", (int64) pin->model->major, pin->limit);
	}
}

/* the inverse of map_serialize; false when s is malformed */
static bool
map_parse(ModelMap *map, const char *s)
{
	int			cap = 0;

	map_init(map);
	while (*s != '\0')
	{
		ActiveModel *am = map_add(map, &cap);
		const char *eq;
		size_t		len;

		if (*s == '~')
		{
			am->retired = true;
			s++;
		}
		eq = strchr(s, '=');
		if (eq == NULL || eq == s || eq - s > MG_MODEL_NAME_MAX)
			return false;
		memcpy(am->name, s, eq - s);
		am->name[eq - s] = '\0';
		s = eq + 1;
		len = strcspn(s, "@,#");
		if (len > MG_SEMVER_MAX_LEN)
			return false;
		memcpy(am->key, s, len);
		am->key[len] = '\0';
		s += len;
		if (*s == '@')
		{
			char	   *e;

			errno = 0;
			am->retired_at = strtoll(s + 1, &e, 10);
			if (errno != 0)
				return false;
			s = e;
		}
		while (*s == '#')
		{
			char	   *e;
			long long	major;
			long		width;

			errno = 0;
			major = strtoll(s + 1, &e, 10);
			if (errno != 0 || e == s + 1 || *e != ':' || major < 0)
				return false;
			s = e + 1;
			width = strtol(s, &e, 10);
			if (errno != 0 || e == s || width < 0 || width > INT_MAX)
				return false;
			s = e;
			map_note_width(map, am, (int64) major, (int) width);
		}
		if (*s == ',')
			s++;
		else if (*s != '\0')
			return false;
	}
	/* the leader wrote it sorted; check rather than trust */
	for (int i = 1; i < map->n; i++)
		if (strcmp(map->models[i - 1].name, map->models[i].name) >= 0)
			return false;
	return true;
}

/*
 * OIDs of environments, models and versions; false when the extension is
 * missing.  models is InvalidOid in a database still at 0.1.0 (see
 * map_read).
 */
static bool
map_relids(Oid *env_relid, Oid *models_relid, Oid *versions_relid)
{
	Oid			nsp = mg_extension_namespace();

	*env_relid = OidIsValid(nsp) ? get_relname_relid("environments", nsp) : InvalidOid;
	*models_relid = OidIsValid(nsp) ? get_relname_relid("models", nsp) : InvalidOid;
	*versions_relid = OidIsValid(nsp) ? get_relname_relid("versions", nsp) : InvalidOid;
	return OidIsValid(*env_relid);
}

static void
not_installed(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_TABLE),
			 errmsg("modelgov is not installed in this database")));
}

/* ---- loading ----------------------------------------------------------- */

/*
 * Which configuration a version key of a model names: a row of
 * modelgov.versions, else the target of a proposal (load_model).
 */
typedef struct VersionSource
{
	Jsonb	   *config;			/* in the caller's context; NULL if none */
	bool		provisional;	/* a row this transaction wrote */
	bool		from_proposal;	/* a proposal's target, not a version */
	char		proposal[MG_PROPOSAL_ID_MAX + 1];
} VersionSource;

/* does the text Datum d hold exactly the bytes of s (of length len)? */
static bool
text_equals(Datum d, const char *s, size_t len)
{
	text	   *t = DatumGetTextPP(d);

	return VARSIZE_ANY_EXHDR(t) == len && memcmp(VARDATA_ANY(t), s, len) == 0;
}

/*
 * The configuration of the row of modelgov.versions for version key of
 * model name that snap sees, into *src; false when there is none.  A
 * version's configuration never changes once written, so any visible row
 * of that key holds the same configuration.
 */
static bool
read_version(Oid relid, const char *name, const char *key, Snapshot snap, VersionSource *src)
{
	Relation	rel;
	TableScanDesc scan;
	TupleTableSlot *slot;
	AttrNumber	att_version,
				att_config,
				att_model;
	size_t		namelen = strlen(name);
	bool		found = false;

	rel = table_open(relid, AccessShareLock);
	att_version = attnum_of(rel, "version");
	att_config = attnum_of(rel, "config");
	att_model = attnum_opt(rel, "model");	/* none in 0.1.0 */
	slot = table_slot_create(rel, NULL);
	scan = table_beginscan(rel, snap, 0, NULL);
	while (!found && table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		bool		isnull;
		Datum		v;
		char		k[MG_SEMVER_MAX_LEN + 1];

		if (att_model != InvalidAttrNumber)
		{
			Datum		mdat = slot_getattr(slot, att_model, &isnull);

			if (isnull || !text_equals(mdat, name, namelen))
				continue;
		}
		v = slot_getattr(slot, att_version, &isnull);
		if (isnull)
			continue;
		mg_semver_key(v, k);
		if (strcmp(k, key) == 0)
		{
			Datum		c = slot_getattr(slot, att_config, &isnull);

			if (!isnull)
			{
				Datum		xmin = slot_getsysattr(slot, MinTransactionIdAttributeNumber,
												   &isnull);

				src->config = DatumGetJsonbPCopy(c);
				src->from_proposal = false;
				src->proposal[0] = '\0';
				src->provisional = !isnull &&
					TransactionIdIsCurrentTransactionId(DatumGetTransactionId(xmin));
				found = true;
			}
		}
	}
	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	table_close(rel, AccessShareLock);
	return found;
}

/* a proposal that targets a version, as read_proposal collects them */
typedef struct TargetingProposal
{
	char		id[MG_PROPOSAL_ID_MAX + 1];
	char		status[16];
	bool		closed;			/* withdrawn or rejected */
	Jsonb	   *config;
} TargetingProposal;

static int
targeting_cmp(const void *a, const void *b)
{
	return strcmp(((const TargetingProposal *) a)->id, ((const TargetingProposal *) b)->id);
}

/*
 * The configuration of the proposal of model name whose target is version
 * key, as snap sees the proposals, into *src; false when none targets it.
 * A version number is taken only by a row of modelgov.versions (the final
 * approval renumbers a proposal whose target was taken since), so several
 * proposals can target one number that no version holds yet: two open
 * proposals made against the same production version, or a proposal
 * withdrawn (or rejected) and made again.  An open proposal (one that can
 * still become that version) comes before withdrawn and rejected ones;
 * several of the same kind are an error that names them.
 */
static bool
read_proposal(Oid relid, const char *name, const char *key, Snapshot snap, VersionSource *src)
{
	Relation	rel;
	TableScanDesc scan;
	TupleTableSlot *slot;
	AttrNumber	att_id,
				att_target,
				att_config,
				att_status,
				att_model;
	size_t		namelen = strlen(name);
	TargetingProposal *found = NULL;
	int			nfound = 0;
	int			capfound = 0;
	int			nopen = 0;
	bool		want_closed;
	TargetingProposal *chosen = NULL;

	rel = table_open(relid, AccessShareLock);
	att_id = attnum_of(rel, "proposal_id");
	att_target = attnum_of(rel, "target_version");
	att_config = attnum_of(rel, "config");
	att_status = attnum_of(rel, "status");
	att_model = attnum_opt(rel, "model");	/* none in 0.1.0 */
	slot = table_slot_create(rel, NULL);
	scan = table_beginscan(rel, snap, 0, NULL);
	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		bool		isnull;
		Datum		d;
		char		k[MG_SEMVER_MAX_LEN + 1];
		TargetingProposal *tp;
		text	   *t;

		if (att_model != InvalidAttrNumber)
		{
			d = slot_getattr(slot, att_model, &isnull);
			if (isnull || !text_equals(d, name, namelen))
				continue;
		}
		d = slot_getattr(slot, att_target, &isnull);
		if (isnull)
			continue;
		mg_semver_key(d, k);
		if (strcmp(k, key) != 0)
			continue;
		d = slot_getattr(slot, att_config, &isnull);
		if (isnull)
			continue;
		if (nfound == capfound)
		{
			capfound = capfound == 0 ? 4 : capfound * 2;
			found = found == NULL ? palloc(sizeof(TargetingProposal) * capfound)
				: repalloc(found, sizeof(TargetingProposal) * capfound);
		}
		tp = &found[nfound++];
		tp->config = DatumGetJsonbPCopy(d);
		t = DatumGetTextPP(slot_getattr(slot, att_id, &isnull));
		text_to_cstring_buffer(t, tp->id, sizeof(tp->id));
		d = slot_getattr(slot, att_status, &isnull);
		if (isnull)
			strlcpy(tp->status, "unknown", sizeof(tp->status));
		else
			text_to_cstring_buffer(DatumGetTextPP(d), tp->status, sizeof(tp->status));
		tp->closed = strcmp(tp->status, "withdrawn") == 0 || strcmp(tp->status, "rejected") == 0;
		if (!tp->closed)
			nopen++;
	}
	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	table_close(rel, AccessShareLock);

	if (nfound == 0)
		return false;
	if (nfound > 1)
		qsort(found, nfound, sizeof(TargetingProposal), targeting_cmp);
	want_closed = nopen == 0;
	for (int i = 0; i < nfound; i++)
	{
		if (found[i].closed != want_closed)
			continue;
		if (chosen == NULL)
		{
			chosen = &found[i];
			continue;
		}
		{
			StringInfoData ids;

			initStringInfo(&ids);
			for (int j = 0; j < nfound; j++)
			{
				if (found[j].closed != want_closed)
					continue;
				if (ids.len > 0)
					appendStringInfoString(&ids, ", ");
				appendStringInfo(&ids, "%s (%s)", found[j].id, found[j].status);
			}
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("version %s of model \"%s\" is the target of several %s", key, name,
							want_closed ? "closed proposals" : "open proposals"),
					 errdetail("No version %s exists yet, and %s all target it: the number does not say which configuration to score.",
							   key, ids.data),
					 want_closed
					 ? errhint("Read the configuration a proposal proposed in modelgov.proposals.config.")
					 : errhint("The number is taken by whichever is approved first; until then compare their configurations in modelgov.proposals.config, or withdraw all but one.")));
		}
	}
	src->config = chosen->config;
	src->provisional = false;	/* checked again by every statement instead */
	src->from_proposal = true;
	strlcpy(src->proposal, chosen->id, sizeof(src->proposal));
	return true;
}

/* do two configurations hold the same bytes? */
static bool
same_config(const Jsonb *a, const Jsonb *b)
{
	return a != NULL && b != NULL && VARSIZE(a) == VARSIZE(b) &&
		memcmp(a, b, VARSIZE(a)) == 0;
}

/*
 * Read the configuration of version key of model name, and compile it.
 * The tables are read directly (a handful of rows), with no SPI and no
 * planning, so a cold load stays well under a millisecond.
 *
 * A version is a row of modelgov.versions.  With proposals, a key that no
 * version holds yet may be the target of a proposal (backtest before
 * approval): its configuration is compiled from the proposal.  A proposal's
 * target is provisional (a final approval renumbers it when another
 * proposal took the number first, a rebase moves it, a rollback takes it
 * away), so such an entry is from_proposal: every statement that resolves
 * it reads the tables again (model_for_version).  stale is the cache's
 * entry of the key, compiled from a proposal in an earlier statement, or
 * NULL: when the key still names the same configuration (the same bytes,
 * also once the proposal's approval made it a version), its compiled model
 * serves again; otherwise the stale entry is retired (a statement that
 * pinned it keeps it until the transaction ends) and the key compiled
 * again.
 *
 * The leader reads with the latest snapshot.  In parallel mode no new
 * snapshot may be taken, and every process of the statement must resolve
 * a key alike: versions, then proposals, are read with the statement's
 * snapshot, which the leader and its workers share; only when neither has
 * the key are versions read with SnapshotSelf, which sees every committed
 * row: the leader may have resolved an active version that was created
 * after the snapshot of a REPEATABLE READ transaction.
 */
static MgModel *
load_model(const char *name, const char *key, bool named, bool proposals,
		   ModelEntry *stale, const char **proposal)
{
	Oid			nsp = mg_extension_namespace();
	Oid			ver_relid = OidIsValid(nsp) ? get_relname_relid("versions", nsp) : InvalidOid;
	Oid			prop_relid = OidIsValid(nsp) ? get_relname_relid("proposals", nsp) : InvalidOid;
	Snapshot	snap;
	char		ekey[MG_ENTRY_KEY_LEN];
	bool		found;
	VersionSource src;
	ModelEntry *entry;
	bool		exists;
	instr_time	start;

	INSTR_TIME_SET_CURRENT(start);
	if (!OidIsValid(ver_relid))
		not_installed();
	snprintf(ekey, sizeof(ekey), "%s/%s", name, key);
	memset(&src, 0, sizeof(src));

	snap = RegisterSnapshot(IsInParallelMode() ? GetActiveSnapshot() : GetLatestSnapshot());
	PG_TRY();
	{
		found = read_version(ver_relid, name, key, snap, &src);

		/*
		 * A proposal changes (withdrawn, rebased, renumbered): it is read
		 * with the statement's snapshot in the leader as in the workers, so
		 * that a plan, serial or parallel, and the transaction's own reads of
		 * modelgov.proposals see the same proposals (REPEATABLE READ
		 * included).
		 */
		if (!found && proposals && OidIsValid(prop_relid))
			found = read_proposal(prop_relid, name, key,
								  ActiveSnapshotSet() ? GetActiveSnapshot() : snap, &src);
		if (!found && IsInParallelMode())
			found = read_version(ver_relid, name, key, SnapshotSelf, &src);
	}
	PG_FINALLY();
	{
		UnregisterSnapshot(snap);
	}
	PG_END_TRY();

	if (!found)
	{
		/* the proposal that named it targets another number now */
		if (stale != NULL)
			retire_entry(stale);
		if (named)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("version %s of model \"%s\" does not exist", key, name)));
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("version %s does not exist", key)));
	}

	if (stale != NULL)
	{
		if (same_config(stale->source, src.config))
		{
			/* the same configuration: its compiled model serves again */
			stale->from_proposal = src.from_proposal;
			strlcpy(stale->proposal, src.proposal, sizeof(stale->proposal));
			stale->checked_lxid = MG_MY_LXID;
			stale->checked_start = GetCurrentStatementStartTimestamp();
			stale->last_used = ++use_clock;
			/* a version's row that another transaction wrote stays */
			stale->provisional = src.provisional;
			if (src.provisional)
				have_provisional = true;
			stat_hits++;
			pfree(src.config);
			if (proposal != NULL)
				*proposal = stale->from_proposal ? stale->proposal : NULL;
			return stale->model;
		}
		/* another configuration: a statement that pinned the old one keeps it */
		retire_entry(stale);
	}

	entry = hash_search(model_cache, ekey, HASH_ENTER, &exists);
	strlcpy(entry->name, name, sizeof(entry->name));
	entry->model = NULL;
	entry->provisional = src.provisional;
	entry->from_proposal = src.from_proposal;
	strlcpy(entry->proposal, src.proposal, sizeof(entry->proposal));
	entry->source = NULL;
	entry->checked_lxid = MG_MY_LXID;
	entry->checked_start = GetCurrentStatementStartTimestamp();
	entry->last_used = ++use_clock;
	entry->pin_lxid = InvalidLocalTransactionId;
	if (src.provisional)
		have_provisional = true;
	PG_TRY();
	{
		entry->model = compile_model(key, ekey, src.config);
		/* what a proposal's entry is compared with when it is checked again */
		if (src.from_proposal)
		{
			MemoryContext mcxt = GetMemoryChunkContext(entry->model);

			entry->source = (Jsonb *) MemoryContextAlloc(mcxt, VARSIZE(src.config));
			memcpy(entry->source, src.config, VARSIZE(src.config));
		}
	}
	PG_CATCH();
	{
		if (entry->model != NULL)
			MemoryContextDelete(GetMemoryChunkContext(entry->model));
		hash_search(model_cache, ekey, HASH_REMOVE, NULL);
		PG_RE_THROW();
	}
	PG_END_TRY();
	pfree(src.config);
	note_load(start);
	{
		MgModel    *model = entry->model;

		if (proposal != NULL)
			*proposal = entry->from_proposal ? entry->proposal : NULL;
		evict_versions(model);	/* entry may move: keep the model */
		return model;
	}
}

/*
 * Version key of model name, compiled: from the cache, else loaded.  With
 * proposals, the key may be the target of a proposal (load_model); *proposal
 * then names it (else NULL), valid until the cache changes.  An entry
 * compiled from a proposal serves without reading again only in the
 * statement that checked it, and never in parallel mode, where every
 * process reads with the statement's snapshot.
 */
static MgModel *
model_for_version(const char *name, const char *key, bool named, bool proposals,
				  const char **proposal)
{
	char		ekey[MG_ENTRY_KEY_LEN];
	ModelEntry *entry;

	check_extension_identity();
	if (proposal != NULL)
		*proposal = NULL;
	snprintf(ekey, sizeof(ekey), "%s/%s", name, key);
	entry = hash_search(model_cache, ekey, HASH_FIND, NULL);
	if (entry != NULL && entry->model != NULL)
	{
		if (!entry->from_proposal)
		{
			entry->last_used = ++use_clock;
			return entry->model;
		}
		if (proposals && !IsInParallelMode() &&
			entry->checked_lxid == MG_MY_LXID &&
			entry->checked_start == GetCurrentStatementStartTimestamp())
		{
			entry->last_used = ++use_clock;
			stat_hits++;
			if (proposal != NULL)
				*proposal = entry->proposal;
			return entry->model;
		}
		return load_model(name, key, named, proposals, entry, proposal);
	}
	return load_model(name, key, named, proposals, NULL, proposal);
}

/* ---- which version a statement scores with ------------------------------- */

/*
 * Enter the current statement, once per statement: take in the
 * invalidations that arrived since the last one (cheap when there are
 * none), so that it sees every deployment committed before it, even if it
 * locks no table.
 */
static void
begin_statement(void)
{
	LocalTransactionId lxid = MG_MY_LXID;
	TimestampTz start = GetCurrentStatementStartTimestamp();

	if (stmt_lxid == lxid && stmt_start == start && model_cache != NULL)
		return;
	AcceptInvalidationMessages();
	check_extension_identity();
	stmt_lxid = lxid;
	stmt_start = start;
	stmt_map_ready = false;
}

/*
 * The value of modelgov.statement_version after "pid:start:", when the
 * leader of this parallel statement set it for this statement (the leader
 * itself included); else NULL.
 */
static const char *
map_from_leader(void)
{
	const char *v = statement_version;
	char	   *end;
	long		pid;
	long long	start;
	int			leader;

	if (v == NULL)
		return NULL;
	if (IsParallelWorker())
	{
		if (MyProc->lockGroupLeader == NULL)
			return NULL;
		leader = MyProc->lockGroupLeader->pid;
	}
	else
		leader = MyProcPid;
	errno = 0;
	pid = strtol(v, &end, 10);
	if (errno != 0 || *end != ':' || pid != leader)
		return NULL;
	start = strtoll(end + 1, &end, 10);
	if (errno != 0 || *end != ':' || start != (long long) GetCurrentStatementStartTimestamp())
		return NULL;
	return end + 1;
}

/*
 * The map this statement scores with.  Serial statements use the backend
 * map, read again after an invalidation.  Every process of a parallel
 * statement uses the map its leader resolved before the workers started: a
 * worker's cache may be older than the leader's, and its snapshot may
 * predate a deployment the leader has already seen (REPEATABLE READ, or a
 * commit whose invalidation had not reached the leader yet).  When the
 * leader resolved none, every process reads the map with the statement's
 * snapshot.
 */
static ModelMap *
statement_map(void)
{
	Oid			env_relid;
	Oid			models_relid;
	Oid			versions_relid;

	begin_statement();
	if (IsInParallelMode())
	{
		if (!stmt_map_ready)
		{
			const char *s = (IsParallelWorker() || par_active) ? map_from_leader() : NULL;

			if (s == NULL || strcmp(s, "-") == 0 || !map_parse(&stmt_map, s))
			{
				if (!map_relids(&env_relid, &models_relid, &versions_relid))
					not_installed();
				map_read(&stmt_map, env_relid, models_relid, versions_relid,
						 GetActiveSnapshot());
			}
			stmt_map_ready = true;
		}
		return &stmt_map;
	}
	if (!active_valid)
	{
		Snapshot	snap;

		if (!map_relids(&env_relid, &models_relid, &versions_relid))
			not_installed();
		/* mark valid first: an invalidation during the read wins */
		active_valid = true;
		PG_TRY();
		{
			snap = RegisterSnapshot(GetLatestSnapshot());
			map_read(&backend_map, env_relid, models_relid, versions_relid, snap);
			UnregisterSnapshot(snap);
		}
		PG_CATCH();
		{
			active_valid = false;
			map_init(&backend_map);
			PG_RE_THROW();
		}
		PG_END_TRY();
	}
	return &backend_map;
}

/* "a, b, c": the models of map, all or only those that can be scored */
static char *
model_list(const ModelMap *map, bool scorable_only)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < map->n; i++)
	{
		if (scorable_only && map->models[i].retired)
			continue;
		if (buf.len > 0)
			appendStringInfoString(&buf, ", ");
		appendStringInfoString(&buf, map->models[i].name);
	}
	return buf.data;
}

static int
scorable_count(const ModelMap *map)
{
	int			n = 0;

	for (int i = 0; i < map->n; i++)
		n += map->models[i].retired ? 0 : 1;
	return n;
}

/* an errhint naming the models that can be scored */
static int
scorable_hint(const ModelMap *map)
{
	if (scorable_count(map) == 0)
		return errhint("No model can be scored; an administrator creates one with modelgov.create_model().");
	return errhint("The models that can be scored are: %s.", model_list(map, true));
}

/* the first model that can be scored, by name, or NULL */
static const char *
first_scorable(const ModelMap *map)
{
	for (int i = 0; i < map->n; i++)
		if (!map->models[i].retired)
			return map->models[i].name;
	return NULL;
}

static bool
looks_like_version(const char *name)
{
	MgSemver	v;
	MgSemverError err;

	return mg_semver_parse(name, strlen(name), &v, &err) == MG_SEMVER_OK;
}

/*
 * The map's entry of model name, which can be scored: errors for a model
 * that does not exist and one that is retired.
 */
static ActiveModel *
scorable_model(const ModelMap *map, const char *name, const char *fname)
{
	ActiveModel *am = map_find(map, name);

	if (am == NULL && looks_like_version(name))
	{
		/* one model: its name in the call to write; several: all of them */
		const char *sole = map->n == 1 ? map->models[0].name : "<model>";
		const char *others = map->n == 1 ? ""
			: psprintf("  The models that can be scored are: %s.", model_list(map, true));

		if (strcmp(fname, "explain") == 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("model \"%s\" does not exist", name),
					 errdetail("The first argument of modelgov.%s() is a model name; \"%s\" is a version.", fname, name),
					 errhint("To explain with version %s, name the model: modelgov.explain('%s', features, candidate, '%s').%s",
							 name, sole, name, others)));
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("model \"%s\" does not exist", name),
				 errdetail("The first argument of modelgov.%s() is a model name; \"%s\" is a version.", fname, name),
				 errhint("To score with version %s, name the model: modelgov.%s('%s', '%s', features, candidate).%s",
						 name, fname, sole, name, others)));
	}
	if (am == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("model \"%s\" does not exist", name),
				 scorable_hint(map)));
	if (am->retired)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("model \"%s\" is retired", name),
				 am->retired_at != 0
				 ? errdetail("Model \"%s\" was retired at %s; a retired model is no longer scored.",
							 name, timestamptz_to_str(am->retired_at))
				 : errdetail("A retired model is no longer scored."),
				 scorable_hint(map)));
	return am;
}

/*
 * The name of "the" model, for the forms without a model name, into buf
 * (the map may be read again before the caller is done with it): the
 * database must hold exactly one model (retired or not).
 */
static const char *
sole_model(const char *fname, char *buf)
{
	ModelMap   *map = statement_map();

	if (map->n == 1)
		return strcpy(buf, map->models[0].name);
	if (map->n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("there is no model"),
				 errhint("An administrator creates one with modelgov.create_model().")));
	/* the call to write names a model that can be scored */
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("modelgov.%s() without a model name needs a database with one model", fname),
			 errdetail("This database holds %d models: %s.", map->n, model_list(map, false)),
			 first_scorable(map) == NULL ? scorable_hint(map)
			 : strcmp(fname, "explain") == 0
			 ? errhint("Name the model: modelgov.explain('%s', features, candidate).",
					   first_scorable(map))
			 : errhint("Name the model: modelgov.%s('%s', features, candidate).",
					   fname, first_scorable(map))));
	return NULL;				/* keep compiler quiet */
}

/*
 * The most features a version of MAJOR major of model am accepts, from
 * what a map says of the model's versions: the most features of any of its
 * versions of that MAJOR (inputs beyond the version's own features are
 * ignored up to it, evaluation rule 6).  The caller takes the larger of
 * this and the version's own count, which a version created after the map
 * was read may exceed.  Once per call site and statement, never per row.
 */
static int
map_width(const ActiveModel *am, int64 major)
{
	int			width = 0;

	if (am == NULL)
		return 0;
	for (int i = 0; i < am->nwidths; i++)
		if (am->widths[i].major == major && am->widths[i].nfeatures > width)
			width = am->widths[i].nfeatures;
	return width;
}

/*
 * The version of model name that this statement scores with, and in
 * *limit the most inputs it accepts: the one an earlier call site of the
 * statement pinned, else the model's production version in the
 * statement's map, which this call then pins.
 */
static MgModel *
active_for_statement(const char *name, const char *fname, int *limit)
{
	StatementPin *pin;
	ModelMap   *map;
	ActiveModel *am;
	MgModel    *model;
	ModelEntry *entry;
	char		ekey[MG_ENTRY_KEY_LEN];
	bool		found;
	int			width;

	begin_statement();
	pin = hash_search(stmt_pins, name, HASH_FIND, NULL);
	if (pin != NULL && pin->lxid == stmt_lxid && pin->start == stmt_start)
	{
		*limit = pin->limit;
		return pin->model;
	}

	map = statement_map();
	am = scorable_model(map, name, fname);
	if (am->key[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("model \"%s\" has no active production version", name),
				 errhint("A deployer deploys a version of it to production.")));
	/* before compiling, which may find the map gone */
	width = map_width(am, key_major(am->key));
	if (am->model != NULL)
	{
		stat_hits++;
		model = am->model;
	}
	else
	{
		model = model_for_version(name, am->key, true, false, NULL);
		if (map == &backend_map && active_valid)
			am->model = model;
	}
	pin = hash_search(stmt_pins, name, HASH_ENTER, &found);
	pin->model = model;
	pin->limit = Max(width, model->nfeatures);
	*limit = pin->limit;
	pin->lxid = stmt_lxid;
	pin->start = stmt_start;
	snprintf(ekey, sizeof(ekey), "%s/%s", name, model->version);
	entry = hash_search(model_cache, ekey, HASH_FIND, NULL);
	if (entry != NULL)
	{
		entry->pin_lxid = stmt_lxid;
		entry->pin_start = stmt_start;
		entry->last_used = ++use_clock;
	}
	return model;
}

/*
 * The map of versions a parallel statement scores with, into buf, without
 * compiling, without raising an error and without waiting for a lock:
 * false when there is none (no extension) or when environments or models
 * is locked by a session that changes it (DROP EXTENSION, an update).
 * Then the statement reads the map with its snapshot, in every process
 * alike.  Outside parallel mode only; a parallel plan that does not score
 * pays this too, so the cached map comes first.  The versions the
 * statement pinned already stay its versions.
 */
static bool
resolve_statement_map(StringInfo buf)
{
	Oid			env_relid;
	Oid			models_relid;
	Oid			versions_relid;
	Oid			relids[3];
	int			nlocked = 0;
	bool		usable = true;
	Snapshot	snap;
	ModelMap	tmp = {NULL, 0, NULL};
	bool		pins;

	if (!map_relids(&env_relid, &models_relid, &versions_relid))
		return false;
	AcceptInvalidationMessages();
	pins = env_relid == cached_env_relid && model_cache != NULL &&
		stmt_lxid == MG_MY_LXID && stmt_start == GetCurrentStatementStartTimestamp();
	if (env_relid == cached_env_relid && model_cache != NULL && active_valid)
	{
		map_serialize(&backend_map, buf, pins);
		return true;
	}
	/* every table map_read reads, locked without waiting, and still there */
	relids[0] = env_relid;
	relids[1] = models_relid;
	relids[2] = versions_relid;
	for (int i = 0; i < 3 && usable; i++)
	{
		if (!OidIsValid(relids[i]))
			continue;
		if (!ConditionalLockRelationOid(relids[i], AccessShareLock))
		{
			usable = false;
			break;
		}
		nlocked = i + 1;
		usable = SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relids[i]));
	}
	if (usable)
	{
		tmp.cxt = AllocSetContextCreate(CurrentMemoryContext, "modelgov leader versions",
										ALLOCSET_SMALL_SIZES);
		snap = RegisterSnapshot(GetLatestSnapshot());
		map_read(&tmp, env_relid, models_relid, versions_relid, snap);
		UnregisterSnapshot(snap);
		map_serialize(&tmp, buf, pins);
		MemoryContextDelete(tmp.cxt);
	}
	for (int i = nlocked - 1; i >= 0; i--)
		if (OidIsValid(relids[i]))
			UnlockRelationOid(relids[i], AccessShareLock);
	return usable;
}

/*
 * Before a parallel plan runs (ExecutorRun enters parallel mode, after which
 * no setting may change, and starts the workers): resolve the versions its
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
	StringInfoData value;

	if (!queryDesc->plannedstmt->parallelModeNeeded ||
		IsInParallelMode() || IsParallelWorker())
	{
		/* a serial plan, or one inside a parallel statement: nothing to do */
		next_executor_run(queryDesc, direction, count, execute_once);
		return;
	}

	initStringInfo(&value);
	appendStringInfo(&value, "%d:%lld:", MyProcPid,
					 (long long) GetCurrentStatementStartTimestamp());
	if (!resolve_statement_map(&value))
		appendStringInfoChar(&value, '-');
	if (statement_version == NULL || strcmp(statement_version, value.data) != 0)
		SetConfigOption("modelgov.statement_version", value.data, PGC_SUSET, PGC_S_SESSION);
	pfree(value.data);
	par_active = true;
	stmt_map_ready = false;
	PG_TRY();
	{
		next_executor_run(queryDesc, direction, count, execute_once);
	}
	PG_FINALLY();
	{
		par_active = false;
		stmt_map_ready = false;
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
		st->namelen = -1;
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
 * A call site that pinned a version in an earlier generation is a
 * statement that was running (a cursor) when the extension was dropped and
 * created again: the version it scored with is gone, and scoring its next
 * rows with whatever the new extension holds would mix two models in one
 * statement.
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

static void
forget_query_pins(void *arg)
{
	QueryPins **p = &query_pins_list;

	while (*p != NULL && *p != (QueryPins *) arg)
		p = &(*p)->next;
	if (*p != NULL)
		*p = (*p)->next;
}

/*
 * The version of model name for the query this call site belongs to, and
 * in *limit the most inputs it accepts: the one a call site of the query
 * pinned already (also in an earlier FETCH of a cursor), else the
 * statement's, which the query then pins.  Called once per call site, and
 * again only when its model argument changes.
 */
static MgModel *
active_for_query(FunctionCallInfo fcinfo, const char *name, const char *fname, int *limit)
{
	MemoryContext cxt = fcinfo->flinfo->fn_mcxt;
	QueryPins  *qp;
	MgModel    *model;

	for (qp = query_pins_list; qp != NULL; qp = qp->next)
		if (qp->cxt == cxt)
			break;
	if (qp == NULL)
	{
		qp = MemoryContextAllocZero(cxt, sizeof(QueryPins));
		qp->cxt = cxt;
		qp->forget.func = forget_query_pins;
		qp->forget.arg = qp;
		MemoryContextRegisterResetCallback(cxt, &qp->forget);
		qp->next = query_pins_list;
		query_pins_list = qp;
	}
	for (int i = 0; i < qp->n; i++)
	{
		if (strcmp(qp->pins[i].name, name) != 0)
			continue;
		if (qp->pins[i].generation != model_generation)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("modelgov was dropped and created again while this statement was scoring"),
					 errdetail("The model version this statement scored its first rows with no longer exists."),
					 errhint("Run the statement again.")));
		*limit = qp->pins[i].limit;
		return qp->pins[i].model;
	}
	model = active_for_statement(name, fname, limit);
	if (qp->n == qp->cap)
	{
		qp->cap = qp->cap == 0 ? 4 : qp->cap * 2;
		qp->pins = qp->pins == NULL
			? MemoryContextAlloc(cxt, sizeof(QueryPin) * qp->cap)
			: repalloc(qp->pins, sizeof(QueryPin) * qp->cap);
	}
	strlcpy(qp->pins[qp->n].name, name, sizeof(qp->pins[qp->n].name));
	qp->pins[qp->n].model = model;
	qp->pins[qp->n].limit = *limit;
	qp->pins[qp->n].generation = model_generation;
	qp->n++;
	return model;
}

/* pin model (of model name), which accepts limit inputs, at the call site */
static CallState *
pin(FunctionCallInfo fcinfo, MgModel *model, const char *name, int limit)
{
	CallState  *st = call_state(fcinfo, model);

	st->model = model;
	st->limit = limit;
	st->generation = model_generation;
	st->proposal[0] = '\0';
	st->namelen = strlen(name);
	memcpy(st->name, name, st->namelen + 1);
	return st;
}

/* the first call of a call site without a model name */
static pg_noinline MgModel *
pin_active(FunctionCallInfo fcinfo, CallState **stp, const char *fname)
{
	char		name[MG_MODEL_NAME_MAX + 1];
	MgModel    *model;
	int			limit;

	check_pin_generation((CallState *) fcinfo->flinfo->fn_extra);
	sole_model(fname, name);
	model = active_for_query(fcinfo, name, fname, &limit);
	/* resolving may have found the extension created again */
	check_pin_generation((CallState *) fcinfo->flinfo->fn_extra);
	*stp = pin(fcinfo, model, name, limit);
	return model;
}

/*
 * The version of a call site without a model name, pinned: on every row
 * but the first, two loads and two comparisons.
 */
static inline MgModel *
pinned_active(FunctionCallInfo fcinfo, CallState **stp, const char *fname)
{
	CallState  *st = (CallState *) fcinfo->flinfo->fn_extra;

	if (likely(st != NULL && st->model != NULL && st->generation == model_generation))
	{
		*stp = st;
		return st->model;
	}
	return pin_active(fcinfo, stp, fname);
}

/* a varlena whose bytes are its value: neither external nor compressed */
static inline bool
plain_varlena(const struct varlena *v)
{
	return VARATT_IS_1B(v) ? !VARATT_IS_1B_E(v) : VARATT_IS_4B_U(v);
}

/* the model name argument, NUL-terminated; false when it cannot be a name */
static bool
name_arg(FunctionCallInfo fcinfo, int argno, char *buf, size_t buflen)
{
	text	   *t = PG_GETARG_TEXT_PP(argno);
	size_t		len = VARSIZE_ANY_EXHDR(t);

	if (len >= buflen)
	{
		memcpy(buf, VARDATA_ANY(t), buflen - 1);
		buf[buflen - 1] = '\0';
		return false;
	}
	memcpy(buf, VARDATA_ANY(t), len);
	buf[len] = '\0';
	return strlen(buf) == len;
}

/*
 * A call site's model name that names no model: too long (name holds its
 * first bytes, which may end inside a character: the message shows the
 * whole characters only).
 */
static void
no_such_model(const char *name)
{
	int			len = strlen(name);
	int			whole = pg_mbcliplen(name, len, len);

	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg("model \"%.*s...\" does not exist", whole, name),
			 errhint("A model name has at most %d characters.", MG_MODEL_NAME_MAX)));
}

/* a call site's model name changed, or its first call */
static pg_noinline MgModel *
pin_named(FunctionCallInfo fcinfo, CallState **stp, const char *fname)
{
	char		name[MG_MODEL_NAME_MAX + 2];
	MgModel    *model;
	int			limit;

	check_pin_generation((CallState *) fcinfo->flinfo->fn_extra);
	if (!name_arg(fcinfo, 0, name, sizeof(name)) || strlen(name) > MG_MODEL_NAME_MAX)
		no_such_model(name);
	model = active_for_query(fcinfo, name, fname, &limit);
	/* resolving may have found the extension created again */
	check_pin_generation((CallState *) fcinfo->flinfo->fn_extra);
	*stp = pin(fcinfo, model, name, limit);
	return model;
}

/*
 * The version of a call site with a model name (argument 0), pinned: on
 * every row but the first, the name's length and bytes compared with the
 * last row's.
 */
static inline MgModel *
pinned_named(FunctionCallInfo fcinfo, CallState **stp, const char *fname)
{
	CallState  *st = (CallState *) fcinfo->flinfo->fn_extra;
	const struct varlena *v = (const struct varlena *) DatumGetPointer(PG_GETARG_DATUM(0));

	if (likely(st != NULL && st->model != NULL && st->generation == model_generation &&
			   plain_varlena(v) && VARSIZE_ANY_EXHDR(v) == st->namelen &&
			   memcmp(VARDATA_ANY(v), st->name, st->namelen) == 0))
	{
		*stp = st;
		return st->model;
	}
	return pin_named(fcinfo, stp, fname);
}

/*
 * A given version (argument argno) of model name, or of "the" model when
 * name is NULL.  The same model and version as on the previous row cost a
 * comparison of bytes, no formatting.  A model that does not exist or is
 * retired is an error, like for its active version.
 */
static MgModel *
given_version(FunctionCallInfo fcinfo, int argno, const char *name, const char *fname,
			  CallState **stp)
{
	char		key[MG_SEMVER_MAX_LEN + 1];
	char		sole[MG_MODEL_NAME_MAX + 1];
	CallState  *st = (CallState *) fcinfo->flinfo->fn_extra;
	struct varlena *arg = PG_DETOAST_DATUM(PG_GETARG_DATUM(argno));
	MgModel    *model;
	bool		named = name != NULL;
	int			width;
	const char *proposal = NULL;

	check_pin_generation(st);
	if (st != NULL && st->model != NULL && st->given != NULL &&
		(!named || (strlen(name) == st->namelen && memcmp(name, st->name, st->namelen) == 0)) &&
		VARSIZE(st->given) == VARSIZE(arg) && memcmp(st->given, arg, VARSIZE(arg)) == 0)
	{
		*stp = st;
		return st->model;
	}
	if (!named)
		name = sole_model(fname, sole);
	mg_semver_key(PointerGetDatum(arg), key);
	/* before compiling, which may find the map gone */
	width = map_width(scorable_model(statement_map(), name, fname), key_major(key));
	model = model_for_version(name, key, named, true, &proposal);
	/* resolving may have found the extension created again */
	check_pin_generation(st);
	st = pin(fcinfo, model, name, Max(width, model->nfeatures));
	if (proposal != NULL)
		strlcpy(st->proposal, proposal, sizeof(st->proposal));
	if (st->given != NULL)
		pfree(st->given);
	st->given = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, VARSIZE(arg));
	memcpy(st->given, arg, VARSIZE(arg));
	*stp = st;
	return model;
}

/* given_version() of a named call: the model argument is argument 0 */
static MgModel *
given_version_named(FunctionCallInfo fcinfo, int argno, const char *fname, CallState **stp)
{
	char		name[MG_MODEL_NAME_MAX + 2];

	if (!name_arg(fcinfo, 0, name, sizeof(name)) || strlen(name) > MG_MODEL_NAME_MAX)
		no_such_model(name);
	return given_version(fcinfo, argno, name, fname, stp);
}

/*
 * More inputs than the call site's version accepts: its own features, and
 * beyond them as many as the widest version of its model and MAJOR has.
 */
static pg_noinline void
too_many_features(const MgModel *m, const CallState *st, int n)
{
	if (st->limit > m->nfeatures)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("too many features for model version %s", m->version),
				 errdetail("Version %s of model \"%s\" has %d features and accepts up to %d, the most features of any version " INT64_FORMAT ".x of the model (it ignores the inputs beyond its own); %d were given.",
						   m->version, st->name, m->nfeatures, st->limit, (int64) m->major, n)));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("too many features for model version %s", m->version),
			 errdetail("Version %s of model \"%s\" has %d features, and no version " INT64_FORMAT ".x of the model has more; %d were given.",
					   m->version, st->name, m->nfeatures, (int64) m->major, n)));
}

static pg_noinline void
too_few_features(const MgModel *m, int n)
{
	int			first = n;

	/* the first feature left out that has no default */
	while (first < m->nrequired - 1 && m->has_default[first])
		first++;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("too few features for model version %s", m->version),
			 errdetail("Version %s needs at least %d of its %d features; %d were given, and feature \"%s\" has no default.",
					   m->version, m->nrequired, m->nfeatures, n, m->feature_names[first])));
}

/*
 * Check the number n of inputs given against the call site's version, and
 * give every feature beyond them its declared default.  Returns how many of
 * the inputs the version uses: inputs beyond its features, up to the
 * call site's limit, are ignored (evaluation rule 6).
 */
static inline int
complete_features(const MgModel *m, CallState *st, int n)
{
	if (unlikely(n > m->nfeatures))
	{
		if (n > st->limit)
			too_many_features(m, st, n);
		return m->nfeatures;
	}
	if (unlikely(n < m->nrequired))
		too_few_features(m, n);
	for (int i = n; i < m->nfeatures; i++)
	{
		st->x[i] = m->defaults[i];
		st->present[i] = true;
	}
	return n;
}

/*
 * Fill st->x/present from a features array: a NULL element takes the
 * feature's default if it has one, else the feature is missing.  A NULL
 * array gives no features at all: every feature is missing.
 */
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
	n = complete_features(m, st, n);
	data = (double *) ARR_DATA_PTR(a);
	nulls = ARR_NULLBITMAP(a);
	for (int i = 0, k = 0; i < n; i++)
	{
		if (nulls && !(nulls[i / 8] & (1 << (i % 8))))
		{
			st->present[i] = m->has_default[i];
			st->x[i] = m->defaults[i];
		}
		else
		{
			st->present[i] = true;
			st->x[i] = data[k++];
		}
	}
}

/* the same from the four-feature form's arguments first..first + 3 */
static void
features_from_args(FunctionCallInfo fcinfo, int first, const MgModel *m, CallState *st)
{
	int			n = complete_features(m, st, 4);

	for (int i = 0; i < n; i++)
	{
		if (PG_ARGISNULL(first + i))
		{
			st->present[i] = m->has_default[i];
			st->x[i] = m->defaults[i];
		}
		else
		{
			st->present[i] = true;
			st->x[i] = PG_GETARG_FLOAT8(first + i);
		}
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

/* ---- the SQL functions --------------------------------------------------- */

/* the result of score(): NULL when a feature is missing */
#define RETURN_SCORE(p) \
	do { \
		if (isnan(p)) \
			PG_RETURN_NULL(); \
		PG_RETURN_FLOAT8(p); \
	} while (0)

/* score(features float8[], candidate text) -> float8, active version */
PG_FUNCTION_INFO_V1(mg_score);
Datum
mg_score(PG_FUNCTION_ARGS)
{
	CallState  *st;
	MgModel    *m = pinned_active(fcinfo, &st, "score");
	double		p;

	features_from_array(fcinfo, 0, m, st);
	evaluate(fcinfo, 1, m, st, &p);
	RETURN_SCORE(p);
}

PG_FUNCTION_INFO_V1(mg_decide);
Datum
mg_decide(PG_FUNCTION_ARGS)
{
	CallState  *st;
	MgModel    *m = pinned_active(fcinfo, &st, "decide");

	features_from_array(fcinfo, 0, m, st);
	return decision_datum(fcinfo, evaluate(fcinfo, 1, m, st, NULL));
}

/* score(f1, f2, f3, f4, candidate) and decide(...): no array per row */
PG_FUNCTION_INFO_V1(mg_score4);
Datum
mg_score4(PG_FUNCTION_ARGS)
{
	CallState  *st;
	MgModel    *m = pinned_active(fcinfo, &st, "score");
	double		p;

	features_from_args(fcinfo, 0, m, st);
	evaluate(fcinfo, 4, m, st, &p);
	RETURN_SCORE(p);
}

PG_FUNCTION_INFO_V1(mg_decide4);
Datum
mg_decide4(PG_FUNCTION_ARGS)
{
	CallState  *st;
	MgModel    *m = pinned_active(fcinfo, &st, "decide");

	features_from_args(fcinfo, 0, m, st);
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
	m = given_version(fcinfo, 0, NULL, "score", &st);
	features_from_array(fcinfo, 1, m, st);
	evaluate(fcinfo, 2, m, st, &p);
	RETURN_SCORE(p);
}

PG_FUNCTION_INFO_V1(mg_decide_version);
Datum
mg_decide_version(PG_FUNCTION_ARGS)
{
	CallState  *st;
	MgModel    *m;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	m = given_version(fcinfo, 0, NULL, "decide", &st);
	features_from_array(fcinfo, 1, m, st);
	return decision_datum(fcinfo, evaluate(fcinfo, 2, m, st, NULL));
}

/* score(model, features, candidate) -> float8, the model's active version */
PG_FUNCTION_INFO_V1(mg_score_model);
Datum
mg_score_model(PG_FUNCTION_ARGS)
{
	CallState  *st;
	MgModel    *m;
	double		p;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	m = pinned_named(fcinfo, &st, "score");
	features_from_array(fcinfo, 1, m, st);
	evaluate(fcinfo, 2, m, st, &p);
	RETURN_SCORE(p);
}

PG_FUNCTION_INFO_V1(mg_decide_model);
Datum
mg_decide_model(PG_FUNCTION_ARGS)
{
	CallState  *st;
	MgModel    *m;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	m = pinned_named(fcinfo, &st, "decide");
	features_from_array(fcinfo, 1, m, st);
	return decision_datum(fcinfo, evaluate(fcinfo, 2, m, st, NULL));
}

/* score(model, f1, f2, f3, f4, candidate) and decide(...) */
PG_FUNCTION_INFO_V1(mg_score4_model);
Datum
mg_score4_model(PG_FUNCTION_ARGS)
{
	CallState  *st;
	MgModel    *m;
	double		p;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	m = pinned_named(fcinfo, &st, "score");
	features_from_args(fcinfo, 1, m, st);
	evaluate(fcinfo, 5, m, st, &p);
	RETURN_SCORE(p);
}

PG_FUNCTION_INFO_V1(mg_decide4_model);
Datum
mg_decide4_model(PG_FUNCTION_ARGS)
{
	CallState  *st;
	MgModel    *m;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	m = pinned_named(fcinfo, &st, "decide");
	features_from_args(fcinfo, 1, m, st);
	return decision_datum(fcinfo, evaluate(fcinfo, 5, m, st, NULL));
}

/* score(model, version, features, candidate) and decide(...) */
PG_FUNCTION_INFO_V1(mg_score_model_version);
Datum
mg_score_model_version(PG_FUNCTION_ARGS)
{
	CallState  *st;
	MgModel    *m;
	double		p;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	m = given_version_named(fcinfo, 1, "score", &st);
	features_from_array(fcinfo, 2, m, st);
	evaluate(fcinfo, 3, m, st, &p);
	RETURN_SCORE(p);
}

PG_FUNCTION_INFO_V1(mg_decide_model_version);
Datum
mg_decide_model_version(PG_FUNCTION_ARGS)
{
	CallState  *st;
	MgModel    *m;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	m = given_version_named(fcinfo, 1, "decide", &st);
	features_from_array(fcinfo, 2, m, st);
	return decision_datum(fcinfo, evaluate(fcinfo, 3, m, st, NULL));
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

/*
 * explain() of both forms: the features in argument farg, the candidate in
 * farg + 1, the version in farg + 2; the model in argument 0 when named.
 */
static Datum
explain_call(FunctionCallInfo fcinfo, int farg, bool named)
{
	CallState  *st;
	MgModel    *m;
	MgTrace		trace;
	StringInfoData buf;
	const char *cand = NULL;
	size_t		candlen = 0;
	int			given;
	bits8	   *nulls;
	int			carg = farg + 1;
	int			varg = farg + 2;

	if (PG_ARGISNULL(varg))
	{
		/* a call site may alternate between a given version and none */
		CallState  *prev = (CallState *) fcinfo->flinfo->fn_extra;

		if (prev != NULL && prev->given != NULL)
		{
			pfree(prev->given);
			prev->given = NULL;
			prev->model = NULL;
		}
		m = named ? pinned_named(fcinfo, &st, "explain") : pinned_active(fcinfo, &st, "explain");
	}
	else if (named)
		m = given_version_named(fcinfo, varg, "explain", &st);
	else
		m = given_version(fcinfo, varg, NULL, "explain", &st);
	features_from_array(fcinfo, farg, m, st);
	/* a NULL array gives no features, so none of them is a default */
	given = PG_ARGISNULL(farg) ? m->nfeatures
		: (ARR_NDIM(PG_GETARG_ARRAYTYPE_P(farg)) == 0 ? 0
		   : ARR_DIMS(PG_GETARG_ARRAYTYPE_P(farg))[0]);
	nulls = PG_ARGISNULL(farg) ? NULL : ARR_NULLBITMAP(PG_GETARG_ARRAYTYPE_P(farg));
	if (!PG_ARGISNULL(carg))
	{
		text	   *t = PG_GETARG_TEXT_PP(carg);

		cand = VARDATA_ANY(t);
		candlen = VARSIZE_ANY_EXHDR(t);
	}
	mg_model_evaluate(m, st->x, st->present, cand, candlen, NULL, &trace);

	initStringInfo(&buf);
	appendStringInfoString(&buf, "{\"model\": ");
	append_json_string(&buf, st->name);
	appendStringInfoString(&buf, ", \"version\": ");
	append_json_string(&buf, m->version);
	if (st->proposal[0] != '\0')
	{
		/* no version holds the number yet: the proposal that targets it */
		appendStringInfoString(&buf, ", \"proposal\": ");
		append_json_string(&buf, st->proposal);
	}
	appendStringInfoString(&buf, ", \"candidate\": ");
	if (cand)
		append_json_string(&buf, text_to_cstring(PG_GETARG_TEXT_PP(carg)));
	else
		appendStringInfoString(&buf, "null");
	appendStringInfoString(&buf, ", \"features\": [");
	for (int i = 0; i < m->nfeatures; i++)
	{
		bool		ok = st->present[i] && isfinite(st->x[i]);

		/* left out, or given as NULL, and declared with a default */
		bool		defaulted = m->has_default[i] &&
			(i >= given || (nulls != NULL && !(nulls[i / 8] & (1 << (i % 8)))));

		if (i > 0)
			appendStringInfoString(&buf, ", ");
		appendStringInfoString(&buf, "{\"name\": ");
		append_json_string(&buf, m->feature_names[i]);
		appendStringInfoString(&buf, ", \"value\": ");
		append_number(&buf, st->present[i] ? st->x[i] : NAN);
		appendStringInfo(&buf, ", \"missing\": %s, \"default_used\": %s, \"weight\": ",
						 ok ? "false" : "true", defaulted ? "true" : "false");
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

/* explain(features, candidate, version) -> jsonb */
PG_FUNCTION_INFO_V1(mg_explain);
Datum
mg_explain(PG_FUNCTION_ARGS)
{
	return explain_call(fcinfo, 0, false);
}

/* explain(model, features, candidate, version) -> jsonb */
PG_FUNCTION_INFO_V1(mg_explain_model);
Datum
mg_explain_model(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	return explain_call(fcinfo, 1, true);
}

/*
 * cache_stats() -> (loads, hits, invalidations, compiled_versions,
 * active_version, last_load_ms, evictions, cache_bytes, active_versions)
 */
PG_FUNCTION_INFO_V1(mg_cache_stats);
Datum
mg_cache_stats(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[9];
	bool		nulls[9] = {false, false, false, false, false, false, false, false, false};
	int			resolved = 0;
	const char *only = NULL;
	StringInfoData buf;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	for (int i = 0; active_valid && i < backend_map.n; i++)
	{
		const ActiveModel *am = &backend_map.models[i];

		if (am->model == NULL)
			continue;
		if (resolved++ > 0)
			appendStringInfoString(&buf, ", ");
		append_json_string(&buf, am->name);
		appendStringInfoString(&buf, ": ");
		append_json_string(&buf, am->model->version);
		only = am->model->version;
	}
	appendStringInfoChar(&buf, '}');

	values[0] = Int64GetDatum(stat_loads);
	values[1] = Int64GetDatum(stat_hits);
	values[2] = Int64GetDatum(stat_invalidations);
	values[3] = Int32GetDatum(model_cache ? (int32) hash_get_num_entries(model_cache) : 0);
	if (resolved == 1)
		values[4] = CStringGetTextDatum(only);
	else
		nulls[4] = true;
	values[5] = Float8GetDatum(stat_last_load_ms);
	nulls[5] = stat_loads == 0;
	values[6] = Int64GetDatum(stat_evictions);
	values[7] = Int64GetDatum(model_cxt ? (int64) MemoryContextMemAllocated(model_cxt, true) : 0);
	if (resolved > 0)
		values[8] = DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data));
	else
		nulls[8] = true;
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}
