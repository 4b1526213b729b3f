/* SPDX-License-Identifier: MIT */
/*
 * Never lose a user's file: the output rules every command shares.
 *
 *  - btfdb_fileio_refuse_aliases(): before anything is written, refuse an
 *    output that is one of the inputs, whatever the spelling (the same path,
 *    relative or absolute, "..", a symlink, a hard link, a bind mount: files
 *    are compared by device and inode), and an output directory that holds
 *    an input a run would overwrite.
 *  - btfdb_fileio_write_atomic(): a whole file or nothing.  The bytes go to
 *    an unnamed file (O_TMPFILE) in the target's directory, which gets the
 *    name ".<name>.XXXXXX" only to be renamed over the target; a file system
 *    without O_TMPFILE gets a named temporary from the start.  Either way the
 *    temporary is flock()ed for as long as its writer lives.  On any error
 *    (ENOSPC, EFBIG, EIO, ...) the temporary is removed, the previous target
 *    is untouched, and one message names the target and the reason.
 *  - btfdb_fileio_clean_stale(): a writer killed by SIGKILL cannot remove its
 *    temporary; the next run removes the temporaries of that pattern whose
 *    writer is gone (no flock held), never a live writer's.
 *  - btfdb_fileio_lock_dir(): one writer per output directory (flock on the
 *    directory itself: nothing is left behind, released at exit).
 *
 * Every function returns 0 (or a count) or a negative errno with one
 * message in err; none prints.
 */
#ifndef BTFDB_FILEIO_H
#define BTFDB_FILEIO_H

#include <stdbool.h>
#include <stddef.h>

#include "btfdb.h"

/* One file (or directory) a command reads or writes. */
struct btfdb_fileio_path {
	const char *path; /* as the user spelled it; NULL entries are skipped */
	const char *what; /* for the message: "input object", "target BTF", "database", ... */
	bool dir;         /* an output directory: refuse any input inside it, at any depth */
};

/*
 * Refuse (-EINVAL, one message) when an existing output file is the same
 * file (st_dev, st_ino) as an existing input, or an input file lies below
 * an output directory (its own directory or, for a symlink, the directory
 * of the file it resolves to).  Outputs or inputs that do not exist are not
 * compared: nothing exists to lose.  0 when no output aliases an input.
 */
int btfdb_fileio_refuse_aliases(const struct btfdb_fileio_path *in, size_t nr_in,
				const struct btfdb_fileio_path *out, size_t nr_out,
				struct btfdb_err *err);

/* The directory part of path ("." when it has none, "/" for "/x"); malloc()ed, NULL on ENOMEM. */
char *btfdb_fileio_dirname(const char *path);

/* Is the file path inside directory dir (at any depth; lexically or once resolved)? */
bool btfdb_fileio_is_inside(const char *path, const char *dir);

/* Write size bytes of buf to path atomically (mode 0644). */
int btfdb_fileio_write_atomic(const char *path, const void *buf, size_t size,
			      struct btfdb_err *err);
/* The same, durable: fsync()ed before the rename (databases). */
int btfdb_fileio_write_atomic_sync(const char *path, const void *buf, size_t size,
				   struct btfdb_err *err);

/*
 * The same for a file written piece by piece (a database that does not fit
 * in memory): btfdb_fileio_atomic_open() creates the temporary (a->fd, open
 * for reading and writing); write it with pwrite() at any offsets; then
 * btfdb_fileio_atomic_commit() names it and renames it over the target
 * (fsync()ed first when sync is set), or btfdb_fileio_atomic_abort() drops
 * it.  A failed open or commit has dropped it already.
 */
struct btfdb_fileio_atomic {
	int fd;
	char *path;  /* the target */
	char *tmp;   /* "<dir>/.<name>.XXXXXX": its name once named */
	bool named;  /* tmp exists (removed on abort) */
};
int btfdb_fileio_atomic_open(const char *path, struct btfdb_fileio_atomic *a,
			     struct btfdb_err *err);
int btfdb_fileio_atomic_commit(struct btfdb_fileio_atomic *a, bool sync, struct btfdb_err *err);
void btfdb_fileio_atomic_abort(struct btfdb_fileio_atomic *a);

/*
 * Remove the temporaries of writers that are gone, in dir: ".<name>.XXXXXX"
 * for a given name, or (name NULL) any ".<anything><suffix>.XXXXXX".
 * Returns how many were removed, or a negative errno (dir unreadable; a
 * missing dir is 0).
 */
int btfdb_fileio_clean_stale(const char *dir, const char *name, const char *suffix,
			     struct btfdb_err *err);
/* The same for the temporaries of one target path. */
int btfdb_fileio_clean_stale_of(const char *path, struct btfdb_err *err);

/*
 * Take the exclusive lock of directory dir, without waiting: *fd is the
 * lock (close it to release; it is released at exit anyway).  -EBUSY with
 * a message when another process holds it.
 */
int btfdb_fileio_lock_dir(const char *dir, int *fd, struct btfdb_err *err);

#endif
