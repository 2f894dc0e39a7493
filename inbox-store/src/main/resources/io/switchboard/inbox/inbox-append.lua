-- Appends messages to the inboxes of one or more recipients, each recipient's in argument order,
-- atomically and idempotently by id. One call carries many recipients because a call's fixed cost
-- (a round trip, the script's start) outweighed the work for the one or two messages a recipient
-- usually has in a Kafka batch.
-- Per recipient r (r = 1, 2, ...), three keys:
--   KEYS[3r-2] sb:inbox:{user}:seq   KEYS[3r-1] sb:inbox:{user}:msgs
--   KEYS[3r]   sb:inbox:{user}:ids (message id -> seq, and OLDEST)
-- ARGV[1] retention ms   ARGV[2] max messages kept
-- then per recipient, in KEYS order: n, followed by n pairs of message id and envelope JSON (its "ts"
-- is the accepted-at epoch ms).
-- Returns each message's seq, in argument order (the one it got the first time, if already stored).
local OLDEST = '\1oldest' -- the ts of the oldest message kept; not a message id (those are UUIDs)
local retention = tonumber(ARGV[1])
local max = tonumber(ARGV[2])
local t = redis.call('TIME')
local cutoff = t[1] * 1000 + math.floor(t[2] / 1000) - retention
local seqs = {}
local a = 3
for r = 1, #KEYS / 3 do
  local seqKey, msgsKey, idsKey = KEYS[3 * r - 2], KEYS[3 * r - 1], KEYS[3 * r]
  local n = tonumber(ARGV[a])
  a = a + 1
  for _ = 1, n do
    local id = ARGV[a]
    -- Take the next seq and claim the id with it in one step; an id stored before gives the seq
    -- back (the script is atomic, so nothing else took a seq in between). One lookup instead of a
    -- read and a write per message: these two hashes are large and cache-cold.
    local seq = redis.call('INCR', seqKey)
    if redis.call('HSETNX', idsKey, id, seq) == 1 then
      redis.call('ZADD', msgsKey, seq, ARGV[a + 1])
      seqs[#seqs + 1] = seq
    else
      redis.call('DECR', seqKey)
      seqs[#seqs + 1] = tonumber(redis.call('HGET', idsKey, id))
    end
    a = a + 2
  end

  -- Trim from the oldest end: past retention (by Redis's clock) or over the cap. Bounded per call,
  -- so one append never stalls Redis; every append trims a little. The oldest message's ts is kept
  -- in the ids hash, so an append that has nothing to trim does not read and decode that message.
  local excess = redis.call('ZCARD', msgsKey) - max
  local oldestTs = tonumber(redis.call('HGET', idsKey, OLDEST))
  if excess > 0 or not oldestTs or oldestTs < cutoff then
    oldestTs = nil
    for _ = 1, 100 + n do
      local oldest = redis.call('ZRANGE', msgsKey, 0, 0)
      if #oldest == 0 then break end
      local msg = cjson.decode(oldest[1])
      if excess <= 0 and msg.ts >= cutoff then
        oldestTs = msg.ts
        break
      end
      redis.call('ZREMRANGEBYRANK', msgsKey, 0, 0)
      redis.call('HDEL', idsKey, msg.id)
      excess = excess - 1
    end
    if oldestTs then
      redis.call('HSET', idsKey, OLDEST, oldestTs)
    else
      redis.call('HDEL', idsKey, OLDEST)
    end
  end

  redis.call('PEXPIRE', msgsKey, retention)
  redis.call('PEXPIRE', idsKey, retention)
end
return seqs
