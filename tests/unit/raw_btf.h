/* SPDX-License-Identifier: MIT */
/*
 * A raw BTF blob writer for the btfdb unit tests (test_btf.c, test_index.c):
 * words of the type section are appended as they are written, strings with
 * S(); finish() lays out header + types + strings.  Split BTF: reset() with
 * the base's string length makes S() return offsets after base's strings.
 */
#ifndef RAW_BTF_H
#define RAW_BTF_H

#include <linux/btf.h>
#include <stdint.h>
#include <string.h>

static uint32_t tw[4096]; /* type section words */
static uint32_t ntw;
static char strs[32768];  /* string section */
static uint32_t nstr;
static uint32_t str_base; /* first string offset (base's str_len for split) */

static inline void reset(uint32_t base_str_len)
{
	ntw = 0;
	str_base = base_str_len;
	nstr = 0;
	if (!base_str_len) /* base BTF: string 0 is "" */
		strs[nstr++] = 0;
}

/* Offset of a new copy of s ("" is offset 0, base's or ours). */
static inline uint32_t S(const char *s)
{
	uint32_t off = str_base + nstr;

	if (!*s)
		return 0;
	memcpy(strs + nstr, s, strlen(s) + 1);
	nstr += (uint32_t)strlen(s) + 1;
	return off;
}

/* Append type-section words. */
#define W(...)                                                      \
	do {                                                        \
		uint32_t _w[] = { __VA_ARGS__ };                    \
		memcpy(tw + ntw, _w, sizeof(_w));                   \
		ntw += (uint32_t)(sizeof(_w) / sizeof(_w[0]));      \
	} while (0)
#define INFO(kind, kflag, vlen) (((uint32_t)(kflag) << 31) | ((uint32_t)(kind) << 24) | (vlen))

/* Header + types + strings into out; returns the size. */
static inline size_t finish(uint8_t *out)
{
	struct btf_header h = {
		.magic = BTF_MAGIC, .version = BTF_VERSION, .hdr_len = sizeof(h),
		.type_off = 0, .type_len = ntw * 4, .str_off = ntw * 4, .str_len = nstr,
	};

	memcpy(out, &h, sizeof(h));
	memcpy(out + sizeof(h), tw, ntw * 4);
	memcpy(out + sizeof(h) + ntw * 4, strs, nstr);
	return sizeof(h) + ntw * 4 + nstr;
}

#endif
