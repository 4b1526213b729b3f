/* SPDX-License-Identifier: MIT */
/*
 * Writing a btfdb database: compaction (rebuild from its own kernels) and
 * adding kernels from files and BTFHub directories.
 */
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "btfdb_internal.h"
#include "db_write_internal.h"

/*
 * Rebuild a database keeping only what its kernels use (after rm, or a
 * raw fallback, pool records and strings may be orphaned): every kernel
 * (except `drop`, when given) is extracted, re-parsed and added to a fresh
 * writer, one at a time.
 */
int btfdb_db_compact(const char *src, const char *dst, const char *drop, struct btfdb_err *err)
{
	struct btfdb_db *db = NULL;
	struct btfdb_db_writer *w = NULL;
	int ret, skip = -1;
	uint32_t k;

	if ((ret = btfdb_db_open(src, &db, err)))
		return ret;
	if (drop && (skip = btfdb_db_find_kernel(db, drop, err)) < 0) {
		ret = skip;
		goto out;
	}
	if ((ret = btfdb_db_writer_create(dst, &w, err)))
		goto out;
	for (k = 0; k < btfdb_db_kernel_count(db); k++) {
		struct btfdb_db_kernel_info ki;
		struct btfdb_btf *btf;
		void *data;
		size_t size;

		if ((int)k == skip)
			continue;
		if ((ret = btfdb_db_kernel_info(db, k, &ki, err)) ||
		    (ret = btfdb_db_extract(db, k, &data, &size, err)))
			goto out;
		ret = btfdb_btf_parse_owned(data, size, NULL, &btf, err);
		if (ret) {
			btfdb_err_prefix(err, "%s: ", ki.name);
			goto out;
		}
		ret = btfdb_db_writer_add(w, btf, ki.name, err);
		btfdb_btf_free(btf);
		if (ret < 0)
			goto out;
		btfdb_dbr_release_pages(db); /* keep the file mapped, not resident */
	}
	ret = btfdb_db_writer_write(w, dst, err);
out:
	btfdb_db_writer_free(w);
	btfdb_db_close(db);
	return ret < 0 ? ret : 0;
}

/* ---- sources ---- */

static bool has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && !strcmp(s + a - b, suf);
}

/* Kernel name from a file name: drop .btf.tar.xz / .btf. */
static char *strip_suffix(const char *s)
{
	char *r = strdup(s);

	if (!r)
		return NULL;
	if (has_suffix(r, ".btf.tar.xz"))
		r[strlen(r) - 11] = 0;
	else if (has_suffix(r, ".btf"))
		r[strlen(r) - 4] = 0;
	return r;
}

struct strlist {
	char **v;
	uint32_t n, cap;
};

static int collect(const char *root, const char *rel, struct strlist *l, int depth)
{
	char *dir;
	DIR *d;
	struct dirent *de;
	int ret = 0;

	if (depth > 16)
		return 0;
	if (asprintf(&dir, "%s%s%s", root, rel[0] ? "/" : "", rel) < 0)
		return -ENOMEM;
	d = opendir(dir);
	free(dir);
	if (!d)
		return -errno;
	while (!ret && (de = readdir(d))) {
		char *r, *full;
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		if (asprintf(&r, "%s%s%s", rel, rel[0] ? "/" : "", de->d_name) < 0)
			return closedir(d), -ENOMEM;
		if (asprintf(&full, "%s/%s", root, r) < 0) {
			free(r);
			return closedir(d), -ENOMEM;
		}
		if (!stat(full, &st) && S_ISDIR(st.st_mode)) {
			ret = collect(root, r, l, depth + 1);
			free(r);
		} else if (has_suffix(r, ".btf.tar.xz") || has_suffix(r, ".btf")) {
			if (btfdb_dbw_grow((void **)&l->v, &l->cap, l->n + 1, sizeof(char *)))
				ret = -ENOMEM;
			else
				l->v[l->n++] = r;
		} else {
			free(r);
		}
		free(full);
	}
	closedir(d);
	return ret;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_one(struct btfdb_db_writer *w, const char *path, const char *name,
		   void (*progress)(void *, const char *, const char *), void *ctx,
		   struct btfdb_err *err)
{
	struct btfdb_btf *btf;
	int ret = btfdb_btf_load_flags(path, BTFDB_LOAD_KERNEL_RULES, &btf, err);

	if (ret)
		return ret;
	ret = btfdb_db_writer_add(w, btf, name, err);
	btfdb_btf_free(btf);
	if (ret >= 0 && progress)
		progress(ctx, name, ret == 1 ? err->msg : NULL);
	return ret < 0 ? ret : 0;
}

int btfdb_db_writer_add_sources(struct btfdb_db_writer *w, const char *const *srcs, int nr,
				const char *name,
				void (*progress)(void *ctx, const char *name, const char *raw_why),
				void *ctx, struct btfdb_err *err)
{
	int i, ret = 0;

	for (i = 0; i < nr && !ret; i++) {
		struct stat st;

		if (stat(srcs[i], &st)) {
			ret = -errno;
			btfdb_err_set(err, "%s: %s", srcs[i], strerror(errno));
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			struct strlist l = { 0 };
			uint32_t j;

			ret = collect(srcs[i], "", &l, 0);
			if (ret)
				btfdb_err_set(err, "%s: cannot list: %s", srcs[i], strerror(-ret));
			qsort(l.v, l.n, sizeof(char *), str_cmp);
			if (!ret && !l.n) {
				btfdb_err_set(err, "%s: no *.btf or *.btf.tar.xz files below it", srcs[i]);
				ret = -ENOENT;
			}
			for (j = 0; j < l.n && !ret; j++) {
				char *full = NULL, *kn = strip_suffix(l.v[j]);

				if (!kn || asprintf(&full, "%s/%s", srcs[i], l.v[j]) < 0) {
					btfdb_err_set(err, "out of memory");
					ret = -ENOMEM;
				} else {
					ret = add_one(w, full, kn, progress, ctx, err);
					free(full);
				}
				free(kn);
			}
			for (j = 0; j < l.n; j++)
				free(l.v[j]);
			free(l.v);
		} else {
			char *copy = strdup(srcs[i]), *kn;

			if (!copy) {
				btfdb_err_set(err, "out of memory");
				return -ENOMEM;
			}
			kn = name && nr == 1 ? strdup(name) : strip_suffix(basename(copy));
			free(copy);
			if (!kn) {
				btfdb_err_set(err, "out of memory");
				return -ENOMEM;
			}
			ret = add_one(w, srcs[i], kn, progress, ctx, err);
			free(kn);
		}
	}
	return ret;
}
