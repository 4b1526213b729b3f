/* SPDX-License-Identifier: MIT */
/* corelink internals: the contract between the object reader (elf_obj.c,
 * btf_ext.c), the relocation core (spec/cands/match/calc/patch/relocate.c)
 * and the writer (emit.c). */
#ifndef CORELINK_INTERNAL_H
#define CORELINK_INTERNAL_H

#include "corelink.h"

#define CL_INSN_SZ 8u
#define CL_POISON_IMM 0xbad2310 /* 195896080, libbpf's poison helper id */

/* An ELF section holding BPF instructions (SHF_EXECINSTR, SHT_PROGBITS). */
struct cl_insn_sec {
	char *name;          /* section name, e.g. "tracepoint/syscalls/sys_enter_x", ".text" */
	size_t scn_idx;      /* ELF section index */
	const uint8_t *data; /* original bytes (object byte order), inside obj->file */
	size_t size;         /* bytes; a multiple of 8 */
};

/* A program or subprogram: a STT_FUNC symbol inside an instruction section. */
struct cl_prog {
	char *name;
	uint32_t sec;      /* index into obj->secs */
	uint32_t insn_off; /* first instruction (index within the section) */
	uint32_t insn_cnt;
};

/* One CO-RE record of .BTF.ext (struct bpf_core_relo), host order. */
struct cl_core_relo {
	uint32_t sec;            /* index into obj->secs (resolved from sec_name_off) */
	uint32_t sec_relo_idx;   /* index of the record within its .BTF.ext block */
	uint32_t insn_off;       /* byte offset within the section */
	uint32_t type_id;        /* local root type */
	uint32_t access_str_off; /* into the local .BTF strings */
	uint32_t kind;
};

struct corelink_obj {
	char *name;              /* path or name given to open (messages) */
	uint8_t *file;           /* whole input file, owned, never modified */
	size_t file_size;
	bool big_endian;         /* ELFDATA2MSB */
	struct btfdb_btf *btf;   /* local .BTF */

	struct cl_insn_sec *secs;
	size_t nr_secs;
	struct cl_prog *progs;   /* sorted by (sec, insn_off) */
	size_t nr_progs;

	/* .BTF.ext: the section and where its CO-RE subsection lives in the file */
	size_t btf_ext_scn;      /* ELF section index of .BTF.ext */
	size_t btf_ext_off;      /* file offset of .BTF.ext data */
	size_t btf_ext_size;
	uint32_t btf_ext_hdr_len;

	/* CO-RE records in .BTF.ext order (block by block, record by record) */
	struct cl_core_relo *relos;
	size_t nr_relos;

	/* reasons kernel BTF is still needed (corelink_obj_btf_needs) */
	char **needs;
	size_t nr_needs;
};

/* The patched copy of one instruction section. */
struct cl_patched_sec {
	uint8_t *data; /* size == obj->secs[i].size, object byte order */
};

struct corelink_run {
	const struct corelink_obj *obj;
	struct cl_patched_sec *secs;     /* one per obj->secs, same order */
	struct corelink_relo_info *infos; /* one per processed record */
	size_t nr_infos;
	size_t nr_poisoned;
	int err;                          /* 0 or the hard error */
	bool target_bad;                  /* err: the target BTF is malformed */
	/* owned strings referenced by infos (spec, reason) */
	char **strs;
	size_t nr_strs;
};

/* Find the program containing instruction insn_idx of section sec, or NULL. */
const struct cl_prog *cl_obj_find_prog(const struct corelink_obj *obj, uint32_t sec,
				       uint32_t insn_idx);

/* Parse .BTF.ext (btf_ext.c): fills obj->relos; validates every record. */
int cl_btf_ext_parse(struct corelink_obj *obj, const uint8_t *data, size_t size,
		     struct btfdb_err *err);

/* An n-byte (n <= 8) integer at p in the given byte order (emit.c, strip.c). */
static inline uint64_t cl_rd(const uint8_t *p, unsigned n, bool be)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)p[be ? i : n - 1 - i] << (8 * (n - 1 - i));
	return v;
}

static inline void cl_wr(uint8_t *p, unsigned n, bool be, uint64_t v)
{
	unsigned i;

	for (i = 0; i < n; i++)
		p[be ? n - 1 - i : i] = (uint8_t)(v >> (8 * i));
}

/* ---- BPF instruction encoding in either byte order (patch.c) ---- */
struct cl_insn {
	uint8_t code;
	uint8_t dst_reg;
	uint8_t src_reg;
	int16_t off;
	int32_t imm;
};
void cl_insn_decode(const uint8_t *p, bool big_endian, struct cl_insn *insn);
void cl_insn_encode(uint8_t *p, bool big_endian, const struct cl_insn *insn);

#endif /* CORELINK_INTERNAL_H */
