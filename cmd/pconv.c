/* pconv: convert a profile of any format into any other. */
#include "cli.h"

static const char usage[] =
    "usage: pconv [options] INPUT... -o OUTPUT\n"
    "Convert a profile. The input format is detected from its content (gzip and\n"
    "LZ4 compressed inputs too); the output format from OUTPUT's name, or -t.\n"
    "Several inputs are merged into one profile.\n"
    "\n";

int main(int argc, char **argv)
{
    pk_cli_name = "pconv";
    return pk_cli_convert(argc, argv, usage);
}
