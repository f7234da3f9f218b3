-- A guess (sign-in, current password) claims its place among a key's failures
-- before its password is checked, so parallel guesses never check more than
-- the limit; the claim is unsettled until the check ends. Unsettled claims
-- hold their place but are not failures: an attempt that meets only
-- unsettled claims over the limit waits for them instead of being refused,
-- so parallel correct sign-ins never lock each other out (see throttle.h).
ALTER TABLE login_failures ADD COLUMN settled INTEGER NOT NULL DEFAULT 1;
