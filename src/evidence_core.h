/*-------------------------------------------------------------------------
 *
 * evidence_core.h
 *		The computations behind the evidence aggregates: evaluation (AUC,
 *		Brier score, log loss, Youden's J), optimize_thresholds (the two
 *		ROC/Youden thresholds of a version) and impact (an old and a new
 *		decision against the correct one).
 *
 * Plain C with no PostgreSQL dependency: plain arrays in, plain structs
 * out; src/evidence.c holds the state in an aggregate's memory and builds
 * the jsonb.
 *
 * A labelled risk is held as one 64-bit key: the IEEE-754 bits of p, which
 * for 0 <= p <= 1 (with -0 made +0) are below 2^62 and order like p, shifted
 * left by two, with the class in the two low bits (evaluation: 0 negative,
 * 1 positive; optimize_thresholds: 0 AUTO, 1 ASK, 2 ESCALATE).  Sorting the
 * keys as integers sorts by p, then by class, with no loss: 8 bytes a row.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MODELGOV_EVIDENCE_CORE_H
#define MODELGOV_EVIDENCE_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * Most rows one evaluation or optimize_thresholds call holds: 8 bytes each,
 * so 800 MB of keys; the final function sorts with a second buffer of the
 * same size.  A parallel worker's state, serialized, stays below the 1 GB
 * of a bytea.
 */
#define MG_EV_MAX_ROWS		INT64_C(100000000)

/* What mg_ev_check_p() finds wrong with a risk. */
typedef enum MgEvRiskError
{
	MG_EV_RISK_OK = 0,
	MG_EV_RISK_NAN,
	MG_EV_RISK_INFINITE,
	MG_EV_RISK_OUT_OF_RANGE		/* finite, but below 0 or above 1 */
} MgEvRiskError;

extern MgEvRiskError mg_ev_check_p(double p);

/* The key of risk p (checked, 0 <= p <= 1) and class cls (0..3). */
static inline uint64_t
mg_ev_key(double p, unsigned cls)
{
	uint64_t	bits;

	p += 0.0;					/* -0 becomes +0 */
	memcpy(&bits, &p, sizeof(bits));
	return (bits << 2) | (uint64_t) (cls & 3);
}

static inline double
mg_ev_key_p(uint64_t key)
{
	uint64_t	bits = key >> 2;
	double		p;

	memcpy(&p, &bits, sizeof(p));
	return p;
}

static inline unsigned
mg_ev_key_class(uint64_t key)
{
	return (unsigned) (key & 3);
}

/*
 * Sort keys[0..n) ascending.  scratch must hold n keys (n >= 1024; below
 * that it is not used and may be NULL).
 */
#define MG_EV_RADIX_MIN		1024
extern void mg_ev_sort(uint64_t *keys, size_t n, uint64_t *scratch);

/*
 * evaluation: classes 0 (negative, no person needed) and 1 (positive).
 *
 * auc: Mann-Whitney U / (positives * negatives), ties counted half.
 * youden_j, youden_threshold: the largest TPR - FPR of "p >= t" over the
 * distinct p values t; among equal J (compared exactly, as
 * TP * negatives - FP * positives) the smallest t, the most cautious rule.
 * brier and log_loss are summed per distinct p in ascending order, so the
 * result does not depend on the order the rows came in.
 */
typedef struct MgEvaluation
{
	int64_t		n;
	int64_t		positives;
	bool		has_scores;		/* n > 0: brier, log_loss */
	double		brier;
	double		log_loss;
	bool		has_auc;		/* both classes present: auc, youden */
	double		auc;
	double		youden_j;
	double		youden_threshold;
} MgEvaluation;

/* The clamp of log_loss: p is taken in [MG_EV_EPS, 1 - MG_EV_EPS]. */
#define MG_EV_EPS	1e-15

extern void mg_ev_evaluate(const uint64_t *sorted, size_t n, MgEvaluation *out);

/*
 * optimize_thresholds: classes 0 AUTO, 1 ASK, 2 ESCALATE.
 *
 * auto: the t maximizing Youden's J of "p >= t" for "correct is not AUTO";
 * escalate: the same for "correct is ESCALATE"; both among the distinct p
 * values, ties to the smallest t (the most cautious).  A J is undefined
 * when its positive or its negative class is empty.  When both are
 * defined and auto > escalate (the optima cross), both become the single
 * t maximizing J_auto(t) + J_escalate(t) (float8 sums, ties to the
 * smallest t), which leaves no ASK band; crossed is set and the original
 * optima are kept in auto_alone and escalate_alone.
 */
typedef struct MgThresholds
{
	int64_t		n;
	int64_t		count[3];		/* rows of each correct decision */
	bool		has_auto;
	double		auto_t;
	double		youden_auto;
	bool		has_escalate;
	double		escalate_t;
	double		youden_escalate;
	bool		crossed;
	double		auto_alone;
	double		escalate_alone;
} MgThresholds;

extern void mg_ev_optimize(const uint64_t *sorted, size_t n, MgThresholds *out);

/*
 * impact: counts[old * 9 + new * 3 + correct], decisions 0 AUTO, 1 ASK,
 * 2 ESCALATE.  Rates are shares of sample_size; correct_auto_* is the share
 * of AUTO decisions whose correct decision is AUTO; youden_* is TPR - FPR
 * of "decision is not AUTO" for "correct is not AUTO".
 */
typedef struct MgImpact
{
	int64_t		sample_size;
	bool		has_rates;		/* sample_size > 0 */
	double		old_auto_rate;
	double		old_escalate_rate;
	double		new_auto_rate;
	double		new_escalate_rate;
	bool		has_correct_auto_before;
	double		correct_auto_before;
	bool		has_correct_auto_after;
	double		correct_auto_after;
	bool		has_youden;		/* both correct AUTO and not AUTO present */
	double		youden_old;
	double		youden_new;
	double		youden_improvement;
} MgImpact;

#define MG_EV_IMPACT_CELLS	27

extern void mg_ev_impact(const int64_t counts[MG_EV_IMPACT_CELLS], MgImpact *out);

#endif							/* MODELGOV_EVIDENCE_CORE_H */
