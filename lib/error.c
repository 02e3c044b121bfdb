#include "error.h"

#include <stdio.h>

void pk_error_vset(pk_error *err, const char *fmt, va_list ap)
{
    if (!err) return;
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
}

void pk_error_set(pk_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pk_error_vset(err, fmt, ap);
    va_end(ap);
}
