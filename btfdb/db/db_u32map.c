/* SPDX-License-Identifier: MIT */
/* The reader's u32-keyed open-addressing map (see db_u32map.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "db_u32map.h"

static int grow(struct btfdb_u32map *m, uint32_t cap)
{
	uint32_t *key = calloc(cap, sizeof(*key)), i;
	uint8_t *val = malloc((size_t)cap * m->vsize);
	struct btfdb_u32map n = { key, val, m->vsize, cap, m->used };

	if (!key || !val) {
		free(key);
		free(val);
		return -ENOMEM;
	}
	for (i = 0; i < m->cap; i++) {
		uint32_t j;

		if (!m->key[i])
			continue;
		j = btfdb_u32map_slot(&n, m->key[i]);
		key[j] = m->key[i];
		memcpy(val + (size_t)j * m->vsize, m->val + (size_t)i * m->vsize, m->vsize);
	}
	free(m->key);
	free(m->val);
	*m = n;
	return 0;
}

int btfdb_u32map_init(struct btfdb_u32map *m, uint32_t vsize, uint32_t cap0)
{
	memset(m, 0, sizeof(*m));
	m->vsize = vsize;
	return grow(m, cap0);
}

void btfdb_u32map_free(struct btfdb_u32map *m)
{
	free(m->key);
	free(m->val);
	memset(m, 0, sizeof(*m));
}

void *btfdb_u32map_put(struct btfdb_u32map *m, uint32_t key)
{
	uint32_t j;
	uint8_t *v;

	if (!m->cap)
		return NULL;
	j = btfdb_u32map_slot(m, key);
	if (m->key[j])
		return m->val + (size_t)j * m->vsize;
	if ((m->used + 1) * 2 > m->cap) {
		if (grow(m, 2 * m->cap))
			return NULL;
		j = btfdb_u32map_slot(m, key);
	}
	m->key[j] = key;
	m->used++;
	v = m->val + (size_t)j * m->vsize;
	memset(v, 0, m->vsize);
	return v;
}
