/* test_calendar_import.c — .ics import: recurrence with exceptions, time
 * zones, floating and all-day times, malformed files named by line, the
 * address check of every connection, and a source's blackouts, conflicts
 * and the owners' one e-mail. */
#include "testutil.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>

#include "calendar_fetch.h"
#include "calendar_import.h"

#define DAY 86400LL

static int64_t local(int y, int mo, int d, int h, int mi)
{
    int64_t t = 0;
    assert_int_equal(tu_from_local(y, mo, d, h, mi, 0, 1, &t), TU_OK);
    return t;
}

static const char WARSAW[] = "BEGIN:VTIMEZONE\r\n"
                             "TZID:Europe/Warsaw\r\n"
                             "BEGIN:STANDARD\r\n"
                             "DTSTART:19701025T030000\r\n"
                             "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
                             "TZOFFSETFROM:+0200\r\n"
                             "TZOFFSETTO:+0100\r\n"
                             "END:STANDARD\r\n"
                             "BEGIN:DAYLIGHT\r\n"
                             "DTSTART:19700329T020000\r\n"
                             "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
                             "TZOFFSETFROM:+0100\r\n"
                             "TZOFFSETTO:+0200\r\n"
                             "END:DAYLIGHT\r\n"
                             "END:VTIMEZONE\r\n";

/* A vendor's service calendar in 2027, written by hand: a weekly window
 * (one date excluded, one occurrence moved, one cancelled), a series across
 * the spring change, a floating-time visit, an all-day shutdown, a visit
 * in New York time, and events that must not block (free, cancelled). */
static char *service_calendar(void)
{
    static char buf[8192];
    snprintf(buf, sizeof buf,
             "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Vendor//Service//EN\r\n%s"
             "BEGIN:VTIMEZONE\r\nTZID:America/New_York\r\n"
             "BEGIN:STANDARD\r\nDTSTART:19701101T020000\r\n"
             "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\nTZOFFSETFROM:-0400\r\n"
             "TZOFFSETTO:-0500\r\nEND:STANDARD\r\n"
             "BEGIN:DAYLIGHT\r\nDTSTART:19700308T020000\r\n"
             "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\nTZOFFSETFROM:-0500\r\n"
             "TZOFFSETTO:-0400\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
             "BEGIN:VEVENT\r\nUID:weekly-service@vendor\r\nDTSTAMP:20261201T000000Z\r\n"
             "DTSTART;TZID=Europe/Warsaw:20270104T080000\r\n"
             "DTEND;TZID=Europe/Warsaw:20270104T100000\r\n"
             "RRULE:FREQ=WEEKLY;COUNT=10\r\nEXDATE;TZID=Europe/Warsaw:20270118T080000\r\n"
             "SUMMARY:Service window\\, laser\r\nEND:VEVENT\r\n"
             "BEGIN:VEVENT\r\nUID:weekly-service@vendor\r\nDTSTAMP:20261201T000000Z\r\n"
             "RECURRENCE-ID;TZID=Europe/Warsaw:20270125T080000\r\n"
             "DTSTART;TZID=Europe/Warsaw:20270126T120000\r\n"
             "DTEND;TZID=Europe/Warsaw:20270126T140000\r\n"
             "SUMMARY:Service window (moved)\r\nEND:VEVENT\r\n"
             "BEGIN:VEVENT\r\nUID:weekly-service@vendor\r\nDTSTAMP:20261201T000000Z\r\n"
             "RECURRENCE-ID;TZID=Europe/Warsaw:20270201T080000\r\n"
             "DTSTART;TZID=Europe/Warsaw:20270201T080000\r\n"
             "DTEND;TZID=Europe/Warsaw:20270201T100000\r\n"
             "STATUS:CANCELLED\r\nSUMMARY:Service window\r\nEND:VEVENT\r\n"
             "BEGIN:VEVENT\r\nUID:dst-series@vendor\r\nDTSTAMP:20261201T000000Z\r\n"
             "DTSTART;TZID=Europe/Warsaw:20270322T080000\r\nDURATION:PT1H\r\n"
             "RRULE:FREQ=WEEKLY;COUNT=2\r\nSUMMARY:Calibration\r\nEND:VEVENT\r\n"
             "BEGIN:VEVENT\r\nUID:floating@vendor\r\nDTSTAMP:20261201T000000Z\r\n"
             "DTSTART:20270301T093000\r\nDTEND:20270301T103000\r\n"
             "SUMMARY:Engineer visit\r\nEND:VEVENT\r\n"
             "BEGIN:VEVENT\r\nUID:all-day@vendor\r\nDTSTAMP:20261201T000000Z\r\n"
             "DTSTART;VALUE=DATE:20270305\r\nDTEND;VALUE=DATE:20270306\r\n"
             "SUMMARY:Shutdown\r\nEND:VEVENT\r\n"
             "BEGIN:VEVENT\r\nUID:new-york@vendor\r\nDTSTAMP:20261201T000000Z\r\n"
             "DTSTART;TZID=America/New_York:20270310T090000\r\n"
             "DTEND;TZID=America/New_York:20270310T100000\r\n"
             "SUMMARY:Remote diagnostics\r\nEND:VEVENT\r\n"
             "BEGIN:VEVENT\r\nUID:free@vendor\r\nDTSTAMP:20261201T000000Z\r\n"
             "DTSTART:20270311T090000Z\r\nDTEND:20270311T100000Z\r\nTRANSP:TRANSPARENT\r\n"
             "SUMMARY:Newsletter\r\nEND:VEVENT\r\n"
             "BEGIN:VEVENT\r\nUID:called-off@vendor\r\nDTSTAMP:20261201T000000Z\r\n"
             "DTSTART:20270312T090000Z\r\nDTEND:20270312T100000Z\r\nSTATUS:CANCELLED\r\n"
             "SUMMARY:Called off\r\nEND:VEVENT\r\n"
             "END:VCALENDAR\r\n",
             WARSAW);
    return buf;
}

struct want {
    const char *uid, *reason;
    int64_t start, end;
};

static void import__recurrence_zones_and_exceptions(void **state)
{
    (void)state;
    struct arena a = {0};
    struct ls_err err = {0};
    struct import_busy *b = NULL;
    int n = 0;
    const char *text = service_calendar();
    assert_int_equal(import_parse(text, strlen(text), local(2027, 1, 1, 0, 0),
                                  local(2028, 1, 1, 0, 0), &a, &b, &n, &err),
                     LS_OK);
    const struct want want[] = {
        {"weekly-service@vendor", "Service window, laser", local(2027, 1, 4, 8, 0),
         local(2027, 1, 4, 10, 0)},
        {"weekly-service@vendor", "Service window, laser", local(2027, 1, 11, 8, 0),
         local(2027, 1, 11, 10, 0)},
        /* 18 January excluded; 25 January moved to the 26th, 12:00–14:00 */
        {"weekly-service@vendor", "Service window (moved)", local(2027, 1, 26, 12, 0),
         local(2027, 1, 26, 14, 0)},
        /* 1 February cancelled */
        {"weekly-service@vendor", "Service window, laser", local(2027, 2, 8, 8, 0),
         local(2027, 2, 8, 10, 0)},
        {"weekly-service@vendor", "Service window, laser", local(2027, 2, 15, 8, 0),
         local(2027, 2, 15, 10, 0)},
        {"weekly-service@vendor", "Service window, laser", local(2027, 2, 22, 8, 0),
         local(2027, 2, 22, 10, 0)},
        {"weekly-service@vendor", "Service window, laser", local(2027, 3, 1, 8, 0),
         local(2027, 3, 1, 10, 0)},
        /* floating: the site's wall time */
        {"floating@vendor", "Engineer visit", local(2027, 3, 1, 9, 30), local(2027, 3, 1, 10, 30)},
        /* all day: local midnight to midnight */
        {"all-day@vendor", "Shutdown", local(2027, 3, 5, 0, 0), local(2027, 3, 6, 0, 0)},
        {"weekly-service@vendor", "Service window, laser", local(2027, 3, 8, 8, 0),
         local(2027, 3, 8, 10, 0)},
        /* 09:00 in New York before its DST change = 14:00 UTC */
        {"new-york@vendor", "Remote diagnostics", 1804687200, 1804690800},
        /* 08:00 local on both sides of the spring change */
        {"dst-series@vendor", "Calibration", local(2027, 3, 22, 8, 0), local(2027, 3, 22, 9, 0)},
        {"dst-series@vendor", "Calibration", local(2027, 3, 29, 8, 0), local(2027, 3, 29, 9, 0)},
    };
    int nw = (int)(sizeof want / sizeof *want);
    for (int i = 0; i < n && i < nw; i++) {
        if (strcmp(b[i].uid, want[i].uid) != 0 || strcmp(b[i].reason, want[i].reason) != 0 ||
            b[i].start != want[i].start || b[i].end != want[i].end)
            fail_msg("span %d: got %s \"%s\" %lld–%lld, want %s \"%s\" %lld–%lld", i, b[i].uid,
                     b[i].reason, (long long)b[i].start, (long long)b[i].end, want[i].uid,
                     want[i].reason, (long long)want[i].start, (long long)want[i].end);
    }
    assert_int_equal(n, nw);
    assert_int_equal(local(2027, 3, 29, 8, 0) - local(2027, 3, 22, 8, 0), 7 * DAY - 3600);

    /* The window cuts: only what overlaps [from, to). */
    assert_int_equal(import_parse(text, strlen(text), local(2027, 2, 15, 9, 0),
                                  local(2027, 3, 1, 9, 0), &a, &b, &n, &err),
                     LS_OK);
    assert_int_equal(n, 3); /* 15 Feb (running at 9:00), 22 Feb, 1 Mar 8:00 */
    arena_release(&a);
}

static void expect_line(const char *text, int line)
{
    struct arena a = {0};
    struct ls_err err = {0};
    struct import_busy *b = NULL;
    int n = 0;
    assert_int_equal(import_parse(text, strlen(text), 0, 4102444800LL, &a, &b, &n, &err),
                     LS_EVALIDATION);
    assert_string_equal(err.field, "file");
    char prefix[32];
    snprintf(prefix, sizeof prefix, "line %d: ", line);
    if (strncmp(err.message, prefix, strlen(prefix)) != 0)
        fail_msg("expected \"%s…\", got \"%s\"", prefix, err.message);
    arena_release(&a);
}

static void import__malformed_files_name_the_line(void **state)
{
    (void)state;
    expect_line("", 1);
    expect_line("hello world\r\n", 1);
    expect_line("BEGIN:VEVENT\r\nEND:VEVENT\r\n", 1);
    expect_line("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\n"
                "DTSTART:2027013T0800\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
                5);
    expect_line("BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:x\nDTSTART:20270101T080000\n"
                "RRULE:FREQ=SOMETIMES\nEND:VEVENT\nEND:VCALENDAR\n",
                6);
    expect_line("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\n"
                "SUMMARY no colon here\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
                5);
    /* a folded line counts from where it starts */
    expect_line("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\n"
                "DTSTART:20270101T0800\r\n 00X\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
                5);
    expect_line("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nSUMMARY:no start\r\n"
                "END:VEVENT\r\nEND:VCALENDAR\r\n",
                3);
    expect_line("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\n"
                "DTSTART:20270101T080000Z\r\nEND:VCALENDAR\r\n",
                6);
    expect_line("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\n"
                "DTSTART:20270101T080000Z\r\nEND:VEVENT\r\n",
                1);
    expect_line("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\nBEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", 3);
    /* an end before the start, written alike */
    expect_line(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\n"
        "DTSTART:20270301T100000Z\r\nDTEND:20270301T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        6);
    expect_line("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\n"
                "DTEND;TZID=Europe/Warsaw:20270301T080000\r\n"
                "DTSTART;TZID=Europe/Warsaw:20270301T100000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
                5);
    /* days their months do not have (libical would roll them on) */
    expect_line(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\n"
        "DTSTART:20270229T100000Z\r\nDTEND:20270301T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        5);
    expect_line("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\n"
                "DTSTART:20270430T100000Z\r\nDTEND;VALUE=DATE:20270431\r\nEND:VEVENT\r\n"
                "END:VCALENDAR\r\n",
                6);
    /* folded, LF-only and with a quoted colon in a parameter: fine */
    const char *ok = "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:fold\n"
                     "DTSTART;X-NOTE=\"a:b;c\":20270101T080000Z\nDTEND:20270101T09\n 0000Z\n"
                     "SUMMARY:Folded \n summary\nEND:VEVENT\nEND:VCALENDAR\n";
    struct arena a = {0};
    struct ls_err err = {0};
    struct import_busy *b = NULL;
    int n = 0;
    assert_int_equal(import_parse(ok, strlen(ok), 0, 4102444800LL, &a, &b, &n, &err), LS_OK);
    assert_int_equal(n, 1);
    assert_string_equal(b[0].reason, "Folded summary");
    assert_int_equal(b[0].end - b[0].start, 3600);
    arena_release(&a);
}

/* RFC 5545 3.3.5: a wall time the autumn change repeats is its first
 * occurrence; one the spring change skips takes the offset before the gap.
 * The same with the file's own VTIMEZONE and with libical's zone of the
 * name, and as the floating form reads the site's zone. */
static void import__clock_changes_read_as_rfc_5545_says(void **state)
{
    (void)state;
#define UTC(y, mo, d, h, mi) (tu_days_from_civil(y, mo, d) * DAY + (h)*3600 + (mi)*60)
    for (int own = 0; own <= 1; own++) {
        char text[4096];
        snprintf(text, sizeof text,
                 "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n%s"
                 "BEGIN:VEVENT\r\nUID:autumn\r\nDTSTAMP:20261201T000000Z\r\n"
                 "DTSTART;TZID=Europe/Warsaw:20271031T020000\r\n"
                 "DTEND;TZID=Europe/Warsaw:20271031T030000\r\nEND:VEVENT\r\n"
                 "BEGIN:VEVENT\r\nUID:spring\r\nDTSTAMP:20261201T000000Z\r\n"
                 "DTSTART;TZID=Europe/Warsaw:20270328T023000\r\n"
                 "DTEND;TZID=Europe/Warsaw:20270328T040000\r\nEND:VEVENT\r\n"
                 "BEGIN:VEVENT\r\nUID:floating\r\nDTSTAMP:20261201T000000Z\r\n"
                 "DTSTART:20271031T023000\r\nDTEND:20271031T033000\r\nEND:VEVENT\r\n"
                 "END:VCALENDAR\r\n",
                 own ? WARSAW : "");
        struct arena a = {0};
        struct ls_err err = {0};
        struct import_busy *b = NULL;
        int n = 0;
        assert_int_equal(import_parse(text, strlen(text), UTC(2027, 1, 1, 0, 0),
                                      UTC(2028, 1, 1, 0, 0), &a, &b, &n, &err),
                         LS_OK);
        assert_int_equal(n, 3);
        /* sorted by start: spring, then the two autumn ones */
        assert_string_equal(b[0].uid, "spring");
        assert_int_equal(b[0].start, UTC(2027, 3, 28, 1, 30)); /* 02:30 before the gap: +01:00 */
        assert_int_equal(b[0].end, UTC(2027, 3, 28, 2, 0));    /* 04:00 CEST */
        assert_string_equal(b[1].uid, "autumn");
        assert_int_equal(b[1].start, UTC(2027, 10, 31, 0, 0)); /* the first 02:00, CEST */
        assert_int_equal(b[1].end, UTC(2027, 10, 31, 2, 0));   /* 03:00 CET */
        assert_string_equal(b[2].uid, "floating");
        assert_int_equal(b[2].start, UTC(2027, 10, 31, 0, 30));
        arena_release(&a);
    }
#undef UTC
}

static void import__text_is_cleaned_and_floods_refused(void **state)
{
    (void)state;
    struct arena a = {0};
    struct ls_err err = {0};
    struct import_busy *b = NULL;
    int n = 0;
    const char *evil = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:e\r\n"
                       "DTSTART:20270101T080000Z\r\nDTEND:20270101T090000Z\r\n"
                       "SUMMARY:a\\nb\xe2\x80\xae\x01 c\xff\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    assert_int_equal(import_parse(evil, strlen(evil), 0, 4102444800LL, &a, &b, &n, &err), LS_OK);
    assert_int_equal(n, 1);
    assert_string_equal(b[0].reason, "a b c");
    /* every hour for two years is far more than a source may hold */
    const char *flood = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:f\r\n"
                        "DTSTART:20270101T080000Z\r\nDURATION:PT1M\r\nRRULE:FREQ=HOURLY\r\n"
                        "END:VEVENT\r\nEND:VCALENDAR\r\n";
    assert_int_equal(import_parse(flood, strlen(flood), 1798761600LL, 1798761600LL + 2 * 365 * DAY,
                                  &a, &b, &n, &err),
                     LS_EVALIDATION);
    assert_string_equal(err.field, "file");
    /* rules libical would walk for centuries: refused, or skipped quickly */
    const char *minutely = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:m\r\n"
                           "DTSTART:20270101T080000Z\r\nRRULE:FREQ=MINUTELY;COUNT=3\r\n"
                           "END:VEVENT\r\nEND:VCALENDAR\r\n";
    assert_int_equal(import_parse(minutely, strlen(minutely), 0, 4102444800LL, &a, &b, &n, &err),
                     LS_EVALIDATION);
    assert_string_equal(err.message, "line 6: a rule may repeat at most hourly");
    const char *never = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:n\r\n"
                        "DTSTART:20270101T080000Z\r\nDURATION:PT1H\r\n"
                        "RRULE:FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30\r\n"
                        "END:VEVENT\r\nEND:VCALENDAR\r\n";
    assert_int_equal(import_parse(never, strlen(never), 1798761600LL, 1798761600LL + 2 * 365 * DAY,
                                  &a, &b, &n, &err),
                     LS_OK);
    assert_int_equal(n, 0);
    arena_release(&a);
}

static struct sockaddr_in v4(const char *ip)
{
    struct sockaddr_in s = {.sin_family = AF_INET};
    inet_pton(AF_INET, ip, &s.sin_addr);
    return s;
}

static struct sockaddr_in6 v6(const char *ip)
{
    struct sockaddr_in6 s = {.sin6_family = AF_INET6};
    inet_pton(AF_INET6, ip, &s.sin6_addr);
    return s;
}

static void import__addresses_refused(void **state)
{
    (void)state;
    const char *bad4[] = {"127.0.0.1",   "10.1.2.3",        "172.16.0.1", "172.31.255.255",
                          "192.168.1.1", "169.254.169.254", "0.0.0.0",    "100.64.0.1",
                          "224.0.0.1",   "255.255.255.255"};
    for (size_t i = 0; i < sizeof bad4 / sizeof *bad4; i++) {
        struct sockaddr_in s = v4(bad4[i]);
        if (cal_addr_public((struct sockaddr *)&s))
            fail_msg("%s passed", bad4[i]);
    }
    const char *good4[] = {"8.8.8.8", "172.32.0.1", "193.0.6.139", "100.128.0.1"};
    for (size_t i = 0; i < sizeof good4 / sizeof *good4; i++) {
        struct sockaddr_in s = v4(good4[i]);
        if (!cal_addr_public((struct sockaddr *)&s))
            fail_msg("%s refused", good4[i]);
    }
    const char *bad6[] = {"::1",
                          "::",
                          "fe80::1",
                          "fd00::1",
                          "fc00::1",
                          "ff02::1",
                          "::ffff:127.0.0.1",
                          "::ffff:10.0.0.1",
                          "64:ff9b::a9fe:a9fe"};
    for (size_t i = 0; i < sizeof bad6 / sizeof *bad6; i++) {
        struct sockaddr_in6 s = v6(bad6[i]);
        if (cal_addr_public((struct sockaddr *)&s))
            fail_msg("%s passed", bad6[i]);
    }
    const char *good6[] = {"2001:4860:4860::8888", "::ffff:8.8.8.8", "2a00:1450::1"};
    for (size_t i = 0; i < sizeof good6 / sizeof *good6; i++) {
        struct sockaddr_in6 s = v6(good6[i]);
        if (!cal_addr_public((struct sockaddr *)&s))
            fail_msg("%s refused", good6[i]);
    }
    char out[256];
    assert_int_equal(cal_url_check("http://127.0.0.1:9/x.ics", 0, out, sizeof out),
                     CAL_URL_PRIVATE);
    assert_int_equal(cal_url_check("http://[::1]/x.ics", 0, out, sizeof out), CAL_URL_PRIVATE);
    assert_int_equal(cal_url_check("ftp://example.org/x", 1, out, sizeof out), CAL_URL_SCHEME);
    assert_int_equal(cal_url_check("https://", 1, out, sizeof out), CAL_URL_INVALID);
    char long_url[300];
    snprintf(long_url, sizeof long_url, "https://example.org/%0250d", 0);
    assert_int_equal(cal_url_check(long_url, 1, out, sizeof out), CAL_URL_TOO_LONG);
    assert_int_equal(cal_url_check("webcal://127.0.0.1/x.ics", 1, out, sizeof out), CAL_URL_OK);
    assert_string_equal(out, "https://127.0.0.1/x.ics");
}

/* A one-shot HTTP server on 127.0.0.1 that redirects to 127.0.0.2, and a
 * listener there that must never see a connection: the address check runs
 * for the redirect's connection too. */
struct redirector {
    int fd;
    int port2;
};

static void *redirect_once(void *p)
{
    struct redirector *r = p;
    int c = accept(r->fd, NULL, NULL);
    if (c < 0)
        return NULL;
    char buf[2048];
    ssize_t got = read(c, buf, sizeof buf);
    (void)got;
    char reply[256];
    int n = snprintf(reply, sizeof reply,
                     "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.2:%d/private.ics\r\n"
                     "Content-Length: 0\r\nConnection: close\r\n\r\n",
                     r->port2);
    ssize_t put = write(c, reply, (size_t)n);
    (void)put;
    close(c);
    return NULL;
}

static int listen_on(const char *ip, int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in s = v4(ip);
    assert_int_equal(bind(fd, (struct sockaddr *)&s, sizeof s), 0);
    assert_int_equal(listen(fd, 4), 0);
    socklen_t len = sizeof s;
    getsockname(fd, (struct sockaddr *)&s, &len);
    *port = ntohs(s.sin_port);
    return fd;
}

static int only_first(const struct sockaddr *sa, void *ctx)
{
    (void)ctx;
    const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
    return sa->sa_family == AF_INET && ntohl(in->sin_addr.s_addr) == 0x7F000001;
}

static void import__redirect_to_a_refused_address_never_connects(void **state)
{
    (void)state;
    int port1, port2;
    struct redirector r;
    r.fd = listen_on("127.0.0.1", &port1);
    int fd2 = listen_on("127.0.0.2", &port2);
    r.port2 = port2;
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, redirect_once, &r), 0);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/calendar.ics", port1);
    struct cal_fetch_opts o = {
        .max_bytes = 1 << 20, .timeout_s = 5, .max_redirects = 3, .addr_ok = only_first};
    struct cal_fetch_result res;
    cal_fetch(url, &o, &res);
    pthread_join(t, NULL);
    assert_int_equal(res.status, CAL_FETCH_REFUSED);
    assert_null(res.body);
    fcntl(fd2, F_SETFL, O_NONBLOCK);
    assert_int_equal(accept(fd2, NULL, NULL), -1); /* nobody knocked */
    close(fd2);
    close(r.fd);
}

/* ------------------------------------------------------------------ */
/* Sources in the database                                              */

/* Monday 2026-11-23 12:00 UTC, as the feed tests. */
#define NOW 1795521600LL

struct fx {
    struct testdb *t;
    struct arena a;
    struct user owner, other_owner, researcher;
};

static void add_user(struct fx *f, struct user *out, const char *email, enum role role, int64_t org)
{
    struct user_new u = {email, "Olga Owner", "correct horse battery", role, org, "pl"};
    struct ls_err err = {0};
    int64_t id = 0;
    assert_int_equal(auth_user_create(f->t->db, &u, &id, &err), LS_OK);
    assert_int_equal(auth_user_get(f->t->db, id, &f->a, out, &err), LS_OK);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    f->t = testdb_new();
    testdb_exec(f->t, "INSERT INTO organisations(id, name, grp, created, updated) VALUES"
                      " (1, 'JCI', 'R&D', 0, 0), (2, 'Other', 'BIZ', 0, 0);"
                      "INSERT INTO labs(id, organisation_id, name, kind, area_m2, created, updated)"
                      " VALUES (1, 1, 'Microscopy', 'scientific', 100, 0, 0);"
                      "INSERT INTO resources(id, lab_id, type, name, created, updated) VALUES"
                      " (1, 1, 'instrument', 'Confocal', 0, 0);");
    add_user(f, &f->owner, "owner@t.pl", ROLE_OWNER, 1);
    add_user(f, &f->other_owner, "other@t.pl", ROLE_OWNER, 2);
    add_user(f, &f->researcher, "res@t.pl", ROLE_RESEARCHER, 1);
    import_configure(0, 900);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    testdb_free(f->t);
    arena_release(&f->a);
    free(f);
    return 0;
}

static int64_t count(struct fx *f, const char *sql)
{
    struct db_stmt *st;
    assert_int_equal(db_prepare(f->t->db, sql, &st), DB_OK);
    assert_int_equal(db_step(st), DB_ROW);
    int64_t v = db_column_int64(st, 0);
    db_finalize(st);
    return v;
}

static const char *weekly(char *buf, size_t n, int64_t first, int count, const char *extra)
{
    struct tu_local l;
    tu_to_local(first, &l);
    snprintf(buf, n,
             "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n%sBEGIN:VEVENT\r\nUID:svc\r\n"
             "DTSTART;TZID=Europe/Warsaw:%04d%02d%02dT%02d%02d00\r\nDURATION:PT2H\r\n"
             "RRULE:FREQ=WEEKLY;COUNT=%d\r\nSUMMARY:Service\r\n%sEND:VEVENT\r\nEND:VCALENDAR\r\n",
             WARSAW, l.year, l.month, l.day, l.hour, l.minute, count, extra);
    return buf;
}

static void import__upload_makes_blackouts_reports_conflicts_and_tells_owners_once(void **state)
{
    struct fx *f = *state;
    struct ls_err err = {0};
    int64_t first = NOW + 7 * DAY; /* 13:00 local on Mondays */
    /* A booking in the second window, one outside all of them. */
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO bookings(id, resource_id, user_id, organisation_id, start, end, status,"
             " created, updated) VALUES (10, 1, %lld, 1, %lld, %lld, 'approved', 0, 0),"
             " (11, 1, %lld, 1, %lld, %lld, 'pending', 0, 0)",
             (long long)f->researcher.id, (long long)(first + 7 * DAY + 3600),
             (long long)(first + 7 * DAY + 3 * 3600), (long long)f->researcher.id,
             (long long)(first + 3 * DAY), (long long)(first + 3 * DAY + 3600));
    testdb_exec(f->t, sql);
    char text[4096];
    weekly(text, sizeof text, first, 4, "");
    struct import_source s;
    /* only the resource's owners (and staff) */
    assert_int_equal(import_upload(f->t->db, &f->other_owner, 1, "Vendor", text, strlen(text), NOW,
                                   &f->a, &s, &err),
                     LS_EFORBIDDEN);
    assert_int_equal(
        import_upload(f->t->db, &f->owner, 99, "Vendor", text, strlen(text), NOW, &f->a, &s, &err),
        LS_ENOTFOUND);
    assert_int_equal(import_upload(f->t->db, &f->owner, 1, "Vendor", "BEGIN:VCALENDAR\r\n", 17, NOW,
                                   &f->a, &s, &err),
                     LS_EVALIDATION);
    assert_int_equal(count(f, "SELECT count(*) FROM calendar_sources"), 0);
    assert_int_equal(
        import_upload(f->t->db, &f->owner, 1, "Vendor", text, strlen(text), NOW, &f->a, &s, &err),
        LS_OK);
    assert_string_equal(s.kind, "file");
    assert_int_equal(s.events, 4);
    assert_int_equal(s.conflicts.n, 1);
    assert_int_equal(s.conflicts.v[0], 10);
    assert_int_equal(count(f, "SELECT count(*) FROM blackouts WHERE uid = 'svc' AND reason ="
                              " 'Service' AND source_id IS NOT NULL"),
                     4);
    /* the booking stays as it was; the owner (pl) hears once */
    assert_int_equal(count(f, "SELECT count(*) FROM bookings WHERE id = 10 AND status ="
                              " 'approved'"),
                     1);
    assert_int_equal(count(f, "SELECT count(*) FROM outbox WHERE kind = 'conflict' AND"
                              " booking_id = 10 AND email = 'owner@t.pl'"),
                     1);
    assert_int_equal(count(f, "SELECT count(*) FROM outbox WHERE email <> 'owner@t.pl'"), 0);
    struct import_source g;
    assert_int_equal(import_source_get(f->t->db, &f->researcher, s.id, NOW, &f->a, &g, &err),
                     LS_EFORBIDDEN);
    assert_int_equal(import_source_refresh(f->t->db, &f->owner, s.id, NOW, &f->a, &g, &err),
                     LS_EVALIDATION);
    /* deleting the source removes its blackouts */
    assert_int_equal(import_source_delete(f->t->db, &f->owner, s.id, &err), LS_OK);
    assert_int_equal(count(f, "SELECT count(*) FROM blackouts"), 0);
    assert_int_equal(import_source_delete(f->t->db, &f->owner, s.id, &err), LS_ENOTFOUND);
}

int main(void)
{
    testutil_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(import__recurrence_zones_and_exceptions),
        cmocka_unit_test(import__malformed_files_name_the_line),
        cmocka_unit_test(import__clock_changes_read_as_rfc_5545_says),
        cmocka_unit_test(import__text_is_cleaned_and_floods_refused),
        cmocka_unit_test(import__addresses_refused),
        cmocka_unit_test(import__redirect_to_a_refused_address_never_connects),
        cmocka_unit_test_setup_teardown(
            import__upload_makes_blackouts_reports_conflicts_and_tells_owners_once, setup,
            teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
