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
#define CORELINK_BUNDLE_VERSION 1
#define CORELINK_BUNDLE_HEADER_LEN 64
#define CORELINK_BUNDLE_SECTION_LEN 32     /* one section table entry */
#define CORELINK_BUNDLE_ALIGN 8            /* every section starts 8-aligned */
#define CORELINK_BUNDLE_NONE 0xffffffffu   /* "no artifact" */

/*
 * Header, at offset 0 (64 bytes):
 *   0  u8  magic[8]        "CLBUNDLE"
 *   8  u32 version         1
 *  12  u32 header_len      64 (readers of version 1 refuse anything else)
 *  16  u64 file_size       total bytes
 *  24  u32 nr_sections     5 in version 1
 *  28  u32 flags           0
 *  32  u64 reserved[3]     0
 *  56  u64 checksum        XXH64 (seed 0) of the header and the section table,
 *                          with these 8 bytes counted as zero
 * Section table, at header_len: nr_sections entries of 32 bytes:
 *   0  u32 id              CORELINK_BUNDLE_SEC_*, ascending, each once
 *   4  u32 flags           0
 *   8  u64 offset          8-aligned, after the table, ascending, no overlap
 *  16  u64 size
 *  24  u64 checksum        XXH64 (seed 0) of the section's bytes
 */
enum corelink_bundle_section_id {
	CORELINK_BUNDLE_SEC_STRINGS = 1,   /* NUL-terminated strings; offset 0 is "" */
	CORELINK_BUNDLE_SEC_OBJECTS = 2,   /* object records (40 bytes) */
	CORELINK_BUNDLE_SEC_ARTIFACTS = 3, /* artifact records (48 bytes) */
	CORELINK_BUNDLE_SEC_KERNELS = 4,   /* kernel records (24 + 12 * nr_objects bytes) */
	CORELINK_BUNDLE_SEC_DATA = 5,      /* original objects, deltas and patch lists */
	CORELINK_BUNDLE_NR_SECTIONS = 5,
};

/*
 * Object record (40 bytes):
 *   0  u32 name            string offset: the object's file name
 *   4  u32 base            artifact index of the base artifact (encoding DELTA)
 *   8  u32 first_artifact  the object's artifacts are [first, first + nr)
 *  12  u32 nr_artifacts
 *  16  u64 orig_offset     the original CO-RE object, in DATA
 *  24  u64 orig_size
 *  32  u64 orig_hash       XXH64 of the original object
 */
#define CORELINK_BUNDLE_OBJECT_LEN 40

/*
 * Artifact record (48 bytes):
 *   0  u32 object          index of its object
 *   4  u32 encoding        CORELINK_BUNDLE_ENC_*
 *   8  u64 size            bytes of the artifact
 *  16  u64 hash            XXH64 of the artifact's bytes (checked after rebuilding)
 *  24  u64 data_offset     its delta or patch list, in DATA
 *  32  u64 data_size
 *  40  u8  name[8]         first 8 bytes of the manifest's XXH3-128 name (informative)
 */
#define CORELINK_BUNDLE_ARTIFACT_LEN 48
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
	 * Patch runs against the object's base artifact (same size): uvarint
	 * nr_runs, then per run uvarint offset, uvarint len (>= 1), len bytes.
	 * A run starts at or after the end of the previous one (no overlap, no
	 * going back) and ends inside the artifact; the data must end after the
	 * last run.
	 */
	CORELINK_BUNDLE_ENC_PATCH = 2,
};

/*
 * Kernel record (24 + 12 * nr_objects bytes), sorted by (distro, version,
 * arch, release) bytewise:
 *   0  u32 distro, version, arch, release   string offsets ("" when unknown)
 *  16  u64 btf_hash        XXH3-64 of the kernel's BTF, as in the manifest
 *  24  entries[nr_objects], one per object, 12 bytes each:
 *        0 u32 artifact    artifact index (CORELINK_BUNDLE_NONE for ERROR)
 *        4 u32 message     string offset: the error (ERROR), else 0
 *        8 u16 status      CORELINK_BUNDLE_*_STATUS
 *       10 u16 unguarded   poisoned relocations not seen as guarded (saturates)
 */
#define CORELINK_BUNDLE_KERNEL_LEN 24
#define CORELINK_BUNDLE_ENTRY_LEN 12
enum corelink_bundle_status {
	CORELINK_BUNDLE_OK = 0,       /* every CO-RE relocation applied */
	CORELINK_BUNDLE_GUARDED = 1,  /* poisoned, every poison guarded (expected to load) */
	CORELINK_BUNDLE_POISONED = 2, /* some poison may be reached: the verifier may refuse it */
	CORELINK_BUNDLE_ERROR = 3,    /* no artifact: relocation failed for this kernel */
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
	uint32_t base, first_artifact, nr_artifacts;
	uint64_t orig_size;
};
struct corelink_bundle_kernel {
	const char *distro, *version, *arch, *release;
	uint64_t btf_hash;
};
struct corelink_bundle_entry {
	uint32_t artifact;            /* CORELINK_BUNDLE_NONE when status is ERROR */
	enum corelink_bundle_status status;
	uint32_t unguarded;
	const char *message;          /* ERROR: why; else "" */
};
struct corelink_bundle_artifact {
	uint32_t object;
	enum corelink_bundle_encoding encoding;
	uint64_t size, hash, data_size;
	uint8_t name[8];
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
/* Index of the object named name (exactly, or without ".o" / ".bpf.o"); NULL = the
 * only object.  -ENOENT unknown, -EINVAL ambiguous or NULL with several objects. */
int corelink_bundle_find_object(const struct corelink_bundle *b, const char *name,
				uint32_t *index, struct corelink_bundle_err *err);

/*
 * What to select for.  NULL fields are this host's: release and arch from
 * uname(), distro and version from os-release ID and VERSION_ID.
 */
struct corelink_bundle_query {
	const char *object;      /* object name; NULL = the bundle's only object (or builds) */
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
 *  1. kernels whose release equals the query's and whose arch matches
 *     (x86_64 = amd64, aarch64 = arm64); several: keep those of the query's
 *     distro (when that leaves any), then version; still several with
 *     different artifacts: -ENOTUNIQ.  One (or all the same): EXACT.
 *     An ERROR entry there: -ENOEXEC with the bundle's message.
 *  2. none, and btf_path is a non-empty file: FALLBACK_BTF (the original object).
 *  3. none: -ENOENT, how = NO_MATCH, nearest[] = up to 3 kernels of the same
 *     distro, version and arch (else the same arch), closest release first;
 *     the message names them.
 * -EINVAL for an unknown object.  An object built for several architectures
 * is stored once per arch as "NAME@ARCH": NAME (or NULL, when those are the
 * bundle's only objects) selects the build for the query's arch; -ENXIO when
 * there is none.
 */
int corelink_bundle_select(const struct corelink_bundle *b, const struct corelink_bundle_query *q,
			   struct corelink_bundle_choice *c, struct corelink_bundle_err *err);

/*
 * Write the chosen bytes (c->size of them) into buf (size >= c->size; the
 * caller owns it): the artifact rebuilt from its delta (and patch runs)
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
