#include "targets.h"
/* b.b.b lies under 65 anonymous struct levels: the target spec exceeds
 * 64 accessors (-E2BIG hard error).  a.a.a is fine. */
struct core_nesting___err_too_deep {
	struct { struct { int a; } a; } a;
	struct {
		struct {
			struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { struct { int b; };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  };  }; 
		} b;
	} b;
};
void f(struct core_nesting___err_too_deep x) {}
