/* SPDX-License-Identifier: MIT */
/*
 * btfdb/btf: BTF parsing and validation, per-kind type access, sources (raw
 * BTF, ELF .BTF, .btf.tar.xz), errors.  The layers above it: the name index
 * (btfdb_index.h) and the multi-kernel database (btfdb_db.h).
 *
 * Conventions
 *  - Every function that can fail returns 0 (or a count) on success and a
 *    negative errno on failure, and then fills *err with one clear message.
 *    err may be NULL.  Library code never prints and never exits.
 *  - New handles come back through an out-parameter; each handle has one
 *    NULL-safe *_free().  Pointers returned by getters are borrowed and stay
 *    valid until the handle they came from is freed.
 *  - Types are the kernel's UAPI structs from <linux/btf.h>, always in host
 *    byte order (a byte-swapped blob is converted on load; the original
 *    bytes are kept for hashing and extraction).
 */
#ifndef BTFDB_H
#define BTFDB_H

#include <linux/btf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BTFDB_VERSION_STRING "0.1.0"

/* One message describing the first failure; filled where the failure is found. */
struct btfdb_err {
	char msg[512];
};

/* printf-style; NULL-safe; keeps the first message if one is set already. */
void btfdb_err_set(struct btfdb_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Prefix an existing message with context ("file.o: ..."). NULL-safe. */
void btfdb_err_prefix(struct btfdb_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ------------------------------------------------------------------ */
/* Parsed BTF                                                          */
/* ------------------------------------------------------------------ */

struct btfdb_btf;

/*
 * Parse and fully validate a raw BTF blob (magic 0xeb9f, either byte order).
 * The data is copied. base != NULL parses split BTF on top of base (ids and
 * string offsets continue after base's); base must outlive the result.
 * Validation: header/section bounds, every string offset inside the string
 * section and NUL-terminated, every type id reference < type count, known
 * kinds only, per-kind vlen/size sanity, no reference cycles that do not
 * pass through a struct/union/func_proto member or pointer.
 */
int btfdb_btf_parse(const void *data, size_t size, const struct btfdb_btf *base,
		    struct btfdb_btf **out, struct btfdb_err *err);

/*
 * Load the BTF of a kernel or object from a file, detecting the format from
 * the content: raw BTF, an ELF file with a .BTF section (vmlinux, BPF
 * object), or an xz tar archive (BTFHub .btf.tar.xz; exactly one regular
 * member, read in memory).  A btfdb database is not accepted here.
 * A raw BTF file is mmap()ed and parsed in place (no copy): the file must not
 * be truncated while the handle lives; btfdb_btf_raw() returns the mapping.
 * libarchive is loaded (dlopen) on the first .tar.xz only.
 */
int btfdb_btf_load(const char *path, struct btfdb_btf **out, struct btfdb_err *err);
/* The same from a buffer already in memory (name is used in messages). */
int btfdb_btf_load_mem(const void *data, size_t size, const char *name,
		       struct btfdb_btf **out, struct btfdb_err *err);

/*
 * BTFDB_LOAD_LAZY: check at load only what finding any type relies on (the
 * header, the string section, and every record's kind and size); a type is
 * checked in full (name, vlen, size, members, parameters, enumerators,
 * referenced ids, ...) together with everything it contains by value,
 * reference cycles included, when btfdb_btf_type() first returns it.  A type
 * that fails gives NULL, and btfdb_btf_error() says why.  What is returned
 * is as checked as after a full parse; damage in types never asked for goes
 * unnoticed.  On a 5 MB vmlinux BTF this loads ~4x faster.  Like every
 * handle, use it from one thread at a time.
 */
#define BTFDB_LOAD_LAZY 1u
/*
 * BTFDB_LOAD_KERNEL_RULES: also every rule of the kernel's BTF verifier
 * (kernel/bpf/btf.c) on each type checked, with the kernel's reason in the
 * message: a BTF the kernel would refuse is bad input.  For a kernel's
 * (target) BTF only: a BPF object's own .BTF is not verified by libbpf
 * (it sanitizes it), and compilers emit records the kernel rejects there
 * (GCC 12: FUNC without a name, SIGNED|CHAR ints, ...).
 */
#define BTFDB_LOAD_KERNEL_RULES 2u
int btfdb_btf_load_flags(const char *path, unsigned int flags, struct btfdb_btf **out,
			 struct btfdb_err *err);
int btfdb_btf_load_mem_flags(const void *data, size_t size, const char *name, unsigned int flags,
			     struct btfdb_btf **out, struct btfdb_err *err);
/* Why an accessor of a lazily checked or database handle returned NULL
 * (the first such failure), or NULL when none did. */
const char *btfdb_btf_error(const struct btfdb_btf *btf);

void btfdb_btf_free(struct btfdb_btf *btf);

/* Number of type ids including id 0 (void) and, for split BTF, base's. */
uint32_t btfdb_btf_type_cnt(const struct btfdb_btf *btf);
/* First id of this BTF's own types (1, or base's type_cnt for split BTF). */
uint32_t btfdb_btf_start_id(const struct btfdb_btf *btf);
/* Type by id; id 0 yields a static all-zero "void" type; NULL if out of range. */
const struct btf_type *btfdb_btf_type(const struct btfdb_btf *btf, uint32_t id);
/* String at offset; NULL if out of range. */
const char *btfdb_btf_str(const struct btfdb_btf *btf, uint32_t off);
/* Name of type id ("" when anonymous, NULL if id out of range). */
const char *btfdb_btf_name(const struct btfdb_btf *btf, uint32_t id);
/* True when the source blob was big-endian. */
bool btfdb_btf_big_endian(const struct btfdb_btf *btf);
/* The original blob bytes, exactly as read (for hashing and extraction). */
const void *btfdb_btf_raw(const struct btfdb_btf *btf, size_t *size);
/* XXH3-64 of the original blob (computed once). */
uint64_t btfdb_btf_hash(const struct btfdb_btf *btf);
/* Pointer size guessed like libbpf: from a 4/8-byte int named like "long"; default 8. */
int btfdb_btf_ptr_size(const struct btfdb_btf *btf);
/* Force the pointer size (4 or 8), like libbpf's btf__set_pointer_size(). */
void btfdb_btf_set_ptr_size(struct btfdb_btf *btf, int size);

/* ------------------------------------------------------------------ */
/* Per-kind access (btf_type.c).  All take host-order types.           */
/* ------------------------------------------------------------------ */

/* Kind in info bits 24-30 and vlen in bits 0-23: the widths of the extended BTF format
 * (kernels after 6.18; <linux/btf.h> of older kernels masks 5 and 16 bits, whose unused
 * bits are zero in their BTF).  A kind above BTF_KIND_MAX is a record btfdb can skip
 * only through the blob's layout section (btf_layout.c). */
#define BTFDB_INFO_KIND(info) (((info) >> 24) & 0x7f)
#define BTFDB_INFO_VLEN(info) ((info) & 0xffffff)
static inline uint16_t btfdb_kind(const struct btf_type *t) { return BTFDB_INFO_KIND(t->info); }
static inline uint32_t btfdb_vlen(const struct btf_type *t) { return BTFDB_INFO_VLEN(t->info); }
static inline bool btfdb_kflag(const struct btf_type *t) { return BTF_INFO_KFLAG(t->info); }
static inline bool btfdb_is_composite(const struct btf_type *t)
{
	return btfdb_kind(t) == BTF_KIND_STRUCT || btfdb_kind(t) == BTF_KIND_UNION;
}
static inline bool btfdb_is_any_enum(const struct btf_type *t)
{
	return btfdb_kind(t) == BTF_KIND_ENUM || btfdb_kind(t) == BTF_KIND_ENUM64;
}
static inline bool btfdb_is_mod(const struct btf_type *t)
{
	uint16_t k = btfdb_kind(t);
	return k == BTF_KIND_VOLATILE || k == BTF_KIND_CONST || k == BTF_KIND_RESTRICT ||
	       k == BTF_KIND_TYPE_TAG;
}
/* PTR, TYPEDEF and the modifiers (VOLATILE, CONST, RESTRICT, TYPE_TAG):
 * kinds that only refer to another type through t->type. */
static inline bool btfdb_kind_is_ref(uint16_t k)
{
	return k == BTF_KIND_PTR || k == BTF_KIND_TYPEDEF || k == BTF_KIND_VOLATILE ||
	       k == BTF_KIND_CONST || k == BTF_KIND_RESTRICT || k == BTF_KIND_TYPE_TAG;
}
/* The kinds whose size_or_type field (t->type) is a type id: those of
 * btfdb_kind_is_ref() plus FUNC, FUNC_PROTO (its return type), VAR and
 * DECL_TAG. */
static inline bool btfdb_kind_has_type(uint16_t k)
{
	return btfdb_kind_is_ref(k) || k == BTF_KIND_FUNC || k == BTF_KIND_FUNC_PROTO ||
	       k == BTF_KIND_VAR || k == BTF_KIND_DECL_TAG;
}
static inline const struct btf_member *btfdb_members(const struct btf_type *t)
{
	return (const struct btf_member *)(t + 1);
}
static inline const struct btf_param *btfdb_params(const struct btf_type *t)
{
	return (const struct btf_param *)(t + 1);
}
static inline const struct btf_enum *btfdb_enums(const struct btf_type *t)
{
	return (const struct btf_enum *)(t + 1);
}
static inline const struct btf_enum64 *btfdb_enums64(const struct btf_type *t)
{
	return (const struct btf_enum64 *)(t + 1);
}
static inline const struct btf_array *btfdb_array(const struct btf_type *t)
{
	return (const struct btf_array *)(t + 1);
}
static inline uint32_t btfdb_int_encoding(const struct btf_type *t)
{
	return BTF_INT_ENCODING(*(const uint32_t *)(t + 1));
}
static inline uint32_t btfdb_int_offset(const struct btf_type *t)
{
	return BTF_INT_OFFSET(*(const uint32_t *)(t + 1));
}
static inline uint32_t btfdb_int_bits(const struct btf_type *t)
{
	return BTF_INT_BITS(*(const uint32_t *)(t + 1));
}
/* Member bit offset / bitfield size, honouring kflag (0 size when not a bitfield). */
static inline uint32_t btfdb_member_bit_offset(const struct btf_type *t, uint32_t i)
{
	uint32_t off = btfdb_members(t)[i].offset;
	return btfdb_kflag(t) ? BTF_MEMBER_BIT_OFFSET(off) : off;
}
static inline uint32_t btfdb_member_bitfield_size(const struct btf_type *t, uint32_t i)
{
	uint32_t off = btfdb_members(t)[i].offset;
	return btfdb_kflag(t) ? BTF_MEMBER_BITFIELD_SIZE(off) : 0;
}
/* Size in bytes of the record that follows struct btf_type for this kind. */
size_t btfdb_type_extra_size(const struct btf_type *t);

/* Follow const/volatile/restrict/type_tag and typedef; *res_id gets the final id. */
const struct btf_type *btfdb_skip_mods_and_typedefs(const struct btfdb_btf *btf, uint32_t id,
						    uint32_t *res_id);
/* Follow const/volatile/restrict/type_tag only. */
const struct btf_type *btfdb_skip_mods(const struct btfdb_btf *btf, uint32_t id, uint32_t *res_id);
/* Size of a type after resolving typedefs/mods/arrays like libbpf's btf__resolve_size(). */
int64_t btfdb_resolve_size(const struct btfdb_btf *btf, uint32_t id);
/* Human-readable kind name ("struct", "enum64", ...). */
const char *btfdb_kind_name(uint16_t kind);

/*
 * Kinds a CO-RE candidate can have.  libbpf keeps a target type when its kind
 * equals the kind of the LOCAL ROOT type of the relocation (enum ~ enum64),
 * and the root of a CO-RE relocation clang emits is never a FUNC, VAR,
 * DATASEC or DECL_TAG (field relocations start at a struct/union, type and
 * enum relocations at the type named in the source; functions, variables,
 * sections and tags are not types there).  Those four kinds are half of a
 * vmlinux BTF (~56k FUNCs), so an index for candidate search leaves them out.
 */
static inline bool btfdb_kind_is_core_cand(uint16_t kind)
{
	return kind != BTF_KIND_FUNC && kind != BTF_KIND_VAR && kind != BTF_KIND_DATASEC &&
	       kind != BTF_KIND_DECL_TAG && kind != BTF_KIND_UNKN && kind <= BTF_KIND_MAX;
}

#ifdef __cplusplus
}
#endif
#endif /* BTFDB_H */
