/*-------------------------------------------------------------------------
 *
 * config_fuzz.c
 *		libFuzzer harness for the configuration rules (config_core.c): the
 *		normalizer, the compiler, and the evaluation of what it builds
 *		(model_core.c).
 *
 * For every input:
 *
 *	- the compiler either fails with a position inside the text, a kind
 *	  and a message, or builds a model whose invariants hold (feature and
 *	  rule counts, rule features in range, every candidate bias found
 *	  again), and the model is evaluated on a few feature vectors: decide()'s
 *	  fast path (no calibration far from the thresholds) must agree with
 *	  the full computation every time;
 *	- the normalizer accepts exactly what the compiler accepts (unless the
 *	  normalized text would exceed the size limit); what it writes compiles
 *	  into the same model, a copy of that model (mg_model_copy) is the same
 *	  model again, and normalizing the normalized text gives it back byte
 *	  for byte.
 *
 *-------------------------------------------------------------------------
 */
#include "config_core.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond) \
	do { \
		if (!(cond)) \
		{ \
			fprintf(stderr, "config_fuzz: check failed: %s (line %d)\n", #cond, __LINE__); \
			abort(); \
		} \
	} while (0)

typedef struct Arena
{
	void	  **blocks;
	size_t		n;
	size_t		cap;
} Arena;

static void *
arena_alloc(void *ctx, size_t size)
{
	Arena	   *a = ctx;
	void	   *m;

	if (a->n == a->cap)
	{
		size_t		cap = a->cap ? a->cap * 2 : 64;
		void	  **b = realloc(a->blocks, cap * sizeof(void *));

		if (b == NULL)
			return NULL;
		a->blocks = b;
		a->cap = cap;
	}
	m = malloc(size);
	if (m != NULL)
		a->blocks[a->n++] = m;
	return m;
}

static void
arena_free(Arena *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->blocks[i]);
	free(a->blocks);
}

static void
check_model(const MgModel *m)
{
	double		x[1000];
	bool		present[1000];
	static const double values[] = {0.0, 0.5, 1.0, -3.0, 1e-9, 0.999999999};

	CHECK(m->nfeatures >= 1 && m->nfeatures <= MG_CONFIG_MAX_FEATURES);
	CHECK(m->nrequired >= 0 && m->nrequired <= m->nfeatures);
	CHECK(m->nrules >= 0 && m->nrules <= MG_CONFIG_MAX_RULES);
	CHECK(m->missing_decision == MG_ASK || m->missing_decision == MG_ESCALATE);
	CHECK(m->calibration != MG_CAL_TEMPERATURE || m->cal_t > 0.0);
	for (int r = 0; r < m->nrules; r++)
	{
		CHECK(m->rules[r].feature >= 0 && m->rules[r].feature < m->nfeatures);
		CHECK(m->rules[r].decision == MG_ASK || m->rules[r].decision == MG_ESCALATE);
	}
	for (int i = 0; i < m->nfeatures; i++)
		CHECK(isfinite(m->weights[i]) && (!m->has_default[i] || isfinite(m->defaults[i])));

	/* every stored candidate is found again, with its value */
	{
		int			found = 0;

		for (uint32_t s = 0; s <= m->bias_mask; s++)
		{
			const MgBias *b = &m->biases[s];

			if (b->key == NULL)
				continue;
			found++;
			CHECK(mg_model_bias(m, b->key, b->keylen) == b->value);
		}
		CHECK(found == m->nbiases);
	}

	/* the fast path of decide() agrees with the full computation */
	for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++)
	{
		double		p = 0;
		MgDecision	fast,
					full;

		for (int i = 0; i < m->nfeatures; i++)
		{
			x[i] = values[v] * (i % 2 ? 1.0 : 0.5);
			present[i] = true;
		}
		fast = mg_model_evaluate(m, x, present, "billing", 7, NULL, NULL);
		full = mg_model_evaluate(m, x, present, "billing", 7, &p, NULL);
		CHECK(fast == full);
		CHECK(fast >= MG_AUTO && fast <= MG_ESCALATE);
		CHECK(isnan(p) || (p >= 0.0 && p <= 1.0));
	}
	/* a missing feature: the missing decision or more cautious */
	present[0] = false;
	CHECK(mg_model_evaluate(m, x, present, NULL, 0, NULL, NULL) >= m->missing_decision);
}

/* two compilations of one configuration made the same model */
static void
check_same_model(const MgModel *a, const MgModel *b)
{
	CHECK(a->nfeatures == b->nfeatures);
	CHECK(a->nrequired == b->nrequired);
	for (int i = 0; i < a->nfeatures; i++)
	{
		CHECK(strcmp(a->feature_names[i], b->feature_names[i]) == 0);
		CHECK(memcmp(&a->weights[i], &b->weights[i], sizeof(double)) == 0);
		CHECK(a->has_default[i] == b->has_default[i]);
		CHECK(!a->has_default[i] || a->defaults[i] == b->defaults[i]);
	}
	CHECK(a->bias_default == b->bias_default);
	CHECK(a->nbiases == b->nbiases);
	for (uint32_t s = 0; s <= a->bias_mask; s++)
		if (a->biases[s].key != NULL)
			CHECK(mg_model_bias(b, a->biases[s].key, a->biases[s].keylen) == a->biases[s].value);
	CHECK(a->threshold_auto == b->threshold_auto);
	CHECK(a->threshold_escalate == b->threshold_escalate);
	CHECK(a->calibration == b->calibration);
	CHECK(a->cal_t == b->cal_t && a->cal_a == b->cal_a && a->cal_b == b->cal_b);
	CHECK(a->nrules == b->nrules);
	for (int r = 0; r < a->nrules; r++)
	{
		CHECK(strcmp(a->rules[r].name, b->rules[r].name) == 0);
		CHECK(a->rules[r].feature == b->rules[r].feature);
		CHECK(a->rules[r].op == b->rules[r].op);
		CHECK(a->rules[r].value == b->rules[r].value);
		CHECK(a->rules[r].decision == b->rules[r].decision);
	}
	CHECK(a->missing_decision == b->missing_decision);
}

static void
check_error(const MgConfigError *err, size_t size)
{
	CHECK(err->kind == MG_CONFIG_INVALID || err->kind == MG_CONFIG_LIMIT);
	CHECK(err->message[0] != '\0');
	CHECK(err->message[strlen(err->message) - 1] == '.');
	CHECK(err->position <= size);
	CHECK(strlen(err->path) < sizeof(err->path));
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Arena		arena = {NULL, 0, 0};
	MgModel		m,
				m2;
	MgConfigError err,
				err2;
	char	   *norm,
			   *norm2;
	size_t		normlen,
				norm2len;
	int			compiled,
				normalized;

	memset(&m, 0, sizeof(m));
	memset(&err, 0, sizeof(err));
	compiled = mg_config_parse((const char *) data, size, arena_alloc, &arena, &m, &err) == 0;
	if (compiled)
		check_model(&m);
	else
		check_error(&err, size);

	normalized = mg_config_normalize((const char *) data, size, arena_alloc, &arena,
									 &norm, &normlen, &err2) == 0;
	if (!normalized)
	{
		check_error(&err2, size);
		/* the same rules refuse, unless only the normalized text is too long */
		CHECK(!compiled || err2.kind == MG_CONFIG_LIMIT);
		if (!compiled)
			CHECK(err.kind == err2.kind && strcmp(err.message, err2.message) == 0);
	}
	else
	{
		MgModel    *copy;

		CHECK(compiled);
		CHECK(normlen <= MG_CONFIG_MAX_LEN && strlen(norm) == normlen);

		/* what it writes compiles, into the same model */
		memset(&m2, 0, sizeof(m2));
		CHECK(mg_config_parse(norm, normlen, arena_alloc, &arena, &m2, &err2) == 0);
		check_model(&m2);
		check_same_model(&m, &m2);
		copy = mg_model_copy(&m2, arena_alloc, &arena);
		CHECK(copy != NULL);
		check_same_model(&m2, copy);
		check_model(copy);

		/* and it is a fixed point */
		CHECK(mg_config_normalize(norm, normlen, arena_alloc, &arena,
								  &norm2, &norm2len, &err2) == 0);
		CHECK(norm2len == normlen && memcmp(norm, norm2, normlen) == 0);
	}
	arena_free(&arena);
	return 0;
}
