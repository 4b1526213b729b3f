#include "targets.h"
/* other values, other order; VAL2 = 0x80000000 is read as a signed 32-bit
 * value (libbpf: btf_enum.val is s32) and sign-extended */
enum ev_named___diff {
	EV_NAMED_VAL3___diff = 303,
	EV_NAMED_VAL2___diff = 0x80000000u,
	EV_NAMED_VAL1___diff = 101,
};
typedef enum {
	EV_ANON_VAL1___diff = 0x11,
	EV_ANON_VAL2___diff = -0x22,
	EV_ANON_VAL3___diff = 0x33,
} ev_anon_t___diff;
struct core_enumval___diff { enum ev_named___diff f1; ev_anon_t___diff f2; };
void f(struct core_enumval___diff *x) {}
