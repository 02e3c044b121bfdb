/* Writes the man page of each command named, from the option table
 * (cmd/options.c): run at build time, so --help and the man pages are one
 * source.   mangen DIR pconv pfilter ...   writes DIR/pconv.1, ... */
#include <stdio.h>

#include "../cli.h"

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: mangen DIR COMMAND...\n");
        return 2;
    }
    for (int i = 2; i < argc; i++) {
        const pk_command *cmd = pk_command_by_name(argv[i]);
        if (!cmd) {
            fprintf(stderr, "mangen: unknown command '%s'\n", argv[i]);
            return 2;
        }
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.1", argv[1], argv[i]);
        FILE *f = fopen(path, "w");
        if (!f) {
            perror(path);
            return 2;
        }
        pk_cli_print_man(f, cmd);
        if (fclose(f) != 0) {
            perror(path);
            return 2;
        }
    }
    return 0;
}
