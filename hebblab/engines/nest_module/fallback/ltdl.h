// Used only where the system has no <ltdl.h> (libltdl's development files): NEST's
// kernel_manager.h needs the handle type for a member, and the module calls no ltdl function.
// The same opaque pointer type as libltdl's own header declares.
#ifndef HEBBLAB_FALLBACK_LTDL_H
#define HEBBLAB_FALLBACK_LTDL_H
typedef struct lt__handle* lt_dlhandle;
#endif
