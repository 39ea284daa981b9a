#ifndef RECS_CLIBPQ_SHIM_H
#define RECS_CLIBPQ_SHIM_H
// pkg-config libpq adds -I/usr/include/postgresql.
#include <libpq-fe.h>
#endif
