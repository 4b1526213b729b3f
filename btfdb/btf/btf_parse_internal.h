/* SPDX-License-Identifier: MIT */
/*
 * What the files of the BTF parser share: the by-value graph the eager walk
 * captures for the cycle check, and the steps that live in their own files.
 *   btf_parse.c   steps 1-5 and the entry points (parse_common())
 *   btf_cycles.c  step 6, reference cycles
 *   btf_lazy.c    step 4 alone for BTFDB_LOAD_LAZY, and the per-type lazy check
 * Private to btfdb/btf.
 */
#ifndef BTFDB_BTF_PARSE_INTERNAL_H
#define BTFDB_BTF_PARSE_INTERNAL_H

#include "btfdb_internal.h"

/*
 * Steps 4-6 in one sequential pass over the type section (parse_types), then
 * a cycle check over compact arrays (check_cycles_fast).
 *
 * The by-value graph of value_edge() has two kinds of nodes:
 *   - chain nodes with exactly one successor: TYPEDEF, VOLATILE, CONST,
 *     RESTRICT, TYPE_TAG, VAR, DECL_TAG (->type) and ARRAY (->element);
 *   - multi nodes: STRUCT, UNION (-> member types), DATASEC (-> var types);
 * every other kind (and every base type) has no by-value successor.
 * A cycle is either made of chain nodes only, or goes through a multi node.
 * While walking, the pass records for each chain node its successor
 * (aux[i]) and for each multi node (aux[i] = position in edges[]) the list
 * "count, target ids" of the members that may lead on (already-seen targets
 * of other kinds are dropped at once).  Then:
 *  a) Chains: aux[i] becomes the first non-chain id reached from chain node
 *     i.  Each unresolved chain is walked once with its nodes marked PENDING
 *     in st[]; meeting a PENDING node closes a cycle (path colouring).  A
 *     second walk over the same nodes stores the end.  O(chain nodes).
 *  b) Multi nodes: each edge list is resolved through a) in place, keeping
 *     the edges that land on a multi node (struct-in-struct embedding), and
 *     an iterative three-colour DFS over those finds any cycle.  A cycle
 *     there is a cycle of the full graph and conversely, since chains were
 *     contracted to their ends.
 * Memory: per own type 4 bytes (type_offs[]) + 1 (kinds[]) + 4 (aux[]) + 1
 * (st[]), plus one word per kept member edge.
 */
#define ST_NEW 0     /* chain: unresolved; multi: not visited */
#define ST_PENDING 1 /* chain: on the current walk; multi: on the DFS stack */
#define ST_DONE 2    /* chain: aux[] holds the end; multi: fully explored */

/* Kind sets as bit masks (a test per type; a switch there mispredicts). */
#define CHAIN_KINDS                                                                        \
	((1u << BTF_KIND_TYPEDEF) | (1u << BTF_KIND_VOLATILE) | (1u << BTF_KIND_CONST) |  \
	 (1u << BTF_KIND_RESTRICT) | (1u << BTF_KIND_TYPE_TAG) | (1u << BTF_KIND_VAR) |    \
	 (1u << BTF_KIND_DECL_TAG) | (1u << BTF_KIND_ARRAY))
#define MULTI_KINDS ((1u << BTF_KIND_STRUCT) | (1u << BTF_KIND_UNION) | (1u << BTF_KIND_DATASEC))

static inline bool is_chain_kind(uint16_t k)
{
	return k < 32 && ((CHAIN_KINDS >> k) & 1); /* kinds of the extended format reach 127 */
}

static inline bool is_multi_kind(uint16_t k)
{
	return k < 32 && ((MULTI_KINDS >> k) & 1); /* kinds of the extended format reach 127 */
}

static inline uint32_t chain_next(const struct btf_type *t, uint16_t k)
{
	return k == BTF_KIND_ARRAY ? btfdb_array(t)->type : t->type;
}

/* The i-th by-value target of multi node t (struct/union member or datasec var). */
static inline uint32_t multi_target(const struct btf_type *t, uint16_t k, uint32_t i)
{
	if (k == BTF_KIND_DATASEC)
		return ((const struct btf_var_secinfo *)(t + 1))[i].type;
	return btfdb_members(t)[i].type;
}

/* Scratch of one parse: the graph the cycle check needs, and types to re-check. */
struct pscratch {
	uint32_t *aux;      /* per own type: chain successor / end, or edges[] position */
	uint32_t *edges;    /* per multi node: count, then target ids */
	uint32_t nedges;
	uint32_t nmulti;
	uint32_t *deferred; /* own indices to re-check in reference mode */
	uint32_t ndeferred;
	bool check_failed;  /* a fast-mode check failed: find the first error again */
};

/* Step 6 (btf_cycles.c): 0, or -EINVAL naming the cycle, or -ENOMEM. */
int btfdb_btf_check_cycles(const struct btfdb_btf *btf, struct pscratch *ps,
			   struct btfdb_err *err);

/* Step 4 alone, for BTFDB_LOAD_LAZY (btf_lazy.c). */
int btfdb_btf_walk_lazy(struct btfdb_btf *btf, const struct btf_header *hdr,
			struct btfdb_err *err);

/* The lazy handle's per-type check state, once the walk is done (btf_lazy.c). */
int btfdb_btf_lazy_init(struct btfdb_btf *btf, struct btfdb_err *err);

/* The walk's error for the record at off (btf_parse.c). */
int btfdb_btf_walk_error(const struct btfdb_btf *btf, const uint8_t *sec, uint32_t len,
			 uint32_t off, uint32_t id, struct btfdb_err *err)
	__attribute__((cold));

#endif /* BTFDB_BTF_PARSE_INTERNAL_H */
