/* SPDX-License-Identifier: MIT */
/* Writing the relocated object (emit.c): with a hand-made run, the output
 * reopens with 0 CO-RE records and everything else identical (checked
 * section by section with libelf), bytes are deterministic, the stamp note
 * parses, readelf accepts the result, and atomic writes never leave a
 * temporary or partial file. */
#include <dirent.h>
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "corelink_elf.h"
#include "corelink_internal.h"
#include "test.h"

static uint32_t rd32(const uint8_t *p, bool be)
{
	return be ? (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]
		  : (uint32_t)p[3] << 24 | p[2] << 16 | p[1] << 8 | p[0];
}

/* A run that leaves every instruction as it is, except that insn #first of
 * the first CO-RE record gets a new imm (0x1234), as a relocation would. */
static struct corelink_run *make_run(const struct corelink_obj *obj, bool patch)
{
	struct corelink_run *run = calloc(1, sizeof(*run));
	size_t i;

	run->obj = obj;
	run->secs = calloc(obj->nr_secs, sizeof(*run->secs));
	for (i = 0; i < obj->nr_secs; i++) {
		run->secs[i].data = malloc(obj->secs[i].size + 1);
		memcpy(run->secs[i].data, obj->secs[i].data, obj->secs[i].size);
	}
	if (patch && obj->nr_relos) {
		uint8_t *p = run->secs[obj->relos[0].sec].data + obj->relos[0].insn_off + 4;
		bool be = obj->big_endian;

		p[be ? 3 : 0] = 0x34;
		p[be ? 2 : 1] = 0x12;
		p[be ? 1 : 2] = 0;
		p[be ? 0 : 3] = 0;
	}
	return run;
}

static void free_run(struct corelink_run *run)
{
	size_t i;

	if (!run)
		return;
	for (i = 0; i < run->obj->nr_secs; i++)
		free(run->secs[i].data);
	free(run->secs);
	free(run);
}

/* An ELF opened with libelf on a private copy of the bytes. */
struct lelf {
	Elf *elf;
	uint8_t *copy;
	size_t shstrndx, nsec;
};

static int lelf_open(struct lelf *l, const void *buf, size_t size)
{
	l->copy = malloc(size);
	memcpy(l->copy, buf, size);
	elf_version(EV_CURRENT);
	l->elf = elf_memory((char *)l->copy, size);
	if (!l->elf || elf_getshdrstrndx(l->elf, &l->shstrndx) || elf_getshdrnum(l->elf, &l->nsec))
		return -1;
	return 0;
}

static void lelf_close(struct lelf *l)
{
	if (l->elf)
		elf_end(l->elf);
	free(l->copy);
}

static const char *lelf_name(struct lelf *l, size_t i, GElf_Shdr *sh)
{
	Elf_Scn *scn = elf_getscn(l->elf, i);

	if (!scn || !gelf_getshdr(scn, sh))
		return NULL;
	return elf_strptr(l->elf, l->shstrndx, sh->sh_name);
}

/* Raw (file-order) bytes of section i. */
static const uint8_t *lelf_raw(struct lelf *l, size_t i, size_t *size)
{
	Elf_Scn *scn = elf_getscn(l->elf, i);
	Elf_Data *d = scn ? elf_rawdata(scn, NULL) : NULL;

	*size = d ? d->d_size : 0;
	return d ? d->d_buf : NULL;
}

static long find_sec(struct lelf *l, const char *name)
{
	GElf_Shdr sh;
	size_t i;

	for (i = 1; i < l->nsec; i++) {
		const char *n = lelf_name(l, i, &sh);

		if (n && !strcmp(n, name))
			return (long)i;
	}
	return -1;
}

/* Bytes of one .BTF.ext subsection (header field pair at hoff). */
static const uint8_t *ext_sub(const uint8_t *ext, bool be, int hoff, uint32_t *len)
{
	uint32_t hdr = rd32(ext + 4, be);

	*len = rd32(ext + hoff + 4, be);
	return ext + hdr + rd32(ext + hoff, be);
}

/*
 * The full structural comparison of input and output.  stamped: the output
 * must carry one extra .note.corelink section (and a longer .strtab).
 */
static void compare(const struct corelink_obj *obj, const struct corelink_run *run,
		    const uint8_t *out, size_t out_size, bool stamped)
{
	struct lelf in = { 0 }, o = { 0 };
	size_t i, in_rel_ext = 0, out_rel_ext = 0;
	bool be = obj->big_endian;
	long in_ext, out_ext, note;

	CHECK_EQ(lelf_open(&in, obj->file, obj->file_size), 0);
	CHECK_EQ(lelf_open(&o, out, out_size), 0);
	if (!in.elf || !o.elf)
		goto done;
	CHECK_EQ(o.nsec, in.nsec + (stamped ? 1 : 0));
	CHECK_EQ(o.shstrndx, in.shstrndx);
	for (i = 1; i < in.nsec; i++) {
		GElf_Shdr a, b;
		const char *na = lelf_name(&in, i, &a), *nb = lelf_name(&o, i, &b);
		const uint8_t *da, *db;
		size_t sa, sb, k;

		CHECK(na && nb && !strcmp(na, nb));
		if (!na || !nb)
			continue;
		CHECK_EQ(a.sh_type, b.sh_type);
		CHECK_EQ(a.sh_flags, b.sh_flags);
		CHECK_EQ(a.sh_link, b.sh_link);
		CHECK_EQ(a.sh_info, b.sh_info);
		CHECK_EQ(a.sh_addralign, b.sh_addralign);
		CHECK_EQ(a.sh_entsize, b.sh_entsize);
		if (b.sh_addralign > 1)
			CHECK_EQ(b.sh_offset % b.sh_addralign, 0);
		if (a.sh_type == SHT_NOBITS) {
			CHECK_EQ(a.sh_size, b.sh_size);
			continue;
		}
		da = lelf_raw(&in, i, &sa);
		db = lelf_raw(&o, i, &sb);
		if (!strcmp(na, ".BTF.ext"))
			continue; /* below */
		if (a.sh_type == SHT_REL && a.sh_info == (GElf_Word)obj->btf_ext_scn) {
			in_rel_ext = sa / sizeof(Elf64_Rel);
			out_rel_ext = sb / sizeof(Elf64_Rel);
			continue;
		}
		if (i == in.shstrndx && stamped) {
			/* the old names unchanged, ".note.corelink" appended */
			CHECK_EQ(sb, sa + sizeof(".note.corelink"));
			CHECK(sb >= sa && !memcmp(da, db, sa));
			CHECK(sb >= sa && !memcmp(db + sa, ".note.corelink", sizeof(".note.corelink")));
			continue;
		}
		CHECK_EQ(sa, sb);
		if (sa != sb || !sa)
			continue;
		for (k = 0; k < obj->nr_secs; k++)
			if (obj->secs[k].scn_idx == i)
				break;
		if (k < obj->nr_secs && run) /* instructions: the run's bytes */
			CHECK(!memcmp(db, run->secs[k].data, sb));
		else /* everything else: identical (symbols, relocations, .BTF, ...) */
			CHECK(!memcmp(da, db, sa));
	}
	/* one relocation per CO-RE record went away with the records */
	CHECK(in_rel_ext > 0);
	CHECK_EQ(out_rel_ext, in_rel_ext - obj->nr_relos);

	/* .BTF.ext: func_info and line_info bytes unchanged, no CO-RE data */
	in_ext = find_sec(&in, ".BTF.ext");
	out_ext = find_sec(&o, ".BTF.ext");
	CHECK(in_ext > 0 && out_ext == in_ext);
	if (in_ext > 0 && out_ext == in_ext) {
		size_t sa, sb;
		const uint8_t *a = lelf_raw(&in, (size_t)in_ext, &sa);
		const uint8_t *b = lelf_raw(&o, (size_t)out_ext, &sb);
		uint32_t la, lb, ca;
		const uint8_t *pa, *pb;

		CHECK_EQ(rd32(b + 4, be), 32);       /* hdr_len kept */
		CHECK_EQ(rd32(b + 28, be), 0);       /* core_relo_len */
		CHECK_EQ(rd32(b + 24, be), sb - 32); /* core_relo_off: end of data */
		ext_sub(a, be, 24, &ca);
		CHECK_EQ(sb, sa - ca);
		pa = ext_sub(a, be, 8, &la);
		pb = ext_sub(b, be, 8, &lb);
		CHECK(la == lb && la && !memcmp(pa, pb, la));
		pa = ext_sub(a, be, 16, &la);
		pb = ext_sub(b, be, 16, &lb);
		CHECK(la == lb && la && !memcmp(pa, pb, la));
	}

	note = find_sec(&o, ".note.corelink");
	CHECK_EQ(note > 0, stamped);
done:
	lelf_close(&in);
	lelf_close(&o);
}

/* Parse the stamp with libelf's note reader. */
static void check_note(const uint8_t *out, size_t size, const char *release, uint64_t hash,
		       const char *rules)
{
	struct lelf l = { 0 };
	char want_hash[17];
	GElf_Nhdr nh;
	size_t name_off, desc_off;
	Elf_Data *d;
	long idx;

	CHECK_EQ(lelf_open(&l, out, size), 0);
	idx = find_sec(&l, ".note.corelink");
	CHECK(idx > 0);
	if (idx <= 0)
		goto out;
	d = elf_getdata(elf_getscn(l.elf, (size_t)idx), NULL);
	CHECK(d != NULL);
	CHECK(d && gelf_getnote(d, 0, &nh, &name_off, &desc_off) > 0);
	if (!d)
		goto out;
	CHECK_EQ(nh.n_type, 1);
	CHECK_EQ(nh.n_namesz, 9);
	CHECK_STR((const char *)d->d_buf + name_off, "corelink");
	{
		const char *v = (const char *)d->d_buf + desc_off;
		const char *r = v + strlen(v) + 1;
		const char *h = r + strlen(r) + 1;
		const char *s = h + strlen(h) + 1;

		snprintf(want_hash, sizeof(want_hash), "%016" PRIx64, hash);
		CHECK_STR(v, CORELINK_VERSION_STRING);
		CHECK_STR(r, release ? release : "");
		CHECK_STR(h, want_hash);
		CHECK_STR(s, rules);
		CHECK_EQ(nh.n_descsz, strlen(v) + strlen(r) + strlen(h) + strlen(s) + 4);
	}
out:
	lelf_close(&l);
}

/* readelf -a -W must succeed without warnings. */
static void check_readelf(const uint8_t *buf, size_t size)
{
	char path[] = "/tmp/objio_emit_XXXXXX", cmd[256];
	int fd = mkstemp(path), status;
	FILE *p;
	char line[512];
	int warnings = 0;

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK_EQ(write(fd, buf, size), (ssize_t)size);
	close(fd);
	snprintf(cmd, sizeof(cmd), "readelf -a -W -n %s 2>&1 >/dev/null", path);
	p = popen(cmd, "r");
	while (p && fgets(line, sizeof(line), p)) {
		fprintf(stderr, "readelf: %s", line);
		warnings++;
	}
	status = p ? pclose(p) : -1;
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_EQ(warnings, 0);
	unlink(path);
}

static void test_emit(const char *file)
{
	struct btfdb_err err = { 0 };
	struct corelink_obj *obj = NULL, *back = NULL, *back2 = NULL;
	struct corelink_run *run = NULL;
	struct corelink_stamp st = { "5.15.0-91-generic", 0x0123456789abcdefull };
	struct corelink_stamp st2 = { NULL, 0xfedcba9876543210ull, CORELINK_LIBBPF_1_1 };
	void *out = NULL, *out2 = NULL, *out3 = NULL, *stamped = NULL;
	size_t size = 0, size2 = 0, size3 = 0, ssize = 0, i;
	int ret;

	CHECK_EQ(corelink_obj_open(file, &obj, &err), 0);
	if (!obj) {
		fprintf(stderr, "%s\n", err.msg);
		return;
	}
	CHECK(obj->nr_relos > 0);
	run = make_run(obj, true);

	ret = corelink_emit(obj, run, NULL, &out, &size, &err);
	CHECK_EQ(ret, 0);
	if (ret) {
		fprintf(stderr, "emit: %s\n", err.msg);
		goto done;
	}
	CHECK(size < obj->file_size);
	compare(obj, run, out, size, false);
	check_readelf(out, size);

	/* deterministic */
	CHECK_EQ(corelink_emit(obj, run, NULL, &out2, &size2, &err), 0);
	CHECK(size2 == size && !memcmp(out, out2, size));

	/* reopens: no CO-RE records, same programs, patched instruction */
	CHECK_EQ(corelink_obj_open_mem(out, size, "out.o", &back, &err), 0);
	if (back) {
		CHECK_EQ(corelink_obj_relo_cnt(back), 0);
		CHECK_EQ(back->nr_progs, obj->nr_progs);
		CHECK_EQ(back->nr_secs, obj->nr_secs);
		for (i = 0; i < obj->nr_secs && i < back->nr_secs; i++)
			CHECK(!memcmp(back->secs[i].data, run->secs[i].data, obj->secs[i].size));
		CHECK(memcmp(back->secs[obj->relos[0].sec].data, obj->secs[obj->relos[0].sec].data,
			     obj->secs[obj->relos[0].sec].size) != 0);
		{
			size_t a, b;
			const void *ra = btfdb_btf_raw(obj->btf, &a), *rb = btfdb_btf_raw(back->btf, &b);

			CHECK(a == b && !memcmp(ra, rb, a));
		}
		/* a second pass changes nothing: same bytes */
		CHECK_EQ(corelink_emit(back, NULL, NULL, &out3, &size3, &err), 0);
		CHECK(out3 && size3 == size && !memcmp(out3, out, size));
	}

	/* with a stamp */
	CHECK_EQ(corelink_emit(obj, run, &st, &stamped, &ssize, &err), 0);
	if (stamped) {
		compare(obj, run, stamped, ssize, true);
		check_note(stamped, ssize, st.release, st.btf_hash, "libbpf 1.7");
		check_readelf(stamped, ssize);
		CHECK_EQ(corelink_obj_open_mem(stamped, ssize, "stamped.o", &back2, &err), 0);
		CHECK_EQ(corelink_obj_relo_cnt(back2), 0);
		/* stamping again replaces the note instead of adding one */
		if (back2) {
			void *again = NULL;
			size_t asz = 0;
			struct lelf l = { 0 }, l0 = { 0 };

			CHECK_EQ(corelink_emit(back2, NULL, &st2, &again, &asz, &err), 0);
			CHECK_EQ(lelf_open(&l, again, asz), 0);
			CHECK_EQ(lelf_open(&l0, stamped, ssize), 0);
			CHECK_EQ(l.nsec, l0.nsec);
			check_note(again, asz, NULL, st2.btf_hash, "libbpf 1.1");
			lelf_close(&l);
			lelf_close(&l0);
			free(again);
		}
	}

	/* an unpatched run (NULL) gives the original instructions */
	{
		void *b = NULL;
		size_t s = 0;
		struct corelink_run *plain = make_run(obj, false);

		CHECK_EQ(corelink_emit(obj, NULL, NULL, &b, &s, &err), 0);
		if (b)
			compare(obj, plain, b, s, false);
		free(b);
		free_run(plain);
	}

	/* refusals: a failed run, a run of another object */
	{
		void *b = (void *)1;
		size_t s = 1;
		struct btfdb_err e = { 0 };

		run->err = -EINVAL;
		CHECK_EQ(corelink_emit(obj, run, NULL, &b, &s, &e), -EINVAL);
		CHECK(b == NULL && s == 0);
		CHECK_CONTAINS(e.msg, "relocation failed; refusing to write");
		run->err = 0;
		memset(&e, 0, sizeof(e));
		run->obj = back;
		CHECK_EQ(corelink_emit(obj, run, NULL, &b, &s, &e), -EINVAL);
		CHECK_CONTAINS(e.msg, "belongs to another object");
		run->obj = obj;
	}
done:
	free(out);
	free(out2);
	free(out3);
	free(stamped);
	free_run(run);
	corelink_obj_free(back);
	corelink_obj_free(back2);
	corelink_obj_free(obj);
}

static void wr32(uint8_t *p, bool be, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[be ? 3 - i : i] = (uint8_t)(v >> (8 * i));
}

/*
 * CO-RE records in the middle of .BTF.ext (hdr | func | core | line, same
 * section size): they are cut out, line_info moves down, its bytes intact.
 */
static void test_core_in_middle(const char *file)
{
	struct btfdb_err err = { 0 };
	struct corelink_obj *obj = NULL, *perm = NULL, *back = NULL;
	uint8_t *img = NULL, *e;
	const uint8_t *o;
	uint32_t fo, fl, lo, ll, co, cl, pos;
	void *out = NULL;
	size_t size = 0;
	bool be;

	CHECK_EQ(corelink_obj_open(file, &obj, &err), 0);
	if (!obj)
		return;
	be = obj->big_endian;
	o = obj->file + obj->btf_ext_off;
	fo = rd32(o + 8, be), fl = rd32(o + 12, be);
	lo = rd32(o + 16, be), ll = rd32(o + 20, be);
	co = rd32(o + 24, be), cl = rd32(o + 28, be);
	CHECK(fo < lo && lo < co); /* clang's order: func, line, core */
	img = malloc(obj->file_size);
	memcpy(img, obj->file, obj->file_size);
	e = img + obj->btf_ext_off;
	pos = fo + fl;
	memcpy(e + 32 + pos, o + 32 + co, cl);
	wr32(e + 24, be, pos);
	pos += cl;
	memcpy(e + 32 + pos, o + 32 + lo, ll);
	wr32(e + 16, be, pos);
	CHECK_EQ(corelink_obj_open_mem(img, obj->file_size, "perm.o", &perm, &err), 0);
	if (!perm)
		goto out;
	CHECK_EQ(perm->nr_relos, obj->nr_relos);
	CHECK_EQ(corelink_emit(perm, NULL, NULL, &out, &size, &err), 0);
	CHECK_EQ(corelink_obj_open_mem(out, size, "out.o", &back, &err), 0);
	if (back) {
		const uint8_t *b = back->file + back->btf_ext_off;

		CHECK_EQ(back->nr_relos, 0);
		CHECK_EQ(back->btf_ext_size, obj->btf_ext_size - cl);
		CHECK_EQ(rd32(b + 8, be), fo);
		CHECK_EQ(rd32(b + 16, be), fo + fl); /* line_info moved down */
		CHECK_EQ(rd32(b + 24, be), back->btf_ext_size - 32);
		CHECK_EQ(rd32(b + 28, be), 0);
		CHECK(!memcmp(b + 32 + fo, o + 32 + fo, fl));
		CHECK(!memcmp(b + 32 + fo + fl, o + 32 + lo, ll));
	}
out:
	free(out);
	free(img);
	corelink_obj_free(back);
	corelink_obj_free(perm);
	corelink_obj_free(obj);
}

/* Names in dir (excluding . and ..), for "no temporary file left" checks. */
static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	if (d)
		closedir(d);
	return n;
}

static void test_atomic(const char *file)
{
	char dir[] = "/tmp/objio_atomic_XXXXXX", path[512], sub[512];
	struct btfdb_err err = { 0 };
	struct corelink_obj *obj = NULL;
	void *buf = NULL;
	size_t size = 0;
	struct stat st;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/out.o", dir);

	/* a good write: exactly the bytes, no temporary left */
	CHECK_EQ(corelink_write_file_atomic(path, "abc", 3, &err), 0);
	CHECK(stat(path, &st) == 0 && st.st_size == 3);
	CHECK_EQ(count_entries(dir), 1);
	/* replacing an existing file */
	CHECK_EQ(corelink_write_file_atomic(path, "hello", 5, &err), 0);
	CHECK(stat(path, &st) == 0 && st.st_size == 5);
	CHECK_EQ(count_entries(dir), 1);

	/* the target is a directory: rename fails, temp file removed, nothing written */
	snprintf(sub, sizeof(sub), "%s/adir", dir);
	CHECK_EQ(mkdir(sub, 0755), 0);
	memset(&err, 0, sizeof(err));
	CHECK(corelink_write_file_atomic(sub, "abc", 3, &err) < 0);
	CHECK_CONTAINS(err.msg, sub);
	CHECK_EQ(count_entries(dir), 2); /* out.o and adir only */
	CHECK(stat(sub, &st) == 0 && S_ISDIR(st.st_mode));
	rmdir(sub);

	/* a missing directory: error, nothing created */
	snprintf(sub, sizeof(sub), "%s/missing/out.o", dir);
	memset(&err, 0, sizeof(err));
	CHECK_EQ(corelink_write_file_atomic(sub, "abc", 3, &err), -ENOENT);
	CHECK_CONTAINS(err.msg, "cannot create a temporary file");
	CHECK_EQ(count_entries(dir), 1);

	/* corelink_write: same bytes as corelink_emit */
	CHECK_EQ(corelink_obj_open(file, &obj, &err), 0);
	if (obj) {
		uint8_t *disk;
		FILE *f;

		CHECK_EQ(corelink_emit(obj, NULL, NULL, &buf, &size, &err), 0);
		CHECK_EQ(corelink_write(obj, NULL, NULL, path, &err), 0);
		disk = malloc(size + 1);
		f = fopen(path, "rb");
		CHECK(f && fread(disk, 1, size + 1, f) == size);
		CHECK(!memcmp(disk, buf, size));
		if (f)
			fclose(f);
		free(disk);
		/* a failed run: refused, the previous file untouched */
		{
			struct corelink_run *run = make_run(obj, true);

			run->err = -EINVAL;
			memset(&err, 0, sizeof(err));
			CHECK(corelink_write(obj, run, NULL, path, &err) < 0);
			CHECK(stat(path, &st) == 0 && (size_t)st.st_size == size);
			CHECK_EQ(count_entries(dir), 1);
			free_run(run);
		}
	}
	unlink(path);
	rmdir(dir);
	free(buf);
	corelink_obj_free(obj);
}

int main(void)
{
	test_emit(TEST_BPF_DIR "/objio_basic.bpf.o");
	test_emit(TEST_BPF_DIR "/objio_basic.bpfeb.o");
	test_emit(TEST_BPF_DIR "/objio_needs.bpf.o");
	test_core_in_middle(TEST_BPF_DIR "/objio_basic.bpf.o");
	test_core_in_middle(TEST_BPF_DIR "/objio_basic.bpfeb.o");
	test_atomic(TEST_BPF_DIR "/objio_basic.bpf.o");
	return test_finish();
}
