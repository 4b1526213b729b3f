// SPDX-License-Identifier: MIT
/* arrmem: loads and stores (LDX, STX, ST) whose CO-RE relocation names an
 * array: a 1-D array member (access "0:1"), a row of a 2-D array ("0:2:1")
 * and a 2-D array member ("0:2").  libbpf 1.6.0 (d7a4ab15) sizes such an
 * access by the innermost element, 1.1 by the whole array or row, so the two
 * rule sets poison or patch differently against the arrmem__* targets.
 *
 * clang 16 puts the record on the memory instruction itself in these
 * pointer forms (the same LDX "0:1" record as the sched_ext loop over an
 * array member).  clang never emits ST: the raw_tp/st_* programs store a
 * constant through a register, and tests/progs/stx_to_st.py rewrites each such
 * STX into ST after compiling (tests/CMakeLists.txt), keeping the records.
 * The programs are never run. */
#include "core_types.h"

char LICENSE[] SEC("license") = "GPL";

struct core_arrmem {
	int pad;                   /* 0 */
	unsigned int arr[4];       /* 4 */
	unsigned int rows[2][4];   /* 20, rows[1] at 36 */
} PAI;

typedef unsigned int core_arrmem_row[4];

SEC("raw_tp/ldx_arr")
int ldx_arr(struct core_arrmem *m)
{
	unsigned int *p = m->arr;          /* 0:1 on the LDX */

	return *p;
}

SEC("raw_tp/stx_arr")
int stx_arr(struct core_arrmem *m, int v)
{
	unsigned int *p = m->arr;          /* 0:1 on the STX */

	*p = v;
	return 0;
}

SEC("raw_tp/st_arr")
int st_arr(struct core_arrmem *m)
{
	unsigned int *p = m->arr;          /* 0:1 on the ST */

	*p = 5;
	return 0;
}

SEC("raw_tp/ldx_row")
int ldx_row(struct core_arrmem *m)
{
	unsigned int *p = m->rows[1];      /* 0:2:1 on the LDX */

	return *p;
}

SEC("raw_tp/stx_row")
int stx_row(struct core_arrmem *m, int v)
{
	unsigned int *p = m->rows[1];      /* 0:2:1 on the STX */

	*p = v;
	return 0;
}

SEC("raw_tp/st_row")
int st_row(struct core_arrmem *m)
{
	unsigned int *p = m->rows[1];      /* 0:2:1 on the ST */

	*p = 6;
	return 0;
}

SEC("raw_tp/ldx_rows")
int ldx_rows(struct core_arrmem *m)
{
	core_arrmem_row *r = m->rows;      /* 0:2 on the LDX */

	return (*r)[0];
}

SEC("raw_tp/stx_rows")
int stx_rows(struct core_arrmem *m, int v)
{
	core_arrmem_row *r = m->rows;      /* 0:2 on the STX */

	(*r)[0] = v;
	return 0;
}

SEC("raw_tp/st_rows")
int st_rows(struct core_arrmem *m)
{
	core_arrmem_row *r = m->rows;      /* 0:2 on the ST */

	(*r)[0] = 7;
	return 0;
}
