-- 0024_booking_list_covering.sql — a list of bookings by time read from
-- its index alone.
--
-- bookings_list (0021) held the columns a list's filters read; the page's
-- rows then visited the table, one seek each from its root. With a million
-- bookings those seeks and their columns were most of a week's list (400
-- bookings) and kept it under 2,500 req/s (bench/RESULTS.md). The index now
-- holds every column a list prints (booking.c's BOOKING_OWN_COLS), so a
-- list and its total are one range of it. A booking's entry is about half
-- as large again as before (a million bookings: 264 MB to 341 MB) and an
-- edit of any listed column rewrites it; bookings are read far more often
-- than they are edited. tests/test_booking_list.c fails if a list through
-- this index stops being covered by it.
--
-- SQLite only: PostgreSQL refuses a B-tree entry over about 2.7 kB and a
-- purpose may hold 2,000 characters; there a list reads the heap, whose
-- pages its own cache keeps.

-- engine: sqlite
DROP INDEX bookings_list;
CREATE INDEX bookings_list ON bookings(
    start, id, end, status, resource_id, user_id, organisation_id,
    purpose, created, updated, decided_by, reason, series_id, sequence, no_show, cancelled_at,
    project, cost_centre, economic, price_currency, price_class, price_rate, price_seconds,
    price_net, cancelled_by);
