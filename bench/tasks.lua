-- wrk script: one task per request, from a file of "task_id instance_code" lines.
--
--   wrk -t T -c 64 -d 10s --latency -s bench/tasks.lua URL -- FILE PATH TOKEN T
--
-- Each of the T threads takes every T-th line, so no task is sent twice. A thread that runs out of tasks
-- starts again from its first one (those requests then fail, and the run reports them as errors and wraps:
-- the runner makes the file long enough that this does not happen). Every answer is checked: a non-200 status
-- or a body that is not {"code":0,...} counts as an error. done() prints one line of JSON for the runner.

local threads = {}

function setup(thread)
   thread:set("tid", #threads)
   table.insert(threads, thread)
end

function init(args)
   local file, path, token, nthreads = args[1], args[2], args[3], tonumber(args[4])
   local me = tonumber(tid)
   tasks = {}
   local i = 0
   for line in io.lines(file) do
      if i % nthreads == me then
         local task, code = line:match("^(%S+) (%S+)$")
         table.insert(tasks, {task, code})
      end
      i = i + 1
   end
   headers = {["Content-Type"] = "application/json; charset=utf-8"}
   if token ~= "" then headers["Authorization"] = "Bearer " .. token end
   req_path = path
   next_task = 1
   bad = 0
   wraps = 0
end

function request()
   if next_task > #tasks then
      next_task = 1
      wraps = wraps + 1
   end
   local t = tasks[next_task]
   next_task = next_task + 1
   local body = '{"approval_code":"BENCH","instance_code":"' .. t[2] .. '","user_id":"bob","task_id":"' .. t[1] ..
      '","comment":"bench"}'
   return wrk.format("POST", req_path, headers, body)
end

function response(status, headers, body)
   if status ~= 200 or body:sub(1, 10) ~= '{"code":0,' then
      bad = bad + 1
      if bad == 1 then first_bad = status .. " " .. body:sub(1, 200) end
   end
end

function done(summary, latency, requests)
   local errors, wrapped, sample = 0, 0, ""
   for _, t in ipairs(threads) do
      errors = errors + t:get("bad")
      wrapped = wrapped + t:get("wraps")
      local s = t:get("first_bad")
      if s and sample == "" then sample = s end
   end
   local e = summary.errors
   io.write(string.format(
      'BENCHJSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,' ..
      '"mean_us":%.1f,"bad_answers":%d,"wraps":%d,"socket_errors":%d,"timeouts":%d,"first_bad":"%s"}\n',
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
      latency:percentile(99), latency.max, latency.mean, errors, wrapped,
      e.connect + e.read + e.write, e.timeout, sample:gsub('[\\"%c]', "?")))
end
