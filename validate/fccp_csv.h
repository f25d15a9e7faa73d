// fast-cpp-csv-parser (Debian's libfccp-dev), included with the one warning it trips silenced:
// it copies file names with strncpy, which GCC 12 flags once inlined. Clang has no such group.
#pragma once

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-truncation"
#endif
#include <libfccp/csv.h>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
