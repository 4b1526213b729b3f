/* SPDX-License-Identifier: MIT */
/*
 * Serializing the writers of one database (btfdb add / rm / compact read the
 * database, then replace it): without a lock, two writers started together
 * would both read the old file and the second rename would drop the first
 * one's kernel.  Readers take no lock: a writer replaces the file by rename,
 * so a reader sees the old or the new database.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "btfdb_db.h"
#include "btfdb_internal.h"

int btfdb_db_lock(const char *path, int *fd, struct btfdb_err *err)
{
	struct stat a, b;
	int f, e;

	*fd = -1;
	for (;;) {
		f = open(path, O_RDONLY | O_CLOEXEC);
		if (f < 0) {
			if (errno == ENOENT)
				return 0;
			e = errno;
			btfdb_err_set(err, "%s: %s", path, strerror(e));
			return -e;
		}
		while (flock(f, LOCK_EX) && errno == EINTR)
			;
		/* still the file at path (not replaced while we waited)? */
		if (!fstat(f, &a) && !stat(path, &b) && a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
			*fd = f;
			return 0;
		}
		close(f);
	}
}

void btfdb_db_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}
