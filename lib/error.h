/* One error message, filled by whatever failed and printed by the command. */
#ifndef PK_ERROR_H
#define PK_ERROR_H

#include <stdarg.h>

typedef struct {
    char msg[512];
} pk_error;

void pk_error_set(pk_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pk_error_vset(pk_error *err, const char *fmt, va_list ap);

#endif
