/* pfilter: keep the part of a profile that matters, in its own format. */
#include "cli.h"

int main(int argc, char **argv)
{
    return pk_cli_convert(argc, argv, "pfilter");
}
