/*-------------------------------------------------------------------------
 *
 * modelgov.c
 *		Module entry point and the SQL enum types shared by the C files.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/guc.h"

#include "compat.h"
#include "modelgov.h"

PG_MODULE_MAGIC;

void
_PG_init(void)
{
	mg_clock_init();
	mg_scoring_init();
	MarkGUCPrefixReserved("modelgov");
}

/*
 * Map a modelgov.bump_level value to its C enum.  Labels are looked up by
 * name rather than by OID, which differs from one database to the next.
 */
MgBumpLevel
mg_bump_level_from_datum(Datum level)
{
	char	   *label = DatumGetCString(DirectFunctionCall1(enum_out, level));

	if (strcmp(label, "patch") == 0)
		return MG_BUMP_PATCH;
	if (strcmp(label, "minor") == 0)
		return MG_BUMP_MINOR;
	if (strcmp(label, "major") == 0)
		return MG_BUMP_MAJOR;
	elog(ERROR, "unrecognized bump level \"%s\"", label);
	pg_unreachable();
}
