-- wrk script for part (f): one fixed request, sent until N answers have come back, each answer checked.
--
--   wrk -t1 -c C -d 60s --latency -s bench/reads.lua URL -- METHOD N KIND BODY [HEADER: VALUE ...]
--
-- KIND is "json" (the answer must be 200 and {"code":0,...}) or "html" (200). BODY may be "". The thread stops
-- after N answers and prints STOPPED, on which the runner sends wrk SIGINT (the duration is only a bound), so a
-- figure is always N requests. done() prints one line of JSON.

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   local method, body = args[1], args[4]
   limit = tonumber(args[2])
   json = args[3] == "json"
   local headers = {}
   for i = 5, #args do
      local k, v = args[i]:match("^([^:]+):%s*(.*)$")
      headers[k] = v
   end
   if body == "" then body = nil end
   req = wrk.format(method, nil, headers, body)
   answered, bad, first_bad = 0, 0, ""
end

function request()
   return req
end

function response(status, headers, body)
   answered = answered + 1
   if status ~= 200 or (json and body:sub(1, 10) ~= '{"code":0,') then
      bad = bad + 1
      if bad == 1 then first_bad = status .. " " .. body:sub(1, 200) end
   end
   if answered == limit then
      -- wrk's main thread sleeps out the duration whatever the threads do: the runner, told here, interrupts it
      wrk.thread:stop()
      io.write("STOPPED\n")
      io.flush()
   end
end

function done(summary, latency, requests)
   local errors, sample = 0, ""
   for _, t in ipairs(threads) do
      errors = errors + t:get("bad")
      local s = t:get("first_bad")
      if s and sample == "" then sample = s end
   end
   local e = summary.errors
   io.write(string.format(
      'BENCHJSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,"bad_answers":%d,' ..
      '"socket_errors":%d,"timeouts":%d,"first_bad":"%s"}\n',
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max, errors,
      e.connect + e.read + e.write, e.timeout, sample:gsub('[\\"%c]', "?")))
end
