#include "output.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hmap.h"

struct pk_output {
    char *path; /* the target, NULL for stdout */
    char *tmp;  /* the temporary file renamed over it */
    FILE *f;
    char *buf;
};

static mode_t current_umask(void)
{
    mode_t m = umask(0);
    umask(m);
    return m;
}

/* A path that exists and is not a regular file: a device, FIFO or socket. */
static bool is_special(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

pk_output *pk_output_open(const char *path, pk_error *err)
{
    pk_output *out = pk_xcalloc(1, sizeof *out);
    out->buf = pk_xmalloc(1 << 20);
    /* Past a file size limit, writes must fail with EFBIG rather than kill us. */
    signal(SIGXFSZ, SIG_IGN);
    if (strcmp(path, "-") == 0) {
        /* A closed pipe must end the write with EPIPE, not kill us. */
        signal(SIGPIPE, SIG_IGN);
        out->f = stdout;
    } else if (is_special(path)) {
        /* -o /dev/null or a named pipe: renaming a temporary file over it
         * would replace the device or the pipe with a plain file. */
        out->path = strdup(path);
        out->f = fopen(path, "wb");
        if (!out->f) {
            pk_error_set(err, "%s: cannot open: %s", path, strerror(errno));
            pk_output_abort(out);
            return NULL;
        }
    } else {
        out->path = strdup(path);
        size_t n = strlen(path) + 16;
        out->tmp = pk_xmalloc(n);
        snprintf(out->tmp, n, "%s.tmp.XXXXXX", path);
        int fd = mkstemp(out->tmp);
        if (fd < 0) {
            pk_error_set(err, "%s: cannot create: %s", path, strerror(errno));
            free(out->tmp);
            out->tmp = NULL;
            pk_output_abort(out);
            return NULL;
        }
        fchmod(fd, 0666 & ~current_umask());
        out->f = fdopen(fd, "wb");
    }
    setvbuf(out->f, out->buf, _IOFBF, 1 << 20);
    return out;
}

FILE *pk_output_file(pk_output *out)
{
    return out->f;
}

const char *pk_output_name(const pk_output *out)
{
    return out->path ? out->path : "<stdout>";
}

static void release(pk_output *out)
{
    if (out->f && out->f != stdout) fclose(out->f);
    if (out->f == stdout) fflush(stdout), setvbuf(stdout, NULL, _IOLBF, 0);
    free(out->path);
    free(out->tmp);
    free(out->buf);
    free(out);
}

int pk_output_commit(pk_output *out, pk_error *err)
{
    int rc = 0;
    bool failed = fflush(out->f) != 0 || ferror(out->f);
    int e = errno;
    if (out->f == stdout) {
        /* A reader that went away (`| head`) is not an error worth a message. */
        if (failed && e != EPIPE) {
            pk_error_set(err, "<stdout>: write error: %s", strerror(e));
            rc = -1;
        }
        release(out);
        return rc;
    }
    if (fclose(out->f) != 0 && !failed) failed = true, e = errno;
    out->f = NULL;
    if (failed) {
        pk_error_set(err, "%s: write error: %s", out->path, strerror(e));
        if (out->tmp) unlink(out->tmp);
        rc = -1;
    } else if (out->tmp && rename(out->tmp, out->path) != 0) {
        pk_error_set(err, "%s: cannot rename into place: %s", out->path, strerror(errno));
        unlink(out->tmp);
        rc = -1;
    }
    release(out);
    return rc;
}

void pk_output_abort(pk_output *out)
{
    if (!out) return;
    if (out->f && out->f != stdout) {
        fclose(out->f);
        out->f = NULL;
    }
    if (out->tmp) unlink(out->tmp);
    release(out);
}
