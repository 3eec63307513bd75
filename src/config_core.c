/*-------------------------------------------------------------------------
 *
 * config_core.c
 *		The rules of a valid configuration, applied by both the normalizer
 *		(what a proposal stores) and the compiler (what scoring evaluates).
 *		No PostgreSQL calls, no global state.
 *
 * The text is parsed into a small tree (a JSON parser of its own), then
 * check() applies every rule of docs/reference.md ("Configuration") and
 * resolves the defaults into a Checked.  From there build() makes an
 * MgModel and emit() writes the normalized text.
 *
 * The normalized text is laid out as PostgreSQL's JsonbToCString() prints
 * a jsonb ("key": value, separated by ", "; strings escaped as
 * escape_json() does), so its length is that of the stored jsonb's text,
 * which is what the compiler reads at scoring time.  A number keeps its
 * text when that text is exactly the shortest decimal that reads back as
 * the same float8, whatever trailing zeros it has (so "0.30" stays
 * "0.30"); otherwise it is written as that shortest decimal, without an
 * exponent as numeric_out() would print it, so the stored configuration
 * says what the model computes with.
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
	size_t		end;			/* just after it ends */
	double		num;			/* J_NUM: the value as float8 */
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

	/* the normalized text, while emit() writes it */
	char	   *out;
	size_t		outlen;
	size_t		outcap;
} Parser;

/*
 * A configuration that passed check(): every key resolved, defaults
 * applied.  Nodes point into the parse tree.
 */
typedef struct Checked
{
	int			nfeatures;
	const JNode *weights;		/* array of nfeatures numbers */
	const char **names;			/* feature names */
	size_t	   *namelens;
	const JNode **defaults;		/* per feature, NULL when none */
	const JNode *biases;		/* object, or NULL when absent */
	int		   *bias_keys;		/* biases' distinct keys: index of the last
								 * occurrence of each, in order */
	int			nbias_keys;
	const JNode *bias_default;	/* NULL: 0.0 */
	const JNode *t_auto;
	const JNode *t_escalate;
	MgCalibration calibration;
	const JNode *cal_t;
	const JNode *cal_a;
	const JNode *cal_b;
	int			nrules;
	const JNode **rule_names;
	int		   *rule_feature;
	MgRuleOp   *rule_op;
	MgDecision *rule_decision;
	const JNode **rule_values;
	MgDecision	missing;
} Checked;

/* Longest excerpt of the text quoted in a message, in bytes. */
#define EXCERPT_LEN 40

/* ---- errors -------------------------------------------------------------- */

/*
 * Cut buf (NUL-terminated) to at most max bytes, at a UTF-8 character
 * boundary (never before a continuation byte).  In another server encoding
 * the cut may split a character: the caller checks the encoding.
 */
static size_t
clip(char *buf, size_t max)
{
	size_t		n = strlen(buf);

	if (n <= max)
		return n;
	n = max;
	while (n > 0 && ((unsigned char) buf[n] & 0xC0) == 0x80)
		n--;
	buf[n] = '\0';
	return n;
}

#if defined(__GNUC__)
static int	fail(Parser *p, MgConfigErrorKind kind, size_t pos, const char *path,
				 const char *fmt,...) __attribute__((format(printf, 5, 6)));
#endif

/* Record the first failure; returns 0 so that callers can return fail(). */
static int
fail(Parser *p, MgConfigErrorKind kind, size_t pos, const char *path, const char *fmt,...)
{
	va_list		ap;

	if (p->failed)
		return 0;
	p->failed = 1;
	if (p->error)
	{
		char		buf[sizeof(p->error->message) + 1];

		p->error->kind = kind;
		p->error->position = pos;
		snprintf(p->error->path, sizeof(p->error->path), "%s", path);
		clip(p->error->path, sizeof(p->error->path) - 1);
		va_start(ap, fmt);
		vsnprintf(buf, sizeof(buf), fmt, ap);
		va_end(ap);
		clip(buf, sizeof(p->error->message) - 1);
		memcpy(p->error->message, buf, strlen(buf) + 1);
	}
	return 0;
}

static int
syntax_error(Parser *p, size_t pos, const char *what)
{
	return fail(p, MG_CONFIG_INVALID, pos, "",
				"The configuration is not valid JSON: %s at byte %zu.", what, pos);
}

/* The JSON text of a node, shortened for a message; "missing" for NULL. */
static const char *
excerpt(const Parser *p, const JNode *node, char *buf, size_t size)
{
	size_t		n;

	if (node == NULL)
		return "missing";
	n = node->end - node->pos;
	if (n > size - 4)
		n = size - 4;
	memcpy(buf, p->s + node->pos, n);
	buf[n] = '\0';
	for (size_t k = 0; k < n; k++)
		if ((unsigned char) buf[k] < 0x20)
			buf[k] = ' ';
	if (node->end - node->pos > EXCERPT_LEN)
	{
		n = clip(buf, EXCERPT_LEN);
		memcpy(buf + n, "...", 4);
	}
	return buf;
}

/*
 * A decoded string for a message or a key path: as it is when it looks
 * like an identifier, else JSON-quoted; shortened either way.
 */
static const char *
show_key(const char *key, size_t len, int quote, char *buf, size_t size)
{
	size_t		o = 0,
				k;
	int			plain = len > 0;

	for (k = 0; k < len && plain; k++)
		plain = (key[k] >= 'a' && key[k] <= 'z') || (key[k] >= 'A' && key[k] <= 'Z') ||
			(key[k] >= '0' && key[k] <= '9') || key[k] == '_' || key[k] == '-';
	quote = quote || !plain;
	if (quote)
		buf[o++] = '"';
	for (k = 0; k < len && o < EXCERPT_LEN && o + 12 < size; k++)
	{
		unsigned char c = (unsigned char) key[k];

		if (c == '"' || c == '\\')
		{
			buf[o++] = '\\';
			buf[o++] = (char) c;
		}
		else if (c < 0x20)
			o += (size_t) snprintf(buf + o, size - o, "\\u%04x", c);
		else
			buf[o++] = (char) c;
	}
	buf[o] = '\0';
	if (k < len)
	{
		/* shortened: cut at a character boundary, and say so */
		o = (size_t) quote + clip(buf + quote, o - 1 - (size_t) quote);
		memcpy(buf + o, "...", 4);
		o += 3;
	}
	if (quote)
	{
		buf[o++] = '"';
		buf[o] = '\0';
	}
	return buf;
}

/* ---- the JSON parser ------------------------------------------------- */

/* Allocate zeroed memory from the caller's allocator. */
static void *
alloc_zeroed(Parser *p, size_t size)
{
	void	   *m = p->alloc(p->ctx, size ? size : 1);

	if (m == NULL)
		fail(p, MG_CONFIG_OUT_OF_MEMORY, p->i, "",
			 "Out of memory while reading the configuration.");
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
		out = alloc_zeroed(p, (j < p->len ? j : p->len) - p->i + 1);
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
			syntax_error(p, p->i, "control character in a string");
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
						syntax_error(p, p->i, "invalid \\u escape");
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
							syntax_error(p, p->i, "unpaired surrogate in a \\u escape");
							return NULL;
						}
					}
					else if (cp >= 0xDC00 && cp <= 0xDFFF)
					{
						syntax_error(p, p->i, "unpaired surrogate in a \\u escape");
						return NULL;
					}
					if (cp == 0)
					{
						syntax_error(p, p->i, "\\u0000 in a string");
						return NULL;
					}
					/* at most 4 bytes out for at least 6 (or 12) in */
					o += put_utf8(out + o, cp);
					break;
				}
			default:
				syntax_error(p, p->i, "invalid escape in a string");
				return NULL;
		}
		p->i += 2;
	}
	syntax_error(p, start, "unterminated string");
	return NULL;
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * A number by the JSON grammar, of any length, converted with strtod (to
 * an infinity when out of range, which check_number() refuses).  Negative
 * zero becomes zero, as in jsonb.
 */
static int
parse_number(Parser *p, double *out)
{
	size_t		start = p->i;
	size_t		i = p->i;
	char		small[64];
	char	   *buf = small;

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
	/* strtod needs a terminated copy: the text may go on, or end here */
	if (i - start >= sizeof(small))
	{
		buf = alloc_zeroed(p, i - start + 1);
		if (buf == NULL)
			return 0;
	}
	memcpy(buf, p->s + start, i - start);
	buf[i - start] = '\0';
	*out = strtod(buf, NULL);
	if (*out == 0.0)
		*out = 0.0;
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
	m = alloc_zeroed(p, (size_t) *cap * elem);
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
		fail(p, MG_CONFIG_LIMIT, p->i, "",
			 "The configuration is nested more than %d levels deep.", MG_CONFIG_MAX_DEPTH);
		return NULL;
	}
	skip_ws(p);
	if (p->i >= p->len)
	{
		syntax_error(p, p->i, "the text ends too early");
		return NULL;
	}
	node = alloc_zeroed(p, sizeof(JNode));
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
					node->end = p->i;
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
							syntax_error(p, p->i, "expected a key");
							return NULL;
						}
						key = parse_string(p, &klen);
						if (key == NULL)
							return NULL;
						skip_ws(p);
						if (p->i >= p->len || p->s[p->i] != ':')
						{
							syntax_error(p, p->i, "expected \":\"");
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
						node->end = p->i;
						return node;
					}
					syntax_error(p, p->i, obj ? "expected \",\" or \"}\"" : "expected \",\" or \"]\"");
					return NULL;
				}
			}
		case '"':
			node->type = J_STR;
			node->str = parse_string(p, &node->len);
			node->end = p->i;
			return node->str ? node : NULL;
		case 't':
		case 'f':
		case 'n':
			{
				const char *word = p->s[p->i] == 't' ? "true" : p->s[p->i] == 'f' ? "false" : "null";
				size_t		wl = strlen(word);

				if (p->len - p->i < wl || memcmp(p->s + p->i, word, wl) != 0)
				{
					syntax_error(p, p->i, "invalid literal");
					return NULL;
				}
				node->type = word[0] == 'n' ? J_NULL : J_BOOL;
				node->num = word[0] == 't';
				p->i += wl;
				node->end = p->i;
				return node;
			}
		default:
			node->type = J_NUM;
			if (!parse_number(p, &node->num))
			{
				syntax_error(p, p->i, "invalid value");
				return NULL;
			}
			node->end = p->i;
			return node;
	}
}

/* Parse the whole text; NULL (with the error set) unless it is one value. */
static JNode *
parse_text(Parser *p, const char *text, size_t len, MgAlloc alloc, void *ctx,
		   MgConfigError *error)
{
	JNode	   *root;

	memset(p, 0, sizeof(*p));
	p->s = text;
	p->len = len;
	p->alloc = alloc;
	p->ctx = ctx;
	p->error = error;
	if (error)
		memset(error, 0, sizeof(*error));
	if (len > MG_CONFIG_MAX_LEN)
	{
		fail(p, MG_CONFIG_LIMIT, 0, "",
			 "The configuration text is %zu bytes; at most %d are allowed.",
			 len, MG_CONFIG_MAX_LEN);
		return NULL;
	}
	root = parse_value(p, 0);
	if (root != NULL && !p->failed)
	{
		skip_ws(p);
		if (p->i < p->len)
			syntax_error(p, p->i, "text after the configuration");
	}
	return p->failed ? NULL : root;
}

/* ---- the rules --------------------------------------------------------- */

static int
key_is(const JNode *obj, int k, const char *key)
{
	return obj->keylens[k] == strlen(key) && memcmp(obj->keys[k], key, obj->keylens[k]) == 0;
}

static JNode *
member(const JNode *obj, const char *key)
{
	JNode	   *found = NULL;

	if (obj == NULL || obj->type != J_OBJ)
		return NULL;
	for (int k = 0; k < obj->n; k++)
		if (key_is(obj, k, key))
			found = obj->items[k];	/* the last one wins, as in jsonb */
	return found;
}

/* the first key of obj that is not in allowed (a NULL-terminated list) */
static int
unknown_key(const JNode *obj, const char *const *allowed)
{
	for (int k = 0; k < obj->n; k++)
	{
		int			ok = 0;

		for (int a = 0; allowed[a] != NULL && !ok; a++)
			ok = key_is(obj, k, allowed[a]);
		if (!ok)
			return k;
	}
	return -1;
}

/* path of key k of obj: prefix.key */
static const char *
key_path(const char *prefix, const JNode *obj, int k, char *buf, size_t size)
{
	char		key[EXCERPT_LEN + 16];

	show_key(obj->keys[k], obj->keylens[k], 0, key, sizeof(key));
	snprintf(buf, size, "%s%s%s", prefix, prefix[0] ? "." : "", key);
	return buf;
}

static int
is_string(const JNode *node, const char *s)
{
	return node != NULL && node->type == J_STR && node->len == strlen(s) &&
		memcmp(node->str, s, node->len) == 0;
}

/*
 * A finite number within MG_CONFIG_MAX_NUMBER, and within [0, 1] when
 * unit; otherwise fail naming path.
 */
static int
check_number(Parser *p, const JNode *node, const char *path, int unit)
{
	char		buf[EXCERPT_LEN + 8];

	if (node == NULL)
		return fail(p, MG_CONFIG_INVALID, 0, path, "%s must be a number, not missing.", path);
	if (node->type != J_NUM)
		return fail(p, MG_CONFIG_INVALID, node->pos, path, "%s must be a number, not %s.",
					path, excerpt(p, node, buf, sizeof(buf)));
	if (!(fabs(node->num) <= MG_CONFIG_MAX_NUMBER))
		return fail(p, MG_CONFIG_INVALID, node->pos, path,
					"%s is too large: %s (at most 1e300 in absolute value).",
					path, excerpt(p, node, buf, sizeof(buf)));
	if (unit && !(node->num >= 0.0 && node->num <= 1.0))
		return fail(p, MG_CONFIG_INVALID, node->pos, path, "%s must be between 0 and 1, not %s.",
					path, excerpt(p, node, buf, sizeof(buf)));
	return 1;
}

static int
is_identifier(const char *s, size_t len)
{
	if (len < 1 || len > 63)
		return 0;
	for (size_t k = 0; k < len; k++)
	{
		char		c = s[k];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
			  (k > 0 && c >= '0' && c <= '9')))
			return 0;
	}
	return 1;
}

static const char *const root_keys[] = {
	"features", "weights", "biases", "thresholds", "threshold_auto", "threshold_escalate",
	"calibration", "safety_rules", "missing_feature_decision", NULL
};
static const char *const feature_keys[] = {"name", "default", NULL};
static const char *const threshold_keys[] = {"auto", "escalate", NULL};
static const char *const rule_keys[] = {"name", "feature", "op", "value", "decision", NULL};
#define RULE_KEYS_TEXT "\"name\", \"feature\", \"op\", \"value\" and \"decision\""

static int
check_features(Parser *p, const JNode *root, Checked *c)
{
	JNode	   *features = member(root, "features");
	int			n = c->nfeatures;
	char		path[96],
				keypath[128],
				buf[EXCERPT_LEN + 16];

	c->names = alloc_zeroed(p, sizeof(char *) * n);
	c->namelens = alloc_zeroed(p, sizeof(size_t) * n);
	c->defaults = alloc_zeroed(p, sizeof(JNode *) * n);
	if (p->failed)
		return 0;

	if (features == NULL)
	{
		/* named f1..fn */
		for (int i = 0; i < n; i++)
		{
			char	   *name = alloc_zeroed(p, 8);

			if (name == NULL)
				return 0;
			c->namelens[i] = (size_t) snprintf(name, 8, "f%d", i + 1);
			c->names[i] = name;
		}
		return 1;
	}
	if (features->type != J_ARR || features->n != n)
		return fail(p, MG_CONFIG_INVALID, features->pos, "features",
					"\"features\" must be an array with one entry per weight (%d).", n);
	for (int i = 0; i < n; i++)
	{
		JNode	   *f = features->items[i];
		JNode	   *name = member(f, "name");
		int			k;

		snprintf(path, sizeof(path), "features[%d]", i);
		if (f->type != J_OBJ || name == NULL)
			return fail(p, MG_CONFIG_INVALID, f->pos, path,
						"%s must be an object with a \"name\" and an optional \"default\".", path);
		if ((k = unknown_key(f, feature_keys)) >= 0)
			return fail(p, MG_CONFIG_INVALID, f->items[k]->pos,
						key_path(path, f, k, keypath, sizeof(keypath)),
						"Unknown key %s in features[%d]; a feature has a \"name\" and an optional \"default\".",
						show_key(f->keys[k], f->keylens[k], 1, buf, sizeof(buf)), i);
		snprintf(path, sizeof(path), "features[%d].name", i);
		if (name->type != J_STR)
			return fail(p, MG_CONFIG_INVALID, name->pos, path, "%s must be a string, not %s.",
						path, excerpt(p, name, buf, sizeof(buf)));
		if (!is_identifier(name->str, name->len))
			return fail(p, MG_CONFIG_INVALID, name->pos, path,
						"Feature name %s is not an identifier (a letter or underscore, then up to 62 letters, digits or underscores).",
						excerpt(p, name, buf, sizeof(buf)));
		for (int j = 0; j < i; j++)
			if (c->namelens[j] == name->len && memcmp(c->names[j], name->str, name->len) == 0)
				return fail(p, MG_CONFIG_INVALID, name->pos, path,
							"Feature \"%s\" is declared twice.", name->str);
		c->names[i] = name->str;
		c->namelens[i] = name->len;
		c->defaults[i] = member(f, "default");
		snprintf(path, sizeof(path), "features[%d].default", i);
		if (c->defaults[i] != NULL && !check_number(p, c->defaults[i], path, 0))
			return 0;
	}
	return 1;
}

/* The distinct keys of biases (the last of repeated ones, as in jsonb). */
static int
check_biases(Parser *p, const JNode *root, Checked *c)
{
	const JNode *biases = member(root, "biases");
	int		   *slots;
	uint32_t	nslots,
				mask;
	char		path[96];

	c->biases = biases;
	if (biases == NULL)
		return 1;
	if (biases->type != J_OBJ)
		return fail(p, MG_CONFIG_INVALID, biases->pos, "biases",
					"\"biases\" must be an object mapping candidates to numbers.");
	for (int k = 0; k < biases->n; k++)
	{
		if (!check_number(p, biases->items[k], key_path("biases", biases, k, path, sizeof(path)), 0))
			return 0;
	}

	for (nslots = 8; nslots < 2 * (uint32_t) biases->n + 2; nslots *= 2)
		;
	mask = nslots - 1;
	slots = alloc_zeroed(p, sizeof(int) * nslots);	/* key index + 1 */
	c->bias_keys = alloc_zeroed(p, sizeof(int) * (biases->n > 0 ? biases->n : 1));
	if (p->failed)
		return 0;
	for (int k = 0; k < biases->n; k++)
	{
		uint32_t	s;

		for (s = mg_bias_hash(biases->keys[k], biases->keylens[k]) & mask; slots[s] != 0; s = (s + 1) & mask)
		{
			int			o = slots[s] - 1;

			if (biases->keylens[o] == biases->keylens[k] &&
				memcmp(biases->keys[o], biases->keys[k], biases->keylens[k]) == 0)
				break;
		}
		slots[s] = k + 1;
	}
	c->nbias_keys = 0;
	for (int k = 0; k < biases->n; k++)
	{
		uint32_t	s;

		for (s = mg_bias_hash(biases->keys[k], biases->keylens[k]) & mask;; s = (s + 1) & mask)
		{
			int			o = slots[s] - 1;

			if (biases->keylens[o] == biases->keylens[k] &&
				memcmp(biases->keys[o], biases->keys[k], biases->keylens[k]) == 0)
				break;
		}
		if (slots[s] - 1 != k)
			continue;			/* repeated later */
		c->bias_keys[c->nbias_keys++] = k;
		if (key_is(biases, k, "default"))
			c->bias_default = biases->items[k];
	}
	return 1;
}

static int
check_thresholds(Parser *p, const JNode *root, Checked *c)
{
	const JNode *thresholds = member(root, "thresholds");
	const JNode *flat_auto = member(root, "threshold_auto");
	const JNode *flat_escalate = member(root, "threshold_escalate");
	const char *auto_path = "thresholds.auto";
	const char *escalate_path = "thresholds.escalate";
	char		buf[96],
				buf2[EXCERPT_LEN + 8],
				buf3[EXCERPT_LEN + 8];
	int			k;

	if (thresholds != NULL && (flat_auto != NULL || flat_escalate != NULL))
		return fail(p, MG_CONFIG_INVALID, thresholds->pos, "thresholds",
					"Give \"thresholds\" or \"threshold_auto\" and \"threshold_escalate\", not both.");
	if (thresholds != NULL)
	{
		if (thresholds->type != J_OBJ)
			return fail(p, MG_CONFIG_INVALID, thresholds->pos, "thresholds",
						"\"thresholds\" must be an object with \"auto\" and \"escalate\".");
		if ((k = unknown_key(thresholds, threshold_keys)) >= 0)
			return fail(p, MG_CONFIG_INVALID, thresholds->items[k]->pos,
						key_path("thresholds", thresholds, k, buf, sizeof(buf)),
						"Unknown key %s in \"thresholds\"; it has \"auto\" and \"escalate\".",
						show_key(thresholds->keys[k], thresholds->keylens[k], 1, buf2, sizeof(buf2)));
		c->t_auto = member(thresholds, "auto");
		c->t_escalate = member(thresholds, "escalate");
	}
	else if (flat_auto != NULL || flat_escalate != NULL)
	{
		auto_path = "threshold_auto";
		escalate_path = "threshold_escalate";
		c->t_auto = flat_auto;
		c->t_escalate = flat_escalate;
	}
	if (!check_number(p, c->t_auto, auto_path, 1) ||
		!check_number(p, c->t_escalate, escalate_path, 1))
		return 0;
	if (c->t_auto->num > c->t_escalate->num)
		return fail(p, MG_CONFIG_INVALID, c->t_auto->pos, auto_path,
					"%s (%s) must not exceed %s (%s).",
					auto_path, excerpt(p, c->t_auto, buf2, sizeof(buf2)),
					escalate_path, excerpt(p, c->t_escalate, buf3, sizeof(buf3)));
	return 1;
}

static int
check_calibration(Parser *p, const JNode *root, Checked *c)
{
	const JNode *cal = member(root, "calibration");
	const JNode *method = member(cal, "method");
	static const char *const none_keys[] = {"method", NULL};
	static const char *const temperature_keys[] = {"method", "T", NULL};
	static const char *const platt_keys[] = {"method", "a", "b", NULL};
	char		path[96],
				buf[EXCERPT_LEN + 8];
	int			k;

	c->calibration = MG_CAL_NONE;
	if (cal == NULL)
		return 1;
	if (cal->type != J_OBJ || method == NULL || method->type == J_NULL)
		return fail(p, MG_CONFIG_INVALID, cal->pos, "calibration",
					"\"calibration\" must be an object with a \"method\".");
	if (is_string(method, "none"))
	{
		if ((k = unknown_key(cal, none_keys)) >= 0)
			return fail(p, MG_CONFIG_INVALID, cal->items[k]->pos,
						key_path("calibration", cal, k, path, sizeof(path)),
						"Calibration \"none\" takes no parameters.");
	}
	else if (is_string(method, "temperature"))
	{
		if ((k = unknown_key(cal, temperature_keys)) >= 0)
			return fail(p, MG_CONFIG_INVALID, cal->items[k]->pos,
						key_path("calibration", cal, k, path, sizeof(path)),
						"Calibration \"temperature\" takes one parameter, \"T\".");
		c->calibration = MG_CAL_TEMPERATURE;
		c->cal_t = member(cal, "T");
		if (!check_number(p, c->cal_t, "calibration.T", 0))
			return 0;
		if (!(c->cal_t->num > 0.0))
			return fail(p, MG_CONFIG_INVALID, c->cal_t->pos, "calibration.T",
						"calibration.T must be positive, not %s.",
						excerpt(p, c->cal_t, buf, sizeof(buf)));
	}
	else if (is_string(method, "platt"))
	{
		if ((k = unknown_key(cal, platt_keys)) >= 0)
			return fail(p, MG_CONFIG_INVALID, cal->items[k]->pos,
						key_path("calibration", cal, k, path, sizeof(path)),
						"Calibration \"platt\" takes two parameters, \"a\" and \"b\".");
		c->calibration = MG_CAL_PLATT;
		c->cal_a = member(cal, "a");
		c->cal_b = member(cal, "b");
		if (!check_number(p, c->cal_a, "calibration.a", 0) ||
			!check_number(p, c->cal_b, "calibration.b", 0))
			return 0;
	}
	else
		return fail(p, MG_CONFIG_INVALID, method->pos, "calibration.method",
					"Unknown calibration method %s; use none, temperature or platt.",
					excerpt(p, method, buf, sizeof(buf)));
	return 1;
}

static int
check_rules(Parser *p, const JNode *root, Checked *c)
{
	const JNode *rules = member(root, "safety_rules");
	char		path[96],
				keypath[128],
				buf[EXCERPT_LEN + 16],
				buf2[EXCERPT_LEN + 16];
	int			n;

	c->nrules = 0;
	if (rules == NULL)
		return 1;
	if (rules->type != J_ARR)
		return fail(p, MG_CONFIG_INVALID, rules->pos, "safety_rules",
					"\"safety_rules\" must be an array.");
	n = rules->n;
	if (n > MG_CONFIG_MAX_RULES)
	{
		snprintf(path, sizeof(path), "safety_rules[%d]", MG_CONFIG_MAX_RULES);
		return fail(p, MG_CONFIG_LIMIT, rules->items[MG_CONFIG_MAX_RULES]->pos, path,
					"A model has at most %d safety rules, not %d.", MG_CONFIG_MAX_RULES, n);
	}
	c->rule_names = alloc_zeroed(p, sizeof(JNode *) * (n > 0 ? n : 1));
	c->rule_feature = alloc_zeroed(p, sizeof(int) * (n > 0 ? n : 1));
	c->rule_op = alloc_zeroed(p, sizeof(MgRuleOp) * (n > 0 ? n : 1));
	c->rule_decision = alloc_zeroed(p, sizeof(MgDecision) * (n > 0 ? n : 1));
	c->rule_values = alloc_zeroed(p, sizeof(JNode *) * (n > 0 ? n : 1));
	if (p->failed)
		return 0;
	for (int r = 0; r < n; r++)
	{
		const JNode *rule = rules->items[r];
		const JNode *name,
				   *feature,
				   *op,
				   *decision;
		int			k;

		snprintf(path, sizeof(path), "safety_rules[%d]", r);
		if (rule->type != J_OBJ)
			return fail(p, MG_CONFIG_INVALID, rule->pos, path,
						"%s must be an object with " RULE_KEYS_TEXT ".", path);
		if ((k = unknown_key(rule, rule_keys)) >= 0)
			return fail(p, MG_CONFIG_INVALID, rule->items[k]->pos,
						key_path(path, rule, k, keypath, sizeof(keypath)),
						"Unknown key %s in %s; a safety rule has exactly " RULE_KEYS_TEXT ".",
						show_key(rule->keys[k], rule->keylens[k], 1, buf, sizeof(buf)), path);
		for (int a = 0; rule_keys[a] != NULL; a++)
			if (member(rule, rule_keys[a]) == NULL)
			{
				snprintf(keypath, sizeof(keypath), "%s.%s", path, rule_keys[a]);
				return fail(p, MG_CONFIG_INVALID, rule->pos, keypath,
							"%s has no \"%s\"; a safety rule has exactly " RULE_KEYS_TEXT ".",
							path, rule_keys[a]);
			}
		name = member(rule, "name");
		feature = member(rule, "feature");
		op = member(rule, "op");
		decision = member(rule, "decision");

		snprintf(path, sizeof(path), "safety_rules[%d].name", r);
		if (name->type != J_STR)
			return fail(p, MG_CONFIG_INVALID, name->pos, path, "%s must be a string, not %s.",
						path, excerpt(p, name, buf, sizeof(buf)));
		for (int q = 0; q < r; q++)
			if (c->rule_names[q]->len == name->len &&
				memcmp(c->rule_names[q]->str, name->str, name->len) == 0)
				return fail(p, MG_CONFIG_INVALID, name->pos, path,
							"Safety rule names must be distinct; %s is used twice.",
							excerpt(p, name, buf, sizeof(buf)));
		c->rule_names[r] = name;

		snprintf(path, sizeof(path), "safety_rules[%d].feature", r);
		if (feature->type != J_STR)
			return fail(p, MG_CONFIG_INVALID, feature->pos, path, "%s must be a string, not %s.",
						path, excerpt(p, feature, buf, sizeof(buf)));
		c->rule_feature[r] = -1;
		for (int i = 0; i < c->nfeatures && c->rule_feature[r] < 0; i++)
			if (c->namelens[i] == feature->len && memcmp(c->names[i], feature->str, feature->len) == 0)
				c->rule_feature[r] = i;
		if (c->rule_feature[r] < 0)
			return fail(p, MG_CONFIG_INVALID, feature->pos, path,
						"Safety rule %s refers to unknown feature %s.",
						excerpt(p, name, buf, sizeof(buf)), excerpt(p, feature, buf2, sizeof(buf2)));

		snprintf(path, sizeof(path), "safety_rules[%d].op", r);
		if (is_string(op, "<"))
			c->rule_op[r] = MG_OP_LT;
		else if (is_string(op, "<="))
			c->rule_op[r] = MG_OP_LE;
		else if (is_string(op, ">"))
			c->rule_op[r] = MG_OP_GT;
		else if (is_string(op, ">="))
			c->rule_op[r] = MG_OP_GE;
		else
			return fail(p, MG_CONFIG_INVALID, op->pos, path,
						"Safety rule %s has operator %s; use <, <=, > or >=.",
						excerpt(p, name, buf, sizeof(buf)), excerpt(p, op, buf2, sizeof(buf2)));

		snprintf(path, sizeof(path), "safety_rules[%d].value", r);
		c->rule_values[r] = member(rule, "value");
		if (!check_number(p, c->rule_values[r], path, 0))
			return 0;

		snprintf(path, sizeof(path), "safety_rules[%d].decision", r);
		if (is_string(decision, "ASK"))
			c->rule_decision[r] = MG_ASK;
		else if (is_string(decision, "ESCALATE"))
			c->rule_decision[r] = MG_ESCALATE;
		else
			return fail(p, MG_CONFIG_INVALID, decision->pos, path,
						"Safety rule %s decides %s; a rule can only ASK or ESCALATE.",
						excerpt(p, name, buf, sizeof(buf)), excerpt(p, decision, buf2, sizeof(buf2)));
		c->nrules = r + 1;
	}
	return 1;
}

/*
 * Apply every rule to the tree of a configuration, in the order the
 * PL/pgSQL normalizer of 0.1.0 did (so the first error reported is the
 * same), and resolve it into *c.
 */
static int
check(Parser *p, const JNode *root, Checked *c)
{
	const JNode *weights;
	const JNode *missing;
	char		path[96],
				buf[EXCERPT_LEN + 16];
	int			k;

	memset(c, 0, sizeof(*c));
	if (root->type != J_OBJ)
		return fail(p, MG_CONFIG_INVALID, root->pos, "", "A configuration is a JSON object.");
	if ((k = unknown_key(root, root_keys)) >= 0)
		return fail(p, MG_CONFIG_INVALID, root->items[k]->pos,
					key_path("", root, k, path, sizeof(path)),
					"Unknown key %s.", show_key(root->keys[k], root->keylens[k], 1, buf, sizeof(buf)));

	weights = member(root, "weights");
	if (weights == NULL || weights->type != J_ARR || weights->n == 0)
		return fail(p, MG_CONFIG_INVALID, weights ? weights->pos : root->pos, "weights",
					"\"weights\" must be a non-empty array of numbers.");
	if (weights->n > MG_CONFIG_MAX_FEATURES)
	{
		snprintf(path, sizeof(path), "weights[%d]", MG_CONFIG_MAX_FEATURES);
		return fail(p, MG_CONFIG_LIMIT, weights->items[MG_CONFIG_MAX_FEATURES]->pos, path,
					"A model has at most %d features, not %d.", MG_CONFIG_MAX_FEATURES, weights->n);
	}
	for (int i = 0; i < weights->n; i++)
	{
		snprintf(path, sizeof(path), "weights[%d]", i);
		if (!check_number(p, weights->items[i], path, 0))
			return 0;
	}
	c->weights = weights;
	c->nfeatures = weights->n;

	if (!check_features(p, root, c) || !check_biases(p, root, c) ||
		!check_thresholds(p, root, c) || !check_calibration(p, root, c) ||
		!check_rules(p, root, c))
		return 0;

	missing = member(root, "missing_feature_decision");
	if (missing == NULL || is_string(missing, "ASK"))
		c->missing = MG_ASK;
	else if (is_string(missing, "ESCALATE"))
		c->missing = MG_ESCALATE;
	else
		return fail(p, MG_CONFIG_INVALID, missing->pos, "missing_feature_decision",
					"\"missing_feature_decision\" is %s; it must be ASK or ESCALATE.",
					excerpt(p, missing, buf, sizeof(buf)));
	return 1;
}

/* ---- compiling --------------------------------------------------------- */

static int
build(Parser *p, const Checked *c, MgModel *m)
{
	int			n = c->nfeatures;
	int			nbiases = 0;
	uint32_t	slots;

	m->nfeatures = n;
	m->feature_names = alloc_zeroed(p, sizeof(char *) * n);
	m->weights = alloc_zeroed(p, sizeof(double) * n);
	m->defaults = alloc_zeroed(p, sizeof(double) * n);
	m->has_default = alloc_zeroed(p, sizeof(bool) * n);
	if (p->failed)
		return 0;
	m->nrequired = 0;
	for (int i = 0; i < n; i++)
	{
		m->feature_names[i] = c->names[i];
		m->weights[i] = c->weights->items[i]->num;
		if (c->defaults[i] != NULL)
		{
			m->has_default[i] = true;
			m->defaults[i] = c->defaults[i]->num;
		}
		else
			m->nrequired = i + 1;
	}

	/* biases: "default", and an open-addressing table of the others */
	m->bias_default = c->bias_default ? c->bias_default->num : 0.0;
	for (slots = 8; slots < 2 * (uint32_t) c->nbias_keys + 2; slots *= 2)
		;
	m->biases = alloc_zeroed(p, sizeof(MgBias) * slots);
	if (m->biases == NULL)
		return 0;
	m->bias_mask = slots - 1;
	for (int b = 0; b < c->nbias_keys; b++)
	{
		int			k = c->bias_keys[b];
		const char *key = c->biases->keys[k];
		size_t		klen = c->biases->keylens[k];
		uint32_t	h = mg_bias_hash(key, klen),
					i;

		if (key_is(c->biases, k, "default"))
			continue;
		for (i = h & m->bias_mask; m->biases[i].key != NULL; i = (i + 1) & m->bias_mask)
			;					/* the keys are distinct */
		m->biases[i].key = key;
		m->biases[i].keylen = klen;
		m->biases[i].hash = h;
		m->biases[i].value = c->biases->items[k]->num;
		nbiases++;
	}
	m->nbiases = nbiases;

	m->threshold_auto = c->t_auto->num;
	m->threshold_escalate = c->t_escalate->num;
	m->calibration = c->calibration;
	m->cal_t = c->cal_t ? c->cal_t->num : 0.0;
	m->cal_a = c->cal_a ? c->cal_a->num : 0.0;
	m->cal_b = c->cal_b ? c->cal_b->num : 0.0;

	m->nrules = c->nrules;
	m->rules = alloc_zeroed(p, sizeof(MgRule) * (c->nrules > 0 ? c->nrules : 1));
	if (m->rules == NULL)
		return 0;
	for (int r = 0; r < c->nrules; r++)
	{
		m->rules[r].name = c->rule_names[r]->str;
		m->rules[r].feature = c->rule_feature[r];
		m->rules[r].op = c->rule_op[r];
		m->rules[r].value = c->rule_values[r]->num;
		m->rules[r].decision = c->rule_decision[r];
	}
	m->missing_decision = c->missing;

	mg_model_prepare(m);
	return 1;
}

int
mg_config_parse(const char *text, size_t len, MgAlloc alloc, void *ctx,
				MgModel *model, MgConfigError *error)
{
	Parser		p;
	JNode	   *root;
	Checked		c;

	root = parse_text(&p, text, len, alloc, ctx, error);
	if (root == NULL || !check(&p, root, &c) || !build(&p, &c, model) || p.failed)
		return -1;
	return 0;
}

/* ---- normalizing ------------------------------------------------------- */

static void
emit(Parser *p, const char *s, size_t n)
{
	if (p->failed)
		return;
	if (p->outlen + n > MG_CONFIG_MAX_LEN)
	{
		fail(p, MG_CONFIG_LIMIT, 0, "",
			 "The normalized configuration would be longer than %d bytes, the limit.",
			 MG_CONFIG_MAX_LEN);
		return;
	}
	if (p->outlen + n + 1 > p->outcap)
	{
		size_t		cap = p->outcap ? p->outcap : 1024;
		char	   *m;

		while (cap < p->outlen + n + 1)
			cap *= 2;
		m = alloc_zeroed(p, cap);
		if (m == NULL)
			return;
		if (p->outlen > 0)
			memcpy(m, p->out, p->outlen);
		p->out = m;
		p->outcap = cap;
	}
	memcpy(p->out + p->outlen, s, n);
	p->outlen += n;
	p->out[p->outlen] = '\0';
}

static void
emits(Parser *p, const char *s)
{
	emit(p, s, strlen(s));
}

/* a string, escaped as PostgreSQL's escape_json() does */
static void
emit_string(Parser *p, const char *s, size_t len)
{
	size_t		from = 0;

	emit(p, "\"", 1);
	for (size_t k = 0; k < len; k++)
	{
		unsigned char ch = (unsigned char) s[k];
		char		esc[8];

		if (ch >= 0x20 && ch != '"' && ch != '\\')
			continue;
		emit(p, s + from, k - from);
		from = k + 1;
		switch (ch)
		{
			case '\b':
				emits(p, "\\b");
				break;
			case '\f':
				emits(p, "\\f");
				break;
			case '\n':
				emits(p, "\\n");
				break;
			case '\r':
				emits(p, "\\r");
				break;
			case '\t':
				emits(p, "\\t");
				break;
			case '"':
				emits(p, "\\\"");
				break;
			case '\\':
				emits(p, "\\\\");
				break;
			default:
				snprintf(esc, sizeof(esc), "\\u%04x", ch);
				emits(p, esc);
		}
	}
	emit(p, s + from, len - from);
	emit(p, "\"", 1);
}

/*
 * The shortest decimal that reads back as x (finite, not zero): its
 * significant digits (no trailing zeros) into digits, and *exp10 such that
 * x = 0.digits * 10^exp10.  The first precision that reads back is taken;
 * near a power of two this can be a digit longer than the very shortest,
 * which only matters in that the result is always the same for one x.
 */
static void
shortest_decimal(double x, char *digits, long long *exp10)
{
	char		buf[40];
	char	   *e;
	size_t		n = 0;

	x = fabs(x);
	for (int prec = 1; prec <= 17; prec++)
	{
		snprintf(buf, sizeof(buf), "%.*e", prec - 1, x);
		if (strtod(buf, NULL) == x)
			break;
	}
	/* buf is d[.ddd]e[+-]xx */
	e = strchr(buf, 'e');
	for (char *q = buf; q < e; q++)
		if (is_digit(*q))
			digits[n++] = *q;
	while (n > 1 && digits[n - 1] == '0')
		n--;
	digits[n] = '\0';
	*exp10 = strtol(e + 1, NULL, 10) + 1;
}

/*
 * Whether the decimal value of the number text s[pos..end) is exactly
 * that of its float8 x, written as shortest_decimal() would.  Exponents
 * saturate far beyond any float8, which keeps the comparison exact.
 */
static int
number_is_shortest(const char *s, size_t pos, size_t end, double x)
{
	size_t		i = pos,
				int_start,
				int_len,
				frac_start = 0,
				frac_len = 0;
	int			neg = 0;
	long long	exp = 0,
				first = -1,
				last = -1,
				count;
	char		digits[24];
	long long	exp10;

	if (s[i] == '-')
	{
		neg = 1;
		i++;
	}
	int_start = i;
	while (i < end && is_digit(s[i]))
		i++;
	int_len = i - int_start;
	if (i < end && s[i] == '.')
	{
		frac_start = ++i;
		while (i < end && is_digit(s[i]))
			i++;
		frac_len = i - frac_start;
	}
	if (i < end && (s[i] == 'e' || s[i] == 'E'))
	{
		int			eneg = 0;

		i++;
		if (i < end && (s[i] == '+' || s[i] == '-'))
			eneg = s[i++] == '-';
		for (; i < end; i++)
			if (exp < 1000000000LL)
				exp = exp * 10 + (s[i] - '0');
		if (eneg)
			exp = -exp;
	}

	/* the significant digits: first and last non-zero of int + frac */
	for (size_t k = 0; k < int_len + frac_len; k++)
	{
		char		d = k < int_len ? s[int_start + k] : s[frac_start + k - int_len];

		if (d != '0')
		{
			if (first < 0)
				first = (long long) k;
			last = (long long) k;
		}
	}
	if (first < 0)
		return x == 0.0;		/* a zero, of whatever sign */
	if (x == 0.0 || neg != (x < 0.0))
		return 0;
	count = last - first + 1;
	if (count > 17)
		return 0;
	shortest_decimal(x, digits, &exp10);
	if ((long long) strlen(digits) != count || exp10 != (long long) int_len - first + exp)
		return 0;
	for (long long k = 0; k < count; k++)
	{
		size_t		at = (size_t) (first + k);
		char		d = at < int_len ? s[int_start + at] : s[frac_start + at - int_len];

		if (d != digits[k])
			return 0;
	}
	return 1;
}

/* a number: its own text, or the shortest decimal of its float8 */
static void
emit_number(Parser *p, const JNode *node)
{
	char		digits[24];
	char		buf[400];
	long long	exp10;
	size_t		n,
				o = 0;

	if (number_is_shortest(p->s, node->pos, node->end, node->num))
	{
		emit(p, p->s + node->pos, node->end - node->pos);
		return;
	}
	if (node->num == 0.0)
	{
		emits(p, "0");
		return;
	}
	/* positional, as numeric_out() prints it: |x| is within 1e-324..1e300 */
	shortest_decimal(node->num, digits, &exp10);
	n = strlen(digits);
	if (node->num < 0)
		buf[o++] = '-';
	if (exp10 <= 0)
	{
		buf[o++] = '0';
		buf[o++] = '.';
		for (long long k = 0; k < -exp10; k++)
			buf[o++] = '0';
		memcpy(buf + o, digits, n);
		o += n;
	}
	else if ((size_t) exp10 < n)
	{
		memcpy(buf + o, digits, (size_t) exp10);
		o += (size_t) exp10;
		buf[o++] = '.';
		memcpy(buf + o, digits + exp10, n - (size_t) exp10);
		o += n - (size_t) exp10;
	}
	else
	{
		memcpy(buf + o, digits, n);
		o += n;
		for (long long k = (long long) n; k < exp10; k++)
			buf[o++] = '0';
	}
	emit(p, buf, o);
}

static void
emit_key(Parser *p, const char *key)
{
	emit_string(p, key, strlen(key));
	emits(p, ": ");
}

static const char *
op_text(MgRuleOp op)
{
	return op == MG_OP_LT ? "<" : op == MG_OP_LE ? "<=" : op == MG_OP_GT ? ">" : ">=";
}

/* The normalized form, laid out as JsonbToCString() prints a jsonb. */
static void
emit_config(Parser *p, const Checked *c)
{
	emits(p, "{");
	emit_key(p, "features");
	emits(p, "[");
	for (int i = 0; i < c->nfeatures; i++)
	{
		if (i > 0)
			emits(p, ", ");
		emits(p, "{");
		emit_key(p, "name");
		emit_string(p, c->names[i], c->namelens[i]);
		if (c->defaults[i] != NULL)
		{
			emits(p, ", ");
			emit_key(p, "default");
			emit_number(p, c->defaults[i]);
		}
		emits(p, "}");
	}
	emits(p, "], ");

	emit_key(p, "weights");
	emits(p, "[");
	for (int i = 0; i < c->nfeatures; i++)
	{
		if (i > 0)
			emits(p, ", ");
		emit_number(p, c->weights->items[i]);
	}
	emits(p, "], ");

	emit_key(p, "biases");
	emits(p, "{");
	for (int b = 0; b < c->nbias_keys; b++)
	{
		int			k = c->bias_keys[b];

		if (b > 0)
			emits(p, ", ");
		emit_string(p, c->biases->keys[k], c->biases->keylens[k]);
		emits(p, ": ");
		emit_number(p, c->biases->items[k]);
	}
	if (c->bias_default == NULL)
	{
		if (c->nbias_keys > 0)
			emits(p, ", ");
		emit_key(p, "default");
		emits(p, "0.0");
	}
	emits(p, "}, ");

	emit_key(p, "thresholds");
	emits(p, "{");
	emit_key(p, "auto");
	emit_number(p, c->t_auto);
	emits(p, ", ");
	emit_key(p, "escalate");
	emit_number(p, c->t_escalate);
	emits(p, "}, ");

	emit_key(p, "calibration");
	emits(p, "{");
	emit_key(p, "method");
	switch (c->calibration)
	{
		case MG_CAL_NONE:
			emits(p, "\"none\"");
			break;
		case MG_CAL_TEMPERATURE:
			emits(p, "\"temperature\", ");
			emit_key(p, "T");
			emit_number(p, c->cal_t);
			break;
		case MG_CAL_PLATT:
			emits(p, "\"platt\", ");
			emit_key(p, "a");
			emit_number(p, c->cal_a);
			emits(p, ", ");
			emit_key(p, "b");
			emit_number(p, c->cal_b);
			break;
	}
	emits(p, "}, ");

	emit_key(p, "safety_rules");
	emits(p, "[");
	for (int r = 0; r < c->nrules; r++)
	{
		if (r > 0)
			emits(p, ", ");
		emits(p, "{");
		emit_key(p, "name");
		emit_string(p, c->rule_names[r]->str, c->rule_names[r]->len);
		emits(p, ", ");
		emit_key(p, "feature");
		emit_string(p, c->names[c->rule_feature[r]], c->namelens[c->rule_feature[r]]);
		emits(p, ", ");
		emit_key(p, "op");
		emit_string(p, op_text(c->rule_op[r]), strlen(op_text(c->rule_op[r])));
		emits(p, ", ");
		emit_key(p, "value");
		emit_number(p, c->rule_values[r]);
		emits(p, ", ");
		emit_key(p, "decision");
		emits(p, c->rule_decision[r] == MG_ESCALATE ? "\"ESCALATE\"" : "\"ASK\"");
		emits(p, "}");
	}
	emits(p, "], ");

	emit_key(p, "missing_feature_decision");
	emits(p, c->missing == MG_ESCALATE ? "\"ESCALATE\"" : "\"ASK\"");
	emits(p, "}");
}

int
mg_config_normalize(const char *text, size_t len, MgAlloc alloc, void *ctx,
					char **out, size_t *outlen, MgConfigError *error)
{
	Parser		p;
	JNode	   *root;
	Checked		c;

	root = parse_text(&p, text, len, alloc, ctx, error);
	if (root == NULL || !check(&p, root, &c))
		return -1;
	emit_config(&p, &c);
	if (p.failed)
		return -1;
	*out = p.out;
	*outlen = p.outlen;
	return 0;
}
