/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the raw BTF parser, format detection (raw / ELF / .tar.xz),
 * the XXH3 name index and the per-kind accessors over every type id.
 * Input: any bytes.  When they parse, every validation promise of btfdb.h is
 * checked (fuzz_check.h); when they do not, the error must carry a message.
 * A blob that parses is also parsed as split BTF on top of itself, which
 * exercises the id / string-offset continuation arithmetic.
 * Raw blobs are also loaded lazily (BTFDB_LOAD_LAZY): that must agree with
 * the full parse (same framing errors; a blob the full parse rejects for a
 * type fails when its types are fetched; one it accepts hands out the very
 * same records and index), and fetching every type must never crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "btfdb_internal.h"
#include "fuzz_check.h"

/* The lazy load of a raw blob against the full parse (full: NULL and
 * full_msg when that failed). */
static void check_lazy(const uint8_t *data, size_t size, unsigned int rules,
		       const struct btfdb_btf *full, const char *full_msg)
{
	struct btfdb_btf *lz = NULL;
	struct btfdb_index *li = NULL, *fi = NULL;
	struct btfdb_err err = {{0}};
	uint32_t id, cnt;
	bool failed = false;
	int ret = btfdb_btf_parse_copy(data, size, NULL, BTFDB_LOAD_LAZY | rules, &lz, &err);

	if (ret) {
		/* framing: the full parse finds the same first error */
		FUZZ_ASSERT_ERR(ret, &err);
		FUZZ_ASSERT(full == NULL);
		FUZZ_ASSERT(!strcmp(err.msg, full_msg));
		return;
	}
	cnt = btfdb_btf_type_cnt(lz);
	for (id = cnt; id-- > 1;) { /* top down: most types first reached by value */
		const struct btf_type *t = btfdb_btf_type(lz, id);

		if (!t) {
			failed = true;
			FUZZ_ASSERT(btfdb_btf_error(lz) != NULL);
			continue;
		}
		if (full) {
			const struct btf_type *u = btfdb_btf_type(full, id);

			FUZZ_ASSERT(u && !memcmp(t, u, sizeof(*t) + btfdb_type_extra_size(t)));
		}
	}
	FUZZ_ASSERT(failed == (full == NULL));
	if (full) {
		FUZZ_ASSERT(btfdb_btf_type_cnt(full) == cnt);
		FUZZ_ASSERT(btfdb_btf_ptr_size(full) == btfdb_btf_ptr_size(lz));
		if (!btfdb_index_build_core(lz, &li, &err) && !btfdb_index_build_core(full, &fi, &err)) {
			for (id = 1; id < cnt; id++) {
				const char *name = btfdb_btf_name(full, id);
				const uint32_t *a, *b;
				size_t len, na, nb;

				if (!name || !name[0])
					continue;
				len = btfdb_essential_name_len(name);
				na = btfdb_index_lookup(li, name, len, &a);
				nb = btfdb_index_lookup(fi, name, len, &b);
				FUZZ_ASSERT(na == nb && (!na || !memcmp(a, b, na * sizeof(*a))));
			}
		}
		btfdb_index_free(li);
		btfdb_index_free(fi);
	}
	btfdb_btf_free(lz);
}

static void check_one(const struct btfdb_btf *btf)
{
	struct btfdb_index *idx = NULL;
	struct btfdb_err err = {{0}};
	int ret = btfdb_index_build(btf, &idx, &err);

	if (ret)
		FUZZ_ASSERT_ERR(ret, &err);
	fuzz_check_btf(btf, ret ? NULL : idx);
	btfdb_index_free(idx);
}

/*
 * One load; rules: 0 or BTFDB_LOAD_KERNEL_RULES (target BTF).  Returns
 * whether it loaded.
 */
static bool run(const uint8_t *data, size_t size, unsigned int rules)
{
	struct btfdb_btf *btf = NULL, *split = NULL;
	struct btfdb_err err = {{0}};
	int ret;

	ret = btfdb_btf_load_mem_flags(data, size, "fuzz", rules, &btf, &err);
	if (size >= 2 && ((data[0] == 0x9f && data[1] == 0xeb) || (data[0] == 0xeb && data[1] == 0x9f))) {
		/* load_mem() prefixes the parser's message with the name */
		static const char prefix[] = "fuzz: ";

		FUZZ_ASSERT(!ret || !strncmp(err.msg, prefix, sizeof(prefix) - 1));
		check_lazy(data, size, rules, ret ? NULL : btf, err.msg + sizeof(prefix) - 1);
	}
	if (ret) {
		FUZZ_ASSERT_ERR(ret, &err);
		FUZZ_ASSERT(btf == NULL);
		return false;
	}
	FUZZ_ASSERT(btf != NULL);
	check_one(btf);

	/* raw BTF only: parse it again as split BTF on top of itself */
	if (size >= 2 && ((data[0] == 0x9f && data[1] == 0xeb) || (data[0] == 0xeb && data[1] == 0x9f))) {
		memset(&err, 0, sizeof(err));
		ret = btfdb_btf_parse_copy(data, size, btf, rules, &split, &err);
		if (ret) {
			FUZZ_ASSERT_ERR(ret, &err);
		} else {
			FUZZ_ASSERT(btfdb_btf_start_id(split) == btfdb_btf_type_cnt(btf));
			check_one(split);
		}
		btfdb_btf_free(split);
	}
	btfdb_btf_free(btf);
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool strict = run(data, size, BTFDB_LOAD_KERNEL_RULES), plain = run(data, size, 0);

	FUZZ_ASSERT(!strict || plain); /* the kernel's rules only add refusals */
	return 0;
}
