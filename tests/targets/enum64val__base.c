#include "targets.h"
enum ev64_unsigned { EV64_U_VAL1 = 0x1ffffffffULL, EV64_U_VAL2 = 0x2ULL, EV64_U_VAL3 = 0x3ffffffffULL };
enum ev64_signed { EV64_S_VAL1 = -0x1ffffffffLL, EV64_S_VAL2 = -2LL, EV64_S_VAL3 = 0x3ffffffffLL };
struct core_enum64val { enum ev64_unsigned f1; enum ev64_signed f2; };
void f(struct core_enum64val *x) {}
