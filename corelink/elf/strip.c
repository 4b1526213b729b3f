/* SPDX-License-Identifier: MIT */
/*
 * --strip-debug: a relocated object without DWARF, as `llvm-strip -g` makes
 * it.  Works on the bytes corelink_emit() produced (an ELF64 relocatable
 * object, either byte order):
 *
 *  1. Removed: every section whose name starts with ".debug" or ".zdebug"
 *     (llvm-objcopy's isDebugSection), and every SHT_REL / SHT_RELA section
 *     that applies to a removed one.  .BTF, .BTF.ext and their relocation
 *     sections stay: libbpf needs them.
 *  2. The symbol table drops the symbols defined in removed sections (their
 *     STT_SECTION symbols) and the STT_FILE symbols, as llvm-objcopy does
 *     for --strip-debug; the others keep their order, sh_info (first
 *     global) is recounted, and st_shndx is renumbered.  A kept relocation
 *     that names a dropped symbol is an error (nothing but DWARF points into
 *     DWARF in a compiler's output).
 *  3. Kept relocation sections get the new symbol indices; sh_link, sh_info
 *     (of relocation sections) and e_shstrndx get the new section indices.
 *  4. Layout: the ELF header, then the kept sections in their original file
 *     order, each at the next offset aligned to its sh_addralign, then the
 *     section header table (8-aligned).  String tables are kept as they are
 *     (llvm-strip also drops the strings nothing names any more: its
 *     output is smaller by those bytes).
 *
 * Pure: no I/O.  Every offset and size is checked against the buffer
 * before it is used.
 */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "corelink_elf.h"
#include "corelink_internal.h"

#define STRIP_MAX_ALIGN 4096u


/* One section header, host order (the fields used here). */
struct sh {
	uint32_t name, type;
	uint64_t flags, addr, off, size;
	uint32_t link, info;
	uint64_t align, entsize;
	bool drop;
	uint32_t new_idx;
	uint64_t new_off;
};

struct strip {
	const uint8_t *in;
	size_t size;
	bool be;
	struct sh *sh;
	size_t shnum;
	size_t shstrndx;
	uint32_t *sym_map; /* old symbol index -> new, UINT32_MAX when dropped */
	size_t nsyms;
	size_t symtab;     /* index of SHT_SYMTAB, or 0 */
};

static int bad(struct btfdb_err *err, const char *what)
{
	btfdb_err_set(err, "strip-debug: %s", what);
	return -EINVAL;
}

static int read_headers(struct strip *s, struct btfdb_err *err)
{
	const uint8_t *p = s->in;
	uint64_t shoff, i;

	if (s->size < sizeof(Elf64_Ehdr) || memcmp(p, ELFMAG, SELFMAG) ||
	    p[EI_CLASS] != ELFCLASS64 || (p[EI_DATA] != ELFDATA2LSB && p[EI_DATA] != ELFDATA2MSB))
		return bad(err, "not an ELF64 object");
	s->be = p[EI_DATA] == ELFDATA2MSB;
	if (cl_rd(p + 16, 2, s->be) != ET_REL)
		return bad(err, "not a relocatable object");
	shoff = cl_rd(p + 40, 8, s->be);
	s->shnum = cl_rd(p + 60, 2, s->be);
	s->shstrndx = cl_rd(p + 62, 2, s->be);
	if (cl_rd(p + 58, 2, s->be) != sizeof(Elf64_Shdr) || !s->shnum || s->shstrndx >= s->shnum ||
	    shoff > s->size || (uint64_t)s->shnum * sizeof(Elf64_Shdr) > s->size - shoff)
		return bad(err, "bad section header table");
	s->sh = calloc(s->shnum, sizeof(*s->sh));
	if (!s->sh) {
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < s->shnum; i++) {
		const uint8_t *h = p + shoff + i * sizeof(Elf64_Shdr);
		struct sh *x = &s->sh[i];

		x->name = (uint32_t)cl_rd(h, 4, s->be);
		x->type = (uint32_t)cl_rd(h + 4, 4, s->be);
		x->flags = cl_rd(h + 8, 8, s->be);
		x->addr = cl_rd(h + 16, 8, s->be);
		x->off = cl_rd(h + 24, 8, s->be);
		x->size = cl_rd(h + 32, 8, s->be);
		x->link = (uint32_t)cl_rd(h + 40, 4, s->be);
		x->info = (uint32_t)cl_rd(h + 44, 4, s->be);
		x->align = cl_rd(h + 48, 8, s->be);
		x->entsize = cl_rd(h + 56, 8, s->be);
		if (x->type == SHT_SYMTAB_SHNDX || x->type == SHT_GROUP)
			return bad(err, "section groups and extended section indices are not supported");
		if (i && x->type != SHT_NOBITS && (x->off > s->size || x->size > s->size - x->off))
			return bad(err, "section outside the file");
		if (x->align > STRIP_MAX_ALIGN || x->link >= s->shnum)
			return bad(err, "bad section header");
	}
	if (s->sh[s->shstrndx].type != SHT_STRTAB)
		return bad(err, "no section name table");
	return 0;
}

static const char *sec_name(const struct strip *s, size_t i)
{
	const struct sh *t = &s->sh[s->shstrndx];
	const char *n = (const char *)s->in + t->off;

	if (s->sh[i].name >= t->size || !memchr(n + s->sh[i].name, 0, t->size - s->sh[i].name))
		return NULL;
	return n + s->sh[i].name;
}

static bool is_rel(const struct sh *x)
{
	return x->type == SHT_REL || x->type == SHT_RELA;
}

/* 1: mark what goes; number what stays. */
static int mark(struct strip *s, struct btfdb_err *err)
{
	size_t i;
	uint32_t n = 0;

	for (i = 1; i < s->shnum; i++) {
		const char *name = sec_name(s, i);

		if (!name)
			return bad(err, "section name outside the name table");
		s->sh[i].drop = !strncmp(name, ".debug", 6) || !strncmp(name, ".zdebug", 7);
		if (s->sh[i].type == SHT_SYMTAB) {
			if (s->symtab)
				return bad(err, "two symbol tables");
			s->symtab = i;
		}
	}
	for (i = 1; i < s->shnum; i++) {
		struct sh *x = &s->sh[i];

		if (is_rel(x) && x->info && x->info < s->shnum && s->sh[x->info].drop)
			x->drop = true;
	}
	if (s->sh[s->shstrndx].drop || (s->symtab && s->sh[s->symtab].drop))
		return bad(err, "a debug-named symbol or name table");
	for (i = 0; i < s->shnum; i++)
		s->sh[i].new_idx = s->sh[i].drop ? 0 : n++;
	return 0;
}

/* 2: which symbols stay, their new indices, the new symbol table bytes. */
static int map_symbols(struct strip *s, uint8_t **symtab, uint64_t *symsize, uint32_t *first_global,
		       struct btfdb_err *err)
{
	const struct sh *t = &s->sh[s->symtab];
	size_t i;
	uint32_t n = 0;

	*first_global = 0;
	if (t->entsize != sizeof(Elf64_Sym) || t->size % sizeof(Elf64_Sym))
		return bad(err, "bad symbol table");
	s->nsyms = t->size / sizeof(Elf64_Sym);
	s->sym_map = calloc(s->nsyms ? s->nsyms : 1, sizeof(*s->sym_map));
	*symtab = malloc(t->size ? t->size : 1);
	if (!s->sym_map || !*symtab) {
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < s->nsyms; i++) {
		const uint8_t *sym = s->in + t->off + i * sizeof(Elf64_Sym);
		uint64_t shndx = cl_rd(sym + 6, 2, s->be);
		uint8_t *out;

		if (shndx && shndx < SHN_LORESERVE && shndx >= s->shnum)
			return bad(err, "symbol in a section that does not exist");
		/* STT_FILE is debug information too (llvm-objcopy drops it with -g) */
		if ((shndx && shndx < SHN_LORESERVE && s->sh[shndx].drop) ||
		    (i && ELF64_ST_TYPE(sym[4]) == STT_FILE)) {
			s->sym_map[i] = UINT32_MAX;
			continue;
		}
		if (i < t->info)
			*first_global = n + 1;
		s->sym_map[i] = n;
		out = *symtab + (size_t)n++ * sizeof(Elf64_Sym);
		memcpy(out, sym, sizeof(Elf64_Sym));
		if (shndx && shndx < SHN_LORESERVE)
			cl_wr(out + 6, 2, s->be, s->sh[shndx].new_idx);
	}
	*symsize = (uint64_t)n * sizeof(Elf64_Sym);
	return 0;
}

/* 3: a kept relocation section with the new symbol indices. */
static int map_relocs(const struct strip *s, const struct sh *x, uint8_t **out,
		      struct btfdb_err *err)
{
	size_t esz = x->type == SHT_RELA ? sizeof(Elf64_Rela) : sizeof(Elf64_Rel), i;

	if (x->size % esz)
		return bad(err, "bad relocation section size");
	*out = malloc(x->size ? x->size : 1);
	if (!*out) {
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	memcpy(*out, s->in + x->off, x->size);
	for (i = 0; i < x->size / esz; i++) {
		uint8_t *r = *out + i * esz;
		uint64_t info = cl_rd(r + 8, 8, s->be), sym = ELF64_R_SYM(info);

		if (sym >= s->nsyms || s->sym_map[sym] == UINT32_MAX)
			return bad(err, "a kept relocation names a removed or missing symbol");
		cl_wr(r + 8, 8, s->be, ELF64_R_INFO((uint64_t)s->sym_map[sym], ELF64_R_TYPE(info)));
	}
	return 0;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return a > 1 ? (v + a - 1) / a * a : v;
}

static int by_offset(const void *a, const void *b, void *ctx)
{
	const struct sh *sh = ctx;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	if (sh[x].off != sh[y].off)
		return sh[x].off < sh[y].off ? -1 : 1;
	return x < y ? -1 : x > y;
}

int corelink_strip_debug(const void *in, size_t size, void **out, size_t *out_size,
			 struct btfdb_err *err)
{
	struct strip s = { .in = in, .size = size };
	uint8_t **content = NULL, *buf = NULL, *symtab = NULL;
	uint64_t symsize = 0, pos, shoff;
	size_t *order = NULL, i, n = 0;
	uint32_t first_global = 0;
	int ret;

	*out = NULL;
	*out_size = 0;
	if ((ret = read_headers(&s, err)) || (ret = mark(&s, err)))
		goto done;
	if (s.symtab && (ret = map_symbols(&s, &symtab, &symsize, &first_global, err)))
		goto done;
	content = calloc(s.shnum, sizeof(*content));
	order = calloc(s.shnum, sizeof(*order));
	if (!content || !order)
		goto nomem;
	for (i = 1; i < s.shnum; i++) {
		struct sh *x = &s.sh[i];

		if (x->drop)
			continue;
		if (is_rel(x) && x->link == s.symtab && s.symtab &&
		    (ret = map_relocs(&s, x, &content[i], err)))
			goto done;
		order[n++] = i;
	}
	qsort_r(order, n, sizeof(*order), by_offset, s.sh);
	/* 4: layout */
	pos = sizeof(Elf64_Ehdr);
	for (i = 0; i < n; i++) {
		struct sh *x = &s.sh[order[i]];

		if (order[i] == s.symtab)
			x->size = symsize;
		x->new_off = align_up(pos, x->align);
		if (x->type != SHT_NOBITS)
			pos = x->new_off + x->size;
	}
	shoff = align_up(pos, 8);
	pos = shoff + (uint64_t)(1 + n) * sizeof(Elf64_Shdr);
	buf = calloc(1, pos);
	if (!buf)
		goto nomem;
	memcpy(buf, in, sizeof(Elf64_Ehdr));
	cl_wr(buf + 40, 8, s.be, shoff);
	cl_wr(buf + 60, 2, s.be, 1 + n);
	cl_wr(buf + 62, 2, s.be, s.sh[s.shstrndx].new_idx);
	for (i = 0; i < n; i++) {
		size_t idx = order[i];
		struct sh *x = &s.sh[idx];
		const uint8_t *src = idx == s.symtab ? symtab : content[idx] ? content[idx]
									 : s.in + x->off;

		if (x->type != SHT_NOBITS && x->size)
			memcpy(buf + x->new_off, src, x->size);
	}
	/* section headers in index order; [0] stays all zero */
	for (i = 1; i < s.shnum; i++) {
		const struct sh *x = &s.sh[i];
		uint8_t *h = buf + shoff + (uint64_t)x->new_idx * sizeof(Elf64_Shdr);
		uint32_t info = x->info;

		if (x->drop)
			continue;
		if (is_rel(x) && info && info < s.shnum)
			info = s.sh[info].new_idx;
		if (i == s.symtab)
			info = first_global;
		cl_wr(h, 4, s.be, x->name);
		cl_wr(h + 4, 4, s.be, x->type);
		cl_wr(h + 8, 8, s.be, x->flags);
		cl_wr(h + 16, 8, s.be, x->addr);
		cl_wr(h + 24, 8, s.be, x->new_off);
		cl_wr(h + 32, 8, s.be, x->size);
		cl_wr(h + 40, 4, s.be, x->link ? s.sh[x->link].new_idx : 0);
		cl_wr(h + 44, 4, s.be, info);
		cl_wr(h + 48, 8, s.be, x->align);
		cl_wr(h + 56, 8, s.be, x->entsize);
	}
	*out = buf;
	*out_size = pos;
	buf = NULL;
	ret = 0;
	goto done;
nomem:
	btfdb_err_set(err, "out of memory");
	ret = -ENOMEM;
done:
	for (i = 0; content && i < s.shnum; i++)
		free(content[i]);
	free(content);
	free(order);
	free(symtab);
	free(buf);
	free(s.sh);
	free(s.sym_map);
	return ret;
}
