-- wrk script for bench/load.py: counts non-2xx responses and, when the run is over, prints one
-- machine-readable line:
--   BENCH_RESULT {"requests": …, "duration_s": …, "rps": …, "p50_ms": …, …}
-- Latencies come from wrk's histogram in microseconds and are printed in milliseconds.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local non2xx_total = 0
  for _, thread in ipairs(threads) do
    non2xx_total = non2xx_total + (thread:get("non2xx") or 0)
  end
  local errors = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_s": %.3f, "rps": %.2f, "bytes": %d, '
      .. '"p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, "mean_ms": %.3f, "max_ms": %.3f, '
      .. '"non2xx": %d, "errors": {"connect": %d, "read": %d, "write": %d, "status": %d, '
      .. '"timeout": %d}}\n',
    summary.requests, seconds, summary.requests / seconds, summary.bytes,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.mean / 1000, latency.max / 1000,
    non2xx_total, errors.connect, errors.read, errors.write, errors.status, errors.timeout
  ))
end
