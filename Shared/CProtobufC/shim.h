#ifndef RECS_CPROTOBUFC_SHIM_H
#define RECS_CPROTOBUFC_SHIM_H
#include <protobuf-c/protobuf-c.h>
#endif
