/* SPDX-License-Identifier: MIT */
/*
 * Writing the relocated object.
 *
 * The output is the input ELF byte for byte, except:
 *  (a) instruction sections carry run->secs[i].data (same size, same place);
 *  (b) .BTF.ext loses its CO-RE subsection: the header keeps hdr_len, its
 *      core_relo_off points at the end of the remaining data and
 *      core_relo_len = 0 (libbpf's btf_ext_setup_info() accepts a zero
 *      length as "absent"); func_info / line_info bytes are unchanged.  The
 *      relocations that LLVM emits against .BTF.ext (.rel.BTF.ext: one per
 *      record's insn_off, CO-RE records included) lose the entries that
 *      pointed into the removed bytes and shift those after them;
 *  (c) with a stamp, a SHT_NOTE section ".note.corelink" is appended (its
 *      name appended to the section-name string table), or an existing one
 *      is replaced.
 *
 * The work is done by hand on the byte image so that it is deterministic
 * and independent of libelf's layout choices:
 *
 *  1. Read the ELF header and section header table (object byte order).
 *  2. Decide every section's new content (pointer + size).
 *  3. Lay out: sort the file's contents (sections and the section header
 *     table) by their original offset.  Everything up to the first content
 *     whose size changed (or the first new one) keeps its offset and is
 *     copied verbatim, gaps included; from there on each content is placed
 *     at the next offset aligned to its sh_addralign (8 for the header
 *     table), gaps zero-filled.
 *  4. Write contents, section headers and e_shoff / e_shnum.
 *
 * Note format (owner "corelink", type CL_NOTE_TYPE_STAMP): the descriptor
 * is four NUL-terminated strings: the corelink version, the target kernel
 * release ("" when unknown), the XXH3-64 of the target BTF blob as 16
 * lower-case hex digits, and the relocation rules followed ("libbpf 1.7").
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <elf.h>

#include "btfdb_fileio.h"
#include "corelink_elf.h"
#include "corelink_internal.h"

#define CL_NOTE_NAME ".note.corelink"
#define CL_NOTE_OWNER "corelink"
#define CL_NOTE_TYPE_STAMP 1u
#define SHDR_TABLE SIZE_MAX /* em_item.idx of the section header table */
#define CL_MAX_ALIGN 4096u  /* largest sh_addralign accepted for a section */

/* ------------------------------------------------------------------ */
/* The output model                                                    */
/* ------------------------------------------------------------------ */

/* One output section: its header (host order) and its new content. */
struct em_sec {
	Elf64_Shdr sh;        /* sh_offset/sh_size are rewritten by the layout */
	uint64_t orig_off;    /* offset in the input (new sections: unused) */
	const uint8_t *data;  /* content (NULL for NOBITS) */
	uint64_t size;        /* content size = new sh_size */
	uint8_t *owned;       /* malloc'ed content, if any */
	bool resized;         /* size differs from the input, or new */
	bool is_new;
};

/* The whole output being built. */
struct em {
	const struct corelink_obj *obj;
	bool be;
	uint64_t shoff;       /* input e_shoff */
	size_t shstrndx;
	struct em_sec *secs;  /* by section index; nr_secs (+1 if a note is added) */
	size_t nr_secs;
	struct btfdb_err *err;
};

/* One item placed in the file: a section's content or the header table. */
struct em_item {
	size_t idx;           /* section index, or SHDR_TABLE */
	uint64_t orig_off;
	uint64_t align;
	uint64_t fsize;       /* bytes occupied in the output */
	bool moved;           /* resized or new */
	bool is_new;
};

static void em_free(struct em *em)
{
	size_t i;

	if (!em->secs)
		return;
	for (i = 0; i < em->nr_secs; i++)
		free(em->secs[i].owned);
	free(em->secs);
}

static int cmp_range(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	return x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0;
}

/* Contents that overlap (each other, the ELF header or the section header
 * table) cannot be moved independently: refuse such files. */
static int em_check_overlap(struct em *em)
{
	uint64_t (*r)[2] = calloc(em->nr_secs + 2, sizeof(*r));
	size_t i, n = 0;
	int ret = 0;

	if (!r)
		return -ENOMEM;
	r[n][0] = 0;
	r[n++][1] = sizeof(Elf64_Ehdr);
	r[n][0] = em->shoff;
	r[n++][1] = em->shoff + em->nr_secs * sizeof(Elf64_Shdr);
	for (i = 1; i < em->nr_secs; i++) {
		const struct em_sec *s = &em->secs[i];

		if (s->sh.sh_type == SHT_NOBITS || s->sh.sh_type == SHT_NULL || !s->size)
			continue;
		r[n][0] = s->orig_off;
		r[n++][1] = s->orig_off + s->size;
	}
	qsort(r, n, sizeof(*r), cmp_range);
	for (i = 1; i < n; i++)
		if (r[i][0] < r[i - 1][1])
			ret = -EINVAL;
	free(r);
	if (ret)
		btfdb_err_set(em->err, "%s: malformed ELF: section contents overlap", em->obj->name);
	return ret;
}

static int em_read_headers(struct em *em)
{
	const struct corelink_obj *obj = em->obj;
	const uint8_t *f = obj->file;
	uint64_t shentsize, shnum, i;

	if (obj->file_size < sizeof(Elf64_Ehdr))
		goto bad;
	em->shoff = cl_rd(f + 40, 8, em->be);
	shentsize = cl_rd(f + 58, 2, em->be);
	shnum = cl_rd(f + 60, 2, em->be);
	em->shstrndx = cl_rd(f + 62, 2, em->be);
	if (cl_rd(f + 56, 2, em->be) != 0) {
		btfdb_err_set(em->err, "%s: program headers in a relocatable object are not supported",
			      obj->name);
		return -ENOTSUP;
	}
	if (shnum == 0 || em->shstrndx == SHN_XINDEX || em->shstrndx >= shnum) {
		btfdb_err_set(em->err, "%s: extended section numbering is not supported", obj->name);
		return -ENOTSUP;
	}
	if (shentsize != sizeof(Elf64_Shdr) || em->shoff > obj->file_size ||
	    shnum * sizeof(Elf64_Shdr) > obj->file_size - em->shoff)
		goto bad;
	em->secs = calloc(shnum + 1, sizeof(*em->secs));
	if (!em->secs)
		return -ENOMEM;
	em->nr_secs = shnum;
	for (i = 0; i < shnum; i++) {
		const uint8_t *p = f + em->shoff + i * sizeof(Elf64_Shdr);
		struct em_sec *s = &em->secs[i];

		s->sh.sh_name = cl_rd(p, 4, em->be);
		s->sh.sh_type = cl_rd(p + 4, 4, em->be);
		s->sh.sh_flags = cl_rd(p + 8, 8, em->be);
		s->sh.sh_addr = cl_rd(p + 16, 8, em->be);
		s->sh.sh_offset = cl_rd(p + 24, 8, em->be);
		s->sh.sh_size = cl_rd(p + 32, 8, em->be);
		s->sh.sh_link = cl_rd(p + 40, 4, em->be);
		s->sh.sh_info = cl_rd(p + 44, 4, em->be);
		s->sh.sh_addralign = cl_rd(p + 48, 8, em->be);
		s->sh.sh_entsize = cl_rd(p + 56, 8, em->be);
		s->orig_off = s->sh.sh_offset;
		s->size = s->sh.sh_size;
		/* alignment must be 0 or a power of two; large ones are not BPF's */
		if (s->sh.sh_addralign & (s->sh.sh_addralign - 1) ||
		    s->sh.sh_addralign > CL_MAX_ALIGN) {
			btfdb_err_set(em->err, "%s: section #%" PRIu64 " has an unsupported alignment %" PRIu64,
				      obj->name, i, (uint64_t)s->sh.sh_addralign);
			return -ENOTSUP;
		}
		if (i == 0 || s->sh.sh_type == SHT_NOBITS || s->sh.sh_type == SHT_NULL)
			continue;
		if (s->sh.sh_offset > obj->file_size ||
		    s->sh.sh_size > obj->file_size - s->sh.sh_offset)
			goto bad;
		s->data = f + s->sh.sh_offset;
	}
	return em_check_overlap(em);
bad:
	btfdb_err_set(em->err, "%s: malformed ELF headers", obj->name);
	return -EINVAL;
}

/* Section name from the (input) section-name string table, or NULL. */
static const char *em_sec_name(const struct em *em, size_t idx)
{
	const struct em_sec *str = &em->secs[em->shstrndx];
	uint64_t off = em->secs[idx].sh.sh_name;

	if (!str->data || off >= str->sh.sh_size || !memchr(str->data + off, 0, str->sh.sh_size - off))
		return NULL;
	return (const char *)str->data + off;
}

/* Give section idx a new content (takes ownership of buf). */
static void em_set_content(struct em *em, size_t idx, uint8_t *buf, uint64_t size)
{
	struct em_sec *s = &em->secs[idx];

	free(s->owned);
	s->owned = buf;
	s->data = buf;
	if (size != s->sh.sh_size || s->is_new)
		s->resized = true;
	s->size = size;
}

/* ------------------------------------------------------------------ */
/* (a) instructions                                                    */
/* ------------------------------------------------------------------ */

static void em_patch_insns(struct em *em, const struct corelink_run *run)
{
	const struct corelink_obj *obj = em->obj;
	size_t i;

	if (!run || !run->secs)
		return;
	for (i = 0; i < obj->nr_secs; i++) {
		if (!run->secs[i].data || obj->secs[i].scn_idx >= em->nr_secs)
			continue;
		/* same size, same place: only the bytes change */
		em->secs[obj->secs[i].scn_idx].data = run->secs[i].data;
	}
}

/* ------------------------------------------------------------------ */
/* (b) .BTF.ext without CO-RE records                                  */
/* ------------------------------------------------------------------ */

/* Drop relocations at [cut, cut + len) of section target; shift later ones. */
static int em_fix_relocs(struct em *em, size_t target, uint64_t cut, uint64_t len)
{
	size_t i;

	for (i = 1; i < em->nr_secs; i++) {
		struct em_sec *s = &em->secs[i];
		uint64_t ent, n, k, kept = 0;
		uint8_t *buf;

		if ((s->sh.sh_type != SHT_REL && s->sh.sh_type != SHT_RELA) || s->sh.sh_info != target)
			continue;
		ent = s->sh.sh_type == SHT_REL ? sizeof(Elf64_Rel) : sizeof(Elf64_Rela);
		if (s->sh.sh_entsize != ent || s->size % ent) {
			btfdb_err_set(em->err, "%s: malformed relocation section #%zu", em->obj->name, i);
			return -EINVAL;
		}
		n = s->size / ent;
		buf = malloc(s->size ? s->size : 1);
		if (!buf)
			return -ENOMEM;
		for (k = 0; k < n; k++) {
			const uint8_t *src = s->data + k * ent;
			uint64_t off = cl_rd(src, 8, em->be);

			if (off >= cut && off < cut + len)
				continue; /* pointed into the removed CO-RE records */
			memcpy(buf + kept * ent, src, ent);
			if (off >= cut + len)
				cl_wr(buf + kept * ent, 8, em->be, off - len);
			kept++;
		}
		em_set_content(em, i, buf, kept * ent);
	}
	return 0;
}

static int em_strip_core(struct em *em)
{
	const struct corelink_obj *obj = em->obj;
	size_t idx = obj->btf_ext_scn;
	const uint8_t *d;
	uint64_t size, hdr, func_off, func_len, line_off, line_len, core_off, core_len;
	uint64_t func_end, line_end, cut, len, new_size;
	uint8_t *buf;
	bool be = em->be;

	if (idx == 0 || idx >= em->nr_secs || !em->secs[idx].data)
		return 0;
	d = em->secs[idx].data;
	size = em->secs[idx].size;
	hdr = obj->btf_ext_hdr_len;
	if (hdr < 32 || size < hdr)
		return 0; /* no CO-RE subsection at all */
	func_off = cl_rd(d + 8, 4, be);
	func_len = cl_rd(d + 12, 4, be);
	line_off = cl_rd(d + 16, 4, be);
	line_len = cl_rd(d + 20, 4, be);
	core_off = cl_rd(d + 24, 4, be);
	core_len = cl_rd(d + 28, 4, be);
	if (core_len == 0)
		return 0;
	if (hdr != 32) {
		btfdb_err_set(em->err,
			      "%s: .BTF.ext header length %" PRIu64 " (not 32): cannot remove CO-RE records safely",
			      obj->name, hdr);
		return -ENOTSUP;
	}
	func_end = func_len ? func_off + func_len : 0;
	line_end = line_len ? line_off + line_len : 0;
	if (core_off >= func_end && core_off >= line_end) {
		/* the usual case: CO-RE records come last; cut the tail */
		cut = hdr + core_off;
		len = size - cut;
	} else {
		/* CO-RE records in the middle: cut them out, shift what follows */
		if ((func_len && func_off < core_off + core_len && func_end > core_off) ||
		    (line_len && line_off < core_off + core_len && line_end > core_off)) {
			btfdb_err_set(em->err, "%s: .BTF.ext subsections overlap", obj->name);
			return -EINVAL;
		}
		cut = hdr + core_off;
		len = core_len;
	}
	new_size = size - len;
	buf = malloc(new_size);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, d, cut);
	memcpy(buf + cut, d + cut + len, size - cut - len);
	if (func_len && func_off > core_off)
		cl_wr(buf + 8, 4, be, func_off - len);
	if (line_len && line_off > core_off)
		cl_wr(buf + 16, 4, be, line_off - len);
	cl_wr(buf + 24, 4, be, new_size - hdr); /* core_relo_off: end of the remaining data */
	cl_wr(buf + 28, 4, be, 0);              /* core_relo_len */
	em_set_content(em, idx, buf, new_size);
	return em_fix_relocs(em, idx, cut, len);
}

/* ------------------------------------------------------------------ */
/* (c) the stamp note                                                  */
/* ------------------------------------------------------------------ */

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static int em_add_stamp(struct em *em, const struct corelink_stamp *stamp)
{
	const char *rel = stamp->release ? stamp->release : "";
	size_t i, idx = 0, nl = strlen(CL_NOTE_OWNER) + 1, dl, size;
	char hex[17], rules[32];
	uint8_t *note, *p;

	snprintf(hex, sizeof(hex), "%016" PRIx64, stamp->btf_hash);
	snprintf(rules, sizeof(rules), "libbpf %s", corelink_libbpf_str(stamp->libbpf));
	dl = strlen(CORELINK_VERSION_STRING) + 1 + strlen(rel) + 1 + sizeof(hex) +
	     strlen(rules) + 1;
	size = 12 + pad4(nl) + pad4(dl);
	note = calloc(1, size);
	if (!note)
		return -ENOMEM;
	cl_wr(note, 4, em->be, nl);
	cl_wr(note + 4, 4, em->be, dl);
	cl_wr(note + 8, 4, em->be, CL_NOTE_TYPE_STAMP);
	memcpy(note + 12, CL_NOTE_OWNER, nl);
	p = note + 12 + pad4(nl);
	p = (uint8_t *)stpcpy((char *)p, CORELINK_VERSION_STRING) + 1;
	p = (uint8_t *)stpcpy((char *)p, rel) + 1;
	p = (uint8_t *)stpcpy((char *)p, hex) + 1;
	memcpy(p, rules, strlen(rules) + 1);

	/* an existing stamp (re-run on corelink output) is replaced */
	for (i = 1; i < em->nr_secs; i++) {
		const char *name = em_sec_name(em, i);

		if (name && em->secs[i].sh.sh_type == SHT_NOTE && strcmp(name, CL_NOTE_NAME) == 0) {
			idx = i;
			break;
		}
	}
	if (!idx) {
		struct em_sec *str = &em->secs[em->shstrndx];
		uint64_t name_off = str->size;
		uint8_t *strs;

		if (em->nr_secs >= SHN_LORESERVE - 1 || str->sh.sh_type != SHT_STRTAB) {
			free(note);
			btfdb_err_set(em->err, "%s: cannot add a section to this object", em->obj->name);
			return -ENOTSUP;
		}
		strs = malloc(str->size + sizeof(CL_NOTE_NAME));
		if (!strs) {
			free(note);
			return -ENOMEM;
		}
		memcpy(strs, str->data, str->size);
		memcpy(strs + str->size, CL_NOTE_NAME, sizeof(CL_NOTE_NAME));
		em_set_content(em, em->shstrndx, strs, str->size + sizeof(CL_NOTE_NAME));

		idx = em->nr_secs++;
		memset(&em->secs[idx], 0, sizeof(em->secs[idx]));
		em->secs[idx].is_new = true;
		em->secs[idx].sh.sh_name = (Elf64_Word)name_off;
		em->secs[idx].sh.sh_type = SHT_NOTE;
		em->secs[idx].sh.sh_addralign = 4;
	}
	em_set_content(em, idx, note, size);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Layout and output                                                   */
/* ------------------------------------------------------------------ */

static int cmp_items(const void *a, const void *b)
{
	const struct em_item *x = a, *y = b;

	if (x->orig_off != y->orig_off)
		return x->orig_off < y->orig_off ? -1 : 1;
	/* the header table after a section at the same offset, else by index */
	return x->idx < y->idx ? -1 : x->idx > y->idx ? 1 : 0;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return a > 1 ? (v + a - 1) / a * a : v;
}

static void write_shdr(uint8_t *p, const Elf64_Shdr *sh, bool be)
{
	cl_wr(p, 4, be, sh->sh_name);
	cl_wr(p + 4, 4, be, sh->sh_type);
	cl_wr(p + 8, 8, be, sh->sh_flags);
	cl_wr(p + 16, 8, be, sh->sh_addr);
	cl_wr(p + 24, 8, be, sh->sh_offset);
	cl_wr(p + 32, 8, be, sh->sh_size);
	cl_wr(p + 40, 4, be, sh->sh_link);
	cl_wr(p + 44, 4, be, sh->sh_info);
	cl_wr(p + 48, 8, be, sh->sh_addralign);
	cl_wr(p + 56, 8, be, sh->sh_entsize);
}

static int em_layout_and_write(struct em *em, void **out, size_t *out_size)
{
	const struct corelink_obj *obj = em->obj;
	size_t i, n = 0, nr_items = 0;
	struct em_item *items;
	uint64_t cursor = sizeof(Elf64_Ehdr), pin_end = obj->file_size, total, shoff = 0;
	bool changed = false;
	uint8_t *buf;

	items = calloc(em->nr_secs + 1, sizeof(*items));
	if (!items)
		return -ENOMEM;
	/* existing contents and the header table, in file order */
	for (i = 1; i < em->nr_secs; i++) {
		const struct em_sec *s = &em->secs[i];

		if (s->is_new || s->sh.sh_type == SHT_NULL)
			continue;
		items[n].idx = i;
		items[n].orig_off = s->orig_off;
		items[n].align = s->sh.sh_addralign;
		items[n].fsize = s->sh.sh_type == SHT_NOBITS ? 0 : s->size;
		items[n].moved = s->resized;
		n++;
	}
	items[n].idx = SHDR_TABLE;
	items[n].orig_off = em->shoff;
	items[n].align = 8;
	items[n].fsize = (uint64_t)em->nr_secs * sizeof(Elf64_Shdr);
	items[n].moved = em->secs[em->nr_secs - 1].is_new; /* the table grows */
	n++;
	qsort(items, n, sizeof(*items), cmp_items);
	/* a new section goes before the header table if that comes last */
	nr_items = n;
	for (i = 1; i < em->nr_secs; i++) {
		struct em_sec *s = &em->secs[i];
		size_t pos = nr_items;

		if (!s->is_new)
			continue;
		if (items[nr_items - 1].idx == SHDR_TABLE)
			pos = nr_items - 1;
		memmove(&items[pos + 1], &items[pos], (nr_items - pos) * sizeof(*items));
		memset(&items[pos], 0, sizeof(items[pos]));
		items[pos].idx = i;
		items[pos].align = s->sh.sh_addralign;
		items[pos].fsize = s->size;
		items[pos].moved = true;
		items[pos].is_new = true;
		nr_items++;
	}

	/* place: keep offsets until the first change, then pack with alignment */
	for (i = 0; i < nr_items; i++) {
		struct em_item *it = &items[i];
		uint64_t off;

		if (changed) {
			off = align_up(cursor, it->align);
		} else if (!it->moved) {
			off = it->orig_off; /* nothing changed before it */
		} else if (!it->is_new && it->orig_off >= cursor) {
			/* the first resized content keeps its place; all later move */
			changed = true;
			off = it->orig_off;
			pin_end = off;
		} else {
			changed = true;
			pin_end = cursor;
			off = align_up(cursor, it->align);
		}
		if (pin_end > obj->file_size)
			pin_end = obj->file_size;
		/* empty and NOBITS contents take no room (their offset is only a label) */
		if (it->fsize && off + it->fsize > cursor)
			cursor = off + it->fsize;
		if (it->idx == SHDR_TABLE)
			shoff = off;
		else
			em->secs[it->idx].sh.sh_offset = off;
	}
	total = cursor > pin_end ? cursor : pin_end;

	buf = calloc(1, total ? total : 1);
	if (!buf) {
		free(items);
		return -ENOMEM;
	}
	memcpy(buf, obj->file, pin_end);
	for (i = 1; i < em->nr_secs; i++) {
		struct em_sec *s = &em->secs[i];

		s->sh.sh_size = s->size;
		if (s->sh.sh_type != SHT_NOBITS && s->size && s->data)
			memcpy(buf + s->sh.sh_offset, s->data, s->size);
	}
	for (i = 0; i < em->nr_secs; i++)
		write_shdr(buf + shoff + i * sizeof(Elf64_Shdr), &em->secs[i].sh, em->be);
	cl_wr(buf + 40, 8, em->be, shoff);
	cl_wr(buf + 60, 2, em->be, em->nr_secs);
	free(items);
	*out = buf;
	*out_size = total;
	return 0;
}

int corelink_emit(const struct corelink_obj *obj, const struct corelink_run *run,
		  const struct corelink_stamp *stamp, void **buf, size_t *size,
		  struct btfdb_err *err)
{
	struct em em = { 0 };
	int ret;

	if (!obj || !buf || !size) {
		btfdb_err_set(err, "corelink_emit: invalid arguments");
		return -EINVAL;
	}
	*buf = NULL;
	*size = 0;
	if (run && run->obj != obj) {
		btfdb_err_set(err, "%s: the relocation run belongs to another object", obj->name);
		return -EINVAL;
	}
	if (run && run->err) {
		btfdb_err_set(err, "%s: relocation failed; refusing to write a partial result",
			      obj->name);
		return -EINVAL;
	}
	em.obj = obj;
	em.be = obj->big_endian;
	em.err = err;
	ret = em_read_headers(&em);
	if (ret)
		goto out;
	em_patch_insns(&em, run);
	ret = em_strip_core(&em);
	if (ret)
		goto out;
	if (stamp) {
		ret = em_add_stamp(&em, stamp);
		if (ret)
			goto out;
	}
	ret = em_layout_and_write(&em, buf, size);
out:
	if (ret == -ENOMEM)
		btfdb_err_set(err, "%s: out of memory", obj->name);
	em_free(&em);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Atomic write                                                        */
/* ------------------------------------------------------------------ */

int corelink_write_file_atomic(const char *path, const void *buf, size_t size,
			       struct btfdb_err *err)
{
	return btfdb_fileio_write_atomic(path, buf, size, err);
}

int corelink_write(const struct corelink_obj *obj, const struct corelink_run *run,
		   const struct corelink_stamp *stamp, const char *path, struct btfdb_err *err)
{
	void *buf = NULL;
	size_t size = 0;
	int ret;

	ret = corelink_emit(obj, run, stamp, &buf, &size, err);
	if (ret)
		return ret;
	/* temporaries of killed runs writing this output (not of live ones) */
	btfdb_fileio_clean_stale_of(path, NULL);
	ret = corelink_write_file_atomic(path, buf, size, err);
	free(buf);
	return ret;
}
