/* pconv: convert a profile of any format into any other. */
#include "cli.h"

int main(int argc, char **argv)
{
    pk_formats_add_drawing();
    return pk_cli_convert(argc, argv, "pconv");
}
