/*-------------------------------------------------------------------------
 *
 * evidence_fuzz.c
 *		libFuzzer harness for the pure-C cores of the evidence: the sort,
 *		evaluation and threshold optimization of evidence_core.c, and the
 *		logistic regression of logistic_core.c.
 *
 * The input is read as rows.  The first byte chooses the core; each row
 * is then 9 bytes: a risk p made from 8 bytes (mapped into [0, 1], with
 * the endpoints and repeated values made likely, so that ties occur) and a
 * class byte.  For the logistic fit the first two bytes choose the columns
 * (0 to 4) and the penalty, and each row gives its x from the same bytes.
 *
 * Besides "no crash, no undefined behaviour", each result is checked:
 * every rate within [0, 1], J within [-1, 1], the AUC equal to the
 * Mann-Whitney U counted pair by pair (for up to 300 rows), the thresholds
 * within [0, 1] and ordered unless the optima crossed, and a converged fit
 * with a finite loss.
 *
 *-------------------------------------------------------------------------
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "evidence_core.h"
#include "logistic_core.h"

#define FAIL() abort()

/*
 * The core allocates from the caller's memory context and frees nothing:
 * here, an arena of the allocations of one call, freed after it.
 */
typedef struct Arena
{
	void	  **ptrs;
	size_t		n;
	size_t		cap;
} Arena;

static void *
arena_alloc(void *ctx, size_t size)
{
	Arena	   *a = ctx;
	void	   *p = malloc(size ? size : 1);

	if (p == NULL)
		return NULL;
	if (a->n == a->cap)
	{
		a->cap = a->cap ? a->cap * 2 : 16;
		a->ptrs = realloc(a->ptrs, sizeof(void *) * a->cap);
		if (a->ptrs == NULL)
			abort();
	}
	a->ptrs[a->n++] = p;
	return p;
}

static void
arena_free(Arena *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->ptrs[i]);
	free(a->ptrs);
}

/* a risk in [0, 1] from 8 bytes: endpoints and a few values often */
static double
risk_of(const uint8_t *b)
{
	uint64_t	v;

	memcpy(&v, b, sizeof(v));
	switch (v & 7)
	{
		case 0:
			return 0.0;
		case 1:
			return 1.0;
		case 2:
			return (double) ((v >> 3) % 5) / 4.0;	/* 0, .25, .5, .75, 1 */
		default:
			return (double) (v >> 11) * (1.0 / 9007199254740992.0);
	}
}

static void
check_evaluation(const double *p, const unsigned *cls, size_t n, uint64_t *keys, uint64_t *scratch)
{
	MgEvaluation ev;
	int64_t		pos = 0;

	for (size_t i = 0; i < n; i++)
	{
		keys[i] = mg_ev_key(p[i], cls[i] & 1);
		pos += cls[i] & 1;
	}
	mg_ev_sort(keys, n, scratch);
	for (size_t i = 1; i < n; i++)
		if (keys[i - 1] > keys[i])
			FAIL();
	mg_ev_evaluate(keys, n, &ev);
	if (ev.n != (int64_t) n || ev.positives != pos)
		FAIL();
	if (ev.has_scores && (!(ev.brier >= 0 && ev.brier <= 1) || !(ev.log_loss >= 0) || !isfinite(ev.log_loss)))
		FAIL();
	if (ev.has_auc)
	{
		if (!(ev.auc >= 0 && ev.auc <= 1) || !(ev.youden_j >= -1 && ev.youden_j <= 1)
			|| !(ev.youden_threshold >= 0 && ev.youden_threshold <= 1))
			FAIL();
		if (n <= 300)
		{
			/* the Mann-Whitney U, pair by pair, ties counted half */
			double		u = 0;
			int64_t		neg = (int64_t) n - pos;

			for (size_t i = 0; i < n; i++)
				for (size_t j = 0; j < n; j++)
					if ((cls[i] & 1) && !(cls[j] & 1))
						u += p[i] > p[j] ? 1.0 : p[i] == p[j] ? 0.5 : 0.0;
			if (fabs(u / ((double) pos * (double) neg) - ev.auc) > 1e-12)
				FAIL();
		}
	}
	else if (pos != 0 && pos != (int64_t) n)
		FAIL();
}

static void
check_optimize(const double *p, const unsigned *cls, size_t n, uint64_t *keys, uint64_t *scratch)
{
	MgThresholds th;

	for (size_t i = 0; i < n; i++)
		keys[i] = mg_ev_key(p[i], cls[i] % 3);
	mg_ev_sort(keys, n, scratch);
	mg_ev_optimize(keys, n, &th);
	if (th.n != (int64_t) n || th.count[0] + th.count[1] + th.count[2] != (int64_t) n)
		FAIL();
	if (th.has_auto && (!(th.auto_t >= 0 && th.auto_t <= 1) || !(th.youden_auto >= -1 && th.youden_auto <= 1)))
		FAIL();
	if (th.has_escalate && (!(th.escalate_t >= 0 && th.escalate_t <= 1)
							|| !(th.youden_escalate >= -1 && th.youden_escalate <= 1)))
		FAIL();
	if (th.has_auto && th.has_escalate && th.auto_t > th.escalate_t)
		FAIL();					/* crossed optima are resolved */
}

static void
check_logistic(const uint8_t *data, size_t size)
{
	int			k = data[0] % 5;
	double		l2 = (data[1] & 1) ? (double) (data[1] >> 1) / 8.0 : 0.0;
	size_t		n = (size - 2) / 9;
	double	   *x = malloc(sizeof(double) * (n * (k > 0 ? k : 1) + 1));
	unsigned char *y = malloc(n + 1);
	double		w[4];
	MgLogitFit	fit;
	Arena		arena = {0};

	for (size_t i = 0; i < n; i++)
	{
		const uint8_t *row = data + 2 + i * 9;

		for (int c = 0; c < k; c++)
			x[i * k + c] = (double) (int8_t) row[c] / 16.0;
		y[i] = row[8] & 1;
	}
	memset(&fit, 0, sizeof(fit));
	fit.weights = w;
	if (mg_logit_fit(x, y, n, k, l2, arena_alloc, &arena, &fit) != 0)
		FAIL();
	arena_free(&arena);
	if (fit.status == MG_LOGIT_CONVERGED && !(isfinite(fit.log_loss) && fit.log_loss >= 0))
		FAIL();
	if (fit.iterations < 0 || fit.iterations > MG_LOGIT_MAX_ITERATIONS)
		FAIL();
	if (mg_logit_reason(fit.status) == NULL || mg_logit_reason_text(fit.status) == NULL)
		FAIL();
	free(x);
	free(y);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t		n;
	double	   *p;
	unsigned   *cls;
	uint64_t   *keys;
	uint64_t   *scratch;

	if (size < 3)
		return 0;
	if (data[0] % 3 == 2)
	{
		check_logistic(data + 1, size - 1);
		return 0;
	}
	n = (size - 1) / 9;
	p = malloc(sizeof(double) * (n + 1));
	cls = malloc(sizeof(unsigned) * (n + 1));
	keys = malloc(sizeof(uint64_t) * (n + 1));
	scratch = malloc(sizeof(uint64_t) * (n + 1));
	for (size_t i = 0; i < n; i++)
	{
		p[i] = risk_of(data + 1 + i * 9);
		if (mg_ev_check_p(p[i]) != MG_EV_RISK_OK)
			FAIL();
		cls[i] = data[1 + i * 9 + 8];
	}
	if (data[0] % 3 == 0)
		check_evaluation(p, cls, n, keys, scratch);
	else
		check_optimize(p, cls, n, keys, scratch);
	free(p);
	free(cls);
	free(keys);
	free(scratch);
	return 0;
}
