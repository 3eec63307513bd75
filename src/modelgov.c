/*-------------------------------------------------------------------------
 *
 * modelgov.c
 *		Module entry point: the module magic and _PG_init(), which sets up
 *		what the other C files need at load time.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/guc.h"

#include "compat.h"
#include "modelgov.h"

PG_MODULE_MAGIC;

void
_PG_init(void)
{
	mg_clock_init();
	mg_audit_init();
	mg_scoring_init();
	mg_evidence_init();
	MarkGUCPrefixReserved("modelgov");
}
