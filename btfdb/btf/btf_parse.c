/* SPDX-License-Identifier: MIT */
/*
 * Raw BTF: parse and validate (the accessors are in btf.c, the per-type rules
 * in btf_check_internal.h, step 6 in btf_cycles.c, lazy handles in btf_lazy.c).
 *
 * Parsing steps (parse_common):
 *  1. Header: magic in either byte order, version 1, hdr_len in [24, size],
 *     sections inside the blob (64-bit math), type section 4-aligned and
 *     before the string section (libbpf's rule).
 *  2. Byte order: a foreign-order blob gets a host-order copy.  Every field of
 *     the type section is a 32-bit word (struct btf_type and all per-kind
 *     records), so the copy is the header fields plus every word of the type
 *     section swapped; strings are bytes.  The original stays in raw.  A
 *     host-order blob is parsed in place (no copy; raw may be a mapping).
 *  3. String section: ends with NUL; base BTF: non-empty and starts with NUL.
 *  4. Type walk (one sequential pass): every record fits in the section,
 *     kinds are known; fills type_offs[] and the compact kinds[] byte array.
 *  5. Per-type checks (a second sequential pass, id order, so the first
 *     failure reported is the lowest id's): names, referenced ids, per-kind
 *     sanity.  Kinds of referenced types come from kinds[], not the records.
 *  6. Reference cycles that do not pass through a PTR or FUNC_PROTO, in
 *     O(types + members) over compact arrays (check_cycles_fast); when one
 *     exists, the plain DFS (describe_cycle) names it.
 *
 * Cost on a 5.5 MB vmlinux BTF (126k types): ~2-3 ms, all sequential reads
 * of the type section plus arrays of a few bytes per type.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "btf_check_internal.h"
#include "btf_parse_internal.h"

#define BTF_HDR_MIN_LEN ((uint32_t)sizeof(struct btf_header))

static bool host_is_big_endian(void)
{
	return __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;
}

/* ------------------------------------------------------------------ */
/* Parsing                                                             */
/* ------------------------------------------------------------------ */

void btfdb_prefault(void *p, size_t len)
{
	uintptr_t a = ((uintptr_t)p + 4095) & ~(uintptr_t)4095;
	uintptr_t e = ((uintptr_t)p + len) & ~(uintptr_t)4095;

	/* one call instead of a page fault per page; failure (old kernels) is
	 * harmless: the pages then fault in as they are written */
	if (p && e > a)
		madvise((void *)a, e - a, MADV_POPULATE_WRITE);
}

/* Blob offset of a type record, for messages. */
static size_t blob_off(const struct btfdb_btf *btf, const void *p)
{
	return (size_t)((const uint8_t *)p - btf->host);
}

/* Steps 1-2: header checks and the host-order copy. *hdr_out points into host. */
static int parse_header(struct btfdb_btf *btf, const struct btf_header **hdr_out,
			struct btfdb_err *err)
{
	const uint8_t *raw = btf->raw;
	size_t size = btf->raw_size;
	struct btf_header *hdr;
	uint16_t magic;
	uint64_t meta;

	if (size < sizeof(magic)) {
		btfdb_err_set(err, "BTF: blob of %zu bytes is too short for a header", size);
		return -EINVAL;
	}
	memcpy(&magic, raw, sizeof(magic));
	if (magic == BTF_MAGIC) {
		btf->swapped = false;
	} else if (magic == __builtin_bswap16(BTF_MAGIC)) {
		btf->swapped = true;
	} else {
		btfdb_err_set(err, "BTF: bad magic 0x%02x%02x at offset 0 (expected 0xeb9f)",
			      raw[0], raw[1]);
		return -EINVAL;
	}
	btf->big_endian = host_is_big_endian() != btf->swapped;
	if (size < BTF_HDR_MIN_LEN) {
		btfdb_err_set(err, "BTF: truncated header: blob has %zu bytes, the header needs %u",
			      size, BTF_HDR_MIN_LEN);
		return -EINVAL;
	}
	if (btf->swapped) {
		btf->host = malloc(size);
		if (!btf->host) {
			btfdb_err_set(err, "BTF: out of memory for a %zu-byte host-order copy", size);
			return -ENOMEM;
		}
		memcpy(btf->host, raw, size);
		hdr = (struct btf_header *)btf->host;
		hdr->magic = BTF_MAGIC;
		hdr->hdr_len = __builtin_bswap32(hdr->hdr_len);
		hdr->type_off = __builtin_bswap32(hdr->type_off);
		hdr->type_len = __builtin_bswap32(hdr->type_len);
		hdr->str_off = __builtin_bswap32(hdr->str_off);
		hdr->str_len = __builtin_bswap32(hdr->str_len);
	} else {
		btf->host = btf->raw;
		hdr = (struct btf_header *)btf->host;
	}

	if (hdr->version != BTF_VERSION) {
		btfdb_err_set(err, "BTF: unsupported version %u at offset 2 (expected %u)",
			      hdr->version, BTF_VERSION);
		return -EINVAL;
	}
	if (hdr->hdr_len < BTF_HDR_MIN_LEN) {
		btfdb_err_set(err, "BTF: header length %u is below the minimum %u", hdr->hdr_len,
			      BTF_HDR_MIN_LEN);
		return -EINVAL;
	}
	if (hdr->hdr_len > size) {
		btfdb_err_set(err, "BTF: header length %u is past the end of the %zu-byte blob",
			      hdr->hdr_len, size);
		return -EINVAL;
	}
	if (hdr->hdr_len % 4) {
		btfdb_err_set(err, "BTF: header length %u is not a multiple of 4", hdr->hdr_len);
		return -EINVAL;
	}
	meta = size - hdr->hdr_len;
	if ((uint64_t)hdr->type_off + hdr->type_len > meta) {
		btfdb_err_set(err,
			      "BTF: type section (offset %u, length %u) is past the end of the blob "
			      "(%llu bytes after the header)",
			      hdr->type_off, hdr->type_len, (unsigned long long)meta);
		return -EINVAL;
	}
	if ((uint64_t)hdr->str_off + hdr->str_len > meta) {
		btfdb_err_set(err,
			      "BTF: string section (offset %u, length %u) is past the end of the blob "
			      "(%llu bytes after the header)",
			      hdr->str_off, hdr->str_len, (unsigned long long)meta);
		return -EINVAL;
	}
	if ((uint64_t)hdr->type_off + hdr->type_len > hdr->str_off) {
		btfdb_err_set(err,
			      "BTF: type section (offset %u, length %u) overlaps or follows the "
			      "string section (offset %u)",
			      hdr->type_off, hdr->type_len, hdr->str_off);
		return -EINVAL;
	}
	if (hdr->type_off % 4) {
		btfdb_err_set(err, "BTF: type section offset %u is not 4-byte aligned",
			      hdr->type_off);
		return -EINVAL;
	}
	if (btf->swapped) {
		uint32_t *w = (uint32_t *)(btf->host + hdr->hdr_len + hdr->type_off);
		size_t i, n = hdr->type_len / 4;

		for (i = 0; i < n; i++)
			w[i] = __builtin_bswap32(w[i]);
	}
	*hdr_out = hdr;
	return 0;
}

/* Step 3. */
static int parse_strings(struct btfdb_btf *btf, const struct btf_header *hdr,
			 struct btfdb_err *err)
{
	size_t sec = (size_t)hdr->hdr_len + hdr->str_off;

	btf->strs = (const char *)btf->host + sec;
	btf->str_len = hdr->str_len;
	if (btf->base) {
		uint64_t start = str_end(btf->base);

		if (start + hdr->str_len > UINT32_MAX) {
			btfdb_err_set(err, "BTF: split string offsets overflow 32 bits");
			return -EINVAL;
		}
		btf->str_start = (uint32_t)start;
		if (hdr->str_len == 0) /* libbpf allows split BTF without own strings */
			return 0;
	} else {
		btf->str_start = 0;
		if (hdr->str_len == 0) {
			btfdb_err_set(err, "BTF: string section is empty");
			return -EINVAL;
		}
		if (btf->strs[0]) {
			btfdb_err_set(err,
				      "BTF: string section does not start with NUL (blob offset 0x%zx)",
				      sec);
			return -EINVAL;
		}
	}
	if (btf->strs[hdr->str_len - 1]) {
		btfdb_err_set(err,
			      "BTF: string section is not NUL-terminated (last byte at blob offset "
			      "0x%zx)",
			      sec + hdr->str_len - 1);
		return -EINVAL;
	}
	return 0;
}

static void pscratch_free(struct pscratch *ps)
{
	free(ps->aux);
	free(ps->edges);
	free(ps->deferred);
}

/*
 * Record multi node t's member targets that may lead on, at edges[pos...]
 * as "count, ids"; returns the new end.  Targets seen already (< known)
 * are kept only when they are chain or multi nodes.
 */
static inline uint32_t capture_multi(const uint8_t *kinds, uint32_t start, uint32_t known,
				     const struct btf_type *t, uint16_t kind,
				     uint32_t *restrict edges, uint32_t pos)
{
	uint32_t v, vlen = btfdb_vlen(t), head = pos++;

	for (v = 0; v < vlen; v++) {
		uint32_t tgt = multi_target(t, kind, v);

		if (tgt < start)
			continue; /* void or base: base never leads back */
		if (tgt < known && !is_chain_kind(kinds[tgt - start]) &&
		    !is_multi_kind(kinds[tgt - start]))
			continue;
		edges[pos++] = tgt;
	}
	edges[head] = pos - head - 1;
	return pos;
}

/*
 * The walk's error for the record at off of a type section of len bytes
 * (id: its type id), in the order a plain walk finds them: truncated record,
 * unknown kind, vlen past the section, too many types.
 */
__attribute__((noinline, cold)) int btfdb_btf_walk_error(const struct btfdb_btf *btf,
							 const uint8_t *sec, uint32_t len,
							 uint32_t off, uint32_t id,
							 struct btfdb_err *err)
{
	const struct btf_type *t = (const struct btf_type *)(sec + off);
	uint16_t kind;
	uint64_t total;

	if (len - off < sizeof(*t)) {
		btfdb_err_set(err,
			      "BTF: type [%u] at blob offset 0x%zx is truncated "
			      "(%u bytes left in the type section)",
			      id, blob_off(btf, t), len - off);
		return -EINVAL;
	}
	kind = btfdb_kind(t);
	if (!btfdb_kind_known(kind)) {
		if (btfdb_layout_rec_bytes(btf, id, t, &total, err))
			return -EINVAL; /* the message names the kind */
	} else {
		total = rec_bytes(kind, btfdb_vlen(t));
	}
	if (total > len - off) {
		btfdb_err_set(err,
			      "BTF: type [%u] (%s) at blob offset 0x%zx: vlen %u "
			      "needs %llu bytes, only %u left in the type section",
			      id, btfdb_kind_name(kind), blob_off(btf, t), btfdb_vlen(t),
			      (unsigned long long)total, len - off);
		return -EINVAL;
	}
	btfdb_err_set(err, "BTF: too many types");
	return -EINVAL;
}

/*
 * Steps 4-5: walk the type section once.  Each record is bounds-checked,
 * recorded in type_offs[]/kinds[], checked in fast mode and its by-value links
 * captured.  Walk errors are reported as found (they come first, as in a
 * walk-then-check parser); once a fast check fails, the rest is only walked
 * and parse_common() finds the first failing type again in reference mode.
 * Arrays are sized once from the smallest record (12 bytes; a member, param
 * or enumerator is at least 8): no count pass, no realloc, and the pages past
 * what is used are never touched.
 */
static int parse_types(struct btfdb_btf *btf, const struct btf_header *hdr,
		       struct pscratch *ps, struct vstate *vs_out, struct btfdb_err *err)
{
	struct vstate vs = { 0 };
	uint32_t ndeferred = 0, nedges = 0, nmulti = 0, *aux, *edges;
	bool failed = false;
	const uint8_t *sec = btf->host + hdr->hdr_len + hdr->type_off;
	const uint32_t start = btf->start_id;
	uint32_t len = hdr->type_len, off = 0, n = 0, named = 0, named_core = 0;
	size_t cap = len / sizeof(struct btf_type) + 1;
	uint32_t *offs;
	struct btfdb_err scratch = { { 0 } };
	uint8_t *kinds;

	btf->tsec = sec;
	btf->type_offs = offs = malloc(cap * sizeof(*btf->type_offs));
	btf->kinds = kinds = malloc(cap);
	btf->named_core = malloc(cap * sizeof(*btf->named_core));
	ps->aux = malloc(cap * sizeof(*ps->aux));
	ps->edges = malloc((len / 8 + cap) * sizeof(*ps->edges));
	ps->deferred = malloc(cap * sizeof(*ps->deferred));
	if (!offs || !kinds || !btf->named_core || !ps->aux || !ps->edges || !ps->deferred) {
		btfdb_err_set(err, "BTF: out of memory for %zu types", cap);
		return -ENOMEM;
	}
	aux = ps->aux;
	edges = ps->edges;
	while (off < len) {
		const struct btf_type *t = (const struct btf_type *)(sec + off);
		uint32_t id = start + n;
		uint16_t kind;
		uint64_t total;

		if (len - off < sizeof(*t))
			return btfdb_btf_walk_error(btf, sec, len, off, id, err);
		/* the file's pages are cold: ask for the data ahead of the walk (the
		 * hardware prefetcher stops at page boundaries; a prefetch past the
		 * end is harmless) */
		__builtin_prefetch(sec + off + 2048);
		kind = btfdb_kind(t);
		if (__builtin_expect(!btfdb_kind_known(kind), 0)) {
			/* a kind of a newer format, sized by the layout section */
			if (btfdb_layout_rec_bytes(btf, id, t, &total, err))
				return -EINVAL;
		} else {
			total = rec_bytes(kind, btfdb_vlen(t));
		}
		if (total > len - off || id == UINT32_MAX)
			return btfdb_btf_walk_error(btf, sec, len, off, id, err);
		offs[n] = off;
		kinds[n] = (uint8_t)kind;
		n++;
		off += (uint32_t)total;
		if (failed)
			continue;
		/* the index's input: types that may have a name (its offset is
		 * checked here, or by the index on lazy handles) */
		if (t->name_off) {
			named++;
			if (btfdb_kind_is_core_cand(kind))
				btf->named_core[named_core++] =
					(struct btfdb_named){ id, t->name_off };
		}
		vs.known = start + n;
		vs.defer = false;
		if (check_type(btf, id, t, &scratch, &vs)) {
			failed = true;
			continue;
		}
		if (vs.defer)
			ps->deferred[ndeferred++] = n - 1;
		if (is_chain_kind(kind)) {
			aux[n - 1] = chain_next(t, kind);
		} else if (is_multi_kind(kind)) {
			aux[n - 1] = nedges;
			nedges = capture_multi(kinds, start, start + n, t, kind, edges, nedges);
			nmulti++;
		}
	}
	btf->nr_types = n;
	btf->nr_named = named;
	btf->nr_named_core = named_core;
	ps->check_failed = failed;
	ps->ndeferred = ndeferred;
	ps->nedges = nedges;
	ps->nmulti = nmulti;
	*vs_out = vs;
	return 0;
}

/* Steps 1-6 on a handle whose raw/raw_size/base/start_id are set; lazy: steps
 * 1-4 with the header-only checks (BTFDB_LOAD_LAZY). */
static int parse_common(struct btfdb_btf *btf, bool lazy, struct btfdb_err *err)
{
	const struct btf_header *hdr;
	struct pscratch ps = { 0 };
	struct vstate vs = { 0 };
	struct btfdb_err scratch = { { 0 } };
	uint32_t i, cnt;
	int ret;

	btf->host = btf->raw;
	ret = parse_header(btf, &hdr, err);
	if (!ret)
		ret = btfdb_layout_parse(btf, hdr, err);
	if (!ret)
		ret = parse_strings(btf, hdr, err);
	if (!ret)
		ret = lazy ? btfdb_btf_walk_lazy(btf, hdr, err) : parse_types(btf, hdr, &ps, &vs, err);
	if (ret)
		goto out;

	/* the checks the walk postponed */
	cnt = btf->start_id + btf->nr_types;
	if (!ps.check_failed && btf->nr_types && vs.max_ref >= cnt)
		ps.check_failed = true;
	for (i = 0; !ps.check_failed && i < ps.ndeferred; i++) {
		uint32_t j = ps.deferred[i];

		if (check_type(btf, btf->start_id + j, btfdb_flat_type(btf, j), &scratch, NULL))
			ps.check_failed = true;
	}
	if (ps.check_failed) {
		/* name the first failing type, in id order, as a plain check would */
		for (i = 0; i < btf->nr_types; i++) {
			ret = check_type(btf, btf->start_id + i, btfdb_flat_type(btf, i), err,
					 NULL);
			if (ret)
				goto out;
		}
		btfdb_err_set(err, "BTF: validation failed"); /* cannot happen */
		ret = -EINVAL;
		goto out;
	}
	if (lazy) {
		ret = btfdb_btf_lazy_init(btf, err);
		if (ret)
			goto out;
	} else {
		ret = btfdb_btf_check_cycles(btf, &ps, err);
		if (ret)
			goto out;
	}
	btfdb_btf_ptr_size(btf); /* computed once, here, for flat handles */
	if (!lazy && btf->kernel_rules) /* the kernel's rules needing other types */
		ret = btfdb_kr_resolve_all(btf, err);
out:
	pscratch_free(&ps);
	return ret;
}

/* A new handle over raw bytes that the handle owns (malloc'd, or in map). */
int btfdb_btf_parse_flags(void *map, size_t map_size, void *data, size_t size,
			  const struct btfdb_btf *base, unsigned int flags,
			  struct btfdb_btf **out, struct btfdb_err *err)
{
	struct btfdb_btf *btf;
	int ret;

	if (map && ((const uint8_t *)data < (const uint8_t *)map ||
		    size > map_size - (size_t)((const uint8_t *)data - (const uint8_t *)map))) {
		munmap(map, map_size);
		*out = NULL;
		btfdb_err_set(err, "BTF: blob outside its mapping");
		return -EINVAL;
	}

	*out = NULL;
	btf = calloc(1, sizeof(*btf));
	if (!btf) {
		if (map)
			munmap(map, map_size);
		else
			free(data);
		btfdb_err_set(err, "BTF: out of memory");
		return -ENOMEM;
	}
	btf->raw = data;
	btf->raw_size = size;
	btf->map = map;
	btf->map_size = map_size;
	btf->base = base;
	btf->start_id = base ? btfdb_btf_type_cnt(base) : 1;
	btf->kernel_rules = flags & BTFDB_LOAD_KERNEL_RULES;
	ret = parse_common(btf, flags & BTFDB_LOAD_LAZY, err);
	if (ret) {
		btfdb_btf_free(btf);
		return ret;
	}
	*out = btf;
	return 0;
}

int btfdb_btf_parse_owned(void *data, size_t size, const struct btfdb_btf *base,
			  struct btfdb_btf **out, struct btfdb_err *err)
{
	return btfdb_btf_parse_flags(NULL, 0, data, size, base, 0, out, err);
}

int btfdb_btf_parse_copy(const void *data, size_t size, const struct btfdb_btf *base,
			 unsigned int flags, struct btfdb_btf **out, struct btfdb_err *err)
{
	void *copy = malloc(size ? size : 1);

	*out = NULL;
	if (!copy) {
		btfdb_err_set(err, "BTF: out of memory for a %zu-byte blob", size);
		return -ENOMEM;
	}
	if (size)
		memcpy(copy, data, size);
	return btfdb_btf_parse_flags(NULL, 0, copy, size, base, flags, out, err);
}

int btfdb_btf_parse(const void *data, size_t size, const struct btfdb_btf *base,
		    struct btfdb_btf **out, struct btfdb_err *err)
{
	return btfdb_btf_parse_copy(data, size, base, 0, out, err);
}
