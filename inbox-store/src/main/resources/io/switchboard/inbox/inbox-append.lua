-- Appends one message to a recipient's inbox, atomically and idempotently by message id.
-- KEYS[1] sb:inbox:{user}:seq   KEYS[2] sb:inbox:{user}:msgs   KEYS[3] sb:inbox:{user}:ids
-- ARGV[1] message id   ARGV[2] envelope JSON (its "ts" is the accepted-at epoch ms)
-- ARGV[3] retention ms   ARGV[4] max messages kept
-- Returns the message's seq (the one it got the first time, if already stored).
local known = redis.call('HGET', KEYS[3], ARGV[1])
if known then
  return tonumber(known)
end
local seq = redis.call('INCR', KEYS[1])
redis.call('ZADD', KEYS[2], seq, ARGV[2])
redis.call('HSET', KEYS[3], ARGV[1], seq)

-- Trim from the oldest end: past retention (by Redis's clock) or over the cap. Bounded per call,
-- so one append never stalls Redis; every append trims a little.
local t = redis.call('TIME')
local cutoff = t[1] * 1000 + math.floor(t[2] / 1000) - tonumber(ARGV[3])
local excess = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[4])
for _ = 1, 100 do
  local oldest = redis.call('ZRANGE', KEYS[2], 0, 0)
  if #oldest == 0 then break end
  local msg = cjson.decode(oldest[1])
  if excess <= 0 and msg.ts >= cutoff then break end
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, 0)
  redis.call('HDEL', KEYS[3], msg.id)
  excess = excess - 1
end

redis.call('PEXPIRE', KEYS[2], ARGV[3])
redis.call('PEXPIRE', KEYS[3], ARGV[3])
return seq
