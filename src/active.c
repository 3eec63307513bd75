/*-------------------------------------------------------------------------
 *
 * active.c
 *		Telling every backend that the active version changed.
 *
 * A plain UPDATE of modelgov.environments sends no invalidation.  Every
 * function that changes the active version calls
 * modelgov_internal.active_changed(), which queues a relcache invalidation
 * of that table: it is sent at commit (and not at all on abort), carried in
 * the commit record, and so replayed on hot standbys too.  The scoring
 * cache listens for it.
 *
 * The extension's tables are found through the extension's own schema
 * (pg_extension.extnamespace), never by a schema name that someone else
 * could have taken.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/pg_extension.h"
#include "commands/extension.h"
#include "fmgr.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "modelgov.h"

/*
 * The schema of the modelgov extension, or InvalidOid when it is not
 * installed in this database.
 */
Oid
mg_extension_namespace(void)
{
	Oid			extoid = get_extension_oid("modelgov", true);
	Oid			nsp = InvalidOid;
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;

	if (!OidIsValid(extoid))
		return InvalidOid;
	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_extension_oid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(extoid));
	scan = systable_beginscan(rel, ExtensionOidIndexId, true, NULL, 1, &key);
	tuple = systable_getnext(scan);
	if (HeapTupleIsValid(tuple))
		nsp = ((Form_pg_extension) GETSTRUCT(tuple))->extnamespace;
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return nsp;
}

/* OID of modelgov.environments, or InvalidOid when it does not exist. */
Oid
mg_environments_relid(void)
{
	Oid			nsp = mg_extension_namespace();

	if (!OidIsValid(nsp))
		return InvalidOid;
	return get_relname_relid("environments", nsp);
}

PG_FUNCTION_INFO_V1(mg_active_changed);
Datum
mg_active_changed(PG_FUNCTION_ARGS)
{
	Oid			relid = mg_environments_relid();

	if (!OidIsValid(relid))
		elog(ERROR, "modelgov.environments does not exist");
	CacheInvalidateRelcacheByRelid(relid);
	PG_RETURN_VOID();
}
