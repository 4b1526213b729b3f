/* SPDX-License-Identifier: MIT */
/*
 * corelink bundle: one file holding, for each BPF object, the original CO-RE
 * object and its pre-relocated artifact for every kernel of a batch; and the
 * deploy runtime that picks and rebuilds the right one on the target host.
 *
 * This one header is both the format (BUNDLE_FORMAT.md says it in prose; the
 * constants and record layouts below are normative) and the runtime's API
 * (corelink_bundle.c: C99 + POSIX libc, nothing else; copy both files into a
 * loader, or link libcorelink-bundle.a, pkg-config corelink-bundle).
 *
 * Typical loader:
 *
 *     struct corelink_bundle *b;
 *     struct corelink_bundle_choice c;
 *     struct corelink_bundle_err err;
 *     if (corelink_bundle_open(app_bundle, sizeof(app_bundle), &b, &err) ||
 *         corelink_bundle_select(b, NULL, &c, &err))      // NULL query: this host
 *             die(err.msg);                                // no match names the nearest kernels
 *     void *buf = malloc(c.size);
 *     if (corelink_bundle_materialize(b, &c, buf, c.size, &err))
 *             die(err.msg);
 *     obj = bpf_object__open_mem(buf, c.size, NULL);       // c.how: EXACT or FALLBACK_BTF
 *
 * Conventions: 0 or a negative errno; one message in struct
 * corelink_bundle_err; the bundle's bytes are never written and never copied
 * (the handle points into them: keep them alive until corelink_bundle_close);
 * every length, offset, string and checksum is checked before use.
 */
#ifndef CORELINK_BUNDLE_H
#define CORELINK_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* The format (all integers little endian; see BUNDLE_FORMAT.md)       */
/* ------------------------------------------------------------------ */

#define CORELINK_BUNDLE_MAGIC "CLBUNDLE"   /* 8 bytes, no NUL */
#define CORELINK_BUNDLE_VERSION 3
#define CORELINK_BUNDLE_HEADER_LEN 32
#define CORELINK_BUNDLE_SECTION_LEN 16     /* one section table entry */
#define CORELINK_BUNDLE_ALIGN 8            /* sections and originals start 8-aligned */
#define CORELINK_BUNDLE_NONE 0xffffffffu   /* "no artifact" */
#define CORELINK_BUNDLE_MAX_RELEASE 255    /* bytes of a release string */

/*
 * Header, at offset 0 (32 bytes):
 *   0  u8  magic[8]        "CLBUNDLE"
 *   8  u32 version         3 (readers of version 3 refuse others: rebuild the bundle)
 *  12  u32 header_len      32 (readers of version 3 refuse anything else)
 *  16  u64 file_size       total bytes
 *  24  u64 checksum        XXH64 (seed 0) of the header and the section table,
 *                          with these 8 bytes counted as zero
 * Section table, at header_len: CORELINK_BUNDLE_NR_SECTIONS entries of 16
 * bytes, entry i for section id i + 1:
 *   0  u64 size
 *   8  u64 checksum        XXH64 (seed 0) of the section's bytes
 * A section's offset is not stored: the first starts after the table, each
 * next one at the first multiple of 8 after the previous one's end (zero
 * padding); the last one ends the file.
 *
 * Records are LEB128 varints (uvarint below) and fixed little-endian
 * integers; a reader decodes OBJECTS, ARTIFACTS and the kernel groups once
 * at open (a few dozen bytes of its own per record) and uses DATA, the BTF
 * hashes, notes and entries where they lie.
 */
enum corelink_bundle_section_id {
	CORELINK_BUNDLE_SEC_STRINGS = 1,   /* NUL-terminated strings; offset 0 is "" */
	CORELINK_BUNDLE_SEC_OBJECTS = 2,   /* object records */
	CORELINK_BUNDLE_SEC_ARTIFACTS = 3, /* artifact records */
	CORELINK_BUNDLE_SEC_KERNELS = 4,   /* the kernel table (columns, below) */
	CORELINK_BUNDLE_SEC_DATA = 5,      /* originals, site lists, deltas and patches */
	CORELINK_BUNDLE_NR_SECTIONS = 5,
};

/*
 * OBJECTS: uvarint nr_objects (< 65535), then per object, in the manifest's
 * order ((name, arch) unique), the section ending after the last:
 *   uvarint name           string: the object's file name
 *   uvarint arch           string: the arch it is built for ("" = every kernel)
 *   uvarint nr_artifacts   its artifacts follow the previous objects' (first =
 *                          the sum of theirs); the first is its base (a DELTA)
 *   uvarint entry_width    bytes of each of its kernel entries: 1, 2 or 4
 *   uvarint orig_size      the original CO-RE object (< 2^32)
 *   uvarint sites_size     its site list (see ENC_PATCH; 0 without artifacts)
 *   u64     orig_hash      XXH64 of the original object
 * ARTIFACTS: uvarint nr_artifacts (the objects' counts add up to it), then
 * per artifact, object by object, the section ending after the last:
 *   uvarint v              data_size << 1 | 1 for a PATCH, 0 for a DELTA
 *   uvarint size           DELTA only: bytes of the artifact (< 2^32); a
 *                          PATCH has its base's size
 *   uvarint unguarded      its POISONED entries' unguarded poisoned
 *                          relocations (a note overrides it for an entry)
 *   u64     hash           XXH64 of the artifact's bytes (checked after rebuilding)
 * DATA holds, per object in order: zero padding to a multiple of 8, the
 * original, its site list, then each of its artifacts' data in order; the
 * records' sizes place everything (no offsets are stored) and must add up to
 * DATA's size exactly.
 */
enum corelink_bundle_encoding {
	/*
	 * Copy/add delta against the object's original: ops until `size` bytes
	 * are out, then the data must end.  Each op: uvarint v; len = v >> 1
	 * (>= 1, <= bytes still to write); v & 1 == 0: COPY, then a zigzag
	 * svarint d, src = expect + d, copy original[src, src + len) (inside the
	 * original), expect = src + len (expect starts at 0); v & 1 == 1: ADD,
	 * len literal bytes follow.
	 */
	CORELINK_BUNDLE_ENC_DELTA = 1,
	/*
	 * The base artifact (same size) with some of the object's sites
	 * replaced.  The site list (object record): uvarint nr_sites, then per
	 * site uvarint gap, uvarint len (>= 1): the site starts gap bytes after
	 * the previous site's end (the first: after 0) and lies inside the base.
	 * A patch: a bitmap of (nr_sites + 7) / 8 bytes (bit i = byte i / 8, bit
	 * i % 8: site i replaced; bits past nr_sites 0), then the new bytes of
	 * each replaced site in order; the data must end there.
	 */
	CORELINK_BUNDLE_ENC_PATCH = 2,
};

/*
 * KERNELS: one table in columns, sorted by (distro, version, arch, release)
 * bytewise, strictly.  The section is exactly:
 *   uvarint nr_kernels, nr_groups (<= nr_kernels), nr_notes
 *   u32 btf_hash[nr_kernels]   low 32 bits of the manifest's btf_hash
 *                              (XXH3-64 of the kernel's BTF): informative
 *   groups[nr_groups]: uvarint distro, version, arch (strings), uvarint
 *      count (>= 1): the next count kernels have this identity; the groups'
 *      counts add up to nr_kernels
 *   notes[nr_notes], 12 bytes: u32 kernel, u32 object, u32 value; strictly
 *      ascending by (kernel, object); one for every ERROR entry (value: its
 *      message, a string), one for a POISONED entry whose unguarded poisoned
 *      relocations differ from its artifact's count (value: its count), none
 *      for others
 *   entries: for each object in order, nr_kernels codes of its
 *      entry_width bytes: code & 3 = CORELINK_BUNDLE_OK, GUARDED, POISONED:
 *      code >> 2 = the artifact, counted from the object's first; code & 3
 *      = 3: code >> 2 = 0 ERROR, 1 SKIPPED (the object is not for this
 *      kernel's arch); other codes are invalid
 *   releases, the rest of the section, front and back coded, per kernel:
 *      u8 prefix, u8 suffix, u8 len, len bytes (no NUL): the release is the
 *      previous kernel's first prefix bytes, the len bytes, then its last
 *      suffix bytes (prefix + suffix <= the previous one's length; the
 *      first kernel's previous is ""); at most 255 bytes, not empty
 */
#define CORELINK_BUNDLE_NOTE_LEN 12
enum corelink_bundle_status {
	CORELINK_BUNDLE_OK = 0,       /* every CO-RE relocation applied */
	CORELINK_BUNDLE_GUARDED = 1,  /* poisoned, every poison guarded (expected to load) */
	CORELINK_BUNDLE_POISONED = 2, /* some poison may be reached: the verifier may refuse it */
	CORELINK_BUNDLE_ERROR = 3,    /* no artifact: relocation failed for this kernel */
	CORELINK_BUNDLE_SKIPPED = 4,  /* no artifact: the object is built for another arch */
};

/* ------------------------------------------------------------------ */
/* The runtime (corelink_bundle.c)                                     */
/* ------------------------------------------------------------------ */

struct corelink_bundle_err {
	char msg[512];
};

struct corelink_bundle; /* opaque: an opened, checked bundle */

/*
 * Check the bundle at data (size bytes: header, section table, every
 * section's checksum, every record's references) and return a handle that
 * points into data (no copy; data must outlive the handle).  -EINVAL for
 * anything damaged (message says what), -ENOMEM.
 */
int corelink_bundle_open(const void *data, size_t size, struct corelink_bundle **out,
			 struct corelink_bundle_err *err);
/* The same for a file, mapped read-only (unmapped by corelink_bundle_close). */
int corelink_bundle_open_file(const char *path, struct corelink_bundle **out,
			      struct corelink_bundle_err *err);
void corelink_bundle_close(struct corelink_bundle *b); /* NULL-safe */

/* Counts. */
uint32_t corelink_bundle_nr_objects(const struct corelink_bundle *b);
uint32_t corelink_bundle_nr_kernels(const struct corelink_bundle *b);
uint32_t corelink_bundle_nr_artifacts(const struct corelink_bundle *b);

/* Borrowed strings point into the bundle's bytes. */
struct corelink_bundle_object {
	const char *name;
	const char *arch;             /* "" = built for every kernel */
	uint32_t base, first_artifact, nr_artifacts;
	uint64_t orig_size;
};
struct corelink_bundle_kernel {
	const char *distro, *version, *arch, *release;
	uint32_t btf_hash;            /* low 32 bits of the manifest's btf_hash */
};
struct corelink_bundle_entry {
	uint32_t artifact;            /* CORELINK_BUNDLE_NONE when status is ERROR or SKIPPED */
	enum corelink_bundle_status status;
	uint32_t unguarded;
	const char *message;          /* ERROR: why; else "" */
};
struct corelink_bundle_artifact {
	uint32_t object;
	enum corelink_bundle_encoding encoding;
	uint64_t size, hash, data_size;
	uint32_t unguarded;           /* of its POISONED entries (unless a note says otherwise) */
};
/* -ERANGE for an index out of range. */
int corelink_bundle_object(const struct corelink_bundle *b, uint32_t i,
			   struct corelink_bundle_object *o);
int corelink_bundle_kernel(const struct corelink_bundle *b, uint32_t i,
			   struct corelink_bundle_kernel *k);
int corelink_bundle_entry(const struct corelink_bundle *b, uint32_t kernel, uint32_t object,
			  struct corelink_bundle_entry *e);
int corelink_bundle_artifact(const struct corelink_bundle *b, uint32_t i,
			     struct corelink_bundle_artifact *a);
/*
 * Index of the object named name (exactly, or without ".o" / ".bpf.o"; NULL =
 * the bundle's only name) built for arch (x86_64 = amd64, aarch64 = arm64; an
 * object of arch "" fits every arch; NULL = any arch).  -ENOENT unknown, -ENXIO
 * no build for arch, -EINVAL ambiguous or NULL with several names.
 */
int corelink_bundle_find_object(const struct corelink_bundle *b, const char *name,
				const char *arch, uint32_t *index,
				struct corelink_bundle_err *err);

/*
 * What to select for.  NULL fields are this host's: release and arch from
 * uname(), distro and version from os-release ID and VERSION_ID.
 */
struct corelink_bundle_query {
	const char *object;      /* object name; NULL = the bundle's only name.  With one
				  * build per arch, the build for the query's arch */
	const char *release;     /* uname -r; matched exactly */
	const char *arch;        /* uname -m; x86_64 = amd64, aarch64 = arm64 */
	const char *distro;      /* os-release ID: narrows several matches */
	const char *version;     /* os-release VERSION_ID: likewise */
	const char *os_release;  /* NULL = /etc/os-release, then /usr/lib/os-release */
	const char *btf_path;    /* NULL = /sys/kernel/btf/vmlinux; "" = never fall back; an
				  * empty file counts as absent */
};

enum corelink_bundle_how {
	CORELINK_BUNDLE_NO_MATCH = 0,     /* nothing fits: see nearest[] and the message */
	CORELINK_BUNDLE_EXACT = 1,        /* a kernel of the bundle: its pre-relocated artifact */
	CORELINK_BUNDLE_FALLBACK_BTF = 2, /* not in the bundle, but the host has kernel BTF:
					   * the original CO-RE object (libbpf relocates it) */
};
const char *corelink_bundle_how_str(enum corelink_bundle_how how);
const char *corelink_bundle_status_str(enum corelink_bundle_status s);

#define CORELINK_BUNDLE_MAX_NEAREST 3
struct corelink_bundle_choice {
	enum corelink_bundle_how how;
	uint32_t object;       /* object index */
	uint32_t kernel;       /* EXACT: kernel index; else CORELINK_BUNDLE_NONE */
	uint32_t artifact;     /* EXACT: artifact index; else CORELINK_BUNDLE_NONE */
	uint64_t size;         /* bytes corelink_bundle_materialize() writes */
	enum corelink_bundle_status status;  /* EXACT: the entry's status */
	uint32_t unguarded;    /* EXACT: its unguarded poisoned relocations */
	uint32_t nearest[CORELINK_BUNDLE_MAX_NEAREST]; /* NO_MATCH: closest kernels */
	uint32_t nr_nearest;
	/* The host identity used (the query's, or detected). */
	char release[256], arch[64], distro[64], version[64];
};

/*
 * Select the object's bytes for the query (NULL = this host, only object):
 *  0. the object: its name and the query's arch (one build per arch).
 *  1. kernels whose release equals the query's and whose arch matches
 *     (x86_64 = amd64, aarch64 = arm64); several: keep those of the query's
 *     distro (when that leaves any), then version; still several with
 *     different artifacts: -ENOTUNIQ.  One (or all the same): EXACT.
 *     An ERROR entry there: -ENOEXEC with the bundle's message.
 *  2. none, and btf_path is a non-empty file: FALLBACK_BTF (the original object).
 *  3. none: -ENOENT, how = NO_MATCH, nearest[] = up to 3 kernels of the same
 *     distro, version and arch (else the same arch), closest release first;
 *     the message names them.
 * -EINVAL for an unknown object, -ENXIO when it has no build for the arch.
 */
int corelink_bundle_select(const struct corelink_bundle *b, const struct corelink_bundle_query *q,
			   struct corelink_bundle_choice *c, struct corelink_bundle_err *err);

/*
 * Write the chosen bytes (c->size of them) into buf (size >= c->size; the
 * caller owns it): the artifact rebuilt from its delta (and patch)
 * and checked against its hash, or the original object.  Nothing else is
 * allocated.  -EINVAL for damaged data (buf's contents are then undefined),
 * -ENOSPC when size is too small.
 */
int corelink_bundle_materialize(const struct corelink_bundle *b,
				const struct corelink_bundle_choice *c, void *buf, size_t size,
				struct corelink_bundle_err *err);
/* The same for one artifact, or (CORELINK_BUNDLE_NONE) for the original of `object`. */
int corelink_bundle_materialize_artifact(const struct corelink_bundle *b, uint32_t object,
					 uint32_t artifact, void *buf, size_t size,
					 struct corelink_bundle_err *err);

/* XXH64 as the format uses it (exposed for writers and tests). */
uint64_t corelink_bundle_xxh64(const void *data, size_t len, uint64_t seed);

#ifdef __cplusplus
}
#endif
#endif /* CORELINK_BUNDLE_H */
