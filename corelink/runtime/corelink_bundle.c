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

struct corelink_bundle {
	const uint8_t *data;
	uint64_t size;
	void *map;           /* corelink_bundle_open_file(): munmap() on close */
	size_t map_size;
	const uint8_t *sec[CORELINK_BUNDLE_NR_SECTIONS + 1];  /* by id */
	uint64_t sec_size[CORELINK_BUNDLE_NR_SECTIONS + 1];
	uint32_t nr_objects, nr_artifacts, nr_kernels, nr_groups, nr_notes;
	/* the kernel table's columns (inside KERNELS) */
	const uint8_t *hashes, *groups, *notes;
	const uint8_t **entries;  /* per object: its column of codes */
	/* decoded at open: per kernel its group and its release (rel_text + rel_off) */
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

static uint32_t le16(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static const char *sec_name(uint32_t id)
{
	static const char *const names[] = { "?", "STRINGS", "OBJECTS", "ARTIFACTS", "KERNELS",
					     "DATA" };
	return id <= CORELINK_BUNDLE_NR_SECTIONS ? names[id] : "?";
}

/* The string at off, or NULL if it is not a NUL-terminated string inside STRINGS. */
static const char *str_at(const struct corelink_bundle *b, uint32_t off)
{
	const uint8_t *s = b->sec[CORELINK_BUNDLE_SEC_STRINGS];
	uint64_t n = b->sec_size[CORELINK_BUNDLE_SEC_STRINGS];

	if (off >= n || !memchr(s + off, 0, (size_t)(n - off)))
		return NULL;
	return (const char *)s + off;
}

static const uint8_t *obj_rec(const struct corelink_bundle *b, uint32_t i)
{
	return b->sec[CORELINK_BUNDLE_SEC_OBJECTS] + (uint64_t)i * CORELINK_BUNDLE_OBJECT_LEN;
}

static const uint8_t *art_rec(const struct corelink_bundle *b, uint32_t i)
{
	return b->sec[CORELINK_BUNDLE_SEC_ARTIFACTS] + (uint64_t)i * CORELINK_BUNDLE_ARTIFACT_LEN;
}

/* The entry code of (kernel, object), of the object's width. */
static uint32_t entry_code(const struct corelink_bundle *b, uint32_t kernel, uint32_t object)
{
	uint32_t w = le32(obj_rec(b, object) + 20);
	const uint8_t *p = b->entries[object] + (uint64_t)kernel * w;

	return w == 1 ? p[0] : w == 2 ? le16(p) : le32(p);
}

/* [off, off + len) inside DATA? */
static int data_range_ok(const struct corelink_bundle *b, uint64_t off, uint64_t len)
{
	uint64_t n = b->sec_size[CORELINK_BUNDLE_SEC_DATA];

	return off <= n && len <= n - off;
}

static int check_header(struct corelink_bundle *b, struct corelink_bundle_err *err)
{
	const uint8_t *d = b->data;
	uint64_t file_size, table_end, prev_end, h;
	uint32_t i;

	if (b->size < 16 || memcmp(d, CORELINK_BUNDLE_MAGIC, 8))
		return fail(err, -EINVAL, "not a corelink bundle (bad magic)");
	if (le32(d + 8) != CORELINK_BUNDLE_VERSION)
		return fail(err, -EINVAL, "bundle version %u not supported (this runtime reads %d)",
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

	prev_end = table_end;
	for (i = 0; i < CORELINK_BUNDLE_NR_SECTIONS; i++) {
		const uint8_t *e = d + CORELINK_BUNDLE_HEADER_LEN + (uint64_t)i * CORELINK_BUNDLE_SECTION_LEN;
		uint32_t id = i + 1;
		uint64_t off = le64(e), size = le64(e + 8);

		if (off % CORELINK_BUNDLE_ALIGN || off < prev_end || off > b->size ||
		    size > b->size - off)
			return fail(err, -EINVAL,
				    "bundle section %s: offset %llu size %llu outside the file or overlapping",
				    sec_name(id), (unsigned long long)off, (unsigned long long)size);
		if (corelink_bundle_xxh64(d + off, (size_t)size, 0) != le64(e + 16))
			return fail(err, -EINVAL, "bundle section %s checksum mismatch", sec_name(id));
		b->sec[id] = d + off;
		b->sec_size[id] = size;
		prev_end = off + size;
	}
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

static int check_sites(const struct corelink_bundle *b, uint32_t obj, const uint8_t *o,
		       struct corelink_bundle_err *err)
{
	struct sites_walk w;
	uint64_t size = le32(o + 16) ? le32(art_rec(b, le32(o + 8)) + 8) : 0, off, len;
	int r;

	if (!data_range_ok(b, le64(o + 48), le64(o + 56)))
		return fail(err, -EINVAL, "bundle object %u: bad record", obj);
	if (!le64(o + 56))
		return 0; /* no sites */
	if (sites_begin(&w, b->sec[CORELINK_BUNDLE_SEC_DATA] + le64(o + 48), le64(o + 56)))
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

static int check_kernels(struct corelink_bundle *b, struct corelink_bundle_err *err)
{
	const uint8_t *s = b->sec[CORELINK_BUNDLE_SEC_KERNELS];
	uint64_t n = b->sec_size[CORELINK_BUNDLE_SEC_KERNELS], need, k, off, rel_size;
	uint32_t i, j, g;

	if (n < CORELINK_BUNDLE_KERNELS_HEAD)
		return fail(err, -EINVAL, "bundle KERNELS section truncated");
	b->nr_kernels = le32(s);
	b->nr_groups = le32(s + 4);
	b->nr_notes = le32(s + 8);
	rel_size = le32(s + 12);
	/* every column's size, in 64 bits (each count < 2^32, widths <= 4) */
	need = CORELINK_BUNDLE_KERNELS_HEAD + 4 * (uint64_t)b->nr_kernels +
	       CORELINK_BUNDLE_GROUP_LEN * (uint64_t)b->nr_groups +
	       CORELINK_BUNDLE_NOTE_LEN * (uint64_t)b->nr_notes + rel_size;
	for (j = 0; j < b->nr_objects; j++)
		need += (uint64_t)le32(obj_rec(b, j) + 20) * b->nr_kernels;
	if (need != n)
		return fail(err, -EINVAL, "bundle KERNELS section is %llu bytes, its columns %llu",
			    (unsigned long long)n, (unsigned long long)need);
	b->hashes = s + CORELINK_BUNDLE_KERNELS_HEAD;
	b->groups = b->hashes + 4 * (uint64_t)b->nr_kernels;
	b->notes = b->groups + CORELINK_BUNDLE_GROUP_LEN * (uint64_t)b->nr_groups;
	off = (uint64_t)(b->notes - s) + CORELINK_BUNDLE_NOTE_LEN * (uint64_t)b->nr_notes;
	b->entries = calloc(b->nr_objects ? b->nr_objects : 1, sizeof(*b->entries));
	b->kgroup = calloc(b->nr_kernels ? b->nr_kernels : 1, sizeof(*b->kgroup));
	b->rel_off = calloc(b->nr_kernels ? b->nr_kernels : 1, sizeof(*b->rel_off));
	if (!b->entries || !b->kgroup || !b->rel_off)
		return fail(err, -ENOMEM, "out of memory");
	for (j = 0; j < b->nr_objects; j++) {
		b->entries[j] = s + off;
		off += (uint64_t)le32(obj_rec(b, j) + 20) * b->nr_kernels;
	}
	/* groups: strings, counts adding up to nr_kernels */
	for (g = 0, k = 0; g < b->nr_groups; g++) {
		const uint8_t *r = b->groups + (uint64_t)g * CORELINK_BUNDLE_GROUP_LEN;
		uint32_t cnt = le32(r + 12);

		for (i = 0; i < 3; i++)
			if (!str_at(b, le32(r + 4 * i)))
				return fail(err, -EINVAL, "bundle kernel group %u: bad string reference", g);
		if (!cnt || cnt > b->nr_kernels - k)
			return fail(err, -EINVAL, "bundle kernel group %u: %u kernels, past the table", g, cnt);
		for (i = 0; i < cnt; i++)
			b->kgroup[k + i] = g;
		k += cnt;
	}
	if (k != b->nr_kernels)
		return fail(err, -EINVAL, "bundle kernel groups hold %llu kernels, the table %u",
			    (unsigned long long)k, b->nr_kernels);
	/* notes: in range, strictly ascending */
	for (i = 0; i < b->nr_notes; i++) {
		const uint8_t *r = b->notes + (uint64_t)i * CORELINK_BUNDLE_NOTE_LEN;

		if (le32(r) >= b->nr_kernels || le32(r + 4) >= b->nr_objects ||
		    (i && (le32(r) < le32(r - 12) || (le32(r) == le32(r - 12) && le32(r + 4) <= le32(r - 8)))))
			return fail(err, -EINVAL, "bundle note %u: out of range or out of order", i);
	}
	/* entries: known codes, their own object's artifacts, a note exactly where one is due */
	for (j = 0, i = 0; j < b->nr_objects; j++) {
		const uint8_t *o = obj_rec(b, j);

		for (k = 0; k < b->nr_kernels; k++) {
			uint32_t code = entry_code(b, (uint32_t)k, j), st = code & 3, v = code >> 2;
			int noted = 0;
			uint32_t lo;

			if (st == 3 ? v > 1 : v >= le32(o + 16))
				return fail(err, -EINVAL, "bundle kernel %llu object %u: bad entry",
					    (unsigned long long)k, j);
			lo = note_index(b, (uint32_t)k, j);
			if (lo < b->nr_notes) {
				const uint8_t *r = b->notes + (uint64_t)lo * CORELINK_BUNDLE_NOTE_LEN;

				noted = le32(r) == k && le32(r + 4) == j;
				if (noted && st == 3 && !v && !str_at(b, le32(r + 8)))
					return fail(err, -EINVAL, "bundle note %u: bad string reference", lo);
			}
			/* ERROR: always; POISONED: may override its artifact's count; others: never */
			if (st == 3 && !v ? !noted : noted && st != CORELINK_BUNDLE_POISONED)
				return fail(err, -EINVAL, "bundle kernel %llu object %u: %s note",
					    (unsigned long long)k, j, noted ? "unexpected" : "missing");
			i += noted;
		}
	}
	if (i != b->nr_notes)
		return fail(err, -EINVAL, "bundle: %u notes, %u entries have one", b->nr_notes, i);
	return decode_releases(b, s + off, rel_size, err);
}

static int check_tables(struct corelink_bundle *b, struct corelink_bundle_err *err)
{
	uint64_t n;
	uint32_t i;
	int ret;

	if (b->sec_size[CORELINK_BUNDLE_SEC_STRINGS] == 0 || b->sec[CORELINK_BUNDLE_SEC_STRINGS][0])
		return fail(err, -EINVAL, "bundle string table does not start with \"\"");
	n = b->sec_size[CORELINK_BUNDLE_SEC_OBJECTS];
	if (n % CORELINK_BUNDLE_OBJECT_LEN || n / CORELINK_BUNDLE_OBJECT_LEN > 0xfffe)
		return fail(err, -EINVAL, "bundle OBJECTS size %llu is not a whole number of records",
			    (unsigned long long)n);
	b->nr_objects = (uint32_t)(n / CORELINK_BUNDLE_OBJECT_LEN);
	n = b->sec_size[CORELINK_BUNDLE_SEC_ARTIFACTS];
	if (n % CORELINK_BUNDLE_ARTIFACT_LEN)
		return fail(err, -EINVAL, "bundle ARTIFACTS size %llu is not a whole number of records",
			    (unsigned long long)n);
	b->nr_artifacts = (uint32_t)(n / CORELINK_BUNDLE_ARTIFACT_LEN);

	for (i = 0; i < b->nr_objects; i++) {
		const uint8_t *r = obj_rec(b, i);
		uint32_t base = le32(r + 8), first = le32(r + 12), nr = le32(r + 16), w = le32(r + 20);

		if (!str_at(b, le32(r)) || !str_at(b, le32(r + 4)) ||
		    !data_range_ok(b, le64(r + 24), le64(r + 32)) ||
		    first > b->nr_artifacts || nr > b->nr_artifacts - first ||
		    (w != 1 && w != 2 && w != 4) ||
		    (nr ? base < first || base - first >= nr : base != CORELINK_BUNDLE_NONE))
			return fail(err, -EINVAL, "bundle object %u: bad record", i);
		if (nr && le16(art_rec(b, base) + 4) != CORELINK_BUNDLE_ENC_DELTA)
			return fail(err, -EINVAL, "bundle object %u: base artifact %u is not a delta", i,
				    base);
	}
	for (i = 0; i < b->nr_artifacts; i++) {
		const uint8_t *r = art_rec(b, i), *o;
		uint32_t obj = le32(r), enc = le16(r + 4);

		if (obj >= b->nr_objects || !data_range_ok(b, le64(r + 16), le32(r + 12)) ||
		    (enc != CORELINK_BUNDLE_ENC_DELTA && enc != CORELINK_BUNDLE_ENC_PATCH))
			return fail(err, -EINVAL, "bundle artifact %u: bad record", i);
		o = obj_rec(b, obj);
		if (i < le32(o + 12) || i - le32(o + 12) >= le32(o + 16))
			return fail(err, -EINVAL, "bundle artifact %u: not among its object's artifacts", i);
		if (enc == CORELINK_BUNDLE_ENC_PATCH && le32(r + 8) != le32(art_rec(b, le32(o + 8)) + 8))
			return fail(err, -EINVAL, "bundle artifact %u: patch size differs from its base", i);
	}
	for (i = 0; i < b->nr_objects; i++)
		if ((ret = check_sites(b, i, obj_rec(b, i), err)))
			return ret;
	return check_kernels(b, err);
}

static void bundle_free(struct corelink_bundle *b)
{
	free(b->entries);
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
	const uint8_t *r;

	if (i >= b->nr_objects)
		return -ERANGE;
	r = obj_rec(b, i);
	o->name = str_at(b, le32(r));
	o->arch = str_at(b, le32(r + 4));
	o->base = le32(r + 8);
	o->first_artifact = le32(r + 12);
	o->nr_artifacts = le32(r + 16);
	o->orig_size = le64(r + 32);
	return 0;
}

int corelink_bundle_kernel(const struct corelink_bundle *b, uint32_t i,
			   struct corelink_bundle_kernel *k)
{
	const uint8_t *g;

	if (i >= b->nr_kernels)
		return -ERANGE;
	g = b->groups + (uint64_t)b->kgroup[i] * CORELINK_BUNDLE_GROUP_LEN;
	k->distro = str_at(b, le32(g));
	k->version = str_at(b, le32(g + 4));
	k->arch = str_at(b, le32(g + 8));
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
	e->artifact = le32(obj_rec(b, object) + 12) + (code >> 2);
	if (e->status == CORELINK_BUNDLE_POISONED) {
		uint32_t i = note_index(b, kernel, object);
		const uint8_t *r = b->notes + (uint64_t)i * CORELINK_BUNDLE_NOTE_LEN;

		e->unguarded = i < b->nr_notes && le32(r) == kernel && le32(r + 4) == object
			       ? le32(r + 8) : le16(art_rec(b, e->artifact) + 6);
	}
	return 0;
}

int corelink_bundle_artifact(const struct corelink_bundle *b, uint32_t i,
			     struct corelink_bundle_artifact *a)
{
	const uint8_t *r;

	if (i >= b->nr_artifacts)
		return -ERANGE;
	r = art_rec(b, i);
	a->object = le32(r);
	a->encoding = (enum corelink_bundle_encoding)le16(r + 4);
	a->unguarded = le16(r + 6);
	a->size = le32(r + 8);
	a->data_size = le32(r + 12);
	a->hash = le64(r + 24);
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
	const char *o = str_at(b, le32(obj_rec(b, i)));
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
		name = first = str_at(b, le32(obj_rec(b, 0)));
		for (i = 1; i < b->nr_objects; i++)
			if (strcmp(str_at(b, le32(obj_rec(b, i))), first))
				return fail(err, -EINVAL, "the bundle holds several objects: name one");
	}
	for (exact = 1; exact >= 0 && !nr; exact--) {
		first = NULL;
		for (i = 0; i < b->nr_objects; i++) {
			if (!name_is(b, i, name, exact))
				continue;
			if (first && strcmp(first, str_at(b, le32(obj_rec(b, i)))))
				return fail(err, -EINVAL, "object '%s' is ambiguous", name);
			first = str_at(b, le32(obj_rec(b, i)));
			nr++;
		}
	}
	if (!nr)
		return fail(err, -ENOENT, "no object '%s' in the bundle", name);
	/* the build for arch */
	for (i = 0; i < b->nr_objects; i++) {
		const char *a = str_at(b, le32(obj_rec(b, i) + 4));
		int n;

		if (strcmp(str_at(b, le32(obj_rec(b, i))), first))
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
	c->size = le32(art_rec(b, e.artifact) + 8);
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
	const uint8_t *data = b->sec[CORELINK_BUNDLE_SEC_DATA], *o, *r, *base;
	const uint8_t *orig;
	uint64_t olen, asize;
	int ret;

	if (object >= b->nr_objects)
		return fail(err, -ERANGE, "no object %u in the bundle", object);
	o = obj_rec(b, object);
	orig = data + le64(o + 24);
	olen = le64(o + 32);
	if (artifact == CORELINK_BUNDLE_NONE) {
		if (olen > size)
			return fail(err, -ENOSPC, "buffer of %zu bytes, the object needs %llu", size,
				    (unsigned long long)olen);
		memcpy(buf, orig, (size_t)olen);
		if (corelink_bundle_xxh64(buf, (size_t)olen, 0) != le64(o + 40))
			return fail(err, -EINVAL, "object %u: original's checksum mismatch", object);
		return 0;
	}
	if (artifact >= b->nr_artifacts || le32(art_rec(b, artifact)) != object)
		return fail(err, -ERANGE, "no artifact %u of object %u in the bundle", artifact, object);
	r = art_rec(b, artifact);
	asize = le32(r + 8);
	if (asize > size)
		return fail(err, -ENOSPC, "buffer of %zu bytes, the artifact needs %llu", size,
			    (unsigned long long)asize);
	if (le16(r + 4) == CORELINK_BUNDLE_ENC_PATCH) {
		base = art_rec(b, le32(o + 8)); /* a DELTA of the same size (checked at open), no chain */
		ret = apply_delta(data + le64(base + 16), le32(base + 12), orig, olen, buf, asize,
				  le32(o + 8), err);
		if (!ret)
			ret = apply_patch(data + le64(r + 16), le32(r + 12), data + le64(o + 48),
					  le64(o + 56), buf, asize, artifact, err);
	} else {
		ret = apply_delta(data + le64(r + 16), le32(r + 12), orig, olen, buf, asize, artifact, err);
	}
	if (ret)
		return ret;
	if (corelink_bundle_xxh64(buf, (size_t)asize, 0) != le64(r + 24))
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
