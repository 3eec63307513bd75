/*-------------------------------------------------------------------------
 *
 * evidence_core.c
 *		The sort and the sweeps of the evidence aggregates (see
 *		evidence_core.h).  No PostgreSQL dependency.
 *
 * Both evaluation and optimize_thresholds sort the held keys (by p, then
 * class) and sweep them once in ascending order, one group of equal p at a
 * time.  At the start of a group for p = t, the counts below it give the
 * confusion of "p >= t": TP = positives - positives below, FP = negatives -
 * negatives below.  Youden's J is compared exactly as the integer
 * TP * negatives - FP * positives (J times positives * negatives), so no
 * rounding decides a tie.
 *
 *-------------------------------------------------------------------------
 */
#include "evidence_core.h"

#include <math.h>
#include <stdlib.h>

MgEvRiskError
mg_ev_check_p(double p)
{
	if (isnan(p))
		return MG_EV_RISK_NAN;
	if (isinf(p))
		return MG_EV_RISK_INFINITE;
	if (p < 0.0 || p > 1.0)
		return MG_EV_RISK_OUT_OF_RANGE;
	return MG_EV_RISK_OK;
}

static int
key_cmp(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *) a;
	uint64_t	y = *(const uint64_t *) b;

	return (x > y) - (x < y);
}

/*
 * LSD radix sort, 11 bits a pass (6 passes cover 64 bits); a pass whose
 * digit is the same in every key is skipped (the high digits of risks in
 * [0, 1] often are).
 */
#define RADIX_BITS	11
#define RADIX_SIZE	(1 << RADIX_BITS)
#define RADIX_PASSES 6

void
mg_ev_sort(uint64_t *keys, size_t n, uint64_t *scratch)
{
	size_t		hist[RADIX_PASSES][RADIX_SIZE];	/* 96 kB of stack */
	uint64_t   *src = keys;
	uint64_t   *dst = scratch;

	if (n < MG_EV_RADIX_MIN)
	{
		if (n > 1)
			qsort(keys, n, sizeof(uint64_t), key_cmp);
		return;
	}

	memset(hist, 0, sizeof(hist));
	for (size_t i = 0; i < n; i++)
	{
		uint64_t	k = keys[i];

		for (int pass = 0; pass < RADIX_PASSES; pass++)
			hist[pass][(k >> (pass * RADIX_BITS)) & (RADIX_SIZE - 1)]++;
	}

	for (int pass = 0; pass < RADIX_PASSES; pass++)
	{
		size_t	   *h = hist[pass];
		size_t		sum = 0;
		int			shift = pass * RADIX_BITS;
		bool		trivial = false;
		uint64_t   *tmp;

		for (int d = 0; d < RADIX_SIZE; d++)
		{
			size_t		c = h[d];

			if (c == n)
				trivial = true;
			h[d] = sum;
			sum += c;
		}
		if (trivial)
			continue;
		for (size_t i = 0; i < n; i++)
		{
			uint64_t	k = src[i];

			dst[h[(k >> shift) & (RADIX_SIZE - 1)]++] = k;
		}
		tmp = src;
		src = dst;
		dst = tmp;
	}
	if (src != keys)
		memcpy(keys, src, n * sizeof(uint64_t));
}

/*
 * Neumaier's compensated sum: the brier and log_loss sums stay accurate
 * to a few units in the last place over millions of rows.
 */
typedef struct KSum
{
	double		sum;
	double		c;
} KSum;

static inline void
ksum_add(KSum *s, double x)
{
	double		t = s->sum + x;

	if (fabs(s->sum) >= fabs(x))
		s->c += (s->sum - t) + x;
	else
		s->c += (x - t) + s->sum;
	s->sum = t;
}

static inline double
ksum_value(const KSum *s)
{
	return s->sum + s->c;
}

/* the end of the group of keys with the same p as sorted[i] */
static inline size_t
group_end(const uint64_t *sorted, size_t i, size_t n, int64_t count[4])
{
	uint64_t	pbits = sorted[i] >> 2;

	count[0] = count[1] = count[2] = count[3] = 0;
	while (i < n && (sorted[i] >> 2) == pbits)
	{
		count[sorted[i] & 3]++;
		i++;
	}
	return i;
}

void
mg_ev_evaluate(const uint64_t *sorted, size_t n, MgEvaluation *out)
{
	int64_t		pos = 0;
	int64_t		neg;
	int64_t		pos_below = 0;
	int64_t		neg_below = 0;
	int64_t		u2 = 0;			/* twice the Mann-Whitney U */
	int64_t		best_num = 0;
	int64_t		best_tp = 0;
	int64_t		best_fp = 0;
	double		best_t = 0.0;
	bool		have_best = false;
	KSum		brier = {0, 0};
	KSum		logloss = {0, 0};

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++)
		pos += (int64_t) (sorted[i] & 1);
	neg = (int64_t) n - pos;
	out->n = (int64_t) n;
	out->positives = pos;

	for (size_t i = 0; i < n;)
	{
		int64_t		c[4];
		double		p = mg_ev_key_p(sorted[i]);
		double		pc = p < MG_EV_EPS ? MG_EV_EPS : (p > 1.0 - MG_EV_EPS ? 1.0 - MG_EV_EPS : p);
		int64_t		tp = pos - pos_below;
		int64_t		fp = neg - neg_below;
		int64_t		num = tp * neg - fp * pos;

		i = group_end(sorted, i, n, c);

		/* ascending t: only a strictly larger J moves, so ties keep the smallest t */
		if (!have_best || num > best_num)
		{
			best_num = num;
			best_tp = tp;
			best_fp = fp;
			best_t = p;
			have_best = true;
		}
		u2 += c[1] * (2 * neg_below + c[0]);

		if (c[1] > 0)
		{
			ksum_add(&brier, (double) c[1] * ((p - 1.0) * (p - 1.0)));
			ksum_add(&logloss, (double) c[1] * -log(pc));
		}
		if (c[0] > 0)
		{
			ksum_add(&brier, (double) c[0] * (p * p));
			ksum_add(&logloss, (double) c[0] * -log(1.0 - pc));
		}
		pos_below += c[1];
		neg_below += c[0];
	}

	if (n > 0)
	{
		out->has_scores = true;
		out->brier = ksum_value(&brier) / (double) n;
		out->log_loss = ksum_value(&logloss) / (double) n;
	}
	if (pos > 0 && neg > 0)
	{
		out->has_auc = true;
		out->auc = (double) u2 / (2.0 * (double) pos * (double) neg);
		out->youden_threshold = best_t;
		out->youden_j = (double) best_tp / (double) pos - (double) best_fp / (double) neg;
	}
}

/* J = TP / P - FP / N in float8, the form the result reports */
static inline double
youden(int64_t tp, int64_t p, int64_t fp, int64_t n)
{
	return (double) tp / (double) p - (double) fp / (double) n;
}

void
mg_ev_optimize(const uint64_t *sorted, size_t n, MgThresholds *out)
{
	int64_t		below[3] = {0, 0, 0};
	int64_t		pa,
				na,
				pe,
				ne;
	int64_t		best_a = 0,
				best_e = 0;
	double		ta = 0.0,
				te = 0.0;
	double		ja = 0.0,
				je = 0.0;
	bool		have_a = false,
				have_e = false;

	memset(out, 0, sizeof(*out));
	out->n = (int64_t) n;
	for (size_t i = 0; i < n; i++)
		out->count[sorted[i] & 3]++;
	pa = out->count[1] + out->count[2];	/* correct is not AUTO */
	na = out->count[0];
	pe = out->count[2];			/* correct is ESCALATE */
	ne = out->count[0] + out->count[1];

	for (size_t i = 0; i < n;)
	{
		int64_t		c[4];
		double		p = mg_ev_key_p(sorted[i]);
		int64_t		tpa = pa - below[1] - below[2];
		int64_t		fpa = na - below[0];
		int64_t		tpe = pe - below[2];
		int64_t		fpe = ne - below[0] - below[1];
		int64_t		numa = tpa * na - fpa * pa;
		int64_t		nume = tpe * ne - fpe * pe;

		i = group_end(sorted, i, n, c);
		if (!have_a || numa > best_a)
		{
			best_a = numa;
			ta = p;
			if (pa > 0 && na > 0)
				ja = youden(tpa, pa, fpa, na);
			have_a = true;
		}
		if (!have_e || nume > best_e)
		{
			best_e = nume;
			te = p;
			if (pe > 0 && ne > 0)
				je = youden(tpe, pe, fpe, ne);
			have_e = true;
		}
		below[0] += c[0];
		below[1] += c[1];
		below[2] += c[2];
	}

	out->has_auto = pa > 0 && na > 0;
	out->has_escalate = pe > 0 && ne > 0;
	if (out->has_auto)
	{
		out->auto_t = ta;
		out->youden_auto = ja;
	}
	if (out->has_escalate)
	{
		out->escalate_t = te;
		out->youden_escalate = je;
	}

	if (out->has_auto && out->has_escalate && ta > te)
	{
		double		best_sum = 0.0;
		double		bt = 0.0,
					bja = 0.0,
					bje = 0.0;
		bool		have = false;

		out->crossed = true;
		out->auto_alone = ta;
		out->escalate_alone = te;
		below[0] = below[1] = below[2] = 0;
		for (size_t i = 0; i < n;)
		{
			int64_t		c[4];
			double		p = mg_ev_key_p(sorted[i]);
			double		jai = youden(pa - below[1] - below[2], pa, na - below[0], na);
			double		jei = youden(pe - below[2], pe, ne - below[0] - below[1], ne);
			double		s = jai + jei;

			i = group_end(sorted, i, n, c);
			if (!have || s > best_sum)
			{
				best_sum = s;
				bt = p;
				bja = jai;
				bje = jei;
				have = true;
			}
			below[0] += c[0];
			below[1] += c[1];
			below[2] += c[2];
		}
		out->auto_t = bt;
		out->escalate_t = bt;
		out->youden_auto = bja;
		out->youden_escalate = bje;
	}
}

void
mg_ev_impact(const int64_t counts[MG_EV_IMPACT_CELLS], MgImpact *out)
{
	int64_t		total = 0;
	int64_t		old_d[3] = {0, 0, 0};
	int64_t		new_d[3] = {0, 0, 0};
	int64_t		correct_auto = 0;	/* rows whose correct decision is AUTO */
	int64_t		old_auto_ok = 0;	/* old AUTO, correct AUTO */
	int64_t		new_auto_ok = 0;
	int64_t		old_tp = 0,
				old_fp = 0,
				new_tp = 0,
				new_fp = 0;

	memset(out, 0, sizeof(*out));
	for (int o = 0; o < 3; o++)
		for (int w = 0; w < 3; w++)
			for (int c = 0; c < 3; c++)
			{
				int64_t		k = counts[o * 9 + w * 3 + c];

				total += k;
				old_d[o] += k;
				new_d[w] += k;
				if (c == 0)
				{
					correct_auto += k;
					if (o == 0)
						old_auto_ok += k;
					if (w == 0)
						new_auto_ok += k;
					if (o != 0)
						old_fp += k;
					if (w != 0)
						new_fp += k;
				}
				else
				{
					if (o != 0)
						old_tp += k;
					if (w != 0)
						new_tp += k;
				}
			}

	out->sample_size = total;
	if (total > 0)
	{
		out->has_rates = true;
		out->old_auto_rate = (double) old_d[0] / (double) total;
		out->old_escalate_rate = (double) old_d[2] / (double) total;
		out->new_auto_rate = (double) new_d[0] / (double) total;
		out->new_escalate_rate = (double) new_d[2] / (double) total;
	}
	if (old_d[0] > 0)
	{
		out->has_correct_auto_before = true;
		out->correct_auto_before = (double) old_auto_ok / (double) old_d[0];
	}
	if (new_d[0] > 0)
	{
		out->has_correct_auto_after = true;
		out->correct_auto_after = (double) new_auto_ok / (double) new_d[0];
	}
	if (correct_auto > 0 && total - correct_auto > 0)
	{
		out->has_youden = true;
		out->youden_old = youden(old_tp, total - correct_auto, old_fp, correct_auto);
		out->youden_new = youden(new_tp, total - correct_auto, new_fp, correct_auto);
		out->youden_improvement = out->youden_new - out->youden_old;
	}
}
