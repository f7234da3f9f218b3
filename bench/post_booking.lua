-- post_booking.lua — wrk script: POST /api/v1/bookings, each request a
-- distinct free 30-minute slot on resources 2–17 (open 24/7, no approval),
-- at night UTC where the generated data has no bookings.
local counter = 0
local threads = {}
local next_tid = 0

-- setup() runs in the main state; each thread reads its number as the
-- global `tid` (a local of that name would shadow it in the thread's state).
function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
  table.insert(threads, thread)
end

function init(args)
  counter = 0
  cookie = os.getenv("BENCH_COOKIE")
  csrf = os.getenv("BENCH_CSRF")
  base_day = tonumber(os.getenv("BENCH_BASE_DAY"))
  -- wrk's -t (2 in bench/run and bench/run-pg): the slots stay dense, 256
  -- a night, so a 10 s run reaches no more than a few months ahead.
  threads_n = tonumber(os.getenv("BENCH_THREADS") or "2")
end

function request()
  local n = counter * threads_n + tid  -- distinct across the threads
  counter = counter + 1
  local resource = 2 + (n % 16)
  local k = math.floor(n / 16)
  local day = base_day + 1 + math.floor(k / 16)
  local start = day * 86400 + (k % 16) * 1800
  local body = string.format('{"resource_id":%d,"start":"%s","end":"%s","purpose":"bench"}',
    resource, os.date("!%Y-%m-%dT%H:%M:%SZ", start), os.date("!%Y-%m-%dT%H:%M:%SZ", start + 1800))
  return wrk.format("POST", "/api/v1/bookings",
    { ["Content-Type"] = "application/json", ["Cookie"] = cookie, ["X-CSRF-Token"] = csrf }, body)
end

created = 0
refused = 0
codes = ""  -- the refusals' statuses, "409 503 …" (one word each, summed in done())
function response(status, headers, body)
  if status == 201 then
    created = created + 1
  else
    refused = refused + 1
    if refused <= 200 then codes = codes .. status .. " " end
  end
end

function done(summary, latency, requests)
  local c, r, by = 0, 0, {}
  for _, t in ipairs(threads) do
    c = c + (t:get("created") or 0)
    r = r + (t:get("refused") or 0)
    for code in string.gmatch(t:get("codes") or "", "%d+") do by[code] = (by[code] or 0) + 1 end
  end
  local seen = ""
  for code, k in pairs(by) do seen = seen .. string.format(" %s×%d", code, k) end
  io.stdout:write(string.format("created=%d refused=%d\n", c, r))
  if r > 0 then io.stdout:write("statuses of the first refusals:" .. seen .. "\n") end
end
