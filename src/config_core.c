/*-------------------------------------------------------------------------
 *
 * config_core.c
 *		A small JSON parser and the compilation of a configuration into an
 *		MgModel.  No PostgreSQL calls, no global state.
 *
 * Numbers are converted with strtod(), which follows LC_NUMERIC; the
 * PostgreSQL backend always runs with LC_NUMERIC "C", and so does the
 * fuzzing harness.
 *
 *-------------------------------------------------------------------------
 */
#include "config_core.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum JType
{
	J_NULL,
	J_BOOL,
	J_NUM,
	J_STR,
	J_ARR,
	J_OBJ
} JType;

typedef struct JNode
{
	JType		type;
	size_t		pos;			/* where the value starts */
	double		num;
	const char *str;			/* J_STR: NUL-terminated, len bytes */
	size_t		len;
	int			n;				/* J_ARR, J_OBJ: items */
	struct JNode **items;
	const char **keys;			/* J_OBJ */
	size_t	   *keylens;
} JNode;

typedef struct Parser
{
	const char *s;
	size_t		len;
	size_t		i;
	MgAlloc		alloc;
	void	   *ctx;
	MgConfigError *error;
	int			failed;
} Parser;

#if defined(__GNUC__)
static void failf(Parser *p, size_t pos, const char *fmt,...) __attribute__((format(printf, 3, 4)));
#endif

static void
failf(Parser *p, size_t pos, const char *fmt,...)
{
	va_list		ap;

	if (p->failed)
		return;
	p->failed = 1;
	if (p->error)
	{
		p->error->position = pos;
		va_start(ap, fmt);
		vsnprintf(p->error->message, sizeof(p->error->message), fmt, ap);
		va_end(ap);
	}
}

static void *
palloc_c(Parser *p, size_t size)
{
	void	   *m = p->alloc(p->ctx, size ? size : 1);

	if (m == NULL)
		failf(p, p->i, "out of memory");
	else
		memset(m, 0, size ? size : 1);
	return m;
}

static void
skip_ws(Parser *p)
{
	while (p->i < p->len &&
		   (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' || p->s[p->i] == '\r'))
		p->i++;
}

static JNode *parse_value(Parser *p, int depth);

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
read_hex4(Parser *p, size_t at, unsigned *out)
{
	unsigned	v = 0;

	if (at + 4 > p->len)
		return 0;
	for (int k = 0; k < 4; k++)
	{
		int			h = hexval(p->s[at + k]);

		if (h < 0)
			return 0;
		v = v * 16 + (unsigned) h;
	}
	*out = v;
	return 1;
}

static size_t
put_utf8(char *out, unsigned cp)
{
	if (cp < 0x80)
	{
		out[0] = (char) cp;
		return 1;
	}
	if (cp < 0x800)
	{
		out[0] = (char) (0xC0 | (cp >> 6));
		out[1] = (char) (0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000)
	{
		out[0] = (char) (0xE0 | (cp >> 12));
		out[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char) (0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char) (0xF0 | (cp >> 18));
	out[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char) (0x80 | (cp & 0x3F));
	return 4;
}

/* A string, at the opening quote.  The decoded text is never longer. */
static const char *
parse_string(Parser *p, size_t *outlen)
{
	size_t		start = p->i;
	char	   *out;
	size_t		o = 0;

	/* find the closing quote: the decoded text is never longer */
	{
		size_t		j = p->i + 1;

		while (j < p->len && p->s[j] != '"')
			j += p->s[j] == '\\' ? 2 : 1;
		out = palloc_c(p, (j < p->len ? j : p->len) - p->i + 1);
	}
	p->i++;						/* the quote */
	if (out == NULL)
		return NULL;
	while (p->i < p->len)
	{
		unsigned char c = (unsigned char) p->s[p->i];

		if (c == '"')
		{
			p->i++;
			out[o] = '\0';
			*outlen = o;
			return out;
		}
		if (c < 0x20)
		{
			failf(p, p->i, "control character in a string");
			return NULL;
		}
		if (c != '\\')
		{
			out[o++] = (char) c;
			p->i++;
			continue;
		}
		if (p->i + 1 >= p->len)
			break;
		switch (p->s[p->i + 1])
		{
			case '"':
				out[o++] = '"';
				break;
			case '\\':
				out[o++] = '\\';
				break;
			case '/':
				out[o++] = '/';
				break;
			case 'b':
				out[o++] = '\b';
				break;
			case 'f':
				out[o++] = '\f';
				break;
			case 'n':
				out[o++] = '\n';
				break;
			case 'r':
				out[o++] = '\r';
				break;
			case 't':
				out[o++] = '\t';
				break;
			case 'u':
				{
					unsigned	cp,
								lo;

					if (!read_hex4(p, p->i + 2, &cp))
					{
						failf(p, p->i, "invalid \\u escape");
						return NULL;
					}
					p->i += 4;
					if (cp >= 0xD800 && cp <= 0xDBFF)
					{
						if (p->i + 7 < p->len && p->s[p->i + 2] == '\\' && p->s[p->i + 3] == 'u' &&
							read_hex4(p, p->i + 4, &lo) && lo >= 0xDC00 && lo <= 0xDFFF)
						{
							cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
							p->i += 6;
						}
						else
						{
							failf(p, p->i, "unpaired surrogate in a \\u escape");
							return NULL;
						}
					}
					else if (cp >= 0xDC00 && cp <= 0xDFFF)
					{
						failf(p, p->i, "unpaired surrogate in a \\u escape");
						return NULL;
					}
					if (cp == 0)
					{
						failf(p, p->i, "\\u0000 in a string");
						return NULL;
					}
					/* at most 4 bytes out for at least 6 (or 12) in */
					o += put_utf8(out + o, cp);
					break;
				}
			default:
				failf(p, p->i, "invalid escape in a string");
				return NULL;
		}
		p->i += 2;
	}
	failf(p, start, "unterminated string");
	return NULL;
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A number by the JSON grammar, converted with strtod. */
static int
parse_number(Parser *p, double *out)
{
	size_t		start = p->i;
	size_t		i = p->i;
	char		buf[400];

	if (i < p->len && p->s[i] == '-')
		i++;
	if (i >= p->len || !is_digit(p->s[i]))
		return 0;
	if (p->s[i] == '0')
		i++;
	else
		while (i < p->len && is_digit(p->s[i]))
			i++;
	if (i < p->len && p->s[i] == '.')
	{
		i++;
		if (i >= p->len || !is_digit(p->s[i]))
			return 0;
		while (i < p->len && is_digit(p->s[i]))
			i++;
	}
	if (i < p->len && (p->s[i] == 'e' || p->s[i] == 'E'))
	{
		i++;
		if (i < p->len && (p->s[i] == '+' || p->s[i] == '-'))
			i++;
		if (i >= p->len || !is_digit(p->s[i]))
			return 0;
		while (i < p->len && is_digit(p->s[i]))
			i++;
	}
	if (i - start >= sizeof(buf))
	{
		failf(p, start, "number too long");
		return 0;
	}
	memcpy(buf, p->s + start, i - start);
	buf[i - start] = '\0';
	*out = strtod(buf, NULL);
	p->i = i;
	return 1;
}

/* Grow a pointer array by doubling; the old one is simply left behind. */
static void *
grow(Parser *p, void *old, int n, int *cap, size_t elem)
{
	void	   *m;

	if (n < *cap)
		return old;
	*cap = *cap ? *cap * 2 : 8;
	m = palloc_c(p, (size_t) *cap * elem);
	if (m && old)
		memcpy(m, old, (size_t) n * elem);
	return m;
}

static JNode *
parse_value(Parser *p, int depth)
{
	JNode	   *node;

	if (depth > MG_CONFIG_MAX_DEPTH)
	{
		failf(p, p->i, "nesting deeper than %d", MG_CONFIG_MAX_DEPTH);
		return NULL;
	}
	skip_ws(p);
	if (p->i >= p->len)
	{
		failf(p, p->i, "unexpected end of text");
		return NULL;
	}
	node = palloc_c(p, sizeof(JNode));
	if (node == NULL)
		return NULL;
	node->pos = p->i;
	switch (p->s[p->i])
	{
		case '{':
		case '[':
			{
				int			obj = p->s[p->i] == '{';
				char		close = obj ? '}' : ']';
				int			cap = 0,
							kcap = 0,
							lcap = 0;

				node->type = obj ? J_OBJ : J_ARR;
				p->i++;
				skip_ws(p);
				if (p->i < p->len && p->s[p->i] == close)
				{
					p->i++;
					return node;
				}
				for (;;)
				{
					JNode	   *item;

					skip_ws(p);
					if (obj)
					{
						const char *key;
						size_t		klen;

						if (p->i >= p->len || p->s[p->i] != '"')
						{
							failf(p, p->i, "expected a key");
							return NULL;
						}
						key = parse_string(p, &klen);
						if (key == NULL)
							return NULL;
						skip_ws(p);
						if (p->i >= p->len || p->s[p->i] != ':')
						{
							failf(p, p->i, "expected \":\"");
							return NULL;
						}
						p->i++;
						node->keys = grow(p, node->keys, node->n, &kcap, sizeof(char *));
						node->keylens = grow(p, node->keylens, node->n, &lcap, sizeof(size_t));
						if (node->keys == NULL || node->keylens == NULL)
							return NULL;
						node->keys[node->n] = key;
						node->keylens[node->n] = klen;
					}
					item = parse_value(p, depth + 1);
					if (item == NULL)
						return NULL;
					node->items = grow(p, node->items, node->n, &cap, sizeof(JNode *));
					if (node->items == NULL)
						return NULL;
					node->items[node->n++] = item;
					skip_ws(p);
					if (p->i < p->len && p->s[p->i] == ',')
					{
						p->i++;
						continue;
					}
					if (p->i < p->len && p->s[p->i] == close)
					{
						p->i++;
						return node;
					}
					failf(p, p->i, "expected \",\" or \"%c\"", close);
					return NULL;
				}
			}
		case '"':
			node->type = J_STR;
			node->str = parse_string(p, &node->len);
			return node->str ? node : NULL;
		case 't':
		case 'f':
		case 'n':
			{
				const char *word = p->s[p->i] == 't' ? "true" : p->s[p->i] == 'f' ? "false" : "null";
				size_t		wl = strlen(word);

				if (p->len - p->i < wl || memcmp(p->s + p->i, word, wl) != 0)
				{
					failf(p, p->i, "invalid literal");
					return NULL;
				}
				node->type = word[0] == 'n' ? J_NULL : J_BOOL;
				node->num = word[0] == 't';
				p->i += wl;
				return node;
			}
		default:
			node->type = J_NUM;
			if (!parse_number(p, &node->num))
			{
				failf(p, p->i, "invalid value");
				return NULL;
			}
			return node;
	}
}

/* ---- from the tree to a model ------------------------------------------ */

static JNode *
member(const JNode *obj, const char *key)
{
	JNode	   *found = NULL;

	if (obj == NULL || obj->type != J_OBJ)
		return NULL;
	for (int k = 0; k < obj->n; k++)
		if (obj->keylens[k] == strlen(key) && memcmp(obj->keys[k], key, obj->keylens[k]) == 0)
			found = obj->items[k];	/* the last one wins, as in jsonb */
	return found;
}

static int
want(Parser *p, const JNode *node, JType type, const char *what)
{
	static const char *const names[] = {"null", "a boolean", "a number", "a string", "an array", "an object"};

	if (node == NULL)
	{
		failf(p, 0, "\"%s\" is missing", what);
		return 0;
	}
	if (node->type != type)
	{
		failf(p, node->pos, "\"%s\" must be %s", what, names[type]);
		return 0;
	}
	if (type == J_NUM && !isfinite(node->num))
	{
		failf(p, node->pos, "\"%s\" is out of range", what);
		return 0;
	}
	return 1;
}

static int
decision_of(Parser *p, const JNode *node, const char *what, int allow_auto, MgDecision *out)
{
	if (!want(p, node, J_STR, what))
		return 0;
	if (strcmp(node->str, "ASK") == 0)
		*out = MG_ASK;
	else if (strcmp(node->str, "ESCALATE") == 0)
		*out = MG_ESCALATE;
	else if (allow_auto && strcmp(node->str, "AUTO") == 0)
		*out = MG_AUTO;
	else
	{
		failf(p, node->pos, "\"%s\" is not a decision it may take", what);
		return 0;
	}
	return 1;
}

static int
build(Parser *p, const JNode *root, MgModel *m)
{
	JNode	   *features = member(root, "features");
	JNode	   *weights = member(root, "weights");
	JNode	   *biases = member(root, "biases");
	JNode	   *thresholds = member(root, "thresholds");
	JNode	   *calibration = member(root, "calibration");
	JNode	   *rules = member(root, "safety_rules");
	JNode	   *method;
	int			n;
	int			slots;

	if (!want(p, root, J_OBJ, "configuration") ||
		!want(p, features, J_ARR, "features") || !want(p, weights, J_ARR, "weights") ||
		!want(p, biases, J_OBJ, "biases") || !want(p, thresholds, J_OBJ, "thresholds") ||
		!want(p, calibration, J_OBJ, "calibration") || !want(p, rules, J_ARR, "safety_rules"))
		return 0;
	n = features->n;
	if (n < 1 || n > MG_CONFIG_MAX_FEATURES || weights->n != n)
	{
		failf(p, features->pos, "there must be 1 to %d features, one weight each", MG_CONFIG_MAX_FEATURES);
		return 0;
	}

	m->nfeatures = n;
	m->feature_names = palloc_c(p, sizeof(char *) * n);
	m->weights = palloc_c(p, sizeof(double) * n);
	m->defaults = palloc_c(p, sizeof(double) * n);
	m->has_default = palloc_c(p, sizeof(bool) * n);
	if (p->failed)
		return 0;
	m->nrequired = 0;
	for (int i = 0; i < n; i++)
	{
		JNode	   *f = features->items[i];
		JNode	   *name = member(f, "name");
		JNode	   *def = member(f, "default");

		if (!want(p, f, J_OBJ, "features[]") || !want(p, name, J_STR, "features[].name") ||
			!want(p, weights->items[i], J_NUM, "weights[]"))
			return 0;
		m->feature_names[i] = name->str;
		m->weights[i] = weights->items[i]->num;
		if (def != NULL)
		{
			if (!want(p, def, J_NUM, "features[].default"))
				return 0;
			m->has_default[i] = true;
			m->defaults[i] = def->num;
		}
		else
			m->nrequired = i + 1;
	}

	/* biases: "default", and an open-addressing table of the others */
	m->bias_default = 0.0;
	for (slots = 8; slots < 2 * biases->n + 2; slots *= 2)
		;
	m->biases = palloc_c(p, sizeof(MgBias) * slots);
	if (m->biases == NULL)
		return 0;
	m->bias_mask = (uint32_t) slots - 1;
	m->nbiases = 0;
	for (int k = 0; k < biases->n; k++)
	{
		const char *key = biases->keys[k];
		size_t		klen = biases->keylens[k];
		uint32_t	h,
					i;

		if (!want(p, biases->items[k], J_NUM, "biases[]"))
			return 0;
		if (klen == 7 && memcmp(key, "default", 7) == 0)
		{
			m->bias_default = biases->items[k]->num;
			continue;
		}
		h = mg_bias_hash(key, klen);
		for (i = h & m->bias_mask; m->biases[i].key != NULL; i = (i + 1) & m->bias_mask)
			if (m->biases[i].hash == h && m->biases[i].keylen == klen &&
				memcmp(m->biases[i].key, key, klen) == 0)
				break;			/* a repeated key: the last one wins */
		if (m->biases[i].key == NULL)
			m->nbiases++;
		m->biases[i].key = key;
		m->biases[i].keylen = klen;
		m->biases[i].hash = h;
		m->biases[i].value = biases->items[k]->num;
	}

	if (!want(p, member(thresholds, "auto"), J_NUM, "thresholds.auto") ||
		!want(p, member(thresholds, "escalate"), J_NUM, "thresholds.escalate"))
		return 0;
	m->threshold_auto = member(thresholds, "auto")->num;
	m->threshold_escalate = member(thresholds, "escalate")->num;
	/* decide()'s bands rely on this order, as the decision itself does */
	if (!(m->threshold_auto >= 0.0 && m->threshold_auto <= m->threshold_escalate &&
		  m->threshold_escalate <= 1.0))
	{
		failf(p, thresholds->pos, "thresholds must satisfy 0 <= auto <= escalate <= 1");
		return 0;
	}

	method = member(calibration, "method");
	if (!want(p, method, J_STR, "calibration.method"))
		return 0;
	if (strcmp(method->str, "none") == 0)
		m->calibration = MG_CAL_NONE;
	else if (strcmp(method->str, "temperature") == 0)
	{
		if (!want(p, member(calibration, "T"), J_NUM, "calibration.T"))
			return 0;
		m->calibration = MG_CAL_TEMPERATURE;
		m->cal_t = member(calibration, "T")->num;
		if (!(m->cal_t > 0.0))
		{
			failf(p, member(calibration, "T")->pos, "\"calibration.T\" must be positive");
			return 0;
		}
	}
	else if (strcmp(method->str, "platt") == 0)
	{
		if (!want(p, member(calibration, "a"), J_NUM, "calibration.a") ||
			!want(p, member(calibration, "b"), J_NUM, "calibration.b"))
			return 0;
		m->calibration = MG_CAL_PLATT;
		m->cal_a = member(calibration, "a")->num;
		m->cal_b = member(calibration, "b")->num;
	}
	else
	{
		failf(p, method->pos, "unknown calibration method");
		return 0;
	}

	if (rules->n > MG_CONFIG_MAX_RULES)
	{
		failf(p, rules->pos, "more than %d safety rules", MG_CONFIG_MAX_RULES);
		return 0;
	}
	m->nrules = rules->n;
	m->rules = palloc_c(p, sizeof(MgRule) * (rules->n > 0 ? rules->n : 1));
	if (m->rules == NULL)
		return 0;
	for (int r = 0; r < rules->n; r++)
	{
		JNode	   *rule = rules->items[r];
		JNode	   *feature = member(rule, "feature");
		JNode	   *op = member(rule, "op");
		MgRule	   *out = &m->rules[r];

		if (!want(p, rule, J_OBJ, "safety_rules[]") ||
			!want(p, member(rule, "name"), J_STR, "safety_rules[].name") ||
			!want(p, feature, J_STR, "safety_rules[].feature") ||
			!want(p, op, J_STR, "safety_rules[].op") ||
			!want(p, member(rule, "value"), J_NUM, "safety_rules[].value") ||
			!decision_of(p, member(rule, "decision"), "safety_rules[].decision", 0, &out->decision))
			return 0;
		out->name = member(rule, "name")->str;
		out->value = member(rule, "value")->num;
		out->feature = -1;
		for (int i = 0; i < n; i++)
			if (strcmp(m->feature_names[i], feature->str) == 0)
				out->feature = i;
		if (out->feature < 0)
		{
			failf(p, feature->pos, "a safety rule refers to an unknown feature");
			return 0;
		}
		if (strcmp(op->str, "<") == 0)
			out->op = MG_OP_LT;
		else if (strcmp(op->str, "<=") == 0)
			out->op = MG_OP_LE;
		else if (strcmp(op->str, ">") == 0)
			out->op = MG_OP_GT;
		else if (strcmp(op->str, ">=") == 0)
			out->op = MG_OP_GE;
		else
		{
			failf(p, op->pos, "unknown safety rule operator");
			return 0;
		}
	}

	if (!decision_of(p, member(root, "missing_feature_decision"), "missing_feature_decision", 0,
					 &m->missing_decision))
		return 0;

	mg_model_prepare(m);
	return 1;
}

int
mg_config_parse(const char *text, size_t len, MgAlloc alloc, void *ctx,
				MgModel *model, MgConfigError *error)
{
	Parser		p;
	JNode	   *root;

	memset(&p, 0, sizeof(p));
	p.s = text;
	p.len = len;
	p.alloc = alloc;
	p.ctx = ctx;
	p.error = error;
	if (len > MG_CONFIG_MAX_LEN)
	{
		failf(&p, 0, "configuration text longer than %d bytes", MG_CONFIG_MAX_LEN);
		return -1;
	}
	root = parse_value(&p, 0);
	if (root != NULL)
	{
		skip_ws(&p);
		if (p.i < p.len)
			failf(&p, p.i, "text after the configuration");
	}
	if (root == NULL || p.failed || !build(&p, root, model) || p.failed)
		return -1;
	return 0;
}
