/* cli_stats.c — `labshare stats …` (to be filled in by the stats module). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cli_stats(int argc, char **argv, const char *default_db)
{
    (void)default_db;
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        puts("usage: labshare stats indicators --year Y [--csv] [--db FILE]\n"
             "       labshare stats utilisation --from T --to T [--group-by G] [--csv] [--db FILE]");
        return CLI_OK;
    }
    fprintf(stderr, "labshare stats: not available yet\n");
    return CLI_USAGE;
}
