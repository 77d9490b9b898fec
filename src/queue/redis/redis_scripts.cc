#include "queue/redis/redis_scripts.h"

namespace ct::redis_scripts {

// Numbers passed to redis.call are converted exactly by Redis; string concatenation of numbers
// uses Lua's %.14g, so timestamps are concatenated from their ARGV strings or via %d.
const std::string_view kPrelude = R"lua(
local P = ARGV[1]
local NOW = ARGV[2]
local now = tonumber(NOW)
local FEED_MAX = ARGV[3]
local RESULT_TTL = tonumber(ARGV[4])
local function jk(id) return P .. 'j:' .. id end
local function int(x) return string.format('%d', x) end
local function emit(id, kind, detail)
  local sid = redis.call('XADD', P .. 'feed', 'MAXLEN', '~', FEED_MAX, '*',
                         'j', id, 'a', NOW, 'k', kind, 'd', detail)
  redis.call('RPUSH', P .. 'ev:' .. id, NOW .. '|' .. kind .. '|' .. sid .. '|' .. detail)
end
local function set_state(id, old, new)
  if old ~= new then
    redis.call('ZREM', P .. 'st:' .. old, id)
    redis.call('ZADD', P .. 'st:' .. new, 0, id)
  end
  redis.call('HSET', jk(id), 'state', new)
end
local function make_ready(id, typ, priority, run_at)
  redis.call('ZADD', P .. 'rdy:' .. typ, (10 - tonumber(priority)) * 1e13 + tonumber(run_at), id)
end
local function wake()
  redis.call('LPUSH', P .. 'wake', '1')
  redis.call('LTRIM', P .. 'wake', 0, 63)
end
local function is_active(state)
  return state and state ~= 'succeeded' and state ~= 'dead' and state ~= 'cancelled'
end
-- Moves a job to a final state: indexes, result expiry, unique key, per-queue count.
local function finish(id, old, new)
  local k = jk(id)
  set_state(id, old, new)
  redis.call('HSET', k, 'finished_at', NOW)
  redis.call('HDEL', k, 'lease_expires_at')
  redis.call('ZADD', P .. 'fin', now + RESULT_TTL, id)
  redis.call('ZREM', P .. 'lease', id)
  local f = redis.call('HMGET', k, 'unique_key', 'queue')
  if f[1] and f[1] ~= '' and redis.call('GET', P .. 'u:' .. f[1]) == id then
    redis.call('DEL', P .. 'u:' .. f[1])
  end
  redis.call('HINCRBY', P .. 'qc', f[2], -1)
end
-- The current attempt's lease, or an error reply when the caller's token is stale.
local function check_lease(id, token)
  local f = redis.call('HMGET', jk(id), 'state', 'lease_token', 'cancel_requested')
  if not f[1] then return nil, redis.error_reply('NOT_FOUND job ' .. id .. ' not found') end
  if (f[1] ~= 'running' and f[1] ~= 'cancelling') or f[2] ~= token then
    return nil, redis.error_reply('ABORTED stale lease: job ' .. id .. ' is ' .. f[1] ..
                                  ' with lease token ' .. f[2] .. ', not ' .. token)
  end
  return f
end
-- Ends the running attempt of `id` (state running|cancelling) as JobQueue::Fail describes.
-- `delays` holds the backoff for errors = 1..#delays (the last one repeats).
local function end_attempt(id, state, kind, message, signal, delays)
  local k = jk(id)
  redis.call('HSET', k, 'last_error', message, 'last_failure', kind)
  if signal and signal ~= '' then redis.call('HSET', k, 'exit_signal', signal)
  else redis.call('HDEL', k, 'exit_signal') end
  redis.call('ZREM', P .. 'lease', id)
  if state == 'cancelling' or kind == 'cancelled' then
    finish(id, state, 'cancelled')
    emit(id, 'cancelled', cjson.encode({reason = message}))
    return
  end
  local f = redis.call('HMGET', k, 'errors', 'max_attempts', 'crashes', 'max_crashes',
                       'type', 'priority')
  if kind == 'crash' then
    local crashes = tonumber(f[3]) + 1
    redis.call('HSET', k, 'crashes', crashes)
    if crashes < tonumber(f[4]) then
      redis.call('HSET', k, 'run_at', NOW)
      redis.call('HDEL', k, 'lease_expires_at')
      set_state(id, state, 'queued')
      make_ready(id, f[5], f[6], NOW)
      wake()
      emit(id, 'rescued', cjson.encode({reason = message, crashes = crashes}))
      return
    end
    finish(id, state, 'dead')
    emit(id, 'dead', cjson.encode({reason = message, kind = kind, crashes = crashes}))
    return
  end
  local errors = tonumber(f[1]) + 1
  redis.call('HSET', k, 'errors', errors)
  if kind == 'transient' and errors < tonumber(f[2]) then
    local delay = tonumber(delays[math.min(errors, #delays)])
    local run_at = now + delay
    redis.call('HSET', k, 'run_at', int(run_at))
    redis.call('HDEL', k, 'lease_expires_at')
    set_state(id, state, 'retrying')
    redis.call('ZADD', P .. 'dly', run_at, id)
    emit(id, 'retried', cjson.encode({error = message, errors = errors, delay_ms = delay}))
    return
  end
  finish(id, state, 'dead')
  emit(id, 'dead', cjson.encode({error = message, kind = kind, errors = errors}))
end
)lua";

// ARGV[5..]: id type queue payload priority run_at max_attempts max_crashes timeout_s unique_key
// scheduled(0|1). Returns {0} when created, {1, existing-job-hash} for a duplicate unique key.
const std::string_view kEnqueue = R"lua(
local id, typ, queue, payload = ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local priority, run_at, uk, scheduled = ARGV[9], ARGV[10], ARGV[14], ARGV[15] == '1'
if uk ~= '' then
  local existing = redis.call('GET', P .. 'u:' .. uk)
  if existing then
    local h = redis.call('HGETALL', jk(existing))
    if is_active(redis.call('HGET', jk(existing), 'state')) then return {1, h} end
  end
  redis.call('SET', P .. 'u:' .. uk, id)
end
local state = scheduled and 'scheduled' or 'queued'
redis.call('HSET', jk(id), 'id', id, 'type', typ, 'queue', queue, 'payload', payload,
           'priority', priority, 'state', state, 'unique_key', uk, 'attempts', 0, 'errors', 0,
           'max_attempts', ARGV[11], 'crashes', 0, 'max_crashes', ARGV[12],
           'timeout_s', ARGV[13], 'created_at', NOW, 'run_at', run_at, 'lease_token', 0,
           'cancel_requested', 0)
redis.call('ZADD', P .. 'all', 0, id)
redis.call('ZADD', P .. 'st:' .. state, 0, id)
redis.call('SADD', P .. 'types', typ)
redis.call('HINCRBY', P .. 'qc', queue, 1)
if scheduled then
  redis.call('ZADD', P .. 'dly', run_at, id)
else
  make_ready(id, typ, priority, run_at)
  wake()
end
emit(id, 'enqueued', cjson.encode({type = typ, queue = queue}))
return {0}
)lua";

// ARGV[5..]: lease_ms max worker_id ntypes types... Returns the claimed jobs' hashes.
const std::string_view kClaim = R"lua(
local lease_ms, max, worker, ntypes = tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7], tonumber(ARGV[8])
local due = redis.call('ZRANGEBYSCORE', P .. 'dly', '-inf', NOW, 'LIMIT', 0, 1000)
for _, id in ipairs(due) do
  redis.call('ZREM', P .. 'dly', id)
  local f = redis.call('HMGET', jk(id), 'type', 'priority', 'run_at', 'state')
  if f[1] and (f[4] == 'scheduled' or f[4] == 'retrying') then make_ready(id, f[1], f[2], f[3]) end
end
local types = {}
if ntypes == 1 then
  types[1] = ARGV[9]
elseif ntypes > 1 then
  -- Only the asked types that were ever enqueued can have ready jobs: a worker asks for every
  -- type it can run, most of which may never be used (one SMEMBERS instead of a ZRANGE each).
  local seen = {}
  for _, t in ipairs(redis.call('SMEMBERS', P .. 'types')) do seen[t] = true end
  for i = 1, ntypes do
    if seen[ARGV[8 + i]] then types[#types + 1] = ARGV[8 + i] end
  end
else
  types = redis.call('SMEMBERS', P .. 'types')
end
local picked = {}
if #types == 1 then
  local r = redis.call('ZPOPMIN', P .. 'rdy:' .. types[1], max)
  for i = 1, #r, 2 do picked[#picked + 1] = r[i] end
elseif #types > 1 then
  local cands = {}
  for _, t in ipairs(types) do
    local r = redis.call('ZRANGE', P .. 'rdy:' .. t, 0, max - 1, 'WITHSCORES')
    for i = 1, #r, 2 do cands[#cands + 1] = {r[i], tonumber(r[i + 1]), t} end
  end
  table.sort(cands, function(a, b)
    if a[2] ~= b[2] then return a[2] < b[2] end
    return a[1] < b[1]
  end)
  for i = 1, math.min(max, #cands) do
    redis.call('ZREM', P .. 'rdy:' .. cands[i][3], cands[i][1])
    picked[#picked + 1] = cands[i][1]
  end
end
local expires = int(now + lease_ms)
local out = {}
for _, id in ipairs(picked) do
  local k = jk(id)
  local old = redis.call('HGET', k, 'state')
  if old then
    redis.call('HINCRBY', k, 'lease_token', 1)
    local attempt = redis.call('HINCRBY', k, 'attempts', 1)
    redis.call('HSET', k, 'worker_id', worker, 'started_at', NOW, 'heartbeat_at', NOW,
               'lease_expires_at', expires)
    set_state(id, old, 'running')
    redis.call('ZADD', P .. 'lease', expires, id)
    emit(id, 'claimed', cjson.encode({worker = worker, attempt = attempt}))
    out[#out + 1] = redis.call('HGETALL', k)
  end
end
return out
)lua";

// ARGV[5..]: id token lease_ms. Returns cancel_requested (0|1).
const std::string_view kHeartbeat = R"lua(
local id, token = ARGV[5], ARGV[6]
local f, err = check_lease(id, token)
if not f then return err end
local expires = int(now + tonumber(ARGV[7]))
redis.call('HSET', jk(id), 'heartbeat_at', NOW, 'lease_expires_at', expires)
redis.call('ZADD', P .. 'lease', expires, id)
return tonumber(f[3])
)lua";

// ARGV[5..]: id token done total message. At most one progress event per second.
const std::string_view kProgress = R"lua(
local id, token = ARGV[5], ARGV[6]
local f, err = check_lease(id, token)
if not f then return err end
local k = jk(id)
redis.call('HSET', k, 'progress_done', ARGV[7], 'progress_total', ARGV[8],
           'progress_message', ARGV[9])
local last = tonumber(redis.call('HGET', k, 'progress_event_at') or '-1000000')
if now - last >= 1000 then
  redis.call('HSET', k, 'progress_event_at', NOW)
  emit(id, 'progress', cjson.encode({done = tonumber(ARGV[7]), total = tonumber(ARGV[8]),
                                     message = ARGV[9]}))
end
return 0
)lua";

// ARGV[5..]: id token result_json.
const std::string_view kComplete = R"lua(
local id, token = ARGV[5], ARGV[6]
local f, err = check_lease(id, token)
if not f then return err end
redis.call('HSET', jk(id), 'result', ARGV[7])
finish(id, f[1], 'succeeded')
emit(id, 'succeeded', '{}')
return 0
)lua";

// ARGV[5..]: id token kind message exit_signal('' = none) delays...
const std::string_view kFail = R"lua(
local id, token = ARGV[5], ARGV[6]
local f, err = check_lease(id, token)
if not f then return err end
local delays = {}
for i = 10, #ARGV do delays[#delays + 1] = ARGV[i] end
end_attempt(id, f[1], ARGV[7], ARGV[8], ARGV[9], delays)
return 0
)lua";

// Crash-fails running jobs whose lease expired before now (at most 1000 per call).
const std::string_view kRescue = R"lua(
local ids = redis.call('ZRANGEBYSCORE', P .. 'lease', '-inf', '(' .. NOW, 'LIMIT', 0, 1000)
local n = 0
for _, id in ipairs(ids) do
  local state = redis.call('HGET', jk(id), 'state')
  if state == 'running' or state == 'cancelling' then
    end_attempt(id, state, 'crash', 'lease expired', '', {'0'})
    n = n + 1
  else
    redis.call('ZREM', P .. 'lease', id)
  end
end
return n
)lua";

// ARGV[5..]: worker_id reason. Crash-fails every job leased by the worker.
const std::string_view kRelease = R"lua(
local ids = redis.call('ZRANGE', P .. 'lease', 0, -1)
local n = 0
for _, id in ipairs(ids) do
  local f = redis.call('HMGET', jk(id), 'state', 'worker_id')
  if f[2] == ARGV[5] and (f[1] == 'running' or f[1] == 'cancelling') then
    end_attempt(id, f[1], 'crash', ARGV[6], '', {'0'})
    n = n + 1
  end
end
return n
)lua";

// ARGV[5]: id. Returns the job's hash after the cancel.
const std::string_view kCancel = R"lua(
local id = ARGV[5]
local k = jk(id)
local f = redis.call('HMGET', k, 'state', 'type')
local state = f[1]
if not state then return redis.error_reply('NOT_FOUND job ' .. id .. ' not found') end
if state == 'queued' or state == 'scheduled' or state == 'retrying' then
  redis.call('ZREM', P .. 'rdy:' .. f[2], id)
  redis.call('ZREM', P .. 'dly', id)
  finish(id, state, 'cancelled')
  emit(id, 'cancelled', '{}')
elseif state == 'running' then
  set_state(id, state, 'cancelling')
  redis.call('HSET', k, 'cancel_requested', 1)
  emit(id, 'cancel_requested', '{}')
elseif state == 'succeeded' or state == 'dead' then
  return redis.error_reply('FAILED_PRECONDITION job ' .. id .. ' is ' .. state ..
                           ' and can no longer be cancelled')
end
return redis.call('HGETALL', k)
)lua";

// ARGV[5]: id. Replays a dead or cancelled job. Returns its hash.
const std::string_view kRetry = R"lua(
local id = ARGV[5]
local k = jk(id)
local f = redis.call('HMGET', k, 'state', 'type', 'priority', 'unique_key', 'queue')
local state = f[1]
if not state then return redis.error_reply('NOT_FOUND job ' .. id .. ' not found') end
if state ~= 'dead' and state ~= 'cancelled' then
  return redis.error_reply('FAILED_PRECONDITION job ' .. id .. ' is ' .. state ..
                           '; only dead or cancelled jobs can be replayed')
end
if f[4] ~= '' then
  local holder = redis.call('GET', P .. 'u:' .. f[4])
  if holder and holder ~= id and is_active(redis.call('HGET', jk(holder), 'state')) then
    return redis.error_reply('FAILED_PRECONDITION unique key ' .. f[4] ..
                             ' is held by active job ' .. holder)
  end
  redis.call('SET', P .. 'u:' .. f[4], id)
end
redis.call('HSET', k, 'errors', 0, 'crashes', 0, 'run_at', NOW, 'cancel_requested', 0)
redis.call('HDEL', k, 'finished_at', 'lease_expires_at')
redis.call('ZREM', P .. 'fin', id)
redis.call('HINCRBY', P .. 'qc', f[5], 1)
set_state(id, state, 'queued')
make_ready(id, f[2], f[3], NOW)
wake()
emit(id, 'replayed', '{}')
return redis.call('HGETALL', k)
)lua";

// ARGV[5]: id. Returns the job's event list, or NOT_FOUND.
const std::string_view kEvents = R"lua(
local id = ARGV[5]
if redis.call('EXISTS', jk(id)) == 0 then
  return redis.error_reply('NOT_FOUND job ' .. id .. ' not found')
end
return redis.call('LRANGE', P .. 'ev:' .. id, 0, -1)
)lua";

// ARGV[5..]: limit cursor type nstates states... Returns up to limit+1 job hashes, newest first,
// ids below the cursor.
const std::string_view kList = R"lua(
local limit, cursor, typ, ns = tonumber(ARGV[5]), ARGV[6], ARGV[7], tonumber(ARGV[8])
local srcs = {}
if ns == 0 then srcs[1] = P .. 'all' else
  for i = 1, ns do srcs[i] = P .. 'st:' .. ARGV[8 + i] end
end
local bound = '+'
if cursor ~= '' then bound = '(' .. cursor end
local batch = limit + 1
local out = {}
while #out < limit + 1 do
  local merged, seen = {}, {}
  for _, s in ipairs(srcs) do
    for _, id in ipairs(redis.call('ZREVRANGEBYLEX', s, bound, '-', 'LIMIT', 0, batch)) do
      if not seen[id] then seen[id] = true; merged[#merged + 1] = id end
    end
  end
  if #merged == 0 then break end
  table.sort(merged, function(a, b) return a > b end)
  -- Each source gave its first `batch`, so the first `batch` merged ids are the global first.
  local n = math.min(batch, #merged)
  for i = 1, n do
    local id = merged[i]
    bound = '(' .. id
    if typ == '' or redis.call('HGET', jk(id), 'type') == typ then
      local h = redis.call('HGETALL', jk(id))
      if #h > 0 then out[#out + 1] = h end
      if #out == limit + 1 then break end
    end
  end
  if #merged < batch then break end
end
return out
)lua";

// Returns {count per state (8, in enum order)..., oldest ready run_at or -1, qc hash}.
const std::string_view kCounts = R"lua(
local states = {'queued', 'scheduled', 'running', 'retrying', 'succeeded', 'dead',
                'cancelling', 'cancelled'}
local out = {}
for i, s in ipairs(states) do out[i] = redis.call('ZCARD', P .. 'st:' .. s) end
local oldest = -1
for _, t in ipairs(redis.call('SMEMBERS', P .. 'types')) do
  for b = 0, 10 do
    local r = redis.call('ZRANGEBYSCORE', P .. 'rdy:' .. t, b * 1e13, '(' .. int((b + 1) * 1e13),
                         'LIMIT', 0, 1, 'WITHSCORES')
    if #r > 0 then
      local run_at = tonumber(r[2]) - b * 1e13
      if oldest < 0 or run_at < oldest then oldest = run_at end
    end
  end
end
local due = redis.call('ZRANGEBYSCORE', P .. 'dly', '-inf', NOW, 'LIMIT', 0, 1, 'WITHSCORES')
if #due > 0 and (oldest < 0 or tonumber(due[2]) < oldest) then oldest = tonumber(due[2]) end
out[9] = oldest
out[10] = redis.call('HGETALL', P .. 'qc')
return out
)lua";

// Deletes up to 500 finished jobs whose result expired before now. Returns how many.
const std::string_view kPrune = R"lua(
local ids = redis.call('ZRANGEBYSCORE', P .. 'fin', '-inf', '(' .. NOW, 'LIMIT', 0, 500)
for _, id in ipairs(ids) do
  local state = redis.call('HGET', jk(id), 'state')
  if state then redis.call('ZREM', P .. 'st:' .. state, id) end
  redis.call('ZREM', P .. 'all', id)
  redis.call('ZREM', P .. 'fin', id)
  redis.call('DEL', jk(id), P .. 'ev:' .. id)
end
return #ids
)lua";

// ARGV[5..]: id host pid concurrency jobs(\n-joined) started_at heartbeat_at.
const std::string_view kReportWorker = R"lua(
redis.call('HSET', P .. 'w:' .. ARGV[5], 'id', ARGV[5], 'host', ARGV[6], 'pid', ARGV[7],
           'concurrency', ARGV[8], 'jobs', ARGV[9], 'started_at', ARGV[10],
           'heartbeat_at', ARGV[11])
redis.call('ZADD', P .. 'workers', NOW, ARGV[5])
return 0
)lua";

// ARGV[5]: expiry_ms. Drops workers not reported since now - expiry; returns the others' hashes.
const std::string_view kWorkers = R"lua(
local stale = redis.call('ZRANGEBYSCORE', P .. 'workers', '-inf', '(' .. int(now - tonumber(ARGV[5])))
for _, id in ipairs(stale) do
  redis.call('ZREM', P .. 'workers', id)
  redis.call('DEL', P .. 'w:' .. id)
end
local out = {}
for _, id in ipairs(redis.call('ZRANGE', P .. 'workers', 0, -1)) do
  out[#out + 1] = redis.call('HGETALL', P .. 'w:' .. id)
end
return out
)lua";

// ARGV[5]: id.
const std::string_view kRemoveWorker = R"lua(
redis.call('ZREM', P .. 'workers', ARGV[5])
redis.call('DEL', P .. 'w:' .. ARGV[5])
return 0
)lua";

// ARGV[5..]: name holder ttl_ms. SET NX PX on the Clock's time: the expiry is stored with the
// holder; the real-time PEXPIRE only collects abandoned keys, well after they expired.
const std::string_view kAcquireLeadership = R"lua(
local k = P .. 'lead:' .. ARGV[5]
local f = redis.call('HMGET', k, 'holder', 'until')
if f[1] and f[1] ~= ARGV[6] and tonumber(f[2]) > now then return 0 end
local ttl = tonumber(ARGV[7])
redis.call('HSET', k, 'holder', ARGV[6], 'until', int(now + ttl))
redis.call('PEXPIRE', k, ttl + 3600000)
return 1
)lua";

// ARGV[5..]: name holder.
const std::string_view kReleaseLeadership = R"lua(
local k = P .. 'lead:' .. ARGV[5]
if redis.call('HGET', k, 'holder') == ARGV[6] then redis.call('DEL', k) end
return 0
)lua";

// ARGV[5..]: schedule fire_time keep_ms. 1 the first time, 0 while the record is kept.
const std::string_view kRecordFiring = R"lua(
local k = P .. 'fire:' .. ARGV[5] .. ':' .. ARGV[6]
local kept = redis.call('GET', k)
if kept and tonumber(kept) > now then return 0 end
local keep = tonumber(ARGV[7])
redis.call('SET', k, int(now + keep), 'PX', int(keep + 3600000))
return 1
)lua";

// Returns the earliest run_at of a scheduled/retrying job, or -1.
const std::string_view kNextDue = R"lua(
local r = redis.call('ZRANGE', P .. 'dly', 0, 0, 'WITHSCORES')
if #r == 0 then return -1 end
return tonumber(r[2])
)lua";

}  // namespace ct::redis_scripts
