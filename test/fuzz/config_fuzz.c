/*-------------------------------------------------------------------------
 *
 * config_fuzz.c
 *		libFuzzer harness for the configuration parser (config_core.c) and
 *		the evaluation of what it builds (model_core.c).
 *
 * For every input: the parser either fails with a position inside the text
 * and a message, or builds a model whose invariants hold (feature and rule
 * counts, rule features in range, every candidate bias found again).  The
 * model is then evaluated on a few feature vectors, and decide()'s fast
 * path (no calibration far from the thresholds) must agree with the full
 * computation every time.
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

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Arena		arena = {NULL, 0, 0};
	MgModel		m;
	MgConfigError err;

	memset(&m, 0, sizeof(m));
	memset(&err, 0, sizeof(err));
	if (mg_config_parse((const char *) data, size, arena_alloc, &arena, &m, &err) == 0)
		check_model(&m);
	else
	{
		CHECK(err.message[0] != '\0');
		CHECK(err.position <= size);
	}
	arena_free(&arena);
	return 0;
}
