/* SPDX-License-Identifier: MIT */
/*
 * A small strict JSON reader and a string writer (see json.h).  Recursive
 * descent over a bounded buffer; every read checks the position against the
 * length first; depth is limited, so malformed or hostile input can only
 * produce an error message.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

struct parser {
	const char *s;
	size_t len, pos;
	struct btfdb_err *err;
};

/* Line and column of the current position, for messages. */
static void where(const struct parser *p, size_t *line, size_t *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < p->pos && i < p->len; i++) {
		if (p->s[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

static int fail(struct parser *p, const char *what)
{
	size_t line, col;

	where(p, &line, &col);
	btfdb_err_set(p->err, "invalid JSON at line %zu column %zu: %s", line, col, what);
	return -EINVAL;
}

static void skip_ws(struct parser *p)
{
	while (p->pos < p->len) {
		char c = p->s[p->pos];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		p->pos++;
	}
}

static int parse_value(struct parser *p, struct cl_json *v, int depth);

/* A growable byte buffer for string contents. */
struct bytes {
	char *b;
	size_t len, cap;
};

static int bytes_put(struct bytes *b, const char *d, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 32;
		char *nb;

		while (cap < b->len + n + 1)
			cap *= 2;
		nb = realloc(b->b, cap);
		if (!nb)
			return -ENOMEM;
		b->b = nb;
		b->cap = cap;
	}
	memcpy(b->b + b->len, d, n);
	b->len += n;
	b->b[b->len] = 0;
	return 0;
}

static int put_utf8(struct bytes *b, uint32_t cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return bytes_put(b, u, n);
}

static int hex4(struct parser *p, uint32_t *out)
{
	uint32_t v = 0;
	int i;

	if (p->len - p->pos < 4)
		return fail(p, "truncated \\u escape");
	for (i = 0; i < 4; i++) {
		char c = p->s[p->pos + i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else
			return fail(p, "bad hex digit in \\u escape");
	}
	p->pos += 4;
	*out = v;
	return 0;
}

/* Length of a valid UTF-8 sequence starting at s (max n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t need, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		need = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		need = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		need = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < need)
		return 0;
	for (i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((need == 2 && cp < 0x80) || (need == 3 && cp < 0x800) || (need == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return need;
}

/* p->s[p->pos] == '"'. */
static int parse_string(struct parser *p, char **out)
{
	struct bytes b = { 0 };
	int ret;

	p->pos++;
	for (;;) {
		unsigned char c;

		if (p->pos >= p->len) {
			ret = fail(p, "unterminated string");
			goto err;
		}
		c = (unsigned char)p->s[p->pos];
		if (c == '"') {
			p->pos++;
			break;
		}
		if (c < 0x20) {
			ret = fail(p, "control character in string");
			goto err;
		}
		if (c == '\\') {
			char e;
			uint32_t cp, lo;

			if (p->pos + 1 >= p->len) {
				ret = fail(p, "unterminated escape");
				goto err;
			}
			e = p->s[p->pos + 1];
			p->pos += 2;
			switch (e) {
			case '"': ret = bytes_put(&b, "\"", 1); break;
			case '\\': ret = bytes_put(&b, "\\", 1); break;
			case '/': ret = bytes_put(&b, "/", 1); break;
			case 'b': ret = bytes_put(&b, "\b", 1); break;
			case 'f': ret = bytes_put(&b, "\f", 1); break;
			case 'n': ret = bytes_put(&b, "\n", 1); break;
			case 'r': ret = bytes_put(&b, "\r", 1); break;
			case 't': ret = bytes_put(&b, "\t", 1); break;
			case 'u':
				if ((ret = hex4(p, &cp)))
					goto err;
				if (cp >= 0xdc00 && cp <= 0xdfff) {
					ret = fail(p, "lone low surrogate");
					goto err;
				}
				if (cp >= 0xd800 && cp <= 0xdbff) {
					if (p->len - p->pos < 2 || p->s[p->pos] != '\\' ||
					    p->s[p->pos + 1] != 'u') {
						ret = fail(p, "high surrogate without low surrogate");
						goto err;
					}
					p->pos += 2;
					if ((ret = hex4(p, &lo)))
						goto err;
					if (lo < 0xdc00 || lo > 0xdfff) {
						ret = fail(p, "bad low surrogate");
						goto err;
					}
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				}
				if (cp == 0) {
					ret = fail(p, "\\u0000 is not allowed");
					goto err;
				}
				ret = put_utf8(&b, cp);
				break;
			default:
				p->pos--;
				ret = fail(p, "invalid escape");
				goto err;
			}
			if (ret)
				goto err;
			continue;
		} else {
			size_t n = utf8_len((const unsigned char *)p->s + p->pos, p->len - p->pos);

			if (!n) {
				ret = fail(p, "invalid UTF-8");
				goto err;
			}
			if ((ret = bytes_put(&b, p->s + p->pos, n)))
				goto err;
			p->pos += n;
		}
	}
	if (!b.b && bytes_put(&b, "", 0)) {
		ret = -ENOMEM;
		goto err;
	}
	*out = b.b;
	return 0;
err:
	if (ret == -ENOMEM)
		btfdb_err_set(p->err, "out of memory reading JSON");
	free(b.b);
	return ret;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int parse_number(struct parser *p, struct cl_json *v)
{
	size_t start = p->pos, i = p->pos;
	bool frac = false;
	char buf[64];
	char *end;

	if (i < p->len && p->s[i] == '-')
		i++;
	if (i >= p->len || !is_digit(p->s[i]))
		return fail(p, "bad number");
	if (p->s[i] == '0') {
		i++;
		if (i < p->len && is_digit(p->s[i]))
			return fail(p, "leading zero in number");
	} else {
		while (i < p->len && is_digit(p->s[i]))
			i++;
	}
	if (i < p->len && p->s[i] == '.') {
		frac = true;
		i++;
		if (i >= p->len || !is_digit(p->s[i]))
			return fail(p, "bad fraction");
		while (i < p->len && is_digit(p->s[i]))
			i++;
	}
	if (i < p->len && (p->s[i] == 'e' || p->s[i] == 'E')) {
		frac = true;
		i++;
		if (i < p->len && (p->s[i] == '+' || p->s[i] == '-'))
			i++;
		if (i >= p->len || !is_digit(p->s[i]))
			return fail(p, "bad exponent");
		while (i < p->len && is_digit(p->s[i]))
			i++;
	}
	if (i - start >= sizeof(buf))
		return fail(p, "number too long");
	memcpy(buf, p->s + start, i - start);
	buf[i - start] = 0;
	v->type = CL_JSON_NUMBER;
	v->num = strtod(buf, &end);
	if (!isfinite(v->num))
		return fail(p, "number out of range");
	if (!frac) {
		errno = 0;
		v->i = strtoll(buf, &end, 10);
		v->is_int = errno == 0;
	}
	p->pos = i;
	return 0;
}

static int literal(struct parser *p, const char *word)
{
	size_t n = strlen(word);

	if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n))
		return fail(p, "unexpected character");
	p->pos += n;
	return 0;
}

/* Append an empty item (and key) to an array/object node. */
static struct cl_json *add_item(struct cl_json *v, size_t *cap, char *key)
{
	if (v->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 4;
		struct cl_json *ni = realloc(v->items, nc * sizeof(*ni));
		char **nk;

		if (!ni)
			return NULL;
		v->items = ni;
		if (v->type == CL_JSON_OBJECT) {
			nk = realloc(v->keys, nc * sizeof(*nk));
			if (!nk)
				return NULL;
			v->keys = nk;
		}
		*cap = nc;
	}
	memset(&v->items[v->n], 0, sizeof(v->items[0]));
	if (v->type == CL_JSON_OBJECT)
		v->keys[v->n] = key;
	return &v->items[v->n++];
}

static int parse_container(struct parser *p, struct cl_json *v, int depth)
{
	bool obj = p->s[p->pos] == '{';
	char close = obj ? '}' : ']';
	size_t cap = 0, i;
	int ret;

	if (depth >= CL_JSON_MAX_DEPTH)
		return fail(p, "nesting too deep");
	v->type = obj ? CL_JSON_OBJECT : CL_JSON_ARRAY;
	p->pos++;
	skip_ws(p);
	if (p->pos < p->len && p->s[p->pos] == close) {
		p->pos++;
		return 0;
	}
	for (;;) {
		char *key = NULL;
		struct cl_json *item;

		skip_ws(p);
		if (obj) {
			if (p->pos >= p->len || p->s[p->pos] != '"')
				return fail(p, "expected a string key");
			if ((ret = parse_string(p, &key)))
				return ret;
			for (i = 0; i < v->n; i++) {
				if (!strcmp(v->keys[i], key)) {
					free(key);
					return fail(p, "duplicate key");
				}
			}
			skip_ws(p);
			if (p->pos >= p->len || p->s[p->pos] != ':') {
				free(key);
				return fail(p, "expected ':'");
			}
			p->pos++;
		}
		item = add_item(v, &cap, key);
		if (!item) {
			free(key);
			btfdb_err_set(p->err, "out of memory reading JSON");
			return -ENOMEM;
		}
		if ((ret = parse_value(p, item, depth + 1)))
			return ret;
		skip_ws(p);
		if (p->pos >= p->len)
			return fail(p, obj ? "unterminated object" : "unterminated array");
		if (p->s[p->pos] == ',') {
			p->pos++;
			skip_ws(p);
			if (p->pos < p->len && p->s[p->pos] == close)
				return fail(p, "trailing comma");
			continue;
		}
		if (p->s[p->pos] == close) {
			p->pos++;
			return 0;
		}
		return fail(p, obj ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static int parse_value(struct parser *p, struct cl_json *v, int depth)
{
	skip_ws(p);
	if (p->pos >= p->len)
		return fail(p, "unexpected end of input");
	switch (p->s[p->pos]) {
	case '{':
	case '[':
		return parse_container(p, v, depth);
	case '"':
		v->type = CL_JSON_STRING;
		return parse_string(p, &v->str);
	case 't':
		v->type = CL_JSON_BOOL;
		v->b = true;
		return literal(p, "true");
	case 'f':
		v->type = CL_JSON_BOOL;
		return literal(p, "false");
	case 'n':
		v->type = CL_JSON_NULL;
		return literal(p, "null");
	default:
		return parse_number(p, v);
	}
}

static void free_contents(struct cl_json *v)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		free_contents(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
}

void cl_json_free(struct cl_json *v)
{
	if (!v)
		return;
	free_contents(v);
	free(v);
}

int cl_json_parse(const char *text, size_t len, struct cl_json **out, struct btfdb_err *err)
{
	struct parser p = { .s = text, .len = len, .err = err };
	struct cl_json *v = calloc(1, sizeof(*v));
	int ret;

	*out = NULL;
	if (!v) {
		btfdb_err_set(err, "out of memory reading JSON");
		return -ENOMEM;
	}
	ret = parse_value(&p, v, 0);
	if (!ret) {
		skip_ws(&p);
		if (p.pos != p.len)
			ret = fail(&p, "trailing characters after the value");
	}
	if (ret) {
		cl_json_free(v);
		return ret;
	}
	*out = v;
	return 0;
}

const struct cl_json *cl_json_get(const struct cl_json *v, const char *key)
{
	size_t i;

	if (!v || v->type != CL_JSON_OBJECT)
		return NULL;
	for (i = 0; i < v->n; i++)
		if (!strcmp(v->keys[i], key))
			return &v->items[i];
	return NULL;
}

void cl_json_put_str(FILE *f, const char *s)
{
	const unsigned char *c;

	fputc('"', f);
	for (c = (const unsigned char *)(s ? s : ""); *c; c++) {
		switch (*c) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (*c < 0x20) {
				fprintf(f, "\\u%04x", *c);
			} else if (*c < 0x80) {
				fputc(*c, f);
			} else {
				/* keep the output valid UTF-8: a bad byte becomes U+FFFD */
				size_t n = utf8_len(c, strlen((const char *)c));

				if (!n) {
					fputs("\\ufffd", f);
				} else {
					fwrite(c, 1, n, f);
					c += n - 1;
				}
			}
		}
	}
	fputc('"', f);
}
