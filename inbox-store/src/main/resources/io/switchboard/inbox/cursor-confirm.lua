-- Raises one device's delivery cursor; a lower or equal seq changes nothing.
-- KEYS[1] sb:cursor:{user}   ARGV[1] device   ARGV[2] seq   ARGV[3] time to live ms
-- Returns the cursor after the call.
local current = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
local seq = tonumber(ARGV[2])
if seq > current then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  current = seq
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return current
