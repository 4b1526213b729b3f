/* SPDX-License-Identifier: MIT */
/*
 * Write a corelink bundle (format: runtime/corelink_bundle.h,
 * runtime/BUNDLE_FORMAT.md) from a batch manifest and the original objects.
 *
 *  1. Per object: read the original (its programs must be the manifest's),
 *     and its distinct artifacts, in the order of their names (each checked
 *     against its XXH3-128 name); the base (below) is then moved first.
 *  2. The base: the artifact that costs the fewest patch bytes to reach the
 *     others of its size (ties: the first); stored as a copy/add delta
 *     against the original (make_delta).  The object's sites: the runs of
 *     bytes where any other artifact of the base's size differs from it
 *     (make_sites).  Each of those: a bitmap of the sites it replaces and
 *     their bytes (make_patch); an artifact of another size: its own delta
 *     against the original.
 *  3. Tables (strings; object and artifact records of varints in the order
 *     of their data, which gives its offsets; the kernel table in columns
 *     with releases front and back coded) and DATA, each section 8-aligned and
 *     checksummed (XXH64 from libxxhash: an implementation independent of
 *     the runtime's), then the header.
 * Everything depends only on the inputs: the same bytes every time.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "batch_internal.h"
#include "btfdb_fileio.h"
#include "bundle.h"
#include "corelink_bundle.h"
#include "corelink_internal.h"

/* ------------------------------------------------------------------ */
/* A growable byte buffer                                              */
/* ------------------------------------------------------------------ */

struct wbuf {
	uint8_t *p;
	size_t n, cap;
	bool oom;
};

static uint8_t *wb_grow(struct wbuf *b, size_t more)
{
	if (b->oom)
		return NULL;
	if (b->n + more > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		uint8_t *p;

		while (cap < b->n + more)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return NULL;
		}
		b->p = p;
		b->cap = cap;
	}
	b->n += more;
	return b->p + b->n - more;
}

static void wb_put(struct wbuf *b, const void *src, size_t len)
{
	uint8_t *d = wb_grow(b, len);

	if (d && len)
		memcpy(d, src, len);
}

static void wb_le(struct wbuf *b, uint64_t v, int bytes)
{
	uint8_t *d = wb_grow(b, (size_t)bytes);
	int i;

	for (i = 0; d && i < bytes; i++)
		d[i] = (uint8_t)(v >> (8 * i));
}

static void wb_uvarint(struct wbuf *b, uint64_t v)
{
	do {
		uint8_t c = v & 0x7f;

		v >>= 7;
		if (v)
			c |= 0x80;
		wb_put(b, &c, 1);
	} while (v);
}

static void wb_align(struct wbuf *b)
{
	static const uint8_t zero[CORELINK_BUNDLE_ALIGN];

	if (b->n % CORELINK_BUNDLE_ALIGN)
		wb_put(b, zero, CORELINK_BUNDLE_ALIGN - b->n % CORELINK_BUNDLE_ALIGN);
}

static void put_le_at(uint8_t *p, uint64_t v, int bytes)
{
	int i;

	for (i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* ------------------------------------------------------------------ */
/* Encodings                                                           */
/* ------------------------------------------------------------------ */

#define DELTA_KEY 8          /* bytes hashed to find a copy source */
#define DELTA_MIN_CONT 4     /* a continuation copy pays off from this length */
#define DELTA_MIN_HASH 12    /* a jump elsewhere pays off from this length */
#define PATCH_MERGE_GAP 3    /* runs closer than this are merged */

static size_t match_len(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen, i = 0;

	while (i < n && a[i] == b[i])
		i++;
	return i;
}

static uint64_t key_hash(const uint8_t *p, unsigned bits)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return (v * 0x9E3779B97F4A7C15ULL) >> (64 - bits);
}

static void flush_add(struct wbuf *b, const uint8_t *lit, size_t len)
{
	if (!len)
		return;
	wb_uvarint(b, (uint64_t)len << 1 | 1);
	wb_put(b, lit, len);
}

/*
 * Copy/add delta of out against src (CORELINK_BUNDLE_ENC_DELTA).  Greedy:
 * at each position take the longer of (a) continuing the previous copy
 * where the skipped literal bytes leave it, (b) the first position of src
 * with the same 8 bytes; else one more literal byte.
 */
static int make_delta(const uint8_t *src, size_t slen, const uint8_t *out, size_t olen,
		      struct wbuf *b)
{
	unsigned bits = 10;
	uint32_t *tab;
	size_t i, pos = 0, lit = 0, expect = 0;

	while (((size_t)1 << bits) < 2 * slen && bits < 26)
		bits++;
	tab = malloc(sizeof(*tab) << bits);
	if (!tab)
		return -ENOMEM;
	memset(tab, 0xff, sizeof(*tab) << bits);
	for (i = 0; slen >= DELTA_KEY && i <= slen - DELTA_KEY; i++) {
		uint32_t *slot = &tab[key_hash(src + i, bits)];

		if (*slot == UINT32_MAX)
			*slot = (uint32_t)i;
	}
	while (pos < olen) {
		size_t cont = expect + lit, best = 0, best_src = 0, n;

		if (cont < slen) {
			n = match_len(src + cont, slen - cont, out + pos, olen - pos);
			if (n >= DELTA_MIN_CONT) {
				best = n;
				best_src = cont;
			}
		}
		if (olen - pos >= DELTA_KEY) {
			uint32_t s = tab[key_hash(out + pos, bits)];

			if (s != UINT32_MAX) {
				n = match_len(src + s, slen - s, out + pos, olen - pos);
				if (n >= DELTA_MIN_HASH && n > best) {
					best = n;
					best_src = s;
				}
			}
		}
		if (!best) {
			lit++;
			pos++;
			continue;
		}
		flush_add(b, out + pos - lit, lit);
		lit = 0;
		wb_uvarint(b, (uint64_t)best << 1);
		/* zigzag of best_src - expect */
		wb_uvarint(b, best_src >= expect ? (uint64_t)(best_src - expect) << 1
						 : ((uint64_t)(expect - best_src) - 1) << 1 | 1);
		expect = best_src + best;
		pos += best;
	}
	flush_add(b, out + pos - lit, lit);
	free(tab);
	return b->oom ? -ENOMEM : 0;
}

/* Bytes and runs by which out differs from base (same size): the cost of choosing base. */
static size_t patch_cost(const uint8_t *base, const uint8_t *out, size_t len)
{
	size_t i, cost = 0;

	for (i = 0; i < len; i++)
		if (base[i] != out[i])
			cost += 1 + 2 * (i == 0 || base[i - 1] == out[i - 1]);
	return cost;
}

/* One site: [off, off + len) of the base. */
struct site {
	size_t off, len;
};

/* The patch of a against the base over the object's sites (CORELINK_BUNDLE_ENC_PATCH). */
static void make_patch(const uint8_t *base, const uint8_t *out, const struct site *sites,
		       size_t nr, struct wbuf *b)
{
	size_t i, nbytes = (nr + 7) / 8;
	uint8_t *bits = wb_grow(b, nbytes);
	size_t at = b->n - nbytes;

	if (!bits)
		return;
	memset(bits, 0, nbytes);
	for (i = 0; i < nr; i++) {
		if (!memcmp(base + sites[i].off, out + sites[i].off, sites[i].len))
			continue;
		b->p[at + i / 8] |= (uint8_t)(1u << (i % 8));
		wb_put(b, out + sites[i].off, sites[i].len);
	}
}

/* ------------------------------------------------------------------ */
/* Inputs                                                              */
/* ------------------------------------------------------------------ */

struct wart {
	const char *rel;      /* "objects/<hex>.o" (borrowed from the manifest) */
	char *data;
	size_t size;
	uint32_t enc;
	size_t data_size;
	uint32_t unguarded;   /* of its first POISONED entry */
	bool poisoned_seen;
};

struct wobj {
	char *orig;
	size_t orig_size;
	struct wart *arts;    /* distinct artifacts, sorted by name */
	size_t nr_arts;
	size_t base;          /* index into arts */
	size_t orig_off;
	size_t sites_off, sites_size;  /* its site list, in DATA */
	uint32_t width;       /* bytes of its kernel entries */
};

static int cmp_rel(const void *a, const void *b)
{
	return strcmp(((const struct wart *)a)->rel, ((const struct wart *)b)->rel);
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* The original object for manifest object mo: read, and its programs checked. */
static int load_original(const struct corelink_mf_object *mo, const char *const *objs, size_t nr,
			 struct wobj *w, struct btfdb_err *err)
{
	struct corelink_obj *obj = NULL;
	const char *path = NULL;
	size_t i;
	int ret;

	/*
	 * By file name; several builds of one name (one per arch) by the
	 * manifest's hash of the input object's bytes.
	 */
	for (i = 0; i < nr && !w->orig; i++) {
		char hex[33];

		if (strcmp(base_name(objs[i]), mo->name))
			continue;
		path = objs[i];
		if ((ret = cl_read_file(path, (size_t)1 << 30, &w->orig, &w->orig_size, err)))
			return ret;
		cl_hash128_hex(w->orig, w->orig_size, hex);
		if (cl_s0(mo->hash)[0] && strcmp(mo->hash, hex)) {
			free(w->orig);
			w->orig = NULL;
		}
	}
	if (!w->orig) {
		if (path)
			btfdb_err_set(err, "no object given has the bytes of the manifest's %s%s%s (hash %s; pass the build the batch used)",
				      mo->name, cl_s0(mo->arch)[0] ? " for " : "", cl_s0(mo->arch),
				      mo->hash);
		else
			btfdb_err_set(err, "the original of object %s was not given (pass its path)",
				      mo->name);
		return -ENOENT;
	}
	if ((ret = corelink_obj_open_mem(w->orig, w->orig_size, path, &obj, err)))
		return ret;
	if (obj->nr_progs != mo->nr_programs)
		ret = -EINVAL;
	for (i = 0; !ret && i < obj->nr_progs; i++)
		if (strcmp(obj->progs[i].name, mo->programs[i].name) ||
		    strcmp(obj->secs[obj->progs[i].sec].name, mo->programs[i].section))
			ret = -EINVAL;
	if (ret)
		btfdb_err_set(err, "%s: its programs differ from the manifest's object %s (another build?)",
			      path, mo->name);
	corelink_obj_free(obj);
	return ret;
}

/* Distinct artifacts of object oi, read and checked against their names. */
static int load_artifacts(const struct corelink_manifest *m, size_t oi, const char *base_dir,
			  struct wobj *w, struct btfdb_err *err)
{
	size_t k, i;
	int ret;

	w->arts = calloc(m->nr_kernels ? m->nr_kernels : 1, sizeof(*w->arts));
	if (!w->arts) {
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	for (k = 0; k < m->nr_kernels; k++) {
		const char *rel = m->kernels[k].entries[oi].artifact;

		if (!rel)
			continue;
		for (i = 0; i < w->nr_arts && strcmp(w->arts[i].rel, rel); i++)
			;
		if (i == w->nr_arts)
			w->arts[w->nr_arts++].rel = rel;
	}
	qsort(w->arts, w->nr_arts, sizeof(*w->arts), cmp_rel);
	for (i = 0; i < w->nr_arts; i++) {
		struct wart *a = &w->arts[i];
		char *path = cl_path_join(base_dir, a->rel), hex[33];

		if (!path) {
			btfdb_err_set(err, "out of memory");
			return -ENOMEM;
		}
		ret = cl_read_file(path, (size_t)1 << 30, &a->data, &a->size, err);
		if (!ret) {
			cl_hash128_hex(a->data, a->size, hex);
			if (strncmp(a->rel + 8, hex, 32)) {
				btfdb_err_set(err, "%s: content does not match its name (hash %s)", path, hex);
				ret = -EINVAL;
			}
		}
		free(path);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * The object's sites: the maximal runs of bytes where some artifact of the
 * base's size differs from the base, joined across gaps of SITE_JOIN bytes
 * or fewer (a site costs ~2 bytes in the list; a joined gap, a byte in each
 * patch that replaces it).  *sites is malloc'd (NULL when none).
 */
#define SITE_JOIN 1
static int make_sites(const struct wobj *w, struct site **sites, size_t *nr)
{
	const struct wart *b = &w->arts[w->base];
	size_t i, j, cap = 0;
	uint8_t *diff = calloc(b->size ? b->size : 1, 1);

	*sites = NULL;
	*nr = 0;
	if (!diff)
		return -ENOMEM;
	for (j = 0; j < w->nr_arts; j++)
		if (j != w->base && w->arts[j].size == b->size)
			for (i = 0; i < b->size; i++)
				diff[i] |= (uint8_t)(w->arts[j].data[i] != b->data[i]);
	for (i = 0; i < b->size;) {
		size_t start, end, gap;

		if (!diff[i]) {
			i++;
			continue;
		}
		start = i;
		end = ++i;
		for (;;) {
			while (i < b->size && diff[i])
				end = ++i;
			for (gap = 0; i + gap < b->size && gap <= SITE_JOIN && !diff[i + gap]; gap++)
				;
			if (gap > SITE_JOIN || i + gap == b->size)
				break;
			i += gap;
		}
		if (*nr == cap) {
			struct site *p = realloc(*sites, (cap = cap ? 2 * cap : 16) * sizeof(*p));

			if (!p) {
				free(diff);
				return -ENOMEM;
			}
			*sites = p;
		}
		(*sites)[(*nr)++] = (struct site){ start, end - start };
		i = end;
	}
	free(diff);
	return 0;
}

/*
 * The base: fewest patch bytes to the artifacts of its size (at most 64
 * tried), moved first (the format's base is the object's first artifact;
 * the others stay in the order of their names).
 */
static void choose_base(struct wobj *w)
{
	size_t i, j, best = SIZE_MAX, n = w->nr_arts < 64 ? w->nr_arts : 64;

	w->base = 0;
	for (i = 0; i < n; i++) {
		size_t cost = 0;

		for (j = 0; j < w->nr_arts; j++) {
			if (j == i)
				continue;
			cost += w->arts[j].size == w->arts[i].size
				? patch_cost((const uint8_t *)w->arts[i].data, (const uint8_t *)w->arts[j].data, w->arts[i].size)
				: w->arts[j].size;
		}
		if (cost < best) {
			best = cost;
			w->base = i;
		}
	}
	if (w->base) {
		struct wart b = w->arts[w->base];

		memmove(&w->arts[1], &w->arts[0], w->base * sizeof(w->arts[0]));
		w->arts[0] = b;
		w->base = 0;
	}
}

/* ------------------------------------------------------------------ */
/* Tables                                                              */
/* ------------------------------------------------------------------ */

/* Strings: offsets of the deduplicated ones (names, archs, distros, versions, messages). */
struct strtab {
	struct wbuf b;
	uint32_t *dedup;
	size_t nr_dedup, cap_dedup;
};

static uint32_t str_add(struct strtab *t, const char *s)
{
	size_t i, len = strlen(s) + 1;
	uint32_t off;

	if (!s[0])
		return 0;
	for (i = 0; i < t->nr_dedup; i++)
		if (!strcmp((const char *)t->b.p + t->dedup[i], s))
			return t->dedup[i];
	off = (uint32_t)t->b.n;
	wb_put(&t->b, s, len);
	if (t->nr_dedup < 4096) {
		if (t->nr_dedup == t->cap_dedup) {
			size_t cap = t->cap_dedup ? 2 * t->cap_dedup : 64;
			uint32_t *p = realloc(t->dedup, cap * sizeof(*p));

			if (!p) {
				t->b.oom = true;
				return 0;
			}
			t->dedup = p;
			t->cap_dedup = cap;
		}
		t->dedup[t->nr_dedup++] = off;
	}
	return off;
}

static size_t unguarded_of(const struct corelink_mf_entry *e)
{
	size_t i, n = 0;

	for (i = 0; i < e->nr_poison; i++)
		n += !e->poison[i].guarded;
	return n;
}

/* Index of artifact rel among object w's, counted from its first. */
static uint32_t art_local(const struct wobj *w, const char *rel)
{
	size_t i;

	for (i = 0; i < w->nr_arts; i++)
		if (!strcmp(w->arts[i].rel, rel))
			return (uint32_t)i;
	return CORELINK_BUNDLE_NONE;
}

static void put_section(struct wbuf *out, uint8_t *table_entry, const struct wbuf *sec)
{
	wb_align(out); /* its offset: the previous section's end, aligned (not stored) */
	put_le_at(table_entry, sec->n, 8);
	put_le_at(table_entry + 8, XXH64(sec->p, sec->n, 0), 8);
	wb_put(out, sec->p, sec->n);
}

static size_t common_prefix(const char *a, const char *b)
{
	size_t n = 0;

	while (a[n] && a[n] == b[n])
		n++;
	return n;
}

/* The release of kernel k front and back coded against prev's (KERNELS, releases). */
static void put_release(struct wbuf *b, const char *prev, const char *cur)
{
	size_t pl = strlen(prev), cl = strlen(cur), pre = common_prefix(prev, cur), suf = 0;

	if (pre > 255)
		pre = 255;
	while (suf < 255 && suf < pl - pre && suf < cl - pre && prev[pl - 1 - suf] == cur[cl - 1 - suf])
		suf++;
	wb_le(b, pre, 1);
	wb_le(b, suf, 1);
	wb_le(b, cl - pre - suf, 1);
	wb_put(b, cur + pre, cl - pre - suf);
}

/* An entry's code (see CORELINK_BUNDLE_SEC_KERNELS) and its note, if any. */
static uint32_t entry_code(const struct wobj *w, const struct corelink_mf_entry *e, bool *note,
			   uint32_t *value, struct strtab *strs)
{
	size_t ung = unguarded_of(e);

	*note = false;
	switch (e->status) {
	case CORELINK_ENTRY_ERROR:
		*note = true;
		*value = str_add(strs, e->error && e->error[0] ? e->error : "failed");
		return 3;
	case CORELINK_ENTRY_SKIPPED: /* the object is built for another arch */
		return 1u << 2 | 3;
	case CORELINK_ENTRY_OK:
		return art_local(w, e->artifact) << 2 | CORELINK_BUNDLE_OK;
	default:
		if (!ung)
			return art_local(w, e->artifact) << 2 | CORELINK_BUNDLE_GUARDED;
		/* a note only where the count is not its artifact's (the same bytes: never) */
		*value = ung > UINT32_MAX ? UINT32_MAX : (uint32_t)ung;
		*note = *value != w->arts[art_local(w, e->artifact)].unguarded;
		return art_local(w, e->artifact) << 2 | CORELINK_BUNDLE_POISONED;
	}
}

/* The KERNELS section: counts, BTF hashes, groups, notes, entries, releases. */
static int kernel_table(const struct corelink_manifest *m, const struct wobj *w, struct strtab *strs,
			struct wbuf *k, struct btfdb_err *err)
{
	struct wbuf groups = { 0 }, notes = { 0 }, entries = { 0 }, rels = { 0 };
	size_t i, j, g0, nr_groups = 0, nr_notes = 0;
	int ret = 0;

	for (i = 0; i < m->nr_kernels; i++) {
		const struct corelink_mf_kernel *kk = &m->kernels[i];

		if (strlen(kk->release) > CORELINK_BUNDLE_MAX_RELEASE) {
			btfdb_err_set(err, "kernel release '%.40s...' is longer than %d bytes", kk->release,
				      CORELINK_BUNDLE_MAX_RELEASE);
			ret = -E2BIG;
			goto out;
		}
		put_release(&rels, i ? m->kernels[i - 1].release : "", kk->release);
		/* a group: the run of kernels with this distro/version/arch */
		if (!i || strcmp(kk->distro, m->kernels[i - 1].distro) ||
		    strcmp(kk->version, m->kernels[i - 1].version) || strcmp(kk->arch, m->kernels[i - 1].arch)) {
			for (g0 = i + 1; g0 < m->nr_kernels && !strcmp(kk->distro, m->kernels[g0].distro) &&
					 !strcmp(kk->version, m->kernels[g0].version) &&
					 !strcmp(kk->arch, m->kernels[g0].arch); g0++)
				;
			wb_uvarint(&groups, str_add(strs, kk->distro));
			wb_uvarint(&groups, str_add(strs, kk->version));
			wb_uvarint(&groups, str_add(strs, kk->arch));
			wb_uvarint(&groups, g0 - i);
			nr_groups++;
		}
		for (j = 0; j < m->nr_objects; j++) {
			bool note;
			uint32_t value = 0;

			entry_code(&w[j], &kk->entries[j], &note, &value, strs);
			if (note) {
				wb_le(&notes, i, 4);
				wb_le(&notes, j, 4);
				wb_le(&notes, value, 4);
				nr_notes++;
			}
		}
	}
	for (j = 0; j < m->nr_objects; j++)
		for (i = 0; i < m->nr_kernels; i++) {
			bool note;
			uint32_t value;

			wb_le(&entries, entry_code(&w[j], &m->kernels[i].entries[j], &note, &value, strs),
			      (int)w[j].width);
		}
	wb_uvarint(k, m->nr_kernels);
	wb_uvarint(k, nr_groups);
	wb_uvarint(k, nr_notes);
	for (i = 0; i < m->nr_kernels; i++)
		wb_le(k, m->kernels[i].btf_hash & 0xffffffffu, 4);
	wb_put(k, groups.p, groups.n);
	wb_put(k, notes.p, notes.n);
	wb_put(k, entries.p, entries.n);
	wb_put(k, rels.p, rels.n);
	if (groups.oom || notes.oom || entries.oom || rels.oom)
		k->oom = true;
out:
	free(groups.p);
	free(notes.p);
	free(entries.p);
	free(rels.p);
	return ret;
}

int corelink_bundle_build(const struct corelink_manifest *m, const char *base_dir,
			  const char *const *objs, size_t nr_objs, void **out, size_t *out_size,
			  struct corelink_bundle_stats *st, struct btfdb_err *err)
{
	struct wbuf data = { 0 }, otab = { 0 }, atab = { 0 }, ktab = { 0 }, file = { 0 };
	struct strtab strs = { 0 };
	struct corelink_bundle_stats s = { 0 };
	struct wobj *w = NULL;
	uint8_t table[CORELINK_BUNDLE_NR_SECTIONS * CORELINK_BUNDLE_SECTION_LEN];
	uint32_t nr_arts = 0;
	size_t i, j;
	int ret = 0;

	*out = NULL;
	*out_size = 0;
	if (m->nr_objects > 0xfffe || m->nr_kernels > 0xffffff) {
		btfdb_err_set(err, "too many objects or kernels for a bundle");
		return -E2BIG;
	}
	w = calloc(m->nr_objects ? m->nr_objects : 1, sizeof(*w));
	if (!w) {
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	wb_put(&strs.b, "", 1);
	/* 1-2. originals, site lists, encodings into DATA */
	for (i = 0; i < m->nr_objects && !ret; i++) {
		struct wobj *o = &w[i];
		struct site *sites = NULL;
		size_t nr_sites = 0;

		if ((ret = load_original(&m->objects[i], objs, nr_objs, o, err)) ||
		    (ret = load_artifacts(m, i, base_dir, o, err)))
			break;
		wb_align(&data);
		o->orig_off = data.n;
		wb_put(&data, o->orig, o->orig_size);
		s.orig_bytes += o->orig_size;
		if (o->orig_size > UINT32_MAX || o->nr_arts > (UINT32_MAX >> 2)) {
			btfdb_err_set(err, "object %s is too large for a bundle", m->objects[i].name);
			ret = -E2BIG;
			break;
		}
		o->width = o->nr_arts <= 64 ? 1 : o->nr_arts <= (1u << 14) ? 2 : 4;
		if (!o->nr_arts)
			continue;
		choose_base(o);
		if (make_sites(o, &sites, &nr_sites)) {
			btfdb_err_set(err, "out of memory");
			ret = -ENOMEM;
			break;
		}
		o->sites_off = data.n;
		if (nr_sites) {
			size_t pos = 0;

			wb_uvarint(&data, nr_sites);
			for (j = 0; j < nr_sites; j++) {
				wb_uvarint(&data, sites[j].off - pos);
				wb_uvarint(&data, sites[j].len);
				pos = sites[j].off + sites[j].len;
			}
		}
		o->sites_size = data.n - o->sites_off;
		s.patch_bytes += o->sites_size;
		for (j = 0; j < o->nr_arts && !ret; j++) {
			struct wart *a = &o->arts[j], *b = &o->arts[o->base];
			size_t before = data.n;

			if (a->size > UINT32_MAX) {
				btfdb_err_set(err, "artifact %s is too large for a bundle", a->rel);
				ret = -E2BIG;
				break;
			}
			if (j != o->base && a->size == b->size) {
				a->enc = CORELINK_BUNDLE_ENC_PATCH;
				make_patch((const uint8_t *)b->data, (const uint8_t *)a->data, sites, nr_sites,
					   &data);
			} else {
				a->enc = CORELINK_BUNDLE_ENC_DELTA;
				ret = make_delta((const uint8_t *)o->orig, o->orig_size,
						 (const uint8_t *)a->data, a->size, &data);
			}
			a->data_size = data.n - before;
			if (a->data_size > UINT32_MAX) {
				btfdb_err_set(err, "artifact %s is too large for a bundle", a->rel);
				ret = -E2BIG;
			}
			s.artifact_bytes += a->size;
			if (j == o->base)
				s.base_bytes += a->data_size;
			else
				s.patch_bytes += a->data_size;
		}
		free(sites);
		nr_arts += (uint32_t)o->nr_arts;
	}
	if (ret)
		goto out;
	if (data.oom)
		goto nomem;
	/* 3. tables; first each artifact's unguarded count: its first POISONED entry's */
	for (j = 0; j < m->nr_kernels; j++)
		for (i = 0; i < m->nr_objects; i++) {
			const struct corelink_mf_entry *e = &m->kernels[j].entries[i];
			size_t ung = unguarded_of(e);
			struct wart *a;

			if (e->status != CORELINK_ENTRY_POISONED || !ung || !e->artifact)
				continue;
			a = &w[i].arts[art_local(&w[i], e->artifact)];
			if (!a->poisoned_seen)
				a->unguarded = ung > UINT32_MAX ? UINT32_MAX : (uint32_t)ung;
			a->poisoned_seen = true;
		}
	/* records in the order of their data in DATA, which gives their offsets */
	wb_uvarint(&otab, m->nr_objects);
	wb_uvarint(&atab, nr_arts);
	for (i = 0; i < m->nr_objects; i++) {
		struct wobj *o = &w[i];

		wb_uvarint(&otab, str_add(&strs, m->objects[i].name));
		wb_uvarint(&otab, str_add(&strs, cl_s0(m->objects[i].arch))); /* "": every kernel */
		wb_uvarint(&otab, o->nr_arts);
		wb_uvarint(&otab, o->width);
		wb_uvarint(&otab, o->orig_size);
		wb_uvarint(&otab, o->sites_size);
		wb_le(&otab, XXH64(o->orig, o->orig_size, 0), 8);
		for (j = 0; j < o->nr_arts; j++) {
			struct wart *a = &o->arts[j];

			wb_uvarint(&atab, (uint64_t)a->data_size << 1 | (a->enc == CORELINK_BUNDLE_ENC_PATCH));
			if (a->enc == CORELINK_BUNDLE_ENC_DELTA)
				wb_uvarint(&atab, a->size);
			wb_uvarint(&atab, a->unguarded);
			wb_le(&atab, XXH64(a->data, a->size, 0), 8);
		}
	}
	if ((ret = kernel_table(m, w, &strs, &ktab, err)))
		goto out;
	if (strs.b.oom || otab.oom || atab.oom || ktab.oom || strs.b.n > UINT32_MAX ||
	    ktab.n > UINT32_MAX)
		goto nomem;
	/* header + table, then the sections */
	memset(table, 0, sizeof(table));
	wb_grow(&file, CORELINK_BUNDLE_HEADER_LEN + sizeof(table));
	put_section(&file, table + 0 * CORELINK_BUNDLE_SECTION_LEN, &strs.b);
	put_section(&file, table + 1 * CORELINK_BUNDLE_SECTION_LEN, &otab);
	put_section(&file, table + 2 * CORELINK_BUNDLE_SECTION_LEN, &atab);
	put_section(&file, table + 3 * CORELINK_BUNDLE_SECTION_LEN, &ktab);
	put_section(&file, table + 4 * CORELINK_BUNDLE_SECTION_LEN, &data);
	if (file.oom)
		goto nomem;
	memset(file.p, 0, CORELINK_BUNDLE_HEADER_LEN);
	memcpy(file.p, CORELINK_BUNDLE_MAGIC, 8);
	put_le_at(file.p + 8, CORELINK_BUNDLE_VERSION, 4);
	put_le_at(file.p + 12, CORELINK_BUNDLE_HEADER_LEN, 4);
	put_le_at(file.p + 16, file.n, 8);
	memcpy(file.p + CORELINK_BUNDLE_HEADER_LEN, table, sizeof(table));
	put_le_at(file.p + 24, XXH64(file.p, CORELINK_BUNDLE_HEADER_LEN + sizeof(table), 0), 8);

	s.objects = m->nr_objects;
	s.kernels = m->nr_kernels;
	s.artifacts = nr_arts;
	s.table_bytes = strs.b.n + otab.n + atab.n + ktab.n;
	s.total = file.n;
	if (st)
		*st = s;
	*out = file.p;
	*out_size = file.n;
	file.p = NULL;
	goto out;
nomem:
	btfdb_err_set(err, "out of memory");
	ret = -ENOMEM;
out:
	for (i = 0; w && i < m->nr_objects; i++) {
		for (j = 0; j < w[i].nr_arts; j++)
			free(w[i].arts[j].data);
		free(w[i].arts);
		free(w[i].orig);
	}
	free(w);
	free(data.p);
	free(otab.p);
	free(atab.p);
	free(ktab.p);
	free(strs.b.p);
	free(strs.dedup);
	free(file.p);
	return ret;
}

int corelink_bundle_from_manifest(const char *manifest_path, const char *const *objs,
				  size_t nr_objs, const char *out_path,
				  struct corelink_bundle_stats *st, struct btfdb_err *err)
{
	struct corelink_manifest *m = NULL;
	char *dir = btfdb_fileio_dirname(manifest_path);
	void *buf = NULL;
	size_t size = 0;
	int ret;

	if (!dir) {
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	ret = corelink_manifest_load(manifest_path, &m, err);
	if (!ret)
		ret = corelink_bundle_build(m, dir, objs, nr_objs, &buf, &size, st, err);
	if (!ret)
		ret = corelink_write_file_atomic(out_path, buf, size, err);
	free(buf);
	free(dir);
	corelink_manifest_free(m);
	return ret;
}

int corelink_bundle_write_c_header(const void *data, size_t size, const char *path,
				   const char *var, struct btfdb_err *err)
{
	const uint8_t *d = data;
	struct wbuf b = { 0 };
	char name[128], guard[160], line[128];
	const char *base = base_name(path);
	size_t i, n;
	int ret;

	/* identifier: the file name up to the first '.', non-alnum -> '_' */
	if (!var) {
		for (n = 0; base[n] && base[n] != '.' && n < sizeof(name) - 8; n++)
			name[n] = (char)(((base[n] | 32) >= 'a' && (base[n] | 32) <= 'z') ||
					 (base[n] >= '0' && base[n] <= '9') ? base[n] : '_');
		name[n] = 0;
		if (!n || (name[0] >= '0' && name[0] <= '9'))
			snprintf(name, sizeof(name), "corelink_bundle");
		else
			strcat(name, "_bundle");
		var = name;
	}
	snprintf(guard, sizeof(guard), "%s_H", var);
	for (i = 0; guard[i]; i++)
		if (guard[i] >= 'a' && guard[i] <= 'z')
			guard[i] = (char)(guard[i] - 32);
	n = (size_t)snprintf(line, sizeof(line), "/* Generated by corelink bundle: %zu bytes. DO NOT EDIT. */\n",
			     size);
	wb_put(&b, line, n);
	n = (size_t)snprintf(line, sizeof(line), "#ifndef %.100s\n#define %.100s\n#include <stddef.h>\n\n",
			     guard, guard);
	wb_put(&b, line, n);
	n = (size_t)snprintf(line, sizeof(line), "static const unsigned char %.100s[] __attribute__((aligned(8))) = {",
			     var);
	wb_put(&b, line, n);
	for (i = 0; i < size; i++) {
		n = (size_t)snprintf(line, sizeof(line), "%s0x%02x,", i % 16 ? " " : "\n\t", d[i]);
		wb_put(&b, line, n);
	}
	n = (size_t)snprintf(line, sizeof(line), "\n};\nstatic const size_t %.100s_len = %zu;\n\n#endif\n",
			     var, size);
	wb_put(&b, line, n);
	if (b.oom) {
		free(b.p);
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	ret = corelink_write_file_atomic(path, b.p, b.n, err);
	free(b.p);
	return ret;
}
