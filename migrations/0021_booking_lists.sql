-- 0021_booking_lists.sql — booking lists read [from, to) as an index range.

-- A booking overlapping [from, to) starts before `to` and at most the
-- longest booking's length before `from`; bookings_length (0011) gives that
-- length for approved bookings, this index for the others (pending,
-- declined, cancelled), each in O(log n). Every booking is in exactly one of
-- the two, so a new booking still updates one length index, not two.
CREATE INDEX bookings_length_other ON bookings(end - start) WHERE status != 'approved';

-- Lists by time, in their order (start, then id), with every column their
-- filters and the total read: a list is one range of this index and visits
-- the table only for the rows of its page, and a total is counted from the
-- index alone. It replaces bookings_start (0004), its first column.
DROP INDEX bookings_start;
CREATE INDEX bookings_list ON bookings(start, id, end, status, resource_id, user_id, organisation_id);
