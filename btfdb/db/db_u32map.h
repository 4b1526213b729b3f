/* SPDX-License-Identifier: MIT */
/*
 * A small map of nonzero u32 keys to fixed-size values, for the reader's
 * per-kernel caches (decoded types by id, record templates by pool id,
 * type ids by name sid): open addressing with linear probing, at most half
 * full, keys and values in two arrays (a lookup touches one key page and
 * one value page, where arrays indexed by id touched a fresh page for most
 * of a kernel's few thousand ids).
 */
#ifndef BTFDB_DB_U32MAP_H
#define BTFDB_DB_U32MAP_H

#include <stdint.h>
#include <stddef.h>

struct btfdb_u32map {
	uint32_t *key;   /* 0 = empty slot */
	uint8_t *val;    /* cap values of vsize bytes */
	uint32_t vsize, cap, used;
};

/* An empty map of vsize-byte values with room for cap0 / 2 keys (cap0: a power of 2). */
int btfdb_u32map_init(struct btfdb_u32map *m, uint32_t vsize, uint32_t cap0);
/* Free the arrays (not what values point to) and zero m. */
void btfdb_u32map_free(struct btfdb_u32map *m);

static inline uint32_t btfdb_u32map_slot(const struct btfdb_u32map *m, uint32_t key)
{
	uint32_t j;

	for (j = (key * 2654435761u) & (m->cap - 1); m->key[j] && m->key[j] != key;
	     j = (j + 1) & (m->cap - 1))
		;
	return j;
}

/* The value of key (nonzero); NULL when absent. */
static inline void *btfdb_u32map_get(const struct btfdb_u32map *m, uint32_t key)
{
	uint32_t j = btfdb_u32map_slot(m, key);

	return m->key[j] ? m->val + (size_t)j * m->vsize : NULL;
}

/* The value of key (nonzero), added zeroed when absent; NULL: out of memory. */
void *btfdb_u32map_put(struct btfdb_u32map *m, uint32_t key);

/* Value of slot j (for walking every slot j < cap whose key[j] is set). */
static inline void *btfdb_u32map_at(const struct btfdb_u32map *m, uint32_t j)
{
	return m->val + (size_t)j * m->vsize;
}

#endif
