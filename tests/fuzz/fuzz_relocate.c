/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the whole relocation, object and target BTF both mutated.
 * Input layout:  [u32 little-endian N][N bytes: BPF object][rest: target]
 * The target is anything btfdb_btf_load_mem() accepts (raw BTF, ELF with
 * .BTF, .tar.xz; lazily checked, as the CLI loads it).  N larger than what follows takes everything as the object
 * (and the target is then empty, hence rejected).  Seeds are made by
 * make_seeds.sh from the project's test objects and synthetic targets.
 */
#include <stdint.h>

#include "fuzz_obj_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct corelink_obj *obj = NULL;
	struct btfdb_btf *target = NULL;
	struct btfdb_err err = {{0}};
	uint32_t n;
	int ret;

	if (size < 4)
		return 0;
	n = (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 |
	    (uint32_t)data[3] << 24;
	data += 4;
	size -= 4;
	if (n > size)
		n = (uint32_t)size;

	/* loaded as the CLI loads it: lazily checked, so relocating meets
	 * malformed types as NULL from btfdb_btf_type() */
	ret = btfdb_btf_load_mem_flags(data + n, size - n, "fuzz-target",
				       BTFDB_LOAD_LAZY | BTFDB_LOAD_KERNEL_RULES, &target,
				       &err);
	if (ret) {
		FUZZ_ASSERT_ERR(ret, &err);
		return 0;
	}
	memset(&err, 0, sizeof(err));
	ret = corelink_obj_open_mem(data, n, "fuzz.o", &obj, &err);
	if (ret) {
		FUZZ_ASSERT_ERR(ret, &err);
	} else {
		fuzz_relocate_emit(obj, target, false);
		fuzz_relocate_emit(obj, target, true);
	}
	corelink_obj_free(obj);
	btfdb_btf_free(target);
	return 0;
}
