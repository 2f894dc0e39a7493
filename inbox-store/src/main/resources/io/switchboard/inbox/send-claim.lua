-- Claims a client message id (cid) of a user for a message id, or returns its earlier claim.
-- KEYS[1] sb:sent:{user} (hash cid -> "messageId|recipient")
-- KEYS[2] sb:sent:{user}:at (sorted set cid -> claimed-at epoch ms, to forget claims past the window)
-- ARGV[1] cid   ARGV[2] message id   ARGV[3] recipient   ARGV[4] window ms
-- Returns {1, "messageId|recipient"} when this call claimed it, {0, earlier claim} otherwise.
local earlier = redis.call('HGET', KEYS[1], ARGV[1])
if earlier then
  return {0, earlier}
end
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local window = tonumber(ARGV[4])
local claim = ARGV[2] .. '|' .. ARGV[3]
redis.call('HSET', KEYS[1], ARGV[1], claim)
redis.call('ZADD', KEYS[2], now, ARGV[1])

-- Forget claims older than the window, a bounded number per call so one claim never stalls Redis.
local old = redis.call('ZRANGE', KEYS[2], '-inf', now - window, 'BYSCORE', 'LIMIT', 0, 100)
for i = 1, #old do
  redis.call('HDEL', KEYS[1], old[i])
  redis.call('ZREM', KEYS[2], old[i])
end
redis.call('PEXPIRE', KEYS[1], window)
redis.call('PEXPIRE', KEYS[2], window)
return {1, claim}
