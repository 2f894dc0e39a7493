-- Registers a live session of one user.
-- KEYS[1] sb:presence:{user}   ARGV[1] session id   ARGV[2] ttl ms   ARGV[3] "connectedAt|node|device"
-- Field value: "expiresAt|connectedAt|node|device", expiresAt by Redis's clock.
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local expires = now + tonumber(ARGV[2])
redis.call('HSET', KEYS[1], ARGV[1], expires .. '|' .. ARGV[3])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 1
