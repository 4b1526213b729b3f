/* SPDX-License-Identifier: MIT */
/*
 * Write a corelink bundle (format: runtime/corelink_bundle.h,
 * runtime/BUNDLE_FORMAT.md) from a batch manifest and the original objects.
 *
 *  1. Per object: read the original (its programs must be the manifest's),
 *     and its distinct artifacts, in the order of their names (each checked
 *     against its XXH3-128 name).
 *  2. The base: the artifact that costs the fewest patch bytes to reach the
 *     others of its size (ties: the first); stored as a copy/add delta
 *     against the original (make_delta).  Every other artifact of the same
 *     size: patch runs against the base (make_patch); of another size: its
 *     own delta against the original.
 *  3. Tables (strings, objects, artifacts, kernels) and DATA, each section
 *     8-aligned and checksummed (XXH64 from libxxhash: an implementation
 *     independent of the runtime's), then the header.
 * Everything depends only on the inputs: the same bytes every time.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "batch_internal.h"
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

/* Patch runs turning base into out (same size; CORELINK_BUNDLE_ENC_PATCH). */
static void make_patch(const uint8_t *base, const uint8_t *out, size_t len, struct wbuf *b)
{
	size_t i, nr = 0, pass, start, end, gap;

	for (pass = 0; pass < 2; pass++) {
		if (pass)
			wb_uvarint(b, nr);
		for (i = 0; i < len;) {
			if (base[i] == out[i]) {
				i++;
				continue;
			}
			/* a run: differing bytes, merged across gaps shorter than PATCH_MERGE_GAP */
			start = i;
			end = ++i;
			while (i < len) {
				if (base[i] != out[i]) {
					end = ++i;
					continue;
				}
				for (gap = 0; i + gap < len && gap < PATCH_MERGE_GAP &&
					      base[i + gap] == out[i + gap]; gap++)
					;
				if (gap == PATCH_MERGE_GAP || i + gap == len)
					break;
				i += gap;
			}
			if (!pass) {
				nr++;
			} else {
				wb_uvarint(b, start);
				wb_uvarint(b, end - start);
				wb_put(b, out + start, end - start);
			}
			i = end;
		}
	}
}

/* Bytes make_patch() would write (for choosing the base). */
static size_t patch_cost(const uint8_t *base, const uint8_t *out, size_t len)
{
	struct wbuf b = { 0 };
	size_t n;

	make_patch(base, out, len, &b);
	n = b.oom ? SIZE_MAX : b.n;
	free(b.p);
	return n;
}

/* ------------------------------------------------------------------ */
/* Inputs                                                              */
/* ------------------------------------------------------------------ */

struct wart {
	const char *rel;      /* "objects/<hex>.o" (borrowed from the manifest) */
	char *data;
	size_t size;
	uint32_t index;       /* in the bundle's artifact table */
	uint32_t enc;
	size_t data_off, data_size;
};

struct wobj {
	char *orig;
	size_t orig_size;
	struct wart *arts;    /* distinct artifacts, sorted by name */
	size_t nr_arts;
	size_t base;          /* index into arts */
	size_t orig_off;
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

/* The base: fewest patch bytes to the artifacts of its size (at most 64 tried). */
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
}

/* ------------------------------------------------------------------ */
/* Tables                                                              */
/* ------------------------------------------------------------------ */

/* Strings: offsets of the deduplicated ones (distro, version, arch, messages). */
struct strtab {
	struct wbuf b;
	uint32_t *dedup;
	size_t nr_dedup, cap_dedup;
};

static uint32_t str_add(struct strtab *t, const char *s, bool dedup)
{
	size_t i, len = strlen(s) + 1;
	uint32_t off;

	if (!s[0])
		return 0;
	if (dedup)
		for (i = 0; i < t->nr_dedup; i++)
			if (!strcmp((const char *)t->b.p + t->dedup[i], s))
				return t->dedup[i];
	off = (uint32_t)t->b.n;
	wb_put(&t->b, s, len);
	if (dedup && t->nr_dedup < 4096) {
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

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : 0;
}

/* Index of artifact rel among object w's, as numbered in the bundle. */
static uint32_t art_index(const struct wobj *w, const char *rel)
{
	size_t i;

	for (i = 0; i < w->nr_arts; i++)
		if (!strcmp(w->arts[i].rel, rel))
			return w->arts[i].index;
	return CORELINK_BUNDLE_NONE;
}

/*
 * Object i's name in the bundle: its file name, or "NAME@ARCH" when the
 * manifest has builds of NAME for several architectures (the runtime
 * resolves NAME by the host's arch).  malloc'd; NULL when out of memory.
 */
static char *bundle_object_name(const struct corelink_manifest *m, size_t i)
{
	const struct corelink_mf_object *o = &m->objects[i];
	char *s;
	size_t j;

	for (j = 0; j < m->nr_objects; j++)
		if (j != i && !strcmp(m->objects[j].name, o->name) && cl_s0(o->arch)[0])
			return asprintf(&s, "%s@%s", o->name, o->arch) < 0 ? NULL : s;
	return strdup(o->name);
}

static void put_section(struct wbuf *out, uint8_t *table_entry, uint32_t id, const struct wbuf *sec)
{
	wb_align(out);
	put_le_at(table_entry, id, 4);
	put_le_at(table_entry + 4, 0, 4);
	put_le_at(table_entry + 8, out->n, 8);
	put_le_at(table_entry + 16, sec->n, 8);
	put_le_at(table_entry + 24, XXH64(sec->p, sec->n, 0), 8);
	wb_put(out, sec->p, sec->n);
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
	size_t i, j, k;
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
	/* 1-2. originals, artifacts, encodings into DATA */
	for (i = 0; i < m->nr_objects && !ret; i++) {
		struct wobj *o = &w[i];

		if ((ret = load_original(&m->objects[i], objs, nr_objs, o, err)) ||
		    (ret = load_artifacts(m, i, base_dir, o, err)))
			break;
		wb_align(&data);
		o->orig_off = data.n;
		wb_put(&data, o->orig, o->orig_size);
		s.orig_bytes += o->orig_size;
		choose_base(o);
		for (j = 0; j < o->nr_arts && !ret; j++) {
			struct wart *a = &o->arts[j], *b = &o->arts[o->base];
			size_t before = data.n;

			a->index = nr_arts + (uint32_t)j;
			a->data_off = data.n;
			if (j != o->base && a->size == b->size) {
				a->enc = CORELINK_BUNDLE_ENC_PATCH;
				make_patch((const uint8_t *)b->data, (const uint8_t *)a->data, a->size, &data);
			} else {
				a->enc = CORELINK_BUNDLE_ENC_DELTA;
				ret = make_delta((const uint8_t *)o->orig, o->orig_size,
						 (const uint8_t *)a->data, a->size, &data);
			}
			a->data_size = data.n - before;
			s.artifact_bytes += a->size;
			if (j == o->base)
				s.base_bytes += a->data_size;
			else
				s.patch_bytes += a->data_size;
		}
		nr_arts += (uint32_t)o->nr_arts;
	}
	if (ret)
		goto out;
	if (data.oom)
		goto nomem;
	/* 3. tables */
	for (i = 0; i < m->nr_objects; i++) {
		struct wobj *o = &w[i];
		char *name = bundle_object_name(m, i);

		if (!name)
			goto nomem;
		wb_le(&otab, str_add(&strs, name, false), 4);
		free(name);
		wb_le(&otab, o->nr_arts ? o->arts[o->base].index : CORELINK_BUNDLE_NONE, 4);
		wb_le(&otab, o->nr_arts ? o->arts[0].index : nr_arts, 4);
		wb_le(&otab, o->nr_arts, 4);
		wb_le(&otab, o->orig_off, 8);
		wb_le(&otab, o->orig_size, 8);
		wb_le(&otab, XXH64(o->orig, o->orig_size, 0), 8);
		for (j = 0; j < o->nr_arts; j++) {
			struct wart *a = &o->arts[j];
			uint8_t name[8];

			for (k = 0; k < 8; k++)
				name[k] = (uint8_t)(hexval(a->rel[8 + 2 * k]) << 4 | hexval(a->rel[9 + 2 * k]));
			wb_le(&atab, i, 4);
			wb_le(&atab, a->enc, 4);
			wb_le(&atab, a->size, 8);
			wb_le(&atab, XXH64(a->data, a->size, 0), 8);
			wb_le(&atab, a->data_off, 8);
			wb_le(&atab, a->data_size, 8);
			wb_put(&atab, name, 8);
		}
	}
	for (k = 0; k < m->nr_kernels; k++) {
		const struct corelink_mf_kernel *kk = &m->kernels[k];

		wb_le(&ktab, str_add(&strs, kk->distro, true), 4);
		wb_le(&ktab, str_add(&strs, kk->version, true), 4);
		wb_le(&ktab, str_add(&strs, kk->arch, true), 4);
		wb_le(&ktab, str_add(&strs, kk->release, false), 4);
		wb_le(&ktab, kk->btf_hash, 8);
		for (i = 0; i < m->nr_objects; i++) {
			const struct corelink_mf_entry *e = &kk->entries[i];
			size_t ung = unguarded_of(e);
			bool failed = e->status == CORELINK_ENTRY_ERROR ||
				      e->status == CORELINK_ENTRY_SKIPPED || !e->artifact;
			unsigned status = failed ? CORELINK_BUNDLE_ERROR
					  : e->status == CORELINK_ENTRY_OK ? CORELINK_BUNDLE_OK
					  : ung ? CORELINK_BUNDLE_POISONED : CORELINK_BUNDLE_GUARDED;
			const char *why = e->error ? e->error : "failed";
			char msg[160];

			/* an object built for another arch: an ERROR entry saying so */
			if (e->status == CORELINK_ENTRY_SKIPPED) {
				snprintf(msg, sizeof(msg), "the object is built for %s, the kernel is %s",
					 cl_s0(m->objects[i].arch), kk->arch);
				why = msg;
			}
			wb_le(&ktab, failed ? CORELINK_BUNDLE_NONE : art_index(&w[i], e->artifact), 4);
			wb_le(&ktab, failed ? str_add(&strs, why, true) : 0, 4);
			wb_le(&ktab, status, 2);
			wb_le(&ktab, ung > 0xffff ? 0xffff : ung, 2);
		}
	}
	if (strs.b.oom || otab.oom || atab.oom || ktab.oom || strs.b.n > UINT32_MAX)
		goto nomem;
	/* header + table, then the sections */
	memset(table, 0, sizeof(table));
	wb_grow(&file, CORELINK_BUNDLE_HEADER_LEN + sizeof(table));
	put_section(&file, table + 0 * CORELINK_BUNDLE_SECTION_LEN, CORELINK_BUNDLE_SEC_STRINGS, &strs.b);
	put_section(&file, table + 1 * CORELINK_BUNDLE_SECTION_LEN, CORELINK_BUNDLE_SEC_OBJECTS, &otab);
	put_section(&file, table + 2 * CORELINK_BUNDLE_SECTION_LEN, CORELINK_BUNDLE_SEC_ARTIFACTS, &atab);
	put_section(&file, table + 3 * CORELINK_BUNDLE_SECTION_LEN, CORELINK_BUNDLE_SEC_KERNELS, &ktab);
	put_section(&file, table + 4 * CORELINK_BUNDLE_SECTION_LEN, CORELINK_BUNDLE_SEC_DATA, &data);
	if (file.oom)
		goto nomem;
	memset(file.p, 0, CORELINK_BUNDLE_HEADER_LEN);
	memcpy(file.p, CORELINK_BUNDLE_MAGIC, 8);
	put_le_at(file.p + 8, CORELINK_BUNDLE_VERSION, 4);
	put_le_at(file.p + 12, CORELINK_BUNDLE_HEADER_LEN, 4);
	put_le_at(file.p + 16, file.n, 8);
	put_le_at(file.p + 24, CORELINK_BUNDLE_NR_SECTIONS, 4);
	memcpy(file.p + CORELINK_BUNDLE_HEADER_LEN, table, sizeof(table));
	put_le_at(file.p + 56, XXH64(file.p, CORELINK_BUNDLE_HEADER_LEN + sizeof(table), 0), 8);

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
	char *dir = cl_dirname(manifest_path);
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
