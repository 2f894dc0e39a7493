-- All of presence in one script, so that the rules deciding when a user goes online or offline
-- exist once. ARGV[1] names the operation; the rest are its arguments (see each function).
--
-- Time is Redis's own clock (TIME), in epoch milliseconds: no caller's wall clock matters.
-- Keys (docs/architecture.md, "Redis keys"):
--   sb:presence:{user}          hash  session id -> "deadline|connectedAt|lastSeen|node|device"
--   sb:presence:{user}:status   hash  s (1 = announced online), v (version), at, seen, pa/pc (pending offline)
--   sb:presence:node:{node}     set   "user|session" of every session the node registered
--   sb:presence:nodes           zset  node -> lease deadline
--   sb:presence:deadlines       zset  "user|session" -> session deadline (the sweep's index)
--   sb:presence:pending         zset  user -> when the user's last session left (offline, not yet announced)
--   sb:presence:events          stream of announced transitions (the outbox presence-service publishes)
--   sb:presence:online          string: users announced online
-- The sweep finds due entries through the sorted sets; keyspace notifications are never needed.
-- Operations touch several users' and nodes' keys, so this needs one Redis primary, not Cluster.

local NODES = 'sb:presence:nodes'
local DEADLINES = 'sb:presence:deadlines'
local PENDING = 'sb:presence:pending'
local EVENTS = 'sb:presence:events'
local ONLINE = 'sb:presence:online'
local EVENTS_KEPT = 100000
local STATUS_KEPT_MS = 30 * 24 * 3600 * 1000

local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local function user_key(user) return 'sb:presence:{' .. user .. '}' end
local function status_key(user) return 'sb:presence:{' .. user .. '}:status' end
local function node_key(node) return 'sb:presence:node:{' .. node .. '}' end

-- "deadline|connectedAt|lastSeen|node|device" -> fields
local function parse(v)
  local deadline, connected, seen, node, device = string.match(v, '^(%d+)|(%d+)|(%d+)|([^|]*)|(.*)$')
  return tonumber(deadline), connected, tonumber(seen), node, device
end

local function lease_lapsed(node, cache)
  local lapsed = cache[node]
  if lapsed == nil then
    local lease = redis.call('ZSCORE', NODES, node)
    -- A node without a lease entry has not renewed yet (or was fully swept): its sessions stand on
    -- their own deadlines.
    lapsed = lease ~= false and tonumber(lease) <= now
    cache[node] = lapsed
  end
  return lapsed
end

-- The user's live sessions as a flat list id, value, id, value, ...
local function live_sessions(user)
  local all = redis.call('HGETALL', user_key(user))
  local live = {}
  local cache = {}
  for i = 1, #all, 2 do
    local deadline, _, _, node = parse(all[i + 1])
    if deadline > now and not lease_lapsed(node, cache) then
      live[#live + 1] = all[i]
      live[#live + 1] = all[i + 1]
    end
  end
  return live
end

local function announce(user, online, at, cause, seen)
  local st = status_key(user)
  local version = redis.call('HINCRBY', st, 'v', 1)
  redis.call('HSET', st, 's', online and '1' or '0', 'at', at, 'seen', seen)
  if online then
    redis.call('PERSIST', st)
    redis.call('INCR', ONLINE)
  else
    redis.call('PEXPIRE', st, STATUS_KEPT_MS)
    if tonumber(redis.call('DECR', ONLINE)) < 0 then redis.call('SET', ONLINE, 0) end
  end
  redis.call('XADD', EVENTS, 'MAXLEN', '~', EVENTS_KEPT, '*',
    'user', user, 'status', online and 'online' or 'offline', 'at', at, 'cause', cause,
    'lastSeen', seen, 'version', version)
end

-- A session of the user is live now: announce online, or cancel an offline still in its grace.
local function went_online(user)
  local st = status_key(user)
  if redis.call('HGET', st, 's') == '1' then
    if redis.call('HEXISTS', st, 'pa') == 1 then
      redis.call('ZREM', PENDING, user)
      redis.call('HDEL', st, 'pa', 'pc')
      return 1 -- back within the grace: no offline, no online
    end
    return 0
  end
  announce(user, true, now, 'connected', now)
  return 2
end

-- If the user has no live session left, the offline becomes pending (announced by the sweep once
-- the grace passed without a new session).
local function maybe_offline(user, cause, at)
  local st = status_key(user)
  if #live_sessions(user) == 0 and redis.call('HGET', st, 's') == '1'
      and redis.call('HEXISTS', st, 'pa') == 0 then
    redis.call('HSET', st, 'pa', at, 'pc', cause)
    redis.call('ZADD', PENDING, at, user)
  end
end

-- Removes one session entry; if it was the user's last live one, the user's offline becomes
-- pending (announced by the sweep once the grace passed without a new session).
local function drop(user, sid, value, cause, at)
  local _, _, seen, node = parse(value)
  redis.call('HDEL', user_key(user), sid)
  redis.call('SREM', node_key(node), user .. '|' .. sid)
  redis.call('ZREM', DEADLINES, user .. '|' .. sid)
  local st = status_key(user)
  if cause == 'closed' then seen = now end
  local known = tonumber(redis.call('HGET', st, 'seen') or '0')
  if seen > known then redis.call('HSET', st, 'seen', seen) end
  maybe_offline(user, cause, at)
end

-- Redis expires a user's session hash only long after its last deadline, as garbage collection
-- when no sweep runs at all: the sweep needs the entries to decide the user's offline.
local KEY_SLACK_MS = 24 * 3600 * 1000
local function keep_key_until(user, deadline)
  local key = user_key(user)
  local ttl = deadline - now + KEY_SLACK_MS
  if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
end

local ops = {}

-- register user sid ttlMs connectedAt node device
function ops.register(a)
  local user, sid, node = a[2], a[3], a[6]
  local deadline = now + tonumber(a[4])
  redis.call('HSET', user_key(user), sid, deadline .. '|' .. a[5] .. '|' .. now .. '|' .. node .. '|' .. a[7])
  keep_key_until(user, deadline)
  redis.call('SADD', node_key(node), user .. '|' .. sid)
  redis.call('ZADD', DEADLINES, deadline, user .. '|' .. sid)
  return went_online(user)
end

-- refresh ttlMs (user sid silentMs)...: extends each session that is still live; returns the
-- 1-based positions of those it no longer knows (removed, expired, or swept with their node).
function ops.refresh(a)
  local ttl = tonumber(a[2])
  local missing = {}
  local n = 0
  for i = 3, #a, 3 do
    n = n + 1
    local user, sid = a[i], a[i + 1]
    local key = user_key(user)
    local v = redis.call('HGET', key, sid)
    if not v then
      missing[#missing + 1] = n
    else
      local deadline, connected, _, node, device = parse(v)
      if deadline <= now then
        -- Already counted as gone by every reader: leave it to the sweep, let the caller register
        -- it again. (A lapsed node lease is the caller's own to renew, and brings these back.)
        missing[#missing + 1] = n
      else
        local seen = now - tonumber(a[i + 2])
        local next = now + ttl
        redis.call('HSET', key, sid, next .. '|' .. connected .. '|' .. seen .. '|' .. node .. '|' .. device)
        redis.call('ZADD', DEADLINES, next, user .. '|' .. sid)
        keep_key_until(user, next)
      end
    end
  end
  return missing
end

-- unregister user sid cause: removes exactly this session; returns 1 if it was there.
function ops.unregister(a)
  local user, sid = a[2], a[3]
  local v = redis.call('HGET', user_key(user), sid)
  if not v then return 0 end
  drop(user, sid, v, a[4], now)
  return 1
end

-- lease node leaseMs: renews the node's lease; returns 1 if it was live, 0 if it had lapsed or
-- did not exist.
function ops.lease(a)
  local old = redis.call('ZSCORE', NODES, a[2])
  redis.call('ZADD', NODES, now + tonumber(a[3]), a[2])
  if old and tonumber(old) > now then return 1 end
  return 0
end

-- release node: a node stopping cleanly gives up its lease (its sessions left one by one). Sessions
-- it could not remove stay covered by the lease, which lapses now: reads hide them at once and the
-- sweep removes them as node-lost, instead of their each outliving the node by a session lifetime.
function ops.release(a)
  if redis.call('SCARD', node_key(a[2])) == 0 then
    redis.call('ZREM', NODES, a[2])
    redis.call('DEL', node_key(a[2]))
  else
    redis.call('ZADD', NODES, now, a[2])
  end
  return 1
end

-- sessions user: the user's live sessions, id, value, ...
function ops.sessions(a)
  return live_sessions(a[2])
end

-- sessions_many user...: per user, that user's live sessions as in 'sessions'
function ops.sessions_many(a)
  local out = {}
  for i = 2, #a do
    out[#out + 1] = live_sessions(a[i])
  end
  return out
end

-- presence user: {announced(0/1), at, seen, version, id, value, id, value, ...}
function ops.presence(a)
  local st = redis.call('HMGET', status_key(a[2]), 's', 'at', 'seen', 'v')
  local out = {st[1] == '1' and 1 or 0, tonumber(st[2] or '0'), tonumber(st[3] or '0'), tonumber(st[4] or '0')}
  local live = live_sessions(a[2])
  for i = 1, #live do out[#out + 1] = live[i] end
  return out
end

-- status user...: per user {announced(0/1), at, seen, version}
function ops.status(a)
  local out = {}
  for i = 2, #a do
    local st = redis.call('HMGET', status_key(a[i]), 's', 'at', 'seen', 'v')
    out[#out + 1] = {st[1] == '1' and 1 or 0, tonumber(st[2] or '0'), tonumber(st[3] or '0'), tonumber(st[4] or '0')}
  end
  return out
end

-- sweep graceMs limit: one bounded, atomic step of presence-service's sweep. Any number of
-- instances may run it at once: each due entry is taken (removed from its index) by exactly one
-- run. Returns {nodeLost, timedOut, announcedOffline, more (0/1), lagMs}.
function ops.sweep(a)
  local grace = tonumber(a[2])
  local budget = tonumber(a[3])
  local lost, timed, announced, lag = 0, 0, 0, 0
  -- 1. nodes whose lease lapsed: all their sessions at once (in chunks of the budget)
  local nodes = redis.call('ZRANGEBYSCORE', NODES, '-inf', now, 'WITHSCORES', 'LIMIT', 0, 16)
  for i = 1, #nodes, 2 do
    if budget <= 0 then break end
    local node, lapsedAt = nodes[i], tonumber(nodes[i + 1])
    if now - lapsedAt > lag then lag = now - lapsedAt end
    local members = redis.call('SPOP', node_key(node), budget)
    for _, m in ipairs(members) do
      local user, sid = string.match(m, '^([^|]*)|(.*)$')
      local v = redis.call('HGET', user_key(user), sid)
      if v then
        drop(user, sid, v, 'node-lost', lapsedAt)
        lost = lost + 1
      else
        redis.call('ZREM', DEADLINES, m)
      end
    end
    budget = budget - #members
    if redis.call('SCARD', node_key(node)) == 0 then redis.call('ZREM', NODES, node) end
  end
  -- 2. sessions past their own deadline (a gateway that stopped refreshing one without closing it)
  if budget > 0 then
    local due = redis.call('ZRANGEBYSCORE', DEADLINES, '-inf', now, 'WITHSCORES', 'LIMIT', 0, budget)
    for i = 1, #due, 2 do
      local m, deadline = due[i], tonumber(due[i + 1])
      redis.call('ZREM', DEADLINES, m)
      local user, sid = string.match(m, '^([^|]*)|(.*)$')
      local v = redis.call('HGET', user_key(user), sid)
      if v and parse(v) <= now then
        if now - deadline > lag then lag = now - deadline end
        local _, _, _, node = parse(v)
        local lease = redis.call('ZSCORE', NODES, node)
        if lease and tonumber(lease) <= now then
          drop(user, sid, v, 'node-lost', tonumber(lease)) -- its node is gone too: that is the cause
          lost = lost + 1
        else
          drop(user, sid, v, 'timeout', deadline)
          timed = timed + 1
        end
      elseif not v then
        maybe_offline(user, 'timeout', deadline) -- the entry vanished (expired hash): still decide
      end
      budget = budget - 1
    end
  end
  -- 3. offlines whose grace has passed without a new session: announce them
  if budget > 0 then
    local due = redis.call('ZRANGEBYSCORE', PENDING, '-inf', now - grace, 'LIMIT', 0, budget)
    for _, user in ipairs(due) do
      redis.call('ZREM', PENDING, user)
      local st = status_key(user)
      local pa, pc, seen = unpack(redis.call('HMGET', st, 'pa', 'pc', 'seen'))
      redis.call('HDEL', st, 'pa', 'pc')
      if pa and #live_sessions(user) == 0 and redis.call('HGET', st, 's') == '1' then
        announce(user, false, tonumber(pa), pc, tonumber(seen or pa))
        announced = announced + 1
      end
      budget = budget - 1
    end
  end
  return {lost, timed, announced, budget <= 0 and 1 or 0, lag}
end

-- stats: {usersOnline, lapsedNodes, node, sessions, node, sessions, ...}
function ops.stats(a)
  local out = {tonumber(redis.call('GET', ONLINE) or '0'), redis.call('ZCOUNT', NODES, '-inf', now)}
  local nodes = redis.call('ZRANGE', NODES, 0, -1)
  for _, node in ipairs(nodes) do
    out[#out + 1] = node
    out[#out + 1] = redis.call('SCARD', node_key(node))
  end
  return out
end

local op = ops[ARGV[1]]
if not op then return redis.error_reply('unknown presence operation ' .. tostring(ARGV[1])) end
return op(ARGV)
