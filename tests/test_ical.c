/* test_ical.c — the rendered calendar, parsed back with libical's parser. */
#include "testutil.h"

#include <libical/ical.h>

#include "ical.h"

static const char HOST[] = "labshare.example.org";

static struct ical_event event(int64_t id, int64_t start, int64_t end)
{
    struct ical_event e = {0};
    e.id = id;
    e.start = start;
    e.end = end;
    e.created = 1770000000;
    e.updated = 1770003600;
    e.sequence = 0;
    e.status = ICAL_CONFIRMED;
    e.summary = "Mikroskop konfokalny";
    e.location = "Pracownia mikroskopii, Budynek B";
    e.description = "Booked by: Anna";
    e.url = "https://labshare.example.org/#/bookings/1";
    return e;
}

static char *render(const struct ical_event *ev, size_t n, size_t *len)
{
    struct ical_calendar cal = {"labshare — Mikroskop", HOST, 0};
    char *s = ical_render(&cal, ev, n, len);
    assert_non_null(s);
    return s;
}

static icalcomponent *parse(const char *text)
{
    icalcomponent *c = icalparser_parse_string(text);
    assert_non_null(c);
    assert_int_equal(icalcomponent_isa(c), ICAL_VCALENDAR_COMPONENT);
    return c;
}

static icalcomponent *event_with_uid(icalcomponent *cal, const char *uid)
{
    for (icalcomponent *v = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); v;
         v = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT))
        if (strcmp(icalcomponent_get_uid(v), uid) == 0)
            return v;
    fail_msg("no event %s", uid);
    return NULL;
}

static int count_children(icalcomponent *c, icalcomponent_kind kind)
{
    int n = 0;
    for (icalcomponent *x = icalcomponent_get_first_component(c, kind); x;
         x = icalcomponent_get_next_component(c, kind))
        n++;
    return n;
}

static void ical__calendar_header_without_method(void **state)
{
    (void)state;
    size_t len;
    char *s = render(NULL, 0, &len);
    assert_int_equal(len, strlen(s));
    assert_true(strncmp(s, "BEGIN:VCALENDAR\r\n", 17) == 0);
    assert_non_null(strstr(s, "\r\nVERSION:2.0\r\n"));
    assert_non_null(strstr(s, "\r\nPRODID:"));
    assert_non_null(strstr(s, "\r\nCALSCALE:GREGORIAN\r\n"));
    assert_non_null(strstr(s, "\r\nX-WR-CALNAME:labshare — Mikroskop\r\n"));
    assert_non_null(strstr(s, "\r\nX-WR-TIMEZONE:Europe/Warsaw\r\n"));
    assert_non_null(strstr(s, "\r\nREFRESH-INTERVAL;VALUE=DURATION:PT15M\r\n"));
    assert_non_null(strstr(s, "\r\nX-PUBLISHED-TTL:PT15M\r\n"));
    assert_null(strstr(s, "METHOD"));
    icalcomponent *c = parse(s);
    assert_null(icalcomponent_get_first_property(c, ICAL_METHOD_PROPERTY));
    icalcomponent_free(c);
    free(s);
}

static void ical__vtimezone_is_plain_warsaw_with_current_rules(void **state)
{
    (void)state;
    char *s = render(NULL, 0, NULL);
    assert_null(strstr(s, "freeassociation"));
    icalcomponent *c = parse(s);
    assert_int_equal(count_children(c, ICAL_VTIMEZONE_COMPONENT), 1);
    icalcomponent *tz = icalcomponent_get_first_component(c, ICAL_VTIMEZONE_COMPONENT);
    assert_string_equal(
        icalproperty_get_tzid(icalcomponent_get_first_property(tz, ICAL_TZID_PROPERTY)),
        "Europe/Warsaw");
    assert_int_equal(count_children(tz, ICAL_XSTANDARD_COMPONENT), 1);
    assert_int_equal(count_children(tz, ICAL_XDAYLIGHT_COMPONENT), 1);
    icalcomponent *std = icalcomponent_get_first_component(tz, ICAL_XSTANDARD_COMPONENT);
    icalcomponent *dst = icalcomponent_get_first_component(tz, ICAL_XDAYLIGHT_COMPONENT);
    assert_int_equal(icalproperty_get_tzoffsetto(
                         icalcomponent_get_first_property(std, ICAL_TZOFFSETTO_PROPERTY)),
                     3600);
    assert_int_equal(icalproperty_get_tzoffsetto(
                         icalcomponent_get_first_property(dst, ICAL_TZOFFSETTO_PROPERTY)),
                     7200);
    assert_string_equal(
        icalproperty_get_tzname(icalcomponent_get_first_property(std, ICAL_TZNAME_PROPERTY)),
        "CET");
    assert_string_equal(
        icalproperty_get_tzname(icalcomponent_get_first_property(dst, ICAL_TZNAME_PROPERTY)),
        "CEST");
    assert_non_null(strstr(s, "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\n"));
    assert_non_null(strstr(s, "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\n"));
    assert_int_equal(
        icalproperty_get_dtstart(icalcomponent_get_first_property(std, ICAL_DTSTART_PROPERTY)).year,
        1970);
    icalcomponent_free(c);
    free(s);
}

/* 10:00 local just after each DST change of 2026 (29 March, 25 October). */
static void ical__local_wall_time_across_dst(void **state)
{
    (void)state;
    struct ical_event ev[2] = {
        event(1, 1774857600 /* 2026-03-30T08:00Z */, 1774864800),
        event(2, 1793005200 /* 2026-10-26T09:00Z */, 1793012400),
    };
    char *s = render(ev, 2, NULL);
    assert_non_null(strstr(s, "\r\nDTSTART;TZID=Europe/Warsaw:20260330T100000\r\n"));
    assert_non_null(strstr(s, "\r\nDTEND;TZID=Europe/Warsaw:20260330T120000\r\n"));
    assert_non_null(strstr(s, "\r\nDTSTART;TZID=Europe/Warsaw:20261026T100000\r\n"));
    icalcomponent *c = parse(s);
    /* Resolve the times with the VTIMEZONE we sent, as a client would. */
    icaltimezone *zone = icaltimezone_new();
    assert_true(icaltimezone_set_component(
        zone,
        icalcomponent_new_clone(icalcomponent_get_first_component(c, ICAL_VTIMEZONE_COMPONENT))));
    for (int i = 0; i < 2; i++) {
        char uid[64];
        snprintf(uid, sizeof uid, "booking-%d@%s", i + 1, HOST);
        icalcomponent *v = event_with_uid(c, uid);
        icalproperty *p = icalcomponent_get_first_property(v, ICAL_DTSTART_PROPERTY);
        icalparameter *tzid = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
        assert_non_null(tzid);
        assert_string_equal(icalparameter_get_tzid(tzid), "Europe/Warsaw");
        struct icaltimetype t = icalproperty_get_dtstart(p);
        assert_int_equal(t.hour, 10);
        assert_int_equal((int64_t)icaltime_as_timet_with_zone(t, zone), ev[i].start);
        struct icaltimetype e =
            icalproperty_get_dtend(icalcomponent_get_first_property(v, ICAL_DTEND_PROPERTY));
        assert_int_equal((int64_t)icaltime_as_timet_with_zone(e, zone), ev[i].end);
    }
    icaltimezone_free(zone, 1);
    icalcomponent_free(c);
    free(s);
}

/* 02:30 happens twice on 25 October 2026: CEST (00:30Z), then CET (01:30Z). */
static void ical__repeated_autumn_hour_is_unambiguous(void **state)
{
    (void)state;
    struct ical_event ev[2] = {event(5, 1792888200 /* 00:30Z */, 1792891800),
                               event(6, 1792891800 /* 01:30Z */, 1792895400)};
    char *s = render(ev, 2, NULL);
    /* Both passes of 02:00–03:00 are written in UTC (API.md § Calendar
     * details): most parsers read a repeated wall time an hour off. */
    assert_null(strstr(s, "TZID=Europe/Warsaw:20261025T02"));
    assert_non_null(strstr(s, "\r\nDTSTART:20261025T003000Z\r\n"));
    assert_non_null(strstr(s, "\r\nDTEND:20261025T013000Z\r\n"));
    assert_non_null(strstr(s, "\r\nDTSTART:20261025T013000Z\r\n"));
    assert_non_null(strstr(s, "\r\nDTEND;TZID=Europe/Warsaw:20261025T033000\r\n"));
    /* The instants just outside it stay local. */
    struct ical_event edge[2] = {event(7, 1792886399 /* 01:59:59 CEST */, 1792888200),
                                 event(8, 1792893600 /* 03:00 CET */, 1792899000)};
    char *e = render(edge, 2, NULL);
    assert_non_null(strstr(e, "\r\nDTSTART;TZID=Europe/Warsaw:20261025T015959\r\n"));
    assert_non_null(strstr(e, "\r\nDTSTART;TZID=Europe/Warsaw:20261025T030000\r\n"));
    free(e);
    free(s);
}

static void ical__status_sequence_and_stamps(void **state)
{
    (void)state;
    struct ical_event ev[3] = {event(7, 1774857600, 1774864800), event(8, 1774857600, 1774864800),
                               event(9, 1774857600, 1774864800)};
    ev[0].status = ICAL_TENTATIVE;
    ev[1].status = ICAL_CONFIRMED;
    ev[1].sequence = 3;
    ev[2].status = ICAL_CANCELLED;
    ev[2].sequence = 5;
    char *s = render(ev, 3, NULL);
    icalcomponent *c = parse(s);
    const char *uids[] = {"booking-7@labshare.example.org", "booking-8@labshare.example.org",
                          "booking-9@labshare.example.org"};
    const enum icalproperty_status want[] = {ICAL_STATUS_TENTATIVE, ICAL_STATUS_CONFIRMED,
                                             ICAL_STATUS_CANCELLED};
    const int seq[] = {0, 3, 5};
    for (int i = 0; i < 3; i++) {
        icalcomponent *v = event_with_uid(c, uids[i]);
        assert_int_equal(icalcomponent_get_status(v), want[i]);
        assert_int_equal(icalcomponent_get_sequence(v), seq[i]);
        struct icaltimetype stamp = icalcomponent_get_dtstamp(v);
        assert_true(icaltime_is_utc(stamp));
        assert_int_equal((int64_t)icaltime_as_timet(stamp), ev[i].updated);
        icalproperty *lm = icalcomponent_get_first_property(v, ICAL_LASTMODIFIED_PROPERTY);
        assert_int_equal((int64_t)icaltime_as_timet(icalproperty_get_lastmodified(lm)),
                         ev[i].updated);
        icalproperty *cr = icalcomponent_get_first_property(v, ICAL_CREATED_PROPERTY);
        assert_int_equal((int64_t)icaltime_as_timet(icalproperty_get_created(cr)), ev[i].created);
        icalproperty *url = icalcomponent_get_first_property(v, ICAL_URL_PROPERTY);
        assert_string_equal(icalproperty_get_url(url), "https://labshare.example.org/#/bookings/1");
    }
    assert_int_equal(ical_status_of("pending"), ICAL_TENTATIVE);
    assert_int_equal(ical_status_of("approved"), ICAL_CONFIRMED);
    assert_int_equal(ical_status_of("cancelled"), ICAL_CANCELLED);
    assert_int_equal(ical_status_of("declined"), ICAL_CANCELLED);
    assert_int_equal(ical_status_of("lost"), -1);
    icalcomponent_free(c);
    free(s);
}

static void ical__escapes_text(void **state)
{
    (void)state;
    struct ical_event ev = event(3, 1774857600, 1774864800);
    ev.summary = "Cells, day 1; dish \\ 2";
    ev.description = "line one\nline two, with; all";
    char *s = render(&ev, 1, NULL);
    assert_non_null(strstr(s, "SUMMARY:Cells\\, day 1\\; dish \\\\ 2\r\n"));
    assert_non_null(strstr(s, "DESCRIPTION:line one\\nline two\\, with\\; all\r\n"));
    icalcomponent *c = parse(s);
    icalcomponent *v = event_with_uid(c, "booking-3@labshare.example.org");
    assert_string_equal(icalcomponent_get_summary(v), ev.summary);
    assert_string_equal(icalcomponent_get_description(v), ev.description);
    icalcomponent_free(c);
    free(s);
}

/* 1 if s[0..n) is complete, valid UTF-8. */
static int utf8_ok(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        int k = s[i] < 0x80             ? 1
                : (s[i] & 0xE0) == 0xC0 ? 2
                : (s[i] & 0xF0) == 0xE0 ? 3
                : (s[i] & 0xF8) == 0xF0 ? 4
                                        : 0;
        if (!k || i + (size_t)k > n)
            return 0;
        for (int j = 1; j < k; j++)
            if ((s[i + (size_t)j] & 0xC0) != 0x80)
                return 0;
        i += (size_t)k;
    }
    return 1;
}

static void ical__folds_at_75_octets_on_utf8_boundaries_with_crlf(void **state)
{
    (void)state;
    struct ical_event ev = event(4, 1774857600, 1774864800);
    char longtext[2048] = "";
    for (int i = 0; i < 20; i++)
        strcat(longtext, "Zażółć gęślą jaźń — ");
    strcat(longtext, "koniec");
    ev.summary = longtext;
    ev.description =
        "ąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąąą";
    ev.location =
        "Łódź, ul. Piotrkowska 1; Śródmieście, budynek ŻÓŁTY, piętro trzecie, pokój 301A-ĘĄ";
    size_t len;
    char *s = render(&ev, 1, &len);
    int folded = 0;
    const char *line = s;
    while (*line) {
        const char *nl = strchr(line, '\n');
        assert_non_null(nl);                      /* the text ends with a line end */
        assert_true(nl > line && nl[-1] == '\r'); /* every line end is CRLF */
        size_t n = (size_t)(nl - 1 - line);
        assert_true(n <= 75);
        assert_null(memchr(line, '\r', n)); /* no bare CR inside a line */
        const unsigned char *u = (const unsigned char *)line;
        if (*line == ' ') {
            folded++;
            u++;
            n--;
        }
        assert_true(utf8_ok(u, n)); /* no fold splits a character */
        line = nl + 1;
    }
    assert_true(folded > 10);
    icalcomponent *c = parse(s);
    icalcomponent *v = event_with_uid(c, "booking-4@labshare.example.org");
    assert_string_equal(icalcomponent_get_summary(v), ev.summary);
    assert_string_equal(icalcomponent_get_description(v), ev.description);
    assert_string_equal(icalcomponent_get_location(v), ev.location);
    icalcomponent_free(c);
    free(s);
}

static void ical__same_input_same_bytes(void **state)
{
    (void)state;
    struct ical_event ev[2] = {event(1, 1774857600, 1774864800), event(2, 1793005200, 1793012400)};
    size_t l1, l2;
    char *a = render(ev, 2, &l1);
    char *b = render(ev, 2, &l2);
    assert_int_equal(l1, l2);
    assert_memory_equal(a, b, l1);
    free(a);
    free(b);
}

static void ical__calendar_name_is_sanitised(void **state)
{
    (void)state;
    struct ical_calendar cal = {"Lab \\ A,\nB", HOST, 0};
    char *s = ical_render(&cal, NULL, 0, NULL);
    assert_non_null(strstr(s, "\r\nX-WR-CALNAME:Lab  A, B\r\n"));
    free(s);
}

/* A small deterministic generator for the differential test. */
static uint64_t rng = 0x2545F4914F6CDD1Dull;
static unsigned rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng >> 20) % n;
}

/* Random text: ASCII words, the characters iCalendar escapes, control
 * characters, Polish letters and 3- and 4-byte sequences, any length. */
static char *random_text(char *buf, size_t cap)
{
    static const char *const pieces[] = {
        "a",
        "Mikroskop",
        " ",
        ";",
        ",",
        "\\",
        "\n",
        ":",
        "\"",
        "\t",
        "\r",
        "\b",
        "\f",
        "ą",
        "Żółć",
        "—",
        "€",
        "😀",
        "x",
        "  ",
        ";;",
        "ab:cd",
        "http://x/y?a=1;b",
        "\x01",
        "Pracownia mikroskopii konfokalnej i wielofotonowej",
        "ęęęęęęęęęęęęęęę",
    };
    size_t len = 0, want = rnd(4) == 0 ? rnd(400) : rnd(90);
    buf[0] = '\0';
    while (len < want) {
        const char *p = pieces[rnd(sizeof pieces / sizeof *pieces)];
        size_t n = strlen(p);
        if (len + n + 1 >= cap)
            break;
        memcpy(buf + len, p, n + 1);
        len += n;
    }
    return buf;
}

/* The writer reproduces libical's serialisation byte for byte: thousands
 * of random events (times around every DST change from 2024 to 2031,
 * hostile text) rendered both ways must be equal, as feeds and as one
 * booking's file. */
static void ical__writer_matches_libical_tree(void **state)
{
    (void)state;
    enum { N = 3000 };
    struct ical_event *ev = calloc(N, sizeof *ev);
    char(*text)[4][512] = calloc(N, sizeof *text);
    static const int64_t changes[] = {1711846800, 1729990800, 1743296400, 1761440400,
                                      1774746000, 1792890000, 1806195600, 1824944400,
                                      1837645200, 1856394000, 1869094800, 1887843600,
                                      1901149200, 1919293200, 1932598800, 1950742800};
    for (int i = 0; i < N; i++) {
        struct ical_event *e = &ev[i];
        int64_t base = changes[rnd(16)];
        e->id = 1 + rnd(1000000);
        e->uid_kind = rnd(5) == 0 ? "blackout" : NULL;
        e->start = base - 3 * 3600 + (int64_t)rnd(6 * 4) * 900 + (rnd(3) == 0 ? rnd(60) : 0);
        e->end = e->start + 1 + (int64_t)rnd(3) * 3600 + rnd(7200);
        e->created = 1700000000 + rnd(100000000);
        e->updated = e->created + rnd(1000000);
        e->sequence = (int)rnd(3) == 0 ? (int)rnd(100000) : (int)rnd(4);
        e->status = (enum ical_status)rnd(3);
        e->summary = rnd(10) ? random_text(text[i][0], sizeof text[i][0]) : NULL;
        e->location = random_text(text[i][1], sizeof text[i][1]);
        e->description = random_text(text[i][2], sizeof text[i][2]);
        e->url = rnd(4) ? random_text(text[i][3], sizeof text[i][3]) : NULL;
        e->opaque = (int)rnd(2);
    }
    for (int publish = 0; publish < 2; publish++) {
        struct ical_calendar cal = {"labshare — Żółta, sala \\ 1", HOST, publish};
        for (int from = 0; from < N; from += 50) {
            size_t la = 0, lb = 0;
            char *a = ical_render(&cal, ev + from, 50, &la);
            char *b = ical_render_tree(&cal, ev + from, 50, &lb);
            assert_non_null(a);
            assert_non_null(b);
            if (la != lb || memcmp(a, b, la) != 0) {
                size_t k = 0;
                while (k < la && k < lb && a[k] == b[k])
                    k++;
                fail_msg("events %d..%d differ at byte %zu:\nwriter: %.200s\nlibical: %.200s", from,
                         from + 49, k, a + (k > 80 ? k - 80 : 0), b + (k > 80 ? k - 80 : 0));
            }
            free(a);
            free(b);
        }
    }
    free(text);
    free(ev);
}

static void ical__single_file_is_published_without_feed_properties(void **state)
{
    (void)state;
    struct ical_event ev = event(11, 1774857600, 1774864800);
    struct ical_calendar cal = {"labshare — Mikroskop", HOST, 1};
    char *s = ical_render(&cal, &ev, 1, NULL);
    assert_non_null(strstr(s, "\r\nMETHOD:PUBLISH\r\n"));
    assert_null(strstr(s, "X-WR-"));
    assert_null(strstr(s, "REFRESH-INTERVAL"));
    assert_null(strstr(s, "X-PUBLISHED-TTL"));
    icalcomponent *c = parse(s);
    assert_int_equal(icalcomponent_get_method(c), ICAL_METHOD_PUBLISH);
    assert_int_equal(count_children(c, ICAL_VEVENT_COMPONENT), 1);
    icalcomponent_free(c);
    free(s);
}

static void ical__blackouts_and_opaque_events(void **state)
{
    (void)state;
    struct ical_event ev[2] = {event(12, 1774857600, 1774864800),
                               event(12, 1774857600, 1774864800)};
    ev[1].uid_kind = "blackout";
    ev[0].opaque = 1;
    char *s = render(ev, 2, NULL);
    assert_non_null(strstr(s, "\r\nUID:booking-12@labshare.example.org\r\n"));
    assert_non_null(strstr(s, "\r\nUID:blackout-12@labshare.example.org\r\n"));
    assert_non_null(strstr(s, "\r\nTRANSP:OPAQUE\r\n"));
    assert_non_null(strstr(s, "\r\nTRANSP:TRANSPARENT\r\n"));
    free(s);
}

int main(void)
{
    testutil_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ical__calendar_header_without_method),
        cmocka_unit_test(ical__vtimezone_is_plain_warsaw_with_current_rules),
        cmocka_unit_test(ical__local_wall_time_across_dst),
        cmocka_unit_test(ical__repeated_autumn_hour_is_unambiguous),
        cmocka_unit_test(ical__status_sequence_and_stamps),
        cmocka_unit_test(ical__escapes_text),
        cmocka_unit_test(ical__folds_at_75_octets_on_utf8_boundaries_with_crlf),
        cmocka_unit_test(ical__same_input_same_bytes),
        cmocka_unit_test(ical__calendar_name_is_sanitised),
        cmocka_unit_test(ical__writer_matches_libical_tree),
        cmocka_unit_test(ical__single_file_is_published_without_feed_properties),
        cmocka_unit_test(ical__blackouts_and_opaque_events),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
