#ifndef RECS_CSQLITE_SHIM_H
#define RECS_CSQLITE_SHIM_H
#include <sqlite3.h>
#endif
