/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the ELF BPF object reader and the .BTF.ext parser.
 * Input: an ELF object.  When it is accepted, its records and programs must
 * satisfy fuzz_check_obj(), its local BTF the btfdb promises, and relocating
 * it against its own BTF (a target that always exists) then emitting must
 * either fail with a message or produce a valid object.
 */
#include <stdint.h>

#include "fuzz_obj_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct corelink_obj *obj = NULL;
	struct btfdb_err err = {{0}};
	int ret;

	ret = corelink_obj_open_mem(data, size, "fuzz.o", &obj, &err);
	if (ret) {
		FUZZ_ASSERT_ERR(ret, &err);
		FUZZ_ASSERT(obj == NULL);
		return 0;
	}
	fuzz_check_obj(obj);
	fuzz_check_btf(corelink_obj_btf(obj), NULL);
	fuzz_relocate_emit(obj, corelink_obj_btf(obj), false);
	corelink_obj_free(obj);
	return 0;
}
