/* SPDX-License-Identifier: MIT */
/*
 * One BTF type as a C declaration (like `bpftool btf dump ... format c`,
 * but for a single type): structs/unions with their members (anonymous
 * nested ones inline), enums with values, typedefs, functions, variables.
 * Output goes into a malloc'd string; nothing is printed.
 *
 * Declarators are built inside out: render(id, decl) wraps decl for the
 * type at id and recurses to the type it refers to, e.g. for
 * PTR -> ARRAY[4] -> int and decl "x": "*x" -> "(*x)[4]" -> "int (*x)[4]".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btfdb_db.h"
#include "db_format.h"

struct dump {
	const struct btfdb_btf *btf;
	struct btfdb_dbuf out;
	int bad;   /* malformed input or out of memory */
};

static void put(struct dump *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct dump *d, const char *fmt, ...)
{
	va_list ap;
	char tmp[512], *big = NULL;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0) {
		d->bad = 1;
		return;
	}
	if ((size_t)n >= sizeof(tmp)) {
		va_start(ap, fmt);
		if (vasprintf(&big, fmt, ap) < 0)
			big = NULL;
		va_end(ap);
		if (!big) {
			d->bad = 1;
			return;
		}
	}
	if (btfdb_dbuf_put(&d->out, big ? big : tmp, n))
		d->bad = 1;
	free(big);
}

static void indent(struct dump *d, int lvl)
{
	while (lvl-- > 0)
		put(d, "\t");
}

static const char *nm(struct dump *d, const struct btf_type *t)
{
	const char *s = btfdb_btf_str(d->btf, t->name_off);

	return s ? s : "";
}

static void body(struct dump *d, const struct btf_type *t, int lvl, int depth);

/* Emit "<type> <decl>" for type id with declarator decl (may be ""). */
static void render(struct dump *d, uint32_t id, const char *decl, int lvl, int depth)
{
	const struct btf_type *t = btfdb_btf_type(d->btf, id);
	char *nd = NULL;
	const char *sep = decl[0] ? " " : "";

	if (!t || depth > 64) {
		d->bad = 1;
		return;
	}
	if (!id) {
		put(d, "void%s%s", sep, decl);
		return;
	}
	switch (btfdb_kind(t)) {
	case BTF_KIND_PTR: {
		const struct btf_type *n = btfdb_skip_mods(d->btf, t->type, NULL);
		int wrap = n && (btfdb_kind(n) == BTF_KIND_ARRAY || btfdb_kind(n) == BTF_KIND_FUNC_PROTO);

		if (asprintf(&nd, wrap ? "(*%s)" : "*%s", decl) < 0) {
			d->bad = 1;
			break;
		}
		render(d, t->type, nd, lvl, depth + 1);
		break;
	}
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = btfdb_array(t);

		if (asprintf(&nd, "%s[%u]", decl, a->nelems) < 0) {
			d->bad = 1;
			break;
		}
		render(d, a->type, nd, lvl, depth + 1);
		break;
	}
	case BTF_KIND_FUNC_PROTO: {
		const struct btf_param *p = btfdb_params(t);
		struct dump sub = { d->btf, { 0 }, 0 };
		uint32_t i, n = btfdb_vlen(t);

		put(&sub, "%s(", decl);
		for (i = 0; i < n; i++) {
			const char *pn = btfdb_btf_str(d->btf, p[i].name_off);

			if (i)
				put(&sub, ", ");
			if (!p[i].type && i == n - 1)
				put(&sub, "...");
			else
				render(&sub, p[i].type, pn ? pn : "", lvl, depth + 1);
		}
		if (!n)
			put(&sub, "void");
		put(&sub, ")");
		if (sub.bad || btfdb_dbuf_put(&sub.out, "", 1))
			d->bad = 1;
		else
			render(d, t->type, (const char *)sub.out.p, lvl, depth + 1);
		btfdb_dbuf_free(&sub.out);
		break;
	}
	case BTF_KIND_CONST: case BTF_KIND_VOLATILE: case BTF_KIND_RESTRICT: {
		const char *q = btfdb_kind(t) == BTF_KIND_CONST ? "const" :
				btfdb_kind(t) == BTF_KIND_VOLATILE ? "volatile" : "restrict";
		const struct btf_type *n = btfdb_btf_type(d->btf, t->type);

		if (n && t->type && btfdb_kind(n) == BTF_KIND_PTR) {
			if (asprintf(&nd, "%s%s%s", q, sep, decl) < 0) {
				d->bad = 1;
				break;
			}
			render(d, t->type, nd, lvl, depth + 1);
		} else {
			put(d, "%s ", q);
			render(d, t->type, decl, lvl, depth + 1);
		}
		break;
	}
	case BTF_KIND_TYPE_TAG:
		render(d, t->type, decl, lvl, depth + 1);
		break;
	case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_ENUM: case BTF_KIND_ENUM64:
	case BTF_KIND_FWD: {
		const char *kw = btfdb_kind(t) == BTF_KIND_STRUCT ? "struct" :
				 btfdb_kind(t) == BTF_KIND_UNION ? "union" :
				 btfdb_kind(t) == BTF_KIND_FWD ? (btfdb_kflag(t) ? "union" : "struct") :
				 "enum";

		if (!nm(d, t)[0] && btfdb_kind(t) != BTF_KIND_FWD) {
			put(d, "%s ", kw);
			body(d, t, lvl, depth + 1);
			put(d, "%s%s", sep, decl);
		} else {
			put(d, "%s %s%s%s", kw, nm(d, t), sep, decl);
		}
		break;
	}
	default: /* INT, FLOAT, TYPEDEF and anything named */
		put(d, "%s%s%s", nm(d, t), sep, decl);
		break;
	}
	free(nd);
}

/* "{ members }" of a struct/union/enum, at indentation lvl. */
static void body(struct dump *d, const struct btf_type *t, int lvl, int depth)
{
	uint32_t i, n = btfdb_vlen(t);

	put(d, "{\n");
	if (btfdb_is_composite(t)) {
		const struct btf_member *m = btfdb_members(t);

		for (i = 0; i < n; i++) {
			const char *mn = btfdb_btf_str(d->btf, m[i].name_off);
			uint32_t bits = btfdb_member_bitfield_size(t, i);

			indent(d, lvl + 1);
			render(d, m[i].type, mn ? mn : "", lvl + 1, depth + 1);
			if (bits)
				put(d, ": %u", bits);
			put(d, ";\n");
		}
	} else if (btfdb_kind(t) == BTF_KIND_ENUM) {
		const struct btf_enum *e = btfdb_enums(t);

		for (i = 0; i < n; i++) {
			const char *en = btfdb_btf_str(d->btf, e[i].name_off);

			indent(d, lvl + 1);
			if (btfdb_kflag(t))
				put(d, "%s = %d,\n", en ? en : "", (int32_t)e[i].val);
			else
				put(d, "%s = %u,\n", en ? en : "", (uint32_t)e[i].val);
		}
	} else if (btfdb_kind(t) == BTF_KIND_ENUM64) {
		const struct btf_enum64 *e = btfdb_enums64(t);

		for (i = 0; i < n; i++) {
			const char *en = btfdb_btf_str(d->btf, e[i].name_off);
			uint64_t v = ((uint64_t)e[i].val_hi32 << 32) | e[i].val_lo32;

			indent(d, lvl + 1);
			if (btfdb_kflag(t))
				put(d, "%s = %" PRId64 "LL,\n", en ? en : "", (int64_t)v);
			else
				put(d, "%s = %" PRIu64 "ULL,\n", en ? en : "", v);
		}
	}
	indent(d, lvl);
	put(d, "}");
}

int btfdb_btf_dump_c(const struct btfdb_btf *btf, uint32_t id, char **out, struct btfdb_err *err)
{
	struct dump d = { btf, { 0 }, 0 };
	const struct btf_type *t = btfdb_btf_type(btf, id);

	*out = NULL;
	if (!t || !id) {
		btfdb_err_set(err, "type id %u out of range", id);
		return -ENOENT;
	}
	switch (btfdb_kind(t)) {
	case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_ENUM: case BTF_KIND_ENUM64:
		put(&d, "%s %s%s", btfdb_kind(t) == BTF_KIND_STRUCT ? "struct" :
			btfdb_kind(t) == BTF_KIND_UNION ? "union" : "enum", nm(&d, t),
		    nm(&d, t)[0] ? " " : "");
		body(&d, t, 0, 0);
		put(&d, ";\n");
		break;
	case BTF_KIND_TYPEDEF:
		put(&d, "typedef ");
		render(&d, t->type, nm(&d, t), 0, 0);
		put(&d, ";\n");
		break;
	case BTF_KIND_FUNC:
		render(&d, t->type, nm(&d, t), 0, 0);
		put(&d, ";\n");
		break;
	case BTF_KIND_VAR:
		render(&d, t->type, nm(&d, t), 0, 0);
		put(&d, ";\n");
		break;
	case BTF_KIND_DATASEC: {
		const struct btf_var_secinfo *v = (const void *)(t + 1);
		uint32_t i;

		put(&d, "/* section %s, %u bytes */\n", nm(&d, t), t->size);
		for (i = 0; i < btfdb_vlen(t); i++) {
			const struct btf_type *vt = btfdb_btf_type(btf, v[i].type);

			put(&d, "/* +%u */ ", v[i].offset);
			if (vt && btfdb_kind(vt) == BTF_KIND_VAR)
				render(&d, vt->type, nm(&d, vt), 0, 0);
			else
				render(&d, v[i].type, "", 0, 0);
			put(&d, ";\n");
		}
		break;
	}
	case BTF_KIND_DECL_TAG:
		put(&d, "/* decl_tag \"%s\" on type %u, component %d */\n", nm(&d, t), t->type,
		    (int32_t)*(const uint32_t *)(t + 1));
		break;
	case BTF_KIND_FWD:
		put(&d, "%s %s;\n", btfdb_kflag(t) ? "union" : "struct", nm(&d, t));
		break;
	default:
		render(&d, id, "", 0, 0);
		put(&d, ";\n");
		break;
	}
	if (d.bad || btfdb_dbuf_put(&d.out, "", 1)) {
		btfdb_dbuf_free(&d.out);
		btfdb_err_set(err, "type %u: cannot render as C (malformed or out of memory)", id);
		return -EINVAL;
	}
	*out = (char *)d.out.p;
	return 0;
}
