-- Appends messages to one recipient's inbox, in argument order, atomically and idempotently by id.
-- KEYS[1] sb:inbox:{user}:seq   KEYS[2] sb:inbox:{user}:msgs   KEYS[3] sb:inbox:{user}:ids
-- ARGV[1] retention ms   ARGV[2] max messages kept
-- ARGV[3], ARGV[4] message id, envelope JSON (its "ts" is the accepted-at epoch ms); then the next
-- message's id and envelope, and so on.
-- Returns each message's seq, in argument order (the one it got the first time, if already stored).
local seqs = {}
for i = 3, #ARGV, 2 do
  local id = ARGV[i]
  local known = redis.call('HGET', KEYS[3], id)
  if known then
    seqs[#seqs + 1] = tonumber(known)
  else
    local seq = redis.call('INCR', KEYS[1])
    redis.call('ZADD', KEYS[2], seq, ARGV[i + 1])
    redis.call('HSET', KEYS[3], id, seq)
    seqs[#seqs + 1] = seq
  end
end

-- Trim from the oldest end: past retention (by Redis's clock) or over the cap. Bounded per call,
-- so one append never stalls Redis; every append trims a little.
local t = redis.call('TIME')
local cutoff = t[1] * 1000 + math.floor(t[2] / 1000) - tonumber(ARGV[1])
local excess = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[2])
for _ = 1, 100 + #seqs do
  local oldest = redis.call('ZRANGE', KEYS[2], 0, 0)
  if #oldest == 0 then break end
  local msg = cjson.decode(oldest[1])
  if excess <= 0 and msg.ts >= cutoff then break end
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, 0)
  redis.call('HDEL', KEYS[3], msg.id)
  excess = excess - 1
end

redis.call('PEXPIRE', KEYS[2], ARGV[1])
redis.call('PEXPIRE', KEYS[3], ARGV[1])
return seqs
