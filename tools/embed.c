/* embed.c — build-time tool: turns the folder migrations/ into a C array so
 * the labshare binary carries its own schema history.
 *
 * Usage: embed OUT.c DEPFILE DIR
 *
 * Every DIR/NNNN_name.sql becomes one entry, ordered by its number; the
 * number is the schema version a database records once the file is applied
 * (src/db_migrate.c). Nobody keeps a list: a file dropped into the folder is
 * picked up by the next build, because DEPFILE names the folder itself
 * (its time changes when a file is added, removed or renamed) as well as
 * every file in it.
 *
 * Refused, with a message naming the files: a .sql file whose name is not
 * digits, '_', a name of [a-z0-9_] and ".sql"; two files with the same
 * number; a number of 0 or beyond 9999999. Other files (an editor's backup,
 * a README) are not migrations and are left alone. */
#define _POSIX_C_SOURCE 200809L /* strdup; the native build has no _GNU_SOURCE */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mig {
    long number;
    char *name;
};

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && strcmp(s + n - t, tail) == 0;
}

/* The number of "NNNN_name.sql", or -1 when the name is not of that form. */
static long parse_name(const char *name)
{
    const char *p = name;
    long number = 0;
    while (*p >= '0' && *p <= '9') {
        number = number * 10 + (*p - '0');
        if (number > 9999999)
            return -1;
        p++;
    }
    if (p == name || *p != '_' || number == 0)
        return -1;
    const char *rest = ++p;
    const char *dot = strrchr(p, '.');
    for (; p < dot; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return -1;
    return dot > rest ? number : -1;
}

static int by_number(const void *a, const void *b)
{
    const struct mig *x = a, *y = b;
    return (x->number > y->number) - (x->number < y->number);
}

/* Writes a path in a depfile, escaped as make reads it. */
static void dep_path(FILE *dep, const char *s)
{
    for (; *s; s++) {
        if (*s == ' ' || *s == '#')
            fputc('\\', dep);
        else if (*s == '$')
            fputc('$', dep);
        fputc(*s, dep);
    }
}

/* Copies one file into OUT as a C string literal. */
static int embed_file(FILE *out, const char *path)
{
    FILE *in = fopen(path, "rb");
    if (!in) {
        perror(path);
        return 1;
    }
    fputs("     \"", out);
    int c, col = 0;
    while ((c = fgetc(in)) != EOF) {
        if (c == '\n') {
            fputs("\\n\"\n     \"", out);
            col = 0;
            continue;
        }
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 32 || c > 126)
            fprintf(out, "\\%03o", c);
        else
            fputc(c, out);
        if (++col > 4000) { /* keep string pieces short for old compilers */
            fputs("\"\n     \"", out);
            col = 0;
        }
    }
    int bad = ferror(in);
    fclose(in);
    fputs("\"", out);
    if (bad)
        fprintf(stderr, "embed: cannot read %s\n", path);
    return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: embed OUT.c DEPFILE DIR\n");
        return 2;
    }
    const char *outpath = argv[1], *deppath = argv[2], *dir = argv[3];
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "embed: cannot open %s: %s\n", dir, strerror(errno));
        return 1;
    }
    struct mig *migs = NULL;
    size_t n = 0, cap = 0;
    int bad = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || !ends_with(e->d_name, ".sql"))
            continue;
        long number = parse_name(e->d_name);
        if (number < 0) {
            fprintf(stderr,
                    "embed: %s/%s: a migration is named NNNN_name.sql (a number from 1, then "
                    "lower-case letters, digits and _)\n",
                    dir, e->d_name);
            bad = 1;
            continue;
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 32;
            migs = realloc(migs, cap * sizeof *migs);
            if (!migs) {
                fprintf(stderr, "embed: out of memory\n");
                return 1;
            }
        }
        migs[n].number = number;
        migs[n].name = strdup(e->d_name);
        if (!migs[n++].name) {
            fprintf(stderr, "embed: out of memory\n");
            return 1;
        }
    }
    closedir(d);
    if (n > 0)
        qsort(migs, n, sizeof *migs, by_number);
    for (size_t i = 1; i < n; i++)
        if (migs[i].number == migs[i - 1].number) {
            fprintf(stderr, "embed: %s/%s and %s/%s have the same number %ld\n", dir,
                    migs[i - 1].name, dir, migs[i].name, migs[i].number);
            bad = 1;
        }
    if (bad)
        return 1;

    FILE *out = fopen(outpath, "w");
    if (!out) {
        perror(outpath);
        return 1;
    }
    fprintf(out,
            "/* generated by tools/embed.c from %s — do not edit */\n#include \"db.h\"\n\n"
            "const struct db_migration db_migrations[] = {\n",
            dir);
    for (size_t i = 0; i < n && !bad; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, migs[i].name);
        fprintf(out, "    {%ld, \"%s\",\n", migs[i].number, migs[i].name);
        bad = embed_file(out, path);
        fputs("},\n", out);
    }
    if (n == 0) /* C has no empty initialiser list */
        fputs("    {0, NULL, NULL},\n", out);
    fprintf(out, "};\nconst int db_nmigrations = %zu;\n", n);
    if (fclose(out) != 0 || bad) {
        remove(outpath);
        return 1;
    }

    /* Make's syntax: the folder first, so adding a file reruns this tool. */
    FILE *dep = fopen(deppath, "w");
    if (!dep) {
        perror(deppath);
        return 1;
    }
    dep_path(dep, outpath);
    fputs(": ", dep);
    dep_path(dep, dir);
    for (size_t i = 0; i < n; i++) {
        fputs(" \\\n  ", dep);
        dep_path(dep, dir);
        fprintf(dep, "/%s", migs[i].name);
    }
    fputs("\n", dep);
    for (size_t i = 0; i < n; i++)
        free(migs[i].name);
    free(migs);
    return fclose(dep) == 0 ? 0 : 1;
}
