/*-------------------------------------------------------------------------
 *
 * clock.c
 *		The one place governance functions take "now" from.
 *
 * modelgov.clock is a superuser-only setting: while it holds a timestamp,
 * modelgov.clock_now() returns that instead of the transaction start time,
 * so tests and demos can replay dated stories without sleeping.  Audit
 * entries record whether the clock was overridden.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

#include "modelgov.h"

static char *mg_clock_setting = NULL;

void
mg_clock_init(void)
{
	DefineCustomStringVariable("modelgov.clock",
							   "Replaces the current time for modelgov governance functions.",
							   "Empty (the default) means the transaction start time. "
							   "Meant for tests and demos that replay dated events.",
							   &mg_clock_setting,
							   "",
							   PGC_SUSET,
							   0,
							   NULL, NULL, NULL);
}

static bool
clock_overridden(void)
{
	return mg_clock_setting != NULL && mg_clock_setting[0] != '\0';
}

/* modelgov.clock_now() -> timestamptz */
PG_FUNCTION_INFO_V1(mg_clock_now);
Datum
mg_clock_now(PG_FUNCTION_ARGS)
{
	TimestampTz t;

	if (!clock_overridden())
		PG_RETURN_TIMESTAMPTZ(GetCurrentTransactionStartTimestamp());
	t = DatumGetTimestampTz(DirectFunctionCall3(timestamptz_in,
												CStringGetDatum(mg_clock_setting),
												ObjectIdGetDatum(InvalidOid),
												Int32GetDatum(-1)));
	if (TIMESTAMP_NOT_FINITE(t))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("modelgov.clock must be a finite time, not \"%s\"", mg_clock_setting),
				 errhint("RESET modelgov.clock to use the current time.")));
	PG_RETURN_TIMESTAMPTZ(t);
}

/* modelgov.clock_overridden() -> boolean */
PG_FUNCTION_INFO_V1(mg_clock_is_overridden);
Datum
mg_clock_is_overridden(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(clock_overridden());
}
