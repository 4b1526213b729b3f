/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the raw BTF parser, format detection (raw / ELF / .tar.xz),
 * the XXH3 name index and the per-kind accessors over every type id.
 * Input: any bytes.  When they parse, every validation promise of btfdb.h is
 * checked (fuzz_check.h); when they do not, the error must carry a message.
 * A blob that parses is also parsed as split BTF on top of itself, which
 * exercises the id / string-offset continuation arithmetic.
 */
#include <stdint.h>
#include <string.h>

#include "btfdb.h"
#include "fuzz_check.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct btfdb_btf *btf = NULL, *split = NULL;
	struct btfdb_err err = {{0}};
	int ret;

	ret = btfdb_btf_load_mem(data, size, "fuzz", &btf, &err);
	if (ret) {
		FUZZ_ASSERT_ERR(ret, &err);
		FUZZ_ASSERT(btf == NULL);
		return 0;
	}
	FUZZ_ASSERT(btf != NULL);
	check_one(btf);

	/* raw BTF only: parse it again as split BTF on top of itself */
	if (size >= 2 && ((data[0] == 0x9f && data[1] == 0xeb) || (data[0] == 0xeb && data[1] == 0x9f))) {
		memset(&err, 0, sizeof(err));
		ret = btfdb_btf_parse(data, size, btf, &split, &err);
		if (ret) {
			FUZZ_ASSERT_ERR(ret, &err);
		} else {
			FUZZ_ASSERT(btfdb_btf_start_id(split) == btfdb_btf_type_cnt(btf));
			check_one(split);
		}
		btfdb_btf_free(split);
	}
	btfdb_btf_free(btf);
	return 0;
}
