#include "targets.h"
/* VAL3 missing; the values fit in 32 bits, so the target enums are plain
 * BTF_KIND_ENUM (enum64 local vs enum target is compatible) */
enum ev64_unsigned___val3_missing { EV64_U_VAL1___val3_missing = 0x111, EV64_U_VAL2___val3_missing = 0x222 };
enum ev64_signed___val3_missing { EV64_S_VAL1___val3_missing = -0x111, EV64_S_VAL2___val3_missing = -0x222 };
struct core_enum64val___val3_missing { enum ev64_unsigned___val3_missing f1; enum ev64_signed___val3_missing f2; };
void f(struct core_enum64val___val3_missing *x) {}
