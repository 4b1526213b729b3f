/* SPDX-License-Identifier: MIT */
/*
 * Output safety shared by every command (btfdb_fileio.h): outputs that
 * alias inputs, atomic writes that leave nothing behind on error, stale
 * temporaries of killed writers, one writer per output directory.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "btfdb_fileio.h"

/* ------------------------------------------------------------------ */
/* Outputs that are inputs                                             */
/* ------------------------------------------------------------------ */

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

char *btfdb_fileio_dirname(const char *path)
{
	const char *s = strrchr(path, '/');

	if (!s)
		return strdup(".");
	if (s == path)
		return strdup("/");
	return strndup(path, (size_t)(s - path));
}

/*
 * Is directory d the directory dirpath or one of its ancestors?  Walks ".."
 * from dirpath by file descriptor, so symlinks, bind mounts and spellings
 * do not matter (a bind mount's ".." is the parent of where it is mounted).
 */
static bool dir_within(const char *dirpath, const struct stat *d)
{
	struct stat st, up;
	int fd, nfd, depth;
	bool hit = false;

	fd = open(dirpath, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return false;
	for (depth = 0; depth < 4096 && !hit; depth++) {
		if (fstat(fd, &st) < 0)
			break;
		if (same_file(&st, d)) {
			hit = true;
			break;
		}
		nfd = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (nfd < 0)
			break;
		if (fstat(nfd, &up) < 0 || same_file(&st, &up)) {
			close(nfd);
			break; /* the root */
		}
		close(fd);
		fd = nfd;
	}
	close(fd);
	return hit;
}

/* Is the input file path inside directory d: lexically, or once resolved? */
static bool file_within(const char *path, const struct stat *d)
{
	char *dir = btfdb_fileio_dirname(path), *real;
	bool hit = dir && dir_within(dir, d);

	free(dir);
	if (hit)
		return true;
	real = realpath(path, NULL);
	if (!real)
		return false;
	dir = btfdb_fileio_dirname(real);
	hit = dir && dir_within(dir, d);
	free(dir);
	free(real);
	return hit;
}

bool btfdb_fileio_is_inside(const char *path, const char *dir)
{
	struct stat d;

	return stat(dir, &d) == 0 && S_ISDIR(d.st_mode) && file_within(path, &d);
}

int btfdb_fileio_refuse_aliases(const struct btfdb_fileio_path *in, size_t nr_in,
				const struct btfdb_fileio_path *out, size_t nr_out,
				struct btfdb_err *err)
{
	struct stat os, is;
	size_t i, j;

	for (j = 0; j < nr_out; j++) {
		if (!out[j].path || stat(out[j].path, &os) < 0)
			continue; /* nothing there yet: nothing to lose */
		for (i = 0; i < nr_in; i++) {
			if (!in[i].path || stat(in[i].path, &is) < 0)
				continue;
			if (!out[j].dir && same_file(&os, &is)) {
				btfdb_err_set(err,
					      "refusing to overwrite the %s %s: the %s %s is the same file",
					      in[i].what, in[i].path, out[j].what, out[j].path);
				return -EINVAL;
			}
			if (out[j].dir && S_ISDIR(os.st_mode) && !S_ISDIR(is.st_mode) &&
			    file_within(in[i].path, &os)) {
				btfdb_err_set(err,
					      "refusing to overwrite the %s %s: it is inside the %s %s, which a run writes",
					      in[i].what, in[i].path, out[j].what, out[j].path);
				return -EINVAL;
			}
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Temporaries                                                         */
/* ------------------------------------------------------------------ */

#define TMP_X 6 /* ".XXXXXX" */

static bool tmp_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Is ent ".<name>.XXXXXX" (or, name NULL, ".<anything><suffix>.XXXXXX")? */
static bool is_tmp_name(const char *ent, const char *name, const char *suffix)
{
	size_t n = strlen(ent), k, i;

	if (n < 1 + 1 + TMP_X + 1 || ent[0] != '.' || ent[n - TMP_X - 1] != '.')
		return false;
	for (i = n - TMP_X; i < n; i++)
		if (!tmp_char(ent[i]))
			return false;
	k = n - TMP_X - 2; /* length of the middle part */
	if (name)
		return strlen(name) == k && !memcmp(ent + 1, name, k);
	if (!suffix)
		suffix = "";
	return k > strlen(suffix) && !memcmp(ent + 1 + k - strlen(suffix), suffix, strlen(suffix));
}

int btfdb_fileio_clean_stale(const char *dir, const char *name, const char *suffix,
			     struct btfdb_err *err)
{
	struct dirent *de;
	int dfd, removed = 0;
	DIR *d;

	dfd = open(dir && dir[0] ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		if (errno == ENOENT)
			return 0;
		btfdb_err_set(err, "%s: %s", dir, strerror(errno));
		return -errno;
	}
	d = fdopendir(dfd);
	if (!d) {
		btfdb_err_set(err, "%s: %s", dir, strerror(errno));
		close(dfd);
		return -ENOMEM;
	}
	while ((de = readdir(d))) {
		struct stat st, now;
		int fd;

		if (!is_tmp_name(de->d_name, name, suffix))
			continue;
		fd = openat(dfd, de->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			continue;
		/* a live writer holds its lock until the rename: leave it */
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && flock(fd, LOCK_EX | LOCK_NB) == 0 &&
		    fstatat(dfd, de->d_name, &now, AT_SYMLINK_NOFOLLOW) == 0 && same_file(&st, &now) &&
		    unlinkat(dfd, de->d_name, 0) == 0)
			removed++;
		close(fd);
	}
	closedir(d);
	return removed;
}

int btfdb_fileio_clean_stale_of(const char *path, struct btfdb_err *err)
{
	const char *s = strrchr(path, '/');
	char *dir = btfdb_fileio_dirname(path);
	int ret;

	if (!dir) {
		btfdb_err_set(err, "out of memory");
		return -ENOMEM;
	}
	ret = btfdb_fileio_clean_stale(dir, s ? s + 1 : path, NULL, err);
	free(dir);
	return ret;
}

/* "<dir>/.<base>.XXXXXX" with fresh random X's. */
static void tmp_fill(char *tmp)
{
	static const char al[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned char r[TMP_X];
	size_t n = strlen(tmp), i;

	if (getrandom(r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		struct timespec ts;
		uint64_t x;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		x = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid() << 20 ^
		    (uint64_t)(uintptr_t)tmp;
		for (i = 0; i < sizeof(r); i++, x >>= 8)
			r[i] = (unsigned char)x;
	}
	for (i = 0; i < TMP_X; i++)
		tmp[n - TMP_X + i] = al[r[i] % (sizeof(al) - 1)];
}

static int write_all(int fd, const uint8_t *p, size_t left)
{
	while (left) {
		ssize_t n = write(fd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		left -= (size_t)n;
	}
	return 0;
}

/*
 * Give the unnamed file fd the name tmp (locked first, so a cleaner never
 * takes it for a dead writer's).  -EOPNOTSUPP when links to /proc/self/fd
 * are not possible here (no /proc): the caller starts over with a named file.
 */
static int name_tmpfile(int fd, char *tmp)
{
	char proc[64];
	int tries;

	if (flock(fd, LOCK_EX) < 0)
		return -errno;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	for (tries = 0; tries < 100; tries++) {
		tmp_fill(tmp);
		if (linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) == 0)
			return 0;
		if (errno == ENOSPC || errno == EDQUOT || errno == EIO)
			return -errno;
		if (errno != EEXIST)
			return -EOPNOTSUPP;
	}
	return -EEXIST;
}

/* A named, locked temporary: mkstemp(), then check no cleaner removed it before the lock. */
static int named_tmpfile(char *tmp)
{
	struct stat a, b;
	int tries, fd;

	for (tries = 0; tries < 100; tries++) {
		memcpy(tmp + strlen(tmp) - TMP_X, "XXXXXX", TMP_X);
		fd = mkostemp(tmp, O_CLOEXEC);
		if (fd < 0)
			return -errno;
		if (flock(fd, LOCK_EX) == 0 && fstat(fd, &a) == 0 && stat(tmp, &b) == 0 &&
		    same_file(&a, &b))
			return fd;
		close(fd);
	}
	return -EEXIST;
}

/* Fail an atomic write: one message, the temporary removed. */
static int atomic_fail(struct btfdb_fileio_atomic *a, const char *what, int ret,
		       struct btfdb_err *err)
{
	btfdb_err_set(err, "%s: %s: %s (the file is left as it was)", a->path, what,
		      strerror(-ret));
	btfdb_fileio_atomic_abort(a);
	return ret;
}

int btfdb_fileio_atomic_open(const char *path, struct btfdb_fileio_atomic *a,
			     struct btfdb_err *err)
{
	const char *slash;
	char *dir;
	int dlen, ret;

	memset(a, 0, sizeof(*a));
	a->fd = -1;
	if (!path || !path[0]) {
		btfdb_err_set(err, "btfdb_fileio_write_atomic: invalid arguments");
		return -EINVAL;
	}
	/* the temporary lives next to the target, so that rename() is atomic */
	slash = strrchr(path, '/');
	dlen = slash ? (int)(slash - path + 1) : 0;
	dir = dlen ? strndup(path, (size_t)dlen) : strdup(".");
	a->path = strdup(path);
	if (!dir || !a->path ||
	    asprintf(&a->tmp, "%.*s.%s.XXXXXX", dlen, path, slash ? slash + 1 : path) < 0) {
		free(dir);
		a->tmp = NULL;
		ret = -ENOMEM;
		btfdb_err_set(err, "%s: out of memory", path);
		btfdb_fileio_atomic_abort(a);
		return ret;
	}
	a->fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	free(dir);
	if (a->fd < 0 && errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
		return atomic_fail(a, "cannot create a temporary file", -errno, err);
	if (a->fd < 0) {
		if ((a->fd = named_tmpfile(a->tmp)) < 0)
			return atomic_fail(a, "cannot create a temporary file", a->fd, err);
		a->named = true;
	}
	if (fchmod(a->fd, 0644) < 0)
		return atomic_fail(a, "cannot write", -errno, err);
	return 0;
}

/* Copy the size bytes of fd into a new named temporary a->tmp (no /proc to link fd). */
static int copy_to_named(struct btfdb_fileio_atomic *a)
{
	uint8_t buf[65536];
	off_t off = 0;
	int fd = named_tmpfile(a->tmp), ret = 0;

	if (fd < 0)
		return fd;
	for (;;) {
		ssize_t n = pread(a->fd, buf, sizeof(buf), off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : 0;
			break;
		}
		if ((ret = write_all(fd, buf, (size_t)n)))
			break;
		off += n;
	}
	close(a->fd);
	a->fd = fd;
	a->named = true; /* removed on failure from here on */
	if (!ret && fchmod(fd, 0644) < 0)
		ret = -errno;
	return ret;
}

int btfdb_fileio_atomic_commit(struct btfdb_fileio_atomic *a, bool sync, struct btfdb_err *err)
{
	int ret;

	if (!a->named) {
		ret = name_tmpfile(a->fd, a->tmp);
		if (ret == -EOPNOTSUPP)
			ret = copy_to_named(a);
		if (ret)
			return atomic_fail(a, "cannot write", ret, err);
		a->named = true;
	}
	/*
	 * fsync() only when asked: the guarantee is that a run killed at any
	 * moment leaves either no file or the previous one, and rename() gives
	 * that by itself (written data is visible to every reader before the
	 * rename).  fsync adds durability across a power loss, which build
	 * outputs (like a compiler's or linker's) do not promise; it cost 2-20
	 * ms per run here.  close() still reports a delayed write error (NFS,
	 * quota).
	 */
	ret = sync && fsync(a->fd) < 0 ? -errno : 0;
	if (close(a->fd) < 0 && !ret)
		ret = -errno;
	a->fd = -1;
	if (ret)
		return atomic_fail(a, "cannot write", ret, err);
	if (rename(a->tmp, a->path) < 0)
		return atomic_fail(a, "cannot replace", -errno, err);
	a->named = false; /* it is the target now */
	btfdb_fileio_atomic_abort(a);
	return 0;
}

void btfdb_fileio_atomic_abort(struct btfdb_fileio_atomic *a)
{
	if (a->fd >= 0)
		close(a->fd);
	if (a->named)
		unlink(a->tmp);
	free(a->tmp);
	free(a->path);
	memset(a, 0, sizeof(*a));
	a->fd = -1;
}

static int write_atomic(const char *path, const void *buf, size_t size, bool sync,
			struct btfdb_err *err)
{
	struct btfdb_fileio_atomic a;
	int ret;

	if (!buf && size) {
		btfdb_err_set(err, "btfdb_fileio_write_atomic: invalid arguments");
		return -EINVAL;
	}
	if ((ret = btfdb_fileio_atomic_open(path, &a, err)))
		return ret;
	if ((ret = write_all(a.fd, buf, size)))
		return atomic_fail(&a, "cannot write", ret, err);
	return btfdb_fileio_atomic_commit(&a, sync, err);
}

int btfdb_fileio_write_atomic(const char *path, const void *buf, size_t size,
			      struct btfdb_err *err)
{
	return write_atomic(path, buf, size, false, err);
}

int btfdb_fileio_write_atomic_sync(const char *path, const void *buf, size_t size,
				   struct btfdb_err *err)
{
	return write_atomic(path, buf, size, true, err);
}

/* ------------------------------------------------------------------ */
/* One writer per output directory                                      */
/* ------------------------------------------------------------------ */

int btfdb_fileio_lock_dir(const char *dir, int *fd, struct btfdb_err *err)
{
	int d = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), ret;

	*fd = -1;
	if (d < 0) {
		ret = -errno;
		btfdb_err_set(err, "%s: %s", dir, strerror(errno));
		return ret;
	}
	if (flock(d, LOCK_EX | LOCK_NB) < 0) {
		ret = errno == EWOULDBLOCK ? -EBUSY : -errno;
		if (ret == -EBUSY)
			btfdb_err_set(err,
				      "%s: another run is writing to this output directory; try again when it has finished",
				      dir);
		else
			btfdb_err_set(err, "%s: cannot lock: %s", dir, strerror(-ret));
		close(d);
		return ret;
	}
	*fd = d;
	return 0;
}
