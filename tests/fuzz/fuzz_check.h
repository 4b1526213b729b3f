/* SPDX-License-Identifier: MIT */
/*
 * Invariant checks shared by the fuzz targets.  A parser that accepts an
 * input promises (btfdb.h) that every type id it hands out is in range, every
 * name resolves to a NUL-terminated string, reference chains terminate and
 * the name index finds every named type.  A broken promise is a finding:
 * FUZZ_ASSERT aborts so libFuzzer (or the replay test) reports it.
 */
#ifndef CORELINK_FUZZ_CHECK_H
#define CORELINK_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btfdb_index.h"

#define FUZZ_ASSERT(cond)                                                           \
	do {                                                                        \
		if (!(cond)) {                                                      \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__,  \
				__LINE__, #cond);                                   \
			abort();                                                    \
		}                                                                   \
	} while (0)

/* A failure must come with exactly one non-empty message. */
#define FUZZ_ASSERT_ERR(ret, err)                                                   \
	do {                                                                        \
		FUZZ_ASSERT((ret) < 0);                                             \
		FUZZ_ASSERT((err)->msg[0] != '\0');                                 \
		FUZZ_ASSERT(memchr((err)->msg, '\0', sizeof((err)->msg)) != NULL);   \
	} while (0)

static inline void fuzz_check_str(const struct btfdb_btf *btf, uint32_t off)
{
	const char *s = btfdb_btf_str(btf, off);

	FUZZ_ASSERT(s != NULL);
	(void)strlen(s); /* ASan catches a missing terminator */
}

static inline void fuzz_check_id(const struct btfdb_btf *btf, uint32_t id)
{
	FUZZ_ASSERT(id < btfdb_btf_type_cnt(btf));
	FUZZ_ASSERT(btfdb_btf_type(btf, id) != NULL);
}

/*
 * Walk every type of a parsed BTF through the public accessors and check the
 * validation promises.  idx may be NULL; when given, every named type must
 * be found under its essential name, in ascending id order.
 */
static inline void fuzz_check_btf(const struct btfdb_btf *btf, const struct btfdb_index *idx);

/*
 * Lenient walk for lazily decoded (database) handles: a damaged block makes
 * an accessor return NULL, which the API allows; only memory safety and
 * termination are checked.  Stops after max_ids ids to bound the time.
 */
static inline void fuzz_walk_btf_lenient(const struct btfdb_btf *btf,
					 const struct btfdb_index *idx, uint32_t max_ids)
{
	uint32_t cnt = btfdb_btf_type_cnt(btf), start = btfdb_btf_start_id(btf);

	FUZZ_ASSERT(btfdb_btf_type(btf, cnt) == NULL);
	(void)btfdb_btf_ptr_size(btf);
	for (uint32_t id = start; id < cnt && id - start < max_ids; id++) {
		const struct btf_type *t = btfdb_btf_type(btf, id);
		const char *name = btfdb_btf_name(btf, id);
		uint32_t res;

		if (!t)
			continue;
		(void)btfdb_btf_str(btf, t->name_off);
		(void)btfdb_type_extra_size(t);
		(void)btfdb_skip_mods_and_typedefs(btf, id, &res);
		(void)btfdb_resolve_size(btf, id);
		if (idx && name && name[0]) {
			const uint32_t *ids = NULL;
			size_t n = btfdb_index_lookup(idx, name, btfdb_essential_name_len(name), &ids);

			for (size_t i = 0; i < n; i++)
				(void)btfdb_btf_type(btf, ids[i]);
		}
	}
}

static inline void fuzz_check_btf(const struct btfdb_btf *btf, const struct btfdb_index *idx)
{
	uint32_t cnt = btfdb_btf_type_cnt(btf), start = btfdb_btf_start_id(btf);
	size_t raw_size = 0;

	FUZZ_ASSERT(start >= 1 && start <= cnt);
	FUZZ_ASSERT(btfdb_btf_type(btf, 0) != NULL);
	FUZZ_ASSERT(btfdb_btf_type(btf, cnt) == NULL);
	FUZZ_ASSERT(btfdb_btf_type(btf, UINT32_MAX) == NULL);
	FUZZ_ASSERT(btfdb_btf_name(btf, cnt) == NULL);
	FUZZ_ASSERT(btfdb_btf_str(btf, UINT32_MAX) == NULL);
	int ps = btfdb_btf_ptr_size(btf);
	FUZZ_ASSERT(ps == 4 || ps == 8);
	FUZZ_ASSERT(btfdb_btf_hash(btf) == btfdb_btf_hash(btf));
	(void)btfdb_btf_raw(btf, &raw_size);

	for (uint32_t id = start; id < cnt; id++) {
		const struct btf_type *t = btfdb_btf_type(btf, id);
		const char *name = btfdb_btf_name(btf, id);
		uint16_t kind;
		uint32_t vlen;
		uint32_t res;

		FUZZ_ASSERT(t != NULL && name != NULL);
		fuzz_check_str(btf, t->name_off);
		kind = btfdb_kind(t);
		vlen = btfdb_vlen(t);
		FUZZ_ASSERT(btfdb_kind_name(kind) != NULL);
		/* a kind btfdb does not know: an opaque record the layout section of the
		 * extended format sized (btf_layout.c); no accessor applies to it */
		if (kind < BTF_KIND_INT || kind > BTF_KIND_ENUM64)
			continue;
		(void)btfdb_type_extra_size(t);

		switch (kind) {
		case BTF_KIND_PTR:
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_FUNC:
		case BTF_KIND_VAR:
		case BTF_KIND_DECL_TAG:
		case BTF_KIND_TYPE_TAG:
			fuzz_check_id(btf, t->type);
			break;
		case BTF_KIND_FUNC_PROTO:
			fuzz_check_id(btf, t->type);
			for (uint32_t i = 0; i < vlen; i++) {
				fuzz_check_id(btf, btfdb_params(t)[i].type);
				fuzz_check_str(btf, btfdb_params(t)[i].name_off);
			}
			break;
		case BTF_KIND_ARRAY:
			fuzz_check_id(btf, btfdb_array(t)->type);
			fuzz_check_id(btf, btfdb_array(t)->index_type);
			break;
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
			for (uint32_t i = 0; i < vlen; i++) {
				fuzz_check_id(btf, btfdb_members(t)[i].type);
				fuzz_check_str(btf, btfdb_members(t)[i].name_off);
				(void)btfdb_member_bit_offset(t, i);
				(void)btfdb_member_bitfield_size(t, i);
			}
			break;
		case BTF_KIND_ENUM:
			for (uint32_t i = 0; i < vlen; i++)
				fuzz_check_str(btf, btfdb_enums(t)[i].name_off);
			break;
		case BTF_KIND_ENUM64:
			for (uint32_t i = 0; i < vlen; i++)
				fuzz_check_str(btf, btfdb_enums64(t)[i].name_off);
			break;
		case BTF_KIND_DATASEC: {
			const struct btf_var_secinfo *vs = (const void *)(t + 1);

			for (uint32_t i = 0; i < vlen; i++)
				fuzz_check_id(btf, vs[i].type);
			break;
		}
		case BTF_KIND_INT:
			(void)btfdb_int_encoding(t);
			(void)btfdb_int_bits(t);
			(void)btfdb_int_offset(t);
			break;
		default:
			break;
		}

		/* reference chains terminate and end inside the BTF */
		res = UINT32_MAX;
		if (btfdb_skip_mods_and_typedefs(btf, id, &res))
			FUZZ_ASSERT(res < cnt);
		res = UINT32_MAX;
		if (btfdb_skip_mods(btf, id, &res))
			FUZZ_ASSERT(res < cnt);
		(void)btfdb_resolve_size(btf, id);

		if (idx && name[0]) {
			size_t len = btfdb_essential_name_len(name);
			const uint32_t *ids = NULL;
			size_t n, found = 0;

			FUZZ_ASSERT(len <= strlen(name));
			n = btfdb_index_lookup(idx, name, len, &ids);
			FUZZ_ASSERT(n >= 1 && ids != NULL);
			for (size_t i = 0; i < n; i++) {
				FUZZ_ASSERT(ids[i] < cnt);
				if (i)
					FUZZ_ASSERT(ids[i - 1] < ids[i]);
				found += ids[i] == id;
			}
			FUZZ_ASSERT(found == 1);
		}
	}
}

#endif
