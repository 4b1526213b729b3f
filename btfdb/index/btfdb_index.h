/* SPDX-License-Identifier: MIT */
/*
 * btfdb/index: essential names (libbpf's rule) and the XXH3 name index over
 * one BTF: essential name -> ascending type ids, what CO-RE candidate search
 * asks.  Conventions are btfdb.h's.
 */
#ifndef BTFDB_INDEX_H
#define BTFDB_INDEX_H

#include "btfdb.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Essential names and the XXH3 name index (index.c)                  */
/* ------------------------------------------------------------------ */

/*
 * Length of the essential name, libbpf's rule: cut at the LAST "X___Y"
 * where X and Y are not '_' ("foo___bar___v2" -> "foo___bar").
 */
size_t btfdb_essential_name_len(const char *name);

struct btfdb_index;

/* Build the index of every named type by essential name. */
int btfdb_index_build(const struct btfdb_btf *btf, struct btfdb_index **out,
		      struct btfdb_err *err);
/* The same restricted to btfdb_kind_is_core_cand() kinds: what CO-RE
 * candidate search needs, about twice as fast on a vmlinux BTF. */
int btfdb_index_build_core(const struct btfdb_btf *btf, struct btfdb_index **out,
			   struct btfdb_err *err);
/*
 * btfdb_index_build_core() for a known set of names: only the types whose
 * names share their first two bytes with one of the essential names
 * names[i][0..lens[i]) are indexed, which holds every type any of those
 * names can find (a name is its essential name, or that followed by "___"
 * and a flavour).  For one object's candidate search, whose names are those
 * of its CO-RE root types, this skips hashing most of a kernel's ~15k names.
 * Lookups of other names are incomplete: ask btfdb_index_covers() first.
 * Over a database (backend) handle, the index holds every name.
 */
int btfdb_index_build_core_for(const struct btfdb_btf *btf, const char *const *names,
			       const size_t *lens, size_t n, struct btfdb_index **out,
			       struct btfdb_err *err);
/* Whether btfdb_index_lookup(idx, name, len) finds every type of that
 * essential name that idx's kinds allow (false only for names a
 * btfdb_index_build_core_for() index was not built for). */
bool btfdb_index_covers(const struct btfdb_index *idx, const char *name, size_t len);
/* Whether lookups in idx can return types of this kind (a database index and
 * btfdb_index_build() hold all kinds; btfdb_index_build_core() does not).
 * A caller looking for another kind must scan the BTF itself. */
bool btfdb_index_has_kind(const struct btfdb_index *idx, uint16_t kind);
void btfdb_index_free(struct btfdb_index *idx);
/*
 * Type ids whose essential name equals name[0..len), in ascending id order
 * (the order libbpf scans in).  Returns the count; *ids is borrowed from idx.
 * All indexed kinds are returned (see btfdb_index_has_kind()): the caller
 * filters by kind.
 */
size_t btfdb_index_lookup(const struct btfdb_index *idx, const char *name, size_t len,
			  const uint32_t **ids);

#ifdef __cplusplus
}
#endif
#endif /* BTFDB_INDEX_H */
