/* SPDX-License-Identifier: MIT */
/*
 * The corelink bundle runtime: open a bundle from memory, select the object
 * for a host, rebuild it into the caller's buffer (format: corelink_bundle.h,
 * BUNDLE_FORMAT.md).  C99 and POSIX libc only, so loaders can copy this file
 * and its header.
 *
 * Safety: the bundle may be truncated or damaged.  corelink_bundle_open()
 * checks the header, the section table, every section's checksum, every
 * record's string and artifact references and data ranges, so the accessors
 * afterwards only index checked tables.  Rebuilding checks every op of a
 * delta and every patched site against both buffers, and the result against the
 * artifact's hash.  All arithmetic on file values is 64-bit with the bounds
 * compared before adding.
 */
#define _POSIX_C_SOURCE 200809L
#include "corelink_bundle.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

/* Decoded at open from the OBJECTS and ARTIFACTS records (offsets derived, all checked). */
struct bobj {
	uint32_t name, arch, first, nr, width;  /* strings; artifacts [first, first + nr) */
	uint64_t orig_off, orig_size, orig_hash, sites_off, sites_size;  /* in DATA */
	const uint8_t *entries;                  /* its column of kernel entry codes */
};
struct bart {
	uint32_t object, enc, unguarded;
	uint64_t size, data_off, data_size, hash;
};

struct corelink_bundle {
	const uint8_t *data;
	uint64_t size;
	void *map;           /* corelink_bundle_open_file(): munmap() on close */
	size_t map_size;
	const uint8_t *sec[CORELINK_BUNDLE_NR_SECTIONS + 1];  /* by id */
	uint64_t sec_size[CORELINK_BUNDLE_NR_SECTIONS + 1];
	uint32_t nr_objects, nr_artifacts, nr_kernels, nr_groups, nr_notes;
	struct bobj *objs;
	struct bart *arts;
	/* the kernel table: fixed columns inside KERNELS, groups decoded */
	const uint8_t *hashes, *notes;
	uint32_t *groups;    /* 3 per group: distro, version, arch (strings) */
	/* per kernel its group and its release (rel_text + rel_off) */
	uint32_t *kgroup, *rel_off;
	char *rel_text;
};

static int fail(struct corelink_bundle_err *err, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return ret;
}

/* ------------------------------------------------------------------ */
/* Little-endian loads and XXH64                                       */
/* ------------------------------------------------------------------ */

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static const uint64_t P1 = 11400714785074694791ULL, P2 = 14029467366897019727ULL,
		      P3 = 1609587929392839161ULL, P4 = 9650029242287828579ULL,
		      P5 = 2870177450012600261ULL;

static uint64_t rotl(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static uint64_t round64(uint64_t acc, uint64_t in)
{
	return rotl(acc + in * P2, 31) * P1;
}

static uint64_t merge64(uint64_t acc, uint64_t v)
{
	return (acc ^ round64(0, v)) * P1 + P4;
}

uint64_t corelink_bundle_xxh64(const void *data, size_t len, uint64_t seed)
{
	const uint8_t *p = data, *end = p + len;
	uint64_t h;

	if (len >= 32) {
		uint64_t v1 = seed + P1 + P2, v2 = seed + P2, v3 = seed, v4 = seed - P1;

		do {
			v1 = round64(v1, le64(p));
			v2 = round64(v2, le64(p + 8));
			v3 = round64(v3, le64(p + 16));
			v4 = round64(v4, le64(p + 24));
			p += 32;
		} while (end - p >= 32);
		h = rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18);
		h = merge64(merge64(merge64(merge64(h, v1), v2), v3), v4);
	} else {
		h = seed + P5;
	}
	h += (uint64_t)len;
	for (; end - p >= 8; p += 8)
		h = rotl(h ^ round64(0, le64(p)), 27) * P1 + P4;
	if (end - p >= 4) {
		h = rotl(h ^ (uint64_t)le32(p) * P1, 23) * P2 + P3;
		p += 4;
	}
	for (; p < end; p++)
		h = rotl(h ^ *p * P5, 11) * P1;
	h ^= h >> 33;
	h *= P2;
	h ^= h >> 29;
	h *= P3;
	h ^= h >> 32;
	return h;
}

/* ------------------------------------------------------------------ */
/* Opening: every check up front                                       */
/* ------------------------------------------------------------------ */

static const char *sec_name(uint32_t id)
{
	static const char *const names[] = { "?", "STRINGS", "OBJECTS", "ARTIFACTS", "KERNELS",
					     "DATA" };
	return id <= CORELINK_BUNDLE_NR_SECTIONS ? names[id] : "?";
}

/* The string at off, or NULL if it is not a NUL-terminated string inside STRINGS. */
static const char *str_at(const struct corelink_bundle *b, uint64_t off)
{
	const uint8_t *s = b->sec[CORELINK_BUNDLE_SEC_STRINGS];
	uint64_t n = b->sec_size[CORELINK_BUNDLE_SEC_STRINGS];

	if (off >= n || !memchr(s + off, 0, (size_t)(n - off)))
		return NULL;
	return (const char *)s + off;
}

/* The entry code of (kernel, object), of the object's width. */
static uint32_t entry_code(const struct corelink_bundle *b, uint32_t kernel, uint32_t object)
{
	uint32_t w = b->objs[object].width;
	const uint8_t *p = b->objs[object].entries + (uint64_t)kernel * w;

	return w == 1 ? p[0] : w == 2 ? (uint32_t)p[0] | (uint32_t)p[1] << 8 : le32(p);
}

static int check_header(struct corelink_bundle *b, struct corelink_bundle_err *err)
{
	const uint8_t *d = b->data;
	uint64_t file_size, table_end, prev_end, h;
	uint32_t i;

	if (b->size < 16 || memcmp(d, CORELINK_BUNDLE_MAGIC, 8))
		return fail(err, -EINVAL, "not a corelink bundle (bad magic)");
	if (le32(d + 8) != CORELINK_BUNDLE_VERSION)
		return fail(err, -EINVAL,
			    "bundle version %u not supported (this runtime reads version %d): rebuild the bundle with this corelink (corelink bundle MANIFEST -o FILE)",
			    le32(d + 8), CORELINK_BUNDLE_VERSION);
	if (le32(d + 12) != CORELINK_BUNDLE_HEADER_LEN)
		return fail(err, -EINVAL, "bundle header length %u, expected %d", le32(d + 12),
			    CORELINK_BUNDLE_HEADER_LEN);
	table_end = CORELINK_BUNDLE_HEADER_LEN +
		    (uint64_t)CORELINK_BUNDLE_NR_SECTIONS * CORELINK_BUNDLE_SECTION_LEN;
	if (b->size < table_end)
		return fail(err, -EINVAL, "bundle truncated: %llu bytes, shorter than its header and section table",
			    (unsigned long long)b->size);
	/* the checksum covers header + table, with its own 8 bytes as zero */
	{
		uint8_t head[CORELINK_BUNDLE_HEADER_LEN +
			     CORELINK_BUNDLE_NR_SECTIONS * CORELINK_BUNDLE_SECTION_LEN];

		memcpy(head, d, sizeof(head));
		memset(head + 24, 0, 8);
		h = corelink_bundle_xxh64(head, sizeof(head), 0);
	}
	if (h != le64(d + 24))
		return fail(err, -EINVAL, "bundle header checksum mismatch");
	file_size = le64(d + 16);
	if (file_size != b->size)
		return fail(err, -EINVAL, "bundle truncated or extended: %llu bytes, header says %llu",
			    (unsigned long long)b->size, (unsigned long long)file_size);

	/* each section follows the previous one (the first the table), at the next multiple of 8 */
	prev_end = table_end;
	for (i = 0; i < CORELINK_BUNDLE_NR_SECTIONS; i++) {
		const uint8_t *e = d + CORELINK_BUNDLE_HEADER_LEN + (uint64_t)i * CORELINK_BUNDLE_SECTION_LEN;
		uint32_t id = i + 1;
		uint64_t off = (prev_end + CORELINK_BUNDLE_ALIGN - 1) / CORELINK_BUNDLE_ALIGN * CORELINK_BUNDLE_ALIGN,
			 size = le64(e);

		if (off > b->size || size > b->size - off)
			return fail(err, -EINVAL, "bundle section %s: offset %llu size %llu past the end of the file",
				    sec_name(id), (unsigned long long)off, (unsigned long long)size);
		if (corelink_bundle_xxh64(d + off, (size_t)size, 0) != le64(e + 8))
			return fail(err, -EINVAL, "bundle section %s checksum mismatch", sec_name(id));
		b->sec[id] = d + off;
		b->sec_size[id] = size;
		prev_end = off + size;
	}
	if (prev_end != b->size)
		return fail(err, -EINVAL, "bundle: %llu bytes after its last section",
			    (unsigned long long)(b->size - prev_end));
	return 0;
}

/* Unsigned LEB128 varint from [*p, end): 0, or -1 if truncated or over 64 bits. */
static int uvarint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	uint64_t x = 0;
	int shift;

	for (shift = 0; shift < 64 && *p < end; shift += 7) {
		uint8_t c = *(*p)++;

		if (shift == 63 && c > 1)
			return -1;
		x |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*v = x;
			return 0;
		}
	}
	return -1;
}

/*
 * A cursor over a table's records.  Every read checks its bounds; the first
 * failure sets bad and every later read fails too, so a parser checks once.
 */
struct cur {
	const uint8_t *p, *end;
	int bad;
};

/* A uvarint of at most max. */
static uint64_t cur_uv(struct cur *c, uint64_t max)
{
	uint64_t v = 0;

	if (c->bad || uvarint(&c->p, c->end, &v) || v > max) {
		c->bad = 1;
		return 0;
	}
	return v;
}

/* n fixed bytes: their start, or NULL (bad set) when fewer remain. */
static const uint8_t *cur_take(struct cur *c, uint64_t n)
{
	const uint8_t *p = c->p;

	if (c->bad || n > (uint64_t)(c->end - c->p)) {
		c->bad = 1;
		return NULL;
	}
	c->p += n;
	return p;
}

static uint64_t cur_u64(struct cur *c)
{
	const uint8_t *p = cur_take(c, 8);

	return p ? le64(p) : 0;
}

/*
 * Walk an object's site list (at open and when patching).  With visit NULL
 * only check it: every varint inside, every site inside size bytes.  Sets
 * *nr_sites.  0, or -1 for a bad list.
 */
struct sites_walk {
	const uint8_t *p, *end;
	uint64_t nr, i, pos;  /* sites, the next one's index, the previous one's end */
};

static int sites_begin(struct sites_walk *w, const uint8_t *d, uint64_t len)
{
	w->p = d;
	w->end = d + len;
	w->i = w->pos = 0;
	return uvarint(&w->p, w->end, &w->nr) || w->nr > len ? -1 : 0;
}

/* The next site [*off, *off + *len) inside size bytes: 1; 0 after the last (and the
 * list must end there); -1 when damaged. */
static int sites_next(struct sites_walk *w, uint64_t size, uint64_t *off, uint64_t *len)
{
	uint64_t gap;

	if (w->i == w->nr)
		return w->p == w->end ? 0 : -1;
	if (uvarint(&w->p, w->end, &gap) || uvarint(&w->p, w->end, len) || !*len ||
	    gap > size - w->pos || *len > size - w->pos - gap)
		return -1;
	*off = w->pos + gap;
	w->pos = *off + *len;
	w->i++;
	return 1;
}

static int check_sites(const struct corelink_bundle *b, uint32_t obj, struct corelink_bundle_err *err)
{
	const struct bobj *o = &b->objs[obj];
	struct sites_walk w;
	uint64_t size = o->nr ? b->arts[o->first].size : 0, off, len;
	int r;

	if (!o->sites_size)
		return 0; /* no sites */
	if (sites_begin(&w, b->sec[CORELINK_BUNDLE_SEC_DATA] + o->sites_off, o->sites_size))
		return fail(err, -EINVAL, "bundle object %u: site list truncated", obj);
	while ((r = sites_next(&w, size, &off, &len)) == 1)
		;
	if (r)
		return fail(err, -EINVAL, "bundle object %u: site %llu truncated or past its base's %llu bytes",
			    obj, (unsigned long long)w.i, (unsigned long long)size);
	return 0;
}

/* The releases, front and back coded: decoded into b->rel_text / rel_off. */
static int decode_releases(struct corelink_bundle *b, const uint8_t *p, uint64_t n,
			   struct corelink_bundle_err *err)
{
	const uint8_t *q = p, *end = p + n;
	uint64_t total = 0, prev = 0, k;
	char *t;

	/* pass 1: lengths (each <= 255), so the text is allocated once */
	for (k = 0; k < b->nr_kernels; k++) {
		uint64_t len;

		if ((uint64_t)(end - q) < 3 || q[0] + (uint64_t)q[1] > prev ||
		    (uint64_t)q[2] > (uint64_t)(end - q) - 3)
			return fail(err, -EINVAL, "bundle kernel %llu: release truncated or past the previous one",
				    (unsigned long long)k);
		len = (uint64_t)q[0] + q[1] + q[2];
		if (!len || len > CORELINK_BUNDLE_MAX_RELEASE || memchr(q + 3, 0, q[2]))
			return fail(err, -EINVAL, "bundle kernel %llu: bad release", (unsigned long long)k);
		total += len + 1;
		prev = len;
		q += 3 + q[2];
	}
	if (q != end)
		return fail(err, -EINVAL, "bundle: %llu bytes after the last release",
			    (unsigned long long)(end - q));
	b->rel_text = malloc(total ? (size_t)total : 1);
	if (!b->rel_text)
		return fail(err, -ENOMEM, "out of memory");
	/* pass 2: the text */
	t = b->rel_text;
	for (q = p, k = 0; k < b->nr_kernels; k++) {
		const char *pv = k ? b->rel_text + b->rel_off[k - 1] : "";
		size_t plen = strlen(pv);

		b->rel_off[k] = (uint32_t)(t - b->rel_text);
		memcpy(t, pv, q[0]);
		memcpy(t + q[0], q + 3, q[2]);
		memcpy(t + q[0] + q[2], pv + plen - q[1], q[1]);
		t += q[0] + q[1] + q[2];
		*t++ = 0;
		q += 3 + q[2];
	}
	return 0;
}

/* Index of the first note at or after (kernel, object) (binary search; nr_notes if none). */
static uint32_t note_index(const struct corelink_bundle *b, uint32_t kernel, uint32_t object)
{
	uint32_t lo = 0, hi = b->nr_notes;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const uint8_t *r = b->notes + (uint64_t)mid * CORELINK_BUNDLE_NOTE_LEN;

		if (le32(r) < kernel || (le32(r) == kernel && le32(r + 4) < object))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Every entry code known, naming its own object's artifacts; a note exactly where one is due. */
static int check_entries(struct corelink_bundle *b, struct corelink_bundle_err *err)
{
	uint32_t i = 0, j, k;

	for (j = 0; j < b->nr_objects; j++) {
		for (k = 0; k < b->nr_kernels; k++) {
			uint32_t code = entry_code(b, k, j), st = code & 3, v = code >> 2, lo;
			int noted = 0;

			if (st == 3 ? v > 1 : v >= b->objs[j].nr)
				return fail(err, -EINVAL, "bundle kernel %u object %u: bad entry", k, j);
			lo = note_index(b, k, j);
			if (lo < b->nr_notes) {
				const uint8_t *r = b->notes + (uint64_t)lo * CORELINK_BUNDLE_NOTE_LEN;

				noted = le32(r) == k && le32(r + 4) == j;
				if (noted && st == 3 && !v && !str_at(b, le32(r + 8)))
					return fail(err, -EINVAL, "bundle note %u: bad string reference", lo);
			}
			/* ERROR: always; POISONED: may override its artifact's count; others: never */
			if (st == 3 && !v ? !noted : noted && st != CORELINK_BUNDLE_POISONED)
				return fail(err, -EINVAL, "bundle kernel %u object %u: %s note", k, j,
					    noted ? "unexpected" : "missing");
			i += noted;
		}
	}
	if (i != b->nr_notes)
		return fail(err, -EINVAL, "bundle: %u notes, %u entries have one", b->nr_notes, i);
	return 0;
}

/* KERNELS: counts, BTF hashes, groups, notes, entries (checked), then the releases. */
static int check_kernels(struct corelink_bundle *b, struct corelink_bundle_err *err)
{
	const uint8_t *s = b->sec[CORELINK_BUNDLE_SEC_KERNELS];
	struct cur c = { s, s + b->sec_size[CORELINK_BUNDLE_SEC_KERNELS], 0 };
	uint64_t k = 0;
	uint32_t i, j, g;
	int ret;

	/* each count bounded by the bytes its column needs, before anything is allocated */
	b->nr_kernels = (uint32_t)cur_uv(&c, (uint64_t)(c.end - c.p) / 4);
	b->nr_groups = (uint32_t)cur_uv(&c, b->nr_kernels);
	b->nr_notes = (uint32_t)cur_uv(&c, (uint64_t)(c.end - c.p) / CORELINK_BUNDLE_NOTE_LEN);
	b->hashes = cur_take(&c, 4 * (uint64_t)b->nr_kernels);
	if (c.bad)
		return fail(err, -EINVAL, "bundle KERNELS section truncated");
	b->groups = calloc(3 * (size_t)b->nr_groups + 1, sizeof(*b->groups));
	b->kgroup = calloc(b->nr_kernels ? b->nr_kernels : 1, sizeof(*b->kgroup));
	b->rel_off = calloc(b->nr_kernels ? b->nr_kernels : 1, sizeof(*b->rel_off));
	if (!b->groups || !b->kgroup || !b->rel_off)
		return fail(err, -ENOMEM, "out of memory");
	/* groups: strings, counts adding up to nr_kernels */
	for (g = 0; g < b->nr_groups; g++) {
		uint64_t cnt;

		for (i = 0; i < 3; i++) {
			b->groups[3 * g + i] = (uint32_t)cur_uv(&c, UINT32_MAX);
			if (!c.bad && !str_at(b, b->groups[3 * g + i]))
				return fail(err, -EINVAL, "bundle kernel group %u: bad string reference", g);
		}
		cnt = cur_uv(&c, UINT32_MAX);
		if (c.bad)
			return fail(err, -EINVAL, "bundle kernel group %u truncated", g);
		if (!cnt || cnt > b->nr_kernels - k)
			return fail(err, -EINVAL, "bundle kernel group %u: %llu kernels, past the table", g,
				    (unsigned long long)cnt);
		for (i = 0; i < cnt; i++)
			b->kgroup[k + i] = g;
		k += cnt;
	}
	if (k != b->nr_kernels)
		return fail(err, -EINVAL, "bundle kernel groups hold %llu kernels, the table %u",
			    (unsigned long long)k, b->nr_kernels);
	/* notes: in range, strictly ascending */
	b->notes = cur_take(&c, CORELINK_BUNDLE_NOTE_LEN * (uint64_t)b->nr_notes);
	for (j = 0; j < b->nr_objects; j++)
		b->objs[j].entries = cur_take(&c, (uint64_t)b->objs[j].width * b->nr_kernels);
	if (c.bad)
		return fail(err, -EINVAL, "bundle KERNELS section truncated in its notes or entries");
	for (i = 0; i < b->nr_notes; i++) {
		const uint8_t *r = b->notes + (uint64_t)i * CORELINK_BUNDLE_NOTE_LEN;

		if (le32(r) >= b->nr_kernels || le32(r + 4) >= b->nr_objects ||
		    (i && (le32(r) < le32(r - 12) || (le32(r) == le32(r - 12) && le32(r + 4) <= le32(r - 8)))))
			return fail(err, -EINVAL, "bundle note %u: out of range or out of order", i);
	}
	if ((ret = check_entries(b, err)))
		return ret;
	return decode_releases(b, c.p, (uint64_t)(c.end - c.p), err);
}

/* [off, off + len) inside DATA, from *pos (advanced past it): 0, or -1. */
static int data_next(const struct corelink_bundle *b, uint64_t *pos, uint64_t len, uint64_t *off)
{
	uint64_t n = b->sec_size[CORELINK_BUNDLE_SEC_DATA];

	if (*pos > n || len > n - *pos)
		return -1;
	*off = *pos;
	*pos += len;
	return 0;
}

/*
 * One object record and its artifacts' records, with their places in DATA
 * (from *pos: the original 8-aligned, the site list, each artifact's data).
 */
static int read_object(struct corelink_bundle *b, struct cur *oc, struct cur *ac, uint32_t i,
		       uint64_t *pos, struct corelink_bundle_err *err)
{
	struct bobj *o = &b->objs[i];
	uint32_t a;

	o->name = (uint32_t)cur_uv(oc, UINT32_MAX);
	o->arch = (uint32_t)cur_uv(oc, UINT32_MAX);
	o->nr = (uint32_t)cur_uv(oc, b->nr_artifacts - b->objs[i].first);
	o->width = (uint32_t)cur_uv(oc, 4);
	o->orig_size = cur_uv(oc, UINT32_MAX);
	o->sites_size = cur_uv(oc, UINT32_MAX);
	o->orig_hash = cur_u64(oc);
	*pos += (CORELINK_BUNDLE_ALIGN - *pos % CORELINK_BUNDLE_ALIGN) % CORELINK_BUNDLE_ALIGN;
	if (oc->bad || !str_at(b, o->name) || !str_at(b, o->arch) || (o->width != 1 && o->width != 2 && o->width != 4) ||
	    data_next(b, pos, o->orig_size, &o->orig_off) || data_next(b, pos, o->sites_size, &o->sites_off) ||
	    (!o->nr && o->sites_size))
		return fail(err, -EINVAL, "bundle object %u: bad record", i);
	for (a = o->first; a < o->first + o->nr; a++) {
		struct bart *r = &b->arts[a];
		uint64_t v = cur_uv(ac, (uint64_t)UINT32_MAX << 1 | 1);

		r->object = i;
		r->enc = v & 1 ? CORELINK_BUNDLE_ENC_PATCH : CORELINK_BUNDLE_ENC_DELTA;
		r->data_size = v >> 1;
		r->size = v & 1 ? b->arts[o->first].size : cur_uv(ac, UINT32_MAX);
		r->unguarded = (uint32_t)cur_uv(ac, UINT32_MAX);
		r->hash = cur_u64(ac);
		if (ac->bad || data_next(b, pos, r->data_size, &r->data_off))
			return fail(err, -EINVAL, "bundle artifact %u: bad record", a);
		if (a == o->first && r->enc != CORELINK_BUNDLE_ENC_DELTA)
			return fail(err, -EINVAL, "bundle object %u: base artifact %u is not a delta", i, a);
	}
	if (i + 1 < b->nr_objects)
		b->objs[i + 1].first = o->first + o->nr;
	return 0;
}

static int check_tables(struct corelink_bundle *b, struct corelink_bundle_err *err)
{
	const uint8_t *os = b->sec[CORELINK_BUNDLE_SEC_OBJECTS], *as = b->sec[CORELINK_BUNDLE_SEC_ARTIFACTS];
	struct cur oc = { os, os + b->sec_size[CORELINK_BUNDLE_SEC_OBJECTS], 0 };
	struct cur ac = { as, as + b->sec_size[CORELINK_BUNDLE_SEC_ARTIFACTS], 0 };
	uint64_t pos = 0;
	uint32_t i;
	int ret;

	if (b->sec_size[CORELINK_BUNDLE_SEC_STRINGS] == 0 || b->sec[CORELINK_BUNDLE_SEC_STRINGS][0])
		return fail(err, -EINVAL, "bundle string table does not start with \"\"");
	/* counts bounded by their records' least bytes (14 an object, 10 an artifact) */
	b->nr_objects = (uint32_t)cur_uv(&oc, (uint64_t)(oc.end - oc.p) / 14 < 0xfffe
						   ? (uint64_t)(oc.end - oc.p) / 14 : 0xfffe);
	b->nr_artifacts = (uint32_t)cur_uv(&ac, (uint64_t)(ac.end - ac.p) / 10);
	if (oc.bad || ac.bad)
		return fail(err, -EINVAL, "bundle OBJECTS or ARTIFACTS count past its section");
	b->objs = calloc(b->nr_objects ? b->nr_objects : 1, sizeof(*b->objs));
	b->arts = calloc(b->nr_artifacts ? b->nr_artifacts : 1, sizeof(*b->arts));
	if (!b->objs || !b->arts)
		return fail(err, -ENOMEM, "out of memory");
	for (i = 0; i < b->nr_objects; i++)
		if ((ret = read_object(b, &oc, &ac, i, &pos, err)))
			return ret;
	if (oc.p != oc.end || ac.p != ac.end ||
	    (b->nr_objects ? b->objs[b->nr_objects - 1].first + b->objs[b->nr_objects - 1].nr : 0) !=
		    b->nr_artifacts)
		return fail(err, -EINVAL, "bundle OBJECTS or ARTIFACTS: records and counts disagree");
	if (pos != b->sec_size[CORELINK_BUNDLE_SEC_DATA])
		return fail(err, -EINVAL, "bundle DATA is %llu bytes, its objects' data %llu",
			    (unsigned long long)b->sec_size[CORELINK_BUNDLE_SEC_DATA],
			    (unsigned long long)pos);
	for (i = 0; i < b->nr_objects; i++)
		if ((ret = check_sites(b, i, err)))
			return ret;
	return check_kernels(b, err);
}

static void bundle_free(struct corelink_bundle *b)
{
	free(b->objs);
	free(b->arts);
	free(b->groups);
	free(b->kgroup);
	free(b->rel_off);
	free(b->rel_text);
	free(b);
}

int corelink_bundle_open(const void *data, size_t size, struct corelink_bundle **out,
			 struct corelink_bundle_err *err)
{
	struct corelink_bundle *b;
	int ret;

	*out = NULL;
	if (!data && size)
		return fail(err, -EINVAL, "no bundle data");
	b = calloc(1, sizeof(*b));
	if (!b)
		return fail(err, -ENOMEM, "out of memory");
	b->data = data;
	b->size = size;
	ret = check_header(b, err);
	if (!ret)
		ret = check_tables(b, err);
	if (ret) {
		bundle_free(b);
		return ret;
	}
	*out = b;
	return 0;
}

int corelink_bundle_open_file(const char *path, struct corelink_bundle **out,
			      struct corelink_bundle_err *err)
{
	struct stat st;
	void *map = NULL;
	int fd, ret;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(err, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > SIZE_MAX) {
		close(fd);
		return fail(err, -EINVAL, "%s: not a regular file", path);
	}
	if (st.st_size) {
		map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			ret = -errno;
			close(fd);
			return fail(err, ret, "%s: mmap: %s", path, strerror(-ret));
		}
	}
	close(fd);
	ret = corelink_bundle_open(map, (size_t)st.st_size, out, err);
	if (ret) {
		char msg[sizeof(err->msg)];

		if (map)
			munmap(map, (size_t)st.st_size);
		if (err) {
			memcpy(msg, err->msg, sizeof(msg));
			snprintf(err->msg, sizeof(err->msg), "%s: %.400s", path, msg);
		}
		return ret;
	}
	(*out)->map = map;
	(*out)->map_size = (size_t)st.st_size;
	return 0;
}

void corelink_bundle_close(struct corelink_bundle *b)
{
	if (!b)
		return;
	if (b->map)
		munmap(b->map, b->map_size);
	bundle_free(b);
}

/* ------------------------------------------------------------------ */
/* Accessors (tables checked at open)                                  */
/* ------------------------------------------------------------------ */

uint32_t corelink_bundle_nr_objects(const struct corelink_bundle *b) { return b->nr_objects; }
uint32_t corelink_bundle_nr_kernels(const struct corelink_bundle *b) { return b->nr_kernels; }
uint32_t corelink_bundle_nr_artifacts(const struct corelink_bundle *b) { return b->nr_artifacts; }

int corelink_bundle_object(const struct corelink_bundle *b, uint32_t i,
			   struct corelink_bundle_object *o)
{
	const struct bobj *r;

	if (i >= b->nr_objects)
		return -ERANGE;
	r = &b->objs[i];
	o->name = str_at(b, r->name);
	o->arch = str_at(b, r->arch);
	o->base = r->nr ? r->first : CORELINK_BUNDLE_NONE;
	o->first_artifact = r->first;
	o->nr_artifacts = r->nr;
	o->orig_size = r->orig_size;
	return 0;
}

int corelink_bundle_kernel(const struct corelink_bundle *b, uint32_t i,
			   struct corelink_bundle_kernel *k)
{
	const uint32_t *g;

	if (i >= b->nr_kernels)
		return -ERANGE;
	g = b->groups + 3 * (size_t)b->kgroup[i];
	k->distro = str_at(b, g[0]);
	k->version = str_at(b, g[1]);
	k->arch = str_at(b, g[2]);
	k->release = b->rel_text + b->rel_off[i];
	k->btf_hash = le32(b->hashes + 4 * (uint64_t)i);
	return 0;
}

/* The value of the note of (kernel, object) (checked at open: it exists). */
static uint32_t note_of(const struct corelink_bundle *b, uint32_t kernel, uint32_t object)
{
	uint32_t i = note_index(b, kernel, object);

	return i < b->nr_notes ? le32(b->notes + (uint64_t)i * CORELINK_BUNDLE_NOTE_LEN + 8) : 0;
}

int corelink_bundle_entry(const struct corelink_bundle *b, uint32_t kernel, uint32_t object,
			  struct corelink_bundle_entry *e)
{
	uint32_t code;

	if (kernel >= b->nr_kernels || object >= b->nr_objects)
		return -ERANGE;
	code = entry_code(b, kernel, object);
	e->artifact = CORELINK_BUNDLE_NONE;
	e->message = "";
	e->unguarded = 0;
	if ((code & 3) == 3) {
		e->status = code >> 2 ? CORELINK_BUNDLE_SKIPPED : CORELINK_BUNDLE_ERROR;
		if (e->status == CORELINK_BUNDLE_ERROR)
			e->message = str_at(b, note_of(b, kernel, object));
		return 0;
	}
	e->status = (enum corelink_bundle_status)(code & 3);
	e->artifact = b->objs[object].first + (code >> 2);
	if (e->status == CORELINK_BUNDLE_POISONED) {
		uint32_t i = note_index(b, kernel, object);
		const uint8_t *r = b->notes + (uint64_t)i * CORELINK_BUNDLE_NOTE_LEN;

		e->unguarded = i < b->nr_notes && le32(r) == kernel && le32(r + 4) == object
			       ? le32(r + 8) : b->arts[e->artifact].unguarded;
	}
	return 0;
}

int corelink_bundle_artifact(const struct corelink_bundle *b, uint32_t i,
			     struct corelink_bundle_artifact *a)
{
	const struct bart *r;

	if (i >= b->nr_artifacts)
		return -ERANGE;
	r = &b->arts[i];
	a->object = r->object;
	a->encoding = (enum corelink_bundle_encoding)r->enc;
	a->unguarded = r->unguarded;
	a->size = r->size;
	a->data_size = r->data_size;
	a->hash = r->hash;
	return 0;
}

const char *corelink_bundle_how_str(enum corelink_bundle_how how)
{
	switch (how) {
	case CORELINK_BUNDLE_EXACT: return "exact";
	case CORELINK_BUNDLE_FALLBACK_BTF: return "fallback-btf";
	default: return "no-match";
	}
}

const char *corelink_bundle_status_str(enum corelink_bundle_status s)
{
	static const char *const names[] = { "ok", "guarded", "poisoned", "error", "skipped" };

	return (unsigned)s <= CORELINK_BUNDLE_SKIPPED ? names[s] : "?";
}

/* ------------------------------------------------------------------ */
/* Host identity and selection                                         */
/* ------------------------------------------------------------------ */

/* KEY=value from os-release into out (quotes removed); "" when absent. */
static void os_release_value(const char *text, const char *key, char *out, size_t size)
{
	size_t klen = strlen(key), n;
	const char *p = text;

	out[0] = 0;
	while (p && *p) {
		const char *eol = strchr(p, '\n');
		const char *end = eol ? eol : p + strlen(p);

		if (!strncmp(p, key, klen) && p[klen] == '=') {
			const char *v = p + klen + 1;

			if (v < end && (*v == '"' || *v == '\'')) {
				v++;
				if (end > v && (end[-1] == '"' || end[-1] == '\''))
					end--;
			}
			n = (size_t)(end - v) < size - 1 ? (size_t)(end - v) : size - 1;
			memcpy(out, v, n);
			out[n] = 0;
			return;
		}
		p = eol ? eol + 1 : NULL;
	}
}

static void read_os_release(const char *path, char *id, size_t idsz, char *ver, size_t versz)
{
	char text[8192];
	size_t n = 0;
	FILE *f = NULL;

	id[0] = ver[0] = 0;
	if (path)
		f = fopen(path, "r");
	else if (!(f = fopen("/etc/os-release", "r")))
		f = fopen("/usr/lib/os-release", "r");
	if (!f)
		return;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = 0;
	os_release_value(text, "ID", id, idsz);
	os_release_value(text, "VERSION_ID", ver, versz);
}

static void copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = 0;
}

static const char *arch_canon(const char *a)
{
	if (!strcmp(a, "amd64") || !strcmp(a, "x86-64") || !strcmp(a, "x86"))
		return "x86_64";
	if (!strcmp(a, "arm64"))
		return "aarch64";
	if (!strcmp(a, "armv7l") || !strcmp(a, "armhf"))
		return "arm";
	return a;
}

static int arch_match(const char *kernel, const char *query)
{
	return !query[0] || !kernel[0] || !strcmp(arch_canon(kernel), arch_canon(query));
}

static size_t common_prefix(const char *a, const char *b)
{
	size_t n = 0;

	while (a[n] && a[n] == b[n])
		n++;
	return n;
}

/* The name of object i, and whether it is name (exactly, or name + ".o" / ".bpf.o"). */
static int name_is(const struct corelink_bundle *b, uint32_t i, const char *name, int exact)
{
	const char *o = str_at(b, b->objs[i].name);
	size_t n = strlen(name);

	if (exact)
		return !strcmp(o, name);
	return !strncmp(o, name, n) && (!strcmp(o + n, ".o") || !strcmp(o + n, ".bpf.o"));
}

int corelink_bundle_find_object(const struct corelink_bundle *b, const char *name,
				const char *arch, uint32_t *index, struct corelink_bundle_err *err)
{
	uint32_t i, found = CORELINK_BUNDLE_NONE, nr = 0, fits = 0;
	const char *first = NULL;
	char builds[256] = "";
	size_t used = 0;
	int exact;

	if (!b->nr_objects)
		return fail(err, -ENOENT, "the bundle holds no object");
	/* the name: given (exactly, else without the suffix), or the bundle's only one */
	if (!name) {
		name = first = str_at(b, b->objs[0].name);
		for (i = 1; i < b->nr_objects; i++)
			if (strcmp(str_at(b, b->objs[i].name), first))
				return fail(err, -EINVAL, "the bundle holds several objects: name one");
	}
	for (exact = 1; exact >= 0 && !nr; exact--) {
		first = NULL;
		for (i = 0; i < b->nr_objects; i++) {
			if (!name_is(b, i, name, exact))
				continue;
			if (first && strcmp(first, str_at(b, b->objs[i].name)))
				return fail(err, -EINVAL, "object '%s' is ambiguous", name);
			first = str_at(b, b->objs[i].name);
			nr++;
		}
	}
	if (!nr)
		return fail(err, -ENOENT, "no object '%s' in the bundle", name);
	/* the build for arch */
	for (i = 0; i < b->nr_objects; i++) {
		const char *a = str_at(b, b->objs[i].arch);
		int n;

		if (strcmp(str_at(b, b->objs[i].name), first))
			continue;
		n = snprintf(builds + used, sizeof(builds) - used, "%s%s", used ? ", " : "",
			     a[0] ? a : "any");
		if (n > 0 && (size_t)n < sizeof(builds) - used)
			used += (size_t)n;
		if (arch && !arch_match(a, arch))
			continue;
		fits++;
		found = i;
	}
	if (!fits)
		return fail(err, -ENXIO, "object '%s' has no build for arch %s in the bundle (built for %s)",
			    first, arch, builds);
	if (fits > 1)
		return fail(err, -EINVAL, "object '%s' has a build for each of %s: give the arch", first,
			    builds);
	*index = found;
	return 0;
}

/* Up to 3 kernels closest to the query: same distro/version/arch first, else same arch. */
static void find_nearest(const struct corelink_bundle *b, struct corelink_bundle_choice *c)
{
	int pass;

	c->nr_nearest = 0;
	for (pass = 0; pass < 2 && !c->nr_nearest; pass++) {
		size_t best_len[CORELINK_BUNDLE_MAX_NEAREST] = { 0 };
		uint32_t i, j;

		for (i = 0; i < b->nr_kernels; i++) {
			struct corelink_bundle_kernel k;
			size_t len;

			corelink_bundle_kernel(b, i, &k);
			if (!arch_match(k.arch, c->arch))
				continue;
			if (pass == 0 && (strcmp(k.distro, c->distro) || strcmp(k.version, c->version)))
				continue;
			len = common_prefix(k.release, c->release);
			/* insertion into the top 3 (longest prefix first, then table order) */
			for (j = 0; j < c->nr_nearest && best_len[j] >= len; j++)
				;
			if (j >= CORELINK_BUNDLE_MAX_NEAREST)
				continue;
			if (c->nr_nearest < CORELINK_BUNDLE_MAX_NEAREST)
				c->nr_nearest++;
			memmove(&c->nearest[j + 1], &c->nearest[j],
				(c->nr_nearest - 1 - j) * sizeof(c->nearest[0]));
			memmove(&best_len[j + 1], &best_len[j], (c->nr_nearest - 1 - j) * sizeof(best_len[0]));
			c->nearest[j] = i;
			best_len[j] = len;
		}
	}
}

static int no_match(const struct corelink_bundle *b, struct corelink_bundle_choice *c,
		    const char *btf_path, struct corelink_bundle_err *err)
{
	char list[384] = "";
	size_t used = 0;
	uint32_t i;

	find_nearest(b, c);
	for (i = 0; i < c->nr_nearest; i++) {
		struct corelink_bundle_kernel k;
		int n;

		corelink_bundle_kernel(b, c->nearest[i], &k);
		n = snprintf(list + used, sizeof(list) - used, "%s%s/%s/%s/%s", i ? ", " : "", k.distro,
			     k.version, k.arch, k.release);
		if (n < 0 || (size_t)n >= sizeof(list) - used)
			break;
		used += (size_t)n;
	}
	return fail(err, -ENOENT, "no kernel %s (%s) in the bundle and no kernel BTF at %s; nearest: %s",
		    c->release, c->arch, btf_path[0] ? btf_path : "(fallback disabled)",
		    c->nr_nearest ? list : "none");
}

int corelink_bundle_select(const struct corelink_bundle *b, const struct corelink_bundle_query *q,
			   struct corelink_bundle_choice *c, struct corelink_bundle_err *err)
{
	static const struct corelink_bundle_query none;
	uint32_t cand[64], nc = 0, i, keep, first_art = CORELINK_BUNDLE_NONE;
	const char *btf_path;
	struct corelink_bundle_entry e;
	int ret, pass;

	if (!q)
		q = &none;
	memset(c, 0, sizeof(*c));
	c->kernel = c->artifact = CORELINK_BUNDLE_NONE;
	if (!q->release || !q->arch) {
		struct utsname u;

		if (uname(&u))
			return fail(err, -errno, "uname: %s", strerror(errno));
		copy_str(c->release, sizeof(c->release), q->release ? q->release : u.release);
		copy_str(c->arch, sizeof(c->arch), q->arch ? q->arch : u.machine);
	} else {
		copy_str(c->release, sizeof(c->release), q->release);
		copy_str(c->arch, sizeof(c->arch), q->arch);
	}
	if (!q->distro || !q->version)
		read_os_release(q->os_release, c->distro, sizeof(c->distro), c->version,
				sizeof(c->version));
	if (q->distro)
		copy_str(c->distro, sizeof(c->distro), q->distro);
	if (q->version)
		copy_str(c->version, sizeof(c->version), q->version);
	btf_path = q->btf_path ? q->btf_path : "/sys/kernel/btf/vmlinux";
	/* 0. the object: its name, the build for this arch */
	ret = corelink_bundle_find_object(b, q->object, c->arch, &c->object, err);
	if (ret)
		return ret == -ENOENT ? -EINVAL : ret;

	/* 1. release + arch (and the object is built for the kernel's arch) */
	for (i = 0; i < b->nr_kernels; i++) {
		struct corelink_bundle_kernel k;

		corelink_bundle_kernel(b, i, &k);
		if (strcmp(k.release, c->release) || !arch_match(k.arch, c->arch) ||
		    ((entry_code(b, i, c->object) & 3) == 3 && entry_code(b, i, c->object) >> 2))
			continue;
		if (nc == sizeof(cand) / sizeof(cand[0]))
			return fail(err, -ENOTUNIQ, "more than %u kernels named %s in the bundle", nc,
				    c->release);
		cand[nc++] = i;
	}
	/* narrow by distro, then version, when that leaves any */
	for (pass = 0; pass < 2 && nc > 1; pass++) {
		const char *want = pass ? c->version : c->distro;

		for (i = keep = 0; i < nc; i++) {
			struct corelink_bundle_kernel k;

			corelink_bundle_kernel(b, cand[i], &k);
			if (!strcmp(pass ? k.version : k.distro, want))
				keep++;
		}
		if (!keep)
			continue;
		for (i = keep = 0; i < nc; i++) {
			struct corelink_bundle_kernel k;

			corelink_bundle_kernel(b, cand[i], &k);
			if (!strcmp(pass ? k.version : k.distro, want))
				cand[keep++] = cand[i];
		}
		nc = keep;
	}
	if (!nc) {
		struct stat st;

		/* a file with bytes (an empty file bind-mounted over it hides it) */
		if (btf_path[0] && stat(btf_path, &st) == 0 && st.st_size > 0) {
			struct corelink_bundle_object o;

			corelink_bundle_object(b, c->object, &o);
			c->how = CORELINK_BUNDLE_FALLBACK_BTF;
			c->size = o.orig_size;
			return 0;
		}
		return no_match(b, c, btf_path, err);
	}
	for (i = 0; i < nc; i++) {
		corelink_bundle_entry(b, cand[i], c->object, &e);
		if (i == 0)
			first_art = e.artifact;
		else if (e.artifact != first_art) {
			struct corelink_bundle_kernel k1, k2;

			corelink_bundle_kernel(b, cand[0], &k1);
			corelink_bundle_kernel(b, cand[i], &k2);
			return fail(err, -ENOTUNIQ,
				    "kernel %s matches %s/%s and %s/%s with different objects: set the distro and version",
				    c->release, k1.distro, k1.version, k2.distro, k2.version);
		}
	}
	corelink_bundle_entry(b, cand[0], c->object, &e);
	c->kernel = cand[0];
	c->status = e.status;
	c->unguarded = e.unguarded;
	if (e.status == CORELINK_BUNDLE_ERROR)
		return fail(err, -ENOEXEC, "object failed on kernel %s: %s", c->release, e.message);
	c->how = CORELINK_BUNDLE_EXACT;
	c->artifact = e.artifact;
	c->size = b->arts[e.artifact].size;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Rebuilding                                                          */
/* ------------------------------------------------------------------ */

/* Apply a DELTA against orig into out (exactly out_size bytes). */
static int apply_delta(const uint8_t *d, uint64_t dlen, const uint8_t *orig, uint64_t olen,
		       uint8_t *out, uint64_t out_size, uint32_t art, struct corelink_bundle_err *err)
{
	const uint8_t *p = d, *end = d + dlen;
	uint64_t pos = 0, expect = 0, v, len, z;
	uint64_t op = 0;

	while (pos < out_size) {
		if (uvarint(&p, end, &v))
			return fail(err, -EINVAL, "artifact %u: delta op %llu truncated", art,
				    (unsigned long long)op);
		len = v >> 1;
		if (!len)
			return fail(err, -EINVAL, "artifact %u: delta op %llu writes nothing (it would never end)",
				    art, (unsigned long long)op);
		if (len > out_size - pos)
			return fail(err, -EINVAL, "artifact %u: delta op %llu length %llu past the end", art,
				    (unsigned long long)op, (unsigned long long)len);
		if (v & 1) {
			if (len > (uint64_t)(end - p))
				return fail(err, -EINVAL, "artifact %u: delta op %llu data past the end", art,
					    (unsigned long long)op);
			memcpy(out + pos, p, (size_t)len);
			p += len;
		} else {
			uint64_t src;

			if (uvarint(&p, end, &z))
				return fail(err, -EINVAL, "artifact %u: delta op %llu truncated", art,
					    (unsigned long long)op);
			/* zigzag: z even = +z/2, odd = -(z+1)/2 */
			if (z & 1 ? (z >> 1) + 1 > expect : (z >> 1) > olen - expect)
				return fail(err, -EINVAL, "artifact %u: delta op %llu copies from outside the original",
					    art, (unsigned long long)op);
			src = z & 1 ? expect - ((z >> 1) + 1) : expect + (z >> 1);
			if (len > olen - src)
				return fail(err, -EINVAL, "artifact %u: delta op %llu copies from outside the original",
					    art, (unsigned long long)op);
			memcpy(out + pos, orig + src, (size_t)len);
			expect = src + len;
		}
		pos += len;
		op++;
	}
	if (p != end)
		return fail(err, -EINVAL, "artifact %u: %llu bytes after the delta's last op", art,
			    (unsigned long long)(end - p));
	return 0;
}

/* Apply a PATCH (bitmap of the object's sites, then their bytes) to out (the base). */
static int apply_patch(const uint8_t *d, uint64_t dlen, const uint8_t *sites, uint64_t slen,
		       uint8_t *out, uint64_t out_size, uint32_t art, struct corelink_bundle_err *err)
{
	const uint8_t *p = d, *end = d + dlen, *bits;
	struct sites_walk w;
	uint64_t nbytes, off, len;
	int r;

	if (sites_begin(&w, sites, slen))
		return fail(err, -EINVAL, "artifact %u: its object's site list is truncated", art);
	nbytes = w.nr / 8 + (w.nr % 8 != 0);
	if (nbytes > dlen)
		return fail(err, -EINVAL, "artifact %u: patch bitmap truncated", art);
	bits = p;
	p += nbytes;
	if (w.nr % 8 && bits[nbytes - 1] >> (w.nr % 8))
		return fail(err, -EINVAL, "artifact %u: patch bitmap names sites past the last", art);
	while ((r = sites_next(&w, out_size, &off, &len)) == 1) {
		uint64_t i = w.i - 1;

		if (!(bits[i / 8] >> (i % 8) & 1))
			continue;
		if (len > (uint64_t)(end - p))
			return fail(err, -EINVAL, "artifact %u: patch of site %llu past the end of its data",
				    art, (unsigned long long)i);
		memcpy(out + off, p, (size_t)len);
		p += len;
	}
	if (r)
		return fail(err, -EINVAL, "artifact %u: site %llu truncated or past the artifact's end", art,
			    (unsigned long long)w.i);
	if (p != end)
		return fail(err, -EINVAL, "artifact %u: %llu bytes after the last patched site", art,
			    (unsigned long long)(end - p));
	return 0;
}

int corelink_bundle_materialize_artifact(const struct corelink_bundle *b, uint32_t object,
					 uint32_t artifact, void *buf, size_t size,
					 struct corelink_bundle_err *err)
{
	const uint8_t *data = b->sec[CORELINK_BUNDLE_SEC_DATA], *orig;
	const struct bobj *o;
	const struct bart *r, *base;
	int ret;

	if (object >= b->nr_objects)
		return fail(err, -ERANGE, "no object %u in the bundle", object);
	o = &b->objs[object];
	orig = data + o->orig_off;
	if (artifact == CORELINK_BUNDLE_NONE) {
		if (o->orig_size > size)
			return fail(err, -ENOSPC, "buffer of %zu bytes, the object needs %llu", size,
				    (unsigned long long)o->orig_size);
		memcpy(buf, orig, (size_t)o->orig_size);
		if (corelink_bundle_xxh64(buf, (size_t)o->orig_size, 0) != o->orig_hash)
			return fail(err, -EINVAL, "object %u: original's checksum mismatch", object);
		return 0;
	}
	if (artifact >= b->nr_artifacts || b->arts[artifact].object != object)
		return fail(err, -ERANGE, "no artifact %u of object %u in the bundle", artifact, object);
	r = &b->arts[artifact];
	if (r->size > size)
		return fail(err, -ENOSPC, "buffer of %zu bytes, the artifact needs %llu", size,
			    (unsigned long long)r->size);
	if (r->enc == CORELINK_BUNDLE_ENC_PATCH) {
		base = &b->arts[o->first]; /* a DELTA of the same size (checked at open), no chain */
		ret = apply_delta(data + base->data_off, base->data_size, orig, o->orig_size, buf,
				  r->size, o->first, err);
		if (!ret)
			ret = apply_patch(data + r->data_off, r->data_size, data + o->sites_off,
					  o->sites_size, buf, r->size, artifact, err);
	} else {
		ret = apply_delta(data + r->data_off, r->data_size, orig, o->orig_size, buf, r->size,
				  artifact, err);
	}
	if (ret)
		return ret;
	if (corelink_bundle_xxh64(buf, (size_t)r->size, 0) != r->hash)
		return fail(err, -EINVAL, "artifact %u: rebuilt bytes do not match its checksum", artifact);
	return 0;
}

int corelink_bundle_materialize(const struct corelink_bundle *b,
				const struct corelink_bundle_choice *c, void *buf, size_t size,
				struct corelink_bundle_err *err)
{
	if (c->how == CORELINK_BUNDLE_EXACT)
		return corelink_bundle_materialize_artifact(b, c->object, c->artifact, buf, size, err);
	if (c->how == CORELINK_BUNDLE_FALLBACK_BTF)
		return corelink_bundle_materialize_artifact(b, c->object, CORELINK_BUNDLE_NONE, buf, size,
							    err);
	return fail(err, -ENOENT, "nothing selected");
}
