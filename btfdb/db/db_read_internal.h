/* SPDX-License-Identifier: MIT */
/* db_read.c internals used by db_write.c (loading an existing database). */
#ifndef BTFDB_DB_READ_INTERNAL_H
#define BTFDB_DB_READ_INTERNAL_H

#include "btfdb_db.h"
#include "db_format.h"

/* The validated header (host copy). */
const struct btfdb_dbf_hdr *btfdb_dbr_hdr(const struct btfdb_db *db);
/* A blockref array at an absolute offset validated at open. */
const struct btfdb_dbf_blockref *btfdb_dbr_refs(const struct btfdb_db *db, uint64_t off);
const struct btfdb_dbf_kernel *btfdb_dbr_kernel(const struct btfdb_db *db, uint32_t k);
const char *btfdb_dbr_kernel_name(const struct btfdb_db *db, uint32_t k);
/* The compressed bytes of a block, after checking bounds and checksum. */
int btfdb_dbr_checked_data(const struct btfdb_db *db, const struct btfdb_dbf_blockref *ref,
			   const uint8_t **data, struct btfdb_err *err);
/* Inflate a block into a new malloc'd buffer (*out, ref->ulen bytes; +1 NUL). */
int btfdb_dbr_inflate(struct btfdb_db *db, const struct btfdb_dbf_blockref *ref,
		      uint8_t **out, struct btfdb_err *err);

#endif
