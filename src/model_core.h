/*-------------------------------------------------------------------------
 *
 * model_core.h
 *		The decision model of a version, compiled into a flat structure, and
 *		its evaluation.
 *
 * Plain C with no PostgreSQL dependency: scoring.c builds an MgModel from a
 * version's configuration, and the evaluation here runs once per row with
 * no allocation.  The semantics are those of docs/reference.md ("How a
 * version evaluates").
 *
 *-------------------------------------------------------------------------
 */
#ifndef MODELGOV_MODEL_CORE_H
#define MODELGOV_MODEL_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An allocator: returns size bytes from ctx, or NULL when out of memory. */
typedef void *(*MgAlloc) (void *ctx, size_t size);

/* ordered from least to most cautious, like modelgov.decision */
typedef enum MgDecision
{
	MG_AUTO = 0,
	MG_ASK = 1,
	MG_ESCALATE = 2
} MgDecision;

typedef enum MgCalibration
{
	MG_CAL_NONE,
	MG_CAL_TEMPERATURE,
	MG_CAL_PLATT
} MgCalibration;

typedef enum MgRuleOp
{
	MG_OP_LT,
	MG_OP_LE,
	MG_OP_GT,
	MG_OP_GE
} MgRuleOp;

typedef struct MgRule
{
	int			feature;		/* index into the feature list */
	MgRuleOp	op;
	double		value;
	MgDecision	decision;		/* MG_ASK or MG_ESCALATE */
	const char *name;
} MgRule;

/* open-addressing table of per-candidate biases */
typedef struct MgBias
{
	const char *key;			/* NULL for an empty slot */
	size_t		keylen;
	uint32_t	hash;
	double		value;
} MgBias;

typedef struct MgModel
{
	char		version[257];
	int64_t		major;			/* the MAJOR of version (set by the caller) */
	int			nfeatures;
	const char **feature_names;
	double	   *weights;
	double	   *defaults;		/* meaningful where has_default */
	bool	   *has_default;
	int			nrequired;		/* features before the first defaulted tail */
	double		bias_default;
	MgBias	   *biases;
	uint32_t	bias_mask;		/* slots - 1, slots a power of two */
	int			nbiases;
	double		threshold_auto;
	double		threshold_escalate;
	MgCalibration calibration;
	double		cal_t;
	double		cal_a;
	double		cal_b;
	int			nrules;
	MgRule	   *rules;
	MgDecision	missing_decision;

	/*
	 * Bands in z around each threshold (mg_model_prepare): below *_lo the
	 * calibrated p is certainly under the threshold, from *_hi on certainly
	 * at or over it, so decide() needs no calibration there.  -inf/+inf
	 * disable a band.
	 */
	double		z_auto_lo;
	double		z_auto_hi;
	double		z_escalate_lo;
	double		z_escalate_hi;
} MgModel;

/* What one evaluation found, for explain(). */
typedef struct MgTrace
{
	double		bias;
	double		z;
	double		p;
	bool		complete;		/* every feature present and finite, z finite */
	MgDecision	threshold_decision;
	MgDecision	decision;
	uint64_t	rules_fired;	/* bit i: rule i fired (first 64 rules) */
} MgTrace;

extern void mg_model_prepare(MgModel *m);
extern MgModel *mg_model_copy(const MgModel *m, MgAlloc alloc, void *ctx);
extern uint32_t mg_bias_hash(const char *key, size_t len);
extern double mg_model_bias(const MgModel *m, const char *candidate, size_t len);
extern double mg_model_calibrate(const MgModel *m, double z);

/*
 * Evaluate a model on x[0..nfeatures-1]; present[i] false (or a NaN or
 * infinite x[i]) means the feature is missing.  A feature with a declared
 * default that the caller did not give, or gave as NULL, is present with
 * its default: the caller fills it in (evaluation rule 6).  candidate may
 * be NULL.
 * Returns the final decision; *p is the calibrated risk, or NaN when a
 * feature is missing.  p and trace may be NULL; when both are, the
 * calibration is skipped wherever z is clearly on one side of the
 * thresholds, with the same result.
 */
extern MgDecision mg_model_evaluate(const MgModel *m, const double *x,
									const bool *present,
									const char *candidate, size_t candlen,
									double *p, MgTrace *trace);

#endif							/* MODELGOV_MODEL_CORE_H */
