#include "targets.h"
enum ev64_unsigned___diff {
	EV64_U_VAL1___diff = 0x101ffffffffULL,
	EV64_U_VAL2___diff = 0x202ffffffffULL,
	EV64_U_VAL3___diff = 0x303ffffffffULL,
};
enum ev64_signed___diff {
	EV64_S_VAL1___diff = -0x101ffffffffLL,
	EV64_S_VAL2___diff = -0x202ffffffffLL,
	EV64_S_VAL3___diff = 0x303ffffffffLL,
};
struct core_enum64val___diff { enum ev64_unsigned___diff f1; enum ev64_signed___diff f2; };
void f(struct core_enum64val___diff *x) {}
