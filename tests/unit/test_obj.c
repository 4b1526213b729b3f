/* SPDX-License-Identifier: MIT */
/* Reading BPF objects (elf_obj.c) and .BTF.ext (btf_ext.c): both byte
 * orders, programs, CO-RE records, kernel-BTF needs, and every rejection on
 * corrupted copies built in memory. */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>

#include "corelink_elf.h"
#include "corelink_internal.h"
#include "test.h"

static uint8_t *read_all(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n > 0 ? (size_t)n : 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*size = (size_t)n;
	return buf;
}

static uint32_t rd32(const uint8_t *p, bool be)
{
	return be ? (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]
		  : (uint32_t)p[3] << 24 | p[2] << 16 | p[1] << 8 | p[0];
}

static void wr32(uint8_t *p, bool be, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[be ? 3 - i : i] = (uint8_t)(v >> (8 * i));
}

/* File offset of section header field `field_off` of the section called
 * name (found with libelf, independently of the code under test). */
static long shdr_field_off(const uint8_t *file, size_t size, const char *name, int field_off)
{
	uint8_t *copy = malloc(size);
	long res = -1;
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	GElf_Ehdr eh;
	Elf *elf;

	memcpy(copy, file, size);
	elf_version(EV_CURRENT);
	elf = elf_memory((char *)copy, size);
	if (!elf || !gelf_getehdr(elf, &eh) || elf_getshdrstrndx(elf, &shstrndx))
		goto out;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *n;

		gelf_getshdr(scn, &sh);
		n = elf_strptr(elf, shstrndx, sh.sh_name);
		if (n && !strcmp(n, name)) {
			res = (long)(eh.e_shoff + elf_ndxscn(scn) * sizeof(Elf64_Shdr) + field_off);
			break;
		}
	}
out:
	if (elf)
		elf_end(elf);
	free(copy);
	return res;
}

/* Open a (possibly corrupted) copy; expect failure with msg in the error. */
static void expect_reject(const uint8_t *data, size_t size, const char *msg)
{
	struct btfdb_err err = { 0 };
	struct corelink_obj *obj = (void *)1;
	int ret = corelink_obj_open_mem(data, size, "x.o", &obj, &err);

	CHECK(ret < 0);
	CHECK(obj == NULL);
	CHECK_CONTAINS(err.msg, msg);
	if (ret >= 0)
		corelink_obj_free(obj);
}

/* Where things are in .BTF.ext (learnt from a good open). */
struct ext_pos {
	size_t ext;      /* file offset of .BTF.ext */
	uint32_t hdr_len;
	size_t core;     /* file offset of the core_relo subsection (rec_size) */
	size_t func;     /* file offset of the func_info subsection */
	size_t line;     /* file offset of the line_info subsection */
};

static struct ext_pos ext_pos(const struct corelink_obj *obj)
{
	const uint8_t *e = obj->file + obj->btf_ext_off;
	bool be = obj->big_endian;
	struct ext_pos p;

	p.ext = obj->btf_ext_off;
	p.hdr_len = obj->btf_ext_hdr_len;
	p.func = p.ext + p.hdr_len + rd32(e + 8, be);
	p.line = p.ext + p.hdr_len + rd32(e + 16, be);
	p.core = p.ext + p.hdr_len + rd32(e + 24, be);
	return p;
}

/* An instruction's opcode and imm at a record, in the object's order. */
static void insn_at(const struct corelink_obj *obj, const struct cl_core_relo *r, uint8_t *code,
		    int32_t *imm)
{
	const uint8_t *p = obj->secs[r->sec].data + r->insn_off;

	*code = p[0];
	*imm = (int32_t)rd32(p + 4, obj->big_endian);
}

static const char *access_str(const struct corelink_obj *obj, const struct cl_core_relo *r)
{
	return btfdb_btf_str(obj->btf, r->access_str_off);
}

static void test_basic(const char *file, bool be)
{
	struct btfdb_err err = { 0 };
	struct corelink_obj *obj = NULL;
	size_t i, per_kind[16] = { 0 }, nr_tp = 0, nr_text = 0, nr_kp = 0, exp_tp = 0;
	long tp = -1, text = -1, kp = -1;
	int ret;

	ret = corelink_obj_open(file, &obj, &err);
	CHECK_EQ(ret, 0);
	if (ret) {
		fprintf(stderr, "open %s: %s\n", file, err.msg);
		return;
	}
	CHECK_EQ(corelink_obj_big_endian(obj), be);
	CHECK(corelink_obj_btf(obj) != NULL);
	CHECK_EQ(btfdb_btf_big_endian(corelink_obj_btf(obj)), be);

	/* sections: .text, the tracepoint and the kprobe */
	CHECK_EQ(obj->nr_secs, 3);
	for (i = 0; i < obj->nr_secs; i++) {
		if (!strcmp(obj->secs[i].name, ".text"))
			text = (long)i;
		else if (!strcmp(obj->secs[i].name, "tracepoint/syscalls/sys_enter_read"))
			tp = (long)i;
		else if (!strcmp(obj->secs[i].name, "kprobe/do_exit"))
			kp = (long)i;
		CHECK_EQ(obj->secs[i].size % 8, 0);
		CHECK(obj->secs[i].data > obj->file &&
		      obj->secs[i].data + obj->secs[i].size <= obj->file + obj->file_size);
	}
	CHECK(tp >= 0 && text >= 0 && kp >= 0);
	if (tp < 0 || text < 0 || kp < 0)
		goto out;
	CHECK(text < tp && tp < kp); /* ELF order */

	/* programs: sorted by (section, offset), subprog in .text */
	CHECK_EQ(obj->nr_progs, 3);
	if (obj->nr_progs == 3) {
		CHECK_STR(obj->progs[0].name, "objio_sub");
		CHECK_EQ(obj->progs[0].sec, text);
		CHECK_EQ(obj->progs[0].insn_off, 0);
		CHECK_EQ(obj->progs[0].insn_cnt, obj->secs[text].size / 8);
		CHECK_STR(obj->progs[1].name, "objio_tp");
		CHECK_EQ(obj->progs[1].sec, tp);
		CHECK_EQ(obj->progs[1].insn_cnt, obj->secs[tp].size / 8);
		CHECK_STR(obj->progs[2].name, "objio_kp");
		CHECK_EQ(obj->progs[2].sec, kp);
	}
	CHECK(cl_obj_find_prog(obj, (uint32_t)tp, 0) == &obj->progs[1]);
	CHECK(cl_obj_find_prog(obj, (uint32_t)tp, (uint32_t)(obj->secs[tp].size / 8 - 1)) ==
	      &obj->progs[1]);
	CHECK(cl_obj_find_prog(obj, (uint32_t)tp, (uint32_t)(obj->secs[tp].size / 8)) == NULL);
	CHECK(cl_obj_find_prog(obj, (uint32_t)text, 1) == &obj->progs[0]);
	CHECK(cl_obj_find_prog(obj, (uint32_t)kp, 2) == &obj->progs[2]);
	CHECK(cl_obj_find_prog(obj, 7, 0) == NULL);

	/* CO-RE records: the tracepoint block (11 or more, clang decides), then
	 * 1 in .text, then 2 in the kprobe; counts read here independently */
	{
		struct ext_pos p = ext_pos(obj);
		const uint8_t *c = obj->file + p.core;
		uint32_t rs = rd32(c, be), n0 = rd32(c + 8, be);
		uint32_t n1 = rd32(c + 12 + n0 * rs + 4, be);
		uint32_t n2 = rd32(c + 12 + n0 * rs + 8 + n1 * rs + 4, be);

		CHECK_EQ(rs, 16);
		CHECK(n0 >= 11);
		CHECK_EQ(n1, 1);
		CHECK_EQ(n2, 2);
		exp_tp = n0;
		CHECK_EQ(corelink_obj_relo_cnt(obj), n0 + n1 + n2);
	}
	for (i = 0; i < obj->nr_relos; i++) {
		const struct cl_core_relo *r = &obj->relos[i];
		const char *root = btfdb_btf_name(obj->btf, r->type_id);
		const char *acc = access_str(obj, r);
		uint8_t code;
		int32_t imm;

		CHECK(r->kind < 16);
		if (r->kind < 16)
			per_kind[r->kind]++;
		CHECK_EQ(r->insn_off % 8, 0);
		CHECK(r->insn_off < obj->secs[r->sec].size);
		CHECK(root && (!strcmp(root, "objio_task") || !strcmp(root, "objio_state")));
		CHECK(acc != NULL);
		if (r->sec == (uint32_t)tp)
			CHECK_EQ(r->sec_relo_idx, nr_tp++);
		else if (r->sec == (uint32_t)text)
			CHECK_EQ(r->sec_relo_idx, nr_text++);
		else if (r->sec == (uint32_t)kp)
			CHECK_EQ(r->sec_relo_idx, nr_kp++);
		/* the record points at the instruction carrying the value */
		insn_at(obj, r, &code, &imm);
		if (r->kind == CORELINK_TYPE_SIZE)
			CHECK_EQ(imm, 40); /* sizeof(struct objio_task) */
		if (r->kind == CORELINK_ENUMVAL_VALUE) {
			CHECK_EQ(code, 0x18); /* ld_imm64 */
			CHECK_EQ(imm, 2);     /* OBJIO_B */
			CHECK_STR(acc, "1");
		}
		if (r->kind == CORELINK_FIELD_BYTE_SIZE && acc && !strcmp(acc, "0:5"))
			CHECK_EQ(imm, 16); /* sizeof(comm) */
		if (r->kind == CORELINK_FIELD_BYTE_OFFSET && acc && !strcmp(acc, "0:1"))
			CHECK_EQ(imm, 4); /* offsetof(tgid) */
		if (r->kind == CORELINK_FIELD_BYTE_OFFSET && acc && !strcmp(acc, "0:4"))
			CHECK_EQ(imm, 16); /* offsetof(state) */
		if (r->kind == CORELINK_FIELD_EXISTS)
			CHECK_EQ(imm, 1);
	}
	CHECK_EQ(nr_tp, exp_tp);
	CHECK_EQ(nr_text, 1);
	CHECK_EQ(nr_kp, 2);
	/* file order: the tracepoint block comes first, then .text, then kprobe */
	CHECK_EQ(obj->relos[0].sec, tp);
	CHECK_EQ(obj->relos[exp_tp].sec, text);
	CHECK_EQ(obj->relos[exp_tp + 2].sec, kp);
	CHECK(per_kind[CORELINK_FIELD_BYTE_OFFSET] >= 4);
	CHECK(per_kind[CORELINK_FIELD_BYTE_SIZE] >= 2);
	CHECK_EQ(per_kind[CORELINK_FIELD_EXISTS], 1);
	CHECK(per_kind[CORELINK_FIELD_SIGNED] >= 1);
	CHECK(per_kind[CORELINK_FIELD_LSHIFT_U64] >= 1);
	CHECK(per_kind[CORELINK_FIELD_RSHIFT_U64] >= 1);
	CHECK_EQ(per_kind[CORELINK_TYPE_EXISTS], 1);
	CHECK_EQ(per_kind[CORELINK_TYPE_SIZE], 1);
	CHECK_EQ(per_kind[CORELINK_ENUMVAL_VALUE], 1);

	/* nothing here needs kernel BTF */
	{
		const char *const *msgs = (void *)1;

		CHECK_EQ(corelink_obj_btf_needs(obj, &msgs), 0);
	}
out:
	corelink_obj_free(obj);
}

static void test_needs(const char *file)
{
	static const char *const want[] = {
		"program 'handle' (fentry/do_exit) needs kernel BTF at load time",
		"program 'on_switch' (tp_btf/sched_switch) needs kernel BTF at load time",
		"program 'objio_init' (struct_ops/objio_init) needs kernel BTF at load time",
		"struct_ops maps (section '.struct_ops') need kernel BTF at load time",
		"kfunc 'objio_kfunc' needs kernel BTF at load time",
		"typed __ksym extern 'objio_typed_ksym' needs kernel BTF at load time",
	};
	struct btfdb_err err = { 0 };
	struct corelink_obj *obj = NULL;
	const char *const *msgs = NULL;
	size_t n, i, j;

	CHECK_EQ(corelink_obj_open(file, &obj, &err), 0);
	if (!obj) {
		fprintf(stderr, "open %s: %s\n", file, err.msg);
		return;
	}
	n = corelink_obj_btf_needs(obj, &msgs);
	CHECK_EQ(n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		bool found = false;

		for (j = 0; j < n; j++)
			found |= !strcmp(msgs[j], want[i]);
		if (!found)
			fprintf(stderr, "missing need: %s\n", want[i]);
		CHECK(found);
	}
	for (j = 0; j < n; j++) {
		CHECK(!strstr(msgs[j], "plain"));
		CHECK(!strstr(msgs[j], "untyped"));
	}
	CHECK_EQ(corelink_obj_relo_cnt(obj), 1);
	corelink_obj_free(obj);
}

/* Every rejection, on corrupted in-memory copies of a good object. */
static void test_rejects(const char *file, bool be)
{
	struct btfdb_err err = { 0 };
	struct corelink_obj *good = NULL;
	struct ext_pos p;
	uint8_t *orig, *c;
	size_t size;
	long off;

	orig = read_all(file, &size);
	CHECK(orig != NULL);
	if (!orig)
		return;
	CHECK_EQ(corelink_obj_open_mem(orig, size, file, &good, &err), 0);
	if (!good) {
		free(orig);
		return;
	}
	p = ext_pos(good);
	c = malloc(size);

#define RESET() memcpy(c, orig, size)
	/* not ELF / not BPF / wrong class / wrong type */
	expect_reject((const uint8_t *)"hello world, not an object", 26, "x.o: not an ELF file");
	expect_reject(orig, 10, "x.o: not an ELF file");
	RESET();
	c[18] = be ? 0 : 62;
	c[19] = be ? 62 : 0;
	expect_reject(c, size, "x.o: not a BPF object (e_machine 62)");
	RESET();
	c[4] = ELFCLASS32;
	expect_reject(c, size, "x.o: not a BPF object (ELF class 1");
	RESET();
	c[16] = be ? 0 : ET_EXEC;
	c[17] = be ? ET_EXEC : 0;
	expect_reject(c, size, "not a relocatable object (e_type 2");

	/* no .BTF / no .BTF.ext: point the section's name at "" */
	RESET();
	off = shdr_field_off(orig, size, ".BTF", 0);
	CHECK(off > 0);
	if (off > 0) {
		wr32(c + off, be, 0);
		expect_reject(c, size, "x.o: no .BTF section (compile with clang -g)");
	}
	RESET();
	off = shdr_field_off(orig, size, ".BTF.ext", 0);
	CHECK(off > 0);
	if (off > 0) {
		wr32(c + off, be, 0);
		expect_reject(c, size, "x.o: no .BTF.ext section");
	}

	/* .BTF.ext header */
	RESET();
	c[p.ext] ^= 0x11;
	expect_reject(c, size, ".BTF.ext: bad magic");
	RESET();
	c[p.ext] = orig[p.ext + 1];
	c[p.ext + 1] = orig[p.ext];
	expect_reject(c, size, ".BTF.ext byte order differs");
	RESET();
	c[p.ext + 2] = 2;
	expect_reject(c, size, ".BTF.ext: unsupported version 2");
	RESET();
	c[p.ext + 3] = 1;
	expect_reject(c, size, ".BTF.ext: unsupported flags 0x1");
	RESET();
	wr32(c + p.ext + 4, be, 16);
	expect_reject(c, size, ".BTF.ext: header length 16 too small");
	RESET();
	wr32(c + p.ext + 4, be, (uint32_t)good->btf_ext_size + 4);
	expect_reject(c, size, "exceeds the section size");
	RESET();
	wr32(c + p.ext + 4, be, (uint32_t)good->btf_ext_size);
	expect_reject(c, size, ".BTF.ext has no data");

	/* subsection placement */
	RESET();
	wr32(c + p.ext + 24, be, rd32(orig + p.ext + 24, be) + 2);
	expect_reject(c, size, "core_relo offset");
	RESET();
	wr32(c + p.ext + 28, be, rd32(orig + p.ext + 28, be) + 8);
	expect_reject(c, size, "core_relo (offset");
	RESET();
	wr32(c + p.ext + 28, be, 4);
	expect_reject(c, size, ".BTF.ext core_relo has no records");
	RESET();
	wr32(c + p.ext + 28, be, 2);
	expect_reject(c, size, ".BTF.ext core_relo record size not found");

	/* rec_size: too small, not a multiple of 4 */
	RESET();
	wr32(c + p.core, be, 12);
	expect_reject(c, size, ".BTF.ext core_relo has invalid record size 12");
	RESET();
	wr32(c + p.func, be, 4);
	expect_reject(c, size, ".BTF.ext func_info has invalid record size 4");
	RESET();
	wr32(c + p.line, be, 18);
	expect_reject(c, size, ".BTF.ext line_info has invalid record size 18");

	/* blocks: num_info == 0, truncation */
	RESET();
	wr32(c + p.core + 8, be, 0);
	expect_reject(c, size, ".BTF.ext core_relo block #0 has num_info 0");
	RESET();
	wr32(c + p.line + 8, be, 0);
	expect_reject(c, size, ".BTF.ext line_info block #0 has num_info 0");
	RESET();
	wr32(c + p.ext + 28, be, rd32(orig + p.ext + 28, be) - 4);
	expect_reject(c, size, "core_relo block #2 truncated");
	RESET();
	wr32(c + p.func + 8, be, 1000);
	expect_reject(c, size, "func_info block #0 truncated");

	/* records: section name, insn_off alignment and range */
	RESET();
	wr32(c + p.core + 4, be, rd32(orig + p.core + 20, be)); /* name = an access string */
	expect_reject(c, size, "not found among the instruction sections");
	RESET();
	wr32(c + p.core + 4, be, 0x7fffffff);
	expect_reject(c, size, "core_relo block #0: bad section name offset");
	RESET();
	wr32(c + p.core + 12, be, rd32(orig + p.core + 12, be) + 4);
	expect_reject(c, size, "CO-RE relo #0: insn_off");
	{
		struct btfdb_err e2 = { 0 };
		struct corelink_obj *o = NULL;

		RESET();
		wr32(c + p.core + 12, be, rd32(orig + p.core + 12, be) + 4);
		CHECK(corelink_obj_open_mem(c, size, "x.o", &o, &e2) < 0);
		CHECK_CONTAINS(e2.msg, "is not a multiple of 8");
	}
	RESET();
	wr32(c + p.core + 12, be, 0x100000);
	expect_reject(c, size, "insn_off 1048576 is past the end of the section");

	/* the input buffer is never modified */
	RESET();
	{
		struct corelink_obj *o = NULL;

		CHECK_EQ(corelink_obj_open_mem(c, size, "x.o", &o, NULL), 0);
		CHECK(memcmp(c, orig, size) == 0);
		CHECK(o && memcmp(o->file, orig, size) == 0);
		corelink_obj_free(o);
	}
#undef RESET
	free(c);
	free(orig);
	corelink_obj_free(good);
}

static void test_files(void)
{
	struct btfdb_err err = { 0 };
	struct corelink_obj *obj = (void *)1;

	CHECK_EQ(corelink_obj_open("/nonexistent/x.o", &obj, &err), -ENOENT);
	CHECK(obj == NULL);
	CHECK_STR(err.msg, "/nonexistent/x.o: No such file or directory");
	memset(&err, 0, sizeof(err));
	CHECK_EQ(corelink_obj_open("/", &obj, &err), -EISDIR);
	CHECK_STR(err.msg, "/: is a directory");
	corelink_obj_free(NULL);
	CHECK_EQ(corelink_obj_relo_cnt(NULL), 0);
}

int main(void)
{
	test_basic(TEST_BPF_DIR "/objio_basic.bpf.o", false);
	test_basic(TEST_BPF_DIR "/objio_basic.bpfeb.o", true);
	test_needs(TEST_BPF_DIR "/objio_needs.bpf.o");
	test_needs(TEST_BPF_DIR "/objio_needs.bpfeb.o");
	test_rejects(TEST_BPF_DIR "/objio_basic.bpf.o", false);
	test_rejects(TEST_BPF_DIR "/objio_basic.bpfeb.o", true);
	test_files();
	return test_finish();
}
