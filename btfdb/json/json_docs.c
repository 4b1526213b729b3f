/* SPDX-License-Identifier: MIT */
/*
 * The btfdb tool's JSON documents (btfdb_json.h; schemas
 * docs/schema/btfdb-*.schema.json): ls, info, show, extract, verify and
 * the writing commands' summaries.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "btfdb_json.h"

/* "distro/version/arch/release" split for the document (fewer parts: the
 * release is the last, the others ""). */
static bool set_identity(json_t *o, const char *name)
{
	const char *parts[4] = { "", "", "", "" }, *keys[4] = { "distro", "version", "arch",
							     "release" };
	char *copy = strdup(name ? name : ""), *p, *slash;
	int n = 0, i;
	bool ok = true;

	if (!copy)
		return false;
	/* the last three separators split off arch, version... from the right;
	 * whatever is left (it may hold '/') is the distro */
	p = copy;
	for (n = 3; n > 0; n--) {
		slash = strrchr(p, '/');
		if (!slash)
			break;
		*slash = 0;
		parts[n] = slash + 1;
	}
	if (n == 0) {
		parts[0] = p;
	} else {
		/* fewer parts: shift them right-aligned; the leftover is the next part */
		parts[n] = p;
		for (i = 0; i < n; i++)
			parts[i] = "";
	}
	for (i = 0; i < 4 && ok; i++)
		ok = btfdb_json_set(o, keys[i], btfdb_json_str(parts[i]));
	free(copy);
	return ok;
}

static json_t *db_doc(const char *name, const char *path)
{
	json_t *doc = btfdb_json_doc("btfdb", name);

	if (doc && btfdb_json_set(doc, "database", btfdb_json_str(path)))
		return doc;
	json_decref(doc);
	return NULL;
}

json_t *btfdb_json_ls(const char *path, struct btfdb_db *db)
{
	json_t *doc = db_doc("ls", path), *ks = json_array(), *k;
	uint32_t i;
	bool ok = doc && ks;

	for (i = 0; ok && i < btfdb_db_kernel_count(db); i++) {
		struct btfdb_db_kernel_info ki;
		uint64_t own;

		ok = btfdb_db_kernel_info(db, i, &ki, NULL) == 0 &&
		     btfdb_db_kernel_own_bytes(db, i, &own, NULL) == 0 && (k = json_object()) &&
		     btfdb_json_push(ks, k) && btfdb_json_set(k, "name", btfdb_json_str(ki.name)) &&
		     set_identity(k, ki.name) &&
		     btfdb_json_set(k, "types", json_integer(ki.nr_types)) &&
		     btfdb_json_set(k, "btf_bytes", json_integer((json_int_t)ki.blob_size)) &&
		     btfdb_json_set(k, "own_bytes", json_integer((json_int_t)own)) &&
		     btfdb_json_set(k, "xxh3", btfdb_json_hex64(ki.blob_hash)) &&
		     btfdb_json_set(k, "raw", json_boolean(ki.raw)) &&
		     btfdb_json_set(k, "big_endian", json_boolean(ki.big_endian));
	}
	if (ok && btfdb_json_set(doc, "kernels", ks))
		return doc;
	if (!ok)
		json_decref(ks);
	json_decref(doc);
	return NULL;
}

json_t *btfdb_json_info(const char *path, struct btfdb_db *db)
{
	json_t *doc = db_doc("info", path);
	struct btfdb_db_info in;

	btfdb_db_info(db, &in);
	if (doc && btfdb_json_set(doc, "file_size", json_integer((json_int_t)in.file_size)) &&
	    btfdb_json_set(doc, "kernels", json_integer(in.nr_kernels)) &&
	    btfdb_json_set(doc, "raw_btf_bytes", json_integer((json_int_t)in.raw_total)) &&
	    btfdb_json_set(doc, "compression_ratio",
			   json_real(in.file_size ? (double)in.raw_total / (double)in.file_size
						  : 0.0)) &&
	    btfdb_json_set(doc, "strings", json_integer(in.nr_strings)) &&
	    btfdb_json_set(doc, "strings_bytes", json_integer((json_int_t)in.strings_bytes)) &&
	    btfdb_json_set(doc, "types", json_integer(in.nr_pool)) &&
	    btfdb_json_set(doc, "types_bytes", json_integer((json_int_t)in.pool_bytes)) &&
	    btfdb_json_set(doc, "index_bytes", json_integer((json_int_t)in.index_bytes)) &&
	    btfdb_json_set(doc, "kernel_bytes", json_integer((json_int_t)in.kernel_bytes)))
		return doc;
	json_decref(doc);
	return NULL;
}

int btfdb_json_show(const char *path, const char *kernel, const char *name,
		    const struct btfdb_btf *btf, const uint32_t *ids, size_t n, json_t **out,
		    struct btfdb_err *err)
{
	json_t *doc = db_doc("show", path), *ts = json_array(), *t;
	bool ok = doc && ts && btfdb_json_set(doc, "kernel", btfdb_json_str(kernel)) &&
		  btfdb_json_set(doc, "name", btfdb_json_str(name));
	size_t i;
	int ret = 0;

	*out = NULL;
	for (i = 0; ok && i < n; i++) {
		const struct btf_type *bt = btfdb_btf_type(btf, ids[i]);
		const char *tname = btfdb_btf_name(btf, ids[i]);
		char *c = NULL;

		if (!bt || !tname) {
			btfdb_err_set(err, "type %u: cannot read it", ids[i]);
			ret = -EINVAL;
			break;
		}
		ret = btfdb_btf_dump_c(btf, ids[i], &c, err);
		if (ret)
			break;
		ok = (t = json_object()) && btfdb_json_push(ts, t) &&
		     btfdb_json_set(t, "id", json_integer(ids[i])) &&
		     btfdb_json_set(t, "kind", json_string(btfdb_kind_name(btfdb_kind(bt)))) &&
		     btfdb_json_set(t, "name", btfdb_json_str(tname)) &&
		     btfdb_json_set(t, "c", btfdb_json_str(c));
		free(c);
	}
	if (!ret && ok && btfdb_json_set(doc, "types", ts)) {
		*out = doc;
		return 0;
	}
	if (!ret) {
		btfdb_err_set(err, "out of memory");
		ret = -ENOMEM;
	}
	if (!ok || ret)
		json_decref(ts);
	json_decref(doc);
	return ret;
}

json_t *btfdb_json_extract(const char *path, struct btfdb_db *db, uint32_t k,
			   const char *output, size_t size)
{
	json_t *doc = db_doc("extract", path);
	struct btfdb_db_kernel_info ki;

	if (doc && btfdb_db_kernel_info(db, k, &ki, NULL) == 0 &&
	    btfdb_json_set(doc, "kernel", btfdb_json_str(ki.name)) &&
	    btfdb_json_set(doc, "output", btfdb_json_str(output)) &&
	    btfdb_json_set(doc, "bytes", json_integer((json_int_t)size)) &&
	    btfdb_json_set(doc, "xxh3", btfdb_json_hex64(ki.blob_hash)))
		return doc;
	json_decref(doc);
	return NULL;
}

json_t *btfdb_json_verify(const char *path, const struct btfdb_db *db)
{
	json_t *doc = db_doc("verify", path);

	if (doc && btfdb_json_set(doc, "ok", json_true()) &&
	    btfdb_json_set(doc, "kernels", json_integer(btfdb_db_kernel_count(db))))
		return doc;
	json_decref(doc);
	return NULL;
}

int btfdb_json_write(const char *command, const char *path, json_t *added, const char *removed,
		     json_t **out, struct btfdb_err *err)
{
	json_t *doc = db_doc("write", path);
	struct btfdb_db *db = NULL;
	struct btfdb_db_info in;
	int ret;

	*out = NULL;
	ret = btfdb_db_open(path, &db, err);
	if (ret) {
		json_decref(added);
		json_decref(doc);
		return ret;
	}
	btfdb_db_info(db, &in);
	btfdb_db_close(db);
	if (doc && btfdb_json_set(doc, "command", json_string(command)) &&
	    btfdb_json_set(doc, "kernels", json_integer(in.nr_kernels)) &&
	    btfdb_json_set(doc, "file_size", json_integer((json_int_t)in.file_size)) &&
	    (!added || btfdb_json_set(doc, "added", json_incref(added))) &&
	    (!removed || btfdb_json_set(doc, "removed", btfdb_json_str(removed)))) {
		json_decref(added);
		*out = doc;
		return 0;
	}
	json_decref(added);
	json_decref(doc);
	btfdb_err_set(err, "out of memory");
	return -ENOMEM;
}
