/*-------------------------------------------------------------------------
 *
 * logistic_core.h
 *		Logistic regression with an intercept by Newton's method (IRLS), for
 *		modelgov.fit_logistic.
 *
 * Plain C with no PostgreSQL dependency, so that it can be fuzzed on its
 * own.  The rows are given as a dense row-major matrix x[n * k] and labels
 * y[n] (0 or 1).  The fit minimizes the penalized negative log-likelihood
 *
 *		L(b) = sum_i [log(1 + exp(eta_i)) - y_i * eta_i] + (l2 / 2) * sum_j w_j^2
 *		eta_i = b0 + sum_j w_j * x_ij
 *
 * (the intercept b0 is not penalized) with Newton steps that solve
 * (X'WX + l2 I') d = gradient by a Cholesky factorization of the
 * Jacobi-scaled Hessian, halving a step that does not decrease L.
 *
 * All memory comes from the caller's allocator; nothing is freed here.
 *
 *-------------------------------------------------------------------------
 */
#ifndef MODELGOV_LOGISTIC_CORE_H
#define MODELGOV_LOGISTIC_CORE_H

#include <stddef.h>

#include "model_core.h"

/* Most columns of x */
#define MG_LOGIT_MAX_COLUMNS		100
/* Most values held (rows * max(columns, 1)): 1.6 GB of float8 */
#define MG_LOGIT_MAX_VALUES			200000000
/* Largest absolute value of an element of x */
#define MG_LOGIT_MAX_ABS			1e100
/* Most Newton steps */
#define MG_LOGIT_MAX_ITERATIONS		100
/* Convergence: max |gradient| / n below this */
#define MG_LOGIT_GRADIENT_TOL		1e-10

typedef enum MgLogitStatus
{
	MG_LOGIT_CONVERGED = 0,
	MG_LOGIT_NO_ROWS,			/* no row to fit */
	MG_LOGIT_ONE_CLASS,			/* every label is the same */
	MG_LOGIT_SEPARABLE,			/* the optimum lies at infinity */
	MG_LOGIT_SINGULAR,			/* X'WX + l2 I' is singular */
	MG_LOGIT_ITERATION_LIMIT,	/* MG_LOGIT_MAX_ITERATIONS steps ran */
	MG_LOGIT_NO_PROGRESS,		/* no step decreases the loss */
	MG_LOGIT_OVERFLOW,			/* the loss is not finite */
	MG_LOGIT_OUT_OF_MEMORY		/* the allocator returned NULL */
} MgLogitStatus;

typedef struct MgLogitFit
{
	MgLogitStatus status;
	int			iterations;		/* Newton steps taken */
	double		intercept;
	double	   *weights;		/* k entries, the caller's array */
	double		log_loss;		/* mean, unpenalized, at the coefficients */
	double		gradient_max;	/* max |gradient of L| / n there */
} MgLogitFit;

/*
 * Fit x[n * k], y[n] with penalty l2 >= 0 (finite).  fit->weights must
 * point at k doubles.  Returns 0 (fit->status says whether it converged;
 * the coefficients are the last iterate either way), or -1 when out of
 * memory.
 */
extern int	mg_logit_fit(const double *x, const unsigned char *y, size_t n, int k,
						 double l2, MgAlloc alloc, void *ctx, MgLogitFit *fit);

/*
 * Called every 65,536 rows of each pass over the data when set: the
 * backend's glue checks for interrupts there (a query cancel or a
 * statement_timeout), so that a long fit can be stopped.  The core itself
 * makes no backend call.
 */
extern void (*mg_logit_interrupt_hook) (void);

/* The short code of a status ("separable", ...), and a sentence. */
extern const char *mg_logit_reason(MgLogitStatus status);
extern const char *mg_logit_reason_text(MgLogitStatus status);

#endif							/* MODELGOV_LOGISTIC_CORE_H */
