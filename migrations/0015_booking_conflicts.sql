-- 0015_booking_conflicts.sql — the conflict check reads only what can clash.
-- Approved bookings of a resource by end: "end > new start" is one range on
-- the index (future bookings, not the resource's whole history), and start
-- and status are in the index too, so the check never visits the table.
CREATE INDEX bookings_approved_res_end ON bookings(resource_id, end, start, status)
    WHERE status = 'approved';
