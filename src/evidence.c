/*-------------------------------------------------------------------------
 *
 * evidence.c
 *		The aggregates evaluation, optimize_thresholds and impact: their
 *		transition, combine, serialize, deserialize and final functions.
 *		The computations are in evidence_core.c.
 *
 * evaluation and optimize_thresholds hold every row as one 8-byte key (p
 * and class, see evidence_core.h) in an array in the aggregate's memory
 * context, grown by doubling (MemoryContextAllocHuge, repalloc_huge), at
 * most MG_EV_MAX_ROWS rows.  Their final function sorts the array in place
 * (once: a flag remembers it), which changes the order of the held rows
 * but not which rows are held, and more rows may be added after it: so the
 * aggregates declare FINALFUNC_MODIFY = READ_ONLY (PostgreSQL may call the
 * final function again, also after more transitions, as a running window
 * does).
 * impact counts the 27 (old, new, correct) triples.
 *
 * A serialized state is a bytea: evaluation and optimize_thresholds, the
 * rows held, the rows skipped, then the keys; impact, the 27 counts and
 * the rows skipped.  Native byte order: it only travels between the
 * processes of one server.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_enum.h"
#include "common/shortest_dec.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "evidence_core.h"
#include "modelgov.h"

/* the held rows of evaluation and optimize_thresholds */
typedef struct EvPoints
{
	int64		n;				/* rows held */
	int64		cap;			/* room in keys */
	int64		skipped;		/* rows with a NULL argument */
	bool		sorted;			/* keys[0..n) are sorted */
	uint64	   *keys;
} EvPoints;

/* the counts of impact */
typedef struct EvImpact
{
	int64		counts[MG_EV_IMPACT_CELLS];
	int64		skipped;
} EvImpact;

#define EV_INITIAL_CAP	16

/*
 * modelgov.evidence_max_rows: the most rows one evaluation or
 * optimize_thresholds call holds, at most MG_EV_MAX_ROWS (the default).
 * Lowering it caps the memory of one call; the tests lower it to reach
 * the refusal.
 */
static int	mg_evidence_max_rows = (int) MG_EV_MAX_ROWS;

/* called from _PG_init */
void
mg_evidence_init(void)
{
	DefineCustomIntVariable("modelgov.evidence_max_rows",
							"Most rows one evaluation or optimize_thresholds call holds in memory.",
							"8 bytes a row; past it the call fails with 54000.",
							&mg_evidence_max_rows,
							(int) MG_EV_MAX_ROWS, 1, (int) MG_EV_MAX_ROWS,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
}

static char *float_text(double v);

/* the OIDs of the labels AUTO, ASK and ESCALATE of a decision argument */
typedef struct EvLabels
{
	Oid			type;
	Oid			label[3];
} EvLabels;

static const char *const decision_names[3] = {"AUTO", "ASK", "ESCALATE"};

static MemoryContext
agg_context(FunctionCallInfo fcinfo, const char *fname)
{
	MemoryContext aggcontext;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		elog(ERROR, "%s called in non-aggregate context", fname);
	return aggcontext;
}

/* the labels of the type of argument argno (a modelgov.decision) */
static const EvLabels *
labels_for(FunctionCallInfo fcinfo, int argno)
{
	EvLabels   *l = (EvLabels *) fcinfo->flinfo->fn_extra;
	Oid			type;

	if (l != NULL)
		return l;
	type = get_fn_expr_argtype(fcinfo->flinfo, argno);
	if (!OidIsValid(type))
		elog(ERROR, "could not determine the type of a decision argument");
	l = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(EvLabels));
	for (int i = 0; i < 3; i++)
	{
		l->label[i] = GetSysCacheOid2(ENUMTYPOIDNAME, Anum_pg_enum_oid,
									  ObjectIdGetDatum(type),
									  CStringGetDatum(decision_names[i]));
		if (!OidIsValid(l->label[i]))
			elog(ERROR, "type %u has no label %s", type, decision_names[i]);
	}
	l->type = type;
	fcinfo->flinfo->fn_extra = l;
	return l;
}

static inline int
decision_index(const EvLabels *l, Oid d)
{
	for (int i = 0; i < 3; i++)
		if (d == l->label[i])
			return i;
	elog(ERROR, "%u is not a label of modelgov.decision", d);
	pg_unreachable();
}

/*
 * Points
 */

static EvPoints *
points_new(MemoryContext cxt, int64 cap)
{
	EvPoints   *s = MemoryContextAllocZero(cxt, sizeof(EvPoints));

	s->cap = Max(cap, EV_INITIAL_CAP);
	s->keys = MemoryContextAllocHuge(cxt, (Size) s->cap * sizeof(uint64));
	s->sorted = true;
	return s;
}

static void
points_limit(const char *fname)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("%s cannot hold more than %d rows", fname, mg_evidence_max_rows),
			 errdetail("%s holds every row it aggregates in memory, 8 bytes a row, to compute exact results; "
					   "modelgov.evidence_max_rows is %d (at most " INT64_FORMAT ").",
					   fname, mg_evidence_max_rows, MG_EV_MAX_ROWS),
			 errhint("Aggregate a sample of the rows, for example with TABLESAMPLE or a WHERE clause on a hash of a key.")));
}

/* make room for extra more rows */
static void
points_reserve(EvPoints *s, int64 extra, const char *fname)
{
	int64		need = s->n + extra;
	int64		cap;

	if (need > mg_evidence_max_rows)
		points_limit(fname);
	if (need <= s->cap)
		return;
	cap = s->cap;
	while (cap < need)
		cap *= 2;
	cap = Min(cap, Max(need, mg_evidence_max_rows));
	s->keys = repalloc_huge(s->keys, (Size) cap * sizeof(uint64));
	s->cap = cap;
}

/* the state of a points transition, made on the first row */
static EvPoints *
points_state(FunctionCallInfo fcinfo, const char *fname)
{
	MemoryContext aggcontext = agg_context(fcinfo, fname);

	if (PG_ARGISNULL(0))
		return points_new(aggcontext, EV_INITIAL_CAP);
	return (EvPoints *) PG_GETARG_POINTER(0);
}

/* hold risk p of class cls, after checking p */
static void
points_push(EvPoints *s, double p, unsigned cls, const char *fname)
{
	MgEvRiskError err = mg_ev_check_p(p);

	if (unlikely(err != MG_EV_RISK_OK))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s: risk p must be between 0 and 1", fname),
				 errdetail("p is %s.", err == MG_EV_RISK_NAN ? "NaN" :
						   err == MG_EV_RISK_INFINITE ? (p > 0 ? "Infinity" : "-Infinity") :
						   float_text(p)),
				 errhint("A risk is a probability, such as the calibrated risk modelgov.score returns.")));
	if (unlikely(s->n >= s->cap || s->n >= mg_evidence_max_rows))
		points_reserve(s, 1, fname);
	s->keys[s->n++] = mg_ev_key(p, cls);
	s->sorted = false;
}

/* modelgov_internal.evaluation_add(internal, float8, boolean) -> internal */
PG_FUNCTION_INFO_V1(mg_evaluation_add);
Datum
mg_evaluation_add(PG_FUNCTION_ARGS)
{
	EvPoints   *s = points_state(fcinfo, "evaluation");

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		s->skipped++;
	else
		points_push(s, PG_GETARG_FLOAT8(1), PG_GETARG_BOOL(2) ? 1 : 0, "evaluation");
	PG_RETURN_POINTER(s);
}

/* modelgov_internal.optimize_thresholds_add(internal, float8, modelgov.decision) -> internal */
PG_FUNCTION_INFO_V1(mg_optimize_thresholds_add);
Datum
mg_optimize_thresholds_add(PG_FUNCTION_ARGS)
{
	EvPoints   *s = points_state(fcinfo, "optimize_thresholds");

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		s->skipped++;
	else
		points_push(s, PG_GETARG_FLOAT8(1),
					(unsigned) decision_index(labels_for(fcinfo, 2), PG_GETARG_OID(2)),
					"optimize_thresholds");
	PG_RETURN_POINTER(s);
}

/* modelgov_internal.evidence_points_combine(internal, internal) -> internal */
PG_FUNCTION_INFO_V1(mg_evidence_points_combine);
Datum
mg_evidence_points_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = agg_context(fcinfo, "evidence_points_combine");
	EvPoints   *a = PG_ARGISNULL(0) ? NULL : (EvPoints *) PG_GETARG_POINTER(0);
	EvPoints   *b = PG_ARGISNULL(1) ? NULL : (EvPoints *) PG_GETARG_POINTER(1);

	if (b == NULL)
		PG_RETURN_POINTER(a);
	if (a == NULL)
	{
		/* b may live in a shorter-lived context: copy it */
		a = points_new(aggcontext, b->n);
		a->skipped = b->skipped;
		memcpy(a->keys, b->keys, (Size) b->n * sizeof(uint64));
		a->n = b->n;
		a->sorted = b->sorted;
		PG_RETURN_POINTER(a);
	}
	points_reserve(a, b->n, "evaluation or optimize_thresholds");
	memcpy(a->keys + a->n, b->keys, (Size) b->n * sizeof(uint64));
	a->n += b->n;
	a->skipped += b->skipped;
	if (b->n > 0)
		a->sorted = false;
	PG_RETURN_POINTER(a);
}

#define POINTS_HEADER	(2 * sizeof(int64))

/* modelgov_internal.evidence_points_serialize(internal) -> bytea */
PG_FUNCTION_INFO_V1(mg_evidence_points_serialize);
Datum
mg_evidence_points_serialize(PG_FUNCTION_ARGS)
{
	EvPoints   *s = (EvPoints *) PG_GETARG_POINTER(0);
	Size		len = VARHDRSZ + POINTS_HEADER + (Size) s->n * sizeof(uint64);
	bytea	   *out;
	char	   *d;

	(void) agg_context(fcinfo, "evidence_points_serialize");
	out = (bytea *) palloc(len);
	SET_VARSIZE(out, len);
	d = VARDATA(out);
	memcpy(d, &s->n, sizeof(int64));
	memcpy(d + sizeof(int64), &s->skipped, sizeof(int64));
	memcpy(d + POINTS_HEADER, s->keys, (Size) s->n * sizeof(uint64));
	PG_RETURN_BYTEA_P(out);
}

/* modelgov_internal.evidence_points_deserialize(bytea, internal) -> internal */
PG_FUNCTION_INFO_V1(mg_evidence_points_deserialize);
Datum
mg_evidence_points_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	const char *d = VARDATA_ANY(in);
	Size		len = VARSIZE_ANY_EXHDR(in);
	int64		n,
				skipped;
	EvPoints   *s;

	(void) agg_context(fcinfo, "evidence_points_deserialize");
	if (len < POINTS_HEADER)
		elog(ERROR, "evidence_points_deserialize: a state of %zu bytes is too short", len);
	memcpy(&n, d, sizeof(int64));
	memcpy(&skipped, d + sizeof(int64), sizeof(int64));
	if (n < 0 || n > MG_EV_MAX_ROWS || len != POINTS_HEADER + (Size) n * sizeof(uint64))
		elog(ERROR, "evidence_points_deserialize: a state of %zu bytes does not hold " INT64_FORMAT " rows",
			 len, n);
	s = points_new(CurrentMemoryContext, n);
	memcpy(s->keys, d + POINTS_HEADER, (Size) n * sizeof(uint64));
	s->n = n;
	s->skipped = skipped;
	s->sorted = false;
	PG_RETURN_POINTER(s);
}

/* sort the held keys in place, once */
static void
points_sort(EvPoints *s)
{
	uint64	   *scratch = NULL;

	if (s->sorted)
		return;
	if (s->n >= MG_EV_RADIX_MIN)
		scratch = MemoryContextAllocHuge(CurrentMemoryContext, (Size) s->n * sizeof(uint64));
	mg_ev_sort(s->keys, (size_t) s->n, scratch);
	if (scratch)
		pfree(scratch);
	s->sorted = true;
}

/*
 * Building the jsonb: a JSON text parsed once by jsonb_in.  A float8 is
 * written as the shortest decimal that reads back as the same float8, so
 * (result ->> 'key')::float8 is exactly the computed value.
 */
typedef struct JsonOut
{
	StringInfoData buf;
	bool		first;
} JsonOut;

static void
json_begin(JsonOut *j)
{
	initStringInfo(&j->buf);
	appendStringInfoChar(&j->buf, '{');
	j->first = true;
}

static void
json_key(JsonOut *j, const char *key)
{
	if (!j->first)
		appendStringInfoString(&j->buf, ", ");
	j->first = false;
	escape_json(&j->buf, key);
	appendStringInfoString(&j->buf, ": ");
}

static void
json_int(JsonOut *j, const char *key, int64 v)
{
	json_key(j, key);
	appendStringInfo(&j->buf, INT64_FORMAT, v);
}

static void
json_float(JsonOut *j, const char *key, bool present, double v)
{
	char		num[DOUBLE_SHORTEST_DECIMAL_LEN];

	json_key(j, key);
	if (!present)
	{
		appendStringInfoString(&j->buf, "null");
		return;
	}
	Assert(isfinite(v));
	double_to_shortest_decimal_buf(v, num);
	appendStringInfoString(&j->buf, num);
}

static void
json_text(JsonOut *j, const char *key, const char *v)
{
	json_key(j, key);
	escape_json(&j->buf, v);
}

static Datum
json_end(JsonOut *j)
{
	appendStringInfoChar(&j->buf, '}');
	return DirectFunctionCall1(jsonb_in, CStringGetDatum(j->buf.data));
}

/* the shortest decimal of v, for notes */
static char *
float_text(double v)
{
	char	   *num = palloc(DOUBLE_SHORTEST_DECIMAL_LEN);

	double_to_shortest_decimal_buf(v, num);
	return num;
}

/* modelgov_internal.evaluation_final(internal) -> jsonb */
PG_FUNCTION_INFO_V1(mg_evaluation_final);
Datum
mg_evaluation_final(PG_FUNCTION_ARGS)
{
	EvPoints   *s = PG_ARGISNULL(0) ? NULL : (EvPoints *) PG_GETARG_POINTER(0);
	MgEvaluation r;
	JsonOut		j;

	(void) agg_context(fcinfo, "evaluation_final");
	if (s != NULL)
	{
		points_sort(s);
		mg_ev_evaluate(s->keys, (size_t) s->n, &r);
	}
	else
		mg_ev_evaluate(NULL, 0, &r);

	json_begin(&j);
	json_int(&j, "n", r.n);
	json_int(&j, "positives", r.positives);
	json_float(&j, "auc", r.has_auc, r.auc);
	json_float(&j, "brier", r.has_scores, r.brier);
	json_float(&j, "log_loss", r.has_scores, r.log_loss);
	json_float(&j, "youden_j", r.has_auc, r.youden_j);
	json_float(&j, "youden_threshold", r.has_auc, r.youden_threshold);
	json_int(&j, "skipped", s ? s->skipped : 0);
	if (r.n == 0)
		json_text(&j, "note", "no row has both p and label: every measure is null");
	else if (r.positives == r.n)
		json_text(&j, "note", "every row is positive (label true): auc, youden_j and youden_threshold are undefined");
	else if (r.positives == 0)
		json_text(&j, "note", "every row is negative (label false): auc, youden_j and youden_threshold are undefined");
	PG_RETURN_DATUM(json_end(&j));
}

/* modelgov_internal.optimize_thresholds_final(internal) -> jsonb */
PG_FUNCTION_INFO_V1(mg_optimize_thresholds_final);
Datum
mg_optimize_thresholds_final(PG_FUNCTION_ARGS)
{
	EvPoints   *s = PG_ARGISNULL(0) ? NULL : (EvPoints *) PG_GETARG_POINTER(0);
	MgThresholds r;
	JsonOut		j;
	StringInfoData note;

	(void) agg_context(fcinfo, "optimize_thresholds_final");
	if (s != NULL)
	{
		points_sort(s);
		mg_ev_optimize(s->keys, (size_t) s->n, &r);
	}
	else
		mg_ev_optimize(NULL, 0, &r);

	json_begin(&j);
	json_float(&j, "auto", r.has_auto, r.auto_t);
	json_float(&j, "escalate", r.has_escalate, r.escalate_t);
	json_float(&j, "youden_auto", r.has_auto, r.youden_auto);
	json_float(&j, "youden_escalate", r.has_escalate, r.youden_escalate);
	json_int(&j, "n", r.n);
	json_int(&j, "skipped", s ? s->skipped : 0);

	initStringInfo(&note);
	if (r.n == 0)
		appendStringInfoString(&note, "no row has both p and correct: no threshold can be chosen.");
	else
	{
		if (!r.has_auto)
			appendStringInfo(&note, "auto is undefined: %s row's correct decision is AUTO.",
							 r.count[0] == 0 ? "no" : "every");
		if (!r.has_escalate)
			appendStringInfo(&note, "%sescalate is undefined: %s row's correct decision is ESCALATE.",
							 note.len > 0 ? " " : "", r.count[2] == 0 ? "no" : "every");
		if (r.crossed)
			appendStringInfo(&note,
							 "the optima crossed (auto %s > escalate %s): both are set to %s, the single threshold "
							 "maximizing youden_auto + youden_escalate, which leaves no ASK band.",
							 float_text(r.auto_alone), float_text(r.escalate_alone), float_text(r.auto_t));
	}
	if (note.len > 0)
		json_text(&j, "note", note.data);
	PG_RETURN_DATUM(json_end(&j));
}

/*
 * impact
 */

/* modelgov_internal.impact_add(internal, decision, decision, decision) -> internal */
PG_FUNCTION_INFO_V1(mg_impact_add);
Datum
mg_impact_add(PG_FUNCTION_ARGS)
{
	EvImpact   *s;

	if (PG_ARGISNULL(0))
		s = MemoryContextAllocZero(agg_context(fcinfo, "impact"), sizeof(EvImpact));
	else
	{
		(void) agg_context(fcinfo, "impact");
		s = (EvImpact *) PG_GETARG_POINTER(0);
	}

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		s->skipped++;
	else
	{
		const EvLabels *l = labels_for(fcinfo, 1);
		int			o = decision_index(l, PG_GETARG_OID(1));
		int			w = decision_index(l, PG_GETARG_OID(2));
		int			c = decision_index(l, PG_GETARG_OID(3));

		s->counts[o * 9 + w * 3 + c]++;
	}
	PG_RETURN_POINTER(s);
}

/* modelgov_internal.impact_combine(internal, internal) -> internal */
PG_FUNCTION_INFO_V1(mg_impact_combine);
Datum
mg_impact_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = agg_context(fcinfo, "impact_combine");
	EvImpact   *a = PG_ARGISNULL(0) ? NULL : (EvImpact *) PG_GETARG_POINTER(0);
	EvImpact   *b = PG_ARGISNULL(1) ? NULL : (EvImpact *) PG_GETARG_POINTER(1);

	if (b == NULL)
		PG_RETURN_POINTER(a);
	if (a == NULL)
	{
		a = MemoryContextAlloc(aggcontext, sizeof(EvImpact));
		memcpy(a, b, sizeof(EvImpact));
		PG_RETURN_POINTER(a);
	}
	for (int i = 0; i < MG_EV_IMPACT_CELLS; i++)
		a->counts[i] += b->counts[i];
	a->skipped += b->skipped;
	PG_RETURN_POINTER(a);
}

/* modelgov_internal.impact_serialize(internal) -> bytea */
PG_FUNCTION_INFO_V1(mg_impact_serialize);
Datum
mg_impact_serialize(PG_FUNCTION_ARGS)
{
	EvImpact   *s = (EvImpact *) PG_GETARG_POINTER(0);
	bytea	   *out = (bytea *) palloc(VARHDRSZ + sizeof(EvImpact));

	(void) agg_context(fcinfo, "impact_serialize");
	SET_VARSIZE(out, VARHDRSZ + sizeof(EvImpact));
	memcpy(VARDATA(out), s, sizeof(EvImpact));
	PG_RETURN_BYTEA_P(out);
}

/* modelgov_internal.impact_deserialize(bytea, internal) -> internal */
PG_FUNCTION_INFO_V1(mg_impact_deserialize);
Datum
mg_impact_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	EvImpact   *s;

	(void) agg_context(fcinfo, "impact_deserialize");
	if (VARSIZE_ANY_EXHDR(in) != sizeof(EvImpact))
		elog(ERROR, "impact_deserialize: a state of %zu bytes is not %zu", VARSIZE_ANY_EXHDR(in),
			 sizeof(EvImpact));
	s = palloc(sizeof(EvImpact));
	memcpy(s, VARDATA_ANY(in), sizeof(EvImpact));
	PG_RETURN_POINTER(s);
}

/* modelgov_internal.impact_final(internal) -> jsonb */
PG_FUNCTION_INFO_V1(mg_impact_final);
Datum
mg_impact_final(PG_FUNCTION_ARGS)
{
	EvImpact	empty;
	EvImpact   *s = PG_ARGISNULL(0) ? NULL : (EvImpact *) PG_GETARG_POINTER(0);
	MgImpact	r;
	JsonOut		j;

	(void) agg_context(fcinfo, "impact_final");
	if (s == NULL)
	{
		memset(&empty, 0, sizeof(empty));
		s = &empty;
	}
	mg_ev_impact(s->counts, &r);

	json_begin(&j);
	json_int(&j, "sample_size", r.sample_size);
	json_float(&j, "expected_auto_resolve_rate", r.has_rates, r.new_auto_rate);
	json_float(&j, "expected_escalate_rate", r.has_rates, r.new_escalate_rate);
	json_float(&j, "old_auto_resolve_rate", r.has_rates, r.old_auto_rate);
	json_float(&j, "old_escalate_rate", r.has_rates, r.old_escalate_rate);
	json_float(&j, "correct_auto_before", r.has_correct_auto_before, r.correct_auto_before);
	json_float(&j, "correct_auto_after", r.has_correct_auto_after, r.correct_auto_after);
	json_float(&j, "youden_old", r.has_youden, r.youden_old);
	json_float(&j, "youden_new", r.has_youden, r.youden_new);
	json_float(&j, "youden_improvement", r.has_youden, r.youden_improvement);
	json_key(&j, "transitions");
	appendStringInfoChar(&j.buf, '{');
	for (int o = 0; o < 3; o++)
		for (int w = 0; w < 3; w++)
		{
			int64		k = 0;

			for (int c = 0; c < 3; c++)
				k += s->counts[o * 9 + w * 3 + c];
			appendStringInfo(&j.buf, "%s\"%s->%s\": " INT64_FORMAT, o + w > 0 ? ", " : "",
							 decision_names[o], decision_names[w], k);
		}
	appendStringInfoChar(&j.buf, '}');
	json_int(&j, "skipped", s->skipped);
	if (r.sample_size == 0)
		json_text(&j, "note", "no row has old, new and correct: every rate is null");
	else if (!r.has_youden)
		json_text(&j, "note", r.sample_size == s->counts[0] + s->counts[3] + s->counts[6] + s->counts[9] +
				  s->counts[12] + s->counts[15] + s->counts[18] + s->counts[21] + s->counts[24]
				  ? "every row's correct decision is AUTO: the youden keys are undefined"
				  : "no row's correct decision is AUTO: the youden keys are undefined");
	PG_RETURN_DATUM(json_end(&j));
}
