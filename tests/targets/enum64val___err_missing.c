#include "targets.h"
/* VAL2 is missing but its value is read: poison */
enum ev64_unsigned___err_missing { EV64_U_VAL1___err_missing = 0x1ffffffffULL, EV64_U_VAL3___err_missing = 0x3ffffffffULL };
enum ev64_signed___err_missing { EV64_S_VAL1___err_missing = -0x1ffffffffLL, EV64_S_VAL3___err_missing = 0x3ffffffffLL };
struct core_enum64val___err_missing { enum ev64_unsigned___err_missing f1; enum ev64_signed___err_missing f2; };
void f(struct core_enum64val___err_missing *x) {}
