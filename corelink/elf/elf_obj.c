/* SPDX-License-Identifier: MIT */
/*
 * Reading a BPF object (ELF, EM_BPF, either byte order).
 *
 * The whole file is read once into obj->file and never modified; every
 * pointer the object hands out (section data, .BTF, .BTF.ext) points into
 * that copy.  libelf is used only to walk the headers and the symbol table,
 * on a private scratch copy (libelf may convert data in place), which is
 * released before corelink_obj_open_mem() returns.
 *
 * Programs follow libbpf (bpf_object__add_programs): every STT_FUNC symbol
 * inside an instruction section (SHT_PROGBITS + SHF_EXECINSTR), with its
 * byte offset and size turned into instruction units, sorted by
 * (section, first instruction).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "corelink_elf.h"
#include "corelink_internal.h"

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */
/* ------------------------------------------------------------------ */

static int add_need(struct corelink_obj *obj, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Append one formatted "needs kernel BTF" message to obj->needs. */
static int add_need(struct corelink_obj *obj, const char *fmt, ...)
{
	char **tmp;
	char *msg;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	tmp = realloc(obj->needs, (obj->nr_needs + 1) * sizeof(*tmp));
	if (!tmp) {
		free(msg);
		return -ENOMEM;
	}
	obj->needs = tmp;
	obj->needs[obj->nr_needs++] = msg;
	return 0;
}

/* sec is a program section prefix as libbpf spells it ("fentry/"); a prefix
 * without a trailing '/' also matches the bare name and "name/...". */
static bool sec_has_prefix(const char *sec, const char *prefix)
{
	size_t n = strlen(prefix);

	if (prefix[n - 1] == '/')
		return strncmp(sec, prefix, n) == 0 ||
		       (strncmp(sec, prefix, n - 1) == 0 && sec[n - 1] == '\0');
	return strncmp(sec, prefix, n) == 0 && (sec[n] == '\0' || sec[n] == '/');
}

/* Program section kinds whose programs libbpf attaches through kernel BTF
 * (attach_btf_id resolved at load time). */
static const char *const btf_prog_prefixes[] = {
	"fentry/",  "fexit/",  "fmod_ret/", "fentry.s/", "fexit.s/", "fmod_ret.s/",
	"tp_btf/",  "iter/",   "iter.s/",   "lsm/",      "lsm.s/",   "lsm_cgroup/",
	"struct_ops", "struct_ops.s", "freplace/",
};

/* ------------------------------------------------------------------ */
/* Kernel-BTF needs                                                    */
/* ------------------------------------------------------------------ */

/* Typed __ksym externs and kfuncs: entries of the local .ksyms DATASEC. */
static int collect_ksym_needs(struct corelink_obj *obj)
{
	const struct btfdb_btf *btf = obj->btf;
	uint32_t id, n = btfdb_btf_type_cnt(btf);
	int err;

	for (id = 1; id < n; id++) {
		const struct btf_type *t = btfdb_btf_type(btf, id);
		const struct btf_var_secinfo *vs;
		const char *name;
		uint32_t i;

		if (!t || btfdb_kind(t) != BTF_KIND_DATASEC)
			continue;
		name = btfdb_btf_name(btf, id);
		if (!name || strcmp(name, ".ksyms") != 0)
			continue;
		vs = (const struct btf_var_secinfo *)(t + 1);
		for (i = 0; i < btfdb_vlen(t); i++) {
			const struct btf_type *v = btfdb_btf_type(btf, vs[i].type);
			const char *vname = btfdb_btf_name(btf, vs[i].type);
			uint32_t res = 0;

			if (!v)
				continue;
			if (btfdb_kind(v) == BTF_KIND_FUNC) {
				err = add_need(obj, "kfunc '%s' needs kernel BTF at load time",
					       vname ? vname : "?");
			} else if (btfdb_kind(v) == BTF_KIND_VAR) {
				if (!btfdb_skip_mods_and_typedefs(btf, v->type, &res) || res == 0)
					continue; /* typeless ksym: resolved from kallsyms */
				err = add_need(obj,
					       "typed __ksym extern '%s' needs kernel BTF at load time",
					       vname ? vname : "?");
			} else {
				continue;
			}
			if (err)
				return err;
		}
	}
	return 0;
}

static int collect_needs(struct corelink_obj *obj, bool has_struct_ops, bool has_struct_ops_link)
{
	size_t i, j;
	int err;

	for (i = 0; i < obj->nr_progs; i++) {
		const struct cl_prog *p = &obj->progs[i];
		const char *sec = obj->secs[p->sec].name;

		for (j = 0; j < sizeof(btf_prog_prefixes) / sizeof(btf_prog_prefixes[0]); j++) {
			if (!sec_has_prefix(sec, btf_prog_prefixes[j]))
				continue;
			err = add_need(obj, "program '%s' (%s) needs kernel BTF at load time",
				       p->name, sec);
			if (err)
				return err;
			break;
		}
	}
	if (has_struct_ops) {
		err = add_need(obj, "struct_ops maps (section '.struct_ops') need kernel BTF at load time");
		if (err)
			return err;
	}
	if (has_struct_ops_link) {
		err = add_need(obj,
			       "struct_ops maps (section '.struct_ops.link') need kernel BTF at load time");
		if (err)
			return err;
	}
	return collect_ksym_needs(obj);
}

/* ------------------------------------------------------------------ */
/* Programs                                                            */
/* ------------------------------------------------------------------ */

static int cmp_progs(const void *a, const void *b)
{
	const struct cl_prog *pa = a, *pb = b;

	if (pa->sec != pb->sec)
		return pa->sec < pb->sec ? -1 : 1;
	if (pa->insn_off != pb->insn_off)
		return pa->insn_off < pb->insn_off ? -1 : 1;
	return strcmp(pa->name, pb->name);
}

/* Index into obj->secs of the instruction section with ELF index scn, or -1. */
static long insn_sec_by_scn(const struct corelink_obj *obj, size_t scn)
{
	size_t i;

	for (i = 0; i < obj->nr_secs; i++)
		if (obj->secs[i].scn_idx == scn)
			return (long)i;
	return -1;
}

static int collect_progs(struct corelink_obj *obj, Elf *elf, Elf_Scn *symscn,
			 const GElf_Shdr *symsh, struct btfdb_err *err)
{
	Elf_Data *data = elf_getdata(symscn, NULL);
	size_t i, nsyms;

	if (!data || symsh->sh_entsize != sizeof(Elf64_Sym)) {
		btfdb_err_set(err, "%s: cannot read the symbol table: %s", obj->name,
			      elf_errmsg(-1));
		return -EINVAL;
	}
	nsyms = data->d_size / sizeof(Elf64_Sym);
	for (i = 0; i < nsyms; i++) {
		struct cl_insn_sec *sec;
		struct cl_prog *tmp, *p;
		const char *name;
		GElf_Sym sym;
		long s;

		if (!gelf_getsym(data, (int)i, &sym))
			continue;
		if (GELF_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_shndx == SHN_UNDEF ||
		    sym.st_shndx >= SHN_LORESERVE)
			continue;
		s = insn_sec_by_scn(obj, sym.st_shndx);
		if (s < 0)
			continue;
		sec = &obj->secs[s];
		name = elf_strptr(elf, symsh->sh_link, sym.st_name);
		if (!name) {
			btfdb_err_set(err, "%s: symbol #%zu has a bad name offset", obj->name, i);
			return -EINVAL;
		}
		/* 64-bit arithmetic: st_value/st_size are attacker-controlled */
		if (sym.st_value % CL_INSN_SZ || sym.st_size % CL_INSN_SZ ||
		    sym.st_value > sec->size || sym.st_size > sec->size - sym.st_value) {
			btfdb_err_set(err,
				      "%s: program '%s' (offset %llu, size %llu) does not fit section '%s' (size %zu) in whole instructions",
				      obj->name, name, (unsigned long long)sym.st_value,
				      (unsigned long long)sym.st_size, sec->name, sec->size);
			return -EINVAL;
		}
		tmp = realloc(obj->progs, (obj->nr_progs + 1) * sizeof(*tmp));
		if (!tmp)
			return -ENOMEM;
		obj->progs = tmp;
		p = &obj->progs[obj->nr_progs];
		p->name = strdup(name);
		if (!p->name)
			return -ENOMEM;
		p->sec = (uint32_t)s;
		p->insn_off = (uint32_t)(sym.st_value / CL_INSN_SZ);
		p->insn_cnt = (uint32_t)(sym.st_size / CL_INSN_SZ);
		obj->nr_progs++;
	}
	if (obj->nr_progs)
		qsort(obj->progs, obj->nr_progs, sizeof(*obj->progs), cmp_progs);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Sections                                                            */
/* ------------------------------------------------------------------ */

struct scan_result {
	Elf_Scn *symscn;     /* .symtab */
	GElf_Shdr symsh;
	size_t btf_scn;      /* 0 = absent */
	size_t btf_off, btf_size;
	bool has_ext;
	bool struct_ops, struct_ops_link;
};

static int add_insn_sec(struct corelink_obj *obj, const char *name, size_t idx,
			const GElf_Shdr *sh, struct btfdb_err *err)
{
	struct cl_insn_sec *tmp, *s;

	if (sh->sh_size % CL_INSN_SZ) {
		btfdb_err_set(err, "%s: section '%s' size %llu is not a multiple of %u", obj->name,
			      name, (unsigned long long)sh->sh_size, CL_INSN_SZ);
		return -EINVAL;
	}
	tmp = realloc(obj->secs, (obj->nr_secs + 1) * sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	obj->secs = tmp;
	s = &obj->secs[obj->nr_secs];
	s->name = strdup(name);
	if (!s->name)
		return -ENOMEM;
	s->scn_idx = idx;
	s->data = obj->file + sh->sh_offset;
	s->size = sh->sh_size;
	obj->nr_secs++;
	return 0;
}

static int scan_sections(struct corelink_obj *obj, Elf *elf, struct scan_result *r,
			 struct btfdb_err *err)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	int ret;

	if (elf_getshdrstrndx(elf, &shstrndx)) {
		btfdb_err_set(err, "%s: cannot read section names: %s", obj->name, elf_errmsg(-1));
		return -EINVAL;
	}
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		size_t idx = elf_ndxscn(scn);
		const char *name;
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh)) {
			btfdb_err_set(err, "%s: cannot read section #%zu header: %s", obj->name, idx,
				      elf_errmsg(-1));
			return -EINVAL;
		}
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name) {
			btfdb_err_set(err, "%s: section #%zu has a bad name offset", obj->name, idx);
			return -EINVAL;
		}
		/* an SHT_NULL header is inactive: its offset and size mean nothing */
		if (sh.sh_type != SHT_NOBITS && sh.sh_type != SHT_NULL &&
		    (sh.sh_offset > obj->file_size || sh.sh_size > obj->file_size - sh.sh_offset)) {
			btfdb_err_set(err, "%s: section '%s' (offset %llu, size %llu) lies outside the file (size %zu)",
				      obj->name, name, (unsigned long long)sh.sh_offset,
				      (unsigned long long)sh.sh_size, obj->file_size);
			return -EINVAL;
		}
		if (sh.sh_type == SHT_SYMTAB) {
			r->symscn = scn;
			r->symsh = sh;
		} else if (sh.sh_type == SHT_PROGBITS && (sh.sh_flags & SHF_EXECINSTR)) {
			ret = add_insn_sec(obj, name, idx, &sh, err);
			if (ret)
				return ret;
		} else if ((strcmp(name, ".BTF") == 0 || strcmp(name, ".BTF.ext") == 0) &&
			   sh.sh_type != SHT_PROGBITS) {
			/* libbpf refuses these too (LIBBPF_ERRNO__FORMAT) */
			btfdb_err_set(err, "%s: section '%s' has type %u, expected SHT_PROGBITS",
				      obj->name, name, sh.sh_type);
			return -EINVAL;
		} else if (strcmp(name, ".BTF") == 0) {
			r->btf_scn = idx;
			r->btf_off = sh.sh_offset;
			r->btf_size = sh.sh_size;
		} else if (strcmp(name, ".BTF.ext") == 0) {
			r->has_ext = true;
			obj->btf_ext_scn = idx;
			obj->btf_ext_off = sh.sh_offset;
			obj->btf_ext_size = sh.sh_size;
		} else if (strcmp(name, ".struct_ops") == 0) {
			r->struct_ops = true;
		} else if (strcmp(name, ".struct_ops.link") == 0) {
			r->struct_ops_link = true;
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Open                                                                */
/* ------------------------------------------------------------------ */

/* Check e_ident by hand so that a non-ELF file gets a plain message. */
static int check_ident(struct corelink_obj *obj, struct btfdb_err *err)
{
	const uint8_t *id = obj->file;

	if (obj->file_size < EI_NIDENT || memcmp(id, ELFMAG, SELFMAG) != 0) {
		btfdb_err_set(err, "%s: not an ELF file", obj->name);
		return -EINVAL;
	}
	if (id[EI_CLASS] != ELFCLASS64) {
		btfdb_err_set(err, "%s: not a BPF object (ELF class %u, BPF objects are 64-bit)",
			      obj->name, id[EI_CLASS]);
		return -EINVAL;
	}
	if (id[EI_DATA] != ELFDATA2LSB && id[EI_DATA] != ELFDATA2MSB) {
		btfdb_err_set(err, "%s: unknown ELF byte order %u", obj->name, id[EI_DATA]);
		return -EINVAL;
	}
	obj->big_endian = id[EI_DATA] == ELFDATA2MSB;
	return 0;
}

/* Parse obj->file (already set); the body of corelink_obj_open_mem(). */
static int obj_parse(struct corelink_obj *obj, struct btfdb_err *err)
{
	struct scan_result r = { 0 };
	uint8_t *scratch = NULL;
	Elf *elf = NULL;
	GElf_Ehdr eh;
	int ret;

	ret = check_ident(obj, err);
	if (ret)
		return ret;

	/* libelf gets its own copy: it may byte-swap data in place */
	scratch = malloc(obj->file_size);
	if (!scratch)
		return -ENOMEM;
	memcpy(scratch, obj->file, obj->file_size);
	if (elf_version(EV_CURRENT) == EV_NONE) {
		btfdb_err_set(err, "%s: libelf initialisation failed", obj->name);
		ret = -EINVAL;
		goto out;
	}
	elf = elf_memory((char *)scratch, obj->file_size);
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh)) {
		btfdb_err_set(err, "%s: malformed ELF file: %s", obj->name, elf_errmsg(-1));
		ret = -EINVAL;
		goto out;
	}
	if (eh.e_machine != EM_BPF) {
		btfdb_err_set(err, "%s: not a BPF object (e_machine %u)", obj->name, eh.e_machine);
		ret = -EINVAL;
		goto out;
	}
	if (eh.e_type != ET_REL) {
		btfdb_err_set(err, "%s: not a relocatable object (e_type %u; expected ET_REL)",
			      obj->name, eh.e_type);
		ret = -EINVAL;
		goto out;
	}

	ret = scan_sections(obj, elf, &r, err);
	if (ret)
		goto out;
	if (!r.btf_scn) {
		btfdb_err_set(err, "%s: no .BTF section (compile with clang -g)", obj->name);
		ret = -EINVAL;
		goto out;
	}
	if (!r.has_ext) {
		btfdb_err_set(err, "%s: no .BTF.ext section", obj->name);
		ret = -EINVAL;
		goto out;
	}
	if (!r.symscn) {
		btfdb_err_set(err, "%s: no symbol table", obj->name);
		ret = -EINVAL;
		goto out;
	}

	ret = btfdb_btf_parse(obj->file + r.btf_off, r.btf_size, NULL, &obj->btf, err);
	if (ret) {
		btfdb_err_prefix(err, "%s: .BTF: ", obj->name);
		goto out;
	}
	/* like libbpf for objects: BPF pointers are 8 bytes whatever BTF says */
	btfdb_btf_set_ptr_size(obj->btf, 8);

	ret = collect_progs(obj, elf, r.symscn, &r.symsh, err);
	if (ret)
		goto out;
	ret = cl_btf_ext_parse(obj, obj->file + obj->btf_ext_off, obj->btf_ext_size, err);
	if (ret)
		goto out;
	ret = collect_needs(obj, r.struct_ops, r.struct_ops_link);
out:
	if (elf)
		elf_end(elf);
	free(scratch);
	if (ret == -ENOMEM)
		btfdb_err_set(err, "%s: out of memory", obj->name);
	return ret;
}

/* Take ownership of file (malloc'ed, size bytes) and parse it. */
static int obj_open_owned(uint8_t *file, size_t size, const char *name,
			  struct corelink_obj **out, struct btfdb_err *err)
{
	struct corelink_obj *obj;
	int ret;

	*out = NULL;
	obj = calloc(1, sizeof(*obj));
	if (!obj) {
		free(file);
		btfdb_err_set(err, "%s: out of memory", name);
		return -ENOMEM;
	}
	obj->file = file;
	obj->file_size = size;
	obj->name = strdup(name);
	if (!obj->name) {
		corelink_obj_free(obj);
		btfdb_err_set(err, "%s: out of memory", name);
		return -ENOMEM;
	}
	ret = obj_parse(obj, err);
	if (ret) {
		corelink_obj_free(obj);
		return ret;
	}
	*out = obj;
	return 0;
}

int corelink_obj_open_mem(const void *data, size_t size, const char *name,
			  struct corelink_obj **out, struct btfdb_err *err)
{
	uint8_t *copy;

	if (!out || (!data && size)) {
		btfdb_err_set(err, "corelink_obj_open_mem: invalid arguments");
		return -EINVAL;
	}
	*out = NULL;
	if (!name)
		name = "<memory>";
	copy = malloc(size ? size : 1);
	if (!copy) {
		btfdb_err_set(err, "%s: out of memory", name);
		return -ENOMEM;
	}
	if (size)
		memcpy(copy, data, size);
	return obj_open_owned(copy, size, name, out, err);
}

int corelink_obj_open(const char *path, struct corelink_obj **out, struct btfdb_err *err)
{
	uint8_t *buf = NULL;
	size_t size = 0, cap = 0;
	struct stat st;
	int fd, ret;

	if (!path || !out) {
		btfdb_err_set(err, "corelink_obj_open: invalid arguments");
		return -EINVAL;
	}
	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		btfdb_err_set(err, "%s: %s", path, strerror(errno));
		return ret;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		btfdb_err_set(err, "%s: is a directory", path);
		return -EISDIR;
	}
	/* read until EOF (works for pipes and files that change size) */
	for (;;) {
		ssize_t n;

		if (size == cap) {
			size_t ncap = cap ? cap * 2 : (st.st_size > 0 ? (size_t)st.st_size + 1 : 65536);
			uint8_t *tmp = realloc(buf, ncap);

			if (!tmp) {
				ret = -ENOMEM;
				btfdb_err_set(err, "%s: out of memory", path);
				goto fail;
			}
			buf = tmp;
			cap = ncap;
		}
		n = read(fd, buf + size, cap - size);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			btfdb_err_set(err, "%s: read: %s", path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		size += (size_t)n;
	}
	close(fd);
	return obj_open_owned(buf, size, path, out, err);
fail:
	close(fd);
	free(buf);
	return ret;
}

void corelink_obj_free(struct corelink_obj *obj)
{
	size_t i;

	if (!obj)
		return;
	for (i = 0; i < obj->nr_secs; i++)
		free(obj->secs[i].name);
	for (i = 0; i < obj->nr_progs; i++)
		free(obj->progs[i].name);
	for (i = 0; i < obj->nr_needs; i++)
		free(obj->needs[i]);
	free(obj->secs);
	free(obj->progs);
	free(obj->needs);
	free(obj->relos);
	btfdb_btf_free(obj->btf);
	free(obj->file);
	free(obj->name);
	free(obj);
}
