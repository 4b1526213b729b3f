/* SPDX-License-Identifier: MIT */
/*
 * Batch mode's small helpers (batch_internal.h) and kernel lists: a BTFHub
 * tree, a btfdb database or single files, sorted and sharded (batch.h).
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "batch_internal.h"
#include "btfdb_db.h"

/* ------------------------------------------------------------------ */
/* Small helpers (batch_internal.h)                                    */
/* ------------------------------------------------------------------ */

void cl_hash128_hex(const void *data, size_t size, char out[33])
{
	XXH128_canonical_t c;
	int i;

	XXH128_canonicalFromHash(&c, XXH3_128bits(data, size));
	for (i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", c.digest[i]);
}

void cl_artifact_rel(const void *data, size_t size, char out[48])
{
	char hex[33];

	cl_hash128_hex(data, size, hex);
	snprintf(out, 48, "objects/%s.o", hex);
}

int cl_mkdir_p(const char *path, struct btfdb_err *err)
{
	char *p = strdup(path), *s;
	int ret = 0;

	if (!p) {
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	for (s = p + 1;; s++) {
		if (*s == '/' || !*s) {
			char c = *s;

			*s = 0;
			if (mkdir(p, 0755) < 0 && errno != EEXIST) {
				ret = -errno;
				btfdb_err_set(err, "%s: cannot create directory: %s", p, strerror(errno));
				break;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	free(p);
	return ret;
}

int cl_read_file(const char *path, size_t limit, char **data, size_t *size,
		 struct btfdb_err *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int ret = 0;

	*data = NULL;
	*size = 0;
	if (!f) {
		ret = -errno;
		btfdb_err_set(err, "%s: %s", path, strerror(errno));
		return ret;
	}
	for (;;) {
		size_t n;

		if (cap - len < 65536 + 1) {
			char *nb;

			cap = cap ? cap * 2 : 65536 * 2;
			nb = realloc(buf, cap);
			if (!nb) {
				btfdb_err_set(err, "%s: out of memory", path);
				ret = -ENOMEM;
				goto out;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
		if (len > limit) {
			btfdb_err_set(err, "%s: file too large", path);
			ret = -EFBIG;
			goto out;
		}
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		btfdb_err_set(err, "%s: read error", path);
		ret = -EIO;
		goto out;
	}
	buf[len] = 0;
	*data = buf;
	*size = len;
	buf = NULL;
out:
	free(buf);
	fclose(f);
	return ret;
}

char *cl_path_join(const char *a, const char *b)
{
	char *r;

	if (!a[0] || !strcmp(a, "."))
		return strdup(b);
	if (asprintf(&r, "%s%s%s", a, a[strlen(a) - 1] == '/' ? "" : "/", b) < 0)
		return NULL;
	return r;
}

char *cl_strdup0(const char *s)
{
	return strdup(s ? s : "");
}

/* ------------------------------------------------------------------ */
/* Kernel lists                                                        */
/* ------------------------------------------------------------------ */

void cl_kernel_src_free(struct corelink_kernel_src *k)
{
	free(k->distro);
	free(k->version);
	free(k->arch);
	free(k->release);
	free(k->path);
	free(k->db_name);
}

void corelink_kernels_free(struct corelink_kernel_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++)
		cl_kernel_src_free(&l->k[i]);
	free(l->k);
	memset(l, 0, sizeof(*l));
}

/*
 * Append a kernel named by a "a/b/c/.../release" path (the suffix already
 * removed): release = last part, arch = the one before, version = the one
 * before that, distro = everything above.
 */
static int push(struct corelink_kernel_list *l, const char *name, const char *path,
		const char *db_name, struct btfdb_err *err)
{
	struct corelink_kernel_src *k;
	const char *parts[3] = { "", "", "" }; /* arch, version, distro end */
	char *copy = strdup(name), *s;
	int np = 0;

	if (!copy)
		goto nomem;
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 32;
		struct corelink_kernel_src *nk = realloc(l->k, nc * sizeof(*nk));

		if (!nk)
			goto nomem;
		l->k = nk;
		l->cap = nc;
	}
	k = &l->k[l->n];
	memset(k, 0, sizeof(*k));
	/* peel components from the right */
	s = strrchr(copy, '/');
	k->release = strdup(s ? s + 1 : copy);
	while (s && np < 2) {
		char *prev;

		*s = 0;
		prev = strrchr(copy, '/');
		parts[np++] = prev ? prev + 1 : copy;
		s = prev;
	}
	if (s) {
		*s = 0;
		parts[2] = copy;
	}
	k->arch = strdup(parts[0]);
	k->version = strdup(parts[1]);
	k->distro = strdup(parts[2]);
	k->path = strdup(path);
	k->db_name = db_name ? strdup(db_name) : NULL;
	free(copy);
	copy = NULL;
	if (!k->release || !k->arch || !k->version || !k->distro || !k->path ||
	    (db_name && !k->db_name)) {
		cl_kernel_src_free(k);
		goto nomem;
	}
	if (!k->release[0]) {
		btfdb_err_set(err, "%s: empty kernel release", path);
		cl_kernel_src_free(k);
		return -EINVAL;
	}
	l->n++;
	return 0;
nomem:
	free(copy);
	btfdb_err_set(err, "out of memory");
	return -ENOMEM;
}

static const char *kernel_suffix(const char *name)
{
	static const char *const sfx[] = { ".btf.tar.xz", ".btf" };
	size_t n = strlen(name), i;

	for (i = 0; i < 2; i++) {
		size_t m = strlen(sfx[i]);

		if (n > m && !strcmp(name + n - m, sfx[i]))
			return sfx[i];
	}
	return NULL;
}

/* Recursive walk; rel is the path below the root ("" at the top). */
static int walk(struct corelink_kernel_list *l, const char *root, const char *rel, int depth,
		struct btfdb_err *err)
{
	char *dir = rel[0] ? cl_path_join(root, rel) : strdup(root);
	struct dirent *de;
	DIR *d;
	int ret = 0;

	if (!dir) {
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	if (depth > 16) {
		free(dir);
		return 0; /* a link loop or an odd tree: stop descending */
	}
	d = opendir(dir);
	if (!d) {
		ret = -errno;
		btfdb_err_set(err, "%s: %s", dir, strerror(errno));
		free(dir);
		return ret;
	}
	while (!ret && (de = readdir(d))) {
		char *sub, *full;
		const char *sfx;
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		sub = rel[0] ? cl_path_join(rel, de->d_name) : strdup(de->d_name);
		full = sub ? cl_path_join(root, sub) : NULL;
		if (!sub || !full) {
			btfdb_err_set(err, "out of memory");
			ret = -ENOMEM;
		} else if (stat(full, &st) != 0) {
			/* a dangling link or a file gone meanwhile: not a kernel */
		} else if (S_ISDIR(st.st_mode)) {
			ret = walk(l, root, sub, depth + 1, err);
		} else if (S_ISREG(st.st_mode) && (sfx = kernel_suffix(de->d_name))) {
			sub[strlen(sub) - strlen(sfx)] = 0;
			ret = push(l, sub, full, NULL, err);
		}
		free(sub);
		free(full);
	}
	closedir(d);
	free(dir);
	return ret;
}

int corelink_kernels_add_btfhub(struct corelink_kernel_list *l, const char *dir,
				struct btfdb_err *err)
{
	size_t before = l->n;
	int ret = walk(l, dir, "", 0, err);

	if (!ret && l->n == before) {
		btfdb_err_set(err, "%s: no *.btf.tar.xz or *.btf files found", dir);
		return -ENOENT;
	}
	return ret;
}

int corelink_kernels_add_db(struct corelink_kernel_list *l, const char *db_path,
			    struct btfdb_err *err)
{
	struct btfdb_db *db = NULL;
	uint32_t i, n;
	int ret;

	ret = btfdb_db_open(db_path, &db, err);
	if (ret)
		return ret;
	n = btfdb_db_kernel_count(db);
	for (i = 0; i < n && !ret; i++) {
		struct btfdb_db_kernel_info info;

		if ((ret = btfdb_db_kernel_info(db, i, &info, err))) {
			btfdb_err_prefix(err, "%s: ", db_path);
			break;
		}
		ret = push(l, info.name, db_path, info.name, err);
	}
	btfdb_db_close(db);
	return ret;
}

int corelink_kernels_add_file(struct corelink_kernel_list *l, const char *path, const char *name,
			      struct btfdb_err *err)
{
	const char *base = strrchr(path, '/'), *sfx;
	char *rel;
	int ret;

	if (name)
		return push(l, name, path, NULL, err);
	base = base ? base + 1 : path;
	rel = strdup(base);
	if (!rel) {
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	if ((sfx = kernel_suffix(rel)))
		rel[strlen(rel) - strlen(sfx)] = 0;
	ret = push(l, rel, path, NULL, err);
	free(rel);
	return ret;
}

static int src_cmp(const void *a, const void *b)
{
	const struct corelink_kernel_src *x = a, *y = b;
	int c;

	if ((c = strcmp(x->distro, y->distro)) || (c = strcmp(x->version, y->version)) ||
	    (c = strcmp(x->arch, y->arch)) || (c = strcmp(x->release, y->release)))
		return c;
	return strcmp(x->path, y->path);
}

int corelink_kernels_sort(struct corelink_kernel_list *l, struct btfdb_err *err)
{
	size_t i;

	if (l->n > 1)
		qsort(l->k, l->n, sizeof(l->k[0]), src_cmp);
	for (i = 1; i < l->n; i++) {
		const struct corelink_kernel_src *a = &l->k[i - 1], *b = &l->k[i];

		if (!strcmp(a->distro, b->distro) && !strcmp(a->version, b->version) &&
		    !strcmp(a->arch, b->arch) && !strcmp(a->release, b->release)) {
			btfdb_err_set(err, "kernel %s/%s/%s/%s given twice (%s and %s)", b->distro,
				      b->version, b->arch, b->release, a->path, b->path);
			return -EEXIST;
		}
	}
	return 0;
}

int corelink_kernels_shard(struct corelink_kernel_list *l, unsigned index, unsigned count,
			   struct btfdb_err *err)
{
	size_t i, kept = 0;

	if (!count || !index || index > count) {
		btfdb_err_set(err, "shard %u/%u: need 1 <= I <= N", index, count);
		return -EINVAL;
	}
	for (i = 0; i < l->n; i++) {
		if (i % count == index - 1)
			l->k[kept++] = l->k[i];
		else
			cl_kernel_src_free(&l->k[i]);
	}
	l->n = kept;
	return 0;
}

