/*-------------------------------------------------------------------------
 *
 * logistic_core.c
 *		Logistic regression by Newton's method with step halving, and a small
 *		dense Cholesky solver.  See logistic_core.h for the objective.
 *
 * Coefficients are b[0] = intercept, b[1..k] = weights.  Each pass over the
 * rows computes, at one b, the penalized loss, its gradient and its Hessian
 * (upper triangle), so a step that is accepted needs no second pass.
 *
 * How the fit ends (docs/reference.md, fit_logistic):
 *	- converged: max |gradient| / n < 1e-10 and the Newton step there is
 *	  tiny relative to the coefficients (both hold at a true optimum);
 *	- one_class: every label is the same (the intercept goes to infinity,
 *	  whatever l2);
 *	- separable (l2 = 0 only): some b classifies every row with a positive
 *	  margin (complete separation, proved by the iterate itself); or the
 *	  gradient vanishes while the Newton steps keep their size for three
 *	  steps (quasi-complete separation: the coefficients grow without
 *	  bound); or the Hessian, regular at b = 0, turns singular (rows whose
 *	  probability reached 0 or 1 no longer weigh); or a weight passes 1e10;
 *	- singular: the Jacobi-scaled Hessian at b = 0 has a pivot below 1e-11
 *	  (a constant column, collinear columns, fewer rows than columns);
 *	- iteration_limit: 100 Newton steps ran;
 *	- no_progress: 60 halvings of a step found no decrease of the loss (a
 *	  step is accepted when L grows by at most 1e-12 relative: L's own
 *	  rounding, which near the optimum hides the decrease a step makes);
 *	- overflow: the loss is not finite.
 *
 *-------------------------------------------------------------------------
 */
#include "logistic_core.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#define PIVOT_TOL		1e-11
#define STEP_REL_TOL	1e-6
#define COEF_BOUND		1e10
#define MAX_HALVINGS	60
#define STALL_STEPS		3
#define LOSS_ROUNDING	1e-12

/* what one pass over the rows computes at b */
typedef struct Pass
{
	double		obj;			/* penalized loss L */
	double		loss;			/* unpenalized sum of log losses */
	double	   *g;				/* gradient, p entries */
	double	   *h;				/* Hessian, p * p, upper triangle filled */
	bool		all_margins_positive;
} Pass;

void		(*mg_logit_interrupt_hook) (void) = NULL;

static void
evaluate(const double *x, const unsigned char *y, size_t n, int k,
		 const double *b, double l2, Pass *out)
{
	int			p = k + 1;
	double	   *g = out->g;
	double	   *h = out->h;
	double		loss = 0.0;
	bool		allpos = true;

	memset(g, 0, sizeof(double) * p);
	memset(h, 0, sizeof(double) * p * p);
	for (size_t i = 0; i < n; i++)
	{
		const double *xi = x + i * (size_t) k;
		double		eta = b[0];
		double		e,
					s,
					pr,
					r,
					wt;

		if ((i & 0xFFFF) == 0 && mg_logit_interrupt_hook != NULL)
			mg_logit_interrupt_hook();

		for (int j = 0; j < k; j++)
			eta += b[j + 1] * xi[j];
		/* stable: e = exp(-|eta|), sigmoid and softplus from it */
		e = exp(-fabs(eta));
		s = 1.0 / (1.0 + e);
		pr = eta >= 0.0 ? s : e * s;
		wt = e * s * s;
		loss += (eta > 0.0 ? eta : 0.0) + log1p(e) - (y[i] ? eta : 0.0);
		if ((y[i] ? eta : -eta) <= 0.0)
			allpos = false;
		r = pr - (y[i] ? 1.0 : 0.0);
		g[0] += r;
		h[0] += wt;
		for (int j = 0; j < k; j++)
		{
			double		wx = wt * xi[j];
			double	   *hrow = h + (size_t) (j + 1) * p;

			g[j + 1] += r * xi[j];
			h[j + 1] += wx;
			for (int m = j; m < k; m++)
				hrow[m + 1] += wx * xi[m];
		}
	}
	out->loss = loss;
	out->obj = loss;
	for (int j = 1; j < p; j++)
	{
		out->obj += 0.5 * l2 * b[j] * b[j];
		g[j] += l2 * b[j];
		h[(size_t) j * p + j] += l2;
	}
	out->all_margins_positive = allpos;
}

/*
 * Solve H d = g for symmetric positive definite H (upper triangle of h,
 * p * p): Cholesky of D^-1/2 H D^-1/2, D = diag(H), so the pivot test does
 * not depend on the scale of the columns.  l is p * p scratch, s p
 * scratch.  Returns false when a scaled pivot is below PIVOT_TOL.
 */
static bool
solve(const double *h, const double *g, int p, double *l, double *s, double *d)
{
	for (int i = 0; i < p; i++)
	{
		double		hii = h[(size_t) i * p + i];

		if (!(hii > 0.0) || !isfinite(hii))
			return false;
		s[i] = 1.0 / sqrt(hii);
	}
	/* l (lower, row-major) = cholesky of the scaled matrix */
	for (int i = 0; i < p; i++)
	{
		for (int j = 0; j <= i; j++)
		{
			/* scaled A[i][j] from the upper triangle: H[j][i], j <= i */
			double		sum = h[(size_t) j * p + i] * s[i] * s[j];

			for (int m = 0; m < j; m++)
				sum -= l[(size_t) i * p + m] * l[(size_t) j * p + m];
			if (i == j)
			{
				if (!(sum > PIVOT_TOL))
					return false;
				l[(size_t) i * p + i] = sqrt(sum);
			}
			else
				l[(size_t) i * p + j] = sum / l[(size_t) j * p + j];
		}
	}
	/* forward: l z = s g; backward: l' u = z; d = s u */
	for (int i = 0; i < p; i++)
	{
		double		sum = s[i] * g[i];

		for (int m = 0; m < i; m++)
			sum -= l[(size_t) i * p + m] * d[m];
		d[i] = sum / l[(size_t) i * p + i];
	}
	for (int i = p - 1; i >= 0; i--)
	{
		double		sum = d[i];

		for (int m = i + 1; m < p; m++)
			sum -= l[(size_t) m * p + i] * d[m];
		d[i] = sum / l[(size_t) i * p + i];
	}
	for (int i = 0; i < p; i++)
		d[i] *= s[i];
	return true;
}

static double
max_abs(const double *v, int p)
{
	double		m = 0.0;

	for (int i = 0; i < p; i++)
		if (fabs(v[i]) > m)
			m = fabs(v[i]);
	return m;
}

static void
finish(MgLogitFit *fit, MgLogitStatus status, const double *b, int k,
	   const Pass *at, size_t n)
{
	fit->status = status;
	fit->intercept = b[0];
	for (int j = 0; j < k; j++)
		fit->weights[j] = b[j + 1];
	fit->log_loss = n > 0 ? at->loss / (double) n : 0.0;
	fit->gradient_max = n > 0 ? max_abs(at->g, k + 1) / (double) n : 0.0;
}

int
mg_logit_fit(const double *x, const unsigned char *y, size_t n, int k,
			 double l2, MgAlloc alloc, void *ctx, MgLogitFit *fit)
{
	int			p = k + 1;
	size_t		pos = 0;
	double	   *mem;
	double	   *b,
			   *bt,
			   *d,
			   *l,
			   *s;
	Pass		cur,
				trial;
	int			stalled = 0;

	fit->iterations = 0;
	fit->intercept = 0.0;
	fit->log_loss = 0.0;
	fit->gradient_max = 0.0;
	for (int j = 0; j < k; j++)
		fit->weights[j] = 0.0;
	if (n == 0)
	{
		fit->status = MG_LOGIT_NO_ROWS;
		return 0;
	}

	/* b, bt, d, s, the two gradients: p each; l and the two Hessians: p * p */
	mem = alloc(ctx, sizeof(double) * ((size_t) 6 * p + (size_t) 3 * p * p));
	if (mem == NULL)
	{
		fit->status = MG_LOGIT_OUT_OF_MEMORY;
		return -1;
	}
	memset(mem, 0, sizeof(double) * ((size_t) 6 * p + (size_t) 3 * p * p));
	b = mem;
	bt = b + p;
	d = bt + p;
	s = d + p;
	cur.g = s + p;
	trial.g = cur.g + p;
	l = trial.g + p;
	cur.h = l + (size_t) p * p;
	trial.h = cur.h + (size_t) p * p;

	evaluate(x, y, n, k, b, l2, &cur);
	for (size_t i = 0; i < n; i++)
		pos += y[i] ? 1 : 0;
	if (pos == 0 || pos == n)
	{
		finish(fit, MG_LOGIT_ONE_CLASS, b, k, &cur, n);
		return 0;
	}

	for (;;)
	{
		double		gmax = max_abs(cur.g, p) / (double) n;
		double		t = 1.0;
		bool		accepted = false;
		Pass		swap;

		if (!isfinite(cur.obj) || !isfinite(gmax))
		{
			finish(fit, MG_LOGIT_OVERFLOW, b, k, &cur, n);
			return 0;
		}
		if (l2 == 0.0 && cur.all_margins_positive)
		{
			finish(fit, MG_LOGIT_SEPARABLE, b, k, &cur, n);
			return 0;
		}
		if (!solve(cur.h, cur.g, p, l, s, d))
		{
			/*
			 * Singular at b = 0, where every row weighs 1/4: the columns are.
			 * Regular there but singular later: rows whose fitted
			 * probability reached 0 or 1 no longer weigh, which is
			 * quasi-complete separation.
			 */
			finish(fit, l2 == 0.0 && fit->iterations > 0 ?
				   MG_LOGIT_SEPARABLE : MG_LOGIT_SINGULAR, b, k, &cur, n);
			return 0;
		}
		if (gmax < MG_LOGIT_GRADIENT_TOL)
		{
			if (max_abs(d, p) <= STEP_REL_TOL * (1.0 + max_abs(b, p)))
			{
				finish(fit, MG_LOGIT_CONVERGED, b, k, &cur, n);
				return 0;
			}
			/* the steps keep their size while the gradient vanishes */
			if (l2 == 0.0 && ++stalled >= STALL_STEPS)
			{
				finish(fit, MG_LOGIT_SEPARABLE, b, k, &cur, n);
				return 0;
			}
		}
		else
			stalled = 0;
		if (fit->iterations >= MG_LOGIT_MAX_ITERATIONS)
		{
			finish(fit, MG_LOGIT_ITERATION_LIMIT, b, k, &cur, n);
			return 0;
		}

		for (int h = 0; h < MAX_HALVINGS; h++, t *= 0.5)
		{
			for (int j = 0; j < p; j++)
				bt[j] = b[j] - t * d[j];
			evaluate(x, y, n, k, bt, l2, &trial);
			/* up to rounding: near the optimum L cannot resolve the decrease */
			if (trial.obj <= cur.obj + LOSS_ROUNDING * (fabs(cur.obj) + 1.0))
			{
				accepted = true;
				break;
			}
		}
		if (!accepted)
		{
			finish(fit, gmax < MG_LOGIT_GRADIENT_TOL ? MG_LOGIT_CONVERGED : MG_LOGIT_NO_PROGRESS,
				   b, k, &cur, n);
			return 0;
		}
		memcpy(b, bt, sizeof(double) * p);
		swap = cur;
		cur = trial;
		trial = swap;
		fit->iterations++;
		if (l2 == 0.0 && max_abs(b + 1, k) > COEF_BOUND)
		{
			finish(fit, MG_LOGIT_SEPARABLE, b, k, &cur, n);
			return 0;
		}
	}
}

const char *
mg_logit_reason(MgLogitStatus status)
{
	switch (status)
	{
		case MG_LOGIT_CONVERGED:
			return "converged";
		case MG_LOGIT_NO_ROWS:
			return "no_rows";
		case MG_LOGIT_ONE_CLASS:
			return "one_class";
		case MG_LOGIT_SEPARABLE:
			return "separable";
		case MG_LOGIT_SINGULAR:
			return "singular";
		case MG_LOGIT_ITERATION_LIMIT:
			return "iteration_limit";
		case MG_LOGIT_NO_PROGRESS:
			return "no_progress";
		case MG_LOGIT_OVERFLOW:
			return "overflow";
		case MG_LOGIT_OUT_OF_MEMORY:
		default:
			return "out_of_memory";
	}
}

const char *
mg_logit_reason_text(MgLogitStatus status)
{
	switch (status)
	{
		case MG_LOGIT_CONVERGED:
			return "The gradient vanished at a finite optimum.";
		case MG_LOGIT_NO_ROWS:
			return "No row had both x and a label.";
		case MG_LOGIT_ONE_CLASS:
			return "Every label is the same, so the intercept grows without bound.";
		case MG_LOGIT_SEPARABLE:
			return "The labels are linearly separable by x, so the weights grow without bound and the log loss goes to 0; add an l2 penalty or drop the separating column.";
		case MG_LOGIT_SINGULAR:
			return "X'WX is singular: a constant column, collinear columns or fewer rows than columns; add an l2 penalty or drop the column.";
		case MG_LOGIT_ITERATION_LIMIT:
			return "100 Newton steps did not reach the optimum.";
		case MG_LOGIT_NO_PROGRESS:
			return "No step along the Newton direction decreased the loss.";
		case MG_LOGIT_OVERFLOW:
			return "The loss overflowed double precision; rescale x.";
		case MG_LOGIT_OUT_OF_MEMORY:
		default:
			return "Out of memory.";
	}
}
