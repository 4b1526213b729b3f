/* SPDX-License-Identifier: MIT */
/*
 * Lazily checked BTF (BTFDB_LOAD_LAZY): the walk (step 4 only: every record's
 * kind and size, the offset of every 8th type, the index's named types) and
 * the check of each type on first use (btfdb_btf_type() ->
 * btfdb_btf_lazy_type()), with the same per-type rules as a full parse
 * (btf_check_internal.h) and the cycle check along the types held by value.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "btf_check_internal.h"
#include "btf_parse_internal.h"

/* vstate[] of lazily checked handles: one byte per own type, mmap()ed */
static size_t vstate_size(const struct btfdb_btf *btf)
{
	return btf->nr_types ? btf->nr_types : 1;
}

struct btfdb_lz_frame {
	uint32_t id;  /* type being expanded */
	uint32_t pos; /* next value_edge() index to look at */
};

/*
 * The lazy walk follows a chain of records: each record's size comes from its
 * own info word, so the next record's address waits on the load of this one
 * (~15 cycles a record).  Two chains walked in turns overlap those waits: one
 * from where the walk is, one from a record boundary guessed further on.  The
 * guess is only trusted once the first chain lands on it exactly; otherwise
 * the second chain's work is dropped and the first walks on alone.  Either
 * way every record is walked from a true boundary, with the same checks.
 */
struct lz_chain {
	uint32_t off;               /* next record */
	uint32_t n;                 /* records walked by this chain */
	uint32_t nc;                /* entries in core[] */
	uint32_t named;             /* records with a name */
	uint32_t base;              /* id of the chain's first record */
	uint32_t *offs;             /* offs[n >> OFFS_SHIFT]: every 8th record's offset */
	struct btfdb_named *core;   /* the named CO-RE-kind records */
};

/* the known kinds btfdb_kind_is_core_cand() leaves out, as a mask: no branch */
#define LZ_NOT_CAND ((1u << BTF_KIND_FUNC) | (1u << BTF_KIND_VAR) | \
		     (1u << BTF_KIND_DATASEC) | (1u << BTF_KIND_DECL_TAG))
#ifdef BTFDB_LZ_SPLIT_MIN /* the fuzz build: small inputs walk in chains too */
#define LZ_SPLIT_MIN BTFDB_LZ_SPLIT_MIN
#else
#define LZ_SPLIT_MIN (64u << 10) /* smaller type sections: one chain */
#endif
#define LZ_GUESS_RUN 16          /* records in a row that must look right */
#define LZ_GUESS_SCAN 4096       /* bytes searched for a guess */

/* Walk the record at c->off (false: truncated, unknown kind or past the end;
 * walk_error() tells which).  core[nc] is written for every record and kept
 * (nc++) for named CO-RE kinds: no branch to mispredict. */
static inline __attribute__((always_inline)) bool lz_step(const uint8_t *sec, uint32_t len,
							   struct lz_chain *c)
{
	const struct btf_type *t = (const struct btf_type *)(sec + c->off);
	uint32_t info, kind, name;
	uint64_t total;

	if (len - c->off < sizeof(*t))
		return false;
	info = t->info;
	kind = BTFDB_INFO_KIND(info);
	name = t->name_off;
	if (__builtin_expect(!btfdb_kind_known(kind), 0))
		return false; /* lz_step_opaque() */
	total = rec_bytes(kind, BTFDB_INFO_VLEN(info));
	if (__builtin_expect(total > len - c->off, 0))
		return false;
	__builtin_prefetch(sec + c->off + 2048); /* see parse_types() */
	if (!(c->n & ((1u << OFFS_SHIFT) - 1)))
		c->offs[c->n >> OFFS_SHIFT] = c->off;
	c->core[c->nc] = (struct btfdb_named){ c->base + c->n, name };
	c->nc += (name != 0) & !((LZ_NOT_CAND >> kind) & 1);
	c->named += name != 0;
	c->n++;
	c->off += (uint32_t)total;
	return true;
}

/* lz_step() for a record of a kind btfdb does not know that the layout section sizes
 * (false as lz_step's; walk_error() tells why).  Not a CO-RE candidate. */
static bool lz_step_opaque(const struct btfdb_btf *btf, const uint8_t *sec, uint32_t len,
			   struct lz_chain *c)
{
	const struct btf_type *t = (const struct btf_type *)(sec + c->off);
	uint64_t total;

	/* a known kind lz_step() refused is an error the layout cannot excuse */
	if (len - c->off < sizeof(*t) || btfdb_kind_known(btfdb_kind(t)) ||
	    btfdb_layout_rec_bytes(btf, c->base + c->n, t, &total, NULL) ||
	    total > len - c->off)
		return false;
	if (!(c->n & ((1u << OFFS_SHIFT) - 1)))
		c->offs[c->n >> OFFS_SHIFT] = c->off;
	c->named += t->name_off != 0;
	c->n++;
	c->off += (uint32_t)total;
	return true;
}

/*
 * A record boundary guessed at or after pos: the first 4-byte step from which
 * LZ_GUESS_RUN records in a row have a known kind, no reserved info bits
 * (the kernel's BTF_INFO_MASK), a vlen only where the kind has one (FUNC: its
 * linkage), a name offset inside the strings and a size inside the section.
 * 0 = none within LZ_GUESS_SCAN bytes.  Only a guess: see lz_chain.
 */
static uint32_t lz_guess(const struct btfdb_btf *btf, const uint8_t *sec, uint32_t len,
			 uint32_t pos)
{
	uint64_t str_lim = (uint64_t)btf->str_start + btf->str_len;
	uint32_t o, stop = len - pos > LZ_GUESS_SCAN ? pos + LZ_GUESS_SCAN : len;

	for (o = pos & ~3u; o < stop; o += 4) {
		uint32_t p = o, k;

		for (k = 0; k < LZ_GUESS_RUN && len - p >= sizeof(struct btf_type); k++) {
			const struct btf_type *t = (const struct btf_type *)(sec + p);
			uint32_t kind = BTFDB_INFO_KIND(t->info), vlen = BTFDB_INFO_VLEN(t->info);
			uint64_t total;

			if ((t->info & 0x60ff0000u) || !btfdb_kind_known(kind) || t->name_off >= str_lim)
				break;
			if (!rec_per_vlen[kind] && vlen > (kind == BTF_KIND_FUNC ? 2u : 0u))
				break;
			total = rec_bytes(kind, vlen);
			if (total > len - p)
				break;
			p += (uint32_t)total;
		}
		if (k == LZ_GUESS_RUN)
			return o;
	}
	return 0;
}

/*
 * Step 4 alone, for BTFDB_LOAD_LAZY: every record's kind and size, the offset
 * of every 2^OFFS_SHIFT-th type and the named CO-RE-kind types for the index;
 * lazy_check() makes the rest of the checks per type on first use; walk_error()
 * sorts out what went wrong.  No kinds[] and 1/8 of type_offs[]: on this path
 * the memory (page faults) costs as much as the walk itself.
 *
 * In rounds, the chain x that walked everything so far goes on in turns with a
 * chain y from a boundary guessed halfway to the end.  Once x lands on the
 * guess, y takes over: its entries move in after x's, and its anchors (in its
 * own area, counted from the guess) become a new segment of type_offs[] (see
 * btfdb_flat_type_walk()).  Areas: a chain starting at byte g in round r keeps
 * its anchors from g / (12 << OFFS_SHIFT) + 2r and its entries from g / 12 + 2r,
 * past anything the chains before it can fill (a record has 12 bytes or more).
 */
int btfdb_btf_walk_lazy(struct btfdb_btf *btf, const struct btf_header *hdr,
			struct btfdb_err *err)
{
	const uint8_t *sec = btf->host + hdr->hdr_len + hdr->type_off;
	const uint32_t start = btf->start_id, len = hdr->type_len, step = 1u << OFFS_SHIFT;
	const uint32_t rec = sizeof(struct btf_type);
	size_t cap = len / rec + 1;
	uint32_t max_n, r, i, *offs;
	struct btfdb_named *core;
	struct lz_chain x;

	btf->tsec = sec;
	btf->offs_shift = OFFS_SHIFT;
	btf->type_offs = offs = malloc((cap / step + 2 * LZ_MAX_SEGS + 2) * sizeof(*offs));
	btf->named_core = core = malloc((cap + 2 * LZ_MAX_SEGS + 2) * sizeof(*core));
	if (!offs || !core) {
		btfdb_err_set(err, "BTF: out of memory for %zu types", cap);
		return -ENOMEM;
	}
	/* cap assumes 12-byte records; real ones average ~30 (vmlinux): prefault
	 * what a typical blob fills, the rest faults in if it is reached */
	btfdb_prefault(offs, len / 32 / step * sizeof(*offs));
	btfdb_prefault(core, len / 256 * sizeof(*core));
	/* ids stay below UINT32_MAX: at most this many types */
	max_n = start < UINT32_MAX - cap ? (uint32_t)cap : UINT32_MAX - start;
	x = (struct lz_chain){ .base = start, .offs = offs, .core = core };
	btf->segs[0] = (struct btfdb_lz_seg){ 0, 0 };
	btf->nsegs = 1;
	for (r = 1; r < LZ_MAX_SEGS && max_n == cap && len - x.off >= LZ_SPLIT_MIN; r++) {
		uint32_t g = lz_guess(btf, sec, len, x.off + (len - x.off) / 2), n0, nc0;
		struct lz_chain y;

		if (!g)
			break;
		y = (struct lz_chain){ .off = g, .offs = offs + g / (rec * step) + 2 * r,
				       .core = core + g / rec + 2 * r };
		btfdb_prefault(y.offs, (g - x.off) / 32 / step * sizeof(*offs));
		btfdb_prefault(y.core, (g - x.off) / 256 * sizeof(*core));
		while (x.off < g && lz_step(sec, len, &x) && lz_step(sec, len, &y))
			;
		while (x.off < g && lz_step(sec, len, &x))
			;
		if (x.off != g)
			break; /* not a boundary (or x failed): x walks on alone */
		n0 = x.base - start + x.n;
		nc0 = (uint32_t)(x.core - core) + x.nc;
		for (i = 0; i < y.nc; i++)
			core[nc0 + i] = (struct btfdb_named){ start + n0 + y.core[i].id,
							      y.core[i].name_off };
		btf->segs[btf->nsegs++] = (struct btfdb_lz_seg){ n0, (uint32_t)(y.offs - offs) };
		y.base = start + n0;
		y.core = core + nc0;
		y.named += x.named;
		x = y;
	}
	/* one chain to the end */
	while (x.off != len) {
		uint32_t n = x.base - start + x.n;

		if (n == max_n ||
		    (!lz_step(sec, len, &x) && !lz_step_opaque(btf, sec, len, &x)))
			return btfdb_btf_walk_error(btf, sec, len, x.off, start + n, err);
	}
	btf->nr_types = x.base - start + x.n;
	btf->nr_named = x.named;
	btf->nr_named_core = (uint32_t)(x.core - core) + x.nc;
	return 0;
}

/*
 * The lazy check of own type id and of everything it holds by value: an
 * iterative DFS along value_edge() links (as describe_cycle()) that makes the
 * full per-type check on entering a type, meets a PENDING type only through a
 * cycle, and marks a type LZ_OK when it leaves it, so each type is checked
 * once per handle.  Base types are checked through their own handle.
 */
static int lazy_check(struct btfdb_btf *btf, uint32_t root, struct btfdb_err *err)
{
	const uint32_t start = btf->start_id;
	uint8_t *st = btf->vstate;
	uint32_t sp = 0;
	int ret = 0;

	for (uint32_t id = root;;) {
		const struct btf_type *t;
		bool pushed = false;
		uint32_t tgt;

		if (id) { /* enter id */
			if (sp == btf->lcap) {
				uint32_t cap = btf->lcap ? 2 * btf->lcap : 64;
				struct btfdb_lz_frame *n = realloc(btf->lstack, cap * sizeof(*n));

				if (!n) {
					btfdb_err_set(err, "BTF: out of memory checking type [%u]",
						      root);
					ret = -ENOMEM;
					break;
				}
				btf->lstack = n;
				btf->lcap = cap;
			}
			ret = check_type(btf, id, btfdb_flat_type(btf, id - start), err, NULL);
			if (ret)
				break;
			st[id - start] = LZ_PENDING;
			btf->lstack[sp++] = (struct btfdb_lz_frame){ id, 0 };
		}
		if (!sp)
			break;
		{
			struct btfdb_lz_frame *f = &btf->lstack[sp - 1];

			t = btfdb_flat_type(btf, f->id - start);
			id = 0;
			while (value_edge(t, f->pos, &tgt)) {
				f->pos++;
				if (tgt < start) {
					/* void, or a base type: checked by its handle */
					if (tgt && !btfdb_btf_type(btf->base, tgt)) {
						const char *m = btfdb_btf_error(btf->base);

						btfdb_err_set(err, "%s", m ? m : "BTF: bad base type");
						ret = -EINVAL;
						break;
					}
					continue;
				}
				if (st[tgt - start] == LZ_OK)
					continue;
				if (st[tgt - start] == LZ_PENDING) {
					const struct btf_type *u = btfdb_flat_type(btf, tgt - start);
					const char *name = btfdb_btf_str(btf, u->name_off);

					btfdb_err_set(err,
						      "BTF: type [%u] (%s '%s') is in a reference cycle "
						      "(reached again from type [%u]) that does not "
						      "pass through a pointer",
						      tgt, btfdb_kind_name(btfdb_kind(u)),
						      name ? name : "", f->id);
					ret = -EINVAL;
					break;
				}
				id = tgt;
				pushed = true;
				break;
			}
			if (ret)
				break;
			if (!pushed) {
				/* all it holds by value is good: on target BTF the
				 * kernel's rules that need those types */
				ret = btf->kernel_rules ? btfdb_kr_resolve(btf, f->id, t, err) : 0;
				if (ret)
					break;
				st[f->id - start] = LZ_OK;
				if (!--sp)
					break;
			}
		}
	}
	/* on failure the types still on the stack were not proven good */
	while (sp)
		st[btf->lstack[--sp].id - start] = LZ_NEW;
	return ret;
}

/* btfdb_btf_type() of a lazily checked own type not yet LZ_OK. */
const struct btf_type *btfdb_btf_lazy_type(const struct btfdb_btf *cbtf, uint32_t id)
{
	struct btfdb_btf *btf = (struct btfdb_btf *)cbtf; /* the check state is mutable */

	if (btf->lazy_failed)
		return NULL;
	if (lazy_check(btf, id, &btf->lazy_err)) {
		btf->lazy_failed = true;
		return NULL;
	}
	return btfdb_flat_type(btf, id - btf->start_id);
}

/* The vstate[] of a walked lazy handle (every type LZ_NEW). */
int btfdb_btf_lazy_init(struct btfdb_btf *btf, struct btfdb_err *err)
{
	/* mapped, not calloc()ed: below malloc's mmap threshold (128 KiB,
	 * a vmlinux's ~126k types) calloc() clears every page at once;
	 * a mapping faults in only the entries of types looked at */
	void *vs_map = mmap(NULL, vstate_size(btf), PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	btf->vstate = vs_map == MAP_FAILED ? NULL : vs_map;
	if (!btf->vstate) {
		btfdb_err_set(err, "BTF: out of memory for %u types", btf->nr_types);
		return -ENOMEM;
	}
	return 0;
}

/* Frees the lazy check's state (btfdb_btf_free()). */
void btfdb_btf_lazy_release(struct btfdb_btf *btf)
{
	if (btf->vstate)
		munmap(btf->vstate, vstate_size(btf));
	free(btf->lstack);
}
