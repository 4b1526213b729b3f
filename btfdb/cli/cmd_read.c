/* SPDX-License-Identifier: MIT */
/* btfdb ls, info, show, extract, verify: the commands that read a database. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "btfdb_cli.h"
#include "btfdb_fileio.h"
#include "btfdb_json.h"

static int open_db(const char *path, struct btfdb_db **db)
{
	struct btfdb_err err = { "" };

	if (btfdb_db_open(path, db, &err))
		return btfdb_cli_fail_input(&err);
	return 0;
}

static int do_ls(struct btfdb_cli_opts *o)
{
	struct btfdb_db *db;
	uint32_t k;

	if (o->npos != 1 || o->out || o->name)
		return btfdb_cli_usage(o);
	if (open_db(o->pos[0], &db))
		return BTFDB_EXIT_USAGE;
	if (btfdb_json_on())
		btfdb_json_result(btfdb_json_ls(o->pos[0], db));
	printf("%-72s %9s %11s %10s  %-16s\n", "KERNEL", "TYPES", "BTF_BYTES", "OWN_BYTES", "XXH3");
	for (k = 0; k < btfdb_db_kernel_count(db); k++) {
		struct btfdb_db_kernel_info ki;
		struct btfdb_err err = { "" };
		uint64_t own;

		if (btfdb_db_kernel_info(db, k, &ki, &err) ||
		    btfdb_db_kernel_own_bytes(db, k, &own, &err)) {
			btfdb_db_close(db);
			return btfdb_cli_fail_input(&err);
		}
		printf("%-72s %9u %11llu %10llu  %016llx%s\n", ki.name, ki.nr_types,
		       (unsigned long long)ki.blob_size, (unsigned long long)own,
		       (unsigned long long)ki.blob_hash, ki.raw ? " raw" : "");
	}
	btfdb_db_close(db);
	return 0;
}

static int do_info(struct btfdb_cli_opts *o)
{
	struct btfdb_db_info in;
	struct btfdb_db *db;

	if (o->npos != 1 || o->out || o->name)
		return btfdb_cli_usage(o);
	if (open_db(o->pos[0], &db))
		return BTFDB_EXIT_USAGE;
	btfdb_db_info(db, &in);
	if (btfdb_json_on())
		btfdb_json_result(btfdb_json_info(o->pos[0], db));
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
	if (in.bad_kernels) {
		struct btfdb_err err = { "" };

		btfdb_err_set(&err, "%s: database corrupt: %u kernel entries fail their checks "
			      "(btfdb verify says which)", o->pos[0], in.bad_kernels);
		return btfdb_cli_fail_input(&err);
	}
	return 0;
}

static int do_show(struct btfdb_cli_opts *o)
{
	struct btfdb_err err = { "" };
	struct btfdb_db *db;
	struct btfdb_btf *btf = NULL;
	struct btfdb_index *idx = NULL;
	const uint32_t *ids;
	size_t n, i, shown = 0;
	int k, ret = 1;

	if (o->npos != 3 || o->out || o->name)
		return btfdb_cli_usage(o);
	if (open_db(o->pos[0], &db))
		return BTFDB_EXIT_USAGE;
	k = btfdb_db_find_kernel(db, o->pos[1], &err);
	if (k < 0 || btfdb_db_kernel_btf(db, k, &btf, &idx, &err)) {
		btfdb_cli_fail(&err);
		goto out;
	}
	n = btfdb_index_lookup(idx, o->pos[2], strlen(o->pos[2]), &ids);
	if (btfdb_json_on() && n) {
		json_t *doc;

		if (btfdb_json_show(o->pos[0], o->pos[1], o->pos[2], btf, ids, n, &doc, &err)) {
			btfdb_cli_fail(&err);
			goto out;
		}
		btfdb_json_result(doc);
		ret = 0;
		goto out;
	}
	for (i = 0; i < n; i++) {
		const struct btf_type *t = btfdb_btf_type(btf, ids[i]);
		const char *name = btfdb_btf_name(btf, ids[i]);
		char *c;

		if (!t || !name) {
			btfdb_err_set(&err, "type %u: cannot read it", ids[i]);
			btfdb_cli_fail(&err);
			goto out;
		}
		if (btfdb_btf_dump_c(btf, ids[i], &c, &err)) {
			btfdb_cli_fail(&err);
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

static int do_extract(struct btfdb_cli_opts *o)
{
	struct btfdb_err err = { "" };
	struct btfdb_db *db;
	void *data = NULL;
	size_t size;
	int k, ret;

	if (o->npos != 2 || !o->out || o->name)
		return btfdb_cli_usage(o);
	if (btfdb_json_on() && !strcmp(o->out, "-")) {
		fprintf(stderr, "btfdb: extract: -o - and --json both write on stdout\n");
		return BTFDB_EXIT_USAGE;
	}
	if ((ret = btfdb_cli_refuse_aliases(NULL, 0, o->pos[0], o->out)))
		return ret;
	if (open_db(o->pos[0], &db))
		return BTFDB_EXIT_USAGE;
	ret = 1;
	k = btfdb_db_find_kernel(db, o->pos[1], &err);
	if (k < 0 || btfdb_db_extract(db, k, &data, &size, &err)) {
		btfdb_cli_fail(&err);
		goto out;
	}
	if (strcmp(o->out, "-")) {
		/* a whole file or nothing; a write error is an output that cannot be written (2) */
		btfdb_fileio_clean_stale_of(o->out, NULL);
		if (btfdb_fileio_write_atomic(o->out, data, size, &err)) {
			ret = btfdb_cli_fail_input(&err);
			goto out;
		}
	} else if (fwrite(data, 1, size, stdout) != size || fflush(stdout)) {
		fprintf(stderr, "btfdb: %s: write failed: %s\n", o->out, strerror(errno));
		goto out;
	}
	if (btfdb_json_on())
		btfdb_json_result(btfdb_json_extract(o->pos[0], db, (uint32_t)k, o->out, size));
	ret = 0;
out:
	free(data);
	btfdb_db_close(db);
	return ret;
}

static int do_verify(struct btfdb_cli_opts *o)
{
	struct btfdb_err err = { "" };
	struct btfdb_db *db;
	int ret;

	if (o->npos != 1 || o->out || o->name)
		return btfdb_cli_usage(o);
	if (open_db(o->pos[0], &db))
		return BTFDB_EXIT_USAGE;
	ret = btfdb_db_verify(db, &err);
	if (ret)
		btfdb_err_prefix(&err, "%s: ", o->pos[0]);
	if (!ret && btfdb_json_on())
		btfdb_json_result(btfdb_json_verify(o->pos[0], db));
	if (!ret)
		printf("%s: OK, %u kernels\n", o->pos[0], btfdb_db_kernel_count(db));
	btfdb_db_close(db);
	return ret ? btfdb_cli_fail_input(&err) : 0;
}

const struct btfdb_cli_cmd btfdb_cmd_ls = {
	.name = "ls",
	.fn = do_ls,
	.usage = "ls DB",
	.summary = "list the kernels",
	.help =
		"One line per kernel: name, types, BTF bytes, bytes only it uses, XXH3 of its BTF.\n"
		"\n",
};

const struct btfdb_cli_cmd btfdb_cmd_info = {
	.name = "info",
	.fn = do_info,
	.usage = "info DB",
	.summary = "sizes, counts, compression ratio",
	.help =
		"The database's sizes, counts and compression ratio.\n"
		"\n",
};

const struct btfdb_cli_cmd btfdb_cmd_show = {
	.name = "show",
	.fn = do_show,
	.usage = "show DB KERNEL TYPE_NAME",
	.summary = "the type(s) of that name, in C",
	.help =
		"Print every type of KERNEL whose essential name is TYPE_NAME, as C.\n"
		"\n",
};

const struct btfdb_cli_cmd btfdb_cmd_extract = {
	.name = "extract",
	.fn = do_extract,
	.usage = "extract DB KERNEL -o FILE",
	.summary = "the original BTF blob, byte for byte",
	.help =
		"Write KERNEL's BTF exactly as it was added.\n"
		"\n"
		"  -o, --output FILE  the BTF file (- for stdout)\n",
};

const struct btfdb_cli_cmd btfdb_cmd_verify = {
	.name = "verify",
	.fn = do_verify,
	.usage = "verify DB",
	.summary = "check every checksum and kernel",
	.help =
		"Check every checksum, and that every kernel decodes and parses.\n"
		"\n",
};
