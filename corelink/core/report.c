/* SPDX-License-Identifier: MIT */
/*
 * Relocations in words: kind names (libbpf's), a spec in source terms
 * ("struct s.arr[2][1].x", "enum e::VAL"), and why a relocation was
 * poisoned ("struct task_struct has no field 'state' compatible with the
 * local one (checked 2 candidates)").  corelink removes the CO-RE records
 * libbpf would use to explain a poisoned instruction, so these texts are
 * all a user gets.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "relo.h"

const char *corelink_relo_kind_str(uint32_t kind)
{
	switch (kind) {
	case CORELINK_FIELD_BYTE_OFFSET: return "byte_off";
	case CORELINK_FIELD_BYTE_SIZE: return "byte_sz";
	case CORELINK_FIELD_EXISTS: return "field_exists";
	case CORELINK_FIELD_SIGNED: return "signed";
	case CORELINK_FIELD_LSHIFT_U64: return "lshift_u64";
	case CORELINK_FIELD_RSHIFT_U64: return "rshift_u64";
	case CORELINK_TYPE_ID_LOCAL: return "local_type_id";
	case CORELINK_TYPE_ID_TARGET: return "target_type_id";
	case CORELINK_TYPE_EXISTS: return "type_exists";
	case CORELINK_TYPE_MATCHES: return "type_matches";
	case CORELINK_TYPE_SIZE: return "type_size";
	case CORELINK_ENUMVAL_EXISTS: return "enumval_exists";
	case CORELINK_ENUMVAL_VALUE: return "enumval_value";
	default: return "unknown";
	}
}

int corelink_libbpf_parse(const char *s, enum corelink_libbpf *out, struct btfdb_err *err)
{
	static const struct {
		const char *name;
		enum corelink_libbpf v;
	} known[] = { { "1.1", CORELINK_LIBBPF_1_1 }, { "1.7", CORELINK_LIBBPF_1_7 } };
	size_t i, n;

	for (i = 0; s && i < sizeof(known) / sizeof(known[0]); i++) {
		n = strlen(known[i].name);
		/* "1.1" or "1.1.<digits>" */
		if (strncmp(s, known[i].name, n) != 0)
			continue;
		if (s[n] == '.' && s[n + 1] && strspn(s + n + 1, "0123456789") == strlen(s + n + 1))
			n = strlen(s);
		if (s[n] == '\0') {
			*out = known[i].v;
			return 0;
		}
	}
	btfdb_err_set(err, "unknown libbpf version '%s' (known: 1.1, 1.7)", s ? s : "");
	return -EINVAL;
}

const char *corelink_libbpf_str(enum corelink_libbpf v)
{
	return v == CORELINK_LIBBPF_1_1 ? "1.1" : "1.7";
}

/* A bounded appender: keeps counting past the end like snprintf. */
struct sbuf {
	char *buf;
	size_t size;
	size_t len;
};

static void __attribute__((format(printf, 2, 3))) sb_add(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(sb->len < sb->size ? sb->buf + sb->len : NULL,
		      sb->len < sb->size ? sb->size - sb->len : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		sb->len += (size_t)n;
}

/* The C keyword for a type's kind: enum64 is an enum, a FWD says struct/union. */
static const char *c_kind(const struct btf_type *t)
{
	switch (btfdb_kind(t)) {
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		return "enum";
	case BTF_KIND_FWD:
		return btfdb_kflag(t) ? "union" : "struct";
	default:
		return btfdb_kind_name(btfdb_kind(t));
	}
}

int cl_type_format(char *buf, size_t size, const struct btfdb_btf *btf, uint32_t id)
{
	const struct btf_type *t = id ? btfdb_btf_type(btf, id) : NULL;
	const char *name = t ? btfdb_btf_str(btf, t->name_off) : NULL;

	if (id == 0)
		return snprintf(buf, size, "void");
	if (!t)
		return snprintf(buf, size, "[%u]", id);
	return snprintf(buf, size, "%s %s", c_kind(t), name && name[0] ? name : "<anon>");
}

int cl_spec_format(char *buf, size_t size, const struct cl_spec *spec, int upto)
{
	struct sbuf sb = { buf, size, 0 };
	const struct btf_type *t;
	const char *name;
	int i, n;

	if (size)
		buf[0] = '\0';
	t = btfdb_btf_type(spec->btf, spec->root_type_id);
	if (!t) {
		sb_add(&sb, "[%u]", spec->root_type_id);
		return (int)sb.len;
	}
	name = btfdb_btf_str(spec->btf, t->name_off);
	if (spec->root_type_id == 0)
		sb_add(&sb, "void");
	else
		sb_add(&sb, "%s %s", c_kind(t), name && name[0] ? name : "<anon>");

	if (cl_kind_is_enumval(spec->kind)) {
		if (upto != 0 && spec->len > 0 && spec->spec[0].name)
			sb_add(&sb, "::%s", spec->spec[0].name);
		return (int)sb.len;
	}
	if (!cl_kind_is_field(spec->kind))
		return (int)sb.len;

	n = upto < 0 || upto > spec->len ? spec->len : upto;
	for (i = 0; i < n; i++) {
		if (spec->spec[i].name)
			sb_add(&sb, ".%s", spec->spec[i].name);
		else if (i > 0 || spec->spec[i].idx > 0)
			sb_add(&sb, "[%u]", spec->spec[i].idx);
	}
	return (int)sb.len;
}

static const char *plural(uint32_t n)
{
	return n == 1 ? "" : "s";
}

/* "checked 2 candidates", plus how many earlier relocations ruled out. */
static void add_checked(struct sbuf *sb, const struct cl_relo_diag *diag)
{
	sb_add(sb, "(checked %u candidate%s", diag->nr_cands, plural(diag->nr_cands));
	if (diag->nr_found > diag->nr_cands)
		sb_add(sb, "; %u other%s ruled out by earlier relocations of this type",
		       diag->nr_found - diag->nr_cands, plural(diag->nr_found - diag->nr_cands));
	sb_add(sb, ")");
}

void cl_poison_reason(char *buf, size_t size, const struct cl_spec *local_spec,
		      const struct cl_relo_res *res, const struct cl_relo_diag *diag)
{
	struct sbuf sb = { buf, size, 0 };
	const struct cl_accessor *acc;
	const struct btf_type *root;
	const char *name;
	char prefix[256];
	int k = diag->fail_acc;

	if (size)
		buf[0] = '\0';

	if (res->fail_memsz_adjust) {
		cl_spec_format(prefix, sizeof(prefix), local_spec, -1);
		sb_add(&sb, "%s changes size from %u to %u bytes and is not a pointer or an "
		       "unsigned integer: the load/store size can't be adjusted",
		       prefix, res->orig_sz, res->new_sz);
		return;
	}

	if (diag->nr_cands == 0) {
		root = btfdb_btf_type(local_spec->btf, local_spec->root_type_id);
		name = root ? btfdb_btf_str(local_spec->btf, root->name_off) : NULL;
		if (!name)
			name = "";
		sb_add(&sb, "no type named '%.*s' in target", (int)btfdb_essential_name_len(name),
		       name);
		return;
	}

	if (cl_kind_is_enumval(local_spec->kind)) {
		cl_spec_format(prefix, sizeof(prefix), local_spec, 0);
		sb_add(&sb, "%s has no enumerator '%s' in target ", prefix,
		       local_spec->spec[0].name ? local_spec->spec[0].name : "?");
		add_checked(&sb, diag);
		return;
	}

	if (cl_kind_is_field(local_spec->kind) && k >= 0 && k < local_spec->len) {
		cl_spec_format(prefix, sizeof(prefix), local_spec, k);
		acc = &local_spec->spec[k];
		if (acc->name)
			sb_add(&sb, "%s has no field '%s' compatible with the local one ", prefix,
			       acc->name);
		else
			sb_add(&sb, "%s is not an array with an element [%u] in target ", prefix,
			       acc->idx);
		add_checked(&sb, diag);
		return;
	}

	cl_spec_format(prefix, sizeof(prefix), local_spec, -1);
	sb_add(&sb, "no candidate matches %s ", prefix);
	add_checked(&sb, diag);
}

int corelink_poison_message(const struct corelink_relo_info *ri, char *buf, size_t size)
{
	return snprintf(buf, size,
			"program '%s' (%s) insn #%u: %s %s: %s; instruction poisoned, the program fails verification if it is reachable",
			ri->prog ? ri->prog : "?", ri->section ? ri->section : "?", ri->insn_idx,
			corelink_relo_kind_str(ri->kind), ri->spec ? ri->spec : "?",
			ri->reason ? ri->reason : "no matching field or type in the target");
}
