/*-------------------------------------------------------------------------
 *
 * model_core.c
 *		Evaluation of a compiled decision model.
 *
 * For features x of a candidate c (docs/reference.md, "How a version evaluates"):
 *
 *	1. z = sum(w_i * x_i) + bias(c), bias(c) = biases[c], else biases.default
 *	2. p = clamp(z, 0, 1)								(none)
 *	   p = sigmoid(logit(clamp(z, eps, 1 - eps)) / T)	(temperature)
 *	   p = sigmoid(a * z + b)							(platt)
 *	3. p < auto: AUTO; p >= escalate: ESCALATE; otherwise ASK
 *	4. the final decision is the most cautious of that and of every safety
 *	   rule that fires
 *	5. with a feature missing (NULL, NaN, infinite), or a z that is not
 *	   finite (finite features whose products overflow), there is no p, and
 *	   the decision is the most cautious of missing_feature_decision and
 *	   every rule that fires on the features that are present.
 *	6. a feature with a declared default that the input leaves out or gives
 *	   as NULL takes its default (NaN and infinities stay missing); inputs
 *	   beyond the features are ignored up to a limit.  Both are the caller's
 *	   (scoring.c), which fills x and present.
 *
 *-------------------------------------------------------------------------
 */
#include "model_core.h"

#include <math.h>
#include <string.h>

#define MG_EPS 1e-9

/* FNV-1a: small, fast for short candidate names, no allocation */
uint32_t
mg_bias_hash(const char *key, size_t len)
{
	uint32_t	h = 2166136261u;

	for (size_t i = 0; i < len; i++)
	{
		h ^= (unsigned char) key[i];
		h *= 16777619u;
	}
	return h;
}

double
mg_model_bias(const MgModel *m, const char *candidate, size_t len)
{
	uint32_t	h,
				i;

	if (candidate == NULL || m->nbiases == 0)
		return m->bias_default;
	h = mg_bias_hash(candidate, len);
	for (i = h & m->bias_mask;; i = (i + 1) & m->bias_mask)
	{
		const MgBias *b = &m->biases[i];

		if (b->key == NULL)
			return m->bias_default;
		if (b->hash == h && b->keylen == len && memcmp(b->key, candidate, len) == 0)
			return b->value;
	}
}

static double
sigmoid(double t)
{
	return 1.0 / (1.0 + exp(-t));
}

double
mg_model_calibrate(const MgModel *m, double z)
{
	double		q;

	switch (m->calibration)
	{
		case MG_CAL_TEMPERATURE:
			q = z < MG_EPS ? MG_EPS : z > 1.0 - MG_EPS ? 1.0 - MG_EPS : z;
			return sigmoid(log(q / (1.0 - q)) / m->cal_t);
		case MG_CAL_PLATT:
			return sigmoid(m->cal_a * z + m->cal_b);
		case MG_CAL_NONE:
		default:
			return z < 0.0 ? 0.0 : z > 1.0 ? 1.0 : z;
	}
}

/* logit and sigmoid inverses of the increasing calibrations */
static double
calibration_inverse(const MgModel *m, double t, bool *ok)
{
	double		q;

	*ok = false;
	if (!(t > 1e-12 && t < 1.0 - 1e-12))
		return 0.0;
	switch (m->calibration)
	{
		case MG_CAL_TEMPERATURE:
			q = sigmoid(m->cal_t * log(t / (1.0 - t)));
			/* inside the clamp only; beyond it p is flat */
			if (!(q > 2 * MG_EPS && q < 1.0 - 2 * MG_EPS))
				return 0.0;
			*ok = true;
			return q;
		case MG_CAL_PLATT:
			if (!(m->cal_a > 0.0))
				return 0.0;		/* decreasing or flat: no bands */
			*ok = isfinite((log(t / (1.0 - t)) - m->cal_b) / m->cal_a);
			return (log(t / (1.0 - t)) - m->cal_b) / m->cal_a;
		case MG_CAL_NONE:
		default:
			return 0.0;			/* clamping is cheaper than a band */
	}
}

/*
 * The band in z around threshold t: below *lo the calibrated p is surely
 * under t, from *hi on surely at or over it.  The calibrations are
 * monotonic and their inverses accurate to a few ulps, so a band of 1e-7
 * relative leaves a wide margin on either side of the exact boundary; the
 * band is kept only if the calibration at its edges confirms it, which
 * fails where p is flat in float8 (a huge T, a tiny Platt a).  Otherwise
 * the band is -inf..+inf, and decide() always calibrates.
 */
static void
threshold_band(const MgModel *m, double t, double *lo, double *hi)
{
	bool		ok;
	double		z = calibration_inverse(m, t, &ok),
				d;

	*lo = -INFINITY;
	*hi = INFINITY;
	if (!ok)
		return;
	d = 1e-7 * (1.0 + fabs(z));
	if (mg_model_calibrate(m, z - d) < t && mg_model_calibrate(m, z + d) >= t)
	{
		*lo = z - d;
		*hi = z + d;
	}
}

/* Compute the z bands of a compiled model. */
void
mg_model_prepare(MgModel *m)
{
	threshold_band(m, m->threshold_auto, &m->z_auto_lo, &m->z_auto_hi);
	threshold_band(m, m->threshold_escalate, &m->z_escalate_lo, &m->z_escalate_hi);
}

static bool
rule_fires(const MgRule *r, double x)
{
	switch (r->op)
	{
		case MG_OP_LT:
			return x < r->value;
		case MG_OP_LE:
			return x <= r->value;
		case MG_OP_GT:
			return x > r->value;
		case MG_OP_GE:
		default:
			return x >= r->value;
	}
}

MgDecision
mg_model_evaluate(const MgModel *m, const double *x, const bool *present,
				  const char *candidate, size_t candlen,
				  double *p, MgTrace *trace)
{
	bool		complete = true;
	double		z = 0.0;
	double		bias;
	double		prob = NAN;
	MgDecision	decision;
	MgDecision	threshold = MG_ASK;
	uint64_t	fired = 0;

	for (int i = 0; i < m->nfeatures; i++)
	{
		if (!present[i] || !isfinite(x[i]))
			complete = false;
		else
			z += m->weights[i] * x[i];
	}

	bias = mg_model_bias(m, candidate, candlen);
	if (complete)
	{
		z += bias;
		/* finite features can still add up to an infinity or a NaN */
		if (!isfinite(z))
			complete = false;
	}
	if (complete)
	{
		bool		fast = p == NULL && trace == NULL;

		if (fast && z < m->z_auto_lo)
			threshold = MG_AUTO;
		else if (fast && z >= m->z_escalate_hi)
			threshold = MG_ESCALATE;
		else if (fast && z >= m->z_auto_hi && z < m->z_escalate_lo)
			threshold = MG_ASK;
		else
		{
			prob = mg_model_calibrate(m, z);
			threshold = prob < m->threshold_auto ? MG_AUTO
				: prob >= m->threshold_escalate ? MG_ESCALATE : MG_ASK;
		}
		decision = threshold;
	}
	else
		decision = m->missing_decision;

	for (int r = 0; r < m->nrules; r++)
	{
		const MgRule *rule = &m->rules[r];
		int			f = rule->feature;

		if (present[f] && isfinite(x[f]) && rule_fires(rule, x[f]))
		{
			if (rule->decision > decision)
				decision = rule->decision;
			if (r < 64)
				fired |= UINT64_C(1) << r;
		}
	}

	if (p)
		*p = prob;
	if (trace)
	{
		trace->bias = bias;
		trace->z = complete ? z : NAN;
		trace->p = prob;
		trace->complete = complete;
		trace->threshold_decision = threshold;
		trace->decision = decision;
		trace->rules_fired = fired;
	}
	return decision;
}

/* a copy of len bytes and a NUL, or NULL */
static char *
copy_string(const char *s, size_t len, MgAlloc alloc, void *ctx)
{
	char	   *c = alloc(ctx, len + 1);

	if (c != NULL)
	{
		memcpy(c, s, len);
		c[len] = '\0';
	}
	return c;
}

/*
 * A deep copy of a compiled model, with nothing else: the compiler
 * allocates its parse tree alongside the model, and this keeps only what
 * evaluation needs.  Returns NULL when alloc does.
 */
MgModel *
mg_model_copy(const MgModel *m, MgAlloc alloc, void *ctx)
{
	MgModel    *c = alloc(ctx, sizeof(MgModel));
	size_t		n = (size_t) m->nfeatures;
	size_t		slots = (size_t) m->bias_mask + 1;
	size_t		nrules = (size_t) m->nrules;

	if (c == NULL)
		return NULL;
	*c = *m;
	c->feature_names = alloc(ctx, sizeof(char *) * (n > 0 ? n : 1));
	c->weights = alloc(ctx, sizeof(double) * (n > 0 ? n : 1));
	c->defaults = alloc(ctx, sizeof(double) * (n > 0 ? n : 1));
	c->has_default = alloc(ctx, sizeof(bool) * (n > 0 ? n : 1));
	c->biases = alloc(ctx, sizeof(MgBias) * slots);
	c->rules = alloc(ctx, sizeof(MgRule) * (nrules > 0 ? nrules : 1));
	if (c->feature_names == NULL || c->weights == NULL || c->defaults == NULL ||
		c->has_default == NULL || c->biases == NULL || c->rules == NULL)
		return NULL;
	if (n > 0)
	{
		memcpy(c->weights, m->weights, sizeof(double) * n);
		memcpy(c->defaults, m->defaults, sizeof(double) * n);
		memcpy(c->has_default, m->has_default, sizeof(bool) * n);
	}
	for (size_t i = 0; i < n; i++)
	{
		c->feature_names[i] = copy_string(m->feature_names[i], strlen(m->feature_names[i]),
										  alloc, ctx);
		if (c->feature_names[i] == NULL)
			return NULL;
	}
	memcpy(c->biases, m->biases, sizeof(MgBias) * slots);
	for (size_t s = 0; s < slots; s++)
	{
		if (m->biases[s].key == NULL)
			continue;
		c->biases[s].key = copy_string(m->biases[s].key, m->biases[s].keylen, alloc, ctx);
		if (c->biases[s].key == NULL)
			return NULL;
	}
	if (nrules > 0)
		memcpy(c->rules, m->rules, sizeof(MgRule) * nrules);
	for (size_t r = 0; r < nrules; r++)
	{
		c->rules[r].name = copy_string(m->rules[r].name, strlen(m->rules[r].name), alloc, ctx);
		if (c->rules[r].name == NULL)
			return NULL;
	}
	return c;
}
