/*-------------------------------------------------------------------------
 *
 * governance.c
 *		The entry of every governance call: act only for the caller.
 *
 * The actor of a governance call is the calling role: the role set with
 * SET ROLE, else the session user (modelgov_internal.actor()).  A call must
 * act only when the role whose rights run it is that actor.  Inside another
 * role's SECURITY DEFINER function (also as a trigger's function or in a
 * view) the two differ: a member's function run by a product manager would
 * otherwise approve in the product manager's name.  Code that runs with the
 * caller's own rights (an ordinary trigger, a view's SECURITY INVOKER
 * function) cannot be told apart from the caller here; the docs say how to
 * keep members from planting it.
 *
 * A SECURITY DEFINER function cannot see the role that called it, so each
 * governance function of the API (modelgov.approve, ...) is this C
 * function, which runs with the caller's rights: it compares the role it
 * runs as with the actor, then calls the body, modelgov_internal.<same name>
 * with the same argument types, a SECURITY DEFINER function that nobody
 * else may execute.  fmgr checks no privilege, so the body runs only from
 * here.  Set-returning bodies (monitor) fill the caller's ReturnSetInfo.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_proc.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "catalog/namespace.h"
#include "pgstat.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/syscache.h"

#include "modelgov.h"

/* the body of a call site's function, looked up once */
typedef struct GovernanceBody
{
	FmgrInfo	flinfo;
} GovernanceBody;

static GovernanceBody *
body_of(FunctionCallInfo fcinfo)
{
	GovernanceBody *body = (GovernanceBody *) fcinfo->flinfo->fn_extra;
	HeapTuple	tup;
	Form_pg_proc proc;
	Oid			body_oid;

	if (body != NULL)
		return body;
	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(fcinfo->flinfo->fn_oid));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for function %u", fcinfo->flinfo->fn_oid);
	proc = (Form_pg_proc) GETSTRUCT(tup);
	/* by the catalog, not by name lookup: the caller may not use the schema */
	body_oid = GetSysCacheOid3(PROCNAMEARGSNSP, Anum_pg_proc_oid,
							   CStringGetDatum(NameStr(proc->proname)),
							   PointerGetDatum(&proc->proargtypes),
							   ObjectIdGetDatum(get_namespace_oid("modelgov_internal", false)));
	if (!OidIsValid(body_oid))
		elog(ERROR, "modelgov_internal.%s, the body of function %u, does not exist",
			 NameStr(proc->proname), fcinfo->flinfo->fn_oid);
	ReleaseSysCache(tup);

	body = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(GovernanceBody));
	fmgr_info_cxt(body_oid, &body->flinfo, fcinfo->flinfo->fn_mcxt);
	fcinfo->flinfo->fn_extra = body;
	return body;
}

/* the role a governance call acts for: SET ROLE's, else the session user */
static Oid
actor_role(void)
{
	Oid			role = GetCurrentRoleId();

	return OidIsValid(role) ? role : GetSessionUserId();
}

/*
 * Re-throw the error a body raised without the context lines of the
 * extension's internal functions: a user who called approve() with a typo
 * reads what is wrong, not the helper that found it.  They are the
 * innermost lines of the context; the lines of the caller's own functions,
 * after them, stay.  An internal error (XX000) keeps its whole context.
 */
static void
rethrow_without_internals(void)
{
	ErrorData  *edata = CopyErrorData();

	FlushErrorState();
	if (edata->context != NULL && edata->sqlerrcode != ERRCODE_INTERNAL_ERROR)
	{
		char	   *last = NULL;
		char	   *p = edata->context;

		while ((p = strstr(p, "modelgov_internal.")) != NULL)
			last = p++;
		if (last != NULL)
		{
			char	   *rest = strchr(last, '\n');

			edata->context = rest != NULL ? pstrdup(rest + 1) : NULL;
		}
	}
	ReThrowError(edata);
}

PG_FUNCTION_INFO_V1(mg_governance_call);
Datum
mg_governance_call(PG_FUNCTION_ARGS)
{
	Oid			runs_as = GetUserId();
	Oid			actor = actor_role();
	MemoryContext caller = CurrentMemoryContext;
	GovernanceBody *body;
	LOCAL_FCINFO(inner, FUNC_MAX_ARGS);
	PgStat_FunctionCallUsage usage;
	Datum		result;

	if (runs_as != actor)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to act as role %s", GetUserNameFromId(actor, false)),
				 errdetail("This call runs with the rights of role %s (inside a SECURITY DEFINER function, "
						   "a trigger or a view's function), not with those of role %s, in whose name "
						   "it would act.",
						   GetUserNameFromId(runs_as, false), GetUserNameFromId(actor, false)),
				 errhint("Call modelgov's governance functions directly, as the role that acts.")));

	/* the record is governed on the primary, never on a subscriber */
	mg_refuse_on_subscriber(fcinfo->flinfo->fn_oid);

	body = body_of(fcinfo);
	InitFunctionCallInfoData(*inner, &body->flinfo, PG_NARGS(), fcinfo->fncollation,
							 fcinfo->context, fcinfo->resultinfo);
	for (int i = 0; i < PG_NARGS(); i++)
		inner->args[i] = fcinfo->args[i];

	/* counted in pg_stat_user_functions like a call from a query */
	pgstat_init_function_usage(inner, &usage);
	PG_TRY();
	{
		result = FunctionCallInvoke(inner);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(caller);
		rethrow_without_internals();
	}
	PG_END_TRY();
	pgstat_end_function_usage(&usage, true);

	fcinfo->isnull = inner->isnull;
	return result;
}
