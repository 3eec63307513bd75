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
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "fmgr.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"

#include "modelgov.h"

/* OID of modelgov.environments, or InvalidOid when it does not exist. */
Oid
mg_environments_relid(void)
{
	Oid			nsp = get_namespace_oid("modelgov", true);

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
