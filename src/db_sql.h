/* db_sql.h — SQLite's dialect as labshare writes it, translated for
 * PostgreSQL (pure text work, no connection: tests/test_db_sql.c).
 *
 * Statements: parameters ?N, ? and :name become $n with SQLite's numbering
 * (?N is N; a :name gets one more than the largest number so far, and keeps
 * it wherever it appears again); the column name "end" is quoted (a reserved
 * word in PostgreSQL; CASE … END is left alone); max(a, b, …) and
 * min(a, b, …) of two or more arguments become greatest() and least();
 * INSERT OR IGNORE becomes INSERT … ON CONFLICT DO NOTHING; "a IS b" and
 * "a IS NOT b" (b not NULL, TRUE or FALSE) become IS [NOT] DISTINCT FROM;
 * "x GLOB p" becomes "x LIKE glob_like(p)"; INDEXED BY is dropped; the
 * types INTEGER, REAL and BLOB become BIGINT, DOUBLE PRECISION and BYTEA.
 * What the PostgreSQL side needs to match (fold(), instr(), total(),
 * glob_like(), the collation nocase) is created by db_migrate.c.
 *
 * Schema (DB_SQL_DDL): besides, "INTEGER PRIMARY KEY" becomes an identity
 * column, STRICT and WITHOUT ROWID go, and an index's expression elements
 * get the parentheses PostgreSQL requires. */
#ifndef LS_DB_SQL_H
#define LS_DB_SQL_H

#include <stddef.h>

enum { DB_SQL_DDL = 1 };

enum { DB_SQL_MAX_PARAMS = 99, DB_SQL_NAME_MAX = 48 };

struct db_sql {
    char *text;  /* the translation, malloc'd (the caller frees) */
    int nparams; /* the largest parameter number */
    char names[DB_SQL_MAX_PARAMS + 1][DB_SQL_NAME_MAX]; /* [n] = ":name" of $n, "" for ?N */
    unsigned char used[DB_SQL_MAX_PARAMS + 1];          /* [n]: $n appears in the text */
    char insert_table[64]; /* an INSERT without RETURNING: its table, else "" */
    int has_returning;
};

/* Translates one statement (or, with DB_SQL_DDL, a script). Returns 0, or
 * -1 with a reason in err (what PostgreSQL cannot be given: INSERT OR
 * REPLACE, PRAGMA, too many parameters). */
int db_sql_translate(const char *sql, int flags, struct db_sql *out, char *err, size_t errlen);

/* Appends " RETURNING id" (before nothing: the statement has none), so the
 * id of an inserted row can be read back like SQLite's last_insert_rowid.
 * Returns a new malloc'd text. */
char *db_sql_add_returning(const char *pg_sql, const char *column);

/* Keeps the lines of a migration meant for `engine` ("sqlite" or
 * "postgresql"): a line "-- engine: postgresql" starts lines for that engine
 * only, "-- engine: all" ends them. Lines for the other engine become empty
 * (line numbers stay). Returns a new malloc'd text. */
char *db_sql_for_engine(const char *script, const char *engine);

#endif
