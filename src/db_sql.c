/* db_sql.c — see db_sql.h. A tokenizer that knows SQL's strings, quoted
 * names, comments and parameters, and one pass over the tokens that
 * rewrites what PostgreSQL reads differently. */
#include "db_sql.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum tok_kind { T_SPACE, T_COMMENT, T_STRING, T_QNAME, T_NUM, T_WORD, T_PARAM, T_PUNCT };

struct tok {
    enum tok_kind kind;
    const char *s;
    int n;
    int open_paren, close_paren; /* wrap in ( ) on output (index expressions) */
    int drop;                    /* left out of the output */
    int alias;                   /* followed by " AS labshare_sN" (a subquery in FROM) */
};

struct buf {
    char *s;
    size_t len, cap;
};

static void put(struct buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2 + 64;
        char *p = realloc(b->s, b->cap);
        if (!p)
            abort();
        b->s = p;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void puts_(struct buf *b, const char *s)
{
    put(b, s, strlen(s));
}

static int is_word_char(int c)
{
    return isalnum(c) || c == '_' || (c & 0x80);
}

/* Splits sql into tokens; returns their count, or -1 when out of memory. */
static int tokenize(const char *sql, struct tok **out)
{
    size_t cap = 64, n = 0;
    struct tok *t = malloc(cap * sizeof *t);
    if (!t)
        return -1;
    const char *p = sql;
    while (*p) {
        if (n == cap) {
            cap *= 2;
            struct tok *bigger = realloc(t, cap * sizeof *t);
            if (!bigger) {
                free(t);
                return -1;
            }
            t = bigger;
        }
        struct tok k = {.s = p};
        const char *q = p;
        if (isspace((unsigned char)*q)) {
            k.kind = T_SPACE;
            while (isspace((unsigned char)*q))
                q++;
        } else if (q[0] == '-' && q[1] == '-') {
            k.kind = T_COMMENT;
            while (*q && *q != '\n')
                q++;
        } else if (q[0] == '/' && q[1] == '*') {
            k.kind = T_COMMENT;
            q += 2;
            while (*q && !(q[0] == '*' && q[1] == '/'))
                q++;
            q += *q ? 2 : 0;
        } else if (*q == '\'' || *q == '"' || *q == '`') {
            char quote = *q++;
            k.kind = quote == '\'' ? T_STRING : T_QNAME;
            for (; *q; q++) {
                if (*q == quote && q[1] == quote)
                    q++;
                else if (*q == quote)
                    break;
            }
            q += *q ? 1 : 0;
        } else if (q[0] == '$' && q[1] == '$') {
            /* A PostgreSQL dollar-quoted body (a migration's function) is
             * the engine's own text: never translated. */
            k.kind = T_STRING;
            q += 2;
            while (*q && !(q[0] == '$' && q[1] == '$'))
                q++;
            q += *q ? 2 : 0;
        } else if (isdigit((unsigned char)*q) || (*q == '.' && isdigit((unsigned char)q[1]))) {
            k.kind = T_NUM;
            while (isalnum((unsigned char)*q) || *q == '.' ||
                   ((*q == '+' || *q == '-') && (q[-1] == 'e' || q[-1] == 'E')))
                q++;
        } else if (*q == '?' || ((*q == ':' || *q == '@' || *q == '$') && q[1] != ':' &&
                                 is_word_char((unsigned char)q[1]))) {
            k.kind = T_PARAM;
            q++;
            while (is_word_char((unsigned char)*q))
                q++;
        } else if (is_word_char((unsigned char)*q)) {
            k.kind = T_WORD;
            while (is_word_char((unsigned char)*q))
                q++;
        } else {
            k.kind = T_PUNCT;
            static const char *const two[] = {"||", "<=", ">=", "!=", "<>", "==", "<<", ">>", "::"};
            q++;
            for (size_t i = 0; i < sizeof two / sizeof *two; i++)
                if (p[0] == two[i][0] && p[1] == two[i][1]) {
                    q = p + 2;
                    break;
                }
        }
        k.n = (int)(q - p);
        t[n++] = k;
        p = q;
    }
    *out = t;
    return (int)n;
}

static int is(const struct tok *t, const char *word)
{
    return (t->kind == T_WORD || t->kind == T_PUNCT) && (int)strlen(word) == t->n &&
           strncasecmp(t->s, word, (size_t)t->n) == 0;
}

/* The next token after i that is neither space nor comment, or n. */
static int next(const struct tok *t, int n, int i)
{
    for (i++; i < n && (t[i].kind == T_SPACE || t[i].kind == T_COMMENT); i++)
        ;
    return i;
}

/* The ")" matching the "(" at i, or n. */
static int closing(const struct tok *t, int n, int i)
{
    int depth = 0;
    for (; i < n; i++) {
        if (is(&t[i], "("))
            depth++;
        else if (is(&t[i], ")") && --depth == 0)
            return i;
    }
    return n;
}

/* PostgreSQL before 16 wants a name for every subquery in FROM; SQLite
 * does not: "FROM (SELECT …)" and "JOIN (SELECT …)" without one get one. */
static void mark_subquery_aliases(struct tok *t, int n)
{
    static const char *const ends[] = {"WHERE",  "GROUP",  "ORDER",   "LIMIT",     "JOIN",
                                       "LEFT",   "RIGHT",  "INNER",   "CROSS",     "FULL",
                                       "ON",     "UNION",  "EXCEPT",  "INTERSECT", "HAVING",
                                       "WINDOW", "OFFSET", "NATURAL", "USING"};
    int prev = -1;
    for (int i = 0; i < n; i++) {
        if (t[i].kind == T_SPACE || t[i].kind == T_COMMENT)
            continue;
        int j = next(t, n, i);
        if (is(&t[i], "(") && prev >= 0 && (is(&t[prev], "FROM") || is(&t[prev], "JOIN")) &&
            j < n && (is(&t[j], "SELECT") || is(&t[j], "WITH") || is(&t[j], "VALUES"))) {
            int c = closing(t, n, i);
            int a = c < n ? next(t, n, c) : n;
            int named = a < n && (is(&t[a], "AS") || t[a].kind == T_QNAME);
            if (a < n && t[a].kind == T_WORD && !named) {
                named = 1;
                for (size_t e = 0; e < sizeof ends / sizeof ends[0]; e++)
                    if (is(&t[a], ends[e]))
                        named = 0;
            }
            if (c < n && !named)
                t[c].alias = 1;
        }
        prev = i;
    }
}

/* Whether the AND at i joins a BETWEEN's bounds ("x BETWEEN 0 AND 1"):
 * a BETWEEN comes before it, at its depth, before any other operator that
 * would end the operand. */
static int between_and(const struct tok *t, int i)
{
    int depth = 0;
    for (int q = i - 1; q >= 0; q--) {
        if (t[q].kind == T_SPACE || t[q].kind == T_COMMENT)
            continue;
        if (is(&t[q], ")"))
            depth++;
        else if (is(&t[q], "(") && depth-- == 0)
            return 0;
        else if (depth == 0 && is(&t[q], "BETWEEN"))
            return 1;
        else if (depth == 0 && (is(&t[q], "AND") || is(&t[q], "OR") || is(&t[q], "WHERE") ||
                                is(&t[q], "ON") || is(&t[q], ",") || is(&t[q], "WHEN") ||
                                is(&t[q], "THEN") || is(&t[q], "SELECT") || is(&t[q], "NOT")))
            return 0;
    }
    return 0;
}

/* Whether the operand at i (a number or a parameter; prev: the token
 * before it) stands where SQL wants a condition: between WHERE, AND, OR,
 * NOT, ( or ON and AND, OR, ), THEN or the end, not as a function's one
 * argument nor as a BETWEEN's upper bound. */
static int truth_position(const struct tok *t, int n, int i, int prev)
{
    int j = next(t, n, i);
    const struct tok *p = prev >= 0 ? &t[prev] : NULL;
    int before = p && (is(p, "WHERE") || is(p, "AND") || is(p, "OR") || is(p, "NOT") ||
                       is(p, "(") || is(p, "ON"));
    int after = j >= n || is(&t[j], "AND") || is(&t[j], "OR") || is(&t[j], ")") ||
                is(&t[j], "THEN") || is(&t[j], ";") || is(&t[j], "ORDER") || is(&t[j], "GROUP") ||
                is(&t[j], "LIMIT");
    return before && after && !(is(p, "(") && j < n && is(&t[j], ")")) &&
           !(is(p, "AND") && between_and(t, prev));
}

/* Commas at the top level of the parentheses opening at i. */
static int top_commas(const struct tok *t, int n, int i)
{
    int depth = 0, commas = 0;
    for (; i < n; i++) {
        if (is(&t[i], "("))
            depth++;
        else if (is(&t[i], ")") && --depth == 0)
            break;
        else if (depth == 1 && is(&t[i], ","))
            commas++;
    }
    return commas;
}

/* Leaves out the space after token i. */
static void drop_space(struct tok *t, int n, int i)
{
    if (i + 1 < n && t[i + 1].kind == T_SPACE)
        t[i + 1].drop = 1;
}

/* Whether the JOIN at i has an ON of its own (before the next join or
 * clause at its depth). */
static int join_has_on(const struct tok *t, int n, int i)
{
    static const char *const ends[] = {"JOIN",  "WHERE", "GROUP",  "ORDER", "LIMIT",
                                       "UNION", ";",     "HAVING", "USING", "WINDOW"};
    int depth = 0;
    for (int q = next(t, n, i); q < n; q = next(t, n, q)) {
        if (is(&t[q], "("))
            depth++;
        else if (is(&t[q], ")") && depth-- == 0)
            return 0;
        else if (depth == 0 && is(&t[q], "ON"))
            return 1;
        else if (depth == 0)
            for (size_t e = 0; e < sizeof ends / sizeof ends[0]; e++)
                if (is(&t[q], ends[e]))
                    return 0;
    }
    return 0;
}

/* CREATE [UNIQUE] INDEX … ON name ( elements ): marks each element that is
 * an expression (not "column [COLLATE x] [ASC|DESC]") for parentheses. */
static void mark_index_expressions(struct tok *t, int n, int i)
{
    int j = next(t, n, i);
    if (j < n && is(&t[j], "UNIQUE"))
        j = next(t, n, j);
    if (j >= n || !is(&t[j], "INDEX"))
        return;
    while (j < n && !is(&t[j], "ON") && !is(&t[j], ";"))
        j = next(t, n, j);
    if (j >= n || !is(&t[j], "ON"))
        return;
    j = next(t, n, next(t, n, j)); /* past the table's name */
    if (j >= n || !is(&t[j], "("))
        return;
    int end = closing(t, n, j);
    int first = next(t, n, j);
    while (first < end) {
        int last = first, depth = 0, k = first, count = 0, plain = 1, after_collate = 0;
        for (; k < end; k = next(t, n, k)) {
            if (depth == 0 && is(&t[k], ","))
                break;
            if (is(&t[k], "("))
                depth++;
            if (is(&t[k], ")"))
                depth--;
            if (count == 0)
                plain = t[k].kind == T_WORD || t[k].kind == T_QNAME;
            else if (after_collate)
                after_collate = 0;
            else if (is(&t[k], "COLLATE"))
                after_collate = 1;
            else if (!is(&t[k], "ASC") && !is(&t[k], "DESC"))
                plain = 0;
            count++;
            last = k;
        }
        if (!plain) {
            t[first].open_paren++;
            t[last].close_paren++;
        }
        first = next(t, n, k);
    }
}

int db_sql_translate(const char *sql, int flags, struct db_sql *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    struct tok *t;
    int n = tokenize(sql, &t);
    if (n < 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    struct buf b = {0};
    put(&b, "", 0);
    int ddl = flags & DB_SQL_DDL;
    int case_depth = 0, paren = 0, ignore_conflicts = 0, statement = 0, failed = 0, prev = -1;
    int limit_param = -1; /* the parameter after LIMIT, closed as ", -1), -1)" */
    int aliases = 0;
    mark_subquery_aliases(t, n);
    for (int i = 0; i < n && !failed; i++) {
        struct tok *k = &t[i];
        if (k->drop)
            continue;
        for (int p = 0; p < k->open_paren; p++)
            puts_(&b, "(");
        const char *text = NULL; /* a replacement for the token */
        char num[16];
        if (k->kind == T_PARAM) {
            int idx;
            if (k->s[0] == '?' && k->n > 1) {
                idx = atoi(k->s + 1);
            } else if (k->s[0] == '?') {
                idx = out->nparams + 1;
            } else {
                idx = 0;
                for (int x = 1; x <= out->nparams; x++)
                    if ((int)strlen(out->names[x]) == k->n &&
                        strncmp(out->names[x], k->s, (size_t)k->n) == 0)
                        idx = x;
                if (!idx) {
                    idx = out->nparams + 1;
                    if (idx <= DB_SQL_MAX_PARAMS && k->n < DB_SQL_NAME_MAX)
                        snprintf(out->names[idx], DB_SQL_NAME_MAX, "%.*s", k->n, k->s);
                }
            }
            if (idx < 1 || idx > DB_SQL_MAX_PARAMS) {
                snprintf(err, errlen, "parameter %.*s: at most %d parameters", k->n, k->s,
                         DB_SQL_MAX_PARAMS);
                failed = 1;
                break;
            }
            if (idx > out->nparams)
                out->nparams = idx;
            out->used[idx] = 1;
            snprintf(num, sizeof num, "$%d", idx);
            /* "(:staff OR …)": an integer bound where SQL wants a condition. */
            if (truth_position(t, n, i, prev))
                snprintf(num, sizeof num, "($%d <> 0)", idx);
            text = num;
        } else if (k->kind == T_NUM && k->n == 1 && (k->s[0] == '0' || k->s[0] == '1')) {
            /* "WHERE 1 AND …": SQLite's integers as truth values. */
            if (truth_position(t, n, i, prev))
                text = k->s[0] == '1' ? "TRUE" : "FALSE";
        } else if (k->kind == T_PUNCT) {
            if (is(k, "("))
                paren++;
            else if (is(k, ")"))
                paren--;
            else if (is(k, "=="))
                text = "=";
            else if (is(k, ";")) {
                if (ignore_conflicts)
                    puts_(&b, " ON CONFLICT DO NOTHING");
                ignore_conflicts = 0;
                case_depth = 0;
                statement++;
            } else if (ddl && paren == 0 && is(k, ",")) {
                int j = next(t, n, i);
                if (j < n && (is(&t[j], "STRICT") || is(&t[j], "WITHOUT"))) {
                    drop_space(t, n, i);
                    continue;
                }
            }
        } else if (k->kind == T_WORD) {
            int j = next(t, n, i);
            if (is(k, "CASE")) {
                case_depth++;
            } else if (is(k, "END")) {
                /* CASE's END follows an operand; the column "end" follows
                 * an operator, a keyword or a punctuation mark. */
                const struct tok *p = prev >= 0 ? &t[prev] : NULL;
                int after_operand =
                    p &&
                    (p->kind == T_NUM || p->kind == T_STRING || p->kind == T_QNAME ||
                     p->kind == T_PARAM || is(p, ")") ||
                     (p->kind == T_WORD && !is(p, "THEN") && !is(p, "ELSE") && !is(p, "WHEN") &&
                      !is(p, "AND") && !is(p, "OR") && !is(p, "NOT") && !is(p, "SELECT") &&
                      !is(p, "BY") && !is(p, "WHERE") && !is(p, "ON") && !is(p, "IS") &&
                      !is(p, "CASE") && !is(p, "SET") && !is(p, "AS") && !is(p, "IN") &&
                      !is(p, "BETWEEN") && !is(p, "DISTINCT") && !is(p, "FROM")));
                if (case_depth > 0 && after_operand)
                    case_depth--;
                else
                    text = "\"end\"";
            } else if ((is(k, "max") || is(k, "min")) && j < n && is(&t[j], "(") &&
                       top_commas(t, n, j) > 0) {
                text = is(k, "max") ? "greatest" : "least";
            } else if (is(k, "LIMIT") && j < n && t[j].kind == T_PARAM) {
                /* SQLite reads a negative limit as none; PostgreSQL as an error. */
                puts_(&b, "LIMIT nullif(greatest(");
                drop_space(t, n, i);
                limit_param = j;
                prev = i;
                continue;
            } else if (is(k, "LIMIT") && j < n && is(&t[j], "-")) {
                int a = next(t, n, j);
                if (a < n && t[a].kind == T_NUM) {
                    for (int s = i + 1; s <= a; s++)
                        t[s].drop = 1;
                    text = "LIMIT ALL";
                }
            } else if (is(k, "generate_series") && j < n && is(&t[j], "(")) {
                text = "sqlite_series"; /* SQLite's has a column "value" */
            } else if (is(k, "PRAGMA")) {
                snprintf(err, errlen, "PRAGMA has no PostgreSQL form");
                failed = 1;
            } else if (is(k, "INSERT")) {
                if (j < n && is(&t[j], "OR")) {
                    int a = next(t, n, j);
                    if (a < n && is(&t[a], "IGNORE")) {
                        t[j].drop = t[a].drop = 1;
                        for (int s = i + 1; s < a; s++)
                            if (t[s].kind == T_SPACE)
                                t[s].drop = 1;
                        ignore_conflicts = 1;
                        j = next(t, n, a);
                    } else {
                        snprintf(err, errlen, "INSERT OR %.*s has no PostgreSQL form", t[a].n,
                                 t[a].s);
                        failed = 1;
                    }
                }
                if (!failed && statement == 0 && j < n && is(&t[j], "INTO")) {
                    int name = next(t, n, j);
                    if (name < n && t[name].n < (int)sizeof out->insert_table)
                        snprintf(out->insert_table, sizeof out->insert_table, "%.*s", t[name].n,
                                 t[name].s);
                }
            } else if (is(k, "REPLACE") && (i == next(t, n, -1))) {
                snprintf(err, errlen, "REPLACE has no PostgreSQL form");
                failed = 1;
            } else if (is(k, "RETURNING")) {
                if (statement == 0)
                    out->has_returning = 1;
                if (ignore_conflicts)
                    puts_(&b, "ON CONFLICT DO NOTHING ");
                ignore_conflicts = 0;
            } else if (is(k, "IS") && j < n) {
                int a = is(&t[j], "NOT") ? next(t, n, j) : j;
                int plain = a < n && (is(&t[a], "NULL") || is(&t[a], "TRUE") ||
                                      is(&t[a], "FALSE") || is(&t[a], "DISTINCT"));
                if (!plain && a == j) {
                    text = "IS NOT DISTINCT FROM";
                } else if (!plain) {
                    text = "IS DISTINCT FROM";
                    for (int s = i + 1; s <= j; s++)
                        t[s].drop = 1;
                    puts_(&b, text);
                    prev = i;
                    continue;
                }
            } else if (is(k, "GLOB") && j < n) {
                /* x GLOB p → x COLLATE "C" LIKE glob_like(p): p one token or one ( … ). */
                int last = is(&t[j], "(") ? closing(t, n, j) : j;
                if (last >= n) {
                    snprintf(err, errlen, "GLOB without a pattern");
                    failed = 1;
                    break;
                }
                t[j].open_paren++;
                t[last].close_paren++;
                text = "COLLATE \"C\" LIKE glob_like"; /* GLOB ignores NOCASE */
                for (int s = i + 1; s < j; s++)
                    t[s].drop = 1;
            } else if (is(k, "INDEXED") && j < n && is(&t[j], "BY")) {
                int name = next(t, n, j);
                for (int s = i + 1; s <= name && s < n; s++)
                    t[s].drop = 1;
                drop_space(t, n, name);
                continue;
            } else if (is(k, "CROSS") && j < n && is(&t[j], "JOIN") && join_has_on(t, n, j)) {
                /* SQLite's CROSS JOIN … ON: an inner join that keeps the
                 * order of the loops; PostgreSQL takes no ON after CROSS. */
                drop_space(t, n, i);
                continue;
            } else if (is(k, "NOT") && j < n && is(&t[j], "INDEXED")) {
                t[j].drop = 1;
                continue;
            } else if (is(k, "INTEGER")) {
                int a = j < n ? next(t, n, j) : n;
                if (ddl && j < n && is(&t[j], "PRIMARY") && a < n && is(&t[a], "KEY"))
                    text = "BIGINT GENERATED BY DEFAULT AS IDENTITY";
                else
                    text = "BIGINT";
            } else if (is(k, "NOT") && j < n && is(&t[j], "LIKE")) {
                text = "COLLATE \"C\" NOT";
            } else if (is(k, "LIKE")) {
                /* SQLite's LIKE ignores ASCII case (and any column's NOCASE,
                 * which PostgreSQL's LIKE refuses). */
                text = prev >= 0 && is(&t[prev], "NOT") ? "ILIKE" : "COLLATE \"C\" ILIKE";
            } else if (is(k, "rowid")) {
                text = "id"; /* every table's INTEGER PRIMARY KEY id (0018 gives the rest one) */
            } else if (is(k, "REAL")) {
                text = "DOUBLE PRECISION";
            } else if (is(k, "BLOB")) {
                text = "BYTEA";
            } else if (ddl && paren == 0 && is(k, "STRICT")) {
                drop_space(t, n, i);
                continue;
            } else if (ddl && paren == 0 && is(k, "WITHOUT") && j < n && is(&t[j], "ROWID")) {
                for (int s = i + 1; s <= j; s++)
                    t[s].drop = 1;
                drop_space(t, n, j);
                continue;
            } else if (ddl && is(k, "CREATE")) {
                mark_index_expressions(t, n, i);
            }
        }
        if (text)
            puts_(&b, text);
        else
            put(&b, k->s, (size_t)k->n);
        if (i == limit_param)
            puts_(&b, ", -1), -1)");
        if (k->kind != T_SPACE && k->kind != T_COMMENT)
            prev = i;
        for (int p = 0; p < k->close_paren; p++)
            puts_(&b, ")");
        if (k->alias) {
            char name[32];
            snprintf(name, sizeof name, " AS labshare_s%d", ++aliases);
            puts_(&b, name);
        }
    }
    if (!failed && ignore_conflicts)
        puts_(&b, " ON CONFLICT DO NOTHING");
    free(t);
    if (failed) {
        free(b.s);
        return -1;
    }
    out->text = b.s;
    return 0;
}

char *db_sql_add_returning(const char *pg_sql, const char *column)
{
    size_t n = strlen(pg_sql);
    while (n > 0 && (isspace((unsigned char)pg_sql[n - 1]) || pg_sql[n - 1] == ';'))
        n--;
    struct buf b = {0};
    put(&b, pg_sql, n);
    puts_(&b, " RETURNING ");
    puts_(&b, column);
    return b.s;
}

char *db_sql_for_engine(const char *script, const char *engine)
{
    struct buf b = {0};
    put(&b, "", 0);
    int keep = 1;
    for (const char *p = script; *p;) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        const char *mark = "-- engine:";
        if (strncmp(p, mark, strlen(mark)) == 0) {
            const char *w = p + strlen(mark);
            while (*w == ' ')
                w++;
            size_t wl = strcspn(w, " \r\n");
            keep = (wl == 3 && strncmp(w, "all", 3) == 0) ||
                   (wl == strlen(engine) && strncmp(w, engine, wl) == 0);
        } else if (keep) {
            put(&b, p, len);
        }
        if (!eol)
            break;
        put(&b, "\n", 1);
        p = eol + 1;
    }
    return b.s;
}
