/* SPDX-License-Identifier: MIT */
/*
 * btfdb: build and inspect a database of many kernels' BTF.
 *
 *   btfdb build SRC... -o DB [--name N]   new database from sources
 *   btfdb add DB SRC... [--name N]        append kernels
 *   btfdb rm DB KERNEL                    remove one kernel (and what only it used)
 *   btfdb compact DB                      drop strings/records no kernel uses
 *   btfdb ls DB                           list kernels
 *   btfdb info DB                         sizes, counts, compression ratio
 *   btfdb show DB KERNEL TYPE_NAME        the type(s) of that name, in C
 *   btfdb extract DB KERNEL -o FILE       the original BTF blob, byte for byte
 *   btfdb verify DB                       check every checksum and kernel
 *
 * Exit status: 0 success; 1 the request cannot be met (kernel not in the
 * database, name already present, ...); 2 bad usage, or a database that
 * cannot be read or fails verification (bad input, as for corelink).
 * Every failure is printed once, on stderr, as "btfdb: <message>".
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "btfdb_db.h"
#include "btfdb_fileio.h"

#define EXIT_USAGE 2

static int quiet;

static int usage(void)
{
	fprintf(stderr,
		"usage: btfdb build SRC... -o DB [--name NAME]\n"
		"       btfdb add DB SRC... [--name NAME]\n"
		"       btfdb rm DB KERNEL\n"
		"       btfdb compact DB\n"
		"       btfdb ls DB\n"
		"       btfdb info DB\n"
		"       btfdb show DB KERNEL TYPE_NAME\n"
		"       btfdb extract DB KERNEL -o FILE\n"
		"       btfdb verify DB\n"
		"SRC: a BTFHub-layout directory, a .btf / .btf.tar.xz file or a vmlinux ELF.\n"
		"KERNEL: the full name (distro/version/arch/release) or a unique release.\n");
	return EXIT_USAGE;
}

static int fail(const struct btfdb_err *err)
{
	fprintf(stderr, "btfdb: %s\n", err->msg[0] ? err->msg : "failed");
	return 1;
}

/* A database that cannot be read or is corrupt: bad input, exit 2. */
static int fail_input(const struct btfdb_err *err)
{
	fail(err);
	return EXIT_USAGE;
}

/* Split argv into positional args and the -o / --name options. */
struct opts {
	const char *out, *name;
	char **pos;
	int npos;
};

static int parse(int argc, char **argv, struct opts *o)
{
	int i;

	memset(o, 0, sizeof(*o));
	o->pos = calloc(argc + 1, sizeof(char *));
	if (!o->pos)
		return -1;
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) {
			if (++i >= argc)
				return -1;
			o->out = argv[i];
		} else if (!strcmp(argv[i], "--name")) {
			if (++i >= argc)
				return -1;
			o->name = argv[i];
		} else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet")) {
			quiet = 1;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "btfdb: unknown option '%s'\n", argv[i]);
			return -1;
		} else {
			o->pos[o->npos++] = argv[i];
		}
	}
	return 0;
}

static bool has_suffix(const char *s, const char *sfx)
{
	size_t n = strlen(s), m = strlen(sfx);

	return n >= m && !strcmp(s + n - m, sfx);
}

/*
 * Before anything is written: the output must not be one of the inputs
 * (sources, database), whatever the spelling, nor a file that a source
 * directory's walk would read.  Prints the message; exit code or 0.
 */
static int refuse_aliases(char *const *srcs, int nsrc, const char *db, const char *out)
{
	struct btfdb_fileio_path in[nsrc + 1], o = { out, "output", false };
	struct btfdb_err err = { "" };
	int i, n = 0;

	if (!out || !strcmp(out, "-"))
		return 0;
	if (db)
		in[n++] = (struct btfdb_fileio_path){ db, "database", false };
	for (i = 0; i < nsrc; i++) {
		in[n++] = (struct btfdb_fileio_path){ srcs[i], "source", false };
		if (access(out, F_OK) == 0 && btfdb_fileio_is_inside(out, srcs[i]) &&
		    (has_suffix(out, ".btf") || has_suffix(out, ".btf.tar.xz"))) {
			fprintf(stderr,
				"btfdb: refusing to overwrite the source %s: it is inside the source directory %s\n",
				out, srcs[i]);
			return EXIT_USAGE;
		}
	}
	if (btfdb_fileio_refuse_aliases(in, (size_t)n, &o, 1, &err))
		return fail_input(&err);
	return 0;
}

static void progress(void *ctx, const char *name, int raw)
{
	(void)ctx;
	if (!quiet)
		fprintf(stderr, "  + %s%s\n", name, raw ? " (stored raw)" : "");
}

static int finish_write(struct btfdb_db_writer *w, const char *path, struct btfdb_err *err)
{
	int ret = btfdb_db_writer_write(w, path, err);

	if (!ret && !quiet)
		fprintf(stderr, "wrote %s: %u kernels\n", path, btfdb_db_writer_kernel_count(w));
	btfdb_db_writer_free(w);
	/* the database could not be written: exit 2, as for corelink's outputs */
	return ret ? fail_input(err) : 0;
}

static int do_build(struct opts *o)
{
	struct btfdb_err err = { "" };
	struct btfdb_db_writer *w;
	int ret;

	if (!o->out || o->npos < 1)
		return usage();
	if (o->name && o->npos != 1) {
		fprintf(stderr, "btfdb: --name needs exactly one source file\n");
		return EXIT_USAGE;
	}
	if ((ret = refuse_aliases(o->pos, o->npos, NULL, o->out)))
		return ret;
	if (btfdb_db_writer_new(NULL, &w, &err))
		return fail(&err);
	if (btfdb_db_writer_add_sources(w, (const char *const *)o->pos, o->npos, o->name,
					progress, NULL, &err)) {
		btfdb_db_writer_free(w);
		return fail(&err);
	}
	return finish_write(w, o->out, &err);
}

static int do_add(struct opts *o)
{
	struct btfdb_err err = { "" };
	struct btfdb_db_writer *w;
	int ret, lock;

	if (o->npos < 2 || o->out)
		return usage();
	if (o->name && o->npos != 2) {
		fprintf(stderr, "btfdb: --name needs exactly one source file\n");
		return EXIT_USAGE;
	}
	if ((ret = refuse_aliases(o->pos + 1, o->npos - 1, NULL, o->pos[0])))
		return ret;
	/* the lock stays held until exit, after the append is committed */
	if (btfdb_db_lock(o->pos[0], &lock, &err) ||
	    btfdb_db_writer_open_append(o->pos[0], &w, &err))
		return fail(&err);
	if (btfdb_db_writer_add_sources(w, (const char *const *)o->pos + 1, o->npos - 1, o->name,
					progress, NULL, &err)) {
		btfdb_db_writer_free(w);
		return fail(&err);
	}
	return finish_write(w, o->pos[0], &err);
}

/* rm rebuilds the database without the kernel, reclaiming what only it used. */
static int do_rm(struct opts *o)
{
	struct btfdb_err err = { "" };
	int lock, ret;

	if (o->npos != 2 || o->out || o->name)
		return usage();
	if (btfdb_db_lock(o->pos[0], &lock, &err))
		return fail(&err);
	if ((ret = btfdb_db_compact(o->pos[0], o->pos[0], o->pos[1], &err)))
		/* no such kernel: 1; unreadable, corrupt, or not written: 2 */
		return ret == -ENOENT || ret == -ENOTUNIQ ? fail(&err) : fail_input(&err);
	if (!quiet)
		fprintf(stderr, "removed %s from %s\n", o->pos[1], o->pos[0]);
	return 0;
}

static int do_compact(struct opts *o)
{
	struct btfdb_err err = { "" };
	int lock, ret;

	if (o->npos != 1 || o->out || o->name)
		return usage();
	if (btfdb_db_lock(o->pos[0], &lock, &err))
		return fail(&err);
	if ((ret = btfdb_db_compact(o->pos[0], o->pos[0], NULL, &err)))
		/* no such kernel: 1; unreadable, corrupt, or not written: 2 */
		return ret == -ENOENT || ret == -ENOTUNIQ ? fail(&err) : fail_input(&err);
	return 0;
}

static int open_db(const char *path, struct btfdb_db **db)
{
	struct btfdb_err err = { "" };

	if (btfdb_db_open(path, db, &err))
		return fail_input(&err);
	return 0;
}

static int do_ls(struct opts *o)
{
	struct btfdb_db *db;
	uint32_t k;

	if (o->npos != 1 || o->out || o->name)
		return usage();
	if (open_db(o->pos[0], &db))
		return EXIT_USAGE;
	printf("%-72s %9s %11s %10s  %-16s\n", "KERNEL", "TYPES", "BTF_BYTES", "OWN_BYTES", "XXH3");
	for (k = 0; k < btfdb_db_kernel_count(db); k++) {
		struct btfdb_db_kernel_info ki;

		btfdb_db_kernel_info(db, k, &ki);
		printf("%-72s %9u %11llu %10llu  %016llx%s\n", ki.name, ki.nr_types,
		       (unsigned long long)ki.blob_size, (unsigned long long)ki.own_bytes,
		       (unsigned long long)ki.blob_hash, ki.raw ? " raw" : "");
	}
	btfdb_db_close(db);
	return 0;
}

static int do_info(struct opts *o)
{
	struct btfdb_db_info in;
	struct btfdb_db *db;

	if (o->npos != 1 || o->out || o->name)
		return usage();
	if (open_db(o->pos[0], &db))
		return EXIT_USAGE;
	btfdb_db_info(db, &in);
	printf("file:              %s\n", o->pos[0]);
	printf("file size:         %llu bytes\n", (unsigned long long)in.file_size);
	printf("kernels:           %u\n", in.nr_kernels);
	printf("raw BTF total:     %llu bytes\n", (unsigned long long)in.raw_total);
	printf("compression ratio: %.2fx\n",
	       in.file_size ? (double)in.raw_total / (double)in.file_size : 0.0);
	printf("distinct strings:  %u (%llu bytes compressed)\n", in.nr_strings,
	       (unsigned long long)in.strings_bytes);
	printf("distinct types:    %u (%llu bytes compressed)\n", in.nr_pool,
	       (unsigned long long)in.pool_bytes);
	printf("name index:        %llu bytes compressed\n", (unsigned long long)in.index_bytes);
	printf("per-kernel data:   %llu bytes compressed\n", (unsigned long long)in.kernel_bytes);
	printf("unused:            %llu bytes (left by earlier adds; btfdb compact drops them)\n",
	       (unsigned long long)in.unused_bytes);
	btfdb_db_close(db);
	return 0;
}

static int do_show(struct opts *o)
{
	struct btfdb_err err = { "" };
	struct btfdb_db *db;
	struct btfdb_btf *btf = NULL;
	struct btfdb_index *idx = NULL;
	const uint32_t *ids;
	size_t n, i, shown = 0;
	int k, ret = 1;

	if (o->npos != 3 || o->out || o->name)
		return usage();
	if (open_db(o->pos[0], &db))
		return EXIT_USAGE;
	k = btfdb_db_find_kernel(db, o->pos[1], &err);
	if (k < 0 || btfdb_db_kernel_btf(db, k, &btf, &idx, &err)) {
		fail(&err);
		goto out;
	}
	n = btfdb_index_lookup(idx, o->pos[2], strlen(o->pos[2]), &ids);
	for (i = 0; i < n; i++) {
		const struct btf_type *t = btfdb_btf_type(btf, ids[i]);
		const char *name = btfdb_btf_name(btf, ids[i]);
		char *c;

		if (!t || !name) {
			btfdb_err_set(&err, "type %u: cannot read it", ids[i]);
			fail(&err);
			goto out;
		}
		if (btfdb_btf_dump_c(btf, ids[i], &c, &err)) {
			fail(&err);
			goto out;
		}
		printf("%s/* [%u] %s '%s' */\n%s", shown ? "\n" : "", ids[i],
		       btfdb_kind_name(btfdb_kind(t)), name, c);
		free(c);
		shown++;
	}
	if (!shown) {
		fprintf(stderr, "btfdb: no type named '%s' in kernel '%s'\n", o->pos[2], o->pos[1]);
		goto out;
	}
	ret = 0;
out:
	btfdb_index_free(idx);
	btfdb_btf_free(btf);
	btfdb_db_close(db);
	return ret;
}

static int do_extract(struct opts *o)
{
	struct btfdb_err err = { "" };
	struct btfdb_db *db;
	void *data = NULL;
	size_t size;
	int k, ret;

	if (o->npos != 2 || !o->out || o->name)
		return usage();
	if ((ret = refuse_aliases(NULL, 0, o->pos[0], o->out)))
		return ret;
	if (open_db(o->pos[0], &db))
		return EXIT_USAGE;
	ret = 1;
	k = btfdb_db_find_kernel(db, o->pos[1], &err);
	if (k < 0 || btfdb_db_extract(db, k, &data, &size, &err)) {
		fail(&err);
		goto out;
	}
	if (strcmp(o->out, "-")) {
		/* a whole file or nothing; a write error is an output that cannot be written (2) */
		btfdb_fileio_clean_stale_of(o->out, NULL);
		if (btfdb_fileio_write_atomic(o->out, data, size, &err)) {
			ret = fail_input(&err);
			goto out;
		}
	} else if (fwrite(data, 1, size, stdout) != size || fflush(stdout)) {
		fprintf(stderr, "btfdb: %s: write failed: %s\n", o->out, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	free(data);
	btfdb_db_close(db);
	return ret;
}

static int do_verify(struct opts *o)
{
	struct btfdb_err err = { "" };
	struct btfdb_db *db;
	int ret;

	if (o->npos != 1 || o->out || o->name)
		return usage();
	if (open_db(o->pos[0], &db))
		return EXIT_USAGE;
	ret = btfdb_db_verify(db, &err);
	if (!ret)
		printf("%s: OK, %u kernels\n", o->pos[0], btfdb_db_kernel_count(db));
	btfdb_db_close(db);
	return ret ? fail_input(&err) : 0;
}

static const struct cmd {
	const char *name;
	int (*fn)(struct opts *o);
} cmds[] = {
	{ "build", do_build }, { "add", do_add },         { "rm", do_rm },
	{ "compact", do_compact },
	{ "ls", do_ls },       { "info", do_info },       { "show", do_show },
	{ "extract", do_extract }, { "verify", do_verify },
};

int main(int argc, char **argv)
{
	struct opts o;
	size_t i;
	int ret;

	/* past RLIMIT_FSIZE a write fails with EFBIG (reported) instead of killing us */
	signal(SIGXFSZ, SIG_IGN);
	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage();
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("btfdb %s\n", BTFDB_VERSION_STRING);
		return 0;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[1], cmds[i].name))
			continue;
		if (parse(argc - 2, argv + 2, &o)) {
			free(o.pos);
			return usage();
		}
		ret = cmds[i].fn(&o);
		free(o.pos);
		return ret;
	}
	fprintf(stderr, "btfdb: unknown command '%s'\n", argv[1]);
	return usage();
}
