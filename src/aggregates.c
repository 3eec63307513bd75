/*-------------------------------------------------------------------------
 *
 * aggregates.c
 *		The transition and combine functions of modelgov.decision_counts.
 *
 * The state is a bigint[5]: decisions, AUTO, ASK, ESCALATE, errors (NULL
 * decisions).  Written in C because a SQL transition function with its
 * search_path pinned is never inlined and costs a full function call per
 * row.  Called as an aggregate, both update their first argument in
 * place, as PostgreSQL's own int8 aggregates do.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_enum.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/syscache.h"

#define NCOUNTS 5

/* the OIDs of the labels AUTO, ASK and ESCALATE of the argument's type */
typedef struct DecisionLabels
{
	Oid			type;
	Oid			label[3];
} DecisionLabels;

static int64 *
counts_of(ArrayType *a)
{
	if (ARR_NDIM(a) != 1 || ARR_DIMS(a)[0] != NCOUNTS || ARR_HASNULL(a) ||
		ARR_ELEMTYPE(a) != INT8OID)
		elog(ERROR, "decision_counts expects a bigint[%d] state without NULLs", NCOUNTS);
	return (int64 *) ARR_DATA_PTR(a);
}

static const DecisionLabels *
labels_for(FunctionCallInfo fcinfo)
{
	DecisionLabels *l = (DecisionLabels *) fcinfo->flinfo->fn_extra;
	Oid			type = get_fn_expr_argtype(fcinfo->flinfo, 1);
	static const char *const names[3] = {"AUTO", "ASK", "ESCALATE"};

	if (l != NULL && l->type == type)
		return l;
	if (!OidIsValid(type))
		elog(ERROR, "decision_counts: could not determine the argument's type");
	if (l == NULL)
	{
		l = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(DecisionLabels));
		fcinfo->flinfo->fn_extra = l;
	}
	for (int i = 0; i < 3; i++)
	{
		l->label[i] = GetSysCacheOid2(ENUMTYPOIDNAME, Anum_pg_enum_oid,
									  ObjectIdGetDatum(type), CStringGetDatum(names[i]));
		if (!OidIsValid(l->label[i]))
			elog(ERROR, "decision_counts: type %u has no label %s", type, names[i]);
	}
	l->type = type;
	return l;
}

/* modelgov_internal.decision_counts_add(bigint[], modelgov.decision) -> bigint[] */
PG_FUNCTION_INFO_V1(mg_decision_counts_add);
Datum
mg_decision_counts_add(PG_FUNCTION_ARGS)
{
	ArrayType  *state;
	int64	   *c;

	if (PG_ARGISNULL(0))
		elog(ERROR, "decision_counts: the state is NULL");
	state = AggCheckCallContext(fcinfo, NULL) ? PG_GETARG_ARRAYTYPE_P(0) : PG_GETARG_ARRAYTYPE_P_COPY(0);
	c = counts_of(state);
	c[0]++;
	if (PG_ARGISNULL(1))
		c[4]++;
	else
	{
		const DecisionLabels *l = labels_for(fcinfo);
		Oid			d = PG_GETARG_OID(1);

		for (int i = 0; i < 3; i++)
			if (d == l->label[i])
				c[1 + i]++;
	}
	PG_RETURN_ARRAYTYPE_P(state);
}

/* modelgov_internal.decision_counts_combine(bigint[], bigint[]) -> bigint[] */
PG_FUNCTION_INFO_V1(mg_decision_counts_combine);
Datum
mg_decision_counts_combine(PG_FUNCTION_ARGS)
{
	ArrayType  *a = AggCheckCallContext(fcinfo, NULL) ? PG_GETARG_ARRAYTYPE_P(0) : PG_GETARG_ARRAYTYPE_P_COPY(0);
	ArrayType  *b = PG_GETARG_ARRAYTYPE_P(1);
	int64	   *ca = counts_of(a);
	int64	   *cb = counts_of(b);

	for (int i = 0; i < NCOUNTS; i++)
		ca[i] += cb[i];
	PG_RETURN_ARRAYTYPE_P(a);
}
