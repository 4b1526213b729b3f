/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the btfdb database reader.
 * Input: a database file (seeds: small databases built from the synthetic
 * targets by make_seeds.sh).  The bytes are written to a memfd and opened
 * through /proc/self/fd, so btfdb_db_open() takes its real path (open +
 * mmap).  Everything the reader offers is exercised: kernel list and info,
 * lookup by name, lazy BTF + index handles walked over their ids, extract,
 * verify.  Invariants: when verify passes, every kernel extracts to a blob
 * of the recorded size and hash that parses to the recorded type count.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "btfdb.h"
#include "btfdb_db.h"
#include "btfdb_internal.h"
#include "fuzz_check.h"

static int write_memfd(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz_db", MFD_CLOEXEC);
	size_t done = 0;

	if (fd < 0)
		return -1;
	while (done < size) {
		ssize_t n = write(fd, data + done, size - done);

		if (n <= 0) {
			close(fd);
			return -1;
		}
		done += (size_t)n;
	}
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct btfdb_db *db = NULL;
	struct btfdb_db_info dinfo;
	struct btfdb_err err = {{0}};
	char path[64];
	uint32_t nk;
	int fd, ret, verified;

	fd = write_memfd(data, size);
	if (fd < 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ret = btfdb_db_open(path, &db, &err);
	close(fd); /* the mapping, if any, stays valid */
	if (ret) {
		FUZZ_ASSERT_ERR(ret, &err);
		FUZZ_ASSERT(db == NULL);
		return 0;
	}
	btfdb_db_info(db, &dinfo);
	nk = btfdb_db_kernel_count(db);
	FUZZ_ASSERT(nk == dinfo.nr_kernels);
	memset(&err, 0, sizeof(err));
	verified = btfdb_db_verify(db, &err) == 0;

	for (uint32_t k = 0; k < nk && k < 16; k++) {
		struct btfdb_db_kernel_info ki;
		struct btfdb_btf *btf = NULL, *flat = NULL;
		struct btfdb_index *idx = NULL;
		void *blob = NULL;
		size_t blob_size = 0;

		if (btfdb_db_kernel_info(db, k, &ki, NULL))
			continue;
		if (ki.name) {
			memset(&err, 0, sizeof(err));
			(void)btfdb_db_find_kernel(db, ki.name, &err);
		}
		memset(&err, 0, sizeof(err));
		ret = btfdb_db_kernel_btf(db, k, &btf, &idx, &err);
		if (ret) {
			FUZZ_ASSERT_ERR(ret, &err);
		} else {
			FUZZ_ASSERT(btfdb_btf_type_cnt(btf) == ki.nr_types + 1);
			fuzz_walk_btf_lenient(btf, idx, 20000);
		}
		btfdb_index_free(idx);
		btfdb_btf_free(btf);

		memset(&err, 0, sizeof(err));
		ret = btfdb_db_extract(db, k, &blob, &blob_size, &err);
		if (ret) {
			FUZZ_ASSERT_ERR(ret, &err);
			FUZZ_ASSERT(!verified);
		} else if (verified) {
			FUZZ_ASSERT(blob_size == ki.blob_size);
			FUZZ_ASSERT(btfdb_hash64(blob, blob_size) == ki.blob_hash);
			memset(&err, 0, sizeof(err));
			FUZZ_ASSERT(btfdb_btf_parse(blob, blob_size, NULL, &flat, &err) == 0);
			FUZZ_ASSERT(btfdb_btf_type_cnt(flat) == ki.nr_types + 1);
			btfdb_btf_free(flat);
		}
		free(blob);
	}
	memset(&err, 0, sizeof(err));
	(void)btfdb_db_find_kernel(db, "no/such/kernel", &err);
	btfdb_db_close(db);
	return 0;
}
