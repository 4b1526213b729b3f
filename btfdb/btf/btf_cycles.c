/* SPDX-License-Identifier: MIT */
/*
 * BTF validation step 6: no reference cycle that does not pass through a
 * pointer (or a FUNC_PROTO).  check_cycles_fast() works on the graph the
 * eager walk captured (see btf_parse_internal.h); describe_cycle() names the
 * cycle, only when there is one.  Lazy handles check cycles per type
 * instead (lazy_check() in btf_lazy.c).
 */
#include <errno.h>
#include <stdlib.h>

#include "btf_check_internal.h"
#include "btf_parse_internal.h"

/*
 * describe_cycle(): the reference check, run only once check_cycles_fast()
 * has found a cycle, to name it exactly as before (the type met again and
 * the type it was reached from, in the order of a DFS from the lowest id).
 * Iterative depth-first search over own types along value_edge() links with
 * the classic three colours (0 unvisited, 1 on the stack, 2 done): meeting a
 * type that is on the stack is a cycle.  Links into base BTF cannot lead back
 * (base never references split types).  Memory: one byte per type plus a
 * stack of at most nr_types frames, grown by doubling.
 */
struct dfs_frame {
	uint32_t id;  /* type being expanded */
	uint32_t pos; /* next value_edge() index to look at */
};

static int describe_cycle(const struct btfdb_btf *btf, struct btfdb_err *err)
{
	uint32_t start = btf->start_id, n = btf->nr_types, root, cap = 0, sp = 0;
	struct dfs_frame *stack = NULL;
	uint8_t *color;
	int ret = 0;

	color = calloc(n ? n : 1, 1);
	if (!color) {
		btfdb_err_set(err, "BTF: out of memory for the cycle check");
		return -ENOMEM;
	}
	for (root = 0; root < n && !ret; root++) {
		if (color[root])
			continue;
		if (sp == cap) {
			struct dfs_frame *tmp;

			cap = cap ? cap * 2 : 64;
			tmp = realloc(stack, (size_t)cap * sizeof(*stack));
			if (!tmp) {
				btfdb_err_set(err, "BTF: out of memory for the cycle check");
				ret = -ENOMEM;
				break;
			}
			stack = tmp;
		}
		stack[sp++] = (struct dfs_frame){ start + root, 0 };
		color[root] = 1;
		while (sp && !ret) {
			struct dfs_frame *f = &stack[sp - 1];
			const struct btf_type *t = btfdb_flat_type(btf, f->id - start);
			uint32_t tgt;
			bool pushed = false;

			while (value_edge(t, f->pos, &tgt)) {
				f->pos++;
				if (tgt < start)
					continue;
				if (color[tgt - start] == 1) {
					btfdb_err_set(err,
						      "BTF: type [%u] (%s '%s') is in a reference cycle "
						      "(reached again from type [%u]) that does not "
						      "pass through a pointer",
						      tgt, btfdb_kind_name(btf->kinds[tgt - start]),
						      btfdb_btf_name(btf, tgt), f->id);
					ret = -EINVAL;
					break;
				}
				if (color[tgt - start] == 0) {
					if (sp == cap) {
						struct dfs_frame *tmp;

						cap *= 2;
						tmp = realloc(stack, (size_t)cap * sizeof(*stack));
						if (!tmp) {
							btfdb_err_set(err, "BTF: out of memory for "
									   "the cycle check");
							ret = -ENOMEM;
							break;
						}
						stack = tmp;
					}
					color[tgt - start] = 1;
					stack[sp++] = (struct dfs_frame){ tgt, 0 };
					pushed = true;
					break;
				}
			}
			if (!pushed && !ret) {
				color[stack[sp - 1].id - start] = 2;
				sp--;
			}
		}
	}
	free(stack);
	free(color);
	return ret;
}

/* Multi node i's edge list, in place: each target through its chain's end,
 * keeping own multi nodes only, as own indices. */
static inline void resolve_edges(const struct btfdb_btf *btf, const uint32_t *aux,
				 uint32_t *edges, uint32_t i)
{
	const uint32_t start = btf->start_id;
	const uint8_t *kinds = btf->kinds;
	uint32_t *list = &edges[aux[i]], e, cnt = list[0], kept = 0;

	for (e = 1; e <= cnt; e++) {
		uint32_t tgt = list[e];

		if (is_chain_kind(kinds[tgt - start]))
			tgt = aux[tgt - start]; /* the chain's end */
		if (tgt >= start && is_multi_kind(kinds[tgt - start]))
			list[++kept] = tgt - start;
	}
	list[0] = kept;
}

/* Step 6, the fast check: 1 when there is a cycle, 0 when not, -ENOMEM. */
static int check_cycles_fast(const struct btfdb_btf *btf, struct pscratch *ps)
{
	const uint32_t start = btf->start_id, n = btf->nr_types;
	const uint8_t *kinds = btf->kinds;
	uint32_t *aux = ps->aux, *edges = ps->edges;
	struct dfs_frame *stack = NULL;
	uint32_t i, sp;
	uint8_t *st;
	int ret = 0;

	st = calloc(n ? n : 1, 1);
	if (!st)
		return -ENOMEM;

	/* a) chains */
	for (i = 0; i < n; i++) {
		uint32_t cur, end;

		if (!is_chain_kind(kinds[i]) || st[i] != ST_NEW)
			continue;
		cur = start + i;
		for (;;) {
			uint32_t j = cur - start;

			if (cur < start || !is_chain_kind(kinds[j])) {
				end = cur;
				break;
			}
			if (st[j] == ST_PENDING) {
				ret = 1; /* walked back into this walk: a cycle */
				goto out;
			}
			if (st[j] == ST_DONE) {
				end = aux[j];
				break;
			}
			st[j] = ST_PENDING;
			cur = aux[j];
		}
		for (cur = start + i; cur >= start && st[cur - start] == ST_PENDING;) {
			uint32_t j = cur - start;

			cur = aux[j];
			aux[j] = end;
			st[j] = ST_DONE;
		}
	}
	if (!ps->nmulti)
		goto out;

	/* b) iterative DFS over own indices of multi nodes; frame pos = next
	 * position in edges[]; a node's edge list is resolved when it is first
	 * entered (resolve_edges) */
	stack = malloc((size_t)ps->nmulti * sizeof(*stack));
	if (!stack) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n && !ret; i++) {
		if (!is_multi_kind(kinds[i]) || st[i] != ST_NEW)
			continue;
		resolve_edges(btf, aux, edges, i);
		if (!edges[aux[i]]) {
			st[i] = ST_DONE;
			continue;
		}
		sp = 0;
		stack[sp++] = (struct dfs_frame){ i, aux[i] + 1 };
		st[i] = ST_PENDING;
		while (sp) {
			struct dfs_frame *f = &stack[sp - 1];
			uint32_t w;

			if (f->pos == aux[f->id] + 1 + edges[aux[f->id]]) {
				st[f->id] = ST_DONE;
				sp--;
				continue;
			}
			w = edges[f->pos++];
			if (st[w] == ST_PENDING) {
				ret = 1;
				break;
			}
			if (st[w] == ST_NEW) {
				resolve_edges(btf, aux, edges, w);
				st[w] = ST_PENDING;
				stack[sp++] = (struct dfs_frame){ w, aux[w] + 1 };
			}
		}
	}
out:
	free(stack);
	free(st);
	return ret;
}

/* Step 6: 0, or -EINVAL naming the cycle, or -ENOMEM. */
int btfdb_btf_check_cycles(const struct btfdb_btf *btf, struct pscratch *ps,
			   struct btfdb_err *err)
{
	int ret = check_cycles_fast(btf, ps);

	if (ret == -ENOMEM) {
		btfdb_err_set(err, "BTF: out of memory for the cycle check");
		return ret;
	}
	if (ret == 0)
		return 0;
	ret = describe_cycle(btf, err);
	if (ret == 0) { /* cannot happen: both search the same graph */
		btfdb_err_set(err, "BTF: reference cycle that does not pass through a pointer");
		ret = -EINVAL;
	}
	return ret;
}
