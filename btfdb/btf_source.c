/* SPDX-License-Identifier: MIT */
/*
 * Loading BTF from a file or a buffer, with the format told by the content:
 *   - raw BTF (magic 0xeb9f in either byte order);
 *   - ELF (vmlinux, BPF object; either byte order): the .BTF section, read
 *     with libelf from memory; the ELF class sets the pointer size like
 *     libbpf's btf__parse_elf();
 *   - xz (BTFHub .btf.tar.xz): a tar with exactly one regular member,
 *     decompressed in memory with libarchive, no temporary files.
 * Files are mmap'ed (read() when that is impossible, e.g. sysfs).
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "btfdb_internal.h"

#define MAX_MEMBER_SIZE (1ull << 30) /* refuse archive members above 1 GiB */
#define MAX_FILE_SIZE (1ull << 34)   /* 16 GiB: anything larger is not BTF input */

static const uint8_t xz_magic[6] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };

/* ---- ELF ---------------------------------------------------------- */

static int load_elf(const void *data, size_t size, const char *name, struct btfdb_btf **out,
		    struct btfdb_err *err)
{
	Elf_Scn *scn = NULL, *btf_scn = NULL;
	GElf_Shdr sh, btf_sh;
	size_t shstrndx;
	Elf_Data *d;
	Elf *elf;
	int ret = -EINVAL, cls;

	if (elf_version(EV_CURRENT) == EV_NONE) {
		btfdb_err_set(err, "%s: libelf initialisation failed", name);
		return -EINVAL;
	}
	/* libelf reads the image; foreign-order headers go to its own copies */
	elf = elf_memory((char *)data, size);
	if (!elf) {
		btfdb_err_set(err, "%s: not a valid ELF file: %s", name, elf_errmsg(-1));
		return -EINVAL;
	}
	cls = gelf_getclass(elf);
	if (elf_getshdrstrndx(elf, &shstrndx)) {
		btfdb_err_set(err, "%s: ELF: cannot read the section name table: %s", name,
			      elf_errmsg(-1));
		goto out;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		const char *sname;

		if (!gelf_getshdr(scn, &sh)) {
			btfdb_err_set(err, "%s: ELF: bad section header %zu: %s", name,
				      elf_ndxscn(scn), elf_errmsg(-1));
			goto out;
		}
		sname = elf_strptr(elf, shstrndx, sh.sh_name);
		if (sname && !strcmp(sname, ".BTF")) {
			btf_scn = scn;
			btf_sh = sh;
			break;
		}
	}
	if (!btf_scn) {
		btfdb_err_set(err, "%s: ELF file has no .BTF section", name);
		ret = -ENOENT;
		goto out;
	}
	if (btf_sh.sh_type == SHT_NOBITS || (btf_sh.sh_flags & SHF_COMPRESSED)) {
		btfdb_err_set(err, "%s: ELF .BTF section is %s", name,
			      btf_sh.sh_type == SHT_NOBITS ? "NOBITS (no data)" : "compressed");
		goto out;
	}
	if (btf_sh.sh_offset > size || btf_sh.sh_size > size - btf_sh.sh_offset) {
		btfdb_err_set(err,
			      "%s: ELF .BTF section (offset %llu, size %llu) is past the end of "
			      "the %zu-byte file",
			      name, (unsigned long long)btf_sh.sh_offset,
			      (unsigned long long)btf_sh.sh_size, size);
		goto out;
	}
	d = elf_rawdata(btf_scn, NULL);
	if (!d || (d->d_size && !d->d_buf)) {
		btfdb_err_set(err, "%s: ELF: cannot read .BTF: %s", name, elf_errmsg(-1));
		goto out;
	}
	ret = btfdb_btf_parse(d->d_buf, d->d_size, NULL, out, err);
	if (ret) {
		btfdb_err_prefix(err, "%s: .BTF section: ", name);
		goto out;
	}
	if (cls == ELFCLASS32)
		btfdb_btf_set_ptr_size(*out, 4);
	else if (cls == ELFCLASS64)
		btfdb_btf_set_ptr_size(*out, 8);
out:
	elf_end(elf);
	return ret;
}

/* ---- .tar.xz ------------------------------------------------------ */

static int load_xz(const void *data, size_t size, const char *name, struct btfdb_btf **out,
		   struct btfdb_err *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	uint8_t *blob = NULL;
	size_t blob_size = 0;
	unsigned members = 0;
	int ret = -EINVAL, r;

	if (!a) {
		btfdb_err_set(err, "%s: out of memory", name);
		return -ENOMEM;
	}
	archive_read_support_filter_xz(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_memory(a, data, size) != ARCHIVE_OK) {
		btfdb_err_set(err, "%s: xz/tar: %s", name, archive_error_string(a));
		goto out;
	}
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		la_int64_t esize;
		size_t got = 0;

		if (archive_entry_filetype(e) != AE_IFREG)
			continue;
		if (++members > 1)
			continue; /* keep counting for the message */
		if (!archive_entry_size_is_set(e)) {
			btfdb_err_set(err, "%s: archive member '%s' has no size", name,
				      archive_entry_pathname(e));
			goto out;
		}
		esize = archive_entry_size(e);
		if (esize <= 0) {
			btfdb_err_set(err, "%s: archive member '%s' is empty", name,
				      archive_entry_pathname(e));
			goto out;
		}
		if ((unsigned long long)esize > MAX_MEMBER_SIZE) {
			btfdb_err_set(err,
				      "%s: archive member '%s' is %lld bytes, over the 1 GiB limit",
				      name, archive_entry_pathname(e), (long long)esize);
			goto out;
		}
		blob_size = (size_t)esize;
		blob = malloc(blob_size);
		if (!blob) {
			btfdb_err_set(err, "%s: out of memory for %zu bytes", name, blob_size);
			ret = -ENOMEM;
			goto out;
		}
		while (got < blob_size) {
			la_ssize_t n = archive_read_data(a, blob + got, blob_size - got);

			if (n < 0) {
				btfdb_err_set(err, "%s: xz/tar: member '%s': %s", name,
					      archive_entry_pathname(e), archive_error_string(a));
				goto out;
			}
			if (n == 0) {
				btfdb_err_set(err,
					      "%s: archive member '%s' is truncated: %zu of %zu "
					      "bytes",
					      name, archive_entry_pathname(e), got, blob_size);
				goto out;
			}
			got += (size_t)n;
		}
	}
	if (r != ARCHIVE_EOF) {
		btfdb_err_set(err, "%s: xz/tar: %s", name, archive_error_string(a));
		goto out;
	}
	if (members != 1) {
		btfdb_err_set(err, "%s: archive has %u members, expected one .btf", name, members);
		goto out;
	}
	ret = btfdb_btf_parse_owned(blob, blob_size, NULL, out, err);
	blob = NULL;
	if (ret)
		btfdb_err_prefix(err, "%s: ", name);
out:
	free(blob);
	archive_read_free(a);
	return ret;
}

/* ---- dispatch ----------------------------------------------------- */

int btfdb_btf_load_mem(const void *data, size_t size, const char *name,
		       struct btfdb_btf **out, struct btfdb_err *err)
{
	const uint8_t *p = data;
	int ret;

	*out = NULL;
	if (!name)
		name = "<memory>";
	if (size == 0) {
		btfdb_err_set(err, "%s: empty file", name);
		return -EINVAL;
	}
	if (size >= 2 && ((p[0] == 0x9f && p[1] == 0xeb) || (p[0] == 0xeb && p[1] == 0x9f))) {
		ret = btfdb_btf_parse(data, size, NULL, out, err);
		if (ret)
			btfdb_err_prefix(err, "%s: ", name);
		return ret;
	}
	if (size >= 4 && !memcmp(p, ELFMAG, SELFMAG))
		return load_elf(data, size, name, out, err);
	if (size >= sizeof(xz_magic) && !memcmp(p, xz_magic, sizeof(xz_magic)))
		return load_xz(data, size, name, out, err);
	if (size < 4) {
		btfdb_err_set(err, "%s: file of %zu bytes is too short to be BTF, ELF or .tar.xz",
			      name, size);
		return -EINVAL;
	}
	btfdb_err_set(err, "%s: not BTF, ELF or .tar.xz (magic %02x %02x %02x %02x)", name, p[0],
		      p[1], p[2], p[3]);
	return -EINVAL;
}

/* read() the whole file when mmap is not possible; grows up to MAX_FILE_SIZE. */
static int read_all(int fd, const char *path, size_t hint, uint8_t **buf, size_t *size,
		    struct btfdb_err *err)
{
	size_t cap = hint ? hint : 1 << 20, len = 0;
	uint8_t *b = malloc(cap), *tmp;
	ssize_t n;
	int ret;

	if (!b)
		goto nomem;
	for (;;) {
		if (len == cap) {
			if (cap >= MAX_FILE_SIZE) {
				btfdb_err_set(err, "%s: file is too large", path);
				free(b);
				return -EFBIG;
			}
			cap *= 2;
			tmp = realloc(b, cap);
			if (!tmp)
				goto nomem;
			b = tmp;
		}
		n = read(fd, b + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			btfdb_err_set(err, "%s: read failed: %s", path, strerror(errno));
			free(b);
			return ret;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*buf = b;
	*size = len;
	return 0;
nomem:
	free(b);
	btfdb_err_set(err, "%s: out of memory reading the file", path);
	return -ENOMEM;
}

int btfdb_btf_load(const char *path, struct btfdb_btf **out, struct btfdb_err *err)
{
	uint8_t *buf = NULL;
	void *map = MAP_FAILED;
	size_t size = 0;
	struct stat st;
	int fd, ret;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		btfdb_err_set(err, "%s: cannot open: %s", path, strerror(errno));
		return ret;
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		btfdb_err_set(err, "%s: cannot stat: %s", path, strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		btfdb_err_set(err, "%s: is a directory", path);
		ret = -EISDIR;
		goto out;
	}
	if (S_ISREG(st.st_mode) && (unsigned long long)st.st_size > MAX_FILE_SIZE) {
		btfdb_err_set(err, "%s: file is too large (%lld bytes)", path,
			      (long long)st.st_size);
		ret = -EFBIG;
		goto out;
	}
	if (S_ISREG(st.st_mode) && st.st_size > 0)
		map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map != MAP_FAILED) {
		size = (size_t)st.st_size;
	} else {
		/* sysfs, pipes, or mmap refused: read it, sized by st_size when known */
		ret = read_all(fd, path,
			       S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size + 1 : 0,
			       &buf, &size, err);
		if (ret)
			goto out;
	}
	ret = btfdb_btf_load_mem(map != MAP_FAILED ? map : buf, size, path, out, err);
out:
	if (map != MAP_FAILED)
		munmap(map, size);
	free(buf);
	close(fd);
	return ret;
}
