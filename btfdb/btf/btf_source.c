/* SPDX-License-Identifier: MIT */
/*
 * Loading BTF from a file or a buffer, with the format told by the content:
 *   - raw BTF (magic 0xeb9f in either byte order);
 *   - ELF (vmlinux, BPF object; either byte order): the .BTF section, read
 *     with libelf from memory; the ELF class sets the pointer size like
 *     libbpf's btf__parse_elf();
 *   - xz (BTFHub .btf.tar.xz): a tar with exactly one regular member,
 *     decompressed in memory with libarchive, no temporary files.
 *
 * libarchive is loaded with dlopen() on the first xz input only: linking it
 * drags ~19 shared libraries (ICU, libxml2, libstdc++, ...) into every
 * process, ~4 ms of dynamic linking paid even when the input is raw BTF or
 * ELF.  The headers are used for types and prototypes only.
 *
 * Files: a raw BTF file in host byte order is mmap'ed and parsed in place
 * (the mapping is owned by the handle, see btfdb_btf_parse_flags()); other
 * inputs are mmap'ed, decoded and unmapped.  Files that cannot be mapped
 * (sysfs: /sys/kernel/btf/vmlinux) are read in one go into a buffer sized by
 * fstat(), which sysfs reports exactly, then handed to the parser without a
 * further copy.
 */
#include <archive.h>
#include <archive_entry.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "btfdb_internal.h"

#define MAX_MEMBER_SIZE (1ull << 30) /* refuse archive members above 1 GiB */
#define MAX_FILE_SIZE (1ull << 34)   /* 16 GiB: anything larger is not BTF input */

static const uint8_t xz_magic[6] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };

static bool is_raw_btf(const uint8_t *p, size_t size)
{
	return size >= 2 && ((p[0] == 0x9f && p[1] == 0xeb) || (p[0] == 0xeb && p[1] == 0x9f));
}

/* ---- ELF ---------------------------------------------------------- */

static int load_elf(const void *data, size_t size, const char *name, unsigned int flags,
		    struct btfdb_btf **out, struct btfdb_err *err)
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
	ret = btfdb_btf_parse_copy(d->d_buf, d->d_size, NULL, flags, out, err);
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

/* ---- libarchive, loaded on demand ---------------------------------- */

#define LIBARCHIVE_SONAME "libarchive.so.13"

/* The libarchive entry points load_xz() uses, resolved by name. */
static struct {
	__typeof__(archive_read_new) *read_new;
	__typeof__(archive_read_support_filter_xz) *support_filter_xz;
	__typeof__(archive_read_support_format_tar) *support_format_tar;
	__typeof__(archive_read_open_memory) *open_memory;
	__typeof__(archive_read_next_header) *next_header;
	__typeof__(archive_read_data) *read_data;
	__typeof__(archive_read_free) *read_free;
	__typeof__(archive_error_string) *error_string;
	__typeof__(archive_entry_filetype) *entry_filetype;
	__typeof__(archive_entry_size_is_set) *entry_size_is_set;
	__typeof__(archive_entry_size) *entry_size;
	__typeof__(archive_entry_pathname) *entry_pathname;
} la;
static char la_error[256];        /* why loading failed ("" = it did not) */
static pthread_once_t la_once = PTHREAD_ONCE_INIT;

static void la_load(void)
{
	void *h = dlopen(LIBARCHIVE_SONAME, RTLD_NOW | RTLD_LOCAL);
	const char *missing = NULL;

	if (!h) {
		const char *e = dlerror();

		snprintf(la_error, sizeof(la_error), "%s", e ? e : "dlopen failed");
		return;
	}
#define LA_SYM(field, sym)                                             \
	do {                                                           \
		*(void **)&la.field = dlsym(h, #sym);                  \
		if (!la.field && !missing)                             \
			missing = #sym;                                \
	} while (0)
	LA_SYM(read_new, archive_read_new);
	LA_SYM(support_filter_xz, archive_read_support_filter_xz);
	LA_SYM(support_format_tar, archive_read_support_format_tar);
	LA_SYM(open_memory, archive_read_open_memory);
	LA_SYM(next_header, archive_read_next_header);
	LA_SYM(read_data, archive_read_data);
	LA_SYM(read_free, archive_read_free);
	LA_SYM(error_string, archive_error_string);
	LA_SYM(entry_filetype, archive_entry_filetype);
	LA_SYM(entry_size_is_set, archive_entry_size_is_set);
	LA_SYM(entry_size, archive_entry_size);
	LA_SYM(entry_pathname, archive_entry_pathname);
#undef LA_SYM
	if (missing) {
		snprintf(la_error, sizeof(la_error), "%s has no symbol %s", LIBARCHIVE_SONAME,
			 missing);
		memset(&la, 0, sizeof(la));
		dlclose(h);
	}
	/* on success the library stays loaded for the life of the process */
}

/* Load libarchive once (thread-safe); 0 or -ENOSYS with the reason in err. */
static int la_get(const char *name, struct btfdb_err *err)
{
	pthread_once(&la_once, la_load);
	if (la.read_new)
		return 0;
	btfdb_err_set(err,
		      "%s: reading .tar.xz needs libarchive (%s), which could not be loaded: %s; "
		      "install libarchive13, or decompress the file and pass the raw .btf",
		      name, LIBARCHIVE_SONAME, la_error);
	return -ENOSYS;
}

/* ---- .tar.xz ------------------------------------------------------ */

static int load_xz(const void *data, size_t size, const char *name, unsigned int flags,
		   struct btfdb_btf **out, struct btfdb_err *err)
{
	struct archive *a;
	struct archive_entry *e;
	uint8_t *blob = NULL;
	size_t blob_size = 0, cap;
	unsigned members = 0;
	int ret = -EINVAL, r;

	ret = la_get(name, err);
	if (ret)
		return ret;
	ret = -EINVAL;
	a = la.read_new();
	if (!a) {
		btfdb_err_set(err, "%s: out of memory", name);
		return -ENOMEM;
	}
	la.support_filter_xz(a);
	la.support_format_tar(a);
	if (la.open_memory(a, data, size) != ARCHIVE_OK) {
		btfdb_err_set(err, "%s: xz/tar: %s", name, la.error_string(a));
		goto out;
	}
	while ((r = la.next_header(a, &e)) == ARCHIVE_OK) {
		la_int64_t esize;
		size_t got = 0;

		if (la.entry_filetype(e) != AE_IFREG)
			continue;
		if (++members > 1)
			continue; /* keep counting for the message */
		if (!la.entry_size_is_set(e)) {
			btfdb_err_set(err, "%s: archive member '%s' has no size", name,
				      la.entry_pathname(e));
			goto out;
		}
		esize = la.entry_size(e);
		if (esize <= 0) {
			btfdb_err_set(err, "%s: archive member '%s' is empty", name,
				      la.entry_pathname(e));
			goto out;
		}
		if ((unsigned long long)esize > MAX_MEMBER_SIZE) {
			btfdb_err_set(err,
				      "%s: archive member '%s' is %lld bytes, over the 1 GiB limit",
				      name, la.entry_pathname(e), (long long)esize);
			goto out;
		}
		blob_size = (size_t)esize;
		/*
		 * The header's size is a claim: allocate what the compressed input
		 * can plausibly hold (BTF compresses ~5-8x with xz) and grow by
		 * doubling as data arrives, so a tiny archive claiming 900 MiB fails
		 * on its truncated data, not on memory.  Real BTFHub members fit
		 * the first allocation.
		 */
		cap = blob_size;
		if (cap > (1u << 20) && cap / 32 > size)
			cap = size * 32 > (1u << 20) ? size * 32 : (1u << 20);
		blob = malloc(cap);
		if (!blob) {
			btfdb_err_set(err, "%s: out of memory for %zu bytes", name, cap);
			ret = -ENOMEM;
			goto out;
		}
		while (got < blob_size) {
			la_ssize_t n;

			if (got == cap) {
				size_t ncap = cap * 2 < blob_size ? cap * 2 : blob_size;
				uint8_t *tmp = realloc(blob, ncap);

				if (!tmp) {
					btfdb_err_set(err, "%s: out of memory for %zu bytes", name,
						      ncap);
					ret = -ENOMEM;
					goto out;
				}
				blob = tmp;
				cap = ncap;
			}
			n = la.read_data(a, blob + got, cap - got);

			if (n < 0) {
				btfdb_err_set(err, "%s: xz/tar: member '%s': %s", name,
					      la.entry_pathname(e), la.error_string(a));
				goto out;
			}
			if (n == 0) {
				btfdb_err_set(err,
					      "%s: archive member '%s' is truncated: %zu of %zu "
					      "bytes",
					      name, la.entry_pathname(e), got, blob_size);
				goto out;
			}
			got += (size_t)n;
		}
	}
	if (r != ARCHIVE_EOF) {
		btfdb_err_set(err, "%s: xz/tar: %s", name, la.error_string(a));
		goto out;
	}
	if (members != 1) {
		btfdb_err_set(err, "%s: archive has %u members, expected one .btf", name, members);
		goto out;
	}
	ret = btfdb_btf_parse_flags(NULL, 0, blob, blob_size, NULL, flags, out, err);
	blob = NULL;
	if (ret)
		btfdb_err_prefix(err, "%s: ", name);
out:
	free(blob);
	la.read_free(a);
	return ret;
}

/* ---- dispatch ----------------------------------------------------- */

static int load_mem(const void *data, size_t size, const char *name, unsigned int flags,
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
	if (is_raw_btf(p, size)) {
		ret = btfdb_btf_parse_copy(data, size, NULL, flags, out, err);
		if (ret)
			btfdb_err_prefix(err, "%s: ", name);
		return ret;
	}
	if (size >= 4 && !memcmp(p, ELFMAG, SELFMAG))
		return load_elf(data, size, name, flags, out, err);
	if (size >= sizeof(xz_magic) && !memcmp(p, xz_magic, sizeof(xz_magic)))
		return load_xz(data, size, name, flags, out, err);
	if (size < 4) {
		btfdb_err_set(err, "%s: file of %zu bytes is too short to be BTF, ELF or .tar.xz",
			      name, size);
		return -EINVAL;
	}
	btfdb_err_set(err, "%s: not BTF, ELF or .tar.xz (magic %02x %02x %02x %02x)", name, p[0],
		      p[1], p[2], p[3]);
	return -EINVAL;
}

int btfdb_btf_load_mem(const void *data, size_t size, const char *name,
		       struct btfdb_btf **out, struct btfdb_err *err)
{
	return load_mem(data, size, name, 0, out, err);
}

int btfdb_btf_load_mem_flags(const void *data, size_t size, const char *name, unsigned int flags,
			     struct btfdb_btf **out, struct btfdb_err *err)
{
	return load_mem(data, size, name, flags, out, err);
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
	return btfdb_btf_load_flags(path, 0, out, err);
}

int btfdb_btf_load_flags(const char *path, unsigned int flags, struct btfdb_btf **out,
			 struct btfdb_err *err)
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
	/*
	 * Regular files (and /sys/kernel/btf/vmlinux from Linux 6.16 on) are
	 * mapped.  Not with MAP_POPULATE: a fault maps 64 KiB of page cache at
	 * once, and populating page by page measured ~3% slower for a whole
	 * corelink run (4-6 MB BTF, 2026-11-22).  The file must not be
	 * truncated while the handle lives (as with any mmap'ed input; a
	 * concurrent writer is not supported).
	 */
	if (S_ISREG(st.st_mode) && st.st_size > 0)
		map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map != MAP_FAILED) {
		size = (size_t)st.st_size;
		close(fd);
		if (is_raw_btf(map, size)) {
			/* parsed in place; the handle owns the mapping from here on */
			ret = btfdb_btf_parse_flags(map, size, map, size, NULL, flags, out, err);
			if (ret)
				btfdb_err_prefix(err, "%s: ", path);
			return ret;
		}
		ret = load_mem(map, size, path, flags, out, err);
		munmap(map, size);
		return ret;
	}
	/* sysfs before 6.16, pipes: read in one go, sized by st_size when known
	 * (sysfs reports the exact size), then parsed without another copy */
	ret = read_all(fd, path, S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size + 1 : 0,
		       &buf, &size, err);
	if (ret)
		goto out;
	if (is_raw_btf(buf, size)) {
		ret = btfdb_btf_parse_flags(NULL, 0, buf, size, NULL, flags, out, err);
		buf = NULL;
		if (ret)
			btfdb_err_prefix(err, "%s: ", path);
	} else {
		ret = load_mem(buf, size, path, flags, out, err);
	}
out:
	free(buf);
	close(fd);
	return ret;
}
