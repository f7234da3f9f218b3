-- 0017_several_nodes.sql — rules the database itself enforces, so that they
-- hold when several labshare processes share one PostgreSQL database.

-- One reminder per booking: two nodes queueing the day's reminders at once
-- cannot both add one (the loser's insert fails, runs again and sees it).
CREATE UNIQUE INDEX outbox_one_reminder ON outbox(booking_id) WHERE kind = 'reminder';

-- engine: postgresql
-- No two approved bookings of a resource overlap ([start, end) half-open):
-- a booking approved by one node while another approves an overlapping one
-- fails here; labshare runs it again and answers 409 with the clashing ids.
-- (On SQLite one process writes at a time and checks before it writes.)
ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap
    EXCLUDE USING gist (resource_id WITH =, int8range(start, end) WITH &&)
    WHERE (status = 'approved');
-- engine: all
