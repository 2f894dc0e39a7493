-- Raises devices' delivery cursors; a lower or equal seq changes nothing. Many confirmations, of any
-- users, per call: when Redis is busy or far away, a round trip each would cost more than the work.
-- KEYS[c] sb:cursor:{user} for confirmation c (c = 1, 2, ...)
-- ARGV[1] time to live ms; then per confirmation, in KEYS order: device, seq.
-- Returns each device's cursor after its confirmation, in order.
local ttl = ARGV[1]
local reply = {}
for c = 1, #KEYS do
  local key, device = KEYS[c], ARGV[2 * c]
  local seq = tonumber(ARGV[2 * c + 1])
  local current = tonumber(redis.call('HGET', key, device) or '0')
  if seq > current then
    redis.call('HSET', key, device, ARGV[2 * c + 1])
    current = seq
  end
  redis.call('PEXPIRE', key, ttl)
  reply[c] = current
end
return reply
