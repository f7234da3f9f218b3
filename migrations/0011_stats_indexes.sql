-- 0011_stats_indexes.sql — indexes for the utilisation and indicator reports.

-- Approved bookings by start, carrying every column the reports read, so a
-- year's figures are one index range scan that never touches the table
-- (issue 8: a year over 1,000,000 bookings within a few hundred ms).
CREATE INDEX bookings_stats ON bookings(start, end, resource_id, organisation_id, no_show, user_id)
    WHERE status = 'approved';

-- The longest approved booking, read as MAX(end - start) in O(log n): it
-- bounds how long before a report's start an overlapping booking can begin,
-- which turns "overlaps [from, to)" into a range on start.
CREATE INDEX bookings_length ON bookings(end - start) WHERE status = 'approved';
