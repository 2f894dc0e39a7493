-- Claims client message ids (cids) for message ids, or returns their earlier claims; many claims,
-- of any users, per call (their fixed cost per call outweighed the work of one claim).
-- Per claim c (c = 1, 2, ...), two keys:
--   KEYS[2c-1] sb:sent:{user} (hash cid -> "messageId|recipient")
--   KEYS[2c]   sb:sent:{user}:at (sorted set cid -> claimed-at epoch ms, to forget claims past the window)
-- ARGV[1] window ms; then per claim, in KEYS order: cid, message id, recipient.
-- Returns per claim, in order: 1, "messageId|recipient" when this call claimed it; 0, the earlier
-- claim otherwise (also when an earlier claim in the same call took it).
local window = tonumber(ARGV[1])
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local reply = {}
for c = 1, #KEYS / 2 do
  local sent, at = KEYS[2 * c - 1], KEYS[2 * c]
  local a = 3 * c - 1
  local cid = ARGV[a]
  local claim = ARGV[a + 1] .. '|' .. ARGV[a + 2]
  -- Claim and check in one lookup: the hash is large (every cid of the window) and cache-cold.
  if redis.call('HSETNX', sent, cid, claim) == 0 then
    reply[#reply + 1] = 0
    reply[#reply + 1] = redis.call('HGET', sent, cid)
  else
    redis.call('ZADD', at, now, cid)
    -- Forget claims older than the window, a bounded number per claim so a call never stalls Redis.
    local old = redis.call('ZRANGE', at, '-inf', now - window, 'BYSCORE', 'LIMIT', 0, 100)
    for i = 1, #old do
      redis.call('HDEL', sent, old[i])
      redis.call('ZREM', at, old[i])
    end
    redis.call('PEXPIRE', sent, window)
    redis.call('PEXPIRE', at, window)
    reply[#reply + 1] = 1
    reply[#reply + 1] = claim
  end
end
return reply
