/*-------------------------------------------------------------------------
 *
 * logistic.c
 *		modelgov.fit_logistic(x float8[], label boolean [, l2 float8]): the
 *		aggregate's transition, combine, serialize, deserialize and final
 *		functions.  The fit itself is logistic_core.c.
 *
 * The state holds every row in memory: 8 bytes per column of x and one
 * byte for the label, in two arrays grown by doubling with
 * MemoryContextAllocHuge / repalloc_huge in the aggregate's context, at
 * most MG_LOGIT_MAX_VALUES values (rows * max(columns, 1)).  Partial
 * states of parallel workers are concatenated.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "common/shortest_dec.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "logistic_core.h"

#define INITIAL_ROWS 16

typedef struct LogitState
{
	int			k;				/* columns of x; -1 before the first row */
	bool		has_l2;			/* l2 was given (by the first row) */
	double		l2;
	int64		n;				/* rows held */
	int64		cap;			/* rows allocated */
	int64		skipped;		/* rows with a NULL x, label or element */
	double	   *x;				/* n * k, row-major */
	unsigned char *y;			/* n */
} LogitState;

static LogitState *
new_state(MemoryContext cxt)
{
	LogitState *st = MemoryContextAllocZero(cxt, sizeof(LogitState));

	st->k = -1;
	return st;
}

static int64
max_rows(int k)
{
	return MG_LOGIT_MAX_VALUES / (k > 0 ? k : 1);
}

/* make room for extra more rows; the arrays live in cxt */
static void
reserve(LogitState *st, int64 extra, MemoryContext cxt)
{
	int64		need = st->n + extra;
	int64		cap;

	if (need > max_rows(st->k))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("fit_logistic holds too many rows"),
				 errdetail("The rows would hold %lld values of x (rows times columns, %d columns); at most %d are allowed.",
						   (long long) need * (st->k > 0 ? st->k : 1), st->k, MG_LOGIT_MAX_VALUES),
				 errhint("Fit a sample, for example with TABLESAMPLE, or fewer columns.")));
	if (need <= st->cap)
		return;
	cap = st->cap > 0 ? st->cap : INITIAL_ROWS;
	while (cap < need)
		cap *= 2;
	if (cap > max_rows(st->k))
		cap = max_rows(st->k);
	if (st->x == NULL)
	{
		st->x = MemoryContextAllocHuge(cxt, sizeof(double) * (Size) cap * (st->k > 0 ? st->k : 1));
		st->y = MemoryContextAllocHuge(cxt, (Size) cap);
	}
	else
	{
		st->x = repalloc_huge(st->x, sizeof(double) * (Size) cap * (st->k > 0 ? st->k : 1));
		st->y = repalloc_huge(st->y, (Size) cap);
	}
	st->cap = cap;
}

static void
check_l2(LogitState *st, double l2)
{
	if (isnan(l2) || isinf(l2) || l2 < 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("fit_logistic l2 must be a finite number >= 0"),
				 errdetail("l2 is %s.", float8out_internal(l2))));
	if (!st->has_l2)
	{
		st->has_l2 = true;
		st->l2 = l2;
	}
	else if (st->l2 != l2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("fit_logistic l2 must be the same on every row"),
				 errdetail("The first row has l2 = %s; this row has %s.",
						   float8out_internal(st->l2), float8out_internal(l2))));
}

static Datum
add_row(FunctionCallInfo fcinfo, bool with_l2)
{
	MemoryContext aggcxt;
	LogitState *st;
	ArrayType  *a;
	int			len;
	double	   *v;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "fit_logistic transition function called in a non-aggregate context");
	st = PG_ARGISNULL(0) ? new_state(aggcxt) : (LogitState *) PG_GETARG_POINTER(0);

	if (with_l2)
	{
		if (PG_ARGISNULL(3))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("fit_logistic l2 must not be NULL"),
					 errdetail("Pass 0 for no penalty.")));
		check_l2(st, PG_GETARG_FLOAT8(3));
	}
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		st->skipped++;
		PG_RETURN_POINTER(st);
	}
	a = PG_GETARG_ARRAYTYPE_P(1);
	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("fit_logistic x must be a one-dimensional array"),
				 errdetail("The array has %d dimensions.", ARR_NDIM(a))));
	if (ARR_HASNULL(a))
	{
		st->skipped++;
		PG_RETURN_POINTER(st);
	}
	len = ARR_NDIM(a) == 0 ? 0 : ARR_DIMS(a)[0];
	if (len > MG_LOGIT_MAX_COLUMNS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("fit_logistic x has too many columns"),
				 errdetail("x has %d elements; at most %d are allowed.", len, MG_LOGIT_MAX_COLUMNS)));
	if (st->k < 0)
		st->k = len;
	else if (len != st->k)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("fit_logistic x must have the same length on every row"),
				 errdetail("The first row has %d elements; this row has %d.", st->k, len)));
	v = (double *) ARR_DATA_PTR(a);
	for (int j = 0; j < len; j++)
		if (!(fabs(v[j]) <= MG_LOGIT_MAX_ABS))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("fit_logistic x must hold finite values of at most 1e100 in absolute value"),
					 errdetail("x[%d] is %s.", j + 1, float8out_internal(v[j]))));
	reserve(st, 1, aggcxt);
	if (len > 0)
		memcpy(st->x + st->n * len, v, sizeof(double) * len);
	st->y[st->n] = PG_GETARG_BOOL(2) ? 1 : 0;
	st->n++;
	PG_RETURN_POINTER(st);
}

/* modelgov_internal.fit_logistic_add(internal, float8[], boolean) -> internal */
PG_FUNCTION_INFO_V1(mg_fit_logistic_add);
Datum
mg_fit_logistic_add(PG_FUNCTION_ARGS)
{
	return add_row(fcinfo, false);
}

/* modelgov_internal.fit_logistic_add(internal, float8[], boolean, float8) -> internal */
PG_FUNCTION_INFO_V1(mg_fit_logistic_add_l2);
Datum
mg_fit_logistic_add_l2(PG_FUNCTION_ARGS)
{
	return add_row(fcinfo, true);
}

/* append src's rows to dst (both with rows, or dst empty) */
static void
merge(LogitState *dst, const LogitState *src, MemoryContext cxt)
{
	if (src->has_l2)
		check_l2(dst, src->l2);
	dst->skipped += src->skipped;
	if (src->k < 0)
		return;
	if (dst->k < 0)
		dst->k = src->k;
	else if (dst->k != src->k)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("fit_logistic x must have the same length on every row"),
				 errdetail("One part of the rows has %d elements, another %d.", dst->k, src->k)));
	if (src->n == 0)
		return;
	reserve(dst, src->n, cxt);
	if (dst->k > 0)
		memcpy(dst->x + dst->n * dst->k, src->x, sizeof(double) * (Size) src->n * dst->k);
	memcpy(dst->y + dst->n, src->y, (Size) src->n);
	dst->n += src->n;
}

/* modelgov_internal.fit_logistic_combine(internal, internal) -> internal */
PG_FUNCTION_INFO_V1(mg_fit_logistic_combine);
Datum
mg_fit_logistic_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	LogitState *a;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "fit_logistic combine function called in a non-aggregate context");
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	a = PG_ARGISNULL(0) ? new_state(aggcxt) : (LogitState *) PG_GETARG_POINTER(0);
	merge(a, (LogitState *) PG_GETARG_POINTER(1), aggcxt);
	PG_RETURN_POINTER(a);
}

/*
 * The serialized state: k (int4), has_l2 (int1), l2 (float8), n (int8),
 * skipped (int8), then n * k float8 and n label bytes, in the host's
 * byte order (it only travels between processes of one server).
 */
typedef struct LogitHeader
{
	int32		k;
	int32		has_l2;
	double		l2;
	int64		n;
	int64		skipped;
} LogitHeader;

/* modelgov_internal.fit_logistic_serialize(internal) -> bytea */
PG_FUNCTION_INFO_V1(mg_fit_logistic_serialize);
Datum
mg_fit_logistic_serialize(PG_FUNCTION_ARGS)
{
	LogitState *st = (LogitState *) PG_GETARG_POINTER(0);
	Size		xbytes = st->k > 0 ? sizeof(double) * (Size) st->n * st->k : 0;
	Size		total = VARHDRSZ + sizeof(LogitHeader) + xbytes + (Size) st->n;
	bytea	   *out;
	LogitHeader h;
	char	   *p;

	if (!AggCheckCallContext(fcinfo, NULL))
		elog(ERROR, "fit_logistic serialize function called in a non-aggregate context");
	if (total > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("fit_logistic partial state is too large to pass between parallel processes"),
				 errdetail("A worker's rows take %zu bytes; at most %zu can be passed.", total, (Size) MaxAllocSize),
				 errhint("Run the fit without a parallel plan (SET max_parallel_workers_per_gather = 0), or fit a sample.")));
	out = (bytea *) palloc(total);
	SET_VARSIZE(out, total);
	memset(&h, 0, sizeof(h));
	h.k = st->k;
	h.has_l2 = st->has_l2 ? 1 : 0;
	h.l2 = st->l2;
	h.n = st->n;
	h.skipped = st->skipped;
	p = VARDATA(out);
	memcpy(p, &h, sizeof(h));
	p += sizeof(h);
	if (xbytes > 0)
		memcpy(p, st->x, xbytes);
	p += xbytes;
	if (st->n > 0)
		memcpy(p, st->y, (Size) st->n);
	PG_RETURN_BYTEA_P(out);
}

/* modelgov_internal.fit_logistic_deserialize(bytea, internal) -> internal */
PG_FUNCTION_INFO_V1(mg_fit_logistic_deserialize);
Datum
mg_fit_logistic_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	Size		len = VARSIZE_ANY_EXHDR(in);
	const char *p = VARDATA_ANY(in);
	LogitHeader h;
	LogitState *st;
	Size		xbytes;

	if (!AggCheckCallContext(fcinfo, NULL))
		elog(ERROR, "fit_logistic deserialize function called in a non-aggregate context");
	if (len < sizeof(h))
		elog(ERROR, "fit_logistic: a serialized state is too short");
	memcpy(&h, p, sizeof(h));
	p += sizeof(h);
	if (h.k < -1 || h.k > MG_LOGIT_MAX_COLUMNS || h.n < 0 || h.n > MG_LOGIT_MAX_VALUES ||
		(h.k < 0 && h.n > 0))
		elog(ERROR, "fit_logistic: a serialized state is corrupt");
	xbytes = h.k > 0 ? sizeof(double) * (Size) h.n * h.k : 0;
	if (len != sizeof(h) + xbytes + (Size) h.n)
		elog(ERROR, "fit_logistic: a serialized state has the wrong length");
	/* a read-only view of the bytes: combine copies what it keeps */
	st = palloc0(sizeof(LogitState));
	st->k = h.k;
	st->has_l2 = h.has_l2 != 0;
	st->l2 = h.l2;
	st->n = h.n;
	st->cap = h.n;
	st->skipped = h.skipped;
	st->x = (double *) palloc(xbytes > 0 ? xbytes : 1);
	if (xbytes > 0)
		memcpy(st->x, p, xbytes);
	st->y = (unsigned char *) (p + xbytes);
	PG_RETURN_POINTER(st);
}

/* the core's interrupt hook: a cancel or a statement_timeout ends the fit */
static void
check_interrupts(void)
{
	CHECK_FOR_INTERRUPTS();
}

static void *
palloc_alloc(void *ctx, size_t size)
{
	return MemoryContextAllocHuge((MemoryContext) ctx, size);
}

static void
append_number(StringInfo buf, double v)
{
	char		s[DOUBLE_SHORTEST_DECIMAL_LEN];

	if (!isfinite(v))
	{
		appendStringInfoString(buf, "null");
		return;
	}
	double_to_shortest_decimal_buf(v, s);
	appendStringInfoString(buf, s);
}

/* modelgov_internal.fit_logistic_final(internal) -> jsonb */
PG_FUNCTION_INFO_V1(mg_fit_logistic_final);
Datum
mg_fit_logistic_final(PG_FUNCTION_ARGS)
{
	LogitState *st = PG_ARGISNULL(0) ? NULL : (LogitState *) PG_GETARG_POINTER(0);
	MgLogitFit	fit;
	StringInfoData buf;
	int			k;

	if (!AggCheckCallContext(fcinfo, NULL))
		elog(ERROR, "fit_logistic final function called in a non-aggregate context");
	k = st != NULL && st->k > 0 ? st->k : 0;
	memset(&fit, 0, sizeof(fit));
	fit.weights = palloc0(sizeof(double) * (k > 0 ? k : 1));
	if (st == NULL || st->n == 0)
		fit.status = MG_LOGIT_NO_ROWS;
	else if ((mg_logit_interrupt_hook = check_interrupts,
			  mg_logit_fit(st->x, st->y, (size_t) st->n, k, st->has_l2 ? st->l2 : 0.0,
						   palloc_alloc, CurrentMemoryContext, &fit)) != 0)
		elog(ERROR, "fit_logistic: out of memory");

	initStringInfo(&buf);
	appendStringInfoString(&buf, "{\"weights\": ");
	if (fit.status == MG_LOGIT_NO_ROWS)
		appendStringInfoString(&buf, "null, \"intercept\": null");
	else
	{
		appendStringInfoChar(&buf, '[');
		for (int j = 0; j < k; j++)
		{
			if (j > 0)
				appendStringInfoString(&buf, ", ");
			append_number(&buf, fit.weights[j]);
		}
		appendStringInfoString(&buf, "], \"intercept\": ");
		append_number(&buf, fit.intercept);
	}
	appendStringInfo(&buf, ", \"converged\": %s, \"iterations\": %d, \"n\": " INT64_FORMAT,
					 fit.status == MG_LOGIT_CONVERGED ? "true" : "false", fit.iterations,
					 st != NULL ? st->n : (int64) 0);
	appendStringInfoString(&buf, ", \"log_loss\": ");
	if (fit.status == MG_LOGIT_NO_ROWS)
		appendStringInfoString(&buf, "null");
	else
		append_number(&buf, fit.log_loss);
	appendStringInfo(&buf, ", \"l2\": ");
	append_number(&buf, st != NULL && st->has_l2 ? st->l2 : 0.0);
	appendStringInfo(&buf, ", \"skipped\": " INT64_FORMAT, st != NULL ? st->skipped : (int64) 0);
	if (fit.status != MG_LOGIT_CONVERGED)
		appendStringInfo(&buf, ", \"reason\": \"%s\", \"reason_detail\": \"%s\"",
						 mg_logit_reason(fit.status), mg_logit_reason_text(fit.status));
	appendStringInfoChar(&buf, '}');
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}
