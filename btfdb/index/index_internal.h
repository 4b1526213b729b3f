/* SPDX-License-Identifier: MIT */
/* The index's internals (btfdb/index): for btfdb's own files (db) and tests. */
#ifndef BTFDB_INDEX_INTERNAL_H
#define BTFDB_INDEX_INTERNAL_H

#include "btfdb_index.h"
#include "btfdb_internal.h"

/*
 * An index maps essential names to ascending type-id lists.  The flat
 * implementation lives in index.c; a database may provide its own lookup.
 */
struct btfdb_index_ops {
	size_t (*lookup)(void *ctx, const char *name, size_t len, const uint32_t **ids);
	void (*free)(void *ctx);
};

int btfdb_index_new_backend(const struct btfdb_index_ops *ops, void *ctx,
			    struct btfdb_index **out, struct btfdb_err *err);

/* btfdb_index_build() with a caller-chosen hash of the essential name; tests
 * pass a degenerate one to force collisions.  fn == NULL means btfdb_hash64. */
typedef uint64_t (*btfdb_name_hash_fn)(const void *data, size_t len);
int btfdb_index_build_hashfn(const struct btfdb_btf *btf, btfdb_name_hash_fn fn,
			     struct btfdb_index **out, struct btfdb_err *err);

#endif /* BTFDB_INDEX_INTERNAL_H */
