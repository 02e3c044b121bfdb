/* pfilter: focus a profile of any format on what matters, write any format. */
#include "cli.h"

static const char usage[] =
    "usage: pfilter [options] INPUT... [filters] -o OUTPUT\n"
    "Filter a profile and write it in any format: the output format from\n"
    "OUTPUT's name, or -t. Several inputs are merged first. Stack profiles are\n"
    "filtered stack by stack (exact); graph profiles (pstats, callgrind) on their\n"
    "call graph, marked estimated where that cannot be exact.\n"
    "\n";

int main(int argc, char **argv)
{
    pk_cli_name = "pfilter";
    return pk_cli_convert(argc, argv, usage);
}
