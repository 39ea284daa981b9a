#ifndef RECS_CNGHTTP2_SHIM_H
#define RECS_CNGHTTP2_SHIM_H
#include <nghttp2/nghttp2.h>
#endif
