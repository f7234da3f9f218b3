-- 0016_booking_lists.sql — booking lists read [from, to) as an index range.
-- A booking overlapping [from, to) starts before `to` and at most the
-- longest booking's length before `from`; bookings_length (0011) gives that
-- length for approved bookings, this index for the others (pending,
-- declined, cancelled), each in O(log n). Every booking is in exactly one of
-- the two, so a new booking still updates one length index, not two.
CREATE INDEX bookings_length_other ON bookings(end - start) WHERE status != 'approved';
