/* SPDX-License-Identifier: MIT */
/* btfdb build, add, rm, compact: the commands that write a database. */
#include <errno.h>
#include <stdio.h>

#include "btfdb_cli.h"
#include "btfdb_json.h"

/* With --json, ctx is the "added" array of the document. */
static void progress(void *ctx, const char *name, const char *raw_why)
{
	json_t *k;

	if (ctx && (k = json_object()) && btfdb_json_push(ctx, k)) {
		btfdb_json_set(k, "name", btfdb_json_str(name));
		btfdb_json_set(k, "raw", json_boolean(raw_why != NULL));
		if (raw_why)
			btfdb_json_set(k, "raw_why", btfdb_json_str(raw_why));
	}
	if (btfdb_cli_quiet)
		return;
	if (raw_why)
		fprintf(stderr, "  + %s (stored raw, its whole compressed blob: %s)\n", name, raw_why);
	else
		fprintf(stderr, "  + %s\n", name);
}

/* With --json: the summary of a command that wrote the database at path
 * (added: the kernels added, or NULL; removed: the kernel removed, or NULL).
 * Returns rc, or an exit code when the summary cannot be made. */
static int json_write(int rc, const char *command, const char *path, json_t *added,
		      const char *removed)
{
	struct btfdb_err err = { "" };
	json_t *doc;

	if (rc || !btfdb_json_on()) {
		json_decref(added);
		return rc;
	}
	if (btfdb_json_write(command, path, added, removed, &doc, &err))
		return btfdb_cli_fail_input(&err);
	btfdb_json_result(doc);
	return 0;
}

static int finish_write(struct btfdb_db_writer *w, const char *path, struct btfdb_err *err)
{
	int ret = btfdb_db_writer_write(w, path, err);

	if (!ret && !btfdb_cli_quiet)
		fprintf(stderr, "wrote %s: %u kernels\n", path, btfdb_db_writer_kernel_count(w));
	btfdb_db_writer_free(w);
	/* the database could not be written: exit 2, as for corelink's outputs */
	return ret ? btfdb_cli_fail_input(err) : 0;
}

static int do_build(struct btfdb_cli_opts *o)
{
	struct btfdb_err err = { "" };
	struct btfdb_db_writer *w;
	json_t *added = btfdb_json_on() ? json_array() : NULL;
	int ret;

	if (!o->out || o->npos < 1)
		return json_write(btfdb_cli_usage(o), "build", NULL, added, NULL);
	if (o->name && o->npos != 1) {
		fprintf(stderr, "btfdb: --name needs exactly one source file\n");
		return json_write(BTFDB_EXIT_USAGE, "build", NULL, added, NULL);
	}
	if ((ret = btfdb_cli_refuse_aliases(o->pos, o->npos, NULL, o->out)))
		return json_write(ret, "build", NULL, added, NULL);
	/* the database is written as kernels are added (not kept in memory) */
	if (btfdb_db_writer_create(o->out, &w, &err))
		return json_write(btfdb_cli_fail_input(&err), "build", NULL, added, NULL);
	if (btfdb_db_writer_add_sources(w, (const char *const *)o->pos, o->npos, o->name,
					progress, added, &err)) {
		/* the database could not be written: exit 2, as in finish_write() */
		ret = btfdb_db_writer_output_failed(w) ? btfdb_cli_fail_input(&err)
						       : btfdb_cli_fail(&err);
		btfdb_db_writer_free(w);
		json_decref(added);
		return ret;
	}
	return json_write(finish_write(w, o->out, &err), "build", o->out, added, NULL);
}

static int do_add(struct btfdb_cli_opts *o)
{
	struct btfdb_err err = { "" };
	struct btfdb_db_writer *w;
	json_t *added = btfdb_json_on() ? json_array() : NULL;
	int ret, lock;

	if (o->npos < 2 || o->out)
		return json_write(btfdb_cli_usage(o), "add", NULL, added, NULL);
	if (o->name && o->npos != 2) {
		fprintf(stderr, "btfdb: --name needs exactly one source file\n");
		return json_write(BTFDB_EXIT_USAGE, "add", NULL, added, NULL);
	}
	if ((ret = btfdb_cli_refuse_aliases(o->pos + 1, o->npos - 1, NULL, o->pos[0])))
		return json_write(ret, "add", NULL, added, NULL);
	/* the lock stays held until exit, after the append is committed */
	if (btfdb_db_lock(o->pos[0], &lock, &err) ||
	    btfdb_db_writer_open_append(o->pos[0], &w, &err))
		return json_write(btfdb_cli_fail(&err), "add", NULL, added, NULL);
	if (btfdb_db_writer_add_sources(w, (const char *const *)o->pos + 1, o->npos - 1, o->name,
					progress, added, &err)) {
		btfdb_db_writer_free(w);
		json_decref(added);
		return btfdb_cli_fail(&err);
	}
	return json_write(finish_write(w, o->pos[0], &err), "add", o->pos[0], added, NULL);
}

/* rm rebuilds the database without the kernel, reclaiming what only it used. */
static int do_rm(struct btfdb_cli_opts *o)
{
	struct btfdb_err err = { "" };
	int lock, ret;

	if (o->npos != 2 || o->out || o->name)
		return btfdb_cli_usage(o);
	if (btfdb_db_lock(o->pos[0], &lock, &err))
		return btfdb_cli_fail(&err);
	if ((ret = btfdb_db_compact(o->pos[0], o->pos[0], o->pos[1], &err)))
		/* no such kernel: 1; unreadable, corrupt, or not written: 2 */
		return ret == -ENOENT || ret == -ENOTUNIQ ? btfdb_cli_fail(&err)
							  : btfdb_cli_fail_input(&err);
	if (!btfdb_cli_quiet)
		fprintf(stderr, "removed %s from %s\n", o->pos[1], o->pos[0]);
	return json_write(0, "rm", o->pos[0], NULL, o->pos[1]);
}

static int do_compact(struct btfdb_cli_opts *o)
{
	struct btfdb_err err = { "" };
	int lock, ret;

	if (o->npos != 1 || o->out || o->name)
		return btfdb_cli_usage(o);
	if (btfdb_db_lock(o->pos[0], &lock, &err))
		return btfdb_cli_fail(&err);
	if ((ret = btfdb_db_compact(o->pos[0], o->pos[0], NULL, &err)))
		/* no such kernel: 1; unreadable, corrupt, or not written: 2 */
		return ret == -ENOENT || ret == -ENOTUNIQ ? btfdb_cli_fail(&err)
							  : btfdb_cli_fail_input(&err);
	return json_write(0, "compact", o->pos[0], NULL, NULL);
}

const struct btfdb_cli_cmd btfdb_cmd_build = {
	.name = "build",
	.fn = do_build,
	.usage = "build SRC... -o DB [--name NAME]",
	.summary = "a new database from sources",
	.help =
		"Build a database from every kernel of the sources.\n"
		"\n"
		"  -o, --output DB  the new database\n"
		"  --name NAME      the kernel's name (distro/version/arch/release) when SRC is one file\n"
		"  -q, --quiet      no progress\n",
};

const struct btfdb_cli_cmd btfdb_cmd_add = {
	.name = "add",
	.fn = do_add,
	.usage = "add DB SRC... [--name NAME]",
	.summary = "append kernels to a database",
	.help =
		"Append every kernel of the sources to DB.\n"
		"\n"
		"  --name NAME      the kernel's name (distro/version/arch/release) when SRC is one file\n"
		"  -q, --quiet      no progress\n",
};

const struct btfdb_cli_cmd btfdb_cmd_rm = {
	.name = "rm",
	.fn = do_rm,
	.usage = "rm DB KERNEL",
	.summary = "remove one kernel (and what only it used)",
	.help =
		"Remove KERNEL from DB, reclaiming the strings and types only it used.\n"
		"\n"
		"  -q, --quiet      no message\n",
};

const struct btfdb_cli_cmd btfdb_cmd_compact = {
	.name = "compact",
	.fn = do_compact,
	.usage = "compact DB",
	.summary = "drop strings and types no kernel uses",
	.help =
		"Rewrite DB without the strings and types no kernel uses.\n"
		"\n",
};
